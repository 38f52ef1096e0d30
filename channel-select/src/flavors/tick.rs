//! The periodic timer behind `tick`: a message every period, missed ticks dropped.
//!
//! The next delivery is kept as nanoseconds since the timer's start in one atomic, so
//! claiming a tick is one compare-and-swap. A receiver that comes late gets the one
//! tick that is due and the schedule skips ahead to the next multiple of the period:
//! ticks are never queued.

use super::{sleep_until, RecvFlavor, Token};
use crate::context::{Context, Operation};
use crate::errors::{RecvTimeoutError, TryRecvError};
use channel_core::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A periodic timer channel.
pub(crate) struct Channel<T> {
    /// The reference point of `next`.
    start: Instant,
    /// The period in nanoseconds (saturated to `u64::MAX`).
    period: u64,
    /// Nanoseconds after `start` of the next delivery (`u64::MAX`: never).
    next: AtomicU64,
    /// Turns the delivery instant into the message (the identity: `T` is `Instant`).
    make: fn(Instant) -> T,
}

impl<T> Channel<T> {
    /// A timer delivering every `period`, first at `start + period`.
    pub(crate) fn new(start: Instant, period: Duration, make: fn(Instant) -> T) -> Self {
        let period = u64::try_from(period.as_nanos()).unwrap_or(u64::MAX);
        Channel {
            start,
            period,
            next: AtomicU64::new(period),
            make,
        }
    }

    /// The instant `nanos` after start, if representable.
    fn instant(&self, nanos: u64) -> Option<Instant> {
        if nanos == u64::MAX {
            return None;
        }
        self.start.checked_add(Duration::from_nanos(nanos))
    }

    /// The next delivery instant (`None`: beyond representable time).
    fn next_delivery(&self) -> Option<Instant> {
        // Relaxed: `next` publishes no data; only its value matters.
        self.instant(self.next.load(Ordering::Relaxed))
    }

    /// Claims the due tick, if any, and returns its scheduled instant.
    fn claim(&self) -> Option<Instant> {
        let now = u64::try_from(
            Instant::now()
                .saturating_duration_since(self.start)
                .as_nanos(),
        )
        .unwrap_or(u64::MAX - 1);
        let mut next = self.next.load(Ordering::Relaxed);
        loop {
            if now < next {
                return None;
            }
            // Skip every missed tick: the following one is the first multiple of the
            // period after `now`.
            let following = match (now - next).checked_div(self.period) {
                // A zero period: a tick is due whenever asked.
                None => now,
                Some(missed) => next.saturating_add((missed + 1).saturating_mul(self.period)),
            };
            // Relaxed: the CAS only decides which receiver gets this tick.
            match self
                .next
                .compare_exchange(next, following, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return self.instant(next),
                Err(n) => next = n,
            }
        }
    }
}

impl<T> RecvFlavor<T> for Channel<T> {
    fn try_recv(&self) -> Result<T, TryRecvError> {
        self.claim().map(self.make).ok_or(TryRecvError::Empty)
    }

    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        loop {
            if let Some(t) = self.claim() {
                return Ok((self.make)(t));
            }
            let next = self.next_delivery();
            match (next, deadline) {
                (Some(n), Some(d)) if d < n => {
                    sleep_until(deadline);
                    return Err(RecvTimeoutError::Timeout);
                }
                (None, _) => {
                    sleep_until(deadline);
                    return Err(RecvTimeoutError::Timeout);
                }
                (Some(n), _) => sleep_until(Some(n)),
            }
        }
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
        token.timer = self.claim();
        token.timer.is_some()
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
        self.next_delivery().is_some_and(|n| Instant::now() >= n)
    }
    fn watch_recv(&self, _oper: Operation, _cx: &Context) -> bool {
        self.is_ready_recv()
    }
    fn unwatch_recv(&self, _oper: Operation) {}
    fn deadline(&self) -> Option<Instant> {
        self.next_delivery()
    }
}
