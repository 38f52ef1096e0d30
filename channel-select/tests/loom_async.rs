//! Loom models of the async paths: futures registered in the same wait lists as blocked
//! threads, woken through their wakers. Cancel safety in every interleaving: a receive
//! future dropped after it was woken passes the wake-up on and the message stays; a
//! send future dropped while it waits drops its message unless a receiver already took
//! it, and it is never delivered afterwards; a send future parked on a full buffered
//! channel is completed by the receive that makes room; a receive future dropped
//! while messages are sent leaves them in their sender's order; a
//! selection future dropped while promised a rendezvous message leaves the message in
//! the channel. And blocking and async parties meet on `bounded(0)` either way round.
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p channel-select --test loom_async`
#![cfg(loom)]

use channel_select::{bounded, unbounded, Receiver, Select, Sender};
use loom::future::block_on;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(3600);

/// Polls `fut` once with a waker that does nothing (the model then drops or re-polls it).
fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    Pin::new(fut).poll(&mut Context::from_waker(Waker::noop()))
}

/// A receive future registers and is dropped without another poll, at any point
/// relative to a send and a blocking receive: the blocking receive gets the message
/// in every interleaving (if the future had been woken for it, the wake-up passed on).
fn woken_receive_dropped(make: fn() -> (Sender<u8>, Receiver<u8>)) {
    loom::model(move || {
        let (s, r) = make();
        let r2 = r.clone();
        let mut fut = r.recv_async();
        assert!(poll_once(&mut fut).is_pending());
        let blocking = thread::spawn(move || r2.recv());
        // A sender handle stays until the end: no disconnection wakes anyone.
        let s2 = s.clone();
        let sender = thread::spawn(move || s2.send(7).unwrap());
        drop(fut);
        sender.join().unwrap();
        assert_eq!(blocking.join().unwrap(), Ok(7));
        drop(s);
    });
}

#[test]
fn loom_woken_receive_future_dropped_passes_the_wake_up_on_unbounded() {
    woken_receive_dropped(unbounded);
}

#[test]
fn loom_woken_receive_future_dropped_passes_the_wake_up_on_rendezvous() {
    woken_receive_dropped(|| bounded(0));
}

/// A message that counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A send future waits (the channel has no room), its message parked in the channel,
/// then is dropped while a receiver makes room and takes what it finds: the message is
/// dropped exactly once, and received only if a receiver took it before the drop
/// (never after).
fn send_future_dropped(cap: usize) {
    loom::model(move || {
        let (s, r) = bounded::<Counted>(cap);
        let drops = Arc::new(AtomicUsize::new(0));
        let keep = Arc::new(AtomicUsize::new(0));
        for _ in 0..cap {
            s.send(Counted(keep.clone())).unwrap();
        }
        let mut fut = s.send_async(Counted(drops.clone()));
        assert!(poll_once(&mut fut).is_pending());
        let receiver = thread::spawn(move || {
            // Under loom a deadline passes as soon as the thread parks.
            let mut got = 0;
            while r.recv_timeout(LONG).is_ok() {
                got += 1;
            }
            got
        });
        drop(fut);
        let received = receiver.join().unwrap();
        // A receiver may have taken the parked message before the drop.
        assert!((cap..=cap + 1).contains(&received), "received {received}");
        assert_eq!(drops.load(Ordering::SeqCst), 1, "dropped exactly once");
        drop(s);
    });
}

#[test]
fn loom_send_future_dropped_while_waiting_on_bounded_one() {
    send_future_dropped(1);
}

#[test]
fn loom_send_future_dropped_while_waiting_on_rendezvous() {
    send_future_dropped(0);
}

/// An async send parks its message on a full `bounded(1)` channel; a blocking receiver
/// takes the first message and, making room, moves the parked one in (or the send's
/// retry finds the room): both messages arrive once, in order, and the send completes.
#[test]
fn loom_parked_send_future_completed_by_a_receive() {
    loom::model(|| {
        let (s, r) = bounded::<u8>(1);
        s.send(1).unwrap();
        let receiver = thread::spawn(move || (r.recv(), r.recv()));
        assert_eq!(block_on(s.send_async(2)), Ok(()));
        assert_eq!(receiver.join().unwrap(), (Ok(1), Ok(2)));
    });
}

/// An async sender and a blocking receiver meet on `bounded(0)`, and the other way
/// round.
#[test]
fn loom_mixed_rendezvous_hand_off() {
    loom::model(|| {
        let (s, r) = bounded::<u8>(0);
        let (s2, r2) = (s.clone(), r.clone());
        let async_sender = thread::spawn(move || block_on(s2.send_async(1)));
        assert_eq!(r.recv(), Ok(1));
        assert_eq!(async_sender.join().unwrap(), Ok(()));
        let async_receiver = thread::spawn(move || block_on(r2.recv_async()));
        s.send(2).unwrap();
        assert_eq!(async_receiver.join().unwrap(), Ok(2));
    });
}

/// A `select_async` send on `bounded(0)` meets a blocking receive (which promises to
/// wait for the selected send's message).
#[test]
fn loom_select_async_send_meets_blocking_receive() {
    loom::model(|| {
        let (s, r) = bounded::<u8>(0);
        let receiver = thread::spawn(move || r.recv());
        block_on(async {
            let mut sel = Select::new();
            sel.send(&s);
            let oper = sel.select_async().await;
            oper.send(&s, 3).unwrap();
        });
        assert_eq!(receiver.join().unwrap(), Ok(3));
    });
}

/// A blocking selection's send claims a waiting receive future (a promise), and the
/// future is dropped before the message is written: the late message is kept in the
/// channel for the next receive, in every interleaving.
#[test]
fn loom_receive_future_dropped_while_promised() {
    loom::model(|| {
        let (s, r) = bounded::<u8>(0);
        let mut fut = r.recv_async();
        assert!(poll_once(&mut fut).is_pending());
        let selecting = thread::spawn(move || {
            let mut sel = Select::new();
            sel.send(&s);
            match sel.select_timeout(LONG) {
                Ok(oper) => {
                    oper.send(&s, 4).unwrap();
                    true
                }
                Err(_) => false, // the future left before the selection found it
            }
        });
        let got = match poll_once(&mut fut) {
            Poll::Ready(m) => Some(m.unwrap()),
            Poll::Pending => None,
        };
        drop(fut);
        let sent = selecting.join().unwrap();
        let got = got.or_else(|| r.try_recv().ok());
        assert_eq!(
            got.is_some(),
            sent,
            "a sent message is received or kept, once"
        );
        if sent {
            assert_eq!(got, Some(4));
            assert!(r.try_recv().is_err());
        }
    });
}

#[test]
fn loom_woken_receive_future_dropped_passes_the_wake_up_on_bounded_one() {
    woken_receive_dropped(|| bounded(1));
}

/// A message is sent to a waiting receive future while its task drops it: the message
/// stays in the channel (a future is woken for it, never handed it), and the
/// receive that follows gets it; the message is dropped exactly once, when that
/// receive's caller drops it.
#[test]
fn loom_receive_future_dropped_while_its_message_is_sent() {
    loom::model(|| {
        let (s, r) = bounded::<Counted>(1);
        let drops = Arc::new(AtomicUsize::new(0));
        let mut fut = r.recv_async();
        assert!(poll_once(&mut fut).is_pending());
        let d = drops.clone();
        let sender = thread::spawn(move || {
            s.send(Counted(d)).map_err(|_| ()).unwrap();
            s
        });
        drop(fut);
        let s = sender.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 0, "nothing dropped yet");
        drop(r.try_recv().expect("the message is in the channel"));
        assert_eq!(drops.load(Ordering::SeqCst), 1, "dropped exactly once");
        drop(s);
    });
}

/// A message sent on `bounded(1)` while a receive future (registered first) and a
/// selection on the channel and on another, idle one (with a deadline) wait: it is
/// received exactly once, by the future or by the selection (whichever was woken for
/// it, or passed the wake-up on), or stays in the channel when the selection timed
/// out and the future was dropped first; never lost to a waiter that left.
#[test]
fn loom_message_for_a_receive_future_beside_a_selection() {
    loom::model(|| {
        let (s, r) = bounded::<i32>(1);
        let (_idle_s, idle) = bounded::<i32>(1);
        let r2 = r.clone();
        let mut fut = r.recv_async();
        assert!(poll_once(&mut fut).is_pending());
        let selecting = thread::spawn(move || {
            let mut sel = Select::new();
            let i = sel.recv(&r2);
            sel.recv(&idle);
            match sel.select_timeout(LONG) {
                Ok(oper) => {
                    assert_eq!(oper.index(), i, "the idle channel has nothing");
                    Some(oper.recv(&r2).unwrap())
                }
                Err(_) => None,
            }
        });
        s.send(1).unwrap();
        let a = match poll_once(&mut fut) {
            Poll::Ready(m) => Some(m.unwrap()),
            Poll::Pending => None,
        };
        drop(fut);
        let b = selecting.join().unwrap();
        let left = r.try_recv().ok();
        let got: Vec<i32> = [a, b, left].into_iter().flatten().collect();
        assert_eq!(got, [1], "received exactly once, or left in the channel");
    });
}

/// A receive future registers while a message is sent: its own re-check after
/// registering may call its wait off just as the sender claims it to wake it. The
/// future gets the message whatever the interleaving.
#[test]
fn loom_receive_future_registering_while_its_message_is_sent() {
    loom::model(|| {
        let (s, r) = bounded::<u8>(1);
        let sender = thread::spawn(move || {
            s.send(1).unwrap();
            s
        });
        assert_eq!(block_on(r.recv_async()), Ok(1));
        drop(sender.join().unwrap());
    });
}

/// A receive future waits first, then a blocking receiver; a sender sends two
/// messages while the future is dropped. A message meant for the future is never
/// handed to it (it could only come back behind the newer one): the blocking
/// receiver sees the sender's order, whatever the interleaving.
fn receive_future_dropped_keeps_the_senders_order(cap: usize) {
    loom::model(move || {
        let (s, r) = bounded::<u8>(cap);
        let mut fut = r.recv_async();
        assert!(poll_once(&mut fut).is_pending());
        let r2 = r.clone();
        let receiver = thread::spawn(move || [r2.recv().unwrap(), r2.recv().unwrap()]);
        let sender = thread::spawn(move || {
            s.send(1).unwrap();
            s.send(2).unwrap();
        });
        drop(fut);
        assert_eq!(receiver.join().unwrap(), [1, 2]);
        sender.join().unwrap();
    });
}

#[test]
fn loom_receive_future_dropped_keeps_the_senders_order_on_rendezvous() {
    receive_future_dropped_keeps_the_senders_order(0);
}

#[test]
fn loom_receive_future_dropped_keeps_the_senders_order_on_bounded_one() {
    receive_future_dropped_keeps_the_senders_order(1);
}
