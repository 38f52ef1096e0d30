//! The one-shot timer behind `after` and `at`: one message at a fixed instant.
//!
//! The message is claimed with a swap on `received`. Clones of the receiver share the
//! flag, so exactly one of them gets the message; after that the timer is never due
//! again (and, like every timer, never disconnected).

use super::timer::Timer;
use channel_core::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// A one-shot timer.
pub(crate) struct At {
    /// When the message becomes available.
    delivery_time: Instant,
    /// Set by the receive that got the message.
    received: AtomicBool,
}

impl At {
    /// A timer delivering at `delivery_time`.
    pub(crate) fn new(delivery_time: Instant) -> Self {
        At {
            delivery_time,
            received: AtomicBool::new(false),
        }
    }
}

impl Timer for At {
    fn reserve(&self) -> Option<Instant> {
        // Relaxed: the flag publishes no data; the swap alone decides who gets the
        // message, and atomicity is all that needs.
        let claimed = !self.received.load(Ordering::Relaxed)
            && Instant::now() >= self.delivery_time
            && !self.received.swap(true, Ordering::Relaxed);
        claimed.then_some(self.delivery_time)
    }

    fn next_due(&self) -> Option<Instant> {
        (!self.received.load(Ordering::Relaxed)).then_some(self.delivery_time)
    }
}
