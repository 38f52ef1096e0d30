//! Selections under contention: threads selecting sends and threads selecting
//! receives over the same channels deliver every message exactly once.

mod common;

use channel_select::{Receiver, Select, Sender};
use common::{iters, Flavor, Seen};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

const CHANNELS: usize = 4;
const SENDERS: usize = 4;
const RECEIVERS: usize = 4;

/// Sends `values` by selecting over all `senders`.
fn select_sends(senders: &[Sender<usize>], values: std::ops::Range<usize>) {
    let mut sel = Select::new();
    let idx: Vec<usize> = senders.iter().map(|s| sel.send(s)).collect();
    for v in values {
        let op = sel.select();
        let k = idx.iter().position(|&i| i == op.index()).unwrap();
        op.send(&senders[k], v).unwrap();
    }
}

/// Receives by selecting over all `receivers` until every one is disconnected,
/// removing each from the selection as it disconnects. With `timeout`, uses
/// `select_timeout` and retries on timeouts. Returns the sum received.
fn select_receives(receivers: &[Receiver<usize>], seen: &Seen, timeout: Option<Duration>) -> u64 {
    let mut sel = Select::new();
    let mut idx: Vec<Option<usize>> = receivers.iter().map(|r| Some(sel.recv(r))).collect();
    let mut live = receivers.len();
    let mut sum = 0;
    while live > 0 {
        let op = match timeout {
            None => sel.select(),
            Some(t) => match sel.select_timeout(t) {
                Ok(op) => op,
                Err(_) => continue,
            },
        };
        let k = idx.iter().position(|&i| i == Some(op.index())).unwrap();
        match op.recv(&receivers[k]) {
            Ok(v) => {
                seen.mark(v);
                sum += v as u64;
            }
            Err(_) => {
                sel.remove(idx[k].take().unwrap());
                live -= 1;
            }
        }
    }
    sum
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Both sides select.
    Both,
    /// Senders select; receivers use plain `recv`, one channel each.
    SelectSendPlainRecv,
    /// Senders use plain `send`, one channel each; receivers select with short timeouts.
    PlainSendTimedSelectRecv,
}

fn run(flavor: Flavor, total: usize, mode: Mode) {
    let chans: Vec<(Sender<usize>, Receiver<usize>)> =
        (0..CHANNELS).map(|_| flavor.make()).collect();
    let senders: Vec<Sender<usize>> = chans.iter().map(|(s, _)| s.clone()).collect();
    let receivers: Vec<Receiver<usize>> = chans.iter().map(|(_, r)| r.clone()).collect();
    drop(chans);
    let seen = Seen::new(total);
    let per = total / SENDERS;

    let send_threads: Vec<_> = (0..SENDERS)
        .map(|t| {
            let senders = senders.clone();
            thread::spawn(move || {
                let values = t * per..(t + 1) * per;
                match mode {
                    Mode::Both | Mode::SelectSendPlainRecv => select_sends(&senders, values),
                    Mode::PlainSendTimedSelectRecv => {
                        for v in values {
                            senders[t % CHANNELS].send(v).unwrap();
                        }
                    }
                }
            })
        })
        .collect();
    drop(senders);
    let recv_threads: Vec<_> = (0..RECEIVERS)
        .map(|t| {
            let receivers = receivers.clone();
            let seen = Arc::clone(&seen);
            thread::spawn(move || match mode {
                Mode::Both => select_receives(&receivers, &seen, None),
                Mode::PlainSendTimedSelectRecv => {
                    select_receives(&receivers, &seen, Some(Duration::from_micros(200)))
                }
                Mode::SelectSendPlainRecv => {
                    let mut sum = 0;
                    for v in receivers[t % CHANNELS].iter() {
                        seen.mark(v);
                        sum += v as u64;
                    }
                    sum
                }
            })
        })
        .collect();
    drop(receivers);
    for h in send_threads {
        h.join().unwrap();
    }
    let sum: u64 = recv_threads.into_iter().map(|h| h.join().unwrap()).sum();
    let n = (per * SENDERS) as u64;
    assert_eq!(sum, n * (n - 1) / 2, "{flavor:?} {mode:?}");
    seen.assert_complete();
}

#[test]
fn select_both_zero() {
    run(Flavor::Zero, iters(20_000), Mode::Both);
}

#[test]
fn select_both_one() {
    run(Flavor::One, iters(100_000), Mode::Both);
}

#[test]
fn select_both_bounded() {
    run(Flavor::Bounded(32), iters(100_000), Mode::Both);
}

#[test]
fn select_both_unbounded() {
    run(Flavor::Unbounded, iters(100_000), Mode::Both);
}

#[test]
fn select_send_plain_recv_zero() {
    run(Flavor::Zero, iters(20_000), Mode::SelectSendPlainRecv);
}

#[test]
fn select_send_plain_recv_one() {
    run(Flavor::One, iters(40_000), Mode::SelectSendPlainRecv);
}

#[test]
fn timed_select_recv_zero() {
    run(Flavor::Zero, iters(8_000), Mode::PlainSendTimedSelectRecv);
}

#[test]
fn timed_select_recv_bounded() {
    run(
        Flavor::Bounded(8),
        iters(40_000),
        Mode::PlainSendTimedSelectRecv,
    );
}

/// Two selectors racing for one rendezvous sender: the message goes to exactly one;
/// the other sees only the disconnection that follows.
#[test]
fn one_message_two_selectors() {
    for _ in 0..iters(200) {
        let (s, r) = Flavor::Zero.make::<u32>();
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let r = r.clone();
                thread::spawn(move || {
                    let mut sel = Select::new();
                    sel.recv(&r);
                    let op = sel.select_timeout(Duration::from_secs(10)).unwrap();
                    op.recv(&r).ok()
                })
            })
            .collect();
        s.send_timeout(7, Duration::from_secs(5)).unwrap();
        drop(s);
        drop(r);
        let got: Vec<u32> = hs.into_iter().filter_map(|h| h.join().unwrap()).collect();
        assert_eq!(got, vec![7]);
    }
}
