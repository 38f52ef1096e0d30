//! Weak handles: `WeakSender` and `WeakReceiver`.
//!
//! A weak handle holds the channel's memory but is not counted among its senders or
//! receivers, so it never keeps the channel connected. `upgrade` counts a new strong
//! handle only while the count of its side is not zero (a CAS, see `try_acquire`), and
//! hands it out only if the channel is not disconnected: once the last strong handle of
//! a side is gone, or the channel was closed, no weak handle brings it back.
//!
//! What a weak handle keeps is the channel's allocation, not its messages: those go
//! when the last receiver goes, as always.

use crate::channel::{
    try_acquire, with_receiver, with_sender, Receiver, ReceiverFlavor, Sender, SenderFlavor, Shared,
};
use core::fmt;

/// A sender that does not keep the channel connected: [`Sender::downgrade`] makes one,
/// [`WeakSender::upgrade`] turns it back into a [`Sender`] while the channel still has
/// one and is not closed.
///
/// It is not counted by [`Sender::sender_count`]. `Clone`, `Debug`, and `Send + Sync`
/// when `T: Send`:
///
/// ```compile_fail
/// fn send<T: Send>() {}
/// send::<channel_select::WeakSender<std::rc::Rc<u8>>>();
/// ```
///
/// ```
/// let (s, r) = channel_select::unbounded::<i32>();
/// let weak = s.downgrade();
/// assert_eq!(s.sender_count(), 1);
/// weak.upgrade().unwrap().send(1).unwrap();
/// drop(s); // the last sender: the channel is disconnected, the weak one is no help
/// assert!(weak.upgrade().is_none());
/// assert_eq!(r.recv(), Ok(1));
/// assert!(r.recv().is_err());
/// ```
pub struct WeakSender<T> {
    flavor: SenderFlavor<T>,
}

/// A receiver that does not keep the channel connected: [`Receiver::downgrade`] makes
/// one, [`WeakReceiver::upgrade`] turns it back into a [`Receiver`] while the channel
/// still has one and is not closed.
///
/// It is not counted by [`Receiver::receiver_count`]. `Clone`, `Debug`, and
/// `Send + Sync` when `T: Send`. On a timer (`after`, `at`, `tick`) it behaves the same:
/// it upgrades while a strong receiver of that timer exists. A weak handle of `never()`
/// always upgrades, to a receiver that never delivers (`never()` has no shared state to
/// outlive).
///
/// ```
/// let (s, r) = channel_select::bounded::<i32>(1);
/// let weak = r.downgrade();
/// drop(r); // the last receiver: sends fail from now on
/// assert!(weak.upgrade().is_none());
/// assert_eq!(s.send(1).unwrap_err().into_inner(), 1);
/// ```
pub struct WeakReceiver<T> {
    flavor: ReceiverFlavor<T>,
}

impl<T> Sender<T> {
    /// A weak handle to this channel: it does not keep the channel connected.
    ///
    /// ```
    /// let (s, _r) = channel_select::unbounded::<u8>();
    /// let weak = s.downgrade();
    /// assert!(weak.upgrade().is_some_and(|s2| s2.same_channel(&s)));
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            flavor: self.flavor.share(),
        }
    }
}

impl<T> Receiver<T> {
    /// A weak handle to this channel: it does not keep the channel connected.
    ///
    /// ```
    /// let (_s, r) = channel_select::unbounded::<u8>();
    /// let weak = r.downgrade();
    /// assert!(weak.upgrade().is_some_and(|r2| r2.same_channel(&r)));
    /// ```
    pub fn downgrade(&self) -> WeakReceiver<T> {
        WeakReceiver {
            flavor: self.flavor.share(),
        }
    }
}

impl<T> WeakSender<T> {
    /// A strong sender, if the channel still has one and is not closed; `None` after.
    ///
    /// Racing the last sender's drop, either it returns a sender (and the channel stays
    /// connected until that one goes too) or it returns `None` (and the disconnection
    /// stands).
    ///
    /// ```
    /// let (s, r) = channel_select::bounded::<i32>(1);
    /// let weak = s.downgrade();
    /// r.close();
    /// assert!(weak.upgrade().is_none(), "closed");
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        let (senders, _) =
            with_sender!(self.flavor, c => c.counts()).expect("a sender's channel is counted");
        if !try_acquire(senders) {
            return None;
        }
        let s = Sender {
            flavor: self.flavor.share(),
        };
        // Counted now: if the channel was closed or disconnected meanwhile, dropping it
        // is an ordinary sender's drop (the last one's included).
        (!s.is_disconnected()).then_some(s)
    }
}

impl<T> WeakReceiver<T> {
    /// A strong receiver, if the channel still has one and is not closed; `None` after.
    ///
    /// Racing the last receiver's drop, either it returns a receiver (and the channel
    /// stays connected until that one goes too) or it returns `None` (and the
    /// disconnection stands).
    ///
    /// ```
    /// let (s, r) = channel_select::unbounded::<i32>();
    /// let weak = r.downgrade();
    /// s.send(7).unwrap();
    /// assert_eq!(weak.upgrade().unwrap().recv(), Ok(7));
    /// ```
    pub fn upgrade(&self) -> Option<Receiver<T>> {
        if let Some((_, receivers)) = with_receiver!(self.flavor, c => c.counts()) {
            if !try_acquire(receivers) {
                return None;
            }
        }
        let r = Receiver {
            flavor: self.flavor.share(),
        };
        // As for `WeakSender::upgrade`.
        (!r.is_disconnected()).then_some(r)
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        WeakSender {
            flavor: self.flavor.share(),
        }
    }
}

impl<T> Clone for WeakReceiver<T> {
    fn clone(&self) -> Self {
        WeakReceiver {
            flavor: self.flavor.share(),
        }
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("WeakSender { .. }")
    }
}

impl<T> fmt::Debug for WeakReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("WeakReceiver { .. }")
    }
}
