//! The comparison's reports as text: the markdown document (ratio table, failures,
//! memory, idle CPU) and the csv of every sample. Nothing here measures.

use super::alloc::Memory;
use super::async_workloads::WORKERS;
use super::cpu::Idle;
use super::library::Library;
use super::measure::Plan;
use super::options::{Mode, Options};
use super::stats::{geometric_mean, ratio, summarize, Ratio, WIDE};
use super::{Failure, Workload};
use std::fmt::Write as _;
use std::time::Duration;

/// What the document says besides the plan's samples.
pub struct Context {
    /// When: YYYY-MM-DD.
    pub date: String,
    /// Where: see `machine::description`.
    pub machine: String,
    /// How long the whole run took.
    pub took: Duration,
    /// Hung runs abandoned.
    pub abandoned: usize,
    /// The memory table (see [`memory_table`]).
    pub memory: String,
    /// The idle CPU table (see [`idle_table`]).
    pub idle: String,
}

/// The whole markdown document: title, how it was run, the ratio table, failures,
/// memory and idle CPU.
pub fn document(plan: &Plan, opts: &Options, ctx: &Context) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### junction ÷ peers, {}{}\n",
        ctx.date,
        caveat(opts.mode)
    );
    let _ = writeln!(out, "Machine: {}.  ", ctx.machine);
    let _ = writeln!(
        out,
        "Run: `{}`: {} round(s) after {} warm-up, {} messages a run ({} for hand-off cells: bounded(0), bounded(1)), libraries interleaved; medians; took {:.0?}.\n",
        opts.command, opts.rounds, opts.warm_up, opts.messages, opts.handoff_messages, ctx.took
    );
    out.push_str(&async_note(plan));
    let _ = writeln!(
        out,
        "Each peer column: junction's median time ÷ the peer's (below 1: junction is faster). \
         The ratio is the median of per-round ratios (each round runs every library back to back). \
         `~`: that median (or junction's median time) is uncertain: its 95% confidence interval \
         is wider than ±{:.0}%, so the sign may be right but the size is not. \
         `junction (A/A)` is junction measured against itself: the noise floor. \
         —: the library cannot run that case.\n",
        WIDE * 50.0
    );
    out.push_str(&ratio_table(plan));
    let failures = failure_list(plan);
    if !failures.is_empty() {
        let _ = writeln!(
            out,
            "\nFailures (each stops that library's runs of that cell):\n\n{failures}"
        );
        if ctx.abandoned > 0 {
            let _ = writeln!(
                out,
                "{} hung run(s) were abandoned; their threads were left blocked.",
                ctx.abandoned
            );
        }
    }
    let _ = writeln!(
        out,
        "\nMemory, bytes held by a channel of `u64` (counting allocator, one thread):\n\n{}",
        ctx.memory
    );
    let _ = writeln!(
        out,
        "CPU time of a receiver blocked for one second (near 0 is right):\n\n{}",
        ctx.idle
    );
    out
}

/// The line on how the async cells run, if the plan has any.
fn async_note(plan: &Plan) -> String {
    let any = plan
        .cells
        .iter()
        .any(|c| matches!(c.workload, Workload::Async(..)));
    if !any {
        return String::new();
    }
    format!(
        "Async cells: each run on a tokio multi-thread runtime of its own ({WORKERS} worker \
         threads), its tasks spawned with `tokio::spawn`; blocking-to-async senders are \
         plain threads.\n\n"
    )
}

/// What the title says after the date: nothing for a full run.
fn caveat(mode: Mode) -> &'static str {
    match mode {
        Mode::Full => "",
        Mode::Quick => " (quick: short run, not for publishing)",
        Mode::Smoke => " (smoke test: numbers mean nothing)",
    }
}

/// Formats nanoseconds per unit with three significant digits.
fn nanos(ns: f64) -> String {
    if ns >= 100.0 {
        format!("{ns:.0}")
    } else if ns >= 10.0 {
        format!("{ns:.1}")
    } else {
        format!("{ns:.2}")
    }
}

/// The main table, in markdown: per row the subject's time and its ratio to each peer,
/// then the geometric means.
pub fn ratio_table(plan: &Plan) -> String {
    let peers = plan.peers();
    let mut out = format!("| case | flavor | {} ns |", plan.subject().name);
    for p in peers {
        let _ = write!(out, " ÷ {} |", p.name);
    }
    let _ = write!(out, "\n|---|---|--:|");
    for _ in peers {
        out.push_str("--:|");
    }
    out.push('\n');
    for (i, cell) in plan.cells.iter().enumerate() {
        let w = cell.workload;
        let _ = write!(
            out,
            "| {} | {} | {} |",
            w.case_name(),
            w.flavor().name(),
            subject_time(plan, i)
        );
        for &p in peers {
            let shown = match ratio(plan, i, p) {
                Ratio::Absent => "—".to_string(),
                Ratio::Failed(word) => format!("**{word}**"),
                Ratio::Value { ratio, wide } => {
                    format!("{ratio:.2}{}", if wide { " ~" } else { "" })
                }
            };
            let _ = write!(out, " {shown} |");
        }
        out.push('\n');
    }
    let _ = write!(out, "| **geometric mean** | | |");
    for &p in peers {
        let shown = geometric_mean(plan, p).map_or("—".to_string(), |(g, n)| {
            format!("**{g:.2}** ({n} cells)")
        });
        let _ = write!(out, " {shown} |");
    }
    out.push('\n');
    out
}

/// The subject's column on row `cell`: its median time per unit, or its failure.
fn subject_time(plan: &Plan, cell: usize) -> String {
    match plan.entry(cell, plan.subject()) {
        Some(e) if e.failure.is_some() => e.failure.as_ref().map_or("", Failure::word).to_string(),
        Some(e) if !e.samples.is_empty() => {
            let s = summarize(&e.samples);
            format!(
                "{}/{}{}",
                nanos(s.median),
                plan.cells[cell].workload.unit(),
                if s.wide() { " ~" } else { "" }
            )
        }
        _ => "—".to_string(),
    }
}

/// Every measured run: cell, library, round, nanoseconds per unit.
pub fn samples_csv(plan: &Plan) -> String {
    let mut out = String::from("cell,library,round,ns_per_unit\n");
    for e in &plan.entries {
        for (round, ns) in e.samples.iter().enumerate() {
            let _ = writeln!(
                out,
                "{},{},{},{ns:.2}",
                plan.cells[e.cell].workload.name(),
                e.library.name,
                round + 1
            );
        }
    }
    out
}

/// Every failure, with its details.
fn failure_list(plan: &Plan) -> String {
    let mut out = String::new();
    for e in &plan.entries {
        if let Some(f) = &e.failure {
            let cell = plan.cells[e.cell].workload.name();
            let _ = writeln!(out, "- {} on {cell}: {f}", e.library.name);
        }
    }
    out
}

/// Bytes per message in flight, per library, in markdown: each row is a library with
/// its unbounded figure (10,000 in flight) and its `bounded(1000)` figure (full).
pub fn memory_table(rows: &[(Library, Memory, Memory)]) -> String {
    let mut out = String::from(
        "| library | unbounded, 10,000 in flight: B/msg | unbounded after draining: B | \
         bounded(1000), full: B/msg | bounded(1000), empty: B |\n|---|--:|--:|--:|--:|\n",
    );
    for (library, unbounded, bounded) in rows {
        let _ = writeln!(
            out,
            "| {} | {:.1} | {} | {:.1} | {} |",
            library.name,
            unbounded.per_message,
            unbounded.drained,
            bounded.per_message,
            bounded.empty
        );
    }
    out
}

/// CPU time of a receiver blocked for one second, per library (a row of
/// `cpu::idle_probes` each) and way of waiting, in markdown.
pub fn idle_table(libraries: &[Library], rows: &[[Option<Idle>; 3]]) -> String {
    let mut out = String::from("| library | recv, bounded(0): ms | recv, unbounded: ms | select over 2: ms |\n|---|--:|--:|--:|\n");
    for (library, row) in libraries.iter().zip(rows) {
        let _ = write!(out, "| {} |", library.name);
        for found in row {
            let shown = match found {
                None => "—".to_string(),
                Some(Idle::Cpu(cpu)) => format!("{:.3}", cpu.as_secs_f64() * 1e3),
                Some(Idle::Unknown) => "n/a".to_string(),
                Some(Idle::Panic) => "**panic**".to_string(),
                Some(Idle::Hang) => "**hang**".to_string(),
            };
            let _ = write!(out, " {shown} |");
        }
        out.push('\n');
    }
    out
}
