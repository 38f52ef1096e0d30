//! The timed async runs: tasks on a tokio multi-thread runtime sending and receiving
//! through a library's futures, or (blocking-to-async) plain threads sending with
//! blocking calls to receiving tasks. Each returns the elapsed time of one run, or why
//! it has none; the time limit is `workloads::with_time_limit`'s, as for every run.
//!
//! Every run gets a runtime of its own, made before the clock starts and dropped after
//! it stops, so that a hung run abandons only its own worker threads. Its tasks are
//! spawned with `tokio::spawn`; they and the threads wait at one barrier until all are
//! started, then read the clock themselves, as the blocking runs' threads do.

use super::workloads::{counted_pairs, in_batches, share, total, Span};
use super::{check, round_messages, supports_async, AsyncCase, AsyncChannel, Consumers, Flavor};
use super::{Msg, Outcome};
use std::cell::RefCell;
use std::future::Future;
use std::ops::Range;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};
use tokio::sync::Barrier;

/// Worker threads of each run's runtime: one per core of the 2-core machine these
/// benches are tuned on (`#[tokio::main]` would pick the same number there).
pub const WORKERS: usize = 2;

/// A task's work; returns the count and sum of what it received (a sender: zeros).
type Task = Pin<Box<dyn Future<Output = (u64, u64)> + Send>>;
/// A plain thread's work (a blocking sender).
type ThreadJob = Box<dyn FnOnce() + Send>;

/// One run of `case` on `flavor` with library `L`, sending about `n` messages in all
/// (see [`round_messages`]): the elapsed time, once the messages received are checked
/// to be exactly those sent.
///
/// Panics if `L` does not [`support`](supports_async) the cell.
pub fn run<L: AsyncChannel>(case: AsyncCase, flavor: Flavor, n: u64) -> Outcome {
    assert!(
        supports_async::<L>(case, flavor),
        "{} cannot run {case:?} on {flavor:?}",
        L::NAME
    );
    let n = round_messages(n);
    let senders = case.senders();
    let parts = (0..senders).map(|k| share(k, senders, n));
    let consumers = case.consumers();
    let (elapsed, count, sum) = if case.blocking_senders() {
        let (tx, rx) = L::new_blocking_to_async(flavor, consumers);
        let threads = parts.map(|msgs| feed_blocking::<L>(tx.clone(), msgs));
        let threads = threads.collect();
        drop(tx);
        timed(threads, receivers::<L>(rx, consumers.count()))
    } else {
        let (tx, rx) = L::new(flavor, consumers);
        let mut tasks: Vec<Task> = parts.map(|msgs| feed::<L>(tx.clone(), msgs)).collect();
        drop(tx);
        tasks.extend(receivers::<L>(rx, consumers.count()));
        timed(Vec::new(), tasks)
    };
    check(count, sum, n).map(|()| elapsed)
}

/// `count` receiving tasks: `rx` and clones of it.
fn receivers<L: AsyncChannel>(rx: L::Rx, count: u64) -> Vec<Task> {
    let mut rxs: Vec<L::Rx> = (1..count).map(|_| L::clone_rx(&rx)).collect();
    rxs.push(rx);
    rxs.into_iter().map(drain::<L>).collect()
}

/// A task that receives until the channel is disconnected and empty.
fn drain<L: AsyncChannel>(mut rx: L::Rx) -> Task {
    Box::pin(async move {
        let (mut count, mut sum) = (0, 0);
        while let Some(msg) = L::recv(&mut rx).await {
            count += 1;
            sum += msg;
        }
        (count, sum)
    })
}

/// A task that sends `msgs` on `tx`, then drops it.
fn feed<L: AsyncChannel>(tx: L::Tx, msgs: Range<Msg>) -> Task {
    Box::pin(async move {
        for msg in msgs {
            L::send(&tx, msg).await;
        }
        (0, 0)
    })
}

/// A thread's work that sends `msgs` on `tx` with blocking sends, then drops it.
fn feed_blocking<L: AsyncChannel>(tx: L::BlockingTx, msgs: Range<Msg>) -> ThreadJob {
    Box::new(move || {
        for msg in msgs {
            L::send_blocking(&tx, msg);
        }
    })
}

/// The runtime of one run: tokio's multi-thread scheduler with [`WORKERS`] workers and
/// its drivers enabled, as `#[tokio::main]` makes it.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Runs every job on a plain thread of its own and every task on a fresh runtime (see
/// [`runtime`]), all released together by one barrier; returns the time from the first
/// release until the last one finished, and the summed count and sum of the tasks. A
/// panicking thread or task panics the caller, after the threads are joined (the
/// runtime is dropped first, so that the threads' receivers are gone and their sends
/// fail rather than wait).
fn timed(threads: Vec<ThreadJob>, tasks: Vec<Task>) -> (Duration, u64, u64) {
    let start_line = Arc::new(Barrier::new(threads.len() + tasks.len()));
    thread::scope(|s| {
        let runtime = runtime();
        let threads: Vec<_> = threads
            .into_iter()
            .map(|job| {
                let start_line = Arc::clone(&start_line);
                s.spawn(move || {
                    futures::executor::block_on(start_line.wait());
                    let start = Instant::now();
                    job();
                    (start, Instant::now(), (0, 0))
                })
            })
            .collect();
        let spans = runtime.block_on(spawn_all(tasks, &start_line));
        drop(runtime);
        let joined = threads
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        total(spans.into_iter().chain(joined))
    })
}

/// Spawns every task with `tokio::spawn`, each waiting at `start_line` and then timing
/// itself; awaits them all and returns their spans.
async fn spawn_all(tasks: Vec<Task>, start_line: &Arc<Barrier>) -> Vec<Span> {
    let handles: Vec<_> = tasks
        .into_iter()
        .map(|task| {
            let start_line = Arc::clone(start_line);
            tokio::spawn(async move {
                start_line.wait().await;
                let start = Instant::now();
                let got = task.await;
                (start, Instant::now(), got)
            })
        })
        .collect();
    let mut spans = Vec::with_capacity(handles.len());
    for handle in handles {
        match handle.await {
            Ok(span) => spans.push(span),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("a task did not finish: {e}"),
        }
    }
    spans
}

/// The async loop whose instructions `instructions.rs` has callgrind count:
/// [`workloads::count_seq`](super::workloads::count_seq)'s, each send and receive one
/// future of `L` polled once, with a waker that does nothing (the channel always has
/// room or a message then, so none waits): what a task pays for an operation that
/// completes at once. Returns the messages' sum.
pub fn count_seq<L: AsyncChannel>(flavor: Flavor, n: u64) -> u64 {
    let batch = flavor.capacity().map_or(1000, |cap| cap as u64);
    assert!(batch > 0, "seq cannot run on a rendezvous channel");
    let (tx, rx) = L::new(flavor, Consumers::One);
    let rx = RefCell::new(rx);
    let warm_up = || recv_now::<L>(&mut rx.borrow_mut());
    in_batches(batch, 0..batch, |msg| send_now::<L>(&tx, msg), warm_up);
    // Opaque pointers, as in the blocking loop: the loop is the same for every library.
    let send: fn(&L::Tx, Msg) = std::hint::black_box(send_now::<L>);
    let recv: fn(&mut L::Rx) -> Option<Msg> = std::hint::black_box(recv_now::<L>);
    let (count, sum) = counted_pairs(
        batch,
        0..n,
        |msg| send(&tx, msg),
        || recv(&mut rx.borrow_mut()),
    );
    check(count, sum, n).unwrap_or_else(|e| panic!("{}: {e}", L::NAME));
    sum
}

/// Polls `fut` once; it must complete (`what` names it in the panic).
fn ready<F: Future>(fut: Pin<&mut F>, what: &str) -> F::Output {
    match fut.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("{what} waited with the channel ready"),
    }
}

/// A send future of `L`, polled once where it was made (not moved first).
fn send_now<L: AsyncChannel>(tx: &L::Tx, msg: Msg) {
    ready(pin!(L::send(tx, msg)), L::NAME);
}

/// A receive future of `L`, polled once where it was made.
fn recv_now<L: AsyncChannel>(rx: &mut L::Rx) -> Option<Msg> {
    ready(pin!(L::recv(rx)), L::NAME)
}

/// The async hand-off whose instructions `instructions.rs` has callgrind count: `n`
/// messages through a channel of `flavor` (`bounded(0)` or `bounded(1)`) from a
/// sending task to a receiving task, both on one thread's executor (futures'
/// `LocalPool`), so that every message waits for the other task to be woken and
/// polled. A first run on another channel warms up the thread (its pools,
/// thread-locals). Returns the messages' sum.
pub fn count_handoff<L: AsyncChannel>(flavor: Flavor, n: u64) -> u64 {
    handed_off::<L>(L::new(flavor, Consumers::One), n.min(1000));
    let channel = L::new(flavor, Consumers::One);
    let (count, sum) = counted_pairs_handed_off::<L>(channel, n);
    check(count, sum, n).unwrap_or_else(|e| panic!("{}: {e}", L::NAME));
    sum
}

/// callgrind counts what runs inside this function (`--toggle-collect=*counted_pairs*`).
#[inline(never)]
fn counted_pairs_handed_off<L: AsyncChannel>(channel: (L::Tx, L::Rx), n: u64) -> (u64, u64) {
    handed_off::<L>(channel, n)
}

/// Sends `0..n` from one task to another over `channel`, both on a `LocalPool`; the
/// count and sum received.
fn handed_off<L: AsyncChannel>((tx, mut rx): (L::Tx, L::Rx), n: u64) -> (u64, u64) {
    use futures::task::LocalSpawnExt;
    let mut pool = futures::executor::LocalPool::new();
    let spawner = pool.spawner();
    let got = std::rc::Rc::new(std::cell::Cell::new((0, 0)));
    let total = std::rc::Rc::clone(&got);
    let sending = async move {
        for msg in 0..n {
            L::send(&tx, msg).await;
        }
    };
    let receiving = async move {
        while let Some(msg) = L::recv(&mut rx).await {
            let (count, sum) = total.get();
            total.set((count + 1, sum + msg));
        }
    };
    spawner.spawn_local(sending).expect("a local pool spawns");
    spawner.spawn_local(receiving).expect("a local pool spawns");
    pool.run();
    got.get()
}
