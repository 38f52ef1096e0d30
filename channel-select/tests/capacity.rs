//! `capacity`, `len`, `is_full` and `is_empty` on both ends, per flavor.

mod common;

use channel_select::{bounded, unbounded, TrySendError};
use common::{Flavor, FLAVORS};

#[test]
fn capacity_is_reported_on_both_ends() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        assert_eq!(s.capacity(), flavor.capacity(), "{flavor:?}");
        assert_eq!(r.capacity(), flavor.capacity(), "{flavor:?}");
        let s2 = s.clone();
        assert_eq!(s2.capacity(), flavor.capacity(), "{flavor:?}");
    }
    assert_eq!(bounded::<u8>(1000).0.capacity(), Some(1000));
}

#[test]
fn rendezvous_is_always_full_and_empty() {
    let (s, r) = bounded::<i32>(0);
    for _ in 0..2 {
        assert_eq!(s.len(), 0);
        assert_eq!(r.len(), 0);
        assert!(s.is_empty() && r.is_empty());
        assert!(s.is_full() && r.is_full());
        // No receiver is waiting: try_send cannot hand the message over.
        assert_eq!(s.try_send(7), Err(TrySendError::Full(7)));
    }
}

#[test]
fn bounded_one_fills_and_empties() {
    let (s, r) = bounded::<String>(1);
    assert!(s.is_empty() && !s.is_full());
    assert_eq!(r.len(), 0);
    s.send("a".into()).unwrap();
    assert_eq!((s.len(), r.len()), (1, 1));
    assert!(s.is_full() && r.is_full());
    assert!(!s.is_empty() && !r.is_empty());
    match s.try_send("b".into()) {
        Err(TrySendError::Full(m)) => assert_eq!(m, "b"),
        other => panic!("expected Full, got {other:?}"),
    }
    assert_eq!(r.len(), 1, "a failed try_send must not change the length");
    assert_eq!(r.recv().unwrap(), "a");
    assert!(r.is_empty() && !r.is_full());
    assert_eq!(s.len(), 0);
}

#[test]
fn bounded_n_len_tracks_every_step_with_wraparound() {
    let cap = 5;
    let (s, r) = bounded::<usize>(cap);
    let mut expected_len = 0;
    let mut next_send = 0;
    let mut next_recv = 0;
    // Walk the ring many times round, at different fill levels.
    for round in 0..60 {
        let fill = round % (cap + 1);
        while expected_len < fill {
            s.try_send(next_send).unwrap();
            next_send += 1;
            expected_len += 1;
            assert_eq!(s.len(), expected_len);
            assert_eq!(r.len(), expected_len);
            assert_eq!(s.is_full(), expected_len == cap);
            assert_eq!(r.is_empty(), expected_len == 0);
        }
        if expected_len == cap {
            assert_eq!(s.try_send(usize::MAX), Err(TrySendError::Full(usize::MAX)));
            assert_eq!(r.len(), cap);
        }
        while expected_len > fill / 2 {
            assert_eq!(r.try_recv(), Ok(next_recv));
            next_recv += 1;
            expected_len -= 1;
            assert_eq!(r.len(), expected_len);
            assert!(!r.is_full());
        }
    }
}

#[test]
fn unbounded_is_never_full() {
    let (s, r) = unbounded::<u32>();
    assert!(!s.is_full());
    assert!(s.is_empty());
    for i in 0..10_000u32 {
        s.try_send(i).unwrap();
        assert!(!s.is_full());
    }
    assert_eq!(s.len(), 10_000);
    assert_eq!(r.len(), 10_000);
    assert!(!r.is_empty());
    for _ in 0..4_000 {
        r.recv().unwrap();
    }
    assert_eq!(r.len(), 6_000);
    assert_eq!(r.try_iter().count(), 6_000);
    assert!(r.is_empty());
    assert_eq!(s.len(), 0);
}

#[test]
fn try_send_full_in_every_bounded_flavor_hands_back_the_message() {
    for flavor in [Flavor::Zero, Flavor::One, Flavor::Bounded(16)] {
        let (s, r) = flavor.make::<Vec<u8>>();
        for i in 0..flavor.buffer() {
            s.try_send(vec![i as u8]).unwrap();
        }
        assert!(s.is_full(), "{flavor:?}");
        let err = s.try_send(vec![1, 2, 3]).unwrap_err();
        assert!(err.is_full(), "{flavor:?}");
        assert!(!err.is_disconnected(), "{flavor:?}");
        assert_eq!(err.into_inner(), vec![1, 2, 3]);
        assert_eq!(r.len(), flavor.buffer());
    }
}

#[test]
fn len_is_consistent_after_disconnection() {
    let (s, r) = bounded::<u8>(4);
    s.send(1).unwrap();
    s.send(2).unwrap();
    drop(s);
    assert_eq!(r.len(), 2);
    assert!(!r.is_empty());
    r.recv().unwrap();
    assert_eq!(r.len(), 1);
    r.recv().unwrap();
    assert!(r.is_empty());
}
