//! One message across a thread: the smallest junction program.
//!
//! Run with `cargo run --release --example hello_thread`.
//!
//! A spawned thread sends a greeting and ends; the main thread then receives it.
//! `unbounded()` is junction's counterpart of `std::sync::mpsc::channel()`. Both are
//! *unbounded*: `send` never blocks the sender, whether or not anyone is receiving
//! (it fails only when every receiver is gone). This program shows it by joining the
//! sender thread *before* receiving. A channel whose `send` waits until a receiver takes
//! the message is the rendezvous channel, `bounded(0)` (std's `sync_channel(0)`); see the
//! `backpressure` example.

use junction::unbounded;
use std::thread;

fn main() {
    let (tx, rx) = unbounded();

    let sender = thread::spawn(move || {
        let greeting = String::from("hello from the spawned thread");
        tx.send(greeting).unwrap();
        // `tx` is dropped here, when the thread ends.
    });

    // The sender thread finishes without anyone receiving: its `send` did not wait.
    sender.join().unwrap();
    println!(
        "sender thread finished; {} message(s) waiting in the channel",
        rx.len()
    );
    assert_eq!(rx.len(), 1);

    let received = rx.recv().unwrap();
    println!("main received: {received:?}");
    assert_eq!(received, "hello from the spawned thread");

    // Every sender is gone and the channel is empty, so `recv` returns an error
    // at once instead of blocking forever.
    let after = rx.recv();
    println!("recv() after the sender is gone: {after:?}");
    assert!(after.is_err());
}
