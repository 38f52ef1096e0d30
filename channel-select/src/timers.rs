//! The timer receivers: `after`, `at`, `tick` and `never`.
//!
//! They are ordinary [`Receiver`]s: use them with `recv`, in a `Select`, or in
//! `select!`. A timer has no sender and is never disconnected.

use crate::channel::{deadline_after, never_receiver, timer_at, timer_tick, Receiver};
use std::time::{Duration, Instant};

/// A receiver that delivers one message, the delivery `Instant`, after `duration`.
///
/// ```
/// use std::time::{Duration, Instant};
/// let start = Instant::now();
/// let t = channel_select::after(Duration::from_millis(20));
/// let fired = t.recv().unwrap();
/// assert!(fired >= start + Duration::from_millis(20));
/// assert!(t.try_recv().is_err()); // only once
/// ```
pub fn after(duration: Duration) -> Receiver<Instant> {
    match deadline_after(duration) {
        Some(when) => timer_at(when),
        // Beyond representable time: it never fires.
        None => never_receiver(),
    }
}

/// A receiver that delivers one message, `when`, at the instant `when`.
///
/// ```
/// use std::time::Instant;
/// let now = Instant::now();
/// assert_eq!(channel_select::at(now).recv(), Ok(now)); // a past instant is ready at once
/// ```
pub fn at(when: Instant) -> Receiver<Instant> {
    timer_at(when)
}

/// A receiver that delivers a message every `duration`, the first one `duration` from
/// now. Each message is the tick's scheduled `Instant`. Ticks a slow receiver missed
/// are not queued: it gets the one that is due, and the schedule moves on.
///
/// ```
/// use std::time::Duration;
/// let t = channel_select::tick(Duration::from_millis(5));
/// let a = t.recv().unwrap();
/// let b = t.recv().unwrap();
/// assert!(b >= a + Duration::from_millis(5));
/// ```
pub fn tick(duration: Duration) -> Receiver<Instant> {
    timer_tick(duration)
}

/// A receiver that never delivers a message and is never disconnected (Go's nil
/// channel). Useful to disable a `select!` arm.
///
/// ```
/// use std::time::Duration;
/// let r = channel_select::never::<i32>();
/// assert!(r.recv_timeout(Duration::from_millis(5)).is_err());
/// const N: channel_select::Receiver<u8> = channel_select::never();
/// assert!(N.try_recv().is_err());
/// ```
pub const fn never<T>() -> Receiver<T> {
    never_receiver()
}
