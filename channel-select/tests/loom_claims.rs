//! Loom models of claims that complete late or never: a selection's claim while its
//! send arm computes the message, given up, or forgotten; the rendezvous deals; the
//! confirming pass of non-blocking selection; the last receiver's drop racing a send.
//! In every interleaving: no message lost or taken twice, and no call waits for a
//! claim beyond its own deadline (a wait that would never end fails the model).
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p channel-select --test loom_claims`
#![cfg(loom)]

use channel_select::{
    bounded, unbounded, RecvTimeoutError, Select, SendError, TryRecvError, TrySendError,
};
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(3600);

/// A selection claims a rendezvous send while a timed receive waits for it: the
/// receive either gets the message or gives up at its deadline (revoking the deal),
/// and a revoked send is then sent like a plain send, to the next receive. Exactly
/// one receive gets the message, or none if the selection itself timed out.
#[test]
fn loom_rendezvous_promise_revoked_at_the_receivers_deadline() {
    loom::model(|| {
        let (s, r) = bounded::<i32>(0);
        let r2 = r.clone();
        let receiver = thread::spawn(move || match r2.recv_timeout(LONG) {
            Ok(m) => Some(m),
            Err(_) => r2.recv().ok(),
        });
        let mut sel = Select::new();
        sel.send(&s);
        let sent = match sel.select_timeout(LONG) {
            Ok(oper) => {
                oper.send(&s, 1).unwrap();
                true
            }
            Err(_) => false,
        };
        drop(s); // ends the receiver's second receive if nothing was sent
        assert_eq!(receiver.join().unwrap(), sent.then_some(1));
        drop(r);
    });
}

/// A selected rendezvous send given up (its message expression panicked) while its
/// receiver waits: the receiver looks again and gets the next sender's message.
#[test]
fn loom_rendezvous_promise_cancelled_while_its_receiver_waits() {
    loom::model(|| {
        let (s, r) = bounded::<i32>(0);
        let receiver = thread::spawn(move || r.recv_timeout(LONG));
        let mut sel = Select::new();
        sel.send(&s);
        if let Ok(oper) = sel.select_timeout(LONG) {
            let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(oper)));
            assert!(dropped.is_err(), "dropping an uncompleted operation panics");
        }
        match s.send_timeout(2, LONG) {
            Ok(()) => assert_eq!(receiver.join().unwrap(), Ok(2)),
            Err(e) => {
                // Both timed out under loom's clock: nothing was delivered.
                assert_eq!(e.into_inner(), 2);
                assert_eq!(receiver.join().unwrap(), Err(RecvTimeoutError::Timeout));
            }
        }
    });
}

/// `try_recv` on a rendezvous channel never claims a selecting sender (whose message
/// does not exist yet) and never waits: it reports empty, and the selection still
/// completes with the receiver that does wait.
#[test]
fn loom_rendezvous_try_recv_ignores_a_selecting_sender() {
    loom::model(|| {
        let (s, r) = bounded::<i32>(0);
        let sender = thread::spawn(move || {
            let mut sel = Select::new();
            sel.send(&s);
            sel.select().send(&s, 3).unwrap();
        });
        assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(r.recv(), Ok(3));
        sender.join().unwrap();
    });
}

/// A selecting receive meets a selecting send on a rendezvous channel: the receive's
/// registration calls the sender's wait off, the sender claims the receive, and the
/// message passes once.
#[test]
fn loom_rendezvous_selecting_receive_pokes_a_selecting_sender() {
    loom::model(|| {
        let (s, r) = bounded::<i32>(0);
        let sender = thread::spawn(move || {
            let mut sel = Select::new();
            sel.send(&s);
            sel.select().send(&s, 4).unwrap();
        });
        let mut sel = Select::new();
        sel.recv(&r);
        assert_eq!(sel.select().recv(&r), Ok(4));
        sender.join().unwrap();
    });
}

/// A held send on a ring, still unwritten when a receiver arrives with a message
/// behind it: the receiver takes the message behind (revoking the held claim) or the
/// held one, never waits for it, and the late write sends afresh. Each message once.
#[test]
fn loom_held_send_never_holds_up_the_message_behind_it() {
    loom::model(|| {
        let (s, r) = bounded::<i32>(2);
        let mut sel = Select::new();
        sel.send(&s);
        let oper = sel.select();
        s.send(2).unwrap();
        let receiver = thread::spawn(move || {
            let first = r.recv().unwrap();
            let second = r.recv().unwrap();
            [first, second]
        });
        oper.send(&s, 1).unwrap();
        let got = receiver.join().unwrap();
        assert!(got == [1, 2] || got == [2, 1], "{got:?}");
    });
}

/// A forgotten send claim on an unbounded channel: a receiver racing a sender never
/// waits for it and gets the sender's message.
#[test]
fn loom_forgotten_send_claim_on_the_list() {
    loom::model(|| {
        let (s, r) = unbounded::<i32>();
        let mut sel = Select::new();
        sel.send(&s);
        std::mem::forget(sel.select());
        let s2 = s.clone();
        let sender = thread::spawn(move || s2.send(5).unwrap());
        assert_eq!(r.recv(), Ok(5));
        sender.join().unwrap();
        assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    });
}

/// Two channels hold one message between them; a thread moves it over, sending the
/// new one before it takes the old. A non-blocking selection over both never reports
/// both empty: its confirming pass sees the move. (The message moves against the order
/// in which loom's selection looks: it may find the first channel empty, then the
/// second emptied.)
#[test]
fn loom_non_blocking_selection_sees_a_moving_message() {
    loom::model(|| {
        let (sa, ra) = bounded::<i32>(1);
        let (sb, rb) = bounded::<i32>(1);
        sb.send(0).unwrap();
        let (rb2, sb2) = (rb.clone(), sb.clone());
        let mover = thread::spawn(move || {
            sa.send(1).unwrap();
            rb2.recv().unwrap();
        });
        let mut sel = Select::new();
        sel.recv(&ra);
        sel.recv(&rb);
        let oper = sel.try_select().expect("one of them holds a message");
        let i = oper.index();
        let m = oper.recv([&ra, &rb][i]).unwrap();
        if i == 1 {
            sb2.send(m).unwrap(); // give it back for the mover to take
        }
        mover.join().unwrap();
    });
}

/// The last receiver drops while a sender sends: the message is either dropped with
/// the channel or handed back, exactly once.
#[test]
fn loom_last_receiver_drop_races_a_send() {
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    loom::model(|| {
        let (s, r) = bounded::<Counted>(1);
        let drops = Arc::new(AtomicUsize::new(0));
        let d = drops.clone();
        let sender = thread::spawn(move || match s.try_send(Counted(d)) {
            Ok(()) => None,
            Err(TrySendError::Disconnected(m)) => Some(m),
            Err(TrySendError::Full(_)) => panic!("the channel was empty"),
        });
        drop(r);
        let back = sender.join().unwrap();
        assert_eq!(
            drops.load(Ordering::SeqCst),
            usize::from(back.is_none()),
            "a delivered message is dropped with its last receiver, at once"
        );
        drop(back);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// A selected send whose last receiver left before it completed hands its message
/// back: the held claim is revoked by the receiver's drop, whatever the interleaving.
#[test]
fn loom_held_send_completed_after_the_last_receiver_left() {
    loom::model(|| {
        let (s, r) = bounded::<i32>(1);
        let mut sel = Select::new();
        sel.send(&s);
        let oper = sel.select();
        let dropper = thread::spawn(move || drop(r));
        let sent = oper.send(&s, 6);
        dropper.join().unwrap();
        match sent {
            Ok(()) => {} // written before the drop: dropped with the channel
            Err(SendError(m)) => assert_eq!(m, 6),
        }
        assert!(s.send(7).is_err());
    });
}

/// A selection's held send on `bounded(2)` with a message claimed after it, while
/// another thread receives (revoking the held send, or reading it if its write came
/// first) and refills the ring: the late write completes without waiting (to the ring,
/// or to the stash when the ring is full again), and every message is received once.
#[test]
fn loom_revoked_held_send_on_a_refilled_ring_is_stashed() {
    loom::model(|| {
        let (s, r) = bounded::<i32>(2);
        let mut sel = Select::new();
        sel.send(&s);
        let oper = sel.try_select().expect("an empty ring has room");
        s.send(1).unwrap();
        let (s2, r2) = (s.clone(), r.clone());
        let other = thread::spawn(move || {
            let mut got = vec![r2.try_recv().expect("a message is there")];
            for m in [2, 3] {
                if let Err(TrySendError::Full(_)) = s2.try_send(m) {
                    got.push(-m); // not sent
                }
            }
            got
        });
        assert_eq!(oper.send(&s, 9), Ok(()));
        let mut got = other.join().unwrap();
        while let Ok(m) = r.try_recv() {
            got.push(m);
        }
        // Every message sent received once; the ones not sent are the negatives.
        let mut all: Vec<i32> = got.iter().map(|m| m.abs()).collect();
        all.sort_unstable();
        assert_eq!(all, [1, 2, 3, 9], "received or handed back: {got:?}");
        assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(r.len(), 0);
    });
}

/// A selection's send claimed the last free slot of `bounded(2)` (not at the head) and
/// is given up (its message expression panicked) while a plain `send` may be parked
/// for that slot: the abandoned claim is taken back by moving `tail`, and the parked
/// sender is woken to take the slot, with nobody receiving. A lost wake-up leaves the
/// sender parked for good, which loom reports.
#[test]
fn loom_abandoned_last_claim_wakes_a_parked_sender() {
    loom::model(|| {
        let (s, r) = bounded::<i32>(2);
        s.send(1).unwrap();
        let mut sel = Select::new();
        sel.send(&s);
        let oper = sel.try_select().expect("one slot is free");
        let s2 = s.clone();
        let sender = thread::spawn(move || s2.send(5));
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(oper)));
        assert!(dropped.is_err(), "dropping an uncompleted operation panics");
        assert_eq!(sender.join().unwrap(), Ok(()));
        assert_eq!(r.try_recv(), Ok(1));
        assert_eq!(r.try_recv(), Ok(5));
    });
}
