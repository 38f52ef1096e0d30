//! A receiver as a `Stream` ([`RecvStream`]) and a sender as a `Sink` ([`SendSink`]),
//! each borrowing its handle or owning it (`into_stream`, `into_sink`).
//!
//! Both poll the same one-operation selections as the futures of `future.rs`, with the
//! same cancel safety: a stream dropped between items loses no message, a sink dropped
//! with an item in flight drops that item (it is never delivered).

use crate::channel::{Receiver, Sender};
use crate::errors::SendError;
use crate::select::{LazyPending, Pending};
use core::fmt;
use core::ops::Deref;
use core::pin::Pin;
use futures_core::stream::{FusedStream, Stream};
use futures_sink::Sink;
use std::task::{Context as TaskContext, Poll};

/// A handle, borrowed or owned.
enum Handle<'a, H> {
    /// Borrowed: `stream()`, `sink()`.
    Borrowed(&'a H),
    /// Owned: `into_stream()`, `into_sink()`.
    Owned(H),
}

impl<H> Deref for Handle<'_, H> {
    type Target = H;
    fn deref(&self) -> &H {
        match self {
            Handle::Borrowed(h) => h,
            Handle::Owned(h) => h,
        }
    }
}

/// The messages of a receiver as a [`Stream`]: see [`Receiver::stream`].
///
/// It ends (`None`, and `is_terminated()` from then on) once the channel is
/// disconnected and drained. It is `Unpin` and `Send` when `T: Send`; dropping it
/// between items never loses a message.
///
/// ```
/// use futures::StreamExt;
/// # futures::executor::block_on(async {
/// let (s, r) = channel_select::unbounded();
/// s.send(1).unwrap();
/// drop(s);
/// let mut stream: channel_select::RecvStream<'_, i32> = r.stream();
/// assert_eq!(stream.next().await, Some(1));
/// assert_eq!(stream.next().await, None);
/// # });
/// ```
pub struct RecvStream<'a, T> {
    /// The receiver.
    receiver: Handle<'a, Receiver<T>>,
    /// The wait in progress, once an item could not be had at once.
    pending: LazyPending,
    /// The channel was found disconnected and drained.
    ended: bool,
}

/// A sender as a [`Sink`]: see [`Sender::sink`].
///
/// `start_send` keeps the item; `poll_ready`, `poll_flush` and `poll_close` send it,
/// waiting for room as `send_async` does, and fail with [`SendError`] (the item handed
/// back) once the channel is disconnected. `poll_close` does not close the channel:
/// dropping the last sender does, or [`Sender::close`]. Dropping the sink with an item
/// still in flight drops that item.
///
/// ```
/// use futures::SinkExt;
/// # futures::executor::block_on(async {
/// let (s, r) = channel_select::bounded(1);
/// let mut sink: channel_select::SendSink<'_, i32> = s.sink();
/// sink.send(5).await.unwrap();
/// assert_eq!(r.try_recv(), Ok(5));
/// # });
/// ```
pub struct SendSink<'a, T> {
    /// The sender.
    sender: Handle<'a, Sender<T>>,
    /// The item in flight, until sent.
    msg: Option<T>,
    /// The wait in progress, once an item could not be sent at once.
    pending: LazyPending,
}

impl<T> Receiver<T> {
    /// The messages as a [`Stream`], borrowing the receiver.
    ///
    /// ```
    /// use futures::StreamExt;
    /// # futures::executor::block_on(async {
    /// let (s, r) = channel_select::bounded(2);
    /// std::thread::spawn(move || (1..=3).for_each(|i| s.send(i).unwrap()));
    /// assert_eq!(r.stream().collect::<Vec<_>>().await, [1, 2, 3]);
    /// # });
    /// ```
    pub fn stream(&self) -> RecvStream<'_, T> {
        RecvStream::new(Handle::Borrowed(self))
    }

    /// The messages as a [`Stream`] that owns the receiver (`'static`, so it can be
    /// moved into a spawned task).
    ///
    /// ```
    /// use futures::StreamExt;
    /// # futures::executor::block_on(async {
    /// let (s, r) = channel_select::unbounded();
    /// s.send('a').unwrap();
    /// drop(s);
    /// let stream: channel_select::RecvStream<'static, char> = r.into_stream();
    /// assert_eq!(stream.collect::<String>().await, "a");
    /// # });
    /// ```
    pub fn into_stream(self) -> RecvStream<'static, T> {
        RecvStream::new(Handle::Owned(self))
    }
}

impl<T> Sender<T> {
    /// The sender as a [`Sink`], borrowing it.
    ///
    /// ```
    /// use futures::{stream, SinkExt, StreamExt};
    /// # futures::executor::block_on(async {
    /// let (s, r) = channel_select::unbounded();
    /// let mut items = stream::iter([1, 2, 3]).map(Ok);
    /// s.sink().send_all(&mut items).await.unwrap();
    /// assert_eq!(r.try_iter().collect::<Vec<_>>(), [1, 2, 3]);
    /// # });
    /// ```
    pub fn sink(&self) -> SendSink<'_, T> {
        SendSink::new(Handle::Borrowed(self))
    }

    /// The sender as a [`Sink`] that owns it (`'static`, so it can be moved into a
    /// spawned task; the channel disconnects when the last sender, this one included,
    /// is dropped).
    ///
    /// ```
    /// use futures::SinkExt;
    /// # futures::executor::block_on(async {
    /// let (s, r) = channel_select::unbounded();
    /// let mut sink: channel_select::SendSink<'static, u8> = s.into_sink();
    /// sink.send(1).await.unwrap();
    /// drop(sink);
    /// assert_eq!(r.recv(), Ok(1));
    /// assert!(r.recv().is_err()); // disconnected
    /// # });
    /// ```
    pub fn into_sink(self) -> SendSink<'static, T> {
        SendSink::new(Handle::Owned(self))
    }
}

impl<'a, T> RecvStream<'a, T> {
    fn new(receiver: Handle<'a, Receiver<T>>) -> Self {
        RecvStream {
            receiver,
            pending: LazyPending::new(),
            ended: false,
        }
    }
}

impl<'a, T> SendSink<'a, T> {
    fn new(sender: Handle<'a, Sender<T>>) -> Self {
        SendSink {
            sender,
            msg: None,
            pending: LazyPending::new(),
        }
    }

    /// The item in flight waits in the channel (parked, or offered to a receiver).
    fn offered(&self) -> bool {
        self.pending.get().is_some_and(Pending::offered)
    }

    /// Sends the item in flight, if any.
    fn poll_sent(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), SendError<T>>> {
        if self.msg.is_none() && !self.offered() {
            return Poll::Ready(Ok(()));
        }
        self.sender.poll_send(&mut self.pending, &mut self.msg, cx)
    }
}

impl<T> Stream for RecvStream<'_, T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        this.receiver.poll_recv(&mut this.pending, cx).map(|res| {
            this.ended = res.is_err();
            res.ok()
        })
    }
}

impl<T> FusedStream for RecvStream<'_, T> {
    fn is_terminated(&self) -> bool {
        self.ended
    }
}

impl<T> Sink<T> for SendSink<'_, T> {
    type Error = SendError<T>;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.get_mut().poll_sent(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: T) -> Result<(), Self::Error> {
        let this = self.get_mut();
        assert!(
            this.msg.is_none() && !this.offered(),
            "`SendSink::start_send` called before `poll_ready` returned `Ready(Ok(()))`"
        );
        this.msg = Some(item);
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.get_mut().poll_sent(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.get_mut().poll_sent(cx)
    }
}

impl<T> Drop for RecvStream<'_, T> {
    fn drop(&mut self) {
        self.receiver.cancel_recv(&mut self.pending);
    }
}

impl<T> Drop for SendSink<'_, T> {
    fn drop(&mut self) {
        self.sender.cancel_send(&mut self.pending);
    }
}

// The item is never pinned: it is moved into the channel by value.
impl<T> Unpin for SendSink<'_, T> {}

impl<T> fmt::Debug for RecvStream<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("RecvStream { .. }")
    }
}

impl<T> fmt::Debug for SendSink<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("SendSink { .. }")
    }
}
