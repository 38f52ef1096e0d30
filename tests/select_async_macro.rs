//! `select_async!`: `select!`'s grammar and meaning, awaiting in the enclosing async
//! context. Fairness, `biased;`, guards, `default`, `default(t)`, `#[cfg]`, many arms,
//! control flow in bodies, `Send` futures on tokio, blocking and async peers, and
//! cancellation of a waiting `select_async!`.

use futures::executor::block_on;
use junction::{after, bounded, never, select_async, select_biased_async, tick, unbounded};
use junction::{Receiver, RecvError, SendError, Sender};
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

fn four_ready(n: usize) -> Vec<(Sender<usize>, Receiver<usize>)> {
    (0..4)
        .map(|_| {
            let (s, r) = unbounded();
            (0..n).for_each(|i| s.send(i).unwrap());
            (s, r)
        })
        .collect()
}

#[test]
fn ready_arms_are_chosen_fairly() {
    let n = 4000;
    let chans = four_ready(n);
    let mut counts = [0usize; 4];
    block_on(async {
        for _ in 0..n {
            let i = select_async! {
                recv(chans[0].1) -> _ => 0,
                recv(chans[1].1) -> _ => 1,
                recv(chans[2].1) -> _ => 2,
                recv(chans[3].1) -> _ => 3,
            };
            counts[i] += 1;
        }
    });
    for c in counts {
        assert!((800..1200).contains(&c), "unfair: {counts:?}");
    }
}

#[test]
fn biased_takes_the_first_ready_arm() {
    let chans = four_ready(10);
    block_on(async {
        for _ in 0..10 {
            let i = select_async! {
                biased;
                recv(chans[2].1) -> _ => 2,
                recv(chans[0].1) -> _ => 0,
                recv(chans[1].1) -> _ => 1,
            };
            assert_eq!(i, 2);
        }
        let i = select_biased_async! {
            recv(chans[3].1) -> _ => 3,
            recv(chans[0].1) -> _ => 0,
        };
        assert_eq!(i, 3);
    });
}

#[test]
fn guards_disable_arms_and_skip_their_handles() {
    let (s, r) = unbounded::<u8>();
    s.send(1).unwrap();
    let none: Option<&Receiver<u8>> = std::hint::black_box(None);
    block_on(async {
        let got = select_async! {
            recv(none.unwrap()) -> _, if none.is_some() => unreachable!(),
            recv(r) -> m, if true => m.unwrap(),
        };
        assert_eq!(got, 1);
        let ran_default = select_async! {
            recv(r) -> _, if false => false,
            default => true,
        };
        assert!(ran_default);
    });
}

#[test]
fn every_arm_disabled_without_default_panics_saying_so() {
    let (_s, r) = unbounded::<u8>();
    let err = std::panic::catch_unwind(|| {
        block_on(async {
            select_async! {
                recv(r) -> _, if false => {},
            }
        })
    })
    .unwrap_err();
    let msg = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap();
    assert!(msg.contains("disabled"), "{msg}");
}

#[test]
fn disconnected_arms_are_ready_with_errors() {
    let (s, r) = unbounded::<u8>();
    drop(s);
    let (s2, r2) = bounded::<String>(0);
    drop(r2);
    block_on(async {
        select_async! {
            recv(r) -> m => assert_eq!(m, Err(RecvError)),
        }
        let back = select_async! {
            send(s2, "back".to_string()) -> res => res.unwrap_err(),
        };
        assert_eq!(back, SendError("back".to_string()));
    });
}

#[test]
fn default_runs_only_when_nothing_is_ready_and_default_t_waits() {
    let (s, r) = unbounded::<u8>();
    block_on(async {
        let got = select_async! {
            recv(r) -> m => m.ok(),
            default => None,
        };
        assert_eq!(got, None);
        let start = Instant::now();
        let got = select_async! {
            recv(r) -> m => m.ok(),
            default(Duration::from_millis(30)) => None,
        };
        assert_eq!(got, None);
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(30), "{waited:?}");
        assert!(waited < Duration::from_secs(2), "{waited:?}");
        s.send(4).unwrap();
        let got = select_async! {
            recv(r) -> m => m.ok(),
            default(Duration::from_secs(5)) => None,
        };
        assert_eq!(got, Some(4));
    });
}

#[test]
fn a_message_arriving_from_a_thread_wakes_the_task() {
    let (s, r) = bounded::<u32>(0);
    let (_s2, r2) = unbounded::<u32>();
    let sender = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        s.send(11).unwrap();
    });
    let got = block_on(async {
        select_async! {
            recv(r2) -> _ => unreachable!(),
            recv(r) -> m => m.unwrap(),
        }
    });
    assert_eq!(got, 11);
    sender.join().unwrap();
}

#[test]
fn a_send_arm_message_is_evaluated_only_when_selected() {
    let (s_full, _r_full) = bounded::<u32>(1);
    s_full.send(0).unwrap();
    let (s, r) = bounded::<u32>(1);
    let made = Cell::new(0);
    let make = |v| {
        made.set(made.get() + 1);
        v
    };
    block_on(async {
        select_async! {
            send(s_full, make(1)) -> _ => unreachable!(),
            send(s, make(2)) -> res => res.unwrap(),
        }
    });
    assert_eq!(made.get(), 1);
    assert_eq!(r.recv(), Ok(2));
}

#[test]
fn bodies_can_await_break_continue_return_and_use_question_mark() {
    async fn sum_until_disconnected(r: &Receiver<u32>) -> Result<u32, RecvError> {
        let mut sum = 0;
        let mut skipped = 0;
        loop {
            select_async! {
                recv(r) -> m => {
                    let v = m?;
                    if v == 0 {
                        skipped += 1;
                        continue;
                    }
                    if v == 100 {
                        return Ok(sum + 1000 * skipped);
                    }
                    sum += after(Duration::from_millis(1)).recv_async().await.map(|_| v).unwrap();
                },
                recv(never::<()>()) -> _ => break,
            }
        }
        unreachable!("the never arm never breaks");
    }
    let (s, r) = unbounded();
    for v in [1, 0, 2, 0, 3, 100] {
        s.send(v).unwrap();
    }
    assert_eq!(block_on(sum_until_disconnected(&r)), Ok(2006));
    drop(s);
    assert_eq!(block_on(sum_until_disconnected(&r)), Err(RecvError));
}

#[test]
fn cfg_removes_arms() {
    let (s, r) = unbounded::<u8>();
    s.send(1).unwrap();
    let got = block_on(async {
        select_async! {
            #[cfg(any())]
            recv(receiver_that_does_not_exist) -> _ => unreachable!(),
            recv(r) -> m => m.unwrap(),
        }
    });
    assert_eq!(got, 1);
}

#[test]
fn forty_arms_compile_and_work() {
    let chans: Vec<_> = (0..40).map(|_| unbounded::<usize>()).collect();
    chans[37].0.send(37).unwrap();
    let r = |i: usize| &chans[i].1;
    let got = block_on(async {
        select_async! {
            recv(r(0)) -> m => m.unwrap(), recv(r(1)) -> m => m.unwrap(),
            recv(r(2)) -> m => m.unwrap(), recv(r(3)) -> m => m.unwrap(),
            recv(r(4)) -> m => m.unwrap(), recv(r(5)) -> m => m.unwrap(),
            recv(r(6)) -> m => m.unwrap(), recv(r(7)) -> m => m.unwrap(),
            recv(r(8)) -> m => m.unwrap(), recv(r(9)) -> m => m.unwrap(),
            recv(r(10)) -> m => m.unwrap(), recv(r(11)) -> m => m.unwrap(),
            recv(r(12)) -> m => m.unwrap(), recv(r(13)) -> m => m.unwrap(),
            recv(r(14)) -> m => m.unwrap(), recv(r(15)) -> m => m.unwrap(),
            recv(r(16)) -> m => m.unwrap(), recv(r(17)) -> m => m.unwrap(),
            recv(r(18)) -> m => m.unwrap(), recv(r(19)) -> m => m.unwrap(),
            recv(r(20)) -> m => m.unwrap(), recv(r(21)) -> m => m.unwrap(),
            recv(r(22)) -> m => m.unwrap(), recv(r(23)) -> m => m.unwrap(),
            recv(r(24)) -> m => m.unwrap(), recv(r(25)) -> m => m.unwrap(),
            recv(r(26)) -> m => m.unwrap(), recv(r(27)) -> m => m.unwrap(),
            recv(r(28)) -> m => m.unwrap(), recv(r(29)) -> m => m.unwrap(),
            recv(r(30)) -> m => m.unwrap(), recv(r(31)) -> m => m.unwrap(),
            recv(r(32)) -> m => m.unwrap(), recv(r(33)) -> m => m.unwrap(),
            recv(r(34)) -> m => m.unwrap(), recv(r(35)) -> m => m.unwrap(),
            recv(r(36)) -> m => m.unwrap(), recv(r(37)) -> m => m.unwrap(),
            recv(r(38)) -> m => m.unwrap(), recv(r(39)) -> m => m.unwrap(),
        }
    });
    assert_eq!(got, 37);
}

fn assert_send<F: Future + Send>(f: F) -> F {
    f
}

#[test]
fn tasks_selecting_on_tokio_move_every_message_once() {
    // Two blocking producers, two async producers selecting over two channels, two
    // async consumers selecting with a tick and a shutdown channel.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let per = 500;
    let (a_tx, a) = bounded::<usize>(8);
    let (b_tx, b) = bounded::<usize>(0);
    let (stop_tx, stop) = bounded::<()>(0);
    let mut producers = Vec::new();
    for k in 0..2 {
        let (a_tx, b_tx) = (a_tx.clone(), b_tx.clone());
        producers.push(thread::spawn(move || {
            for i in 0..per {
                let v = k * per + i;
                if v % 2 == 0 {
                    a_tx.send(v).unwrap()
                } else {
                    b_tx.send(v).unwrap()
                }
            }
        }));
    }
    let mut tasks = Vec::new();
    for k in 2..4 {
        let (a_tx, b_tx) = (a_tx.clone(), b_tx.clone());
        tasks.push(rt.spawn(assert_send(async move {
            for i in 0..per {
                let v = k * per + i;
                select_async! {
                    send(a_tx, v) -> res => res.unwrap(),
                    send(b_tx, v) -> res => res.unwrap(),
                }
            }
        })));
    }
    drop((a_tx, b_tx));
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let (a, b, stop) = (a.clone(), b.clone(), stop.clone());
            rt.spawn(assert_send(async move {
                let beat = tick(Duration::from_millis(1));
                let mut got = Vec::new();
                let (mut a_open, mut b_open) = (true, true);
                while a_open || b_open {
                    select_async! {
                        recv(a) -> m, if a_open => match m {
                            Ok(v) => got.push(v),
                            Err(_) => a_open = false,
                        },
                        recv(b) -> m, if b_open => match m {
                            Ok(v) => got.push(v),
                            Err(_) => b_open = false,
                        },
                        recv(stop) -> _ => break,
                        recv(beat) -> _ => {},
                    }
                }
                got
            }))
        })
        .collect();
    producers.into_iter().for_each(|p| p.join().unwrap());
    let mut all = rt.block_on(async {
        for t in tasks {
            t.await.unwrap();
        }
        let mut all = Vec::new();
        for c in consumers {
            all.extend(c.await.unwrap());
        }
        all
    });
    drop(stop_tx);
    all.sort_unstable();
    assert_eq!(all, (0..4 * per).collect::<Vec<_>>());
}

#[test]
fn a_waiting_select_async_dropped_evaluates_nothing_and_loses_nothing() {
    let (s, r) = bounded::<u32>(1);
    let (s2, r2) = unbounded::<u32>();
    s.send(0).unwrap(); // full: the send arm waits
    let made = Cell::new(false);
    {
        let fut = async {
            select_async! {
                send(s, { made.set(true); 1 }) -> _ => {},
                recv(r2) -> _ => {},
            }
        };
        let mut fut = pin!(fut);
        let mut cx = Context::from_waker(Waker::noop());
        assert!(fut.as_mut().poll(&mut cx).is_pending());
    } // dropped while waiting
    assert!(!made.get());
    s2.send(5).unwrap();
    assert_eq!(r2.try_recv(), Ok(5), "the message stayed in the channel");
    assert_eq!(r.try_recv(), Ok(0));
    assert!(r.try_recv().is_err());
}

#[test]
fn a_lone_operation_awaits_directly() {
    let (s, r) = bounded::<u32>(0);
    let t = thread::spawn(move || r.recv().unwrap());
    block_on(async {
        select_async! {
            send(s, 3) -> res => res.unwrap(),
        }
    });
    assert_eq!(t.join().unwrap(), 3);
    let timer = after(Duration::from_millis(5));
    let fired = block_on(async {
        select_async! {
            recv(timer) -> m => m.is_ok(),
        }
    });
    assert!(fired);
    let poll = |fut: &mut std::pin::Pin<&mut dyn Future<Output = ()>>| {
        fut.as_mut().poll(&mut Context::from_waker(Waker::noop()))
    };
    let (_s, r) = unbounded::<u8>();
    let mut waiting = pin!(async {
        select_async! {
            recv(r) -> _ => {},
        }
    });
    let mut waiting: std::pin::Pin<&mut dyn Future<Output = ()>> = waiting.as_mut();
    assert_eq!(poll(&mut waiting), Poll::Pending);
}
