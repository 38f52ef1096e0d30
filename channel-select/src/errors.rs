//! Error types returned by channel operations and by `Select`.
//!
//! The types, variants, `Display` texts and helper methods are those of
//! crossbeam-channel 0.5, so code written against it keeps compiling and
//! matching on the same values. A failed send always carries the message back
//! (`into_inner`), and the `Debug` output of an error holding a message never
//! prints the message, so it is available for any `T`.

use std::error::Error;
use std::fmt;

/// The error of [`Sender::send`](crate::Sender::send): the channel is disconnected.
///
/// The message that could not be sent is handed back inside the error.
///
/// # Examples
///
/// ```
/// use channel_select::SendError;
///
/// let err = SendError(5);
/// assert_eq!(err.to_string(), "sending on a disconnected channel");
/// assert_eq!(format!("{err:?}"), "SendError(..)");
/// assert_eq!(err.into_inner(), 5);
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

/// The error of [`Sender::try_send`](crate::Sender::try_send).
///
/// Both variants hand back the message that could not be sent.
///
/// # Examples
///
/// ```
/// use channel_select::TrySendError;
///
/// let err = TrySendError::Full("job");
/// assert!(err.is_full());
/// assert_eq!(err.to_string(), "sending on a full channel");
/// assert_eq!(err.into_inner(), "job");
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum TrySendError<T> {
    /// The channel is full (for a zero-capacity channel: no receiver was
    /// waiting to take the message at that moment).
    ///
    /// ```
    /// use channel_select::TrySendError;
    ///
    /// assert!(TrySendError::Full(1).is_full());
    /// ```
    Full(T),
    /// The channel is disconnected: every receiver is gone or the channel was closed.
    ///
    /// ```
    /// use channel_select::TrySendError;
    ///
    /// assert!(TrySendError::Disconnected(1).is_disconnected());
    /// ```
    Disconnected(T),
}

/// The error of [`Sender::send_timeout`](crate::Sender::send_timeout) and
/// [`Sender::send_deadline`](crate::Sender::send_deadline).
///
/// Both variants hand back the message that could not be sent.
///
/// # Examples
///
/// ```
/// use channel_select::SendTimeoutError;
///
/// let err = SendTimeoutError::Timeout(7);
/// assert!(err.is_timeout());
/// assert_eq!(format!("{err:?}"), "Timeout(..)");
/// assert_eq!(err.to_string(), "timed out waiting on send operation");
/// assert_eq!(err.into_inner(), 7);
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum SendTimeoutError<T> {
    /// The channel stayed full (for a zero-capacity channel: no receiver came)
    /// until the timeout elapsed.
    ///
    /// ```
    /// use channel_select::SendTimeoutError;
    ///
    /// assert!(SendTimeoutError::Timeout(1).is_timeout());
    /// ```
    Timeout(T),
    /// The channel is disconnected: every receiver is gone or the channel was closed.
    ///
    /// ```
    /// use channel_select::SendTimeoutError;
    ///
    /// assert!(SendTimeoutError::Disconnected(1).is_disconnected());
    /// ```
    Disconnected(T),
}

/// The error of [`Receiver::recv`](crate::Receiver::recv): the channel is
/// empty and disconnected, so no message will ever arrive.
///
/// # Examples
///
/// ```
/// use channel_select::RecvError;
///
/// assert_eq!(RecvError.to_string(), "receiving on an empty and disconnected channel");
/// assert_eq!(format!("{RecvError:?}"), "RecvError");
/// ```
#[derive(PartialEq, Eq, Clone, Copy, Debug)]
pub struct RecvError;

/// The error of [`Receiver::try_recv`](crate::Receiver::try_recv).
///
/// # Examples
///
/// ```
/// use channel_select::TryRecvError;
///
/// let err = TryRecvError::Empty;
/// assert!(err.is_empty());
/// assert_eq!(err.to_string(), "receiving on an empty channel");
/// ```
#[derive(PartialEq, Eq, Clone, Copy, Debug)]
pub enum TryRecvError {
    /// No message is ready now, but the channel is still connected.
    ///
    /// ```
    /// use channel_select::TryRecvError;
    ///
    /// assert!(TryRecvError::Empty.is_empty());
    /// ```
    Empty,
    /// The channel is empty and disconnected.
    ///
    /// ```
    /// use channel_select::TryRecvError;
    ///
    /// assert!(TryRecvError::Disconnected.is_disconnected());
    /// ```
    Disconnected,
}

/// The error of [`Receiver::recv_timeout`](crate::Receiver::recv_timeout) and
/// [`Receiver::recv_deadline`](crate::Receiver::recv_deadline).
///
/// # Examples
///
/// ```
/// use channel_select::RecvTimeoutError;
///
/// let err = RecvTimeoutError::Timeout;
/// assert!(err.is_timeout());
/// assert_eq!(err.to_string(), "timed out waiting on receive operation");
/// ```
#[derive(PartialEq, Eq, Clone, Copy, Debug)]
pub enum RecvTimeoutError {
    /// No message arrived before the timeout elapsed.
    ///
    /// ```
    /// use channel_select::RecvTimeoutError;
    ///
    /// assert!(RecvTimeoutError::Timeout.is_timeout());
    /// ```
    Timeout,
    /// The channel is empty and disconnected.
    ///
    /// ```
    /// use channel_select::RecvTimeoutError;
    ///
    /// assert!(RecvTimeoutError::Disconnected.is_disconnected());
    /// ```
    Disconnected,
}

/// The error of [`Select::try_select`](crate::Select::try_select): no
/// operation was ready.
///
/// # Examples
///
/// ```
/// use channel_select::TrySelectError;
///
/// assert_eq!(TrySelectError.to_string(), "all operations in select would block");
/// ```
#[derive(PartialEq, Eq, Clone, Copy, Debug)]
pub struct TrySelectError;

/// The error of [`Select::select_timeout`](crate::Select::select_timeout) and
/// [`Select::select_deadline`](crate::Select::select_deadline): no operation
/// became ready before the timeout.
///
/// # Examples
///
/// ```
/// use channel_select::SelectTimeoutError;
///
/// assert_eq!(SelectTimeoutError.to_string(), "timed out waiting on select");
/// ```
#[derive(PartialEq, Eq, Clone, Copy, Debug)]
pub struct SelectTimeoutError;

/// The error of [`Select::try_ready`](crate::Select::try_ready): no operation
/// was ready.
///
/// # Examples
///
/// ```
/// use channel_select::TryReadyError;
///
/// assert_eq!(TryReadyError.to_string(), "all operations in select would block");
/// assert_eq!(format!("{TryReadyError:?}"), "TryReadyError");
/// ```
#[derive(PartialEq, Eq, Clone, Copy, Debug)]
pub struct TryReadyError;

/// The error of [`Select::ready_timeout`](crate::Select::ready_timeout) and
/// [`Select::ready_deadline`](crate::Select::ready_deadline): no operation
/// became ready before the timeout.
///
/// # Examples
///
/// ```
/// use channel_select::ReadyTimeoutError;
///
/// assert_eq!(ReadyTimeoutError.to_string(), "timed out waiting on ready");
/// ```
#[derive(PartialEq, Eq, Clone, Copy, Debug)]
pub struct ReadyTimeoutError;

// ---------------------------------------------------------------------------
// SendError

impl<T> SendError<T> {
    /// Returns the message that could not be sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use channel_select::SendError;
    ///
    /// let err = SendError(String::from("hello"));
    /// assert_eq!(err.into_inner(), "hello");
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sending on a disconnected channel")
    }
}

impl<T> Error for SendError<T> {}

// ---------------------------------------------------------------------------
// TrySendError

impl<T> TrySendError<T> {
    /// Returns the message that could not be sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use channel_select::TrySendError;
    ///
    /// assert_eq!(TrySendError::Full(1).into_inner(), 1);
    /// assert_eq!(TrySendError::Disconnected(2).into_inner(), 2);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(msg) | TrySendError::Disconnected(msg) => msg,
        }
    }

    /// Returns `true` if the send failed because the channel is full.
    ///
    /// # Examples
    ///
    /// ```
    /// use channel_select::TrySendError;
    ///
    /// assert!(TrySendError::Full(()).is_full());
    /// assert!(!TrySendError::Disconnected(()).is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, TrySendError::Full(_))
    }

    /// Returns `true` if the send failed because the channel is disconnected.
    ///
    /// # Examples
    ///
    /// ```
    /// use channel_select::TrySendError;
    ///
    /// assert!(TrySendError::Disconnected(()).is_disconnected());
    /// assert!(!TrySendError::Full(()).is_disconnected());
    /// ```
    pub fn is_disconnected(&self) -> bool {
        matches!(self, TrySendError::Disconnected(_))
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Disconnected(_) => f.write_str("Disconnected(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("sending on a full channel"),
            TrySendError::Disconnected(_) => f.write_str("sending on a disconnected channel"),
        }
    }
}

impl<T> Error for TrySendError<T> {}

impl<T> From<SendError<T>> for TrySendError<T> {
    /// A disconnected blocking send becomes [`TrySendError::Disconnected`].
    ///
    /// ```
    /// use channel_select::{SendError, TrySendError};
    ///
    /// assert_eq!(TrySendError::from(SendError(3)), TrySendError::Disconnected(3));
    /// ```
    fn from(err: SendError<T>) -> Self {
        TrySendError::Disconnected(err.0)
    }
}

// ---------------------------------------------------------------------------
// SendTimeoutError

impl<T> SendTimeoutError<T> {
    /// Returns the message that could not be sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use channel_select::SendTimeoutError;
    ///
    /// assert_eq!(SendTimeoutError::Timeout('a').into_inner(), 'a');
    /// assert_eq!(SendTimeoutError::Disconnected('b').into_inner(), 'b');
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            SendTimeoutError::Timeout(msg) | SendTimeoutError::Disconnected(msg) => msg,
        }
    }

    /// Returns `true` if the send failed because the timeout elapsed.
    ///
    /// # Examples
    ///
    /// ```
    /// use channel_select::SendTimeoutError;
    ///
    /// assert!(SendTimeoutError::Timeout(()).is_timeout());
    /// assert!(!SendTimeoutError::Disconnected(()).is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, SendTimeoutError::Timeout(_))
    }

    /// Returns `true` if the send failed because the channel is disconnected.
    ///
    /// # Examples
    ///
    /// ```
    /// use channel_select::SendTimeoutError;
    ///
    /// assert!(SendTimeoutError::Disconnected(()).is_disconnected());
    /// assert!(!SendTimeoutError::Timeout(()).is_disconnected());
    /// ```
    pub fn is_disconnected(&self) -> bool {
        matches!(self, SendTimeoutError::Disconnected(_))
    }
}

impl<T> fmt::Debug for SendTimeoutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendTimeoutError::Timeout(_) => f.write_str("Timeout(..)"),
            SendTimeoutError::Disconnected(_) => f.write_str("Disconnected(..)"),
        }
    }
}

impl<T> fmt::Display for SendTimeoutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendTimeoutError::Timeout(_) => f.write_str("timed out waiting on send operation"),
            SendTimeoutError::Disconnected(_) => f.write_str("sending on a disconnected channel"),
        }
    }
}

impl<T> Error for SendTimeoutError<T> {}

impl<T> From<SendError<T>> for SendTimeoutError<T> {
    /// A disconnected blocking send becomes [`SendTimeoutError::Disconnected`].
    ///
    /// ```
    /// use channel_select::{SendError, SendTimeoutError};
    ///
    /// assert_eq!(SendTimeoutError::from(SendError(3)), SendTimeoutError::Disconnected(3));
    /// ```
    fn from(err: SendError<T>) -> Self {
        SendTimeoutError::Disconnected(err.0)
    }
}

// ---------------------------------------------------------------------------
// RecvError, TryRecvError, RecvTimeoutError

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("receiving on an empty and disconnected channel")
    }
}

impl Error for RecvError {}

impl TryRecvError {
    /// Returns `true` if the receive failed because no message was ready.
    ///
    /// # Examples
    ///
    /// ```
    /// use channel_select::TryRecvError;
    ///
    /// assert!(TryRecvError::Empty.is_empty());
    /// assert!(!TryRecvError::Disconnected.is_empty());
    /// ```
    #[allow(clippy::trivially_copy_pass_by_ref)]
    pub fn is_empty(&self) -> bool {
        matches!(self, TryRecvError::Empty)
    }

    /// Returns `true` if the receive failed because the channel is empty and disconnected.
    ///
    /// # Examples
    ///
    /// ```
    /// use channel_select::TryRecvError;
    ///
    /// assert!(TryRecvError::Disconnected.is_disconnected());
    /// assert!(!TryRecvError::Empty.is_disconnected());
    /// ```
    #[allow(clippy::trivially_copy_pass_by_ref)]
    pub fn is_disconnected(&self) -> bool {
        matches!(self, TryRecvError::Disconnected)
    }
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("receiving on an empty channel"),
            TryRecvError::Disconnected => {
                f.write_str("receiving on an empty and disconnected channel")
            }
        }
    }
}

impl Error for TryRecvError {}

impl From<RecvError> for TryRecvError {
    /// A failed blocking receive becomes [`TryRecvError::Disconnected`].
    ///
    /// ```
    /// use channel_select::{RecvError, TryRecvError};
    ///
    /// assert_eq!(TryRecvError::from(RecvError), TryRecvError::Disconnected);
    /// ```
    fn from(_: RecvError) -> Self {
        TryRecvError::Disconnected
    }
}

impl RecvTimeoutError {
    /// Returns `true` if the receive failed because the timeout elapsed.
    ///
    /// # Examples
    ///
    /// ```
    /// use channel_select::RecvTimeoutError;
    ///
    /// assert!(RecvTimeoutError::Timeout.is_timeout());
    /// assert!(!RecvTimeoutError::Disconnected.is_timeout());
    /// ```
    #[allow(clippy::trivially_copy_pass_by_ref)]
    pub fn is_timeout(&self) -> bool {
        matches!(self, RecvTimeoutError::Timeout)
    }

    /// Returns `true` if the receive failed because the channel is empty and disconnected.
    ///
    /// # Examples
    ///
    /// ```
    /// use channel_select::RecvTimeoutError;
    ///
    /// assert!(RecvTimeoutError::Disconnected.is_disconnected());
    /// assert!(!RecvTimeoutError::Timeout.is_disconnected());
    /// ```
    #[allow(clippy::trivially_copy_pass_by_ref)]
    pub fn is_disconnected(&self) -> bool {
        matches!(self, RecvTimeoutError::Disconnected)
    }
}

impl fmt::Display for RecvTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvTimeoutError::Timeout => f.write_str("timed out waiting on receive operation"),
            RecvTimeoutError::Disconnected => f.write_str("channel is empty and disconnected"),
        }
    }
}

impl Error for RecvTimeoutError {}

impl From<RecvError> for RecvTimeoutError {
    /// A failed blocking receive becomes [`RecvTimeoutError::Disconnected`].
    ///
    /// ```
    /// use channel_select::{RecvError, RecvTimeoutError};
    ///
    /// assert_eq!(RecvTimeoutError::from(RecvError), RecvTimeoutError::Disconnected);
    /// ```
    fn from(_: RecvError) -> Self {
        RecvTimeoutError::Disconnected
    }
}

// ---------------------------------------------------------------------------
// Selection errors

impl fmt::Display for TrySelectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("all operations in select would block")
    }
}

impl Error for TrySelectError {}

impl fmt::Display for SelectTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timed out waiting on select")
    }
}

impl Error for SelectTimeoutError {}

impl fmt::Display for TryReadyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("all operations in select would block")
    }
}

impl Error for TryReadyError {}

impl fmt::Display for ReadyTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timed out waiting on ready")
    }
}

impl Error for ReadyTimeoutError {}
