//! The two-phase interface every buffered queue offers.

use core::ptr;

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
    /// Queue-specific extra word: the stamp to publish (ring) or the slot offset (list).
    pub(crate) aux: usize,
}

impl Default for Reservation {
    fn default() -> Self {
        Reservation {
            slot: ptr::null(),
            aux: 0,
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
}

/// A non-blocking multi-producer multi-consumer queue with two-phase operations.
///
/// The blocking, waking and selecting are layered on top (in `channel-select`); a
/// queue only says whether an operation can proceed now.
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
// `Result<_, ()>`: the only failure is "disconnected", which the channel layer turns
// into its own error types; a named unit error would add nothing here.
#[allow(clippy::result_unit_err)]
pub trait Queue<T> {
    /// Claims a slot to write into. Returns `false` when the queue is full; `true` with
    /// a slot, or `true` with a disconnected reservation.
    fn reserve_send(&self, r: &mut Reservation) -> bool;

    /// Writes `msg` into the slot claimed by `reserve_send`, making it visible to
    /// receivers. Hands `msg` back if the reservation is a disconnection.
    ///
    /// # Safety
    /// `r` must come from a successful `reserve_send` on this same queue, and be
    /// completed at most once.
    unsafe fn write(&self, r: &mut Reservation, msg: T) -> Result<(), T>;

    /// Gives up a send reserved by `reserve_send` without writing a message: the slot
    /// becomes a hole that receivers skip. Used when the selected send's message never
    /// arrives (its `SelectedOperation` was dropped, e.g. by a panic).
    ///
    /// # Safety
    /// As for [`Queue::write`]: a reservation of this queue, completed at most once.
    unsafe fn abandon(&self, r: &mut Reservation);

    /// Claims a message to read. Returns `false` when the queue is empty (and not
    /// disconnected); `true` with a slot, or `true` with a disconnected reservation
    /// once the queue is empty and disconnected.
    fn reserve_recv(&self, r: &mut Reservation) -> bool;

    /// Reads the message claimed by `reserve_recv`; `Err(())` for a disconnection.
    ///
    /// # Safety
    /// `r` must come from a successful `reserve_recv` on this same queue, and be
    /// completed at most once.
    unsafe fn read(&self, r: &mut Reservation) -> Result<T, ()>;

    /// Number of messages in the queue (a snapshot).
    fn len(&self) -> usize;
    /// True when the queue holds no message (a snapshot).
    fn is_empty(&self) -> bool;
    /// True when a send would find no room (a snapshot; never for an unbounded queue).
    fn is_full(&self) -> bool;
    /// The capacity, or `None` when unbounded.
    fn capacity(&self) -> Option<usize>;

    /// Marks the queue disconnected: later sends fail, receives drain what is left and
    /// then report the disconnection. Returns `true` for the call that disconnected it.
    fn disconnect(&self) -> bool;
    /// True once [`Queue::disconnect`] has been called.
    fn is_disconnected(&self) -> bool;

    /// One-shot push: `Ok(())`, `Err(Ok(msg))` when full, `Err(Err(msg))` when disconnected.
    fn try_push(&self, msg: T) -> Result<(), Result<T, T>> {
        let mut r = Reservation::default();
        if !self.reserve_send(&mut r) {
            return Err(Ok(msg));
        }
        // SAFETY: `r` was filled in by a successful `reserve_send` on `self` just now.
        unsafe { self.write(&mut r, msg) }.map_err(Err)
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
