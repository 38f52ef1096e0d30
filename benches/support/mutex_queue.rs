//! The baseline a careful user writes by hand: a `VecDeque` behind a `Mutex`, two
//! `Condvar`s (not empty, not full), and counted senders and receivers so that each
//! side learns when the other is gone.
//!
//! Invariants, all under the one lock:
//! - the queue holds at most `room` messages: the capacity, or 1 for a rendezvous
//!   channel (the message being handed over), or any number when unbounded;
//! - a thread counted in `recv_waiting` waits on `not_empty`, one counted in
//!   `send_waiting` on `not_full`; a state change notifies only when one waits
//!   (std's `notify_one` is a system call even when nobody waits), after unlocking;
//! - a rendezvous send returns once `taken` passed its ticket: a receiver took it.

use super::{Channel, Flavor, Msg};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The hand-written queue as a benchmarked library; it cannot select.
pub struct MutexCondvar;

/// What the lock guards.
struct State {
    /// The messages sent and not yet received.
    queue: VecDeque<Msg>,
    /// Live [`Sender`]s: at 0, receivers drain the queue and stop.
    senders: usize,
    /// Live [`Receiver`]s: at 0, sends fail.
    receivers: usize,
    /// Messages pushed so far: a rendezvous sender's ticket.
    sent: u64,
    /// Messages received so far: a rendezvous send is complete once past its ticket.
    taken: u64,
    /// Receivers waiting on `not_empty`.
    recv_waiting: usize,
    /// Senders waiting on `not_full` (for room, or for their hand-off).
    send_waiting: usize,
}

/// The channel both sides share.
struct Shared {
    /// The queue and the counts.
    state: Mutex<State>,
    /// Signalled when a message arrives or the last sender leaves.
    not_empty: Condvar,
    /// Signalled when a message leaves or the last receiver leaves.
    not_full: Condvar,
    /// The capacity; `None` when unbounded.
    cap: Option<usize>,
}

impl Shared {
    /// Locks the state.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .expect("no thread panics holding the lock")
    }

    /// How many messages the queue may hold.
    fn room(&self) -> usize {
        self.cap.map_or(usize::MAX, |cap| cap.max(1))
    }

    /// Waits on `not_full`, counted.
    fn wait_not_full<'a>(&self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        state.send_waiting += 1;
        let mut state = self.not_full.wait(state).expect("lock");
        state.send_waiting -= 1;
        state
    }
}

/// The sending side.
pub struct Sender(Arc<Shared>);

/// The receiving side.
pub struct Receiver(Arc<Shared>);

/// A new channel of capacity `cap` (`Some(0)`: rendezvous; `None`: unbounded).
fn channel(cap: Option<usize>) -> (Sender, Receiver) {
    let state = State {
        queue: VecDeque::new(),
        senders: 1,
        receivers: 1,
        sent: 0,
        taken: 0,
        recv_waiting: 0,
        send_waiting: 0,
    };
    let shared = Arc::new(Shared {
        state: Mutex::new(state),
        not_empty: Condvar::new(),
        not_full: Condvar::new(),
        cap,
    });
    (Sender(Arc::clone(&shared)), Receiver(shared))
}

impl Sender {
    /// Sends `msg`, waiting for room (and, on a rendezvous channel, for a receiver to
    /// take it); gives it back if every receiver is gone.
    pub fn send(&self, msg: Msg) -> Result<(), Msg> {
        let shared = &*self.0;
        let mut state = shared.lock();
        while state.queue.len() >= shared.room() {
            if state.receivers == 0 {
                return Err(msg);
            }
            state = shared.wait_not_full(state);
        }
        if state.receivers == 0 {
            return Err(msg);
        }
        state.queue.push_back(msg);
        state.sent += 1;
        let ticket = state.sent;
        let wake = state.recv_waiting > 0;
        if shared.cap == Some(0) {
            // Wake a receiver now: this thread keeps the lock until it waits below.
            if wake {
                shared.not_empty.notify_one();
            }
            while state.taken < ticket {
                if state.receivers == 0 {
                    // Nobody will take it: the queue's one message is ours.
                    return Err(state.queue.pop_back().expect("not taken"));
                }
                state = shared.wait_not_full(state);
            }
            return Ok(());
        }
        drop(state);
        if wake {
            shared.not_empty.notify_one();
        }
        Ok(())
    }
}

impl Receiver {
    /// Receives the oldest message, waiting for one; `None` once every sender is gone
    /// and the queue is empty.
    pub fn recv(&self) -> Option<Msg> {
        let shared = &*self.0;
        let mut state = shared.lock();
        loop {
            if let Some(msg) = state.queue.pop_front() {
                state.taken += 1;
                let wake = state.send_waiting > 0;
                drop(state);
                if wake && shared.cap == Some(0) {
                    // Both the sender of this message and one waiting for room.
                    shared.not_full.notify_all();
                } else if wake {
                    shared.not_full.notify_one();
                }
                return Some(msg);
            }
            if state.senders == 0 {
                return None;
            }
            state.recv_waiting += 1;
            state = shared.not_empty.wait(state).expect("lock");
            state.recv_waiting -= 1;
        }
    }
}

impl Clone for Sender {
    fn clone(&self) -> Sender {
        self.0.lock().senders += 1;
        Sender(Arc::clone(&self.0))
    }
}

impl Clone for Receiver {
    fn clone(&self) -> Receiver {
        self.0.lock().receivers += 1;
        Receiver(Arc::clone(&self.0))
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.senders -= 1;
        if state.senders == 0 {
            drop(state);
            self.0.not_empty.notify_all();
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.receivers -= 1;
        if state.receivers == 0 {
            drop(state);
            self.0.not_full.notify_all();
        }
    }
}

impl Channel for MutexCondvar {
    const NAME: &'static str = "mutex+condvar";
    const MPMC: bool = true;
    type Tx = Sender;
    type Rx = Receiver;

    fn new(flavor: Flavor) -> (Self::Tx, Self::Rx) {
        channel(flavor.capacity())
    }

    fn send(tx: &Self::Tx, msg: Msg) {
        tx.send(msg).expect("a receiver is alive");
    }

    fn recv(rx: &Self::Rx) -> Option<Msg> {
        rx.recv()
    }

    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
}
