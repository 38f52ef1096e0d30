//! A buffered channel: a `channel_core::Queue` plus a wait list per side.
//!
//! One implementation serves both the bounded ring and the unbounded list. A thread
//! that finds no room (sender) or no message (receiver) spins briefly, then registers
//! in its side's wait list, re-checks the queue, and parks. Whoever changes the queue
//! notifies the other side's list. The re-check after registering (a `SeqCst` look at
//! the queue, `can_send`/`can_recv`) and the `SeqCst` `is_empty` flag of the list (see
//! `waiters`) guarantee no wake-up is lost. A woken thread simply retries: it is not
//! handed a message.
//!
//! A selection's claims are *held* (see `channel_core::queue`): nobody waits for a
//! held send, and a held send that was revoked meanwhile is sent afresh by its late
//! `write` (waiting for room like `send` if the ring has filled up since).
//!
//! When the last receiver goes, the messages still buffered are dropped at once
//! (nobody can receive them any more); a receive claimed by a selection and given up
//! leaves its message in the graveyard, dropped with the channel.

use super::{RecvFlavor, SendFlavor, Token};
use crate::context::{expired, Context, Operation, Selected};
use crate::errors::{RecvTimeoutError, SendTimeoutError, TrySendError};
use crate::waiters::SyncWaker;
use channel_core::sync::{lock, Backoff, Mutex};
use channel_core::{Queue, Version};
use std::time::Instant;

/// A buffered channel of `T` over the queue `Q`.
pub(crate) struct Queued<T, Q> {
    /// The messages.
    queue: Q,
    /// Senders waiting for room.
    senders: SyncWaker,
    /// Receivers waiting for a message.
    receivers: SyncWaker,
    /// Messages of selected receives that were given up (see the module).
    graveyard: Mutex<Vec<T>>,
}

impl<T, Q> Queued<T, Q> {
    /// A channel over `queue`.
    pub(crate) fn new(queue: Q) -> Self {
        Queued {
            queue,
            senders: SyncWaker::default(),
            receivers: SyncWaker::default(),
            graveyard: Mutex::new(Vec::new()),
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

impl<T, Q: Queue<T>> Queued<T, Q> {
    /// Completes a claimed send (a plain one: never revoked) and wakes a receiver.
    ///
    /// # Safety
    /// `token.queue` is an uncompleted send claim of `self.queue`.
    #[inline]
    unsafe fn push(&self, token: &mut Token, msg: T) -> Result<(), T> {
        // SAFETY: guaranteed by the caller.
        let res = unsafe { self.queue.write(&mut token.queue, msg) };
        if res.is_ok() {
            self.receivers.notify();
        }
        res
    }

    /// Sends the message of a revoked held send afresh, like `send` (so it waits for
    /// room if the ring has filled up since its claim).
    #[cold]
    #[inline(never)]
    fn resend(&self, revoked: Result<(), T>) -> Result<(), T> {
        let Err(msg) = revoked else { return Ok(()) };
        self.send(msg, None).map_err(SendTimeoutError::into_inner)
    }

    /// Claims a receive; wakes a sender if the claim freed room on its way.
    #[inline]
    fn reserve_recv(&self, token: &mut Token) -> bool {
        let ok = self.queue.reserve_recv(&mut token.queue);
        if token.queue.freed() {
            self.senders.notify();
        }
        ok
    }
}

impl<T, Q: Queue<T>> RecvFlavor<T> for Queued<T, Q> {
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
            block(&self.receivers, oper, deadline, || self.queue.can_recv());
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

    fn disconnect_receivers(&self) {
        self.disconnect();
        // Nobody can receive what is left: drop it now. Held sends still unwritten are
        // revoked on the way, so their late writes fail and hand their messages back.
        while let Ok(Some(msg)) = self.queue.try_pop() {
            drop(msg);
        }
    }

    fn is_disconnected(&self) -> bool {
        self.queue.is_disconnected()
    }

    #[inline]
    fn start_recv(&self, token: &mut Token) -> bool {
        self.reserve_recv(token)
    }

    fn claim_recv(&self, token: &mut Token) -> bool {
        if !self.reserve_recv(token) {
            return false;
        }
        // SAFETY: a receive claim of this queue, just made, not completed.
        unsafe { self.queue.hold_recv(&mut token.queue) };
        true
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

    unsafe fn abandon_recv(&self, token: &mut Token) {
        // SAFETY: forwarded from the caller.
        if let Ok(msg) = unsafe { self.read(token) } {
            lock(&self.graveyard).push(msg);
        }
    }

    fn register_recv(&self, oper: Operation, cx: &Context) -> bool {
        self.receivers.register(oper, cx);
        self.queue.can_recv()
    }
    fn unregister_recv(&self, oper: Operation) {
        self.receivers.unregister(oper);
    }
    fn accept_recv(&self, token: &mut Token, _cx: &Context, _deadline: Option<Instant>) -> bool {
        self.claim_recv(token)
    }
    fn is_ready_recv(&self) -> bool {
        self.queue.can_recv()
    }
    fn version_recv(&self) -> Version {
        self.queue.version()
    }
    fn watch_recv(&self, oper: Operation, cx: &Context) -> bool {
        self.receivers.watch(oper, cx);
        self.queue.can_recv()
    }
    fn unwatch_recv(&self, oper: Operation) {
        self.receivers.unwatch(oper);
    }
}

impl<T, Q: Queue<T>> SendFlavor<T> for Queued<T, Q> {
    #[inline]
    fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        let mut token = Token::default();
        if !self.start_send(&mut token) {
            return Err(TrySendError::Full(msg));
        }
        // SAFETY: filled by `start_send` on this channel just now.
        unsafe { self.push(&mut token, msg) }.map_err(TrySendError::Disconnected)
    }

    #[inline]
    fn send(&self, msg: T, deadline: Option<Instant>) -> Result<(), SendTimeoutError<T>> {
        let mut token = Token::default();
        loop {
            let backoff = Backoff::new();
            loop {
                if self.start_send(&mut token) {
                    // SAFETY: filled by `start_send` on this channel just now.
                    return unsafe { self.push(&mut token, msg) }
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
            block(&self.senders, oper, deadline, || self.queue.can_send());
        }
    }

    #[inline]
    fn start_send(&self, token: &mut Token) -> bool {
        self.queue.reserve_send(&mut token.queue)
    }

    fn claim_send(&self, token: &mut Token) -> bool {
        if !self.queue.reserve_send(&mut token.queue) {
            return false;
        }
        // SAFETY: a send claim of this queue, just made, not completed.
        unsafe { self.queue.hold_send(&mut token.queue) };
        true
    }

    #[inline]
    unsafe fn write(&self, token: &mut Token, msg: T) -> Result<(), T> {
        // SAFETY: forwarded from the caller: `token.queue` was reserved on `self.queue`.
        let res = unsafe { self.push(token, msg) };
        if res.is_err() && token.queue.revoked() {
            // A held send that a receiver revoked: send it afresh.
            return self.resend(res);
        }
        res
    }

    unsafe fn abandon_send(&self, token: &mut Token) {
        // SAFETY: forwarded from the caller: `token.queue` was reserved on `self.queue`.
        unsafe { self.queue.abandon(&mut token.queue) };
        if token.queue.freed() {
            self.senders.notify();
        }
    }

    fn register_send(&self, oper: Operation, cx: &Context) -> bool {
        self.senders.register(oper, cx);
        self.queue.can_send()
    }
    fn unregister_send(&self, oper: Operation) {
        self.senders.unregister(oper);
    }
    fn accept_send(&self, token: &mut Token, _cx: &Context) -> bool {
        self.claim_send(token)
    }
    fn is_ready_send(&self) -> bool {
        self.queue.can_send()
    }
    fn version_send(&self) -> Version {
        self.queue.version()
    }
    fn watch_send(&self, oper: Operation, cx: &Context) -> bool {
        self.senders.watch(oper, cx);
        self.queue.can_send()
    }
    fn unwatch_send(&self, oper: Operation) {
        self.senders.unwatch(oper);
    }
}
