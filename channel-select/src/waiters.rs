//! Wait lists: the threads blocked on one side of one channel.
//!
//! A [`WaitList`] holds two lists of `(operation, deal, context)` entries:
//! - *selectors*: threads waiting to perform the operation (send or receive). A state
//!   change wakes **one** of them, the first whose context it can claim;
//! - *observers*: threads in `Select::ready()`, which want to know the operation may
//!   be possible without performing it. Every state change wakes **all** of them.
//!
//! [`Waiters`] puts a `WaitList` behind a lock with an `is_empty` flag read without the
//! lock, so the common "nobody waits" case of a send or receive costs one load.
//!
//! Lock order: a wait list lock is a leaf; nothing else is locked while holding it,
//! except in the rendezvous flavor, whose one lock covers both of its lists, and a
//! buffered channel's stash lock (itself a leaf), taken under the receivers' lock to
//! hand a receiver its message (`WaitList::reserve_to_hand`).
//!
//! Unparking: a notification wakes its one selector after releasing the lock.
//! Observers (`notify_observers`) and a disconnection (`disconnect`) are woken under
//! it: there may be many, and `unpark` takes no lock of ours, so it cannot deadlock;
//! a woken thread may only wait a moment for the lock when it unregisters.
//!
//! The lock is a `SpinLock` (as the rendezvous flavor's): its sections are a few list
//! and slab updates and claims, and only a notification of observers or a
//! disconnection runs a waker under it (executor code, as under the rendezvous lock).
//! std's `Mutex` also looks for a panic in progress (poisoning) on every lock and
//! unlock: the spin lock took 33 instructions off each message handed between two
//! async tasks (`cargo bench --bench instructions`), and the selections that register
//! on many channels were no slower (benches/README.md, "Async waits: a cheaper
//! wait").

use crate::context::{Context, Operation, Selected};
use channel_core::sync::atomic::{AtomicBool, Ordering};
use channel_core::sync::{handshake_fence, SpinGuard, SpinLock};
use core::ops::{Deref, DerefMut};

/// The `deal` of an entry that has none.
pub(crate) const NO_DEAL: usize = usize::MAX;

/// The `deal` of a buffered channel's blocked `recv`, which waits on that channel
/// alone and cannot stop waiting once selected: a sender may hand it a message (see
/// [`WaitList::reserve_to_hand`]).
pub(crate) const TAKES: usize = usize::MAX - 2;

/// The deal of a `TAKES` receiver between the claim that selected it and the deal
/// that claim hands it (see [`WaitList::reserve_to_hand`]).
pub(crate) const HANDING: usize = usize::MAX - 3;

/// One registered waiter.
pub(crate) struct Entry {
    /// The operation it waits to perform.
    pub(crate) oper: Operation,
    /// Its deal: a rendezvous deal, a buffered channel's parked message (a blocked
    /// sender's) or `TAKES` (a receiver that may be handed a message); else `NO_DEAL`.
    pub(crate) deal: usize,
    /// Its context.
    pub(crate) cx: Context,
}

/// The waiters of one side of a channel.
#[derive(Default)]
pub(crate) struct WaitList {
    /// Threads waiting to perform the operation.
    selectors: Vec<Entry>,
    /// Threads waiting to learn that the operation became possible.
    observers: Vec<Entry>,
}

impl WaitList {
    /// Registers `cx` as waiting to perform `oper`.
    #[inline]
    pub(crate) fn register(&mut self, oper: Operation, cx: &Context) {
        self.register_with_deal(oper, NO_DEAL, cx);
    }

    /// Registers `cx` as waiting to perform `oper` through `deal`.
    #[inline]
    pub(crate) fn register_with_deal(&mut self, oper: Operation, deal: usize, cx: &Context) {
        self.selectors.push(Entry {
            oper,
            deal,
            cx: cx.clone(),
        });
    }

    /// Removes the registration of `oper`, returning it if it was still there.
    pub(crate) fn unregister(&mut self, oper: Operation) -> Option<Entry> {
        let i = self.selectors.iter().position(|e| e.oper == oper)?;
        Some(self.remove(i))
    }

    /// Reserves the first waiter that `eligible` accepts and whose context is still
    /// free (selects it for its operation); returns its entry, removed from the list.
    ///
    /// The caller wakes it (`entry.cx.unpark()`) *after* releasing the lock around this
    /// list: a thread woken while we hold the lock it is about to take would only block
    /// again.
    pub(crate) fn reserve_where(&mut self, eligible: impl Fn(&Entry) -> bool) -> Option<Entry> {
        self.reserve_by(|e| eligible(e) && e.cx.select(Selected::Operation(e.oper)).is_ok())
    }

    /// Like [`WaitList::reserve_where`], where `claim` selects an entry's context itself
    /// (and may prepare the operation before, and undo that when the claim fails):
    /// returns the first entry it claimed, removed from the list.
    pub(crate) fn reserve_by(&mut self, claim: impl FnMut(&Entry) -> bool) -> Option<Entry> {
        let i = self.selectors.iter().position(claim)?;
        Some(self.remove(i))
    }

    /// Removes the selector at `i`, keeping the others in order. The last one (the
    /// usual case: one waiter) is popped, which moves nothing.
    #[inline]
    fn remove(&mut self, i: usize) -> Entry {
        if i + 1 == self.selectors.len() {
            if let Some(entry) = self.selectors.pop() {
                return entry;
            }
        }
        self.selectors.remove(i)
    }

    /// Wakes the first waiter whose context is still free, as `reserve_where` does, but
    /// selects one that waits with a deal in the list (a buffered channel's sender whose
    /// message waits there: selected for its operation, it would take its message for
    /// delivered) with `Aborted` instead, so that it tries its operation again. Returns
    /// its entry, removed from the list, to be woken after the lock is released.
    ///
    /// The entries passed over on the way are removed too: their contexts are already
    /// selected (by another channel of their selection, a deadline, their own
    /// re-check), so their wait is over and nothing can reserve them again; their
    /// owners' `unregister` finds them gone. Left in place, they would be tried again
    /// by every notification until their owners get round to unregistering, which
    /// under contention is most of what a notification costs.
    pub(crate) fn reserve_to_wake(&mut self) -> Option<Entry> {
        let found = self.selectors.iter().position(|e| {
            let sel = if e.deal == NO_DEAL {
                Selected::Operation(e.oper)
            } else {
                Selected::Aborted
            };
            e.cx.select(sel).is_ok()
        });
        self.take_found(found)
    }

    /// The entry at `found`, removed, with every entry before it (passed over: see
    /// `reserve_to_wake`); every entry when none was found.
    fn take_found(&mut self, found: Option<usize>) -> Option<Entry> {
        match found {
            Some(i) => {
                let entry = self.remove(i);
                if i > 0 {
                    // (Not when there is nothing to drop: a drain costs dozens of
                    // instructions even when empty, and the first entry is the usual one.)
                    self.selectors.drain(..i);
                }
                Some(entry)
            }
            None => {
                self.selectors.clear();
                None
            }
        }
    }

    /// `reserve_to_wake` for a buffered channel's receivers, which may be handed their
    /// message: a blocked `recv` (registered to take one, `TAKES`) is selected first,
    /// and only then given the deal `offer` makes (a message claimed for it, or
    /// `NO_DEAL` if none could be: woken to try). Returns its entry, removed from the
    /// list, to be woken after the lock is released.
    ///
    /// The receiver is committed before the message is claimed: once the claim that
    /// selects it has won, its own deadline or re-check can no longer call its wait
    /// off, so the message is always received by it, at the point of the claim in the
    /// queue's order. (Claimed first, a message whose receiver then stopped waiting
    /// would have to go back, behind the newer ones another receiver may have taken
    /// meanwhile: out of its sender's order.) Meanwhile its deal reads `HANDING`: a
    /// receiver that sees its claim before the deal takes this lock, which is held
    /// until the deal is set, and reads it then (see `Waiters::deal_of`).
    ///
    /// `offer` is called at most once: a receiver selected after it found nothing is
    /// woken to try, as is a waiter that takes no deal (a selection). Entries passed
    /// over are removed, as by `reserve_to_wake`.
    pub(crate) fn reserve_to_hand(&mut self, offer: impl FnOnce() -> usize) -> Option<Entry> {
        let found = self.selectors.iter().position(|e| {
            if e.deal == TAKES {
                // Before the claim, which publishes it (see `Context::set_deal`). If
                // the claim fails, the context is its owner's again and never reads it.
                e.cx.set_deal(HANDING);
            }
            e.cx.select(Selected::Operation(e.oper)).is_ok()
        });
        let entry = self.take_found(found)?;
        if entry.deal == TAKES {
            entry.cx.set_deal(offer());
        }
        Some(entry)
    }

    /// True if some waiter that `eligible` accepts could be reserved now.
    pub(crate) fn can_reserve_where(&self, eligible: impl Fn(&Entry) -> bool) -> bool {
        self.selectors
            .iter()
            .any(|e| eligible(e) && e.cx.selected() == Selected::Waiting)
    }

    /// Calls off the wait of the first waiter that `eligible` accepts (its context
    /// selected with `Aborted`), so that it tries its operations again; returns its
    /// context, to be woken after the lock is released.
    pub(crate) fn abort_where(&mut self, eligible: impl Fn(&Entry) -> bool) -> Option<Context> {
        self.selectors
            .iter()
            .find(|e| eligible(e) && e.cx.select(Selected::Aborted).is_ok())
            .map(|e| e.cx.clone())
    }

    /// Registers `cx` as an observer of `oper`.
    pub(crate) fn watch(&mut self, oper: Operation, cx: &Context) {
        self.observers.push(Entry {
            oper,
            deal: NO_DEAL,
            cx: cx.clone(),
        });
    }

    /// Removes the observer registration of `oper`.
    pub(crate) fn unwatch(&mut self, oper: Operation) {
        self.observers.retain(|e| e.oper != oper);
    }

    /// Wakes every observer (each claimed for its own operation).
    #[inline]
    pub(crate) fn notify_observers(&mut self) {
        // The common case, inlined: nobody observes.
        if !self.observers.is_empty() {
            self.wake_observers();
        }
    }

    /// `notify_observers` once someone observes.
    #[inline(never)]
    fn wake_observers(&mut self) {
        for e in self.observers.drain(..) {
            if e.cx.select(Selected::Operation(e.oper)).is_ok() {
                e.cx.unpark();
            }
        }
    }

    /// Wakes every waiter and observer with `Disconnected`.
    pub(crate) fn disconnect(&mut self) {
        for e in &self.selectors {
            if e.cx.select(Selected::Disconnected).is_ok() {
                e.cx.unpark();
            }
        }
        self.notify_observers();
    }

    /// True when nobody waits or observes.
    pub(crate) fn is_empty(&self) -> bool {
        self.selectors.is_empty() && self.observers.is_empty()
    }
}

/// A [`WaitList`] shared between threads, with `X`, anything else its lock guards (a
/// buffered channel's senders keep their waiting messages there).
pub(crate) struct Waiters<X = ()> {
    /// The lists, and `X`.
    inner: SpinLock<Guarded<X>>,
    /// Mirror of the lists' `is_empty()`, read without the lock.
    is_empty: AtomicBool,
}

/// What the lock of a [`Waiters`] guards.
pub(crate) struct Guarded<X> {
    /// The waiters.
    pub(crate) list: WaitList,
    /// The rest.
    pub(crate) extra: X,
}

impl<X: Default> Default for Waiters<X> {
    fn default() -> Self {
        Waiters {
            inner: SpinLock::new(Guarded {
                list: WaitList::default(),
                extra: X::default(),
            }),
            is_empty: AtomicBool::new(true),
        }
    }
}

/// The lock of a [`Waiters`], held: refreshes the `is_empty` mirror when released.
pub(crate) struct Locked<'a, X> {
    /// The guard (dropped after `drop` below has run, so the mirror is stored first).
    guard: SpinGuard<'a, Guarded<X>>,
    /// The mirror.
    is_empty: &'a AtomicBool,
}

impl<X> Deref for Locked<'_, X> {
    type Target = Guarded<X>;
    fn deref(&self) -> &Guarded<X> {
        &self.guard
    }
}

impl<X> DerefMut for Locked<'_, X> {
    fn deref_mut(&mut self) -> &mut Guarded<X> {
        &mut self.guard
    }
}

impl<X> Drop for Locked<'_, X> {
    fn drop(&mut self) {
        // SeqCst: a waiter's registration (false here) and its re-check of the queue
        // must not be reordered against a peer's queue update and `is_empty` load in
        // `may_wait` — one of the two is guaranteed to see the other (Dekker pattern).
        self.is_empty
            .store(self.guard.list.is_empty(), Ordering::SeqCst);
        handshake_fence();
    }
}

impl<X> Waiters<X> {
    /// Takes the lock (the mirror is refreshed when it is released).
    pub(crate) fn lock(&self) -> Locked<'_, X> {
        Locked {
            guard: self.inner.lock(),
            is_empty: &self.is_empty,
        }
    }

    /// Runs `f` on the lists under the lock.
    #[inline]
    fn update<R>(&self, f: impl FnOnce(&mut WaitList) -> R) -> R {
        f(&mut self.lock().list)
    }

    /// Registers `cx` as waiting to perform `oper`.
    pub(crate) fn register(&self, oper: Operation, cx: &Context) {
        self.update(|w| w.register(oper, cx));
    }

    /// Registers `cx` as a receiver that waits on this channel alone and takes a
    /// message handed to it (see [`WaitList::reserve_to_hand`]).
    pub(crate) fn register_taking(&self, oper: Operation, cx: &Context) {
        self.update(|w| w.register_with_deal(oper, TAKES, cx));
    }

    /// The deal of a `register_taking` receiver whose context `cx` was selected for
    /// its operation: the message handed to it, or `NO_DEAL` if it was woken to try.
    /// Read without the lock unless the claimer has not set it yet (`HANDING`): then
    /// under the lock, which the claimer holds until it has.
    pub(crate) fn deal_of(&self, cx: &Context) -> usize {
        // The claimer stored `HANDING` before its claim, which we saw (Acquire in
        // `selected`): this reads `HANDING` or the deal stored after it. A deal read
        // without the lock names a message the claimer kept under the stash's lock
        // before storing the deal; our take under that lock comes after the keep, as
        // a load cannot read a store that happens after it (coherence).
        match cx.deal() {
            HANDING => {
                let _locked = self.lock();
                cx.deal()
            }
            deal => deal,
        }
    }

    /// Removes the registration of `oper`.
    pub(crate) fn unregister(&self, oper: Operation) -> Option<Entry> {
        self.update(|w| w.unregister(oper))
    }

    /// Registers `cx` as an observer of `oper`.
    pub(crate) fn watch(&self, oper: Operation, cx: &Context) {
        self.update(|w| w.watch(oper, cx));
    }

    /// Removes the observer registration of `oper`.
    pub(crate) fn unwatch(&self, oper: Operation) {
        self.update(|w| w.unwatch(oper));
    }

    /// True if someone may wait or observe: one load when nobody does. A state change
    /// made before this call (`SeqCst`) is seen by every waiter that this misses.
    #[inline]
    pub(crate) fn may_wait(&self) -> bool {
        // SeqCst: see `Locked::drop`.
        handshake_fence();
        !self.is_empty.load(Ordering::SeqCst)
    }

    /// Wakes everyone with `Disconnected`.
    pub(crate) fn disconnect(&self) {
        self.update(|w| w.disconnect());
    }
}
