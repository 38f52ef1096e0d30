//! Selection: waiting on several operations at once, exactly one of which happens.
//!
//! The protocol, for `Select::select`:
//! 1. try every operation once, in random order (or in order when biased); the first
//!    that can proceed is *claimed* (`start_send`/`start_recv`) and returned;
//! 2. otherwise register the thread's `Context` with every operation. A registration
//!    that finds its operation ready calls the wait off (`Aborted`);
//! 3. park until an operation's channel claims the context (CAS, once), a disconnection
//!    does, or the deadline passes (the earliest of the timeout and the timers');
//! 4. unregister from every operation; the winner then *accepts* (claims its slot or
//!    takes its rendezvous packet). If the accept fails (another thread was faster),
//!    or the wait was called off, go back to 1.
//!
//! A losing registration never consumes a message: registering only records the
//! context, and only the winning operation is ever claimed. The claimed operation is
//! completed by the caller through [`SelectedOperation`].

use crate::channel::{
    deadline_after, with_receiver, with_sender, Receiver, ReceiverFlavor, Sender, SenderFlavor,
};
use crate::context::{expired, Context, Operation, Selected};
use crate::errors::{
    ReadyTimeoutError, RecvError, SelectTimeoutError, SendError, TryReadyError, TrySelectError,
};
use crate::flavors::{sleep_until, Token};
use crate::flavors::{RecvFlavor, SendFlavor};
use channel_core::sync::Backoff;
use core::fmt;
use core::mem::MaybeUninit;
use std::time::{Duration, Instant};

/// What an endpoint offers a selector. `Select` uses nothing else.
pub(crate) trait SelectHandle {
    /// The channel's identity (the handle that completes the operation must match).
    fn addr(&self) -> usize;
    /// Claims the operation if it can proceed now.
    fn try_select(&self, token: &mut Token) -> bool;
    /// When the operation becomes ready by itself (timers).
    fn deadline(&self) -> Option<Instant>;
    /// Registers a selecting thread; true if the operation is ready now.
    fn register(&self, oper: Operation, cx: &Context) -> bool;
    /// Removes that registration.
    fn unregister(&self, oper: Operation);
    /// Claims the operation after its registration won.
    fn accept(&self, token: &mut Token, cx: &Context) -> bool;
    /// The operation would not block now.
    fn is_ready(&self) -> bool;
    /// Registers an observer for `ready()`; true if ready now.
    fn watch(&self, oper: Operation, cx: &Context) -> bool;
    /// Removes that observer.
    fn unwatch(&self, oper: Operation);
    /// Gives up a claimed operation that will not be completed: a receive takes the
    /// message and drops it; a send leaves a hole (see `SendFlavor::abandon_send`).
    ///
    /// # Safety
    /// `token` holds a claim of this handle's channel, completed at most once.
    unsafe fn abandon(&self, token: &mut Token);
}

impl<T> SelectHandle for Sender<T> {
    fn addr(&self) -> usize {
        Sender::addr(self)
    }
    fn try_select(&self, token: &mut Token) -> bool {
        with_sender!(self, c => c.start_send(token))
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
    fn accept(&self, token: &mut Token, cx: &Context) -> bool {
        self.flavor().accept_send(token, cx)
    }
    fn is_ready(&self) -> bool {
        self.flavor().is_ready_send()
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
    fn try_select(&self, token: &mut Token) -> bool {
        with_receiver!(self, c => c.start_recv(token))
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
    fn accept(&self, token: &mut Token, cx: &Context) -> bool {
        self.flavor().accept_recv(token, cx)
    }
    fn is_ready(&self) -> bool {
        self.flavor().is_ready_recv()
    }
    fn watch(&self, oper: Operation, cx: &Context) -> bool {
        self.flavor().watch_recv(oper, cx)
    }
    fn unwatch(&self, oper: Operation) {
        self.flavor().unwatch_recv(oper)
    }
    unsafe fn abandon(&self, token: &mut Token) {
        // SAFETY: forwarded from the caller; the message, if any, is dropped here.
        drop(unsafe { self.flavor().read(token) });
    }
}

/// One operation of a selection.
#[derive(Clone, Copy)]
struct Op<'a> {
    /// The endpoint.
    handle: &'a dyn SelectHandle,
    /// The index `Select::send`/`recv` returned for it.
    index: usize,
    /// A send (true) or a receive.
    is_send: bool,
}

/// How long a selection may wait.
#[derive(Clone, Copy)]
enum Timeout {
    /// Not at all.
    Now,
    /// Forever.
    Never,
    /// Until this instant.
    At(Instant),
}

impl Timeout {
    fn after(d: Duration) -> Timeout {
        deadline_after(d).map_or(Timeout::Never, Timeout::At)
    }
    fn expired(self) -> bool {
        match self {
            Timeout::Now => true,
            Timeout::Never => false,
            Timeout::At(t) => expired(t),
        }
    }
}

/// The next 64 random bits of this thread's generator.
///
/// The state is one word in a `const` thread-local, seeded by `rand` from the OS on first
/// use and stepped with wyrand (add a constant, fold a 128-bit product): a selection's
/// random order then costs a few instructions. Measured, a `RefCell<SmallRng>` behind a
/// lazily initialized thread-local cost about 100 instructions per selection.
fn next_random() -> u64 {
    use std::cell::Cell;
    std::thread_local! {
        static STATE: Cell<u64> = const { Cell::new(0) };
    }
    STATE.with(|state| {
        let mut s = state.get();
        if s == 0 {
            use rand::{rngs::SmallRng, RngCore, SeedableRng};
            s = SmallRng::from_os_rng().next_u64() | 1;
        }
        s = s.wrapping_add(0xa076_1d64_78bd_642f);
        state.set(s);
        let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
        (t as u64) ^ ((t >> 64) as u64)
    })
}

/// A uniform index below `n` from 32 random bits, by multiply-shift (Lemire). The bias
/// is below `n / 2^32`, far under what any fairness measure can see.
fn below(bits: u32, n: usize) -> usize {
    ((u64::from(bits) * n as u64) >> 32) as usize
}

/// Tries the operations one by one in a random order drawn as it goes (a lazy
/// Fisher-Yates shuffle), or in order when biased; claims the first that can proceed.
///
/// The order is a uniformly random permutation cut short at the first ready
/// operation, so each ready operation is equally likely to win, and a selection whose
/// first pick is ready pays for one random draw, not a full shuffle.
fn try_each<'a>(ops: &mut [Op<'a>], token: &mut Token, biased: bool) -> Option<Op<'a>> {
    if biased || channel_core::sync::LOOM || ops.len() < 2 {
        // Loom needs determinism; one operation has one order.
        return ops.iter().find(|op| op.handle.try_select(token)).copied();
    }
    let n = ops.len();
    let mut bits = 0u64;
    for k in 0..n {
        if k % 2 == 0 {
            bits = next_random();
        } else {
            bits >>= 32;
        }
        let j = k + below(bits as u32, n - k);
        ops.swap(k, j);
        if ops[k].handle.try_select(token) {
            return Some(ops[k]);
        }
    }
    None
}

/// Orders the operations for a fair pick: a fresh random permutation (Fisher-Yates).
fn shuffle(ops: &mut [Op<'_>]) {
    if channel_core::sync::LOOM || ops.len() < 2 {
        return;
    }
    for i in (1..ops.len()).rev() {
        ops.swap(i, below(next_random() as u32, i + 1));
    }
}

/// The earliest of `timeout` and the operations' own deadlines.
fn deadline(ops: &[Op<'_>], timeout: Timeout) -> Option<Instant> {
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

/// Registers with every operation (`watch` for ready, else `register`), parks, and
/// unregisters. Returns the position in `ops` of the operation that claimed the
/// context, if one did.
fn block_on(ops: &mut [Op<'_>], timeout: Timeout, cx: &Context, watch: bool) -> Option<usize> {
    let mut registered = 0;
    let mut sel = Selected::Waiting;
    for op in ops.iter_mut() {
        registered += 1;
        let oper = Operation::hook(op);
        let ready = if watch {
            op.handle.watch(oper, cx)
        } else {
            op.handle.register(oper, cx)
        };
        if ready {
            // Ready meanwhile: call the wait off, unless something already won.
            sel = cx
                .try_select(Selected::Aborted)
                .map_or_else(|s| s, |()| Selected::Aborted);
            break;
        }
        sel = cx.selected();
        if sel != Selected::Waiting {
            break;
        }
    }
    if sel == Selected::Waiting {
        sel = cx.wait_until(deadline(ops, timeout));
    }
    for op in ops.iter_mut().take(registered) {
        let oper = Operation::hook(op);
        if watch {
            op.handle.unwatch(oper);
        } else {
            op.handle.unregister(oper);
        }
    }
    match sel {
        Selected::Operation(oper) => ops.iter_mut().position(|op| Operation::hook(op) == oper),
        _ => None,
    }
}

/// Runs a selection; returns the claimed operation with its token.
fn run_select<'a>(ops: &mut [Op<'a>], timeout: Timeout, biased: bool) -> Option<(Token, Op<'a>)> {
    if ops.is_empty() {
        if let Timeout::At(t) = timeout {
            sleep_until(Some(t));
        }
        return None;
    }
    let mut token = Token::default();
    loop {
        if let Some(op) = try_each(ops, &mut token, biased) {
            return Some((token, op));
        }
        if timeout.expired() {
            return None;
        }
        let won = Context::with(|cx| {
            let i = block_on(ops, timeout, cx, false)?;
            ops[i].handle.accept(&mut token, cx).then_some(i)
        });
        if let Some(i) = won {
            return Some((token, ops[i]));
        }
    }
}

/// Runs a `ready()` selection; returns the index of an operation that was ready.
fn run_ready(ops: &mut [Op<'_>], timeout: Timeout, biased: bool) -> Option<usize> {
    if ops.is_empty() {
        if let Timeout::At(t) = timeout {
            sleep_until(Some(t));
        }
        return None;
    }
    if !biased {
        shuffle(ops);
    }
    loop {
        let backoff = Backoff::new();
        loop {
            if let Some(op) = ops.iter().find(|op| op.handle.is_ready()) {
                return Some(op.index);
            }
            if backoff.is_completed() || matches!(timeout, Timeout::Now) {
                break;
            }
            backoff.snooze();
        }
        if timeout.expired() {
            return None;
        }
        if let Some(i) = Context::with(|cx| block_on(ops, timeout, cx, true)) {
            return Some(ops[i].index);
        }
    }
}

/// Waits on a dynamic set of send and receive operations; exactly one of them happens.
///
/// Add operations with [`Select::send`] and [`Select::recv`], which return each one's
/// index, then call [`Select::select`] (or a `try_`/`_timeout`/`_deadline` form). The
/// returned [`SelectedOperation`] must be completed with the handle it was chosen for
/// (or a clone of it). When several operations are ready, one is picked at random;
/// [`Select::new_biased`] picks the first added instead.
///
/// A `Select` allocates while operations are added, never per selection: build it once
/// and select from it many times without allocating. (`select!` keeps its operations on
/// the stack and allocates nothing at all.)
///
/// ```
/// use channel_select::{unbounded, Select};
/// let (s1, r1) = unbounded::<i32>();
/// let (_s2, r2) = unbounded::<i32>();
/// s1.send(10).unwrap();
///
/// let mut sel = Select::new();
/// let i1 = sel.recv(&r1);
/// let i2 = sel.recv(&r2);
/// let oper = sel.select();
/// match oper.index() {
///     i if i == i1 => assert_eq!(oper.recv(&r1), Ok(10)),
///     i if i == i2 => unreachable!(),
///     _ => unreachable!(),
/// }
/// ```
pub struct Select<'a> {
    /// The operations, in insertion order while biased, shuffled otherwise.
    ops: Vec<Op<'a>>,
    /// The index the next added operation gets.
    next_index: usize,
    /// Take the first ready operation in insertion order.
    biased: bool,
}

impl<'a> Select<'a> {
    /// An empty selection that picks uniformly at random among ready operations.
    ///
    /// ```
    /// let mut sel = channel_select::Select::new();
    /// assert!(sel.try_select().is_err()); // nothing to select
    /// ```
    pub fn new() -> Select<'a> {
        Select {
            ops: Vec::new(),
            next_index: 0,
            biased: false,
        }
    }

    /// An empty selection that picks the first ready operation in the order they were
    /// added.
    ///
    /// ```
    /// let (s1, r1) = channel_select::unbounded();
    /// let (s2, r2) = channel_select::unbounded();
    /// s1.send(1).unwrap();
    /// s2.send(2).unwrap();
    /// let mut sel = channel_select::Select::new_biased();
    /// let first = sel.recv(&r1);
    /// sel.recv(&r2);
    /// let oper = sel.select();
    /// assert_eq!(oper.index(), first);
    /// assert_eq!(oper.recv(&r1), Ok(1));
    /// ```
    pub fn new_biased() -> Select<'a> {
        Select {
            biased: true,
            ..Select::new()
        }
    }

    fn add(&mut self, handle: &'a dyn SelectHandle, is_send: bool) -> usize {
        let index = self.next_index;
        self.next_index += 1;
        self.ops.push(Op {
            handle,
            index,
            is_send,
        });
        index
    }

    /// Adds a send operation; returns its index.
    ///
    /// ```
    /// let (s, r) = channel_select::bounded(1);
    /// let mut sel = channel_select::Select::new();
    /// let i = sel.send(&s);
    /// let oper = sel.select();
    /// assert_eq!(oper.index(), i);
    /// oper.send(&s, 5).unwrap();
    /// assert_eq!(r.recv(), Ok(5));
    /// ```
    pub fn send<T>(&mut self, s: &'a Sender<T>) -> usize {
        self.add(s, true)
    }

    /// Adds a receive operation; returns its index.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded();
    /// s.send('x').unwrap();
    /// let mut sel = channel_select::Select::new();
    /// let i = sel.recv(&r);
    /// let oper = sel.select();
    /// assert_eq!(oper.index(), i);
    /// assert_eq!(oper.recv(&r), Ok('x'));
    /// ```
    pub fn recv<T>(&mut self, r: &'a Receiver<T>) -> usize {
        self.add(r, false)
    }

    /// Removes the operation with index `index`. Other indices stay as they were.
    ///
    /// # Panics
    /// If there is no operation with that index (never added, or removed already).
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded::<i32>();
    /// drop(s); // disconnected: its receive is always ready
    /// let (_s2, r2) = channel_select::unbounded::<i32>();
    /// let mut sel = channel_select::Select::new();
    /// let i = sel.recv(&r);
    /// sel.recv(&r2);
    /// sel.remove(i);
    /// assert!(sel.try_select().is_err());
    /// ```
    pub fn remove(&mut self, index: usize) {
        let pos = self
            .ops
            .iter()
            .position(|op| op.index == index)
            .expect("no operation with this index in the `Select` (never added, or removed)");
        // `remove`, not `swap_remove`: a biased selection relies on insertion order.
        self.ops.remove(pos);
    }

    /// Selects an operation that can proceed now, without blocking.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded::<i32>();
    /// let mut sel = channel_select::Select::new();
    /// sel.recv(&r);
    /// assert!(sel.try_select().is_err());
    /// s.send(1).unwrap();
    /// let oper = sel.try_select().unwrap();
    /// assert_eq!(oper.recv(&r), Ok(1));
    /// ```
    pub fn try_select(&mut self) -> Result<SelectedOperation<'a>, TrySelectError> {
        self.run(Timeout::Now).ok_or(TrySelectError)
    }

    /// Blocks until one operation can proceed, and selects it.
    ///
    /// # Panics
    /// If no operation has been added (it would block forever).
    ///
    /// ```
    /// let (s, r) = channel_select::bounded(0);
    /// std::thread::spawn(move || s.send(7).unwrap());
    /// let mut sel = channel_select::Select::new();
    /// sel.recv(&r);
    /// assert_eq!(sel.select().recv(&r), Ok(7));
    /// ```
    pub fn select(&mut self) -> SelectedOperation<'a> {
        assert!(
            !self.ops.is_empty(),
            "`Select::select` called with no operations: it would block forever"
        );
        self.run(Timeout::Never)
            .expect("a selection without timeout ended")
    }

    /// Like [`Select::select`], giving up after `timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let (_s, r) = channel_select::unbounded::<i32>();
    /// let mut sel = channel_select::Select::new();
    /// sel.recv(&r);
    /// assert!(sel.select_timeout(Duration::from_millis(10)).is_err());
    /// ```
    pub fn select_timeout(
        &mut self,
        timeout: Duration,
    ) -> Result<SelectedOperation<'a>, SelectTimeoutError> {
        self.run(Timeout::after(timeout)).ok_or(SelectTimeoutError)
    }

    /// Like [`Select::select`], giving up at `deadline`.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let mut sel = channel_select::Select::new();
    /// let t = channel_select::after(Duration::from_millis(5));
    /// sel.recv(&t);
    /// let oper = sel.select_deadline(Instant::now() + Duration::from_secs(5)).unwrap();
    /// assert!(oper.recv(&t).is_ok());
    /// ```
    pub fn select_deadline(
        &mut self,
        deadline: Instant,
    ) -> Result<SelectedOperation<'a>, SelectTimeoutError> {
        self.run(Timeout::At(deadline)).ok_or(SelectTimeoutError)
    }

    fn run(&mut self, timeout: Timeout) -> Option<SelectedOperation<'a>> {
        selected(run_select(&mut self.ops, timeout, self.biased)?)
    }

    /// Returns the index of an operation that is ready now, without performing it.
    ///
    /// Another thread may act before the caller does, so the operation may block
    /// after all: use `try_` forms on the chosen handle.
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded::<i32>();
    /// let mut sel = channel_select::Select::new();
    /// let i = sel.recv(&r);
    /// assert!(sel.try_ready().is_err());
    /// s.send(1).unwrap();
    /// assert_eq!(sel.try_ready(), Ok(i));
    /// ```
    pub fn try_ready(&mut self) -> Result<usize, TryReadyError> {
        run_ready(&mut self.ops, Timeout::Now, self.biased).ok_or(TryReadyError)
    }

    /// Blocks until an operation is ready and returns its index.
    ///
    /// # Panics
    /// If no operation has been added (it would block forever).
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded();
    /// std::thread::spawn(move || s.send(1).unwrap());
    /// let mut sel = channel_select::Select::new();
    /// let i = sel.recv(&r);
    /// assert_eq!(sel.ready(), i);
    /// assert_eq!(r.try_recv(), Ok(1));
    /// ```
    pub fn ready(&mut self) -> usize {
        assert!(
            !self.ops.is_empty(),
            "`Select::ready` called with no operations: it would block forever"
        );
        run_ready(&mut self.ops, Timeout::Never, self.biased).expect("ready without timeout ended")
    }

    /// Like [`Select::ready`], giving up after `timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let (s, _r) = channel_select::bounded(0);
    /// let mut sel = channel_select::Select::new();
    /// sel.send(&s);
    /// assert!(sel.ready_timeout(Duration::from_millis(10)).is_err());
    /// # let _: &channel_select::Sender<i32> = &s;
    /// ```
    pub fn ready_timeout(&mut self, timeout: Duration) -> Result<usize, ReadyTimeoutError> {
        run_ready(&mut self.ops, Timeout::after(timeout), self.biased).ok_or(ReadyTimeoutError)
    }

    /// Like [`Select::ready`], giving up at `deadline`.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let (s, _r) = channel_select::bounded(1);
    /// let mut sel = channel_select::Select::new();
    /// let i = sel.send(&s);
    /// assert_eq!(sel.ready_deadline(Instant::now() + Duration::from_secs(1)), Ok(i));
    /// # s.send(1).unwrap();
    /// ```
    pub fn ready_deadline(&mut self, deadline: Instant) -> Result<usize, ReadyTimeoutError> {
        run_ready(&mut self.ops, Timeout::At(deadline), self.biased).ok_or(ReadyTimeoutError)
    }
}

/// A selection over exactly the operations `select!` names, kept in an array of `N`
/// on the stack: no allocation and no inline limit, whatever the number of arms.
/// Used by the `select!` expansion; not part of the public API.
#[doc(hidden)]
pub struct SelectArray<'a, const N: usize> {
    /// The first `len` entries are initialized.
    ops: [MaybeUninit<Op<'a>>; N],
    /// Entries added.
    len: usize,
    /// Take the first ready operation in insertion order.
    biased: bool,
}

impl<'a, const N: usize> SelectArray<'a, N> {
    /// An empty fair selection.
    #[inline]
    pub fn new() -> Self {
        SelectArray {
            ops: [MaybeUninit::uninit(); N],
            len: 0,
            biased: false,
        }
    }

    /// An empty biased selection.
    #[inline]
    pub fn new_biased() -> Self {
        SelectArray {
            biased: true,
            ..Self::new()
        }
    }

    #[inline]
    fn add(&mut self, handle: &'a dyn SelectHandle, is_send: bool) -> usize {
        let index = self.len;
        self.ops[index].write(Op {
            handle,
            index,
            is_send,
        });
        self.len += 1;
        index
    }

    /// Adds a send; returns its index.
    ///
    /// # Panics
    /// If more than `N` operations are added.
    #[inline]
    pub fn send<T>(&mut self, s: &'a Sender<T>) -> usize {
        self.add(s, true)
    }

    /// Adds a receive; returns its index.
    ///
    /// # Panics
    /// If more than `N` operations are added.
    #[inline]
    pub fn recv<T>(&mut self, r: &'a Receiver<T>) -> usize {
        self.add(r, false)
    }

    fn run(&mut self, timeout: Timeout) -> Option<SelectedOperation<'a>> {
        // SAFETY: the first `len` entries were written by `add`, and `MaybeUninit<Op>`
        // has the layout of `Op`.
        let ops = unsafe {
            core::slice::from_raw_parts_mut(self.ops.as_mut_ptr().cast::<Op<'a>>(), self.len)
        };
        selected(run_select(ops, timeout, self.biased)?)
    }

    /// Blocks until an operation can proceed; see [`Select::select`].
    pub fn select(&mut self) -> SelectedOperation<'a> {
        assert!(
            self.len > 0,
            "`Select::select` called with no operations: it would block forever"
        );
        self.run(Timeout::Never)
            .expect("a selection without timeout ended")
    }

    /// Selects without blocking; see [`Select::try_select`].
    pub fn try_select(&mut self) -> Result<SelectedOperation<'a>, TrySelectError> {
        self.run(Timeout::Now).ok_or(TrySelectError)
    }

    /// Selects, waiting at most `timeout`; see [`Select::select_timeout`].
    pub fn select_timeout(
        &mut self,
        timeout: Duration,
    ) -> Result<SelectedOperation<'a>, SelectTimeoutError> {
        self.run(Timeout::after(timeout)).ok_or(SelectTimeoutError)
    }
}

impl<const N: usize> Default for SelectArray<'_, N> {
    fn default() -> Self {
        Self::new()
    }
}

/// The `SelectedOperation` for a claimed operation.
fn selected((token, op): (Token, Op<'_>)) -> Option<SelectedOperation<'_>> {
    Some(SelectedOperation {
        token,
        index: op.index,
        is_send: op.is_send,
        handle: op.handle,
    })
}

impl Clone for Select<'_> {
    fn clone(&self) -> Self {
        Select {
            ops: self.ops.clone(),
            next_index: self.next_index,
            biased: self.biased,
        }
    }
}

impl Default for Select<'_> {
    fn default() -> Self {
        Select::new()
    }
}

impl fmt::Debug for Select<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("operations", &self.ops.len())
            .field("biased", &self.biased)
            .finish()
    }
}

/// The operation a selection chose, claimed but not yet completed.
///
/// Complete it with [`SelectedOperation::send`] or [`SelectedOperation::recv`], passing
/// the handle it was chosen for (or a clone of it). Dropping it without completing it
/// is a bug and panics; the claim is given up first, so the channel stays usable: a
/// claimed message is dropped, and a claimed send on a buffered channel leaves a gap
/// receivers skip. (A claimed rendezvous send cannot be given up: its receiver keeps
/// waiting. `mem::forget` on a `SelectedOperation` leaves any claim in place.)
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
    /// A send (true) or a receive.
    is_send: bool,
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

    /// True if `h` is a handle of the selected operation's channel: the selected handle
    /// itself (the common case, one pointer comparison) or another handle, a clone, of
    /// the same channel.
    fn is_for<H>(&self, h: &H, addr: fn(&H) -> usize) -> bool {
        core::ptr::eq(
            self.handle as *const dyn SelectHandle as *const (),
            h as *const H as *const (),
        ) || addr(h) == self.handle.addr()
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
            self.is_send && self.is_for(s, Sender::addr),
            "`SelectedOperation::send` was given a sender of another channel than the selected operation's"
        );
        // SAFETY: the token was claimed by `start_send`/`accept_send` of this very
        // channel (checked above), and is completed once: `self` is consumed.
        let res = unsafe { with_sender!(s, c => c.write(&mut self.token, msg)) };
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
            !self.is_send && self.is_for(r, Receiver::addr),
            "`SelectedOperation::recv` was given a receiver of another channel than the selected operation's"
        );
        // SAFETY: the token was claimed by `start_recv`/`accept_recv` of this very
        // channel (checked above), and is completed once: `self` is consumed.
        let res = unsafe { with_receiver!(r, c => c.read(&mut self.token)) };
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
