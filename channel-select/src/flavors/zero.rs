//! The rendezvous channel, `bounded(0)`: a send completes only when a receive takes it.
//!
//! There is no buffer. One lock guards both wait lists and the disconnection flag.
//! An operation first looks for a waiting peer on the other list; if it finds one, it
//! claims the peer's context and completes the exchange through the peer's
//! [`Packet`]. Otherwise it registers itself, with a packet, and parks:
//!
//! - a blocking `send` offers a stack packet holding the message; `recv` offers an
//!   empty stack packet. Each waits for the peer's `ready` before leaving, so the
//!   packet outlives its use;
//! - a selection offers an empty heap packet, since it may be woken by another of its
//!   operations. The side that *reads* a heap packet frees it; a registration that
//!   lost is freed by its owner when it unregisters.
//!
//! A selected send that is never completed (its `SelectedOperation` dropped) releases
//! the receiver it claimed with an empty packet: a blocked `recv` then waits again, and
//! a selected receive completes with an ordinary blocking receive.
//!
//! A thread never pairs with itself (`Waker::try_select` skips its own entries), so a
//! selection of both a send and a receive on one rendezvous channel waits for others.

use super::{RecvFlavor, SendFlavor, Token};
use crate::context::{Context, Operation, Selected};
use crate::errors::{RecvTimeoutError, SendTimeoutError};
use crate::waiters::Waker;
use channel_core::sync::{lock, Mutex, MutexGuard};
use channel_core::Packet;
use core::marker::PhantomData;
use core::ptr;
use std::time::Instant;

/// The state behind the lock.
struct Inner {
    /// Blocked senders.
    senders: Waker,
    /// Blocked receivers.
    receivers: Waker,
    /// Set once by `disconnect`.
    is_disconnected: bool,
}

impl Inner {
    /// The wait list of side `sending` (the senders' if true).
    fn mine(&mut self, sending: bool) -> &mut Waker {
        if sending {
            &mut self.senders
        } else {
            &mut self.receivers
        }
    }

    /// The wait list of the other side.
    fn peers(&mut self, sending: bool) -> &mut Waker {
        self.mine(!sending)
    }

    /// An operation of side `sending` would not block: a peer waits, or disconnected.
    fn is_ready(&mut self, sending: bool) -> bool {
        self.peers(sending).can_select() || self.is_disconnected
    }
}

/// A zero-capacity channel.
pub(crate) struct Channel<T> {
    /// Both wait lists and the disconnection flag.
    inner: Mutex<Inner>,
    /// Messages of type `T` pass through (never stored).
    _marker: PhantomData<T>,
}

// SAFETY: messages pass from one thread to one other through packets; `T: Send`
// is all that requires. The raw packet pointers are used under the protocol above.
unsafe impl<T: Send> Sync for Channel<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for Channel<T> {}

/// Frees a heap packet left in an entry whose registration lost.
///
/// # Safety
/// `packet` is a `Box<Packet<T>>` pointer nobody else will use.
unsafe fn free_packet<T>(packet: *mut ()) {
    // SAFETY: guaranteed by the caller.
    drop(unsafe { Box::from_raw(packet as *mut Packet<T>) });
}

impl<T> Channel<T> {
    /// A new rendezvous channel.
    pub(crate) fn new() -> Self {
        Channel {
            inner: Mutex::new(Inner {
                senders: Waker::default(),
                receivers: Waker::default(),
                is_disconnected: false,
            }),
            _marker: PhantomData,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    /// Completes a receive through the claimed `packet`: `None` if its sender gave up.
    ///
    /// # Safety
    /// `packet` is the non-null packet of a sender this thread claimed on this channel,
    /// or this selecting receiver's own packet, handed over by its sender.
    unsafe fn take_from(&self, packet: *mut ()) -> Option<T> {
        // SAFETY: alive until we set `ready` (a stack packet) or free it (a heap one).
        let p = unsafe { &*(packet as *const Packet<T>) };
        if p.is_on_stack() {
            // A blocked `send`: its message is there; it leaves once `ready` is set.
            // SAFETY: we alone read the packet until we set `ready`.
            let msg = unsafe { p.take() };
            p.set_ready();
            Some(msg)
        } else {
            // A selecting sender (or our own selection's packet): the sender writes
            // once it completes its operation, or sets `ready` alone if it gave up.
            p.wait_ready();
            // SAFETY: `ready` is set; the heap packet is ours to read and free.
            let msg = unsafe { p.try_take() };
            unsafe { free_packet::<T>(packet) };
            msg
        }
    }

    /// Claims a waiting peer of the side opposite `sending` (or the disconnection).
    fn start(&self, sending: bool, token: &mut Token) -> bool {
        let mut inner = self.lock();
        if let Some(entry) = inner.peers(sending).try_select() {
            drop(inner);
            entry.cx.unpark();
            token.zero = entry.packet;
            true
        } else if inner.is_disconnected {
            token.zero = ptr::null_mut();
            true
        } else {
            false
        }
    }

    /// Registers a selecting thread on side `sending`, with an empty heap packet.
    fn register(&self, sending: bool, oper: Operation, cx: &Context) -> bool {
        let packet = Box::into_raw(Packet::<T>::empty_on_heap()) as *mut ();
        let mut inner = self.lock();
        inner.mine(sending).register_with_packet(oper, packet, cx);
        inner.peers(sending).notify_observers();
        inner.is_ready(sending)
    }

    /// Removes a selecting thread's registration and frees its packet.
    fn unregister(&self, sending: bool, oper: Operation) {
        if let Some(entry) = self.lock().mine(sending).unregister(oper) {
            // SAFETY: the registration lost; nobody else saw its packet.
            unsafe { free_packet::<T>(entry.packet) };
        }
    }

    /// Registers an observer on side `sending`; returns whether it is ready now.
    fn watch(&self, sending: bool, oper: Operation, cx: &Context) -> bool {
        let mut inner = self.lock();
        inner.mine(sending).watch(oper, cx);
        inner.is_ready(sending)
    }

    /// Parks in a plain `send`/`recv` after registering `packet` (on our stack).
    fn wait(
        &self,
        mut inner: MutexGuard<'_, Inner>,
        sending: bool,
        oper: Operation,
        packet: &Packet<T>,
        cx: &Context,
        deadline: Option<Instant>,
    ) -> Selected {
        let p = packet as *const Packet<T> as *mut ();
        inner.mine(sending).register_with_packet(oper, p, cx);
        inner.peers(sending).notify_observers();
        drop(inner);
        let sel = cx.wait_until(deadline);
        match sel {
            Selected::Waiting => unreachable!("wait_until returned while waiting"),
            Selected::Aborted | Selected::Disconnected => {
                // We claimed our own context (or a disconnection did), so no peer took
                // the entry: it is still there.
                self.lock()
                    .mine(sending)
                    .unregister(oper)
                    .expect("rendezvous entry vanished");
            }
            // The peer completes through our packet and sets `ready`.
            Selected::Operation(_) => packet.wait_ready(),
        }
        sel
    }
}

impl<T> RecvFlavor<T> for Channel<T> {
    #[inline]
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        let mut token = Token::default();
        let mut inner = self.lock();
        if let Some(entry) = inner.senders.try_select() {
            drop(inner);
            entry.cx.unpark();
            // SAFETY: the packet of a sender we just claimed, handed to us alone.
            return match unsafe { self.take_from(entry.packet) } {
                Some(msg) => Ok(msg),
                // Its sender gave up its selected send: wait as usual.
                None => self.recv(deadline),
            };
        }
        if inner.is_disconnected {
            return Err(RecvTimeoutError::Disconnected);
        }
        let received = Context::with(|cx| {
            let oper = Operation::hook(&mut token);
            let packet = Packet::<T>::empty_on_stack();
            match self.wait(inner, false, oper, &packet, cx, deadline) {
                // SAFETY: `ready` is set: the sender is done with our packet. It is
                // empty only if the sender gave up its selected send.
                Selected::Operation(_) => Ok(unsafe { packet.try_take() }),
                Selected::Disconnected => Err(RecvTimeoutError::Disconnected),
                _ => Err(RecvTimeoutError::Timeout),
            }
        });
        match received {
            Ok(Some(msg)) => Ok(msg),
            // Released without a message: wait again, for the same deadline.
            Ok(None) => self.recv(deadline),
            Err(e) => Err(e),
        }
    }

    fn len(&self) -> usize {
        0
    }
    fn capacity(&self) -> Option<usize> {
        Some(0)
    }
    fn is_empty(&self) -> bool {
        true
    }
    fn is_full(&self) -> bool {
        true
    }

    fn disconnect(&self) -> bool {
        let mut inner = self.lock();
        if inner.is_disconnected {
            return false;
        }
        inner.is_disconnected = true;
        inner.senders.disconnect();
        inner.receivers.disconnect();
        true
    }

    fn is_disconnected(&self) -> bool {
        self.lock().is_disconnected
    }

    fn start_recv(&self, token: &mut Token) -> bool {
        self.start(false, token)
    }

    #[inline]
    unsafe fn read(&self, token: &mut Token) -> Result<T, ()> {
        if token.zero.is_null() {
            return Err(());
        }
        // SAFETY: forwarded from the caller: the packet of the sender we claimed.
        match unsafe { self.take_from(token.zero) } {
            Some(msg) => Ok(msg),
            // The sender gave up its selected send: receive as usual instead.
            None => self.recv(None).map_err(|_| ()),
        }
    }

    fn register_recv(&self, oper: Operation, cx: &Context) -> bool {
        self.register(false, oper, cx)
    }

    fn unregister_recv(&self, oper: Operation) {
        self.unregister(false, oper)
    }

    fn accept_recv(&self, token: &mut Token, cx: &Context) -> bool {
        token.zero = cx.wait_packet();
        true
    }

    fn is_ready_recv(&self) -> bool {
        self.lock().is_ready(false)
    }

    fn watch_recv(&self, oper: Operation, cx: &Context) -> bool {
        self.watch(false, oper, cx)
    }

    fn unwatch_recv(&self, oper: Operation) {
        self.lock().mine(false).unwatch(oper);
    }
}

impl<T> SendFlavor<T> for Channel<T> {
    #[inline]
    fn send(&self, msg: T, deadline: Option<Instant>) -> Result<(), SendTimeoutError<T>> {
        let mut token = Token::default();
        let mut inner = self.lock();
        if let Some(entry) = inner.receivers.try_select() {
            drop(inner);
            entry.cx.unpark();
            token.zero = entry.packet;
            // SAFETY: the packet of a receiver we just claimed; non-null, so it succeeds.
            let _ = unsafe { self.write(&mut token, msg) };
            return Ok(());
        }
        if inner.is_disconnected {
            return Err(SendTimeoutError::Disconnected(msg));
        }
        Context::with(|cx| {
            let oper = Operation::hook(&mut token);
            let packet = Packet::with_message(msg);
            match self.wait(inner, true, oper, &packet, cx, deadline) {
                Selected::Operation(_) => Ok(()),
                // SAFETY: our registration is gone and nobody took the message.
                Selected::Disconnected => {
                    Err(SendTimeoutError::Disconnected(unsafe { packet.take() }))
                }
                _ => Err(SendTimeoutError::Timeout(unsafe { packet.take() })),
            }
        })
    }

    fn start_send(&self, token: &mut Token) -> bool {
        self.start(true, token)
    }

    #[inline]
    unsafe fn write(&self, token: &mut Token, msg: T) -> Result<(), T> {
        if token.zero.is_null() {
            return Err(msg);
        }
        // SAFETY: the caller guarantees the token came from this channel: `zero` is the
        // empty packet of the receiver we claimed, alive until it sees `ready`.
        let packet = unsafe { &*(token.zero as *const Packet<T>) };
        // SAFETY: the receiver does not touch the message before `ready`.
        unsafe { packet.put(msg) };
        packet.set_ready();
        Ok(())
    }

    unsafe fn abandon_send(&self, token: &mut Token) {
        if token.zero.is_null() {
            return;
        }
        // SAFETY: as in `write`: the packet of the receiver we claimed, alive until it
        // sees `ready`. Set without a message, it tells the receiver to wait again.
        unsafe { &*(token.zero as *const Packet<T>) }.set_ready();
    }

    fn register_send(&self, oper: Operation, cx: &Context) -> bool {
        self.register(true, oper, cx)
    }

    fn unregister_send(&self, oper: Operation) {
        self.unregister(true, oper)
    }

    fn accept_send(&self, token: &mut Token, cx: &Context) -> bool {
        token.zero = cx.wait_packet();
        true
    }

    fn is_ready_send(&self) -> bool {
        self.lock().is_ready(true)
    }

    fn watch_send(&self, oper: Operation, cx: &Context) -> bool {
        self.watch(true, oper, cx)
    }

    fn unwatch_send(&self, oper: Operation) {
        self.lock().mine(true).unwatch(oper);
    }
}
