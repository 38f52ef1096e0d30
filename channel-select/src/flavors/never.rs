//! The receiver that never delivers and never disconnects (Go's nil channel).

use super::{sleep_until, RecvFlavor, Token};
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

impl<T> RecvFlavor<T> for Channel<T> {
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        sleep_until(deadline);
        Err(RecvTimeoutError::Timeout)
    }
    fn len(&self) -> usize {
        0
    }
    fn capacity(&self) -> Option<usize> {
        Some(0)
    }
    fn is_empty(&self) -> bool {
        true
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
    fn start_recv(&self, _token: &mut Token) -> bool {
        false
    }
    unsafe fn read(&self, _token: &mut Token) -> Result<T, ()> {
        Err(())
    }
    fn register_recv(&self, _oper: Operation, _cx: &Context) -> bool {
        false
    }
    fn unregister_recv(&self, _oper: Operation) {}
    unsafe fn abandon_recv(&self, _token: &mut Token) {}
    fn accept_recv(&self, _token: &mut Token, _cx: &Context, _deadline: Option<Instant>) -> bool {
        false
    }
    fn is_ready_recv(&self) -> bool {
        false
    }
    fn version_recv(&self) -> Snapshot {
        [0; 5]
    }
    fn watch_recv(&self, _oper: Operation, _cx: &Context) -> bool {
        false
    }
    fn unwatch_recv(&self, _oper: Operation) {}
}
