//! `recv_timeout`, `recv_deadline`, `send_timeout` and `send_deadline`: they wait at
//! least the time asked, not much more, and succeed as soon as the peer shows up.

mod common;

use channel_select::{never, RecvTimeoutError, SendTimeoutError};
use common::{assert_about, assert_prompt, timed, Flavor, FLAVORS};
use std::thread;
use std::time::{Duration, Instant};

const D: Duration = Duration::from_millis(100);

#[test]
fn recv_timeout_waits_the_full_time_on_an_empty_channel() {
    for flavor in FLAVORS {
        let (_s, r) = flavor.make::<u8>();
        let (res, took) = timed(|| r.recv_timeout(D));
        assert_eq!(res, Err(RecvTimeoutError::Timeout), "{flavor:?}");
        assert_about(took, D);
    }
    let r = never::<u8>();
    let (res, took) = timed(|| r.recv_timeout(D));
    assert_eq!(res, Err(RecvTimeoutError::Timeout));
    assert_about(took, D);
}

#[test]
fn recv_deadline_waits_until_the_deadline() {
    for flavor in FLAVORS {
        let (_s, r) = flavor.make::<u8>();
        let start = Instant::now();
        let res = r.recv_deadline(start + D);
        assert_eq!(res, Err(RecvTimeoutError::Timeout), "{flavor:?}");
        assert!(Instant::now() >= start + D);
        assert_about(start.elapsed(), D);
    }
}

#[test]
fn send_timeout_waits_the_full_time_on_a_full_channel() {
    for flavor in [Flavor::Zero, Flavor::One, Flavor::Bounded(3)] {
        let (s, _r) = flavor.make::<String>();
        for _ in 0..flavor.buffer() {
            s.send(String::new()).unwrap();
        }
        let (res, took) = timed(|| s.send_timeout("m".to_string(), D));
        assert_eq!(
            res,
            Err(SendTimeoutError::Timeout("m".to_string())),
            "{flavor:?}"
        );
        assert_about(took, D);
        let start = Instant::now();
        let res = s.send_deadline("n".to_string(), start + D);
        assert_eq!(res.unwrap_err().into_inner(), "n");
        assert_about(start.elapsed(), D);
    }
}

#[test]
fn unbounded_send_timeout_never_times_out() {
    let (s, r) = Flavor::Unbounded.make::<u32>();
    for i in 0..1000 {
        s.send_timeout(i, Duration::ZERO).unwrap();
    }
    s.send_deadline(1000, Instant::now() - Duration::from_millis(1))
        .unwrap();
    assert_eq!(r.len(), 1001);
}

#[test]
fn recv_timeout_returns_as_soon_as_a_message_arrives() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let h = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            s.send(7).unwrap();
            s
        });
        let (res, took) = timed(|| r.recv_timeout(Duration::from_secs(10)));
        assert_eq!(res, Ok(7), "{flavor:?}");
        assert!(took < Duration::from_secs(5), "{flavor:?}: {took:?}");
        drop(h.join().unwrap());
    }
}

#[test]
fn send_timeout_returns_as_soon_as_room_appears() {
    for flavor in [Flavor::Zero, Flavor::One, Flavor::Bounded(3)] {
        let (s, r) = flavor.make::<usize>();
        for i in 0..flavor.buffer() {
            s.send(i).unwrap();
        }
        let h = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            let got: Vec<usize> = (0..=flavor.buffer()).map(|_| r.recv().unwrap()).collect();
            (r, got)
        });
        let (res, took) = timed(|| s.send_timeout(usize::MAX, Duration::from_secs(10)));
        assert_eq!(res, Ok(()), "{flavor:?}");
        assert!(took < Duration::from_secs(5), "{flavor:?}: {took:?}");
        let (_r, got) = h.join().unwrap();
        assert_eq!(got.last(), Some(&usize::MAX));
    }
}

#[test]
fn past_deadlines_behave_like_try() {
    let past = Instant::now() - Duration::from_millis(10);
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        let (res, took) = timed(|| r.recv_deadline(past));
        assert_eq!(res, Err(RecvTimeoutError::Timeout), "{flavor:?}");
        assert_prompt(took);
        assert_eq!(
            r.recv_timeout(Duration::ZERO),
            Err(RecvTimeoutError::Timeout)
        );
        if flavor != Flavor::Zero {
            s.send_deadline(1, past).unwrap();
            assert_eq!(r.recv_deadline(past), Ok(1), "{flavor:?}");
            s.send_timeout(2, Duration::ZERO).unwrap();
            assert_eq!(r.recv_timeout(Duration::ZERO), Ok(2), "{flavor:?}");
        }
        if flavor != Flavor::Unbounded {
            for _ in 0..flavor.buffer() {
                s.send(0).unwrap();
            }
            let (res, took) = timed(|| s.send_deadline(3, past));
            assert_eq!(res, Err(SendTimeoutError::Timeout(3)), "{flavor:?}");
            assert_prompt(took);
        }
    }
}

/// A timeout so large that `now + timeout` overflows `Instant` waits forever
/// instead of panicking: a message arriving later is received.
#[test]
fn huge_timeouts_do_not_overflow() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        let h = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            s.send(5).unwrap();
            thread::sleep(Duration::from_millis(50));
            s.send(6).unwrap();
        });
        assert_eq!(r.recv_timeout(Duration::MAX), Ok(5), "{flavor:?}");
        assert_eq!(r.recv_timeout(Duration::from_secs(u64::MAX)), Ok(6));
        h.join().unwrap();
        assert_eq!(
            r.recv_timeout(Duration::MAX),
            Err(RecvTimeoutError::Disconnected)
        );
    }
    let (s, r) = Flavor::Zero.make::<u8>();
    let h = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        r.recv().unwrap()
    });
    s.send_timeout(9, Duration::MAX).unwrap();
    assert_eq!(h.join().unwrap(), 9);
}

/// The timeout is measured from the call: a timed wait that is woken by an unrelated
/// event and goes back to sleep still ends close to its deadline.
#[test]
fn timed_recv_is_not_extended_by_other_traffic() {
    let (s, r) = Flavor::Zero.make::<u8>();
    let r2 = r.clone();
    // Another receiver takes every message, so `r` keeps waiting.
    let taker = thread::spawn(move || while r2.recv().is_ok() {});
    let sender = thread::spawn(move || {
        for _ in 0..10 {
            thread::sleep(Duration::from_millis(20));
            if s.send_timeout(1, Duration::from_millis(100)).is_err() {
                break;
            }
        }
    });
    let (res, took) = timed(|| r.recv_timeout(Duration::from_millis(300)));
    sender.join().unwrap();
    taker.join().unwrap();
    // Either outcome is legal (`r` may win a message); a timeout must be on time.
    if res.is_err() {
        assert_about(took, Duration::from_millis(300));
    }
}
