//! Loom models of the blocking handles: parking, waking and the rendezvous hand-off.
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p channel-select --test loom_channels`
#![cfg(loom)]

use channel_select::{bounded, unbounded, RecvError, SendError, SendTimeoutError};
use loom::thread;
use std::time::Duration;

/// A rendezvous send and receive meet, whichever blocks first.
#[test]
fn loom_rendezvous_hand_off() {
    loom::model(|| {
        let (s, r) = bounded(0);
        let sender = thread::spawn(move || s.send(String::from("m")));
        assert_eq!(r.recv().as_deref(), Ok("m"));
        assert_eq!(sender.join().unwrap(), Ok(()));
    });
}

/// Receives on an unbounded channel race its sends: a receive whose quick path claims
/// a slot before its send has written it settles the claim (waits for the write)
/// before reading. Both messages arrive once, in order.
#[test]
fn loom_quick_receive_settles_a_slot_being_written() {
    loom::model(|| {
        let (s, r) = unbounded();
        let sender = thread::spawn(move || {
            s.send(String::from("a")).unwrap();
            s.send(String::from("b")).unwrap();
        });
        let mut got = Vec::new();
        while got.len() < 2 {
            match r.try_recv() {
                Ok(m) => got.push(m),
                Err(_) => thread::yield_now(),
            }
        }
        sender.join().unwrap();
        assert_eq!(got, ["a", "b"]);
    });
}

/// A timed send and a timed receive on `bounded(0)` (under loom, a deadline expires as
/// soon as its thread parks): they meet, the sender moving its message into the
/// receiver's slot, or both time out and the sender has its message back. Once,
/// either way, and loom checks every access to the slot. (A claim of the slot that
/// fails is reached by `loom_close_races_rendezvous_send_and_recv`, where the
/// disconnection selects the receiver first; a yielded thread is not resumed in the
/// middle of another's step, so loom does not reach a deadline there.)
#[test]
fn loom_rendezvous_slot_with_deadlines() {
    loom::model(|| {
        let (s, r) = bounded::<String>(0);
        let sender =
            thread::spawn(move || s.send_timeout(String::from("m"), Duration::from_secs(3600)));
        let got = r.recv_timeout(Duration::from_secs(3600)).ok();
        let sent = sender.join().unwrap();
        match sent {
            Ok(()) => assert_eq!(got.as_deref(), Some("m")),
            Err(e) => {
                assert_eq!(got, None);
                assert_eq!(e.into_inner(), "m");
            }
        }
    });
}

/// Two senders race on a capacity-1 channel, each willing to wait: the one that finds
/// it full parks and (under loom, where a deadline expires as soon as a thread parks)
/// times out with its message back. Every message ends up received or returned,
/// exactly once. The receiver drains after the senders finish, so that only one thread
/// at a time can spin-wait for a sender between reserving and writing a slot.
#[test]
fn loom_two_senders_on_bounded_one() {
    loom::model(|| {
        let (s, r) = bounded(1);
        let s2 = s.clone();
        let a = thread::spawn(move || s.send_timeout(1, Duration::from_secs(3600)));
        let b = thread::spawn(move || s2.send_timeout(2, Duration::from_secs(3600)));
        let mut seen = Vec::new();
        for res in [a.join().unwrap(), b.join().unwrap()] {
            match res {
                Ok(()) => {}
                Err(SendTimeoutError::Timeout(m)) => seen.push(m),
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        seen.extend(r.try_iter());
        seen.sort_unstable();
        assert_eq!(seen, [1, 2], "each message received or handed back, once");
    });
}

/// Dropping the receivers wakes a sender blocked on a full channel, which gets its
/// message back.
#[test]
fn loom_disconnect_wakes_blocked_sender() {
    loom::model(|| {
        let (s, r) = bounded(1);
        s.send(1).unwrap();
        let sender = thread::spawn(move || s.send(2));
        drop(r);
        assert_eq!(sender.join().unwrap(), Err(SendError(2)));
    });
}

/// Dropping the senders wakes a receiver blocked on an empty channel.
#[test]
fn loom_disconnect_wakes_blocked_receiver() {
    loom::model(|| {
        let (s, r) = unbounded::<i32>();
        let receiver = thread::spawn(move || r.recv());
        drop(s);
        assert_eq!(receiver.join().unwrap(), Err(RecvError));
    });
}

/// `close()` races a blocked rendezvous send and a blocked receive: either they meet
/// (both succeed) or both fail, and the failed send hands its message back. The
/// disconnection may select the receiver while the sender is moving its message into
/// the receiver's slot: the sender's claim fails and it takes the message back.
#[test]
fn loom_close_races_rendezvous_send_and_recv() {
    loom::model(|| {
        let (s, r) = bounded(0);
        let closer = s.clone();
        let sender = thread::spawn(move || s.send(String::from("m")));
        let receiver = thread::spawn(move || r.recv());
        closer.close();
        let sent = sender.join().unwrap();
        let got = receiver.join().unwrap();
        match sent {
            Ok(()) => assert_eq!(got.as_deref(), Ok("m")),
            Err(SendError(m)) => {
                assert_eq!(m, "m");
                assert_eq!(got, Err(RecvError));
            }
        }
    });
}

/// `recv_many` races two sends on a buffered channel: it blocks for the first message
/// and takes what else is there; nothing is taken twice or lost. (No `join` after a
/// blocking receive: loom lets a late `unpark` end a `join`, which std does not.)
#[test]
fn loom_recv_many_races_senders() {
    loom::model(|| {
        let (s, r) = bounded(2);
        let s2 = s.clone();
        thread::spawn(move || s.send(1).unwrap());
        thread::spawn(move || s2.send(2).unwrap());
        let mut got = Vec::new();
        let n = r.recv_many(&mut got, 2).unwrap();
        assert_eq!(n, got.len());
        while got.len() < 2 {
            got.push(r.recv().unwrap());
        }
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
        assert!(r.recv().is_err(), "both senders gone: disconnected");
    });
}

/// Two receivers race for a one-shot timer's message: exactly one gets it.
#[test]
fn loom_timer_delivers_once_to_racing_receivers() {
    loom::model(|| {
        let t = channel_select::after(Duration::ZERO);
        let t2 = t.clone();
        let other = thread::spawn(move || t2.try_recv().is_ok());
        let mine = t.try_recv().is_ok();
        let theirs = other.join().unwrap();
        assert!(mine ^ theirs, "exactly one receiver gets the message");
    });
}

/// `close()` from a sender races a selection blocked on a receive: the selection wakes
/// with the disconnection (or the message sent before the close).
#[test]
fn loom_close_races_a_blocked_selection() {
    loom::model(|| {
        let (s, r) = unbounded::<i32>();
        let closer = thread::spawn(move || {
            let _ = s.try_send(1);
            s.close();
        });
        let mut sel = channel_select::Select::new();
        sel.recv(&r);
        let first = sel.select().recv(&r);
        closer.join().unwrap();
        match first {
            Ok(m) => {
                assert_eq!(m, 1);
                assert_eq!(r.recv(), Err(RecvError));
            }
            Err(RecvError) => panic!("the message sent before close is received first"),
        }
    });
}

/// A weak sender's `upgrade` racing the last sender's drop, on a ring and on a
/// rendezvous channel: either the upgrade wins (the channel stays connected until the
/// upgraded sender goes, and its message arrives) or it finds the side gone (and the
/// receiver sees the disconnection). Never both, never a lost disconnection.
#[test]
fn loom_weak_upgrade_racing_the_last_drop() {
    for cap in [1, 0] {
        loom::model(move || {
            let (s, r) = bounded::<i32>(cap);
            let weak = s.downgrade();
            let dropper = thread::spawn(move || drop(s));
            let upgraded = weak.upgrade();
            let sender = upgraded.map(|s| {
                assert!(!s.is_disconnected());
                thread::spawn(move || s.send(1))
            });
            match sender {
                Some(t) => {
                    assert_eq!(r.recv(), Ok(1));
                    assert_eq!(t.join().unwrap(), Ok(()));
                }
                None => {
                    assert!(weak.upgrade().is_none());
                    assert_eq!(r.recv(), Err(RecvError));
                }
            }
            dropper.join().unwrap();
            assert_eq!(
                r.recv(),
                Err(RecvError),
                "disconnected once every sender is gone"
            );
        });
    }
}

/// A sender blocked on a full buffered channel parks with its message; the receive
/// that makes room moves the message in. Both orders of the sender's park and the
/// receive are explored: the messages arrive in order and the send succeeds.
#[test]
fn loom_receive_moves_a_parked_senders_message_in() {
    loom::model(|| {
        let (s, r) = bounded(1);
        s.send(1).unwrap();
        let sender = thread::spawn(move || s.send(2));
        assert_eq!(r.recv(), Ok(1));
        assert_eq!(r.recv(), Ok(2));
        assert_eq!(sender.join().unwrap(), Ok(()));
        assert_eq!(r.recv(), Err(RecvError), "the sender is gone");
    });
}

/// A send on `bounded(1)` hands its message to a blocked receive while another sender
/// finds the ring full and parks: the room the hand-off leaves is made known at once,
/// so the parked message moves in and the receive's next call gets it.
#[test]
fn loom_room_left_by_a_hand_off_goes_to_a_parked_sender() {
    loom::model(|| {
        let (s, r) = bounded::<u8>(1);
        let receiver = thread::spawn(move || [r.recv().unwrap(), r.recv().unwrap()]);
        let s2 = s.clone();
        let sender = thread::spawn(move || s2.send(2).unwrap());
        s.send(1).unwrap();
        let mut got = receiver.join().unwrap();
        sender.join().unwrap();
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
    });
}

/// A parked sender's deadline races the receive that would move its message in
/// (under loom a deadline expires as soon as the thread parks): either the message
/// was moved (the send succeeds and the message is received) or the sender took it
/// back (a timeout with the message). Never both, never neither.
#[test]
fn loom_parked_senders_deadline_races_the_pull() {
    loom::model(|| {
        let (s, r) = bounded(1);
        s.send(1).unwrap();
        let sender = thread::spawn(move || s.send_timeout(2, Duration::from_secs(3600)));
        assert_eq!(r.recv(), Ok(1));
        let sent = sender.join().unwrap();
        let got: Vec<i32> = r.try_iter().collect();
        match sent {
            Ok(()) => assert_eq!(got, [2]),
            Err(SendTimeoutError::Timeout(m)) => {
                assert_eq!(m, 2);
                assert!(got.is_empty(), "a returned message is not also received");
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    });
}

/// Dropping the receiver races a receive that moves a parked sender's message in:
/// the message is either moved (the send succeeds; the channel drops it) or handed
/// back, and is dropped exactly once either way.
#[test]
fn loom_disconnect_races_the_pull() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (s, r) = bounded(1);
        s.send(Counted(drops.clone())).unwrap();
        let d = drops.clone();
        let sender = thread::spawn(move || s.send(Counted(d)).map_err(|e| drop(e.0)));
        let receiver = thread::spawn(move || {
            let first = r.recv();
            assert!(first.is_ok(), "the first message is there");
        });
        receiver.join().unwrap();
        let _ = sender.join().unwrap();
        assert_eq!(
            drops.load(Ordering::Relaxed),
            2,
            "each message dropped once"
        );
    });
}

/// A blocked receive's deadline races the send that hands it the message (under loom
/// a deadline passes as soon as the receiver parks): the receive returns the message,
/// or it times out and the message waits in the channel (put back, or never taken).
/// Never both, never neither; on `bounded(1)` the room a hand-off leaves is free for
/// the next send at once. (An unbounded channel hands nothing over: its receive is
/// woken to look, and the same holds.)
fn handed_message_races_the_deadline(cap: Option<usize>) {
    loom::model(move || {
        let (s, r) = match cap {
            Some(cap) => bounded(cap),
            None => unbounded(),
        };
        let receiver = thread::spawn(move || (r.recv_timeout(Duration::from_secs(3600)), r));
        s.send(1).unwrap();
        let (got, r) = receiver.join().unwrap();
        match got {
            Ok(m) => {
                assert_eq!(m, 1);
                assert!(r.try_recv().is_err(), "a received message is not also kept");
            }
            Err(_) => assert_eq!(r.try_recv(), Ok(1), "a timed-out receive leaves it"),
        }
        s.send(2).unwrap();
        assert_eq!(r.try_recv(), Ok(2));
    });
}

#[test]
fn loom_handed_message_races_the_receivers_deadline_on_bounded_one() {
    handed_message_races_the_deadline(Some(1));
}

#[test]
fn loom_handed_message_races_the_receivers_deadline_on_unbounded() {
    handed_message_races_the_deadline(None);
}
