//! `close()` from either end disconnects the channel for everyone, at once.

mod common;

use channel_select::{RecvError, SendError, SendTimeoutError, TryRecvError, TrySendError};
use common::{assert_prompt, settle, timed, Flavor, BUFFERED, FLAVORS};
use std::thread;
use std::time::Duration;

#[test]
fn close_returns_true_once_from_either_end() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        let s2 = s.clone();
        let r2 = r.clone();
        assert!(s.close(), "{flavor:?}: the first close closes");
        assert!(!s.close(), "{flavor:?}");
        assert!(!s2.close());
        assert!(!r.close());
        assert!(!r2.close());

        let (s, r) = flavor.make::<u8>();
        assert!(r.close(), "{flavor:?}: the first close closes");
        assert!(!r.close());
        assert!(!s.close());
    }
}

#[test]
fn exactly_one_of_racing_closers_wins() {
    for flavor in FLAVORS {
        for _ in 0..20 {
            let (s, r) = flavor.make::<u8>();
            let hs: Vec<_> = (0..4)
                .map(|i| {
                    let s = s.clone();
                    let r = r.clone();
                    thread::spawn(move || if i % 2 == 0 { s.close() } else { r.close() })
                })
                .collect();
            let winners = hs.into_iter().map(|h| h.join().unwrap());
            assert_eq!(winners.filter(|&won| won).count(), 1, "{flavor:?}");
        }
    }
}

#[test]
fn sends_after_close_fail_with_the_message_back() {
    for flavor in FLAVORS {
        for close_from_sender in [true, false] {
            let (s, r) = flavor.make::<String>();
            if close_from_sender {
                s.close();
            } else {
                r.close();
            }
            assert!(s.is_disconnected() && r.is_disconnected(), "{flavor:?}");
            assert_eq!(s.send("a".into()), Err(SendError("a".into())), "{flavor:?}");
            assert_eq!(
                s.try_send("b".into()),
                Err(TrySendError::Disconnected("b".into()))
            );
            assert_eq!(
                s.send_timeout("c".into(), Duration::from_millis(10)),
                Err(SendTimeoutError::Disconnected("c".into()))
            );
            // A clone made after the close is closed too.
            let s3 = s.clone();
            assert_eq!(s3.send("d".into()), Err(SendError("d".into())));
            assert_eq!(r.recv(), Err(RecvError));
        }
    }
}

#[test]
fn receivers_drain_buffered_messages_then_see_disconnection() {
    for flavor in BUFFERED {
        for close_from_sender in [true, false] {
            let n = flavor.buffer().min(10);
            let (s, r) = flavor.make::<usize>();
            for i in 0..n {
                s.send(i).unwrap();
            }
            if close_from_sender {
                assert!(s.close());
            } else {
                assert!(r.close());
            }
            assert!(r.is_disconnected());
            assert_eq!(
                r.len(),
                n,
                "{flavor:?}: close must not discard buffered messages"
            );
            for i in 0..n {
                assert_eq!(r.try_recv(), Ok(i), "{flavor:?}");
            }
            assert_eq!(r.try_recv(), Err(TryRecvError::Disconnected));
            assert_eq!(r.recv(), Err(RecvError));
            assert!(r
                .recv_timeout(Duration::from_millis(10))
                .unwrap_err()
                .is_disconnected());
            // The senders are still alive: the channel stays closed.
            assert!(s.send(99).is_err());
        }
    }
}

#[test]
fn close_wakes_blocked_receivers() {
    for flavor in FLAVORS {
        for close_from_sender in [true, false] {
            let (s, r) = flavor.make::<u8>();
            let hs: Vec<_> = (0..2)
                .map(|_| {
                    let r = r.clone();
                    thread::spawn(move || r.recv())
                })
                .collect();
            settle();
            let (results, took) = timed(|| {
                if close_from_sender {
                    s.close();
                } else {
                    r.close();
                }
                hs.into_iter()
                    .map(|h| h.join().unwrap())
                    .collect::<Vec<_>>()
            });
            assert_prompt(took);
            assert_eq!(results, vec![Err(RecvError); 2], "{flavor:?}");
        }
    }
}

#[test]
fn close_wakes_blocked_senders_with_their_messages() {
    for flavor in [Flavor::Zero, Flavor::One, Flavor::Bounded(3)] {
        for close_from_sender in [true, false] {
            let (s, r) = flavor.make::<usize>();
            for i in 0..flavor.buffer() {
                s.send(i).unwrap();
            }
            let hs: Vec<_> = (0..2)
                .map(|i| {
                    let s = s.clone();
                    thread::spawn(move || s.send(100 + i))
                })
                .collect();
            settle();
            let (results, took) = timed(|| {
                if close_from_sender {
                    s.close();
                } else {
                    r.close();
                }
                hs.into_iter()
                    .map(|h| h.join().unwrap())
                    .collect::<Vec<_>>()
            });
            assert_prompt(took);
            assert_eq!(
                results,
                vec![Err(SendError(100)), Err(SendError(101))],
                "{flavor:?}"
            );
            // The messages buffered before the close are still there.
            let drained: Vec<usize> = r.try_iter().collect();
            assert_eq!(drained, (0..flavor.buffer()).collect::<Vec<_>>());
        }
    }
}

/// Closing does not end the handles' lives: counts are unchanged and dropping
/// them afterwards is fine.
#[test]
fn close_keeps_handle_counts() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        let s2 = s.clone();
        assert!(r.close());
        assert_eq!(s.sender_count(), 2);
        assert_eq!(s.receiver_count(), 1);
        drop(s2);
        drop(r);
        assert!(s.is_disconnected());
    }
}
