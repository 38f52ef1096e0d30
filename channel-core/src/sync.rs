//! The one place atomics, cells, locks, threads and spinning come from.
//!
//! Normal builds use `std` (and `crossbeam-utils`' backoff); under `cfg(loom)` the same
//! names come from `loom`, so every algorithm in the workspace is model-checked without
//! `cfg` noise in the algorithm itself. `channel-select` uses this module too.
//!
//! ```
//! use channel_core::sync::{atomic::{AtomicUsize, Ordering}, UnsafeCell};
//! let c = UnsafeCell::new(1);
//! // SAFETY: no other reference to the cell's content exists.
//! c.with_mut(|p| unsafe { *p += 1 });
//! assert_eq!(c.with(|p| unsafe { *p }), 2);
//! assert_eq!(AtomicUsize::new(3).load(Ordering::Relaxed), 3);
//! ```

#[cfg(not(loom))]
mod imp {
    pub use std::sync::{Arc, Mutex, MutexGuard};
    pub use std::thread_local;

    /// Atomic types and fences.
    pub mod atomic {
        pub use std::sync::atomic::{
            fence, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering,
        };
    }

    /// Threads: parking, identity, yielding.
    pub mod thread {
        pub use std::thread::{current, park, park_timeout, yield_now, Thread, ThreadId};
    }

    /// An `UnsafeCell` whose accesses go through closures, so loom can track them.
    #[derive(Debug)]
    pub struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        /// Wraps `value`.
        pub const fn new(value: T) -> Self {
            UnsafeCell(core::cell::UnsafeCell::new(value))
        }
        /// Calls `f` with a shared pointer to the content.
        #[inline(always)]
        pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }
        /// Calls `f` with a mutable pointer to the content.
        #[inline(always)]
        pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }

    /// Exponential backoff for spin loops.
    #[derive(Debug, Default)]
    pub struct Backoff(crossbeam_utils::Backoff);

    impl Backoff {
        /// A fresh backoff.
        #[inline]
        pub fn new() -> Self {
            Backoff(crossbeam_utils::Backoff::new())
        }
        /// Backs off in a lock-free loop that lost a race (spins only).
        #[inline]
        pub fn spin(&self) {
            self.0.spin()
        }
        /// Backs off while waiting for another thread (spins, then yields).
        #[inline]
        pub fn snooze(&self) {
            self.0.snooze()
        }
        /// True once spinning has gone on long enough that blocking is better.
        #[inline]
        pub fn is_completed(&self) -> bool {
            self.0.is_completed()
        }
    }

    /// Whether this build runs under the loom model checker.
    pub const LOOM: bool = false;

    /// Deadlines: the clock and timed parking.
    pub mod time {
        use std::time::Instant;

        /// True once `deadline` has passed.
        #[inline]
        pub fn expired(deadline: Instant) -> bool {
            Instant::now() >= deadline
        }

        /// Parks the thread until it is unparked, `deadline` passes (`None`: never),
        /// or spuriously; callers re-check their condition.
        pub fn park_until(deadline: Option<Instant>) {
            match deadline {
                Some(end) => {
                    std::thread::park_timeout(end.saturating_duration_since(Instant::now()))
                }
                None => std::thread::park(),
            }
        }
    }
}

#[cfg(loom)]
mod imp {
    pub use loom::cell::UnsafeCell;
    pub use loom::sync::{Arc, Mutex, MutexGuard};
    pub use loom::thread_local;

    /// Atomic types and fences.
    pub mod atomic {
        pub use loom::sync::atomic::{
            fence, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering,
        };
    }

    /// Threads: parking, identity, yielding.
    pub mod thread {
        pub use loom::thread::{current, park, yield_now, Thread, ThreadId};
        /// Loom has no clock: a timed park is a yield.
        pub fn park_timeout(_: std::time::Duration) {
            yield_now()
        }
    }

    /// Backoff that yields to the model checker at every step.
    ///
    /// A spin waits for a thread that is between two steps of an operation (a sender
    /// that reserved a slot and has not written it yet). Loom explores schedules in
    /// which two such waiters yield to each other forever while that thread never
    /// runs, so a model must not have two threads spin-waiting on a third at once;
    /// the models are shaped accordingly.
    #[derive(Debug, Default)]
    pub struct Backoff(core::cell::Cell<u32>);

    impl Backoff {
        /// A fresh backoff.
        pub fn new() -> Self {
            Backoff(core::cell::Cell::new(0))
        }
        /// Yields to the other modelled threads.
        pub fn spin(&self) {
            self.0.set(self.0.get() + 1);
            loom::thread::yield_now();
        }
        /// Yields to the other modelled threads.
        pub fn snooze(&self) {
            self.spin()
        }
        /// Completed after one step: models stay small.
        pub fn is_completed(&self) -> bool {
            self.0.get() >= 1
        }
    }

    /// Whether this build runs under the loom model checker.
    pub const LOOM: bool = true;

    /// Deadlines under loom, which has no clock: the first time a thread parks with a
    /// deadline, the deadline is taken to expire right then, and from then on every
    /// deadline of that thread has passed. This explores a timeout racing whatever
    /// could wake the thread, at every point after its first timed wait.
    pub mod time {
        use std::cell::Cell;
        use std::time::Instant;

        loom::thread_local! {
            static CLOCK_JUMPED: Cell<bool> = Cell::new(false);
        }

        /// True once this thread's clock has jumped (see the module).
        pub fn expired(_deadline: Instant) -> bool {
            CLOCK_JUMPED.with(Cell::get)
        }

        /// A timed park jumps the clock and yields; an untimed one parks.
        pub fn park_until(deadline: Option<Instant>) {
            match deadline {
                Some(_) => {
                    CLOCK_JUMPED.with(|c| c.set(true));
                    loom::thread::yield_now();
                }
                None => loom::thread::park(),
            }
        }
    }
}

pub use imp::*;

/// Marks the middle of a store-then-load *handshake* between two threads on two
/// locations (Dekker's pattern): a waiter stores "I am registered" then re-reads the
/// queue; a peer updates the queue then reads "is anyone registered?". At least one of
/// the two must see the other's store.
///
/// In normal builds both sides use `SeqCst` accesses, which the memory model puts in
/// one total order, so that already holds and this compiles to nothing (keeping an
/// `mfence` off every send and receive). Loom models `SeqCst` *accesses* only as
/// `AcqRel` (tokio-rs/loom#180) but models `SeqCst` *fences* fully, so under loom this
/// is a fence, and the models check the protocol built on the handshake.
///
/// ```
/// channel_core::sync::handshake_fence();
/// ```
#[inline(always)]
pub fn handshake_fence() {
    #[cfg(loom)]
    atomic::fence(atomic::Ordering::SeqCst);
}

/// Loads `a` right after a `SeqCst` fence, seeing at least every `SeqCst` modification
/// of `a` that precedes the fence in the total order (the memory model guarantees
/// this for any load that follows a `SeqCst` fence, so it is a plain load here).
///
/// Loom leaves `SeqCst` read-modify-writes out of that total order (it models them as
/// `AcqRel`), so under loom this reads the newest value with a read-modify-write,
/// which loom does model as reading the latest store.
///
/// ```
/// use channel_core::sync::{atomic::AtomicUsize, load_after_fence};
/// assert_eq!(load_after_fence(&AtomicUsize::new(4)), 4);
/// ```
#[inline(always)]
pub fn load_after_fence(a: &atomic::AtomicUsize) -> usize {
    #[cfg(not(loom))]
    return a.load(atomic::Ordering::Relaxed);
    #[cfg(loom)]
    return a.fetch_add(0, atomic::Ordering::Relaxed);
}

/// Locks `m`, ignoring poisoning: the data behind junction's locks is kept consistent
/// at every unlock, so a panic elsewhere never leaves it half-updated.
///
/// ```
/// use channel_core::sync::{lock, Mutex};
/// let m = Mutex::new(1);
/// *lock(&m) += 1;
/// assert_eq!(*lock(&m), 2);
/// ```
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}
