//! The CPU time a thread spends blocked on an idle channel: it should be near zero.

use super::library::Library;
use super::{Channel, Flavor};
use std::thread;
use std::time::{Duration, Instant};

/// The CPU time (user + system) the calling thread has used, where the platform
/// tells it per thread (Linux: `getrusage(RUSAGE_THREAD)`).
#[cfg(target_os = "linux")]
pub fn thread_cpu_time() -> Option<Duration> {
    cpu_time(libc::RUSAGE_THREAD)
}

/// The CPU time (user + system) all the process's threads have used (Linux:
/// `getrusage(RUSAGE_SELF)`).
#[cfg(target_os = "linux")]
pub fn process_cpu_time() -> Option<Duration> {
    cpu_time(libc::RUSAGE_SELF)
}

/// `getrusage(who)`'s user + system time.
#[cfg(target_os = "linux")]
fn cpu_time(who: libc::c_int) -> Option<Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is valid for writes of a `rusage`, which is all getrusage writes.
    let rc = unsafe { libc::getrusage(who, usage.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: getrusage succeeded, so it filled the struct (which was zeroed anyway).
    let usage = unsafe { usage.assume_init() };
    let time = |tv: libc::timeval| {
        Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
    };
    Some(time(usage.ru_utime) + time(usage.ru_stime))
}

/// The CPU time the calling thread has used: unknown on this platform.
#[cfg(not(target_os = "linux"))]
pub fn thread_cpu_time() -> Option<Duration> {
    None
}

/// The CPU time the process has used: unknown on this platform.
#[cfg(not(target_os = "linux"))]
pub fn process_cpu_time() -> Option<Duration> {
    None
}

/// How a blocked receiver waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// `recv` on an empty channel of this flavor.
    Recv(Flavor),
    /// The library's selection over two empty unbounded channels.
    Select,
}

impl Waiting {
    /// The ways of waiting that the idle table has a column for, in its order.
    pub const TABLE: [Waiting; 3] = [
        Waiting::Recv(Flavor::Rendezvous),
        Waiting::Recv(Flavor::Unbounded),
        Waiting::Select,
    ];
}

/// What an idle probe found.
#[derive(Clone, Copy, Debug)]
pub enum Idle {
    /// The receiver thread's CPU time.
    Cpu(Duration),
    /// The platform has no per-thread CPU clock.
    Unknown,
    /// The probe panicked.
    Panic,
    /// The probe did not finish within the time limit.
    Hang,
}

/// Probes each of `libraries` waiting each way of [`Waiting::TABLE`] for `idle`, all at
/// once, each given `idle + limit` to finish: one row per library, `None` where it
/// cannot wait that way.
pub fn idle_probes(
    libraries: &[Library],
    idle: Duration,
    limit: Duration,
) -> Vec<[Option<Idle>; 3]> {
    let mut rows: Vec<[Option<Idle>; 3]> = libraries
        .iter()
        .map(|lib| Waiting::TABLE.map(|w| lib.can_wait(w).then_some(Idle::Hang)))
        .collect();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    for (row, lib) in libraries.iter().enumerate() {
        for (column, waiting) in Waiting::TABLE.into_iter().enumerate() {
            if rows[row][column].is_none() {
                continue;
            }
            let (done_tx, lib) = (done_tx.clone(), *lib);
            thread::spawn(move || {
                let found = match std::panic::catch_unwind(|| lib.idle_cpu(waiting, idle)) {
                    Ok(Some(cpu)) => Idle::Cpu(cpu),
                    Ok(None) => Idle::Unknown,
                    Err(_) => Idle::Panic,
                };
                let _ = done_tx.send((row, column, found));
            });
        }
    }
    drop(done_tx);
    let deadline = Instant::now() + idle + limit;
    while let Ok((row, column, found)) =
        done_rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        rows[row][column] = Some(found);
    }
    rows
}

/// The CPU time of a receiver thread that waits `idle` for one message (then sees
/// the channel disconnect); `None` where the platform has no per-thread CPU clock.
pub fn idle_receiver_cpu<L: Channel>(waiting: Waiting, idle: Duration) -> Option<Duration> {
    let flavor = match waiting {
        Waiting::Recv(flavor) => flavor,
        Waiting::Select => Flavor::Unbounded,
    };
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..2).map(|_| L::new(flavor)).unzip();
    let receiver = thread::spawn(move || {
        let before = thread_cpu_time()?;
        let (count, _) = match waiting {
            Waiting::Recv(_) => {
                let mut count = 0;
                while L::recv(&rxs[0]).is_some() {
                    count += 1;
                }
                (count, 0)
            }
            Waiting::Select => L::select_recv_all(&rxs),
        };
        let after = thread_cpu_time()?;
        assert_eq!(count, 1, "{} delivered {count} messages, not 1", L::NAME);
        Some(after - before)
    });
    thread::sleep(idle);
    L::send(&txs[0], 1);
    drop(txs);
    receiver
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
}
