//! The libraries of the async cells, one [`AsyncChannel`] impl each: junction, flume,
//! kanal and crossfire (on the types of their blocking impls in `libs.rs`), and two
//! that only the async cells measure, tokio's `mpsc` and async-channel.
//!
//! Each uses its library's own async API the way its documentation shows it: an
//! `async fn` that awaits the library's future and unwraps its result (the same
//! wrapping for all).

use super::libs::{Crossfire, Flume, Junction, Kanal};
use super::{AsyncChannel, Channel, Consumers, Flavor, Msg};
use crossfire::{mpmc, mpsc, AsyncRx, MAsyncRx, MAsyncTx, MTx};

/// Implements [`AsyncChannel`] for a crate whose `Sender::send_async` and
/// `Receiver::recv_async` serve async code on the blocking channel's own handles
/// (junction and flume).
macro_rules! send_async_api {
    ($lib:ident, $krate:ident) => {
        impl AsyncChannel for $lib {
            const NAME: &'static str = <$lib as Channel>::NAME;
            const MPMC: bool = true;
            type Tx = $krate::Sender<Msg>;
            type Rx = $krate::Receiver<Msg>;
            type BlockingTx = $krate::Sender<Msg>;

            fn new(flavor: Flavor, _: Consumers) -> (Self::Tx, Self::Rx) {
                <$lib as Channel>::new(flavor)
            }

            fn new_blocking_to_async(flavor: Flavor, _: Consumers) -> (Self::Tx, Self::Rx) {
                <$lib as Channel>::new(flavor)
            }

            async fn send(tx: &Self::Tx, msg: Msg) {
                tx.send_async(msg).await.expect("a receiver is alive")
            }

            async fn recv(rx: &mut Self::Rx) -> Option<Msg> {
                rx.recv_async().await.ok()
            }

            fn send_blocking(tx: &Self::BlockingTx, msg: Msg) {
                <$lib as Channel>::send(tx, msg);
            }

            fn clone_rx(rx: &Self::Rx) -> Self::Rx {
                rx.clone()
            }
        }
    };
}

send_async_api!(Junction, junction);
send_async_api!(Flume, flume);

/// kanal's `AsyncSender` and `AsyncReceiver` (`bounded_async`, `unbounded_async`);
/// blocking-to-async: its blocking `Sender`, the receiver made async by `to_async`.
impl AsyncChannel for Kanal {
    const NAME: &'static str = <Kanal as Channel>::NAME;
    const MPMC: bool = true;
    type Tx = kanal::AsyncSender<Msg>;
    type Rx = kanal::AsyncReceiver<Msg>;
    type BlockingTx = kanal::Sender<Msg>;

    fn new(flavor: Flavor, _: Consumers) -> (Self::Tx, Self::Rx) {
        match flavor.capacity() {
            Some(cap) => kanal::bounded_async(cap),
            None => kanal::unbounded_async(),
        }
    }

    fn new_blocking_to_async(flavor: Flavor, _: Consumers) -> (Self::BlockingTx, Self::Rx) {
        let (tx, rx) = <Kanal as Channel>::new(flavor);
        (tx, rx.to_async())
    }

    async fn send(tx: &Self::Tx, msg: Msg) {
        tx.send(msg).await.expect("a receiver is alive")
    }

    async fn recv(rx: &mut Self::Rx) -> Option<Msg> {
        rx.recv().await.ok()
    }

    fn send_blocking(tx: &Self::BlockingTx, msg: Msg) {
        tx.send(msg).expect("a receiver is alive");
    }

    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
}

/// crossfire's async senders: `MAsyncTx` on a bounded channel; on an unbounded one the
/// `MTx` its constructors give, whose send never waits.
#[derive(Clone)]
pub enum CrossfireAsyncTx {
    /// From `mpmc::bounded_async(cap)`.
    MpmcArray(MAsyncTx<mpmc::Array<Msg>>),
    /// From `mpmc::unbounded_async()`.
    MpmcList(MTx<mpmc::List<Msg>>),
    /// From `mpsc::bounded_async(cap)`.
    MpscArray(MAsyncTx<mpsc::Array<Msg>>),
    /// From `mpsc::unbounded_async()`.
    MpscList(MTx<mpsc::List<Msg>>),
}

/// crossfire's blocking senders to an async receiver.
#[derive(Clone)]
pub enum CrossfireBlockingTx {
    /// From `mpmc::bounded_blocking_async(cap)`.
    MpmcArray(MTx<mpmc::Array<Msg>>),
    /// From `mpmc::unbounded_async()`.
    MpmcList(MTx<mpmc::List<Msg>>),
    /// From `mpsc::bounded_blocking_async(cap)`.
    MpscArray(MTx<mpsc::Array<Msg>>),
    /// From `mpsc::unbounded_async()`.
    MpscList(MTx<mpsc::List<Msg>>),
}

/// crossfire's async receivers: cloneable `MAsyncRx` (mpmc), single `AsyncRx` (mpsc).
pub enum CrossfireAsyncRx {
    /// Of an `mpmc` bounded channel.
    MpmcArray(MAsyncRx<mpmc::Array<Msg>>),
    /// Of an `mpmc` unbounded channel.
    MpmcList(MAsyncRx<mpmc::List<Msg>>),
    /// Of an `mpsc` bounded channel.
    MpscArray(AsyncRx<mpsc::Array<Msg>>),
    /// Of an `mpsc` unbounded channel.
    MpscList(AsyncRx<mpsc::List<Msg>>),
}

/// crossfire 3's async API: its `mpsc` channels (specialised for one consumer) where
/// one task receives, its `mpmc` ones where several do. Like its blocking channels, it
/// makes a capacity of 0 one of 1: no `bounded(0)`.
impl AsyncChannel for Crossfire {
    const NAME: &'static str = <Crossfire as Channel>::NAME;
    const MPMC: bool = true;
    const RENDEZVOUS: bool = false;
    type Tx = CrossfireAsyncTx;
    type Rx = CrossfireAsyncRx;
    type BlockingTx = CrossfireBlockingTx;

    fn new(flavor: Flavor, consumers: Consumers) -> (Self::Tx, Self::Rx) {
        use {CrossfireAsyncRx as Rx, CrossfireAsyncTx as Tx};
        match (flavor.capacity(), consumers) {
            (Some(0), _) => unreachable!("crossfire has no rendezvous channel"),
            (Some(cap), Consumers::Many) => {
                let (tx, rx) = mpmc::bounded_async(cap);
                (Tx::MpmcArray(tx), Rx::MpmcArray(rx))
            }
            (None, Consumers::Many) => {
                let (tx, rx) = mpmc::unbounded_async();
                (Tx::MpmcList(tx), Rx::MpmcList(rx))
            }
            (Some(cap), Consumers::One) => {
                let (tx, rx) = mpsc::bounded_async(cap);
                (Tx::MpscArray(tx), Rx::MpscArray(rx))
            }
            (None, Consumers::One) => {
                let (tx, rx) = mpsc::unbounded_async();
                (Tx::MpscList(tx), Rx::MpscList(rx))
            }
        }
    }

    fn new_blocking_to_async(flavor: Flavor, consumers: Consumers) -> (Self::BlockingTx, Self::Rx) {
        use {CrossfireAsyncRx as Rx, CrossfireBlockingTx as Tx};
        match (flavor.capacity(), consumers) {
            (Some(0), _) => unreachable!("crossfire has no rendezvous channel"),
            (Some(cap), Consumers::Many) => {
                let (tx, rx) = mpmc::bounded_blocking_async(cap);
                (Tx::MpmcArray(tx), Rx::MpmcArray(rx))
            }
            (None, Consumers::Many) => {
                let (tx, rx) = mpmc::unbounded_async();
                (Tx::MpmcList(tx), Rx::MpmcList(rx))
            }
            (Some(cap), Consumers::One) => {
                let (tx, rx) = mpsc::bounded_blocking_async(cap);
                (Tx::MpscArray(tx), Rx::MpscArray(rx))
            }
            (None, Consumers::One) => {
                let (tx, rx) = mpsc::unbounded_async();
                (Tx::MpscList(tx), Rx::MpscList(rx))
            }
        }
    }

    async fn send(tx: &Self::Tx, msg: Msg) {
        match tx {
            CrossfireAsyncTx::MpmcArray(tx) => tx.send(msg).await,
            CrossfireAsyncTx::MpmcList(tx) => tx.send(msg),
            CrossfireAsyncTx::MpscArray(tx) => tx.send(msg).await,
            CrossfireAsyncTx::MpscList(tx) => tx.send(msg),
        }
        .expect("a receiver is alive")
    }

    async fn recv(rx: &mut Self::Rx) -> Option<Msg> {
        match rx {
            CrossfireAsyncRx::MpmcArray(rx) => rx.recv().await,
            CrossfireAsyncRx::MpmcList(rx) => rx.recv().await,
            CrossfireAsyncRx::MpscArray(rx) => rx.recv().await,
            CrossfireAsyncRx::MpscList(rx) => rx.recv().await,
        }
        .ok()
    }

    fn send_blocking(tx: &Self::BlockingTx, msg: Msg) {
        match tx {
            CrossfireBlockingTx::MpmcArray(tx) => tx.send(msg),
            CrossfireBlockingTx::MpmcList(tx) => tx.send(msg),
            CrossfireBlockingTx::MpscArray(tx) => tx.send(msg),
            CrossfireBlockingTx::MpscList(tx) => tx.send(msg),
        }
        .expect("a receiver is alive");
    }

    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        match rx {
            CrossfireAsyncRx::MpmcArray(rx) => CrossfireAsyncRx::MpmcArray(rx.clone()),
            CrossfireAsyncRx::MpmcList(rx) => CrossfireAsyncRx::MpmcList(rx.clone()),
            _ => unreachable!("an mpsc receiver is made only for one consumer"),
        }
    }
}

/// `tokio::sync::mpsc`: `channel(cap)` for the bounded flavors, `unbounded_channel()`
/// for unbounded; one consumer, no rendezvous (it refuses a capacity of 0). Measured
/// in the async cells only.
pub struct Tokio;

/// Either of tokio's two sender types.
#[derive(Clone)]
pub enum TokioTx {
    /// From `mpsc::channel(cap)`.
    Bounded(tokio::sync::mpsc::Sender<Msg>),
    /// From `mpsc::unbounded_channel()`.
    Unbounded(tokio::sync::mpsc::UnboundedSender<Msg>),
}

/// Either of tokio's two receiver types.
pub enum TokioRx {
    /// From `mpsc::channel(cap)`.
    Bounded(tokio::sync::mpsc::Receiver<Msg>),
    /// From `mpsc::unbounded_channel()`.
    Unbounded(tokio::sync::mpsc::UnboundedReceiver<Msg>),
}

impl AsyncChannel for Tokio {
    const NAME: &'static str = "tokio";
    const MPMC: bool = false;
    const RENDEZVOUS: bool = false;
    type Tx = TokioTx;
    type Rx = TokioRx;
    type BlockingTx = TokioTx;

    fn new(flavor: Flavor, _: Consumers) -> (Self::Tx, Self::Rx) {
        match flavor.capacity() {
            Some(0) => unreachable!("tokio's mpsc has no rendezvous channel"),
            Some(cap) => {
                let (tx, rx) = tokio::sync::mpsc::channel(cap);
                (TokioTx::Bounded(tx), TokioRx::Bounded(rx))
            }
            None => {
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                (TokioTx::Unbounded(tx), TokioRx::Unbounded(rx))
            }
        }
    }

    fn new_blocking_to_async(flavor: Flavor, consumers: Consumers) -> (Self::Tx, Self::Rx) {
        <Tokio as AsyncChannel>::new(flavor, consumers)
    }

    async fn send(tx: &Self::Tx, msg: Msg) {
        match tx {
            TokioTx::Bounded(tx) => tx.send(msg).await,
            TokioTx::Unbounded(tx) => tx.send(msg),
        }
        .expect("a receiver is alive")
    }

    async fn recv(rx: &mut Self::Rx) -> Option<Msg> {
        match rx {
            TokioRx::Bounded(rx) => rx.recv().await,
            TokioRx::Unbounded(rx) => rx.recv().await,
        }
    }

    fn send_blocking(tx: &Self::BlockingTx, msg: Msg) {
        match tx {
            TokioTx::Bounded(tx) => tx.blocking_send(msg),
            TokioTx::Unbounded(tx) => tx.send(msg),
        }
        .expect("a receiver is alive");
    }

    fn clone_rx(_: &Self::Rx) -> Self::Rx {
        unreachable!("tokio's mpsc has a single consumer")
    }
}

/// The `async-channel` crate (smol's): `bounded(cap)` / `unbounded()`, multi-consumer,
/// no rendezvous (it refuses a capacity of 0); `send_blocking` for plain threads.
/// Measured in the async cells only.
pub struct AsyncChannelCrate;

impl AsyncChannel for AsyncChannelCrate {
    const NAME: &'static str = "async-channel";
    const MPMC: bool = true;
    const RENDEZVOUS: bool = false;
    type Tx = async_channel::Sender<Msg>;
    type Rx = async_channel::Receiver<Msg>;
    type BlockingTx = async_channel::Sender<Msg>;

    fn new(flavor: Flavor, _: Consumers) -> (Self::Tx, Self::Rx) {
        match flavor.capacity() {
            Some(0) => unreachable!("async-channel has no rendezvous channel"),
            Some(cap) => async_channel::bounded(cap),
            None => async_channel::unbounded(),
        }
    }

    fn new_blocking_to_async(flavor: Flavor, consumers: Consumers) -> (Self::Tx, Self::Rx) {
        <AsyncChannelCrate as AsyncChannel>::new(flavor, consumers)
    }

    async fn send(tx: &Self::Tx, msg: Msg) {
        tx.send(msg).await.expect("a receiver is alive")
    }

    async fn recv(rx: &mut Self::Rx) -> Option<Msg> {
        rx.recv().await.ok()
    }

    fn send_blocking(tx: &Self::BlockingTx, msg: Msg) {
        tx.send_blocking(msg).expect("a receiver is alive");
    }

    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
}
