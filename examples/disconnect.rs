//! Handling disconnection from both sides of a channel.
//!
//! Run with `cargo run --release --example disconnect`.
//!
//! A channel disconnects when all its receivers or all its senders are dropped, or when
//! either side calls `close()`. Then:
//! - `send` fails with `SendError(msg)`, handing the message back: nothing is lost;
//! - receivers first drain the messages still buffered; after that, `recv()` on the
//!   empty, disconnected channel returns `Err(RecvError)` at once (it does not block,
//!   and it does not panic). `RecvError` carries no reason: only `try_recv()` tells
//!   `Err(TryRecvError::Empty)` (nothing now, senders still alive) from
//!   `Err(TryRecvError::Disconnected)` (nothing now, nothing ever again).

use junction::{bounded, unbounded, RecvError, SendError, TryRecvError};
use std::thread;

fn main() {
    // 1. The receiver is gone: send hands the message back.
    let (tx, rx) = unbounded::<String>();
    drop(rx);
    let err = tx.send(String::from("lost?")).unwrap_err();
    println!(
        "send to a dropped receiver: {err} (message back: {:?})",
        err.0
    );
    assert_eq!(err, SendError(String::from("lost?")));
    assert_eq!(err.into_inner(), "lost?");

    // 2. The senders are gone: buffered messages are still delivered, then RecvError.
    let (tx, rx) = unbounded();
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    drop(tx);
    let results = [rx.recv(), rx.recv(), rx.recv()];
    println!("recv after the sender dropped: {results:?}");
    assert_eq!(results, [Ok(1), Ok(2), Err(RecvError)]);

    // 3. try_recv tells Empty from Disconnected.
    let (tx, rx) = bounded::<i32>(1);
    let empty = rx.try_recv();
    drop(tx);
    let disconnected = rx.try_recv();
    println!("try_recv with a live sender: {empty:?}; after it dropped: {disconnected:?}");
    assert_eq!(empty, Err(TryRecvError::Empty));
    assert_eq!(disconnected, Err(TryRecvError::Disconnected));

    // 4. A worker blocked in recv wakes up when the last sender is dropped.
    let (tx, rx) = unbounded::<u32>();
    let worker = thread::spawn(move || {
        let total: u32 = rx.iter().sum(); // ends at disconnection
        println!("worker saw the disconnection; it summed {total}");
        total
    });
    for n in 1..=10 {
        tx.send(n).unwrap();
    }
    drop(tx);
    assert_eq!(worker.join().unwrap(), 55);

    // 5. close(): disconnect now, while handles on both sides are still alive.
    let (tx, rx) = unbounded();
    tx.send("buffered").unwrap();
    let first = rx.close();
    let second = tx.close();
    println!("close() from the receiver: {first}; again from the sender: {second}");
    assert!(first && !second);
    let refused = tx.send("too late").unwrap_err();
    println!(
        "send after close: {refused} (message back: {:?})",
        refused.0
    );
    assert_eq!(refused, SendError("too late"));
    let drained = [rx.recv(), rx.recv()];
    println!("recv after close: {drained:?}");
    assert_eq!(drained, [Ok("buffered"), Err(RecvError)]);
    assert!(tx.is_disconnected() && rx.is_disconnected());
    println!("all disconnection checks passed");
}
