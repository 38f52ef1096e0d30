//! The one counting global allocator of the workspace's allocation tests and benches
//! (each includes this file with `#[path]` and installs it with `#[global_allocator]`).
//!
//! It forwards to the system allocator and counts two things, each only while asked:
//! - allocations made by the current thread ([`allocations_in`]): what a call costs,
//!   undisturbed by other threads;
//! - bytes allocated minus bytes freed by all threads ([`live_bytes_in`]): what a
//!   structure holds.
//!
//! While neither is asked for, an allocation pays one relaxed load of a flag.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};
use std::sync::Mutex;

/// The system allocator, counting.
pub struct Counting;

/// Whether some thread counts its allocations, or live bytes are counted.
static ANY: AtomicBool = AtomicBool::new(false);
/// Whether live bytes are counted.
static LIVE_ON: AtomicBool = AtomicBool::new(false);
/// Bytes allocated minus bytes freed while `LIVE_ON`.
static LIVE: AtomicIsize = AtomicIsize::new(0);
/// Serializes [`live_bytes_in`] and the switching of `ANY`.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
/// Threads counting their allocations now.
static COUNTING_THREADS: Mutex<usize> = Mutex::new(0);

thread_local! {
    /// Whether this thread counts its allocations now.
    static THREAD_ON: Cell<bool> = const { Cell::new(false) };
    /// This thread's allocations while `THREAD_ON`.
    static THREAD_ALLOCS: Cell<usize> = const { Cell::new(0) };
}

/// Records one allocation of `delta` bytes (negative: freed).
#[inline]
fn count(delta: isize, is_allocation: bool) {
    if !ANY.load(Relaxed) {
        return;
    }
    if LIVE_ON.load(Relaxed) {
        LIVE.fetch_add(delta, Relaxed);
    }
    // `try_with`: a thread being torn down no longer has its counters.
    if is_allocation && THREAD_ON.try_with(Cell::get).unwrap_or(false) {
        let _ = THREAD_ALLOCS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; counting touches only atomics and const-initialized
// thread-local `Cell`s, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize, true);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `alloc_zeroed`'s contract.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize, true);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; `ptr` came from this allocator, i.e. `System`.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize), false);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged; `ptr` came from this allocator, i.e. `System`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize, true);
        }
        p
    }
}

/// Runs `f` and returns how many allocations the current thread made meanwhile.
pub fn allocations_in<R>(f: impl FnOnce() -> R) -> (usize, R) {
    {
        let mut n = COUNTING_THREADS.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        ANY.store(true, Relaxed);
    }
    let before = THREAD_ALLOCS.with(Cell::get);
    THREAD_ON.with(|c| c.set(true));
    let r = f();
    THREAD_ON.with(|c| c.set(false));
    let made = THREAD_ALLOCS.with(Cell::get) - before;
    {
        let mut n = COUNTING_THREADS.lock().unwrap_or_else(|e| e.into_inner());
        *n -= 1;
        if *n == 0 && !LIVE_ON.load(Relaxed) {
            ANY.store(false, Relaxed);
        }
    }
    (made, r)
}

/// Runs `f` and returns the bytes allocated minus the bytes freed by all threads
/// meanwhile, with the counter passed to `f` so it can read intermediate values.
/// Calls are serialized: the counter is global.
pub fn live_bytes_in<R>(f: impl FnOnce(&dyn Fn() -> isize) -> R) -> (isize, R) {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    LIVE.store(0, Relaxed);
    LIVE_ON.store(true, Relaxed);
    ANY.store(true, Relaxed);
    let r = f(&|| LIVE.load(Relaxed));
    let live = LIVE.load(Relaxed);
    LIVE_ON.store(false, Relaxed);
    if *COUNTING_THREADS.lock().unwrap_or_else(|e| e.into_inner()) == 0 {
        ANY.store(false, Relaxed);
    }
    (live, r)
}
