//! Blocking threads feeding an async service: the bridge most programs need.
//!
//! Run with `cargo run --release --example async_bridge -- WORKERS JOBS_PER_WORKER`
//! (defaults: 3 workers, 20000 jobs each).
//!
//! Worker threads (plain blocking code: think file readers or a GUI) send jobs into a
//! `bounded` channel with the ordinary blocking `send`. An async service on a tokio
//! runtime waits with `select_async!` on three things at once: the job channel, a
//! shutdown channel and a `tick` heartbeat. It answers each job on a reply channel that
//! a blocking thread drains. When the workers are done, the main thread closes the
//! shutdown channel; the service drains what is left and stops. At the end it checks
//! that every job was answered exactly once, with the right answer.

use junction::{bounded, select_async, tick, unbounded, Receiver, Sender};
use std::time::{Duration, Instant};
use std::{env, thread};

/// Reads the positional argument `n`, or `default` if it is absent.
fn arg(n: usize, name: &str, default: u64) -> u64 {
    match env::args().nth(n) {
        Some(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, got {s:?}")),
        None => default,
    }
}

/// The async service: squares each job, until shut down and drained. Returns how many
/// heartbeats it saw.
async fn service(jobs: Receiver<u64>, shutdown: Receiver<()>, replies: Sender<(u64, u64)>) -> u32 {
    let heartbeat = tick(Duration::from_millis(50));
    let mut beats = 0;
    loop {
        select_async! {
            recv(jobs) -> job => match job {
                Ok(j) => replies.send_async((j, j * j)).await.unwrap(),
                Err(_) => break, // every worker is gone and the queue is empty
            },
            recv(shutdown) -> _ => {
                // Shut down: answer what is already queued, then stop.
                while let Ok(j) = jobs.try_recv() {
                    replies.send_async((j, j * j)).await.unwrap();
                }
                break;
            },
            recv(heartbeat) -> _ => beats += 1,
        }
    }
    beats
}

fn main() {
    let workers = arg(1, "WORKERS", 3);
    let per_worker = arg(2, "JOBS_PER_WORKER", 20_000);
    println!("{workers} blocking workers x {per_worker} jobs -> one async service");
    let start = Instant::now();

    let (jobs_tx, jobs) = bounded::<u64>(256);
    let (shutdown_tx, shutdown) = bounded::<()>(0);
    let (replies_tx, replies) = unbounded::<(u64, u64)>();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let service = runtime.spawn(service(jobs, shutdown, replies_tx));

    // Blocking producers: worker w sends w * per_worker .. (w + 1) * per_worker.
    let producers: Vec<_> = (0..workers)
        .map(|w| {
            let jobs_tx = jobs_tx.clone();
            thread::spawn(move || {
                for j in w * per_worker..(w + 1) * per_worker {
                    jobs_tx.send(j).unwrap(); // blocks while the service is behind
                }
            })
        })
        .collect();
    drop(jobs_tx);
    // A blocking consumer of the replies.
    let checker = thread::spawn(move || {
        let mut answered = vec![false; (workers * per_worker) as usize];
        for (job, square) in replies.iter() {
            assert_eq!(square, job * job, "wrong answer for job {job}");
            assert!(!answered[job as usize], "job {job} answered twice");
            answered[job as usize] = true;
        }
        answered.iter().filter(|&&a| a).count()
    });

    producers.into_iter().for_each(|p| p.join().unwrap());
    drop(shutdown_tx); // disconnecting the shutdown channel makes its arm ready
    let beats = runtime.block_on(service).unwrap();
    let answered = checker.join().unwrap() as u64;
    let elapsed = start.elapsed();

    println!("answered {answered} jobs in {elapsed:.2?}, {beats} heartbeats on the way");
    assert_eq!(answered, workers * per_worker, "every job answered");
    println!("every job answered once, correctly: ok");
}
