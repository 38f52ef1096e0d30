//! A bounded channel applies backpressure: a fast producer waits for a slow consumer.
//!
//! Run with `cargo run --release --example backpressure`.
//!
//! `bounded(2)` holds at most two messages. The producer sends as fast as it can; the
//! consumer takes one message every 100 ms. The first two sends complete at once, then
//! each send waits until the consumer makes room: the timestamps show the producer
//! slowed to the consumer's pace. `bounded(0)` is the rendezvous channel (std's
//! `sync_channel(0)`): every send waits until a receiver takes the message.
//!
//! `std::sync::mpsc::channel()` (junction's `unbounded()`) applies no backpressure at
//! all: its sender never blocks, and a fast producer grows the queue without limit.

use junction::{bounded, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

const STEP: Duration = Duration::from_millis(100);

/// Sends `count` messages as fast as the channel allows and returns when each send
/// completed, measured from `start`.
fn produce(tx: Sender<usize>, count: usize, start: Instant) -> Vec<Duration> {
    (0..count)
        .map(|i| {
            tx.send(i).unwrap();
            let t = start.elapsed();
            println!("  {:>4} ms  sent {i}", t.as_millis());
            t
        })
        .collect()
}

/// Receives every message, sleeping one `STEP` before each receive.
fn consume(rx: Receiver<usize>, start: Instant) -> Vec<usize> {
    let mut got = Vec::new();
    loop {
        thread::sleep(STEP);
        match rx.recv() {
            Ok(i) => {
                println!(
                    "  {:>4} ms          received {i}",
                    start.elapsed().as_millis()
                );
                got.push(i);
            }
            Err(_) => return got,
        }
    }
}

/// Runs one producer and one consumer over `bounded(cap)`; returns the send times.
fn run(cap: usize, count: usize) -> Vec<Duration> {
    println!("bounded({cap}), {count} messages, consumer takes one every {STEP:?}:");
    let (tx, rx) = bounded(cap);
    let start = Instant::now();
    let consumer = thread::spawn(move || consume(rx, start));
    let sent = produce(tx, count, start);
    assert_eq!(consumer.join().unwrap(), (0..count).collect::<Vec<_>>());
    sent
}

fn main() {
    // With room for 2, send i (i >= 2) completes only after the consumer has taken
    // message i - 2, and the consumer takes message k no earlier than (k + 1) * STEP.
    let sent = run(2, 6);
    for (i, t) in sent.iter().enumerate().skip(2) {
        assert!(*t >= STEP * (i as u32 - 1), "send {i} did not wait: {t:?}");
    }
    println!("sends 2 to 5 each waited for the consumer: ok\n");

    // Rendezvous: send i completes only when the consumer takes message i.
    let sent = run(0, 3);
    for (i, t) in sent.iter().enumerate() {
        assert!(*t >= STEP * (i as u32 + 1), "send {i} did not wait: {t:?}");
    }
    println!("every send waited for its receive: ok");
}
