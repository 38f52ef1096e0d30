//! Timer channels: `after`, `at`, `tick` and `never`.

mod common;

use channel_select::{after, at, never, tick, Receiver, RecvTimeoutError, TryRecvError};
use common::{assert_about, assert_prompt, timed};
use std::time::{Duration, Instant};

const D: Duration = Duration::from_millis(100);

#[test]
fn after_delivers_once_after_the_duration() {
    let start = Instant::now();
    let r = after(D);
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    let when = r.recv().unwrap();
    assert_about(start.elapsed(), D);
    assert!(when >= start + D, "the message is the delivery instant");
    assert!(when <= Instant::now());
    // Nothing more, ever; and never disconnected.
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    let (res, took) = timed(|| r.recv_timeout(D));
    assert_eq!(res, Err(RecvTimeoutError::Timeout));
    assert_about(took, D);
    assert!(!r.is_disconnected());
}

#[test]
fn after_zero_is_ready_at_once() {
    let r = after(Duration::ZERO);
    let (res, took) = timed(|| r.recv_timeout(Duration::from_secs(5)));
    assert!(res.is_ok());
    assert_prompt(took);
}

#[test]
fn after_with_a_huge_duration_does_not_overflow() {
    let r = after(Duration::MAX);
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(
        r.recv_timeout(Duration::from_millis(10)),
        Err(RecvTimeoutError::Timeout)
    );
}

#[test]
fn at_a_past_instant_is_ready_at_once() {
    let past = Instant::now() - Duration::from_millis(5);
    let r = at(past);
    assert_eq!(r.try_recv(), Ok(past));
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    assert!(!r.is_disconnected());
}

#[test]
fn at_a_future_instant_waits_for_it() {
    let start = Instant::now();
    let when = start + D;
    let r = at(when);
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(r.recv(), Ok(when));
    assert_about(start.elapsed(), D);
    assert!(r
        .recv_timeout(Duration::from_millis(20))
        .unwrap_err()
        .is_timeout());
}

#[test]
fn tick_delivers_every_period() {
    let period = Duration::from_millis(50);
    let start = Instant::now();
    let r = tick(period);
    let mut last = start;
    for i in 1..=4u32 {
        let t = r.recv().unwrap();
        assert!(t >= last, "tick instants go forward");
        assert!(Instant::now() >= start + period * i, "tick {i} came early");
        last = t;
    }
    assert_about(start.elapsed(), period * 4);
    assert!(!r.is_disconnected());
}

#[test]
fn tick_drops_missed_ticks() {
    let period = Duration::from_millis(30);
    let r = tick(period);
    std::thread::sleep(period * 8);
    // Eight periods passed, but only one tick is waiting.
    assert!(r.try_recv().is_ok());
    assert_eq!(
        r.try_recv(),
        Err(TryRecvError::Empty),
        "missed ticks were queued"
    );
    // The next one comes about a period later.
    let (res, took) = timed(|| r.recv());
    assert!(res.is_ok());
    assert!(took < period + Duration::from_secs(2), "{took:?}");
}

#[test]
fn never_never_delivers() {
    let r: Receiver<String> = never();
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    let (res, took) = timed(|| r.recv_timeout(D));
    assert_eq!(res, Err(RecvTimeoutError::Timeout));
    assert_about(took, D);
    assert!(!r.is_disconnected());
    assert!(r.is_empty());
    let r2 = r.clone();
    assert_eq!(r2.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn never_is_a_const_fn() {
    const NEVER: Receiver<u64> = never();
    let r = NEVER;
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn timer_iterators_see_no_end() {
    let r = tick(Duration::from_millis(10));
    let got: Vec<Instant> = r.iter().take(3).collect();
    assert_eq!(got.len(), 3);
    assert!(got.windows(2).all(|w| w[0] <= w[1]));
    // try_iter on `never` is empty and does not block.
    let n = never::<u8>();
    let (count, took) = timed(|| n.try_iter().count());
    assert_eq!(count, 0);
    assert_prompt(took);
}
