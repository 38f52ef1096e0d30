//! The comparison's measuring half: what to run (a [`Plan`] of cells × libraries) and
//! the interleaved rounds that fill it with samples. Reading the samples is `stats.rs`,
//! showing them `report.rs` and `chart.rs`.

use super::cpu::process_cpu_time;
use super::library::Library;
use super::options::Options;
use super::workloads::with_time_limit;
use super::{Failure, Workload};
use std::time::{Duration, Instant};

/// One row of the table.
pub struct Cell {
    /// What runs.
    pub workload: Workload,
    /// Units of work per run (the time is divided by it).
    pub units: u64,
}

/// One library on one cell: what its runs gave.
pub struct Entry {
    /// Index into [`Plan::cells`].
    pub cell: usize,
    /// The column.
    pub library: Library,
    /// Nanoseconds per unit, one per measured round.
    pub samples: Vec<f64>,
    /// Set at the first failure; the entry is not run again.
    pub failure: Option<Failure>,
}

/// Everything to run, in table order.
pub struct Plan {
    /// The columns: the subject, whose time every ratio divides, first.
    pub columns: Vec<Library>,
    /// The rows.
    pub cells: Vec<Cell>,
    /// Every column on every row it supports.
    pub entries: Vec<Entry>,
}

impl Plan {
    /// Every workload that one of `columns` can run and whose name contains the
    /// filter, each run with the messages `opts` give it. A peer that runs none of them
    /// (a blocking-only library under `--filter async`) is no column.
    pub fn new(columns: Vec<Library>, opts: &Options) -> Plan {
        let mut plan = Plan {
            columns,
            cells: Vec::new(),
            entries: Vec::new(),
        };
        let filter = opts.filter.as_deref();
        let chosen = Workload::all().filter(|w| filter.is_none_or(|f| w.name().contains(f)));
        for workload in chosen {
            let cell = plan.cells.len();
            for &library in plan.columns.iter().filter(|l| l.supports(workload)) {
                plan.entries.push(Entry {
                    cell,
                    library,
                    samples: Vec::new(),
                    failure: None,
                });
            }
            if plan.entries.last().is_some_and(|e| e.cell == cell) {
                plan.cells.push(Cell {
                    workload,
                    units: workload.units(opts.messages_for(workload)),
                });
            }
        }
        let subject = plan.columns[0];
        let entries = &plan.entries;
        plan.columns
            .retain(|&c| c == subject || entries.iter().any(|e| e.library == c));
        plan
    }

    /// The library every ratio is taken of.
    pub fn subject(&self) -> Library {
        self.columns[0]
    }

    /// The columns after the subject.
    pub fn peers(&self) -> &[Library] {
        &self.columns[1..]
    }

    /// The entry of `library` on row `cell`, if it runs there.
    pub fn entry(&self, cell: usize, library: Library) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.cell == cell && e.library == library)
    }

    /// Whether the subject failed on some cell.
    pub fn subject_failed(&self) -> bool {
        let subject = self.subject();
        self.entries
            .iter()
            .any(|e| e.library == subject && e.failure.is_some())
    }
}

/// Runs every entry once per round, libraries interleaved (their order rotating from
/// round to round), each run on its own threads under the time limit; returns the
/// number of hung runs abandoned.
pub fn measure(plan: &mut Plan, opts: &Options) -> usize {
    let mut abandoned = 0;
    for round in 0..opts.warm_up + opts.rounds {
        let started = Instant::now();
        for cell in 0..plan.cells.len() {
            let mut here: Vec<usize> = (0..plan.entries.len())
                .filter(|&i| plan.entries[i].cell == cell)
                .collect();
            let len = here.len();
            here.rotate_left(round % len.max(1));
            for i in here {
                let measured = round >= opts.warm_up;
                if run_entry(plan, i, measured, opts) {
                    abandoned += 1;
                    quiet_down(opts.limit);
                }
            }
        }
        if round < opts.warm_up {
            eprintln!(
                "warm-up round {} done in {:.1?}",
                round + 1,
                started.elapsed()
            );
        } else {
            let number = round + 1 - opts.warm_up;
            eprintln!("round {number} done in {:.1?}", started.elapsed());
        }
    }
    abandoned
}

/// After a hung run: waits (up to six time limits) until the process is quiet, its
/// threads using less than a quarter of a CPU over a second. An abandoned run's
/// threads may keep running: after a hung crossfire `mpmc bounded(1)` run, rounds of
/// 0.1 to 0.2 s took 9.4, 1.1, 1.2 and 6.2 s, long enough in a full run to push the
/// next libraries' hand-off runs over the limit, where they were reported as hangs.
fn quiet_down(limit: Duration) {
    let started = Instant::now();
    let Some(mut before) = process_cpu_time() else {
        return;
    };
    while started.elapsed() < limit * 6 {
        std::thread::sleep(Duration::from_secs(1));
        let Some(now) = process_cpu_time() else {
            return;
        };
        if now.saturating_sub(before) < Duration::from_millis(250) {
            eprintln!("  quiet again after {:.1?}", started.elapsed());
            return;
        }
        before = now;
    }
    eprintln!(
        "  abandoned threads still busy after {:.1?}: going on",
        started.elapsed()
    );
}

/// Runs entry `i` once, unless it failed before: records its time (if `measured`) or
/// its failure; returns whether the run hung and was abandoned.
fn run_entry(plan: &mut Plan, i: usize, measured: bool, opts: &Options) -> bool {
    let entry = &plan.entries[i];
    if entry.failure.is_some() {
        return false;
    }
    let (library, cell) = (entry.library, &plan.cells[entry.cell]);
    let (workload, units) = (cell.workload, cell.units);
    let outcome = with_time_limit(opts.limit, move || library.run(workload, units));
    let entry = &mut plan.entries[i];
    match outcome {
        Ok(elapsed) if measured => {
            entry.samples.push(elapsed.as_nanos() as f64 / units as f64);
            false
        }
        Ok(_) => false,
        Err(failure) => {
            eprintln!("  {} on {}: {failure}", library.name, workload.name());
            let hung = matches!(failure, Failure::Hang(_));
            entry.failure = Some(failure);
            hung
        }
    }
}
