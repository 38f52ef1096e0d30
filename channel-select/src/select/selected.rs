//! `SelectedOperation`: the operation a selection claimed, completed by the caller.

use super::protocol::Op;
use crate::channel::{
    with_receiver, with_sender, Receiver, ReceiverFlavor, Sender, SenderFlavor, Shared,
};
use crate::errors::{RecvError, SendError};
use crate::flavors::{RecvSide, SelectHandle, SendSide, Side, Token};
use core::fmt;

/// The `SelectedOperation` for a claimed operation.
pub(super) fn selected((token, op): (Token, Op<'_>)) -> Option<SelectedOperation<'_>> {
    Some(SelectedOperation {
        token,
        index: op.index,
        side: op.side,
        handle: op.handle,
    })
}

/// The operation a selection chose, claimed but not yet completed.
///
/// Complete it with [`SelectedOperation::send`] or [`SelectedOperation::recv`], passing
/// the handle it was chosen for (or a clone of it).
///
/// Until it is completed, nobody waits for it: other threads' calls keep their own
/// promises (a `try_` call returns at once, a timed call returns by its deadline).
/// - A claimed send on a buffered channel holds a slot. A receiver that finds it
///   unwritten with messages behind it takes those first; the send then lands behind
///   them, as if sent when it completes. (If the channel has filled up meanwhile,
///   the message is kept above the capacity and received next: completing a selected
///   operation never waits.)
/// - A claimed send on a rendezvous channel holds the receiver it found, which waits
///   for the message until its own deadline; if that has passed, completing the send
///   hands the message to another waiting receiver, or else leaves it in the channel
///   for the next receive (`len` then counts it).
/// - A claimed receive holds its message (and, on a bounded channel, that slot).
///
/// Dropping it without completing it is a bug and panics; the claim is given up first,
/// so the channel stays usable: a claimed send's slot is freed (or left as a gap
/// receivers skip), a claimed rendezvous send lets its receiver look for another
/// sender, and a claimed message is kept by the channel and dropped with it.
///
/// `mem::forget` on it is never undefined behaviour, and never makes another call spin
/// or overrun its deadline. It costs what the claim holds, for good:
/// - a send on `bounded(1)`: its slot, the only one (later sends find no room); on a
///   larger or unbounded channel, nothing lasting (the next receiver with a message
///   behind it revokes the claim);
/// - a send on `bounded(0)`: the receiver it found waits until that receiver's deadline
///   (or the channel's disconnection), then carries on;
/// - a receive: its message is leaked (never dropped), and on a bounded channel its
///   slot stays taken, so at most `cap - 1` more messages fit before senders find no
///   room; on a rendezvous channel the message stays with the channel and is dropped
///   with it.
///
/// It is neither `Send` nor `Sync`: it is completed by the thread that selected.
///
/// ```compile_fail
/// fn send<T: Send>(_: T) {}
/// let (s, r) = channel_select::unbounded::<i32>();
/// s.send(1).unwrap();
/// let mut sel = channel_select::Select::new();
/// sel.recv(&r);
/// send(sel.select());
/// ```
///
/// ```
/// let (s, r) = channel_select::unbounded();
/// s.send(3).unwrap();
/// let mut sel = channel_select::Select::new();
/// sel.recv(&r);
/// let oper = sel.select();
/// let r2 = r.clone();
/// assert_eq!(oper.recv(&r2), Ok(3)); // any handle of the channel will do
/// ```
#[must_use = "a selected operation must be completed with `send` or `recv`"]
pub struct SelectedOperation<'a> {
    /// The claim.
    token: Token,
    /// The operation's index in its `Select`.
    index: usize,
    /// Which side of the channel.
    side: Side,
    /// The selected endpoint, to give the claim up if it is never completed.
    handle: &'a dyn SelectHandle,
}

impl SelectedOperation<'_> {
    /// The index of the chosen operation, as `Select::send`/`recv` returned it.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded::<()>();
    /// let mut sel = channel_select::Select::new();
    /// let i = sel.send(&s);
    /// let oper = sel.select();
    /// assert_eq!(oper.index(), i);
    /// oper.send(&s, ()).unwrap();
    /// # drop(r);
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// True if the operation is on `side` of the channel whose side view `handle` is
    /// (one pointer comparison: a side view is the channel's own memory, the same for
    /// every handle of the channel, clones included).
    fn is_for(&self, side: Side, handle: &dyn SelectHandle) -> bool {
        self.side == side
            && core::ptr::eq(
                self.handle as *const dyn SelectHandle as *const (),
                handle as *const dyn SelectHandle as *const (),
            )
    }

    /// Completes the chosen send with `msg`. Fails, handing `msg` back, if the channel
    /// was disconnected.
    ///
    /// # Panics
    /// If `s` is not a handle of the selected operation's channel, or the selected
    /// operation is a receive.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded();
    /// drop(r);
    /// let mut sel = channel_select::Select::new();
    /// sel.send(&s);
    /// let oper = sel.select(); // a disconnected channel's send is ready
    /// assert_eq!(oper.send(&s, 9).unwrap_err().into_inner(), 9);
    /// ```
    pub fn send<T>(mut self, s: &Sender<T>, msg: T) -> Result<(), SendError<T>> {
        assert!(
            self.is_for(Side::Send, s.select_handle()),
            "`SelectedOperation::send` was given a sender of another channel than the selected operation's"
        );
        // SAFETY: the token was claimed by `reserve_held`/`accept` of this very
        // channel (checked above), and is completed once: `self` is consumed.
        let res = unsafe { with_sender!(s.flavor, c => c.sending().write(&mut self.token, msg)) };
        core::mem::forget(self);
        res.map_err(SendError)
    }

    /// Completes the chosen receive. Fails if the channel is empty and disconnected.
    ///
    /// # Panics
    /// If `r` is not a handle of the selected operation's channel, or the selected
    /// operation is a send.
    ///
    /// ```
    /// let (s, r) = channel_select::bounded::<i32>(1);
    /// drop(s);
    /// let mut sel = channel_select::Select::new();
    /// sel.recv(&r);
    /// assert!(sel.select().recv(&r).is_err());
    /// ```
    pub fn recv<T>(mut self, r: &Receiver<T>) -> Result<T, RecvError> {
        assert!(
            self.is_for(Side::Recv, r.select_handle()),
            "`SelectedOperation::recv` was given a receiver of another channel than the selected operation's"
        );
        // SAFETY: the token was claimed by `reserve_held`/`accept` of this very
        // channel (checked above), and is completed once: `self` is consumed.
        let res = unsafe { with_receiver!(r.flavor, c => c.receiving().read(&mut self.token)) };
        core::mem::forget(self);
        res.map_err(|()| RecvError)
    }
}

impl fmt::Debug for SelectedOperation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectedOperation")
            .field("index", &self.index)
            .finish()
    }
}

impl Drop for SelectedOperation<'_> {
    fn drop(&mut self) {
        // SAFETY: the claim was not completed (completing forgets `self`), and it
        // belongs to `self.handle`'s channel.
        unsafe { self.handle.abandon(&mut self.token) };
        if !std::thread::panicking() {
            panic!("dropped a `SelectedOperation` without completing it with `send` or `recv`");
        }
    }
}
