//! The comparison: every library in one process, interleaved round by round, each
//! cell printed as junction's median time divided by each peer's.
//!
//! `cargo bench --bench compare` (a few minutes) or `cargo bench --bench compare --
//! --quick` (about half a minute). Writes `table.md`, `ratios.svg` and the raw
//! `samples.csv` to `target/junction-compare/`. Run without `--bench` (as `cargo test
//! --benches` does) it is a smoke test: one tiny round, failing if junction loses
//! messages or hangs. See `benches/README.md`.

// crossbeam-channel's `select!` with 32 arms needs more than the default 128 (junction's
// needs no raise).
#![recursion_limit = "512"]

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::cpu::{idle_receiver_cpu, Waiting};
use support::libs::{Crossbeam, Flume, Junction, Kanal, Std};
use support::workloads::{ping_pong, run_case, select_arms, with_time_limit};
use support::{alloc, round_messages, supports, Case, Channel, Failure, Flavor, Outcome};

/// The library every ratio is taken of.
const SUBJECT: &str = "junction";
/// junction run a second time under another name: its ratio shows the noise floor.
const CONTROL: &str = "junction (A/A)";
/// The columns, in order: the subject first.
const LIBRARIES: [&str; 6] = [SUBJECT, "crossbeam", "flume", "kanal", "std", CONTROL];
/// A median is marked as uncertain when its 95% confidence interval is wider than this
/// share of it (0.4: more than ±20%, the most two runs of the same code differ here).
const WIDE: f64 = 0.4;

/// What the command line and environment asked for.
struct Options {
    /// Measured rounds (each library runs each cell once per round).
    rounds: usize,
    /// Unmeasured rounds first.
    warm_up: usize,
    /// Messages per run of a matrix cell.
    messages: u64,
    /// A run taking longer is abandoned and reported as a hang.
    limit: Duration,
    /// Only cells whose name contains this.
    filter: Option<String>,
    /// Which set of defaults: `full`, `quick` or `smoke test`.
    mode: &'static str,
    /// The command that reproduces this run, for the report.
    command: String,
}

impl Options {
    /// Reads `--quick`, `--rounds N`, `--messages N`, `--limit SECS`, `--filter TEXT`
    /// (or `JUNCTION_COMPARE_QUICK=1`, `JUNCTION_COMPARE_ROUNDS`, ...). Without the
    /// `--bench` flag that `cargo bench` passes, it is a smoke test.
    fn parse() -> Options {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let flag = |name: &str| args.iter().any(|a| a == name);
        let value = |name: &str| {
            let env = format!(
                "JUNCTION_COMPARE_{}",
                name.trim_start_matches("--").to_uppercase()
            );
            args.iter()
                .position(|a| a == name)
                .and_then(|i| args.get(i + 1).cloned())
                .or_else(|| std::env::var(env).ok())
        };
        let number = |name: &str| {
            value(name).map(|v| {
                v.parse::<u64>()
                    .unwrap_or_else(|_| panic!("{name} wants a number, not {v:?}"))
            })
        };
        let quick =
            flag("--quick") || std::env::var("JUNCTION_COMPARE_QUICK").is_ok_and(|v| v != "0");
        let smoke = !flag("--bench");
        let (mode, rounds, warm_up, messages, limit) = if smoke {
            ("smoke test", 1, 0, 400, 2)
        } else if quick {
            ("quick", 7, 1, 4_000, 2)
        } else {
            ("full", 25, 1, 10_000, 10)
        };
        let passed: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|&a| a != "--bench")
            .collect();
        let command = match (smoke, passed.is_empty()) {
            (true, _) => "cargo test --benches".to_string(),
            (false, true) => "cargo bench --bench compare".to_string(),
            (false, false) => format!("cargo bench --bench compare -- {}", passed.join(" ")),
        };
        Options {
            rounds: number("--rounds").map_or(rounds, |n| n.max(1) as usize),
            warm_up,
            messages: number("--messages").unwrap_or(messages).max(1),
            limit: Duration::from_secs(number("--limit").unwrap_or(limit).max(1)),
            filter: value("--filter"),
            mode,
            command,
        }
    }

    /// Whether this is the smoke test, whose numbers mean nothing.
    fn smoke(&self) -> bool {
        self.mode == "smoke test"
    }
}

/// One row of the table.
struct Cell {
    /// The first column, e.g. `spsc` or `select! 8 arms`.
    case: String,
    /// The second column, e.g. `bounded(0)`.
    flavor: &'static str,
    /// What one unit of work is (`msg`, `round trip`).
    unit: &'static str,
}

impl Cell {
    /// The row's name in filters, progress lines and the chart.
    fn name(&self) -> String {
        format!("{} {}", self.case, self.flavor)
    }
}

/// A run of one library on one cell, made ready to call.
type Run = Arc<dyn Fn() -> Outcome + Send + Sync>;

/// One library on one cell: how to run it and what the runs gave.
struct Entry {
    /// Index into [`Plan::cells`].
    cell: usize,
    /// The column.
    library: &'static str,
    /// One measured run.
    run: Run,
    /// Units of work per run (the time is divided by it).
    units: u64,
    /// Nanoseconds per unit, one per measured round.
    samples: Vec<f64>,
    /// Set at the first failure; the entry is not run again.
    failure: Option<Failure>,
}

/// Everything to run, in table order.
#[derive(Default)]
struct Plan {
    /// The rows.
    cells: Vec<Cell>,
    /// Every library on every row it supports.
    entries: Vec<Entry>,
}

impl Plan {
    /// Adds `library`'s `run` on the row `case`/`flavor`, creating the row if new.
    fn add(
        &mut self,
        case: &str,
        flavor: &'static str,
        unit: &'static str,
        library: &'static str,
        units: u64,
        run: Run,
    ) {
        let cell = match self
            .cells
            .iter()
            .position(|c| c.case == case && c.flavor == flavor)
        {
            Some(i) => i,
            None => {
                self.cells.push(Cell {
                    case: case.to_string(),
                    flavor,
                    unit,
                });
                self.cells.len() - 1
            }
        };
        self.entries.push(Entry {
            cell,
            library,
            run,
            units,
            samples: Vec::new(),
            failure: None,
        });
    }

    /// Adds library `L`, under the column `library`, to every cell it can run.
    fn add_library<L: Channel>(&mut self, library: &'static str, opts: &Options) {
        let n = opts.messages;
        for case in Case::ALL {
            for flavor in Flavor::ALL {
                if supports::<L>(case, flavor) {
                    let run: Run = Arc::new(move || run_case::<L>(case, flavor, n));
                    self.add(
                        case.name(),
                        flavor.name(),
                        "msg",
                        library,
                        round_messages(n),
                        run,
                    );
                }
            }
        }
        // A round trip is two hand-offs: a quarter as many keep the run as short.
        let trips = (n / 4).max(1);
        self.add(
            "ping_pong",
            Flavor::Rendezvous.name(),
            "round trip",
            library,
            trips,
            Arc::new(move || ping_pong::<L>(trips)),
        );
    }

    /// Adds a library's `select!` with 2, 4, 8 and 32 arms.
    fn add_select_macro<L: Channel>(
        &mut self,
        library: &'static str,
        recv_arms: fn(&[L::Rx], u64) -> u64,
        opts: &Options,
    ) {
        let n = opts.messages;
        for arms in [2, 4, 8, 32] {
            let run: Run = Arc::new(move || select_arms::<L>(arms, n, recv_arms));
            self.add(
                &format!("select! {arms} arms"),
                Flavor::Unbounded.name(),
                "msg",
                library,
                n,
                run,
            );
        }
    }

    /// Keeps only the cells whose name contains `filter`.
    fn retain(&mut self, filter: &str) {
        let keep: Vec<bool> = self
            .cells
            .iter()
            .map(|c| c.name().contains(filter))
            .collect();
        let mut new_index = Vec::with_capacity(keep.len());
        let mut next = 0;
        for &k in &keep {
            new_index.push(next);
            next += usize::from(k);
        }
        self.entries.retain(|e| keep[e.cell]);
        for e in &mut self.entries {
            e.cell = new_index[e.cell];
        }
        let mut i = 0;
        self.cells.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }

    /// The entry of `library` on row `cell`, if it runs there.
    fn entry(&self, cell: usize, library: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.cell == cell && e.library == library)
    }
}

/// The median of some samples and how sure it is.
struct Summary {
    /// The median.
    median: f64,
    /// The width of the median's 95% confidence interval, as a share of the median.
    spread: f64,
}

/// Summarizes `samples` (not empty). The confidence interval is distribution-free:
/// the order statistics `n/2 ± 0.98·√n` (for fewer than 8 samples, the whole range).
fn summarize(samples: &[f64]) -> Summary {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let median = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    let half = 0.98 * (n as f64).sqrt();
    let lo = ((n as f64 / 2.0 - half).floor().max(1.0) as usize).min(n) - 1;
    let hi = ((n as f64 / 2.0 + half).ceil() as usize).clamp(1, n) - 1;
    Summary {
        median,
        spread: (s[hi] - s[lo]) / median,
    }
}

/// What a table cell shows for one peer on one row.
enum Ratio {
    /// The library cannot run the case.
    Absent,
    /// One side failed: the word says how.
    Failed(&'static str),
    /// The median per-round ratio; `wide` if its confidence interval is.
    Value { ratio: f64, wide: bool },
}

/// The ratio of `SUBJECT` to `library` on row `cell`: the median over the rounds of
/// the ratio of their runs in that round (run back to back, so both met the same
/// weather), marked wide when that median is uncertain.
fn ratio(plan: &Plan, cell: usize, library: &str) -> Ratio {
    let (Some(ours), Some(theirs)) = (plan.entry(cell, SUBJECT), plan.entry(cell, library)) else {
        return Ratio::Absent;
    };
    if let Some(f) = &theirs.failure {
        return Ratio::Failed(f.word());
    }
    if ours.failure.is_some() {
        // Shown in junction's own column.
        return Ratio::Absent;
    }
    let per_round: Vec<f64> = ours
        .samples
        .iter()
        .zip(&theirs.samples)
        .map(|(a, b)| a / b)
        .collect();
    if per_round.is_empty() {
        return Ratio::Absent;
    }
    let s = summarize(&per_round);
    Ratio::Value {
        ratio: s.median,
        wide: s.spread > WIDE,
    }
}

/// Runs every entry once per round, libraries interleaved (their order rotating from
/// round to round), each run on its own threads under the time limit.
fn measure(plan: &mut Plan, opts: &Options) -> usize {
    let total = opts.warm_up + opts.rounds;
    let mut abandoned = 0;
    for round in 0..total {
        let started = Instant::now();
        for cell in 0..plan.cells.len() {
            let mut here: Vec<usize> = (0..plan.entries.len())
                .filter(|&i| plan.entries[i].cell == cell)
                .collect();
            let len = here.len();
            here.rotate_left(round % len.max(1));
            for i in here {
                let entry = &mut plan.entries[i];
                if entry.failure.is_some() {
                    continue;
                }
                let run = Arc::clone(&entry.run);
                match with_time_limit(opts.limit, move || run()) {
                    Ok(elapsed) if round >= opts.warm_up => {
                        entry
                            .samples
                            .push(elapsed.as_nanos() as f64 / entry.units as f64);
                    }
                    Ok(_) => {}
                    Err(failure) => {
                        let name = plan.cells[cell].name();
                        eprintln!("  {} on {name}: {failure}", entry.library);
                        abandoned += usize::from(matches!(failure, Failure::Hang(_)));
                        entry.failure = Some(failure);
                    }
                }
            }
        }
        let what = if round < opts.warm_up {
            "warm-up round"
        } else {
            "round"
        };
        let number = if round < opts.warm_up {
            round + 1
        } else {
            round + 1 - opts.warm_up
        };
        eprintln!("{what} {number} done in {:.1?}", started.elapsed());
    }
    abandoned
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

/// The geometric mean of junction's ratio to `library` over the rows where both
/// ran, and how many rows that is.
fn geometric_mean(plan: &Plan, library: &str) -> Option<(f64, usize)> {
    let logs: Vec<f64> = (0..plan.cells.len())
        .filter_map(|cell| match ratio(plan, cell, library) {
            Ratio::Value { ratio, .. } => Some(ratio.ln()),
            _ => None,
        })
        .collect();
    (!logs.is_empty()).then(|| {
        (
            (logs.iter().sum::<f64>() / logs.len() as f64).exp(),
            logs.len(),
        )
    })
}

/// The main table, in markdown.
fn ratio_table(plan: &Plan) -> String {
    let peers = &LIBRARIES[1..];
    let mut out = String::new();
    let _ = write!(out, "| case | flavor | junction ns |");
    for p in peers {
        let _ = write!(out, " ÷ {p} |");
    }
    let _ = write!(out, "\n|---|---|--:|");
    for _ in peers {
        out.push_str("--:|");
    }
    out.push('\n');
    for (i, cell) in plan.cells.iter().enumerate() {
        let ours = match plan.entry(i, SUBJECT) {
            Some(e) if e.failure.is_some() => {
                e.failure.as_ref().map_or("", Failure::word).to_string()
            }
            Some(e) if !e.samples.is_empty() => {
                let s = summarize(&e.samples);
                format!(
                    "{}/{}{}",
                    nanos(s.median),
                    cell.unit,
                    if s.spread > WIDE { " ~" } else { "" }
                )
            }
            _ => "—".to_string(),
        };
        let _ = write!(out, "| {} | {} | {ours} |", cell.case, cell.flavor);
        for p in peers {
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
    for p in peers {
        let shown = geometric_mean(plan, p).map_or("—".to_string(), |(g, n)| {
            format!("**{g:.2}** ({n} cells)")
        });
        let _ = write!(out, " {shown} |");
    }
    out.push('\n');
    out
}

/// Every measured run: cell, library, round, nanoseconds per unit.
fn samples_csv(plan: &Plan) -> String {
    let mut out = String::from("cell,library,round,ns_per_unit\n");
    for e in &plan.entries {
        for (round, ns) in e.samples.iter().enumerate() {
            let _ = writeln!(
                out,
                "{},{},{},{ns:.2}",
                plan.cells[e.cell].name(),
                e.library,
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
            let _ = writeln!(out, "- {} on {}: {f}", e.library, plan.cells[e.cell].name());
        }
    }
    out
}

/// Bytes per message in flight, per library, in markdown.
fn memory_table() -> String {
    fn row<L: Channel>(out: &mut String) {
        let unbounded = alloc::memory::<L>(Flavor::Unbounded, 10_000);
        let bounded = alloc::memory::<L>(Flavor::Thousand, 1000);
        let _ = writeln!(
            out,
            "| {} | {:.1} | {} | {:.1} | {} |",
            L::NAME,
            unbounded.per_message,
            unbounded.drained,
            bounded.per_message,
            bounded.empty
        );
    }
    let mut out = String::from(
        "| library | unbounded, 10,000 in flight: B/msg | unbounded after draining: B | \
         bounded(1000), full: B/msg | bounded(1000), empty: B |\n|---|--:|--:|--:|--:|\n",
    );
    row::<Junction>(&mut out);
    row::<Crossbeam>(&mut out);
    row::<Flume>(&mut out);
    row::<Kanal>(&mut out);
    row::<Std>(&mut out);
    out
}

/// CPU time of a receiver blocked for one second, per library and way of waiting;
/// all are measured at once, each with the time limit.
fn idle_table(limit: Duration) -> String {
    type Probe = (
        &'static str,
        Waiting,
        fn(Waiting, Duration) -> Option<Duration>,
    );
    let waits = [
        Waiting::Recv(Flavor::Rendezvous),
        Waiting::Recv(Flavor::Unbounded),
        Waiting::Select,
    ];
    let mut probes: Vec<Probe> = Vec::new();
    for w in waits {
        probes.push((Junction::NAME, w, idle_receiver_cpu::<Junction>));
        probes.push((Crossbeam::NAME, w, idle_receiver_cpu::<Crossbeam>));
        probes.push((Flume::NAME, w, idle_receiver_cpu::<Flume>));
        if w != Waiting::Select {
            probes.push((Kanal::NAME, w, idle_receiver_cpu::<Kanal>));
            probes.push((Std::NAME, w, idle_receiver_cpu::<Std>));
        }
    }
    let idle = Duration::from_secs(1);
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    for (i, &(_, wait, probe)) in probes.iter().enumerate() {
        let done_tx = done_tx.clone();
        std::thread::spawn(move || {
            let cpu = std::panic::catch_unwind(|| probe(wait, idle));
            let _ = done_tx.send((i, cpu.ok()));
        });
    }
    drop(done_tx);
    let deadline = Instant::now() + idle + limit;
    let mut results: Vec<Option<String>> = vec![None; probes.len()];
    while let Ok((i, cpu)) =
        done_rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        results[i] = Some(match cpu {
            Some(Some(cpu)) => format!("{:.3}", cpu.as_secs_f64() * 1e3),
            Some(None) => "n/a".to_string(),
            None => "**panic**".to_string(),
        });
    }
    let mut out = String::from("| library | recv, bounded(0): ms | recv, unbounded: ms | select over 2: ms |\n|---|--:|--:|--:|\n");
    for library in [
        Junction::NAME,
        Crossbeam::NAME,
        Flume::NAME,
        Kanal::NAME,
        Std::NAME,
    ] {
        let _ = write!(out, "| {library} |");
        for w in waits {
            let shown = match probes
                .iter()
                .position(|&(l, pw, _)| l == library && pw == w)
            {
                None => "—".to_string(),
                Some(i) => results[i].clone().unwrap_or_else(|| "**hang**".to_string()),
            };
            let _ = write!(out, " {shown} |");
        }
        out.push('\n');
    }
    out
}

/// The first line of `/proc` file `path`'s field `key` (or the whole first line).
fn proc_field(path: &str, key: Option<&str>) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    match key {
        None => text.lines().next().map(str::to_string),
        Some(key) => text
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string()),
    }
}

/// Today's date (UTC) as YYYY-MM-DD.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Days since 1970-01-01 to a civil date (proleptic Gregorian calendar).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// One line naming the machine: processor, CPUs, kernel, compiler, load.
fn machine() -> String {
    let cpu = proc_field("/proc/cpuinfo", Some("model name"))
        .unwrap_or_else(|| "unknown processor".into());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = proc_field("/proc/sys/kernel/osrelease", None)
        .map_or(String::new(), |k| format!(", Linux {k}"));
    let rustc =
        std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .arg("--version")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map_or(String::new(), |v| format!(", {}", v.trim()));
    let load = proc_field("/proc/loadavg", None)
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .map_or(String::new(), |l| format!("; load average at start {l}"));
    format!("{cpu}, {cpus} CPUs{kernel}{rustc}{load}")
}

/// Colours of the peers in the chart, in [`LIBRARIES`] order after the subject.
const COLOURS: [(u8, u8, u8); 5] = [
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (148, 103, 189),
    (150, 150, 150),
];

/// Draws the ratios: one row per cell, one dot per peer on a log scale centred on 1.
fn chart(plan: &Plan, path: &Path, subtitle: &str) -> Result<(), Box<dyn std::error::Error>> {
    use plotters::prelude::*;
    let (lo, hi) = (1.0f64 / 16.0, 16.0f64);
    let (left, right, top, row_h) = (190i32, 930i32, 96i32, 22i32);
    let rows = plan.cells.len() as i32;
    let height = (top + rows * row_h + 60) as u32;
    let root = SVGBackend::new(path, (1200, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let x_of = |r: f64| {
        let t = (r.clamp(lo, hi).log2() - lo.log2()) / (hi.log2() - lo.log2());
        left + (t * f64::from(right - left)) as i32
    };
    let text = |size: i32| ("sans-serif", size).into_font();
    root.draw(&Text::new(
        "junction's time ÷ each peer's (left of 1: junction is faster)",
        (10, 8),
        text(18).color(&BLACK),
    ))?;
    root.draw(&Text::new(
        subtitle.to_string(),
        (10, 32),
        text(12).color(&BLACK.mix(0.7)),
    ))?;
    // Legend: one entry per peer, with its geometric mean.
    let mut x = 10;
    for (p, &(r, g, b)) in LIBRARIES[1..].iter().zip(&COLOURS) {
        let label = match geometric_mean(plan, p) {
            Some((g, _)) => format!("{p} (geo. mean {g:.2})"),
            None => p.to_string(),
        };
        root.draw(&Circle::new((x + 5, 62), 5, RGBColor(r, g, b).filled()))?;
        root.draw(&Text::new(
            label.clone(),
            (x + 14, 55),
            text(12).color(&BLACK),
        ))?;
        x += 24 + 7 * label.chars().count() as i32;
    }
    // Grid: powers of two, bold at 1.
    let bottom = top + rows * row_h;
    let mut r = lo;
    while r <= hi * 1.001 {
        let gx = x_of(r);
        let style = if (r - 1.0).abs() < 1e-9 {
            BLACK.stroke_width(2)
        } else {
            BLACK.mix(0.15).stroke_width(1)
        };
        root.draw(&PathElement::new(vec![(gx, top - 6), (gx, bottom)], style))?;
        let label = if r >= 1.0 {
            format!("{r}")
        } else {
            format!("1/{}", (1.0 / r).round())
        };
        root.draw(&Text::new(
            label,
            (gx - 8, bottom + 6),
            text(12).color(&BLACK),
        ))?;
        r *= 2.0;
    }
    root.draw(&Text::new("ratio (log scale); hollow: uncertain (95% interval wider than ±20%); off-scale values are written beside the edge; red: failures", (left, bottom + 26), text(12).color(&BLACK)))?;
    for (i, cell) in plan.cells.iter().enumerate() {
        let y = top + i as i32 * row_h + row_h / 2;
        if i % 2 == 0 {
            root.draw(&Rectangle::new(
                [(left, y - row_h / 2), (right, y + row_h / 2)],
                BLACK.mix(0.04).filled(),
            ))?;
        }
        root.draw(&Text::new(cell.name(), (10, y - 7), text(12).color(&BLACK)))?;
        let mut notes: Vec<String> = plan
            .entry(i, SUBJECT)
            .and_then(|e| e.failure.as_ref())
            .map(|f| format!("{SUBJECT}: {}", f.word()))
            .into_iter()
            .collect();
        for (k, (p, &(r, g, b))) in LIBRARIES[1..].iter().zip(&COLOURS).enumerate() {
            let dy = k as i32 * 3 - 6;
            let colour = RGBColor(r, g, b);
            match ratio(plan, i, p) {
                Ratio::Absent => {}
                Ratio::Failed(word) => notes.push(format!("{p}: {word}")),
                Ratio::Value { ratio, wide } => {
                    let style = if wide {
                        colour.stroke_width(2)
                    } else {
                        colour.filled()
                    };
                    root.draw(&Circle::new((x_of(ratio), y + dy), 4, style))?;
                    if !(lo..=hi).contains(&ratio) {
                        // Off the scale: drawn at its edge, with the value beside it.
                        let at = if ratio > hi {
                            x_of(hi) - 40
                        } else {
                            x_of(lo) + 8
                        };
                        root.draw(&Text::new(
                            format!("{ratio:.1}"),
                            (at, y - 7),
                            text(11).color(&colour),
                        ))?;
                    }
                }
            }
        }
        if !notes.is_empty() {
            root.draw(&Text::new(
                notes.join(", "),
                (right + 12, y - 7),
                text(11).color(&RED),
            ))?;
        }
    }
    root.present()?;
    Ok(())
}

/// Where the reports go: `target/junction-compare/` of the workspace (or of
/// `CARGO_TARGET_DIR`).
fn out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("junction-compare")
}

fn main() {
    let opts = Options::parse();
    let started = Instant::now();
    let machine = machine();
    let date = today();

    let mut plan = Plan::default();
    plan.add_library::<Junction>(SUBJECT, &opts);
    plan.add_library::<Crossbeam>("crossbeam", &opts);
    plan.add_library::<Flume>("flume", &opts);
    plan.add_library::<Kanal>("kanal", &opts);
    plan.add_library::<Std>("std", &opts);
    plan.add_library::<Junction>(CONTROL, &opts);
    plan.add_select_macro::<Junction>(SUBJECT, Junction::select_macro_recv, &opts);
    plan.add_select_macro::<Crossbeam>("crossbeam", Crossbeam::select_macro_recv, &opts);
    plan.add_select_macro::<Junction>(CONTROL, Junction::select_macro_recv, &opts);
    if let Some(filter) = &opts.filter {
        plan.retain(filter);
    }
    eprintln!(
        "{} comparison: {} cells, {} runs a round, {} round(s) + {} warm-up, {} messages a run, limit {:?} a run",
        opts.mode,
        plan.cells.len(),
        plan.entries.len(),
        opts.rounds,
        opts.warm_up,
        opts.messages,
        opts.limit
    );

    let memory = memory_table();
    let idle = idle_table(opts.limit);
    let abandoned = measure(&mut plan, &opts);

    let mut report = String::new();
    let _ = writeln!(report, "### junction ÷ peers, {date}\n");
    let _ = writeln!(report, "Machine: {machine}.  ");
    let _ = writeln!(
        report,
        "Run: `{}`: {} round(s) after {} warm-up, {} messages a run, libraries interleaved; medians; took {:.0?}.\n",
        opts.command,
        opts.rounds,
        opts.warm_up,
        opts.messages,
        started.elapsed()
    );
    let _ = writeln!(
        report,
        "Each peer column: junction's median time ÷ the peer's (below 1: junction is faster). \
         The ratio is the median of per-round ratios (each round runs every library back to back). \
         `~`: that median (or junction's median time) is uncertain: its 95% confidence interval \
         is wider than ±{:.0}%, so the sign may be right but the size is not. \
         `junction (A/A)` is junction measured against itself: the noise floor. \
         —: the library cannot run that case.\n",
        WIDE * 50.0
    );
    report.push_str(&ratio_table(&plan));
    let failures = failure_list(&plan);
    if !failures.is_empty() {
        let _ = writeln!(
            report,
            "\nFailures (each stops that library's runs of that cell):\n\n{failures}"
        );
        if abandoned > 0 {
            let _ = writeln!(
                report,
                "{abandoned} hung run(s) were abandoned; their threads were left blocked."
            );
        }
    }
    let _ = writeln!(
        report,
        "\nMemory, bytes held by a channel of `u64` (counting allocator, one thread):\n\n{memory}"
    );
    let _ = writeln!(
        report,
        "CPU time of a receiver blocked for one second (near 0 is right):\n\n{idle}"
    );
    println!("{report}");

    // A smoke test's numbers mean nothing: keep them away from the real reports.
    let dir = if opts.smoke() {
        out_dir().join("smoke")
    } else {
        out_dir()
    };
    let written = std::fs::create_dir_all(&dir)
        .map_err(Box::<dyn std::error::Error>::from)
        .and_then(|()| std::fs::write(dir.join("table.md"), &report).map_err(Into::into))
        .and_then(|()| {
            std::fs::write(dir.join("samples.csv"), samples_csv(&plan)).map_err(Into::into)
        })
        .and_then(|()| {
            chart(
                &plan,
                &dir.join("ratios.svg"),
                &format!("{date}, {} mode; {machine}", opts.mode),
            )
        });
    match written {
        Ok(()) => eprintln!(
            "wrote table.md, ratios.svg and samples.csv in {}",
            dir.display()
        ),
        Err(e) => eprintln!("could not write the reports to {}: {e}", dir.display()),
    }

    let ours_failed = plan
        .entries
        .iter()
        .any(|e| e.library == SUBJECT && e.failure.is_some());
    if ours_failed {
        eprintln!("junction failed in at least one cell (see above)");
    }
    // Abandoned runs may still hold threads: leave without waiting for them.
    std::process::exit(if ours_failed { 1 } else { 0 });
}
