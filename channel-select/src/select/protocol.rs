//! The selection protocol over a slice of operations (see the module above for the
//! steps): the random order, registration and parking, and the retry loop.

use crate::channel::deadline_after;
use crate::context::{expired, Context, Operation, Selected};
use crate::flavors::{sleep_until, Accept, SelectHandle, Side, Snapshot, Token};
use channel_core::sync::{random, time, Backoff};
use smallvec::SmallVec;
use std::time::{Duration, Instant};

/// One operation of a selection: 32 bytes on a 64-bit target, written once per
/// operation by every selection (a `select!` of 32 arms writes 1 KiB of them each
/// time it runs).
#[derive(Clone, Copy)]
pub(crate) struct Op<'a> {
    /// The endpoint.
    pub(super) handle: &'a dyn SelectHandle,
    /// The index `Select::send`/`recv` returned for it.
    pub(super) index: usize,
    /// Which side of the channel.
    pub(super) side: Side,
}

impl<'a> Op<'a> {
    /// An operation on `handle` with index `index`.
    pub(crate) fn new(handle: &'a dyn SelectHandle, index: usize, side: Side) -> Self {
        Op {
            handle,
            index,
            side,
        }
    }

    /// Tries to claim the operation (held: the caller may complete it late); first
    /// notes its version in `record`.
    #[inline]
    fn attempt(&self, token: &mut Token, record: &mut Record) -> bool {
        record.note(self.handle);
        self.handle.reserve_held(token)
    }

    /// The operation's name in the wait lists: its address, which stays put while the
    /// selection waits (the operations are borrowed from a `Select` or lie on a
    /// blocked thread's stack).
    fn id(&mut self) -> Operation {
        Operation::hook(self)
    }

    /// Whether the operation is ready now; first notes its version in `record`.
    #[inline]
    pub(super) fn check(&self, record: &mut Record) -> bool {
        record.note(self.handle);
        self.handle.is_ready()
    }
}

/// Versions kept inline by a [`Record`]; a selection of more operations that may
/// report "nothing ready" allocates them.
const RECORD_INLINE: usize = 16;

/// The versions a selection that may report "nothing ready" reads during a pass over
/// its operations, one per operation in the pass's order, for the confirming pass
/// (`unchanged`). Kept apart from the operations: a selection that waits for as long
/// as it takes records none, and the operations of every `select!` would otherwise
/// carry (and initialize) 40 bytes each that it never reads.
pub(super) struct Record {
    /// Whether this selection records at all.
    on: bool,
    /// This pass's versions so far: `versions[k]` is `ops[k]`'s.
    versions: SmallVec<[Snapshot; RECORD_INLINE]>,
}

impl Record {
    /// Records for a selection with `timeout` (one that may fail).
    #[inline]
    pub(super) fn new(timeout: Timeout) -> Self {
        Record {
            on: timeout.may_fail(),
            versions: SmallVec::new(),
        }
    }

    /// Starts a pass: forgets the last one's versions.
    #[inline]
    pub(super) fn start(&mut self) {
        self.versions.clear();
    }

    /// Notes `handle`'s version as the pass's next, if this selection records.
    #[inline]
    fn note(&mut self, handle: &dyn SelectHandle) {
        if self.on {
            self.versions.push(handle.version());
        }
    }

    /// The confirming pass of a selection about to report "nothing ready", after a
    /// whole pass of failed attempts: true if no operation's channel changed since its
    /// attempt. Each operation was then not ready from its attempt until now, so all of
    /// them were at once, at the instant between the two passes: the report is
    /// linearizable. (A thread that moves a message from one channel to another can
    /// make every single attempt fail; it cannot leave both versions unchanged.)
    pub(super) fn unchanged(&self, ops: &[Op<'_>]) -> bool {
        debug_assert!(self.on && self.versions.len() == ops.len());
        ops.iter()
            .zip(&self.versions)
            .all(|(op, version)| op.handle.version() == *version)
    }
}

/// How long a selection may wait.
#[derive(Clone, Copy)]
pub(crate) enum Timeout {
    /// Not at all.
    Now,
    /// Forever.
    Never,
    /// Until this instant.
    At(Instant),
}

impl Timeout {
    pub(super) fn after(d: Duration) -> Timeout {
        deadline_after(d).map_or(Timeout::Never, Timeout::At)
    }
    pub(super) fn expired(self) -> bool {
        match self {
            Timeout::Now => true,
            Timeout::Never => false,
            Timeout::At(t) => expired(t),
        }
    }

    /// Whether a selection with this timeout may report "nothing ready", and so must
    /// record versions to confirm it.
    pub(super) fn may_fail(self) -> bool {
        !matches!(self, Timeout::Never)
    }

    /// The selection's own deadline, if any.
    pub(super) fn deadline(self) -> Option<Instant> {
        match self {
            Timeout::At(t) => Some(t),
            _ => None,
        }
    }
}

/// A uniform index below `n` from 32 random bits, by multiply-shift (Lemire). The bias
/// is below `n / 2^32`, far under what any fairness measure can see.
fn below(bits: u32, n: usize) -> usize {
    ((u64::from(bits) * n as u64) >> 32) as usize
}

/// Tries the operations one by one in a random order drawn as it goes (a lazy
/// Fisher-Yates shuffle), or in order when biased; claims the first that can proceed.
/// Starts a pass of `record`: each operation's version is noted just before its
/// attempt (the shuffle never moves an operation already tried, so `record`'s order
/// stays the operations' order).
///
/// The order is a uniformly random permutation cut short at the first ready
/// operation, so each ready operation is equally likely to win, and a selection whose
/// first pick is ready pays for one random draw, not a full shuffle.
pub(super) fn try_each(
    ops: &mut [Op<'_>],
    token: &mut Token,
    biased: bool,
    record: &mut Record,
) -> Option<usize> {
    record.start();
    if biased || ops.len() < 2 {
        return ops.iter().position(|op| op.attempt(token, record));
    }
    let n = ops.len();
    let mut bits = 0u64;
    for k in 0..n {
        if k % 2 == 0 {
            bits = random();
        } else {
            bits >>= 32;
        }
        let j = k + below(bits as u32, n - k);
        ops.swap(k, j);
        if ops[k].attempt(token, record) {
            return Some(k);
        }
    }
    None
}

/// Orders the operations for a fair pick: a fresh random permutation (Fisher-Yates,
/// drawn as `try_each` draws it; under loom the source gives 0: the order stays).
pub(super) fn shuffle(ops: &mut [Op<'_>]) {
    let n = ops.len();
    for k in 0..n.saturating_sub(1) {
        ops.swap(k, k + below(random() as u32, n - k));
    }
}

/// The earliest of `timeout` and the operations' own deadlines.
pub(super) fn deadline(ops: &[Op<'_>], timeout: Timeout) -> Option<Instant> {
    let mut deadline = match timeout {
        Timeout::At(t) => Some(t),
        _ => None,
    };
    for op in ops {
        if let Some(d) = op.handle.deadline() {
            deadline = Some(deadline.map_or(d, |x| x.min(d)));
        }
    }
    deadline
}

/// Registers `cx` with every operation (`watch` for ready, else `register`), until one
/// turns out ready (then calls the wait off with `Aborted`, unless something already
/// selected the context). Returns how many were registered, and the context's state.
pub(super) fn register_all(ops: &mut [Op<'_>], cx: &Context, watch: bool) -> (usize, Selected) {
    let mut registered = 0;
    for op in ops.iter_mut() {
        registered += 1;
        let oper = op.id();
        let ready = if watch {
            op.handle.watch(oper, cx)
        } else {
            op.handle.register(oper, cx)
        };
        if ready {
            // Ready meanwhile: call the wait off, unless something already won.
            let sel = cx
                .select(Selected::Aborted)
                .map_or_else(|s| s, |()| Selected::Aborted);
            return (registered, sel);
        }
        let sel = cx.selected();
        if sel != Selected::Waiting {
            return (registered, sel);
        }
    }
    (registered, Selected::Waiting)
}

/// Removes the first `registered` registrations of `register_all`, but for the one
/// that `sel` names: whoever selected the context for an operation removed that
/// entry already (`WaitList::reserve_where`, `notify_observers`), so leaving it out
/// saves taking that list's lock again.
pub(super) fn unregister_all(
    ops: &mut [Op<'_>],
    registered: usize,
    (watch, sel): (bool, Selected),
) {
    for op in ops.iter_mut().take(registered) {
        let oper = op.id();
        if sel == Selected::Operation(oper) {
            continue;
        }
        if watch {
            op.handle.unwatch(oper);
        } else {
            op.handle.unregister(oper);
        }
    }
}

/// The position in `ops` of the operation that `sel` names, if it names one.
pub(super) fn winner(ops: &mut [Op<'_>], sel: Selected) -> Option<usize> {
    match sel {
        Selected::Operation(oper) => ops.iter_mut().position(|op| op.id() == oper),
        _ => None,
    }
}

/// Registers with every operation, parks, and unregisters. Returns the position in
/// `ops` of the operation that selected the context, if one did.
fn block_on(ops: &mut [Op<'_>], timeout: Timeout, cx: &Context, watch: bool) -> Option<usize> {
    let (registered, mut sel) = register_all(ops, cx, watch);
    if sel == Selected::Waiting {
        sel = cx.wait_until(deadline(ops, timeout), true);
    }
    unregister_all(ops, registered, (watch, sel));
    winner(ops, sel)
}

/// Accepts the operation whose registration won, parked while a rendezvous sender
/// computes its message (at most until `deadline`).
fn accept_blocking(
    handle: &dyn SelectHandle,
    token: &mut Token,
    cx: &Context,
    deadline: Option<Instant>,
) -> bool {
    loop {
        match handle.accept(token, cx, deadline) {
            Accept::Yes => return true,
            Accept::No => return false,
            // Unparked by the sender's write or cancel, or the deadline passed.
            Accept::Wait => time::park_until(deadline),
        }
    }
}

/// Runs a selection; returns the claimed operation with its token.
pub(super) fn run_select<'a>(
    ops: &mut [Op<'a>],
    timeout: Timeout,
    biased: bool,
) -> Option<(Token, Op<'a>)> {
    if ops.is_empty() {
        if let Timeout::At(t) = timeout {
            sleep_until(Some(t));
        }
        return None;
    }
    let mut token = Token::default();
    // A selection that may report "nothing ready" records each channel's version as it
    // tries it, to confirm that (cheaper than a second pass of attempts).
    let mut record = Record::new(timeout);
    loop {
        if let Some(i) = try_each(ops, &mut token, biased, &mut record) {
            return Some((token, ops[i]));
        }
        if timeout.expired() {
            if record.unchanged(ops) {
                return None;
            }
            continue;
        }
        let won = Context::with(|cx| {
            let i = block_on(ops, timeout, cx, false)?;
            accept_blocking(ops[i].handle, &mut token, cx, timeout.deadline()).then_some(i)
        });
        if let Some(i) = won {
            return Some((token, ops[i]));
        }
    }
}

/// Runs a `ready()` selection; returns the index of an operation that was ready.
pub(super) fn run_ready(ops: &mut [Op<'_>], timeout: Timeout, biased: bool) -> Option<usize> {
    if ops.is_empty() {
        if let Timeout::At(t) = timeout {
            sleep_until(Some(t));
        }
        return None;
    }
    if !biased {
        shuffle(ops);
    }
    // As in `run_select`.
    let mut record = Record::new(timeout);
    loop {
        let backoff = Backoff::new();
        loop {
            record.start();
            if let Some(index) = ops
                .iter()
                .find_map(|op| op.check(&mut record).then_some(op.index))
            {
                return Some(index);
            }
            if backoff.is_completed() || matches!(timeout, Timeout::Now) {
                break;
            }
            backoff.snooze();
        }
        if timeout.expired() {
            if record.unchanged(ops) {
                return None;
            }
            continue;
        }
        if let Some(i) = Context::with(|cx| block_on(ops, timeout, cx, true)) {
            return Some(ops[i].index);
        }
    }
}
