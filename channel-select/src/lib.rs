//! Waiter registration, blocking handles, timers and selection for junction.
//!
//! This crate builds junction's channels on the queue primitives of `channel-core`:
//! [`bounded`] and [`unbounded`] channels, the timer receivers [`after`], [`at`],
//! [`tick`] and [`never()`], and [`Select`]. Users normally depend on the `junction`
//! facade, which re-exports all of it and adds `select!`.
//!
//! ```
//! use channel_select::{bounded, Select};
//! let (s, r) = bounded(1);
//! s.send("hello").unwrap();
//! let mut sel = Select::new();
//! sel.recv(&r);
//! assert_eq!(sel.select().recv(&r), Ok("hello"));
//! ```
//!
//! Modules: `context` (the per-thread waiting context), `waiters` (wait lists),
//! `flavors` (what each kind of channel does), `channel` (the handles and their
//! counts), `sender` and `receiver` (their methods), `weak` (weak handles), `iter`,
//! `timers`, `select` (the selection protocol), `errors`.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod alarms;
mod channel;
mod context;
mod errors;
mod flavors;
mod future;
mod iter;
mod receiver;
mod select;
mod sender;
mod stream;
mod timers;
mod waiters;
mod weak;

pub use channel::{bounded, unbounded, Receiver, Sender};
pub use errors::*;
pub use future::{RecvFuture, SendFuture};
pub use iter::{IntoIter, Iter, TryIter};
#[doc(hidden)]
pub use select::SelectArray;
pub use select::{ReadyFuture, Select, SelectFuture, SelectTimeoutFuture, SelectedOperation};
pub use stream::{RecvStream, SendSink};
pub use timers::{after, at, never, tick};
pub use weak::{WeakReceiver, WeakSender};
