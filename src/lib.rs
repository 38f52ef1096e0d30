//! Message-passing channels that can *select*: wait on several receivers, senders,
//! timeouts and disconnections at once.
//!
//! ```
//! use junction::{bounded, select, unbounded};
//! use std::time::Duration;
//!
//! let (jobs_tx, jobs) = unbounded();
//! let (done_tx, done) = bounded::<()>(0);
//! std::thread::spawn(move || {
//!     jobs_tx.send(21).unwrap();
//!     drop(done_tx); // disconnecting is a message too
//! });
//! let mut total = 0;
//! loop {
//!     select! {
//!         recv(jobs) -> job => if let Ok(j) = job { total += j * 2 },
//!         recv(done) -> _ => break,
//!         default(Duration::from_secs(5)) => panic!("stuck"),
//!     }
//! }
//! while let Ok(j) = jobs.try_recv() { total += j * 2 }
//! assert_eq!(total, 42);
//! ```
//!
//! The API is a superset of crossbeam-channel 0.5's: `use junction as crossbeam_channel;`
//! keeps such a program compiling and behaving the same. Beyond it: [`Receiver::recv_many`],
//! [`Receiver::try_recv_many`], `is_disconnected`, `sender_count`, `receiver_count`,
//! `close` on both ends, and weak handles ([`Sender::downgrade`], [`WeakSender`],
//! [`WeakReceiver`]) that refer to a channel without keeping it connected.
//!
//! Coming from the Rust book's channel chapter, two things differ from what it says of
//! `std::sync::mpsc`: [`unbounded`] is what `mpsc::channel()` is (a sender never blocks),
//! and the rendezvous channel is [`bounded`]`(0)`. [`Receiver::recv`] on an empty,
//! disconnected channel returns `Err(RecvError)`; only [`Receiver::try_recv`] tells
//! `Empty` from `Disconnected`.
#![deny(missing_docs)]

pub use channel_select::*;

/// Waits on several channel operations at once, completes the one that is ready and runs
/// its arm.
///
/// ```text
/// select! {
///     recv(r) -> msg => body,                // receive: `msg` is `Result<T, RecvError>`
///     send(s, value) -> res => body,         // send: `res` is `Result<(), SendError<T>>`
///     recv(r) -> msg, if condition => body,  // a guard (on `send` arms too)
///     default => body,                       // nothing is ready right now
///     default(timeout) => body,              // nothing got ready within `timeout`
/// }
/// ```
///
/// - `r` is any expression of type `Receiver<T>` or a reference to one (`r`, `&r`, `pair.1`,
///   `make_receiver()`, `opt.unwrap_or(&never())`), `s` likewise a `Sender<T>`.
/// - The pattern after `->` binds the operation's `Result` and must always match (`msg`,
///   `mut msg`, `_`); look inside it in the body.
/// - A body is an expression followed by a comma, or a block (also `if`, `match`, `loop`...)
///   whose comma is optional; the last arm's comma is optional too.
/// - `biased;` before the first arm makes the first ready arm win ([`select_biased!`] is
///   the same); `#[cfg(...)]` before an arm removes it when the predicate is false.
/// - There is at most one `default`, anywhere among the arms; it takes no guard. Any number
///   of other arms may be given, with the same handle in several of them.
///
/// `select!` is an expression: its value is the value of the body that ran.
///
/// # Which arm runs
///
/// `select!` blocks until one of its operations can complete, completes exactly that one
/// (no other channel is touched) and runs its body.
///
/// - **Fairness.** When several operations are ready, one is chosen uniformly at random,
///   so a busy channel cannot starve the others. With `biased;` or [`select_biased!`] the
///   first ready arm in source order wins instead.
/// - **Disconnection is readiness.** A `recv` arm on a channel whose senders are all gone
///   is ready once the buffer is empty and yields `Err(RecvError)`; a `send` arm on a
///   channel without receivers is ready and yields `Err(SendError(value))`, handing the
///   value back. A loop over a closed channel therefore wants a guard (below) or a `break`.
/// - **`default`** runs when no operation is ready at once, **`default(timeout)`** when
///   none becomes ready within `timeout` (a [`Duration`](std::time::Duration)). Either
///   runs only if there was an instant at which none of the operations could proceed:
///   a message that moves from one of the channels to another while the `select!`
///   looks is never missed.
/// - **Guards.** `recv(r) -> msg, if cond => ...` takes part only if `cond` is true: a
///   false guard disables the arm for this call, like a nil channel in Go's `select`. If
///   every arm is disabled (by guards or `#[cfg]`) and there is no `default`, `select!`
///   panics with a message saying so, since it could never finish; with a `default` it
///   runs the default (after `timeout`, for `default(timeout)`).
///
/// # Evaluation order
///
/// 1. The guards, in source order.
/// 2. The handle expression (`r`, `s`) of each enabled arm, exactly once, in source
///    order. An arm whose guard is false has its handle expression not evaluated at all,
///    so `recv(rx.as_ref().unwrap()) -> m, if rx.is_some() => ...` is safe.
/// 3. The `timeout` of `default(timeout)`.
/// 4. The selection. Then, for the selected arm only: a `send` arm's message
///    expression, the completion of the operation, the pattern, the body.
///
/// A send arm's message is **evaluated only if that arm is selected**, once its
/// operation can complete, so several send arms and the `default` may all use the same
/// non-`Copy` value. Meanwhile the operation is claimed, but holds nobody up: other
/// threads' `try_` calls return at once, their timed calls by their deadlines, and a
/// receiver that finds the claimed slot still empty takes the messages behind it
/// first (see [`SelectedOperation`] for what each flavor does). If evaluating the
/// message panics or leaves the `select!` early (`?`, `return`, `break`), the claim is
/// given up (the channel is left as if the arm had never been chosen) and `select!`
/// panics.
///
/// Temporaries created by an unguarded arm's handle expression live until the
/// `select!` has finished, so `recv(opt.unwrap_or(&never())) -> m => ...` works. A guarded
/// arm evaluates its handle conditionally: a handle returned by a call is kept
/// (`recv(after(d)) -> _, if waiting => ...` works), but Rust ends the temporaries made
/// *inside* a conditional expression with it, so a guarded handle that borrows one
/// (`opt.unwrap_or(&never())`) needs a name first: `let r = ...; ... recv(r) ...`.
///
/// Bodies may `.await` in an `async fn`: the selection's own state is gone before a body
/// runs, so a `select!` does not make a future `!Send`.
///
/// # Cost
///
/// A `select!` allocates nothing, whatever its number of arms: its operations live in an
/// array on the stack (once a thread's first wait has made its reusable wait context).
/// Any number of arms works, without `#![recursion_limit]`. A single operation without a
/// guard or `#[cfg]` compiles to the direct call:
///
/// | arms | becomes |
/// |---|---|
/// | `recv(r)` | `r.recv()` |
/// | `recv(r)`, `default` | `r.try_recv()`, `Empty` runs the default |
/// | `recv(r)`, `default(t)` | `r.recv_timeout(t)`, `Timeout` runs the default |
/// | `send(s, v)` | `s.send(v)`, if `v` is a literal, `()` or a plain path (a variable, a constant) |
/// | `send(s, v)`, `default` | `s.try_send(v)`, if `v` is a literal or `()` |
/// | `send(s, v)`, `default(t)` | `s.send_timeout(v, t)`, if `v` is a literal or `()` |
///
/// The direct send calls take the message before the send can complete, and `try_send`
/// and `send_timeout` take it even when the default then runs. That would break the
/// evaluation order above, so they are used only where nobody can tell: for any other
/// message (a call such as `Instant::now()`, a variable that the default may still use)
/// a one-operation [`Select`] makes the message once the send is ready, which is also
/// what crossbeam-channel's `select!` does.
///
/// # Compatibility
///
/// A program written for crossbeam-channel 0.5's `select!` compiles and behaves the same.
/// Guards, `biased;`, `#[cfg]` on arms and an unlimited number of arms are additions.
/// Misuse is a compile error pointing at the offending tokens:
///
/// ```compile_fail
/// # use junction::{select, unbounded};
/// # let (_s, r) = unbounded::<i32>();
/// select! {
///     recv(r) => println!("received"), // error: expected `->` and a pattern after `recv(...)`
/// }
/// ```
///
/// # Examples
///
/// Receive from whichever channel delivers first:
///
/// ```
/// use junction::{select, unbounded};
/// use std::{thread, time::Duration};
///
/// let (s1, r1) = unbounded();
/// let (s2, r2) = unbounded();
/// thread::spawn(move || { thread::sleep(Duration::from_millis(300)); s1.send("slow").unwrap() });
/// thread::spawn(move || s2.send("fast").unwrap());
///
/// let first = select! {
///     recv(r1) -> msg => msg.unwrap(),
///     recv(r2) -> msg => msg.unwrap(),
/// };
/// assert_eq!(first, "fast");
/// ```
///
/// Send to whichever channel has room; the value moves only into the arm that runs:
///
/// ```
/// use junction::{bounded, select};
///
/// let (s1, r1) = bounded(1);
/// let (s2, r2) = bounded(1);
/// s1.send(String::from("earlier")).unwrap(); // s1 is full now
/// let job = String::from("job");
/// select! {
///     send(s1, job) -> res => res.unwrap(),
///     send(s2, job) -> res => res.unwrap(),
/// }
/// assert_eq!(r1.len(), 1);
/// assert_eq!(r2.recv().unwrap(), "job");
/// ```
///
/// `default`, to try without blocking, and `default(timeout)`, to wait a while:
///
/// ```
/// use junction::{select, unbounded, Receiver};
/// use std::time::{Duration, Instant};
///
/// let (s, r) = unbounded::<u32>();
/// let poll = |r: &Receiver<u32>| select! {
///     recv(r) -> msg => Some(msg.unwrap()),
///     default => None,
/// };
/// assert_eq!(poll(&r), None);
/// s.send(7).unwrap();
/// assert_eq!(poll(&r), Some(7));
///
/// let start = Instant::now();
/// select! {
///     recv(r) -> _ => unreachable!(),
///     default(Duration::from_millis(20)) => assert!(start.elapsed() >= Duration::from_millis(20)),
/// }
/// ```
///
/// Guards turn arms off; here a loop merges two channels and stops watching each one as
/// it disconnects (a disconnected channel is always ready):
///
/// ```
/// use junction::{select, unbounded};
///
/// let (sa, a) = unbounded();
/// let (sb, b) = unbounded();
/// std::thread::spawn(move || for i in 0..3 { sa.send(i).unwrap() });
/// std::thread::spawn(move || for i in 10..13 { sb.send(i).unwrap() });
///
/// let (mut a_open, mut b_open, mut sum) = (true, true, 0);
/// while a_open || b_open {
///     select! {
///         recv(a) -> msg, if a_open => match msg {
///             Ok(v) => sum += v,
///             Err(_) => a_open = false,
///         },
///         recv(b) -> msg, if b_open => match msg {
///             Ok(v) => sum += v,
///             Err(_) => b_open = false,
///         },
///     }
/// }
/// assert_eq!(sum, 0 + 1 + 2 + 10 + 11 + 12);
/// ```
///
/// `biased;` gives priority by position, here to a stop signal over queued work:
///
/// ```
/// use junction::{select, unbounded};
///
/// let (work_tx, work) = unbounded();
/// let (stop_tx, stop) = unbounded();
/// for job in 0..100 { work_tx.send(job).unwrap() }
/// stop_tx.send(()).unwrap();
/// let mut done = 0;
/// loop {
///     select! {
///         biased;
///         recv(stop) -> _ => break,
///         recv(work) -> _ => done += 1,
///     }
/// }
/// assert_eq!(done, 0); // the stop signal was ready, and comes first
/// ```
///
/// Handles are expressions, evaluated once: an owned receiver, a borrowed one, a
/// computed one, a temporary that lives through the `select!`, and the same channel
/// in two arms; a `#[cfg]` arm is compiled only when its predicate holds:
///
/// ```
/// use junction::{after, never, select, unbounded, Receiver};
/// use std::time::Duration;
///
/// let (s, r) = unbounded::<i32>();
/// let maybe: Option<&Receiver<i32>> = None;
/// s.send(1).unwrap();
/// let got = select! {
///     recv(r) -> msg => msg.unwrap(),
///     recv(&r) -> msg => msg.unwrap(),
///     recv(maybe.unwrap_or(&never())) -> _ => unreachable!(),
///     recv(after(Duration::from_secs(60))) -> _ => unreachable!(),
///     #[cfg(feature = "not-a-feature")]
///     recv(receiver_that_does_not_exist) -> _ => unreachable!(),
/// };
/// assert_eq!(got, 1);
/// ```
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => {
        $crate::__private::select_impl!($crate; $($tokens)*)
    };
}

/// [`select!`] that takes the first ready arm in source order instead of a random one, as
/// if the arms began with `biased;`. Everything else (guards, `default`, `#[cfg]`,
/// evaluation order, cost) is as for [`select!`]; this is the name crossbeam-channel uses.
///
/// ```
/// use junction::{select_biased, unbounded};
/// let (s1, r1) = unbounded::<i32>();
/// let (s2, r2) = unbounded::<i32>();
/// s1.send(1).unwrap();
/// s2.send(2).unwrap();
/// select_biased! {
///     recv(r1) -> msg => assert_eq!(msg, Ok(1)),
///     recv(r2) -> _ => unreachable!("the first ready arm wins"),
/// }
/// ```
#[macro_export]
macro_rules! select_biased {
    ($($tokens:tt)*) => {
        $crate::__private::select_impl!($crate; biased; $($tokens)*)
    };
}

/// [`select!`] for async code: the same syntax and meaning (guards, `biased;`,
/// `default`, `default(timeout)`, `#[cfg]` arms, any number of arms, the same
/// evaluation order), but it awaits the selection instead of blocking the thread. The
/// arm bodies run in the enclosing async fn or block, so they may `.await`, `break`,
/// `continue`, `return` and use `?`.
///
/// Any mix of channels works, whoever is on the other side: blocking threads, tasks
/// of any executor, timers (served by junction's own timer thread, so no runtime's
/// timer is needed). The future is `Send` when the handles and values it holds are.
///
/// Cancel safe: if the enclosing future is dropped while the `select_async!` waits,
/// no message is lost (a wake-up it was given passes to another waiter) and no send
/// arm's message is evaluated.
///
/// ```
/// use junction::{bounded, select_async, tick, unbounded};
/// use std::time::Duration;
///
/// # futures::executor::block_on(async {
/// let (jobs_tx, jobs) = bounded(4);
/// let (stop_tx, stop) = bounded::<()>(0);
/// std::thread::spawn(move || {
///     for job in 1..=3 { jobs_tx.send(job).unwrap() } // a blocking producer
///     stop_tx.send(()).unwrap();
/// });
/// let heartbeat = tick(Duration::from_millis(5));
/// let mut total = 0;
/// loop {
///     select_async! {
///         recv(jobs) -> job => total += job.unwrap(),
///         recv(stop) -> _ => break,
///         recv(heartbeat) -> _ => continue,
///     }
/// }
/// while let Ok(job) = jobs.try_recv() { total += job }
/// assert_eq!(total, 6);
/// # });
/// ```
///
/// `default(timeout)` and `?` in an arm:
///
/// ```
/// use junction::{select_async, unbounded, RecvError};
/// use std::time::Duration;
///
/// async fn next_or_zero(r: &junction::Receiver<u32>) -> Result<u32, RecvError> {
///     Ok(select_async! {
///         recv(r) -> msg => msg?,
///         default(Duration::from_millis(10)) => 0,
///     })
/// }
/// # futures::executor::block_on(async {
/// let (s, r) = unbounded();
/// assert_eq!(next_or_zero(&r).await, Ok(0));
/// s.send(7).unwrap();
/// assert_eq!(next_or_zero(&r).await, Ok(7));
/// drop(s);
/// assert_eq!(next_or_zero(&r).await, Err(RecvError));
/// # });
/// ```
#[macro_export]
macro_rules! select_async {
    ($($tokens:tt)*) => {
        $crate::__private::select_async_impl!($crate; $($tokens)*)
    };
}

/// [`select_async!`] that takes the first ready arm in source order, as if the arms
/// began with `biased;`.
///
/// ```
/// use junction::{select_biased_async, unbounded};
/// # futures::executor::block_on(async {
/// let (s1, r1) = unbounded::<i32>();
/// let (s2, r2) = unbounded::<i32>();
/// s1.send(1).unwrap();
/// s2.send(2).unwrap();
/// select_biased_async! {
///     recv(r1) -> msg => assert_eq!(msg, Ok(1)),
///     recv(r2) -> _ => unreachable!("the first ready arm wins"),
/// }
/// # });
/// ```
#[macro_export]
macro_rules! select_biased_async {
    ($($tokens:tt)*) => {
        $crate::__private::select_async_impl!($crate; biased; $($tokens)*)
    };
}

/// Paths the `select!` expansion names. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use channel_macros::select as select_impl;
    pub use channel_macros::select_async as select_async_impl;
    pub use channel_select::{
        Receiver, RecvError, RecvTimeoutError, Select, SelectArray, SelectTimeoutError,
        SelectedOperation, SendError, SendTimeoutError, Sender, TryRecvError, TrySelectError,
        TrySendError,
    };
    pub use core::{
        borrow::Borrow, mem::ManuallyDrop, option::Option, panic, primitive::bool, result::Result,
        time::Duration,
    };
}
