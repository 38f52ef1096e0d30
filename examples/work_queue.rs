//! A work queue: three workers share one `Receiver` (multi-consumer).
//!
//! Run with `cargo run --release --example work_queue`.
//!
//! Every worker holds a clone of the same receiver; each job is delivered to exactly one
//! of them, whichever asks first. Results come back on a second channel. The main thread
//! checks that every job was done exactly once and that the results add up.

use junction::{bounded, unbounded};
use std::thread;
use std::time::Duration;

const WORKERS: usize = 3;
const JOBS: u64 = 100;

fn main() {
    // A small bound: the main thread cannot run far ahead of the workers.
    let (job_tx, job_rx) = bounded::<u64>(4);
    let (result_tx, result_rx) = unbounded::<(usize, u64, u64)>();

    let workers: Vec<_> = (0..WORKERS)
        .map(|id| {
            let jobs = job_rx.clone();
            let results = result_tx.clone();
            thread::spawn(move || {
                // Ends when the job channel is empty and its sender dropped.
                for n in jobs {
                    thread::sleep(Duration::from_millis(1)); // pretend to work
                    results.send((id, n, n * n)).unwrap();
                }
            })
        })
        .collect();
    // Main drops its own copies: the result loop below ends only when every
    // `result_tx` is gone, i.e. when every worker has finished.
    drop(job_rx);
    drop(result_tx);

    for n in 1..=JOBS {
        job_tx.send(n).unwrap();
    }
    drop(job_tx); // no more jobs: workers finish their loops

    let mut per_worker = [0; WORKERS];
    let mut done = Vec::new();
    let mut sum = 0;
    for (id, n, square) in &result_rx {
        assert_eq!(square, n * n);
        per_worker[id] += 1;
        done.push(n);
        sum += square;
    }
    for w in workers {
        w.join().unwrap();
    }

    for (id, count) in per_worker.iter().enumerate() {
        println!("worker {id} did {count} jobs");
    }
    done.sort_unstable();
    assert_eq!(
        done,
        (1..=JOBS).collect::<Vec<_>>(),
        "a job was lost or repeated"
    );
    let expected = JOBS * (JOBS + 1) * (2 * JOBS + 1) / 6;
    println!(
        "{} jobs done once each; sum of squares {sum} (expected {expected})",
        done.len()
    );
    assert_eq!(sum, expected);
}
