//! The one place atomics, cells, locks, threads, spinning, the clock, heap blocks and
//! the random source come from.
//!
//! Normal builds use `std` (and a backoff shaped like `crossbeam-utils`'); under
//! `cfg(loom)` the same names come from `loom`, so every algorithm in the workspace is
//! model-checked without `cfg` noise in the algorithm itself. `channel-select` uses this module too.
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
    ///
    /// `crossbeam-utils`' `Backoff`, with a shorter spin before a waiter starts to
    /// yield: 15 spin hints (`SNOOZE_SPIN_STEPS`) where crossbeam's spins 127. Junction's
    /// waits are hand-offs, which a peer on another core completes in a few hundred
    /// nanoseconds, and on a machine with more threads than cores the peer is often
    /// waiting for this very core: a long spin then only delays it. Measured with
    /// `cargo bench --bench compare -- --filter 'bounded(1)'` on a 2-core VM, ÷ kanal:
    /// mpsc `bounded(1)` 2.81 with crossbeam's spin, 1.95 with this one (see
    /// `benches/README.md`).
    #[derive(Debug, Default)]
    pub struct Backoff {
        /// Steps taken so far (at most `YIELD_STEPS + 1`).
        step: core::cell::Cell<u32>,
    }

    /// `spin` doubles its spin up to 2^`SPIN_STEPS` hints.
    const SPIN_STEPS: u32 = 6;
    /// `snooze` spins (doubling from one hint) for this many steps, then yields.
    const SNOOZE_SPIN_STEPS: u32 = 4;
    /// After this many steps, `is_completed`: time to block.
    const YIELD_STEPS: u32 = 10;

    impl Backoff {
        /// A fresh backoff.
        #[inline]
        pub fn new() -> Self {
            Backoff::default()
        }
        /// A backoff whose `snooze` yields from its first step, with no spin: for a
        /// wait that the peer ends only after a batch of work (a big buffer full, or
        /// empty), where a spin on a shared core only takes the time the peer needs
        /// (see `channel-select`'s buffered flavor for the measurements).
        #[inline]
        pub fn yielding() -> Self {
            Backoff {
                step: core::cell::Cell::new(SNOOZE_SPIN_STEPS),
            }
        }
        /// Backs off in a lock-free loop that lost a race (spins only).
        #[inline]
        pub fn spin(&self) {
            let step = self.step.get();
            for _ in 0..1u32 << step.min(SPIN_STEPS) {
                core::hint::spin_loop();
            }
            if step <= SPIN_STEPS {
                self.step.set(step + 1);
            }
        }
        /// Backs off while waiting for another thread (spins, then yields).
        #[inline]
        pub fn snooze(&self) {
            let step = self.step.get();
            if step < SNOOZE_SPIN_STEPS {
                for _ in 0..1u32 << step {
                    core::hint::spin_loop();
                }
            } else {
                std::thread::yield_now();
            }
            if step <= YIELD_STEPS {
                self.step.set(step + 1);
            }
        }
        /// True once spinning has gone on long enough that blocking is better.
        #[inline]
        pub fn is_completed(&self) -> bool {
            self.step.get() > YIELD_STEPS
        }
        /// True once the spin steps are done: the next `snooze` would yield.
        ///
        /// ```
        /// use channel_core::sync::Backoff;
        /// let backoff = Backoff::new();
        /// while !backoff.is_spun() {
        ///     backoff.snooze(); // spins only, never yields
        /// }
        /// assert!(!backoff.is_completed());
        /// assert!(Backoff::yielding().is_spun());
        /// ```
        #[inline]
        pub fn is_spun(&self) -> bool {
            self.step.get() >= SNOOZE_SPIN_STEPS
        }
    }

    /// Prepares an uninitialized message cell in place: nothing to do, an
    /// `UnsafeCell<MaybeUninit<T>>` is valid uninitialized (loom's cell is not).
    ///
    /// # Safety
    /// `cell` is valid for writes.
    ///
    /// ```
    /// use channel_core::sync::{init_uninit, UnsafeCell};
    /// use std::mem::MaybeUninit;
    /// let mut cell = MaybeUninit::<UnsafeCell<MaybeUninit<u8>>>::uninit();
    /// // SAFETY: a local, valid for writes.
    /// unsafe { init_uninit(cell.as_mut_ptr()) };
    /// ```
    #[inline(always)]
    pub unsafe fn init_uninit<T>(_cell: *mut UnsafeCell<core::mem::MaybeUninit<T>>) {}

    /// 64 random bits from this thread's generator: one word in a `const`
    /// thread-local, seeded from the OS on first use and stepped with wyrand (add a
    /// constant, fold a 128-bit product), a few instructions a call. (A
    /// `RefCell<SmallRng>` behind a lazily initialized thread-local cost about 100
    /// instructions per selection, measured.)
    ///
    /// ```
    /// let a = channel_core::sync::random();
    /// let b = channel_core::sync::random();
    /// assert_ne!(a, b); // wyrand never repeats a word within its period
    /// ```
    #[inline]
    pub fn random() -> u64 {
        use std::cell::Cell;
        std::thread_local! {
            static STATE: Cell<u64> = const { Cell::new(0) };
        }
        STATE.with(|state| {
            let mut s = state.get();
            if s == 0 {
                use rand::{rngs::SmallRng, RngCore, SeedableRng};
                s = SmallRng::from_os_rng().next_u64() | 1;
            }
            s = s.wrapping_add(0xa076_1d64_78bd_642f);
            state.set(s);
            let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
            (t as u64) ^ ((t >> 64) as u64)
        })
    }

    /// Deadlines: the clock and timed parking.
    pub mod time {
        use std::time::Instant;

        /// How often a waiting thread yields, looking again each time, after its
        /// spin and before it parks: a peer on another core usually acts within a few
        /// yields, and a thread that has not parked is woken without a system call.
        pub const YIELDS_BEFORE_PARK: usize = 128;

        /// True once `deadline` has passed.
        #[inline]
        pub fn expired(deadline: Instant) -> bool {
            Instant::now() >= deadline
        }

        /// Spins for about `d` without touching shared memory (spin hints, the clock
        /// read between batches of them).
        ///
        /// ```
        /// use std::time::{Duration, Instant};
        /// let start = Instant::now();
        /// channel_core::sync::time::spin_for(Duration::from_micros(20));
        /// assert!(start.elapsed() >= Duration::from_micros(20));
        /// ```
        pub fn spin_for(d: std::time::Duration) {
            let start = Instant::now();
            while start.elapsed() < d {
                for _ in 0..16 {
                    core::hint::spin_loop();
                }
            }
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
        pub use loom::thread::{yield_now, ThreadId};
        // Plain std types: loom runs one modelled thread at a time, so the parker is
        // deterministic without being modelled, and its thread-local has no loom
        // object to drop (loom drops a thread's locals in no fixed order, and a loom
        // operation in a destructor would make the model nondeterministic).
        use std::sync::atomic::{AtomicU8, Ordering::SeqCst};
        use std::sync::Arc;

        /// A thread, to unpark. Loom's own `Thread::unpark` resumes its target whatever
        /// it is blocked on, a mutex included (tokio-rs/loom#249), where std's only
        /// makes the park token available; a late wake-up (a waker that unparks
        /// after the woken thread has seen its selection and moved on) then breaks
        /// the model. This parker keeps std's token semantics: loom's unpark is
        /// called only on a thread that is in (or entering) `park`, once.
        #[derive(Clone, Debug)]
        pub struct Thread {
            /// Loom's handle.
            thread: loom::thread::Thread,
            /// `EMPTY`, `PARKED` or `NOTIFIED`.
            state: Arc<AtomicU8>,
        }

        /// No token, not parked.
        const EMPTY: u8 = 0;
        /// Parked (or about to be), waiting for the token.
        const PARKED: u8 = 1;
        /// The token is available.
        const NOTIFIED: u8 = 2;

        loom::thread_local! {
            static STATE: Arc<AtomicU8> = Arc::new(AtomicU8::new(EMPTY));
        }

        /// The calling thread.
        pub fn current() -> Thread {
            Thread {
                thread: loom::thread::current(),
                state: STATE.with(Arc::clone),
            }
        }

        /// Blocks until the token is available, and consumes it.
        pub fn park() {
            STATE.with(|state| {
                if state
                    .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                    .is_ok()
                {
                    return;
                }
                if state
                    .compare_exchange(EMPTY, PARKED, SeqCst, SeqCst)
                    .is_err()
                {
                    // NOTIFIED meanwhile: only this thread parks, so it cannot be PARKED.
                    state.store(EMPTY, SeqCst);
                    return;
                }
                loop {
                    loom::thread::park();
                    if state
                        .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                        .is_ok()
                    {
                        return;
                    }
                }
            })
        }

        impl Thread {
            /// Makes the token available; wakes the thread if it parks.
            pub fn unpark(&self) {
                if self.state.swap(NOTIFIED, SeqCst) == PARKED {
                    self.thread.unpark();
                }
            }
        }

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
        /// The same as `new` under loom.
        pub fn yielding() -> Self {
            Backoff::new()
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
        /// The same as `is_completed` under loom.
        pub fn is_spun(&self) -> bool {
            self.is_completed()
        }
    }

    /// Prepares an uninitialized message cell in place: loom's cell must be built.
    ///
    /// # Safety
    /// `cell` is valid for writes.
    pub unsafe fn init_uninit<T>(cell: *mut UnsafeCell<core::mem::MaybeUninit<T>>) {
        // SAFETY: valid for writes (the caller's contract); nothing is overwritten
        // that needs dropping.
        unsafe { cell.write(UnsafeCell::new(core::mem::MaybeUninit::uninit())) };
    }

    /// No randomness under loom, which needs every run to be deterministic: always 0,
    /// which makes a selection try its operations in order.
    pub fn random() -> u64 {
        0
    }

    /// Deadlines under loom, which has no clock: the first time a thread parks with a
    /// deadline, the deadline is taken to expire right then, and from then on every
    /// deadline of that thread has passed. This explores a timeout racing whatever
    /// could wake the thread, at every point after its first timed wait.
    pub mod time {
        use std::cell::Cell;
        use std::time::Instant;

        /// No yielding phase under loom: the spin's one step already yields.
        pub const YIELDS_BEFORE_PARK: usize = 0;

        loom::thread_local! {
            static CLOCK_JUMPED: Cell<bool> = Cell::new(false);
        }

        /// True once this thread's clock has jumped (see the module).
        pub fn expired(_deadline: Instant) -> bool {
            CLOCK_JUMPED.with(Cell::get)
        }

        /// A spin that touches no shared memory: one yield to the other modelled
        /// threads.
        pub fn spin_for(_d: std::time::Duration) {
            loom::thread::yield_now();
        }

        /// A timed park jumps the clock and yields; an untimed one parks.
        pub fn park_until(deadline: Option<Instant>) {
            match deadline {
                Some(_) => {
                    CLOCK_JUMPED.with(|c| c.set(true));
                    loom::thread::yield_now();
                }
                None => super::thread::park(),
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

/// Calls `f` out of line and returns `value`, passing a small `value` through the call.
///
/// For the rare branch of a fast path that still holds a result (a message read, to
/// be returned once a waiter is woken): kept by the caller across the call, a value
/// needs callee-saved registers, and their saving and restoring then costs every
/// call of the fast path, rare branch or not. Passed through, it stays in argument
/// and return registers. A value bigger than two words is kept by the caller
/// instead: passing it would copy it twice.
///
/// ```
/// let mut woken = false;
/// assert_eq!(channel_core::sync::call_passing(7u64, || woken = true), 7);
/// assert!(woken);
/// ```
#[inline]
pub fn call_passing<V>(value: V, f: impl FnOnce()) -> V {
    if core::mem::size_of::<V>() <= 2 * core::mem::size_of::<usize>() {
        pass_through(value, f)
    } else {
        f();
        value
    }
}

/// `call_passing`'s call.
#[inline(never)]
fn pass_through<V>(value: V, f: impl FnOnce()) -> V {
    f();
    value
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

/// A lock for short critical sections (a few list and slab updates): a waiter spins,
/// then yields, and never parks (under loom: a loom `Mutex`). The only code from
/// outside the crate a section may run is a `Waker`'s `wake`, where the caller
/// documents it (junction's wait lists wake observers and, on disconnection,
/// everyone under their lock).
///
/// ```
/// use channel_core::sync::SpinLock;
/// let m = SpinLock::new(1);
/// *m.lock() += 1;
/// assert_eq!(*m.lock(), 2);
/// ```
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub struct SpinLock<T> {
    /// Held.
    locked: atomic::AtomicBool,
    /// The data.
    value: core::cell::UnsafeCell<T>,
}

// SAFETY: the lock gives one thread at a time access to the `T`, as `Mutex` does.
#[cfg(not(loom))]
unsafe impl<T: Send> Sync for SpinLock<T> {}

/// A held [`SpinLock`]; released on drop.
#[cfg(not(loom))]
#[derive(Debug)]
pub struct SpinGuard<'a, T> {
    /// The lock held.
    lock: &'a SpinLock<T>,
}

#[cfg(not(loom))]
impl<T> SpinLock<T> {
    /// An unlocked lock around `value`.
    pub const fn new(value: T) -> Self {
        SpinLock {
            locked: atomic::AtomicBool::new(false),
            value: core::cell::UnsafeCell::new(value),
        }
    }

    /// Takes the lock.
    #[inline]
    pub fn lock(&self) -> SpinGuard<'_, T> {
        if !self.try_acquire() {
            self.lock_contended();
        }
        SpinGuard { lock: self }
    }

    /// One attempt to take the lock.
    #[inline]
    fn try_acquire(&self) -> bool {
        // Acquire: pairs with the Release in `SpinGuard::drop`, ordering the previous
        // holder's accesses before ours.
        self.locked
            .compare_exchange_weak(
                false,
                true,
                atomic::Ordering::Acquire,
                atomic::Ordering::Relaxed,
            )
            .is_ok()
    }

    /// `lock` once it found the lock held: waits until it looks free, then tries.
    #[cold]
    fn lock_contended(&self) {
        let backoff = Backoff::new();
        loop {
            // Relaxed: only a hint; `try_acquire` orders.
            while self.locked.load(atomic::Ordering::Relaxed) {
                backoff.snooze();
            }
            if self.try_acquire() {
                return;
            }
            backoff.spin();
        }
    }
}

#[cfg(not(loom))]
impl<T> core::ops::Deref for SpinGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the lock is held: no other access to the value.
        unsafe { &*self.lock.value.get() }
    }
}

#[cfg(not(loom))]
impl<T> core::ops::DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the lock is held: no other access to the value.
        unsafe { &mut *self.lock.value.get() }
    }
}

#[cfg(not(loom))]
impl<T> Drop for SpinGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Release: see `SpinLock::lock`.
        self.lock.locked.store(false, atomic::Ordering::Release);
    }
}

/// Under loom, a [`SpinLock`] is a loom `Mutex`, which models the exclusion.
#[cfg(loom)]
#[derive(Debug, Default)]
pub struct SpinLock<T>(Mutex<T>);

/// A held [`SpinLock`].
#[cfg(loom)]
pub type SpinGuard<'a, T> = MutexGuard<'a, T>;

#[cfg(loom)]
impl<T> SpinLock<T> {
    /// An unlocked lock around `value`.
    pub fn new(value: T) -> Self {
        SpinLock(Mutex::new(value))
    }

    /// Takes the lock.
    pub fn lock(&self) -> SpinGuard<'_, T> {
        lock(&self.0)
    }
}
