//! The libraries under comparison, one [`Channel`] impl each.
//!
//! junction and crossbeam-channel share one API, so one macro writes both impls with
//! the same code; the others are written out. To add a library, add an impl here and
//! list it in `library.rs`.

use super::{Channel, Flavor, Msg};
use std::ops::Range;

/// `n` times, a `select!` with one `recv` arm per listed index of `rxs`; the sum of the
/// messages received.
macro_rules! select_arms {
    ($krate:ident, $rxs:ident, $n:ident; $($i:literal)*) => {{
        let mut sum = 0;
        for _ in 0..$n {
            $krate::select! {
                $(recv($rxs[$i]) -> msg => sum += msg.expect("sender alive"),)*
            }
        }
        sum
    }};
}

/// Implements [`Channel`] for a crate with crossbeam-channel's API (`bounded`,
/// `unbounded`, `Select` with `remove`, `select!`).
macro_rules! crossbeam_like {
    ($lib:ident, $krate:ident, $name:literal) => {
        #[doc = concat!("The `", $name, "` crate.")]
        pub struct $lib;

        impl Channel for $lib {
            const NAME: &'static str = $name;
            const MPMC: bool = true;
            const SELECT: bool = true;
            const SELECT_MACRO: bool = true;
            type Tx = $krate::Sender<Msg>;
            type Rx = $krate::Receiver<Msg>;

            fn new(flavor: Flavor) -> (Self::Tx, Self::Rx) {
                match flavor.capacity() {
                    Some(cap) => $krate::bounded(cap),
                    None => $krate::unbounded(),
                }
            }

            fn send(tx: &Self::Tx, msg: Msg) {
                tx.send(msg).expect("a receiver is alive");
            }

            fn recv(rx: &Self::Rx) -> Option<Msg> {
                rx.recv().ok()
            }

            fn clone_rx(rx: &Self::Rx) -> Self::Rx {
                rx.clone()
            }

            fn select_recv_all(rxs: &[Self::Rx]) -> (u64, u64) {
                let mut sel = $krate::Select::new();
                for rx in rxs {
                    sel.recv(rx);
                }
                let (mut open, mut count, mut sum) = (rxs.len(), 0, 0);
                while open > 0 {
                    let op = sel.select();
                    let i = op.index();
                    match op.recv(&rxs[i]) {
                        Ok(msg) => {
                            count += 1;
                            sum += msg;
                        }
                        Err(_) => {
                            sel.remove(i);
                            open -= 1;
                        }
                    }
                }
                (count, sum)
            }

            fn select_send_all(txs: &[Self::Tx], msgs: Range<Msg>) {
                let mut sel = $krate::Select::new();
                for tx in txs {
                    sel.send(tx);
                }
                for msg in msgs {
                    let op = sel.select();
                    let i = op.index();
                    op.send(&txs[i], msg).expect("a receiver is alive");
                }
            }

            fn select_macro_recv(rxs: &[Self::Rx], n: u64) -> u64 {
                match rxs.len() {
                    2 => select_arms!($krate, rxs, n; 0 1),
                    4 => select_arms!($krate, rxs, n; 0 1 2 3),
                    8 => select_arms!($krate, rxs, n; 0 1 2 3 4 5 6 7),
                    32 => select_arms!(
                        $krate, rxs, n;
                        0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
                        16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
                    ),
                    k => panic!("no select! with {k} arms is compiled in"),
                }
            }
        }
    };
}

crossbeam_like!(Junction, junction, "junction");
crossbeam_like!(Crossbeam, crossbeam_channel, "crossbeam");

/// The `flume` crate; its selection is the `Selector` builder, rebuilt per operation.
pub struct Flume;

impl Channel for Flume {
    const NAME: &'static str = "flume";
    const MPMC: bool = true;
    const SELECT: bool = true;
    type Tx = flume::Sender<Msg>;
    type Rx = flume::Receiver<Msg>;

    fn new(flavor: Flavor) -> (Self::Tx, Self::Rx) {
        match flavor.capacity() {
            Some(cap) => flume::bounded(cap),
            None => flume::unbounded(),
        }
    }

    fn send(tx: &Self::Tx, msg: Msg) {
        tx.send(msg).expect("a receiver is alive");
    }

    fn recv(rx: &Self::Rx) -> Option<Msg> {
        rx.recv().ok()
    }

    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }

    fn select_recv_all(rxs: &[Self::Rx]) -> (u64, u64) {
        let mut open = vec![true; rxs.len()];
        let (mut left, mut count, mut sum) = (rxs.len(), 0, 0);
        while left > 0 {
            let mut sel = flume::Selector::new();
            for (i, rx) in rxs.iter().enumerate().filter(|&(i, _)| open[i]) {
                sel = sel.recv(rx, move |res| (i, res.ok()));
            }
            match sel.wait() {
                (_, Some(msg)) => {
                    count += 1;
                    sum += msg;
                }
                (i, None) => {
                    open[i] = false;
                    left -= 1;
                }
            }
        }
        (count, sum)
    }

    fn select_send_all(txs: &[Self::Tx], msgs: Range<Msg>) {
        for msg in msgs {
            let mut sel = flume::Selector::new();
            for tx in txs {
                sel = sel.send(tx, msg, |res| res.expect("a receiver is alive"));
            }
            sel.wait();
        }
    }
}

/// The `kanal` crate (no selection).
pub struct Kanal;

impl Channel for Kanal {
    const NAME: &'static str = "kanal";
    const MPMC: bool = true;
    type Tx = kanal::Sender<Msg>;
    type Rx = kanal::Receiver<Msg>;

    fn new(flavor: Flavor) -> (Self::Tx, Self::Rx) {
        match flavor.capacity() {
            Some(cap) => kanal::bounded(cap),
            None => kanal::unbounded(),
        }
    }

    fn send(tx: &Self::Tx, msg: Msg) {
        tx.send(msg).expect("a receiver is alive");
    }

    fn recv(rx: &Self::Rx) -> Option<Msg> {
        rx.recv().ok()
    }

    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
}

/// `std::sync::mpsc`: `sync_channel(cap)` for the bounded flavors, `channel()` for
/// unbounded; single-consumer, no selection.
pub struct Std;

/// Either of std's two sender types.
#[derive(Clone)]
pub enum StdTx {
    /// From `std::sync::mpsc::channel()`.
    Unbounded(std::sync::mpsc::Sender<Msg>),
    /// From `std::sync::mpsc::sync_channel(cap)`.
    Bounded(std::sync::mpsc::SyncSender<Msg>),
}

impl Channel for Std {
    const NAME: &'static str = "std";
    const MPMC: bool = false;
    type Tx = StdTx;
    type Rx = std::sync::mpsc::Receiver<Msg>;

    fn new(flavor: Flavor) -> (Self::Tx, Self::Rx) {
        match flavor.capacity() {
            Some(cap) => {
                let (tx, rx) = std::sync::mpsc::sync_channel(cap);
                (StdTx::Bounded(tx), rx)
            }
            None => {
                let (tx, rx) = std::sync::mpsc::channel();
                (StdTx::Unbounded(tx), rx)
            }
        }
    }

    fn send(tx: &Self::Tx, msg: Msg) {
        match tx {
            StdTx::Unbounded(tx) => tx.send(msg),
            StdTx::Bounded(tx) => tx.send(msg),
        }
        .expect("a receiver is alive");
    }

    fn recv(rx: &Self::Rx) -> Option<Msg> {
        rx.recv().ok()
    }

    fn clone_rx(_: &Self::Rx) -> Self::Rx {
        unreachable!("std::sync::mpsc has a single consumer")
    }
}

/// crossfire's blocking multi-producer multi-consumer channels (`crossfire::mpmc`). It
/// has no rendezvous channel (it makes a capacity of 0 one of 1), and its `Select`
/// receives only, so it runs neither `bounded(0)` nor the select cases.
pub struct Crossfire;

/// crossfire's sender, whose type names its queue.
#[derive(Clone)]
pub enum CrossfireTx {
    /// From `mpmc::bounded_blocking(cap)`.
    Bounded(crossfire::MTx<crossfire::mpmc::Array<Msg>>),
    /// From `mpmc::unbounded_blocking()`.
    Unbounded(crossfire::MTx<crossfire::mpmc::List<Msg>>),
}

/// crossfire's receiver, whose type names its queue.
#[derive(Clone)]
pub enum CrossfireRx {
    /// From `mpmc::bounded_blocking(cap)`.
    Bounded(crossfire::MRx<crossfire::mpmc::Array<Msg>>),
    /// From `mpmc::unbounded_blocking()`.
    Unbounded(crossfire::MRx<crossfire::mpmc::List<Msg>>),
}

impl Channel for Crossfire {
    const NAME: &'static str = "crossfire";
    const MPMC: bool = true;
    const RENDEZVOUS: bool = false;
    type Tx = CrossfireTx;
    type Rx = CrossfireRx;

    fn new(flavor: Flavor) -> (Self::Tx, Self::Rx) {
        match flavor.capacity() {
            Some(0) => unreachable!("crossfire has no rendezvous channel"),
            Some(cap) => {
                let (tx, rx) = crossfire::mpmc::bounded_blocking(cap);
                (CrossfireTx::Bounded(tx), CrossfireRx::Bounded(rx))
            }
            None => {
                let (tx, rx) = crossfire::mpmc::unbounded_blocking();
                (CrossfireTx::Unbounded(tx), CrossfireRx::Unbounded(rx))
            }
        }
    }

    fn send(tx: &Self::Tx, msg: Msg) {
        match tx {
            CrossfireTx::Bounded(tx) => tx.send(msg),
            CrossfireTx::Unbounded(tx) => tx.send(msg),
        }
        .expect("a receiver is alive");
    }

    fn recv(rx: &Self::Rx) -> Option<Msg> {
        match rx {
            CrossfireRx::Bounded(rx) => rx.recv().ok(),
            CrossfireRx::Unbounded(rx) => rx.recv().ok(),
        }
    }

    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
}
