//! Each library's identity in one place: its name, its colour in the chart, what it
//! can run (its blocking API, its async API or both), and its measurements reached
//! without naming its type.
//!
//! Tables, charts and criterion groups list [`ALL`] (and [`CONTROL`]); a library is a
//! column because it is in that list, not because a string elsewhere names it.

use super::alloc::{self, Memory};
use super::async_libs::{AsyncChannelCrate, Tokio};
use super::async_workloads;
use super::cpu::{self, Waiting};
use super::libs::{Crossbeam, Crossfire, Flume, Junction, Kanal, Std};
use super::mutex_queue::MutexCondvar;
use super::workloads;
use super::{
    supports_async, supports_workload, AsyncCase, AsyncChannel, Channel, Flavor, Outcome, Workload,
};
use std::time::Duration;

/// A colour of the chart, as red, green and blue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// A library under comparison: its [`Channel`] impl, its [`AsyncChannel`] impl or both,
/// their generic code made callable through function pointers so that lists of
/// libraries are plain values.
///
/// Two libraries are equal when their names are: names are unique in [`ALL`] and
/// [`CONTROL`].
#[derive(Clone, Copy)]
pub struct Library {
    /// The name in tables, bench ids and filters (the impl's `NAME`, or the control's
    /// own).
    pub name: &'static str,
    /// Its dots in the chart.
    pub colour: Rgb,
    /// Its blocking API: the blocking cells, the memory and idle CPU figures, the
    /// instruction counts. `None` for a library measured in the async cells only.
    blocking: Option<Blocking>,
    /// Its async API: the async cells. `None` for a library without one.
    asynchronous: Option<Async>,
}

/// A [`Channel`] impl's generic code.
#[derive(Clone, Copy)]
struct Blocking {
    /// Whether it can run a workload (see [`supports_workload`]).
    supports: fn(Workload) -> bool,
    /// Whether it can wait that way (selection needs [`Channel::SELECT`]).
    can_wait: fn(Waiting) -> bool,
    /// One run of a workload (see [`workloads::run`]).
    run: fn(Workload, u64) -> Outcome,
    /// Its memory figure (see [`alloc::memory`]).
    memory: fn(Flavor, u64) -> Memory,
    /// Its idle-receiver probe (see [`cpu::idle_receiver_cpu`]).
    idle_cpu: fn(Waiting, Duration) -> Option<Duration>,
    /// The loop whose instructions are counted (see [`workloads::count_seq`]).
    count_seq: fn(Flavor, u64) -> u64,
}

impl Blocking {
    /// Library `L`'s.
    const fn of<L: Channel>() -> Blocking {
        Blocking {
            supports: supports_workload::<L>,
            can_wait: can_wait::<L>,
            run: workloads::run::<L>,
            memory: alloc::memory::<L>,
            idle_cpu: cpu::idle_receiver_cpu::<L>,
            count_seq: workloads::count_seq::<L>,
        }
    }
}

/// An [`AsyncChannel`] impl's generic code.
#[derive(Clone, Copy)]
struct Async {
    /// Whether it can run an async case on a flavor (see [`supports_async`]).
    supports: fn(AsyncCase, Flavor) -> bool,
    /// One run of an async case (see [`async_workloads::run`]).
    run: fn(AsyncCase, Flavor, u64) -> Outcome,
    /// The async loop whose instructions are counted (see
    /// [`async_workloads::count_seq`]).
    count_seq: fn(Flavor, u64) -> u64,
    /// The async hand-off whose instructions are counted (see
    /// [`async_workloads::count_handoff`]).
    count_handoff: fn(Flavor, u64) -> u64,
    /// Whether it has a rendezvous channel ([`AsyncChannel::RENDEZVOUS`]).
    rendezvous: bool,
}

impl Async {
    /// Library `L`'s.
    const fn of<L: AsyncChannel>() -> Async {
        Async {
            supports: supports_async::<L>,
            run: async_workloads::run::<L>,
            count_seq: async_workloads::count_seq::<L>,
            count_handoff: async_workloads::count_handoff::<L>,
            rendezvous: L::RENDEZVOUS,
        }
    }
}

impl Library {
    /// Library `L`, which has a blocking API only, drawn in `colour`.
    const fn blocking<L: Channel>(colour: Rgb) -> Library {
        Library {
            name: L::NAME,
            colour,
            blocking: Some(Blocking::of::<L>()),
            asynchronous: None,
        }
    }

    /// Library `L`, which has a blocking and an async API, drawn in `colour`.
    const fn both<L: Channel + AsyncChannel>(colour: Rgb) -> Library {
        Library {
            name: <L as Channel>::NAME,
            colour,
            blocking: Some(Blocking::of::<L>()),
            asynchronous: Some(Async::of::<L>()),
        }
    }

    /// Library `L`, measured in the async cells only, drawn in `colour`.
    const fn asynchronous<L: AsyncChannel>(colour: Rgb) -> Library {
        Library {
            name: L::NAME,
            colour,
            blocking: None,
            asynchronous: Some(Async::of::<L>()),
        }
    }

    /// Whether it can run `workload`.
    pub fn supports(&self, workload: Workload) -> bool {
        match workload {
            Workload::Async(case, flavor) => self
                .asynchronous
                .is_some_and(|api| (api.supports)(case, flavor)),
            _ => self.blocking.is_some_and(|api| (api.supports)(workload)),
        }
    }

    /// One run of `workload`, `units` units of work (see [`Workload::units`]).
    ///
    /// Panics if it does not [`support`](Library::supports) the workload.
    pub fn run(&self, workload: Workload, units: u64) -> Outcome {
        match (workload, self.asynchronous) {
            (Workload::Async(case, flavor), Some(api)) => (api.run)(case, flavor, units),
            (Workload::Async(..), None) => panic!("{} has no async API", self.name),
            _ => (self.blocking_api().run)(workload, units),
        }
    }

    /// Whether the blocking cells, memory and idle CPU figures and instruction counts
    /// measure it.
    pub fn has_blocking_api(&self) -> bool {
        self.blocking.is_some()
    }

    /// Its blocking API; panics for a library measured in the async cells only.
    fn blocking_api(&self) -> Blocking {
        self.blocking
            .unwrap_or_else(|| panic!("{} is measured in the async cells only", self.name))
    }

    /// Bytes held by its channel of `flavor` with `n` messages in flight.
    pub fn memory(&self, flavor: Flavor, n: u64) -> Memory {
        (self.blocking_api().memory)(flavor, n)
    }

    /// Whether it can wait `waiting`.
    pub fn can_wait(&self, waiting: Waiting) -> bool {
        (self.blocking_api().can_wait)(waiting)
    }

    /// The CPU time of its receiver waiting `waiting` for `idle` (see
    /// [`cpu::idle_receiver_cpu`]).
    pub fn idle_cpu(&self, waiting: Waiting, idle: Duration) -> Option<Duration> {
        (self.blocking_api().idle_cpu)(waiting, idle)
    }

    /// `n` messages sent and received by one thread on `flavor`, in the loop that
    /// callgrind counts (see [`workloads::count_seq`]); their sum.
    pub fn count_seq(&self, flavor: Flavor, n: u64) -> u64 {
        (self.blocking_api().count_seq)(flavor, n)
    }

    /// As `count_seq`, with its async API: futures polled once (see
    /// [`async_workloads::count_seq`]). Panics for a library without one.
    pub fn count_async_seq(&self, flavor: Flavor, n: u64) -> u64 {
        let api = self
            .asynchronous
            .unwrap_or_else(|| panic!("{} has no async API", self.name));
        (api.count_seq)(flavor, n)
    }

    /// Whether its async API has a rendezvous channel (`bounded(0)`).
    pub fn has_async_rendezvous(&self) -> bool {
        self.asynchronous.is_some_and(|api| api.rendezvous)
    }

    /// Its async API's hand-off of `n` messages on `flavor` between two tasks of one
    /// thread (see [`async_workloads::count_handoff`]); `None` where it has no such
    /// channel (`bounded(0)` without a rendezvous). Panics for a library without an
    /// async API.
    pub fn count_async_handoff(&self, flavor: Flavor, n: u64) -> Option<u64> {
        let api = self
            .asynchronous
            .unwrap_or_else(|| panic!("{} has no async API", self.name));
        (flavor != Flavor::Rendezvous || api.rendezvous).then(|| (api.count_handoff)(flavor, n))
    }
}

impl PartialEq for Library {
    fn eq(&self, other: &Library) -> bool {
        self.name == other.name
    }
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Whether library `L` can wait `waiting`.
fn can_wait<L: Channel>(waiting: Waiting) -> bool {
    match waiting {
        Waiting::Recv(flavor) => flavor != Flavor::Rendezvous || L::RENDEZVOUS,
        Waiting::Select => L::SELECT,
    }
}

/// junction: the library every ratio is taken of.
pub const JUNCTION: Library = Library::both::<Junction>(Rgb(0, 0, 0));
/// crossbeam-channel.
pub const CROSSBEAM: Library = Library::blocking::<Crossbeam>(Rgb(31, 119, 180));
/// flume.
pub const FLUME: Library = Library::both::<Flume>(Rgb(214, 39, 40));
/// kanal.
pub const KANAL: Library = Library::both::<Kanal>(Rgb(44, 160, 44));
/// `std::sync::mpsc`.
pub const STD: Library = Library::blocking::<Std>(Rgb(148, 103, 189));
/// crossfire.
pub const CROSSFIRE: Library = Library::both::<Crossfire>(Rgb(255, 127, 14));
/// The hand-written `Mutex<VecDeque>` + `Condvar` queue (`mutex_queue.rs`).
pub const MUTEX_CONDVAR: Library = Library::blocking::<MutexCondvar>(Rgb(140, 86, 75));
/// `tokio::sync::mpsc` (async cells only).
pub const TOKIO: Library = Library::asynchronous::<Tokio>(Rgb(23, 190, 207));
/// async-channel (async cells only).
pub const ASYNC_CHANNEL: Library = Library::asynchronous::<AsyncChannelCrate>(Rgb(188, 189, 34));

/// junction run a second time under another name: its ratio shows the noise floor.
pub const CONTROL: Library = Library {
    name: "junction (A/A)",
    colour: Rgb(150, 150, 150),
    ..JUNCTION
};

/// Every library, in the order of table columns: junction first.
pub const ALL: [Library; 9] = [
    JUNCTION,
    CROSSBEAM,
    FLUME,
    KANAL,
    STD,
    CROSSFIRE,
    MUTEX_CONDVAR,
    TOKIO,
    ASYNC_CHANNEL,
];

/// The libraries of [`ALL`] whose blocking API is measured (all but the async-only
/// ones): the rows of the memory and idle CPU tables and of the instruction counts.
pub fn with_blocking_api() -> Vec<Library> {
    ALL.into_iter().filter(Library::has_blocking_api).collect()
}

/// The libraries of [`ALL`] with an async API: the rows of the async instruction counts.
pub fn with_async_api() -> Vec<Library> {
    ALL.into_iter()
        .filter(|l| l.asynchronous.is_some())
        .collect()
}
