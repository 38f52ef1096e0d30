//! `Sender` and `Receiver`: the handles, their reference counts, and the constructors
//! `bounded` and `unbounded` (their methods are in `sender.rs` and `receiver.rs`).
//!
//! A handle is an enum of flavors; `with_sender!` and `with_receiver!` are the one
//! place that matches on it: they run an expression with the flavor's [`Shared`], so
//! the hot calls are static (and inlined), and the counts, the address, `share` and
//! the `&dyn` views for everything else come from the same match. The channel
//! disconnects when the last sender or the last receiver drops (or on `close()`); the
//! memory goes with the last handle of any kind, weak handles included.

use crate::flavors::at::At;
use crate::flavors::tick::Tick;
use crate::flavors::timer::Timed;
use crate::flavors::{never, queued::Queued, zero, Receiving, Sending};
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

/// What a handle holds of its channel: a counted, shared flavor, or (`never()`) the
/// stateless flavor itself. The dispatch macros below bind one of these, so every
/// per-flavor question is asked through this one trait.
pub(crate) trait Shared: Sized {
    /// The flavor.
    type Chan;
    /// The flavor.
    fn chan(&self) -> &Self::Chan;
    /// The live `Sender`s and `Receiver`s (`None`: nothing is shared, `never()`).
    fn counts(&self) -> Option<(&AtomicUsize, &AtomicUsize)>;
    /// The channel's identity: equal for every handle of one channel (0: `never()`).
    fn addr(&self) -> usize;
    /// Another reference to the same channel, counted by nobody (the caller counts it).
    fn share(&self) -> Self;
    /// The flavor's sending side.
    #[inline(always)]
    fn sending(&self) -> &Sending<Self::Chan> {
        Sending::of(self.chan())
    }
    /// The flavor's receiving side.
    #[inline(always)]
    fn receiving(&self) -> &Receiving<Self::Chan> {
        Receiving::of(self.chan())
    }
}

impl<C> Shared for Arc<Counted<C>> {
    type Chan = C;
    #[inline(always)]
    fn chan(&self) -> &C {
        &self.chan
    }
    fn counts(&self) -> Option<(&AtomicUsize, &AtomicUsize)> {
        Some((&self.senders, &self.receivers))
    }
    fn addr(&self) -> usize {
        Arc::as_ptr(self) as usize
    }
    fn share(&self) -> Self {
        self.clone()
    }
}

impl<T> Shared for never::Channel<T> {
    type Chan = Self;
    #[inline(always)]
    fn chan(&self) -> &Self {
        self
    }
    fn counts(&self) -> Option<(&AtomicUsize, &AtomicUsize)> {
        None
    }
    fn addr(&self) -> usize {
        0
    }
    fn share(&self) -> Self {
        never::Channel::new()
    }
}

/// Declares a handle's flavor enum, each variant holding a [`Shared`], and the
/// conversion from each (so `share` can rebuild the variant it came from).
macro_rules! flavor_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $v:ident($ty:ty),)* }) => {
        $(#[$doc])*
        pub(crate) enum $name<T> {
            $($(#[$vdoc])* $v($ty),)*
        }
        $(impl<T> From<$ty> for $name<T> {
            fn from(shared: $ty) -> Self {
                $name::$v(shared)
            }
        })*
    };
}

flavor_enum!(
    /// What a `Sender` holds.
    SenderFlavor {
        /// `bounded(cap)`, `cap >= 1`.
        Array(Arc<Counted<Queued<T, ArrayQueue<T>>>>),
        /// `unbounded()`.
        List(Arc<Counted<Queued<T, ListQueue<T>>>>),
        /// `bounded(0)`.
        Zero(Arc<Counted<zero::Channel<T>>>),
    }
);

flavor_enum!(
    /// What a `Receiver` holds.
    ReceiverFlavor {
        /// `bounded(cap)`, `cap >= 1`.
        Array(Arc<Counted<Queued<T, ArrayQueue<T>>>>),
        /// `unbounded()`.
        List(Arc<Counted<Queued<T, ListQueue<T>>>>),
        /// `bounded(0)`.
        Zero(Arc<Counted<zero::Channel<T>>>),
        /// `after`, `at`.
        At(Arc<Counted<Timed<At, T>>>),
        /// `tick`.
        Tick(Arc<Counted<Timed<Tick, T>>>),
        /// `never()`: no shared state.
        Never(never::Channel<T>),
    }
);

/// Runs `$body` with `$c` bound to the [`Shared`] of a `SenderFlavor`:
/// the one place that matches on a sender's flavor (each arm is static, so hot calls
/// inline).
macro_rules! with_sender {
    ($flavor:expr, $c:ident => $body:expr) => {
        match &$flavor {
            SenderFlavor::Array($c) => $body,
            SenderFlavor::List($c) => $body,
            SenderFlavor::Zero($c) => $body,
        }
    };
}
pub(crate) use with_sender;

/// As [`with_sender!`], for a `ReceiverFlavor`.
macro_rules! with_receiver {
    ($flavor:expr, $c:ident => $body:expr) => {
        match &$flavor {
            ReceiverFlavor::Array($c) => $body,
            ReceiverFlavor::List($c) => $body,
            ReceiverFlavor::Zero($c) => $body,
            ReceiverFlavor::At($c) => $body,
            ReceiverFlavor::Tick($c) => $body,
            ReceiverFlavor::Never($c) => $body,
        }
    };
}
pub(crate) use with_receiver;

impl<T> SenderFlavor<T> {
    /// Another reference to the same channel, counted by nobody (the caller counts it).
    pub(crate) fn share(&self) -> Self {
        with_sender!(self, c => c.share().into())
    }
}

impl<T> ReceiverFlavor<T> {
    /// Another reference to the same channel, counted by nobody (the caller counts it).
    pub(crate) fn share(&self) -> Self {
        with_receiver!(self, c => c.share().into())
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
        pair(zero::Channel::new())
    } else {
        pair(Queued::new(ArrayQueue::new(cap)))
    }
}

/// A sender and a receiver of a new channel `chan`.
fn pair<T, C>(chan: C) -> (Sender<T>, Receiver<T>)
where
    Arc<Counted<C>>: Into<SenderFlavor<T>> + Into<ReceiverFlavor<T>>,
{
    let shared = Counted::new(chan, 1);
    let sender = Sender {
        flavor: shared.share().into(),
    };
    let receiver = Receiver {
        flavor: shared.into(),
    };
    (sender, receiver)
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
    pair(Queued::new(ListQueue::new()))
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
