//! The bounded ring buffer for `bounded(cap)` with `cap >= 1`.
//!
//! A fixed array of slots, each with a sequence *stamp*, and two counters `head` and
//! `tail` on separate cache lines. A counter is a *position*: an index into the array
//! (low bits) and a lap number (high bits, in steps of `one_lap`); `tail` also carries
//! the disconnection bit `mark`.
//!
//! A slot's stamp says what the slot is for the position `pos` it serves now:
//!
//! | stamp | meaning |
//! |---|---|
//! | `pos` | free for a send at `pos` (or claimed by a sender that is writing it) |
//! | `pos \| held` | claimed by a *held* send (see `queue`), not written yet |
//! | `pos + 1` | holds a message (or is being read by the receiver that claimed it) |
//! | `(pos + 1) \| mark` | a *hole*: a send given up, no message |
//! | `(pos + 1) \| held` | claimed by a held receive, not read yet |
//! | `pos + one_lap` | freed: free for a send at the next lap's position |
//!
//! The flag bits `mark` and `held` sit above every index (`mark` is the smallest power
//! of two above `cap`), below the lap bits.
//!
//! Invariants:
//! - a sender wins position `pos` by moving `tail` past it (CAS), then writes the
//!   message and publishes it by storing `pos + 1` (Release);
//! - a receiver wins it by moving `head` past it (CAS), reads the message, and frees
//!   the slot by storing `pos + one_lap` (Release);
//! - whoever moves `head` past a hole frees its slot; a receiver that finds a held send
//!   at `head` with more positions claimed after it *revokes* it (moves `head` past it
//!   and frees the slot by CAS from `pos | held`), so a slow or forgotten selection
//!   never stops the messages behind it. The held sender takes its slot back with a
//!   CAS from `pos | held` to `pos` before writing, so exactly one of the two wins;
//! - nothing waits for a held claim: receivers revoke held sends; senders that find a
//!   held receive in their slot report "no room" and, when blocking, park until `read`
//!   frees it (a `SeqCst` store, paired with their `SeqCst` re-check after registering);
//! - `phantoms` counts the claimed positions between `head` and `tail` that hold no
//!   message (held sends not yet written, holes), so `len` counts only messages.
//!
//! The stamps make every slot a tiny single-writer handshake, so senders and receivers
//! only contend on their own counter.

use crate::queue::{Counter, Queue, Reservation, Version, FREED, HELD, REVOKED};
use crate::sync::atomic::{self, AtomicUsize, Ordering};
use crate::sync::{init_uninit, load_after_fence, Backoff, UnsafeCell};
use core::mem::MaybeUninit;
use core::ptr;
use crossbeam_utils::CachePadded;

/// One cell of the ring.
struct Slot<T> {
    /// Sequence stamp; see the module table.
    stamp: AtomicUsize,
    /// The message, initialized exactly while the stamp says it holds one.
    msg: UnsafeCell<MaybeUninit<T>>,
}

/// A bounded MPMC ring buffer with two-phase operations.
///
/// ```
/// use channel_core::{ArrayQueue, PushError, Queue};
/// let q = ArrayQueue::new(1);
/// assert_eq!(q.try_push(1), Ok(()));
/// assert_eq!(q.try_push(2), Err(PushError::Full(2))); // the message comes back
/// assert_eq!(q.try_pop(), Ok(Some(1)));
/// assert_eq!(q.try_pop(), Ok(None));
/// ```
pub struct ArrayQueue<T> {
    /// Next position to read.
    head: CachePadded<Counter>,
    /// Next position to write, and the disconnection bit `mark`.
    tail: CachePadded<Counter>,
    /// Claimed positions between head and tail without a message (held, holes).
    phantoms: CachePadded<AtomicUsize>,
    /// The slots; `buffer.len() == cap`.
    buffer: Box<[Slot<T>]>,
    /// Capacity, `>= 1`.
    cap: usize,
    /// The smallest power of two above every index: the hole and disconnection bit.
    mark: usize,
    /// `mark - 1`: the index bits of a position (kept, not computed, on the hot path).
    index_mask: usize,
    /// The bit above `mark`: a held claim.
    held: usize,
    /// The value added to a position to go one lap around: the bit above `held`.
    one_lap: usize,
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
        let mark = cap
            .checked_add(1)
            .and_then(usize::checked_next_power_of_two)
            .filter(|m| m.checked_mul(8).is_some());
        let Some(mark) = mark else {
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
                init_uninit(ptr::addr_of_mut!((*slot).msg));
            }
        }
        // SAFETY: the first `cap` slots were initialized above.
        unsafe { slots.set_len(cap) };
        ArrayQueue {
            head: CachePadded::new(Counter::new(0)),
            tail: CachePadded::new(Counter::new(0)),
            phantoms: CachePadded::new(AtomicUsize::new(0)),
            buffer: slots.into_boxed_slice(),
            cap,
            mark,
            index_mask: mark - 1,
            held: mark << 1,
            one_lap: mark << 2,
        }
    }

    /// The slot serving position `pos`.
    #[inline]
    fn slot(&self, pos: usize) -> &Slot<T> {
        let index = pos & self.index_mask;
        debug_assert!(index < self.cap, "a position's index is below the capacity");
        // SAFETY: every position `head` and `tail` (and so their guesses) ever hold is 0
        // or made by `next_position`, whose index part stays below `cap` (it wraps to
        // the next lap at `cap`); the flag bits lie above `index_mask` and are masked
        // off. So `index` is in bounds of `buffer` (`cap` slots). This is the hottest
        // line of the ring: the bounds check cost two instructions per access.
        unsafe { self.buffer.get_unchecked(index) }
    }

    /// The position after `pos`: the next index, or index 0 of the next lap.
    #[inline]
    fn next_position(&self, pos: usize) -> usize {
        let index = pos & self.index_mask;
        if index + 1 < self.cap {
            pos + 1
        } else {
            (pos & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    /// Number of positions between `head` and `tail` (flag bits cleared).
    fn distance(&self, head: usize, tail: usize) -> usize {
        let hix = head & self.index_mask;
        let tix = tail & self.index_mask;
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

    /// Whether `reserve_send` would find a free slot now (disconnection aside), as a
    /// `SeqCst` snapshot: a waiter calls this after registering.
    fn has_room(&self) -> bool {
        let tail = self.tail.load(Ordering::SeqCst) & !self.mark;
        let stamp = self.slot(tail).stamp.load(Ordering::SeqCst);
        let last = tail.wrapping_sub(self.one_lap);
        let base = stamp & !(self.mark | self.held);
        if stamp == tail || (base != last && base != last + 1) {
            return true; // free (or a stale tail: a send is under way)
        }
        if stamp == (last + 1) | self.held {
            return false; // a held receive has not read it yet
        }
        // Last lap's position: room unless full (a hole at head is skipped).
        self.head.load(Ordering::SeqCst).wrapping_add(self.one_lap) != tail
            || stamp == (last + 1) | self.mark
    }

    /// Frees the slot of position `pos`, which `head` was just moved past without a
    /// message to read (a hole, a revoked or given-up send).
    fn free_empty(&self, slot: &Slot<T>, pos: usize) {
        // Release: hands the slot to the next lap's sender (its Acquire stamp load).
        slot.stamp
            .store(pos.wrapping_add(self.one_lap), Ordering::Release);
        // SeqCst, like every `phantoms` access: `len` is a snapshot of both counters.
        self.phantoms.fetch_sub(1, Ordering::SeqCst);
    }

    /// Waits out the short step between a held sender taking its slot back and its
    /// write (or giving up): `true` for a message at `pos`, `false` for a hole.
    fn wait_settled(&self, slot: &Slot<T>, pos: usize) -> bool {
        let backoff = Backoff::new();
        loop {
            // Acquire: pairs with the sender's Release stamp store of the message.
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == pos + 1 {
                return true;
            }
            if stamp == (pos + 1) | self.mark {
                return false;
            }
            backoff.snooze();
        }
    }
}

impl<T> ArrayQueue<T> {
    /// Claims position `tail` for a send if its slot is free and the CAS from it wins.
    #[inline(always)]
    fn claim_send_at(&self, tail: usize) -> Option<Reservation> {
        let slot = self.slot(tail);
        // Computed before the Acquire load, which would make the compiler read the
        // queue's constant fields again after it.
        let next = self.next_position(tail);
        // Acquire: as in `reserve_send_slow`. A marked (disconnected) tail never equals
        // a stamp, so it takes the slow path.
        if slot.stamp.load(Ordering::Acquire) != tail {
            return None;
        }
        self.tail.advance(tail, next).ok()?;
        Some(Reservation {
            slot: slot as *const Slot<T> as *const u8,
            aux: tail,
            flags: 0,
        })
    }

    /// Claims position `head` for a receive if its slot holds a message and the CAS
    /// from it wins.
    #[inline(always)]
    fn claim_recv_at(&self, head: usize) -> Option<Reservation> {
        let slot = self.slot(head);
        // Before the Acquire load, as in `claim_send_at`.
        let next = self.next_position(head);
        // Acquire: as in `reserve_recv_slow`.
        if slot.stamp.load(Ordering::Acquire) != head.wrapping_add(1) {
            return None;
        }
        self.head.advance(head, next).ok()?;
        Some(Reservation {
            slot: slot as *const Slot<T> as *const u8,
            aux: head,
            flags: 0,
        })
    }
}

impl<T> ArrayQueue<T> {
    /// The full `reserve_send`: waits out a receiver mid-read, skips holes, reports
    /// no room (full, or a held receive in the way) and disconnection.
    #[inline(never)]
    fn reserve_send_slow(&self, r: &mut Reservation) -> bool {
        r.flags = 0;
        let backoff = Backoff::new();
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            if tail & self.mark != 0 {
                r.slot = ptr::null();
                return true;
            }
            let slot = self.slot(tail);
            // Acquire: pairs with the Release stamp store of the receiver that freed
            // this slot, so its read of the old message happens before our write.
            let stamp = slot.stamp.load(Ordering::Acquire);
            if tail == stamp {
                let next = self.next_position(tail);
                match self.tail.advance(tail, next) {
                    Ok(_) => {
                        r.slot = slot as *const Slot<T> as *const u8;
                        r.aux = tail;
                        return true;
                    }
                    Err(t) => {
                        tail = t;
                        backoff.spin();
                    }
                }
            } else {
                // The slot still serves last lap's position (or our tail is stale).
                let last = tail.wrapping_sub(self.one_lap);
                let base = stamp & !(self.mark | self.held);
                if base != last && base != last + 1 {
                    backoff.spin();
                    tail = self.tail.load(Ordering::Relaxed);
                    continue;
                }
                if stamp == (last + 1) | self.held {
                    return false; // a held receive has not read it yet: no room
                }
                // Full, unless a receiver has moved on since. The fence orders our tail
                // read before the head read (pairs with the receivers' SeqCst CAS).
                atomic::fence(Ordering::SeqCst);
                let head = load_after_fence(self.head.atomic());
                if head.wrapping_add(self.one_lap) == tail {
                    // Full (its last send unwritten, held or not, or its message still
                    // there), unless the slot at head is a hole: then skip it for the
                    // receivers (as they would) and retry for the freed slot.
                    if stamp != (last + 1) | self.mark {
                        return false;
                    }
                    let next = self.next_position(head);
                    if self.head.advance(head, next).is_ok() {
                        self.free_empty(slot, head);
                    }
                } else {
                    // A receiver between winning this slot and reading it.
                    backoff.snooze();
                }
                tail = self.tail.load(Ordering::Relaxed);
            }
        }
    }

    /// The full `reserve_recv`: skips holes, revokes held sends that have claims
    /// behind them, waits out a short write, reports empty and disconnection.
    #[inline(never)]
    fn reserve_recv_slow(&self, r: &mut Reservation) -> bool {
        r.flags = 0;
        let backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            let slot = self.slot(head);
            let next = self.next_position(head);
            // Acquire: pairs with the sender's Release stamp store, so the message
            // written before it is visible to our read.
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp & !self.mark == head + 1 {
                // A message, or a hole.
                match self.head.advance(head, next) {
                    Ok(_) if stamp & self.mark != 0 => {
                        self.free_empty(slot, head);
                        r.flags |= FREED;
                        head = next;
                    }
                    Ok(_) => {
                        r.slot = slot as *const Slot<T> as *const u8;
                        r.aux = head;
                        return true;
                    }
                    Err(h) => {
                        head = h;
                        backoff.spin();
                    }
                }
            } else if stamp == head | self.held {
                // A held send, not written yet. Alone (nothing claimed after it) it is
                // simply not a message yet; otherwise it must not hold up the rest.
                // The fence orders the stamp read before the tail read (pairs with the
                // senders' SeqCst CAS on tail).
                atomic::fence(Ordering::SeqCst);
                let tail = load_after_fence(self.tail.atomic());
                if tail == next || tail == head {
                    return false; // alone, or just taken back by its sender
                }
                // Revoke it (also when disconnected: its late write must then fail
                // rather than leave a message nobody is waiting for).
                match self.head.advance(head, next) {
                    Ok(_) => {
                        // AcqRel: Acquire pairs with the sender's Release `hold_send`
                        // store (which carries the previous reader's Release), Release
                        // hands the slot to the next lap's sender.
                        let revoked = slot.stamp.compare_exchange(
                            head | self.held,
                            head.wrapping_add(self.one_lap),
                            Ordering::AcqRel,
                            Ordering::Relaxed,
                        );
                        if revoked.is_ok() {
                            self.phantoms.fetch_sub(1, Ordering::SeqCst);
                            r.flags |= FREED;
                        } else if self.wait_settled(slot, head) {
                            // Its sender took the slot back first: ours to read.
                            r.slot = slot as *const Slot<T> as *const u8;
                            r.aux = head;
                            return true;
                        } else {
                            self.free_empty(slot, head);
                            r.flags |= FREED;
                        }
                        head = next;
                    }
                    Err(h) => {
                        head = h;
                        backoff.spin();
                    }
                }
            } else {
                // The queue is empty, unless a sender is between its claim and its write
                // (or its `hold_send`). (An empty queue's slot at head may also still be
                // held by last lap's receive.) The fence pairs with the senders' SeqCst
                // CAS on tail.
                atomic::fence(Ordering::SeqCst);
                let tail = load_after_fence(self.tail.atomic());
                if tail & !self.mark == head {
                    if tail & self.mark != 0 {
                        r.slot = ptr::null();
                        return true;
                    }
                    return false;
                }
                backoff.snooze();
                head = self.head.load(Ordering::Relaxed);
            }
        }
    }
}

impl<T> Queue<T> for ArrayQueue<T> {
    #[inline]
    fn reserve_send(&self, r: &mut Reservation) -> bool {
        match self.reserve_send_fast() {
            Some(claim) => {
                *r = claim;
                true
            }
            None => self.reserve_send_slow(r),
        }
    }

    #[inline(always)]
    fn reserve_send_fast(&self) -> Option<Reservation> {
        // The slot at tail is free and the CAS wins. Everything else (full, contended,
        // mid-read, holes, disconnected) is `reserve_send_slow`'s.
        self.claim_send_at(self.tail.load(Ordering::Relaxed))
    }

    #[inline(always)]
    fn reserve_send_guessed(&self) -> Option<Reservation> {
        self.claim_send_at(self.tail.guess())
    }

    unsafe fn hold_send(&self, r: &mut Reservation) {
        if r.slot.is_null() {
            return;
        }
        // SAFETY: the caller guarantees `r` is an uncompleted send claim of this queue.
        let slot = unsafe { &*(r.slot as *const Slot<T>) };
        // Counted before the stamp shows it: whoever ends the phantom subtracts it.
        self.phantoms.fetch_add(1, Ordering::SeqCst);
        // Release: passes on what our Acquire stamp load received (the last reader's
        // read of this slot) to a receiver that revokes the claim and frees the slot.
        slot.stamp.store(r.aux | self.held, Ordering::Release);
        r.flags |= HELD;
    }

    #[inline]
    unsafe fn write(&self, r: &mut Reservation, msg: T) -> Result<(), T> {
        if r.slot.is_null() {
            return Err(msg);
        }
        // SAFETY: the caller guarantees `r` came from `reserve_send` on this queue, so
        // `slot` points into `self.buffer`.
        let slot = unsafe { &*(r.slot as *const Slot<T>) };
        let pos = r.aux;
        if r.held() {
            // Take the slot back from "held" before touching it. SeqCst: a receiver
            // that saw the held stamp and parked re-checks with a SeqCst load after
            // registering, and our `notify` after this write reads its registration.
            if slot
                .stamp
                .compare_exchange(pos | self.held, pos, Ordering::SeqCst, Ordering::Relaxed)
                .is_err()
            {
                // A receiver revoked it (and counted the phantom off): the caller
                // sends it afresh.
                r.flags |= REVOKED;
                return Err(msg);
            }
            self.phantoms.fetch_sub(1, Ordering::SeqCst);
        }
        // The pointer leaves the closure (loom checks the access at `with_mut`): a
        // closure that took the message would keep more copies of it on the stack of
        // an unoptimized build.
        let cell = slot.msg.with_mut(|p| p);
        // SAFETY: the slot is ours until the stamp store below.
        unsafe { cell.cast::<T>().write(msg) };
        // Release: publishes the message to the receiver whose Acquire stamp load
        // sees this stamp.
        slot.stamp.store(pos + 1, Ordering::Release);
        Ok(())
    }

    unsafe fn abandon(&self, r: &mut Reservation) {
        r.flags &= !FREED;
        if r.slot.is_null() {
            return;
        }
        // SAFETY: as in `write`: a send claim of this queue, not completed.
        let slot = unsafe { &*(r.slot as *const Slot<T>) };
        let pos = r.aux;
        if !r.held() {
            // Counted before it can be seen: whoever ends the phantom subtracts it.
            self.phantoms.fetch_add(1, Ordering::SeqCst);
        }
        // At the head, take it out of line ourselves, as a receiver would: nobody else
        // can touch the slot once `head` has moved past it by our CAS.
        if self.head.advance(pos, self.next_position(pos)).is_ok() {
            self.free_empty(slot, pos);
            r.flags |= FREED;
            return;
        }
        // The last claim (nothing claimed after it): take it back, moving `tail` back
        // to it, so that no hole is left taking room. A receiver that saw it held and
        // then finds `tail` back at its head reports the queue empty.
        if self.tail.advance(self.next_position(pos), pos).is_ok() {
            if r.held() {
                // SeqCst (which includes Release, as in `free_empty`): the slot is free
                // for a send at `pos` again, and a sender that found it taken and parked
                // re-checks with a SeqCst load after registering.
                slot.stamp.store(pos, Ordering::SeqCst);
            }
            self.phantoms.fetch_sub(1, Ordering::SeqCst);
            // Room was made: the caller wakes a sender that found none.
            r.flags |= FREED;
            return;
        }
        // Otherwise leave a hole (it keeps its slot until the receivers pass it), unless
        // a receiver revoked the claim first (only a held one can be). Release: pairs
        // with the receivers' Acquire stamp load, like a message.
        let claimed = if r.held() { pos | self.held } else { pos };
        let _ = slot.stamp.compare_exchange(
            claimed,
            (pos + 1) | self.mark,
            Ordering::Release,
            Ordering::Relaxed,
        );
    }

    #[inline]
    fn reserve_recv(&self, r: &mut Reservation) -> bool {
        match self.reserve_recv_fast() {
            Some(claim) => {
                *r = claim;
                true
            }
            None => self.reserve_recv_slow(r),
        }
    }

    #[inline(always)]
    fn reserve_recv_fast(&self) -> Option<Reservation> {
        // The slot at head holds a message and the CAS wins; nothing skipped.
        self.claim_recv_at(self.head.load(Ordering::Relaxed))
    }

    #[inline(always)]
    fn reserve_recv_guessed(&self) -> Option<Reservation> {
        self.claim_recv_at(self.head.guess())
    }

    unsafe fn hold_recv(&self, r: &mut Reservation) {
        if r.slot.is_null() {
            return;
        }
        // SAFETY: the caller guarantees `r` is an uncompleted receive claim of this
        // queue: the slot holds our message until we read it.
        let slot = unsafe { &*(r.slot as *const Slot<T>) };
        // Relaxed: only tells senders a lap later to wait; `read` publishes the slot.
        slot.stamp.store((r.aux + 1) | self.held, Ordering::Relaxed);
        r.flags |= HELD;
    }

    #[inline]
    unsafe fn read(&self, r: &mut Reservation) -> Result<T, ()> {
        if r.slot.is_null() {
            return Err(());
        }
        // SAFETY: the caller guarantees `r` came from `reserve_recv` on this queue: the
        // slot is ours and holds a message published by the sender's Release store.
        let slot = unsafe { &*(r.slot as *const Slot<T>) };
        // SAFETY: as above: the message is initialized and read once, by us.
        let msg = slot.msg.with(|p| unsafe { (*p).assume_init_read() });
        let freed = r.aux.wrapping_add(self.one_lap);
        if r.held() {
            // SeqCst (which includes Release): a sender may have parked on our held
            // stamp; it re-checks with a SeqCst load after registering.
            slot.stamp.store(freed, Ordering::SeqCst);
        } else {
            // Release: hands the emptied slot to the next lap's sender.
            slot.stamp.store(freed, Ordering::Release);
        }
        Ok(msg)
    }

    fn can_send(&self) -> bool {
        self.is_disconnected() || self.has_room()
    }

    fn can_recv(&self) -> bool {
        let head = self.head.load(Ordering::SeqCst);
        let tail = self.tail.load(Ordering::SeqCst);
        if tail & self.mark != 0 {
            return true;
        }
        if tail == head {
            return false;
        }
        // Not ready only for a lone held send, which `reserve_recv` leaves alone.
        self.slot(head).stamp.load(Ordering::SeqCst) != head | self.held
            || self.next_position(head) != tail
    }

    fn version(&self) -> Version {
        // Plain SeqCst loads: every change that can make an operation ready is a
        // SeqCst write (the CAS on head or tail, a held claim's completion).
        let head = self.head.load(Ordering::SeqCst);
        let tail = self.tail.load(Ordering::SeqCst);
        [
            head,
            tail,
            self.slot(head).stamp.load(Ordering::SeqCst),
            self.slot(tail).stamp.load(Ordering::SeqCst),
        ]
    }

    fn len(&self) -> usize {
        loop {
            let tail = self.tail.load(Ordering::SeqCst);
            let head = self.head.load(Ordering::SeqCst);
            // A consistent snapshot: tail did not move while we read head.
            if self.tail.load(Ordering::SeqCst) == tail {
                let claimed = self.distance(head, tail & !self.mark);
                return claimed.saturating_sub(self.phantoms.load(Ordering::SeqCst));
            }
        }
    }

    fn is_full(&self) -> bool {
        // What `reserve_send` would find: a hole in the middle keeps its slot until the
        // receivers pass it, so this may hold while `len` is below the capacity.
        !self.has_room()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.cap)
    }

    fn disconnect(&self) -> bool {
        let tail = self.tail.atomic().fetch_or(self.mark, Ordering::SeqCst);
        tail & self.mark == 0
    }

    fn is_disconnected(&self) -> bool {
        self.tail.load(Ordering::SeqCst) & self.mark != 0
    }
}

impl<T> Drop for ArrayQueue<T> {
    fn drop(&mut self) {
        // `&mut self`: no other thread can touch the queue, Relaxed loads suffice.
        let tail = self.tail.load(Ordering::Relaxed) & !self.mark;
        let mut pos = self.head.load(Ordering::Relaxed);
        while pos != tail {
            let slot = self.slot(pos);
            // Only a slot whose stamp says "message" holds one: a claim never
            // completed (a forgotten send), a hole or a held send have none.
            if slot.stamp.load(Ordering::Relaxed) == pos + 1 {
                // SAFETY: the stamp proves the message was written and not read; it is
                // dropped once here. If a drop panics the rest are leaked, never
                // dropped twice: the buffer never drops its `MaybeUninit` contents.
                slot.msg.with_mut(|p| unsafe { (*p).assume_init_drop() });
            }
            pos = self.next_position(pos);
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
