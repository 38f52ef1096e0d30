//! Memory stays flat over long runs of waits that time out: registering, parking and
//! unregistering 100,000 times holds no more than a wait list's first growth (a flume
//! bug grew without bound here). And an unbounded channel drained after a burst keeps
//! no more than its spare blocks' budget. Counted by the shared counting allocator,
//! which counts every thread: so this file holds one test, run alone.

mod common;

#[path = "support/counting.rs"]
mod counting;

use common::{iters, Flavor, FLAVORS};
use std::time::Duration;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

#[test]
fn timed_out_waits_do_not_grow_memory() {
    timed_out_receives();
    timed_out_sends_and_selections();
    drained_lists_keep_a_bounded_spare();
}

fn timed_out_receives() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u64>();
        // Warm up: the thread's wait context, the wait list's capacity.
        for _ in 0..10 {
            assert!(r.recv_timeout(Duration::from_micros(50)).is_err());
        }
        let rounds = iters(25_000);
        let (grown, ()) = counting::live_bytes_in(|_| {
            for _ in 0..rounds {
                assert!(r.recv_timeout(Duration::from_micros(20)).is_err());
            }
        });
        assert!(
            grown <= 256,
            "{flavor:?}: {rounds} timed-out receives left {grown} bytes allocated"
        );
        drop(s);
    }
}

fn timed_out_sends_and_selections() {
    // (An unbounded channel never makes a send wait.)
    for flavor in [Flavor::Zero, Flavor::One, Flavor::Bounded(16)] {
        let (s, r) = flavor.make::<u64>();
        while s.try_send(0).is_ok() {} // full (a rendezvous always is)
        let (_keep, idle) = flavor.make::<u64>();
        let mut sel = channel_select::Select::new();
        sel.send(&s);
        sel.recv(&idle);
        for _ in 0..10 {
            assert!(s.send_timeout(1, Duration::from_micros(50)).is_err());
            assert!(sel.select_timeout(Duration::from_micros(50)).is_err());
        }
        let rounds = iters(5_000);
        let (grown, ()) = counting::live_bytes_in(|_| {
            for _ in 0..rounds {
                assert!(s.send_timeout(1, Duration::from_micros(20)).is_err());
                assert!(sel.select_timeout(Duration::from_micros(20)).is_err());
            }
        });
        assert!(
            grown <= 256,
            "{flavor:?}: {rounds} timed-out sends and selections left {grown} bytes"
        );
        drop(r);
    }
}

/// An unbounded channel of `u64` (1 KiB blocks of 63) filled with 10,000 messages (200
/// under Miri: past the first block, which the list allocates when it is made) and
/// drained keeps at most its spare budget (8 KiB) and two blocks (its last one, and the
/// one before it until the next reclaim); a second burst reuses them and grows nothing.
fn drained_lists_keep_a_bounded_spare() {
    let (s, r) = channel_select::unbounded::<u64>();
    let burst = |n: u64| {
        (0..n).for_each(|i| s.send(i).unwrap());
        assert_eq!(
            (0..n).map(|_| r.recv().unwrap()).sum::<u64>(),
            n * (n - 1) / 2
        );
    };
    let n = iters(10_000).max(200) as u64;
    let (first, ()) = counting::live_bytes_in(|_| burst(n));
    assert!(
        (1024..=8 * 1024 + 2 * 1024).contains(&first),
        "a drained list holds {first} bytes"
    );
    let (second, ()) = counting::live_bytes_in(|_| burst(n));
    assert!(second <= 0, "a second burst grew {second} bytes");
}
