//! The iterators over a receiver: blocking (`Iter`, `IntoIter`) and non-blocking
//! (`TryIter`). All are fused: once they return `None` they stay ended.

use crate::channel::Receiver;
use core::fmt;

/// A blocking iterator over a receiver's messages: see [`Receiver::iter`].
///
/// ```
/// let (s, r) = channel_select::unbounded();
/// s.send(1).unwrap();
/// drop(s);
/// let it: channel_select::Iter<'_, i32> = r.iter();
/// assert_eq!(it.collect::<Vec<_>>(), [1]);
/// ```
pub struct Iter<'a, T> {
    pub(crate) receiver: &'a Receiver<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.receiver.recv().ok()
    }
}

impl<T> core::iter::FusedIterator for Iter<'_, T> {}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Iter { .. }")
    }
}

/// A non-blocking iterator over the ready messages: see [`Receiver::try_iter`].
/// Once it returns `None` it stays ended.
///
/// ```
/// let (s, r) = channel_select::unbounded();
/// s.send(1).unwrap();
/// let mut it: channel_select::TryIter<'_, i32> = r.try_iter();
/// assert_eq!(it.next(), Some(1));
/// assert_eq!(it.next(), None);
/// s.send(2).unwrap();
/// assert_eq!(it.next(), None); // fused
/// ```
pub struct TryIter<'a, T> {
    pub(crate) receiver: &'a Receiver<T>,
    /// Set at the first `None`.
    pub(crate) done: bool,
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        if self.done {
            return None;
        }
        let msg = self.receiver.try_recv().ok();
        self.done = msg.is_none();
        msg
    }
}

impl<T> core::iter::FusedIterator for TryIter<'_, T> {}

impl<T> fmt::Debug for TryIter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("TryIter { .. }")
    }
}

/// An owning blocking iterator: see `impl IntoIterator for Receiver`.
///
/// ```
/// let (s, r) = channel_select::unbounded();
/// s.send("x").unwrap();
/// drop(s);
/// let it: channel_select::IntoIter<&str> = r.into_iter();
/// assert_eq!(it.collect::<Vec<_>>(), ["x"]);
/// ```
pub struct IntoIter<T> {
    pub(crate) receiver: Receiver<T>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.receiver.recv().ok()
    }
}

impl<T> core::iter::FusedIterator for IntoIter<T> {}

impl<T> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("IntoIter { .. }")
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> IntoIter<T> {
        IntoIter { receiver: self }
    }
}
