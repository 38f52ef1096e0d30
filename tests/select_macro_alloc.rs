//! A `select!` performs no heap allocation, whatever its arms (counted here with up to 8).
//!
//! A counting global allocator counts the allocations of the current thread only, so
//! the test harness and helper threads do not disturb the count. Channels are created
//! before counting starts, and blocking forms are warmed up first: a thread's first wait
//! creates its reusable wait context, and the first wait on a channel gives that
//! channel's wait list its capacity, which is kept. What is counted is the steady
//! state, the cost of each `select!` in a loop.

use junction::{bounded, never, select, select_biased, Receiver, Sender};
use std::thread;
use std::time::Duration;

#[path = "../channel-select/tests/support/counting.rs"]
mod counting;

use counting::allocations_in;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

/// Eight bounded channels, the first `ready` of which hold one message each.
fn channels(ready: usize) -> Vec<(Sender<usize>, Receiver<usize>)> {
    (0..8)
        .map(|i| {
            let (s, r) = bounded(4);
            if i < ready {
                s.send(i).unwrap();
            }
            (s, r)
        })
        .collect()
}

/// An eight-arm receive: the shape every test below counts.
fn eight_recv(r: &[&Receiver<usize>]) -> usize {
    select! {
        recv(r[0]) -> m => m.unwrap(),
        recv(r[1]) -> m => m.unwrap(),
        recv(r[2]) -> m => m.unwrap(),
        recv(r[3]) -> m => m.unwrap(),
        recv(r[4]) -> m => m.unwrap(),
        recv(r[5]) -> m => m.unwrap(),
        recv(r[6]) -> m => m.unwrap(),
        recv(r[7]) -> m => m.unwrap(),
    }
}

#[test]
fn eight_ready_receive_arms_do_not_allocate() {
    let chans = channels(8);
    let r: Vec<&Receiver<usize>> = chans.iter().map(|c| &c.1).collect();
    let (n, mut got) = allocations_in(|| {
        let mut got = [usize::MAX; 8];
        for slot in &mut got {
            *slot = eight_recv(&r);
        }
        got
    });
    got.sort_unstable();
    assert_eq!(got, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(n, 0, "eight ready receive arms allocated {n} times");
}

#[test]
fn mixed_arms_guards_and_default_do_not_allocate() {
    let chans = channels(2);
    let (s, r): (Vec<&Sender<usize>>, Vec<&Receiver<usize>>) =
        chans.iter().map(|(s, r)| (s, r)).unzip();
    let on = true;
    let (n, (sent, received, defaults)) = allocations_in(|| {
        let (mut sent, mut received, mut defaults) = (0, 0, 0);
        for round in 0..40 {
            let off = round % 3 == 0;
            select_biased! {
                recv(r[0]) -> m => { m.unwrap(); received += 1; }
                recv(r[1]) -> m, if on => { m.unwrap(); received += 1; }
                send(s[2], round) -> res, if off => { res.unwrap(); sent += 1; }
                send(s[3], round) -> res, if !on => { res.unwrap(); sent += 1; }
                recv(r[4]) -> _ => unreachable!(),
                recv(r[5]) -> _ => unreachable!(),
                recv(r[6]) -> _ => unreachable!(),
                recv(never::<usize>()) -> _ => unreachable!(),
                default => defaults += 1,
            }
        }
        (sent, received, defaults)
    });
    // 2 receives, then 4 sends fill s[2] (cap 4) on rounds where the guard is on
    assert_eq!((received, sent), (2, 4));
    assert_eq!(defaults, 40 - 6);
    assert_eq!(n, 0, "mixed arms allocated {n} times");
}

#[test]
fn single_operation_forms_do_not_allocate() {
    let chans = channels(1);
    let (s, r) = (&chans[1].0, &chans[0].1);
    // Warm up: this thread's first wait, and the first wait on `r`. The message arrives
    // well after `recv` has spun and registered, so the warm-up really parks (a short
    // timeout could expire before registering on a loaded machine).
    assert_eq!(r.try_recv(), Ok(0), "`channels` leaves one message in each");
    thread::scope(|scope| {
        let s0 = chans[0].0.clone();
        scope.spawn(move || {
            thread::sleep(Duration::from_millis(50));
            s0.send(7).unwrap();
        });
        assert_eq!(r.recv(), Ok(7));
    });
    let (n, ()) = allocations_in(|| {
        chans[0].0.send(0).unwrap();
        select! { recv(r) -> m => assert_eq!(m, Ok(0)) }
        select! { recv(r) -> _ => unreachable!(), default => {} }
        select! {
            recv(r) -> _ => unreachable!(),
            default(Duration::from_millis(1)) => {}
        }
        select! { send(s, 1) -> res => res.unwrap() }
        select! { send(s, 2) -> res => res.unwrap(), default => unreachable!() }
        let v = 3;
        select! { send(s, v) -> res => res.unwrap(), default => unreachable!() }
        select! { send(s, 4) -> res => res.unwrap(), default(Duration::from_millis(1)) => {} }
    });
    assert_eq!(chans[1].1.try_iter().collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(n, 0, "single-operation forms allocated {n} times");
}

#[test]
fn blocking_and_timed_out_selections_do_not_allocate_once_warm() {
    let chans = channels(0);
    let r: Vec<&Receiver<usize>> = chans.iter().map(|c| &c.1).collect();
    let timed_out = || {
        select! {
            recv(r[0]) -> _ => unreachable!(),
            recv(r[1]) -> _ => unreachable!(),
            recv(r[2]) -> _ => unreachable!(),
            recv(r[3]) -> _ => unreachable!(),
            recv(r[4]) -> _ => unreachable!(),
            recv(r[5]) -> _ => unreachable!(),
            recv(r[6]) -> _ => unreachable!(),
            recv(r[7]) -> _ => unreachable!(),
            default(Duration::from_millis(5)) => true,
        }
    };
    // warm up (see the module comment)
    assert!(timed_out());
    let (n, ok) = allocations_in(|| (0..3).all(|_| timed_out()));
    assert!(ok);
    assert_eq!(n, 0, "a timed-out select allocated {n} times");

    thread::scope(|scope| {
        for round in 0..3 {
            let s = chans[7 - round].0.clone();
            scope.spawn(move || {
                thread::sleep(Duration::from_millis(10));
                s.send(100 + round).unwrap();
            });
            let (n, got) = allocations_in(|| eight_recv(&r));
            assert_eq!(got, 100 + round);
            assert_eq!(n, 0, "a blocked select allocated {n} times");
        }
    });
}

#[test]
fn selections_over_every_flavor_do_not_allocate_once_warm() {
    // One channel of each flavor: rendezvous, bounded(1), bounded(16), unbounded.
    let chans: Vec<(Sender<usize>, Receiver<usize>)> =
        vec![bounded(0), bounded(1), bounded(16), junction::unbounded()];
    let r: Vec<&Receiver<usize>> = chans.iter().map(|c| &c.1).collect();
    let four = || {
        select! {
            recv(r[0]) -> m => m.unwrap(),
            recv(r[1]) -> m => m.unwrap(),
            recv(r[2]) -> m => m.unwrap(),
            recv(r[3]) -> m => m.unwrap(),
            default(Duration::from_millis(2)) => usize::MAX,
        }
    };
    // warm up (see the module comment), including a wake-up by each flavor
    assert_eq!(four(), usize::MAX);
    thread::scope(|scope| {
        for (i, (s, _)) in chans.iter().enumerate() {
            let s = s.clone();
            scope.spawn(move || {
                thread::sleep(Duration::from_millis(20));
                s.send(i).unwrap();
            });
            let got = loop {
                match four() {
                    usize::MAX => continue,
                    got => break got,
                }
            };
            assert_eq!(got, i);
        }
    });
    let (n, timed_out) = allocations_in(|| (0..4).filter(|_| four() == usize::MAX).count());
    assert_eq!(timed_out, 4);
    assert_eq!(
        n, 0,
        "a timed-out select over every flavor allocated {n} times"
    );
    thread::scope(|scope| {
        for (i, (s, _)) in chans.iter().enumerate() {
            let s = s.clone();
            scope.spawn(move || {
                thread::sleep(Duration::from_millis(20));
                s.send(10 + i).unwrap();
            });
            let (n, got) = allocations_in(|| loop {
                match four() {
                    usize::MAX => continue,
                    got => break got,
                }
            });
            assert_eq!(got, 10 + i);
            assert_eq!(n, 0, "a select woken by flavor {i} allocated {n} times");
        }
    });
}

#[test]
fn the_counter_sees_allocations() {
    let (n, v) = allocations_in(|| Vec::<u8>::with_capacity(16));
    assert_eq!(v.capacity(), 16);
    assert_eq!(n, 1);
}
