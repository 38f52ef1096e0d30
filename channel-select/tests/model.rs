//! Model-based property tests: random single-threaded sequences of operations on every
//! flavor, checked step by step against a plain `VecDeque` model. Every result and
//! error, the messages handed back, `len`/`is_empty`/`is_full`, the handle counts,
//! disconnection, and when each message is dropped. A failure shrinks to a minimal
//! sequence.

use channel_select::{
    bounded, unbounded, Receiver, RecvError, RecvTimeoutError, Select, Sender, TryRecvError,
    TrySendError,
};
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::time::Duration;

/// How many times each message was dropped, by id.
type Drops = Rc<RefCell<Vec<u8>>>;

/// A message that records its drop.
#[derive(Debug)]
struct Msg {
    id: usize,
    drops: Drops,
}

impl Drop for Msg {
    fn drop(&mut self) {
        self.drops.borrow_mut()[self.id] += 1;
    }
}

/// One step of a sequence. Handles are picked by index modulo how many there are;
/// operations that would block forever on one thread are skipped.
#[derive(Debug, Clone)]
enum Op {
    Send,
    TrySend,
    SendTimeout,
    Recv,
    TryRecv,
    RecvTimeout,
    RecvMany(usize),
    TryRecvMany(usize),
    TryIter(usize),
    SelectSend,
    SelectRecv,
    SelectSendAbandoned,
    SelectRecvAbandoned,
    Close { sender_side: bool },
    CloneSender(usize),
    DropSender(usize),
    CloneReceiver(usize),
    DropReceiver(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Send),
        3 => Just(Op::TrySend),
        2 => Just(Op::SendTimeout),
        3 => Just(Op::Recv),
        3 => Just(Op::TryRecv),
        2 => Just(Op::RecvTimeout),
        1 => (0usize..5).prop_map(Op::RecvMany),
        1 => (0usize..5).prop_map(Op::TryRecvMany),
        1 => (0usize..5).prop_map(Op::TryIter),
        2 => Just(Op::SelectSend),
        2 => Just(Op::SelectRecv),
        1 => Just(Op::SelectSendAbandoned),
        1 => Just(Op::SelectRecvAbandoned),
        1 => any::<bool>().prop_map(|sender_side| Op::Close { sender_side }),
        1 => (0usize..4).prop_map(Op::CloneSender),
        1 => (0usize..4).prop_map(Op::DropSender),
        1 => (0usize..4).prop_map(Op::CloneReceiver),
        1 => (0usize..4).prop_map(Op::DropReceiver),
    ]
}

/// The reference: what a channel of capacity `cap` holds and who is connected.
struct Model {
    /// `Some(0)`: rendezvous; `None`: unbounded.
    cap: Option<usize>,
    queue: VecDeque<usize>,
    senders: usize,
    receivers: usize,
    closed: bool,
    /// Messages of selected receives given up: kept until the channel is dropped.
    graveyard: Vec<usize>,
}

impl Model {
    fn disconnected(&self) -> bool {
        self.closed || self.senders == 0 || self.receivers == 0
    }
    /// Whether a send would find room now (one thread: a rendezvous never does).
    fn room(&self) -> bool {
        self.cap.is_none_or(|c| self.queue.len() < c)
    }
    /// Whether a send completes (or fails) at once.
    fn send_ready(&self) -> bool {
        self.disconnected() || self.room()
    }
    /// Whether a receive completes (or fails) at once.
    fn recv_ready(&self) -> bool {
        !self.queue.is_empty() || self.closed || self.senders == 0
    }
}

/// The system under test, the model, and the drop ledger.
struct Run {
    model: Model,
    senders: Vec<Sender<Msg>>,
    receivers: Vec<Receiver<Msg>>,
    drops: Drops,
    /// Messages made so far (their ids are `0..made`).
    made: usize,
    /// Ids whose message must have been dropped by now.
    gone: Vec<usize>,
}

impl Run {
    fn new(cap: Option<usize>) -> Run {
        let (s, r) = match cap {
            Some(n) => bounded(n),
            None => unbounded(),
        };
        Run {
            model: Model {
                cap,
                queue: VecDeque::new(),
                senders: 1,
                receivers: 1,
                closed: false,
                graveyard: Vec::new(),
            },
            senders: vec![s],
            receivers: vec![r],
            drops: Rc::new(RefCell::new(Vec::new())),
            made: 0,
            gone: Vec::new(),
        }
    }

    fn msg(&mut self) -> Msg {
        self.drops.borrow_mut().push(0);
        self.made += 1;
        Msg {
            id: self.made - 1,
            drops: self.drops.clone(),
        }
    }

    /// A message came back from a failed send: it is the one sent, and then dropped.
    fn handed_back(&mut self, msg: Msg, id: usize) {
        assert_eq!(msg.id, id, "the failed send handed back another message");
        self.gone.push(id);
    }

    /// A message was received: it is the model's next one.
    fn received(&mut self, msg: Msg) {
        assert_eq!(Some(msg.id), self.model.queue.pop_front(), "FIFO order");
        self.gone.push(msg.id);
    }

    /// The last receiver went: what was buffered is dropped now.
    fn receivers_gone(&mut self) {
        self.gone.extend(self.model.queue.drain(..));
    }

    /// A handle went: with the last one, the channel and what it keeps go too.
    fn handle_gone(&mut self) {
        if self.model.senders == 0 && self.model.receivers == 0 {
            self.gone.append(&mut self.model.graveyard);
        }
    }

    fn step(&mut self, op: &Op) {
        let m = &self.model;
        let (has_s, has_r) = (!self.senders.is_empty(), !self.receivers.is_empty());
        match *op {
            Op::Send if has_s && m.send_ready() => {
                let msg = self.msg();
                let id = msg.id;
                match self.senders[0].send(msg) {
                    Ok(()) => {
                        assert!(!self.model.disconnected() && self.model.room());
                        self.model.queue.push_back(id);
                    }
                    Err(e) => {
                        assert!(self.model.disconnected());
                        self.handed_back(e.into_inner(), id);
                    }
                }
            }
            Op::TrySend | Op::SendTimeout if has_s => {
                let msg = self.msg();
                let id = msg.id;
                let res = if matches!(op, Op::TrySend) {
                    self.senders[0].try_send(msg)
                } else {
                    self.senders[0]
                        .send_timeout(msg, Duration::ZERO)
                        .map_err(|e| match e {
                            channel_select::SendTimeoutError::Timeout(m) => TrySendError::Full(m),
                            channel_select::SendTimeoutError::Disconnected(m) => {
                                TrySendError::Disconnected(m)
                            }
                        })
                };
                match res {
                    Ok(()) => {
                        assert!(!self.model.disconnected() && self.model.room());
                        self.model.queue.push_back(id);
                    }
                    Err(TrySendError::Disconnected(back)) => {
                        assert!(self.model.disconnected());
                        self.handed_back(back, id);
                    }
                    Err(TrySendError::Full(back)) => {
                        assert!(!self.model.disconnected() && !self.model.room());
                        self.handed_back(back, id);
                    }
                }
            }
            Op::Recv if has_r && m.recv_ready() => match self.receivers[0].recv() {
                Ok(msg) => self.received(msg),
                Err(RecvError) => assert!(self.model.queue.is_empty()),
            },
            Op::TryRecv | Op::RecvTimeout if has_r => {
                let res = if matches!(op, Op::TryRecv) {
                    self.receivers[0].try_recv()
                } else {
                    self.receivers[0]
                        .recv_timeout(Duration::ZERO)
                        .map_err(|e| match e {
                            RecvTimeoutError::Timeout => TryRecvError::Empty,
                            RecvTimeoutError::Disconnected => TryRecvError::Disconnected,
                        })
                };
                match res {
                    Ok(msg) => self.received(msg),
                    Err(TryRecvError::Empty) => {
                        assert!(self.model.queue.is_empty() && !self.model.recv_ready())
                    }
                    Err(TryRecvError::Disconnected) => {
                        assert!(self.model.queue.is_empty() && self.model.recv_ready())
                    }
                }
            }
            Op::RecvMany(max) if has_r && (max == 0 || m.recv_ready()) => {
                let mut buf = Vec::new();
                match self.receivers[0].recv_many(&mut buf, max) {
                    Ok(n) => {
                        assert_eq!(n, buf.len());
                        assert_eq!(n, max.min(self.model.queue.len()));
                    }
                    Err(RecvError) => assert!(max > 0 && self.model.queue.is_empty()),
                }
                buf.into_iter().for_each(|msg| self.received(msg));
            }
            Op::TryRecvMany(max) if has_r => {
                let mut buf = Vec::new();
                match self.receivers[0].try_recv_many(&mut buf, max) {
                    Ok(n) => assert_eq!(n, max.min(self.model.queue.len())),
                    Err(TryRecvError::Empty) => {
                        assert!(max > 0 && !self.model.recv_ready())
                    }
                    Err(TryRecvError::Disconnected) => {
                        assert!(max > 0 && self.model.queue.is_empty() && self.model.recv_ready())
                    }
                }
                buf.into_iter().for_each(|msg| self.received(msg));
            }
            Op::TryIter(max) if has_r => {
                let got: Vec<Msg> = self.receivers[0].try_iter().take(max).collect();
                assert_eq!(got.len(), max.min(self.model.queue.len()));
                got.into_iter().for_each(|msg| self.received(msg));
            }
            Op::SelectSend if has_s => {
                let s = self.senders[0].clone(); // (a clone: `self` stays free to update)
                let mut sel = Select::new();
                sel.send(&s);
                let ready = self.model.send_ready();
                match sel.try_select() {
                    Ok(oper) => {
                        assert!(ready, "selected a send that could not proceed");
                        let msg = self.msg();
                        let id = msg.id;
                        match oper.send(&s, msg) {
                            Ok(()) => self.model.queue.push_back(id),
                            Err(e) => {
                                assert!(self.model.disconnected());
                                self.handed_back(e.into_inner(), id);
                            }
                        }
                    }
                    Err(_) => assert!(!ready, "missed a send that could proceed"),
                };
            }
            Op::SelectRecv if has_r => {
                let r = self.receivers[0].clone();
                let mut sel = Select::new();
                sel.recv(&r);
                let ready = self.model.recv_ready();
                match sel.try_select() {
                    Ok(oper) => {
                        assert!(ready, "selected a receive that could not proceed");
                        match oper.recv(&r) {
                            Ok(msg) => self.received(msg),
                            Err(RecvError) => assert!(self.model.queue.is_empty()),
                        }
                    }
                    Err(_) => assert!(!ready, "missed a receive that could proceed"),
                };
            }
            Op::SelectSendAbandoned if has_s => {
                let mut sel = Select::new();
                sel.send(&self.senders[0]);
                if let Ok(oper) = sel.try_select() {
                    let dropped = catch_unwind(AssertUnwindSafe(|| drop(oper)));
                    assert!(dropped.is_err(), "dropping it uncompleted panics");
                }
                // Given up: no message, nothing changed.
            }
            Op::SelectRecvAbandoned if has_r => {
                let mut sel = Select::new();
                sel.recv(&self.receivers[0]);
                if let Ok(oper) = sel.try_select() {
                    let dropped = catch_unwind(AssertUnwindSafe(|| drop(oper)));
                    assert!(dropped.is_err(), "dropping it uncompleted panics");
                    // Its message (if any) is kept by the channel until it is dropped.
                    self.model.graveyard.extend(self.model.queue.pop_front());
                }
            }
            Op::Close { sender_side } => {
                let closed = match (sender_side, has_s, has_r) {
                    (true, true, _) => self.senders[0].close(),
                    (false, _, true) => self.receivers[0].close(),
                    _ => return,
                };
                let was = self.model.disconnected();
                assert_eq!(closed, !was, "true for the call that disconnected it");
                self.model.closed = true;
            }
            Op::CloneSender(i) if has_s => {
                let s = self.senders[i % self.senders.len()].clone();
                self.senders.push(s);
                self.model.senders += 1;
            }
            Op::DropSender(i) if has_s => {
                drop(self.senders.remove(i % self.senders.len()));
                self.model.senders -= 1;
                self.handle_gone();
            }
            Op::CloneReceiver(i) if has_r => {
                let r = self.receivers[i % self.receivers.len()].clone();
                self.receivers.push(r);
                self.model.receivers += 1;
            }
            Op::DropReceiver(i) if has_r => {
                drop(self.receivers.remove(i % self.receivers.len()));
                self.model.receivers -= 1;
                if self.model.receivers == 0 {
                    self.receivers_gone();
                }
                self.handle_gone();
            }
            _ => {} // would block forever on one thread, or no handle of that side
        }
        self.check();
    }

    /// Everything observable agrees with the model.
    fn check(&self) {
        let m = &self.model;
        let len = if m.cap == Some(0) { 0 } else { m.queue.len() };
        let full = m.cap.is_some_and(|c| m.queue.len() >= c);
        for s in &self.senders {
            assert_eq!(s.len(), len, "len");
            assert_eq!(s.is_empty(), len == 0, "is_empty");
            assert_eq!(s.is_full(), full, "is_full");
            assert_eq!(s.capacity(), m.cap, "capacity");
            assert_eq!(s.sender_count(), m.senders, "sender_count");
            assert_eq!(s.receiver_count(), m.receivers, "receiver_count");
            assert_eq!(s.is_disconnected(), m.closed || m.receivers == 0);
        }
        for r in &self.receivers {
            assert_eq!(r.len(), len, "len");
            assert_eq!(r.is_empty(), len == 0, "is_empty");
            assert_eq!(r.is_full(), full, "is_full");
            assert_eq!(r.sender_count(), m.senders, "sender_count");
            assert_eq!(r.receiver_count(), m.receivers, "receiver_count");
            assert_eq!(r.is_disconnected(), m.closed || m.senders == 0);
        }
        let drops = self.drops.borrow();
        for &id in &self.gone {
            assert_eq!(drops[id], 1, "message {id} dropped {} times", drops[id]);
        }
        let gone = self.gone.len();
        let total: usize = drops.iter().map(|&d| usize::from(d)).sum();
        assert_eq!(total, gone, "a message was dropped early, or twice");
    }

    /// Drops every handle: every message made is then dropped, exactly once.
    fn finish(mut self) {
        self.senders.clear();
        self.receivers.clear();
        let drops = self.drops.borrow();
        assert!(
            drops.iter().all(|&d| d == 1),
            "after the channel is gone every message is dropped once: {drops:?}"
        );
    }
}

/// Keeps the expected panic of an uncompleted `SelectedOperation` out of the output
/// (every other panic is still printed).
fn quiet_expected_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let expected = info
                .payload()
                .downcast_ref::<&str>()
                .is_some_and(|m| m.contains("without completing it"));
            if !expected {
                default(info);
            }
        }));
    });
}

/// Sequences per flavor: proptest's default (256, or `PROPTEST_CASES`) times
/// `JUNCTION_STRESS`; 4 under Miri.
fn cases() -> u32 {
    if cfg!(miri) {
        return 4;
    }
    let stress = std::env::var("JUNCTION_STRESS").map_or(1, |v| v.parse().unwrap_or(10).max(1));
    ProptestConfig::default().cases.saturating_mul(stress)
}

/// The proptest configuration: `cases()` sequences; under Miri (which isolates the
/// test from the file system) no file of failures is kept.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig {
        cases: cases(),
        ..ProptestConfig::default()
    };
    if cfg!(miri) {
        config.failure_persistence = None;
    }
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rendezvous_matches_the_model(ops in prop::collection::vec(op(), 1..60)) {
        quiet_expected_panics();
        let mut run = Run::new(Some(0));
        ops.iter().for_each(|op| run.step(op));
        run.finish();
    }

    #[test]
    fn bounded_one_matches_the_model(ops in prop::collection::vec(op(), 1..60)) {
        quiet_expected_panics();
        let mut run = Run::new(Some(1));
        ops.iter().for_each(|op| run.step(op));
        run.finish();
    }

    #[test]
    fn bounded_three_matches_the_model(ops in prop::collection::vec(op(), 1..60)) {
        quiet_expected_panics();
        let mut run = Run::new(Some(3));
        ops.iter().for_each(|op| run.step(op));
        run.finish();
    }

    #[test]
    fn unbounded_matches_the_model(ops in prop::collection::vec(op(), 1..80)) {
        quiet_expected_panics();
        let mut run = Run::new(None);
        ops.iter().for_each(|op| run.step(op));
        run.finish();
    }
}
