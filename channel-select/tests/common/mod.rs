//! Helpers shared by the behaviour tests: the list of channel flavors, a
//! drop-counting message type, timing and panic-message helpers.
#![allow(dead_code)]

pub mod executor;

use std::any::Any;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use channel_select::{bounded, unbounded, Receiver, Sender};

/// One way of making a channel.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flavor {
    /// `bounded(0)`: rendezvous.
    Zero,
    /// `bounded(1)`.
    One,
    /// `bounded(n)` with `n > 1`.
    Bounded(usize),
    /// `unbounded()`.
    Unbounded,
}

/// Every flavor, with a small multi-slot capacity.
pub const FLAVORS: [Flavor; 4] = [
    Flavor::Zero,
    Flavor::One,
    Flavor::Bounded(16),
    Flavor::Unbounded,
];

/// The flavors that can buffer at least one message.
pub const BUFFERED: [Flavor; 3] = [Flavor::One, Flavor::Bounded(16), Flavor::Unbounded];

impl Flavor {
    /// Makes a channel of this flavor.
    pub fn make<T>(self) -> (Sender<T>, Receiver<T>) {
        match self {
            Flavor::Zero => bounded(0),
            Flavor::One => bounded(1),
            Flavor::Bounded(n) => bounded(n),
            Flavor::Unbounded => unbounded(),
        }
    }

    /// The capacity the channel reports.
    pub fn capacity(self) -> Option<usize> {
        match self {
            Flavor::Zero => Some(0),
            Flavor::One => Some(1),
            Flavor::Bounded(n) => Some(n),
            Flavor::Unbounded => None,
        }
    }

    /// How many messages the channel holds before a send blocks (`usize::MAX` if never).
    pub fn buffer(self) -> usize {
        self.capacity().unwrap_or(usize::MAX)
    }
}

/// Multiplier for stress sizes: 1 normally, the value of `JUNCTION_STRESS` (or 10
/// if it is set but not a number) when that variable is set.
pub fn stress() -> usize {
    match std::env::var("JUNCTION_STRESS") {
        Ok(v) => v.parse().unwrap_or(10).max(1),
        Err(_) => 1,
    }
}

/// An iteration count: `n` scaled by [`stress`], or a small fraction of `n` (at least
/// 2) under Miri, which runs a thousand times slower. Only counts are reduced there,
/// never what is asserted about them.
pub fn iters(n: usize) -> usize {
    if cfg!(miri) {
        (n / 1000).max(2)
    } else {
        n * stress()
    }
}

/// Runs `f` and returns its result with the time it took.
pub fn timed<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let start = Instant::now();
    let r = f();
    (r, start.elapsed())
}

/// Asserts that `elapsed` is at least `d` and less than `d + 2 s`.
#[track_caller]
pub fn assert_about(elapsed: Duration, d: Duration) {
    assert!(elapsed >= d, "took {elapsed:?}, expected at least {d:?}");
    assert!(
        elapsed < d + Duration::from_secs(2),
        "took {elapsed:?}, expected about {d:?}"
    );
}

/// Asserts that `elapsed` is short (well under 2 s): the call did not wait for a timeout.
#[track_caller]
pub fn assert_prompt(elapsed: Duration) {
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("<non-string panic payload>")
    }
}

/// Runs `f`, expects it to panic, and returns the panic message.
#[track_caller]
pub fn expect_panic<R>(f: impl FnOnce() -> R) -> String {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => panic_message(&*payload),
    }
}

/// Counts the drops of every message of one test, by message id.
pub struct DropLedger {
    counts: Vec<AtomicUsize>,
    panicked: AtomicBool,
}

impl DropLedger {
    /// A ledger for messages with ids `0..n`.
    pub fn new(n: usize) -> Arc<Self> {
        Arc::new(DropLedger {
            counts: (0..n).map(|_| AtomicUsize::new(0)).collect(),
            panicked: AtomicBool::new(false),
        })
    }

    /// A message with id `id` recorded in this ledger.
    pub fn msg(self: &Arc<Self>, id: usize) -> Tracked {
        Tracked {
            id,
            ledger: Arc::clone(self),
            panic_on_drop: false,
        }
    }

    /// A message whose drop panics (once per ledger).
    pub fn panicking_msg(self: &Arc<Self>, id: usize) -> Tracked {
        Tracked {
            id,
            ledger: Arc::clone(self),
            panic_on_drop: true,
        }
    }

    /// How many times message `id` has been dropped.
    pub fn drops(&self, id: usize) -> usize {
        self.counts[id].load(Ordering::SeqCst)
    }

    /// Total drops over all ids.
    pub fn total(&self) -> usize {
        self.counts.iter().map(|c| c.load(Ordering::SeqCst)).sum()
    }

    /// Asserts that every message was dropped exactly once.
    #[track_caller]
    pub fn assert_all_once(&self) {
        for (id, c) in self.counts.iter().enumerate() {
            assert_eq!(
                c.load(Ordering::SeqCst),
                1,
                "message {id} dropped wrong number of times"
            );
        }
    }

    /// Asserts that no message was dropped more than once.
    #[track_caller]
    pub fn assert_none_twice(&self) {
        for (id, c) in self.counts.iter().enumerate() {
            assert!(c.load(Ordering::SeqCst) <= 1, "message {id} dropped twice");
        }
    }
}

/// A message that records its drop in a [`DropLedger`].
pub struct Tracked {
    /// The message id.
    pub id: usize,
    ledger: Arc<DropLedger>,
    panic_on_drop: bool,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let before = self.ledger.counts[self.id].fetch_add(1, Ordering::SeqCst);
        assert_eq!(before, 0, "message {} dropped twice", self.id);
        if self.panic_on_drop && !self.ledger.panicked.swap(true, Ordering::SeqCst) {
            panic!("drop of message {} panics on purpose", self.id);
        }
    }
}

/// A type that is deliberately not `Debug`.
pub struct NoDebug(pub u32);

/// A bitmap that checks every value in `0..n` arrives exactly once.
pub struct Seen {
    bits: Vec<AtomicBool>,
    count: AtomicUsize,
}

impl Seen {
    /// A bitmap for values `0..n`.
    pub fn new(n: usize) -> Arc<Self> {
        Arc::new(Seen {
            bits: (0..n).map(|_| AtomicBool::new(false)).collect(),
            count: AtomicUsize::new(0),
        })
    }

    /// Marks `v` as received; panics if it was received before.
    #[track_caller]
    pub fn mark(&self, v: usize) {
        assert!(
            !self.bits[v].swap(true, Ordering::SeqCst),
            "value {v} received twice"
        );
        self.count.fetch_add(1, Ordering::SeqCst);
    }

    /// Asserts that every value was received.
    #[track_caller]
    pub fn assert_complete(&self) {
        let missing: Vec<usize> = self
            .bits
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.load(Ordering::SeqCst))
            .map(|(i, _)| i)
            .take(10)
            .collect();
        assert!(
            missing.is_empty(),
            "values never received (first few): {missing:?}"
        );
        assert_eq!(self.count.load(Ordering::SeqCst), self.bits.len());
    }
}

impl fmt::Debug for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Seen({}/{})",
            self.count.load(Ordering::SeqCst),
            self.bits.len()
        )
    }
}

/// Sleeps long enough for a spawned thread to reach its blocking call.
pub fn settle() {
    std::thread::sleep(Duration::from_millis(100));
}
