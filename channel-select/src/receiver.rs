//! The methods of [`Receiver`]: receiving (one, many, iterators), the channel's state,
//! its handles, `close`.

use crate::channel::{
    acquire, deadline_after, release, with_receiver, Receiver, ReceiverFlavor, Shared,
};
use crate::errors::{RecvError, RecvTimeoutError, TryRecvError};
use crate::flavors::queued::quick;
use crate::flavors::{Chan, RecvSide, SelectHandle};
use crate::iter::{Iter, TryIter};
use channel_core::sync::atomic::{AtomicUsize, Ordering};
use core::fmt;
use std::time::{Duration, Instant};

impl<T> Receiver<T> {
    /// The channel, for the calls that need no static dispatch.
    pub(crate) fn chan(&self) -> &dyn Chan {
        with_receiver!(self.flavor, c => c.chan())
    }

    /// The receiving side, as a selection sees it.
    pub(crate) fn select_handle(&self) -> &dyn SelectHandle {
        with_receiver!(self.flavor, c => c.receiving())
    }

    /// The handle counts; `None` for `never()`, which has no shared state.
    fn counts(&self) -> Option<(&AtomicUsize, &AtomicUsize)> {
        with_receiver!(self.flavor, c => c.counts())
    }

    /// The channel's identity: equal for every handle of one channel (0 for `never()`).
    pub(crate) fn addr(&self) -> usize {
        with_receiver!(self.flavor, c => c.addr())
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
    #[inline]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        // The buffered flavors' quick case inlined (see `recv`).
        match &self.flavor {
            ReceiverFlavor::Array(c) if quick::<T>() => {
                c.receiving().recv_quick(true, || self.try_recv_slow())
            }
            ReceiverFlavor::List(c) if quick::<T>() => {
                c.receiving().recv_quick(true, || self.try_recv_slow())
            }
            _ => self.try_recv_slow(),
        }
    }

    /// `try_recv` past its quick case.
    #[inline(never)]
    fn try_recv_slow(&self) -> Result<T, TryRecvError> {
        with_receiver!(self.flavor, c => c.receiving().try_recv())
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
    #[inline]
    pub fn recv(&self) -> Result<T, RecvError> {
        // A buffered channel's quick case (a message there, no contention) is inlined
        // into the caller; everything else (other flavors, waiting) is the out-of-line
        // `recv_slow`, so the quick case sets up no frame.
        match &self.flavor {
            ReceiverFlavor::Array(c) if quick::<T>() => {
                c.receiving().recv_quick(true, || self.recv_slow())
            }
            ReceiverFlavor::List(c) if quick::<T>() => {
                c.receiving().recv_quick(true, || self.recv_slow())
            }
            _ => self.recv_slow(),
        }
    }

    /// `recv` past its quick case.
    #[inline(never)]
    fn recv_slow(&self) -> Result<T, RecvError> {
        with_receiver!(self.flavor, c => c.receiving().recv(None)).map_err(|e| match e {
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
    #[inline]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        with_receiver!(self.flavor, c => c.receiving().recv(deadline_after(timeout)))
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
        with_receiver!(self.flavor, c => c.receiving().recv(Some(deadline)))
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
        with_receiver!(self.flavor, c => {
            let side = c.receiving();
            let mut n = 0;
            while n < max {
                match side.try_recv() {
                    Ok(m) => buf.push(m),
                    Err(_) => break,
                }
                n += 1;
            }
            n
        })
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
        self.chan().is_empty()
    }

    /// True when the buffer is full (always for a rendezvous channel).
    ///
    /// ```
    /// let (s, r) = channel_select::bounded(1);
    /// s.send(()).unwrap();
    /// assert!(r.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.chan().is_full()
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
        self.chan().len()
    }

    /// The capacity: `Some(cap)` for `bounded(cap)`, `None` for `unbounded()`; timers
    /// report `Some(1)`, `never()` `Some(0)`.
    ///
    /// ```
    /// assert_eq!(channel_select::bounded::<u8>(7).1.capacity(), Some(7));
    /// ```
    pub fn capacity(&self) -> Option<usize> {
        self.chan().capacity()
    }

    /// True if both handles belong to the same channel (any two `never()` receivers are).
    ///
    /// ```
    /// let (_s, r) = channel_select::unbounded::<()>();
    /// assert!(r.same_channel(&r.clone()));
    /// assert!(channel_select::never::<()>().same_channel(&channel_select::never()));
    /// ```
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        self.addr() == other.addr()
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
        self.chan().is_disconnected()
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
        self.chan().disconnect()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Some((_, receivers)) = self.counts() {
            if release(receivers) {
                self.chan().disconnect_receivers();
            }
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        if let Some((_, receivers)) = self.counts() {
            acquire(receivers);
        }
        Receiver {
            flavor: self.flavor.share(),
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Receiver { .. }")
    }
}
