//! criterion benchmarks: junction beside its peers (`support/library.rs`) over the
//! case × flavor matrix, the rendezvous ping-pong and `select!` with 2 to 32 arms;
//! first it prints the memory figures.
//!
//! `cargo bench --bench channels` (filter: `-- spsc/bounded`); criterion's HTML
//! reports land in `target/criterion/`. See `benches/README.md`.

// crossbeam-channel's `select!` with 32 arms needs more than the default 128 (junction's
// needs no raise).
#![recursion_limit = "512"]

mod support;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use std::time::Duration;
use support::library::{self, Library};
use support::workloads::expect_time;
use support::{alloc, Workload, STEADY_HANDOFF_MESSAGES, STEADY_MESSAGES};

/// Messages per run of `workload`: a steady state's under `cargo bench` (which passes
/// `--bench`), a few hundred when `cargo test --benches` runs each benchmark once.
fn messages(workload: Workload) -> u64 {
    if !std::env::args().any(|a| a == "--bench") {
        400
    } else if workload.hands_off() {
        STEADY_HANDOFF_MESSAGES
    } else {
        STEADY_MESSAGES
    }
}

/// Whether criterion runs `library` on `workload`: every workload it supports, except
/// flume's selection, which can hang under `select_both`, and criterion cannot survive
/// a hang: those cells are measured only by `--bench compare`.
fn benched(library: &Library, workload: Workload) -> bool {
    let flume_select = *library == library::FLUME
        && matches!(workload, Workload::Matrix(case, _) if case.selects());
    library.supports(workload) && !flume_select
}

/// One group per workload (`spsc/bounded(0)`, `select!/8 arms`), one benchmark per
/// library that runs it.
fn workloads(c: &mut Criterion) {
    for workload in Workload::all() {
        if !library::JUNCTION.supports(workload) {
            continue;
        }
        let mut group = c.benchmark_group(group_name(workload));
        let units = workload.units(messages(workload));
        group.throughput(Throughput::Elements(units));
        group.sampling_mode(SamplingMode::Flat);
        for lib in library::ALL.iter().filter(|l| benched(l, workload)) {
            let what = format!("{} {}", lib.name, workload.name());
            group.bench_function(lib.name, |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| expect_time(lib.run(workload, units), &what))
                        .sum()
                })
            });
        }
        group.finish();
    }
}

/// The criterion group of `workload`: `spsc/bounded(0)`, `ping_pong/bounded(0)`,
/// `select!/8 arms`.
fn group_name(workload: Workload) -> String {
    match workload {
        Workload::SelectArms(arms) => format!("select!/{arms} arms"),
        _ => format!("{}/{}", workload.case_name(), workload.flavor().name()),
    }
}

/// Prints the bytes each library's channel holds per message in flight (criterion
/// measures time only, so this is printed, not reported).
fn memory(_: &mut Criterion) {
    println!("memory: bytes held per message in flight (u64 messages)");
    println!(
        "{:<14} {:>12} {:>18} {:>16} {:>14}",
        "library", "unbounded", "unbounded drained", "bounded(1000)", "bounded empty"
    );
    for lib in &library::with_blocking_api() {
        let (unbounded, bounded) = alloc::figures(lib);
        println!(
            "{:<14} {:>12.1} {:>18} {:>16.1} {:>14}",
            lib.name, unbounded.per_message, unbounded.drained, bounded.per_message, bounded.empty
        );
    }
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
    targets = memory, workloads
}
criterion_main!(benches);
