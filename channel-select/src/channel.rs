//! `Sender` and `Receiver`: the handles, their reference counts, and the constructors
//! `bounded` and `unbounded` (their methods are in `sender.rs` and `receiver.rs`).
//!
//! A handle is an enum of flavors; `with_sender!` and `with_receiver!` run an expression
//! with the concrete flavor, so the hot calls are static (and inlined), and `flavor()`
//! gives the `&dyn` view from the same match for everything else. (The counts, the
//! address and `share` still match on their own, in small helpers.) The channel
//! disconnects when the last sender or the last receiver drops (or on `close()`); the
//! memory goes with the last handle of any kind, weak handles included.

use crate::flavors::at::At;
use crate::flavors::tick::Tick;
use crate::flavors::timer::Timed;
use crate::flavors::{never, queued::Queued, zero};
use channel_core::sync::atomic::{AtomicUsize, Ordering};
use channel_core::sync::Arc;
use channel_core::{ArrayQueue, ListQueue};
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::time::{Duration, Instant};

/// A flavor with the counts of the handles that share it.
pub(crate) struct Counted<C> {
    /// Live `Sender`s.
    pub(crate) senders: AtomicUsize,
    /// Live `Receiver`s.
    pub(crate) receivers: AtomicUsize,
    /// The channel.
    pub(crate) chan: C,
}

impl<C> Counted<C> {
    pub(crate) fn new(chan: C, senders: usize) -> Arc<Self> {
        Arc::new(Counted {
            senders: AtomicUsize::new(senders),
            receivers: AtomicUsize::new(1),
            chan,
        })
    }
}

/// Adds one to a handle count; aborts on overflow (a leak of `isize::MAX` handles).
pub(crate) fn acquire(count: &AtomicUsize) {
    // Relaxed: a new handle is made from an existing one, which keeps the channel
    // alive; nothing is published.
    if count.fetch_add(1, Ordering::Relaxed) > isize::MAX as usize {
        std::process::abort();
    }
}

/// Adds one to a handle count unless it is zero (the side is gone for good): what a
/// weak handle's `upgrade` does. The CAS makes it linearizable with the last handle's
/// `release`: either it counts first (and that release is not the last), or it finds
/// zero.
pub(crate) fn try_acquire(count: &AtomicUsize) -> bool {
    // Relaxed: as in `acquire`; the CAS alone decides, and the handle's own operations
    // synchronize through the channel.
    let mut n = count.load(Ordering::Relaxed);
    loop {
        if n == 0 {
            return false;
        }
        if n > isize::MAX as usize {
            std::process::abort();
        }
        match count.compare_exchange_weak(n, n + 1, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return true,
            Err(m) => n = m,
        }
    }
}

/// Takes one from a handle count; true for the last handle.
pub(crate) fn release(count: &AtomicUsize) -> bool {
    // AcqRel: the last handle's disconnect happens after every other handle's use.
    count.fetch_sub(1, Ordering::AcqRel) == 1
}

/// Runs `$body` with `$c` bound to the concrete flavor of the `Sender` `$handle`.
macro_rules! with_sender {
    ($handle:expr, $c:ident => $body:expr) => {
        match &$handle.flavor {
            SenderFlavor::Array(counted) => {
                let $c = &counted.chan;
                $body
            }
            SenderFlavor::List(counted) => {
                let $c = &counted.chan;
                $body
            }
            SenderFlavor::Zero(counted) => {
                let $c = &counted.chan;
                $body
            }
        }
    };
}
pub(crate) use with_sender;

/// Runs `$body` with `$c` bound to the concrete flavor of the `Receiver` `$handle`.
macro_rules! with_receiver {
    ($handle:expr, $c:ident => $body:expr) => {
        match &$handle.flavor {
            ReceiverFlavor::Array(counted) => {
                let $c = &counted.chan;
                $body
            }
            ReceiverFlavor::List(counted) => {
                let $c = &counted.chan;
                $body
            }
            ReceiverFlavor::Zero(counted) => {
                let $c = &counted.chan;
                $body
            }
            ReceiverFlavor::At(counted) => {
                let $c = &counted.chan;
                $body
            }
            ReceiverFlavor::Tick(counted) => {
                let $c = &counted.chan;
                $body
            }
            ReceiverFlavor::Never(chan) => {
                let $c = chan;
                $body
            }
        }
    };
}
pub(crate) use with_receiver;

pub(crate) enum SenderFlavor<T> {
    Array(Arc<Counted<Queued<T, ArrayQueue<T>>>>),
    List(Arc<Counted<Queued<T, ListQueue<T>>>>),
    Zero(Arc<Counted<zero::Channel<T>>>),
}

impl<T> SenderFlavor<T> {
    /// The count of live `Sender`s.
    pub(crate) fn senders(&self) -> &AtomicUsize {
        match self {
            SenderFlavor::Array(c) => &c.senders,
            SenderFlavor::List(c) => &c.senders,
            SenderFlavor::Zero(c) => &c.senders,
        }
    }

    /// Another reference to the same channel, counted by nobody (the caller counts it).
    pub(crate) fn share(&self) -> Self {
        match self {
            SenderFlavor::Array(c) => SenderFlavor::Array(c.clone()),
            SenderFlavor::List(c) => SenderFlavor::List(c.clone()),
            SenderFlavor::Zero(c) => SenderFlavor::Zero(c.clone()),
        }
    }
}

/// The sending half of a channel. Clone it for more producers.
///
/// `Send` and `Sync` exactly when `T: Send`:
///
/// ```compile_fail
/// fn send<T: Send>() {}
/// send::<channel_select::Sender<std::rc::Rc<u8>>>();
/// ```
///
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<channel_select::Sender<std::rc::Rc<u8>>>();
/// ```
///
/// ```
/// let (s, r) = channel_select::unbounded();
/// let s2 = s.clone();
/// std::thread::spawn(move || s2.send(1).unwrap()).join().unwrap();
/// s.send(2).unwrap();
/// assert_eq!(r.iter().take(2).sum::<i32>(), 3);
/// ```
pub struct Sender<T> {
    pub(crate) flavor: SenderFlavor<T>,
}

pub(crate) enum ReceiverFlavor<T> {
    Array(Arc<Counted<Queued<T, ArrayQueue<T>>>>),
    List(Arc<Counted<Queued<T, ListQueue<T>>>>),
    Zero(Arc<Counted<zero::Channel<T>>>),
    At(Arc<Counted<Timed<At, T>>>),
    Tick(Arc<Counted<Timed<Tick, T>>>),
    Never(never::Channel<T>),
}

impl<T> ReceiverFlavor<T> {
    /// The count of live `Receiver`s (`None` for `never()`, which shares nothing).
    pub(crate) fn receivers(&self) -> Option<&AtomicUsize> {
        match self {
            ReceiverFlavor::Array(c) => Some(&c.receivers),
            ReceiverFlavor::List(c) => Some(&c.receivers),
            ReceiverFlavor::Zero(c) => Some(&c.receivers),
            ReceiverFlavor::At(c) => Some(&c.receivers),
            ReceiverFlavor::Tick(c) => Some(&c.receivers),
            ReceiverFlavor::Never(_) => None,
        }
    }

    /// Another reference to the same channel, counted by nobody (the caller counts it).
    pub(crate) fn share(&self) -> Self {
        match self {
            ReceiverFlavor::Array(c) => ReceiverFlavor::Array(c.clone()),
            ReceiverFlavor::List(c) => ReceiverFlavor::List(c.clone()),
            ReceiverFlavor::Zero(c) => ReceiverFlavor::Zero(c.clone()),
            ReceiverFlavor::At(c) => ReceiverFlavor::At(c.clone()),
            ReceiverFlavor::Tick(c) => ReceiverFlavor::Tick(c.clone()),
            ReceiverFlavor::Never(_) => ReceiverFlavor::Never(never::Channel::new()),
        }
    }
}

/// The receiving half of a channel. Clone it for more consumers: each message goes to
/// exactly one of them. `Send` and `Sync` exactly when `T: Send`:
///
/// ```compile_fail
/// fn send<T: Send>() {}
/// send::<channel_select::Receiver<std::rc::Rc<u8>>>();
/// ```
///
/// ```
/// let (s, r) = channel_select::bounded(1);
/// std::thread::spawn(move || s.send("ping").unwrap());
/// assert_eq!(r.recv(), Ok("ping"));
/// assert!(r.recv().is_err()); // the sender is gone
/// ```
pub struct Receiver<T> {
    pub(crate) flavor: ReceiverFlavor<T>,
}

impl<T> UnwindSafe for Sender<T> {}
impl<T> RefUnwindSafe for Sender<T> {}
impl<T> UnwindSafe for Receiver<T> {}
impl<T> RefUnwindSafe for Receiver<T> {}

/// Creates a channel holding at most `cap` messages.
///
/// `cap == 0` makes a *rendezvous* channel: a send completes only when a receive takes
/// the message (the zero-capacity channel of Go, `sync_channel(0)` of std).
///
/// One exception to both bounds, so that a selection never waits after choosing a
/// send: when a selected send's claim was overtaken before its message came (its
/// rendezvous receiver gave up at its deadline, or receivers moved past its slot), the
/// message is still accepted at once and kept for the next receive, above the capacity
/// (one per such selection; `len` counts it, `try_send` still sees the channel full).
///
/// # Panics
/// If the buffer for `cap` messages cannot be allocated (the message names the capacity).
///
/// ```
/// use channel_select::{bounded, TrySendError};
/// let (s, r) = bounded(1);
/// s.send(1).unwrap();
/// assert_eq!(s.try_send(2), Err(TrySendError::Full(2)));
/// assert_eq!(r.recv(), Ok(1));
/// ```
pub fn bounded<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    if cap == 0 {
        let c = Counted::new(zero::Channel::new(), 1);
        (
            Sender {
                flavor: SenderFlavor::Zero(c.clone()),
            },
            Receiver {
                flavor: ReceiverFlavor::Zero(c),
            },
        )
    } else {
        let c = Counted::new(Queued::new(ArrayQueue::new(cap)), 1);
        (
            Sender {
                flavor: SenderFlavor::Array(c.clone()),
            },
            Receiver {
                flavor: ReceiverFlavor::Array(c),
            },
        )
    }
}

/// Creates a channel of unlimited capacity: a send never blocks.
///
/// This is what `std::sync::mpsc::channel()` makes.
///
/// ```
/// let (s, r) = channel_select::unbounded();
/// for i in 0..1000 { s.send(i).unwrap(); }
/// assert_eq!(r.len(), 1000);
/// assert_eq!(r.capacity(), None);
/// ```
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    let c = Counted::new(Queued::new(ListQueue::new()), 1);
    (
        Sender {
            flavor: SenderFlavor::List(c.clone()),
        },
        Receiver {
            flavor: ReceiverFlavor::List(c),
        },
    )
}

/// A receiver that delivers the `Instant` `when`, once, at `when`.
pub(crate) fn timer_at(when: Instant) -> Receiver<Instant> {
    Receiver {
        flavor: ReceiverFlavor::At(Counted::new(Timed::new(At::new(when), |i| i), 0)),
    }
}

/// A receiver that delivers an `Instant` every `period`.
pub(crate) fn timer_tick(period: Duration) -> Receiver<Instant> {
    Receiver {
        flavor: ReceiverFlavor::Tick(Counted::new(
            Timed::new(Tick::new(Instant::now(), period), |i| i),
            0,
        )),
    }
}

/// The never receiver.
pub(crate) const fn never_receiver<T>() -> Receiver<T> {
    Receiver {
        flavor: ReceiverFlavor::Never(never::Channel::new()),
    }
}

/// The deadline `timeout` from now, or `None` (wait forever) when unrepresentable.
pub(crate) fn deadline_after(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}
