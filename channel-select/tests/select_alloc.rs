//! A `Select` of up to eight operations is built, selects and completes without
//! touching the heap. Counted per thread by a counting global allocator.

use channel_select::{bounded, Receiver, Select, Sender};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

#[path = "support/counting.rs"]
mod counting;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

/// Runs `f` and returns how many allocations this thread made meanwhile.
fn allocations_in(f: impl FnOnce()) -> usize {
    counting::allocations_in(f).0
}

#[test]
fn the_counter_counts() {
    let n = allocations_in(|| drop(std::hint::black_box(vec![1u8; 10])));
    assert_eq!(n, 1, "the counting allocator miscounted");
}

const ROUNDS: usize = 1_000;

/// Both ends of a channel of `u64`.
type Chan = (Sender<u64>, Receiver<u64>);

/// Four receives on full channels and four sends on empty ones: always ready.
fn eight_ready_operations() -> (Vec<Chan>, Vec<Chan>) {
    let cap = 2 * ROUNDS + 16;
    let full: Vec<_> = (0..4)
        .map(|_| {
            let (s, r) = bounded(cap);
            for i in 0..cap as u64 {
                s.send(i).unwrap();
            }
            (s, r)
        })
        .collect();
    let empty: Vec<_> = (0..4).map(|_| bounded(cap)).collect();
    (full, empty)
}

#[test]
fn ready_selections_do_not_allocate() {
    let (full, empty) = eight_ready_operations();
    let mut sel = Select::new();
    let mut recv_idx = Vec::with_capacity(4);
    let mut send_idx = Vec::with_capacity(4);
    for ((_, r), (s, _)) in full.iter().zip(&empty) {
        recv_idx.push(sel.recv(r));
        send_idx.push(sel.send(s));
    }
    let mut received = 0u64;
    let mut round = |blocking: bool| {
        let op = if blocking {
            sel.select()
        } else {
            sel.try_select().unwrap()
        };
        let i = op.index();
        if let Some(k) = recv_idx.iter().position(|&x| x == i) {
            received += op.recv(&full[k].1).unwrap();
        } else {
            let k = send_idx.iter().position(|&x| x == i).unwrap();
            op.send(&empty[k].0, 1).unwrap();
        }
    };
    // Warm up: anything allocated once per thread (a waiting context) is allocated here.
    for _ in 0..8 {
        round(true);
        round(false);
    }
    let n = allocations_in(|| {
        for _ in 0..ROUNDS {
            round(true);
            round(false);
        }
    });
    assert_eq!(
        n, 0,
        "{ROUNDS} select() and {ROUNDS} try_select() rounds allocated {n} times"
    );
    assert!(received > 0);
}

#[test]
fn ready_queries_do_not_allocate() {
    let (full, empty) = eight_ready_operations();
    let mut sel = Select::new();
    for ((_, r), (s, _)) in full.iter().zip(&empty) {
        sel.recv(r);
        sel.send(s);
    }
    for _ in 0..8 {
        sel.ready();
        sel.try_ready().unwrap();
    }
    let n = allocations_in(|| {
        for _ in 0..ROUNDS {
            std::hint::black_box(sel.ready());
            std::hint::black_box(sel.try_ready().unwrap());
            std::hint::black_box(sel.ready_timeout(Duration::from_secs(1)).unwrap());
        }
    });
    assert_eq!(n, 0, "ready()/try_ready() allocated {n} times");
}

/// A selection that has to park (nothing ready until another thread sends) does
/// not allocate either, once the thread's waiting machinery exists.
#[test]
fn blocking_selections_do_not_allocate() {
    const IDLE: usize = usize::MAX;
    const STOP: usize = usize::MAX - 1;
    let chans: Vec<_> = (0..8).map(|_| bounded::<u64>(1)).collect();
    let senders: Vec<Sender<u64>> = chans.iter().map(|(s, _)| s.clone()).collect();
    // The helper is told which channel to send on through an atomic, so that the
    // selecting thread makes no channel call besides the selection itself.
    let request = Arc::new(AtomicUsize::new(IDLE));
    let req = Arc::clone(&request);
    let helper = thread::spawn(move || loop {
        match req.load(Ordering::SeqCst) {
            IDLE => thread::sleep(Duration::from_micros(50)),
            STOP => break,
            k => {
                thread::sleep(Duration::from_micros(200));
                req.store(IDLE, Ordering::SeqCst);
                senders[k].send(k as u64).unwrap();
            }
        }
    });
    let mut sel = Select::new();
    let idx: Vec<usize> = chans.iter().map(|(_, r)| sel.recv(r)).collect();
    // Warm up: a wait that registers on every channel (whatever the timing) gives each
    // wait list its capacity; then some rounds.
    assert!(sel.select_timeout(Duration::from_millis(1)).is_err());
    let mut round = |k: usize| {
        request.store(k, Ordering::SeqCst);
        let op = sel.select();
        let got = idx.iter().position(|&i| i == op.index()).unwrap();
        assert_eq!(op.recv(&chans[got].1), Ok(k as u64));
    };
    for k in 0..8 {
        round(k);
    }
    let rounds = 100;
    let n = allocations_in(|| {
        for k in 0..rounds {
            round(k % 8);
        }
    });
    request.store(STOP, Ordering::SeqCst);
    helper.join().unwrap();
    assert_eq!(n, 0, "{rounds} blocking selections allocated {n} times");
}

/// Building a `Select` of up to eight operations, selecting and completing: no
/// allocation at all; the ninth operation is the first to allocate.
#[test]
fn building_a_small_select_does_not_allocate() {
    let (full, empty) = eight_ready_operations();
    let (s9, _r9) = bounded::<u64>(1);
    let n = allocations_in(|| {
        for _ in 0..ROUNDS {
            let mut sel = Select::new();
            for ((_, r), (s, _)) in full.iter().zip(&empty) {
                sel.recv(r);
                sel.send(s);
            }
            let oper = sel.try_select().expect("every operation is ready");
            let i = oper.index();
            let (c, k) = (i / 2, i % 2);
            if k == 0 {
                std::hint::black_box(oper.recv(&full[c].1).unwrap());
            } else {
                oper.send(&empty[c].0, 7).unwrap();
                std::hint::black_box(empty[c].1.recv().unwrap());
            }
        }
    });
    assert_eq!(n, 0, "{ROUNDS} selections of 8 built allocated {n} times");
    let n = allocations_in(|| {
        let mut sel = Select::new();
        for ((_, r), (s, _)) in full.iter().zip(&empty) {
            sel.recv(r);
            sel.send(s);
        }
        sel.send(&s9);
        std::hint::black_box(&sel);
    });
    assert_eq!(n, 1, "the ninth operation moves them to the heap, once");
}
