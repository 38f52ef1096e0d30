//! The per-thread waiting context: what a blocked thread offers to the channels.
//!
//! A thread that blocks (in `send`, `recv` or a selection) registers its [`Context`] in
//! the wait lists of the channels it waits on. The context holds one atomic word,
//! `select`, that starts as [`Selected::Waiting`] and is claimed exactly once by
//! compare-and-swap: by the channel operation that wakes it, by a disconnection, or by
//! the thread itself aborting (timeout, or a channel found ready during registration).
//! That single CAS is what makes "exactly one operation of a selection takes effect".
//!
//! Contexts are reused: one per thread, kept in a thread-local and reset before each
//! wait, so blocking allocates nothing after a thread's first wait.

use crate::waiters::NO_DEAL;
use channel_core::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use channel_core::sync::{handshake_fence, thread, time, Arc, Backoff, SpinLock};
use std::cell::Cell;
use std::task::Waker;
use std::time::Instant;

/// An operation's identity: the address of something the waiting thread owns for the
/// duration of the wait (a token on its stack, a handle slot in a `Select`).
///
/// Kept as a pointer, with the provenance of the reference it was made from: a
/// rendezvous receiver's operation is its message slot, which the sender that claims
/// it writes through this pointer (see `zero::Slot`). Made from a `Selected` word, it
/// only names (compares), never points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operation(*const u8);

// SAFETY: an operation is a name; the one access through its pointer (`zero::Slot::of`)
// has its own contract, which says when the pointee is alive and whose it is.
unsafe impl Send for Operation {}
// SAFETY: as above.
unsafe impl Sync for Operation {}

impl Operation {
    /// The operation identified by `r`'s address.
    pub(crate) fn hook<T: ?Sized>(r: &T) -> Operation {
        let ptr = r as *const T as *const u8;
        // Values 0..=2 encode the other `Selected` states.
        assert!(ptr.addr() > 2, "operation hook at a reserved address");
        Operation(ptr)
    }

    /// The pointer `hook` was given (or, for an operation read from a `Selected`
    /// word, its address alone).
    pub(crate) fn ptr(self) -> *const u8 {
        self.0
    }
}

/// The outcome of a wait, as stored in the context's `select` word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Selected {
    /// Still waiting.
    Waiting,
    /// The wait was called off (timeout, or an operation found ready meanwhile).
    Aborted,
    /// A channel the thread waits on was disconnected.
    Disconnected,
    /// This operation was chosen.
    Operation(Operation),
}

impl From<usize> for Selected {
    fn from(val: usize) -> Selected {
        match val {
            0 => Selected::Waiting,
            1 => Selected::Aborted,
            2 => Selected::Disconnected,
            oper => Selected::Operation(Operation(core::ptr::without_provenance(oper))),
        }
    }
}

impl From<Selected> for usize {
    fn from(sel: Selected) -> usize {
        match sel {
            Selected::Waiting => 0,
            Selected::Aborted => 1,
            Selected::Disconnected => 2,
            Selected::Operation(Operation(ptr)) => ptr.addr(),
        }
    }
}

/// A waiting context: a blocked thread's or a pending future's; cheap to clone (shared).
#[derive(Debug, Clone)]
pub(crate) struct Context {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The `Selected` state, claimed once per wait by CAS from `Waiting`.
    select: AtomicUsize,
    /// The rendezvous deal handed over by the operation that selected this context:
    /// written under the channel's lock, read after taking that lock.
    deal: AtomicUsize,
    /// Set by a waiting thread before it parks (its last look at `select` comes
    /// after): a claimer that finds it unset need not unpark the thread, which will
    /// see the claim without parking.
    parked: AtomicBool,
    /// Who to wake.
    waiter: Waiter,
}

/// Who waits on a context: the wait lists call `unpark` and need not know which.
#[derive(Debug)]
enum Waiter {
    /// A blocked thread, unparked.
    Thread(thread::Thread),
    /// A pending future, woken through the waker of its latest poll. A spin lock:
    /// held only to compare the waker with a poll's (`will_wake`), store it or clone
    /// it (a waker's clone, the one executor code run under it, is a reference
    /// count's increment in every executor we know of); a waker is dropped and woken
    /// outside it.
    Task(SpinLock<Option<Waker>>),
}

/// A blocked thread's notes on its spins, for the spins that start its hand-off
/// waits (`Context::wait_until`, a buffered hand-off's `spin_blocking`). Such a spin
/// pays where the peer runs on another core and acts within it; where the peer
/// shares the thread's core (more threads than cores), it cannot act during the spin,
/// which only delays it: the wait then ends at a yield, which lets the peer run.
/// After `SKIP_AFTER` spins in a row that ended without the peer's step, the thread
/// skips its spins, but for one wait in `PROBE`, which finds out whether that still
/// holds: one spin that sees the step brings the spins back.
///
/// Per thread, not per channel: whether a thread's peers can act while it spins
/// depends on where the thread runs. With every thread pinned to one core
/// (`taskset -c 0 cargo bench --bench compare -- --filter 'spsc bounded(0)' --rounds
/// 5`, two runs of each build, ns a message): `spsc bounded(0)` 1,413 and 1,462 →
/// 1,211 and 1,190 (÷ kanal 1.37 and 1.40 → 1.15 and 1.14: kanal yields at once);
/// `spsc bounded(1)` 1,075 and 1,102 → 840 and 849 (÷ kanal 1.54 → 1.17 and 1.20).
/// Unpinned (`--filter 'bounded(0)'` and `'bounded(1)'`, `--rounds 11`, three runs
/// of each build alternated, medians), where 4 + 4 threads share 2 cores: `mpsc
/// bounded(0)` 778 → 581, `mpsc bounded(1)` 593 → 506, `select_rx bounded(1)` 661 →
/// 586; the cells whose two threads keep a core each (`spsc`, ~190) moved within
/// noise. Under loom every wait spins: the notes only choose a cheaper way to wait.
#[cfg(not(loom))]
mod spin_notes {
    use std::cell::Cell;

    /// Fruitless spins in a row, after which spins are skipped.
    const SKIP_AFTER: u8 = 16;
    /// While skipping, every `PROBE`th wait spins all the same.
    const PROBE: u8 = 8;

    std::thread_local! {
        /// Fruitless spins in a row (at most `SKIP_AFTER`), and the spins skipped
        /// since the last probe.
        static NOTES: Cell<(u8, u8)> = const { Cell::new((0, 0)) };
    }

    /// Whether this thread's next hand-off wait should spin first; if it does, it
    /// reports how the spin went (`spun`).
    #[inline]
    pub(crate) fn spin_first() -> bool {
        NOTES.with(|notes| {
            let (fruitless, skipped) = notes.get();
            if fruitless < SKIP_AFTER {
                return true;
            }
            let skipped = (skipped + 1) % PROBE;
            notes.set((fruitless, skipped));
            skipped == 0
        })
    }

    /// This thread spun at the start of a hand-off wait; `seen`: the peer's step
    /// ended the wait within the spin.
    #[inline]
    pub(crate) fn spun(seen: bool) {
        NOTES.with(|notes| {
            let (fruitless, skipped) = notes.get();
            let fruitless = if seen {
                0
            } else {
                (fruitless + 1).min(SKIP_AFTER)
            };
            notes.set((fruitless, skipped));
        });
    }
}

#[cfg(all(test, not(loom)))]
mod spin_notes_tests {
    use super::spin_notes::{spin_first, spun};

    /// Each test runs on a thread of its own: the notes are that thread's.
    fn on_fresh_thread(f: impl FnOnce() + Send + 'static) {
        std::thread::spawn(f).join().unwrap();
    }

    /// `n` waits that spin, none seeing the peer.
    fn spin_in_vain(n: usize) {
        for _ in 0..n {
            assert!(spin_first(), "a spin was skipped too soon");
            spun(false);
        }
    }

    #[test]
    fn fruitless_spins_are_skipped_but_for_probes() {
        on_fresh_thread(|| {
            spin_in_vain(16);
            // Skipped now, but for every 8th wait.
            let spins: Vec<bool> = (0..16).map(|_| spin_first()).collect();
            assert_eq!(spins.iter().filter(|&&s| s).count(), 2, "{spins:?}");
            assert!(spins[7] && spins[15], "{spins:?}");
        });
    }

    #[test]
    fn a_spin_that_sees_the_peer_brings_the_spins_back() {
        on_fresh_thread(|| {
            spin_in_vain(16);
            while !spin_first() {} // up to the probe
            spun(true);
            spin_in_vain(15);
            // A fruitful spin within the count starts it again.
            assert!(spin_first());
            spun(true);
            spin_in_vain(16);
            assert!(!spin_first(), "16 fruitless spins in a row: skipped");
        });
    }
}

/// Under loom every wait spins (see above).
#[cfg(loom)]
mod spin_notes {
    #[inline]
    pub(crate) fn spin_first() -> bool {
        true
    }
    #[inline]
    pub(crate) fn spun(_: bool) {}
}

pub(crate) use spin_notes::{spin_first, spun};

// Not `const { .. }`: loom's `thread_local!` does not take that form.
#[allow(clippy::missing_const_for_thread_local)]
mod tls {
    use super::{Cell, Context};
    use std::cell::RefCell;
    channel_core::sync::thread_local! {
        /// This thread's reusable context, taken out while in use.
        pub(super) static CONTEXT: Cell<Option<Context>> = Cell::new(None);
        /// The task context a future finished with last on this thread, for the
        /// next future to wait with.
        pub(super) static TASK_CONTEXT: Cell<Option<Context>> = Cell::new(None);
        /// Older ones (at most `TASK_POOL` in all).
        pub(super) static TASK_CONTEXTS: RefCell<Vec<Context>> = RefCell::new(Vec::new());
    }
}
use tls::{CONTEXT, TASK_CONTEXT, TASK_CONTEXTS};

// A byte whose address names its thread (`thread_tag`): `const`, so that reading it
// is an address computation, with no lazy initialization to check (loom's
// `thread_local!` has no `const` form).
#[cfg(not(loom))]
std::thread_local! {
    static TAG: u8 = const { 0 };
}
#[cfg(loom)]
channel_core::sync::thread_local! {
    static TAG: u8 = 0;
}

/// A number that names the calling thread among the threads alive, never 0: the
/// address of a thread-local byte (1 while thread-local storage is torn down).
#[inline]
pub(crate) fn thread_tag() -> usize {
    TAG.try_with(|tag| core::ptr::from_ref(tag).addr())
        .unwrap_or(1)
}

/// Task contexts kept per thread for reuse: a future that waits then takes one
/// instead of allocating.
const TASK_POOL: usize = 8;

/// True once `deadline` has passed. Every deadline check goes through here.
pub(crate) fn expired(deadline: Instant) -> bool {
    time::expired(deadline)
}

impl Context {
    /// Runs `f` with this thread's context, reset to `Waiting`.
    ///
    /// Straight-line on purpose: `R` may hold a large message, and every extra layer
    /// carrying it (a closure result, an `Option`) would be another copy on the stack.
    #[inline]
    pub(crate) fn with<R>(f: impl FnOnce(&Context) -> R) -> R {
        // Taken out while in use, so a nested wait (from a `Drop` during a wait, say)
        // gets a fresh context instead of sharing this one. `try_with` fails only
        // while thread-local storage is torn down: then a fresh context serves.
        let cx = CONTEXT
            .try_with(Cell::take)
            .ok()
            .flatten()
            .unwrap_or_else(Context::new);
        cx.reset();
        let res = f(&cx);
        let _ = CONTEXT.try_with(|cell| cell.set(Some(cx)));
        res
    }

    fn new() -> Context {
        Context::waiting(Waiter::Thread(thread::current()))
    }

    /// A context for a future; its poll gives it its own waker (`give_waker`) before
    /// it registers anywhere. Reuses one a finished future left on this thread, if
    /// any: the next future of a task that loops over `.await`s finds its own waker
    /// there, and only compares it.
    #[inline]
    pub(crate) fn for_task() -> Context {
        match TASK_CONTEXT.try_with(Cell::take) {
            Ok(Some(cx)) => cx,
            _ => Context::for_task_pooled(),
        }
    }

    /// `for_task` when no context was finished with last: an older one, or a new one.
    #[inline(never)]
    fn for_task_pooled() -> Context {
        TASK_CONTEXTS
            .try_with(|pool| pool.borrow_mut().pop())
            .ok()
            .flatten()
            .unwrap_or_else(|| Context::waiting(Waiter::Task(SpinLock::new(None))))
    }

    /// A future is done with its task context: kept for reuse on this thread if
    /// nothing else refers to it any more (no wait list, alarm or deal: then nothing
    /// can select it by mistake later). Its last waker stays until the next future
    /// gives its own (at most `TASK_POOL` such wakers per thread): a stale wake-up is
    /// only a spurious one, and not taking the lock here is measurably cheaper.
    #[inline]
    pub(crate) fn recycle(self) {
        // No `Weak` of a context is ever made, so one strong reference is ours alone
        // (`Arc::get_mut` would also lock the weak count with a CAS). Acquire: pairs
        // with the `Release` decrement of every clone dropped elsewhere (a wait
        // list's entry, an alarm), so their last uses come before our reuse.
        if Arc::strong_count(&self.inner) != 1 {
            return;
        }
        fence(Ordering::Acquire);
        if let Ok(Some(older)) = TASK_CONTEXT.try_with(|last| last.replace(Some(self))) {
            older.keep_older();
        }
    }

    /// `recycle` of a context that the one finished with last displaced.
    #[inline(never)]
    fn keep_older(self) {
        let _ = TASK_CONTEXTS.try_with(|pool| {
            let mut pool = pool.borrow_mut();
            if pool.len() < TASK_POOL - 1 {
                pool.push(self);
            }
        });
    }

    fn waiting(waiter: Waiter) -> Context {
        Context {
            inner: Arc::new(Inner {
                select: AtomicUsize::new(Selected::Waiting.into()),
                deal: AtomicUsize::new(NO_DEAL),
                parked: AtomicBool::new(false),
                waiter,
            }),
        }
    }

    /// Makes the context `Waiting` again, for a new wait (nothing may hold it
    /// registered).
    pub(crate) fn reset(&self) {
        // Relaxed: the context is not registered anywhere yet; registration publishes
        // it under the wait list's lock.
        self.inner
            .select
            .store(Selected::Waiting.into(), Ordering::Relaxed);
        self.inner.deal.store(NO_DEAL, Ordering::Relaxed);
        self.inner.parked.store(false, Ordering::Relaxed);
    }

    /// Selects the context for `sel` (the one CAS of a wait); on failure returns what
    /// had selected it.
    #[inline]
    pub(crate) fn select(&self, sel: Selected) -> Result<(), Selected> {
        // AcqRel: the winner's claim is ordered after what it did before (e.g. writing
        // a message) and before what the woken thread does after reading it (Acquire
        // in `selected`). SeqCst: also one side of the park handshake (`unpark`).
        self.inner
            .select
            .compare_exchange(
                Selected::Waiting.into(),
                sel.into(),
                Ordering::SeqCst,
                Ordering::Acquire,
            )
            .map(|_| ())
            .map_err(Selected::from)
    }

    /// The current state.
    #[inline]
    pub(crate) fn selected(&self) -> Selected {
        // Acquire: pairs with the AcqRel CAS in `select`.
        Selected::from(self.inner.select.load(Ordering::Acquire))
    }

    /// Hands the selected operation its deal (a rendezvous deal, or a buffered
    /// channel's message handed to a receiver), by its claimer under the channel's
    /// lock: after the claim, or before it when the context waits on this one channel
    /// alone (a blocked `recv`: nobody else can claim it for an operation, so a claim
    /// that then fails leaves nobody reading the value). A reset context's deal is
    /// `NO_DEAL`.
    pub(crate) fn set_deal(&self, deal: usize) {
        // Relaxed: the channel's lock orders it before `deal` when read under that
        // lock; when stored before the claim, the claim's CAS (AcqRel) orders it
        // before the woken thread's `selected` (Acquire) and so before `deal`; a
        // deal stored after the claim without the lock's help is one the reader
        // told apart from the value stored before (`Waiters::deal_of`).
        self.inner.deal.store(deal, Ordering::Relaxed);
    }

    /// The deal `set_deal` stored: read under the channel's lock, taken after the
    /// claim was seen, or after seeing a claim that stored it first.
    pub(crate) fn deal(&self) -> usize {
        // Relaxed: see `set_deal`.
        self.inner.deal.load(Ordering::Relaxed)
    }

    /// Waits until the context is claimed, or until `deadline`, when the thread claims
    /// it itself with `Aborted` (unless an operation won the race). `spin`: the wait
    /// may spin before it yields, if the thread's notes say so (`spin_first`); false
    /// where the caller spun just before registering (a second spin would only delay
    /// a peer that shares this core) or the peer acts only after a batch of work.
    pub(crate) fn wait_until(&self, deadline: Option<Instant>, spin: bool) -> Selected {
        // Whether the wait is in its spin (which it reports once, as it ends).
        let mut spinning = spin && spin_first();
        let backoff = if spinning {
            Backoff::new()
        } else {
            Backoff::yielding()
        };
        loop {
            let sel = self.selected();
            if sel != Selected::Waiting {
                if spinning {
                    spun(true);
                }
                return sel;
            }
            if backoff.is_completed() {
                break;
            }
            if spinning && backoff.is_spun() {
                spinning = false;
                spun(false); // the spin is over: the next step yields
            }
            backoff.snooze();
        }
        // An empty range under loom, where a model parks at once.
        #[allow(clippy::reversed_empty_ranges)]
        for _ in 0..time::YIELDS_BEFORE_PARK {
            if deadline.is_some_and(expired) {
                break;
            }
            thread::yield_now();
            let sel = self.selected();
            if sel != Selected::Waiting {
                return sel;
            }
        }
        // SeqCst: a store-then-load handshake with a claimer, which selects the
        // context (SeqCst) and then loads `parked`: either it sees that we may park
        // and unparks us, or our look below sees its claim.
        self.inner.parked.store(true, Ordering::SeqCst);
        handshake_fence();
        loop {
            // SeqCst: the load of the handshake (see above); Acquire as `selected`.
            let sel = Selected::from(self.inner.select.load(Ordering::SeqCst));
            if sel != Selected::Waiting {
                return sel;
            }
            if deadline.is_some_and(expired) {
                return match self.select(Selected::Aborted) {
                    Ok(()) => Selected::Aborted,
                    Err(sel) => sel,
                };
            }
            time::park_until(deadline);
        }
    }

    /// Wakes the thread or the task, after selecting its context. A thread that has
    /// not announced that it parks is left alone: it sees the claim while it spins or
    /// yields, and an `unpark` would only cost a write to a line it owns (and leave it
    /// a stale token).
    pub(crate) fn unpark(&self) {
        match &self.inner.waiter {
            Waiter::Thread(thread) => {
                // SeqCst: the claimer's side of the handshake in `wait_until`; the
                // caller's claim (`select`, SeqCst) came first.
                handshake_fence();
                if self.inner.parked.load(Ordering::SeqCst) {
                    thread.unpark();
                }
            }
            Waiter::Task(_) => self.unpark_always(),
        }
    }

    /// Wakes the thread or the task whatever it announced: for a thread that waits
    /// on something other than its context's selection (a promised rendezvous
    /// message), or an alarm that did not select the context itself.
    pub(crate) fn unpark_always(&self) {
        match &self.inner.waiter {
            Waiter::Thread(thread) => thread.unpark(),
            Waiter::Task(waker) => {
                // Woken outside the lock: a waker may run executor code.
                let waker = waker.lock().clone();
                if let Some(w) = waker {
                    w.wake();
                }
            }
        }
    }

    /// Gives a task's context the waker of its latest poll, unless it holds one that
    /// wakes the same task (most polls: then nothing is cloned or dropped). Called
    /// before each look at `selected`, so a wake-up after that look reaches this
    /// poll's waker.
    #[inline]
    pub(crate) fn give_waker(&self, waker: &Waker) {
        if let Waiter::Task(slot) = &self.inner.waiter {
            if !slot.lock().as_ref().is_some_and(|w| w.will_wake(waker)) {
                self.set_waker(slot, waker);
            }
        }
    }

    /// `give_waker` of a waker that differs: cloned and the old one dropped outside
    /// the lock.
    #[inline(never)]
    fn set_waker(&self, slot: &SpinLock<Option<Waker>>, waker: &Waker) {
        let new = waker.clone();
        let old = slot.lock().replace(new);
        drop(old);
    }

    /// True if a future (rather than a blocked thread) waits on this context: it may be
    /// dropped before it takes what it was handed.
    pub(crate) fn is_task(&self) -> bool {
        matches!(self.inner.waiter, Waiter::Task(_))
    }

    /// True if `self` and `other` are the same context (one waiting thread or future).
    pub(crate) fn is(&self, other: &Context) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// An operation id unique to this context while it lives: a future's one
    /// operation (a future moves between polls, so its own address would not do).
    #[inline]
    pub(crate) fn operation(&self) -> Operation {
        Operation::hook(&*self.inner)
    }
}
