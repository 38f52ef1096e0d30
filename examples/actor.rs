//! An actor that holds a weak handle to its own mailbox.
//!
//! Run with `cargo run --release --example actor`.
//!
//! The actor sums numbers in chunks: a `Sum` job of many numbers is split, and the
//! actor mails the rest of the job back to itself, so jobs from several clients
//! interleave fairly instead of one long job holding the others up. To mail itself it
//! needs a sender to its own mailbox. A strong one would keep the mailbox connected
//! forever, and the actor would never learn that its clients are gone. A weak one does
//! not count: when the last client drops its sender, the mailbox disconnects once it
//! is drained, `upgrade` returns `None`, and the actor stops by itself.

use junction::{unbounded, Receiver, Sender, WeakSender};
use std::thread;

/// What the actor's mailbox carries.
enum Msg {
    /// Add `from..to` to client `client`'s total, then report it on `reply`.
    Sum {
        client: usize,
        from: u64,
        to: u64,
        reply: Sender<(usize, u64)>,
        partial: u64,
    },
}

/// Numbers summed per turn before the rest of a job goes back to the mailbox.
const CHUNK: u64 = 1_000;

fn actor(mailbox: Receiver<Msg>, myself: WeakSender<Msg>) -> usize {
    let mut turns = 0;
    // Ends when every client is gone and the mailbox is drained.
    for msg in mailbox.iter() {
        turns += 1;
        let Msg::Sum {
            client,
            from,
            to,
            reply,
            partial,
        } = msg;
        let end = to.min(from + CHUNK);
        let partial = partial + (from..end).sum::<u64>();
        if end == to {
            let _ = reply.send((client, partial));
            continue;
        }
        let rest = Msg::Sum {
            client,
            from: end,
            to,
            reply,
            partial,
        };
        // Still connected while this job's client (or any other) holds a sender, or
        // jobs are still queued: then the rest goes to the back of the line.
        match myself.upgrade() {
            Some(me) => me.send(rest).expect("the actor holds the mailbox"),
            None => unreachable!("a job in hand means its client's sender is alive"),
        }
    }
    turns
}

fn main() {
    let (tx, rx) = unbounded();
    let myself = tx.downgrade();
    let actor = thread::spawn(move || actor(rx, myself));

    let clients: Vec<_> = (0..3)
        .map(|client| {
            let tx = tx.clone();
            thread::spawn(move || {
                let (reply, replies) = unbounded();
                let n = 10_000 * (client as u64 + 1);
                tx.send(Msg::Sum {
                    client,
                    from: 0,
                    to: n,
                    reply,
                    partial: 0,
                })
                .unwrap();
                // Waiting for the answer keeps this client's sender alive.
                let (id, total) = replies.recv().unwrap();
                assert_eq!((id, total), (client, n * (n - 1) / 2));
                println!("client {client}: sum of 0..{n} = {total}");
            })
        })
        .collect();
    drop(tx); // main is not a client
    for c in clients {
        c.join().unwrap();
    }
    let turns = actor.join().unwrap();
    println!("the actor stopped by itself after {turns} turns: its last client was gone");
}
