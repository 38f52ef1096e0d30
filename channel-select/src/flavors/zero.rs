//! The rendezvous channel, `bounded(0)`: a send completes only when a receive takes it.
//!
//! There is no buffer. One lock guards both wait lists, the disconnection flag and the
//! *deals*: the channel's own slots for messages in transit. Only a blocked `recv`
//! shares its stack: it cannot leave without taking the lock (see `Slot`). Every other
//! party may leave (time out, be dropped, be forgotten) without leaving a dangling
//! pointer behind.
//!
//! A waiting party registers an entry whose deal is its side of the exchange:
//! - a blocked `send` puts its message in an `Offer`; a receiver claims the sender's
//!   context and takes the message, all under the lock, and the sender returns;
//! - a blocked `recv` registers its own `Slot`: a sender moves its message in, then
//!   claims the receiver's context, all under the lock, and the receiver returns with
//!   it. A hand-off takes two locks, the receiver's and the sender's;
//! - a blocking selection's receive opens a `Want`; a sender claims the receiver's
//!   context and fills the deal (`Ready`), which the receiver then takes;
//! - a future's receive (a receive future, a selection future) opens a `Want` too, but
//!   is never handed a message: a future may be dropped instead of taking it, and the
//!   message could then only come back behind newer ones received meanwhile, out of
//!   its sender's order. A sender claims its context, leaves the message as an
//!   *orphan* (below) and wakes it to take it, as it takes any orphan: a future
//!   dropped instead passes the wake-up on. (So such a send completes before the
//!   receive does, as a send into any waiting receiver's deal does.);
//! - a selection's send registers with no deal: its message does not exist until its
//!   arm has won. A blocking `recv` may claim it: it opens a `Promised` deal, hands it
//!   to the selection, and waits (parked) until the message is written or its own
//!   deadline passes. A selecting sender likewise claims a waiting receiver by turning
//!   its `Want` into `Promised`.
//!
//! So only a receiver that can wait ever waits for a sender's message, and only until
//! its own deadline: then it *revokes* the deal. The selected send, finding it revoked,
//! still completes at once (a selection that chose a send must not then wait): it
//! hands its message to a waiting receiver if there is one, and otherwise leaves it in
//! the channel as an *orphan*, an offer with no sender behind it, which the next
//! receive takes first. A selected send whose promised receiver is a future leaves
//! its message as an orphan too, and calls the promise off (`Cancelled`), so that the
//! future looks again and takes it. (So a rendezvous channel can hold messages only
//! this way: `len` counts the orphans.) While orphans wait, a sender that finds a
//! receiver hands it the oldest and leaves its own message behind them, so that every
//! receiver sees each sender's messages in order. A selected send that is given up
//! cancels its deal (its receiver looks again); one that is forgotten leaves its
//! receiver waiting until that receiver's deadline (or until the channel is
//! disconnected, which revokes every promise). `try_recv` and readiness see only
//! offers and orphans: a selecting sender has no message to take yet. A selecting
//! receiver cannot wait for one in its first pass either, so when it registers it
//! calls off the wait of one selecting sender, which then claims it.
//!
//! A selection never pairs with itself (its registrations skip entries of its own
//! context), so a selection of both a send and a receive on one rendezvous channel
//! waits for others.
//!
//! Lock order: this lock is a leaf. A claimed party is unparked after it is released;
//! observers (`Select::ready`) and, on `disconnect`, everyone are woken under it (see
//! `waiters`).
//!
//! The lock is a [`SpinLock`]: every hand-off takes it on both sides, often at the same
//! moment, and its sections are a few list and slab updates that run no user code. A
//! parking mutex measured slower there: its contended path spins and then sleeps in
//! the kernel, where a hand-off wants the lock back within a few hundred nanoseconds.

use super::{
    accepted, Accept, Chan, Receiving, RecvSide, SelectHandle, SendSide, Sending, Snapshot, Token,
};
use crate::context::{expired, Context, Operation, Selected};
use crate::errors::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};
use crate::select::{LazyPending, Pending};
use crate::waiters::{Entry, WaitList, NO_DEAL};
use channel_core::sync::atomic::{AtomicUsize, Ordering};
use channel_core::sync::{time, SpinGuard, SpinLock, UnsafeCell};
use std::collections::VecDeque;
use std::task::{Poll, Waker};
use std::time::Instant;

/// Where one message exchange stands.
enum Hand {
    /// Not in use (on the free list).
    Free,
    /// A blocked sender's message, waiting for a receiver.
    Offer,
    /// A blocked receiver, waiting for a message.
    Want,
    /// A selected send will write here; the receiver (this context) waits.
    Promised(Context),
    /// A message for the receiver that was claimed; it takes it and frees the deal.
    Ready,
    /// The promised send was given up: its receiver frees the deal and looks again.
    Cancelled,
    /// The receiver stopped waiting: the selected sender frees the deal.
    Revoked,
}

/// One message exchange in progress, kept by the channel. The message sits apart
/// from the state so that it is written and taken in place, never carried around.
struct Deal<T> {
    /// Where the exchange stands.
    hand: Hand,
    /// The message, while `Offer` or `Ready`.
    msg: Option<T>,
}

/// How a receiver's wait on a deal ended.
enum Settled {
    /// The deal holds a message (`Ready`).
    Ready,
    /// The promised send was given up; the deal is freed.
    Cancelled,
    /// The deadline passed, or the channel was disconnected; the deal is revoked.
    Gave(RecvTimeoutError),
}

/// The deals, reused through a free list (no allocation once warmed up).
struct Deals<T> {
    /// Every deal ever opened; freed ones are `Free`.
    slots: Vec<Deal<T>>,
    /// Indices of the `Free` slots.
    free: Vec<usize>,
}

impl<T> Deals<T> {
    /// Opens a deal in state `hand`, with no message.
    #[inline]
    fn open(&mut self, hand: Hand) -> usize {
        match self.free.pop() {
            Some(id) => {
                self.slots[id].hand = hand;
                id
            }
            None => {
                self.slots.push(Deal { hand, msg: None });
                self.slots.len() - 1
            }
        }
    }

    /// Frees deal `id` (which holds no message).
    fn close(&mut self, id: usize) {
        self.slots[id].hand = Hand::Free;
        self.free.push(id);
    }

    /// The state of deal `id`.
    fn hand(&mut self, id: usize) -> &mut Hand {
        &mut self.slots[id].hand
    }

    /// Puts `msg` in deal `id`, which is then in state `hand`.
    fn fill(&mut self, id: usize, hand: Hand, msg: T) {
        let deal = &mut self.slots[id];
        deal.hand = hand;
        let _ = deal.msg.insert(msg);
    }

    /// Moves the message out of `msg` into deal `id` (which holds none), which is then
    /// in state `hand`: swapped in place, so that no frame holds another copy of a
    /// big message.
    fn fill_from(&mut self, id: usize, hand: Hand, msg: &mut Option<T>) {
        let deal = &mut self.slots[id];
        deal.hand = hand;
        core::mem::swap(&mut deal.msg, msg);
    }

    /// Puts `msg` in the want `id` of a receiver that will take it: `Ready`.
    fn fill_want(&mut self, id: usize, msg: T) {
        self.fill(id, Hand::Ready, msg);
    }

    /// Frees offer `id` and moves its message into `msg` (which holds none), in place
    /// (see `fill_from`).
    fn take_into(&mut self, id: usize, msg: &mut Option<T>) {
        self.close(id);
        core::mem::swap(&mut self.slots[id].msg, msg);
    }

    /// Frees deal `id` (an `Offer` or `Ready`) and returns its message.
    #[inline]
    fn take(&mut self, id: usize) -> T {
        self.close(id);
        self.slots[id]
            .msg
            .take()
            .expect("rendezvous deal holds no message")
    }
}

/// The state behind the lock.
struct Inner<T> {
    /// Blocked senders: `deal` is their `Offer`, or `NO_DEAL` for a selection.
    senders: WaitList,
    /// Blocked receivers: `deal` is their `Want`.
    receivers: WaitList,
    /// The messages in transit.
    deals: Deals<T>,
    /// Messages of receives claimed by a selection and given up: dropped with the
    /// channel (by a thread that owns a handle), never by the selecting thread.
    graveyard: Vec<T>,
    /// Offers with no sender behind them, oldest first: the messages of selected sends
    /// whose receiver had given up, and of sends to a future (see the module).
    orphans: VecDeque<usize>,
    /// Set once by `disconnect`.
    is_disconnected: bool,
}

impl<T> Inner<T> {
    /// Disconnected: a receiver that finds no orphan and no offer sees the
    /// disconnection. (Every message still in the channel is one of those: a receive
    /// future is never handed a message it could take away when dropped; see `give`.)
    fn closed_for_receivers(&self) -> bool {
        self.is_disconnected
    }
}

/// The `deal` of a blocked `recv`'s entry: its message goes straight into the
/// receiver's [`Slot`], whose address is the entry's operation. Also the deal the
/// sender that fills it hands over (`set_deal`).
const IN_SLOT: usize = usize::MAX - 1;

/// Where a blocked `recv` takes its message: a cell on its own stack, named by its
/// entry (the entry's operation is the slot's address).
///
/// Written only under the channel's lock, while the entry is registered: a sender
/// moves its message in and then claims the receiver's context, taking the message
/// back if that claim fails (the receiver timed out, or the channel was
/// disconnected). The receiver reads it without the lock, once it sees the claim. A
/// receiver whose wait ends any other way takes the lock to unregister its entry
/// before its stack frame goes, so no sender can hold the slot's address by then.
struct Slot<T> {
    /// The message, once a sender has claimed the receiver.
    msg: UnsafeCell<Option<T>>,
}

impl<T> Slot<T> {
    /// The slot that the entry of a blocked `recv` names (`e.deal == IN_SLOT`).
    ///
    /// # Safety
    /// The caller holds the channel's lock and `e` is still registered: its receiver
    /// is still in `recv`, waiting or about to unregister under that lock.
    unsafe fn of(e: &Entry) -> &Slot<T> {
        debug_assert_eq!(e.deal, IN_SLOT);
        // SAFETY: the entry's operation is the address of the receiver's `Slot<T>`
        // (`wait_for_sender`), which lives until the receiver has unregistered or
        // seen its claim (the caller's contract).
        unsafe { &*e.oper.ptr().cast::<Slot<T>>() }
    }

    /// Exchanges the slot's content with `msg`: moves a message in, or takes it back
    /// out. Swapped in place, so that no frame holds another copy of a big message.
    ///
    /// # Safety
    /// Nobody else accesses the slot meanwhile: the caller holds the channel's lock
    /// and the receiver has not seen a claim, or the caller is the receiver, which
    /// has seen one.
    unsafe fn exchange(&self, msg: &mut Option<T>) {
        // SAFETY: exclusive access (the caller's contract); the slot and `msg` (which
        // is not in the slot) do not overlap. Swapped piecewise: no whole-message
        // temporary.
        self.msg
            .with_mut(|p| unsafe { core::ptr::swap_nonoverlapping(p, msg, 1) });
    }

    /// The receiver takes its message, once it has seen the claim.
    ///
    /// # Safety
    /// As `exchange`: the caller is the receiver, and has seen the claim.
    unsafe fn take(&self) -> T {
        // SAFETY: exclusive access (the caller's contract).
        self.msg
            .with_mut(|p| unsafe { (*p).take() })
            .expect("rendezvous slot claimed empty")
    }
}

/// How a blocking receive's step ended.
enum Step {
    /// A sender moved its message into our slot.
    Got,
    /// A selection's send will write into this deal: settle it.
    Settle(usize),
    /// Look again.
    Again,
}

/// A blocked sender with a message to take.
fn offers(e: &Entry) -> bool {
    e.deal != NO_DEAL
}

/// A selection's send, whose message comes once it is claimed.
fn selecting(e: &Entry) -> bool {
    e.deal == NO_DEAL
}

/// A zero-capacity channel.
pub(crate) struct Channel<T> {
    /// Wait lists, deals and the disconnection flag.
    inner: SpinLock<Inner<T>>,
    /// Bumped under the lock by every change: equal values read at two instants mean
    /// the channel did not change in between (see `Select`'s confirming pass).
    version: AtomicUsize,
}

impl<T> Channel<T> {
    /// A new rendezvous channel.
    pub(crate) fn new() -> Self {
        Channel {
            inner: SpinLock::new(Inner {
                senders: WaitList::default(),
                receivers: WaitList::default(),
                deals: Deals {
                    slots: Vec::new(),
                    free: Vec::new(),
                },
                graveyard: Vec::new(),
                orphans: VecDeque::new(),
                is_disconnected: false,
            }),
            version: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> SpinGuard<'_, Inner<T>> {
        self.inner.lock()
    }

    /// Frees deal `id` and returns its message (the caller holds the lock).
    fn take(&self, inner: &mut Inner<T>, id: usize) -> T {
        inner.deals.take(id)
    }

    /// Records a change (the caller holds the lock).
    fn changed(&self) {
        // SeqCst: read without the lock by `version_*`, which must see every change
        // made before it in the single total order.
        self.version.fetch_add(1, Ordering::SeqCst);
    }

    /// Where a receiver's deal `id` stands (the caller holds the lock): `None` while it
    /// is promised and the receiver may still wait for the message (the channel is
    /// connected and `deadline` has not passed); a receiver that stops waiting revokes
    /// the deal.
    fn settle(
        &self,
        inner: &mut Inner<T>,
        id: usize,
        deadline: Option<Instant>,
    ) -> Option<Settled> {
        match inner.deals.hand(id) {
            Hand::Ready => return Some(Settled::Ready),
            Hand::Cancelled => {
                inner.deals.close(id);
                return Some(Settled::Cancelled);
            }
            Hand::Promised(_) => {}
            _ => unreachable!("a receiver's deal in an unexpected state"),
        }
        let gave = if inner.is_disconnected {
            RecvTimeoutError::Disconnected
        } else if deadline.is_some_and(expired) {
            RecvTimeoutError::Timeout
        } else {
            return None;
        };
        *inner.deals.hand(id) = Hand::Revoked;
        self.changed();
        Some(Settled::Gave(gave))
    }

    /// Waits (parked) while deal `id` is promised, at most until `deadline`; takes the
    /// message once it is there.
    fn settle_blocking(&self, id: usize, deadline: Option<Instant>) -> Result<T, Settled> {
        loop {
            let mut inner = self.lock();
            match self.settle(&mut inner, id, deadline) {
                Some(Settled::Ready) => return Ok(self.take(&mut inner, id)),
                Some(settled) => return Err(settled),
                None => {}
            }
            drop(inner);
            // Woken by the write, the cancel or the disconnection (or spuriously).
            time::park_until(deadline);
        }
    }

    /// Takes an orphan's message, or a blocked sender's offer (the caller holds the
    /// lock): the message, and the sender to wake once the lock is released.
    #[inline]
    fn take_offered(&self, inner: &mut Inner<T>) -> Option<(T, Option<Context>)> {
        if let Some(id) = inner.orphans.pop_front() {
            self.changed();
            return Some((self.take(inner, id), None));
        }
        let entry = inner.senders.reserve_where(offers)?;
        self.changed();
        Some((self.take(inner, entry.deal), Some(entry.cx)))
    }

    /// One step of a blocking receive that took no offer: claims a selection's send
    /// (it will write into a promised deal) or registers `slot` (on the receive's
    /// stack) and parks.
    fn wait_for_sender(
        &self,
        mut inner: SpinGuard<'_, Inner<T>>,
        slot: &Slot<T>,
        deadline: Option<Instant>,
    ) -> Result<Step, RecvTimeoutError> {
        // The caller looked for orphans and offers under this same lock.
        if let Some(entry) = inner.senders.reserve_where(selecting) {
            let id = Context::with(|cx| inner.deals.open(Hand::Promised(cx.clone())));
            entry.cx.set_deal(id);
            self.changed();
            drop(inner);
            entry.cx.unpark();
            return Ok(Step::Settle(id));
        }
        if inner.senders.can_reserve_where(selecting) {
            return Ok(Step::Again); // one just became claimable or was claimed
        }
        if inner.closed_for_receivers() {
            return Err(RecvTimeoutError::Disconnected);
        }
        if deadline.is_some_and(expired) {
            return Err(RecvTimeoutError::Timeout);
        }
        let oper = Operation::hook(slot);
        let claimed = Context::with(|cx| {
            inner.receivers.register_with_deal(oper, IN_SLOT, cx);
            inner.senders.notify_observers();
            self.changed();
            drop(inner);
            // Nothing from here to the unregistration below unwinds (no user code
            // runs), so the slot outlives the entry that names it.
            match cx.wait_until(deadline, true) {
                Selected::Operation(_) => Ok(cx.deal()),
                sel => Err(sel),
            }
        });
        match claimed {
            // The claimer moved its message into the slot.
            Ok(IN_SLOT) => Ok(Step::Got),
            // A selection's send claimed us: its message comes through this deal.
            Ok(id) => Ok(Step::Settle(id)),
            Err(Selected::Waiting) => unreachable!("wait_until returned while waiting"),
            Err(sel) => {
                // Our own timeout or the disconnection selected the context, so no
                // sender took the entry: it is still there.
                let mut inner = self.lock();
                inner
                    .receivers
                    .unregister(oper)
                    .expect("rendezvous entry vanished");
                self.changed();
                if sel == Selected::Disconnected {
                    // Look again: a message left for a woken receive future (an
                    // orphan) may still wait, to be received first.
                    Ok(Step::Again)
                } else {
                    Err(RecvTimeoutError::Timeout)
                }
            }
        }
    }

    /// Registers `cx`'s send `oper`, whose message waits in offer `id`, and releases
    /// the lock.
    fn offer(&self, mut inner: SpinGuard<'_, Inner<T>>, oper: Operation, id: usize, cx: &Context) {
        inner.senders.register_with_deal(oper, id, cx);
        inner.receivers.notify_observers();
        self.changed();
    }

    /// Takes back the message of offer `id`, registered as `oper`, unless a receiver
    /// took it.
    fn withdraw(&self, oper: Operation, id: usize) -> Option<T> {
        let mut inner = self.lock();
        inner.senders.unregister(oper)?;
        self.changed();
        Some(self.take(&mut inner, id))
    }
}

impl<T> Channel<T> {
    /// A receive can be claimed now: an orphan, an offer, or the disconnection.
    fn can_recv(inner: &Inner<T>) -> bool {
        !inner.orphans.is_empty()
            || inner.senders.can_reserve_where(offers)
            || inner.closed_for_receivers()
    }

    /// A send can be claimed now by `cx` (`None`: by whoever asks): a waiting receiver
    /// of another context, or the disconnection.
    fn can_send(inner: &Inner<T>, cx: Option<&Context>) -> bool {
        inner
            .receivers
            .can_reserve_where(|e| cx.is_none_or(|cx| !e.cx.is(cx)))
            || inner.is_disconnected
    }

    /// Delivers the message in `msg` to the first waiting receiver whose context it
    /// can claim (the caller holds the lock): into a blocked `recv`'s slot or a
    /// blocking selection's want. A future (a receive future, a selection future) is
    /// not handed it: it may be dropped instead of taking it, and the message could
    /// then only come back behind newer ones received meanwhile, out of its sender's
    /// order. It is woken to try, and the message waits for it as an orphan, where
    /// every receive looks first. Orphans already waiting go first: the message joins
    /// them at the back and the oldest is delivered. Returns the receiver, to wake
    /// once the lock is released; `msg` is then empty. `None`: nobody could be
    /// claimed, and `msg` is as it was. The message is swapped from place to place,
    /// never copied through a frame.
    #[inline]
    fn give(&self, inner: &mut Inner<T>, msg: &mut Option<T>) -> Option<Context> {
        if !inner.orphans.is_empty() {
            return self.give_behind_orphans(inner, msg);
        }
        let receiver = self.claim_receiver(inner, msg)?;
        if msg.is_some() {
            // A future, woken to try: the message waits for it, first in line.
            self.orphan(inner, msg, true);
        }
        Some(receiver)
    }

    /// `give` while orphans wait: the oldest goes to the receiver, `msg` to the back.
    /// With no receiver to claim (often: the future the last orphan woke has not
    /// taken it yet), the orphans are left as they are, not taken out and put back.
    #[cold]
    #[inline(never)]
    fn give_behind_orphans(&self, inner: &mut Inner<T>, msg: &mut Option<T>) -> Option<Context> {
        if !inner.receivers.can_reserve_where(|_| true) {
            return None;
        }
        let front = inner.orphans.pop_front().expect("an orphan waits");
        let mut oldest = Some(self.take(inner, front));
        let receiver = self.claim_receiver(inner, &mut oldest);
        if oldest.is_some() {
            // Nobody claimed, or a future woken to try: it stays first.
            self.orphan(inner, &mut oldest, true);
        }
        if receiver.is_some() {
            self.orphan(inner, msg, false);
        }
        receiver
    }

    /// Claims the first waiting receiver whose context it can (the caller holds the
    /// lock) and moves the message in `msg` into its slot or want (`msg` is then
    /// empty), or, a future, wakes it to try (`msg` is left for the caller). Returns
    /// the receiver, to wake once the lock is released.
    #[inline]
    fn claim_receiver(&self, inner: &mut Inner<T>, msg: &mut Option<T>) -> Option<Context> {
        let Inner {
            receivers, deals, ..
        } = inner;
        let entry = receivers.reserve_by(|e| {
            if e.deal != IN_SLOT {
                return e.cx.select(Selected::Operation(e.oper)).is_ok();
            }
            // SAFETY: under the lock, `e` registered: its receiver has seen no claim.
            let slot = unsafe { Slot::of(e) };
            // SAFETY: as above; the message goes in before the claim that publishes it.
            unsafe { slot.exchange(msg) };
            // Before the claim: the receiver reads it once it sees that claim.
            e.cx.set_deal(IN_SLOT);
            if e.cx.select(Selected::Operation(e.oper)).is_ok() {
                return true;
            }
            // It timed out (or was disconnected): it never reads the slot.
            // SAFETY: as above.
            unsafe { slot.exchange(msg) };
            false
        })?;
        if entry.deal != IN_SLOT {
            if entry.cx.is_task() {
                // Woken to try, with no deal (`accept` then looks for a message).
                deals.close(entry.deal);
            } else {
                // A blocking selection's want: it takes the message under the lock.
                deals.fill_from(entry.deal, Hand::Ready, msg);
                entry.cx.set_deal(entry.deal);
            }
        }
        self.changed();
        Some(entry.cx)
    }

    /// Keeps the message in `msg` (which is then empty) as an orphan (`first`: ahead
    /// of the others) for the next receive (the caller holds the lock).
    #[inline]
    fn orphan(&self, inner: &mut Inner<T>, msg: &mut Option<T>, first: bool) {
        let id = inner.deals.open(Hand::Offer);
        inner.deals.fill_from(id, Hand::Offer, msg);
        if first {
            inner.orphans.push_front(id);
        } else {
            inner.orphans.push_back(id);
        }
        inner.receivers.notify_observers();
        self.changed();
    }

    /// The oldest orphan's wake-up was not used (its future was dropped): it goes to
    /// the next waiting receiver, if any.
    fn pass_on(&self, mut inner: SpinGuard<'_, Inner<T>>) {
        let Some(front) = inner.orphans.pop_front() else {
            return;
        };
        let mut oldest = Some(self.take(&mut inner, front));
        let receiver = self.claim_receiver(&mut inner, &mut oldest);
        if oldest.is_some() {
            self.orphan(&mut inner, &mut oldest, true);
        }
        drop(inner);
        if let Some(receiver) = receiver {
            receiver.unpark();
        }
    }

    /// Delivers the message of a selected send whose receiver stopped waiting, without
    /// waiting itself: to a waiting receiver, or else as an orphan for the next one.
    /// Fails (handing the message back) only on disconnection.
    #[cold]
    #[inline(never)]
    fn deliver_late(&self, mut inner: SpinGuard<'_, Inner<T>>, msg: T) -> Result<(), T> {
        if inner.is_disconnected && !inner.receivers.can_reserve_where(|_| true) {
            return Err(msg);
        }
        let mut msg = Some(msg);
        match self.give(&mut inner, &mut msg) {
            Some(receiver) => {
                drop(inner);
                receiver.unpark();
            }
            None => self.orphan(&mut inner, &mut msg, false),
        }
        Ok(())
    }
}

impl<T> Chan for Channel<T> {
    fn len(&self) -> usize {
        self.lock().orphans.len()
    }
    fn capacity(&self) -> Option<usize> {
        Some(0)
    }
    fn is_full(&self) -> bool {
        true
    }

    fn disconnect(&self) -> bool {
        let mut inner = self.lock();
        if inner.is_disconnected {
            return false;
        }
        inner.is_disconnected = true;
        inner.senders.disconnect();
        inner.receivers.disconnect();
        // Receivers waiting on a promise revoke it (see `settle`).
        for deal in &inner.deals.slots {
            if let Hand::Promised(cx) = &deal.hand {
                cx.unpark_always();
            }
        }
        self.changed();
        true
    }

    fn disconnect_receivers(&self) {
        self.disconnect();
        // Nobody can receive the orphans any more: drop them now, outside the lock.
        let orphans: Vec<T> = {
            let mut inner = self.lock();
            let ids: Vec<usize> = inner.orphans.drain(..).collect();
            ids.into_iter()
                .map(|id| self.take(&mut inner, id))
                .collect()
        };
        drop(orphans);
    }

    fn is_disconnected(&self) -> bool {
        self.lock().is_disconnected
    }
}

impl<T> Receiving<Channel<T>> {
    /// A receive that does not wait, under one lock: an orphan's message or a blocked
    /// sender's offer (whose sender is woken), `Err` once the channel is disconnected
    /// with neither, `None` while there is nothing to take.
    #[inline]
    fn take_now(&self) -> Option<Result<T, ()>> {
        let mut inner = self.lock();
        if let Some((msg, sender)) = self.take_offered(&mut inner) {
            drop(inner);
            sender.inspect(Context::unpark);
            return Some(Ok(msg));
        }
        inner.closed_for_receivers().then_some(Err(()))
    }

    /// `reserve` under the lock, held in `inner` (released on return).
    fn reserve_locked(&self, mut inner: SpinGuard<'_, Inner<T>>, token: &mut Token) -> bool {
        if let Some(id) = inner.orphans.pop_front() {
            // Nobody to wake: the message waits in the deal for our `read`.
            *inner.deals.hand(id) = Hand::Ready;
            token.deal = id;
            self.changed();
            true
        } else if let Some(entry) = inner.senders.reserve_where(offers) {
            // The sender is done: its message waits in the deal for our `read`.
            *inner.deals.hand(entry.deal) = Hand::Ready;
            token.deal = entry.deal;
            self.changed();
            drop(inner);
            entry.cx.unpark();
            true
        } else if inner.closed_for_receivers() {
            token.deal = NO_DEAL;
            true
        } else {
            false
        }
    }
}

impl<T> SelectHandle for Receiving<Channel<T>> {
    fn reserve(&self, token: &mut Token) -> bool {
        self.reserve_locked(self.lock(), token)
    }

    unsafe fn abandon(&self, token: &mut Token) {
        if token.deal != NO_DEAL {
            let mut inner = self.lock();
            let msg = self.take(&mut inner, token.deal);
            inner.graveyard.push(msg);
        }
    }

    fn register(&self, oper: Operation, cx: &Context) -> bool {
        let mut inner = self.lock();
        let id = inner.deals.open(Hand::Want);
        inner.receivers.register_with_deal(oper, id, cx);
        inner.senders.notify_observers();
        // A selecting sender cannot be claimed by a selection's receive: call its
        // wait off, so that it tries again and claims our entry. (Not our own: a
        // selection of both sides of one channel waits for others.)
        let poked = inner.senders.abort_where(|e| selecting(e) && !e.cx.is(cx));
        let ready = Channel::can_recv(&inner);
        self.changed();
        drop(inner);
        if let Some(cx) = poked {
            cx.unpark();
        }
        ready
    }

    fn unregister(&self, oper: Operation) {
        let mut inner = self.lock();
        if let Some(entry) = inner.receivers.unregister(oper) {
            // Not claimed: its deal is still an empty want.
            inner.deals.close(entry.deal);
            self.changed();
        }
    }

    fn accept(&self, token: &mut Token, cx: &Context, deadline: Option<Instant>) -> Accept {
        let mut inner = self.lock();
        // The lock orders the claimer's `set_deal` before our read of it.
        token.deal = cx.deal();
        if token.deal == NO_DEAL {
            // A future woken to try (see `give`): it takes what it finds, under the
            // same lock.
            return accepted(self.reserve_locked(inner, token));
        }
        match self.settle(&mut inner, token.deal, deadline) {
            None => Accept::Wait,
            Some(Settled::Ready) => Accept::Yes,
            Some(Settled::Cancelled | Settled::Gave(_)) => Accept::No,
        }
    }

    fn decline(&self, cx: &Context) {
        let mut inner = self.lock();
        let id = cx.deal();
        if id != NO_DEAL {
            match inner.deals.hand(id) {
                // Its sender will find the deal revoked and deliver the message itself.
                hand @ Hand::Promised(_) => {
                    *hand = Hand::Revoked;
                    self.changed();
                    return;
                }
                Hand::Cancelled => inner.deals.close(id),
                // (Never `Ready`: a future is not handed messages; see `give`.)
                _ => unreachable!("a selected receiver's deal in an unexpected state"),
            }
        }
        // Woken to try (or its promise called off, its message orphaned: see `write`),
        // and gone: the wake-up passes on.
        self.pass_on(inner);
    }

    fn is_ready(&self) -> bool {
        Channel::can_recv(&self.lock())
    }

    fn version(&self) -> Snapshot {
        [self.version.load(Ordering::SeqCst), 0, 0, 0, 0]
    }

    fn watch(&self, oper: Operation, cx: &Context) -> bool {
        let mut inner = self.lock();
        inner.receivers.watch(oper, cx);
        Channel::can_recv(&inner)
    }

    fn unwatch(&self, oper: Operation) {
        self.lock().receivers.unwatch(oper);
    }
}

impl<T> RecvSide<T> for Receiving<Channel<T>> {
    unsafe fn read(&self, token: &mut Token) -> Result<T, ()> {
        // Reset: a future's token is clear again for its next poll (a stream's).
        let id = core::mem::replace(&mut token.deal, NO_DEAL);
        if id == NO_DEAL {
            return Err(());
        }
        Ok(self.take(&mut self.lock(), id))
    }

    /// A receive future first takes an orphan or an offer that is there now, under
    /// one lock (`take_now`, as `try_recv`; a claim and then a read take two); then
    /// the one-operation selection.
    fn poll_recv(&self, pending: &mut LazyPending, waker: &Waker) -> Poll<Result<T, ()>> {
        if pending.is_clear() {
            if let Some(res) = self.take_now() {
                return Poll::Ready(res);
            }
            let pending = pending.start();
            // SAFETY: claimed on this side by the poll just now, completed once.
            return pending
                .wait_one(self, waker)
                .map(|()| unsafe { self.read(&mut pending.token) });
        }
        let pending = pending.start();
        // SAFETY: as above.
        pending
            .poll_one(self, waker)
            .map(|()| unsafe { self.read(&mut pending.token) })
    }

    // Out of line: keeps the handles' flavor dispatch small for the buffered flavors.
    #[inline(never)]
    fn try_recv(&self) -> Result<T, TryRecvError> {
        match self.take_now() {
            Some(Ok(msg)) => Ok(msg),
            Some(Err(())) => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    // Out of line: keeps the handles' flavor dispatch small for the buffered flavors.
    #[inline(never)]
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        // Where a sender moves its message while we wait (see `Slot`).
        let slot = Slot {
            msg: UnsafeCell::new(None),
        };
        loop {
            // One lock for the look and the wait: a hand-off takes two in all (this
            // and the sender's, which moves the message into our slot).
            let mut inner = self.lock();
            if let Some((msg, sender)) = self.take_offered(&mut inner) {
                drop(inner);
                sender.inspect(Context::unpark);
                return Ok(msg);
            }
            let id = match self.wait_for_sender(inner, &slot, deadline)? {
                // SAFETY: we saw the claim; the claimer is done with the slot.
                Step::Got => return Ok(unsafe { slot.take() }),
                Step::Settle(id) => id,
                Step::Again => continue,
            };
            match self.settle_blocking(id, deadline) {
                Ok(msg) => return Ok(msg),
                // Look again: on disconnection, messages may still wait (orphans).
                Err(Settled::Cancelled | Settled::Gave(RecvTimeoutError::Disconnected)) => {}
                Err(Settled::Gave(e)) => return Err(e),
                Err(Settled::Ready) => unreachable!("a ready deal is taken"),
            }
        }
    }
}

impl<T> SelectHandle for Sending<Channel<T>> {
    fn reserve(&self, token: &mut Token) -> bool {
        let mut inner = self.lock();
        let Inner {
            receivers, deals, ..
        } = &mut *inner;
        let claimed = receivers.reserve_by(|e| {
            if e.deal != IN_SLOT {
                return e.cx.select(Selected::Operation(e.oper)).is_ok();
            }
            // A blocked `recv`: the message will come through a promised deal, which
            // it reads once it sees the claim.
            let id = deals.open(Hand::Promised(e.cx.clone()));
            e.cx.set_deal(id);
            if e.cx.select(Selected::Operation(e.oper)).is_ok() {
                return true;
            }
            deals.close(id);
            false
        });
        if let Some(entry) = claimed {
            let id = if entry.deal == IN_SLOT {
                entry.cx.deal()
            } else {
                // Its want becomes our promise; it waits for the message (parked).
                *deals.hand(entry.deal) = Hand::Promised(entry.cx.clone());
                entry.cx.set_deal(entry.deal);
                entry.deal
            };
            token.deal = id;
            self.changed();
            drop(inner);
            entry.cx.unpark();
            true
        } else if inner.is_disconnected {
            token.deal = NO_DEAL;
            true
        } else {
            false
        }
    }

    unsafe fn abandon(&self, token: &mut Token) {
        if token.deal == NO_DEAL {
            return;
        }
        let mut inner = self.lock();
        let hand = inner.deals.hand(token.deal);
        match hand {
            Hand::Promised(cx) => {
                // Its receiver frees the deal and looks for another sender.
                let cx = cx.clone();
                *hand = Hand::Cancelled;
                drop(inner);
                cx.unpark_always();
            }
            Hand::Revoked => inner.deals.close(token.deal),
            _ => unreachable!("a promised deal in an unexpected state"),
        }
    }

    fn register(&self, oper: Operation, cx: &Context) -> bool {
        let mut inner = self.lock();
        inner.senders.register_with_deal(oper, NO_DEAL, cx);
        inner.receivers.notify_observers();
        let ready = Channel::can_send(&inner, Some(cx));
        self.changed();
        ready
    }

    fn unregister(&self, oper: Operation) {
        let mut inner = self.lock();
        if inner.senders.unregister(oper).is_some() {
            self.changed();
        }
    }

    fn accept(&self, token: &mut Token, cx: &Context, _deadline: Option<Instant>) -> Accept {
        // The lock orders the claimer's `set_deal` before our read of it.
        let _inner = self.lock();
        token.deal = cx.deal();
        Accept::Yes
    }

    fn decline(&self, cx: &Context) {
        let mut token = Token::default();
        let _ = self.accept(&mut token, cx, None);
        // SAFETY: accepted on this side just now, not completed: a claimed receiver
        // is released to look for another sender.
        unsafe { self.abandon(&mut token) };
    }

    fn is_ready(&self) -> bool {
        Channel::can_send(&self.lock(), None)
    }

    fn version(&self) -> Snapshot {
        [self.version.load(Ordering::SeqCst), 0, 0, 0, 0]
    }

    fn watch(&self, oper: Operation, cx: &Context) -> bool {
        let mut inner = self.lock();
        inner.senders.watch(oper, cx);
        Channel::can_send(&inner, None)
    }

    fn unwatch(&self, oper: Operation) {
        self.lock().senders.unwatch(oper);
    }
}

impl<T> SendSide<T> for Sending<Channel<T>> {
    unsafe fn write(&self, token: &mut Token, msg: T) -> Result<(), T> {
        if token.deal == NO_DEAL {
            return Err(msg);
        }
        let mut inner = self.lock();
        let waiter = match inner.deals.hand(token.deal) {
            Hand::Promised(cx) => cx.clone(),
            Hand::Revoked => {
                // The receiver stopped waiting: deliver the message without waiting.
                inner.deals.close(token.deal);
                return self.deliver_late(inner, msg);
            }
            _ => unreachable!("a promised deal in an unexpected state"),
        };
        if waiter.is_task() {
            // A future, which may be dropped instead of taking it (see `give`): the
            // message waits as an orphan, and the promise is called off, so that the
            // future looks again and takes it.
            *inner.deals.hand(token.deal) = Hand::Cancelled;
            self.orphan(&mut inner, &mut Some(msg), false);
        } else if let Some(front) = inner.orphans.pop_front() {
            // Older messages wait as orphans (for futures woken to take them): the
            // oldest goes to this receiver, ours behind the others.
            let oldest = self.take(&mut inner, front);
            inner.deals.fill_want(token.deal, oldest);
            self.orphan(&mut inner, &mut Some(msg), false);
        } else {
            inner.deals.fill_want(token.deal, msg);
        }
        drop(inner);
        waiter.unpark_always();
        Ok(())
    }

    // Out of line: keeps the handles' flavor dispatch small for the buffered flavors.
    #[inline(never)]
    fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        let mut msg = Some(msg);
        let mut inner = self.lock();
        if let Some(receiver) = self.give(&mut inner, &mut msg) {
            drop(inner);
            receiver.unpark();
            return Ok(());
        }
        let msg = msg.expect("an unclaimed receiver kept the message");
        if inner.is_disconnected {
            Err(TrySendError::Disconnected(msg))
        } else {
            Err(TrySendError::Full(msg))
        }
    }

    /// A send future offers its message like a blocked `send` (so `try_recv` sees
    /// it), not as a selection's send with no message yet. `pending.token.deal` is
    /// its offer while it waits.
    fn poll_send(
        &self,
        pending: &mut LazyPending,
        msg: &mut Option<T>,
        waker: &Waker,
    ) -> Poll<Result<(), T>> {
        if let Some(pending) = pending.get_mut().filter(|p| p.offered()) {
            let id = pending.token.deal;
            let cx = pending.waiting(waker);
            let sel = cx.selected();
            if sel == Selected::Waiting {
                return Poll::Pending;
            }
            let oper = cx.operation();
            pending.token.deal = NO_DEAL;
            return Poll::Ready(match sel {
                Selected::Operation(_) => Ok(()), // a receiver took the offer
                // The disconnection selected the context: the offer is still there.
                _ => Err(self.withdraw(oper, id).expect("rendezvous entry vanished")),
            });
        }
        assert!(msg.is_some(), "a send polled after it completed");
        let mut inner = self.lock();
        if let Some(receiver) = self.give(&mut inner, msg) {
            drop(inner);
            receiver.unpark();
            return Poll::Ready(Ok(()));
        }
        if inner.is_disconnected {
            return Poll::Ready(Err(msg.take().expect("checked above")));
        }
        let id = inner.deals.open(Hand::Offer);
        inner.deals.fill_from(id, Hand::Offer, msg);
        let pending = pending.start();
        let cx = pending.start_wait(waker);
        self.offer(inner, cx.operation(), id, cx);
        pending.token.deal = id;
        Poll::Pending
    }

    fn cancel_send(&self, pending: &mut Pending) {
        let id = core::mem::replace(&mut pending.token.deal, NO_DEAL);
        if let (true, Some(cx)) = (id != NO_DEAL, pending.context()) {
            // Dropped outside the lock, with the future.
            drop(self.withdraw(cx.operation(), id));
        }
    }

    // Out of line: keeps the handles' flavor dispatch small for the buffered flavors.
    #[inline(never)]
    fn send(&self, msg: T, deadline: Option<Instant>) -> Result<(), SendTimeoutError<T>> {
        let mut msg = Some(msg);
        let Err(disconnected) = self.send_in_place(&mut msg, deadline) else {
            return Ok(());
        };
        let msg = msg.expect("a failed send keeps its message");
        Err(if disconnected {
            SendTimeoutError::Disconnected(msg)
        } else {
            SendTimeoutError::Timeout(msg)
        })
    }
}

impl<T> Channel<T> {
    /// A blocking send of the message in `msg`, which stays in place: swapped into a
    /// receiver's slot, a want or an offer, and back. `Err(disconnected)` when it
    /// failed, the message back in `msg`. (Carried by value through these steps, a big
    /// message would cost a stack copy at each, in unoptimized builds.)
    fn send_in_place(&self, msg: &mut Option<T>, deadline: Option<Instant>) -> Result<(), bool> {
        let mut inner = self.lock();
        if let Some(receiver) = self.give(&mut inner, msg) {
            drop(inner);
            receiver.unpark();
            return Ok(());
        }
        if inner.is_disconnected {
            return Err(true);
        }
        if deadline.is_some_and(expired) {
            return Err(false);
        }
        let token = Token::default();
        let oper = Operation::hook(&token);
        let id = inner.deals.open(Hand::Offer);
        inner.deals.fill_from(id, Hand::Offer, msg);
        let sel = Context::with(|cx| {
            self.offer(inner, oper, id, cx);
            cx.wait_until(deadline, true)
        });
        if let Selected::Operation(_) = sel {
            return Ok(()); // a receiver took the offer
        }
        // Our own timeout or the disconnection selected the context, so no receiver
        // took the offer: it is still there (an offer, never returnable).
        let mut inner = self.lock();
        inner
            .senders
            .unregister(oper)
            .expect("rendezvous entry vanished");
        self.changed();
        inner.deals.take_into(id, msg);
        Err(sel == Selected::Disconnected)
    }
}
