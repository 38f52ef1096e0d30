//! The futures hold no heap allocation per poll: a ready receive or send allocates
//! nothing, and a waiting future allocates its context once, at its first wait, then
//! nothing however often it is polled or woken. Counted per thread by a counting global
//! allocator.

mod common;

use channel_select::{bounded, unbounded, Select};
use common::executor::{poll_once, WakeCount};
use std::task::Poll;
use std::thread;

#[path = "support/counting.rs"]
mod counting;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

/// Runs `f` and returns how many allocations this thread made meanwhile.
fn allocations_in(f: impl FnOnce()) -> usize {
    counting::allocations_in(f).0
}

const ROUNDS: usize = 1_000;

#[test]
fn ready_futures_do_not_allocate() {
    let (s, r) = bounded::<u64>(ROUNDS);
    let (_count, waker) = WakeCount::new();
    let n = allocations_in(|| {
        for i in 0..ROUNDS as u64 {
            assert_eq!(poll_once(&mut s.send_async(i), &waker), Poll::Ready(Ok(())));
        }
        for i in 0..ROUNDS as u64 {
            assert_eq!(poll_once(&mut r.recv_async(), &waker), Poll::Ready(Ok(i)));
        }
    });
    assert_eq!(
        n, 0,
        "{n} allocations for {ROUNDS} ready sends and receives"
    );
}

#[test]
fn a_waiting_future_allocates_once_then_never_per_poll() {
    let (s, r) = bounded::<u64>(1);
    let (_count, waker) = WakeCount::new();
    let mut fut = r.recv_async();
    let first = allocations_in(|| assert!(poll_once(&mut fut, &waker).is_pending()));
    assert!(first <= 2, "the first wait allocated {first} times");
    let n = allocations_in(|| {
        for _ in 0..ROUNDS {
            assert!(poll_once(&mut fut, &waker).is_pending());
        }
    });
    assert_eq!(
        n, 0,
        "{n} allocations in {ROUNDS} polls of a waiting future"
    );
    // Woken and re-registered many times, each time by a new future: still nothing
    // (after one round, which makes this thread's pool of task contexts).
    s.send(0).unwrap();
    assert_eq!(poll_once(&mut fut, &waker), Poll::Ready(Ok(0)));
    fut = r.recv_async();
    assert!(poll_once(&mut fut, &waker).is_pending());
    let n = allocations_in(|| {
        for i in 0..ROUNDS as u64 {
            s.send(i).unwrap();
            assert_eq!(poll_once(&mut fut, &waker), Poll::Ready(Ok(i)));
            fut = r.recv_async();
            let _ = poll_once(&mut fut, &waker);
        }
    });
    // A new future that waits reuses the context a finished one left on this thread.
    assert_eq!(n, 0, "{n} allocations for {ROUNDS} waits of new futures");
}

#[test]
fn unbounded_async_traffic_allocates_only_its_blocks() {
    // The list allocates a block per `block_cap` messages at most, and a drained
    // block is kept and reused: with one message in flight, two blocks serve them all.
    // Futures add nothing.
    let (s, r) = unbounded::<u64>();
    let (_count, waker) = WakeCount::new();
    let warm = r.recv_async();
    drop(warm);
    let blocks = 32;
    let n = allocations_in(|| {
        for i in 0..(channel_core::list::block_cap::<u64>() * blocks) as u64 {
            assert_eq!(poll_once(&mut s.send_async(i), &waker), Poll::Ready(Ok(())));
            assert_eq!(poll_once(&mut r.recv_async(), &waker), Poll::Ready(Ok(i)));
        }
    });
    assert!(
        n <= 2,
        "{n} allocations for {blocks} blocks' worth of messages"
    );
    thread::spawn(move || drop(s)).join().unwrap();
}

#[test]
fn a_waiting_selection_does_not_allocate_per_poll() {
    let (_s1, r1) = bounded::<u64>(1);
    let (_s2, r2) = bounded::<u64>(1);
    let (_count, waker) = WakeCount::new();
    let mut sel = Select::new();
    sel.recv(&r1);
    sel.recv(&r2);
    let mut fut = sel.select_async();
    assert!(poll_once(&mut fut, &waker).is_pending());
    let n = allocations_in(|| {
        for _ in 0..ROUNDS {
            assert!(poll_once(&mut fut, &waker).is_pending());
        }
    });
    assert_eq!(
        n, 0,
        "{n} allocations in {ROUNDS} polls of a waiting selection"
    );
}
