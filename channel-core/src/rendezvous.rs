//! The rendezvous hand-off for `bounded(0)`: a one-message packet.
//!
//! A zero-capacity channel has no buffer. The side that blocks first offers a
//! [`Packet`] (on its stack when it blocks in a plain `send`/`recv`, on the heap when
//! it blocks in a selection, since a selection may be won by another operation and
//! leave). The other side finds the packet in the channel's wait list and completes
//! the exchange through it:
//!
//! - a blocked **sender** offers a packet holding its message; the receiver takes the
//!   message and then sets `ready`, after which the sender may return (and its stack
//!   packet disappear);
//! - a blocked **receiver** offers an empty packet; the sender puts the message in and
//!   sets `ready`, after which the receiver takes it.
//!
//! `ready` is the only synchronization: Release when set, Acquire when waited for.
//! The waiting lists themselves live in `channel-select`.

use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Backoff, UnsafeCell};

/// A one-message meeting point between a sender and a receiver.
///
/// ```
/// use channel_core::Packet;
/// let p = Packet::with_message(7);
/// // SAFETY: we are the only side using the packet here.
/// let msg = unsafe { p.take() };
/// p.set_ready();
/// p.wait_ready();
/// assert_eq!(msg, 7);
/// ```
#[derive(Debug)]
pub struct Packet<T> {
    /// True for a packet on a blocked thread's stack, false for a boxed one.
    on_stack: bool,
    /// Set (Release) by the side that completes the exchange.
    ready: AtomicBool,
    /// The message while in transit.
    msg: UnsafeCell<Option<T>>,
}

impl<T> Packet<T> {
    /// An empty packet a blocked receiver offers from its stack.
    ///
    /// ```
    /// let p = channel_core::Packet::<u8>::empty_on_stack();
    /// assert!(p.is_on_stack());
    /// ```
    pub fn empty_on_stack() -> Packet<T> {
        Packet {
            on_stack: true,
            ready: AtomicBool::new(false),
            msg: UnsafeCell::new(None),
        }
    }

    /// An empty boxed packet a selecting thread offers: it outlives the selection.
    ///
    /// ```
    /// let p = channel_core::Packet::<u8>::empty_on_heap();
    /// assert!(!p.is_on_stack());
    /// ```
    pub fn empty_on_heap() -> Box<Packet<T>> {
        Box::new(Packet {
            on_stack: false,
            ready: AtomicBool::new(false),
            msg: UnsafeCell::new(None),
        })
    }

    /// A packet holding `msg`, offered from a blocked sender's stack.
    ///
    /// ```
    /// let p = channel_core::Packet::with_message("hi");
    /// assert!(p.is_on_stack());
    /// ```
    #[inline]
    pub fn with_message(msg: T) -> Packet<T> {
        Packet {
            on_stack: true,
            ready: AtomicBool::new(false),
            msg: UnsafeCell::new(Some(msg)),
        }
    }

    /// True for a stack packet (its owner waits for `ready` before leaving).
    ///
    /// ```
    /// assert!(channel_core::Packet::with_message(1).is_on_stack());
    /// ```
    pub fn is_on_stack(&self) -> bool {
        self.on_stack
    }

    /// Puts `msg` in the packet.
    ///
    /// # Safety
    /// The caller is the single side allowed to write this packet now (the peer does
    /// not touch the message until `ready` is set).
    ///
    /// ```
    /// let p = channel_core::Packet::empty_on_stack();
    /// // SAFETY: single-threaded use.
    /// unsafe { p.put(3) };
    /// assert_eq!(unsafe { p.take() }, 3);
    /// ```
    #[inline]
    pub unsafe fn put(&self, msg: T) {
        // SAFETY: exclusive access guaranteed by the caller.
        self.msg.with_mut(|p| unsafe { *p = Some(msg) });
    }

    /// Takes the message out.
    ///
    /// # Safety
    /// The caller is the single side allowed to read this packet now, and a message has
    /// been put in it (by construction, or by a `put` made visible through `ready`).
    ///
    /// # Panics
    /// If the packet is empty.
    ///
    /// ```
    /// let p = channel_core::Packet::with_message(String::from("x"));
    /// assert_eq!(unsafe { p.take() }, "x");
    /// ```
    #[inline]
    pub unsafe fn take(&self) -> T {
        // SAFETY: exclusive access guaranteed by the caller.
        self.msg
            .with_mut(|p| unsafe { (*p).take() })
            .expect("rendezvous packet has no message")
    }

    /// Takes the message out if there is one: a sender that gave up after claiming the
    /// receiver (see `SelectedOperation`) sets `ready` on an empty packet.
    ///
    /// # Safety
    /// As for [`Packet::take`].
    ///
    /// ```
    /// let p = channel_core::Packet::with_message(1);
    /// assert_eq!(unsafe { p.try_take() }, Some(1));
    /// assert_eq!(unsafe { p.try_take() }, None);
    /// ```
    pub unsafe fn try_take(&self) -> Option<T> {
        // SAFETY: exclusive access guaranteed by the caller.
        self.msg.with_mut(|p| unsafe { (*p).take() })
    }

    /// Marks the exchange complete.
    ///
    /// ```
    /// let p = channel_core::Packet::<()>::empty_on_stack();
    /// p.set_ready();
    /// p.wait_ready(); // returns at once
    /// ```
    pub fn set_ready(&self) {
        // Release: publishes the `put`/`take` made before it to `wait_ready`'s Acquire.
        self.ready.store(true, Ordering::Release);
    }

    /// Waits (spinning, then yielding) until the peer has set `ready`.
    ///
    /// The peer is at that moment between winning the hand-off and completing it, a
    /// few instructions, so no parking is needed.
    ///
    /// ```
    /// let p = channel_core::Packet::<()>::with_message(());
    /// p.set_ready();
    /// p.wait_ready();
    /// ```
    pub fn wait_ready(&self) {
        let backoff = Backoff::new();
        // Acquire: pairs with `set_ready`'s Release.
        while !self.ready.load(Ordering::Acquire) {
            backoff.snooze();
        }
    }
}
