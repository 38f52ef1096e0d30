//! Deadlines of pending futures: one timer thread for all of them, started on first use.
//!
//! A future that waits with a deadline (a timer receiver's due time, a selection's
//! timeout) arms an [`Alarm`] for its context. At the deadline the thread selects the
//! context with `Aborted` (if it still waits) and unparks it, which wakes the task; the
//! future then looks again and finds the timer due or its time up. Dropping the alarm
//! disarms it. The thread sleeps on a condition variable until the earliest alarm, so it
//! costs nothing while none is armed, and no executor's timer is needed.
//!
//! An alarm that fires just as its future moves on to another wait only calls that wait
//! off once: the future looks again, as after any spurious wake-up.
//!
//! This is real time and a real thread (`std`, not the `sync` shim): loom has no clock,
//! and no loom model arms an alarm.

use crate::context::{Context, Selected};
use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Instant;

/// An armed alarm; dropping it disarms it.
#[derive(Debug)]
pub(crate) struct Alarm {
    /// Its place in the schedule.
    key: (Instant, u64),
}

/// The schedule shared with the timer thread.
struct Alarms {
    /// The armed alarms.
    state: Mutex<State>,
    /// Signalled when an alarm earlier than all others is armed.
    earlier: Condvar,
}

/// What the schedule's lock guards.
struct State {
    /// Armed alarms by deadline (and a sequence number, to tell equal deadlines apart),
    /// each with the context to wake.
    armed: BTreeMap<(Instant, u64), Context>,
    /// The next sequence number.
    next: u64,
    /// The timer thread has been started.
    running: bool,
}

/// The one schedule of the process.
fn alarms() -> &'static Alarms {
    static ALARMS: OnceLock<Alarms> = OnceLock::new();
    ALARMS.get_or_init(|| Alarms {
        state: Mutex::new(State {
            armed: BTreeMap::new(),
            next: 0,
            running: false,
        }),
        earlier: Condvar::new(),
    })
}

/// Locks the schedule, ignoring poisoning (it is consistent at every unlock).
fn lock(alarms: &Alarms) -> MutexGuard<'_, State> {
    alarms.state.lock().unwrap_or_else(|e| e.into_inner())
}

impl Alarm {
    /// Arms an alarm that wakes `cx` at `at`.
    pub(crate) fn arm(at: Instant, cx: &Context) -> Alarm {
        let schedule = alarms();
        let mut state = lock(schedule);
        let key = (at, state.next);
        state.next += 1;
        let first = state.armed.first_key_value().is_none_or(|(k, _)| key < *k);
        state.armed.insert(key, cx.clone());
        if !state.running {
            state.running = true;
            std::thread::Builder::new()
                .name("junction-alarms".into())
                .spawn(|| run(alarms()))
                .expect("failed to start junction's timer thread");
        } else if first {
            schedule.earlier.notify_one();
        }
        Alarm { key }
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        // Outside the lock: dropping the context may free it.
        let cx = lock(alarms()).armed.remove(&self.key);
        drop(cx);
    }
}

/// The timer thread: fires every due alarm, then sleeps until the next one.
fn run(alarms: &Alarms) {
    let mut due = Vec::new();
    let mut state = lock(alarms);
    loop {
        let now = Instant::now();
        while let Some(entry) = state.armed.first_entry() {
            if entry.key().0 > now {
                break;
            }
            due.push(entry.remove());
        }
        if !due.is_empty() {
            drop(state);
            for cx in due.drain(..) {
                // Unparked even if something else selected the context first: a
                // rendezvous receive waiting for a promised message gives up when it
                // sees its deadline has passed.
                let _ = cx.select(Selected::Aborted);
                cx.unpark_always();
            }
            state = lock(alarms);
            continue;
        }
        state = match state.armed.first_key_value() {
            Some(((at, _), _)) => {
                let wait = at.saturating_duration_since(now);
                alarms
                    .earlier
                    .wait_timeout(state, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
            None => alarms
                .earlier
                .wait(state)
                .unwrap_or_else(|e| e.into_inner()),
        };
    }
}
