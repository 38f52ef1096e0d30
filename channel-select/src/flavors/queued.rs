//! A buffered channel: a `channel_core::Queue` plus a wait list per side.
//!
//! One implementation serves both the bounded ring and the unbounded list. A thread
//! that finds the queue full (sender) or empty (receiver) spins briefly, then
//! registers in its side's wait list, re-checks the queue, and parks. Whoever changes
//! the queue notifies the other side's list. The re-check after registering and the
//! SeqCst `is_empty` flag of the list (see `waiters`) guarantee no wake-up is lost.
//! A woken thread simply retries: it is not handed a message.

use super::{RecvFlavor, SendFlavor, Token};
use crate::context::{expired, Context, Operation, Selected};
use crate::errors::{RecvTimeoutError, SendTimeoutError};
use crate::waiters::SyncWaker;
use channel_core::sync::Backoff;
use channel_core::Queue;
use std::time::Instant;

/// A buffered channel over the queue `Q`.
pub(crate) struct Queued<Q> {
    /// The messages.
    queue: Q,
    /// Senders waiting for room.
    senders: SyncWaker,
    /// Receivers waiting for a message.
    receivers: SyncWaker,
}

impl<Q> Queued<Q> {
    /// A channel over `queue`.
    pub(crate) fn new(queue: Q) -> Self {
        Queued {
            queue,
            senders: SyncWaker::default(),
            receivers: SyncWaker::default(),
        }
    }
}

/// Parks the current thread in `waker` until woken or `deadline`, unless `ready()`
/// turns true once registered (then it does not park at all).
fn block(waker: &SyncWaker, oper: Operation, deadline: Option<Instant>, ready: impl Fn() -> bool) {
    Context::with(|cx| {
        waker.register(oper, cx);
        // Re-check after registering: a peer that changed the queue before seeing our
        // registration would not wake us.
        if ready() {
            let _ = cx.try_select(Selected::Aborted);
        }
        match cx.wait_until(deadline) {
            Selected::Waiting => unreachable!("wait_until returned while waiting"),
            // Claimed by a notification: the entry was removed by the notifier.
            Selected::Operation(_) => {}
            Selected::Aborted | Selected::Disconnected => {
                waker.unregister(oper);
            }
        }
    });
}

impl<T, Q: Queue<T>> RecvFlavor<T> for Queued<Q> {
    #[inline]
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        let mut token = Token::default();
        loop {
            let backoff = Backoff::new();
            loop {
                if self.start_recv(&mut token) {
                    // SAFETY: filled by `start_recv` on this channel just now.
                    return unsafe { self.read(&mut token) }
                        .map_err(|()| RecvTimeoutError::Disconnected);
                }
                if backoff.is_completed() {
                    break;
                }
                backoff.snooze();
            }
            if deadline.is_some_and(expired) {
                return Err(RecvTimeoutError::Timeout);
            }
            let oper = Operation::hook(&mut token);
            block(&self.receivers, oper, deadline, || self.is_ready_recv());
        }
    }

    fn len(&self) -> usize {
        self.queue.len()
    }
    fn capacity(&self) -> Option<usize> {
        self.queue.capacity()
    }
    fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
    fn is_full(&self) -> bool {
        self.queue.is_full()
    }

    fn disconnect(&self) -> bool {
        if self.queue.disconnect() {
            self.senders.disconnect();
            self.receivers.disconnect();
            true
        } else {
            false
        }
    }

    fn is_disconnected(&self) -> bool {
        self.queue.is_disconnected()
    }

    #[inline]
    fn start_recv(&self, token: &mut Token) -> bool {
        self.queue.reserve_recv(&mut token.queue)
    }

    #[inline]
    unsafe fn read(&self, token: &mut Token) -> Result<T, ()> {
        // SAFETY: forwarded from the caller: `token.queue` was reserved on `self.queue`.
        let res = unsafe { self.queue.read(&mut token.queue) };
        if res.is_ok() {
            self.senders.notify();
        }
        res
    }

    fn register_recv(&self, oper: Operation, cx: &Context) -> bool {
        self.receivers.register(oper, cx);
        self.is_ready_recv()
    }
    fn unregister_recv(&self, oper: Operation) {
        self.receivers.unregister(oper);
    }
    fn accept_recv(&self, token: &mut Token, _cx: &Context) -> bool {
        self.start_recv(token)
    }
    fn is_ready_recv(&self) -> bool {
        !self.queue.is_empty() || self.queue.is_disconnected()
    }
    fn watch_recv(&self, oper: Operation, cx: &Context) -> bool {
        self.receivers.watch(oper, cx);
        self.is_ready_recv()
    }
    fn unwatch_recv(&self, oper: Operation) {
        self.receivers.unwatch(oper);
    }
}

impl<T, Q: Queue<T>> SendFlavor<T> for Queued<Q> {
    #[inline]
    fn send(&self, msg: T, deadline: Option<Instant>) -> Result<(), SendTimeoutError<T>> {
        let mut token = Token::default();
        loop {
            let backoff = Backoff::new();
            loop {
                if self.start_send(&mut token) {
                    // SAFETY: filled by `start_send` on this channel just now.
                    return unsafe { self.write(&mut token, msg) }
                        .map_err(SendTimeoutError::Disconnected);
                }
                if backoff.is_completed() {
                    break;
                }
                backoff.snooze();
            }
            if deadline.is_some_and(expired) {
                return Err(SendTimeoutError::Timeout(msg));
            }
            let oper = Operation::hook(&mut token);
            block(&self.senders, oper, deadline, || self.is_ready_send());
        }
    }

    #[inline]
    fn start_send(&self, token: &mut Token) -> bool {
        self.queue.reserve_send(&mut token.queue)
    }

    #[inline]
    unsafe fn write(&self, token: &mut Token, msg: T) -> Result<(), T> {
        // SAFETY: forwarded from the caller: `token.queue` was reserved on `self.queue`.
        let res = unsafe { self.queue.write(&mut token.queue, msg) };
        if res.is_ok() {
            self.receivers.notify();
        }
        res
    }

    unsafe fn abandon_send(&self, token: &mut Token) {
        // SAFETY: forwarded from the caller: `token.queue` was reserved on `self.queue`.
        unsafe { self.queue.abandon(&mut token.queue) };
        // A receiver may be waiting for this slot: let it find the hole and move on.
        self.receivers.notify();
    }

    fn register_send(&self, oper: Operation, cx: &Context) -> bool {
        self.senders.register(oper, cx);
        self.is_ready_send()
    }
    fn unregister_send(&self, oper: Operation) {
        self.senders.unregister(oper);
    }
    fn accept_send(&self, token: &mut Token, _cx: &Context) -> bool {
        self.start_send(token)
    }
    fn is_ready_send(&self) -> bool {
        !self.queue.is_full() || self.queue.is_disconnected()
    }
    fn watch_send(&self, oper: Operation, cx: &Context) -> bool {
        self.senders.watch(oper, cx);
        self.is_ready_send()
    }
    fn unwatch_send(&self, oper: Operation) {
        self.senders.unwatch(oper);
    }
}
