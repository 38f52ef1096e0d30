//! Disconnection: buffered messages survive it, blocked peers wake from it, and the
//! handle counts and `is_disconnected` report it.

mod common;

use channel_select::{RecvError, SendError, TryRecvError};
use common::{assert_prompt, settle, timed, Flavor, BUFFERED, FLAVORS};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

#[test]
fn buffered_messages_stay_receivable_after_senders_drop() {
    for flavor in BUFFERED {
        let n = flavor.buffer().min(100);
        let (s, r) = flavor.make::<usize>();
        let s2 = s.clone();
        for i in 0..n {
            s.send(i).unwrap();
        }
        drop(s);
        drop(s2);
        assert!(r.is_disconnected(), "{flavor:?}");
        assert_eq!(r.len(), n);
        for i in 0..n {
            assert_eq!(r.recv(), Ok(i), "{flavor:?}");
        }
        assert_eq!(r.recv(), Err(RecvError));
        assert_eq!(r.try_recv(), Err(TryRecvError::Disconnected));
    }
}

/// The channel is not disconnected while one sender is left.
#[test]
fn only_the_last_sender_disconnects() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        let s2 = s.clone();
        drop(s);
        assert!(!r.is_disconnected(), "{flavor:?}");
        assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
        drop(s2);
        assert!(r.is_disconnected());
        assert_eq!(r.try_recv(), Err(TryRecvError::Disconnected));
    }
}

#[test]
fn blocked_receiver_wakes_when_the_last_sender_drops() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        let s2 = s.clone();
        let done = Arc::new(AtomicBool::new(false));
        let d = done.clone();
        let h = thread::spawn(move || {
            let res = r.recv();
            d.store(true, Ordering::SeqCst);
            res
        });
        settle();
        drop(s);
        settle();
        assert!(
            !done.load(Ordering::SeqCst),
            "{flavor:?}: woke while a sender was left"
        );
        let (res, took) = timed(|| {
            drop(s2);
            h.join().unwrap()
        });
        assert_eq!(res, Err(RecvError), "{flavor:?}");
        assert_prompt(took);
    }
}

#[test]
fn all_blocked_receivers_wake_on_disconnect() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let r = r.clone();
                thread::spawn(move || r.recv_timeout(Duration::from_secs(10)))
            })
            .collect();
        settle();
        let (results, took) = timed(|| {
            drop(s);
            hs.into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        });
        assert_prompt(took);
        for res in results {
            assert!(res.unwrap_err().is_disconnected(), "{flavor:?}");
        }
    }
}

#[test]
fn blocked_sender_on_full_channel_wakes_with_its_message() {
    for flavor in [Flavor::Zero, Flavor::One, Flavor::Bounded(4)] {
        let (s, r) = flavor.make::<String>();
        for _ in 0..flavor.buffer() {
            s.send(String::from("filler")).unwrap();
        }
        let r2 = r.clone();
        let hs: Vec<_> = (0..2)
            .map(|i| {
                let s = s.clone();
                thread::spawn(move || s.send(format!("blocked {i}")))
            })
            .collect();
        settle();
        drop(r);
        settle();
        assert!(
            hs.iter().all(|h| !h.is_finished()),
            "{flavor:?}: woke early"
        );
        let (results, took) = timed(|| {
            drop(r2);
            hs.into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        });
        assert_prompt(took);
        for (i, res) in results.into_iter().enumerate() {
            assert_eq!(res, Err(SendError(format!("blocked {i}"))), "{flavor:?}");
        }
    }
}

#[test]
fn is_disconnected_on_both_ends() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        assert!(!s.is_disconnected() && !r.is_disconnected(), "{flavor:?}");
        drop(r);
        assert!(s.is_disconnected(), "{flavor:?}");
        let (s, r) = flavor.make::<u8>();
        drop(s);
        assert!(r.is_disconnected(), "{flavor:?}");
    }
}

#[test]
fn handle_counts() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        assert_eq!((s.sender_count(), s.receiver_count()), (1, 1));
        let s2 = s.clone();
        let s3 = s2.clone();
        let r2 = r.clone();
        for c in [(&s, 3, 2), (&s2, 3, 2), (&s3, 3, 2)] {
            assert_eq!(c.0.sender_count(), c.1, "{flavor:?}");
            assert_eq!(c.0.receiver_count(), c.2, "{flavor:?}");
        }
        assert_eq!((r.sender_count(), r2.receiver_count()), (3, 2));
        drop(s2);
        assert_eq!(r.sender_count(), 2);
        drop(r);
        assert_eq!(s.receiver_count(), 1);
        assert!(!s.is_disconnected());
        drop(r2);
        assert_eq!(s3.receiver_count(), 0);
        assert!(s3.is_disconnected());
        drop(s);
        assert_eq!(s3.sender_count(), 1);
    }
}

/// Messages sent by a thread that then exits are not lost.
#[test]
fn messages_from_a_finished_thread_arrive() {
    for flavor in BUFFERED {
        let (s, r) = flavor.make::<u32>();
        let n = flavor.buffer().min(50) as u32;
        thread::spawn(move || {
            for i in 0..n {
                s.send(i).unwrap();
            }
        })
        .join()
        .unwrap();
        let got: Vec<u32> = r.iter().collect();
        assert_eq!(got, (0..n).collect::<Vec<_>>(), "{flavor:?}");
    }
}

/// A sender whose receiver is dropped while it is blocked in `send_timeout` gets
/// `Disconnected` with its message well before the timeout.
#[test]
fn blocked_send_timeout_sees_disconnection() {
    for flavor in [Flavor::Zero, Flavor::One] {
        let (s, r) = flavor.make::<u8>();
        for _ in 0..flavor.buffer() {
            s.send(0).unwrap();
        }
        let h = thread::spawn(move || timed(|| s.send_timeout(42, Duration::from_secs(10))));
        settle();
        drop(r);
        let (res, took) = h.join().unwrap();
        assert_eq!(res.unwrap_err().into_inner(), 42, "{flavor:?}");
        assert!(took < Duration::from_secs(5), "{flavor:?}: {took:?}");
    }
}
