//! A buffered channel: a `channel_core::Queue` plus a wait list per side.
//!
//! One implementation serves both the bounded ring and the unbounded list. A thread
//! that finds no room (sender) or no message (receiver) spins briefly, then registers
//! in its side's wait list, re-checks the queue, and parks. Whoever changes the queue
//! notifies the other side's list. The re-check after registering (a `SeqCst` look at
//! the queue, `can_send`/`can_recv`) and the `SeqCst` `is_empty` flag of the list (see
//! `waiters`) guarantee no wake-up is lost.
//!
//! A send on a bounded channel that finds a blocked `recv` waiting *hands* it the
//! oldest message, if it can claim it at once (see `claim_to_hand`): it selects the
//! receiver first, which commits it (its deadline and its own re-check can no longer
//! call its wait off), then claims the message for it, out of the queue into the
//! stash's claimed entries, and names the entry in the receiver's context (see
//! `WaitList::reserve_to_hand`). The receiver returns with it and never looks at the
//! queue, and the room is free at once: a sender to a waiting receiver on
//! `bounded(1)` is not blocked behind the message it just sent until the receiver has
//! run. Only a receiver that is sure to take the message is handed one: a message
//! claimed for a receiver that then left could only go back behind newer ones that
//! another receiver may have taken meanwhile, out of its sender's order. So a receive
//! future (which may be dropped when woken) and a selection (which may be woken by
//! several channels) are only woken to try.
//!
//! A blocked `send` parks *with its message*: the message waits under the senders'
//! lock, in the sender's entry (its deal). A receive that makes room claims that room
//! and moves the first waiting message into it, and the sender returns without trying
//! again: one wake-up per message instead of a wake-up and a retry that may lose the
//! room to another sender. The room is claimed before the message is taken, and only
//! a message parked before that claim is taken, so a taken message always has its
//! place in its sender's order (see `fill_room_once`). A sender woken otherwise
//! (`Aborted`: room may have been made; its deadline; the disconnection) takes its
//! message back, unless a receiver took it first: the context's one CAS decides. A
//! send future that finds no room parks its message the same way (its `Pending`'s
//! `token.deal` names it), so the receive that makes room completes it: one wake-up,
//! and the next poll returns at once.
//!
//! A selection's claims are *held* (see `channel_core::queue`): nobody waits for a
//! held send, and a held send that was revoked meanwhile is sent afresh by its late
//! `write`, which still completes at once (a selection that chose a send must not then
//! wait): if the ring has filled up since, the message goes to the *stash*, a short
//! list of such messages that receivers take before the queue's. So a bounded channel
//! can hold more than its capacity, by at most one message per selection overtaken
//! this way; `len` counts them, `is_full` does not.
//!
//! When the last receiver goes, the messages still buffered are dropped at once
//! (nobody can receive them any more); a receive claimed by a selection and given up
//! leaves its message in the graveyard, dropped with the channel.

use super::{
    accepted, snapshot, Accept, Chan, Receiving, RecvSide, SelectHandle, SendSide, Sending,
    Snapshot, Token,
};
use crate::context::{expired, spin_first, spun, thread_tag, Context, Operation, Selected};
use crate::errors::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};
use crate::select::{LazyPending, Pending};
use crate::waiters::{Entry, Guarded, Waiters, NO_DEAL};
use channel_core::sync::atomic::{AtomicUsize, Ordering};
use channel_core::sync::{call_passing, lock, time, Backoff, Mutex};
use channel_core::{Queue, Reservation};
use crossbeam_utils::CachePadded;
use std::collections::VecDeque;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

/// A buffered channel of `T` over the queue `Q`.
pub(crate) struct Queued<T, Q> {
    /// The messages.
    queue: Q,
    /// Senders waiting for room, with the messages of blocked `send`s.
    senders: Waiters<Parked<T>>,
    /// Messages ever parked by blocked sends; each is numbered with the count before
    /// it (see `fill_room_once`).
    parks: AtomicUsize,
    /// Receivers waiting for a message.
    receivers: Waiters,
    /// Messages of selected receives that were given up (see the module).
    graveyard: Mutex<Vec<T>>,
    /// Messages of revoked held sends that found no room (see the module).
    stash: Stash<T>,
    /// Receives in a row that found an unbounded channel empty and then a message
    /// within their first spin (see `Receiving::catch_up`). Receivers only: padded
    /// away from the lines senders touch on every send.
    catch_ups: CachePadded<AtomicUsize>,
    /// The thread that last woke a sending task, until a sending task polls again
    /// (`thread_tag`; 0: none): see `spin_for_peer`.
    senders_woken: AtomicUsize,
    /// The same for receiving tasks.
    receivers_woken: AtomicUsize,
}

/// The messages of revoked held sends that found the ring full on their late write.
struct Stash<T> {
    /// Messages waiting in `inner.waiting`, read without the lock on every receive.
    len: AtomicUsize,
    /// Messages ever stashed: the flavor's word of the receive side's snapshot.
    pushes: AtomicUsize,
    /// The messages.
    inner: Mutex<StashInner<T>>,
}

/// What the stash's lock guards.
struct StashInner<T> {
    /// Waiting messages, oldest first.
    waiting: VecDeque<T>,
    /// Messages claimed by a receive not completed yet, by `Token::deal`.
    claimed: Parked<T>,
}

impl<T> Stash<T> {
    fn new() -> Self {
        Stash {
            len: AtomicUsize::new(0),
            pushes: AtomicUsize::new(0),
            inner: Mutex::new(StashInner {
                waiting: VecDeque::new(),
                claimed: Parked::default(),
            }),
        }
    }

    /// Whether a message waits. SeqCst: a receiver's re-check after registering, paired
    /// with the stasher's SeqCst increment before its `notify` (as for the queue).
    #[inline]
    fn is_empty(&self) -> bool {
        self.len.load(Ordering::SeqCst) == 0
    }

    /// Stashes `msg`, unless `closed()` (checked under the lock, so that a drain of
    /// the stash after the disconnection misses nothing): then hands it back.
    fn push(&self, msg: T, closed: impl Fn() -> bool) -> Result<(), T> {
        let mut inner = lock(&self.inner);
        if closed() {
            return Err(msg);
        }
        inner.waiting.push_back(msg);
        self.pushes.fetch_add(1, Ordering::SeqCst);
        self.len.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// Reserves the oldest waiting message: its index for `take`.
    fn reserve(&self) -> Option<usize> {
        let mut inner = lock(&self.inner);
        let msg = inner.waiting.pop_front()?;
        self.len.fetch_sub(1, Ordering::SeqCst);
        Some(inner.claimed.put(msg))
    }

    /// Keeps `msg`, claimed by a receive that is handed it: its index for `take`.
    fn hold(&self, msg: T) -> usize {
        lock(&self.inner).claimed.put(msg)
    }

    /// The message claimed as `id`.
    fn take(&self, id: usize) -> T {
        lock(&self.inner).claimed.take(id)
    }

    /// Every waiting message (the last receiver is gone).
    fn drain(&self) -> Vec<T> {
        let mut inner = lock(&self.inner);
        self.len.store(0, Ordering::SeqCst);
        inner.waiting.drain(..).collect()
    }
}

/// Whether a receive of `T` takes the quick path inlined into its caller (see
/// `recv_quick`): for a message of up to 256 bytes. A bigger one gains nothing
/// measurable from it (copying it costs more), and every inlined copy of the path
/// would keep a slot for it in the caller's frame: with messages of a megabyte, in a
/// debug build, megabytes of stack.
#[inline(always)]
pub(crate) const fn quick<T>() -> bool {
    core::mem::size_of::<T>() <= 256
}

/// Messages kept for someone, each in a slot named by an index, reused through a free
/// list: the messages of blocked `send`s (named by the sender's entry, its `deal`),
/// and the stash's claimed messages.
pub(crate) struct Parked<T> {
    /// The slots; `None` when free.
    slots: Vec<Option<T>>,
    /// Each slot's number: for a blocked send's message, its place in the order of
    /// parking (see `Queued::parks`); 0 for the stash's.
    numbers: Vec<usize>,
    /// Indices of the free slots.
    free: Vec<usize>,
}

impl<T> Default for Parked<T> {
    fn default() -> Self {
        Parked {
            slots: Vec::new(),
            numbers: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Parked<T> {
    /// Keeps `msg`; returns its slot.
    fn put(&mut self, msg: T) -> usize {
        self.put_numbered(msg, 0)
    }

    /// Keeps `msg` under `number`; returns its slot.
    #[inline]
    fn put_numbered(&mut self, msg: T, number: usize) -> usize {
        match self.free.pop() {
            Some(id) => {
                self.slots[id] = Some(msg);
                self.numbers[id] = number;
                id
            }
            None => {
                self.slots.push(Some(msg));
                self.numbers.push(number);
                self.slots.len() - 1
            }
        }
    }

    /// The number slot `id` was kept under.
    fn number(&self, id: usize) -> usize {
        self.numbers[id]
    }

    /// Takes the message of slot `id` and frees the slot.
    fn take(&mut self, id: usize) -> T {
        self.free.push(id);
        self.slots[id].take().expect("kept message taken twice")
    }
}

/// How the wait of a parked send ended (see `wait_parked`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parking {
    /// A receiver moved the message into the queue.
    Sent,
    /// Room was claimed for it (in the waiter's token).
    Claimed,
    /// The deadline passed.
    Timeout,
    /// The channel was disconnected.
    Disconnected,
}

/// A sender whose message is parked.
fn parks(e: &Entry) -> bool {
    e.deal != NO_DEAL
}

impl<T, Q> Queued<T, Q> {
    /// A channel over `queue`.
    pub(crate) fn new(queue: Q) -> Self {
        Queued {
            queue,
            senders: Waiters::default(),
            parks: AtomicUsize::new(0),
            receivers: Waiters::default(),
            graveyard: Mutex::new(Vec::new()),
            stash: Stash::new(),
            catch_ups: CachePadded::new(AtomicUsize::new(0)),
            senders_woken: AtomicUsize::new(0),
            receivers_woken: AtomicUsize::new(0),
        }
    }
}

/// Claims a receive with `reserve`, spinning briefly (`spin`, which retries with a
/// cheaper claim) and then parking in `waiters` until it succeeds, or until a sender
/// hands it a message (in `token.deal`); false once `deadline` has passed. `ready` is
/// the `SeqCst` re-check after registering: a peer that changed the queue before it
/// saw the registration would not wake us.
#[inline]
fn reserve_blocking(
    token: &mut Token,
    waiters: &Waiters,
    deadline: Option<Instant>,
    reserve: impl Fn(&mut Token) -> bool,
    spin: impl Fn(&mut Token) -> bool,
    ready: impl Fn() -> bool,
) -> bool {
    loop {
        if reserve(token) || spin(token) {
            return true;
        }
        if deadline.is_some_and(expired) {
            return false;
        }
        let oper = Operation::hook(token);
        let handed = Context::with(|cx| {
            waiters.register_taking(oper, cx);
            if ready() {
                let _ = cx.select(Selected::Aborted);
            }
            match cx.wait_until(deadline, false) {
                Selected::Waiting => unreachable!("wait_until returned while waiting"),
                // Claimed by a sender, which removed the entry: handed a message (its
                // deal, claimed for us once we were committed), or woken to try
                // (`NO_DEAL`).
                Selected::Operation(_) => waiters.deal_of(cx),
                Selected::Aborted | Selected::Disconnected => {
                    waiters.unregister(oper);
                    NO_DEAL
                }
            }
        });
        if handed != NO_DEAL {
            token.deal = handed;
            return true;
        }
    }
}

/// The least capacity at which a blocked send or receive yields at once instead of
/// spinning first (see `Queued::spin`).
const BATCH: usize = 64;

/// Looks of a hand-off's spin (`Queued::spin`), one spin hint apart.
#[cfg(not(loom))]
const SPIN_LOOKS: usize = 16;
/// One look under loom, after a yield to the model checker (`spin_hint`), as the
/// one step of loom's `Backoff`: more looks would only multiply the interleavings of
/// the claim they retry.
#[cfg(loom)]
const SPIN_LOOKS: usize = 1;

/// One spin hint; under loom a yield to the model checker instead (as loom's
/// `Backoff` step), which lets the peer the spin waits for take its step first.
#[inline(always)]
fn spin_hint() {
    #[cfg(not(loom))]
    core::hint::spin_loop();
    #[cfg(loom)]
    Backoff::new().snooze();
}

impl<T, Q: Queue<T>> Queued<T, Q> {
    /// Whether a message waits in the stash. Only a bounded queue's late write can
    /// find the queue full (`resend`), so an unbounded queue's stash stays empty and
    /// is not looked at (but see `claim_recv_fast`).
    #[inline(always)]
    fn stashed(&self) -> bool {
        self.queue.bounded() && !self.stash.is_empty()
    }

    /// The wait of a send that found no room, or a receive that found no message,
    /// before it registers: retries `claimed()` until it succeeds (true) or the wait
    /// is over (false).
    ///
    /// On a small channel (`hands_off`) it spins only: `SPIN_LOOKS` looks, one spin
    /// hint apart. A peer on another core ends such a wait within a few hundred
    /// nanoseconds, and a look soon after its step saves most of the time a message
    /// costs: measured on a 2-core VM (`compare --filter '… bounded(1)' --rounds 9`,
    /// four runs of each build alternated, 36 runs each, ns a message) against the
    /// same 15 spin hints doubling between looks (after 1, 2, 4 and 8 hints): `spsc
    /// bounded(1)` median 176 → 146, mean 453 → 320 (crossfire 126 to 132); `mpmc
    /// bounded(1)` median 198 → 166, mean 399 → 337.
    ///
    /// On a channel of `BATCH` or more (unbounded included) it yields from the first
    /// step: the peer ends such a wait only after a batch of work (a full buffer is
    /// drained at the receivers' pace, an empty one filled at the senders'), so a spin
    /// gains little where the peer has a core of its own, and where it shares ours
    /// (more threads than cores) it takes the time the peer needs. Measured on a
    /// 2-core VM (`compare --filter 'mpsc bounded(1000)'`, four senders, per-round
    /// medians): 27 ns a message spinning first, 13 to 17 yielding at once (with the
    /// counters' guesses, which make a sender fast enough to fill the buffer, 40 to 70
    /// spinning).
    #[inline]
    fn spin(&self, mut claimed: impl FnMut() -> bool) -> bool {
        if self.hands_off() {
            for _ in 0..SPIN_LOOKS {
                spin_hint();
                if claimed() {
                    return true;
                }
            }
            return false;
        }
        let backoff = Backoff::yielding();
        while !backoff.is_completed() {
            backoff.snooze();
            if claimed() {
                return true;
            }
        }
        false
    }

    /// `spin` for a blocked thread. On a hand-off channel, skipped while the
    /// thread's spins are fruitless, and reported (`spin_first`).
    #[inline]
    fn spin_blocking(&self, claimed: impl FnMut() -> bool) -> bool {
        if !self.hands_off() {
            return self.spin(claimed);
        }
        if !spin_first() {
            return false;
        }
        let seen = self.spin(claimed);
        spun(seen);
        seen
    }

    /// A small channel (below `BATCH`): its waits are hand-offs, where a peer on
    /// another core ends the wait within a spin. A blocked call there spins only (no
    /// yield) before it registers (a send parks its message), and yields only in its
    /// wait. Where the peer shares the core, a yield before registering let the peer
    /// run with nothing to hand over: it could not move a message that was not parked
    /// into the room it made, nor hand one to a receive that was not registered, so
    /// each message cost two yields. Measured on a 2-core VM (`compare --filter
    /// 'bounded(1)' --rounds 5`, two runs of each build, ns a message): `mpsc
    /// bounded(1)` 1,084 and 1,088 → 517 and 519 (kanal 616 to 644), `select_rx
    /// bounded(1)` 1,030 and 1,106 → 734 and 770; `spsc` and `mpmc bounded(1)` within
    /// noise.
    #[inline]
    fn hands_off(&self) -> bool {
        self.queue.capacity().is_some_and(|cap| cap < BATCH)
    }

    /// A task's wait on a hand-off channel, before it registers: the blocked calls'
    /// spin (`spin`, which never yields there: a task must not hold up its executor's
    /// thread); true once `claimed()` succeeds. Skipped when this thread woke a task
    /// of the peer's side that has not polled since (`peer_woken`, see `note_woken`):
    /// that task most likely waits for this very thread (a single-thread executor; a
    /// multi-thread one that runs a task it woke on the waking worker next), and
    /// cannot act during the spin.
    ///
    /// Without it, every wait registers, and the peer that ends it wakes the task onto
    /// the peer's own worker: a multi-thread executor (tokio's) then runs both tasks
    /// on one thread, a registration and a wake-up a message, while its other workers
    /// idle. With it, a task whose peer runs on another worker usually sees the peer's
    /// step within the spin, and the two keep their workers. Measured on a 2-core VM
    /// (`compare --filter 'async spsc bounded(1)' --rounds 15`, five runs of each
    /// build alternated, 75 runs each, ns a message): median 400 → 381, mean 373 →
    /// 331, first quartile 372 → 246 (runs where the tasks kept two workers). A spin
    /// never skipped took 100 to 130 in most runs during one spell of the machine,
    /// and 700 to 1,100 in every run during another (each task then spun out every
    /// wait behind the peer it had just woken onto its own thread): hence the skip.
    /// On a one-thread executor the skip costs 4 instructions a message
    /// (`instructions`, async hand-off on `bounded(1)`: 1,409.1 → 1,413.1). In the
    /// full run of f801aa5, `async spsc bounded(1)` ÷ crossfire 3.72 → 2.96.
    #[inline]
    fn spin_for_peer(&self, peer_woken: &AtomicUsize, claimed: impl FnMut() -> bool) -> bool {
        debug_assert!(self.hands_off(), "a task spins only on a hand-off channel");
        self.peer_may_run(peer_woken) && self.spin(claimed)
    }

    /// `spin_for_peer`'s look at the tag: false when this thread woke a task of the
    /// peer's side that has not polled since.
    #[inline(always)]
    fn peer_may_run(&self, peer_woken: &AtomicUsize) -> bool {
        // Relaxed: a heuristic; a stale or racing tag only costs or saves one spin.
        peer_woken.load(Ordering::Relaxed) != thread_tag()
    }

    /// Notes that this thread woke `cx`, a waiter of the side whose tag is `woken`,
    /// if it is a task (see `spin_for_peer`).
    #[inline]
    fn note_woken(woken: &AtomicUsize, cx: &Context) {
        if cx.is_task() {
            // Relaxed: a heuristic (see `spin_for_peer`).
            woken.store(thread_tag(), Ordering::Relaxed);
        }
    }

    /// A task of the side whose tag is `woken` polls again after a wait: the tag is
    /// cleared.
    #[inline]
    fn clear_woken(woken: &AtomicUsize) {
        // Relaxed: a heuristic (see `spin_for_peer`).
        if woken.load(Ordering::Relaxed) != 0 {
            woken.store(0, Ordering::Relaxed);
        }
    }

    /// Sends the message of a revoked held send (`Err(msg)` in `res`) afresh, without
    /// waiting: to the queue, or to the stash if the ring has filled up since its
    /// claim. Leaves `Err(msg)` (the message handed back) only on disconnection.
    #[cold]
    #[inline(never)]
    fn resend(&self, res: &mut Result<(), T>) {
        let Err(msg) = core::mem::replace(res, Ok(())) else {
            return;
        };
        *res = match Sending::of(self).try_send(msg) {
            Ok(()) => Ok(()),
            Err(TrySendError::Disconnected(msg)) => Err(msg),
            Err(TrySendError::Full(msg)) => {
                debug_assert!(self.queue.bounded(), "only a bounded queue is ever full");
                self.stash
                    .push(msg, || self.queue.is_disconnected())
                    .map(|()| self.message_sent())
            }
        };
    }

    /// Reserves the oldest stashed message for `token`, if one is still there (off the
    /// hot path, so that `reserve` inlines).
    #[cold]
    #[inline(never)]
    fn reserve_stashed(&self, token: &mut Token) -> bool {
        self.stash.reserve().map(|id| token.deal = id).is_some()
    }

    /// The number of a message being parked now (the caller holds the senders' lock):
    /// see `fill_room_once`. AcqRel: the sends this sender claimed before come before
    /// the claim of a room by whoever reads a count past this one (Acquire).
    fn park_number(&self) -> usize {
        self.parks.fetch_add(1, Ordering::AcqRel)
    }

    /// Room may have been made in the queue: a blocked sender's message goes into it,
    /// or else a waiting sender is woken to try. One load when nobody waits.
    #[inline]
    fn room_made(&self) {
        if self.senders.may_wait() {
            self.fill_room();
        }
    }

    /// `room_made` once someone may wait.
    #[inline(never)]
    fn fill_room(&self) {
        // A message moved in may be handed on to a waiting receiver at once, which
        // makes room again: a loop, not a recursion through `message_sent`.
        while self.fill_room_once() && self.senders.may_wait() {}
    }

    /// One step of `fill_room`: true if the message moved in was handed on, making
    /// room again.
    fn fill_room_once(&self) -> bool {
        // The room is claimed first, so that a message taken from its sender always has
        // its place (taken first, it could find the room gone, and nowhere else keeps
        // its sender's order). And only a message parked before the room was claimed
        // is taken: its sender's earlier sends were all claimed before it parked, so
        // before the room. One parked after may have sends of its sender claimed
        // between the room and its parking (this call slowed down between the two):
        // moved into the room, it would overtake them. Acquire: pairs with the parking
        // sender's increment (AcqRel), so that the sends it claimed before it come
        // before our claim of the room in the tail's order.
        let parked_before = self.parks.load(Ordering::Acquire);
        let mut room = Token::default();
        let claimed = Sending::of(self).reserve(&mut room) && !room.queue.is_disconnected();
        let mut senders = self.senders.lock();
        if claimed {
            let Guarded { list, extra } = &mut *senders;
            let eligible = |e: &Entry| parks(e) && extra.number(e.deal) < parked_before;
            if let Some(entry) = list.reserve_where(eligible) {
                let msg = senders.extra.take(entry.deal);
                drop(senders);
                // SAFETY: a send claim of this queue made just now, not held (so never
                // revoked), completed once; not a disconnection, so the write succeeds.
                let res = unsafe { self.queue.write(&mut room.queue, msg) };
                debug_assert!(res.is_ok(), "a claimed slot refused its message");
                let again = self.receivers.may_wait() && self.hand_off();
                Self::note_woken(&self.senders_woken, &entry.cx);
                entry.cx.unpark();
                return again;
            }
            // No message parked before the claim waits: give the room back, under the
            // lock, so that a sender registering after this look (or parked after the
            // claim, woken below) sees it when it re-checks.
            // SAFETY: the claim made above, not completed.
            unsafe { self.queue.abandon(&mut room.queue) };
        }
        senders.list.notify_observers();
        let woken = senders.list.reserve_to_wake();
        drop(senders);
        if let Some(entry) = woken {
            Self::note_woken(&self.senders_woken, &entry.cx);
            entry.cx.unpark();
        }
        false
    }

    /// A message was sent (to the queue or the stash): it is handed to a waiting
    /// receiver, or one is woken. One load when nobody waits.
    #[inline]
    fn message_sent(&self) {
        if self.receivers.may_wait() {
            self.notify_receivers();
        }
    }

    /// `message_sent` once someone may wait.
    #[inline(never)]
    fn notify_receivers(&self) {
        if self.hand_off() {
            self.room_made();
        }
    }

    /// Wakes the first waiting receiver. A blocked `recv` is selected, then handed
    /// the oldest message, claimed for it now (see `WaitList::reserve_to_hand`): it
    /// returns with it without looking at the queue, and the room it leaves is free
    /// at once for the next send, before the receiver has even woken. (Otherwise a
    /// sender to a waiting receiver on `bounded(1)` finds its next send blocked behind
    /// the message it just sent, until the receiver runs.) A selection or a receive
    /// future is woken to try. Returns whether room was made on the way, for the
    /// caller to make known (`room_made`: not under this lock).
    fn hand_off(&self) -> bool {
        let mut freed = false;
        let mut receivers = self.receivers.lock();
        receivers.list.notify_observers();
        let woken = receivers
            .list
            .reserve_to_hand(|| self.claim_to_hand(&mut freed));
        drop(receivers);
        if let Some(entry) = woken {
            Self::note_woken(&self.receivers_woken, &entry.cx);
            entry.cx.unpark();
        }
        freed
    }

    /// The oldest message (the stash's first, as for every receive), claimed for a
    /// receiver it is handed to: its stash entry, or `NO_DEAL` if none can be claimed
    /// at once. `freed`: room was made in the queue.
    ///
    /// Only the quick claim is tried: a message at the head, its CAS won. Anything
    /// else (a send between its claim and its write, a hole, a held send, contention)
    /// is left to the receiver, woken to try: the sender, whose own call may be a
    /// `try_send`, never waits here for another thread's progress, and holds the wait
    /// list's lock meanwhile. Only bounded channels hand messages over: an unbounded
    /// one has no room to free (the point of the hand-off), and its quick claim may
    /// be a slot whose send is still being written. Nor are big messages handed:
    /// moving them twice costs more than their receiver's own look.
    fn claim_to_hand(&self, freed: &mut bool) -> usize {
        if !quick::<T>() || !self.queue.bounded() {
            return NO_DEAL;
        }
        if self.stashed() {
            if let Some(id) = self.stash.reserve() {
                return id;
            }
        }
        let Some(mut claim) = self.queue.reserve_recv_fast() else {
            return NO_DEAL;
        };
        debug_assert!(!claim.unsettled(), "a ring's quick claim is settled");
        // SAFETY: a settled receive claim of this queue made just now (not held),
        // completed once.
        match unsafe { self.queue.read(&mut claim) } {
            Ok(msg) => {
                *freed = true;
                self.stash.hold(msg)
            }
            Err(()) => unreachable!("a quick claim is no disconnection"),
        }
    }

    /// A receive can be claimed now (`SeqCst`: the re-check after registering).
    fn can_recv(&self) -> bool {
        self.stashed() || self.queue.can_recv()
    }
}

impl<T, Q: Queue<T>> Chan for Queued<T, Q> {
    fn len(&self) -> usize {
        self.queue.len() + self.stash.len.load(Ordering::SeqCst)
    }
    fn capacity(&self) -> Option<usize> {
        self.queue.capacity()
    }
    fn is_empty(&self) -> bool {
        self.stash.is_empty() && self.queue.is_empty()
    }
    fn is_full(&self) -> bool {
        self.queue.is_full()
    }

    fn disconnect(&self) -> bool {
        if self.queue.disconnect() {
            self.senders.disconnect();
            self.receivers.disconnect();
            true
        } else {
            false
        }
    }

    fn disconnect_receivers(&self) {
        self.disconnect();
        // Nobody can receive what is left: drop it now. Held sends still unwritten are
        // revoked on the way, so their late writes fail and hand their messages back.
        while let Ok(Some(msg)) = self.queue.try_pop() {
            drop(msg);
        }
        drop(self.stash.drain());
    }

    fn is_disconnected(&self) -> bool {
        self.queue.is_disconnected()
    }
}

impl<T, Q: Queue<T>> SelectHandle for Receiving<Queued<T, Q>> {
    /// Claims a receive (the stash first); wakes a sender if room was freed on the way
    /// and no claim made.
    #[inline(always)]
    fn reserve(&self, token: &mut Token) -> bool {
        // A selection's token may carry another channel's deal from a failed attempt.
        token.deal = NO_DEAL;
        if self.stashed() && self.reserve_stashed(token) {
            return true;
        }
        let ok = self.queue.reserve_recv(&mut token.queue);
        // Room freed on the way (a hole skipped) is made known now only if no claim
        // was made: `room_made` may claim a send, which on a full ring waits for this
        // very receive to be read. A claim is read later, and `read` makes it known.
        if token.queue.freed() && !ok {
            self.room_made();
        }
        ok
    }

    fn reserve_held(&self, token: &mut Token) -> bool {
        if !self.reserve(token) {
            return false;
        }
        if token.deal == NO_DEAL {
            // SAFETY: a receive claim of this queue, just made, not completed.
            unsafe { self.queue.hold_recv(&mut token.queue) };
        } // else a stashed message: nobody waits for it
        true
    }

    unsafe fn abandon(&self, token: &mut Token) {
        // SAFETY: forwarded from the caller.
        if let Ok(msg) = unsafe { self.read(token) } {
            lock(&self.graveyard).push(msg);
        }
    }

    fn register(&self, oper: Operation, cx: &Context) -> bool {
        self.receivers.register(oper, cx);
        self.can_recv()
    }
    fn unregister(&self, oper: Operation) {
        self.receivers.unregister(oper);
    }
    fn accept(&self, token: &mut Token, _cx: &Context, _deadline: Option<Instant>) -> Accept {
        accepted(self.reserve_held(token))
    }
    /// A receive future reads its claim within the poll that makes it: not held.
    fn accept_one(&self, token: &mut Token, _cx: &Context) -> Accept {
        accepted(self.reserve(token))
    }
    fn decline(&self, _cx: &Context) {
        // Woken to try and gone: the wake-up passes on.
        self.message_sent();
    }
    fn is_ready(&self) -> bool {
        self.can_recv()
    }
    fn version(&self) -> Snapshot {
        // Every message stashed bumps `pushes`: with the queue's version, this changes
        // whenever a receive may have become possible.
        let pushes = self.stash.pushes.load(Ordering::SeqCst);
        snapshot(self.queue.version(), pushes)
    }
    fn watch(&self, oper: Operation, cx: &Context) -> bool {
        self.receivers.watch(oper, cx);
        self.can_recv()
    }
    fn unwatch(&self, oper: Operation) {
        self.receivers.unwatch(oper);
    }
}

impl<T, Q: Queue<T>> Receiving<Queued<T, Q>> {
    /// Claims a message that is there now, in the queue (none is stashed): the quick
    /// case of every receive, inlined, with the claim in registers. `guessed`: from
    /// the queue's guess of its head (`Queue::reserve_recv_guessed`), for a blocking
    /// handle's calls; futures start from the head itself (see `recv_now`).
    #[inline(always)]
    fn claim_recv_fast(&self, guessed: bool) -> Option<Reservation> {
        // The stash itself, not `stashed()`, even on an unbounded queue whose stash
        // stays empty: skipping the look there takes 3 instructions off a pair and
        // made `mpsc unbounded` and `async mpsc unbounded` slower, 10 to 11 ns a
        // message to 17 to 30 (`compare --filter 'mpsc unbounded'`, eight runs of
        // each build alternated; not explained).
        if !self.stash.is_empty() {
            return None;
        }
        if guessed {
            self.queue.reserve_recv_guessed()
        } else {
            self.queue.reserve_recv_fast()
        }
    }

    /// A receive's quick case, inlined into the handle's call: a message handed over
    /// at once, or else `slow()`, the whole call out of line. The message goes
    /// straight into the call's result (no copy of it is kept on the way). `guessed`
    /// as in `claim_recv_fast`.
    #[inline]
    pub(crate) fn recv_quick<E>(
        &self,
        guessed: bool,
        slow: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let Some(mut claim) = self.claim_recv_fast(guessed) else {
            return slow();
        };
        if claim.unsettled() {
            return self.recv_unsettled(claim, slow);
        }
        // SAFETY: claimed on this side just now.
        match unsafe { self.pop(&mut claim) } {
            Ok(msg) => Ok(msg),
            Err(()) => unreachable!("a quick claim is no disconnection"),
        }
    }

    /// `recv_quick` with an unsettled claim: settles it, then reads it or (no message
    /// in its slot) leaves it to `slow()`. The whole rest of the call, so that the
    /// quick path keeps nothing across it.
    #[inline(never)]
    fn recv_unsettled<E>(
        &self,
        mut claim: Reservation,
        slow: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        // SAFETY: an unsettled claim of this queue's `reserve_recv_fast`, settled once.
        if !unsafe { self.queue.settle_recv(&mut claim) } {
            return slow();
        }
        // SAFETY: a settled receive claim of this queue.
        match unsafe { self.pop(&mut claim) } {
            Ok(msg) => Ok(msg),
            Err(()) => unreachable!("a quick claim is no disconnection"),
        }
    }

    /// A future's quick receive: `recv_quick`'s case, the message or `None` (the poll
    /// goes on out of line). Inlined into the future's poll.
    ///
    /// From the head itself, not its guess: a future that finds no message registers
    /// and waits at once (a poll spins only on a hand-off channel, `spin_for_peer`),
    /// and a receive future made faster than its senders finds the buffer empty more
    /// often; the same for sends (`send_now`),
    /// where it was measured: with guesses, `async mpsc bounded(1000)` took 52 to 65
    /// ns a message (27 without), and parked a sender's message 600 to 3,500 times a
    /// run of 100,000 (40 to 1,000 without; counted in a build instrumented for it).
    #[inline]
    pub(crate) fn recv_now(&self) -> Option<T> {
        self.recv_quick(false, || Err(())).ok()
    }

    /// Completes a receive claim of the queue and makes the room known.
    ///
    /// # Safety
    /// `claim` is an uncompleted receive claim of `self.queue`.
    #[inline]
    unsafe fn pop(&self, claim: &mut Reservation) -> Result<T, ()> {
        // SAFETY: forwarded from the caller.
        let res = unsafe { self.queue.read(claim) };
        if self.queue.bounded() && res.is_ok() && self.senders.may_wait() {
            // The room made is known now (see `room_made`); the message passes
            // through the call, so the quick path sets up no frame for it.
            return call_passing(res, || self.fill_room());
        }
        res
    }

    /// `try_recv` past its quick case.
    #[inline(never)]
    fn try_recv_slow(&self) -> Result<T, TryRecvError> {
        let mut token = Token::default();
        if !self.reserve(&mut token) {
            return Err(TryRecvError::Empty);
        }
        // SAFETY: filled by `reserve` on this side just now.
        unsafe { self.read(&mut token) }.map_err(|()| TryRecvError::Disconnected)
    }

    /// A spinning receive's retry: on a ring, the quick claim from the head itself (a
    /// guess noted by a failed CAS would keep failing), which looks at this side's
    /// counter and slot only, not at the senders' counter that `reserve` reads when
    /// empty.
    #[inline]
    fn reserve_quick(&self, token: &mut Token) -> bool {
        if !self.queue.bounded() {
            return self.reserve(token);
        }
        token.deal = NO_DEAL;
        self.claim_recv_fast(false)
            .map(|claim| token.queue = claim)
            .is_some()
    }

    /// `recv` past its quick case: spins, then parks.
    #[inline(never)]
    fn recv_slow(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        let mut token = Token::default();
        let reserve = |t: &mut Token| self.reserve(t);
        let spin = |t: &mut Token| self.spin_blocking(|| self.reserve_quick(t));
        let claimed = reserve(&mut token)
            || (!self.queue.bounded() && deadline.is_none() && self.catch_up(&mut token))
            || reserve_blocking(&mut token, &self.receivers, deadline, reserve, spin, || {
                self.can_recv()
            });
        if !claimed {
            return Err(RecvTimeoutError::Timeout);
        }
        // SAFETY: filled by `reserve` on this side just now.
        unsafe { self.read(&mut token) }.map_err(|()| RecvTimeoutError::Disconnected)
    }

    /// A receive that found an unbounded channel empty: spins for a message, as
    /// `reserve_blocking` would first, and counts the receives in a row that caught
    /// one this way.
    ///
    /// A receiver that keeps catching up with a streaming sender reads each message
    /// from the cache lines the sender is writing, and the sender must win each line
    /// back: the two then run several times slower than when the receiver trails by a
    /// few lines, and stay so, since each slows the other alike (a `spsc unbounded`
    /// run of 100,000 messages on two cores: 100 to 150 ns a message in that state,
    /// 32 otherwise). So after `STREAK` such receives in a row the next one first
    /// `slip`s: it lets the sender run ahead. A receiver that finds the channel empty
    /// for longer (a sender that is not streaming) starts the count again. Bounded
    /// channels are left alone: their receivers read a slot's stamp, not the senders'
    /// counter, and a small one is a hand-off where every message waits anyway.
    fn catch_up(&self, token: &mut Token) -> bool {
        /// Receives in a row that caught up before the next one slips.
        const STREAK: usize = 8;
        /// Spin steps of `Backoff::snooze` (no yield yet) that count as catching up.
        const SPINS: usize = 4;
        // Relaxed: a heuristic; racing receivers only miscount a streak.
        let mut streak = self.catch_ups.load(Ordering::Relaxed);
        if streak >= STREAK {
            streak = 0;
            self.catch_ups.store(0, Ordering::Relaxed);
            self.slip();
            if self.reserve(token) {
                return true;
            }
        }
        let backoff = Backoff::new();
        for _ in 0..SPINS {
            backoff.snooze();
            if self.reserve(token) {
                self.catch_ups.store(streak + 1, Ordering::Relaxed);
                return true;
            }
        }
        self.catch_ups.store(0, Ordering::Relaxed);
        false
    }

    /// Lets a streaming sender run ahead: spins, looking at the queue's length once
    /// every `CHECK`, until the sender is `AHEAD` messages ahead, or stops sending, or
    /// `MAX` has passed. The sender then writes lines the receiver reaches only later.
    fn slip(&self) {
        /// Messages ahead that end the slip.
        const AHEAD: usize = 1024;
        /// How often the slip looks at the queue (a look reads the senders' counter).
        const CHECK: Duration = Duration::from_micros(1);
        /// The longest slip.
        const MAX: Duration = Duration::from_micros(50);
        let start = Instant::now();
        let mut len = self.queue.len();
        while len < AHEAD && start.elapsed() < MAX {
            time::spin_for(CHECK);
            let now = self.queue.len();
            if now <= len {
                return; // not streaming (any more): no need to wait
            }
            len = now;
        }
    }
}

impl<T, Q: Queue<T>> RecvSide<T> for Receiving<Queued<T, Q>> {
    #[inline]
    unsafe fn read(&self, token: &mut Token) -> Result<T, ()> {
        if token.deal != NO_DEAL {
            return Ok(self
                .stash
                .take(core::mem::replace(&mut token.deal, NO_DEAL)));
        }
        // SAFETY: forwarded from the caller: `token.queue` was reserved on `self.queue`.
        unsafe { self.pop(&mut token.queue) }
    }

    /// The quick case inlined (a message there, no contention); the rest out of line.
    #[inline]
    fn try_recv(&self) -> Result<T, TryRecvError> {
        if quick::<T>() {
            self.recv_quick(true, || self.try_recv_slow())
        } else {
            self.try_recv_slow()
        }
    }

    /// As `try_recv`.
    #[inline]
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        if quick::<T>() {
            self.recv_quick(true, || self.recv_slow(deadline))
        } else {
            self.recv_slow(deadline)
        }
    }

    /// The one-operation selection of every side, after a short spin on a hand-off
    /// channel (see `spin_for_peer`; the future's quick claim failed just before).
    fn poll_recv(&self, pending: &mut LazyPending, waker: &Waker) -> Poll<Result<T, ()>> {
        if !pending.is_clear() {
            Queued::<T, Q>::clear_woken(&self.receivers_woken);
        } else if self.hands_off() {
            let mut token = Token::default();
            if self.spin_for_peer(&self.senders_woken, || self.reserve_quick(&mut token)) {
                // SAFETY: claimed on this side just now, completed once.
                return Poll::Ready(unsafe { self.read(&mut token) });
            }
        }
        let pending = pending.start();
        // SAFETY: claimed on this side by the poll just now, completed once.
        pending
            .poll_one(self, waker)
            .map(|()| unsafe { self.read(&mut pending.token) })
    }
}

impl<T, Q: Queue<T>> SelectHandle for Sending<Queued<T, Q>> {
    #[inline]
    fn reserve(&self, token: &mut Token) -> bool {
        self.queue.reserve_send(&mut token.queue)
    }

    fn reserve_held(&self, token: &mut Token) -> bool {
        if !self.reserve(token) {
            return false;
        }
        // SAFETY: a send claim of this queue, just made, not completed.
        unsafe { self.queue.hold_send(&mut token.queue) };
        true
    }

    unsafe fn abandon(&self, token: &mut Token) {
        // SAFETY: forwarded from the caller: `token.queue` was reserved on `self.queue`.
        unsafe { self.queue.abandon(&mut token.queue) };
        if token.queue.freed() {
            self.room_made();
        }
    }

    fn register(&self, oper: Operation, cx: &Context) -> bool {
        self.senders.register(oper, cx);
        self.queue.can_send()
    }
    fn unregister(&self, oper: Operation) {
        self.senders.unregister(oper);
    }
    fn accept(&self, token: &mut Token, _cx: &Context, _deadline: Option<Instant>) -> Accept {
        accepted(self.reserve_held(token))
    }
    fn decline(&self, _cx: &Context) {
        self.room_made();
    }
    fn is_ready(&self) -> bool {
        self.queue.can_send()
    }
    fn version(&self) -> Snapshot {
        snapshot(self.queue.version(), 0)
    }
    fn watch(&self, oper: Operation, cx: &Context) -> bool {
        self.senders.watch(oper, cx);
        self.queue.can_send()
    }
    fn unwatch(&self, oper: Operation) {
        self.senders.unwatch(oper);
    }
}

impl<T, Q: Queue<T>> Sending<Queued<T, Q>> {
    /// Completes a send claim and wakes a receiver; hands the message back on
    /// disconnection, or (flagged `revoked`) if a held claim was revoked meanwhile.
    ///
    /// # Safety
    /// `claim` is an uncompleted send claim of `self.queue`.
    #[inline]
    unsafe fn push(&self, claim: &mut Reservation, msg: T) -> Result<(), T> {
        // SAFETY: forwarded from the caller.
        let res = unsafe { self.queue.write(claim, msg) };
        if res.is_ok() {
            self.message_sent();
        }
        res
    }
}

impl<T, Q: Queue<T>> SendSide<T> for Sending<Queued<T, Q>> {
    #[inline]
    unsafe fn write(&self, token: &mut Token, msg: T) -> Result<(), T> {
        // SAFETY: forwarded from the caller.
        let mut res = unsafe { self.push(&mut token.queue, msg) };
        if res.is_err() && token.queue.revoked() {
            // A held send that a receiver revoked: send it afresh.
            self.resend(&mut res);
        }
        // `res` is the one place the message sits in this frame: matching on it by
        // value would add another stack copy of a possibly large message.
        res
    }

    #[inline]
    fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        let Some(mut claim) = self.claim_send() else {
            return Err(TrySendError::Full(msg));
        };
        // SAFETY: claimed on this side just now, and not held: never revoked.
        unsafe { self.push(&mut claim, msg) }.map_err(TrySendError::Disconnected)
    }

    /// A send future parks its message like a blocked `send` (see the module); while
    /// it waits, `pending.token.deal` is its parked message's slot.
    #[inline]
    fn poll_send(
        &self,
        pending: &mut LazyPending,
        msg: &mut Option<T>,
        waker: &Waker,
    ) -> Poll<Result<(), T>> {
        if !pending.get().is_some_and(Pending::offered) {
            let mut token = Token::default();
            let spin = self.hands_off() && self.peer_may_run(&self.receivers_woken);
            if (spin && self.spin_send(&mut token)) || self.reserve(&mut token) {
                let msg = msg.take().expect("a send polled after it completed");
                // SAFETY: reserved on this side just now, and not held: never revoked.
                return Poll::Ready(unsafe { self.push(&mut token.queue, msg) });
            }
        }
        self.poll_parked(pending.start(), msg, waker)
    }

    fn cancel_send(&self, pending: &mut Pending) {
        let id = core::mem::replace(&mut pending.token.deal, NO_DEAL);
        if id == NO_DEAL {
            return; // never parked: registered nowhere
        }
        let cx = pending.context().expect("a parked send has a context");
        let mut senders = self.senders.lock();
        senders.list.unregister(cx.operation());
        // Unregistered (under the lock that selects it): the state is final now.
        let sel = cx.selected();
        if let Selected::Operation(_) = sel {
            return; // a receiver moved the message in: it is sent
        }
        let msg = senders.extra.take(id);
        drop(senders);
        // The future is dropped, and so is its message (outside the lock).
        drop(msg);
        if sel == Selected::Aborted {
            // A notification woke this send to try the room it made: pass it on.
            self.room_made();
        }
    }

    /// Spins briefly for room, then parks. (The handle's `send` tries `send_quick`
    /// first.)
    #[inline]
    fn send(&self, msg: T, deadline: Option<Instant>) -> Result<(), SendTimeoutError<T>> {
        let mut token = Token::default();
        if !self.reserve_spinning(&mut token) {
            return self.send_parked(msg, deadline);
        }
        // SAFETY: reserved on this side just now, and not held: never revoked.
        unsafe { self.push(&mut token.queue, msg) }.map_err(SendTimeoutError::Disconnected)
    }
}

impl<T, Q: Queue<T>> Sending<Queued<T, Q>> {
    /// A send's quick case, inlined into the handle's call: room claimed at once and
    /// the message written, or else `slow(msg)`, the whole call out of line.
    /// `guessed`: from the queue's guess of its tail (`Queue::reserve_send_guessed`),
    /// for a blocking handle's calls; futures start from the tail itself (see
    /// `recv_now`).
    #[inline]
    pub(crate) fn send_quick<E>(
        &self,
        guessed: bool,
        msg: T,
        slow: impl FnOnce(T) -> Result<(), E>,
    ) -> Result<(), E> {
        let claim = if guessed {
            self.queue.reserve_send_guessed()
        } else {
            self.queue.reserve_send_fast()
        };
        let Some(mut claim) = claim else {
            return slow(msg);
        };
        // SAFETY: claimed on this side just now, and not held: never revoked.
        match unsafe { self.push(&mut claim, msg) } {
            Ok(()) => Ok(()),
            Err(_) => unreachable!("a quick claim is no disconnection"),
        }
    }

    /// A future's quick send: `send_quick`'s case, or the message back (the poll goes
    /// on out of line). Inlined into the future's poll. From the tail itself (see
    /// `recv_now`).
    #[inline]
    pub(crate) fn send_now(&self, msg: T) -> Result<(), T> {
        self.send_quick(false, msg, Err)
    }

    /// Claims a send now if there is room (or the disconnection): the quick case
    /// inlined, with the claim in registers.
    #[inline(always)]
    fn claim_send(&self) -> Option<Reservation> {
        match self.queue.reserve_send_fast() {
            Some(claim) => Some(claim),
            None => self.claim_send_slow(),
        }
    }

    /// `claim_send` past its quick case.
    #[inline(never)]
    fn claim_send_slow(&self) -> Option<Reservation> {
        let mut claim = Reservation::default();
        self.queue.reserve_send(&mut claim).then_some(claim)
    }

    /// A spinning send's retry: the quick claim alone, which looks at this side's
    /// counter and slot, not at the receivers' counter that `reserve` reads on a full
    /// ring.
    #[inline]
    fn reserve_quick(&self, token: &mut Token) -> bool {
        self.queue
            .reserve_send_fast()
            .map(|claim| token.queue = claim)
            .is_some()
    }

    /// Claims a send, spinning briefly while there is no room.
    #[inline]
    fn reserve_spinning(&self, token: &mut Token) -> bool {
        if self.reserve(token) {
            return true;
        }
        self.spin_blocking(|| self.reserve_quick(token))
    }

    /// A send future's spin for room (`spin_for_peer`, whose look at the tag the
    /// caller made: `peer_may_run`), with the quick claim alone (see
    /// `reserve_spinning`).
    #[inline(never)]
    fn spin_send(&self, token: &mut Token) -> bool {
        self.spin(|| self.reserve_quick(token))
    }

    /// `poll_send` that found no room, or whose message is parked: parks it (again)
    /// and registers, or sees how the wait ended.
    #[inline(never)]
    fn poll_parked(
        &self,
        pending: &mut Pending,
        msg: &mut Option<T>,
        waker: &Waker,
    ) -> Poll<Result<(), T>> {
        if !pending.offered() {
            // The caller found no room just now: park the message and register under
            // one lock, then re-check (as below).
            let msg = msg.take().expect("a send polled after it completed");
            let (id, room) = {
                let cx = pending.start_wait(waker);
                let mut senders = self.senders.lock();
                let id = senders.extra.put_numbered(msg, self.park_number());
                senders.list.register_with_deal(cx.operation(), id, cx);
                drop(senders);
                // Room meanwhile, and the wait called off (else a receiver took the
                // message, or the channel was disconnected: the next poll sees which).
                let room = self.queue.can_send() && cx.select(Selected::Aborted).is_ok();
                if room {
                    drop(self.senders.unregister(cx.operation()));
                }
                (id, room)
            };
            pending.token.deal = id;
            if !room {
                return Poll::Pending;
            }
        } else {
            Queued::<T, Q>::clear_woken(&self.senders_woken);
            let id = pending.token.deal;
            let cx = pending.waiting(waker);
            let oper = cx.operation();
            match cx.selected() {
                Selected::Waiting => return Poll::Pending,
                // A receiver moved the message into the queue (and removed the entry).
                Selected::Operation(_) => {
                    pending.token.deal = NO_DEAL;
                    return Poll::Ready(Ok(()));
                }
                Selected::Disconnected => {
                    let mut senders = self.senders.lock();
                    senders.list.unregister(oper);
                    pending.token.deal = NO_DEAL;
                    return Poll::Ready(Err(senders.extra.take(id)));
                }
                // Room may have been made: nobody took the message. The entry is gone
                // if a notification removed it.
                Selected::Aborted => drop(self.senders.unregister(oper)),
            }
        }
        loop {
            let id = pending.token.deal;
            let mut token = Token::default();
            if self.reserve(&mut token) {
                let msg = self.senders.lock().extra.take(id);
                pending.token.deal = NO_DEAL;
                // SAFETY: reserved on this side just now, and not held: never revoked.
                return Poll::Ready(unsafe { self.push(&mut token.queue, msg) });
            }
            let cx = pending.start_wait(waker);
            self.senders
                .lock()
                .list
                .register_with_deal(cx.operation(), id, cx);
            // The re-check after registering (see the module).
            if !self.queue.can_send() {
                return Poll::Pending;
            }
            match cx.select(Selected::Aborted) {
                // Room meanwhile: leave and try it.
                Ok(()) => drop(self.senders.unregister(cx.operation())),
                // A receiver took the message, or the channel was disconnected: the
                // next poll sees which.
                Err(_) => return Poll::Pending,
            }
        }
    }

    /// A blocking `send` that found no room: parks with its message in the wait list
    /// (see the module) until a receiver takes it, or room is made, the deadline
    /// passes or the channel is disconnected.
    #[inline(never)]
    fn send_parked(
        &self,
        mut msg: T,
        deadline: Option<Instant>,
    ) -> Result<(), SendTimeoutError<T>> {
        let id = {
            let mut senders = self.senders.lock();
            let number = self.park_number();
            senders.extra.put_numbered(msg, number)
        };
        let mut token = Token::default();
        let end = self.wait_parked(id, deadline, &mut token);
        if end == Parking::Sent {
            return Ok(());
        }
        // Unregistered, and unclaimed: the message is ours again. (Taken back in this
        // one place: each place a message passes is a stack slot for it in an
        // unoptimized build.)
        msg = self.senders.lock().extra.take(id);
        match end {
            Parking::Claimed => {}
            Parking::Timeout => return Err(SendTimeoutError::Timeout(msg)),
            Parking::Sent | Parking::Disconnected => {
                return Err(SendTimeoutError::Disconnected(msg))
            }
        }
        // SAFETY: reserved on this side just now, and not held: never revoked.
        unsafe { self.push(&mut token.queue, msg) }.map_err(SendTimeoutError::Disconnected)
    }

    /// The wait of a send whose message is parked in slot `id`: until a receiver moves
    /// it into the queue (`Sent`), or this send claims room in `token` itself
    /// (`Claimed`), or the deadline passes or the channel is disconnected. Every end
    /// but `Sent` leaves the message parked and the send unregistered.
    fn wait_parked(&self, id: usize, deadline: Option<Instant>, token: &mut Token) -> Parking {
        let oper = Operation::hook(token);
        loop {
            if deadline.is_some_and(expired) {
                return Parking::Timeout;
            }
            let sel = Context::with(|cx| {
                self.senders.lock().list.register_with_deal(oper, id, cx);
                if self.queue.can_send() {
                    let _ = cx.select(Selected::Aborted);
                }
                cx.wait_until(deadline, false)
            });
            match sel {
                Selected::Waiting => unreachable!("wait_until returned while waiting"),
                // A receiver moved the message into the queue (and removed the entry).
                Selected::Operation(_) => return Parking::Sent,
                Selected::Disconnected => {
                    self.senders.unregister(oper);
                    return Parking::Disconnected;
                }
                // Room may have been made, or the deadline passed: nobody took the
                // message. The entry is gone if a notification removed it.
                Selected::Aborted => drop(self.senders.unregister(oper)),
            }
            if self.reserve_spinning(token) {
                return Parking::Claimed;
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::SPIN_LOOKS;
    use crate::channel::{ReceiverFlavor, Shared};
    use core::future::Future;
    use core::pin::Pin;
    use std::task::{Context as TaskContext, Poll, Waker};

    fn poll<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
        Pin::new(fut).poll(&mut TaskContext::from_waker(Waker::noop()))
    }

    /// Runs a receiving task's spin on `r` whose claim succeeds at its `succeed_at`th
    /// look (never if 0): whether it claimed, and how many looks it took.
    fn spin(r: &crate::Receiver<i32>, succeed_at: usize) -> (bool, usize) {
        let ReceiverFlavor::Array(c) = &r.flavor else {
            unreachable!("bounded(1) is a ring")
        };
        let side = c.receiving();
        let mut looks = 0;
        let claimed = side.spin_for_peer(&side.senders_woken, || {
            looks += 1;
            looks == succeed_at
        });
        (claimed, looks)
    }

    #[test]
    fn a_task_skips_its_spin_while_a_peer_task_it_woke_has_not_run() {
        let (s, r) = crate::bounded::<i32>(1);
        s.send(0).unwrap();
        let mut send = s.send_async(1);
        assert!(poll(&mut send).is_pending()); // full: its message is parked
        assert_eq!(spin(&r, 0), (false, SPIN_LOOKS), "nobody woken: it spins");
        // This thread makes room: the parked message moves in, its task is woken.
        assert_eq!(r.try_recv(), Ok(0));
        assert_eq!(spin(&r, 0), (false, 0), "its woken peer waits for us");
        // Once that task has run, a spin looks again (and stops when it claims).
        assert_eq!(poll(&mut send), Poll::Ready(Ok(())));
        assert_eq!(spin(&r, 3), (true, 3));
        assert_eq!(r.try_recv(), Ok(1));
    }
}
