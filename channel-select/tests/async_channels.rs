//! The same channels from async code: `send_async`, `recv_async`, `stream`, `sink`, on
//! every flavor, with blocking and async peers on one channel at once, on a bare
//! executor and on tokio's multi-threaded runtime. Every message arrives exactly once.

mod common;

use channel_select::{after, bounded, tick, unbounded, RecvFuture, RecvStream, SendFuture};
use channel_select::{RecvError, SendError, SendSink};
use common::executor::{block_on, poll_once, tokio_runtime, WakeCount};
use common::{iters, DropLedger, Flavor, Seen, BUFFERED, FLAVORS};
use futures::{SinkExt, StreamExt};
use std::task::Poll;
use std::thread;
use std::time::{Duration, Instant};

fn send_unpin<T: Send + Unpin>() {}

#[test]
fn futures_streams_and_sinks_are_send_and_unpin() {
    send_unpin::<SendFuture<'static, String>>();
    send_unpin::<RecvFuture<'static, String>>();
    send_unpin::<RecvStream<'static, String>>();
    send_unpin::<SendSink<'static, String>>();
    // Unpin even when the message is not: it is never pinned.
    send_unpin::<SendFuture<'static, std::marker::PhantomPinned>>();
    send_unpin::<SendSink<'static, std::marker::PhantomPinned>>();
}

#[test]
fn async_send_and_receive_in_order_on_every_flavor() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<usize>();
        let n = iters(200);
        let producer = thread::spawn(move || {
            block_on(async {
                for i in 0..n {
                    s.send_async(i).await.unwrap();
                }
            })
        });
        let got = block_on(async {
            let mut got = Vec::new();
            while let Ok(i) = r.recv_async().await {
                got.push(i);
            }
            got
        });
        producer.join().unwrap();
        assert_eq!(got, (0..n).collect::<Vec<_>>(), "{flavor:?}");
    }
}

#[test]
#[cfg_attr(miri, ignore = "a tokio runtime: too slow under Miri")]
fn blocking_and_async_peers_share_one_channel() {
    // Two blocking and two async senders, two blocking and two async receivers.
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<usize>();
        let per = iters(500);
        let seen = Seen::new(4 * per);
        let rt = tokio_runtime();
        let mut threads = Vec::new();
        let mut tasks = Vec::new();
        for k in 0..4 {
            let s = s.clone();
            let values = (k * per)..((k + 1) * per);
            if k % 2 == 0 {
                threads.push(thread::spawn(move || {
                    values.for_each(|v| s.send(v).unwrap())
                }));
            } else {
                tasks.push(rt.spawn(async move {
                    for v in values {
                        s.send_async(v).await.unwrap();
                    }
                }));
            }
        }
        drop(s);
        let mut receivers = Vec::new();
        let mut receiving = Vec::new();
        for k in 0..4 {
            let (r, seen) = (r.clone(), seen.clone());
            if k % 2 == 0 {
                receivers.push(thread::spawn(move || r.iter().for_each(|v| seen.mark(v))));
            } else {
                receiving.push(rt.spawn(async move {
                    while let Ok(v) = r.recv_async().await {
                        seen.mark(v);
                    }
                }));
            }
        }
        drop(r);
        threads.into_iter().for_each(|t| t.join().unwrap());
        receivers.into_iter().for_each(|t| t.join().unwrap());
        rt.block_on(async {
            for t in tasks.into_iter().chain(receiving) {
                t.await.unwrap();
            }
        });
        seen.assert_complete();
    }
}

#[test]
fn a_failed_async_send_hands_the_message_back() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<String>();
        drop(r);
        let err = block_on(s.send_async("back".to_string())).unwrap_err();
        assert_eq!(err, SendError("back".to_string()), "{flavor:?}");
    }
}

#[test]
fn an_async_receive_sees_the_disconnection_after_the_messages() {
    for flavor in common::BUFFERED {
        let (s, r) = flavor.make::<u8>();
        s.send(1).unwrap();
        drop(s);
        block_on(async {
            assert_eq!(r.recv_async().await, Ok(1));
            assert_eq!(r.recv_async().await, Err(RecvError));
        });
    }
    let (s, r) = bounded::<u8>(0);
    let t = thread::spawn(move || thread::sleep(Duration::from_millis(20)));
    let pending = r.recv_async();
    drop(s);
    assert_eq!(block_on(pending), Err(RecvError));
    t.join().unwrap();
}

#[test]
fn a_pending_receive_is_woken_by_a_blocking_send() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let (count, waker) = WakeCount::new();
        let mut fut = r.recv_async();
        assert!(poll_once(&mut fut, &waker).is_pending(), "{flavor:?}");
        let sender = thread::spawn(move || s.send(9).unwrap());
        let start = Instant::now();
        while count.get() == 0 {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "{flavor:?}: never woken"
            );
            thread::yield_now();
        }
        assert_eq!(
            poll_once(&mut fut, &waker),
            Poll::Ready(Ok(9)),
            "{flavor:?}"
        );
        sender.join().unwrap();
    }
}

/// A send to a buffered channel whose receive future waits wakes that future and
/// leaves the message in the channel, in its place, for the future's next poll. (A
/// future is not handed its message as a blocked `recv` is: it could be dropped
/// holding it, and the message could then only go back behind newer ones taken
/// meanwhile: see `async_cancel.rs`.)
#[test]
fn a_waiting_receive_future_is_woken_and_its_message_stays_in_place() {
    for flavor in BUFFERED {
        let (s, r) = flavor.make::<u32>();
        let (count, waker) = WakeCount::new();
        let mut fut = r.recv_async();
        assert!(poll_once(&mut fut, &waker).is_pending(), "{flavor:?}");
        s.send(1).unwrap();
        assert_eq!(count.get(), 1, "{flavor:?}: woken by the send");
        assert_eq!(
            r.len(),
            1,
            "{flavor:?}: the message is still in the channel"
        );
        let more = flavor.buffer().min(8) as u32 - 1;
        for i in 0..more {
            s.try_send(10 + i).expect("room left");
        }
        assert_eq!(
            poll_once(&mut fut, &waker),
            Poll::Ready(Ok(1)),
            "{flavor:?}"
        );
        assert_eq!(
            r.try_iter().collect::<Vec<_>>(),
            (10..10 + more).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_pending_send_is_woken_when_room_is_made() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        if flavor == Flavor::Unbounded {
            assert!(block_on(s.send_async(1)).is_ok());
            continue;
        }
        for i in 0..flavor.buffer() as u32 {
            s.send(i).unwrap();
        }
        let (count, waker) = WakeCount::new();
        let mut fut = s.send_async(100);
        assert!(poll_once(&mut fut, &waker).is_pending(), "{flavor:?}");
        let receiver = thread::spawn(move || r.iter().collect::<Vec<_>>());
        let start = Instant::now();
        loop {
            if count.get() > 0 {
                if let Poll::Ready(res) = poll_once(&mut fut, &waker) {
                    res.unwrap();
                    break;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "{flavor:?}: never woken"
            );
            thread::yield_now();
        }
        drop(fut);
        drop(s);
        let got = receiver.join().unwrap();
        assert_eq!(got.last(), Some(&100), "{flavor:?}");
        assert_eq!(got.len(), flavor.buffer() + 1, "{flavor:?}");
    }
}

/// Rendezvous, all async on one thread: a send to a waiting receive future completes
/// and leaves its message for that future (woken); a second send, finding that
/// message still waiting and no receiver to claim, waits with its offer and does not
/// overtake it; the woken future takes the first, a new receive future the second,
/// which completes its send.
#[test]
fn rendezvous_futures_keep_order_while_a_woken_receive_has_not_run() {
    let (s, r) = bounded::<u32>(0);
    let (recv_woken, recv_waker) = WakeCount::new();
    let (send_woken, send_waker) = WakeCount::new();
    let mut first_recv = r.recv_async();
    assert!(poll_once(&mut first_recv, &recv_waker).is_pending());
    let mut first = s.send_async(1);
    assert_eq!(poll_once(&mut first, &send_waker), Poll::Ready(Ok(())));
    assert_eq!(recv_woken.get(), 1, "the waiting receive is woken");
    let mut second = s.send_async(2);
    assert!(
        poll_once(&mut second, &send_waker).is_pending(),
        "no receiver to claim: the second send waits"
    );
    assert!(
        poll_once(&mut second, &send_waker).is_pending(),
        "and still waits when polled again"
    );
    assert_eq!(poll_once(&mut first_recv, &recv_waker), Poll::Ready(Ok(1)));
    assert_eq!(send_woken.get(), 0, "taking the first woke no sender");
    let mut second_recv = r.recv_async();
    assert_eq!(poll_once(&mut second_recv, &recv_waker), Poll::Ready(Ok(2)));
    assert_eq!(send_woken.get(), 1, "taking the offer woke its sender");
    assert_eq!(poll_once(&mut second, &send_waker), Poll::Ready(Ok(())));
    assert!(r.try_recv().is_err(), "nothing else in the channel");
}

#[test]
fn try_recv_takes_a_pending_async_rendezvous_send() {
    // A rendezvous send future offers its message as a blocked `send` does.
    let (s, r) = bounded::<&str>(0);
    let (_count, waker) = WakeCount::new();
    let mut fut = s.send_async("offered");
    assert!(poll_once(&mut fut, &waker).is_pending());
    assert_eq!(r.len(), 0); // an offer is no buffered message, as for `send`
    assert_eq!(r.try_recv(), Ok("offered"));
    assert_eq!(poll_once(&mut fut, &waker), Poll::Ready(Ok(())));
}

#[test]
fn streams_end_once_disconnected_and_drained() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<usize>();
        let n = iters(100);
        let producer = thread::spawn(move || (0..n).for_each(|i| s.send(i).unwrap()));
        let mut stream = r.into_stream();
        let got: Vec<usize> = block_on(stream.by_ref().collect());
        assert_eq!(got, (0..n).collect::<Vec<_>>(), "{flavor:?}");
        assert!(futures::stream::FusedStream::is_terminated(&stream));
        assert_eq!(block_on(stream.next()), None);
        producer.join().unwrap();
    }
}

#[test]
fn streams_and_sinks_go_on_at_once_after_a_wait() {
    // A stream or sink keeps its wait between items; once the wait is over, the next
    // items are taken or sent at once (the quick case), in order, and a later wait
    // is woken again.
    use futures::Sink;
    use std::pin::Pin;
    for flavor in BUFFERED {
        let (s, r) = flavor.make::<u32>();
        let (count, waker) = WakeCount::new();
        let mut stream = r.stream();
        assert!(
            poll_once(&mut stream.next(), &waker).is_pending(),
            "{flavor:?}"
        );
        for i in 0..3 {
            s.send(i).unwrap();
            assert!(
                count.get() >= 1,
                "{flavor:?}: the waiting stream was not woken"
            );
            let next = poll_once(&mut stream.next(), &waker);
            assert_eq!(next, Poll::Ready(Some(i)), "{flavor:?}");
        }
        let woken = count.get();
        assert!(
            poll_once(&mut stream.next(), &waker).is_pending(),
            "{flavor:?}"
        );
        s.send(7).unwrap();
        assert!(
            count.get() > woken,
            "{flavor:?}: the second wait was not woken"
        );
        let next = poll_once(&mut stream.next(), &waker);
        assert_eq!(next, Poll::Ready(Some(7)), "{flavor:?}");
        drop(stream);

        // A sink parked on a full channel, then sending at once once room is made.
        let cap = flavor.capacity().unwrap_or(4);
        for i in 0..cap as u32 {
            s.send(i).unwrap();
        }
        let mut sink = s.sink();
        let mut cx = std::task::Context::from_waker(&waker);
        if flavor != Flavor::Unbounded {
            assert!(Pin::new(&mut sink).poll_ready(&mut cx).is_ready());
            Pin::new(&mut sink).start_send(100).unwrap();
            assert!(
                Pin::new(&mut sink).poll_flush(&mut cx).is_pending(),
                "{flavor:?}"
            );
            let woken = count.get();
            assert_eq!(r.recv(), Ok(0));
            assert!(
                count.get() > woken,
                "{flavor:?}: the parked sink was not woken"
            );
            // The receive moved the parked item in (or made room for it).
            assert!(
                Pin::new(&mut sink).poll_flush(&mut cx).is_ready(),
                "{flavor:?}"
            );
            for i in 1..cap as u32 {
                assert_eq!(r.recv(), Ok(i), "{flavor:?}");
            }
            assert_eq!(r.recv(), Ok(100), "{flavor:?}");
        } else {
            for i in 0..cap as u32 {
                assert_eq!(r.recv(), Ok(i), "{flavor:?}");
            }
        }
        for i in 200..203 {
            assert!(Pin::new(&mut sink).poll_ready(&mut cx).is_ready());
            Pin::new(&mut sink).start_send(i).unwrap();
            assert!(
                Pin::new(&mut sink).poll_flush(&mut cx).is_ready(),
                "{flavor:?}"
            );
            assert_eq!(r.try_recv(), Ok(i), "{flavor:?}");
        }
        drop(sink);
        assert!(r.try_recv().is_err(), "{flavor:?}: nothing else was sent");
    }
}

#[test]
fn sinks_send_everything_and_report_disconnection() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<usize>();
        let n = iters(100);
        let consumer = thread::spawn(move || r.iter().collect::<Vec<_>>());
        block_on(async {
            let mut sink = s.sink();
            for i in 0..n {
                sink.send(i).await.unwrap();
            }
            sink.close().await.unwrap();
        });
        drop(s);
        assert_eq!(
            consumer.join().unwrap(),
            (0..n).collect::<Vec<_>>(),
            "{flavor:?}"
        );

        let (s, r) = flavor.make::<u8>();
        drop(r);
        let mut sink = s.into_sink();
        assert_eq!(block_on(sink.send(3)), Err(SendError(3)), "{flavor:?}");
    }
}

#[test]
#[cfg_attr(miri, ignore = "a tokio runtime: too slow under Miri")]
fn every_message_is_dropped_once_with_async_peers() {
    for flavor in FLAVORS {
        let n = iters(300);
        let ledger = DropLedger::new(n);
        let (s, r) = flavor.make();
        let rt = tokio_runtime();
        let l = ledger.clone();
        let producer = rt.spawn(async move {
            for i in 0..n {
                // Once the receiver is gone the message comes back, dropped with
                // the error, and no more are made.
                if s.send_async(l.msg(i)).await.is_err() {
                    return i + 1;
                }
            }
            n
        });
        let consumer = rt.spawn(async move {
            let mut got = 0;
            // Take half, then drop the receiver with the rest still coming.
            while got < n / 2 {
                drop(r.recv_async().await.unwrap());
                got += 1;
            }
        });
        let made = rt.block_on(async {
            consumer.await.unwrap();
            producer.await.unwrap()
        });
        drop(rt);
        assert!(made > n / 2, "{flavor:?}");
        for id in 0..n {
            let expected = usize::from(id < made);
            assert_eq!(ledger.drops(id), expected, "{flavor:?}: message {id}");
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "a tokio runtime: too slow under Miri")]
fn timers_are_awaitable_on_a_bare_executor() {
    let start = Instant::now();
    let fired = block_on(after(Duration::from_millis(30)).recv_async()).unwrap();
    assert!(fired >= start + Duration::from_millis(30));
    assert!(start.elapsed() < Duration::from_secs(2));

    let ticks = tick(Duration::from_millis(10));
    let got: Vec<Instant> = block_on(ticks.stream().take(3).collect());
    assert_eq!(got.len(), 3);
    assert!(got
        .windows(2)
        .all(|w| w[1] >= w[0] + Duration::from_millis(10)));

    // Many timers at once, on tokio, without tokio's timer.
    let rt = tokio_runtime();
    let start = Instant::now();
    rt.block_on(async {
        let waits: Vec<_> = (0..50u64)
            .map(|i| {
                tokio::spawn(async move { after(Duration::from_millis(i % 10)).recv_async().await })
            })
            .collect();
        for w in waits {
            w.await.unwrap().unwrap();
        }
    });
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn unbounded_async_send_never_waits() {
    let (s, r) = unbounded::<usize>();
    let (count, waker) = WakeCount::new();
    for i in 0..1000 {
        let mut fut = s.send_async(i);
        assert_eq!(poll_once(&mut fut, &waker), Poll::Ready(Ok(())));
    }
    assert_eq!(count.get(), 0);
    assert_eq!(r.len(), 1000);
}
