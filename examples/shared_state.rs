//! Sharing state between threads with `Arc`, and reporting results over a channel.
//!
//! Run with `cargo run --release --example shared_state`.
//!
//! Four workers read one configuration, shared as an `Arc<Vec<u64>>` (read-only, so no
//! lock is needed), and bump a shared counter of processed items, an `Arc<Mutex<u64>>`.
//! Each worker sends its partial sum to the main thread over a channel; the main thread
//! adds them up and checks the total against the closed form.

use junction::unbounded;
use std::sync::{Arc, Mutex};
use std::thread;

const WORKERS: usize = 4;
const ITEMS: u64 = 10_000;

fn main() {
    let numbers: Arc<Vec<u64>> = Arc::new((1..=ITEMS).collect());
    let processed = Arc::new(Mutex::new(0u64));
    let (report_tx, report_rx) = unbounded::<(usize, u64)>();

    let mut handles = Vec::new();
    for id in 0..WORKERS {
        let numbers = Arc::clone(&numbers);
        let processed = Arc::clone(&processed);
        let report_tx = report_tx.clone();
        handles.push(thread::spawn(move || {
            // Worker `id` takes every WORKERS-th number, starting at index `id`.
            let mine: Vec<u64> = numbers.iter().copied().skip(id).step_by(WORKERS).collect();
            let partial: u64 = mine.iter().sum();
            *processed.lock().unwrap() += mine.len() as u64;
            report_tx.send((id, partial)).unwrap();
        }));
    }
    // Drop main's sender so the loop below ends once every worker has reported.
    drop(report_tx);

    let mut total = 0;
    let mut reports = 0;
    for (id, partial) in report_rx {
        println!("worker {id} reports a partial sum of {partial}");
        total += partial;
        reports += 1;
    }
    for handle in handles {
        handle.join().unwrap();
    }

    let processed = *processed.lock().unwrap();
    println!("{reports} reports, {processed} items processed, total {total}");
    assert_eq!(reports, WORKERS);
    assert_eq!(processed, ITEMS);
    assert_eq!(total, ITEMS * (ITEMS + 1) / 2);
    // Every worker's clone of the configuration is gone with its thread.
    assert_eq!(Arc::strong_count(&numbers), 1);
    println!("expected total {}: ok", ITEMS * (ITEMS + 1) / 2);
}
