//! Every message is dropped exactly once: when received and dropped by the user, when
//! handed back by a failed send, or when left in a channel whose last handle drops.

mod common;

use channel_select::{bounded, unbounded, SendError, TrySendError};
use common::{settle, DropLedger, Flavor, BUFFERED, FLAVORS};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

#[test]
fn messages_left_in_a_dropped_channel_are_dropped_once() {
    for flavor in BUFFERED {
        for drop_sender_first in [true, false] {
            let n = flavor.buffer().min(10);
            let ledger = DropLedger::new(n);
            let (s, r) = flavor.make();
            for id in 0..n {
                s.send(ledger.msg(id)).unwrap();
            }
            assert_eq!(ledger.total(), 0, "{flavor:?}: a send dropped a message");
            // Take half of them out; they are ours now.
            let taken: Vec<_> = (0..n / 2).map(|_| r.recv().unwrap()).collect();
            assert_eq!(ledger.total(), 0, "{flavor:?}: a recv dropped a message");
            if drop_sender_first {
                drop(s);
                drop(r);
            } else {
                drop(r);
                drop(s);
            }
            for id in n / 2..n {
                assert_eq!(ledger.drops(id), 1, "{flavor:?}: message {id} left behind");
            }
            for id in 0..n / 2 {
                assert_eq!(
                    ledger.drops(id),
                    0,
                    "{flavor:?}: received message {id} dropped"
                );
            }
            drop(taken);
            ledger.assert_all_once();
        }
    }
}

/// An unbounded channel holding many blocks of messages, partly consumed, frees all.
#[test]
fn unbounded_with_many_blocks_drops_everything_once() {
    let n = if cfg!(miri) { 500 } else { 5_000 };
    let ledger = DropLedger::new(n);
    let (s, r) = unbounded();
    for id in 0..n {
        s.send(ledger.msg(id)).unwrap();
    }
    // A quarter of them, crossing block boundaries, the rest left in several blocks.
    let taken = n / 4 + 9;
    for id in 0..taken {
        assert_eq!(r.recv().unwrap().id, id);
    }
    let s2 = s.clone();
    let r2 = r.clone();
    drop((s, r));
    assert_eq!(ledger.total(), taken, "only the received messages are gone");
    drop((s2, r2));
    ledger.assert_all_once();
}

#[test]
fn failed_sends_hand_back_the_only_copy() {
    for flavor in FLAVORS {
        let ledger = DropLedger::new(5);
        let (s, r) = flavor.make();
        if flavor != Flavor::Unbounded {
            let fill = DropLedger::new(flavor.buffer().min(64));
            for id in 0..flavor.buffer() {
                s.send(fill.msg(id)).unwrap();
            }
            match s.try_send(ledger.msg(0)) {
                Err(TrySendError::Full(m)) => assert_eq!(ledger.drops(m.id), 0),
                _ => panic!("{flavor:?}: expected Full"),
            }
            assert_eq!(ledger.drops(0), 1);
            let err = s
                .send_timeout(ledger.msg(1), std::time::Duration::from_millis(10))
                .unwrap_err();
            assert_eq!(ledger.drops(1), 0);
            drop(err);
            assert_eq!(ledger.drops(1), 1);
            drop(r);
            for id in 2..5 {
                match s.try_send(ledger.msg(id)) {
                    Err(TrySendError::Disconnected(m)) => assert_eq!(ledger.drops(m.id), 0),
                    _ => panic!("{flavor:?}: expected Disconnected"),
                }
            }
            drop(s);
            fill.assert_all_once();
        } else {
            drop(r);
            let err = s.send(ledger.msg(0)).unwrap_err();
            assert_eq!(ledger.total(), 0);
            let SendError(m) = err;
            assert_eq!(m.id, 0);
            drop(m);
            for id in 1..5 {
                let _ = s.try_send(ledger.msg(id));
            }
        }
        ledger.assert_all_once();
    }
}

/// A sender blocked on a rendezvous channel gets its message back, undropped, when the
/// receiver goes away; the message is then dropped once.
#[test]
fn blocked_rendezvous_send_returns_the_message_on_disconnect() {
    let ledger = DropLedger::new(1);
    let (s, r) = bounded(0);
    let l = ledger.clone();
    let h = thread::spawn(move || {
        let err = s.send(l.msg(0)).unwrap_err();
        assert_eq!(l.drops(0), 0);
        err.into_inner()
    });
    settle();
    drop(r);
    let m = h.join().unwrap();
    assert_eq!(ledger.drops(0), 0);
    drop(m);
    ledger.assert_all_once();
}

/// Many messages through a channel under contention, some left behind: exact counts.
#[test]
fn concurrent_traffic_then_teardown() {
    for flavor in FLAVORS {
        let n = if cfg!(miri) { 200 } else { 4_000 };
        let ledger = DropLedger::new(n);
        let (s, r) = flavor.make();
        let received = std::sync::Arc::new(AtomicUsize::new(0));
        let senders: Vec<_> = (0..2)
            .map(|t| {
                let s = s.clone();
                let l = ledger.clone();
                thread::spawn(move || {
                    for id in (t..n).step_by(2) {
                        // Receivers stop early: late sends fail and drop their message.
                        let _ = s.send(l.msg(id));
                    }
                })
            })
            .collect();
        let receivers: Vec<_> = (0..2)
            .map(|_| {
                let r = r.clone();
                let received = received.clone();
                thread::spawn(move || {
                    for _ in 0..n / 4 {
                        if r.recv().is_err() {
                            break;
                        }
                        received.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        drop(r);
        for h in receivers {
            h.join().unwrap();
        }
        for h in senders {
            h.join().unwrap();
        }
        drop(s);
        assert_eq!(received.load(Ordering::SeqCst), n / 2, "{flavor:?}");
        ledger.assert_all_once();
    }
}

static ZST_DROPS: AtomicUsize = AtomicUsize::new(0);

struct ZstDrop;

impl Drop for ZstDrop {
    fn drop(&mut self) {
        ZST_DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

/// Zero-sized messages with a destructor are counted like any other.
#[test]
fn zero_sized_messages_are_dropped_once() {
    let mut expected = 0;
    for flavor in BUFFERED {
        let n = flavor.buffer().min(1000);
        let (s, r) = flavor.make();
        for _ in 0..n {
            s.send(ZstDrop).unwrap();
        }
        assert_eq!(ZST_DROPS.load(Ordering::SeqCst), expected);
        drop(r.recv().unwrap());
        expected += 1;
        assert_eq!(ZST_DROPS.load(Ordering::SeqCst), expected);
        drop((s, r));
        expected += n - 1;
        assert_eq!(ZST_DROPS.load(Ordering::SeqCst), expected, "{flavor:?}");
    }
}

/// A message whose destructor panics while the channel is torn down: the panic
/// reaches the dropper, and no message is dropped twice.
#[test]
fn panicking_drop_during_teardown_is_no_double_drop() {
    for flavor in BUFFERED {
        let n = flavor.buffer().min(5);
        let ledger = DropLedger::new(n);
        let (s, r) = flavor.make();
        for id in 0..n {
            let m = if id == n / 2 {
                ledger.panicking_msg(id)
            } else {
                ledger.msg(id)
            };
            s.send(m).unwrap();
        }
        drop(s);
        let result = catch_unwind(AssertUnwindSafe(move || drop(r)));
        assert!(
            result.is_err(),
            "{flavor:?}: the destructor's panic is lost"
        );
        ledger.assert_none_twice();
        assert_eq!(ledger.drops(n / 2), 1, "{flavor:?}");
    }
}

/// The same, with the panicking message received and dropped by the user: the
/// channel is unaffected and keeps working.
#[test]
fn panicking_drop_outside_the_channel_leaves_it_usable() {
    let ledger = DropLedger::new(3);
    let (s, r) = bounded(4);
    s.send(ledger.panicking_msg(0)).unwrap();
    s.send(ledger.msg(1)).unwrap();
    let m = r.recv().unwrap();
    assert!(catch_unwind(AssertUnwindSafe(move || drop(m))).is_err());
    s.send(ledger.msg(2)).unwrap();
    assert_eq!(r.recv().unwrap().id, 1);
    assert_eq!(r.recv().unwrap().id, 2);
    ledger.assert_all_once();
}
