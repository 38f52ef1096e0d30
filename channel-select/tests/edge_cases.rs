//! Edge cases: zero-sized messages, iterators at disconnection, and
//! `recv_many`/`try_recv_many`. (Impossible capacities are in `huge_capacity.rs`,
//! 1 MiB messages in `big_messages.rs`: a failure there may abort the process.)

mod common;

use channel_select::{bounded, RecvError, TryRecvError};
use common::{iters, settle, timed, Flavor, BUFFERED, FLAVORS};
use std::thread;
use std::time::Duration;

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct Zst;

#[test]
fn zero_sized_messages_in_every_flavor() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<Zst>();
        let n = iters(10_000);
        let h = thread::spawn(move || {
            for _ in 0..n {
                s.send(Zst).unwrap();
            }
        });
        let mut got = 0;
        for m in r.iter() {
            assert_eq!(m, Zst);
            got += 1;
        }
        h.join().unwrap();
        assert_eq!(got, n, "{flavor:?}");
    }
}

#[test]
fn zero_sized_messages_count_against_capacity() {
    for flavor in BUFFERED {
        let (s, r) = flavor.make::<()>();
        let n = flavor.buffer().min(1000);
        for _ in 0..n {
            s.try_send(()).unwrap();
        }
        assert_eq!(r.len(), n, "{flavor:?}");
        assert_eq!(s.is_full(), flavor != Flavor::Unbounded);
        for _ in 0..n {
            r.try_recv().unwrap();
        }
        assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    }
}

#[test]
fn iterators_end_at_disconnection() {
    for flavor in BUFFERED {
        let n = flavor.buffer().min(5);
        let fill = |s: &channel_select::Sender<usize>| {
            for i in 0..n {
                s.send(i).unwrap();
            }
        };
        let expected: Vec<usize> = (0..n).collect();

        let (s, r) = flavor.make();
        fill(&s);
        drop(s);
        let mut it = r.iter();
        assert_eq!(
            it.by_ref().collect::<Vec<_>>(),
            expected,
            "{flavor:?}: iter"
        );
        assert_eq!(it.next(), None, "iter is fused");

        let (s, r) = flavor.make();
        fill(&s);
        drop(s);
        assert_eq!((&r).into_iter().collect::<Vec<_>>(), expected, "&Receiver");
        let mut sum = 0;
        for v in &r {
            sum += v;
        }
        assert_eq!(sum, 0);

        let (s, r) = flavor.make();
        fill(&s);
        drop(s);
        let mut it = r.into_iter();
        assert_eq!(it.by_ref().collect::<Vec<_>>(), expected, "into_iter");
        assert_eq!(it.next(), None);

        // try_iter stops at Empty without blocking and resumes later.
        let (s, r) = flavor.make();
        fill(&s);
        let (got, took) = timed(|| r.try_iter().collect::<Vec<_>>());
        assert_eq!(got, expected, "try_iter");
        assert!(took < Duration::from_secs(2));
        s.send(42).unwrap();
        assert_eq!(r.try_iter().collect::<Vec<_>>(), vec![42]);
        drop(s);
        assert_eq!(r.try_iter().next(), None);
    }
}

#[test]
fn blocking_iterator_ends_when_a_remote_sender_drops() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        let h = thread::spawn(move || {
            s.send(1).unwrap();
            thread::sleep(Duration::from_millis(50));
            s.send(2).unwrap();
        });
        assert_eq!(r.iter().collect::<Vec<_>>(), vec![1, 2], "{flavor:?}");
        h.join().unwrap();
    }
}

#[test]
fn iterator_types_are_debug() {
    let (_s, r) = bounded::<u8>(1);
    assert!(!format!("{:?}", r.iter()).is_empty());
    assert!(!format!("{:?}", r.try_iter()).is_empty());
    assert!(!format!("{:?}", r.clone().into_iter()).is_empty());
    assert!(!format!("{r:?}").is_empty());
}

#[test]
fn recv_many_with_zero_max_returns_at_once() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        let mut buf = vec![9];
        let (res, took) = timed(|| r.recv_many(&mut buf, 0));
        assert_eq!(res, Ok(0), "{flavor:?}");
        assert!(took < Duration::from_secs(1));
        assert_eq!(r.try_recv_many(&mut buf, 0), Ok(0));
        if flavor != Flavor::Zero {
            s.send(1).unwrap();
            assert_eq!(r.recv_many(&mut buf, 0), Ok(0));
            assert_eq!(r.len(), 1, "max == 0 takes nothing");
        }
        assert_eq!(buf, vec![9], "max == 0 must not touch the buffer");
    }
}

#[test]
fn recv_many_appends_at_most_max() {
    for flavor in [Flavor::Bounded(16), Flavor::Unbounded] {
        let (s, r) = flavor.make::<usize>();
        for i in 0..10 {
            s.send(i).unwrap();
        }
        let mut buf = vec![100, 101];
        assert_eq!(r.recv_many(&mut buf, 4), Ok(4), "{flavor:?}");
        assert_eq!(buf, vec![100, 101, 0, 1, 2, 3]);
        assert_eq!(r.try_recv_many(&mut buf, 3), Ok(3));
        assert_eq!(buf[6..], [4, 5, 6]);
        // Asking for more than is there returns what is there.
        assert_eq!(r.try_recv_many(&mut buf, 100), Ok(3));
        assert_eq!(buf.len(), 12);
        assert_eq!(r.try_recv_many(&mut buf, 100), Err(TryRecvError::Empty));
        s.send(50).unwrap();
        drop(s);
        // Buffered messages first, then the disconnection.
        assert_eq!(r.recv_many(&mut buf, 5), Ok(1));
        assert_eq!(buf.last(), Some(&50));
        assert_eq!(r.recv_many(&mut buf, 5), Err(RecvError));
        assert_eq!(
            r.try_recv_many(&mut buf, 5),
            Err(TryRecvError::Disconnected)
        );
        assert_eq!(buf.len(), 13);
    }
    let (s, r) = bounded::<u8>(1);
    s.send(7).unwrap();
    let mut buf = Vec::new();
    assert_eq!(r.recv_many(&mut buf, 10), Ok(1));
    assert_eq!(buf, vec![7]);
}

#[test]
fn recv_many_blocks_for_the_first_message() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        let h = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            s.send(1).unwrap();
            s
        });
        let mut buf = Vec::new();
        let (res, took) = timed(|| r.recv_many(&mut buf, 8));
        assert_eq!(res, Ok(1), "{flavor:?}");
        assert_eq!(buf, vec![1]);
        assert!(
            took >= Duration::from_millis(50),
            "{flavor:?}: did not block: {took:?}"
        );
        drop(h.join().unwrap());
        // And it wakes on disconnection with an error.
        let (s, r) = flavor.make::<u32>();
        let h = thread::spawn(move || {
            settle();
            drop(s);
        });
        assert_eq!(r.recv_many(&mut buf, 8), Err(RecvError), "{flavor:?}");
        h.join().unwrap();
    }
}

/// `recv_many` on a rendezvous channel takes a message from a blocked sender.
#[test]
fn recv_many_on_rendezvous() {
    let (s, r) = bounded::<u32>(0);
    let hs: Vec<_> = (0..3)
        .map(|i| {
            let s = s.clone();
            thread::spawn(move || s.send(i).unwrap())
        })
        .collect();
    drop(s);
    let mut buf = Vec::new();
    while buf.len() < 3 {
        let n = r.recv_many(&mut buf, 3).unwrap();
        assert!((1..=3).contains(&n));
    }
    for h in hs {
        h.join().unwrap();
    }
    buf.sort_unstable();
    assert_eq!(buf, vec![0, 1, 2]);
    assert_eq!(r.recv_many(&mut buf, 3), Err(RecvError));
}
