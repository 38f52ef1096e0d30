//! A counting global allocator and the memory figure it yields: bytes a channel
//! holds per message in flight.
//!
//! The allocator is the tests' (`channel-select/tests/support/counting.rs`). Counting
//! is off except inside [`memory`], so the timed runs pay one relaxed load of a flag
//! that never changes while they run.

use super::library::Library;
use super::{Channel, Flavor};

#[path = "../../channel-select/tests/support/counting.rs"]
mod counting;

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

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
    let (_, (empty, full, drained)) = counting::live_bytes_in(|live| {
        let (tx, rx) = L::new(flavor);
        let empty = live();
        for msg in 0..n {
            L::send(&tx, msg);
        }
        let full = live();
        for _ in 0..n {
            L::recv(&rx).expect("the sender is alive");
        }
        let drained = live();
        drop((tx, rx));
        (empty, full, drained)
    });
    Memory {
        empty,
        per_message: full as f64 / n as f64,
        drained,
    }
}

/// The figures the memory tables show for `library`: an unbounded channel with 10,000
/// messages in flight, and a `bounded(1000)` one full.
pub fn figures(library: &Library) -> (Memory, Memory) {
    (
        library.memory(Flavor::Unbounded, 10_000),
        library.memory(Flavor::Thousand, 1000),
    )
}
