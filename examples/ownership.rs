//! Ownership moves into the channel: after `tx.send(msg)`, the sender no longer has `msg`.
//!
//! Run with `cargo run --release --example ownership`.
//!
//! `send` takes its message by value. A `String` sent over a channel moves, with the heap
//! buffer it owns, to the thread that receives it: nothing is copied, and the receiver
//! may change it freely because no one else can see it. The compiler enforces the move;
//! using the value after sending it does not compile:
//!
//! ```text
//! let msg = String::from("hi");
//! tx.send(msg).unwrap();
//! println!("{msg}");
//! // error[E0382]: borrow of moved value: `msg`
//! //     value borrowed here after move
//! ```
//!
//! To keep using a value after sending it, send a clone or an `Arc` (see `shared_state`).

use junction::unbounded;
use std::thread;

fn main() {
    // Each message carries the address of its heap buffer as the sender saw it.
    let (tx, rx) = unbounded::<(usize, String)>();

    let sender = thread::spawn(move || {
        for word in ["moved", "not", "copied"] {
            let msg = String::from(word);
            let addr = msg.as_ptr() as usize;
            tx.send((addr, msg)).unwrap();
            // println!("{msg}"); // error[E0382]: borrow of moved value: `msg`
        }
    });

    let mut received = Vec::new();
    for (sent_addr, mut msg) in rx.iter() {
        // Same buffer on both sides: the String moved, its bytes did not.
        assert_eq!(sent_addr, msg.as_ptr() as usize);
        println!("received {msg:?} in the buffer at {sent_addr:#x} (the sender's buffer)");
        // The receiver owns the String now and may modify it.
        msg.push('!');
        received.push(msg);
    }
    sender.join().unwrap();

    println!("the receiver now owns: {received:?}");
    assert_eq!(received, ["moved!", "not!", "copied!"]);
}
