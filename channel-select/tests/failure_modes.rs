//! The failure modes other channel libraries shipped, a test each: races between the
//! last handles' drops, a send racing the receiver's drop, a receiver hang that shows
//! only in optimized builds, a channel used from a thread-local destructor, a
//! `SelectedOperation` completed with a cloned handle. (Elsewhere: memory growth over
//! many timeouts in `memory.rs`, huge messages in `big_messages.rs`, impossible
//! capacities in `huge_capacity.rs`, panicking drops in `drop_accounting.rs`, a
//! forgotten `SelectedOperation` in the facade's `promises.rs`, `Sender<Rc<_>>` not
//! being `Send` in the compile-fail cases.)

mod common;

use channel_select::{bounded, unbounded, Receiver, Select, Sender, TrySendError};
use common::{iters, DropLedger, Flavor, FLAVORS};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

/// The last sender and the last receiver of a channel holding messages are dropped at
/// the same moment on two threads: every message is dropped exactly once (a double
/// free here was a crossbeam-channel bug on the unbounded flavor).
#[test]
fn last_handles_dropped_concurrently_drop_each_message_once() {
    for flavor in FLAVORS {
        for round in 0..iters(300) {
            let n = flavor.buffer().min(40);
            let ledger = DropLedger::new(n);
            let (s, r) = flavor.make();
            for id in 0..n {
                s.send(ledger.msg(id)).unwrap_or_else(|_| panic!("room"));
            }
            let barrier = Arc::new(Barrier::new(2));
            let b = barrier.clone();
            let t = thread::spawn(move || {
                b.wait();
                drop(s);
            });
            barrier.wait();
            drop(r);
            t.join().unwrap();
            assert_eq!(ledger.total(), n, "{flavor:?}, round {round}");
            ledger.assert_all_once();
        }
    }
}

/// Senders and receivers drop while traffic is under way on the unbounded list (and
/// every other flavor): no crash, no message dropped twice, none lost.
#[test]
fn handles_dropped_during_traffic() {
    for flavor in FLAVORS {
        for _ in 0..iters(100) {
            let n = 200;
            let ledger = DropLedger::new(n);
            let (s, r) = flavor.make();
            let sender = {
                let ledger = ledger.clone();
                thread::spawn(move || {
                    for id in 0..n {
                        if s.send(ledger.msg(id)).is_err() {
                            break; // the receiver is gone: the message came back, dropped
                        }
                    }
                })
            };
            for _ in 0..n / 4 {
                if r.recv().is_err() {
                    break;
                }
            }
            drop(r);
            sender.join().unwrap();
            ledger.assert_none_twice();
            let made = ledger.total();
            assert!(made <= n);
        }
    }
}

/// A send racing the last receiver's drop: the message is either handed back or
/// dropped with the channel, exactly once; never lost, never dropped twice.
#[test]
fn a_send_racing_the_receivers_drop_loses_nothing() {
    for flavor in FLAVORS {
        for _ in 0..iters(500) {
            let ledger = DropLedger::new(1);
            let (s, r) = flavor.make();
            let barrier = Arc::new(Barrier::new(2));
            let b = barrier.clone();
            let dropper = thread::spawn(move || {
                b.wait();
                drop(r);
            });
            barrier.wait();
            let msg = ledger.msg(0);
            match s.try_send(msg) {
                Ok(()) => {}
                Err(TrySendError::Full(m)) | Err(TrySendError::Disconnected(m)) => drop(m),
            }
            dropper.join().unwrap();
            drop(s);
            assert_eq!(ledger.drops(0), 1, "{flavor:?}");
        }
    }
}

/// A receiver blocked again and again, woken each time by a sender on another thread:
/// it never misses a wake-up (a flume release-only hang). Meant for optimized builds
/// too (CI runs this file with `--release`); a watchdog fails the test if a round does
/// not finish in time.
#[test]
fn a_blocked_receiver_is_always_woken() {
    for flavor in FLAVORS {
        let rounds = iters(20_000);
        let (s, r) = flavor.make::<usize>();
        let (ack_s, ack_r) = bounded::<usize>(0);
        let (done_s, done_r) = mpsc::channel();
        let receiver = thread::spawn(move || {
            for i in 0..rounds {
                assert_eq!(r.recv(), Ok(i));
                ack_s.send(i).unwrap();
            }
            done_s.send(()).unwrap();
        });
        for i in 0..rounds {
            s.send(i).unwrap();
            let acked = ack_r.recv_timeout(Duration::from_secs(20));
            assert_eq!(acked, Ok(i), "{flavor:?}: round {i} of {rounds} hung");
        }
        done_r
            .recv_timeout(Duration::from_secs(20))
            .expect("the receiver finished");
        receiver.join().unwrap();
    }
}

thread_local! {
    /// Uses a channel (sending, and a receive that has to wait) from its destructor,
    /// which runs while the thread's other thread-locals (the wait context) are torn
    /// down.
    static ON_EXIT: ExitHook = const { ExitHook(std::cell::RefCell::new(None)) };
}

struct ExitHook(std::cell::RefCell<Option<(Sender<u32>, Receiver<u32>)>>);

impl Drop for ExitHook {
    fn drop(&mut self) {
        if let Some((s, r)) = self.0.borrow_mut().take() {
            s.send(7).unwrap();
            assert!(r.recv_timeout(Duration::from_millis(5)).is_err());
            let mut sel = Select::new();
            sel.recv(&r);
            assert!(sel.select_timeout(Duration::from_millis(5)).is_err());
        }
    }
}

#[test]
fn a_channel_works_from_a_thread_local_destructor() {
    for flavor in [Flavor::One, Flavor::Unbounded] {
        let (s, r) = flavor.make::<u32>();
        let (_keep, idle) = unbounded::<u32>();
        thread::spawn(move || {
            // Make the wait context exist first, so that it is torn down too.
            assert!(idle.recv_timeout(Duration::from_millis(1)).is_err());
            ON_EXIT.with(|h| *h.0.borrow_mut() = Some((s, idle)));
        })
        .join()
        .unwrap();
        assert_eq!(r.recv_timeout(Duration::from_secs(5)), Ok(7), "{flavor:?}");
    }
}

#[test]
fn a_selected_operation_completes_with_a_cloned_handle() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let peer = (flavor == Flavor::Zero).then(|| {
            let r = r.clone();
            thread::spawn(move || r.recv())
        });
        if peer.is_some() {
            thread::sleep(Duration::from_millis(20));
        }
        let mut sel = Select::new();
        sel.send(&s);
        let s2 = s.clone();
        sel.select().send(&s2, 1).unwrap();
        let got = match peer {
            Some(p) => p.join().unwrap(),
            None => r.recv(),
        };
        assert_eq!(got, Ok(1), "{flavor:?}");

        let sender = (flavor == Flavor::Zero).then(|| thread::spawn(move || s.send(2)));
        if sender.is_none() {
            s2.send(2).unwrap();
        }
        let mut sel = Select::new();
        sel.recv(&r);
        let r2 = r.clone();
        assert_eq!(sel.select().recv(&r2), Ok(2), "{flavor:?}");
        if let Some(t) = sender {
            t.join().unwrap().unwrap();
        }
    }
}
