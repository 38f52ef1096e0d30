//! Several producers, one consumer: each producer owns a clone of the `Sender`.
//!
//! Run with `cargo run --release --example producers`.
//!
//! The consumer iterates over the receiver; the loop ends when the channel is empty and
//! every sender has been dropped. The original `tx` must be dropped too, or the loop would
//! wait forever for a message that can never come. Messages from one producer arrive in
//! the order it sent them; messages from different producers interleave.

use junction::unbounded;
use std::thread;
use std::time::Duration;

const PRODUCERS: usize = 3;
const MESSAGES: usize = 5;

fn main() {
    let (tx, rx) = unbounded::<(usize, usize)>();

    // One clone of the sender per producer.
    let senders: Vec<_> = (0..PRODUCERS).map(|_| tx.clone()).collect();
    println!(
        "{} senders (main's plus one per producer)",
        tx.sender_count()
    );
    assert_eq!(tx.sender_count(), PRODUCERS + 1);
    // Drop main's sender: only the producers keep the channel open now.
    drop(tx);

    for (producer, tx) in senders.into_iter().enumerate() {
        thread::spawn(move || {
            for seq in 0..MESSAGES {
                tx.send((producer, seq)).unwrap();
                thread::sleep(Duration::from_millis(10));
            }
            // This producer's sender is dropped here.
        });
    }

    let mut next = [0; PRODUCERS];
    let mut count = 0;
    for (producer, seq) in &rx {
        println!("got message {seq} from producer {producer}");
        // Per-producer FIFO: each producer's messages arrive in order.
        assert_eq!(seq, next[producer]);
        next[producer] += 1;
        count += 1;
    }

    println!("all senders dropped; received {count} messages");
    assert_eq!(count, PRODUCERS * MESSAGES);
    assert!(next.iter().all(|&n| n == MESSAGES));
    assert!(rx.is_disconnected());
}
