//! A fan-in pipeline: three producer stages, merged by `select!` into one bounded channel
//! that a slower consumer drains, so the merger is held back (backpressure).
//!
//! Run with `cargo run --release --example pipeline -- [MESSAGES_PER_STAGE] [CAPACITY]`
//! (defaults: 300000 messages per stage, a buffer of 64).
//!
//! Stage `k` sends `k, k + 3, k + 6, ...`, so together the three send every number in
//! `0..3N` once. The merger waits on the three stages with `select!`, a guard turning off
//! each stage once it has disconnected, and forwards every number into `bounded(CAPACITY)`.
//! Its forwarding `select!` tries the send with a `default`: when the buffer is full it
//! counts a stall and then blocks in `send` until the consumer makes room. The consumer
//! does a little work per number. The program prints the throughput, the stalls and the
//! checksum (the sum of all numbers) beside the value it must have, 3N(3N - 1) / 2.

use junction::{bounded, select, Receiver};
use std::time::Instant;
use std::{env, hint, thread};

/// Reads the positional argument `n`, or `default` if it is absent.
fn arg(n: usize, name: &str, default: u64) -> u64 {
    env::args().nth(n).map_or(default, |s| {
        s.parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, got {s:?}"))
    })
}

/// A producer stage: sends `first, first + 3, ...`, `count` numbers in all.
fn stage(first: u64, count: u64) -> Receiver<u64> {
    let (tx, rx) = bounded(256);
    thread::spawn(move || (0..count).for_each(|i| tx.send(first + 3 * i).unwrap()));
    rx
}

fn main() {
    let per_stage = arg(1, "MESSAGES_PER_STAGE", 300_000);
    let capacity = arg(2, "CAPACITY", 64) as usize;
    println!("3 stages x {per_stage} messages, merged into bounded({capacity})");
    let start = Instant::now();

    let (a, b, c) = (
        stage(0, per_stage),
        stage(1, per_stage),
        stage(2, per_stage),
    );
    let (out, merged) = bounded::<u64>(capacity);
    let merger = thread::spawn(move || {
        let (mut open, mut stalls) = ([true; 3], 0u64);
        while open.contains(&true) {
            let next = select! {
                recv(a) -> v, if open[0] => v.map_err(|_| 0),
                recv(b) -> v, if open[1] => v.map_err(|_| 1),
                recv(c) -> v, if open[2] => v.map_err(|_| 2),
            };
            match next {
                Ok(v) => select! {
                    send(out, v) -> res => res.unwrap(),
                    default => {
                        stalls += 1;
                        out.send(v).unwrap();
                    }
                },
                Err(finished) => open[finished] = false,
            }
        }
        stalls
    });

    let (mut count, mut checksum) = (0u64, 0u64);
    for v in merged {
        count += 1;
        checksum += v;
        // the consumer's work: slower than merging, so the buffer fills up
        let mut x = v;
        for _ in 0..64 {
            x = hint::black_box(x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17));
        }
    }
    let stalls = merger.join().unwrap();
    let secs = start.elapsed().as_secs_f64();

    let n = 3 * per_stage;
    let expected = n * n.saturating_sub(1) / 2;
    println!(
        "received {count} messages in {:.0} ms: {:.2} M msg/s",
        secs * 1e3,
        count as f64 / secs / 1e6
    );
    println!("the merger found the buffer full {stalls} times (backpressure)");
    println!("checksum {checksum}, expected {expected}");
    assert_eq!((count, checksum), (n, expected));
}
