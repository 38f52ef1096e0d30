//! `bounded(0)`: a send completes only when a receive takes the message.

mod common;

use channel_select::{bounded, TryRecvError, TrySendError};
use common::{iters, settle};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn send_does_not_complete_before_a_receiver_takes_it() {
    let (s, r) = bounded::<u32>(0);
    let sent = Arc::new(AtomicBool::new(false));
    let flag = sent.clone();
    let h = thread::spawn(move || {
        s.send(17).unwrap();
        flag.store(true, Ordering::SeqCst);
    });
    settle();
    assert!(
        !sent.load(Ordering::SeqCst),
        "send returned with no receiver"
    );
    assert_eq!(r.len(), 0, "a rendezvous channel never holds a message");
    assert_eq!(r.recv(), Ok(17));
    h.join().unwrap();
    assert!(sent.load(Ordering::SeqCst));
}

#[test]
fn recv_does_not_complete_before_a_sender_arrives() {
    let (s, r) = bounded::<u32>(0);
    let got = Arc::new(AtomicBool::new(false));
    let flag = got.clone();
    let h = thread::spawn(move || {
        let v = r.recv().unwrap();
        flag.store(true, Ordering::SeqCst);
        v
    });
    settle();
    assert!(!got.load(Ordering::SeqCst));
    s.send(3).unwrap();
    assert_eq!(h.join().unwrap(), 3);
}

/// `try_send` succeeds exactly when a receiver is waiting.
#[test]
fn try_send_pairs_with_a_waiting_receiver() {
    let (s, r) = bounded::<u32>(0);
    assert_eq!(s.try_send(1), Err(TrySendError::Full(1)));
    let h = thread::spawn(move || r.recv().unwrap());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match s.try_send(2) {
            Ok(()) => break,
            Err(TrySendError::Full(_)) => {
                assert!(Instant::now() < deadline, "receiver never became visible");
                thread::yield_now();
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(h.join().unwrap(), 2);
}

/// `try_recv` succeeds exactly when a sender is waiting.
#[test]
fn try_recv_pairs_with_a_waiting_sender() {
    let (s, r) = bounded::<u32>(0);
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    let h = thread::spawn(move || s.send(5));
    let deadline = Instant::now() + Duration::from_secs(5);
    let v = loop {
        match r.try_recv() {
            Ok(v) => break v,
            Err(TryRecvError::Empty) => {
                assert!(Instant::now() < deadline, "sender never became visible");
                thread::yield_now();
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(v, 5);
    assert_eq!(h.join().unwrap(), Ok(()));
}

/// Each blocked sender is paired with exactly one receive: with three senders
/// blocked, two receives release exactly two of them.
#[test]
fn each_receive_releases_one_sender() {
    let (s, r) = bounded::<usize>(0);
    let done = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..3)
        .map(|i| {
            let s = s.clone();
            let done = done.clone();
            thread::spawn(move || {
                s.send(i).unwrap();
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    settle();
    assert_eq!(done.load(Ordering::SeqCst), 0);
    let mut got = vec![r.recv().unwrap(), r.recv().unwrap()];
    // Both released senders finish (allowing for a slow scheduler)...
    let deadline = Instant::now() + Duration::from_secs(5);
    while done.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }
    // ...and the third stays blocked.
    settle();
    assert_eq!(done.load(Ordering::SeqCst), 2);
    got.push(r.recv().unwrap());
    for h in hs {
        h.join().unwrap();
    }
    got.sort_unstable();
    assert_eq!(got, vec![0, 1, 2]);
}

/// Ping-pong over two rendezvous channels keeps strict alternation.
#[test]
fn ping_pong() {
    let rounds = iters(2_000);
    let (ping_s, ping_r) = bounded::<usize>(0);
    let (pong_s, pong_r) = bounded::<usize>(0);
    let h = thread::spawn(move || {
        for v in ping_r.iter() {
            pong_s.send(v + 1).unwrap();
        }
    });
    for i in 0..rounds {
        ping_s.send(2 * i).unwrap();
        assert_eq!(pong_r.recv(), Ok(2 * i + 1));
    }
    drop(ping_s);
    h.join().unwrap();
    assert!(pong_r.recv().is_err());
}

/// `send_timeout` on a rendezvous channel succeeds when a receiver comes in time.
#[test]
fn send_timeout_meets_a_late_receiver() {
    let (s, r) = bounded::<u32>(0);
    let h = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        r.recv().unwrap()
    });
    assert_eq!(s.send_timeout(8, Duration::from_secs(10)), Ok(()));
    assert_eq!(h.join().unwrap(), 8);
}

/// A sender that timed out is no longer offering its message: a later receiver
/// does not get it.
#[test]
fn timed_out_send_is_withdrawn() {
    let (s, r) = bounded::<u32>(0);
    assert!(s
        .send_timeout(1, Duration::from_millis(20))
        .unwrap_err()
        .is_timeout());
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    assert!(r
        .recv_timeout(Duration::from_millis(50))
        .unwrap_err()
        .is_timeout());
}
