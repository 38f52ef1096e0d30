//! The receiver that never delivers and never disconnects (Go's nil channel).

use super::{sleep_until, Accept, Chan, Receiving, RecvSide, SelectHandle, Token};
use crate::context::{Context, Operation};
use crate::errors::RecvTimeoutError;
use crate::flavors::Snapshot;
use core::marker::PhantomData;
use std::time::Instant;

/// A channel with no state at all.
pub(crate) struct Channel<T>(PhantomData<fn() -> T>);

impl<T> Channel<T> {
    /// The never channel (usable in `const` contexts).
    pub(crate) const fn new() -> Self {
        Channel(PhantomData)
    }
}

impl<T> Chan for Channel<T> {
    fn len(&self) -> usize {
        0
    }
    fn capacity(&self) -> Option<usize> {
        Some(0)
    }
    fn is_full(&self) -> bool {
        true
    }
    fn disconnect(&self) -> bool {
        false
    }
    fn is_disconnected(&self) -> bool {
        false
    }
}

impl<T> SelectHandle for Receiving<Channel<T>> {
    fn reserve(&self, _token: &mut Token) -> bool {
        false
    }
    unsafe fn abandon(&self, _token: &mut Token) {}
    fn register(&self, _oper: Operation, _cx: &Context) -> bool {
        false
    }
    fn unregister(&self, _oper: Operation) {}
    fn accept(&self, _token: &mut Token, _cx: &Context, _deadline: Option<Instant>) -> Accept {
        Accept::No
    }
    fn is_ready(&self) -> bool {
        false
    }
    fn version(&self) -> Snapshot {
        [0; 5]
    }
    fn watch(&self, _oper: Operation, _cx: &Context) -> bool {
        false
    }
    fn unwatch(&self, _oper: Operation) {}
}

impl<T> RecvSide<T> for Receiving<Channel<T>> {
    unsafe fn read(&self, _token: &mut Token) -> Result<T, ()> {
        Err(())
    }
    // Out of line: keeps `Receiver::recv`'s dispatch small for the channel flavors.
    #[inline(never)]
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        sleep_until(deadline);
        Err(RecvTimeoutError::Timeout)
    }
}
