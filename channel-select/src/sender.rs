//! The methods of [`Sender`]: sending, the channel's state, its handles, `close`.

use crate::channel::{acquire, deadline_after, release, with_sender, Sender, SenderFlavor, Shared};
use crate::errors::{SendError, SendTimeoutError, TrySendError};
use crate::flavors::queued::quick;
use crate::flavors::{Chan, SelectHandle, SendSide};
use channel_core::sync::atomic::{AtomicUsize, Ordering};
use core::fmt;
use std::time::{Duration, Instant};

impl<T> Sender<T> {
    /// The channel, for the calls that need no static dispatch.
    pub(crate) fn chan(&self) -> &dyn Chan {
        with_sender!(self.flavor, c => c.chan())
    }

    /// The sending side, as a selection sees it.
    pub(crate) fn select_handle(&self) -> &dyn SelectHandle {
        with_sender!(self.flavor, c => c.sending())
    }

    fn counts(&self) -> (&AtomicUsize, &AtomicUsize) {
        with_sender!(self.flavor, c => c.counts()).expect("a sender's channel is counted")
    }

    /// The channel's identity: equal for every handle of one channel.
    pub(crate) fn addr(&self) -> usize {
        with_sender!(self.flavor, c => c.addr())
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
    #[inline]
    pub fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        // As in `send`.
        let call: fn(&Self, T) -> Result<(), TrySendError<T>> = if quick::<T>() {
            Self::try_send_quick
        } else {
            Self::try_send_slow
        };
        call(self, msg)
    }

    /// The buffered flavors' quick case inlined (see `send_quick`).
    #[inline]
    fn try_send_quick(&self, msg: T) -> Result<(), TrySendError<T>> {
        match &self.flavor {
            SenderFlavor::Array(c) => c
                .sending()
                .send_quick(true, msg, |msg| self.try_send_slow(msg)),
            SenderFlavor::List(c) => c
                .sending()
                .send_quick(true, msg, |msg| self.try_send_slow(msg)),
            SenderFlavor::Zero(_) => self.try_send_slow(msg),
        }
    }

    /// `try_send` past its quick case.
    #[inline(never)]
    fn try_send_slow(&self, msg: T) -> Result<(), TrySendError<T>> {
        self.send_side().try_send(msg)
    }

    /// The sending side with its message type, behind one call: the message then
    /// passes through one call site here, not one per flavor (each is a stack slot
    /// for it in an unoptimized build). For the calls past the quick case only.
    fn send_side(&self) -> &dyn SendSide<T> {
        with_sender!(self.flavor, c => c.sending())
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
    #[inline]
    pub fn send(&self, msg: T) -> Result<(), SendError<T>> {
        // One call that the message passes through (each such call is a stack slot for
        // it in an unoptimized build); the choice is a constant of `T`.
        let call: fn(&Self, T) -> Result<(), SendError<T>> = if quick::<T>() {
            Self::send_quick
        } else {
            Self::send_slow
        };
        call(self, msg)
    }

    /// A buffered channel's quick case (room at once, no contention), inlined into the
    /// caller; everything else (other flavors, waiting) is the out-of-line
    /// `send_slow`, so the quick case sets up no frame.
    #[inline]
    fn send_quick(&self, msg: T) -> Result<(), SendError<T>> {
        match &self.flavor {
            SenderFlavor::Array(c) => c.sending().send_quick(true, msg, |msg| self.send_slow(msg)),
            SenderFlavor::List(c) => c.sending().send_quick(true, msg, |msg| self.send_slow(msg)),
            SenderFlavor::Zero(_) => self.send_slow(msg),
        }
    }

    /// `send` past its quick case.
    #[inline(never)]
    fn send_slow(&self, msg: T) -> Result<(), SendError<T>> {
        self.send_side().send(msg, None).map_err(|e| match e {
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
    #[inline]
    pub fn send_timeout(&self, msg: T, timeout: Duration) -> Result<(), SendTimeoutError<T>> {
        with_sender!(self.flavor, c => c.sending().send(msg, deadline_after(timeout)))
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
        with_sender!(self.flavor, c => c.sending().send(msg, Some(deadline)))
    }

    /// True when no message is buffered (always for a rendezvous channel).
    ///
    /// ```
    /// let (s, _r) = channel_select::unbounded::<i32>();
    /// assert!(s.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.chan().is_empty()
    }

    /// True when a send would block (always for a rendezvous channel).
    ///
    /// ```
    /// let (s, _r) = channel_select::bounded(1);
    /// s.send(()).unwrap();
    /// assert!(s.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.chan().is_full()
    }

    /// The number of buffered messages.
    ///
    /// ```
    /// let (s, _r) = channel_select::unbounded();
    /// s.send(1).unwrap();
    /// assert_eq!(s.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan().len()
    }

    /// The capacity: `Some(cap)` for `bounded(cap)`, `None` for `unbounded()`.
    ///
    /// ```
    /// assert_eq!(channel_select::bounded::<u8>(0).0.capacity(), Some(0));
    /// assert_eq!(channel_select::unbounded::<u8>().0.capacity(), None);
    /// ```
    pub fn capacity(&self) -> Option<usize> {
        self.chan().capacity()
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
        self.chan().is_disconnected()
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
        self.chan().disconnect()
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if release(self.counts().0) {
            self.chan().disconnect();
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        acquire(self.counts().0);
        Sender {
            flavor: self.flavor.share(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Sender { .. }")
    }
}
