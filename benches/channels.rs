//! criterion benchmarks: junction beside crossbeam-channel, flume, kanal and
//! `std::sync::mpsc` over the case × flavor matrix, the rendezvous ping-pong and
//! `select!` with 2 to 32 arms; first it prints the memory figures.
//!
//! `cargo bench --bench channels` (filter: `-- spsc/bounded`); criterion's HTML
//! reports land in `target/criterion/`. See `benches/README.md`.

// crossbeam-channel's `select!` with 32 arms needs more than the default 128 (junction's
// needs no raise).
#![recursion_limit = "512"]

mod support;

use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode, Throughput,
};
use std::time::Duration;
use support::libs::{Crossbeam, Flume, Junction, Kanal, Std};
use support::workloads::{expect_time, ping_pong, run_case, select_arms};
use support::{alloc, round_messages, supports, Case, Channel, Flavor};

/// Messages per measured run of a matrix cell (and round trips per ping-pong run).
const MESSAGES: u64 = 10_000;

/// Adds library `L`'s benchmark of `case` on `flavor` to `group`, if it can run it.
fn matrix_cell<L: Channel>(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    case: Case,
    flavor: Flavor,
) {
    if !supports::<L>(case, flavor) {
        return;
    }
    let what = format!("{} {} {}", L::NAME, case.name(), flavor.name());
    group.bench_function(L::NAME, |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| expect_time(run_case::<L>(case, flavor, MESSAGES), &what))
                .sum()
        })
    });
}

/// The case × flavor matrix, one group per cell, one benchmark per library.
fn matrix(c: &mut Criterion) {
    for case in Case::ALL {
        for flavor in Flavor::ALL {
            if !supports::<Junction>(case, flavor) {
                continue;
            }
            let mut group = c.benchmark_group(format!("{}/{}", case.name(), flavor.name()));
            group.throughput(Throughput::Elements(round_messages(MESSAGES)));
            group.sampling_mode(SamplingMode::Flat);
            matrix_cell::<Junction>(&mut group, case, flavor);
            matrix_cell::<Crossbeam>(&mut group, case, flavor);
            // flume's Selector can hang under select_both, and criterion cannot survive
            // a hang: its select cells are measured only by `--bench compare`.
            if !case.selects() {
                matrix_cell::<Flume>(&mut group, case, flavor);
            }
            matrix_cell::<Kanal>(&mut group, case, flavor);
            matrix_cell::<Std>(&mut group, case, flavor);
            group.finish();
        }
    }
}

/// Adds library `L`'s rendezvous ping-pong to `group`.
fn ping_pong_of<L: Channel>(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    let what = format!("{} ping-pong", L::NAME);
    group.bench_function(L::NAME, |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| expect_time(ping_pong::<L>(MESSAGES), &what))
                .sum()
        })
    });
}

/// Round trips over two `bounded(0)` channels.
fn rendezvous_ping_pong(c: &mut Criterion) {
    let mut group = c.benchmark_group("ping_pong/bounded(0)");
    group.throughput(Throughput::Elements(MESSAGES));
    group.sampling_mode(SamplingMode::Flat);
    ping_pong_of::<Junction>(&mut group);
    ping_pong_of::<Crossbeam>(&mut group);
    ping_pong_of::<Flume>(&mut group);
    ping_pong_of::<Kanal>(&mut group);
    ping_pong_of::<Std>(&mut group);
    group.finish();
}

/// `select!` with 2, 4, 8 and 32 arms (the libraries with a `select!` macro).
fn select_macro(c: &mut Criterion) {
    for arms in [2, 4, 8, 32] {
        let mut group = c.benchmark_group(format!("select!/{arms} arms"));
        group.throughput(Throughput::Elements(MESSAGES));
        group.sampling_mode(SamplingMode::Flat);
        group.bench_function(Junction::NAME, |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let run =
                            select_arms::<Junction>(arms, MESSAGES, Junction::select_macro_recv);
                        expect_time(run, "junction select!")
                    })
                    .sum()
            })
        });
        group.bench_function(Crossbeam::NAME, |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let run =
                            select_arms::<Crossbeam>(arms, MESSAGES, Crossbeam::select_macro_recv);
                        expect_time(run, "crossbeam select!")
                    })
                    .sum()
            })
        });
        group.finish();
    }
}

/// Prints the bytes each library's channel holds per message in flight (criterion
/// measures time only, so this is printed, not reported).
fn memory(_: &mut Criterion) {
    fn row<L: Channel>() {
        let unbounded = alloc::memory::<L>(Flavor::Unbounded, 10_000);
        let bounded = alloc::memory::<L>(Flavor::Thousand, 1000);
        println!(
            "{:<10} {:>12.1} {:>18} {:>16.1} {:>14}",
            L::NAME,
            unbounded.per_message,
            unbounded.drained,
            bounded.per_message,
            bounded.empty
        );
    }
    println!("memory: bytes held per message in flight (u64 messages)");
    println!(
        "{:<10} {:>12} {:>18} {:>16} {:>14}",
        "library", "unbounded", "unbounded drained", "bounded(1000)", "bounded empty"
    );
    row::<Junction>();
    row::<Crossbeam>();
    row::<Flume>();
    row::<Kanal>();
    row::<Std>();
    println!();
}

/// Short measurements by default, so the whole matrix runs in minutes; criterion's
/// command-line options (`--measurement-time`, `--sample-size`, ...) override these.
fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
}

criterion_group! {
    name = benches;
    config = config();
    targets = memory, matrix, rendezvous_ping_pong, select_macro
}
criterion_main!(benches);
