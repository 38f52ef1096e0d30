//! `Select`: every method, timeouts, disconnection, `never`, duplicate operations,
//! `remove`, and the rules for completing a `SelectedOperation`.

mod common;

use channel_select::{
    after, bounded, never, tick, unbounded, ReadyTimeoutError, RecvError, Select,
    SelectTimeoutError, SendError, TryReadyError, TrySelectError,
};
use common::{assert_about, assert_prompt, expect_panic, settle, timed, Flavor, BUFFERED, FLAVORS};
use std::thread;
use std::time::{Duration, Instant};

const D: Duration = Duration::from_millis(100);

#[test]
fn empty_select_try_forms_fail_at_once() {
    let mut sel = Select::new();
    let (res, took) = timed(|| sel.try_select().map(|op| op.index()));
    assert_eq!(res.unwrap_err(), TrySelectError);
    assert_prompt(took);
    assert_eq!(sel.try_ready(), Err(TryReadyError));
    let mut sel = Select::default();
    assert!(sel.try_select().is_err());
}

#[test]
fn empty_select_timed_forms_fail_when_the_time_is_up() {
    let mut sel = Select::new();
    let (res, took) = timed(|| sel.select_timeout(D).map(|op| op.index()));
    assert_eq!(res.unwrap_err(), SelectTimeoutError);
    assert_about(took, D);
    let (res, took) = timed(|| sel.ready_timeout(D));
    assert_eq!(res, Err(ReadyTimeoutError));
    assert_about(took, D);
    let start = Instant::now();
    assert!(sel.select_deadline(start + D).is_err());
    assert_about(start.elapsed(), D);
    let start = Instant::now();
    assert!(sel.ready_deadline(start + D).is_err());
    assert_about(start.elapsed(), D);
}

#[test]
fn empty_select_blocking_forms_panic() {
    // The message names the problem: there are no operations.
    let msg = expect_panic(|| std::mem::forget(Select::new().select()));
    assert!(msg.contains("operation"), "{msg}");
    let msg = expect_panic(|| Select::new().ready());
    assert!(msg.contains("operation"), "{msg}");
    // Removing the only operation makes it empty again.
    let (_s, r) = unbounded::<u8>();
    let mut sel = Select::new();
    let i = sel.recv(&r);
    sel.remove(i);
    expect_panic(|| sel.ready());
}

#[test]
fn recv_operation_in_every_flavor() {
    for flavor in BUFFERED {
        let (s1, r1) = flavor.make::<u32>();
        let (_s2, r2) = flavor.make::<u32>();
        let mut sel = Select::new();
        let i1 = sel.recv(&r1);
        let i2 = sel.recv(&r2);
        assert_ne!(i1, i2);
        assert!(sel.try_select().is_err(), "{flavor:?}: nothing is ready");
        s1.send(5).unwrap();
        let op = sel.try_select().unwrap();
        assert_eq!(op.index(), i1, "{flavor:?}");
        assert_eq!(op.recv(&r1), Ok(5));
        assert!(
            sel.try_select().is_err(),
            "{flavor:?}: the message was taken"
        );
    }
}

#[test]
fn send_operation_in_every_flavor() {
    for flavor in BUFFERED {
        let (s1, r1) = flavor.make::<u32>();
        let mut sel = Select::new();
        let i = sel.send(&s1);
        for k in 0..flavor.buffer().min(5) {
            let op = sel.select();
            assert_eq!(op.index(), i);
            op.send(&s1, k as u32).unwrap();
        }
        if flavor != Flavor::Unbounded {
            for _ in flavor.buffer().min(5)..flavor.buffer() {
                s1.send(0).unwrap();
            }
            assert!(
                sel.try_select().is_err(),
                "{flavor:?}: full channel is not ready"
            );
        }
        assert_eq!(r1.recv(), Ok(0));
    }
}

#[test]
fn blocking_select_is_woken_by_a_send() {
    for flavor in FLAVORS {
        let (s1, r1) = flavor.make::<u32>();
        let (s2, r2) = flavor.make::<u32>();
        let h = thread::spawn(move || {
            settle();
            s2.send(2).unwrap();
            s1
        });
        let mut sel = Select::new();
        sel.recv(&r1);
        let i2 = sel.recv(&r2);
        let (op, took) = timed(|| sel.select());
        assert_eq!(op.index(), i2, "{flavor:?}");
        assert_eq!(op.recv(&r2), Ok(2));
        assert_prompt(took);
        drop(h.join().unwrap());
    }
}

#[test]
fn blocking_send_select_is_woken_by_room() {
    for flavor in [Flavor::Zero, Flavor::One, Flavor::Bounded(3)] {
        let (s, r) = flavor.make::<usize>();
        for i in 0..flavor.buffer() {
            s.send(i).unwrap();
        }
        let h = thread::spawn(move || {
            settle();
            let got: Vec<usize> = (0..=flavor.buffer()).map(|_| r.recv().unwrap()).collect();
            got
        });
        let mut sel = Select::new();
        let i = sel.send(&s);
        let op = sel.select_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(op.index(), i);
        op.send(&s, 99).unwrap();
        let got = h.join().unwrap();
        assert_eq!(got.last(), Some(&99), "{flavor:?}");
    }
}

#[test]
fn after_works_as_a_timeout() {
    let (_s, r) = unbounded::<u8>();
    let start = Instant::now();
    let timeout = after(D);
    let mut sel = Select::new();
    let ir = sel.recv(&r);
    let it = sel.recv(&timeout);
    assert_ne!(ir, it);
    let op = sel.select();
    assert_eq!(op.index(), it);
    let when = op.recv(&timeout).unwrap();
    assert!(when >= start + D);
    assert_about(start.elapsed(), D);
}

#[test]
fn the_shorter_timer_wins() {
    let long = after(Duration::from_secs(30));
    let short = after(D);
    let mut sel = Select::new();
    sel.recv(&long);
    let is = sel.recv(&short);
    let (op, took) = timed(|| sel.select());
    assert_eq!(op.index(), is);
    op.recv(&short).unwrap();
    assert_about(took, D);
}

#[test]
fn tick_in_a_selection() {
    let t = tick(Duration::from_millis(20));
    let (_s, r) = bounded::<u8>(0);
    let mut sel = Select::new();
    sel.recv(&r);
    let it = sel.recv(&t);
    for _ in 0..3 {
        let op = sel.select_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(op.index(), it);
        op.recv(&t).unwrap();
    }
}

#[test]
fn disconnected_channels_are_ready() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<String>();
        drop(s);
        let mut sel = Select::new();
        let i = sel.recv(&r);
        let op = sel.try_select().unwrap();
        assert_eq!(op.index(), i);
        assert_eq!(op.recv(&r), Err(RecvError), "{flavor:?}");
        assert_eq!(sel.try_ready(), Ok(i));
        assert_eq!(sel.ready(), i);

        let (s, r) = flavor.make::<String>();
        drop(r);
        let mut sel = Select::new();
        let i = sel.send(&s);
        let op = sel.select();
        assert_eq!(op.index(), i);
        assert_eq!(
            op.send(&s, "back".into()),
            Err(SendError("back".into())),
            "{flavor:?}"
        );
    }
}

#[test]
fn disconnection_wakes_a_blocked_select() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        let (_s2, r2) = flavor.make::<u8>();
        let h = thread::spawn(move || {
            settle();
            drop(s);
        });
        let mut sel = Select::new();
        sel.recv(&r2);
        let i = sel.recv(&r);
        let (op, took) = timed(|| sel.select());
        assert_eq!(op.index(), i);
        assert_eq!(op.recv(&r), Err(RecvError), "{flavor:?}");
        assert_prompt(took);
        h.join().unwrap();
    }
}

#[test]
fn close_wakes_a_blocked_select() {
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<u8>();
        let s2 = s.clone();
        let h = thread::spawn(move || {
            settle();
            assert!(s2.close());
        });
        let mut sel = Select::new();
        let i = sel.recv(&r);
        let op = sel.select_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(op.index(), i);
        assert_eq!(op.recv(&r), Err(RecvError), "{flavor:?}");
        h.join().unwrap();
        drop(s);
    }
}

#[test]
fn never_is_never_ready() {
    let n = never::<u8>();
    let (s, r) = unbounded::<u8>();
    let mut sel = Select::new();
    sel.recv(&n);
    assert!(sel.try_select().is_err());
    assert!(sel.try_ready().is_err());
    let (res, took) = timed(|| sel.select_timeout(D).map(|op| op.index()));
    assert!(res.is_err());
    assert_about(took, D);
    // Beside a ready channel, the ready one is always chosen.
    let ir = sel.recv(&r);
    for i in 0..50 {
        s.send(i).unwrap();
        let op = sel.select();
        assert_eq!(op.index(), ir);
        assert_eq!(op.recv(&r), Ok(i));
    }
}

#[test]
fn the_same_channel_twice() {
    let (s, r) = unbounded::<u32>();
    let r_clone = r.clone();
    let mut sel = Select::new();
    let a = sel.recv(&r);
    let b = sel.recv(&r_clone);
    assert_ne!(a, b);
    s.send(1).unwrap();
    let op = sel.try_select().unwrap();
    assert!(op.index() == a || op.index() == b);
    let used = if op.index() == a { &r } else { &r_clone };
    assert_eq!(op.recv(used), Ok(1));
    // One message, received once.
    assert!(sel.try_select().is_err());

    // Send and receive on the same buffered channel: only what is possible is ready.
    let (s, r) = bounded::<u32>(1);
    let mut sel = Select::new();
    let is = sel.send(&s);
    let ir = sel.recv(&r);
    let op = sel.try_select().unwrap();
    assert_eq!(op.index(), is, "empty channel: only the send is ready");
    op.send(&s, 3).unwrap();
    let op = sel.try_select().unwrap();
    assert_eq!(op.index(), ir, "full channel: only the receive is ready");
    assert_eq!(op.recv(&r), Ok(3));
}

#[test]
fn remove_takes_an_operation_out() {
    let (s1, r1) = unbounded::<u8>();
    let (s2, r2) = unbounded::<u8>();
    let (s3, r3) = unbounded::<u8>();
    let mut sel = Select::new();
    let i1 = sel.recv(&r1);
    let i2 = sel.recv(&r2);
    let i3 = sel.recv(&r3);
    s1.send(1).unwrap();
    sel.remove(i1);
    assert!(
        sel.try_select().is_err(),
        "a removed operation must not be selected"
    );
    // The indices of the others are unchanged.
    s3.send(3).unwrap();
    let op = sel.try_select().unwrap();
    assert_eq!(op.index(), i3);
    assert_eq!(op.recv(&r3), Ok(3));
    s2.send(2).unwrap();
    let op = sel.try_select().unwrap();
    assert_eq!(op.index(), i2);
    assert_eq!(op.recv(&r2), Ok(2));
    // A new operation gets an index not used before.
    let i4 = sel.recv(&r1);
    assert!(i4 != i1 && i4 != i2 && i4 != i3);
    let op = sel.try_select().unwrap();
    assert_eq!(op.index(), i4);
    assert_eq!(op.recv(&r1), Ok(1));
    // The removed operation's message was not consumed by the selection.
    assert!(r1.is_empty());
}

#[test]
fn ready_does_not_consume() {
    let (s, r) = unbounded::<u8>();
    let (_s2, r2) = unbounded::<u8>();
    let mut sel = Select::new();
    sel.recv(&r2);
    let i = sel.recv(&r);
    assert_eq!(sel.try_ready(), Err(TryReadyError));
    s.send(8).unwrap();
    assert_eq!(sel.try_ready(), Ok(i));
    assert_eq!(sel.ready(), i);
    assert_eq!(sel.ready_timeout(D), Ok(i));
    assert_eq!(sel.ready_deadline(Instant::now() + D), Ok(i));
    assert_eq!(r.len(), 1, "ready must not take the message");
    assert_eq!(r.recv(), Ok(8));
    let (res, took) = timed(|| sel.ready_timeout(D));
    assert_eq!(res, Err(ReadyTimeoutError));
    assert_about(took, D);
}

#[test]
fn blocking_ready_is_woken() {
    let (s, r) = bounded::<u8>(1);
    let mut sel = Select::new();
    let i = sel.recv(&r);
    let h = thread::spawn(move || {
        settle();
        s.send(1).unwrap();
        s
    });
    let (idx, took) = timed(|| sel.ready());
    assert_eq!(idx, i);
    assert_prompt(took);
    assert_eq!(r.try_recv(), Ok(1));
    drop(h.join().unwrap());
}

#[test]
fn past_deadline_acts_like_try() {
    let (s, r) = unbounded::<u8>();
    let mut sel = Select::new();
    let i = sel.recv(&r);
    let past = Instant::now() - Duration::from_millis(10);
    let (res, took) = timed(|| sel.select_deadline(past).map(|op| op.index()));
    assert_eq!(res, Err(SelectTimeoutError));
    assert_prompt(took);
    s.send(1).unwrap();
    let op = sel.select_deadline(past).unwrap();
    assert_eq!(op.index(), i);
    assert_eq!(op.recv(&r), Ok(1));
}

#[test]
fn biased_picks_the_first_ready() {
    let chans: Vec<_> = (0..4).map(|_| unbounded::<u32>()).collect();
    let mut sel = Select::new_biased();
    let idx: Vec<usize> = chans.iter().map(|(_, r)| sel.recv(r)).collect();
    for (s, _) in &chans[1..] {
        for i in 0..300 {
            s.send(i).unwrap();
        }
    }
    // The first is empty: the second wins every time.
    for i in 0..300 {
        assert_eq!(sel.try_ready(), Ok(idx[1]));
        let op = sel.select();
        assert_eq!(op.index(), idx[1]);
        assert_eq!(op.recv(&chans[1].1), Ok(i));
    }
    // Now the third.
    let op = sel.try_select().unwrap();
    assert_eq!(op.index(), idx[2]);
    op.recv(&chans[2].1).unwrap();
    // The first becomes ready: it wins.
    chans[0].0.send(7).unwrap();
    assert_eq!(sel.ready(), idx[0]);
}

#[test]
fn completing_with_a_clone_of_the_handle_works() {
    let (s, r) = bounded::<u8>(2);
    let r_clone = r.clone();
    let s_clone = s.clone();
    let mut sel = Select::new();
    sel.send(&s);
    let op = sel.select();
    op.send(&s_clone, 4).unwrap();
    let mut sel = Select::new();
    sel.recv(&r);
    let op = sel.select();
    assert_eq!(op.recv(&r_clone), Ok(4));
}

#[test]
fn completing_with_another_channels_handle_panics() {
    let (s1, r1) = unbounded::<u8>();
    let (s2, r2) = unbounded::<u8>();
    s1.send(1).unwrap();
    let msg = expect_panic(|| {
        let mut sel = Select::new();
        sel.recv(&r1);
        let op = sel.select();
        op.recv(&r2)
    });
    assert!(
        msg.contains("channel") || msg.contains("operation"),
        "{msg}"
    );

    let msg = expect_panic(|| {
        let mut sel = Select::new();
        sel.send(&s1);
        let op = sel.select();
        op.send(&s2, 5)
    });
    assert!(
        msg.contains("channel") || msg.contains("operation"),
        "{msg}"
    );

    // The abandoned receive above dropped its message (the claim is given up so the
    // channel stays usable), so give the next selection one to claim.
    assert_eq!(r1.try_recv(), Err(channel_select::TryRecvError::Empty));
    s1.send(2).unwrap();
    // A receive selected, completed as a send on the same channel.
    let msg = expect_panic(|| {
        let mut sel = Select::new();
        sel.recv(&r1);
        let op = sel.select();
        op.send(&s1, 6)
    });
    assert!(!msg.is_empty());
    // The channels still work.
    s2.send(9).unwrap();
    assert_eq!(r2.try_recv(), Ok(9));
}

#[test]
fn dropping_a_selected_operation_panics() {
    let (s, r) = unbounded::<u8>();
    s.send(1).unwrap();
    let msg = expect_panic(|| {
        let mut sel = Select::new();
        sel.recv(&r);
        let op = sel.select();
        drop(op);
    });
    assert!(
        msg.contains("complet"),
        "the message should say it was not completed: {msg}"
    );
}

#[test]
fn forgetting_a_selected_operation_is_safe() {
    let (s, r) = unbounded::<u8>();
    s.send(2).unwrap();
    let mut sel = Select::new();
    sel.recv(&r);
    std::mem::forget(sel.select());
    drop((s, r));
}

#[test]
fn send_select_and_recv_select_pair_up_on_rendezvous() {
    for _ in 0..20 {
        let (s, r) = bounded::<u32>(0);
        let (_dummy_s, dummy_r) = bounded::<u32>(0);
        let sender = thread::spawn(move || {
            let mut sel = Select::new();
            let i = sel.send(&s);
            let op = sel.select_timeout(Duration::from_secs(10)).unwrap();
            assert_eq!(op.index(), i);
            op.send(&s, 42).unwrap();
        });
        let mut sel = Select::new();
        sel.recv(&dummy_r);
        let i = sel.recv(&r);
        let op = sel.select_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(op.index(), i);
        assert_eq!(op.recv(&r), Ok(42));
        sender.join().unwrap();
    }
}

#[test]
fn a_thread_does_not_pair_with_itself() {
    let (s, r) = bounded::<u32>(0);
    let mut sel = Select::new();
    sel.send(&s);
    sel.recv(&r);
    assert!(sel.try_select().is_err());
    let (res, took) = timed(|| sel.select_timeout(D).map(|op| op.index()));
    assert_eq!(res, Err(SelectTimeoutError));
    assert_about(took, D);
}

#[test]
fn more_than_eight_operations() {
    let chans: Vec<_> = (0..20).map(|_| unbounded::<usize>()).collect();
    let mut sel = Select::new();
    let idx: Vec<usize> = chans.iter().map(|(_, r)| sel.recv(r)).collect();
    assert!(sel.try_select().is_err());
    for k in [13, 0, 19, 8] {
        chans[k].0.send(k).unwrap();
        let op = sel.try_select().unwrap();
        assert_eq!(op.index(), idx[k]);
        assert_eq!(op.recv(&chans[k].1), Ok(k));
    }
    // Blocking with many operations, woken by the last one.
    let s = chans[19].0.clone();
    let h = thread::spawn(move || {
        settle();
        s.send(99).unwrap();
    });
    let op = sel.select();
    assert_eq!(op.index(), idx[19]);
    assert_eq!(op.recv(&chans[19].1), Ok(99));
    h.join().unwrap();
}

/// A message moves round a ring of channels, the next copy sent before the last is
/// taken, so one is always there. Non-blocking selections over the whole ring, fair
/// and biased, never report "nothing ready": their confirming pass sees every move.
/// Rings of 4 and of 20 operations (more than a selection records in place).
#[test]
fn non_blocking_selections_see_a_message_moving_round_a_ring() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    const MOVES: usize = if cfg!(miri) { 200 } else { 20_000 };
    for k in [4, 20] {
        let chans: Vec<_> = (0..k).map(|_| bounded::<usize>(2)).collect();
        chans[0].0.send(0).unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let mover = {
            let chans = chans.clone();
            let done = done.clone();
            thread::spawn(move || {
                for i in 0..MOVES {
                    let j = i % k;
                    chans[(j + 1) % k].0.send(i + 1).unwrap();
                    // Blocks while the selector holds this message (it puts it back).
                    assert_eq!(chans[j].1.recv(), Ok(i));
                }
                done.store(true, Ordering::SeqCst);
            })
        };
        while !done.load(Ordering::SeqCst) {
            for biased in [false, true] {
                let mut sel = if biased {
                    Select::new_biased()
                } else {
                    Select::new()
                };
                for (_, r) in &chans {
                    sel.recv(r);
                }
                assert!(
                    sel.try_ready().is_ok(),
                    "try_ready: nothing ready, ring of {k}"
                );
                let op = sel.try_select().expect("try_select: nothing ready");
                let i = op.index();
                let m = op.recv(&chans[i].1).unwrap();
                chans[i].0.send(m).unwrap(); // put it back where it was
            }
        }
        mover.join().unwrap();
        assert_eq!(chans[0].1.try_recv(), Ok(MOVES));
    }
}

#[test]
fn select_is_clone_and_debug() {
    let (s, r) = unbounded::<u8>();
    let (s2, r2) = unbounded::<u8>();
    let mut sel = Select::new();
    let i = sel.recv(&r);
    let mut copy = sel.clone();
    assert!(!format!("{sel:?}").is_empty());
    s.send(1).unwrap();
    let op = copy.try_select().unwrap();
    assert_eq!(op.index(), i);
    assert_eq!(op.recv(&r), Ok(1));
    assert!(sel.try_select().is_err());
    // Adding to the clone does not change the original.
    copy.recv(&r2);
    s2.send(2).unwrap();
    assert!(sel.try_select().is_err());
    assert!(copy.try_select().map(|op| op.recv(&r2)).is_ok());
}

/// A selection that loses on some channels must not take their messages.
#[test]
fn losing_operations_keep_their_messages() {
    for flavor in FLAVORS {
        for _ in 0..20 {
            let (s1, r1) = flavor.make::<u8>();
            let (s2, r2) = flavor.make::<u8>();
            let h = thread::spawn(move || {
                let mut sel = Select::new();
                let i1 = sel.recv(&r1);
                let i2 = sel.recv(&r2);
                let op = sel.select_timeout(Duration::from_secs(10)).unwrap();
                let got = if op.index() == i1 {
                    (1, op.recv(&r1).unwrap())
                } else {
                    assert_eq!(op.index(), i2);
                    (2, op.recv(&r2).unwrap())
                };
                // Take the other one directly.
                let other = if got.0 == 1 { r2.recv() } else { r1.recv() };
                (got.1, other.unwrap())
            });
            let t1 = thread::spawn(move || s1.send(1).unwrap());
            let t2 = thread::spawn(move || s2.send(2).unwrap());
            let (a, b) = h.join().unwrap();
            t1.join().unwrap();
            t2.join().unwrap();
            let mut both = [a, b];
            both.sort_unstable();
            assert_eq!(both, [1, 2], "{flavor:?}");
        }
    }
}

/// Runs `f` on its own thread and waits at most `limit` for it; `None` if it hangs
/// (the thread is then left behind, and dies with the test process).
fn within<R: Send + 'static>(limit: Duration, f: impl FnOnce() -> R + Send + 'static) -> Option<R> {
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).ok()
}

/// Completing a selected receive with the wrong handle panics, and the selected
/// channel is still usable afterwards: non-blocking calls return at once, timed
/// calls honour their timeouts, and messages keep flowing.
#[test]
fn a_wrong_handle_panic_leaves_the_channel_usable() {
    for flavor in BUFFERED {
        let outcome = within(Duration::from_secs(3), move || {
            let (s1, r1) = flavor.make::<u8>();
            let (_s2, r2) = unbounded::<u8>();
            s1.send(1).unwrap();
            expect_panic(|| {
                let mut sel = Select::new();
                sel.recv(&r1);
                let op = sel.select();
                op.recv(&r2)
            });
            // The first message may or may not have survived; the channel must work.
            let _ = r1.try_recv();
            let mut round_trips = 0;
            for i in 0..10 {
                if s1.send_timeout(i, Duration::from_millis(100)).is_ok()
                    && r1.recv_timeout(Duration::from_millis(100)) == Ok(i)
                {
                    round_trips += 1;
                }
            }
            round_trips
        });
        assert_eq!(
            outcome,
            Some(10),
            "{flavor:?}: channel wedged after the panic"
        );
    }
}

/// A selected rendezvous send dropped uncompleted releases the receiver it claimed:
/// that receiver waits again and gets the next real message, within its deadline.
#[test]
fn an_abandoned_rendezvous_send_releases_its_receiver() {
    let outcome = within(Duration::from_secs(10), || {
        let (s, r) = bounded::<u8>(0);
        let receiver = thread::spawn(move || r.recv_timeout(Duration::from_secs(5)));
        // Let the receiver park, so the selection below claims it.
        thread::sleep(Duration::from_millis(100));
        let msg = expect_panic(|| {
            let mut sel = Select::new();
            sel.send(&s);
            let oper = sel
                .select_timeout(Duration::from_secs(2))
                .expect("a receiver is waiting");
            drop(oper);
        });
        assert!(msg.contains("SelectedOperation"), "{msg}");
        s.send(9).unwrap();
        receiver.join().unwrap()
    });
    assert_eq!(outcome, Some(Ok(9)), "the receiver was left waiting");
}

/// The same, with the receiver itself selecting: completing its selected receive after
/// the sender gave up falls back to an ordinary receive of the next message.
#[test]
fn an_abandoned_rendezvous_send_releases_a_selecting_receiver() {
    let outcome = within(Duration::from_secs(10), || {
        let (s, r) = bounded::<u8>(0);
        let receiver = thread::spawn(move || {
            let mut sel = Select::new();
            sel.recv(&r);
            let oper = sel.select();
            oper.recv(&r)
        });
        thread::sleep(Duration::from_millis(100));
        let _ = expect_panic(|| {
            let mut sel = Select::new();
            sel.send(&s);
            drop(
                sel.select_timeout(Duration::from_secs(2))
                    .expect("a receiver is waiting"),
            );
        });
        s.send(4).unwrap();
        receiver.join().unwrap()
    });
    assert_eq!(
        outcome,
        Some(Ok(4)),
        "the selecting receiver was left waiting"
    );
}
