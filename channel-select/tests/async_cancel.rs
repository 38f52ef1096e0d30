//! Cancel safety: a future dropped at any poll point loses no message and strands no
//! peer. A receive future (or stream, or selection) that was woken and then dropped
//! passes the wake-up on; a message is either returned by a completed poll or stays in
//! the channel; a send future dropped before it completed drops its message, which is
//! then never delivered.

mod common;

use channel_select::{bounded, Receiver, Select};
use common::executor::{block_on, poll_once, WakeCount};
use common::{iters, DropLedger, Flavor, Seen, BUFFERED, FLAVORS};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::thread;
use std::time::{Duration, Instant};

/// Waits (spinning, at most 5 s) until `cond` holds.
#[track_caller]
fn eventually(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < Duration::from_secs(5), "never: {what}");
        thread::yield_now();
    }
}

#[test]
fn a_woken_receive_dropped_unpolled_passes_the_wake_up_on() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let (woken_a, waker_a) = WakeCount::new();
        let (woken_b, waker_b) = WakeCount::new();
        let mut a = r.recv_async();
        let mut b = r.recv_async();
        assert!(poll_once(&mut a, &waker_a).is_pending());
        assert!(poll_once(&mut b, &waker_b).is_pending());
        // One message: the first registered waiter is woken (on a rendezvous channel
        // it is handed the message itself). A sender stays, so nothing disconnects.
        let s2 = s.clone();
        let sender = thread::spawn(move || s2.send(5).unwrap());
        eventually("the first receiver is woken", || woken_a.get() > 0);
        sender.join().unwrap();
        assert_eq!(woken_b.get(), 0, "{flavor:?}");
        drop(a);
        eventually("the wake-up passes to the second", || woken_b.get() > 0);
        assert_eq!(
            poll_once(&mut b, &waker_b),
            Poll::Ready(Ok(5)),
            "{flavor:?}"
        );
    }
}

#[test]
fn a_receive_future_sent_a_message_and_dropped_keeps_it_in_the_channel() {
    // The send completes in its one poll, waking the waiting receive future (on
    // `bounded(0)` too: its message waits for the future); the future is then
    // dropped unpolled. The message must stay for the next receive.
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let (woken, waker) = WakeCount::new();
        let mut recv = r.recv_async();
        assert!(poll_once(&mut recv, &waker).is_pending(), "{flavor:?}");
        let mut send = s.send_async(8);
        assert_eq!(
            poll_once(&mut send, &waker),
            Poll::Ready(Ok(())),
            "{flavor:?}"
        );
        assert_eq!(woken.get(), 1, "{flavor:?}");
        drop(recv);
        assert_eq!(r.try_recv(), Ok(8), "{flavor:?}");
        assert!(r.try_recv().is_err(), "{flavor:?}");
    }
}

#[test]
fn a_woken_selection_dropped_unpolled_passes_the_wake_up_on() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let (_s2, r2) = flavor.make::<u32>();
        let (woken_a, waker_a) = WakeCount::new();
        let (woken_b, waker_b) = WakeCount::new();
        let mut sel = Select::new();
        sel.recv(&r2);
        sel.recv(&r);
        let mut a = sel.select_async();
        let mut b = r.recv_async();
        assert!(poll_once(&mut a, &waker_a).is_pending());
        assert!(poll_once(&mut b, &waker_b).is_pending());
        let s2 = s.clone();
        let sender = thread::spawn(move || s2.send(6).unwrap());
        eventually("the selection is woken", || woken_a.get() > 0);
        sender.join().unwrap();
        assert_eq!(woken_b.get(), 0, "{flavor:?}");
        drop(a);
        eventually("the wake-up passes on", || woken_b.get() > 0);
        assert_eq!(
            poll_once(&mut b, &waker_b),
            Poll::Ready(Ok(6)),
            "{flavor:?}"
        );
    }
}

#[test]
fn receive_futures_dropped_at_every_poll_point_lose_no_message() {
    for flavor in FLAVORS {
        let n = iters(2000);
        let (s, r) = flavor.make::<usize>();
        let seen = Seen::new(n);
        let producer = thread::spawn(move || (0..n).for_each(|i| s.send(i).unwrap()));
        let consumers: Vec<_> = (0..3)
            .map(|k| {
                let (r, seen) = (r.clone(), seen.clone());
                thread::spawn(move || drop_at_every_point(&r, &seen, k))
            })
            .collect();
        producer.join().unwrap();
        consumers.into_iter().for_each(|c| c.join().unwrap());
        // What the dropped futures left is still in the channel.
        while let Ok(v) = r.try_recv() {
            seen.mark(v);
        }
        seen.assert_complete();
    }
}

/// Receives until disconnected, dropping one future in three after 1, 2 or 3 polls.
fn drop_at_every_point(r: &Receiver<usize>, seen: &Seen, k: usize) {
    let (_count, waker) = WakeCount::new();
    for round in k.. {
        let mut fut = r.recv_async();
        let polls = 1 + round % 3;
        let mut done = false;
        for _ in 0..polls {
            match poll_once(&mut fut, &waker) {
                Poll::Ready(Ok(v)) => {
                    seen.mark(v);
                    done = true;
                    break;
                }
                Poll::Ready(Err(_)) => return,
                Poll::Pending => thread::yield_now(),
            }
        }
        if !done && round % 3 != 0 {
            // Not dropped this time: finish it.
            match block_on(fut) {
                Ok(v) => seen.mark(v),
                Err(_) => return,
            }
        }
    }
}

#[test]
fn a_send_future_dropped_while_waiting_drops_its_message_undelivered() {
    for flavor in FLAVORS {
        if flavor == Flavor::Unbounded {
            continue; // an unbounded send never waits
        }
        let ledger = DropLedger::new(flavor.buffer() + 1);
        let (s, r) = flavor.make();
        for i in 0..flavor.buffer() {
            s.send(ledger.msg(i)).unwrap();
        }
        let last = flavor.buffer();
        let (_count, waker) = WakeCount::new();
        let mut fut = s.send_async(ledger.msg(last));
        assert!(poll_once(&mut fut, &waker).is_pending(), "{flavor:?}");
        assert_eq!(ledger.drops(last), 0);
        drop(fut);
        assert_eq!(ledger.drops(last), 1, "{flavor:?}: dropped with its future");
        let got: Vec<usize> = r.try_iter().map(|m| m.id).collect();
        assert_eq!(
            got,
            (0..last).collect::<Vec<_>>(),
            "{flavor:?}: never delivered"
        );
        ledger.assert_all_once();
    }
}

#[test]
fn a_rendezvous_receive_dropped_with_its_message_keeps_it_in_the_channel() {
    // The sender filled the future's want and left; the future is dropped unpolled.
    let (s, r) = bounded::<&str>(0);
    let (woken, waker) = WakeCount::new();
    let mut fut = r.recv_async();
    assert!(poll_once(&mut fut, &waker).is_pending());
    s.try_send("kept").unwrap(); // a waiting receiver: the send completes at once
    assert_eq!(woken.get(), 1);
    drop(fut);
    assert_eq!(r.len(), 1);
    assert_eq!(r.try_recv(), Ok("kept"));
}

#[test]
fn a_selected_rendezvous_send_dropped_releases_its_receiver() {
    // A blocking receiver claims a pending `select_async` send (promising to wait for
    // its message); the future is dropped instead: the receiver must not be stranded.
    let (s, r) = bounded::<u32>(0);
    let (woken, waker) = WakeCount::new();
    let mut sel = Select::new();
    sel.send(&s);
    let mut fut = sel.select_async();
    assert!(poll_once(&mut fut, &waker).is_pending());
    let got = Arc::new(AtomicBool::new(false));
    let receiver = {
        let got = got.clone();
        thread::spawn(move || {
            let v = r.recv_timeout(Duration::from_secs(10));
            got.store(true, Ordering::SeqCst);
            v
        })
    };
    eventually("the receiver claims the selection", || woken.get() > 0);
    drop(fut);
    thread::sleep(Duration::from_millis(20));
    assert!(!got.load(Ordering::SeqCst), "no message was sent");
    s.send(8).unwrap(); // another send reaches the released receiver
    assert_eq!(receiver.join().unwrap(), Ok(8));
}

#[test]
fn a_rendezvous_receive_dropped_while_promised_leaves_the_message_in_the_channel() {
    // A blocking selection's send claims the receive future's want, then computes its
    // message; the future is dropped meanwhile. The late message is kept for the next
    // receive.
    let (s, r) = bounded::<u32>(0);
    let (woken, waker) = WakeCount::new();
    let mut fut = r.recv_async();
    assert!(poll_once(&mut fut, &waker).is_pending());
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let selecting = thread::spawn(move || {
        let mut sel = Select::new();
        sel.send(&s);
        let oper = sel.select(); // claims the waiting receive future
        go_rx.recv().unwrap(); // "computing the message"
        oper.send(&s, 21).unwrap();
    });
    eventually("the future is promised a message", || woken.get() > 0);
    assert!(
        poll_once(&mut fut, &waker).is_pending(),
        "the message is not written yet"
    );
    drop(fut);
    go_tx.send(()).unwrap();
    selecting.join().unwrap();
    assert_eq!(r.try_recv(), Ok(21));
}

#[test]
fn streams_dropped_between_items_lose_nothing() {
    use futures::StreamExt;
    for flavor in BUFFERED {
        let (s, r) = flavor.make::<usize>();
        let n = iters(200).min(flavor.buffer());
        for i in 0..n {
            s.send(i).unwrap();
        }
        drop(s);
        let mut got = Vec::new();
        while got.len() < n {
            let mut stream = r.stream();
            got.push(block_on(stream.next()).unwrap());
        }
        assert_eq!(got, (0..n).collect::<Vec<_>>(), "{flavor:?}");
        assert_eq!(block_on(r.stream().next()), None);
    }
}

#[test]
fn a_receive_future_woken_and_dropped_leaves_its_message_in_order() {
    // A receive future waits; two messages are sent (the second only where there is
    // room). Another receive takes the oldest; the future, woken meanwhile, is then
    // dropped unpolled. No message may come back behind a newer one: this receiver
    // sees the sender's order.
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let (woken, waker) = WakeCount::new();
        let mut recv = r.recv_async();
        assert!(poll_once(&mut recv, &waker).is_pending(), "{flavor:?}");
        let mut first = s.send_async(1);
        assert_eq!(
            poll_once(&mut first, &waker),
            Poll::Ready(Ok(())),
            "{flavor:?}"
        );
        let sent = if s.try_send(2).is_ok() { 2 } else { 1 };
        assert!(woken.get() > 0, "{flavor:?}: the waiting future is woken");
        let mut seen: Vec<u32> = r.try_recv().into_iter().collect();
        drop(recv);
        seen.extend(r.try_iter());
        let expected: Vec<u32> = (1..=sent).collect();
        assert_eq!(seen, expected, "{flavor:?}");
    }
}

#[test]
fn a_rendezvous_receive_future_woken_and_dropped_leaves_its_message_in_order() {
    // A send completes at once to a waiting receive future; the sender's next send
    // blocks, offered. Another receive takes what it finds first, then the future is
    // dropped unpolled: the receiver must see the sender's order.
    let (s, r) = bounded::<u32>(0);
    let (woken, waker) = WakeCount::new();
    let mut recv = r.recv_async();
    assert!(poll_once(&mut recv, &waker).is_pending());
    let mut first = s.send_async(1);
    assert_eq!(poll_once(&mut first, &waker), Poll::Ready(Ok(())));
    drop(first);
    assert_eq!(woken.get(), 1, "the waiting future is woken");
    let sender = thread::spawn(move || s.send(2).unwrap());
    let start = Instant::now();
    let mut seen = loop {
        if let Ok(m) = r.try_recv() {
            break vec![m];
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "nothing to receive"
        );
        thread::yield_now();
    };
    drop(recv);
    while seen.len() < 2 {
        seen.push(r.recv_timeout(Duration::from_secs(5)).expect("both arrive"));
    }
    sender.join().unwrap();
    assert_eq!(seen, [1, 2]);
}
