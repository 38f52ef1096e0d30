//! The futures of one send or receive: [`SendFuture`] and [`RecvFuture`].
//!
//! Each is a selection of one operation driven by polls (`select::Pending`): the poll
//! tries the operation, and if it cannot proceed registers the task's context in the
//! channel's wait list, where a blocked thread would register its own (on a channel of
//! fewer than 64 slots, after the blocked calls' short spin, a few hundred
//! nanoseconds, unless the peer it waits for is a task this thread woke and that has
//! not run since: see `Queued::spin_for_peer`); whoever wakes
//! threads wakes tasks the same way. A message only leaves the channel in the poll
//! that returns it, so dropping a `RecvFuture` never loses one; a dropped future that
//! had been woken passes the wake-up on. A `SendFuture` dropped before it completed
//! drops its message: it is never delivered afterwards.

use crate::channel::{
    with_receiver, with_sender, Receiver, ReceiverFlavor, Sender, SenderFlavor, Shared,
};
use crate::errors::{RecvError, SendError};
use crate::flavors::queued::quick;
use crate::flavors::{RecvSide, SendSide};
use crate::select::{LazyPending, Pending};
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use std::task::{Context as TaskContext, Poll};

/// The future of [`Sender::send_async`]: completes once the message is sent, or
/// hands it back if the channel is disconnected.
///
/// It is `Unpin` and `Send` when `T: Send`. Dropping it before it completes drops the
/// message, which is then never delivered.
///
/// ```
/// # futures::executor::block_on(async {
/// let (s, r) = channel_select::bounded(1);
/// let send: channel_select::SendFuture<'_, i32> = s.send_async(1);
/// send.await.unwrap();
/// assert_eq!(r.recv_async().await, Ok(1));
/// # });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct SendFuture<'a, T> {
    /// The channel.
    sender: &'a Sender<T>,
    /// The message, until it is sent or handed back.
    msg: Option<T>,
    /// The wait in progress, set up only once a poll cannot complete at once: a send
    /// that completes in its first poll never sets one up.
    pending: LazyPending,
}

/// The future of [`Receiver::recv_async`]: the next message, or `RecvError` once the
/// channel is empty and disconnected.
///
/// It is `Unpin` and `Send` when `T: Send`. Dropping it never loses a message: one is
/// either returned by a completed poll or stays in the channel.
///
/// ```
/// # futures::executor::block_on(async {
/// let (s, r) = channel_select::unbounded();
/// s.send("hi").unwrap();
/// let recv: channel_select::RecvFuture<'_, &str> = r.recv_async();
/// assert_eq!(recv.await, Ok("hi"));
/// # });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct RecvFuture<'a, T> {
    /// The channel.
    receiver: &'a Receiver<T>,
    /// The wait in progress, set up only once a poll cannot complete at once (as for
    /// `SendFuture`).
    pending: LazyPending,
}

impl<T> Sender<T> {
    /// Sends `msg` from async code: the future completes once the message is in the
    /// channel (taken by a receiver, for `bounded(0)`), or fails, handing the message
    /// back, once the channel is disconnected.
    ///
    /// Blocking and async senders and receivers mix freely on one channel.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (s, r) = channel_select::bounded(0);
    /// let receiver = std::thread::spawn(move || r.recv().unwrap()); // a blocking peer
    /// s.send_async(42).await.unwrap();
    /// assert_eq!(receiver.join().unwrap(), 42);
    /// # });
    /// ```
    pub fn send_async(&self, msg: T) -> SendFuture<'_, T> {
        SendFuture {
            sender: self,
            msg: Some(msg),
            pending: LazyPending::new(),
        }
    }

    /// Polls a send of `msg` (see `SendSide::poll_send`).
    ///
    /// A buffered channel's quick case (room there now, no wait in progress) is
    /// inlined into the future's poll, as in the blocking `send`; the rest is one call.
    #[inline]
    pub(crate) fn poll_send(
        &self,
        pending: &mut LazyPending,
        msg: &mut Option<T>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Result<(), SendError<T>>> {
        if quick::<T>() && pending.is_clear() {
            let m = msg.take().expect("a send polled after it completed");
            let res = match &self.flavor {
                SenderFlavor::Array(c) => c.sending().send_now(m),
                SenderFlavor::List(c) => c.sending().send_now(m),
                SenderFlavor::Zero(_) => Err(m),
            };
            match res {
                Ok(()) => return Poll::Ready(Ok(())),
                Err(m) => *msg = Some(m),
            }
        }
        self.poll_send_slow(pending, msg, cx)
    }

    /// `poll_send` past its quick case.
    #[inline(never)]
    fn poll_send_slow(
        &self,
        pending: &mut LazyPending,
        msg: &mut Option<T>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Result<(), SendError<T>>> {
        with_sender!(self.flavor, c => c.sending().poll_send(pending, msg, cx.waker()))
            .map_err(SendError)
    }

    /// Leaves a send's wait (its future is dropped); nothing to do (inlined) when it
    /// never waited.
    #[inline]
    pub(crate) fn cancel_send(&self, pending: &mut LazyPending) {
        if let Some(pending) = pending.get_mut().filter(|p| !p.is_clear()) {
            self.leave_send(pending);
        }
    }

    /// `cancel_send` of a wait in progress.
    #[inline(never)]
    fn leave_send(&self, pending: &mut Pending) {
        with_sender!(self.flavor, c => c.sending().cancel_send(pending));
    }
}

impl<T> Receiver<T> {
    /// Receives from async code: the future completes with the next message, or with
    /// `RecvError` once the channel is empty and disconnected. Timer receivers work
    /// too, on any executor (one shared timer thread serves their deadlines).
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (s, r) = channel_select::unbounded();
    /// std::thread::spawn(move || s.send(7).unwrap()); // a blocking peer
    /// assert_eq!(r.recv_async().await, Ok(7));
    /// assert!(r.recv_async().await.is_err()); // the sender is gone
    /// let t = channel_select::after(std::time::Duration::from_millis(1));
    /// assert!(t.recv_async().await.is_ok());
    /// # });
    /// ```
    pub fn recv_async(&self) -> RecvFuture<'_, T> {
        RecvFuture {
            receiver: self,
            pending: LazyPending::new(),
        }
    }

    /// Polls a receive (see `RecvSide::poll_recv`).
    ///
    /// A buffered channel's quick case (a message there, no wait in progress) is
    /// inlined into the future's poll, as in the blocking `recv`; the rest is one call.
    #[inline]
    pub(crate) fn poll_recv(
        &self,
        pending: &mut LazyPending,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Result<T, RecvError>> {
        if quick::<T>() && pending.is_clear() {
            let msg = match &self.flavor {
                ReceiverFlavor::Array(c) => c.receiving().recv_now(),
                ReceiverFlavor::List(c) => c.receiving().recv_now(),
                _ => None,
            };
            if let Some(msg) = msg {
                return Poll::Ready(Ok(msg));
            }
        }
        self.poll_recv_slow(pending, cx)
    }

    /// `poll_recv` past its quick case.
    #[inline(never)]
    fn poll_recv_slow(
        &self,
        pending: &mut LazyPending,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Result<T, RecvError>> {
        with_receiver!(self.flavor, c => c.receiving().poll_recv(pending, cx.waker()))
            .map_err(|()| RecvError)
    }

    /// Leaves a receive's wait (its future or stream is dropped); nothing to do
    /// (inlined) when it never waited.
    #[inline]
    pub(crate) fn cancel_recv(&self, pending: &mut LazyPending) {
        if let Some(pending) = pending.get_mut().filter(|p| !p.is_clear()) {
            self.leave_recv(pending);
        }
    }

    /// `cancel_recv` of a wait in progress.
    #[inline(never)]
    fn leave_recv(&self, pending: &mut Pending) {
        with_receiver!(self.flavor, c => c.receiving().cancel_recv(pending));
    }
}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.sender.poll_send(&mut this.pending, &mut this.msg, cx)
    }
}

impl<T> Future for RecvFuture<'_, T> {
    type Output = Result<T, RecvError>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.receiver.poll_recv(&mut this.pending, cx)
    }
}

impl<T> Drop for SendFuture<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.sender.cancel_send(&mut self.pending);
    }
}

impl<T> Drop for RecvFuture<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.receiver.cancel_recv(&mut self.pending);
    }
}

// The message is never pinned: it is moved into the channel by value.
impl<T> Unpin for SendFuture<'_, T> {}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("SendFuture { .. }")
    }
}

impl<T> fmt::Debug for RecvFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("RecvFuture { .. }")
    }
}
