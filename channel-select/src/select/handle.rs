//! What an endpoint offers a selector: `SelectHandle`, implemented by `Sender` (its send
//! side) and `Receiver` (its receive side, timers included). `Select` uses nothing else.

use crate::channel::{with_receiver, with_sender, Receiver, ReceiverFlavor, Sender, SenderFlavor};
use crate::context::{Context, Operation};
use crate::flavors::Snapshot;
use crate::flavors::{RecvFlavor, SendFlavor, Token};
use std::time::Instant;

/// What an endpoint offers a selector. `Select` uses nothing else.
///
/// No method runs code of the message type (no drop, no clone) or hands a message to
/// the caller: a message only ever leaves the channel through the typed
/// `SelectedOperation::recv`. That is what makes a `Select` sound to share between
/// threads whatever its messages are (`unsafe impl Send/Sync for Select`).
pub(crate) trait SelectHandle {
    /// The channel's identity (the handle that completes the operation must match).
    fn addr(&self) -> usize;
    /// Claims the operation if it can proceed now (a claim that may be completed late).
    fn claim(&self, token: &mut Token) -> bool;
    /// When the operation becomes ready by itself (timers).
    fn deadline(&self) -> Option<Instant>;
    /// Registers a selecting thread; true if the operation is ready now.
    fn register(&self, oper: Operation, cx: &Context) -> bool;
    /// Removes that registration.
    fn unregister(&self, oper: Operation);
    /// Claims the operation after its registration won, waiting at most until
    /// `deadline` for a rendezvous peer still computing its message.
    fn accept(&self, token: &mut Token, cx: &Context, deadline: Option<Instant>) -> bool;
    /// The operation would not block now.
    fn is_ready(&self) -> bool;
    /// A snapshot that changes whenever the operation's readiness may have changed.
    fn version(&self) -> Snapshot;
    /// Registers an observer for `ready()`; true if ready now.
    fn watch(&self, oper: Operation, cx: &Context) -> bool;
    /// Removes that observer.
    fn unwatch(&self, oper: Operation);
    /// Gives up a claimed operation that will not be completed: a receive's message
    /// goes to the channel's graveyard; a send frees its slot or leaves a hole (see
    /// `SendFlavor::abandon_send`).
    ///
    /// # Safety
    /// `token` holds a claim of this handle's channel, completed at most once.
    unsafe fn abandon(&self, token: &mut Token);
}

impl<T> SelectHandle for Sender<T> {
    fn addr(&self) -> usize {
        Sender::addr(self)
    }
    fn claim(&self, token: &mut Token) -> bool {
        with_sender!(self, c => c.claim_send(token))
    }
    fn deadline(&self) -> Option<Instant> {
        None
    }
    fn register(&self, oper: Operation, cx: &Context) -> bool {
        self.flavor().register_send(oper, cx)
    }
    fn unregister(&self, oper: Operation) {
        self.flavor().unregister_send(oper)
    }
    fn accept(&self, token: &mut Token, cx: &Context, _deadline: Option<Instant>) -> bool {
        self.flavor().accept_send(token, cx)
    }
    fn is_ready(&self) -> bool {
        self.flavor().is_ready_send()
    }
    fn version(&self) -> Snapshot {
        self.flavor().version_send()
    }
    fn watch(&self, oper: Operation, cx: &Context) -> bool {
        self.flavor().watch_send(oper, cx)
    }
    fn unwatch(&self, oper: Operation) {
        self.flavor().unwatch_send(oper)
    }
    unsafe fn abandon(&self, token: &mut Token) {
        // SAFETY: forwarded from the caller.
        unsafe { self.flavor().abandon_send(token) }
    }
}

impl<T> SelectHandle for Receiver<T> {
    fn addr(&self) -> usize {
        Receiver::addr(self)
    }
    fn claim(&self, token: &mut Token) -> bool {
        with_receiver!(self, c => c.claim_recv(token))
    }
    fn deadline(&self) -> Option<Instant> {
        self.flavor().deadline()
    }
    fn register(&self, oper: Operation, cx: &Context) -> bool {
        self.flavor().register_recv(oper, cx)
    }
    fn unregister(&self, oper: Operation) {
        self.flavor().unregister_recv(oper)
    }
    fn accept(&self, token: &mut Token, cx: &Context, deadline: Option<Instant>) -> bool {
        self.flavor().accept_recv(token, cx, deadline)
    }
    fn is_ready(&self) -> bool {
        self.flavor().is_ready_recv()
    }
    fn version(&self) -> Snapshot {
        self.flavor().version_recv()
    }
    fn watch(&self, oper: Operation, cx: &Context) -> bool {
        self.flavor().watch_recv(oper, cx)
    }
    fn unwatch(&self, oper: Operation) {
        self.flavor().unwatch_recv(oper)
    }
    unsafe fn abandon(&self, token: &mut Token) {
        // SAFETY: forwarded from the caller.
        unsafe { self.flavor().abandon_recv(token) }
    }
}
