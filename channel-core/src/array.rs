//! The bounded ring buffer for `bounded(cap)` with `cap >= 1`.
//!
//! A fixed array of slots, each with a sequence *stamp*, and two counters `head` and
//! `tail` on separate cache lines. A counter packs an index into the array (low bits)
//! and a lap number (high bits); `tail` also carries the disconnection mark bit.
//!
//! Invariants:
//! - slot `i`'s stamp is `lap | i` when it is empty and may be written in lap `lap`,
//!   and `(lap | i) + 1` once it holds a message that may be read in lap `lap`;
//! - a sender wins slot `i` by moving `tail` past it (CAS), then writes the message
//!   and publishes it by storing the stamp `tail + 1` (Release);
//! - a receiver wins it by moving `head` past it (CAS), reads the message, and frees
//!   the slot for the next lap by storing `head + one_lap` (Release).
//!
//! - a sender that reserved a slot and then gives up ([`Queue::abandon`]) publishes a
//!   *hole*: the stamp `tail + 1` with `mark_bit` set (stamps never use that bit
//!   otherwise, since an index is below `cap < mark_bit`). A receiver that meets a hole
//!   frees the slot and moves on, so an abandoned send never wedges the ring.
//!
//! The stamps make every slot a tiny single-writer handshake, so senders and receivers
//! only contend on their own counter.

use crate::queue::{Queue, Reservation};
use crate::sync::atomic::{self, AtomicUsize, Ordering};
use crate::sync::{load_after_fence, Backoff, UnsafeCell};
use core::mem::MaybeUninit;
use core::ptr;
use crossbeam_utils::CachePadded;

/// One cell of the ring.
struct Slot<T> {
    /// Sequence stamp; see the module invariants.
    stamp: AtomicUsize,
    /// The message, initialized exactly while the stamp says "full".
    msg: UnsafeCell<MaybeUninit<T>>,
}

/// A bounded MPMC ring buffer with two-phase operations.
///
/// ```
/// use channel_core::{ArrayQueue, Queue};
/// let q = ArrayQueue::new(1);
/// assert_eq!(q.try_push(1), Ok(()));
/// assert_eq!(q.try_push(2), Err(Ok(2))); // full: the message comes back
/// assert_eq!(q.try_pop(), Ok(Some(1)));
/// assert_eq!(q.try_pop(), Ok(None));
/// ```
pub struct ArrayQueue<T> {
    /// Next position to read: lap and index.
    head: CachePadded<AtomicUsize>,
    /// Next position to write: lap, index, and the disconnection mark bit.
    tail: CachePadded<AtomicUsize>,
    /// The slots; `buffer.len() == cap`.
    buffer: Box<[Slot<T>]>,
    /// Capacity, `>= 1`.
    cap: usize,
    /// The value added to a counter to go one lap around: twice `mark_bit`.
    one_lap: usize,
    /// The smallest power of two above every index: the disconnection bit of `tail`.
    mark_bit: usize,
}

// SAFETY: the queue hands each message from exactly one thread to exactly one other
// thread (slots are claimed by CAS), so it is as thread-safe as `T: Send` allows.
unsafe impl<T: Send> Send for ArrayQueue<T> {}
// SAFETY: as above; shared access never gives out `&T`.
unsafe impl<T: Send> Sync for ArrayQueue<T> {}

impl<T> ArrayQueue<T> {
    /// A ring holding at most `cap` messages.
    ///
    /// # Panics
    /// If `cap == 0`, or if a buffer of `cap` slots cannot be allocated (including any
    /// capacity whose size overflows), with a message naming the capacity.
    ///
    /// ```
    /// use channel_core::{ArrayQueue, Queue};
    /// assert_eq!(ArrayQueue::<u8>::new(3).capacity(), Some(3));
    /// assert!(std::panic::catch_unwind(|| ArrayQueue::<u64>::new(usize::MAX)).is_err());
    /// ```
    pub fn new(cap: usize) -> Self {
        assert!(cap > 0, "ArrayQueue capacity must be at least 1");
        let mark_bit = cap
            .checked_add(1)
            .and_then(usize::checked_next_power_of_two)
            .filter(|m| m.checked_mul(2).is_some());
        let Some(mark_bit) = mark_bit else {
            panic!("capacity overflow: a channel of capacity {cap} cannot be indexed")
        };
        let mut slots: Vec<Slot<T>> = Vec::new();
        if slots.try_reserve_exact(cap).is_err() {
            panic!(
                "capacity overflow: cannot allocate a buffer for {cap} messages of {} bytes",
                core::mem::size_of::<T>()
            );
        }
        for i in 0..cap {
            // SAFETY: `i < cap <= slots.capacity()`, so the write stays in the
            // allocation. Only the stamp is initialized: an `UnsafeCell<MaybeUninit<T>>`
            // is valid uninitialized, and writing it would build a `T`-sized value on
            // the stack for nothing (a problem for very large `T`).
            unsafe {
                let slot = slots.as_mut_ptr().add(i);
                ptr::addr_of_mut!((*slot).stamp).write(AtomicUsize::new(i));
                #[cfg(loom)]
                ptr::addr_of_mut!((*slot).msg).write(UnsafeCell::new(MaybeUninit::uninit()));
            }
        }
        // SAFETY: the first `cap` slots were initialized above.
        unsafe { slots.set_len(cap) };
        ArrayQueue {
            head: CachePadded::new(AtomicUsize::new(0)),
            tail: CachePadded::new(AtomicUsize::new(0)),
            buffer: slots.into_boxed_slice(),
            cap,
            one_lap: mark_bit * 2,
            mark_bit,
        }
    }

    /// The position after `pos`: the next index, or index 0 of the next lap.
    #[inline]
    fn next_position(&self, pos: usize) -> usize {
        let index = pos & (self.mark_bit - 1);
        if index + 1 < self.cap {
            pos + 1
        } else {
            (pos & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    /// Number of messages between `head` and `tail` (mark bit cleared).
    fn distance(&self, head: usize, tail: usize) -> usize {
        let hix = head & (self.mark_bit - 1);
        let tix = tail & (self.mark_bit - 1);
        if hix < tix {
            tix - hix
        } else if hix > tix {
            self.cap - hix + tix
        } else if tail == head {
            0
        } else {
            self.cap
        }
    }
}

impl<T> ArrayQueue<T> {
    /// The full `reserve_send`: waits out a sender mid-write, skips holes, reports
    /// full and disconnected.
    #[inline(never)]
    fn reserve_send_slow(&self, r: &mut Reservation) -> bool {
        let backoff = Backoff::new();
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            if tail & self.mark_bit != 0 {
                r.slot = ptr::null();
                return true;
            }
            let slot = &self.buffer[tail & (self.mark_bit - 1)];
            // Acquire: pairs with the Release stamp store of the receiver that freed
            // this slot, so its read of the old message happens before our write.
            let stamp = slot.stamp.load(Ordering::Acquire);
            if tail == stamp {
                let next = self.next_position(tail);
                match self
                    .tail
                    .compare_exchange(tail, next, Ordering::SeqCst, Ordering::Relaxed)
                {
                    Ok(_) => {
                        r.slot = slot as *const Slot<T> as *const u8;
                        r.aux = tail + 1;
                        return true;
                    }
                    Err(t) => {
                        tail = t;
                        backoff.spin();
                    }
                }
            } else if (stamp & !self.mark_bit).wrapping_add(self.one_lap) == tail + 1 {
                // The slot still holds last lap's message: full, unless a receiver
                // has moved on since. The fence orders our tail read before the
                // head read (pairs with the receivers' SeqCst CAS on head).
                atomic::fence(Ordering::SeqCst);
                let head = load_after_fence(&self.head);
                if head.wrapping_add(self.one_lap) == tail {
                    // Full, unless the slot at head is a hole: then skip it for the
                    // receivers (as they would) and retry for the freed slot.
                    if stamp & self.mark_bit == 0 {
                        return false;
                    }
                    let next = self.next_position(head);
                    if self
                        .head
                        .compare_exchange(head, next, Ordering::SeqCst, Ordering::Relaxed)
                        .is_ok()
                    {
                        // Release: as in `read`, hands the freed slot to this lap.
                        slot.stamp.store(tail, Ordering::Release);
                    }
                }
                backoff.spin();
                tail = self.tail.load(Ordering::Relaxed);
            } else {
                // Another sender won this slot and has not finished yet.
                backoff.snooze();
                tail = self.tail.load(Ordering::Relaxed);
            }
        }
    }

    /// `Queue::write`.
    ///
    /// # Safety
    /// As for [`Queue::write`].
    #[inline]
    unsafe fn write_slot(&self, r: &mut Reservation, msg: T) -> Result<(), T> {
        if r.slot.is_null() {
            return Err(msg);
        }
        // SAFETY: the caller guarantees `r` came from `reserve_send` on this queue, so
        // `slot` points into `self.buffer` and we alone own it until the stamp store.
        let slot = unsafe { &*(r.slot as *const Slot<T>) };
        slot.msg.with_mut(|p| unsafe { (*p).write(msg) });
        // Release: publishes the message to the receiver whose Acquire stamp load
        // sees this stamp.
        slot.stamp.store(r.aux, Ordering::Release);
        Ok(())
    }

    /// `Queue::abandon`.
    ///
    /// # Safety
    /// As for [`Queue::abandon`].
    unsafe fn abandon_slot(&self, r: &mut Reservation) {
        if r.slot.is_null() {
            return;
        }
        // SAFETY: as in `write`: the slot is ours until the stamp store.
        let slot = unsafe { &*(r.slot as *const Slot<T>) };
        // Release: pairs with the receivers' Acquire stamp load, like a message.
        slot.stamp.store(r.aux | self.mark_bit, Ordering::Release);
    }

    /// The full `reserve_recv`: waits out a sender mid-write, skips holes, reports
    /// empty and disconnected.
    #[inline(never)]
    fn reserve_recv_slow(&self, r: &mut Reservation) -> bool {
        let backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            let slot = &self.buffer[head & (self.mark_bit - 1)];
            // Acquire: pairs with the sender's Release stamp store, so the message
            // written before it is visible to our read.
            let stamp = slot.stamp.load(Ordering::Acquire);
            if head + 1 == stamp & !self.mark_bit {
                let next = self.next_position(head);
                match self
                    .head
                    .compare_exchange(head, next, Ordering::SeqCst, Ordering::Relaxed)
                {
                    Ok(_) if stamp & self.mark_bit != 0 => {
                        // A hole left by an abandoned send: free the slot, go on.
                        // Release: as in `read`, hands the slot to the next lap.
                        slot.stamp
                            .store(head.wrapping_add(self.one_lap), Ordering::Release);
                        head = next;
                    }
                    Ok(_) => {
                        r.slot = slot as *const Slot<T> as *const u8;
                        r.aux = head.wrapping_add(self.one_lap);
                        return true;
                    }
                    Err(h) => {
                        head = h;
                        backoff.spin();
                    }
                }
            } else if stamp == head {
                // Empty slot: the queue is empty unless a sender is mid-write.
                // The fence pairs with the senders' SeqCst CAS on tail.
                atomic::fence(Ordering::SeqCst);
                let tail = load_after_fence(&self.tail);
                if tail & !self.mark_bit == head {
                    if tail & self.mark_bit != 0 {
                        r.slot = ptr::null();
                        return true;
                    }
                    return false;
                }
                backoff.spin();
                head = self.head.load(Ordering::Relaxed);
            } else {
                backoff.snooze();
                head = self.head.load(Ordering::Relaxed);
            }
        }
    }

    /// `Queue::read`.
    ///
    /// # Safety
    /// As for [`Queue::read`].
    #[inline]
    unsafe fn read_slot(&self, r: &mut Reservation) -> Result<T, ()> {
        if r.slot.is_null() {
            return Err(());
        }
        // SAFETY: the caller guarantees `r` came from `reserve_recv` on this queue: the
        // slot is ours and holds a message published by the sender's Release store.
        let slot = unsafe { &*(r.slot as *const Slot<T>) };
        let msg = slot.msg.with(|p| unsafe { (*p).assume_init_read() });
        // Release: hands the emptied slot to the next lap's sender.
        slot.stamp.store(r.aux, Ordering::Release);
        Ok(msg)
    }
}

impl<T> Queue<T> for ArrayQueue<T> {
    #[inline]
    fn reserve_send(&self, r: &mut Reservation) -> bool {
        // Fast path, inlined: the slot at tail is free and the CAS wins. Everything else
        // (full, contended, mid-write, holes, disconnected) goes to the full loop.
        let tail = self.tail.load(Ordering::Relaxed);
        let slot = &self.buffer[tail & (self.mark_bit - 1)];
        // Acquire: as in `reserve_send_slow`. A marked (disconnected) tail never equals
        // a stamp, so it takes the slow path.
        if slot.stamp.load(Ordering::Acquire) == tail
            && self
                .tail
                .compare_exchange(
                    tail,
                    self.next_position(tail),
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            r.slot = slot as *const Slot<T> as *const u8;
            r.aux = tail + 1;
            return true;
        }
        self.reserve_send_slow(r)
    }

    #[inline]
    unsafe fn write(&self, r: &mut Reservation, msg: T) -> Result<(), T> {
        // SAFETY: forwarded from the caller.
        unsafe { self.write_slot(r, msg) }
    }

    unsafe fn abandon(&self, r: &mut Reservation) {
        // SAFETY: forwarded from the caller.
        unsafe { self.abandon_slot(r) }
    }

    #[inline]
    fn reserve_recv(&self, r: &mut Reservation) -> bool {
        // Fast path, inlined: the slot at head holds a message and the CAS wins.
        let head = self.head.load(Ordering::Relaxed);
        let slot = &self.buffer[head & (self.mark_bit - 1)];
        // Acquire: as in `reserve_recv_slow`.
        if slot.stamp.load(Ordering::Acquire) == head + 1
            && self
                .head
                .compare_exchange(
                    head,
                    self.next_position(head),
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            r.slot = slot as *const Slot<T> as *const u8;
            r.aux = head.wrapping_add(self.one_lap);
            return true;
        }
        self.reserve_recv_slow(r)
    }

    #[inline]
    unsafe fn read(&self, r: &mut Reservation) -> Result<T, ()> {
        // SAFETY: forwarded from the caller.
        unsafe { self.read_slot(r) }
    }

    fn len(&self) -> usize {
        loop {
            let tail = self.tail.load(Ordering::SeqCst);
            let head = self.head.load(Ordering::SeqCst);
            // A consistent snapshot: tail did not move while we read head.
            if self.tail.load(Ordering::SeqCst) == tail {
                return self.distance(head, tail & !self.mark_bit);
            }
        }
    }

    fn is_empty(&self) -> bool {
        let head = self.head.load(Ordering::SeqCst);
        let tail = self.tail.load(Ordering::SeqCst);
        tail & !self.mark_bit == head
    }

    fn is_full(&self) -> bool {
        let tail = self.tail.load(Ordering::SeqCst);
        let head = self.head.load(Ordering::SeqCst);
        head.wrapping_add(self.one_lap) == tail & !self.mark_bit
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.cap)
    }

    fn disconnect(&self) -> bool {
        let tail = self.tail.fetch_or(self.mark_bit, Ordering::SeqCst);
        tail & self.mark_bit == 0
    }

    fn is_disconnected(&self) -> bool {
        self.tail.load(Ordering::SeqCst) & self.mark_bit != 0
    }
}

impl<T> Drop for ArrayQueue<T> {
    fn drop(&mut self) {
        // `&mut self`: no other thread can touch the queue, Relaxed loads suffice.
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Relaxed) & !self.mark_bit;
        let len = self.distance(head, tail);
        let hix = head & (self.mark_bit - 1);
        for i in 0..len {
            let index = (hix + i) % self.cap;
            let slot = &self.buffer[index];
            if slot.stamp.load(Ordering::Relaxed) & self.mark_bit != 0 {
                continue; // a hole left by an abandoned send: no message
            }
            // SAFETY: the `len` slots from head on hold initialized messages, each
            // dropped once here. If a drop panics the rest are leaked, never dropped
            // twice: the buffer itself never drops its `MaybeUninit` contents.
            slot.msg.with_mut(|p| unsafe { (*p).assume_init_drop() });
        }
    }
}

impl<T> core::fmt::Debug for ArrayQueue<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ArrayQueue")
            .field("len", &self.len())
            .field("cap", &self.cap)
            .finish()
    }
}
