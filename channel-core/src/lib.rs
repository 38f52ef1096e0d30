//! Lock-free queue primitives for junction's channels.
//!
//! Each queue is a plain data structure: no blocking, no threads, no clocks. Every
//! operation is *two-phase* so that a selector can claim an operation first and
//! complete it only after it has won:
//!
//! 1. [`Queue::reserve_send`] / [`Queue::reserve_recv`] claim a slot and describe it in a
//!    [`Reservation`] (or report that the queue is full / empty);
//! 2. [`Queue::write`] / [`Queue::read`] complete the claimed operation.
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
//! The flavors: [`ArrayQueue`] (bounded ring, `cap >= 1`), [`ListQueue`] (unbounded
//! segmented list) and [`Packet`] (the rendezvous hand-off for `cap == 0`, whose waiting
//! is done by `channel-select`). Every atomic and cell comes from [`sync`], which maps
//! to `loom` under `cfg(loom)` so the queues are model-checked.
#![deny(missing_docs)]

pub mod array;
pub mod list;
mod queue;
pub mod rendezvous;
pub mod sync;

pub use array::ArrayQueue;
pub use list::ListQueue;
pub use queue::{Queue, Reservation};
pub use rendezvous::Packet;
