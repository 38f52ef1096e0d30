//! The unbounded segmented list for `unbounded()`.
//!
//! Messages live in blocks of `BLOCK_CAP` slots (`block_cap::<T>()`: more for small
//! messages, see `lap`) linked into a list. Both `head` and `tail` are a *position*:
//! a counter plus a pointer to the current block. A counter counts slots in steps of
//! `1 << SHIFT`; its offset within a block, `(counter >> SHIFT) % LAP` (`LAP` is
//! `BLOCK_CAP + 1`), runs from 0 to `BLOCK_CAP`, where the extra value `BLOCK_CAP`
//! means "moving to the next block, wait".
//!
//! Invariants:
//! - the sender that claims the last slot of a block installs the next block (allocated
//!   before its CAS, so the critical moment is short), then advances `tail` past the
//!   "moving" value; the receiver that claims the last slot moves `head` likewise;
//! - a receiver claims a slot by moving `head` past it, *then* looks at it: a slot's
//!   `state` gains `WRITE` when its message is written. Whoever is done with a slot
//!   last (its reader, or the sender of a revoked held send) *releases* it: a plain
//!   store of `RELEASED`, no read-modify-write;
//! - the receiver that moves `head` out of a block *passes* it: pushes it on
//!   `passed`. Passed blocks are recycled (kept as a spare, up to `MAX_SPARE_BYTES`,
//!   or freed) by a *reclaim*, which the reader of a block's last slot runs after its
//!   read, or the receiver that finds a hole there (under the try-lock `reclaiming`;
//!   a reclaim that finds it taken leaves its blocks to the next): a block whose
//!   slots are all released is recycled, one with a slot still in use waits in
//!   `waiting`, its scan resumed where it stopped (`checked`). So a reader pays a
//!   store, not a locked count, and a drained list holds its last block and its
//!   spares (and the block before the last until its reclaim);
//! - a send that is abandoned after its reservation writes `WRITE | HOLE` and no
//!   message; receivers skip such a slot (releasing it like a read one);
//! - a *held* send (see `queue`) sets `HELD`. A receiver that claims its slot before it
//!   is written does not wait: it sets `REVOKED` and moves on. The two RMWs on `state`
//!   decide: if `WRITE` came first, the receiver reads the message; otherwise the
//!   sender's late `write` finds `REVOKED`, takes its message back, releases the slot
//!   itself (its reader left) and sends the message afresh. A held send that is never
//!   completed leaves its slot unreleased, so its block waits, never freed early,
//!   until the list is dropped;
//! - `phantoms` counts the claimed slots between `head` and `tail` that hold no
//!   message (held sends not yet written, holes), so `len` counts only messages;
//! - bit `MARK_BIT` of `tail` marks disconnection; the same bit of `head` records that
//!   `head`'s block is not the last one (so a receiver can skip reading `tail`).

use crate::queue::{self, Queue, Reservation, Version};
use crate::sync::atomic::{self, AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use crate::sync::{self, init_uninit, load_after_fence, Backoff, UnsafeCell};
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr;
use crossbeam_utils::CachePadded;
use std::alloc::Layout;

/// Slot state bit: the message has been written (or the slot made a hole).
const WRITE: usize = 1;
/// Slot state bit (with `WRITE`): the send was abandoned, there is no message.
const HOLE: usize = 8;
/// Slot state bit: the send claiming the slot is held (may be completed late).
const HELD: usize = 16;
/// Slot state bit: the receiver that claimed the slot left before it was written.
const REVOKED: usize = 32;
/// Slot state: done with for good (read, skipped, or its revoked send taken back);
/// stored alone, over the other bits, by the last thread to use the slot.
const RELEASED: usize = 64;

/// Counter values per block of `T`s, one more than its slots (the "moving on"
/// value): the most of 128, 64 and 32 whose block fits in 1 KiB, else 32 (so a block
/// of big messages is as big as it was: 31 of them). A list of small messages then
/// moves from block to block (a hand-over, a block reused or allocated) less often;
/// a block stays within the size that allocators serve from a thread's own cache
/// (glibc's tcache: up to 1032 bytes), since blocks are allocated by a sender and
/// freed by a receiver, and a bigger one goes through the allocator's shared arena.
/// Under loom, 4, so that models cross blocks in few steps.
const fn lap<T>() -> usize {
    if cfg!(loom) {
        return 4;
    }
    let slot = core::mem::size_of::<Slot<T>>();
    let header = core::mem::size_of::<Block<T>>();
    let mut lap = 128;
    while lap > 32 && header + (lap - 1) * slot > 1024 {
        lap /= 2;
    }
    lap
}

/// The most memory a list keeps in spare blocks (see `ListQueue::recycle`), unless
/// one block is more: 8 KiB, 8 blocks of small messages.
const MAX_SPARE_BYTES: usize = 8 * 1024;

/// How many spare blocks a list of `T`s keeps: `MAX_SPARE_BYTES` of them, at least
/// one. Under loom, one.
fn max_spares<T>() -> usize {
    if cfg!(loom) {
        return 1;
    }
    (MAX_SPARE_BYTES / Block::<T>::layout().size()).max(1)
}

/// Messages per block of a list of `T`s (public so that tests and loom models can
/// cross blocks).
///
/// ```
/// use channel_core::{list::block_cap, ListQueue, Queue};
/// let q = ListQueue::new();
/// for i in 0..2 * block_cap::<u64>() + 1 {
///     q.try_push(i as u64).unwrap(); // three blocks
/// }
/// assert_eq!(q.len(), 2 * block_cap::<u64>() + 1);
/// ```
pub const fn block_cap<T>() -> usize {
    lap::<T>() - 1
}
/// Slots a reclaim checks with one test (see `Block::settled`): nine, a divisor of
/// 63 (blocks of small messages): 92.3 instructions a send and receive pair
/// (`cargo bench --bench instructions`, unbounded) against 92.8 with seven and 93.5
/// with four. Under loom, two, so that models take both the grouped and the single
/// steps of a block of three.
const SCAN: usize = if cfg!(loom) { 2 } else { 9 };
/// Low counter bits reserved for flags.
const SHIFT: usize = 1;
/// Disconnected (in `tail`) or "head's block has a successor" (in `head`).
const MARK_BIT: usize = 1;

/// One message cell.
struct Slot<T> {
    /// The message, initialized once `state & WRITE` is set (without `HOLE`) and
    /// until it is read.
    msg: UnsafeCell<MaybeUninit<T>>,
    /// `WRITE | HOLE | HELD | REVOKED` bits, or `RELEASED`.
    state: AtomicUsize,
}

impl<T> Slot<T> {
    /// Releases the slot: its last user (its reader, or the sender of a revoked held
    /// send) is done with it for good, and touches it no more.
    #[inline(always)]
    fn release(&self) {
        // Release: the caller's accesses to the slot (the message read or taken back,
        // the state's RMWs) happen before the reclaim that reuses or frees its block
        // (its Acquire load in `settled`). Nobody else writes a slot's state once its
        // last user is known, so a plain store will do.
        self.state.store(RELEASED, Ordering::Release);
    }
}

/// A block: the link to the next block, then `block_cap::<T>()` slots, in one
/// allocation (`Block::layout`); the slots are reached through raw pointers to the
/// whole allocation (`Block::slot`), never through a reference to the header.
#[repr(C)]
struct Block<T> {
    /// The next block, null until installed; once the block is passed, the link of
    /// `passed` or `waiting` (nobody follows it as the list's link any more).
    next: AtomicPtr<Block<T>>,
    /// Once passed: the slots below this one are released and reset to 0 (only a
    /// reclaim, under `reclaiming`, touches it).
    checked: AtomicUsize,
    /// Where the slots begin.
    slots: [Slot<T>; 0],
}

/// What a receiver found in the slot it claimed.
enum Found {
    /// A message to read.
    Message,
    /// A hole: nothing to read; the receiver releases the slot.
    Hole,
    /// A held send not written yet, now revoked: its sender releases the slot.
    Revoked,
}

impl<T> Block<T> {
    /// Allocates an empty block directly on the heap (a block of large messages must
    /// never pass through the stack), built in place: its header and the slots'
    /// states are written, the messages' memory is left as the allocator gives it
    /// (zeroing it would cost as much as the messages' size, for nothing).
    fn alloc() -> *mut Block<T> {
        let layout = Block::<T>::layout();
        // SAFETY: a block is not zero-sized: it has a header.
        let this = unsafe { std::alloc::alloc(layout) } as *mut Block<T>;
        if this.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        // SAFETY: `this` is a fresh allocation of a `Block<T>`, valid for writes. Each
        // field is written once, in place; a message cell is valid uninitialized
        // (`init_uninit` builds what loom needs).
        unsafe {
            ptr::addr_of_mut!((*this).next).write(AtomicPtr::new(ptr::null_mut()));
            ptr::addr_of_mut!((*this).checked).write(AtomicUsize::new(0));
            for i in 0..block_cap::<T>() {
                let slot = Block::slot_ptr(this, i);
                ptr::addr_of_mut!((*slot).state).write(AtomicUsize::new(0));
                init_uninit(ptr::addr_of_mut!((*slot).msg));
            }
        }
        this
    }

    /// The layout of a block: the header, then the slots. Panics if it overflows
    /// (a message type of exabytes).
    fn layout() -> Layout {
        Layout::new::<Block<T>>()
            .extend(Layout::array::<Slot<T>>(block_cap::<T>()).expect("block size overflow"))
            .expect("block size overflow")
            .0
            .pad_to_align()
    }

    /// Slot `i` of block `this`, as a raw pointer with the whole block's provenance.
    ///
    /// # Safety
    /// `this` is a block from `alloc` (alive or being built) and `i < block_cap`.
    #[inline(always)]
    unsafe fn slot_ptr(this: *const Block<T>, i: usize) -> *mut Slot<T> {
        debug_assert!(i < block_cap::<T>(), "a slot index is below the capacity");
        // SAFETY: `slots` is where `layout` puts the slots (`repr(C)`: the header's
        // fields, then the slot array's alignment, as `Layout::extend` computes), and
        // slot `i` lies inside the allocation (guaranteed by the caller).
        unsafe { (ptr::addr_of!((*this).slots) as *mut Slot<T>).add(i) }
    }

    /// Slot `i` of block `this`.
    ///
    /// # Safety
    /// `this` is alive for `'a` and `i < block_cap`.
    #[inline(always)]
    unsafe fn slot<'a>(this: *const Block<T>, i: usize) -> &'a Slot<T> {
        // SAFETY: forwarded from the caller; an initialized slot of a live block.
        unsafe { &*Block::slot_ptr(this, i) }
    }

    /// Whether every slot of passed block `this` is released; resets those it finds
    /// released to 0 on the way (as `alloc` makes them) and notes where it stopped, so
    /// that a block is scanned once in all however many reclaims look at it.
    ///
    /// # Safety
    /// `this` is passed and not recycled (its unreleased slots keep it alive), and the
    /// caller holds `reclaiming`.
    unsafe fn settled(this: *mut Block<T>) -> bool {
        // SAFETY: alive (guaranteed by the caller).
        let checked = unsafe { &(*this).checked };
        // SAFETY: as above, for any `i` below the capacity (all uses below are).
        let state = |i: usize| unsafe { &Block::slot(this, i).state };
        // Acquire on every load: pairs with the Release store of `RELEASED`, so the
        // slot's last user's accesses to it happen before the block's reuse or free.
        // Relaxed resets: nobody uses a released slot, and the block's reuse is
        // published as a new block's is. A slot's state has the `RELEASED` bit only
        // when it is `RELEASED` (stored alone, reset before reuse).
        let mut i = checked.load(Ordering::Relaxed);
        // `SCAN` at a time while all are released: one test for several slots.
        while i + SCAN <= block_cap::<T>() {
            let all = (i..i + SCAN).fold(RELEASED, |all, k| all & state(k).load(Ordering::Acquire));
            if all & RELEASED == 0 {
                break;
            }
            (i..i + SCAN).for_each(|k| state(k).store(0, Ordering::Relaxed));
            i += SCAN;
        }
        // The rest, and the slots with one in use, one at a time.
        while i < block_cap::<T>() {
            if state(i).load(Ordering::Acquire) != RELEASED {
                checked.store(i, Ordering::Relaxed);
                return false;
            }
            state(i).store(0, Ordering::Relaxed);
            i += 1;
        }
        true
    }

    /// Under loom, writes every slot's message cell without touching it: freeing or
    /// reusing a block that is not ordered after some slot's last use (its read, its
    /// write) is then reported as a race. Nothing in other builds.
    ///
    /// # Safety
    /// `this` is alive and nobody else uses it.
    #[inline(always)]
    unsafe fn claim_all(this: *mut Block<T>) {
        #[cfg(loom)]
        for i in 0..block_cap::<T>() {
            // SAFETY: forwarded from the caller.
            unsafe { Block::slot(this, i) }.msg.with_mut(|_| ());
        }
        #[cfg(not(loom))]
        let _ = this;
    }

    /// Frees a block made by [`Block::alloc`].
    ///
    /// # Safety
    /// `this` came from `alloc`, holds no unread message, and no thread uses it again.
    #[inline(never)]
    unsafe fn free(this: *mut Block<T>) {
        // SAFETY: forwarded from the caller.
        unsafe { Block::claim_all(this) };
        // SAFETY: the block's fields and slots were built by `alloc` and are dropped
        // once here (dropping a slot drops no message: they are `MaybeUninit`; in
        // normal builds none of this does anything, loom's atomics and cells need it),
        // then the allocation is freed with the layout it was made with.
        unsafe {
            for i in 0..block_cap::<T>() {
                ptr::drop_in_place(Block::slot_ptr(this, i));
            }
            ptr::drop_in_place(ptr::addr_of_mut!((*this).next));
            ptr::drop_in_place(ptr::addr_of_mut!((*this).checked));
            std::alloc::dealloc(this as *mut u8, Block::<T>::layout());
        }
    }

    /// Waits until the next block is installed and returns it.
    fn wait_next(&self) -> *mut Block<T> {
        let backoff = Backoff::new();
        loop {
            // Acquire: pairs with the Release store of the sender that installed it.
            let next = self.next.load(Ordering::Acquire);
            if !next.is_null() {
                return next;
            }
            backoff.snooze();
        }
    }

    /// Looks at slot `offset` of `this`, which the caller has just claimed for
    /// reading: waits out a plain sender mid-write, revokes a held send not written
    /// yet.
    ///
    /// # Safety
    /// `this` is alive (the caller's claim keeps it) and `offset < block_cap`.
    unsafe fn settle(this: *const Block<T>, offset: usize) -> Found {
        // SAFETY: forwarded from the caller.
        let slot = unsafe { Block::slot(this, offset) };
        let backoff = Backoff::new();
        loop {
            // Acquire: pairs with the writer's Release setting `WRITE` (store or `fetch_or`).
            let state = slot.state.load(Ordering::Acquire);
            let state = if state & WRITE != 0 {
                state
            } else if state & HELD != 0 {
                // AcqRel: Acquire as above, in case the write came first; Release:
                // our accesses to the block happen before the sender's, which may
                // free it once it sees `REVOKED`.
                let state = slot.state.fetch_or(REVOKED, Ordering::AcqRel);
                if state & WRITE == 0 {
                    return Found::Revoked;
                }
                state
            } else {
                backoff.snooze();
                continue;
            };
            return if state & HOLE != 0 {
                Found::Hole
            } else {
                Found::Message
            };
        }
    }
}

/// A position in the list: a counter and the block it is in.
struct Position<T> {
    /// Slot counter (`<< SHIFT`) and `MARK_BIT`.
    index: AtomicUsize,
    /// The block holding `index`.
    block: AtomicPtr<Block<T>>,
}

/// An unbounded MPMC queue of linked blocks with two-phase operations.
///
/// ```
/// use channel_core::{ListQueue, Queue};
/// let q = ListQueue::new();
/// for i in 0..100 { q.try_push(i).unwrap(); }
/// assert_eq!(q.len(), 100);
/// assert_eq!((0..100).map(|_| q.try_pop().unwrap().unwrap()).sum::<i32>(), 4950);
/// ```
pub struct ListQueue<T> {
    /// Where the next message is read.
    head: CachePadded<Position<T>>,
    /// Where the next message is written.
    tail: CachePadded<Position<T>>,
    /// Claimed slots between head and tail without a message (held, holes).
    phantoms: CachePadded<AtomicUsize>,
    /// Empty blocks kept for reuse (see `recycle`), linked through `next`; only
    /// touched under `reclaiming`.
    spares: AtomicPtr<Block<T>>,
    /// How many blocks `spares` holds (under `reclaiming`).
    spare_count: AtomicUsize,
    /// Blocks `head` has moved out of, pushed by `pass` and taken by `reclaim`
    /// (linked through `next`).
    passed: AtomicPtr<Block<T>>,
    /// Passed blocks a reclaim found a slot of still in use (linked through `next`);
    /// only touched under `reclaiming`.
    waiting: AtomicPtr<Block<T>>,
    /// The reclaim's try-lock.
    reclaiming: AtomicBool,
    /// The queue owns its messages.
    _marker: PhantomData<T>,
}

// SAFETY: each message passes from exactly one sender to exactly one receiver.
unsafe impl<T: Send> Send for ListQueue<T> {}
// SAFETY: as above; shared access never gives out `&T`.
unsafe impl<T: Send> Sync for ListQueue<T> {}

impl<T> Default for ListQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> ListQueue<T> {
    /// An empty list, with its first block.
    ///
    /// The block is allocated here rather than by the first send, so that `head` and
    /// `tail` never name a null block and the quick paths need not test for one (a
    /// sender that installs the first block would otherwise race the receivers that
    /// read `head.block`). An idle list holds that block.
    ///
    /// ```
    /// use channel_core::{ListQueue, Queue};
    /// assert!(ListQueue::<()>::new().is_empty());
    /// ```
    pub fn new() -> Self {
        let first = Block::alloc();
        ListQueue {
            head: CachePadded::new(Position {
                index: AtomicUsize::new(0),
                block: AtomicPtr::new(first),
            }),
            tail: CachePadded::new(Position {
                index: AtomicUsize::new(0),
                block: AtomicPtr::new(first),
            }),
            phantoms: CachePadded::new(AtomicUsize::new(0)),
            spares: AtomicPtr::new(ptr::null_mut()),
            spare_count: AtomicUsize::new(0),
            passed: AtomicPtr::new(ptr::null_mut()),
            waiting: AtomicPtr::new(ptr::null_mut()),
            reclaiming: AtomicBool::new(false),
            _marker: PhantomData,
        }
    }

    /// Passes `block`, which the caller has just moved `head` out of (and which no
    /// thread follows as the list's link any more): a later `reclaim` recycles it once
    /// its slots are all released.
    ///
    /// # Safety
    /// `block` is alive, and passed once.
    unsafe fn pass(&self, block: *mut Block<T>) {
        // SAFETY: alive (guaranteed by the caller).
        let next = unsafe { &(*block).next };
        let mut top = self.passed.load(Ordering::Relaxed);
        loop {
            next.store(top, Ordering::Relaxed);
            // Release: publishes the link (and our reads of the block's old `next`,
            // which a reclaim then overwrites) to the reclaim's Acquire swap.
            match self.passed.compare_exchange_weak(
                top,
                block,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(t) => top = t,
            }
        }
    }

    /// Recycles every passed block whose slots are all released; keeps the others
    /// waiting. Does nothing if another reclaim (or `fresh_block`) holds the lock: the
    /// blocks wait for the next one. Run by the receiver that claimed a block's last
    /// slot, after its read (or on skipping it: a hole, a revoked send).
    #[inline(never)]
    fn reclaim(&self) {
        // Acquire: pairs with the Release store that ended the previous reclaim, so
        // its `waiting` list and `checked` marks are ours now.
        if self.reclaiming.swap(true, Ordering::Acquire) {
            return;
        }
        // Acquire: pairs with `pass`'s Release CAS.
        let passed = self.passed.swap(ptr::null_mut(), Ordering::Acquire);
        let mut keep = ptr::null_mut();
        for mut block in [passed, self.waiting.load(Ordering::Relaxed)] {
            while !block.is_null() {
                // SAFETY: a passed block, not recycled yet: alive.
                let next = unsafe { (*block).next.load(Ordering::Relaxed) };
                // SAFETY: passed, not recycled, and we hold `reclaiming`.
                if unsafe { Block::settled(block) } {
                    // SAFETY: every slot is released: nobody uses the block any more.
                    unsafe { self.recycle(block) };
                } else {
                    // SAFETY: as above; the link is ours (we hold `reclaiming`).
                    unsafe { (*block).next.store(keep, Ordering::Relaxed) };
                    keep = block;
                }
                block = next;
            }
        }
        self.waiting.store(keep, Ordering::Relaxed);
        // Release: our accesses to `waiting` and its blocks happen before the next
        // reclaim's.
        self.reclaiming.store(false, Ordering::Release);
    }

    /// Keeps a block nobody uses any more as a spare for the next blocks needed (up
    /// to `MAX_SPARE_BYTES` of them, and at least one), or frees it: a list that keeps
    /// moving from block to block, or fills and drains again, does not allocate and
    /// free one every `BLOCK_CAP` messages.
    ///
    /// # Safety
    /// Every slot of `block` is released and reset (`settled`): no thread uses it, or
    /// will. The caller holds `reclaiming`.
    #[inline(never)]
    unsafe fn recycle(&self, block: *mut Block<T>) {
        // SAFETY: ours alone now (guaranteed by the caller).
        unsafe { Block::claim_all(block) };
        // SAFETY: as above.
        let b = unsafe { &*block };
        // Relaxed: `spares`, the count and the block are ours under `reclaiming`,
        // whose Release store publishes them to the next holder (a reclaim, or
        // `fresh_block`, which publishes the block again as a new block is).
        b.checked.store(0, Ordering::Relaxed);
        let count = self.spare_count.load(Ordering::Relaxed);
        if count < max_spares::<T>() {
            b.next
                .store(self.spares.load(Ordering::Relaxed), Ordering::Relaxed);
            self.spares.store(block, Ordering::Relaxed);
            self.spare_count.store(count + 1, Ordering::Relaxed);
        } else {
            // SAFETY: unused, and not kept.
            unsafe { Block::free(block) };
        }
    }

    /// An empty block: a spare, or a new one (also when a reclaim holds the spares).
    fn fresh_block(&self) -> *mut Block<T> {
        // Relaxed look first: no RMW while there is no spare. Acquire on the swap:
        // pairs with the Release store that ended the last holder's turn (the spare's
        // reset, and its link, come before it).
        if !self.spares.load(Ordering::Relaxed).is_null()
            && !self.reclaiming.swap(true, Ordering::Acquire)
        {
            let block = self.spares.load(Ordering::Relaxed);
            if !block.is_null() {
                // SAFETY: a spare is alive and ours under `reclaiming`.
                let next = unsafe { &(*block).next };
                self.spares
                    .store(next.load(Ordering::Relaxed), Ordering::Relaxed);
                next.store(ptr::null_mut(), Ordering::Relaxed);
                let count = self.spare_count.load(Ordering::Relaxed);
                self.spare_count.store(count - 1, Ordering::Relaxed);
            }
            // Release: our accesses to the spares happen before the next holder's.
            self.reclaiming.store(false, Ordering::Release);
            if !block.is_null() {
                return block;
            }
        }
        Block::alloc()
    }

    /// The slot a reservation names.
    ///
    /// # Safety
    /// `r` is a non-disconnected, uncompleted reservation of this queue: its block is
    /// alive (the slot is not released).
    unsafe fn slot<'a>(&self, r: &Reservation) -> &'a Slot<T> {
        debug_assert!(
            r.aux < block_cap::<T>(),
            "a claimed offset is a slot of its block"
        );
        // SAFETY: the block is alive (guaranteed by the caller), and a reservation's
        // offset is the slot it claimed, below `BLOCK_CAP` (`BLOCK_CAP` itself means
        // "moving to the next block", which no claim gets). Unchecked: this is the hot
        // path of every send and receive.
        unsafe { Block::slot(r.slot as *const Block<T>, r.aux) }
    }

    /// The full `reserve_send`: installs blocks, waits out a sender moving to the
    /// next block, reports disconnection.
    #[inline(never)]
    fn reserve_send_slow(&self, r: &mut Reservation) -> bool {
        r.flags = 0;
        let backoff = Backoff::new();
        // Acquire: pairs with the Release stores that install blocks.
        let mut tail = self.tail.index.load(Ordering::Acquire);
        let mut block = self.tail.block.load(Ordering::Acquire);
        let mut next_block: *mut Block<T> = ptr::null_mut();
        let result = loop {
            if tail & MARK_BIT != 0 {
                r.slot = ptr::null();
                break true;
            }
            let offset = (tail >> SHIFT) % lap::<T>();
            if offset == block_cap::<T>() {
                // Another sender is installing the next block.
                backoff.snooze();
                tail = self.tail.index.load(Ordering::Acquire);
                block = self.tail.block.load(Ordering::Acquire);
                continue;
            }
            // About to take the last slot: have the next block ready before the CAS.
            if offset + 1 == block_cap::<T>() && next_block.is_null() {
                next_block = self.fresh_block();
            }
            let new_tail = tail + (1 << SHIFT);
            // On failure, Acquire (as for the first load) pairs with the Release
            // stores that move tail into a new block.
            match self.tail.index.compare_exchange(
                tail,
                new_tail,
                Ordering::SeqCst,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if offset + 1 == block_cap::<T>() {
                        // We took the last slot: install the next block, then step the
                        // counter past the "moving" value. Release on each publishes the
                        // block to senders (tail) and receivers (`next`).
                        let next = core::mem::replace(&mut next_block, ptr::null_mut());
                        self.tail.block.store(next, Ordering::Release);
                        self.tail.index.fetch_add(1 << SHIFT, Ordering::Release);
                        // SAFETY: `block` stays alive until all its slots are released,
                        // and ours has not been written yet.
                        unsafe { (*block).next.store(next, Ordering::Release) };
                    }
                    r.slot = block as *const u8;
                    r.aux = offset;
                    break true;
                }
                Err(t) => {
                    tail = t;
                    block = self.tail.block.load(Ordering::Acquire);
                    backoff.spin();
                }
            }
        };
        if !next_block.is_null() {
            // SAFETY: allocated above and never published.
            unsafe { Block::free(next_block) };
        }
        result
    }

    /// After claiming slot `offset` of `block` for reading: `true` if it holds a
    /// message; otherwise the slot is dealt with (a hole released, a held send
    /// revoked) and the caller moves on.
    ///
    /// # Safety
    /// The caller has just moved `head` past slot `offset` of `block`.
    #[inline]
    unsafe fn claimed(&self, block: *mut Block<T>, offset: usize) -> bool {
        // The common case, inlined: the message is there. Acquire: pairs with the
        // writer's Release setting `WRITE`.
        debug_assert!(
            offset < block_cap::<T>(),
            "a claimed offset is a slot of its block"
        );
        // SAFETY: our claim keeps `block` alive until the slot is released, and a
        // claimed offset is below `BLOCK_CAP`, as in `slot`.
        let state = unsafe { Block::slot(block, offset) }
            .state
            .load(Ordering::Acquire);
        // SAFETY: forwarded from the caller.
        state & (WRITE | HOLE) == WRITE || unsafe { self.claimed_slow(block, offset) }
    }

    /// `claimed`, when the message was not there at first sight.
    ///
    /// # Safety
    /// As for `claimed`.
    #[inline(never)]
    unsafe fn claimed_slow(&self, block: *mut Block<T>, offset: usize) -> bool {
        // SAFETY: our claim keeps `block` alive until the slot is released.
        match unsafe { Block::settle(block, offset) } {
            Found::Message => return true,
            Found::Hole => {
                // SAFETY: as above. We are its reader, done with it.
                unsafe { Block::slot(block, offset) }.release();
            }
            // Its sender releases the slot when it completes (or never: the block
            // then waits until the list is dropped).
            Found::Revoked => {}
        }
        if offset + 1 == block_cap::<T>() {
            // A block's last slot, with no read to run the reclaim (see `read`): run
            // it here, or a list whose last slots are all holes would keep every
            // block it passed.
            self.reclaim();
        }
        // SeqCst, like every `phantoms` access: `len` is a snapshot of both counters.
        self.phantoms.fetch_sub(1, Ordering::SeqCst);
        false
    }

    /// The full `reserve_recv`: reports empty and disconnected, waits out a block
    /// hand-over, skips holes and held sends.
    #[inline(never)]
    fn reserve_recv_slow(&self, r: &mut Reservation) -> bool {
        r.flags = 0;
        let backoff = Backoff::new();
        // Acquire: pairs with the Release stores of the receiver that moved head into
        // its current block.
        let mut head = self.head.index.load(Ordering::Acquire);
        let mut block = self.head.block.load(Ordering::Acquire);
        loop {
            let offset = (head >> SHIFT) % lap::<T>();
            if offset == block_cap::<T>() {
                // Another receiver is moving head to the next block.
                backoff.snooze();
                head = self.head.index.load(Ordering::Acquire);
                block = self.head.block.load(Ordering::Acquire);
                continue;
            }
            let mut new_head = head + (1 << SHIFT);
            if new_head & MARK_BIT == 0 {
                // Not known to have a successor block: check for emptiness. A stale
                // tail can only make the queue look emptier (tail only grows), never
                // hand out an unreserved slot, so a plain Acquire read (pairing with
                // the senders' CAS) decides "not empty"; only "looks empty" pays for
                // the fence that makes it exact (pairs with the senders' SeqCst CAS).
                let mut tail = self.tail.index.load(Ordering::Acquire);
                if head >> SHIFT == tail >> SHIFT {
                    atomic::fence(Ordering::SeqCst);
                    tail = load_after_fence(&self.tail.index);
                }
                if head >> SHIFT == tail >> SHIFT {
                    if tail & MARK_BIT != 0 {
                        r.slot = ptr::null();
                        return true;
                    }
                    return false;
                }
                if (head >> SHIFT) / lap::<T>() != (tail >> SHIFT) / lap::<T>() {
                    new_head |= MARK_BIT;
                }
            }
            // On failure, Acquire as for the first load of head.
            match self.head.index.compare_exchange(
                head,
                new_head,
                Ordering::SeqCst,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if offset + 1 == block_cap::<T>() {
                        // We took the last slot: move head to the next block.
                        // SAFETY: `block` is alive: our slot in it is unreleased.
                        let next = unsafe { (*block).wait_next() };
                        let mut next_index = (new_head & !MARK_BIT).wrapping_add(1 << SHIFT);
                        // SAFETY: `next` is alive: none of its slots can be released
                        // before head moves into it, which only we do now.
                        if !unsafe { (*next).next.load(Ordering::Relaxed) }.is_null() {
                            next_index |= MARK_BIT;
                        }
                        // Release: publishes the block pointer with the index.
                        self.head.block.store(next, Ordering::Release);
                        self.head.index.store(next_index, Ordering::Release);
                        // SAFETY: alive (our slot in it), and only we move head out of
                        // it; nobody follows its `next` any more (we just did).
                        unsafe { self.pass(block) };
                    }
                    // SAFETY: we just moved head past slot `offset` of `block`.
                    if unsafe { self.claimed(block, offset) } {
                        r.slot = block as *const u8;
                        r.aux = offset;
                        return true;
                    }
                    head = self.head.index.load(Ordering::Acquire);
                    block = self.head.block.load(Ordering::Acquire);
                }
                Err(h) => {
                    head = h;
                    block = self.head.block.load(Ordering::Acquire);
                    backoff.spin();
                }
            }
        }
    }
}

impl<T> Queue<T> for ListQueue<T> {
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
        // Inside a block (not its last slot, which installs the next one), not
        // disconnected, and the CAS wins. The rest is the full loop.
        // Acquire: pairs with the Release stores that install blocks.
        let tail = self.tail.index.load(Ordering::Acquire);
        let block = self.tail.block.load(Ordering::Acquire);
        // One test for both: the offset bits and the flag, rotated so that the flag
        // (disconnected) becomes the top bit. Flag clear: the value is the offset;
        // set: too big for any slot.
        const _: () = assert!(SHIFT == 1 && MARK_BIT == 1);
        const { assert!(lap::<T>().is_power_of_two()) };
        let offset = (tail & ((lap::<T>() - 1) << SHIFT | MARK_BIT)).rotate_right(1);
        if offset >= block_cap::<T>() - 1 {
            return None;
        }
        debug_assert!(!block.is_null(), "a list's blocks are never null");
        // SAFETY: `tail.block` is a block from `new` on, and only ever replaced by
        // another (`fresh_block`): never null. Said so that `write` need not test
        // the claim for a disconnection's null slot.
        unsafe { core::hint::assert_unchecked(!block.is_null()) };
        self.tail
            .index
            .compare_exchange(
                tail,
                tail + (1 << SHIFT),
                Ordering::SeqCst,
                Ordering::Relaxed,
            )
            .ok()?;
        Some(Reservation {
            slot: block as *const u8,
            aux: offset,
            flags: 0,
        })
    }

    unsafe fn hold_send(&self, r: &mut Reservation) {
        if r.slot.is_null() {
            return;
        }
        // Counted before the slot shows it: whoever ends the phantom subtracts it.
        self.phantoms.fetch_add(1, Ordering::SeqCst);
        // SAFETY: the caller guarantees an uncompleted send claim of this queue.
        // Relaxed: `HELD` publishes nothing; `WRITE` and `REVOKED` decide.
        unsafe { self.slot(r) }
            .state
            .fetch_or(HELD, Ordering::Relaxed);
        r.flags |= queue::HELD;
    }

    #[inline]
    unsafe fn write(&self, r: &mut Reservation, msg: T) -> Result<(), T> {
        if r.slot.is_null() {
            return Err(msg);
        }
        // SAFETY: the caller guarantees `r` came from `reserve_send` on this queue: the
        // block is alive (its slot `aux` is unreleased) and the slot is ours to write.
        let slot = unsafe { self.slot(r) };
        // The pointer leaves the closure, as in the ring's `write`.
        let cell = slot.msg.with_mut(|p| p);
        // SAFETY: as above: nobody reads the slot before `WRITE` is set.
        unsafe { cell.cast::<T>().write(msg) };
        if !r.held() {
            // Nobody else writes the state of a slot whose send is not held (only a
            // held one can be revoked): it is 0 until this store. Release: publishes
            // the message to the reader's Acquire in `claimed` or `settle`.
            slot.state.store(WRITE, Ordering::Release);
            return Ok(());
        }
        // Release: as above. Acquire: if a reader revoked the slot first, its
        // accesses to the slot happen before ours, and so before our release of it
        // below (pairs with its AcqRel `fetch_or(REVOKED)`).
        let state = slot.state.fetch_or(WRITE, Ordering::AcqRel);
        if state & REVOKED != 0 {
            // Only a held send can be revoked. Its reader left (and counted the
            // phantom off): take the message back and release the slot; the caller
            // sends it afresh.
            // SAFETY: we wrote it just now and nobody reads a revoked slot.
            let msg = slot.msg.with(|p| unsafe { (*p).assume_init_read() });
            // A revoked slot's sender releases it, as its reader would.
            slot.release();
            r.flags |= queue::REVOKED;
            return Err(msg);
        }
        // SeqCst: a receiver that found only this held send parked after a SeqCst
        // re-check of `phantoms` (`can_recv`); our notify reads its registration.
        self.phantoms.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }

    unsafe fn abandon(&self, r: &mut Reservation) {
        r.flags &= !queue::FREED;
        if r.slot.is_null() {
            return;
        }
        // SAFETY: as in `write`: the block is alive and the slot is ours.
        let slot = unsafe { self.slot(r) };
        if !r.held() {
            // Counted before it is published: its skipper subtracts it.
            self.phantoms.fetch_add(1, Ordering::SeqCst);
        }
        // Release: pairs with the reader's Acquire in `settle`. Acquire: as in `write`,
        // for the release of a revoked slot below.
        if slot.state.fetch_or(WRITE | HOLE, Ordering::AcqRel) & REVOKED != 0 {
            // Its reader left; as the sender we release the slot.
            slot.release();
        }
    }

    #[inline]
    fn reserve_recv(&self, r: &mut Reservation) -> bool {
        let Some(mut claim) = self.reserve_recv_fast() else {
            return self.reserve_recv_slow(r);
        };
        // SAFETY: an unsettled claim of `reserve_recv_fast`, settled once.
        if claim.unsettled() && !unsafe { self.settle_recv(&mut claim) } {
            return self.reserve_recv_slow(r);
        }
        *r = claim;
        true
    }

    #[inline(always)]
    fn reserve_recv_fast(&self) -> Option<Reservation> {
        // Inside a block (not its last slot, which moves head to the next block), a
        // message known to be there, and the CAS wins. A hole met on the way is
        // released (unbounded: no sender waits for the room).
        // Acquire: as in `reserve_recv_slow`.
        let head = self.head.index.load(Ordering::Acquire);
        let block = self.head.block.load(Ordering::Acquire);
        let offset = (head >> SHIFT) % lap::<T>();
        if offset + 1 >= block_cap::<T>() {
            return None;
        }
        let mut new_head = head + (1 << SHIFT);
        if new_head & MARK_BIT == 0 {
            // Acquire: pairs with the senders' CAS; a stale tail only looks emptier.
            let tail = self.tail.index.load(Ordering::Acquire);
            if (head >> SHIFT) / lap::<T>() != (tail >> SHIFT) / lap::<T>() {
                new_head |= MARK_BIT;
            }
            if head >> SHIFT == tail >> SHIFT {
                return None;
            }
        }
        self.head
            .index
            .compare_exchange(head, new_head, Ordering::SeqCst, Ordering::Relaxed)
            .ok()?;
        // SAFETY: we just moved head past slot `offset` of `block`, which keeps the
        // block alive; a claimed offset is below `BLOCK_CAP`, as in `slot`. Acquire:
        // pairs with the writer's Release setting `WRITE`.
        let state = unsafe { Block::slot(block, offset) }
            .state
            .load(Ordering::Acquire);
        Some(Reservation {
            slot: block as *const u8,
            aux: offset,
            flags: if state & (WRITE | HOLE) == WRITE {
                0
            } else {
                queue::UNSETTLED
            },
        })
    }

    #[inline(never)]
    unsafe fn settle_recv(&self, r: &mut Reservation) -> bool {
        r.flags &= !queue::UNSETTLED;
        // SAFETY: forwarded from the caller: `head` was moved past this slot by the
        // claim, and nothing else was done with it.
        unsafe { self.claimed_slow(r.slot as *mut Block<T>, r.aux) }
    }

    unsafe fn hold_recv(&self, r: &mut Reservation) {
        // Senders never wait for receivers here: nothing to mark.
        if !r.slot.is_null() {
            r.flags |= queue::HELD;
        }
    }

    #[inline]
    unsafe fn read(&self, r: &mut Reservation) -> Result<T, ()> {
        if r.slot.is_null() {
            return Err(());
        }
        // SAFETY: the caller guarantees `r` came from `reserve_recv` on this queue: the
        // block is alive until this slot is released.
        let slot = unsafe { self.slot(r) };
        // SAFETY: `reserve_recv` saw the message written (its Acquire load in
        // `claimed` or `settle`), and the claim is ours to read once.
        let msg = slot.msg.with(|p| unsafe { (*p).assume_init_read() });
        // We own the slot as its reader and are done with it.
        slot.release();
        if r.aux + 1 == block_cap::<T>() {
            // A block's last slot: we moved head out of the block (only the slow path
            // claims a last slot, and moves head as it does); reclaim what is passed.
            return Ok(sync::call_passing(msg, || self.reclaim()));
        }
        Ok(msg)
    }

    #[inline(always)]
    fn bounded(&self) -> bool {
        false
    }

    fn can_send(&self) -> bool {
        true
    }

    fn can_recv(&self) -> bool {
        self.is_disconnected() || self.len() > 0
    }

    fn version(&self) -> Version {
        // Plain SeqCst loads: every change that can make a receive ready is a SeqCst
        // write (the CAS on tail, a held send's completion).
        [
            self.head.index.load(Ordering::SeqCst),
            self.tail.index.load(Ordering::SeqCst),
            self.phantoms.load(Ordering::SeqCst),
            0,
        ]
    }

    fn len(&self) -> usize {
        loop {
            let mut tail = self.tail.index.load(Ordering::SeqCst);
            let mut head = self.head.index.load(Ordering::SeqCst);
            if self.tail.index.load(Ordering::SeqCst) != tail {
                continue;
            }
            tail &= !((1 << SHIFT) - 1);
            head &= !((1 << SHIFT) - 1);
            // A counter parked on the "moving" value counts as the next block's start.
            if (tail >> SHIFT) & (lap::<T>() - 1) == lap::<T>() - 1 {
                tail = tail.wrapping_add(1 << SHIFT);
            }
            if (head >> SHIFT) & (lap::<T>() - 1) == lap::<T>() - 1 {
                head = head.wrapping_add(1 << SHIFT);
            }
            // Rebase both on head's block so the division below counts blocks.
            let laps = (head >> SHIFT) / lap::<T>();
            tail = tail.wrapping_sub((laps * lap::<T>()) << SHIFT) >> SHIFT;
            head = head.wrapping_sub((laps * lap::<T>()) << SHIFT) >> SHIFT;
            // Each block boundary passed holds one "moving" value that is no message.
            let claimed = tail - head - tail / lap::<T>();
            return claimed.saturating_sub(self.phantoms.load(Ordering::SeqCst));
        }
    }

    fn is_full(&self) -> bool {
        false
    }

    fn capacity(&self) -> Option<usize> {
        None
    }

    fn disconnect(&self) -> bool {
        let tail = self.tail.index.fetch_or(MARK_BIT, Ordering::SeqCst);
        tail & MARK_BIT == 0
    }

    fn is_disconnected(&self) -> bool {
        self.tail.index.load(Ordering::SeqCst) & MARK_BIT != 0
    }
}

impl<T> Drop for ListQueue<T> {
    fn drop(&mut self) {
        // `&mut self`: no other thread can touch the queue, Relaxed loads suffice.
        let mut head = self.head.index.load(Ordering::Relaxed) & !MARK_BIT;
        let tail = self.tail.index.load(Ordering::Relaxed) & !MARK_BIT;
        let mut block = self.head.block.load(Ordering::Relaxed);
        while head != tail {
            let offset = (head >> SHIFT) % lap::<T>();
            if offset < block_cap::<T>() {
                // SAFETY: `block` is alive while we walk it (freed below, at its end).
                let slot = unsafe { Block::slot(block, offset) };
                // Only a written slot that is no hole holds a message: a claim never
                // completed (a forgotten send) holds none.
                if slot.state.load(Ordering::Relaxed) & (WRITE | HOLE) == WRITE {
                    // SAFETY: the state proves the message was written, and it lies
                    // between head and tail, so it was not read. Dropped once here; if
                    // a drop panics, the rest leak, nothing is dropped twice.
                    slot.msg.with_mut(|p| unsafe { (*p).assume_init_drop() });
                }
            } else {
                // SAFETY: all of this block's messages were dropped above.
                let next = unsafe { (*block).next.load(Ordering::Relaxed) };
                // SAFETY: nothing else uses the block: we have `&mut self`.
                unsafe { Block::free(block) };
                block = next;
            }
            head = head.wrapping_add(1 << SHIFT);
        }
        if !block.is_null() {
            // SAFETY: the last block; its remaining messages were dropped above.
            unsafe { Block::free(block) };
        }
        // The spares, and the passed blocks not recycled yet, each chain linked
        // through `next`. A passed block's messages were all claimed by receivers: one
        // still unreleased was claimed and never read, and leaks, as an open receive
        // claim's message does in every queue.
        for list in [&self.spares, &self.passed, &self.waiting] {
            let mut block = list.load(Ordering::Relaxed);
            while !block.is_null() {
                // SAFETY: a spare, or a passed block not recycled: alive, and nobody
                // else uses it (`&mut self`).
                let next = unsafe { (*block).next.load(Ordering::Relaxed) };
                // SAFETY: as above; it holds no message to drop.
                unsafe { Block::free(block) };
                block = next;
            }
        }
    }
}

impl<T> core::fmt::Debug for ListQueue<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ListQueue")
            .field("len", &self.len())
            .finish()
    }
}
