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
//! [`Receiver::try_recv_many`], `is_disconnected`, `sender_count`, `receiver_count` and
//! `close` on both ends.
//!
//! Coming from the Rust book's channel chapter, two things differ from what it says of
//! `std::sync::mpsc`: [`unbounded`] is what `mpsc::channel()` is (a sender never blocks),
//! and the rendezvous channel is [`bounded`]`(0)`. [`Receiver::recv`] on an empty,
//! disconnected channel returns `Err(RecvError)`; only [`Receiver::try_recv`] tells
//! `Empty` from `Disconnected`.
#![deny(missing_docs)]

pub use channel_select::*;

/// Waits on several channel operations at once and runs the arm of the one that happens.
///
/// See the crate documentation of `channel-macros` for the grammar; every form is shown
/// below.
///
/// ```
/// use junction::{select, unbounded};
/// let (s, r) = unbounded::<i32>();
/// s.send(1).unwrap();
/// select! {
///     recv(r) -> msg => assert_eq!(msg, Ok(1)),
///     default => unreachable!(),
/// }
/// ```
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => {
        $crate::__private::select_impl!($crate; $($tokens)*)
    };
}

/// [`select!`] that always takes the first ready arm in source order, as if the arms
/// began with `biased;`.
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

/// Paths the `select!` expansion names. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use channel_macros::select as select_impl;
    pub use channel_select::{
        Receiver, RecvError, Select, SelectTimeoutError, SelectedOperation, SendError,
        Sender, TryRecvError, TrySelectError, TrySendError, RecvTimeoutError, SendTimeoutError,
    };
    pub use core::{option::Option, panic, result::Result, time::Duration};
}
