//! The two-phase interface every buffered queue offers.
//!
//! A *claim* is made by `reserve_send`/`reserve_recv` and *completed* by
//! `write`/`read` (or given up by `abandon`). Most claims are completed a few
//! instructions later, by the same library call. A claim made for a selection may be
//! completed much later, after user code has run (a `select!` send arm evaluates its
//! message only once its arm has won), or never (`mem::forget`). Such a claim is
//! *held* ([`Queue::hold_send`], [`Queue::hold_recv`]): the queue then never makes
//! another thread wait for it.
//!
//! - A held send that a receiver meets before it is written is *revoked*: the receiver
//!   frees the slot and moves on, and the late `write` hands the message back flagged
//!   `revoked`, for the caller to send afresh (channel-select never lets that wait:
//!   see its buffered flavor).
//! - A held receive keeps its message; a sender that needs that slot a lap later finds
//!   the queue full and waits for room like for any receive (parked, woken by `read`).

use crate::sync::atomic::{AtomicUsize, Ordering};
use core::fmt;
use core::ptr;

/// A counter that the ring moves forward with CAS (`head`, `tail`), with a *guess* of
/// its value beside it, on its cache line.
///
/// Why the guess: a load from an address that a locked read-modify-write has just
/// written waits until that write leaves the store buffer (x86 does not forward a
/// locked store to a later load), so a thread that moves one counter several times in
/// a row (a sender filling a buffer, a receiver draining it) stalls on every reload
/// of the counter it just moved (`seq bounded(1000)` in `cargo bench --bench
/// compare`: 28 ns a message from the counter, 18.6 from the guess). The guess is
/// written by a plain store, and the next load of it does not wait.
///
/// The guess is written *before* the CAS, with the value the CAS moves the counter
/// to: the plain store and the CAS then take the cache line once between them. So a
/// guess is a value the counter holds, held, or was about to be moved to by a CAS
/// that failed.
///
/// A guess is only the expected value of a CAS, which succeeds only if it is the
/// counter's value then: it never makes a claim that the counter itself would not
/// give. (What the ring checks before its CAS, the stamp of the guessed position's
/// slot, stays true until that position is claimed, which only the CAS from it does;
/// and every guess is a position, whose slot index is in bounds.) A wrong guess makes
/// a fast path fail, and its caller's slow path reads the counter itself.
///
/// The list has no guesses: its receive reads the tail as a bound, where a guess
/// (which may be ahead of the tail after a failed CAS) would not do, and with them
/// its contended cells were slower (`mpmc unbounded` 31 ns a message, 32 to 39).
pub(crate) struct Counter {
    /// The counter.
    value: AtomicUsize,
    /// The counter's value after its latest move (or an attempted one).
    guess: AtomicUsize,
}

impl Counter {
    /// A counter at `v`.
    pub(crate) fn new(v: usize) -> Self {
        Counter {
            value: AtomicUsize::new(v),
            guess: AtomicUsize::new(v),
        }
    }

    /// The counter itself.
    #[inline(always)]
    pub(crate) fn load(&self, order: Ordering) -> usize {
        self.value.load(order)
    }

    /// The counter's atomic, for `load_after_fence` and disconnection's `fetch_or`.
    #[inline(always)]
    pub(crate) fn atomic(&self) -> &AtomicUsize {
        &self.value
    }

    /// The guess: usually the counter's value.
    #[inline(always)]
    pub(crate) fn guess(&self) -> usize {
        // Relaxed: only an expected value; the CAS checks it, and the slot's stamp
        // (read with Acquire) orders the slot's accesses.
        self.guess.load(Ordering::Relaxed)
    }

    /// Moves the counter from `current` to `new` (a `SeqCst` CAS, as every move of the
    /// ring's counters is), noting `new` as the guess first; on failure, returns the
    /// value found.
    #[inline(always)]
    pub(crate) fn advance(&self, current: usize, new: usize) -> Result<(), usize> {
        // Relaxed: as in `guess`.
        self.guess.store(new, Ordering::Relaxed);
        // SeqCst: the ring's emptiness and fullness checks pair with its counters'
        // moves through fences.
        self.value
            .compare_exchange(current, new, Ordering::SeqCst, Ordering::Relaxed)
            .map(|_| ())
    }
}

/// A claimed operation: the slot a [`Queue::reserve_send`] or [`Queue::reserve_recv`]
/// won, to be completed with [`Queue::write`] or [`Queue::read`].
///
/// A null slot means the queue was disconnected when the reservation was made: the
/// completion then fails (a write hands its message back).
///
/// ```
/// use channel_core::Reservation;
/// let r = Reservation::default();
/// assert!(r.is_disconnected());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Reservation {
    /// The claimed slot (queue specific), or null for "disconnected".
    pub(crate) slot: *const u8,
    /// Queue-specific extra word: the claimed position (ring) or the slot offset (list).
    pub(crate) aux: usize,
    /// `HELD`, `FREED`, `REVOKED`; cleared by every `reserve_*`.
    pub(crate) flags: u8,
}

/// Set by `hold_*`: the claim may be completed late, or never.
pub(crate) const HELD: u8 = 1;
/// Set by a `reserve_*` call or `abandon` that freed room for the other side on its
/// way (a hole skipped, a held send revoked): the caller should wake a waiting peer.
pub(crate) const FREED: u8 = 2;
/// Set by a `write` of a held send that a receiver had revoked: its message came back
/// although the queue is not disconnected, to be sent afresh.
pub(crate) const REVOKED: u8 = 4;
/// Set by a `reserve_recv_fast` that claimed a slot whose send had not completed: the
/// caller settles it with `settle_recv` before reading.
pub(crate) const UNSETTLED: u8 = 8;

impl Default for Reservation {
    fn default() -> Self {
        Reservation {
            slot: ptr::null(),
            aux: 0,
            flags: 0,
        }
    }
}

impl Reservation {
    /// True when the reservation stands for a disconnected queue rather than a slot.
    ///
    /// ```
    /// use channel_core::{ListQueue, Queue, Reservation};
    /// let q = ListQueue::<u8>::new();
    /// q.disconnect();
    /// let mut r = Reservation::default();
    /// assert!(q.reserve_send(&mut r)); // ready: with a disconnection
    /// assert!(r.is_disconnected());
    /// ```
    pub fn is_disconnected(&self) -> bool {
        self.slot.is_null()
    }

    /// True when the last `reserve_*` or `abandon` call with this reservation freed
    /// room for senders (a hole skipped, a held send revoked, an abandoned send taken
    /// out of line): a waiting sender should be woken.
    ///
    /// ```
    /// use channel_core::{ArrayQueue, Queue, Reservation};
    /// let q = ArrayQueue::<u8>::new(1);
    /// let mut r = Reservation::default();
    /// assert!(!q.reserve_recv(&mut r)); // empty
    /// assert!(!r.freed());
    /// ```
    pub fn freed(&self) -> bool {
        self.flags & FREED != 0
    }

    /// True once the claim is held (see [`Queue::hold_send`]).
    pub(crate) fn held(&self) -> bool {
        self.flags & HELD != 0
    }

    /// True when the last `write` with this reservation handed its message back not
    /// because the queue is disconnected, but because the send was held and a receiver
    /// revoked it meanwhile (see [`Queue::write`]): the caller sends it afresh.
    ///
    /// ```
    /// use channel_core::{ArrayQueue, Queue, Reservation};
    /// let q = ArrayQueue::new(2);
    /// let mut r = Reservation::default();
    /// assert!(q.reserve_send(&mut r));
    /// // SAFETY: a send claim of `q`, not completed.
    /// unsafe { q.hold_send(&mut r) };
    /// q.try_push(2).unwrap(); // claimed after the held send
    /// assert_eq!(q.try_pop(), Ok(Some(2))); // the held send is revoked, not waited for
    /// // SAFETY: completed once.
    /// assert_eq!(unsafe { q.write(&mut r, 1) }, Err(1));
    /// assert!(r.revoked());
    /// assert_eq!(q.try_push(1), Ok(())); // sent afresh
    /// ```
    pub fn revoked(&self) -> bool {
        self.flags & REVOKED != 0
    }

    /// True for a receive claimed by [`Queue::reserve_recv_fast`] whose slot's send
    /// had not completed when it was claimed: [`Queue::settle_recv`] it before reading.
    ///
    /// ```
    /// use channel_core::{ListQueue, Queue};
    /// let q = ListQueue::new();
    /// q.try_push(1).unwrap();
    /// let r = q.reserve_recv_fast().unwrap();
    /// assert!(!r.unsettled()); // its message was there
    /// ```
    pub fn unsettled(&self) -> bool {
        self.flags & UNSETTLED != 0
    }
}

/// Why a push failed; the message comes back either way.
///
/// ```
/// use channel_core::{ArrayQueue, PushError, Queue};
/// let q = ArrayQueue::new(1);
/// q.try_push(1).unwrap();
/// assert_eq!(q.try_push(2), Err(PushError::Full(2)));
/// q.disconnect();
/// assert_eq!(q.try_push(3), Err(PushError::Disconnected(3)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PushError<T> {
    /// No room now.
    Full(T),
    /// The queue is disconnected.
    Disconnected(T),
}

impl<T> PushError<T> {
    /// The message that was not pushed.
    ///
    /// ```
    /// assert_eq!(channel_core::PushError::Full(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            PushError::Full(m) | PushError::Disconnected(m) => m,
        }
    }
}

impl<T> fmt::Debug for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Full(_) => f.write_str("Full(..)"),
            PushError::Disconnected(_) => f.write_str("Disconnected(..)"),
        }
    }
}

/// Equal snapshots of [`Queue::version`] taken at two instants mean no operation
/// changed the queue in between. Four words, compared whole.
pub type Version = [usize; 4];

/// A non-blocking multi-producer multi-consumer queue with two-phase operations.
///
/// The blocking, waking and selecting are layered on top (in `channel-select`); a
/// queue only says whether an operation can proceed now.
///
/// Safe code cannot misuse it into undefined behaviour: claiming is safe (an unused
/// claim only leaks its slot), completing is `unsafe` with the contract written on
/// each method, and the destructor drops only messages that were written. A claim
/// that is not held is expected to be completed at once: receivers that reach it
/// wait (spinning) for its write, as for any send in progress.
///
/// ```
/// use channel_core::{ListQueue, Queue};
/// fn drain<Q: Queue<u32>>(q: &Q) -> Vec<u32> {
///     let mut out = Vec::new();
///     while let Ok(Some(m)) = q.try_pop() { out.push(m) }
///     out
/// }
/// let q = ListQueue::new();
/// for i in 0..3 { q.try_push(i).unwrap(); }
/// assert_eq!(drain(&q), vec![0, 1, 2]);
/// ```
// `Result<_, ()>`: the only failure of a read is "disconnected", which the channel
// layer turns into its own error types; a named unit error would add nothing here.
#[allow(clippy::result_unit_err)]
pub trait Queue<T> {
    /// Claims a slot to write into. Returns `false` when there is no room; `true` with
    /// a slot, or `true` with a disconnected reservation.
    fn reserve_send(&self, r: &mut Reservation) -> bool;

    /// `reserve_send`'s quick case alone: a claim, if one can be made at once (room at
    /// the tail, nothing to skip or wait out, not disconnected, no contention); `None`
    /// otherwise, and then `reserve_send` decides (it may still succeed). Made to be
    /// inlined into a caller's own fast path, where the claim stays in registers; a
    /// queue without such a case keeps the default, which always says `None`.
    #[inline(always)]
    fn reserve_send_fast(&self) -> Option<Reservation> {
        None
    }

    /// [`Queue::reserve_send_fast`] for a caller that sends again and again (a blocking
    /// send, a `try_send` loop): from the queue's guess of where its tail is, which is
    /// right for a thread that moved the tail last, and saves it the wait for its own
    /// last move. `None` also when the guess is stale: the caller's `reserve_send`
    /// then starts from the tail itself. Only claims `reserve_send_fast` could make;
    /// the default is it.
    ///
    /// ```
    /// use channel_core::{ArrayQueue, Queue};
    /// let q = ArrayQueue::new(4);
    /// for i in 0..4 {
    ///     let mut claim = q.reserve_send_guessed().expect("room, and the guess is right");
    ///     // SAFETY: a claim of this queue, just made, completed once.
    ///     unsafe { q.write(&mut claim, i).unwrap() };
    /// }
    /// assert!(q.reserve_send_guessed().is_none()); // full
    /// let mut claim = q.reserve_recv_guessed().expect("a message");
    /// // SAFETY: as above.
    /// assert_eq!(unsafe { q.read(&mut claim) }, Ok(0));
    /// ```
    #[inline(always)]
    fn reserve_send_guessed(&self) -> Option<Reservation> {
        self.reserve_send_fast()
    }

    /// Marks a send claimed by `reserve_send` as *held*: it may be completed late, or
    /// never, so receivers must not wait for it (see the module documentation).
    ///
    /// # Safety
    /// `r` comes from a successful `reserve_send` on this same queue and has not been
    /// completed.
    unsafe fn hold_send(&self, r: &mut Reservation);

    /// Writes `msg` into the slot claimed by `reserve_send`, making it visible to
    /// receivers. Hands `msg` back if the reservation is a disconnection, or (then
    /// [`Reservation::revoked`] is set) if it was held and a receiver revoked it
    /// meanwhile: the caller then sends it afresh (a new claim).
    ///
    /// # Safety
    /// `r` must come from a successful `reserve_send` on this same queue, and be
    /// completed at most once.
    unsafe fn write(&self, r: &mut Reservation, msg: T) -> Result<(), T>;

    /// Gives up a send reserved by `reserve_send` without writing a message: the slot
    /// is freed at once when the claim is at the head or the last one, and otherwise
    /// becomes a hole that receivers skip (`freed()` tells whether room was made now).
    /// Used when the selected send's message never arrives (its `SelectedOperation`
    /// was dropped, e.g. by a panic).
    ///
    /// # Safety
    /// As for [`Queue::write`]: a reservation of this queue, completed at most once.
    unsafe fn abandon(&self, r: &mut Reservation);

    /// Claims a message to read. Returns `false` when the queue has no message now;
    /// `true` with a slot, or `true` with a disconnected reservation once the queue is
    /// empty and disconnected.
    fn reserve_recv(&self, r: &mut Reservation) -> bool;

    /// `reserve_recv`'s quick case alone, as [`Queue::reserve_send_fast`]: a claim of
    /// the next slot if it can be made at once, or `None` (then `reserve_recv`
    /// decides). The claim may be [`Reservation::unsettled`]: its send had not
    /// completed (a send in progress, a held one, one given up); then
    /// [`Queue::settle_recv`] it before reading. (The check and what follows stay out
    /// of the caller's quick path, which then needs no registers kept across a call.)
    #[inline(always)]
    fn reserve_recv_fast(&self) -> Option<Reservation> {
        None
    }

    /// [`Queue::reserve_recv_fast`] for a caller that receives again and again, as
    /// [`Queue::reserve_send_guessed`].
    #[inline(always)]
    fn reserve_recv_guessed(&self) -> Option<Reservation> {
        self.reserve_recv_fast()
    }

    /// Settles an unsettled claim of `reserve_recv_fast`: waits out a send in
    /// progress, revokes a held one. True with a message to `read` (the claim is then
    /// settled); false if the slot has none (a hole, or a held send revoked) and the
    /// claim is spent: the caller claims again. Any room this makes is for no sender
    /// to wait for (only the unbounded list makes unsettled claims).
    ///
    /// # Safety
    /// `r` is an unsettled claim of `reserve_recv_fast` on this queue, settled once.
    unsafe fn settle_recv(&self, r: &mut Reservation) -> bool {
        let _ = r;
        true
    }

    /// Marks a receive claimed by `reserve_recv` as *held*: it may be completed late
    /// (senders that need its slot wait, parked, like for a full queue).
    ///
    /// # Safety
    /// `r` comes from a successful `reserve_recv` on this same queue and has not been
    /// completed.
    unsafe fn hold_recv(&self, r: &mut Reservation);

    /// Reads the message claimed by `reserve_recv`; `Err(())` for a disconnection.
    ///
    /// # Safety
    /// `r` must come from a successful `reserve_recv` on this same queue, and be
    /// completed at most once.
    unsafe fn read(&self, r: &mut Reservation) -> Result<T, ()>;

    /// False for a queue that never refuses a send for want of room: its senders never
    /// wait, so nobody need be told when room is made. A constant of the queue's type.
    #[inline(always)]
    fn bounded(&self) -> bool {
        true
    }

    /// Whether `reserve_send` would succeed now (a snapshot). `SeqCst`: a waiter that
    /// registers and then asks this sees every completion that did not see it.
    fn can_send(&self) -> bool;
    /// Whether `reserve_recv` would succeed now (a snapshot), as for `can_send`.
    fn can_recv(&self) -> bool;
    /// A snapshot that changes whenever an operation changes the queue.
    fn version(&self) -> Version;

    /// Number of messages in the queue (a snapshot; holes and held sends not yet
    /// written are no messages).
    fn len(&self) -> usize;
    /// True when the queue holds no message (a snapshot).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// True when the queue holds as many messages as it can (a snapshot; never for an
    /// unbounded queue).
    fn is_full(&self) -> bool {
        self.capacity() == Some(self.len())
    }
    /// The capacity, or `None` when unbounded.
    fn capacity(&self) -> Option<usize>;

    /// Marks the queue disconnected: later sends fail, receives drain what is left and
    /// then report the disconnection. Returns `true` for the call that disconnected it.
    fn disconnect(&self) -> bool;
    /// True once [`Queue::disconnect`] has been called.
    fn is_disconnected(&self) -> bool;

    /// One-shot push: claim, then write at once.
    fn try_push(&self, msg: T) -> Result<(), PushError<T>> {
        let mut r = Reservation::default();
        if !self.reserve_send(&mut r) {
            return Err(PushError::Full(msg));
        }
        // SAFETY: `r` was filled in by a successful `reserve_send` on `self` just now.
        unsafe { self.write(&mut r, msg) }.map_err(PushError::Disconnected)
    }

    /// One-shot pop: `Ok(Some(msg))`, `Ok(None)` when empty, `Err(())` when empty and
    /// disconnected.
    fn try_pop(&self) -> Result<Option<T>, ()> {
        let mut r = Reservation::default();
        if !self.reserve_recv(&mut r) {
            return Ok(None);
        }
        // SAFETY: `r` was filled in by a successful `reserve_recv` on `self` just now.
        unsafe { self.read(&mut r) }.map(Some)
    }
}

// SAFETY: a reservation is a position in a queue (a slot pointer, an index, flags). The
// pointer is only dereferenced by the queue's own `unsafe` completion methods, whose
// contract (a reservation of that queue, completed once) does not depend on which
// thread completes it; the queue itself is shared between threads.
unsafe impl Send for Reservation {}
// SAFETY: `&Reservation` only reads the plain fields.
unsafe impl Sync for Reservation {}
