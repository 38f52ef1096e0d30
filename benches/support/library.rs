//! Each library's identity in one place: its name, its colour in the chart, what it
//! can run, and its measurements reached without naming its type.
//!
//! Tables, charts and criterion groups list [`ALL`] (and [`CONTROL`]); a library is a
//! column because it is in that list, not because a string elsewhere names it.

use super::alloc::{self, Memory};
use super::cpu::{self, Waiting};
use super::libs::{Crossbeam, Crossfire, Flume, Junction, Kanal, Std};
use super::mutex_queue::MutexCondvar;
use super::workloads;
use super::{supports_workload, Channel, Flavor, Outcome, Workload};
use std::time::Duration;

/// A colour of the chart, as red, green and blue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// A library under comparison: one [`Channel`] impl, its generic code made callable
/// through function pointers so that lists of libraries are plain values.
///
/// Two libraries are equal when their names are: names are unique in [`ALL`] and
/// [`CONTROL`].
#[derive(Clone, Copy)]
pub struct Library {
    /// The name in tables, bench ids and filters (the impl's [`Channel::NAME`], or the
    /// control's own).
    pub name: &'static str,
    /// Its dots in the chart.
    pub colour: Rgb,
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

impl Library {
    /// Library `L`, drawn in `colour`.
    const fn of<L: Channel>(colour: Rgb) -> Library {
        Library {
            name: L::NAME,
            colour,
            supports: supports_workload::<L>,
            can_wait: can_wait::<L>,
            run: workloads::run::<L>,
            memory: alloc::memory::<L>,
            idle_cpu: cpu::idle_receiver_cpu::<L>,
            count_seq: workloads::count_seq::<L>,
        }
    }

    /// Whether it can run `workload`.
    pub fn supports(&self, workload: Workload) -> bool {
        (self.supports)(workload)
    }

    /// One run of `workload`, `units` units of work (see [`Workload::units`]).
    ///
    /// Panics if it does not [`support`](Library::supports) the workload.
    pub fn run(&self, workload: Workload, units: u64) -> Outcome {
        (self.run)(workload, units)
    }

    /// Bytes held by its channel of `flavor` with `n` messages in flight.
    pub fn memory(&self, flavor: Flavor, n: u64) -> Memory {
        (self.memory)(flavor, n)
    }

    /// Whether it can wait `waiting`.
    pub fn can_wait(&self, waiting: Waiting) -> bool {
        (self.can_wait)(waiting)
    }

    /// The CPU time of its receiver waiting `waiting` for `idle` (see
    /// [`cpu::idle_receiver_cpu`]).
    pub fn idle_cpu(&self, waiting: Waiting, idle: Duration) -> Option<Duration> {
        (self.idle_cpu)(waiting, idle)
    }

    /// `n` messages sent and received by one thread on `flavor`, in the loop that
    /// callgrind counts (see [`workloads::count_seq`]); their sum.
    pub fn count_seq(&self, flavor: Flavor, n: u64) -> u64 {
        (self.count_seq)(flavor, n)
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
pub const JUNCTION: Library = Library::of::<Junction>(Rgb(0, 0, 0));
/// crossbeam-channel.
pub const CROSSBEAM: Library = Library::of::<Crossbeam>(Rgb(31, 119, 180));
/// flume.
pub const FLUME: Library = Library::of::<Flume>(Rgb(214, 39, 40));
/// kanal.
pub const KANAL: Library = Library::of::<Kanal>(Rgb(44, 160, 44));
/// `std::sync::mpsc`.
pub const STD: Library = Library::of::<Std>(Rgb(148, 103, 189));
/// crossfire.
pub const CROSSFIRE: Library = Library::of::<Crossfire>(Rgb(255, 127, 14));
/// The hand-written `Mutex<VecDeque>` + `Condvar` queue (`mutex_queue.rs`).
pub const MUTEX_CONDVAR: Library = Library::of::<MutexCondvar>(Rgb(140, 86, 75));

/// junction run a second time under another name: its ratio shows the noise floor.
pub const CONTROL: Library = Library {
    name: "junction (A/A)",
    colour: Rgb(150, 150, 150),
    ..JUNCTION
};

/// Every library, in the order of table columns: junction first.
pub const ALL: [Library; 7] = [
    JUNCTION,
    CROSSBEAM,
    FLUME,
    KANAL,
    STD,
    CROSSFIRE,
    MUTEX_CONDVAR,
];
