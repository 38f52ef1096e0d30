//! Safe code cannot misuse the queues into undefined behaviour: claims that are never
//! completed only leak their slot, and the destructors drop only written messages
//! (run under Miri by `scripts/miri.sh`).

use channel_core::list::block_cap;
use channel_core::{ArrayQueue, ListQueue, PushError, Queue, Reservation};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A message that counts its drops (in a counter that owns no heap memory, so that a
/// message leaked on purpose leaks nothing Miri would report).
struct Counted(&'static AtomicUsize);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Fills `q` around claims that are never completed, then drops it: every written
/// message is dropped exactly once, and nothing else is touched.
fn claims_left_open_then_drop<Q: Queue<Counted>>(
    q: Q,
    written: usize,
    drops: &'static AtomicUsize,
) {
    let mut open = Reservation::default();
    assert!(q.reserve_send(&mut open), "room for the claim left open");
    for _ in 0..written {
        q.try_push(Counted(drops))
            .unwrap_or_else(|_| panic!("room"));
    }
    let mut held = Reservation::default();
    assert!(q.reserve_send(&mut held));
    // SAFETY: an uncompleted send claim of `q`.
    unsafe { q.hold_send(&mut held) };
    // A plain claim is a send in flight (completed by the same call, normally); a held
    // one may never be, and is no message.
    assert_eq!(q.len(), written + 1);
    drop(q);
    assert_eq!(drops.load(Ordering::SeqCst), written);
}

#[test]
fn a_ring_dropped_with_open_send_claims_drops_only_written_messages() {
    static DROPS: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];
    claims_left_open_then_drop(ArrayQueue::new(4), 2, &DROPS[0]);
    claims_left_open_then_drop(ArrayQueue::new(2), 0, &DROPS[1]);
}

#[test]
fn a_list_dropped_with_open_send_claims_drops_only_written_messages() {
    static DROPS: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];
    claims_left_open_then_drop(ListQueue::new(), 2, &DROPS[0]);
    // Several blocks.
    claims_left_open_then_drop(ListQueue::new(), 2 * block_cap::<Counted>() + 5, &DROPS[1]);
}

/// Fills a list over several blocks, drains most of it (the drained blocks retired,
/// one kept as the spare and reused), fills it again, and drops it with messages in
/// it: FIFO throughout, and every message dropped once. For a small message (long
/// blocks) and a big one (short blocks).
fn churn_then_drop<T>(make: impl Fn(usize) -> T, id: impl Fn(&T) -> usize) {
    let cap = block_cap::<T>();
    let q = ListQueue::new();
    let (mut sent, mut received) = (0, 0);
    for (push, pop) in [(3 * cap + 1, 2 * cap + 3), (2 * cap, cap), (cap / 2, 0)] {
        for _ in 0..push {
            q.try_push(make(sent))
                .unwrap_or_else(|_| panic!("unbounded"));
            sent += 1;
        }
        for _ in 0..pop {
            let m = q.try_pop().unwrap().expect("a message");
            assert_eq!(id(&m), received, "FIFO");
            received += 1;
        }
    }
    assert_eq!(q.len(), sent - received);
}

#[test]
fn a_list_reuses_drained_blocks_and_drops_what_is_left() {
    static BIG: AtomicUsize = AtomicUsize::new(0);
    /// A big message: short blocks. (The `Counted` counts its drop.)
    struct Big(#[allow(dead_code)] Counted, usize, [u8; 200]);
    assert!(
        block_cap::<Big>() < block_cap::<usize>(),
        "long blocks for small messages"
    );
    churn_then_drop(|i| i, |&m| m);
    churn_then_drop(
        |i| Big(Counted(&BIG), i, [i as u8; 200]),
        |m| {
            assert!(m.2.iter().all(|&x| x == m.1 as u8), "intact");
            m.1
        },
    );
    let cap = block_cap::<Big>();
    assert_eq!(BIG.load(Ordering::SeqCst), 3 * cap + 1 + 2 * cap + cap / 2);
}

#[test]
fn an_open_receive_claim_leaks_its_message_and_nothing_else() {
    static DROPS: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];
    for (q, drops) in [
        Box::new(ArrayQueue::new(3)) as Box<dyn Queue<Counted>>,
        Box::new(ListQueue::new()),
    ]
    .into_iter()
    .zip(&DROPS)
    {
        for _ in 0..3 {
            q.try_push(Counted(drops))
                .unwrap_or_else(|_| panic!("room"));
        }
        let mut r = Reservation::default();
        assert!(q.reserve_recv(&mut r));
        assert_eq!(q.len(), 2);
        drop(q);
        assert_eq!(drops.load(Ordering::SeqCst), 2, "the claimed one leaks");
    }
}

#[test]
fn a_forgotten_held_send_does_not_stop_the_messages_behind_it() {
    for q in [
        Box::new(ArrayQueue::new(4)) as Box<dyn Queue<u32>>,
        Box::new(ListQueue::new()),
    ] {
        let mut r = Reservation::default();
        assert!(q.reserve_send(&mut r));
        // SAFETY: an uncompleted send claim of `q`, then never completed.
        unsafe { q.hold_send(&mut r) };
        assert_eq!(q.try_pop(), Ok(None), "alone, it is not a message yet");
        q.try_push(1).unwrap();
        q.try_push(2).unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q.try_pop(), Ok(Some(1)), "revoked, not waited for");
        assert_eq!(q.try_pop(), Ok(Some(2)));
        assert_eq!(q.try_pop(), Ok(None));
        q.try_push(3).unwrap();
        assert_eq!(q.try_pop(), Ok(Some(3)));
    }
}

#[test]
fn a_late_write_of_a_revoked_send_is_handed_back_to_be_sent_afresh() {
    let q = ArrayQueue::new(2);
    let mut r = Reservation::default();
    assert!(q.reserve_send(&mut r));
    // SAFETY: an uncompleted send claim of `q`.
    unsafe { q.hold_send(&mut r) };
    q.try_push(10).unwrap();
    assert_eq!(q.try_pop(), Ok(Some(10)));
    q.try_push(11).unwrap();
    q.try_push(12).unwrap();
    // SAFETY: completed once.
    assert_eq!(unsafe { q.write(&mut r, 9) }, Err(9));
    assert!(r.revoked() && !r.is_disconnected());
    assert_eq!(
        q.try_push(9),
        Err(PushError::Full(9)),
        "the ring filled up since"
    );
    assert_eq!((q.try_pop(), q.try_pop()), (Ok(Some(11)), Ok(Some(12))));
}

#[test]
fn an_abandoned_send_is_no_message() {
    for q in [
        Box::new(ArrayQueue::new(1)) as Box<dyn Queue<u32>>,
        Box::new(ArrayQueue::new(8)),
        Box::new(ListQueue::new()),
    ] {
        for hold in [false, true] {
            let mut r = Reservation::default();
            assert!(q.reserve_send(&mut r));
            if hold {
                // SAFETY: an uncompleted send claim of `q`.
                unsafe { q.hold_send(&mut r) };
            }
            // SAFETY: completed once.
            unsafe { q.abandon(&mut r) };
            assert_eq!(q.len(), 0, "held: {hold}");
            assert!(q.is_empty() && !q.is_full() && q.can_send(), "held: {hold}");
            assert!(!q.can_recv());
            q.try_push(5).unwrap();
            assert_eq!(q.len(), 1);
            assert_eq!(q.try_pop(), Ok(Some(5)));
            assert_eq!(q.try_pop(), Ok(None));
        }
    }
}

/// Every block's last slot a hole (a send claimed there and given up): the receiver
/// that skips it runs the block's reclaim, as a read of it would (Miri checks those
/// reclaims; the memory they save is not observable here). Every message arrives
/// once, in order, and each is dropped once.
#[test]
fn holes_in_every_last_slot_still_reclaim_their_blocks() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    let q = ListQueue::new();
    let cap = block_cap::<(usize, Counted)>();
    let blocks = if cfg!(miri) { 3 } else { 40 };
    let mut next = 0;
    for _ in 0..blocks {
        for _ in 0..cap - 1 {
            q.try_push((next, Counted(&DROPS)))
                .unwrap_or_else(|_| panic!("unbounded"));
            next += 1;
        }
        let mut r = Reservation::default();
        assert!(q.reserve_send(&mut r));
        // SAFETY: an uncompleted send claim of `q`, completed once.
        unsafe { q.abandon(&mut r) };
    }
    for expected in 0..next {
        let (got, _) = q.try_pop().expect("connected").expect("a message");
        assert_eq!(got, expected);
    }
    assert_eq!(q.try_pop().expect("connected").map(|m| m.0), None);
    assert_eq!(DROPS.load(Ordering::SeqCst), next);
    drop(q);
    assert_eq!(DROPS.load(Ordering::SeqCst), next);
}
