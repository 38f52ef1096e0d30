//! Memory stays flat over long runs of waits that time out: registering, parking and
//! unregistering 100,000 times holds no more than a wait list's first growth (a flume
//! bug grew without bound here). Counted by the shared counting allocator, which
//! counts every thread: so this file holds one test, run alone.

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
