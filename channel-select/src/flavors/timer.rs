//! What the timer receivers (`at`, `tick`) share: a [`Timer`] says when its next message
//! is due and reserves it; [`Timed`] turns any timer into a receive flavor.
//!
//! A timer has no thread and no wait list. A receiver sleeps until the next message is
//! due (or its own deadline); a selection takes the due time as one of its deadlines.
//! A timer is never disconnected, so a receive with nothing ever due again sleeps until
//! its deadline and times out.

use super::{accepted, sleep_until, Accept, Chan, Receiving, RecvSide, SelectHandle, Token};
use crate::context::{Context, Operation};
use crate::errors::RecvTimeoutError;
use crate::flavors::Snapshot;
use std::time::Instant;

/// A source of messages that become due by themselves.
pub(crate) trait Timer {
    /// Reserves the message that is due now, if any, and returns its instant. Exactly
    /// one caller gets each message.
    fn reserve(&self) -> Option<Instant>;
    /// When the next message becomes due; `None` if none ever will.
    fn next_due(&self) -> Option<Instant>;
}

/// A timer as a receive flavor.
pub(crate) struct Timed<K, T> {
    /// The timer.
    timer: K,
    /// Turns a delivery instant into the message (the identity: `T` is `Instant`).
    make: fn(Instant) -> T,
}

impl<K, T> Timed<K, T> {
    /// `timer`, delivering `make(instant)`.
    pub(crate) fn new(timer: K, make: fn(Instant) -> T) -> Self {
        Timed { timer, make }
    }
}

impl<K: Timer, T> Timed<K, T> {
    /// The next message is due now.
    fn is_due(&self) -> bool {
        self.timer
            .next_due()
            .is_some_and(|due| Instant::now() >= due)
    }
}

impl<K: Timer, T> Chan for Timed<K, T> {
    fn len(&self) -> usize {
        usize::from(self.is_due())
    }
    fn capacity(&self) -> Option<usize> {
        Some(1)
    }
    fn is_full(&self) -> bool {
        self.is_due()
    }
    fn disconnect(&self) -> bool {
        false
    }
    fn is_disconnected(&self) -> bool {
        false
    }
}

impl<K: Timer, T> SelectHandle for Receiving<Timed<K, T>> {
    fn reserve(&self, token: &mut Token) -> bool {
        token.timer = self.timer.reserve();
        token.timer.is_some()
    }
    unsafe fn abandon(&self, token: &mut Token) {
        // The tick is simply not delivered: nothing to drop but an `Instant`.
        token.timer = None;
    }
    fn register(&self, _oper: Operation, _cx: &Context) -> bool {
        self.is_due()
    }
    fn unregister(&self, _oper: Operation) {}
    fn accept(&self, token: &mut Token, _cx: &Context, _deadline: Option<Instant>) -> Accept {
        accepted(self.reserve(token))
    }
    fn is_ready(&self) -> bool {
        self.is_due()
    }
    fn version(&self) -> Snapshot {
        // Readiness only grows with time (a claim by another thread only shrinks it).
        [usize::from(self.is_due()), 0, 0, 0, 0]
    }
    fn watch(&self, _oper: Operation, _cx: &Context) -> bool {
        self.is_due()
    }
    fn unwatch(&self, _oper: Operation) {}
    fn deadline(&self) -> Option<Instant> {
        self.timer.next_due()
    }
}

impl<K: Timer, T> RecvSide<T> for Receiving<Timed<K, T>> {
    unsafe fn read(&self, token: &mut Token) -> Result<T, ()> {
        token.timer.take().map(self.make).ok_or(())
    }

    // Out of line: keeps `Receiver::recv`'s dispatch small for the channel flavors.
    #[inline(never)]
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        loop {
            if let Some(t) = self.timer.reserve() {
                return Ok((self.make)(t));
            }
            match self.timer.next_due() {
                Some(due) if deadline.is_none_or(|d| due <= d) => sleep_until(Some(due)),
                // Nothing due before the deadline (or ever): a timer never disconnects.
                _ => {
                    sleep_until(deadline);
                    return Err(RecvTimeoutError::Timeout);
                }
            }
        }
    }
}
