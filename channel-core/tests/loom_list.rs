//! Loom models of the unbounded list, including the hand-over between blocks.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test --release -p channel-core --test loom_list`
#![cfg(loom)]

use channel_core::{ListQueue, Queue};
use loom::sync::Arc;
use loom::thread;

/// Messages per block of the list (one counter value per block is the "moving" mark).
const BLOCK_CAP: usize = 31;

/// Receives `n` messages, yielding while the queue is empty.
fn pop_n(q: &ListQueue<usize>, n: usize) -> Vec<usize> {
    let mut got = Vec::new();
    while got.len() < n {
        match q.try_pop() {
            Ok(Some(m)) => got.push(m),
            Ok(None) => thread::yield_now(),
            Err(()) => panic!("not disconnected"),
        }
    }
    got
}

/// A sender fills the last slot of a block and the first of the next while a receiver
/// drains across the same boundary (freeing the first block): FIFO, nothing lost.
#[test]
fn loom_send_and_recv_across_block_boundary() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        // Bring both ends next to the boundary without modelling the uneventful part.
        for m in 0..BLOCK_CAP - 1 {
            q.try_push(m).unwrap();
        }
        assert_eq!(
            pop_n(&q, BLOCK_CAP - 2),
            (0..BLOCK_CAP - 2).collect::<Vec<_>>()
        );
        let tx = q.clone();
        let sender = thread::spawn(move || {
            tx.try_push(BLOCK_CAP - 1).unwrap();
            tx.try_push(BLOCK_CAP).unwrap();
        });
        let got = pop_n(&q, 3);
        sender.join().unwrap();
        assert_eq!(got, [BLOCK_CAP - 2, BLOCK_CAP - 1, BLOCK_CAP]);
        assert_eq!(q.len(), 0);
    });
}

/// Two senders race to write the first message, which installs the first block.
#[test]
fn loom_two_senders_race_to_install_first_block() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        let handles: Vec<_> = [1usize, 2]
            .into_iter()
            .map(|m| {
                let q = q.clone();
                thread::spawn(move || q.try_push(m).unwrap())
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let mut got = pop_n(&q, 2);
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
    });
}

/// A disconnection races a send and a receive: the message is received or handed
/// back, and the receiver then sees the disconnection.
#[test]
fn loom_disconnect_races_send_and_recv() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        let tx = q.clone();
        let sender = thread::spawn(move || tx.try_push(5usize));
        let rx = q.clone();
        let receiver = thread::spawn(move || rx.try_pop());
        q.disconnect();
        let sent = sender.join().unwrap();
        let first = receiver.join().unwrap();
        let rest = q.try_pop();
        match sent {
            Ok(()) => assert!(
                first == Ok(Some(5)) || rest == Ok(Some(5)),
                "delivered message received exactly once: {first:?} {rest:?}"
            ),
            Err(back) => {
                assert_eq!(back, Err(5));
                assert_ne!(first, Ok(Some(5)));
            }
        }
        assert_eq!(q.try_pop(), Err(()));
    });
}

/// A send reserved and then abandoned leaves a hole; the receiver skips it and gets
/// the racing sender's message, once.
#[test]
fn loom_abandoned_send_leaves_a_hole() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        let mut r = channel_core::Reservation::default();
        assert!(q.reserve_send(&mut r));
        let tx = q.clone();
        let sender = thread::spawn(move || tx.try_push(2usize).unwrap());
        // SAFETY: `r` was reserved on `q` and is completed once.
        unsafe { q.abandon(&mut r) };
        assert_eq!(pop_n(&q, 1), [2]);
        sender.join().unwrap();
        assert_eq!(q.try_pop(), Ok(None));
    });
}
