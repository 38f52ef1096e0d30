//! The comparison: every library in one process, interleaved round by round, each
//! cell printed as junction's median time divided by each peer's.
//!
//! `cargo bench --bench compare` (several minutes: runs long enough for a steady
//! state) or `cargo bench --bench compare -- --quick` (about half a minute, not for
//! publishing). Writes `table.md`, `ratios.svg` and the raw
//! `samples.csv` to `target/junction-compare/`. Run without `--bench` (as `cargo test
//! --benches` does) it is a smoke test: one tiny round, failing if junction loses
//! messages or hangs. See `benches/README.md`.
//!
//! This file only runs the steps: `support/measure.rs` measures, `stats.rs`,
//! `report.rs` and `chart.rs` read and show what it measured.

// crossbeam-channel's `select!` with 32 arms needs more than the default 128 (junction's
// needs no raise).
#![recursion_limit = "512"]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::library::{self, Library};
use support::measure::{measure, Plan};
use support::options::{Mode, Options};
use support::{alloc, chart, cpu, machine, report};

fn main() {
    let opts = Options::parse();
    let started = Instant::now();
    let (machine, date) = (machine::description(), machine::today());
    let columns: Vec<Library> = library::ALL.into_iter().chain([library::CONTROL]).collect();
    let mut plan = Plan::new(columns, &opts);
    eprintln!(
        "{} comparison: {} cells, {} runs a round, {} round(s) + {} warm-up, {} messages a run ({} for hand-off cells), limit {:?} a run",
        opts.mode.label(),
        plan.cells.len(),
        plan.entries.len(),
        opts.rounds,
        opts.warm_up,
        opts.messages,
        opts.handoff_messages,
        opts.limit
    );

    let blocking = library::with_blocking_api();
    let memory: Vec<_> = blocking
        .iter()
        .map(|&l| {
            let (unbounded, bounded) = alloc::figures(&l);
            (l, unbounded, bounded)
        })
        .collect();
    let idle = cpu::idle_probes(&blocking, Duration::from_secs(1), opts.limit);
    let abandoned = measure(&mut plan, &opts);

    let ctx = report::Context {
        date,
        machine,
        took: started.elapsed(),
        abandoned,
        memory: report::memory_table(&memory),
        idle: report::idle_table(&blocking, &idle),
    };
    let document = report::document(&plan, &opts, &ctx);
    println!("{document}");
    write_reports(&plan, &opts, &ctx, &document);

    let ours_failed = plan.subject_failed();
    if ours_failed {
        eprintln!("junction failed in at least one cell (see above)");
    }
    // Abandoned runs may still hold threads: leave without waiting for them.
    std::process::exit(if ours_failed { 1 } else { 0 });
}

/// Writes `table.md`, `samples.csv` and `ratios.svg` to [`out_dir`] (a smoke test's
/// to its `smoke/` folder, away from the real reports); says where, or why not.
fn write_reports(plan: &Plan, opts: &Options, ctx: &report::Context, document: &str) {
    let dir = match opts.mode {
        Mode::Smoke => out_dir().join("smoke"),
        Mode::Full | Mode::Quick => out_dir(),
    };
    let subtitle = format!("{}, {} mode; {}", ctx.date, opts.mode.label(), ctx.machine);
    let written = std::fs::create_dir_all(&dir)
        .map_err(Box::<dyn std::error::Error>::from)
        .and_then(|()| std::fs::write(dir.join("table.md"), document).map_err(Into::into))
        .and_then(|()| {
            std::fs::write(dir.join("samples.csv"), report::samples_csv(plan)).map_err(Into::into)
        })
        .and_then(|()| chart::draw(plan, &dir.join("ratios.svg"), &subtitle));
    match written {
        Ok(()) => eprintln!(
            "wrote table.md, ratios.svg and samples.csv in {}",
            dir.display()
        ),
        Err(e) => eprintln!("could not write the reports to {}: {e}", dir.display()),
    }
}

/// Where the reports go: `target/junction-compare/` of the workspace (or of
/// `CARGO_TARGET_DIR`).
fn out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("junction-compare")
}
