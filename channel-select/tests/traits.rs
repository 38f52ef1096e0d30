//! The trait contract of API.md, checked at compile time (and the negative half with a
//! compile-fail doc test in `channel.rs`): handles are `Send + Sync` exactly when
//! `T: Send`, `UnwindSafe` and `RefUnwindSafe` for any `T`, `Clone` and `Debug`; the
//! iterators are `Debug` and fused; `Select` is `Clone`, `Default` and `Debug`.

use channel_select::{
    after, bounded, never, unbounded, IntoIter, Iter, Receiver, Select, Sender, TryIter,
};
use std::cell::Cell;
use std::fmt::Debug;
use std::iter::FusedIterator;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::rc::Rc;

fn send_sync<T: Send + Sync>() {}
fn unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}
fn clone_debug<T: Clone + Debug>() {}
fn fused_debug<I: FusedIterator + Debug>() {}

#[test]
fn handles_are_send_and_sync_when_the_message_is_send() {
    // `Cell` is `Send` but not `Sync`: the handles still are both.
    send_sync::<Sender<Cell<u8>>>();
    send_sync::<Receiver<Cell<u8>>>();
    send_sync::<Sender<Vec<String>>>();
    send_sync::<Receiver<Vec<String>>>();
}

#[test]
fn handles_are_unwind_safe_clone_and_debug_for_any_message() {
    // `Rc` is neither `Send` nor unwind-safe.
    unwind_safe::<Sender<Rc<Cell<u8>>>>();
    unwind_safe::<Receiver<Rc<Cell<u8>>>>();
    clone_debug::<Sender<Rc<u8>>>();
    clone_debug::<Receiver<Rc<u8>>>();
    // Debug prints no message, so it needs no `T: Debug`.
    struct Opaque;
    let (s, r) = bounded::<Opaque>(1);
    assert_eq!(format!("{s:?} {r:?}"), "Sender { .. } Receiver { .. }");
}

#[test]
fn iterators_are_fused_and_debug() {
    fused_debug::<Iter<'static, Rc<u8>>>();
    fused_debug::<TryIter<'static, Rc<u8>>>();
    fused_debug::<IntoIter<Rc<u8>>>();
    let (s, r) = unbounded::<u8>();
    s.send(1).unwrap();
    let mut it = r.try_iter();
    assert_eq!((it.next(), it.next()), (Some(1), None));
    s.send(2).unwrap();
    assert_eq!(
        it.next(),
        None,
        "a TryIter stays ended once it returned None"
    );
    assert_eq!(r.try_recv(), Ok(2));
}

#[test]
fn select_is_clone_default_and_debug() {
    fn clone_default_debug<T: Clone + Default + Debug>() {}
    clone_default_debug::<Select<'static>>();
    let (s, r) = unbounded::<u8>();
    let t = after(std::time::Duration::from_secs(60));
    let n = never::<u8>();
    let mut sel = Select::default();
    sel.send(&s);
    sel.recv(&r);
    sel.recv(&t);
    sel.recv(&n);
    let mut copy = sel.clone();
    assert!(format!("{sel:?}").contains("Select"));
    s.send(5).unwrap();
    // The clone has the same operations: the ready receive is found through it.
    let oper = copy.try_select().unwrap();
    assert!(oper.index() < 4);
    match oper.index() {
        0 => oper.send(&s, 6).unwrap(),
        1 => assert_eq!(oper.recv(&r), Ok(5)),
        i => panic!("operation {i} is not ready"),
    }
}

#[test]
fn never_is_a_const_fn() {
    const NEVER: Receiver<String> = never();
    assert!(NEVER.try_recv().is_err());
    assert!(!NEVER.is_disconnected());
}
