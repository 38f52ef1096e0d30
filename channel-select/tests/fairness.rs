//! With k ready operations, an unbiased `Select` picks each about 1/k of the time;
//! a biased one always picks the first ready.

mod common;

use channel_select::{bounded, unbounded, Receiver, Select, Sender};
use common::iters;

/// Asserts every count is within ±10 % of `total / counts.len()`.
#[track_caller]
fn assert_fair(counts: &[usize], total: usize) {
    let expected = total as f64 / counts.len() as f64;
    for (i, &c) in counts.iter().enumerate() {
        let dev = (c as f64 - expected).abs() / expected;
        assert!(
            dev <= 0.10,
            "operation {i} chosen {c} times, expected ~{expected} ({counts:?})"
        );
    }
    assert_eq!(counts.iter().sum::<usize>(), total);
}

fn prefilled(k: usize, n: usize) -> Vec<(Sender<usize>, Receiver<usize>)> {
    (0..k)
        .map(|_| {
            let (s, r) = unbounded();
            for i in 0..n {
                s.send(i).unwrap();
            }
            (s, r)
        })
        .collect()
}

/// `try_select` over 4 always-ready receives: each about 1/4, and each channel's
/// messages come out in order.
#[test]
#[cfg_attr(miri, ignore = "statistical: needs 10^5 selections, hours under Miri")]
fn try_select_recv_is_fair() {
    let total = iters(100_000);
    let chans = prefilled(4, total);
    let mut sel = Select::new();
    let idx: Vec<usize> = chans.iter().map(|(_, r)| sel.recv(r)).collect();
    let mut counts = [0usize; 4];
    for _ in 0..total {
        let op = sel.try_select().unwrap();
        let k = idx.iter().position(|&i| i == op.index()).unwrap();
        assert_eq!(op.recv(&chans[k].1), Ok(counts[k]));
        counts[k] += 1;
    }
    assert_fair(&counts, total);
}

/// The blocking `select` (with everything ready) is fair too.
#[test]
#[cfg_attr(miri, ignore = "statistical: needs 10^5 selections, hours under Miri")]
fn select_recv_is_fair() {
    let total = iters(40_000);
    let chans = prefilled(4, total);
    let mut sel = Select::new();
    let idx: Vec<usize> = chans.iter().map(|(_, r)| sel.recv(r)).collect();
    let mut counts = [0usize; 4];
    for _ in 0..total {
        let op = sel.select();
        let k = idx.iter().position(|&i| i == op.index()).unwrap();
        op.recv(&chans[k].1).unwrap();
        counts[k] += 1;
    }
    assert_fair(&counts, total);
}

/// `try_ready` does not consume, so the same four stay ready: still fair.
#[test]
#[cfg_attr(miri, ignore = "statistical: needs 10^5 selections, hours under Miri")]
fn try_ready_is_fair() {
    let total = iters(100_000);
    let chans = prefilled(4, 1);
    let mut sel = Select::new();
    let idx: Vec<usize> = chans.iter().map(|(_, r)| sel.recv(r)).collect();
    let mut counts = [0usize; 4];
    for _ in 0..total {
        let i = sel.try_ready().unwrap();
        counts[idx.iter().position(|&x| x == i).unwrap()] += 1;
    }
    assert_fair(&counts, total);
}

/// Send operations on channels with room are chosen fairly.
#[test]
#[cfg_attr(miri, ignore = "statistical: needs 10^5 selections, hours under Miri")]
fn send_select_is_fair() {
    let total = iters(100_000);
    let chans: Vec<_> = (0..4).map(|_| bounded::<u32>(total)).collect();
    let mut sel = Select::new();
    let idx: Vec<usize> = chans.iter().map(|(s, _)| sel.send(s)).collect();
    let mut counts = [0usize; 4];
    for _ in 0..total {
        let op = sel.try_select().unwrap();
        let k = idx.iter().position(|&i| i == op.index()).unwrap();
        op.send(&chans[k].0, 1).unwrap();
        counts[k] += 1;
    }
    assert_fair(&counts, total);
    for (k, (_, r)) in chans.iter().enumerate() {
        assert_eq!(r.len(), counts[k]);
    }
}

/// Only the ready operations share the choices: 8 operations, 4 ready.
#[test]
#[cfg_attr(miri, ignore = "statistical: needs 10^5 selections, hours under Miri")]
fn only_ready_operations_are_chosen_fairly() {
    let total = iters(100_000);
    let ready = prefilled(4, 1);
    let idle: Vec<_> = (0..4).map(|_| unbounded::<usize>()).collect();
    let mut sel = Select::new();
    let mut ready_idx = Vec::new();
    for ((_, idle_r), (_, ready_r)) in idle.iter().zip(&ready) {
        sel.recv(idle_r);
        ready_idx.push(sel.recv(ready_r));
    }
    let mut counts = [0usize; 4];
    for _ in 0..total {
        let i = sel.try_ready().unwrap();
        let k = ready_idx
            .iter()
            .position(|&x| x == i)
            .expect("an operation that is not ready was chosen");
        counts[k] += 1;
    }
    assert_fair(&counts, total);
}

/// More operations than fit inline (12): still fair.
#[test]
#[cfg_attr(miri, ignore = "statistical: needs 10^5 selections, hours under Miri")]
fn fair_beyond_eight_operations() {
    let k = 12;
    let total = iters(120_000);
    let chans = prefilled(k, 1);
    let mut sel = Select::new();
    let idx: Vec<usize> = chans.iter().map(|(_, r)| sel.recv(r)).collect();
    let mut counts = vec![0usize; k];
    for _ in 0..total {
        let i = sel.try_ready().unwrap();
        counts[idx.iter().position(|&x| x == i).unwrap()] += 1;
    }
    assert_fair(&counts, total);
}

/// Two operations on one channel (it is ready twice) and one on another: each
/// operation gets about 1/3.
#[test]
#[cfg_attr(miri, ignore = "statistical: needs 10^5 selections, hours under Miri")]
fn duplicate_operations_count_separately() {
    let total = iters(90_000);
    let chans = prefilled(2, 1);
    let mut sel = Select::new();
    let a = sel.recv(&chans[0].1);
    let b = sel.recv(&chans[0].1);
    let c = sel.recv(&chans[1].1);
    let mut counts = [0usize; 3];
    for _ in 0..total {
        let i = sel.try_ready().unwrap();
        counts[[a, b, c].iter().position(|&x| x == i).unwrap()] += 1;
    }
    assert_fair(&counts, total);
}

/// Biased selection always takes the first ready operation, in every form.
#[test]
#[cfg_attr(miri, ignore = "statistical: needs 10^5 selections, hours under Miri")]
fn biased_always_first_ready() {
    let chans = prefilled(4, 2_000);
    let mut sel = Select::new_biased();
    let idx: Vec<usize> = chans.iter().map(|(_, r)| sel.recv(r)).collect();
    for _ in 0..1_000 {
        assert_eq!(sel.try_ready(), Ok(idx[0]));
        assert_eq!(sel.ready(), idx[0]);
        let op = sel.try_select().unwrap();
        assert_eq!(op.index(), idx[0]);
        op.recv(&chans[0].1).unwrap();
    }
    for _ in 0..1_000 {
        let op = sel.select();
        assert_eq!(op.index(), idx[0]);
        op.recv(&chans[0].1).unwrap();
    }
    // Channel 0 is drained: channel 1 is now first ready.
    for _ in 0..1_000 {
        let op = sel
            .select_timeout(std::time::Duration::from_secs(1))
            .unwrap();
        assert_eq!(op.index(), idx[1]);
        op.recv(&chans[1].1).unwrap();
    }
}
