//! Messages of one sender arrive in the order it sent them, in every flavor.

mod common;

use common::{iters, Flavor, BUFFERED, FLAVORS};
use std::thread;

/// One thread sends, the same thread receives: strict FIFO.
#[test]
fn single_thread_fifo_in_buffered_flavors() {
    for flavor in BUFFERED {
        let n = flavor.buffer().min(1000);
        let (s, r) = flavor.make::<usize>();
        for round in 0..5 {
            for i in 0..n {
                s.send(round * n + i).unwrap();
            }
            for i in 0..n {
                assert_eq!(r.recv(), Ok(round * n + i), "{flavor:?}");
            }
        }
        assert!(r.try_recv().is_err());
    }
}

/// Many messages through an unbounded channel (crossing many internal blocks) keep their order.
#[test]
fn unbounded_long_run_keeps_order() {
    let n = if cfg!(miri) { 400 } else { 50_000 };
    let (s, r) = Flavor::Unbounded.make::<usize>();
    for i in 0..n {
        s.send(i).unwrap();
    }
    assert_eq!(r.len(), n);
    for i in 0..n {
        assert_eq!(r.try_recv(), Ok(i));
    }
    // Interleaved: the receiver chases the sender, always taking the oldest message.
    let mut got = Vec::new();
    for i in 0..n {
        s.send(i).unwrap();
        if i % 3 == 0 {
            got.push(r.try_recv().unwrap());
        }
    }
    drop(s);
    got.extend(r.iter());
    assert_eq!(got, (0..n).collect::<Vec<_>>());
}

#[test]
fn a_receiver_keeping_up_with_a_streaming_sender_gets_everything_in_order() {
    // The receiver catches up with the sender again and again: on an unbounded
    // channel it then lets the sender run ahead for a moment (see `catch_up` in
    // `flavors/queued.rs`). Order and count hold through it, and a message sent after
    // the stream stops arrives promptly (a slip ends when the sender stops).
    let rounds = if cfg!(miri) { 2 } else { 10 };
    let n = iters(20_000);
    for _ in 0..rounds {
        let (s, r) = Flavor::Unbounded.make::<usize>();
        let (done_tx, done_rx) = Flavor::Unbounded.make::<()>();
        let sender = thread::spawn(move || {
            for i in 0..n {
                s.send(i).unwrap();
            }
            done_rx.recv().unwrap();
            thread::sleep(std::time::Duration::from_millis(2));
            s.send(n).unwrap();
        });
        for i in 0..n {
            assert_eq!(r.recv(), Ok(i));
        }
        done_tx.send(()).unwrap();
        let start = std::time::Instant::now();
        assert_eq!(r.recv(), Ok(n));
        let waited = start.elapsed();
        assert!(
            waited < std::time::Duration::from_secs(1),
            "the last message took {waited:?}"
        );
        assert!(r.recv().is_err(), "the sender is gone");
        sender.join().unwrap();
    }
}

/// One receiver sees each of several concurrent senders' messages in that sender's order.
fn per_sender_fifo(flavor: Flavor, senders: usize, per_sender: usize) {
    let (s, r) = flavor.make::<(usize, usize)>();
    let handles: Vec<_> = (0..senders)
        .map(|id| {
            let s = s.clone();
            thread::spawn(move || {
                for seq in 0..per_sender {
                    s.send((id, seq)).unwrap();
                }
            })
        })
        .collect();
    drop(s);
    let mut next = vec![0usize; senders];
    for (id, seq) in r.iter() {
        assert_eq!(seq, next[id], "{flavor:?}: sender {id} out of order");
        next[id] += 1;
    }
    for h in handles {
        h.join().unwrap();
    }
    assert!(
        next.iter().all(|&n| n == per_sender),
        "{flavor:?}: {next:?}"
    );
}

#[test]
fn per_sender_fifo_zero() {
    per_sender_fifo(Flavor::Zero, 4, iters(2_000));
}

#[test]
fn per_sender_fifo_one() {
    per_sender_fifo(Flavor::One, 4, iters(5_000));
}

#[test]
fn per_sender_fifo_bounded() {
    per_sender_fifo(Flavor::Bounded(16), 4, iters(10_000));
}

#[test]
fn per_sender_fifo_unbounded() {
    per_sender_fifo(Flavor::Unbounded, 4, iters(10_000));
}

/// With several receivers, each receiver still sees each sender's messages in order
/// (a receiver can only skip messages other receivers took, never reorder them).
#[test]
fn per_sender_order_seen_by_each_of_several_receivers() {
    for flavor in FLAVORS {
        let per_sender = iters(2_000);
        let (s, r) = flavor.make::<(usize, usize)>();
        let senders: Vec<_> = (0..3)
            .map(|id| {
                let s = s.clone();
                thread::spawn(move || {
                    for seq in 0..per_sender {
                        s.send((id, seq)).unwrap();
                    }
                })
            })
            .collect();
        drop(s);
        let receivers: Vec<_> = (0..3)
            .map(|_| {
                let r = r.clone();
                thread::spawn(move || {
                    let mut last = [None::<usize>; 3];
                    let mut got = 0usize;
                    for (id, seq) in r.iter() {
                        if let Some(prev) = last[id] {
                            assert!(seq > prev, "{flavor:?}: sender {id}: {seq} after {prev}");
                        }
                        last[id] = Some(seq);
                        got += 1;
                    }
                    got
                })
            })
            .collect();
        drop(r);
        for h in senders {
            h.join().unwrap();
        }
        let total: usize = receivers.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 3 * per_sender, "{flavor:?}");
    }
}
