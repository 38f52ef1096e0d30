//! A service loop built on `select!`: jobs to handle, a heartbeat, a shutdown channel
//! and an idle timeout, all waited on at once.
//!
//! Run with `cargo run --release --example select_loop`.
//!
//! A client thread sends 12 jobs in three bursts with quiet pauses between them, then
//! asks the service to shut down. The service loop has one arm per event:
//! - `recv(jobs)`: handle a job (square a number);
//! - `recv(heartbeat)`: a `tick` every 100 ms, reporting progress;
//! - `recv(shutdown)`: drain the jobs already queued, then stop;
//! - `default(IDLE)`: nothing at all happened for 60 ms.
//!
//! It prints each event with its time, then the totals, and checks the sum of squares
//! against 1² + 2² + ... + 12² = 650.

use junction::{bounded, select, tick, unbounded};
use std::thread;
use std::time::{Duration, Instant};

/// How long the service waits for any event before it reports itself idle.
const IDLE: Duration = Duration::from_millis(60);

fn main() {
    let (jobs_tx, jobs) = unbounded::<u64>();
    let (shutdown_tx, shutdown) = bounded::<()>(1);
    let heartbeat = tick(Duration::from_millis(100));
    let start = Instant::now();
    let at = || start.elapsed().as_millis();

    let client = thread::spawn(move || {
        for burst in 0..3 {
            for i in 1..=4 {
                jobs_tx.send(burst * 4 + i).unwrap();
                thread::sleep(Duration::from_millis(5));
            }
            thread::sleep(Duration::from_millis(150)); // quiet: the service goes idle
        }
        shutdown_tx.send(()).unwrap();
    });

    let (mut handled, mut sum, mut beats, mut idles) = (0, 0, 0, 0);
    loop {
        select! {
            recv(jobs) -> job => {
                let n = job.expect("the client keeps its sender until after shutdown");
                handled += 1;
                sum += n * n;
                println!("{:>4} ms  job {n:>2} -> {:>3}", at(), n * n);
            }
            recv(heartbeat) -> _ => {
                beats += 1;
                println!("{:>4} ms  heartbeat: {handled} jobs handled so far", at());
            }
            recv(shutdown) -> _ => {
                for n in jobs.try_iter() {
                    handled += 1;
                    sum += n * n;
                }
                println!("{:>4} ms  shutdown", at());
                break;
            }
            default(IDLE) => {
                idles += 1;
                println!("{:>4} ms  idle: nothing happened for {} ms", at(), IDLE.as_millis());
            }
        }
    }
    client.join().unwrap();

    let expected: u64 = (1..=12).map(|n| n * n).sum();
    println!(
        "handled {handled} jobs, sum of squares {sum} (expected {expected}), \
         {beats} heartbeats, {idles} idle periods"
    );
    assert_eq!((handled, sum), (12, expected));
}
