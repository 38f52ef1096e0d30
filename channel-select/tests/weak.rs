//! Weak handles on every flavor: not counted, never keeping the channel connected,
//! upgradable only while their side lives and the channel is open, and linearizable
//! against the last strong handle's drop.

mod common;

use channel_select::{after, never, tick, RecvError, TryRecvError, WeakReceiver, WeakSender};
use common::{iters, FLAVORS};
use std::thread;
use std::time::Duration;

#[test]
fn weak_handles_are_not_counted_and_upgrade_to_the_same_channel() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let (ws, wr) = (s.downgrade(), r.downgrade());
        let (ws2, wr2) = (ws.clone(), wr.clone());
        assert_eq!((s.sender_count(), s.receiver_count()), (1, 1), "{flavor:?}");
        let s2 = ws2.upgrade().expect("a sender lives");
        let r2 = wr2.upgrade().expect("a receiver lives");
        assert!(s2.same_channel(&s) && r2.same_channel(&r), "{flavor:?}");
        assert_eq!((s.sender_count(), s.receiver_count()), (2, 2), "{flavor:?}");
        drop((s2, r2));
        assert_eq!((s.sender_count(), s.receiver_count()), (1, 1), "{flavor:?}");
        assert_eq!(
            format!("{ws:?} {wr:?}"),
            "WeakSender { .. } WeakReceiver { .. }"
        );
    }
}

#[test]
fn a_weak_sender_does_not_keep_the_channel_connected() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let weak = s.downgrade();
        if flavor.buffer() > 0 {
            s.send(1).unwrap();
        }
        drop(s);
        assert!(weak.upgrade().is_none(), "{flavor:?}");
        assert!(weak.clone().upgrade().is_none(), "{flavor:?}");
        if flavor.buffer() > 0 {
            assert_eq!(
                r.recv(),
                Ok(1),
                "{flavor:?}: what was sent is still received"
            );
        }
        assert_eq!(r.recv(), Err(RecvError), "{flavor:?}");
        assert_eq!(r.sender_count(), 0);
    }
}

#[test]
fn a_weak_receiver_does_not_keep_the_channel_connected() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let weak = r.downgrade();
        drop(r);
        assert!(weak.upgrade().is_none(), "{flavor:?}");
        assert!(s.is_disconnected(), "{flavor:?}");
        assert_eq!(s.send(5).unwrap_err().into_inner(), 5, "{flavor:?}");
    }
}

#[test]
fn a_closed_channel_upgrades_nothing() {
    for flavor in FLAVORS {
        for from_sender in [true, false] {
            let (s, r) = flavor.make::<u32>();
            let (ws, wr) = (s.downgrade(), r.downgrade());
            if from_sender {
                s.close();
            } else {
                r.close();
            }
            assert!(ws.upgrade().is_none(), "{flavor:?}");
            assert!(wr.upgrade().is_none(), "{flavor:?}");
            // The strong handles are still counted once each: the refused upgrades
            // left nothing behind.
            assert_eq!((s.sender_count(), s.receiver_count()), (1, 1), "{flavor:?}");
        }
    }
}

#[test]
fn an_upgraded_handle_works_like_any_other() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let ws = s.downgrade();
        let wr = r.downgrade();
        let t = thread::spawn(move || {
            let s = ws.upgrade().unwrap();
            for i in 0..100 {
                s.send(i).unwrap();
            }
        });
        let r2 = wr.upgrade().unwrap();
        let sum: u32 = (0..100).map(|_| r2.recv().unwrap()).sum();
        t.join().unwrap();
        assert_eq!(sum, 4950, "{flavor:?}");
        drop(s);
        assert_eq!(r.try_recv(), Err(TryRecvError::Disconnected), "{flavor:?}");
    }
}

/// `upgrade` racing the last strong handle's drop: either it returns a handle and the
/// channel stays connected until that one goes, or it returns `None` and the channel
/// is disconnected.
#[test]
fn upgrade_racing_the_last_drop_is_linearizable() {
    for flavor in FLAVORS {
        for _ in 0..iters(2_000) {
            let (s, r) = flavor.make::<u32>();
            let weak = s.downgrade();
            let dropper = thread::spawn(move || drop(s));
            match weak.upgrade() {
                Some(s) => {
                    dropper.join().unwrap();
                    assert!(!r.is_disconnected(), "{flavor:?}: connected while upgraded");
                    assert_eq!(r.sender_count(), 1);
                    drop(s);
                    assert!(r.is_disconnected(), "{flavor:?}");
                }
                None => {
                    dropper.join().unwrap();
                    assert!(r.is_disconnected(), "{flavor:?}: the disconnection stands");
                    assert!(weak.upgrade().is_none());
                }
            }
            // The same on the receiving side.
            let (s, r) = flavor.make::<u32>();
            let weak = r.downgrade();
            let dropper = thread::spawn(move || drop(r));
            match weak.upgrade() {
                Some(r) => {
                    dropper.join().unwrap();
                    assert!(!s.is_disconnected(), "{flavor:?}: connected while upgraded");
                    drop(r);
                    assert!(s.is_disconnected(), "{flavor:?}");
                }
                None => {
                    dropper.join().unwrap();
                    assert!(s.is_disconnected(), "{flavor:?}: the disconnection stands");
                }
            }
        }
    }
}

/// A weak timer receiver upgrades while a strong receiver of that timer lives; a weak
/// `never()` receiver always upgrades, to a receiver that never delivers.
#[test]
fn weak_timers() {
    for r in [
        after(Duration::from_millis(10)),
        tick(Duration::from_millis(10)),
    ] {
        let weak = r.downgrade();
        let r2 = weak.upgrade().expect("the timer lives");
        assert!(r2.recv_timeout(Duration::from_secs(5)).is_ok());
        drop((r, r2));
        assert!(weak.upgrade().is_none());
    }
    let r = never::<u8>();
    let weak = r.downgrade();
    drop(r);
    let r = weak.upgrade().expect("never() has nothing to outlive");
    assert!(r.recv_timeout(Duration::from_millis(20)).is_err());
}

#[test]
fn weak_handles_are_send_and_sync() {
    fn both<T: Send + Sync>() {}
    both::<WeakSender<u8>>();
    both::<WeakReceiver<String>>();
}
