//! The futures of a selection: [`SelectFuture`], [`SelectTimeoutFuture`] and
//! [`ReadyFuture`], over the operations of a `Select` (or of `select_async!`'s array),
//! driven by `Pending`.

use super::pending::Pending;
use super::protocol::{Op, Timeout};
use super::selected::{selected, SelectedOperation};
use crate::errors::SelectTimeoutError;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use std::task::{Context as TaskContext, Poll};

/// A selection being polled: the operations it borrows and where it stands.
struct Polled<'s, 'a> {
    /// The operations (they stay put while the future lives: it borrows them).
    ops: &'s mut [Op<'a>],
    /// How long it may wait.
    timeout: Timeout,
    /// Take the first ready operation in order.
    biased: bool,
    /// A `ready` selection (it watches, and claims nothing).
    ready: bool,
    /// The wait in progress.
    pending: Pending,
}

impl<'s, 'a> Polled<'s, 'a> {
    fn new(ops: &'s mut [Op<'a>], timeout: Timeout, biased: bool, ready: bool) -> Self {
        Polled {
            ops,
            timeout,
            biased,
            ready,
            pending: Pending::new(),
        }
    }

    /// The selected operation, or `None` once the timeout passed.
    fn poll_select(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<SelectedOperation<'a>>> {
        let waker = cx.waker();
        let ops = &mut *self.ops;
        self.pending
            .poll_select(ops, self.timeout, self.biased, waker)
            .map(|won| {
                let token = core::mem::take(&mut self.pending.token);
                won.and_then(|i| selected((token, self.ops[i])))
            })
    }

    /// The index of a ready operation, or `None` once the timeout passed.
    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<usize>> {
        self.pending.poll_ready(self.ops, self.timeout, cx.waker())
    }
}

impl Drop for Polled<'_, '_> {
    fn drop(&mut self) {
        self.pending.cancel(self.ops);
    }
}

// SAFETY: as for `Select` (see there): the borrowed operations only reach the channels'
// synchronized, message-free selection steps; a message leaves a channel only through
// the `SelectedOperation` the future returns, which is neither `Send` nor `Sync`.
unsafe impl Send for Polled<'_, '_> {}
// SAFETY: as above; a shared reference gives access to nothing.
unsafe impl Sync for Polled<'_, '_> {}

/// The future of [`Select::select_async`](crate::Select::select_async): the blocking
/// `select()`, awaited. Complete the operation it returns as after `select()`.
///
/// Dropping it before it completes loses no message: a wake-up it was given and did not
/// use passes to another waiter. It is `Unpin` and `Send`.
///
/// ```
/// # futures::executor::block_on(async {
/// let (s, r) = channel_select::unbounded();
/// s.send(1).unwrap();
/// let mut sel = channel_select::Select::new();
/// sel.recv(&r);
/// let fut: channel_select::SelectFuture<'_, '_> = sel.select_async();
/// assert_eq!(fut.await.recv(&r), Ok(1));
/// # });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct SelectFuture<'s, 'a>(Polled<'s, 'a>);

/// The future of [`Select::select_timeout_async`](crate::Select::select_timeout_async):
/// the selected operation, or [`SelectTimeoutError`] once the timeout passed with
/// nothing ready.
///
/// ```
/// # futures::executor::block_on(async {
/// use std::time::Duration;
/// let (_s, r) = channel_select::unbounded::<i32>();
/// let mut sel = channel_select::Select::new();
/// sel.recv(&r);
/// let fut: channel_select::SelectTimeoutFuture<'_, '_> =
///     sel.select_timeout_async(Duration::from_millis(5));
/// assert!(fut.await.is_err());
/// # });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct SelectTimeoutFuture<'s, 'a>(Polled<'s, 'a>);

/// The future of [`Select::ready_async`](crate::Select::ready_async): the index of an
/// operation that is ready (the blocking `ready()`, awaited).
///
/// ```
/// # futures::executor::block_on(async {
/// let (s, r) = channel_select::unbounded();
/// std::thread::spawn(move || s.send(1).unwrap());
/// let mut sel = channel_select::Select::new();
/// let i = sel.recv(&r);
/// let fut: channel_select::ReadyFuture<'_, '_> = sel.ready_async();
/// assert_eq!(fut.await, i);
/// assert_eq!(r.recv(), Ok(1));
/// # });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct ReadyFuture<'s, 'a>(Polled<'s, 'a>);

impl<'s, 'a> SelectFuture<'s, 'a> {
    pub(super) fn new(ops: &'s mut [Op<'a>], biased: bool) -> Self {
        assert!(
            !ops.is_empty(),
            "`Select::select_async` called with no operations: it would wait forever"
        );
        SelectFuture(Polled::new(ops, Timeout::Never, biased, false))
    }
}

impl<'s, 'a> SelectTimeoutFuture<'s, 'a> {
    pub(super) fn new(ops: &'s mut [Op<'a>], timeout: Timeout, biased: bool) -> Self {
        SelectTimeoutFuture(Polled::new(ops, timeout, biased, false))
    }
}

impl<'s, 'a> ReadyFuture<'s, 'a> {
    pub(super) fn new(ops: &'s mut [Op<'a>], biased: bool) -> Self {
        assert!(
            !ops.is_empty(),
            "`Select::ready_async` called with no operations: it would wait forever"
        );
        if !biased {
            super::protocol::shuffle(ops);
        }
        ReadyFuture(Polled::new(ops, Timeout::Never, biased, true))
    }
}

impl<'a> Future for SelectFuture<'_, 'a> {
    type Output = SelectedOperation<'a>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        self.get_mut()
            .0
            .poll_select(cx)
            .map(|op| op.expect("a selection without timeout ended"))
    }
}

impl<'a> Future for SelectTimeoutFuture<'_, 'a> {
    type Output = Result<SelectedOperation<'a>, SelectTimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        self.get_mut()
            .0
            .poll_select(cx)
            .map(|op| op.ok_or(SelectTimeoutError))
    }
}

impl Future for ReadyFuture<'_, '_> {
    type Output = usize;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<usize> {
        let polled = &mut self.get_mut().0;
        debug_assert!(polled.ready);
        polled
            .poll_ready(cx)
            .map(|i| i.expect("ready without timeout ended"))
    }
}

/// Debug for each future: the number of operations.
macro_rules! debug_by_count {
    ($($name:ident),*) => {$(
        impl fmt::Debug for $name<'_, '_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("operations", &self.0.ops.len())
                    .finish()
            }
        }
    )*};
}
debug_by_count!(SelectFuture, SelectTimeoutFuture, ReadyFuture);
