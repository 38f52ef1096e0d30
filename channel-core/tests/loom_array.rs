//! Loom models of the bounded ring: every interleaving of the racing operations.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test --release -p channel-core --test loom_array`
#![cfg(loom)]

use channel_core::{ArrayQueue, Queue};
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
            Ok(3 - won[0]),
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
                while let Err(Ok(back)) = tx.try_push(m) {
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
            Err(back) => assert_eq!(back, Err(7), "handed back as disconnected"),
        }
        assert_eq!(q.try_pop(), Err(()));
    });
}

/// Pushes `m`, yielding while the ring is full.
fn push_retrying(q: &ArrayQueue<i32>, mut m: i32) {
    loop {
        match q.try_push(m) {
            Ok(()) => return,
            Err(Ok(back)) => {
                m = back;
                thread::yield_now();
            }
            Err(Err(_)) => panic!("not disconnected"),
        }
    }
}

/// A send reserved and then abandoned leaves a hole; a racing sender and the receiver
/// skip it: the one real message arrives, nothing else does.
#[test]
fn loom_abandoned_send_leaves_a_hole() {
    loom::model(|| {
        let q = Arc::new(ArrayQueue::new(1));
        let mut r = channel_core::Reservation::default();
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
