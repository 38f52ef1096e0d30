//! The flavors behind `Sender`/`Receiver`: what each kind of channel does.
//!
//! - [`queued`]: a buffered channel over any `channel_core::Queue` (the bounded ring and
//!   the unbounded list share this code);
//! - [`zero`]: the rendezvous channel, `bounded(0)`;
//! - [`at`], [`tick`] (through [`timer`]), [`never`]: the timer receivers.
//!
//! Every flavor offers its operations twice: as blocking/`try_` calls, and in two
//! phases for selection: `claim_*` (or, after a registration won, `accept_*`) claims
//! the operation, `read`/`write` completes it, `abandon_*` gives it up. A selection's
//! claim may be completed late (after user code) or never (`mem::forget`); no flavor
//! makes another thread wait for it beyond that thread's own deadline.
//!
//! The selection steps never run a message's own code (no drop, no clone) and never
//! hand a message to the selecting thread: that is what lets a `Select` be `Send` and
//! `Sync` whatever the message type (a claimed receive that is given up puts its
//! message in the channel's graveyard, dropped with the channel).

pub(crate) mod at;
pub(crate) mod never;
pub(crate) mod queued;
pub(crate) mod tick;
pub(crate) mod timer;
pub(crate) mod zero;

use crate::context::{Context, Operation};
use crate::errors::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};
use crate::waiters::NO_DEAL;
use channel_core::{Reservation, Version};
use std::time::Instant;

/// A snapshot of one side of a channel that changes whenever that side's readiness may
/// change: a queue's `Version` and one word of the flavor's own.
pub(crate) type Snapshot = [usize; 5];

/// A queue's version with the flavor's own word.
pub(crate) fn snapshot(v: Version, own: usize) -> Snapshot {
    [v[0], v[1], v[2], v[3], own]
}

/// What a claimed operation needs to be completed: one field per kind of flavor.
#[derive(Debug)]
pub(crate) struct Token {
    /// A buffered channel's claimed slot.
    pub(crate) queue: Reservation,
    /// A rendezvous deal (`NO_DEAL`: the channel is disconnected), or a buffered
    /// channel's claimed stash entry (`NO_DEAL`: none, the claim is in `queue`).
    pub(crate) deal: usize,
    /// A timer's delivery instant.
    pub(crate) timer: Option<Instant>,
}

impl Default for Token {
    fn default() -> Self {
        Token {
            queue: Reservation::default(),
            deal: NO_DEAL,
            timer: None,
        }
    }
}

/// The receiving side of a flavor, and what every flavor has.
pub(crate) trait RecvFlavor<T> {
    /// Receives without blocking: claim, then complete.
    #[inline]
    fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut token = Token::default();
        if !self.start_recv(&mut token) {
            return Err(TryRecvError::Empty);
        }
        // SAFETY: filled by `start_recv` on this channel just now.
        unsafe { self.read(&mut token) }.map_err(|()| TryRecvError::Disconnected)
    }
    /// Receives, blocking until `deadline` (forever for `None`).
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError>;
    /// Messages buffered now.
    fn len(&self) -> usize;
    /// Capacity (`None`: unbounded).
    fn capacity(&self) -> Option<usize>;
    /// No message buffered now.
    fn is_empty(&self) -> bool;
    /// No room for a message now.
    fn is_full(&self) -> bool;
    /// Disconnects the channel; `true` for the call that did it.
    fn disconnect(&self) -> bool;
    /// Disconnects the channel because its last receiver is gone: what is buffered can
    /// never be received, so it is dropped now.
    fn disconnect_receivers(&self) {
        self.disconnect();
    }
    /// The channel has been disconnected.
    fn is_disconnected(&self) -> bool;

    /// Claims a receive (a message, or the disconnection) if one is possible now, to
    /// be completed at once by `read` (the `try_recv` path).
    fn start_recv(&self, token: &mut Token) -> bool;
    /// Claims a receive for a selection: like `start_recv`, but the claim may be
    /// completed late or never, and must not hold anyone up meanwhile.
    fn claim_recv(&self, token: &mut Token) -> bool {
        self.start_recv(token)
    }
    /// Completes a claimed receive.
    ///
    /// # Safety
    /// `token` was filled by `start_recv`, `claim_recv` or `accept_recv` of this same
    /// channel, and is completed once.
    unsafe fn read(&self, token: &mut Token) -> Result<T, ()>;
    /// Gives up a claimed receive: its message, if any, goes to the graveyard (dropped
    /// with the channel, by a thread that owns a handle of it).
    ///
    /// # Safety
    /// As for `read`.
    unsafe fn abandon_recv(&self, token: &mut Token);
    /// Registers a selecting receiver; returns whether a receive is possible now.
    fn register_recv(&self, oper: Operation, cx: &Context) -> bool;
    /// Removes that registration.
    fn unregister_recv(&self, oper: Operation);
    /// After the registration won: claims the receive (waiting at most until
    /// `deadline` for a rendezvous sender still computing its message).
    fn accept_recv(&self, token: &mut Token, cx: &Context, deadline: Option<Instant>) -> bool;
    /// A receive would not block now (agrees with `try_recv`).
    fn is_ready_recv(&self) -> bool;
    /// A snapshot that changes whenever the receive side's readiness may change.
    fn version_recv(&self) -> Snapshot;
    /// Registers an observer (`Select::ready`); returns `is_ready_recv()`.
    fn watch_recv(&self, oper: Operation, cx: &Context) -> bool;
    /// Removes that observer.
    fn unwatch_recv(&self, oper: Operation);
    /// When a timer will be ready without any other thread acting.
    fn deadline(&self) -> Option<Instant> {
        None
    }
}

/// The sending side of a flavor.
pub(crate) trait SendFlavor<T>: RecvFlavor<T> {
    /// Sends without blocking: claim, then complete (the message comes back on failure).
    #[inline]
    fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        let mut token = Token::default();
        if !self.start_send(&mut token) {
            return Err(TrySendError::Full(msg));
        }
        // SAFETY: filled by `start_send` on this channel just now.
        unsafe { self.write(&mut token, msg) }.map_err(TrySendError::Disconnected)
    }
    /// Sends, blocking until `deadline` (forever for `None`).
    fn send(&self, msg: T, deadline: Option<Instant>) -> Result<(), SendTimeoutError<T>>;
    /// Claims a send (room, a waiting receiver, or the disconnection), to be
    /// completed at once by `write` (the `try_send` path).
    fn start_send(&self, token: &mut Token) -> bool;
    /// Claims a send for a selection: the message comes later (or never).
    fn claim_send(&self, token: &mut Token) -> bool;
    /// Completes a claimed send; hands `msg` back on disconnection.
    ///
    /// # Safety
    /// `token` was filled by `start_send`, `claim_send` or `accept_send` of this same
    /// channel, and is completed once.
    unsafe fn write(&self, token: &mut Token, msg: T) -> Result<(), T>;
    /// Gives up a claimed send without a message (its `SelectedOperation` was dropped):
    /// a buffered channel frees the slot or leaves a hole its receivers skip.
    ///
    /// # Safety
    /// As for `write`.
    unsafe fn abandon_send(&self, token: &mut Token);
    /// Registers a selecting sender; returns whether a send is possible now.
    fn register_send(&self, oper: Operation, cx: &Context) -> bool;
    /// Removes that registration.
    fn unregister_send(&self, oper: Operation);
    /// After the registration won: claims the send.
    fn accept_send(&self, token: &mut Token, cx: &Context) -> bool;
    /// A send would not block now (agrees with `try_send`).
    fn is_ready_send(&self) -> bool;
    /// A snapshot that changes whenever the send side's readiness may change.
    fn version_send(&self) -> Snapshot;
    /// Registers an observer (`Select::ready`); returns `is_ready_send()`.
    fn watch_send(&self, oper: Operation, cx: &Context) -> bool;
    /// Removes that observer.
    fn unwatch_send(&self, oper: Operation);
}

/// Sleeps until `deadline`, or forever.
pub(crate) fn sleep_until(deadline: Option<Instant>) {
    loop {
        let now = Instant::now();
        match deadline {
            Some(d) if now >= d => return,
            Some(d) => std::thread::sleep(d - now),
            None => std::thread::sleep(std::time::Duration::from_secs(3600)),
        }
    }
}
