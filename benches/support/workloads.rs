//! The timed runs: the case × flavor matrix, the rendezvous ping-pong and `select!`
//! with K arms. Each returns the elapsed time of one run, or why it has none.

use super::{
    check, round_messages, Case, Channel, Failure, Flavor, Msg, Outcome, Workload, THREADS,
};
use std::ops::Range;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

/// A sender thread's work.
type SendJob = Box<dyn FnOnce() + Send>;
/// A receiver thread's work; returns the count and sum of what it received.
type RecvJob = Box<dyn FnOnce() -> (u64, u64) + Send>;

/// The messages sender `k` of `senders` sends when `n` are sent in all.
pub fn share(k: u64, senders: u64, n: u64) -> Range<Msg> {
    k * n / senders..(k + 1) * n / senders
}

/// One thread's (or task's) part of a run: when it left the start line, when it
/// finished, and the count and sum of what it received.
pub type Span = (Instant, Instant, (u64, u64));

/// The run of all `spans`: from the first start to the last finish, with the summed
/// counts and sums.
pub fn total(spans: impl IntoIterator<Item = Span>) -> (Duration, u64, u64) {
    let (mut first, mut last, mut count, mut sum) = (None::<Instant>, None::<Instant>, 0, 0);
    for (start, end, (c, s)) in spans {
        first = Some(first.map_or(start, |f| f.min(start)));
        last = Some(last.map_or(end, |l| l.max(end)));
        count += c;
        sum += s;
    }
    let elapsed = match (first, last) {
        (Some(first), Some(last)) => last - first,
        _ => Duration::ZERO,
    };
    (elapsed, count, sum)
}

/// Runs every job on a thread of its own, all released together once spawned; returns
/// the time from the first thread's release until the last one finished, and the
/// summed count and sum of the receivers. A panicking thread panics the caller, after
/// all are joined.
///
/// Each thread reads the clock itself: on a busy machine the released threads may run
/// to the end before the spawning thread is scheduled again.
fn timed(senders: Vec<SendJob>, receivers: Vec<RecvJob>) -> (Duration, u64, u64) {
    let start_line = Barrier::new(senders.len() + receivers.len());
    let clocked = |job: RecvJob| {
        let start_line = &start_line;
        move || {
            start_line.wait();
            let start = Instant::now();
            let got = job();
            (start, Instant::now(), got)
        }
    };
    thread::scope(|s| {
        let handles: Vec<_> = senders
            .into_iter()
            .map(|job| -> RecvJob {
                Box::new(move || {
                    job();
                    (0, 0)
                })
            })
            .chain(receivers)
            .map(|job| s.spawn(clocked(job)))
            .collect();
        total(
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))),
        )
    })
}

/// Receives until the channel is disconnected and empty.
fn drain<L: Channel>(rx: L::Rx) -> RecvJob {
    Box::new(move || {
        let (mut count, mut sum) = (0, 0);
        while let Some(msg) = L::recv(&rx) {
            count += 1;
            sum += msg;
        }
        (count, sum)
    })
}

/// Sends `msgs` on `tx`, then drops it.
fn feed<L: Channel>(tx: L::Tx, msgs: Range<Msg>) -> SendJob {
    Box::new(move || {
        for msg in msgs {
            L::send(&tx, msg);
        }
    })
}

/// One run of `workload` with library `L`, doing `units` units of its work (see
/// [`Workload::units`]): messages, or round trips for ping-pong.
pub fn run<L: Channel>(workload: Workload, units: u64) -> Outcome {
    match workload {
        Workload::Matrix(case, flavor) => run_case::<L>(case, flavor, units),
        Workload::PingPong => ping_pong::<L>(units),
        Workload::SelectArms(arms) => select_arms::<L>(arms, units),
        Workload::Async(..) => unreachable!("async cells run in async_workloads.rs"),
    }
}

/// One run of `case` on `flavor` with library `L`, sending about `n` messages in all
/// (see [`round_messages`]): the elapsed time, once the messages received are checked
/// to be exactly those sent.
///
/// Panics if `L` does not [`support`](super::supports) the cell.
pub fn run_case<L: Channel>(case: Case, flavor: Flavor, n: u64) -> Outcome {
    assert!(
        super::supports::<L>(case, flavor),
        "{} cannot run {case:?} on {flavor:?}",
        L::NAME
    );
    let n = round_messages(n);
    let (elapsed, count, sum) = match case {
        Case::Seq => seq::<L>(flavor, n),
        Case::Spsc => {
            let (tx, rx) = L::new(flavor);
            timed(vec![feed::<L>(tx, 0..n)], vec![drain::<L>(rx)])
        }
        Case::Mpsc => {
            let (tx, rx) = L::new(flavor);
            let senders = (0..THREADS)
                .map(|k| feed::<L>(tx.clone(), share(k, THREADS, n)))
                .collect();
            drop(tx);
            timed(senders, vec![drain::<L>(rx)])
        }
        Case::Mpmc => {
            let (tx, rx) = L::new(flavor);
            let senders = (0..THREADS)
                .map(|k| feed::<L>(tx.clone(), share(k, THREADS, n)))
                .collect();
            let receivers = (0..THREADS).map(|_| drain::<L>(L::clone_rx(&rx))).collect();
            drop((tx, rx));
            timed(senders, receivers)
        }
        Case::SelectRx => {
            let (txs, rxs): (Vec<_>, Vec<_>) = (0..THREADS).map(|_| L::new(flavor)).unzip();
            let senders = txs
                .into_iter()
                .zip(0..)
                .map(|(tx, k)| feed::<L>(tx, share(k, THREADS, n)))
                .collect();
            let receiver: RecvJob = Box::new(move || L::select_recv_all(&rxs));
            timed(senders, vec![receiver])
        }
        Case::SelectBoth => {
            let (txs, rxs): (Vec<_>, Vec<_>) = (0..THREADS).map(|_| L::new(flavor)).unzip();
            let senders = (0..THREADS)
                .map(|k| {
                    let txs = txs.clone();
                    Box::new(move || L::select_send_all(&txs, share(k, THREADS, n))) as SendJob
                })
                .collect();
            let receivers = (0..THREADS)
                .map(|_| {
                    let rxs: Vec<_> = rxs.iter().map(L::clone_rx).collect();
                    Box::new(move || L::select_recv_all(&rxs)) as RecvJob
                })
                .collect();
            drop((txs, rxs));
            timed(senders, receivers)
        }
    };
    check(count, sum, n).map(|()| elapsed)
}

/// One thread sends as many messages as the channel holds (all of them when it is
/// unbounded), receives them, and repeats.
fn seq<L: Channel>(flavor: Flavor, n: u64) -> (Duration, u64, u64) {
    let batch = flavor.capacity().map_or(n, |cap| cap as u64);
    let (tx, rx) = L::new(flavor);
    let start = Instant::now();
    let (count, sum) = in_batches(batch, 0..n, |msg| L::send(&tx, msg), || L::recv(&rx));
    (start.elapsed(), count, sum)
}

/// Sends `msgs` `batch` at a time, receiving each batch before the next: `seq`'s
/// loop; returns the count and sum received.
#[inline]
pub(super) fn in_batches(
    batch: u64,
    msgs: Range<Msg>,
    send: impl Fn(Msg),
    recv: impl Fn() -> Option<Msg>,
) -> (u64, u64) {
    let (mut count, mut sum) = (0, 0);
    let mut next = msgs.start;
    while next < msgs.end {
        let end = (next + batch).min(msgs.end);
        for msg in next..end {
            send(msg);
        }
        for _ in next..end {
            sum += recv().expect("the sender is alive");
            count += 1;
        }
        next = end;
    }
    (count, sum)
}

/// The loop whose instructions `instructions.rs` has callgrind count: `n` messages
/// through a channel of `flavor` with `seq`'s loop, in batches of its capacity (1000
/// when unbounded, so that it reaches a steady state too), after one batch that is
/// not counted (the first allocations, thread-local set-up). Returns their sum.
pub fn count_seq<L: Channel>(flavor: Flavor, n: u64) -> u64 {
    let batch = flavor.capacity().map_or(1000, |cap| cap as u64);
    assert!(batch > 0, "seq cannot run on a rendezvous channel");
    let (tx, rx) = L::new(flavor);
    in_batches(batch, 0..batch, |msg| L::send(&tx, msg), || L::recv(&rx));
    // Opaque pointers: every library's send and recv are called out of line, so the
    // loop around them is the same instructions for all, whatever the inliner chose.
    let send: fn(&L::Tx, Msg) = std::hint::black_box(L::send);
    let recv: fn(&L::Rx) -> Option<Msg> = std::hint::black_box(L::recv);
    let (count, sum) = counted_pairs(batch, 0..n, |msg| send(&tx, msg), || recv(&rx));
    check(count, sum, n).unwrap_or_else(|e| panic!("{}: {e}", L::NAME));
    sum
}

/// callgrind counts what runs inside this function (`--toggle-collect=*counted_pairs*`),
/// so it stays out of line and its name stays unique.
#[inline(never)]
pub(super) fn counted_pairs(
    batch: u64,
    msgs: Range<Msg>,
    send: impl Fn(Msg),
    recv: impl Fn() -> Option<Msg>,
) -> (u64, u64) {
    in_batches(batch, msgs, send, recv)
}

/// `n` round trips over two rendezvous channels: one thread sends `i` and waits for
/// the echo `i + 1`, the other echoes.
pub fn ping_pong<L: Channel>(n: u64) -> Outcome {
    let (ping_tx, ping_rx) = L::new(Flavor::Rendezvous);
    let (pong_tx, pong_rx) = L::new(Flavor::Rendezvous);
    let echo: SendJob = Box::new(move || {
        while let Some(msg) = L::recv(&ping_rx) {
            L::send(&pong_tx, msg + 1);
        }
    });
    let ask: RecvJob = Box::new(move || {
        let (mut count, mut sum) = (0, 0);
        for i in 0..n {
            L::send(&ping_tx, i);
            sum += L::recv(&pong_rx).expect("the echo thread is alive");
            count += 1;
        }
        // Each echo was one more than asked: take that back before checking.
        (count, sum.wrapping_sub(count))
    });
    let (elapsed, count, sum) = timed(vec![echo], vec![ask]);
    check(count, sum, n).map(|()| elapsed)
}

/// One sender thread sends `n` messages in turn over `k` unbounded channels; one
/// receiver takes them with [`Channel::select_macro_recv`], a `select!` with one arm
/// per channel.
pub fn select_arms<L: Channel>(k: usize, n: u64) -> Outcome {
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..k).map(|_| L::new(Flavor::Unbounded)).unzip();
    let sending = txs.clone();
    let sender: SendJob = Box::new(move || {
        for (msg, tx) in (0..n).zip(sending.iter().cycle()) {
            L::send(tx, msg);
        }
    });
    // The receiver keeps the channels connected: a disconnected, drained channel's arm
    // would be ready (with an error) before the others are drained.
    let receiver: RecvJob = Box::new(move || {
        let sum = L::select_macro_recv(&rxs, n);
        drop(txs);
        (n, sum)
    });
    let (elapsed, count, sum) = timed(vec![sender], vec![receiver]);
    check(count, sum, n).map(|()| elapsed)
}

/// Runs `run` on a thread of its own and waits at most `limit` for it: a run that
/// takes longer is abandoned (its threads stay blocked, or keep running, in the
/// background) and reported as [`Failure::Hang`]; a panic is reported with its message.
pub fn with_time_limit(limit: Duration, run: impl FnOnce() -> Outcome + Send + 'static) -> Outcome {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    thread::Builder::new()
        .name("measured-run".into())
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
                .unwrap_or_else(|payload| Err(Failure::Panic(panic_message(&*payload))));
            let _ = done_tx.send(outcome);
        })
        .expect("spawn a measured run");
    match done_rx.recv_timeout(limit) {
        Ok(outcome) => outcome,
        Err(_) => Err(Failure::Hang(limit)),
    }
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-text panic payload)".to_string()
    }
}

/// The failure that [`with_time_limit`]-less callers (criterion) turn into a panic.
pub fn expect_time(outcome: Outcome, what: &str) -> Duration {
    outcome.unwrap_or_else(|failure: Failure| panic!("{what}: {failure}"))
}
