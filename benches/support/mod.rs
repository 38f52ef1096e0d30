//! Workloads shared by the criterion bench (`channels.rs`) and the comparison
//! (`compare.rs`).
//!
//! Every workload is written once, generic over [`Channel`] (blocking calls) or
//! [`AsyncChannel`] (futures, for the async cells): a library joins the benchmarks by
//! implementing one or both (see `libs.rs`, `async_libs.rs`), not by copying a matrix.
//! Every run checks what it received (count and sum of the messages), so a run that
//! loses or duplicates messages reports an error instead of a fast time.

// Each bench binary uses a different part of this module (the criterion bench has no
// use for the idle-CPU probe, for one); the unused rest is not dead in the other.
#![allow(dead_code)]

pub mod alloc;
pub mod async_libs;
pub mod async_workloads;
pub mod chart;
pub mod cpu;
pub mod library;
pub mod libs;
pub mod machine;
pub mod measure;
pub mod mutex_queue;
pub mod options;
pub mod report;
pub mod stats;
pub mod workloads;

use std::fmt;
use std::future::Future;
use std::time::Duration;

/// Messages carried by every benchmark channel.
pub type Msg = u64;

/// Number of sending (and, for mpmc, receiving) threads in the multi-thread cases.
pub const THREADS: u64 = 4;

/// Messages per run of a buffered cell when measuring for real: enough that thread
/// start-up and the first wake-ups are a small share of the run (a steady state).
pub const STEADY_MESSAGES: u64 = 100_000;

/// Messages per run of a hand-off cell (see [`Workload::hands_off`]) when measuring for
/// real: each costs a wake-up or more, so fewer reach a steady state.
pub const STEADY_HANDOFF_MESSAGES: u64 = 20_000;

/// The kind of channel a case runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// `bounded(0)`: a send completes only when a receive takes it.
    Rendezvous,
    /// `bounded(1)`: one message of slack.
    One,
    /// `bounded(1000)`: a roomy buffer.
    Thousand,
    /// `unbounded()`: a sender never blocks.
    Unbounded,
}

impl Flavor {
    /// Every flavor, in the order tables list them.
    pub const ALL: [Flavor; 4] = [
        Flavor::Rendezvous,
        Flavor::One,
        Flavor::Thousand,
        Flavor::Unbounded,
    ];

    /// The capacity, `None` for unbounded.
    pub fn capacity(self) -> Option<usize> {
        match self {
            Flavor::Rendezvous => Some(0),
            Flavor::One => Some(1),
            Flavor::Thousand => Some(1000),
            Flavor::Unbounded => None,
        }
    }

    /// The name used in tables, bench ids and filters.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Rendezvous => "bounded(0)",
            Flavor::One => "bounded(1)",
            Flavor::Thousand => "bounded(1000)",
            Flavor::Unbounded => "unbounded",
        }
    }
}

/// The traffic pattern of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Case {
    /// One thread sends a batch (as much as the buffer holds) and then receives it.
    Seq,
    /// One sender thread, one receiver thread.
    Spsc,
    /// [`THREADS`] sender threads, one receiver thread, one channel.
    Mpsc,
    /// [`THREADS`] sender threads, [`THREADS`] receiver threads, one channel.
    Mpmc,
    /// [`THREADS`] senders, each on its own channel; one receiver selecting over all.
    SelectRx,
    /// [`THREADS`] channels; [`THREADS`] senders selecting over all of them and
    /// [`THREADS`] receivers selecting over all of them.
    SelectBoth,
}

impl Case {
    /// Every case, in the order tables list them.
    pub const ALL: [Case; 6] = [
        Case::Seq,
        Case::Spsc,
        Case::Mpsc,
        Case::Mpmc,
        Case::SelectRx,
        Case::SelectBoth,
    ];

    /// The name used in tables, bench ids and filters.
    pub fn name(self) -> &'static str {
        match self {
            Case::Seq => "seq",
            Case::Spsc => "spsc",
            Case::Mpsc => "mpsc",
            Case::Mpmc => "mpmc",
            Case::SelectRx => "select_rx",
            Case::SelectBoth => "select_both",
        }
    }

    /// Whether the case needs the library's dynamic selection.
    pub fn selects(self) -> bool {
        matches!(self, Case::SelectRx | Case::SelectBoth)
    }
}

/// The traffic pattern of an async run: tasks on a tokio multi-thread runtime (see
/// `async_workloads.rs`), each awaiting the library's futures; or, blocking-to-async,
/// plain threads making blocking sends to receiving tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AsyncCase {
    /// One sender task, one receiver task.
    Spsc,
    /// [`THREADS`] sender tasks, one receiver task, one channel.
    Mpsc,
    /// [`THREADS`] sender tasks, [`THREADS`] receiver tasks, one channel.
    Mpmc,
    /// [`THREADS`] sender threads (blocking sends), one receiver task.
    BlockingMpsc,
    /// [`THREADS`] sender threads (blocking sends), [`THREADS`] receiver tasks.
    BlockingMpmc,
}

impl AsyncCase {
    /// Every async case, in the order tables list them.
    pub const ALL: [AsyncCase; 5] = [
        AsyncCase::Spsc,
        AsyncCase::Mpsc,
        AsyncCase::Mpmc,
        AsyncCase::BlockingMpsc,
        AsyncCase::BlockingMpmc,
    ];

    /// The name used in tables, bench ids and filters: each contains `async`.
    pub fn name(self) -> &'static str {
        match self {
            AsyncCase::Spsc => "async spsc",
            AsyncCase::Mpsc => "async mpsc",
            AsyncCase::Mpmc => "async mpmc",
            AsyncCase::BlockingMpsc => "blocking-to-async mpsc",
            AsyncCase::BlockingMpmc => "blocking-to-async mpmc",
        }
    }

    /// The flavors it runs on: spsc on all four (`bounded(0)` and `bounded(1)` are the
    /// async hand-offs), the others on the buffered two.
    pub fn flavors(self) -> &'static [Flavor] {
        match self {
            AsyncCase::Spsc => &Flavor::ALL,
            _ => &[Flavor::Thousand, Flavor::Unbounded],
        }
    }

    /// How many senders (tasks, or threads when [`AsyncCase::blocking_senders`]).
    pub fn senders(self) -> u64 {
        match self {
            AsyncCase::Spsc => 1,
            _ => THREADS,
        }
    }

    /// Whether one task receives or [`THREADS`] do.
    pub fn consumers(self) -> Consumers {
        match self {
            AsyncCase::Mpmc | AsyncCase::BlockingMpmc => Consumers::Many,
            AsyncCase::Spsc | AsyncCase::Mpsc | AsyncCase::BlockingMpsc => Consumers::One,
        }
    }

    /// Whether the senders are plain threads making blocking sends.
    pub fn blocking_senders(self) -> bool {
        matches!(self, AsyncCase::BlockingMpsc | AsyncCase::BlockingMpmc)
    }
}

/// How many tasks will receive from an async channel: a library with a channel
/// specialised for one consumer (crossfire's `mpsc`) makes that one for [`Consumers::One`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Consumers {
    /// One receiver.
    One,
    /// [`THREADS`] receivers, clones of the first.
    Many,
}

impl Consumers {
    /// The number of receivers.
    pub fn count(self) -> u64 {
        match self {
            Consumers::One => 1,
            Consumers::Many => THREADS,
        }
    }
}

/// One row of the comparison (one benchmark group of criterion): what runs, on which
/// flavor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Workload {
    /// A case of the matrix on a flavor.
    Matrix(Case, Flavor),
    /// Round trips over two rendezvous channels.
    PingPong,
    /// A `select!` with this many `recv` arms over unbounded channels.
    SelectArms(usize),
    /// An async case on a flavor.
    Async(AsyncCase, Flavor),
}

impl Workload {
    /// The arm counts of the `select!` rows.
    pub const ARMS: [usize; 4] = [2, 4, 8, 32];

    /// Every workload, in table order: the matrix case by case, ping-pong, `select!`,
    /// the async cases.
    pub fn all() -> impl Iterator<Item = Workload> {
        let matrix = Case::ALL
            .into_iter()
            .flat_map(|case| Flavor::ALL.map(|flavor| Workload::Matrix(case, flavor)));
        let asynchronous = AsyncCase::ALL.into_iter().flat_map(|case| {
            case.flavors()
                .iter()
                .map(move |&flavor| Workload::Async(case, flavor))
        });
        matrix
            .chain([Workload::PingPong])
            .chain(Workload::ARMS.map(Workload::SelectArms))
            .chain(asynchronous)
    }

    /// The first column: `spsc`, `ping_pong`, `select! 8 arms`, `async mpsc`.
    pub fn case_name(self) -> String {
        match self {
            Workload::Matrix(case, _) => case.name().to_string(),
            Workload::PingPong => "ping_pong".to_string(),
            Workload::SelectArms(arms) => format!("select! {arms} arms"),
            Workload::Async(case, _) => case.name().to_string(),
        }
    }

    /// The flavor of its channels.
    pub fn flavor(self) -> Flavor {
        match self {
            Workload::Matrix(_, flavor) | Workload::Async(_, flavor) => flavor,
            Workload::PingPong => Flavor::Rendezvous,
            Workload::SelectArms(_) => Flavor::Unbounded,
        }
    }

    /// The name in filters, progress lines and the chart: `spsc bounded(0)`.
    pub fn name(self) -> String {
        format!("{} {}", self.case_name(), self.flavor().name())
    }

    /// What one unit of work is: a message, or (ping-pong) a round trip.
    pub fn unit(self) -> &'static str {
        match self {
            Workload::PingPong => "round trip",
            _ => "msg",
        }
    }

    /// Whether each message waits for a thread hand-off (`bounded(0)`, `bounded(1)`):
    /// such runs cost far more per message, and swing far more, than buffered ones.
    pub fn hands_off(self) -> bool {
        matches!(self.flavor(), Flavor::Rendezvous | Flavor::One)
    }

    /// The units of work of a run that carries about `messages` messages: a multiple
    /// of [`THREADS`] for the matrix (see [`round_messages`]); for ping-pong half as
    /// many round trips (each carries two messages).
    pub fn units(self, messages: u64) -> u64 {
        match self {
            Workload::Matrix(..) | Workload::Async(..) => round_messages(messages),
            Workload::PingPong => (messages / 2).max(1),
            Workload::SelectArms(_) => messages,
        }
    }
}

/// Why a run produced no time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The receivers got other messages than were sent.
    Wrong {
        /// Messages received.
        count: u64,
        /// Their sum.
        sum: u64,
        /// Messages sent.
        expected_count: u64,
        /// The sum of the messages sent.
        expected_sum: u64,
    },
    /// The run did not finish within the time limit (reported by the comparison).
    Hang(Duration),
    /// A thread of the run panicked.
    Panic(String),
}

impl Failure {
    /// The short word a table cell shows.
    pub fn word(&self) -> &'static str {
        match self {
            Failure::Wrong { .. } => "WRONG",
            Failure::Hang(_) => "hang",
            Failure::Panic(_) => "panic",
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Wrong {
                count,
                sum,
                expected_count,
                expected_sum,
            } => write!(
                f,
                "received {count} messages summing to {sum}, \
                 expected {expected_count} summing to {expected_sum}"
            ),
            Failure::Hang(limit) => write!(f, "did not finish within {limit:?}"),
            Failure::Panic(msg) => write!(f, "panicked: {msg}"),
        }
    }
}

/// What a run measured: the time from the moment every thread was ready until the
/// last one finished.
pub type Outcome = Result<Duration, Failure>;

/// One library's channel, as the workloads use it. Messages are [`Msg`]s.
///
/// `send` and `recv` block; `recv` returns `None` once the channel is disconnected and
/// empty. A library without a rendezvous channel sets `RENDEZVOUS = false` (and
/// `new` never sees [`Flavor::Rendezvous`]), one without multiple consumers
/// `MPMC = false`; one without dynamic selection keeps `SELECT = false` and the default select methods, one without
/// a `select!` macro `SELECT_MACRO = false`: the workloads never call those then.
pub trait Channel: 'static {
    /// The name in tables and bench ids.
    const NAME: &'static str;
    /// Whether receivers can be cloned (multi-consumer).
    const MPMC: bool;
    /// Whether it has a rendezvous channel (`bounded(0)`).
    const RENDEZVOUS: bool = true;
    /// Whether [`Channel::select_recv_all`] and [`Channel::select_send_all`] exist.
    const SELECT: bool = false;
    /// Whether [`Channel::select_macro_recv`] exists.
    const SELECT_MACRO: bool = false;

    /// The sending handle.
    type Tx: Clone + Send + 'static;
    /// The receiving handle.
    type Rx: Send + 'static;

    /// Creates a channel of `flavor`.
    fn new(flavor: Flavor) -> (Self::Tx, Self::Rx);
    /// Sends, blocking while the channel is full; panics if it is disconnected.
    fn send(tx: &Self::Tx, msg: Msg);
    /// Receives, blocking while the channel is empty; `None` when disconnected.
    fn recv(rx: &Self::Rx) -> Option<Msg>;
    /// Another receiver of the same channel (only called when `MPMC`).
    fn clone_rx(rx: &Self::Rx) -> Self::Rx;

    /// Receives from all of `rxs` through one selection, until every one of them is
    /// disconnected and drained; returns the count and sum of what it received.
    fn select_recv_all(rxs: &[Self::Rx]) -> (u64, u64) {
        let _ = rxs;
        unreachable!("{} has no selection", Self::NAME)
    }

    /// Sends every message of `msgs`, each on whichever of `txs` a selection finds
    /// ready first.
    fn select_send_all(txs: &[Self::Tx], msgs: std::ops::Range<Msg>) {
        let _ = (txs, msgs);
        unreachable!("{} has no selection", Self::NAME)
    }

    /// Receives `n` messages from `rxs` (2, 4, 8 or 32 receivers) with the library's
    /// `select!` of one arm per receiver; returns their sum.
    fn select_macro_recv(rxs: &[Self::Rx], n: u64) -> u64 {
        let _ = (rxs, n);
        unreachable!("{} has no select! macro", Self::NAME)
    }
}

/// One library's async channel, as the async workloads use it. Messages are [`Msg`]s.
///
/// The names mirror [`Channel`]'s; a library with both APIs implements both traits on
/// one type. `send` and `recv` give futures that tokio tasks await; `recv`'s yields
/// `None` once the channel is disconnected and empty. The blocking-to-async cases make
/// the channel with `new_blocking_to_async` and send from plain threads with
/// `send_blocking`. A library without a rendezvous channel sets `RENDEZVOUS = false`,
/// one without multiple consumers `MPMC = false`: the workloads never ask for those.
pub trait AsyncChannel: 'static {
    /// The name in tables and bench ids (a library with both APIs: its
    /// [`Channel::NAME`]).
    const NAME: &'static str;
    /// Whether receivers can be cloned (multi-consumer).
    const MPMC: bool;
    /// Whether it has a rendezvous channel (`bounded(0)`).
    const RENDEZVOUS: bool = true;

    /// The sending handle of async code.
    type Tx: Clone + Send + Sync + 'static;
    /// The receiving handle of async code (owned by one task at a time).
    type Rx: Send + 'static;
    /// The sending handle of a plain thread in the blocking-to-async cases.
    type BlockingTx: Clone + Send + 'static;

    /// Creates a channel of `flavor` to be received from by `consumers`.
    fn new(flavor: Flavor, consumers: Consumers) -> (Self::Tx, Self::Rx);
    /// Creates a channel of `flavor` with a blocking sender and an async receiver.
    fn new_blocking_to_async(flavor: Flavor, consumers: Consumers) -> (Self::BlockingTx, Self::Rx);
    /// Sends, waiting while the channel is full; panics if it is disconnected.
    fn send(tx: &Self::Tx, msg: Msg) -> impl Future<Output = ()> + Send + '_;
    /// Receives, waiting while the channel is empty; `None` when disconnected.
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = Option<Msg>> + Send + '_;
    /// Sends from a plain thread, blocking while the channel is full; panics if it is
    /// disconnected.
    fn send_blocking(tx: &Self::BlockingTx, msg: Msg);
    /// Another receiver of the same channel (only called when `MPMC`).
    fn clone_rx(rx: &Self::Rx) -> Self::Rx;
}

/// Whether library `L` can run `case` on `flavor`: `bounded(0)` needs a rendezvous
/// channel, `seq` cannot run on one (a lone thread would wait for itself), `mpmc` needs
/// cloneable receivers and the select cases need selection.
pub fn supports<L: Channel>(case: Case, flavor: Flavor) -> bool {
    if flavor == Flavor::Rendezvous && !L::RENDEZVOUS {
        return false;
    }
    match case {
        Case::Seq => flavor != Flavor::Rendezvous,
        Case::Spsc | Case::Mpsc => true,
        Case::Mpmc => L::MPMC,
        Case::SelectRx | Case::SelectBoth => L::SELECT && L::MPMC,
    }
}

/// Whether library `L`'s blocking API can run `workload` (the async cases are
/// [`supports_async`]'s to answer).
pub fn supports_workload<L: Channel>(workload: Workload) -> bool {
    match workload {
        Workload::Matrix(case, flavor) => supports::<L>(case, flavor),
        Workload::PingPong => L::RENDEZVOUS,
        Workload::SelectArms(_) => L::SELECT_MACRO,
        Workload::Async(..) => false,
    }
}

/// Whether library `L`'s async API can run `case` on `flavor`: a flavor the case runs
/// on, `bounded(0)` only with a rendezvous channel, several consumers only with
/// cloneable receivers.
pub fn supports_async<L: AsyncChannel>(case: AsyncCase, flavor: Flavor) -> bool {
    case.flavors().contains(&flavor)
        && (flavor != Flavor::Rendezvous || L::RENDEZVOUS)
        && (case.consumers() == Consumers::One || L::MPMC)
}

/// The number of messages a run actually sends when asked for `n`: a multiple of
/// [`THREADS`], so every sender thread sends the same share.
pub fn round_messages(n: u64) -> u64 {
    n.max(THREADS).div_ceil(THREADS) * THREADS
}

/// Compares what was received with the messages `0..n`.
pub fn check(count: u64, sum: u64, n: u64) -> Result<(), Failure> {
    let expected_sum = n * n.saturating_sub(1) / 2;
    if count == n && sum == expected_sum {
        Ok(())
    } else {
        Err(Failure::Wrong {
            count,
            sum,
            expected_count: n,
            expected_sum,
        })
    }
}
