//! Loom models of the bounded ring: every interleaving of the racing operations.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test --release -p channel-core --test loom_array`
#![cfg(loom)]

use channel_core::{ArrayQueue, PushError, Queue, Reservation};
use loom::sync::Arc;
use loom::thread;

/// Two senders race for the single slot of a capacity-1 ring: exactly one wins, and
/// the loser gets its message back.
#[test]
fn loom_two_senders_race_on_capacity_one() {
    loom::model(|| {
        let q = Arc::new(ArrayQueue::new(1));
        let handles: Vec<_> = [1, 2]
            .into_iter()
            .map(|m| {
                let q = q.clone();
                thread::spawn(move || q.try_push(m))
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let won: Vec<i32> = [1, 2]
            .into_iter()
            .zip(&results)
            .filter(|(_, r)| r.is_ok())
            .map(|(m, _)| m)
            .collect();
        assert_eq!(won.len(), 1, "exactly one send fits: {results:?}");
        let lost = results.iter().find_map(|r| r.err()).unwrap();
        assert_eq!(
            lost,
            PushError::Full(3 - won[0]),
            "the full error hands the message back"
        );
        assert_eq!(q.try_pop(), Ok(Some(won[0])));
        assert_eq!(q.try_pop(), Ok(None));
    });
}

/// A sender and a receiver pass two messages through one slot, wrapping a lap: the
/// receiver sees them in order, once each.
#[test]
fn loom_send_recv_wraps_laps_in_order() {
    loom::model(|| {
        let q = Arc::new(ArrayQueue::new(1));
        let tx = q.clone();
        let producer = thread::spawn(move || {
            for m in 1..=2 {
                let mut m = m;
                while let Err(PushError::Full(back)) = tx.try_push(m) {
                    m = back;
                    thread::yield_now();
                }
            }
        });
        let mut got = Vec::new();
        while got.len() < 2 {
            match q.try_pop() {
                Ok(Some(m)) => got.push(m),
                Ok(None) => thread::yield_now(),
                Err(()) => panic!("not disconnected"),
            }
        }
        producer.join().unwrap();
        assert_eq!(got, [1, 2]);
        assert!(q.is_empty());
    });
}

/// A disconnection races a send: the message is either delivered (and received
/// before the disconnection is reported) or handed back, never lost.
#[test]
fn loom_disconnect_races_send() {
    loom::model(|| {
        let q = Arc::new(ArrayQueue::new(2));
        let tx = q.clone();
        let sender = thread::spawn(move || tx.try_push(7));
        assert!(q.disconnect());
        let sent = sender.join().unwrap();
        match sent {
            Ok(()) => assert_eq!(q.try_pop(), Ok(Some(7))),
            Err(back) => assert_eq!(back, PushError::Disconnected(7), "handed back"),
        }
        assert_eq!(q.try_pop(), Err(()));
    });
}

/// Pushes `m`, yielding while the ring is full.
fn push_retrying(q: &ArrayQueue<i32>, mut m: i32) {
    loop {
        match q.try_push(m) {
            Ok(()) => return,
            Err(PushError::Full(back)) => {
                m = back;
                thread::yield_now();
            }
            Err(PushError::Disconnected(_)) => panic!("not disconnected"),
        }
    }
}

/// A send reserved and then abandoned leaves a hole; a racing sender and the receiver
/// skip it: the one real message arrives, nothing else does.
#[test]
fn loom_abandoned_send_leaves_a_hole() {
    loom::model(|| {
        let q = Arc::new(ArrayQueue::new(1));
        let mut r = Reservation::default();
        assert!(q.reserve_send(&mut r));
        let tx = q.clone();
        let sender = thread::spawn(move || push_retrying(&tx, 2));
        // SAFETY: `r` was reserved on `q` and is completed once.
        unsafe { q.abandon(&mut r) };
        let got = loop {
            match q.try_pop() {
                Ok(Some(m)) => break m,
                Ok(None) => thread::yield_now(),
                Err(()) => panic!("not disconnected"),
            }
        };
        sender.join().unwrap();
        assert_eq!(got, 2);
        assert_eq!(q.try_pop(), Ok(None));
    });
}

/// Pops one message, yielding while the ring is empty.
fn pop_one(q: &ArrayQueue<i32>) -> i32 {
    loop {
        match q.try_pop() {
            Ok(Some(m)) => return m,
            Ok(None) => thread::yield_now(),
            Err(()) => panic!("not disconnected"),
        }
    }
}

/// A held send (a selection's claim) races a receiver that finds it unwritten with a
/// message behind it: either the held write lands in place, or the receiver revokes
/// it and the late write sends the message afresh. Each message arrives once, and the
/// receiver never waits for the held sender.
#[test]
fn loom_held_send_revoked_or_written_exactly_once() {
    loom::model(|| {
        let q = Arc::new(ArrayQueue::new(2));
        let mut r = Reservation::default();
        assert!(q.reserve_send(&mut r));
        // SAFETY: an uncompleted send claim of `q`.
        unsafe { q.hold_send(&mut r) };
        q.try_push(2).unwrap();
        let rx = q.clone();
        let receiver = thread::spawn(move || {
            let first = pop_one(&rx);
            let second = pop_one(&rx);
            [first, second]
        });
        // SAFETY: completed once.
        if let Err(back) = unsafe { q.write(&mut r, 1) } {
            assert!(r.revoked(), "not disconnected: revoked");
            push_retrying(&q, back);
        }
        let got = receiver.join().unwrap();
        assert!(got == [1, 2] || got == [2, 1], "{got:?}");
        assert_eq!(q.try_pop(), Ok(None));
        assert_eq!(q.len(), 0);
    });
}

/// A lone held send is left alone: a receiver reports empty (it has no message yet)
/// without revoking it, and gets the message once it is written.
#[test]
fn loom_lone_held_send_is_not_revoked() {
    loom::model(|| {
        let q = Arc::new(ArrayQueue::new(1));
        let mut r = Reservation::default();
        assert!(q.reserve_send(&mut r));
        // SAFETY: an uncompleted send claim of `q`.
        unsafe { q.hold_send(&mut r) };
        let rx = q.clone();
        let receiver = thread::spawn(move || pop_one(&rx));
        assert_eq!(q.len(), 0, "a held send is not a message yet");
        // SAFETY: completed once. A lone held send is never revoked.
        assert_eq!(unsafe { q.write(&mut r, 5) }, Ok(()));
        assert_eq!(receiver.join().unwrap(), 5);
    });
}

/// A held send given up while a receiver revokes it: whichever wins, the slot is
/// freed once, the racing real message arrives once, and the ring is reusable.
#[test]
fn loom_held_send_abandoned_while_revoked() {
    loom::model(|| {
        let q = Arc::new(ArrayQueue::new(2));
        let mut r = Reservation::default();
        assert!(q.reserve_send(&mut r));
        // SAFETY: an uncompleted send claim of `q`.
        unsafe { q.hold_send(&mut r) };
        q.try_push(7).unwrap();
        let rx = q.clone();
        let receiver = thread::spawn(move || pop_one(&rx));
        // SAFETY: completed once.
        unsafe { q.abandon(&mut r) };
        assert_eq!(receiver.join().unwrap(), 7);
        assert_eq!(q.try_pop(), Ok(None));
        assert_eq!(q.len(), 0);
        for m in [8, 9] {
            q.try_push(m).unwrap();
        }
        assert_eq!(q.try_push(10), Err(PushError::Full(10)), "capacity intact");
    });
}

/// A held receive keeps its slot: a sender a lap later finds no room until the read
/// completes, and never sees its own message overwritten or lost.
#[test]
fn loom_held_recv_keeps_its_slot() {
    loom::model(|| {
        let q = Arc::new(ArrayQueue::new(1));
        q.try_push(1).unwrap();
        let mut r = Reservation::default();
        assert!(q.reserve_recv(&mut r));
        // SAFETY: an uncompleted receive claim of `q`.
        unsafe { q.hold_recv(&mut r) };
        let tx = q.clone();
        let sender = thread::spawn(move || push_retrying(&tx, 2));
        // SAFETY: completed once.
        assert_eq!(unsafe { q.read(&mut r) }, Ok(1));
        sender.join().unwrap();
        assert_eq!(q.try_pop(), Ok(Some(2)));
    });
}

/// A held send that is the last claim (behind a message), given up while a receiver
/// looks: its sender takes it back (moving `tail` back), leaving no hole; the
/// receiver, which may have seen it held, reports empty rather than move `head` past
/// `tail`, and then gets the real message that follows.
#[test]
fn loom_last_held_send_taken_back_while_a_receiver_looks() {
    loom::model(|| {
        let q = Arc::new(ArrayQueue::new(3));
        q.try_push(1).unwrap();
        let mut r = Reservation::default();
        assert!(q.reserve_send(&mut r));
        // SAFETY: an uncompleted send claim of `q`.
        unsafe { q.hold_send(&mut r) };
        let rx = q.clone();
        let receiver = thread::spawn(move || [pop_one(&rx), pop_one(&rx)]);
        // SAFETY: completed once.
        unsafe { q.abandon(&mut r) };
        push_retrying(&q, 4);
        assert_eq!(receiver.join().unwrap(), [1, 4]);
        assert_eq!(q.try_pop(), Ok(None));
        assert_eq!(q.len(), 0);
        for m in [5, 6, 7] {
            q.try_push(m).unwrap();
        }
        assert_eq!(q.try_push(8), Err(PushError::Full(8)), "no slot lost");
    });
}

/// Sends `m` from the queue's guess of its tail (as a blocking send does), retrying
/// while the ring is full.
fn push_guessed(q: &ArrayQueue<i32>, m: i32) {
    loop {
        if let Some(mut r) = q.reserve_send_guessed() {
            // SAFETY: a claim of this queue, made just now, completed once.
            return unsafe { q.write(&mut r, m) }.unwrap();
        }
        match q.try_push(m) {
            Ok(()) => return,
            Err(_) => thread::yield_now(),
        }
    }
}

/// Receives one message, first from the queue's guess of its head (as a blocking
/// receive does), then as `pop_one`.
fn pop_guessed(q: &ArrayQueue<i32>) -> i32 {
    if let Some(mut r) = q.reserve_recv_guessed() {
        // SAFETY: a claim of this queue, made just now, read once.
        return unsafe { q.read(&mut r) }.unwrap();
    }
    pop_one(q)
}

/// Claims from the counters' guesses while a send claimed and given up moves `tail`
/// back (leaving a guess ahead of it) and the ring wraps a lap: a stale or early guess
/// only fails its CAS; both messages arrive once, in order.
#[test]
fn loom_guessed_claims_around_a_claim_taken_back() {
    loom::model(|| {
        let q = Arc::new(ArrayQueue::new(2));
        q.try_push(0).unwrap();
        assert_eq!(q.try_pop(), Ok(Some(0)));
        let mut r = Reservation::default();
        assert!(q.reserve_send(&mut r));
        let tx = q.clone();
        let sender = thread::spawn(move || {
            push_guessed(&tx, 1);
            push_guessed(&tx, 2);
        });
        // SAFETY: `r` was reserved on `q` and is completed once.
        unsafe { q.abandon(&mut r) };
        let got = [pop_guessed(&q), pop_guessed(&q)];
        sender.join().unwrap();
        assert_eq!(got, [1, 2]);
        assert_eq!(q.try_pop(), Ok(None));
    });
}
