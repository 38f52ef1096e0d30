//! A selection driven by a future: the protocol of `protocol.rs`, step by step, as a
//! state machine that a `poll` advances and that never blocks.
//!
//! Where the blocking protocol parks, a poll returns `Pending` with the task's waker in
//! the future's own [`Context`] (created at its first registration, reused after), so
//! the wait lists wake a task as they wake a thread. Deadlines (a timeout, a timer's
//! due time) are armed with the timer thread of `alarms`.
//!
//! Cancel safety (a future dropped at any point, [`Pending::cancel`]): registrations are
//! removed; if the context had already been selected for an operation, that wake-up is
//! passed on (`SelectHandle::decline`): a buffered channel wakes another waiter, a
//! rendezvous receive hands its message to the next receiver, a rendezvous send
//! releases the receiver it was promised to. A claim is only ever made inside the poll
//! that returns it, so no message is held across a `Pending`.

use super::protocol::{
    deadline, register_all, try_each, unregister_all, winner, Op, Record, Timeout,
};
use crate::alarms::Alarm;
use crate::context::{Context, Selected};
use crate::flavors::{Accept, SelectHandle, Token};
use crate::waiters::NO_DEAL;
use core::mem::ManuallyDrop;
use std::task::{Poll, Waker};

/// Where a polled selection stands.
#[derive(Debug)]
enum State {
    /// Not registered anywhere: the next poll tries the operations.
    Idle,
    /// Registered (or watching, for `ready`) with the first `count` operations.
    Registered { count: usize, watch: bool },
    /// The registration of operation `at` won; its accept waits for a rendezvous
    /// sender's message.
    Accepting { at: usize },
}

/// A selection in progress in a future, between polls.
#[derive(Debug)]
pub(crate) struct Pending {
    /// The future's context, once it first registered.
    cx: Option<Context>,
    /// The claim of the chosen operation, once `poll_select` returns it.
    pub(crate) token: Token,
    /// Where it stands.
    state: State,
    /// The alarm of the earliest deadline, while waiting.
    alarm: Option<Alarm>,
}

impl Drop for Pending {
    /// Inlined: a future that never waited has no context, and nothing to give back.
    #[inline]
    fn drop(&mut self) {
        if self.cx.is_some() {
            self.give_back();
        }
    }
}

/// The wait of a one-operation future (a send or receive future, a stream, a sink):
/// none until a poll cannot complete at once, so that an operation completed by its
/// first poll never sets one up, and dropping its future is one inlined check.
pub(crate) struct LazyPending(ManuallyDrop<Option<Pending>>);

impl LazyPending {
    /// No wait set up.
    #[inline]
    pub(crate) const fn new() -> Self {
        LazyPending(ManuallyDrop::new(None))
    }

    /// The wait, if one was set up.
    #[inline]
    pub(crate) fn get(&self) -> Option<&Pending> {
        self.0.as_ref()
    }

    /// The wait, if one was set up (for a drop to leave it).
    #[inline]
    pub(crate) fn get_mut(&mut self) -> Option<&mut Pending> {
        self.0.as_mut()
    }

    /// The wait, set up now if it was not: by a flavor's poll once it may have to
    /// wait (a poll that completes at once never sets one up).
    #[inline]
    pub(crate) fn start(&mut self) -> &mut Pending {
        self.0.get_or_insert_with(Pending::new)
    }

    /// No wait in progress and no message offered (see `Pending::is_clear`).
    #[inline]
    pub(crate) fn is_clear(&self) -> bool {
        self.get().is_none_or(Pending::is_clear)
    }

    /// Drops the wait that was set up (out of line: the common case has none).
    #[inline(never)]
    fn drop_wait(&mut self) {
        // SAFETY: called once, from `drop`; the field is never used again.
        unsafe { ManuallyDrop::drop(&mut self.0) }
    }
}

impl Drop for LazyPending {
    /// Its owner left the wait first (`cancel_one`, the flavors' `cancel_send`).
    #[inline]
    fn drop(&mut self) {
        if self.0.is_some() {
            self.drop_wait();
        }
    }
}

impl Pending {
    /// A selection that has not started.
    pub(crate) fn new() -> Self {
        Pending {
            cx: None,
            token: Token::default(),
            state: State::Idle,
            alarm: None,
        }
    }

    /// Its future has left every wait (`cancel`): the alarm goes first (only a wait,
    /// which has a context, arms one), then the context may serve another future.
    /// Inlined into the drops, themselves out of line.
    #[inline]
    fn give_back(&mut self) {
        self.alarm = None;
        if let Some(cx) = self.cx.take() {
            cx.recycle();
        }
    }

    /// No wait in progress, and no message offered: the next poll starts afresh (a
    /// quick claim may be tried), and a drop has nothing to leave.
    #[inline]
    pub(crate) fn is_clear(&self) -> bool {
        matches!(self.state, State::Idle) && !self.offered()
    }

    /// The context, made `Waiting` with this poll's waker, for a new wait.
    #[inline]
    pub(crate) fn start_wait(&mut self, waker: &Waker) -> &Context {
        let cx = self.cx.get_or_insert_with(Context::for_task);
        cx.reset();
        cx.give_waker(waker);
        cx
    }

    /// The context, if the future ever waited.
    pub(crate) fn context(&self) -> Option<&Context> {
        self.cx.as_ref()
    }

    /// A send future's message waits in the channel: a rendezvous offer, or a
    /// message parked on a full buffered channel (`token.deal`; see the flavors'
    /// `poll_send`).
    #[inline]
    pub(crate) fn offered(&self) -> bool {
        self.token.deal != NO_DEAL
    }

    /// The context of the wait in progress, given this poll's waker.
    #[inline]
    pub(crate) fn waiting(&mut self, waker: &Waker) -> &Context {
        let cx = self.cx.as_ref().expect("a pending wait has a context");
        cx.give_waker(waker);
        cx
    }

    /// Polls a selection over `ops` (`Select::select`'s protocol). `Ready(Some(i))`:
    /// `ops[i]` is claimed (held) in `self.token`; `Ready(None)`: the
    /// timeout passed with nothing ready (confirmed, as in the blocking protocol).
    pub(crate) fn poll_select(
        &mut self,
        ops: &mut [Op<'_>],
        timeout: Timeout,
        biased: bool,
        waker: &Waker,
    ) -> Poll<Option<usize>> {
        loop {
            match self.state {
                State::Registered { .. } => match self.leave_if_selected(ops, waker) {
                    None => return Poll::Pending,
                    Some(sel) => {
                        if let Some(at) = winner(ops, sel) {
                            self.state = State::Accepting { at };
                        }
                    }
                },
                State::Accepting { at } => {
                    let cx = self.cx.as_ref().expect("an accepting wait has a context");
                    cx.give_waker(waker);
                    match ops[at]
                        .handle
                        .accept(&mut self.token, cx, timeout.deadline())
                    {
                        Accept::Yes => {
                            self.state = State::Idle;
                            self.alarm = None;
                            return Poll::Ready(Some(at));
                        }
                        Accept::No => {
                            self.state = State::Idle;
                            self.alarm = None;
                        }
                        Accept::Wait => {
                            if let (None, Some(t)) = (&self.alarm, timeout.deadline()) {
                                self.alarm = Some(Alarm::arm(t, cx));
                            }
                            return Poll::Pending;
                        }
                    }
                }
                State::Idle => {
                    let mut record = Record::new(timeout);
                    if let Some(i) = try_each(ops, &mut self.token, biased, &mut record) {
                        return Poll::Ready(Some(i));
                    }
                    if timeout.expired() {
                        if record.unchanged(ops) {
                            return Poll::Ready(None);
                        }
                        continue;
                    }
                    self.enter(ops, timeout, false, waker);
                }
            }
        }
    }

    /// Polls a future's one operation on `handle` until it is claimed in `self.token`,
    /// to be completed within the same poll.
    ///
    /// `poll_select`'s protocol for one operation named by the context, without the
    /// operation list: a future's send or receive polls this on every message. The
    /// first attempt is inlined into the caller, where the channel's type is known.
    #[inline]
    pub(crate) fn poll_one<H: SelectHandle>(&mut self, handle: &H, waker: &Waker) -> Poll<()> {
        if let State::Idle = self.state {
            if handle.reserve(&mut self.token) {
                return Poll::Ready(());
            }
            return self.wait_one(handle, waker);
        }
        self.poll_one_again(handle, waker)
    }

    /// `poll_one` after an attempt that failed (the state is `Idle`): registers and
    /// waits.
    #[inline(never)]
    pub(crate) fn wait_one(&mut self, handle: &dyn SelectHandle, waker: &Waker) -> Poll<()> {
        self.step_one(handle, waker, false)
    }

    /// `poll_one` while registered or accepting.
    #[inline(never)]
    fn poll_one_again(&mut self, handle: &dyn SelectHandle, waker: &Waker) -> Poll<()> {
        self.step_one(handle, waker, true)
    }

    /// The protocol of `poll_one`; `attempt`: try the operation before registering,
    /// when the state is (or becomes) `Idle`.
    fn step_one(
        &mut self,
        handle: &dyn SelectHandle,
        waker: &Waker,
        mut attempt: bool,
    ) -> Poll<()> {
        loop {
            let sel = match self.state {
                State::Idle => {
                    if attempt && handle.reserve(&mut self.token) {
                        return Poll::Ready(());
                    }
                    attempt = true;
                    let cx = self.start_wait(waker);
                    let sel = if handle.register(cx.operation(), cx) {
                        // Ready meanwhile: call the wait off, unless something won.
                        cx.select(Selected::Aborted)
                            .map_or_else(|s| s, |()| Selected::Aborted)
                    } else {
                        cx.selected()
                    };
                    if sel == Selected::Waiting {
                        if let Some(t) = handle.deadline() {
                            self.alarm = Some(Alarm::arm(t, cx));
                        }
                        self.state = State::Registered {
                            count: 1,
                            watch: false,
                        };
                        return Poll::Pending;
                    }
                    sel
                }
                State::Registered { .. } => {
                    let sel = self.waiting(waker).selected();
                    if sel == Selected::Waiting {
                        return Poll::Pending;
                    }
                    sel
                }
                State::Accepting { .. } => {
                    let cx = self.cx.as_ref().expect("an accepting wait has a context");
                    cx.give_waker(waker);
                    match handle.accept_one(&mut self.token, cx) {
                        Accept::Yes => {
                            self.state = State::Idle;
                            return Poll::Ready(());
                        }
                        Accept::No => {
                            self.state = State::Idle;
                            continue;
                        }
                        Accept::Wait => return Poll::Pending,
                    }
                }
            };
            // The wait is over. Whoever selected the context for the operation removed
            // its entry; anything else (an abort, a disconnection, the alarm) did not.
            let cx = self.cx.as_ref().expect("a finished wait has a context");
            let oper = cx.operation();
            self.alarm = None;
            if sel == Selected::Operation(oper) {
                self.state = State::Accepting { at: 0 };
            } else {
                handle.unregister(oper);
                self.state = State::Idle;
            }
        }
    }

    /// The future of `poll_one` is dropped (as `cancel`, for its one operation).
    #[inline]
    pub(crate) fn cancel_one(&mut self, handle: &dyn SelectHandle) {
        // Idle: no wait to leave, and no alarm (only a registered wait arms one).
        if let State::Idle = self.state {
            return;
        }
        self.leave_one(handle);
    }

    /// `cancel_one` of a wait in progress.
    #[inline(never)]
    fn leave_one(&mut self, handle: &dyn SelectHandle) {
        self.alarm = None;
        let Some(cx) = self.cx.as_ref() else {
            return;
        };
        match core::mem::replace(&mut self.state, State::Idle) {
            State::Idle => {}
            State::Registered { .. } => {
                let oper = cx.operation();
                handle.unregister(oper);
                // Unregistered: the state is final now.
                if cx.selected() == Selected::Operation(oper) {
                    handle.decline(cx);
                }
            }
            State::Accepting { .. } => handle.decline(cx),
        }
    }

    /// Polls a `ready` selection over `ops` (`Select::ready`'s protocol): the index of
    /// an operation that was ready; `Ready(None)` when the timeout passed.
    pub(crate) fn poll_ready(
        &mut self,
        ops: &mut [Op<'_>],
        timeout: Timeout,
        waker: &Waker,
    ) -> Poll<Option<usize>> {
        loop {
            if let State::Registered { .. } = self.state {
                let sel = match self.leave_if_selected(ops, waker) {
                    None => return Poll::Pending,
                    Some(sel) => sel,
                };
                if let Some(at) = winner(ops, sel) {
                    return Poll::Ready(Some(ops[at].index));
                }
            }
            let mut record = Record::new(timeout);
            if let Some(op) = ops.iter().find(|op| op.check(&mut record)) {
                return Poll::Ready(Some(op.index));
            }
            if timeout.expired() {
                if record.unchanged(ops) {
                    return Poll::Ready(None);
                }
                continue;
            }
            self.enter(ops, timeout, true, waker);
        }
    }

    /// Registers with every operation and arms the alarm of the earliest deadline.
    fn enter(&mut self, ops: &mut [Op<'_>], timeout: Timeout, watch: bool, waker: &Waker) {
        let cx = self.start_wait(waker);
        let (count, sel) = register_all(ops, cx, watch);
        if sel == Selected::Waiting {
            if let Some(t) = deadline(ops, timeout) {
                self.alarm = Some(Alarm::arm(t, cx));
            }
        }
        self.state = State::Registered { count, watch };
    }

    /// While registered: `None` if the context still waits (with this poll's waker);
    /// otherwise unregisters everywhere and returns what selected it.
    fn leave_if_selected(&mut self, ops: &mut [Op<'_>], waker: &Waker) -> Option<Selected> {
        let State::Registered { count, watch } = self.state else {
            unreachable!("leaving a wait that is not registered");
        };
        let cx = self.waiting(waker);
        let sel = cx.selected();
        if sel == Selected::Waiting {
            return None;
        }
        unregister_all(ops, count, (watch, sel));
        self.state = State::Idle;
        self.alarm = None;
        Some(sel)
    }

    /// The future is dropped: leaves any wait, passing on a wake-up it was given but
    /// did not use (see the module).
    pub(crate) fn cancel(&mut self, ops: &mut [Op<'_>]) {
        self.alarm = None;
        let Some(cx) = self.cx.as_ref() else {
            return;
        };
        match core::mem::replace(&mut self.state, State::Idle) {
            State::Idle => {}
            State::Registered { count, watch } => {
                // Every registration goes: the context may be selected meanwhile.
                unregister_all(ops, count, (watch, Selected::Waiting));
                // Unregistered everywhere: the state is final now.
                if let (Some(at), false) = (winner(ops, cx.selected()), watch) {
                    ops[at].handle.decline(cx);
                }
            }
            State::Accepting { at } => ops[at].handle.decline(cx),
        }
    }
}
