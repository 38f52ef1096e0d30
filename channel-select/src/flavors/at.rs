//! The one-shot timer behind `after` and `at`: one message at a fixed instant.
//!
//! No thread and no wait list: a receiver sleeps until the instant (a selection uses
//! it as a deadline) and claims the single message with a swap on `received`. Clones
//! of the receiver share the flag, so exactly one of them gets the message.

use super::{sleep_until, RecvFlavor, Token};
use crate::context::{Context, Operation};
use crate::errors::{RecvTimeoutError, TryRecvError};
use channel_core::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// A one-shot timer channel.
pub(crate) struct Channel<T> {
    /// When the message becomes available.
    delivery_time: Instant,
    /// Set by the receive that got the message.
    received: AtomicBool,
    /// Turns the delivery instant into the message (the identity: `T` is `Instant`).
    make: fn(Instant) -> T,
}

impl<T> Channel<T> {
    /// A timer delivering at `delivery_time`.
    pub(crate) fn new(delivery_time: Instant, make: fn(Instant) -> T) -> Self {
        Channel {
            delivery_time,
            received: AtomicBool::new(false),
            make,
        }
    }

    /// Claims the message if it is due and not yet taken.
    fn claim(&self) -> bool {
        // Relaxed: the flag publishes no data; the swap alone decides who gets the
        // message, and atomicity is all that needs.
        !self.received.load(Ordering::Relaxed)
            && Instant::now() >= self.delivery_time
            && !self.received.swap(true, Ordering::Relaxed)
    }
}

impl<T> RecvFlavor<T> for Channel<T> {
    fn try_recv(&self) -> Result<T, TryRecvError> {
        if self.claim() {
            Ok((self.make)(self.delivery_time))
        } else {
            Err(TryRecvError::Empty)
        }
    }

    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        if !self.received.load(Ordering::Relaxed) {
            if deadline.is_some_and(|d| d < self.delivery_time) {
                sleep_until(deadline);
                return Err(RecvTimeoutError::Timeout);
            }
            sleep_until(Some(self.delivery_time));
            if self.claim() {
                return Ok((self.make)(self.delivery_time));
            }
        }
        // Taken by a clone: nothing will ever arrive, and a timer never disconnects.
        sleep_until(deadline);
        Err(RecvTimeoutError::Timeout)
    }

    fn len(&self) -> usize {
        usize::from(self.is_ready_recv())
    }
    fn capacity(&self) -> Option<usize> {
        Some(1)
    }
    fn is_empty(&self) -> bool {
        !self.is_ready_recv()
    }
    fn is_full(&self) -> bool {
        self.is_ready_recv()
    }
    fn disconnect(&self) -> bool {
        false
    }
    fn is_disconnected(&self) -> bool {
        false
    }

    fn start_recv(&self, token: &mut Token) -> bool {
        let claimed = self.claim();
        token.timer = claimed.then_some(self.delivery_time);
        claimed
    }
    unsafe fn read(&self, token: &mut Token) -> Result<T, ()> {
        token.timer.take().map(self.make).ok_or(())
    }
    fn register_recv(&self, _oper: Operation, _cx: &Context) -> bool {
        self.is_ready_recv()
    }
    fn unregister_recv(&self, _oper: Operation) {}
    fn accept_recv(&self, token: &mut Token, _cx: &Context) -> bool {
        self.start_recv(token)
    }
    fn is_ready_recv(&self) -> bool {
        !self.received.load(Ordering::Relaxed) && Instant::now() >= self.delivery_time
    }
    fn watch_recv(&self, _oper: Operation, _cx: &Context) -> bool {
        self.is_ready_recv()
    }
    fn unwatch_recv(&self, _oper: Operation) {}
    fn deadline(&self) -> Option<Instant> {
        (!self.received.load(Ordering::Relaxed)).then_some(self.delivery_time)
    }
}
