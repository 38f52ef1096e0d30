//! Fan-in: N producers, each with its own channel, merged by one consumer with `Select`.
//!
//! Run with `cargo run --release --example fan_in -- PRODUCERS MESSAGES_PER_PRODUCER`
//! (defaults: 4 producers, 250000 messages each).
//!
//! The number of channels is known only at run time, so the consumer builds a dynamic
//! `Select` over a `Vec<Receiver<_>>`: it waits on all of them, receives from whichever
//! is ready, and removes a receiver from the selection once its producer has finished
//! (a disconnected channel is always "ready" and would otherwise be selected forever).
//! At the end it prints the rate and checks the count, the sum and per-producer order.

use junction::{bounded, Receiver, Select};
use std::time::Instant;
use std::{env, thread};

/// Reads the positional argument `n`, or `default` if it is absent.
fn arg(n: usize, name: &str, default: u64) -> u64 {
    match env::args().nth(n) {
        Some(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, got {s:?}")),
        None => default,
    }
}

fn main() {
    let producers = arg(1, "PRODUCERS", 4);
    let per_producer = arg(2, "MESSAGES_PER_PRODUCER", 250_000);
    assert!(producers > 0, "PRODUCERS must be at least 1");
    println!("{producers} producers x {per_producer} messages, merged with Select");

    let start = Instant::now();
    let mut rxs: Vec<Receiver<u64>> = Vec::new();
    for p in 0..producers {
        let (tx, rx) = bounded(1024);
        rxs.push(rx);
        // Producer p sends p * per_producer .. (p + 1) * per_producer, in order.
        thread::spawn(move || {
            for v in p * per_producer..(p + 1) * per_producer {
                tx.send(v).unwrap();
            }
        });
    }

    let mut sel = Select::new();
    for rx in &rxs {
        sel.recv(rx); // the index returned is the receiver's position in `rxs`
    }
    let mut next: Vec<u64> = (0..producers).map(|p| p * per_producer).collect();
    let mut live = rxs.len();
    let (mut count, mut sum) = (0u64, 0u128);
    while live > 0 {
        let op = sel.select();
        let i = op.index();
        match op.recv(&rxs[i]) {
            Ok(v) => {
                assert_eq!(v, next[i], "producer {i} out of order");
                next[i] += 1;
                count += 1;
                sum += u128::from(v);
            }
            Err(_) => {
                // Producer i is done and its channel drained.
                sel.remove(i);
                live -= 1;
            }
        }
    }
    let elapsed = start.elapsed();

    let total = producers * per_producer;
    let rate = count as f64 / elapsed.as_secs_f64();
    println!("received {count} messages in {elapsed:.2?} ({rate:.0} messages/s)");
    assert_eq!(count, total, "message count");
    // The values sent are exactly 0..total, once each.
    let total = u128::from(total);
    assert_eq!(sum, total * total.saturating_sub(1) / 2, "message sum");
    println!("count and sum check: ok (sum = {sum})");
}
