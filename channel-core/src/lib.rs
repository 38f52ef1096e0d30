//! Lock-free queue primitives for junction's channels.
//!
//! Each queue is a plain data structure: no blocking, no threads, no clocks. Every
//! operation is *two-phase* so that a selector can claim an operation first and
//! complete it only after it has won:
//!
//! 1. [`Queue::reserve_send`] / [`Queue::reserve_recv`] claim a slot and describe it in a
//!    [`Reservation`] (or report that the queue has no room / no message);
//! 2. [`Queue::write`] / [`Queue::read`] complete the claimed operation, or
//!    [`Queue::abandon`] gives a send up.
//!
//! A claim that may be completed late (by a selection, after user code has run) is
//! *held* first ([`Queue::hold_send`]), and then no other thread ever waits for it.
//!
//! ```
//! use channel_core::{ArrayQueue, Queue, Reservation};
//!
//! let q = ArrayQueue::<String>::new(2);
//! let mut r = Reservation::default();
//! assert!(q.reserve_send(&mut r));
//! // SAFETY: `r` was just filled in by `reserve_send` on this queue.
//! unsafe { q.write(&mut r, "hello".to_string()).unwrap() };
//! assert!(q.reserve_recv(&mut r));
//! // SAFETY: `r` was just filled in by `reserve_recv` on this queue.
//! assert_eq!(unsafe { q.read(&mut r) }, Ok("hello".to_string()));
//! ```
//!
//! The queues: [`ArrayQueue`] (bounded ring, `cap >= 1`) and [`ListQueue`] (unbounded
//! segmented list). Every atomic and cell comes from [`sync`], which maps to `loom`
//! under `cfg(loom)` so the queues are model-checked.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod array;
pub mod list;
mod queue;
pub mod sync;

pub use array::ArrayQueue;
pub use list::ListQueue;
pub use queue::{PushError, Queue, Reservation, Version};
