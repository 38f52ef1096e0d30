//! Waiting with a time limit: `recv_timeout`.
//!
//! Run with `cargo run --release --example timeout`.
//!
//! `recv_timeout(d)` waits at most `d` for a message. It returns `Ok(msg)` as soon as one
//! arrives, `Err(RecvTimeoutError::Timeout)` if none came in time (the channel may still
//! deliver later), and `Err(RecvTimeoutError::Disconnected)` at once when the channel is
//! empty and every sender is gone. A worker here answers once at once, then waits for
//! permission before answering again, so the timeout in between is certain.

use junction::{unbounded, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

fn main() {
    let (reply_tx, replies) = unbounded::<&str>();
    let (go_tx, go) = unbounded::<()>();

    let worker = thread::spawn(move || {
        reply_tx.send("first answer").unwrap();
        go.recv().unwrap(); // wait until main allows the second answer
        reply_tx.send("second answer").unwrap();
        // `reply_tx` is dropped here: the channel disconnects.
    });

    // 1. A message is on its way: it arrives well within the limit.
    let got = replies.recv_timeout(Duration::from_secs(5));
    println!("recv_timeout(5 s): {got:?}");
    assert_eq!(got, Ok("first answer"));

    // 2. Nothing comes: the call gives up after the limit.
    let limit = Duration::from_millis(200);
    let start = Instant::now();
    let got = replies.recv_timeout(limit);
    let waited = start.elapsed();
    match got {
        Err(ref e) => println!("recv_timeout(200 ms): {e} after {} ms", waited.as_millis()),
        Ok(msg) => panic!("unexpected message {msg:?}"),
    }
    assert_eq!(got, Err(RecvTimeoutError::Timeout));
    assert!(waited >= limit, "returned early, after {waited:?}");
    assert!(waited < Duration::from_secs(2), "overslept: {waited:?}");

    // 3. A timeout loses nothing: the next answer still arrives.
    go_tx.send(()).unwrap();
    let got = replies.recv_timeout(Duration::from_secs(5));
    println!("recv_timeout(5 s) after the go-ahead: {got:?}");
    assert_eq!(got, Ok("second answer"));

    // 4. The worker is gone: Disconnected, without waiting out the 5 s.
    worker.join().unwrap();
    let start = Instant::now();
    let got = replies.recv_timeout(Duration::from_secs(5));
    let waited = start.elapsed();
    println!(
        "recv_timeout(5 s) after the worker ended: {got:?} after {} ms",
        waited.as_millis()
    );
    assert_eq!(got, Err(RecvTimeoutError::Disconnected));
    assert!(
        waited < Duration::from_secs(2),
        "waited for nothing: {waited:?}"
    );
}
