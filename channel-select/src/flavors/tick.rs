//! The periodic timer behind `tick`: a message every period, missed ticks dropped.
//!
//! The next delivery is kept as nanoseconds since the timer's start in one atomic, so
//! claiming a tick is one compare-and-swap. A receiver that comes late gets the one
//! tick that is due and the schedule skips ahead to the next multiple of the period:
//! ticks are never queued.

use super::timer::Timer;
use channel_core::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A periodic timer.
pub(crate) struct Tick {
    /// The reference point of `next`.
    start: Instant,
    /// The period in nanoseconds (saturated to `u64::MAX`).
    period: u64,
    /// Nanoseconds after `start` of the next delivery (`u64::MAX`: never).
    next: AtomicU64,
}

impl Tick {
    /// A timer delivering every `period`, first at `start + period`.
    pub(crate) fn new(start: Instant, period: Duration) -> Self {
        let period = u64::try_from(period.as_nanos()).unwrap_or(u64::MAX);
        Tick {
            start,
            period,
            next: AtomicU64::new(period),
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

    /// Takes the due tick, if any, and returns its scheduled instant.
    fn take_due(&self) -> Option<Instant> {
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

impl Timer for Tick {
    fn reserve(&self) -> Option<Instant> {
        Tick::take_due(self)
    }

    fn next_due(&self) -> Option<Instant> {
        self.next_delivery()
    }
}
