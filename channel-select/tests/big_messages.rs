//! 1 MiB messages work in every flavor on a thread with an 8 MiB stack: the channel
//! never keeps several copies of a message on the stack.

mod common;

use channel_select::{Receiver, Sender};
use common::{Flavor, BUFFERED, FLAVORS};
use std::thread;
use std::time::Duration;

/// The message size: 1 MiB (16 KiB under Miri, where touching every byte is slow).
const SIZE: usize = if cfg!(miri) { 1 << 14 } else { 1 << 20 };

/// A 1 MiB message.
struct Big([u8; SIZE]);

impl Big {
    /// The byte every position holds; panics if the message is corrupted.
    fn fill(&self) -> u8 {
        let b = self.0[0];
        assert!(self.0.iter().all(|&x| x == b), "corrupted big message");
        b
    }
}

// The helpers below keep each 1 MiB value in a small frame of its own, so the test's
// own frames stay far below the 8 MiB stack even in debug builds.

#[inline(never)]
fn big(fill: u8) -> Box<Big> {
    let mut b: Box<Big> = Box::new(Big([0; SIZE]));
    b.0.fill(fill);
    b
}

/// Sends a big message built on the stack; on failure returns the handed-back fill.
#[inline(never)]
fn send_big(s: &Sender<Big>, fill: u8, how: u8) -> Result<(), u8> {
    let msg = Big([fill; SIZE]);
    match how {
        0 => s.send(msg).map_err(|e| e.into_inner().fill()),
        1 => s.try_send(msg).map_err(|e| e.into_inner().fill()),
        _ => s
            .send_timeout(msg, Duration::from_secs(10))
            .map_err(|e| e.into_inner().fill()),
    }
}

/// Receives a big message and returns its fill.
#[inline(never)]
fn recv_big(r: &Receiver<Big>, how: u8) -> Option<u8> {
    match how {
        0 => r.recv().ok().map(|m| m.fill()),
        1 => r.try_recv().ok().map(|m| m.fill()),
        _ => r
            .recv_timeout(Duration::from_secs(10))
            .ok()
            .map(|m| m.fill()),
    }
}

/// The stack of each test thread. In release builds a channel operation on a 1 MiB
/// message needs about 2 MiB of stack beyond its caller's (4 MiB for a rendezvous send,
/// which also holds the message in its packet); this test's own frames take about 5 MiB
/// more. Debug builds give every temporary its own stack slot and need about twice that.
const STACK: usize = if cfg!(debug_assertions) {
    32 << 20
} else {
    16 << 20
};

/// Runs `f` on a thread with a [`STACK`]-sized stack.
fn on_big_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn one_mib_messages_work_in_every_flavor() {
    for flavor in FLAVORS {
        on_big_stack(move || {
            let (s, r) = flavor.make::<Big>();
            let sender = thread::Builder::new()
                .stack_size(STACK)
                .spawn(move || {
                    for i in 0..3u8 {
                        send_big(&s, i, 0).unwrap();
                    }
                    send_big(&s, 3, 2).unwrap();
                    s
                })
                .unwrap();
            for i in 0..3u8 {
                assert_eq!(recv_big(&r, 0), Some(i), "{flavor:?}");
            }
            assert_eq!(recv_big(&r, 2), Some(3), "{flavor:?}");
            let s = sender.join().unwrap();
            assert_eq!(recv_big(&r, 1), None);
            if flavor != Flavor::Zero {
                send_big(&s, 5, 1).unwrap();
                assert_eq!(recv_big(&r, 1), Some(5));
                // A boxed big message goes through too (moved out of the box by the caller).
                s.send(*big(6)).unwrap();
                assert_eq!(recv_big(&r, 1), Some(6));
            }
            drop(r);
            // Failed sends hand the big message back intact.
            assert_eq!(send_big(&s, 7, 0), Err(7));
            assert_eq!(send_big(&s, 8, 1), Err(8));
            assert_eq!(send_big(&s, 9, 2), Err(9));
        });
    }
}

#[test]
fn one_mib_messages_left_in_a_channel_are_freed() {
    for flavor in BUFFERED {
        on_big_stack(move || {
            let (s, r) = flavor.make::<Big>();
            let n = flavor.buffer().min(3) as u8;
            for i in 0..n {
                send_big(&s, i, 0).unwrap();
            }
            assert_eq!(recv_big(&r, 1), Some(0));
            drop((s, r));
        });
    }
}

/// A 16 MiB message.
struct Huge([u8; 16 << 20]);

/// Sends a huge message made in place and returns whether it went through.
#[inline(never)]
fn send_huge(s: &channel_select::Sender<Huge>, fill: u8, select: bool) -> bool {
    let msg = Huge([fill; 16 << 20]);
    if select {
        let mut sel = channel_select::Select::new();
        sel.send(s);
        sel.select().send(s, msg).is_ok()
    } else {
        s.send(msg).is_ok()
    }
}

/// Receives a huge message and returns its first and last byte.
#[inline(never)]
fn recv_huge(r: &channel_select::Receiver<Huge>, select: bool) -> Option<(u8, u8)> {
    let msg = if select {
        let mut sel = channel_select::Select::new();
        sel.recv(r);
        sel.select().recv(r).ok()?
    } else {
        r.recv().ok()?
    };
    Some((msg.0[0], msg.0[(16 << 20) - 1]))
}

/// 16 MiB messages go through every flavor, plainly and through selection, on threads
/// whose stacks hold a few copies (the 1 MiB test above bounds the copies).
#[test]
#[cfg_attr(miri, ignore = "16 MiB copied byte by byte: hours under Miri")]
fn sixteen_mib_messages_work_in_every_flavor() {
    let stack = if cfg!(debug_assertions) {
        1 << 30
    } else {
        256 << 20
    };
    for flavor in FLAVORS {
        let (s, r) = flavor.make::<Huge>();
        let sender = thread::Builder::new()
            .stack_size(stack)
            .spawn(move || [send_huge(&s, 1, false), send_huge(&s, 2, true)])
            .unwrap();
        let receiver = thread::Builder::new()
            .stack_size(stack)
            .spawn(move || [recv_huge(&r, true), recv_huge(&r, false)])
            .unwrap();
        assert_eq!(sender.join().unwrap(), [true, true], "{flavor:?}");
        assert_eq!(
            receiver.join().unwrap(),
            [Some((1, 1)), Some((2, 2))],
            "{flavor:?}"
        );
    }
}
