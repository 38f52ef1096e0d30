//! A counting global allocator and the memory figure it yields: bytes a channel
//! holds per message in flight.
//!
//! Counting is off except inside [`memory`], so the timed runs pay one relaxed load
//! of a flag that never changes while they run.

use super::{Channel, Flavor};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};
use std::sync::Mutex;

/// The system allocator, counting live bytes while [`COUNTING`] is set.
pub struct Counting;

/// Whether allocations are being counted.
static COUNTING: AtomicBool = AtomicBool::new(false);
/// Bytes allocated minus bytes freed while counting.
static LIVE: AtomicIsize = AtomicIsize::new(0);
/// Serializes [`memory`] calls: the counter is global.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Adds `delta` to the live bytes if counting.
fn count(delta: isize) {
    if COUNTING.load(Relaxed) {
        LIVE.fetch_add(delta, Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are ours; the counting around it touches only atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `alloc_zeroed`'s contract.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; `ptr` came from this allocator, i.e. `System`.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged; `ptr` came from this allocator, i.e. `System`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// What a channel holds, in bytes, measured single-threaded.
#[derive(Clone, Copy, Debug)]
pub struct Memory {
    /// Held by a new, empty channel.
    pub empty: isize,
    /// Held with the messages in flight, divided by their number.
    pub per_message: f64,
    /// Still held after those messages were all received.
    pub drained: isize,
}

/// Measures library `L`'s channel of `flavor` with `n` messages in flight (for a
/// bounded flavor, `n` must not exceed its capacity).
pub fn memory<L: Channel>(flavor: Flavor, n: u64) -> Memory {
    assert!(
        flavor.capacity().is_none_or(|cap| n <= cap as u64),
        "{n} messages do not fit"
    );
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    LIVE.store(0, Relaxed);
    COUNTING.store(true, Relaxed);
    let (tx, rx) = L::new(flavor);
    let empty = LIVE.load(Relaxed);
    for msg in 0..n {
        L::send(&tx, msg);
    }
    let full = LIVE.load(Relaxed);
    for _ in 0..n {
        L::recv(&rx).expect("the sender is alive");
    }
    let drained = LIVE.load(Relaxed);
    drop((tx, rx));
    COUNTING.store(false, Relaxed);
    Memory {
        empty,
        per_message: full as f64 / n as f64,
        drained,
    }
}
