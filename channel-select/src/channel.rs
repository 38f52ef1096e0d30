//! `Sender` and `Receiver`: the handles, their reference counts, and the constructors
//! `bounded` and `unbounded`.
//!
//! A handle is an enum of flavors; `with_sender!` and `with_receiver!` are the one place
//! that matches on it: they run an expression with the concrete flavor, so the hot
//! calls are static (and inlined), and `flavor()` gives the `&dyn` view from the same
//! match for everything else. The channel disconnects when the last sender or the last receiver drops (or
//! on `close()`); the memory goes with the last handle of either kind.

use crate::errors::{
    RecvError, RecvTimeoutError, SendError, SendTimeoutError, TryRecvError, TrySendError,
};
use crate::flavors::{at, never, queued::Queued, tick, zero, RecvFlavor, SendFlavor};
use channel_core::sync::atomic::{AtomicUsize, Ordering};
use channel_core::sync::Arc;
use channel_core::{ArrayQueue, ListQueue};
use core::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::time::{Duration, Instant};

/// A flavor with the counts of the handles that share it.
pub(crate) struct Counted<C> {
    /// Live `Sender`s.
    senders: AtomicUsize,
    /// Live `Receiver`s.
    receivers: AtomicUsize,
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
fn acquire(count: &AtomicUsize) {
    // Relaxed: a new handle is made from an existing one, which keeps the channel
    // alive; nothing is published.
    if count.fetch_add(1, Ordering::Relaxed) > isize::MAX as usize {
        std::process::abort();
    }
}

/// Takes one from a handle count; true for the last handle.
fn release(count: &AtomicUsize) -> bool {
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
    Array(Arc<Counted<Queued<ArrayQueue<T>>>>),
    List(Arc<Counted<Queued<ListQueue<T>>>>),
    Zero(Arc<Counted<zero::Channel<T>>>),
}

/// The sending half of a channel. Clone it for more producers.
///
/// `Send` and `Sync` exactly when `T: Send`:
///
/// ```compile_fail
/// fn send_sync<T: Send + Sync>() {}
/// send_sync::<channel_select::Sender<std::rc::Rc<u8>>>();
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
    Array(Arc<Counted<Queued<ArrayQueue<T>>>>),
    List(Arc<Counted<Queued<ListQueue<T>>>>),
    Zero(Arc<Counted<zero::Channel<T>>>),
    At(Arc<Counted<at::Channel<T>>>),
    Tick(Arc<Counted<tick::Channel<T>>>),
    Never(never::Channel<T>),
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

/// A receiver that delivers the `Instant` `d` from now, once.
pub(crate) fn timer_at(when: Instant) -> Receiver<Instant> {
    Receiver {
        flavor: ReceiverFlavor::At(Counted::new(at::Channel::new(when, |i| i), 0)),
    }
}

/// A receiver that delivers an `Instant` every `period`.
pub(crate) fn timer_tick(period: Duration) -> Receiver<Instant> {
    Receiver {
        flavor: ReceiverFlavor::Tick(Counted::new(
            tick::Channel::new(Instant::now(), period, |i| i),
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

impl<T> Sender<T> {
    /// This handle's flavor, for the calls that need no static dispatch.
    #[inline]
    pub(crate) fn flavor(&self) -> &dyn SendFlavor<T> {
        with_sender!(self, c => c)
    }

    fn counts(&self) -> (&AtomicUsize, &AtomicUsize) {
        match &self.flavor {
            SenderFlavor::Array(c) => (&c.senders, &c.receivers),
            SenderFlavor::List(c) => (&c.senders, &c.receivers),
            SenderFlavor::Zero(c) => (&c.senders, &c.receivers),
        }
    }

    /// The channel's identity: equal for every handle of one channel.
    pub(crate) fn addr(&self) -> usize {
        match &self.flavor {
            SenderFlavor::Array(c) => Arc::as_ptr(c) as usize,
            SenderFlavor::List(c) => Arc::as_ptr(c) as usize,
            SenderFlavor::Zero(c) => Arc::as_ptr(c) as usize,
        }
    }

    /// Sends `msg` without blocking.
    ///
    /// Fails with `Full` when there is no room now (a rendezvous channel has room only
    /// while a receiver waits), and with `Disconnected` once the channel is
    /// disconnected; either way the message comes back in the error.
    ///
    /// ```
    /// use channel_select::{bounded, TrySendError};
    /// let (s, r) = bounded(1);
    /// assert_eq!(s.try_send(1), Ok(()));
    /// assert_eq!(s.try_send(2), Err(TrySendError::Full(2)));
    /// drop(r);
    /// assert_eq!(s.try_send(3), Err(TrySendError::Disconnected(3)));
    /// ```
    pub fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        with_sender!(self, c => c.try_send(msg))
    }

    /// Sends `msg`, blocking while the channel is full.
    ///
    /// Fails, handing the message back, once the channel is disconnected (all
    /// receivers dropped, or `close()`). Messages already in the channel stay
    /// receivable.
    ///
    /// ```
    /// let (s, r) = channel_select::bounded(0);
    /// std::thread::spawn(move || s.send("hi").unwrap());
    /// assert_eq!(r.recv(), Ok("hi"));
    /// ```
    pub fn send(&self, msg: T) -> Result<(), SendError<T>> {
        with_sender!(self, c => c.send(msg, None)).map_err(|e| match e {
            SendTimeoutError::Disconnected(m) => SendError(m),
            SendTimeoutError::Timeout(_) => unreachable!("send without deadline timed out"),
        })
    }

    /// Sends `msg`, blocking at most `timeout`.
    ///
    /// ```
    /// use channel_select::{bounded, SendTimeoutError};
    /// use std::time::Duration;
    /// let (s, _r) = bounded(0);
    /// assert_eq!(s.send_timeout(1, Duration::from_millis(10)), Err(SendTimeoutError::Timeout(1)));
    /// ```
    pub fn send_timeout(&self, msg: T, timeout: Duration) -> Result<(), SendTimeoutError<T>> {
        with_sender!(self, c => c.send(msg, deadline_after(timeout)))
    }

    /// Sends `msg`, blocking at most until `deadline`.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let (s, r) = channel_select::bounded(1);
    /// s.send_deadline(1, Instant::now() + Duration::from_secs(1)).unwrap();
    /// assert_eq!(r.try_recv(), Ok(1));
    /// ```
    pub fn send_deadline(&self, msg: T, deadline: Instant) -> Result<(), SendTimeoutError<T>> {
        with_sender!(self, c => c.send(msg, Some(deadline)))
    }

    /// True when no message is buffered (always for a rendezvous channel).
    ///
    /// ```
    /// let (s, _r) = channel_select::unbounded::<i32>();
    /// assert!(s.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.flavor().is_empty()
    }

    /// True when a send would block (always for a rendezvous channel).
    ///
    /// ```
    /// let (s, _r) = channel_select::bounded(1);
    /// s.send(()).unwrap();
    /// assert!(s.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.flavor().is_full()
    }

    /// The number of buffered messages.
    ///
    /// ```
    /// let (s, _r) = channel_select::unbounded();
    /// s.send(1).unwrap();
    /// assert_eq!(s.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.flavor().len()
    }

    /// The capacity: `Some(cap)` for `bounded(cap)`, `None` for `unbounded()`.
    ///
    /// ```
    /// assert_eq!(channel_select::bounded::<u8>(0).0.capacity(), Some(0));
    /// assert_eq!(channel_select::unbounded::<u8>().0.capacity(), None);
    /// ```
    pub fn capacity(&self) -> Option<usize> {
        self.flavor().capacity()
    }

    /// True if both handles belong to the same channel.
    ///
    /// ```
    /// let (s, _r) = channel_select::unbounded::<()>();
    /// let (t, _q) = channel_select::unbounded::<()>();
    /// assert!(s.same_channel(&s.clone()));
    /// assert!(!s.same_channel(&t));
    /// ```
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        self.addr() == other.addr()
    }

    /// True once the channel is disconnected: every receiver is gone, or it was closed.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded::<()>();
    /// assert!(!s.is_disconnected());
    /// drop(r);
    /// assert!(s.is_disconnected());
    /// ```
    pub fn is_disconnected(&self) -> bool {
        self.flavor().is_disconnected()
    }

    /// The number of live senders of this channel.
    ///
    /// ```
    /// let (s, _r) = channel_select::unbounded::<()>();
    /// let s2 = s.clone();
    /// assert_eq!(s2.sender_count(), 2);
    /// ```
    pub fn sender_count(&self) -> usize {
        self.counts().0.load(Ordering::Relaxed)
    }

    /// The number of live receivers of this channel.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded::<()>();
    /// let _r2 = r.clone();
    /// assert_eq!(s.receiver_count(), 2);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.counts().1.load(Ordering::Relaxed)
    }

    /// Disconnects the channel for everyone now. Later sends fail and hand the message
    /// back; receivers still get what was buffered, then see the disconnection.
    /// Returns `true` for the call that closed it.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded();
    /// s.send(1).unwrap();
    /// assert!(s.close());
    /// assert!(!s.close());
    /// assert_eq!(s.send(2).unwrap_err().into_inner(), 2);
    /// assert_eq!(r.recv(), Ok(1));
    /// assert!(r.recv().is_err());
    /// ```
    pub fn close(&self) -> bool {
        self.flavor().disconnect()
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if release(self.counts().0) {
            self.flavor().disconnect();
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        acquire(self.counts().0);
        let flavor = match &self.flavor {
            SenderFlavor::Array(c) => SenderFlavor::Array(c.clone()),
            SenderFlavor::List(c) => SenderFlavor::List(c.clone()),
            SenderFlavor::Zero(c) => SenderFlavor::Zero(c.clone()),
        };
        Sender { flavor }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Sender { .. }")
    }
}

impl<T> Receiver<T> {
    /// This handle's flavor, for the calls that need no static dispatch.
    #[inline]
    pub(crate) fn flavor(&self) -> &dyn RecvFlavor<T> {
        with_receiver!(self, c => c)
    }

    /// The handle counts; `None` for `never()`, which has no shared state.
    fn counts(&self) -> Option<(&AtomicUsize, &AtomicUsize)> {
        match &self.flavor {
            ReceiverFlavor::Array(c) => Some((&c.senders, &c.receivers)),
            ReceiverFlavor::List(c) => Some((&c.senders, &c.receivers)),
            ReceiverFlavor::Zero(c) => Some((&c.senders, &c.receivers)),
            ReceiverFlavor::At(c) => Some((&c.senders, &c.receivers)),
            ReceiverFlavor::Tick(c) => Some((&c.senders, &c.receivers)),
            ReceiverFlavor::Never(_) => None,
        }
    }

    /// The channel's identity: equal for every handle of one channel (0 for `never()`).
    pub(crate) fn addr(&self) -> usize {
        match &self.flavor {
            ReceiverFlavor::Array(c) => Arc::as_ptr(c) as usize,
            ReceiverFlavor::List(c) => Arc::as_ptr(c) as usize,
            ReceiverFlavor::Zero(c) => Arc::as_ptr(c) as usize,
            ReceiverFlavor::At(c) => Arc::as_ptr(c) as usize,
            ReceiverFlavor::Tick(c) => Arc::as_ptr(c) as usize,
            ReceiverFlavor::Never(_) => 0,
        }
    }

    /// Receives a message without blocking.
    ///
    /// `Err(Empty)` when nothing is buffered now; `Err(Disconnected)` when nothing is
    /// buffered and the channel is disconnected.
    ///
    /// ```
    /// use channel_select::{unbounded, TryRecvError};
    /// let (s, r) = unbounded();
    /// assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    /// s.send(5).unwrap();
    /// drop(s);
    /// assert_eq!(r.try_recv(), Ok(5));
    /// assert_eq!(r.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        with_receiver!(self, c => c.try_recv())
    }

    /// Receives a message, blocking until one arrives.
    ///
    /// Fails once the channel is empty and disconnected: messages sent before the
    /// disconnection are still received first.
    ///
    /// ```
    /// use channel_select::{unbounded, RecvError};
    /// let (s, r) = unbounded();
    /// s.send(1).unwrap();
    /// drop(s);
    /// assert_eq!(r.recv(), Ok(1));
    /// assert_eq!(r.recv(), Err(RecvError));
    /// ```
    pub fn recv(&self) -> Result<T, RecvError> {
        with_receiver!(self, c => c.recv(None)).map_err(|e| match e {
            RecvTimeoutError::Disconnected => RecvError,
            RecvTimeoutError::Timeout => unreachable!("recv without deadline timed out"),
        })
    }

    /// Receives a message, blocking at most `timeout`.
    ///
    /// ```
    /// use channel_select::{unbounded, RecvTimeoutError};
    /// use std::time::Duration;
    /// let (_s, r) = unbounded::<i32>();
    /// assert_eq!(r.recv_timeout(Duration::from_millis(10)), Err(RecvTimeoutError::Timeout));
    /// ```
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        with_receiver!(self, c => c.recv(deadline_after(timeout)))
    }

    /// Receives a message, blocking at most until `deadline`.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let (s, r) = channel_select::unbounded();
    /// s.send(1).unwrap();
    /// assert_eq!(r.recv_deadline(Instant::now() + Duration::from_secs(1)), Ok(1));
    /// ```
    pub fn recv_deadline(&self, deadline: Instant) -> Result<T, RecvTimeoutError> {
        with_receiver!(self, c => c.recv(Some(deadline)))
    }

    /// Blocks for the first message, then appends what else is ready, at most `max`
    /// messages in all; returns how many it appended. `max == 0` returns `Ok(0)` at once.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded();
    /// for i in 0..5 { s.send(i).unwrap(); }
    /// let mut buf = Vec::new();
    /// assert_eq!(r.recv_many(&mut buf, 3), Ok(3));
    /// assert_eq!(r.recv_many(&mut buf, 10), Ok(2));
    /// assert_eq!(buf, [0, 1, 2, 3, 4]);
    /// ```
    pub fn recv_many(&self, buf: &mut Vec<T>, max: usize) -> Result<usize, RecvError> {
        if max == 0 {
            return Ok(0);
        }
        buf.push(self.recv()?);
        Ok(1 + self.drain_into(buf, max - 1))
    }

    /// Appends the messages ready now, at most `max`, without blocking; returns how
    /// many. `Err(Empty)` when none is ready, `Err(Disconnected)` when none is ready
    /// and the channel is disconnected. `max == 0` returns `Ok(0)`.
    ///
    /// ```
    /// use channel_select::TryRecvError;
    /// let (s, r) = channel_select::bounded(4);
    /// let mut buf = Vec::new();
    /// assert_eq!(r.try_recv_many(&mut buf, 4), Err(TryRecvError::Empty));
    /// s.send('a').unwrap();
    /// s.send('b').unwrap();
    /// assert_eq!(r.try_recv_many(&mut buf, 4), Ok(2));
    /// assert_eq!(buf, ['a', 'b']);
    /// ```
    pub fn try_recv_many(&self, buf: &mut Vec<T>, max: usize) -> Result<usize, TryRecvError> {
        if max == 0 {
            return Ok(0);
        }
        buf.push(self.try_recv()?);
        Ok(1 + self.drain_into(buf, max - 1))
    }

    /// Appends up to `max` ready messages to `buf`.
    fn drain_into(&self, buf: &mut Vec<T>, max: usize) -> usize {
        let flavor = self.flavor();
        let mut n = 0;
        while n < max {
            match flavor.try_recv() {
                Ok(m) => buf.push(m),
                Err(_) => break,
            }
            n += 1;
        }
        n
    }

    /// An iterator that blocks for each message and ends when the channel is empty and
    /// disconnected.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded();
    /// std::thread::spawn(move || for i in 1..=3 { s.send(i).unwrap() });
    /// assert_eq!(r.iter().collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { receiver: self }
    }

    /// An iterator over the messages ready now; it ends at the first that is not.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded();
    /// s.send(1).unwrap();
    /// s.send(2).unwrap();
    /// assert_eq!(r.try_iter().sum::<i32>(), 3);
    /// ```
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter {
            receiver: self,
            done: false,
        }
    }

    /// True when no message is buffered.
    ///
    /// ```
    /// let (_s, r) = channel_select::unbounded::<()>();
    /// assert!(r.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.flavor().is_empty()
    }

    /// True when the buffer is full (always for a rendezvous channel).
    ///
    /// ```
    /// let (s, r) = channel_select::bounded(1);
    /// s.send(()).unwrap();
    /// assert!(r.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.flavor().is_full()
    }

    /// The number of buffered messages.
    ///
    /// ```
    /// let (s, r) = channel_select::bounded(3);
    /// s.send(1).unwrap();
    /// s.send(2).unwrap();
    /// assert_eq!(r.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.flavor().len()
    }

    /// The capacity: `Some(cap)` for `bounded(cap)`, `None` for `unbounded()`; timers
    /// report `Some(1)`, `never()` `Some(0)`.
    ///
    /// ```
    /// assert_eq!(channel_select::bounded::<u8>(7).1.capacity(), Some(7));
    /// ```
    pub fn capacity(&self) -> Option<usize> {
        self.flavor().capacity()
    }

    /// True if both handles belong to the same channel (any two `never()` receivers are).
    ///
    /// ```
    /// let (_s, r) = channel_select::unbounded::<()>();
    /// assert!(r.same_channel(&r.clone()));
    /// assert!(channel_select::never::<()>().same_channel(&channel_select::never()));
    /// ```
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        match (&self.flavor, &other.flavor) {
            (ReceiverFlavor::Never(_), ReceiverFlavor::Never(_)) => true,
            _ => self.addr() == other.addr(),
        }
    }

    /// True once the channel is disconnected (every sender gone, or closed), even with
    /// messages still buffered. A timer receiver is never disconnected.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded();
    /// s.send(1).unwrap();
    /// drop(s);
    /// assert!(r.is_disconnected());
    /// assert_eq!(r.recv(), Ok(1));
    /// ```
    pub fn is_disconnected(&self) -> bool {
        self.flavor().is_disconnected()
    }

    /// The number of live senders (0 for timers and `never()`).
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded::<()>();
    /// drop(s);
    /// assert_eq!(r.sender_count(), 0);
    /// ```
    pub fn sender_count(&self) -> usize {
        self.counts().map_or(0, |c| c.0.load(Ordering::Relaxed))
    }

    /// The number of live receivers (1 for `never()`, which shares no state).
    ///
    /// ```
    /// let (_s, r) = channel_select::unbounded::<()>();
    /// assert_eq!(r.clone().receiver_count(), 2);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.counts().map_or(1, |c| c.1.load(Ordering::Relaxed))
    }

    /// Disconnects the channel for everyone now: later sends fail and hand the
    /// message back; receivers still drain what was buffered, then see the
    /// disconnection. Returns `true` for the call that closed it. Timers and `never()`
    /// cannot be closed (returns `false`).
    ///
    /// ```
    /// let (s, r) = channel_select::bounded(2);
    /// s.send(1).unwrap();
    /// assert!(r.close());
    /// assert!(s.send(2).is_err());
    /// assert_eq!(r.recv(), Ok(1));
    /// assert!(r.recv().is_err());
    /// ```
    pub fn close(&self) -> bool {
        self.flavor().disconnect()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Some((_, receivers)) = self.counts() {
            if release(receivers) {
                self.flavor().disconnect();
            }
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        if let Some((_, receivers)) = self.counts() {
            acquire(receivers);
        }
        let flavor = match &self.flavor {
            ReceiverFlavor::Array(c) => ReceiverFlavor::Array(c.clone()),
            ReceiverFlavor::List(c) => ReceiverFlavor::List(c.clone()),
            ReceiverFlavor::Zero(c) => ReceiverFlavor::Zero(c.clone()),
            ReceiverFlavor::At(c) => ReceiverFlavor::At(c.clone()),
            ReceiverFlavor::Tick(c) => ReceiverFlavor::Tick(c.clone()),
            ReceiverFlavor::Never(_) => ReceiverFlavor::Never(never::Channel::new()),
        };
        Receiver { flavor }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Receiver { .. }")
    }
}

/// A blocking iterator over a receiver's messages: see [`Receiver::iter`].
///
/// ```
/// let (s, r) = channel_select::unbounded();
/// s.send(1).unwrap();
/// drop(s);
/// let it: channel_select::Iter<'_, i32> = r.iter();
/// assert_eq!(it.collect::<Vec<_>>(), [1]);
/// ```
pub struct Iter<'a, T> {
    receiver: &'a Receiver<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.receiver.recv().ok()
    }
}

impl<T> core::iter::FusedIterator for Iter<'_, T> {}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Iter { .. }")
    }
}

/// A non-blocking iterator over the ready messages: see [`Receiver::try_iter`].
/// Once it returns `None` it stays ended.
///
/// ```
/// let (s, r) = channel_select::unbounded();
/// s.send(1).unwrap();
/// let mut it: channel_select::TryIter<'_, i32> = r.try_iter();
/// assert_eq!(it.next(), Some(1));
/// assert_eq!(it.next(), None);
/// s.send(2).unwrap();
/// assert_eq!(it.next(), None); // fused
/// ```
pub struct TryIter<'a, T> {
    receiver: &'a Receiver<T>,
    /// Set at the first `None`.
    done: bool,
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        if self.done {
            return None;
        }
        let msg = self.receiver.try_recv().ok();
        self.done = msg.is_none();
        msg
    }
}

impl<T> core::iter::FusedIterator for TryIter<'_, T> {}

impl<T> fmt::Debug for TryIter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("TryIter { .. }")
    }
}

/// An owning blocking iterator: see `impl IntoIterator for Receiver`.
///
/// ```
/// let (s, r) = channel_select::unbounded();
/// s.send("x").unwrap();
/// drop(s);
/// let it: channel_select::IntoIter<&str> = r.into_iter();
/// assert_eq!(it.collect::<Vec<_>>(), ["x"]);
/// ```
pub struct IntoIter<T> {
    receiver: Receiver<T>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.receiver.recv().ok()
    }
}

impl<T> core::iter::FusedIterator for IntoIter<T> {}

impl<T> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("IntoIter { .. }")
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> IntoIter<T> {
        IntoIter { receiver: self }
    }
}
