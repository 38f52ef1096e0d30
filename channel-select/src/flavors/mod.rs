//! The flavors behind `Sender`/`Receiver`, and the one interface they offer.
//!
//! - [`queued`]: a buffered channel over any `channel_core::Queue` (the bounded ring and
//!   the unbounded list share this code);
//! - [`zero`]: the rendezvous channel, `bounded(0)`;
//! - [`at`], [`tick`] (through [`timer`]), [`never`]: the timer receivers.
//!
//! A flavor is one channel with two sides, and the side is a type: [`Sending<C>`] and
//! [`Receiving<C>`] are views of the channel `C` (the same memory, another type), in
//! the manner of Go's `caseSend`/`caseRecv`. Each side implements [`SelectHandle`],
//! the steps every waiting operation is made of, whatever waits (a blocked call, a
//! `Select`, a future); [`SendSide`] and [`RecvSide`] add the typed steps that move a
//! message; [`Chan`] is what the channel answers whichever side asks.
//!
//! The steps, one name each at every layer:
//! - `reserve`: claim the operation now, to be completed at once (a `try_` call);
//!   `reserve_held`: claim it for a selection, to be completed late (after user code)
//!   or never (`mem::forget`), so no other thread ever waits for it;
//! - `write` / `read`: complete a claim; `abandon`: give a claim up;
//! - `register` / `unregister`: enter or leave the side's wait list;
//! - `accept`: after a registration won, claim the operation (`decline`: leave
//!   without it, passing the wake-up on);
//! - `watch` / `unwatch`: observe readiness without claiming (`Select::ready`).
//!
//! The untyped steps never run a message's own code (no drop, no clone) and never hand
//! a message to the selecting thread: that is what lets a `Select` be `Send` and `Sync`
//! whatever the message type (a claimed receive that is given up puts its message in
//! the channel's graveyard, dropped with the channel).

pub(crate) mod at;
pub(crate) mod never;
pub(crate) mod queued;
pub(crate) mod tick;
pub(crate) mod timer;
pub(crate) mod zero;

use crate::context::{Context, Operation};
use crate::errors::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};
use crate::select::{LazyPending, Pending};
use crate::waiters::NO_DEAL;
use channel_core::{Reservation, Version};
use core::ops::Deref;
use std::task::{Poll, Waker};
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

/// What `SelectHandle::accept` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accept {
    /// The operation is claimed in the token.
    Yes,
    /// Another waiter was faster, or the wait was given up: try again from the start.
    No,
    /// A rendezvous sender is still computing its message: wait to be unparked.
    Wait,
}

/// `Accept::Yes` if `claimed`, else `Accept::No`.
pub(crate) fn accepted(claimed: bool) -> Accept {
    if claimed {
        Accept::Yes
    } else {
        Accept::No
    }
}

/// Which side of a channel an operation is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// A send.
    Send,
    /// A receive.
    Recv,
}

/// Declares a side view: the channel `C` seen from one side, the same memory.
macro_rules! side_view {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[repr(transparent)]
        pub(crate) struct $name<C>(C);

        impl<C> $name<C> {
            /// `chan` seen from this side.
            #[inline(always)]
            pub(crate) fn of(chan: &C) -> &$name<C> {
                // SAFETY: `$name<C>` is `repr(transparent)` over `C`, so a `&C` is a
                // valid `&$name<C>` with the same lifetime.
                unsafe { &*(chan as *const C as *const $name<C>) }
            }
        }

        impl<C> Deref for $name<C> {
            type Target = C;
            #[inline(always)]
            fn deref(&self) -> &C {
                &self.0
            }
        }
    };
}

side_view!(
    /// The sending side of the channel `C`.
    Sending
);
side_view!(
    /// The receiving side of the channel `C`.
    Receiving
);

/// The steps of one side of a channel that involve no message: what a selection, a
/// blocked call and (through them) the `select!` macro use. Object safe, with no
/// message type, so a `Select` holds any mix of them.
pub(crate) trait SelectHandle {
    /// Claims the operation if it can proceed now, to be completed at once (the `try_`
    /// path): a claim that others may wait a moment for.
    fn reserve(&self, token: &mut Token) -> bool;
    /// Claims the operation for a selection: like `reserve`, but the claim may be
    /// completed late or never, and holds nobody up meanwhile.
    fn reserve_held(&self, token: &mut Token) -> bool {
        self.reserve(token)
    }
    /// Gives up a claim that will not be completed: a receive's message goes to the
    /// graveyard (dropped with the channel, by a thread that owns a handle of it); a
    /// send frees its slot or leaves a hole its receivers skip.
    ///
    /// # Safety
    /// `token` was filled by `reserve`, `reserve_held` or `accept` of this side of
    /// this channel, and is completed at most once.
    unsafe fn abandon(&self, token: &mut Token);
    /// Registers a waiting context; returns whether the operation is possible now.
    fn register(&self, oper: Operation, cx: &Context) -> bool;
    /// Removes that registration.
    fn unregister(&self, oper: Operation);
    /// After the registration won (the context was selected for `oper`): claims the
    /// operation (like `reserve_held`). Never blocks: `Accept::Wait` says a
    /// rendezvous sender is still computing its message (it unparks `cx` when done);
    /// call again then, or once `deadline` has passed, when the wait is given up.
    fn accept(&self, token: &mut Token, cx: &Context, deadline: Option<Instant>) -> Accept;
    /// `accept` for a future's one operation (`Pending::poll_one`), whose claim is
    /// completed within the same poll: a flavor whose `accept` holds its claim
    /// (`reserve_held`) may claim as `reserve` does instead.
    fn accept_one(&self, token: &mut Token, cx: &Context) -> Accept {
        self.accept(token, cx, None)
    }
    /// The registration won, but its waiter leaves without accepting (a future dropped
    /// after it was woken): passes the wake-up on to another waiter and hands back
    /// whatever the winner was given, so no message is lost and nobody is left waiting.
    fn decline(&self, _cx: &Context) {}
    /// The operation would not block now (agrees with the `try_` call).
    fn is_ready(&self) -> bool;
    /// A snapshot that changes whenever the operation's readiness may change.
    fn version(&self) -> Snapshot;
    /// Registers an observer (`Select::ready`); returns `is_ready()`.
    fn watch(&self, oper: Operation, cx: &Context) -> bool;
    /// Removes that observer.
    fn unwatch(&self, oper: Operation);
    /// When the operation becomes ready without any other thread acting (timers).
    fn deadline(&self) -> Option<Instant> {
        None
    }
}

/// The typed steps of a channel's sending side.
pub(crate) trait SendSide<T>: SelectHandle {
    /// Completes a claimed send; hands `msg` back on disconnection.
    ///
    /// # Safety
    /// `token` was filled by `reserve`, `reserve_held` or `accept` of this side of
    /// this channel, and is completed once.
    unsafe fn write(&self, token: &mut Token, msg: T) -> Result<(), T>;
    /// Sends without blocking: claim, then complete (the message comes back on failure).
    #[inline]
    fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        let mut token = Token::default();
        if !self.reserve(&mut token) {
            return Err(TrySendError::Full(msg));
        }
        // SAFETY: filled by `reserve` on this side just now.
        unsafe { self.write(&mut token, msg) }.map_err(TrySendError::Disconnected)
    }
    /// Sends, blocking until `deadline` (forever for `None`).
    fn send(&self, msg: T, deadline: Option<Instant>) -> Result<(), SendTimeoutError<T>>;
    /// Polls a send of `msg` (taken from it once sent or handed back) for a future:
    /// a one-operation selection, claimed and written within the poll that succeeds.
    /// The wait (`pending`) is set up only if the poll may have to wait.
    fn poll_send(
        &self,
        pending: &mut LazyPending,
        msg: &mut Option<T>,
        waker: &Waker,
    ) -> Poll<Result<(), T>>
    where
        Self: Sized,
    {
        let pending = pending.start();
        pending.poll_one(self, waker).map(|()| {
            let msg = msg.take().expect("a send polled after it completed");
            // SAFETY: claimed on this side by the poll just now, completed once.
            unsafe { self.write(&mut pending.token, msg) }
        })
    }
    /// The future of `poll_send` is dropped: leaves its wait (its message, if not
    /// sent, is dropped with the future).
    fn cancel_send(&self, pending: &mut Pending)
    where
        Self: Sized,
    {
        pending.cancel_one(self);
    }
}

/// The typed steps of a channel's receiving side.
pub(crate) trait RecvSide<T>: SelectHandle {
    /// Completes a claimed receive: the message, or `Err` for the disconnection.
    ///
    /// # Safety
    /// `token` was filled by `reserve`, `reserve_held` or `accept` of this side of
    /// this channel, and is completed once.
    unsafe fn read(&self, token: &mut Token) -> Result<T, ()>;
    /// Receives without blocking: claim, then complete.
    #[inline]
    fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut token = Token::default();
        if !self.reserve(&mut token) {
            return Err(TryRecvError::Empty);
        }
        // SAFETY: filled by `reserve` on this side just now.
        unsafe { self.read(&mut token) }.map_err(|()| TryRecvError::Disconnected)
    }
    /// Receives, blocking until `deadline` (forever for `None`).
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError>;
    /// Polls a receive for a future: a one-operation selection, claimed and read
    /// within the poll that succeeds (no message is held across a `Pending`). The
    /// wait (`pending`) is set up only if the poll may have to wait.
    fn poll_recv(&self, pending: &mut LazyPending, waker: &Waker) -> Poll<Result<T, ()>>
    where
        Self: Sized,
    {
        let pending = pending.start();
        // SAFETY: claimed on this side by the poll just now, completed once.
        pending
            .poll_one(self, waker)
            .map(|()| unsafe { self.read(&mut pending.token) })
    }
    /// The future of `poll_recv` is dropped: leaves its wait, passing on a wake-up it
    /// did not use.
    fn cancel_recv(&self, pending: &mut Pending)
    where
        Self: Sized,
    {
        pending.cancel_one(self);
    }
}

/// What a channel answers whichever side asks.
pub(crate) trait Chan {
    /// Messages buffered now.
    fn len(&self) -> usize;
    /// Capacity (`None`: unbounded).
    fn capacity(&self) -> Option<usize>;
    /// No message buffered now.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
