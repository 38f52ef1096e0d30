//! Chaos with a ledger: eight threads do random mixes of every operation (blocking,
//! non-blocking and timed sends and receives, `recv_many`, `select!` with send and
//! receive arms, guards, timers and defaults, `Select` with send and receive arms)
//! over channels of every flavor, with random `close()`, clones and drops of handles.
//! A ledger records, for every message, whether it was received, handed back by a
//! failed send, and dropped; at the end each message must have been received exactly
//! once or handed back exactly once, and dropped exactly once. A watchdog fails the
//! test on a hang and prints what each thread was doing.
//!
//! Small by default (12,000 operations); `JUNCTION_STRESS=<n>` multiplies the
//! operations, `JUNCTION_STRESS=834` makes about 10^7. `JUNCTION_CHAOS_SEED` picks the
//! random choices (the interleaving is the machine's).

use junction::{after, bounded, select, tick, unbounded, Receiver, Select, Sender};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const THREADS: usize = 8;
const OPS_PER_THREAD: usize = 1_500;
/// A thread that makes no progress for this long is hung.
const HANG: Duration = Duration::from_secs(30);

fn stress() -> usize {
    std::env::var("JUNCTION_STRESS").map_or(1, |v| v.parse().unwrap_or(10).max(1))
}

/// What happened to every message, by id.
struct Ledger {
    made: AtomicUsize,
    received: Vec<AtomicU8>,
    handed_back: Vec<AtomicU8>,
    dropped: Vec<AtomicU8>,
}

/// A message, known to the ledger.
struct Msg {
    id: usize,
    ledger: Arc<Ledger>,
}

impl Drop for Msg {
    fn drop(&mut self) {
        self.ledger.dropped[self.id].fetch_add(1, Ordering::SeqCst);
    }
}

impl Ledger {
    fn new(capacity: usize) -> Arc<Ledger> {
        let counters = || (0..capacity).map(|_| AtomicU8::new(0)).collect();
        Arc::new(Ledger {
            made: AtomicUsize::new(0),
            received: counters(),
            handed_back: counters(),
            dropped: counters(),
        })
    }

    fn make(self: &Arc<Self>) -> Msg {
        let id = self.made.fetch_add(1, Ordering::SeqCst);
        assert!(id < self.received.len(), "ledger too small");
        Msg {
            id,
            ledger: self.clone(),
        }
    }

    /// How many more messages the ledger can track.
    fn room(&self) -> usize {
        self.received.len() - self.made.load(Ordering::SeqCst).min(self.received.len())
    }

    fn received(&self, m: Msg) {
        let before = self.received[m.id].fetch_add(1, Ordering::SeqCst);
        assert_eq!(before, 0, "message {} received twice", m.id);
        assert_eq!(self.handed_back[m.id].load(Ordering::SeqCst), 0, "{}", m.id);
    }

    fn handed_back(&self, m: Msg) {
        let before = self.handed_back[m.id].fetch_add(1, Ordering::SeqCst);
        assert_eq!(before, 0, "message {} handed back twice", m.id);
        assert_eq!(self.received[m.id].load(Ordering::SeqCst), 0, "{}", m.id);
    }

    /// Every message made was received or handed back, once, and dropped once.
    fn audit(&self) -> usize {
        let made = self.made.load(Ordering::SeqCst);
        for id in 0..made {
            let r = self.received[id].load(Ordering::SeqCst);
            let h = self.handed_back[id].load(Ordering::SeqCst);
            let d = self.dropped[id].load(Ordering::SeqCst);
            assert_eq!(
                (r + h, d),
                (1, 1),
                "message {id}: received {r}, handed back {h}, dropped {d}"
            );
        }
        made
    }
}

/// A channel's own handles, kept by the table: the channel never loses its last
/// receiver while the run goes on.
#[derive(Clone)]
struct Chan {
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
}

fn new_chan(kind: usize) -> Chan {
    let (tx, rx) = match kind % 4 {
        0 => bounded(0),
        1 => bounded(1),
        2 => bounded(4),
        _ => unbounded(),
    };
    Chan { tx, rx }
}

/// The channels in play (replaced when closed) and the closed ones, to drain last.
struct Table {
    live: Mutex<Vec<Chan>>,
    retired: Mutex<Vec<Chan>>,
}

impl Table {
    fn get(&self, i: usize) -> Chan {
        let live = self.live.lock().unwrap();
        live[i % live.len()].clone()
    }

    /// Closes channel `i` (from either side) and puts a fresh one in its place.
    fn close(&self, i: usize, from_sender: bool) {
        let mut live = self.live.lock().unwrap();
        let n = live.len();
        let old = std::mem::replace(&mut live[i % n], new_chan(i));
        if from_sender {
            old.tx.close();
        } else {
            old.rx.close();
        }
        self.retired.lock().unwrap().push(old);
    }
}

/// A small fast random source (xorshift64*), one per thread.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn millis(&mut self, max: u64) -> Duration {
        Duration::from_micros(self.next() % (max * 1000 + 1))
    }
}

/// The operations, by the code a thread shows the watchdog while doing them.
const OPS: [&str; 16] = [
    "send",
    "try_send",
    "send_timeout",
    "recv",
    "try_recv",
    "recv_timeout",
    "recv_many",
    "try_recv_many",
    "select! with default(t)",
    "select! with default",
    "select! blocking, with tick",
    "Select send+recv timeout",
    "Select try_select",
    "clone/drop handles",
    "close",
    "idle",
];

/// The code of "idle" in `OPS`.
const IDLE: usize = 15;

/// What a worker shows the watchdog.
#[derive(Default)]
struct Progress {
    /// The operation under way, as `op * 100 + channel`.
    doing: AtomicUsize,
    /// Operations completed.
    done: AtomicUsize,
    /// The handles of the channel in use.
    current: Mutex<Option<Chan>>,
}

/// One worker's random operations over its own clones of the table's handles.
fn worker(
    t: usize,
    seed: u64,
    ops: usize,
    table: &Table,
    ledger: &Arc<Ledger>,
    progress: &Progress,
) {
    let Progress {
        doing,
        done,
        current,
    } = progress;
    let mut rng = Rng(seed ^ (t as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let n = table.live.lock().unwrap().len();
    let mut mine: Vec<Chan> = (0..n).map(|i| table.get(i)).collect();
    let ticker = tick(Duration::from_millis(2));
    for _ in 0..ops {
        let (a, b) = (rng.below(n), rng.below(n));
        let op = match rng.below(100) {
            0..=5 => 0,
            6..=13 => 1,
            14..=19 => 2,
            20..=25 => 3,
            26..=35 => 4,
            36..=41 => 5,
            42..=45 => 6,
            46..=49 => 7,
            50..=61 => 8,
            62..=71 => 9,
            72..=77 => 10,
            78..=85 => 11,
            86..=91 => 12,
            92..=98 => 13,
            _ => 14,
        };
        doing.store(op * 100 + a, Ordering::SeqCst);
        *current.lock().unwrap() = Some(mine[a].clone());
        let (ca, cb) = (&mine[a], &mine[b]);
        let back = |r: Result<(), Msg>| {
            if let Err(m) = r {
                ledger.handed_back(m);
            }
        };
        match op {
            0 => back(ca.tx.send(ledger.make()).map_err(|e| e.into_inner())),
            1 => back(ca.tx.try_send(ledger.make()).map_err(|e| e.into_inner())),
            2 => back(
                ca.tx
                    .send_timeout(ledger.make(), rng.millis(2))
                    .map_err(|e| e.into_inner()),
            ),
            3 => {
                if let Ok(m) = ca.rx.recv() {
                    ledger.received(m);
                }
            }
            4 => {
                if let Ok(m) = ca.rx.try_recv() {
                    ledger.received(m);
                }
            }
            5 => {
                if let Ok(m) = ca.rx.recv_timeout(rng.millis(2)) {
                    ledger.received(m);
                }
            }
            6 | 7 => {
                let mut buf = Vec::new();
                let max = rng.below(4);
                let _ = if op == 6 {
                    ca.rx.recv_many(&mut buf, max).map_err(|_| ())
                } else {
                    ca.rx.try_recv_many(&mut buf, max).map_err(|_| ())
                };
                buf.into_iter().for_each(|m| ledger.received(m));
            }
            8 => {
                let guard = rng.below(2) == 0;
                let timer = after(rng.millis(1));
                select! {
                    recv(ca.rx) -> m => if let Ok(m) = m { ledger.received(m) },
                    send(cb.tx, ledger.make()) -> res => back(res.map_err(|e| e.into_inner())),
                    recv(cb.rx) -> m, if guard => if let Ok(m) = m { ledger.received(m) },
                    recv(timer) -> _ => {}
                    default(rng.millis(2)) => {}
                }
            }
            9 => select! {
                send(ca.tx, ledger.make()) -> res => back(res.map_err(|e| e.into_inner())),
                recv(cb.rx) -> m => if let Ok(m) = m { ledger.received(m) },
                default => {}
            },
            10 => select! {
                recv(ca.rx) -> m => if let Ok(m) = m { ledger.received(m) },
                send(cb.tx, ledger.make()) -> res => back(res.map_err(|e| e.into_inner())),
                recv(ticker) -> _ => {}
            },
            11 | 12 => {
                let mut sel = Select::new();
                let s = sel.send(&ca.tx);
                let r = sel.recv(&cb.rx);
                let oper = if op == 11 {
                    sel.select_timeout(rng.millis(2)).ok()
                } else {
                    sel.try_select().ok()
                };
                match oper {
                    Some(o) if o.index() == s => {
                        back(o.send(&ca.tx, ledger.make()).map_err(|e| e.into_inner()))
                    }
                    Some(o) => {
                        assert_eq!(o.index(), r);
                        if let Ok(m) = o.recv(&cb.rx) {
                            ledger.received(m);
                        }
                    }
                    None => {}
                }
            }
            13 => mine[a] = table.get(a),
            _ => {
                table.close(a, rng.below(2) == 0);
                mine[a] = table.get(a);
            }
        }
        done.fetch_add(1, Ordering::SeqCst);
    }
    doing.store(IDLE * 100, Ordering::SeqCst);
    *current.lock().unwrap() = None;
}

/// Keeps traffic moving, so that a blocked operation always finds a peer in time:
/// non-blocking receives and sends on every channel in play (a send's message is made
/// only when the send can proceed).
fn janitor(table: &Table, ledger: &Arc<Ledger>, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        let chans: Vec<Chan> = table.live.lock().unwrap().clone();
        for c in &chans {
            let mut drained = false;
            while let Ok(m) = c.rx.try_recv() {
                ledger.received(m);
                drained = true;
            }
            // One message for a receiver that may be starving (nothing buffered, nothing
            // drained: had there been, a sender was at work and may be waiting for the
            // room we just made, which our own message must not take every time), while
            // the ledger has room.
            let starving = !drained && c.rx.is_empty() && ledger.room() > 1_000;
            select! {
                send(c.tx, ledger.make()) -> res, if starving => if let Err(e) = res {
                    ledger.handed_back(e.into_inner());
                },
                default => {}
            }
        }
        thread::sleep(Duration::from_millis(1));
    }
}

/// What the watchdog says of the channel a thread is using: whether it is still in
/// play, and its state.
fn describe(table: &Table, i: usize, current: &Mutex<Option<Chan>>) -> String {
    let Ok(current) = current.try_lock() else {
        return String::new();
    };
    let Some(c) = current.as_ref() else {
        return String::new();
    };
    let live = table
        .live
        .try_lock()
        .is_ok_and(|live| live[i % live.len()].tx.same_channel(&c.tx));
    format!(
        " ({}, capacity {:?}, len {}, disconnected {}, {} senders, {} receivers)",
        if live { "in play" } else { "retired" },
        c.tx.capacity(),
        c.tx.len(),
        c.tx.is_disconnected(),
        c.tx.sender_count(),
        c.tx.receiver_count()
    )
}

#[test]
fn chaos_every_message_accounted_for() {
    let seed = std::env::var("JUNCTION_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            t.map_or(1, |d| d.as_nanos() as u64)
        });
    let ops = OPS_PER_THREAD * stress();
    // Each operation makes at most one message; the janitor one per channel found
    // empty per round (at most 8,000 a second), while the ledger has room.
    let ledger = Ledger::new(THREADS * ops * 2 + 8_000 * 300);
    let table = Table {
        live: Mutex::new((0..8).map(new_chan).collect()),
        retired: Mutex::new(Vec::new()),
    };
    let progress: Vec<Progress> = (0..THREADS).map(|_| Progress::default()).collect();
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (table, ledger, progress) = (&table, &ledger, &progress[t]);
                scope.spawn(move || worker(t, seed, ops, table, ledger, progress))
            })
            .collect();
        let helper = scope.spawn(|| janitor(&table, &ledger, &stop));
        // The watchdog: every thread must keep making progress.
        let mut last: Vec<(usize, Instant)> = progress
            .iter()
            .map(|p| (p.done.load(Ordering::SeqCst), Instant::now()))
            .collect();
        while workers.iter().any(|w| !w.is_finished()) {
            thread::sleep(Duration::from_millis(50));
            for (t, p) in progress.iter().enumerate() {
                let now = p.done.load(Ordering::SeqCst);
                if now != last[t].0 || now == ops {
                    last[t] = (now, Instant::now());
                } else if last[t].1.elapsed() > HANG {
                    let report: Vec<String> = progress
                        .iter()
                        .enumerate()
                        .map(|(t, p)| {
                            let code = p.doing.load(Ordering::SeqCst);
                            let (op, chan) = (code / 100, code % 100);
                            let what = if op == IDLE {
                                String::new()
                            } else {
                                describe(&table, chan, &p.current)
                            };
                            format!(
                                "thread {t}: {} ops done, doing {} on channel {chan}{what}",
                                p.done.load(Ordering::SeqCst),
                                OPS[op],
                            )
                        })
                        .collect();
                    eprintln!("chaos (seed {seed}) hung:\n{}", report.join("\n"));
                    std::process::abort();
                }
            }
        }
        // A worker that panicked fails the test, after the janitor is stopped.
        let results: Vec<_> = workers.into_iter().map(|w| w.join()).collect();
        stop.store(true, Ordering::SeqCst);
        helper.join().unwrap();
        for r in results {
            if let Err(panic) = r {
                eprintln!("chaos (seed {seed}): a worker panicked");
                std::panic::resume_unwind(panic);
            }
        }
    });
    // Close and drain every channel: what was sent and not yet received is received now.
    let mut chans = table.live.into_inner().unwrap();
    chans.append(&mut table.retired.into_inner().unwrap());
    for c in &chans {
        c.tx.close();
        while let Ok(m) = c.rx.try_recv() {
            ledger.received(m);
        }
    }
    drop(chans);
    let messages = ledger.audit();
    eprintln!(
        "chaos: {} operations, {messages} messages, {:.1} s (seed {seed})",
        THREADS * ops,
        start.elapsed().as_secs_f64()
    );
}
