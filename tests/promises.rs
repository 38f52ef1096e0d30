//! The promises every call keeps, whatever other threads do (`API.md`): while a
//! selection has claimed an operation and is still computing its send arm's message,
//! or after it forgot its `SelectedOperation`, no other call waits past its deadline,
//! a non-blocking call returns at once, and nobody spins; non-blocking selection is
//! linearizable; an abandoned send is no message; the last receiver's drop releases
//! what was buffered; a `Select` can be shared between threads.

use junction::{bounded, select, unbounded, Receiver, Select, Sender, TryRecvError};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Every flavor: capacity 0 (rendezvous), 1, 16, and unbounded (`None`).
const FLAVORS: [Option<usize>; 4] = [Some(0), Some(1), Some(16), None];

fn make<T>(cap: Option<usize>) -> (Sender<T>, Receiver<T>) {
    match cap {
        Some(n) => bounded(n),
        None => unbounded(),
    }
}

/// Multiplier for the iteration counts: `JUNCTION_STRESS`, or 1.
fn stress() -> usize {
    std::env::var("JUNCTION_STRESS").map_or(1, |v| v.parse().unwrap_or(10).max(1))
}

/// CPU time the current thread has used.
fn thread_cpu() -> Duration {
    // SAFETY: `getrusage` only writes the `rusage` it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        assert_eq!(libc::getrusage(libc::RUSAGE_THREAD, &mut usage), 0);
        usage
    };
    let t = usage.ru_utime;
    let s = usage.ru_stime;
    Duration::from_micros((t.tv_sec + s.tv_sec) as u64 * 1_000_000)
        + Duration::from_micros((t.tv_usec + s.tv_usec) as u64)
}

/// Runs `f`, asserting it took less than `limit` of wall time and burnt less than
/// 40 ms of this thread's CPU (parked, not spinning).
fn returns_within<R>(limit: Duration, what: &str, f: impl FnOnce() -> R) -> R {
    let (start, cpu) = (Instant::now(), thread_cpu());
    let r = f();
    let (took, burnt) = (start.elapsed(), thread_cpu() - cpu);
    assert!(took < limit, "{what} took {took:?}, more than {limit:?}");
    assert!(
        burnt < Duration::from_millis(40),
        "{what} burnt {burnt:?} of CPU"
    );
    r
}

/// The bound for a call that must return at once, give or take a loaded machine.
const AT_ONCE: Duration = Duration::from_millis(150);

/// A send arm's message that takes its time: the selection has claimed its
/// operation meanwhile.
fn slow<T>(msg: T, started: &AtomicBool) -> T {
    started.store(true, Ordering::SeqCst);
    thread::sleep(Duration::from_millis(400));
    msg
}

/// A send arm's message expression that fails.
fn no_message() -> u32 {
    panic!("the message could not be made")
}

fn wait_for(flag: &AtomicBool) {
    while !flag.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_send_arm_computing_its_message_holds_nobody_up() {
    for cap in FLAVORS {
        let (s, r) = make::<u32>(cap);
        let started = Arc::new(AtomicBool::new(false));
        let selector = {
            let (s, started) = (s.clone(), started.clone());
            thread::spawn(move || {
                select! { send(s, slow(7, &started)) -> res => res.unwrap() }
            })
        };
        if cap == Some(0) {
            // The selection needs a receiver to claim: this one gives up at its
            // deadline instead of waiting for the slow message.
            let got = returns_within(Duration::from_millis(300), "recv_timeout", || {
                r.recv_timeout(Duration::from_millis(100))
            });
            assert!(got.is_err(), "{cap:?}: {got:?}");
        }
        wait_for(&started);
        returns_within(AT_ONCE, "try_recv", || {
            assert_eq!(r.try_recv(), Err(TryRecvError::Empty), "{cap:?}");
        });
        returns_within(Duration::from_millis(200), "recv_timeout", || {
            assert!(
                r.recv_timeout(Duration::from_millis(20)).is_err(),
                "{cap:?}"
            );
        });
        returns_within(AT_ONCE, "try_recv_many", || {
            assert_eq!(
                r.try_recv_many(&mut Vec::new(), 4),
                Err(TryRecvError::Empty)
            );
        });
        returns_within(AT_ONCE, "try_send", || match cap {
            Some(0) | Some(1) => assert!(s.try_send(8).is_err(), "{cap:?}: no room"),
            _ => s.try_send(8).unwrap(),
        });
        // The slow message arrives once its arm completes; nothing is lost or doubled.
        let mut got = vec![r.recv().unwrap()];
        selector.join().unwrap();
        got.extend(r.try_iter());
        got.sort_unstable();
        let expected: &[u32] = if matches!(cap, Some(0) | Some(1)) {
            &[7]
        } else {
            &[7, 8]
        };
        assert_eq!(got, expected, "{cap:?}");
    }
}

#[test]
fn a_forgotten_send_claim_holds_nobody_up() {
    for cap in FLAVORS {
        let (s, r) = make::<u32>(cap);
        let waiter = (cap == Some(0)).then(|| {
            // A rendezvous send is ready only with a receiver waiting.
            let r = r.clone();
            thread::spawn(move || r.recv_timeout(Duration::from_millis(300)))
        });
        if waiter.is_some() {
            thread::sleep(Duration::from_millis(50));
        }
        let mut sel = Select::new();
        sel.send(&s);
        std::mem::forget(sel.select());
        if let Some(waiter) = waiter {
            let (got, took) = {
                let start = Instant::now();
                (waiter.join().unwrap(), start.elapsed())
            };
            assert!(got.is_err(), "its receiver was never given a message");
            assert!(
                took < Duration::from_millis(600),
                "receiver overran: {took:?}"
            );
        }
        returns_within(AT_ONCE, "try_recv", || assert!(r.try_recv().is_err()));
        returns_within(Duration::from_millis(200), "recv_timeout", || {
            assert!(r.recv_timeout(Duration::from_millis(20)).is_err());
        });
        match cap {
            Some(0) => {}
            // Its slot stays taken: the only one. Reported at once, and by the deadline.
            Some(1) => {
                returns_within(AT_ONCE, "try_send", || assert!(s.try_send(1).is_err()));
                returns_within(Duration::from_millis(200), "send_timeout", || {
                    assert!(s.send_timeout(1, Duration::from_millis(20)).is_err());
                });
            }
            // Messages sent after the forgotten claim are not stuck behind it.
            _ => {
                for m in 1..=3 {
                    s.send(m).unwrap();
                }
                assert_eq!(r.try_iter().collect::<Vec<_>>(), [1, 2, 3], "{cap:?}");
            }
        }
        drop((s, r));
    }
}

#[test]
fn a_forgotten_receive_claim_holds_nobody_up() {
    for cap in FLAVORS {
        let (s, r) = make::<u32>(cap);
        let sender = (cap == Some(0)).then(|| {
            let s = s.clone();
            thread::spawn(move || s.send_timeout(5, Duration::from_secs(5)))
        });
        if sender.is_some() {
            thread::sleep(Duration::from_millis(50));
        } else {
            s.send(5).unwrap();
        }
        let mut sel = Select::new();
        sel.recv(&r);
        std::mem::forget(sel.select());
        if let Some(sender) = sender {
            assert_eq!(sender.join().unwrap(), Ok(()), "its message was taken");
        }
        returns_within(AT_ONCE, "try_recv", || assert!(r.try_recv().is_err()));
        match cap {
            // The claimed slot stays taken: no room until then, reported at once.
            Some(1) => returns_within(Duration::from_millis(200), "send_timeout", || {
                assert!(s.send_timeout(6, Duration::from_millis(20)).is_err());
            }),
            Some(0) => {}
            _ => {
                s.send(6).unwrap();
                assert_eq!(r.try_recv(), Ok(6), "{cap:?}");
            }
        }
    }
}

#[test]
fn rendezvous_non_blocking_receives_never_wait_for_a_selecting_sender() {
    let (s, r) = bounded::<u32>(0);
    let started = Arc::new(AtomicBool::new(false));
    let selector = {
        let started = started.clone();
        thread::spawn(move || {
            // Parked waiting for a receiver; once claimed, its message takes its time
            // and then panics.
            catch_unwind(AssertUnwindSafe(|| {
                select! {
                    send(s, { started.store(true, Ordering::SeqCst);
                              thread::sleep(Duration::from_millis(300));
                              no_message() }) -> _ => {}
                }
            }))
            .is_err()
        })
    };
    thread::sleep(Duration::from_millis(50));
    returns_within(AT_ONCE, "try_recv", || {
        assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    });
    returns_within(AT_ONCE, "try_iter", || assert_eq!(r.try_iter().count(), 0));
    returns_within(AT_ONCE, "try_select", || {
        let mut sel = Select::new();
        sel.recv(&r);
        assert!(sel.try_select().is_err());
    });
    // A timed receive may claim it, and gives up at its own deadline.
    returns_within(Duration::from_millis(250), "select_timeout", || {
        let mut sel = Select::new();
        sel.recv(&r);
        assert!(sel.select_timeout(Duration::from_millis(60)).is_err());
    });
    wait_for(&started);
    assert!(selector.join().unwrap(), "the message expression panicked");
    assert!(
        r.recv().is_err(),
        "the sender is gone: disconnected, nothing else"
    );
}

#[test]
fn an_abandoned_send_is_no_message() {
    for cap in [Some(1), Some(16), None] {
        let (s, r) = make::<u32>(cap);
        let panicked = catch_unwind(AssertUnwindSafe(|| {
            select! { send(s, no_message()) -> _ => {} }
        }));
        assert!(panicked.is_err());
        assert_eq!(s.len(), 0, "{cap:?}");
        assert!(s.is_empty() && !s.is_full(), "{cap:?}");
        returns_within(AT_ONCE, "ready_timeout", || {
            let mut sel = Select::new();
            sel.send(&s);
            assert_eq!(sel.ready_timeout(Duration::from_millis(200)), Ok(0));
        });
        s.try_send(1).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r.try_recv(), Ok(1));
    }
}

/// Two channels hold one message between them; a thread moves it back and forth,
/// sending a new one before it takes the old, so one of them always holds a message.
/// `poll` looks at both without blocking and may take the message (then it puts it
/// back where it found it); it must never report both empty.
fn never_both_empty(
    cap: Option<usize>,
    poll: impl Fn(&Receiver<u32>, &Receiver<u32>) -> Option<usize>,
) {
    let (sa, ra) = make::<u32>(cap);
    let (sb, rb) = make::<u32>(cap);
    sa.send(0).unwrap();
    let stop = AtomicBool::new(false);
    let rounds = 10_000 * stress();
    let mut empty = 0;
    thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                sb.send(0).unwrap();
                ra.recv().unwrap();
                sa.send(0).unwrap();
                rb.recv().unwrap();
            }
        });
        for _ in 0..rounds {
            match poll(&ra, &rb) {
                Some(0) => sa.send(0).unwrap(),
                Some(1) => sb.send(0).unwrap(),
                Some(_) => {} // looked without taking
                None => empty += 1,
            }
        }
        stop.store(true, Ordering::Relaxed);
    });
    assert_eq!(
        empty, 0,
        "{cap:?}: reported nothing ready {empty} times in {rounds}"
    );
}

#[test]
fn non_blocking_selection_is_linearizable() {
    for cap in [Some(1), Some(4), None] {
        never_both_empty(cap, |a, b| {
            select! {
                recv(a) -> m => m.ok().map(|_| 0),
                recv(b) -> m => m.ok().map(|_| 1),
                default => None,
            }
        });
        never_both_empty(cap, |a, b| {
            select! {
                recv(a) -> m => m.ok().map(|_| 0),
                recv(b) -> m => m.ok().map(|_| 1),
                default(Duration::ZERO) => None,
            }
        });
        never_both_empty(cap, |a, b| {
            let mut sel = Select::new();
            sel.recv(a);
            sel.recv(b);
            let oper = sel.try_select().ok()?;
            let i = oper.index();
            oper.recv([a, b][i]).unwrap();
            Some(i)
        });
        never_both_empty(cap, |a, b| {
            let mut sel = Select::new();
            sel.recv(a);
            sel.recv(b);
            let oper = sel.select_timeout(Duration::ZERO).ok()?;
            let i = oper.index();
            oper.recv([a, b][i]).unwrap();
            Some(i)
        });
        never_both_empty(cap, |a, b| {
            let mut sel = Select::new();
            sel.recv(a);
            sel.recv(b);
            sel.try_ready().ok().map(|_| 2)
        });
    }
}

/// A message that counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn the_last_receivers_drop_releases_what_was_buffered() {
    for cap in [Some(1), Some(16), None] {
        let (s, r) = make::<Counted>(cap);
        let drops = Arc::new(AtomicUsize::new(0));
        let n = cap.unwrap_or(40).min(40);
        for _ in 0..n {
            s.send(Counted(drops.clone()))
                .unwrap_or_else(|_| panic!("room"));
        }
        let r2 = r.clone();
        drop(r);
        assert_eq!(drops.load(Ordering::SeqCst), 0, "a receiver is left");
        drop(r2);
        assert_eq!(drops.load(Ordering::SeqCst), n, "{cap:?}: dropped at once");
        assert!(s.send(Counted(drops.clone())).is_err());
        assert_eq!(
            drops.load(Ordering::SeqCst),
            n + 1,
            "the failed send's message"
        );
    }
}

#[test]
fn a_selected_send_completed_after_the_last_receiver_left_hands_its_message_back() {
    for cap in [Some(1), Some(16), None] {
        let (s, r) = make::<u32>(cap);
        let mut sel = Select::new();
        sel.send(&s);
        let oper = sel.select();
        drop(r);
        assert_eq!(
            oper.send(&s, 9).map_err(|e| e.into_inner()),
            Err(9),
            "{cap:?}"
        );
    }
}

#[test]
fn a_select_can_be_shared_by_scoped_threads() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    let (s, r) = unbounded::<usize>();
    let mut sel = Select::new();
    sel.recv(&r);
    send_sync(&sel);
    let sel = &sel;
    let total = AtomicUsize::new(0);
    thread::scope(|scope| {
        for _ in 0..4 {
            let (r, total) = (&r, &total);
            scope.spawn(move || {
                let mut mine = sel.clone();
                for _ in 0..100 {
                    let oper = mine.select();
                    total.fetch_add(oper.recv(r).unwrap(), Ordering::SeqCst);
                }
            });
        }
        for i in 0..400 {
            s.send(i).unwrap();
        }
    });
    assert_eq!(total.load(Ordering::SeqCst), (0..400).sum());
}

/// Runs `f` on a thread of its own and asserts it finishes within `limit` (a call that
/// would block forever fails the test instead of hanging it).
fn finishes_within<R: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || tx.send(f()).unwrap());
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{what} did not finish within {limit:?}"))
}

/// A selection's send claimed a rendezvous receiver that then timed out: completing
/// the send returns at once all the same (a selection that chose a send never waits
/// after the fact), and the message goes to the next receive.
#[test]
fn a_selected_send_whose_receiver_gave_up_completes_at_once() {
    let (s, r) = bounded::<u32>(0);
    let r2 = r.clone();
    let receiver = thread::spawn(move || r2.recv_timeout(Duration::from_millis(100)));
    let s2 = s.clone();
    let (sent, len) = finishes_within(Duration::from_secs(5), "the selected send", move || {
        let mut sel = Select::new();
        sel.send(&s2);
        let oper = sel.select(); // the receiver is waiting, or comes within its 100 ms
        thread::sleep(Duration::from_millis(300)); // its deadline passes meanwhile
        let sent = oper.send(&s2, 7);
        (sent, s2.len())
    });
    assert_eq!(sent, Ok(()));
    assert_eq!(
        receiver.join().unwrap(),
        Err(junction::RecvTimeoutError::Timeout)
    );
    assert_eq!(len, 1, "the message waits in the channel");
    assert!(!r.is_empty());
    assert_eq!(r.try_recv(), Ok(7));
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(s.len(), 0);
}

/// A selection's held send on a ring, revoked because messages were claimed after it,
/// completes at once even though the ring filled up meanwhile: its message is kept
/// (above the capacity) and received first.
#[test]
fn a_revoked_held_send_on_a_full_ring_completes_at_once() {
    let (s, r) = bounded::<u32>(2);
    let (s2, r2) = (s.clone(), r.clone());
    let took = finishes_within(Duration::from_secs(5), "the late send", move || {
        let mut sel = Select::new();
        sel.send(&s2);
        let oper = sel.try_select().expect("an empty ring has room");
        s2.send(1).unwrap(); // claimed after the held send
        assert_eq!(r2.try_recv(), Ok(1), "the held send does not hold 1 up");
        s2.send(2).unwrap();
        s2.send(3).unwrap();
        assert!(s2.is_full());
        let start = Instant::now();
        assert_eq!(oper.send(&s2, 9), Ok(()));
        start.elapsed()
    });
    assert!(took < Duration::from_secs(1), "the late send took {took:?}");
    assert_eq!(r.len(), 3, "one over the capacity");
    assert!(s.is_full());
    assert_eq!(r.try_recv(), Ok(9));
    assert_eq!(r.try_recv(), Ok(2));
    assert_eq!(r.try_recv(), Ok(3));
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(r.len(), 0);
}

/// A selection's send claimed the last free slot of a ring (not at its head), and a
/// plain `send` parked behind it; the selection's message expression panics: the slot
/// is free again and the parked sender is woken to take it, with nobody receiving.
#[test]
fn a_sender_parked_behind_an_abandoned_send_is_woken() {
    for _ in 0..common_iters(20) {
        let (s, r) = bounded::<u32>(2);
        s.send(1).unwrap();
        let mut sel = Select::new();
        sel.send(&s);
        let oper = sel.try_select().expect("one slot is free");
        let s2 = s.clone();
        let sender = thread::spawn(move || s2.send(5));
        thread::sleep(Duration::from_millis(20)); // parked, or about to
        let dropped = catch_unwind(AssertUnwindSafe(|| drop(oper)));
        assert!(dropped.is_err(), "dropping an uncompleted operation panics");
        let start = Instant::now();
        while !sender.is_finished() && start.elapsed() < Duration::from_secs(5) {
            thread::sleep(Duration::from_millis(1));
        }
        assert!(sender.is_finished(), "the parked sender was not woken");
        assert_eq!(sender.join().unwrap(), Ok(()));
        assert_eq!(r.try_recv(), Ok(1));
        assert_eq!(r.try_recv(), Ok(5));
    }
}

/// Iterations: `n` times `JUNCTION_STRESS`.
fn common_iters(n: usize) -> usize {
    n * stress()
}

/// A blocking selection over a rendezvous receive and a ring's receive: the rendezvous
/// sender that claimed it gives up (its message expression panics), and the selection
/// then completes on the ring, with the ring's message.
#[test]
fn a_selection_whose_rendezvous_claim_was_given_up_completes_elsewhere() {
    for _ in 0..common_iters(10) {
        let (zs, zr) = bounded::<u32>(0);
        let (bs, br) = bounded::<u32>(4);
        let selector = thread::spawn(move || {
            let mut sel = Select::new();
            let z = sel.recv(&zr);
            let b = sel.recv(&br);
            let oper = sel.select();
            let i = oper.index();
            let m = if i == z {
                oper.recv(&zr)
            } else {
                oper.recv(&br)
            };
            assert!(i == z || i == b);
            (i == b, m)
        });
        // Claims the waiting selection, then panics computing its message.
        let gave_up = catch_unwind(AssertUnwindSafe(|| {
            select! {
                send(zs, no_message()) -> _ => {}
            }
        }));
        assert!(gave_up.is_err());
        bs.send(1).unwrap();
        assert_eq!(selector.join().unwrap(), (true, Ok(1)));
    }
}
