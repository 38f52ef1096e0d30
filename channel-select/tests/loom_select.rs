//! Loom models of selection: registration, the claim of a thread's context, timeouts
//! and disconnection, with no message lost or taken twice.
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p channel-select --test loom_select`
#![cfg(loom)]

use channel_select::{bounded, unbounded, Receiver, RecvError, Select, SendTimeoutError, Sender};
use loom::thread;
use std::time::Duration;

/// Selects a receive on `r` (plus a never-ready second operation).
fn select_recv(r: &Receiver<i32>, idle: &Receiver<i32>) -> Result<i32, RecvError> {
    let mut sel = Select::new();
    let i = sel.recv(r);
    sel.recv(idle);
    let oper = sel.select();
    assert_eq!(oper.index(), i, "the idle channel is never ready");
    oper.recv(r)
}

fn selector_against_plain_sender(s: Sender<i32>, r: Receiver<i32>) {
    let (_keep, idle) = unbounded();
    let sender = thread::spawn(move || s.send(1).unwrap());
    assert_eq!(select_recv(&r, &idle), Ok(1));
    sender.join().unwrap();
}

#[test]
fn loom_selector_against_plain_sender_bounded() {
    loom::model(|| {
        let (s, r) = bounded(1);
        selector_against_plain_sender(s, r);
    });
}

#[test]
fn loom_selector_against_plain_sender_unbounded() {
    loom::model(|| {
        let (s, r) = unbounded();
        selector_against_plain_sender(s, r);
    });
}

#[test]
fn loom_selector_against_plain_sender_rendezvous() {
    loom::model(|| {
        let (s, r) = bounded(0);
        selector_against_plain_sender(s, r);
    });
}

/// A selecting sender meets a selecting receiver on a rendezvous channel.
#[test]
fn loom_select_send_meets_select_recv_rendezvous() {
    loom::model(|| {
        let (s, r) = bounded(0);
        let sender = thread::spawn(move || {
            let mut sel = Select::new();
            sel.send(&s);
            sel.select().send(&s, 5).unwrap();
        });
        let mut sel = Select::new();
        sel.recv(&r);
        assert_eq!(sel.select().recv(&r), Ok(5));
        sender.join().unwrap();
    });
}

/// Two selectors race for one message; the channel is then closed: exactly one gets
/// the message, the other sees the disconnection.
#[test]
fn loom_two_selectors_race_for_one_message() {
    loom::model(|| {
        let (s, r) = unbounded();
        let r2 = r.clone();
        let other = thread::spawn(move || {
            let mut sel = Select::new();
            sel.recv(&r2);
            sel.select().recv(&r2)
        });
        s.send(1).unwrap();
        drop(s);
        let mut sel = Select::new();
        sel.recv(&r);
        let mine = sel.select().recv(&r);
        let theirs = other.join().unwrap();
        assert!(
            (mine, theirs) == (Ok(1), Err(RecvError)) || (mine, theirs) == (Err(RecvError), Ok(1)),
            "exactly one selector gets the message: {mine:?} {theirs:?}"
        );
    });
}

/// The senders disconnect while a selector registers: it wakes with the disconnection.
#[test]
fn loom_disconnect_during_registration() {
    loom::model(|| {
        let (s1, r1) = bounded::<i32>(0);
        let (_s2, r2) = unbounded::<i32>();
        let dropper = thread::spawn(move || drop(s1));
        let mut sel = Select::new();
        let i1 = sel.recv(&r1);
        sel.recv(&r2);
        let oper = sel.select();
        assert_eq!(oper.index(), i1);
        assert_eq!(oper.recv(&r1), Err(RecvError));
        dropper.join().unwrap();
    });
}

/// A selection's timeout races a send. Under loom a deadline expires as soon as the
/// selector parks, so both outcomes are explored: the message is selected, or it stays
/// in the channel (buffered) / comes back to the sender (rendezvous). Never lost.
#[test]
fn loom_select_timeout_races_send_buffered() {
    loom::model(|| {
        let (s, r) = bounded(1);
        let sender = thread::spawn(move || s.send(3).unwrap());
        let mut sel = Select::new();
        sel.recv(&r);
        let got = match sel.select_timeout(Duration::from_secs(3600)) {
            Ok(oper) => oper.recv(&r).unwrap(),
            Err(_) => {
                sender.join().unwrap();
                return assert_eq!(r.try_recv(), Ok(3));
            }
        };
        assert_eq!(got, 3);
        sender.join().unwrap();
    });
}

#[test]
fn loom_select_timeout_races_send_rendezvous() {
    loom::model(|| {
        let (s, r) = bounded(0);
        // Kept alive so that a sender that timed out does not disconnect the channel.
        let _keep = s.clone();
        let sender = thread::spawn(move || s.send_timeout(4, Duration::from_secs(3600)));
        let mut sel = Select::new();
        sel.recv(&r);
        let selected = sel
            .select_timeout(Duration::from_secs(3600))
            .map(|oper| oper.recv(&r).unwrap());
        let sent = sender.join().unwrap();
        match (selected, sent) {
            (Ok(m), Ok(())) => assert_eq!(m, 4),
            (Err(_), Err(SendTimeoutError::Timeout(m))) => assert_eq!(m, 4),
            other => panic!("message lost or duplicated: {other:?}"),
        }
    });
}

/// A selected rendezvous send that is given up (its `SelectedOperation` dropped, which
/// panics) releases the receiver it claimed, which then gets the next message. Under
/// loom the selection may also time out first; the receiver is fine either way.
#[test]
fn loom_abandoned_rendezvous_send_releases_its_receiver() {
    loom::model(|| {
        let (s, r) = bounded(0);
        let receiver = thread::spawn(move || r.recv());
        let mut sel = Select::new();
        sel.send(&s);
        if let Ok(oper) = sel.select_timeout(Duration::from_secs(3600)) {
            let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(oper)));
            assert!(dropped.is_err(), "dropping an uncompleted operation panics");
        }
        s.send(7).unwrap();
        assert_eq!(receiver.join().unwrap(), Ok(7));
    });
}
