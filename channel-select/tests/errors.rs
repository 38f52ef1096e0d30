//! Every error case of every method; failed sends hand the message back; the error
//! types' `Display`, `Debug` and trait implementations.

mod common;

use channel_select::{
    bounded, unbounded, ReadyTimeoutError, RecvError, RecvTimeoutError, SelectTimeoutError,
    SendError, SendTimeoutError, TryReadyError, TryRecvError, TrySelectError, TrySendError,
};
use common::{Flavor, NoDebug, FLAVORS};
use std::error::Error;
use std::time::{Duration, Instant};

const SHORT: Duration = Duration::from_millis(20);

#[test]
fn send_on_disconnected_hands_the_message_back() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<String>();
        drop(r);
        let err = s.send("lost?".to_string()).unwrap_err();
        assert_eq!(err, SendError("lost?".to_string()), "{flavor:?}");
        assert_eq!(err.into_inner(), "lost?");
    }
}

#[test]
fn try_send_errors_hand_the_message_back() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<String>();
        if flavor != Flavor::Unbounded {
            for _ in 0..flavor.buffer() {
                s.try_send(String::new()).unwrap();
            }
            let err = s.try_send("full".to_string()).unwrap_err();
            assert_eq!(err, TrySendError::Full("full".to_string()), "{flavor:?}");
            assert_eq!(err.into_inner(), "full");
        }
        drop(r);
        let err = s.try_send("gone".to_string()).unwrap_err();
        assert_eq!(
            err,
            TrySendError::Disconnected("gone".to_string()),
            "{flavor:?}"
        );
        assert!(err.is_disconnected() && !err.is_full());
        assert_eq!(err.into_inner(), "gone");
    }
}

/// A full channel whose receivers are gone reports `Disconnected`, not `Full`.
#[test]
fn try_send_prefers_disconnected_over_full() {
    for flavor in [Flavor::Zero, Flavor::One, Flavor::Bounded(16)] {
        let (s, r) = flavor.make::<u8>();
        for _ in 0..flavor.buffer() {
            s.try_send(0).unwrap();
        }
        drop(r);
        assert_eq!(
            s.try_send(9),
            Err(TrySendError::Disconnected(9)),
            "{flavor:?}"
        );
    }
}

#[test]
fn send_timeout_and_deadline_errors_hand_the_message_back() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<String>();
        if flavor != Flavor::Unbounded {
            for _ in 0..flavor.buffer() {
                s.try_send(String::new()).unwrap();
            }
            let err = s.send_timeout("t".to_string(), SHORT).unwrap_err();
            assert_eq!(
                err,
                SendTimeoutError::Timeout("t".to_string()),
                "{flavor:?}"
            );
            assert!(err.is_timeout() && !err.is_disconnected());
            assert_eq!(err.into_inner(), "t");
            let err = s
                .send_deadline("d".to_string(), Instant::now() + SHORT)
                .unwrap_err();
            assert_eq!(
                err,
                SendTimeoutError::Timeout("d".to_string()),
                "{flavor:?}"
            );
        }
        drop(r);
        let err = s.send_timeout("x".to_string(), SHORT).unwrap_err();
        assert_eq!(
            err,
            SendTimeoutError::Disconnected("x".to_string()),
            "{flavor:?}"
        );
        assert!(err.is_disconnected() && !err.is_timeout());
        assert_eq!(err.into_inner(), "x");
        let err = s
            .send_deadline("y".to_string(), Instant::now() + SHORT)
            .unwrap_err();
        assert_eq!(err, SendTimeoutError::Disconnected("y".to_string()));
    }
}

#[test]
fn receive_errors_on_empty_and_disconnected() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u32>();
        assert_eq!(r.try_recv(), Err(TryRecvError::Empty), "{flavor:?}");
        assert_eq!(r.recv_timeout(SHORT), Err(RecvTimeoutError::Timeout));
        assert_eq!(
            r.recv_deadline(Instant::now() + SHORT),
            Err(RecvTimeoutError::Timeout)
        );
        let mut buf = vec![];
        assert_eq!(r.try_recv_many(&mut buf, 4), Err(TryRecvError::Empty));
        drop(s);
        assert_eq!(r.recv(), Err(RecvError), "{flavor:?}");
        assert_eq!(r.try_recv(), Err(TryRecvError::Disconnected));
        assert_eq!(r.recv_timeout(SHORT), Err(RecvTimeoutError::Disconnected));
        assert_eq!(
            r.recv_deadline(Instant::now() + SHORT),
            Err(RecvTimeoutError::Disconnected)
        );
        assert_eq!(r.recv_many(&mut buf, 4), Err(RecvError));
        assert_eq!(
            r.try_recv_many(&mut buf, 4),
            Err(TryRecvError::Disconnected)
        );
        assert!(buf.is_empty());
    }
}

#[test]
fn display_texts() {
    assert_eq!(
        SendError(1).to_string(),
        "sending on a disconnected channel"
    );
    assert_eq!(
        TrySendError::Full(1).to_string(),
        "sending on a full channel"
    );
    assert_eq!(
        TrySendError::Disconnected(1).to_string(),
        "sending on a disconnected channel"
    );
    assert_eq!(
        SendTimeoutError::Timeout(1).to_string(),
        "timed out waiting on send operation"
    );
    assert_eq!(
        SendTimeoutError::Disconnected(1).to_string(),
        "sending on a disconnected channel"
    );
    assert_eq!(
        RecvError.to_string(),
        "receiving on an empty and disconnected channel"
    );
    assert_eq!(
        TryRecvError::Empty.to_string(),
        "receiving on an empty channel"
    );
    assert_eq!(
        TryRecvError::Disconnected.to_string(),
        "receiving on an empty and disconnected channel"
    );
    assert_eq!(
        RecvTimeoutError::Timeout.to_string(),
        "timed out waiting on receive operation"
    );
    assert_eq!(
        RecvTimeoutError::Disconnected.to_string(),
        "channel is empty and disconnected"
    );
    assert_eq!(
        TrySelectError.to_string(),
        "all operations in select would block"
    );
    assert_eq!(
        SelectTimeoutError.to_string(),
        "timed out waiting on select"
    );
    assert!(!TryReadyError.to_string().is_empty());
    assert!(!ReadyTimeoutError.to_string().is_empty());
}

#[test]
fn debug_does_not_need_or_print_the_message() {
    let secret = || NoDebug(0xDEAD);
    assert_eq!(format!("{:?}", SendError(secret())), "SendError(..)");
    assert_eq!(format!("{:?}", TrySendError::Full(secret())), "Full(..)");
    assert_eq!(
        format!("{:?}", TrySendError::Disconnected(secret())),
        "Disconnected(..)"
    );
    assert_eq!(
        format!("{:?}", SendTimeoutError::Timeout(secret())),
        "Timeout(..)"
    );
    assert_eq!(
        format!("{:?}", SendTimeoutError::Disconnected(secret())),
        "Disconnected(..)"
    );
    // A Debug payload is not printed either.
    assert_eq!(format!("{:?}", SendError("password")), "SendError(..)");
    assert_eq!(format!("{RecvError:?}"), "RecvError");
    assert_eq!(format!("{:?}", TryRecvError::Empty), "Empty");
    assert_eq!(format!("{:?}", RecvTimeoutError::Timeout), "Timeout");
    assert_eq!(format!("{TrySelectError:?}"), "TrySelectError");
    assert_eq!(format!("{SelectTimeoutError:?}"), "SelectTimeoutError");
    assert_eq!(format!("{TryReadyError:?}"), "TryReadyError");
    assert_eq!(format!("{ReadyTimeoutError:?}"), "ReadyTimeoutError");
}

#[test]
fn every_error_is_a_std_error() {
    fn boxed<E: Error + Send + Sync + 'static>(e: E) -> Box<dyn Error + Send + Sync> {
        Box::new(e)
    }
    let all = [
        boxed(SendError(1u8)),
        boxed(TrySendError::Full(1u8)),
        boxed(SendTimeoutError::Timeout(1u8)),
        boxed(RecvError),
        boxed(TryRecvError::Empty),
        boxed(RecvTimeoutError::Timeout),
        boxed(TrySelectError),
        boxed(SelectTimeoutError),
        boxed(TryReadyError),
        boxed(ReadyTimeoutError),
    ];
    for e in &all {
        assert!(e.source().is_none());
        assert!(!e.to_string().is_empty());
    }
    // Errors about non-Debug messages are errors too.
    let e: &dyn Error = &SendError(NoDebug(1));
    assert_eq!(e.to_string(), "sending on a disconnected channel");
}

#[test]
fn errors_are_copy_clone_eq_when_the_message_allows() {
    fn copy_eq<T: Copy + Clone + Eq + std::fmt::Debug>(t: T) {
        let u = t;
        assert_eq!(t, u);
    }
    copy_eq(SendError(1));
    copy_eq(TrySendError::Full(1));
    copy_eq(SendTimeoutError::Timeout(1));
    copy_eq(RecvError);
    copy_eq(TryRecvError::Disconnected);
    copy_eq(RecvTimeoutError::Disconnected);
    copy_eq(TrySelectError);
    copy_eq(SelectTimeoutError);
    copy_eq(TryReadyError);
    copy_eq(ReadyTimeoutError);
    let e = SendError(String::from("s"));
    assert_eq!(e.clone(), e);
    assert_ne!(TrySendError::Full(1), TrySendError::Disconnected(1));
    assert_ne!(
        SendTimeoutError::Timeout(1),
        SendTimeoutError::Disconnected(1)
    );
    assert_ne!(TryRecvError::Empty, TryRecvError::Disconnected);
}

#[test]
fn conversions() {
    assert_eq!(
        TrySendError::from(SendError(4)),
        TrySendError::Disconnected(4)
    );
    assert_eq!(
        SendTimeoutError::from(SendError(4)),
        SendTimeoutError::Disconnected(4)
    );
    assert_eq!(TryRecvError::from(RecvError), TryRecvError::Disconnected);
    assert_eq!(
        RecvTimeoutError::from(RecvError),
        RecvTimeoutError::Disconnected
    );

    // `?` converts a blocking error into the richer one.
    fn forward(s: &channel_select::Sender<u8>) -> Result<(), TrySendError<u8>> {
        s.send(1)?;
        Ok(())
    }
    fn pull(r: &channel_select::Receiver<u8>) -> Result<u8, RecvTimeoutError> {
        Ok(r.recv()?)
    }
    let (s, r) = unbounded::<u8>();
    drop(r);
    assert_eq!(forward(&s), Err(TrySendError::Disconnected(1)));
    let (s, r) = bounded::<u8>(1);
    drop(s);
    assert_eq!(pull(&r), Err(RecvTimeoutError::Disconnected));
}

#[test]
fn helpers() {
    assert!(TrySendError::Full(()).is_full());
    assert!(!TrySendError::Full(()).is_disconnected());
    assert!(TrySendError::Disconnected(()).is_disconnected());
    assert!(SendTimeoutError::Timeout(()).is_timeout());
    assert!(SendTimeoutError::Disconnected(()).is_disconnected());
    assert!(TryRecvError::Empty.is_empty());
    assert!(!TryRecvError::Empty.is_disconnected());
    assert!(TryRecvError::Disconnected.is_disconnected());
    assert!(RecvTimeoutError::Timeout.is_timeout());
    assert!(!RecvTimeoutError::Timeout.is_disconnected());
    assert!(RecvTimeoutError::Disconnected.is_disconnected());
    assert_eq!(SendError(3).into_inner(), 3);
    assert_eq!(TrySendError::Full(3).into_inner(), 3);
    assert_eq!(SendTimeoutError::Disconnected(3).into_inner(), 3);
}

/// Failed sends of a non-`Debug` message still let the caller recover it by pattern.
#[test]
fn non_debug_message_comes_back() {
    let (s, r) = bounded::<NoDebug>(1);
    s.send(NoDebug(1)).unwrap();
    match s.try_send(NoDebug(2)) {
        Err(TrySendError::Full(NoDebug(2))) => {}
        _ => panic!("expected Full(NoDebug(2))"),
    }
    drop(r);
    match s.send(NoDebug(3)) {
        Err(SendError(NoDebug(3))) => {}
        _ => panic!("expected SendError(NoDebug(3))"),
    }
    match s.send_timeout(NoDebug(4), SHORT) {
        Err(SendTimeoutError::Disconnected(NoDebug(4))) => {}
        _ => panic!("expected Disconnected(NoDebug(4))"),
    }
}
