//! Selection: waiting on several operations at once, exactly one of which happens.
//!
//! The protocol, for `Select::select`:
//! 1. try every operation once, in random order (or in order when biased); the first
//!    that can proceed is *claimed* (`SelectHandle::reserve_held`, a claim that
//!    may be completed late: nobody waits for it) and returned;
//! 2. a selection that may fail (`try_select`, a timeout) and found nothing *confirms*
//!    it first: if any operation's channel changed since its attempt (its `version`),
//!    it tries again. So "nothing ready" is only reported when there was an instant at
//!    which no operation could proceed (linearizable, like Go's `select` with
//!    `default`);
//! 3. otherwise register the thread's `Context` with every operation. A registration
//!    that finds its operation ready calls the wait off (`Aborted`);
//! 4. park until an operation's channel claims the context (CAS, once), a disconnection
//!    does, or the deadline passes (the earliest of the timeout and the timers');
//! 5. unregister from every operation; the winner then *accepts* (claims its slot or
//!    takes its rendezvous deal, waiting at most until the deadline for a rendezvous
//!    sender's message). If the accept fails (another thread was faster), or the wait
//!    was called off, go back to 1.
//!
//! A losing registration never consumes a message: registering only records the
//! context, and only the winning operation is ever claimed. The claimed operation is
//! completed by the caller through [`SelectedOperation`].
//!
//! Files: `protocol` (the steps above, over `flavors::SelectHandle`, the one interface
//! every side of every channel offers), `ops` (a `Select`'s operations), `selected`
//! (the claimed operation); this file holds the two ways to build a selection,
//! [`Select`] and the `select!` expansion's `SelectArray`.

mod future;
mod ops;
mod pending;
mod protocol;
mod selected;

use crate::channel::{Receiver, Sender};
use crate::errors::{ReadyTimeoutError, SelectTimeoutError, TryReadyError, TrySelectError};
use crate::flavors::{SelectHandle, Side};
use core::fmt;
use core::mem::MaybeUninit;
pub use future::{ReadyFuture, SelectFuture, SelectTimeoutFuture};
use ops::Ops;
pub(crate) use pending::{LazyPending, Pending};
use protocol::{run_ready, run_select};
pub(crate) use protocol::{Op, Timeout};
use selected::selected;
pub use selected::SelectedOperation;
use std::time::{Duration, Instant};

/// Waits on a dynamic set of send and receive operations; exactly one of them happens.
///
/// Add operations with [`Select::send`] and [`Select::recv`], which return each one's
/// index, then call [`Select::select`] (or a `try_`/`_timeout`/`_deadline` form). The
/// returned [`SelectedOperation`] must be completed with the handle it was chosen for
/// (or a clone of it). When several operations are ready, one is picked at random;
/// [`Select::new_biased`] picks the first added instead.
///
/// A `Select` of up to eight operations keeps them in place and never allocates; a
/// larger one allocates while operations are added, never per selection (build it once
/// and select from it many times). `select!` keeps its operations on the stack,
/// whatever their number. As with crossbeam-channel, a `Select` may be declared before
/// the handles it borrows:
///
/// ```
/// use channel_select::{unbounded, Select};
/// let mut sel;
/// let (s, r) = unbounded::<i32>();
/// sel = Select::new();
/// sel.recv(&r);
/// s.send(1).unwrap();
/// assert_eq!(sel.select().recv(&r), Ok(1));
/// ```
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
    ops: Ops<'a>,
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
            ops: Ops::new(),
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

    fn add(&mut self, handle: &'a dyn SelectHandle, side: Side) -> usize {
        let index = self.next_index;
        self.next_index += 1;
        self.ops.push(Op::new(handle, index, side));
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
        self.add(s.select_handle(), Side::Send)
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
        self.add(r.select_handle(), Side::Recv)
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
            .as_slice()
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
            !self.ops.as_slice().is_empty(),
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
        selected(run_select(self.ops.as_mut_slice(), timeout, self.biased)?)
    }

    /// [`Select::select`] for async code: the future of the selected operation, which
    /// is completed as after `select()`. Any mix of channels, sends, receives and
    /// timers, with blocking and async peers alike; no runtime needed.
    ///
    /// Cancel safe: dropping the future before it completes leaves every channel as it
    /// was (a wake-up it was given passes to another waiter).
    ///
    /// # Panics
    /// If no operation has been added (it would wait forever).
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// use std::time::Duration;
    /// let (s, r) = channel_select::unbounded::<i32>();
    /// let timer = channel_select::after(Duration::from_millis(10));
    /// let mut sel = channel_select::Select::new();
    /// let on_msg = sel.recv(&r);
    /// let on_time = sel.recv(&timer);
    /// let oper = sel.select_async().await; // nothing is sent: the timer wins
    /// assert_eq!(oper.index(), on_time);
    /// assert!(oper.recv(&timer).is_ok());
    /// # let _ = (s, on_msg);
    /// # });
    /// ```
    pub fn select_async(&mut self) -> SelectFuture<'_, 'a> {
        SelectFuture::new(self.ops.as_mut_slice(), self.biased)
    }

    /// [`Select::select_timeout`] for async code: the selected operation, or
    /// `SelectTimeoutError` once `timeout` has passed with nothing ready (served by
    /// junction's own timer thread, on any executor).
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// use std::time::Duration;
    /// let (s, r) = channel_select::bounded(1);
    /// let mut sel = channel_select::Select::new();
    /// sel.send(&s);
    /// let oper = sel.select_timeout_async(Duration::from_secs(1)).await.unwrap();
    /// oper.send(&s, "room").unwrap();
    /// assert_eq!(r.recv(), Ok("room"));
    /// # });
    /// ```
    pub fn select_timeout_async(&mut self, timeout: Duration) -> SelectTimeoutFuture<'_, 'a> {
        SelectTimeoutFuture::new(
            self.ops.as_mut_slice(),
            Timeout::after(timeout),
            self.biased,
        )
    }

    /// [`Select::ready`] for async code: the index of an operation that is ready,
    /// without performing it.
    ///
    /// # Panics
    /// If no operation has been added (it would wait forever).
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (s, r) = channel_select::bounded(0);
    /// let receiver = std::thread::spawn(move || r.recv().unwrap());
    /// let mut sel = channel_select::Select::new();
    /// let i = sel.send(&s);
    /// assert_eq!(sel.ready_async().await, i); // the receiver waits
    /// s.send(3).unwrap();
    /// assert_eq!(receiver.join().unwrap(), 3);
    /// # });
    /// ```
    pub fn ready_async(&mut self) -> ReadyFuture<'_, 'a> {
        ReadyFuture::new(self.ops.as_mut_slice(), self.biased)
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
        run_ready(self.ops.as_mut_slice(), Timeout::Now, self.biased).ok_or(TryReadyError)
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
            !self.ops.as_slice().is_empty(),
            "`Select::ready` called with no operations: it would block forever"
        );
        run_ready(self.ops.as_mut_slice(), Timeout::Never, self.biased)
            .expect("ready without timeout ended")
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
        run_ready(
            self.ops.as_mut_slice(),
            Timeout::after(timeout),
            self.biased,
        )
        .ok_or(ReadyTimeoutError)
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
        run_ready(self.ops.as_mut_slice(), Timeout::At(deadline), self.biased)
            .ok_or(ReadyTimeoutError)
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
    fn add(&mut self, handle: &'a dyn SelectHandle, side: Side) -> usize {
        let index = self.len;
        self.ops[index].write(Op::new(handle, index, side));
        self.len += 1;
        index
    }

    /// Adds a send; returns its index.
    ///
    /// # Panics
    /// If more than `N` operations are added.
    #[inline]
    pub fn send<T>(&mut self, s: &'a Sender<T>) -> usize {
        self.add(s.select_handle(), Side::Send)
    }

    /// Adds a receive; returns its index.
    ///
    /// # Panics
    /// If more than `N` operations are added.
    #[inline]
    pub fn recv<T>(&mut self, r: &'a Receiver<T>) -> usize {
        self.add(r.select_handle(), Side::Recv)
    }

    /// The operations added.
    fn ops(&mut self) -> &mut [Op<'a>] {
        // SAFETY: the first `len` entries were written by `add`, and `MaybeUninit<Op>`
        // has the layout of `Op`.
        unsafe { core::slice::from_raw_parts_mut(self.ops.as_mut_ptr().cast::<Op<'a>>(), self.len) }
    }

    fn run(&mut self, timeout: Timeout) -> Option<SelectedOperation<'a>> {
        let biased = self.biased;
        selected(run_select(self.ops(), timeout, biased)?)
    }

    /// Selects, awaiting; see [`Select::select_async`].
    pub fn select_async(&mut self) -> SelectFuture<'_, 'a> {
        let biased = self.biased;
        SelectFuture::new(self.ops(), biased)
    }

    /// Selects, awaiting at most `timeout`; see [`Select::select_timeout_async`].
    pub fn select_timeout_async(&mut self, timeout: Duration) -> SelectTimeoutFuture<'_, 'a> {
        let biased = self.biased;
        SelectTimeoutFuture::new(self.ops(), Timeout::after(timeout), biased)
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

// SAFETY: a `Select` holds shared references to handles and only calls the
// `SelectHandle` methods on them, which touch nothing but the channel's own
// synchronized state and never run the message type's code or hand a message out
// (see `SelectHandle`). Any thread may do that, whatever the message type; a message
// leaves the channel only through `SelectedOperation::recv`, which needs the typed
// handle on the receiving thread (and `SelectedOperation` is neither `Send` nor
// `Sync`). So sharing a `Select`, or moving it to another thread, is sound, as it is
// for crossbeam-channel's `Select`.
unsafe impl Send for Select<'_> {}
// SAFETY: as above; `&Select` only allows `clone`, `Debug` and reading the options.
unsafe impl Sync for Select<'_> {}

// SAFETY: as for `Select`: `select_async!` keeps one across an `.await`, in a future
// that must be `Send` to be spawned on a multi-threaded executor.
unsafe impl<const N: usize> Send for SelectArray<'_, N> {}
// SAFETY: as for `Select`.
unsafe impl<const N: usize> Sync for SelectArray<'_, N> {}

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
            .field("operations", &self.ops.as_slice().len())
            .field("biased", &self.biased)
            .finish()
    }
}
