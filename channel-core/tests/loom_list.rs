//! Loom models of the unbounded list, including the hand-over between blocks.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test --release -p channel-core --test loom_list`
#![cfg(loom)]

use channel_core::list::block_cap;
use channel_core::{ListQueue, PushError, Queue, Reservation};
use loom::sync::Arc;
use loom::thread;

/// Messages per block of the models' lists (3 under loom).
const BLOCK_CAP: usize = block_cap::<usize>();

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

/// A send claimed on `q` and held (see `Queue::hold_send`), not completed yet.
fn held_send<T>(q: &ListQueue<T>) -> Reservation {
    let mut r = Reservation::default();
    assert!(q.reserve_send(&mut r));
    // SAFETY: an uncompleted send claim of `q`.
    unsafe { q.hold_send(&mut r) };
    r
}

/// Completes held send `r` of `q` with `msg`; if a receiver revoked it meanwhile,
/// sends the message afresh, as the channel layer does.
fn complete_or_resend<T>(q: &ListQueue<T>, r: &mut Reservation, msg: T) {
    // SAFETY: a claim of `q` from `held_send`, completed once.
    if let Err(back) = unsafe { q.write(r, msg) } {
        assert!(r.revoked(), "not disconnected: revoked");
        assert!(q.try_push(back).is_ok(), "connected");
    }
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

/// Three receivers each read one slot of the same block: the reader of its last slot
/// reclaims it, and recycles it only if the others' reads are done, ordered after them
/// (a reuse or free that is not is a race loom reports).
#[test]
fn loom_receivers_release_one_block() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        for m in 0..BLOCK_CAP {
            q.try_push(m).unwrap();
        }
        let receivers: Vec<_> = (0..2)
            .map(|_| {
                let rx = q.clone();
                thread::spawn(move || pop_n(&rx, 1)[0])
            })
            .collect();
        let mut got = pop_n(&q, BLOCK_CAP - 2);
        got.extend(receivers.into_iter().map(|h| h.join().unwrap()));
        got.sort_unstable();
        assert_eq!(got, (0..BLOCK_CAP).collect::<Vec<_>>());
        assert_eq!(q.len(), 0);
    });
}

/// A receiver drains the first block (which becomes the spare) while the sender fills
/// the second and installs a third, the spare if it is there by then: the reused
/// block's slots are written only after their last reads, and every message arrives
/// once, in order.
#[test]
fn loom_drained_block_reused_by_the_sender() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        for m in 0..2 * BLOCK_CAP - 1 {
            q.try_push(m).unwrap();
        }
        let rx = q.clone();
        let receiver = thread::spawn(move || pop_n(&rx, BLOCK_CAP));
        q.try_push(2 * BLOCK_CAP - 1).unwrap();
        q.try_push(2 * BLOCK_CAP).unwrap();
        let mut got = receiver.join().unwrap();
        got.extend(pop_n(&q, BLOCK_CAP + 1));
        assert_eq!(got, (0..=2 * BLOCK_CAP).collect::<Vec<_>>());
        assert_eq!(q.len(), 0);
    });
}

/// Two senders race to write the first messages of a new list while a receiver looks
/// for one: the receiver's look at the first block (allocated with the list) never
/// meets a half-written slot as a message, and each message arrives once.
#[test]
fn loom_two_senders_race_for_the_first_slots() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        let handles: Vec<_> = [1usize, 2]
            .into_iter()
            .map(|m| {
                let q = q.clone();
                thread::spawn(move || q.try_push(m).unwrap())
            })
            .collect();
        let early = q.try_pop().expect("not disconnected");
        for h in handles {
            h.join().unwrap();
        }
        let mut got = pop_n(&q, 2 - usize::from(early.is_some()));
        got.extend(early);
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
        assert_eq!(q.try_pop(), Ok(None));
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
                assert_eq!(back, PushError::Disconnected(5));
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
        let mut r = Reservation::default();
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

/// A held send races the receiver that claims its slot: either the write lands first
/// and is read in place, or the receiver revokes it (without waiting) and the late
/// write sends the message afresh. Each message arrives once; blocks are freed.
#[test]
fn loom_held_send_revoked_or_written_exactly_once() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        let mut r = held_send(&q);
        q.try_push(2usize).unwrap();
        let rx = q.clone();
        let receiver = thread::spawn(move || pop_n(&rx, 2));
        complete_or_resend(&q, &mut r, 1);
        let got = receiver.join().unwrap();
        assert!(got == [1, 2] || got == [2, 1], "{got:?}");
        assert_eq!(q.try_pop(), Ok(None));
        assert_eq!(q.len(), 0);
    });
}

/// A held send given up while its receiver revokes it: the slot is released exactly
/// once (by whichever side finishes last), and the real message arrives once.
#[test]
fn loom_held_send_abandoned_while_revoked() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        let mut r = Reservation::default();
        assert!(q.reserve_send(&mut r));
        // SAFETY: an uncompleted send claim of `q`.
        unsafe { q.hold_send(&mut r) };
        q.try_push(7usize).unwrap();
        let rx = q.clone();
        let receiver = thread::spawn(move || pop_n(&rx, 1));
        // SAFETY: completed once.
        unsafe { q.abandon(&mut r) };
        assert_eq!(receiver.join().unwrap(), [7]);
        assert_eq!(q.try_pop(), Ok(None));
        assert_eq!(q.len(), 0);
    });
}

/// A held send revoked at the end of a block: its late write releases the slot (no
/// read of it runs the block's reclaim), while the receiver moves on into the next
/// block.
#[test]
fn loom_held_send_revoked_at_block_end() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        for m in 0..BLOCK_CAP - 1 {
            q.try_push(m).unwrap();
        }
        let mut r = held_send(&q);
        q.try_push(100).unwrap();
        let rx = q.clone();
        let receiver = thread::spawn(move || pop_n(&rx, BLOCK_CAP + 1));
        complete_or_resend(&q, &mut r, 99);
        let mut got = receiver.join().unwrap();
        assert_eq!(
            got[..BLOCK_CAP - 1],
            (0..BLOCK_CAP - 1).collect::<Vec<_>>()[..]
        );
        got.sort_unstable();
        assert_eq!(got[BLOCK_CAP - 1..], [99, 100]);
    });
}

/// A list dropped with a held claim never completed, after a racing sender and
/// receiver: the receiver revokes or skips the claim, never waits for it, and the drop
/// frees only the written message that is left, once.
#[test]
fn loom_drop_with_a_claim_outstanding() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        let mut r = Reservation::default();
        assert!(q.reserve_send(&mut r));
        // SAFETY: an uncompleted send claim of `q` (then never completed).
        unsafe { q.hold_send(&mut r) };
        let tx = q.clone();
        let sender = thread::spawn(move || tx.try_push(String::from("a")).unwrap());
        let got = q.try_pop();
        sender.join().unwrap();
        let left = usize::from(got != Ok(Some(String::from("a"))));
        assert_eq!(q.len(), left, "a held claim is no message");
        drop(Arc::try_unwrap(q).expect("the last reference"));
    });
}

/// A held send revoked at the start of a block, completed late while the receiver
/// reads on through two more block ends: the reclaim at the first end finds the
/// revoked slot in use and keeps the block waiting; a later one recycles it only
/// after the sender has taken its message back and released the slot (a recycle
/// not ordered after that is a race loom reports). Every message arrives once.
#[test]
fn loom_revoked_send_completed_while_its_block_is_reclaimed() {
    loom::model(|| {
        let q = Arc::new(ListQueue::new());
        let mut r = held_send(&q);
        let rest = 2 * BLOCK_CAP - 1;
        for m in 1..=rest {
            q.try_push(m).unwrap();
        }
        let rx = q.clone();
        let receiver = thread::spawn(move || pop_n(&rx, rest + 1));
        complete_or_resend(&q, &mut r, 0);
        let got = receiver.join().unwrap();
        let mut order: Vec<usize> = (0..=rest).collect();
        if got[0] != 0 {
            // Revoked: sent afresh, behind the others.
            order.rotate_left(1);
        }
        assert_eq!(got, order);
        assert_eq!(q.len(), 0);
    });
}
