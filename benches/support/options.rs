//! The comparison's command line: which mode, and the numbers a run may override.

use super::{Workload, STEADY_HANDOFF_MESSAGES, STEADY_MESSAGES};
use std::time::Duration;

/// Which set of defaults a run of the comparison uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `cargo bench --bench compare`: the numbers to publish, from runs long enough to
    /// reach a steady state.
    Full,
    /// `-- --quick`: a short run to look at, not to publish.
    Quick,
    /// Run without `--bench` (as `cargo test --benches` does): one tiny round that
    /// fails if junction loses messages or hangs; its numbers mean nothing.
    Smoke,
}

/// What a [`Mode`] runs unless told otherwise.
struct Defaults {
    /// Measured rounds.
    rounds: usize,
    /// Unmeasured rounds first.
    warm_up: usize,
    /// Messages per run of a buffered cell.
    messages: u64,
    /// Messages per run of a hand-off cell.
    handoff_messages: u64,
    /// Seconds a run may take.
    limit: u64,
}

impl Mode {
    /// The word the report and the progress lines use.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Quick => "quick",
            Mode::Smoke => "smoke test",
        }
    }

    /// What it runs unless told otherwise.
    fn defaults(self) -> Defaults {
        match self {
            Mode::Full => Defaults {
                rounds: 25,
                warm_up: 1,
                messages: STEADY_MESSAGES,
                handoff_messages: STEADY_HANDOFF_MESSAGES,
                limit: 10,
            },
            Mode::Quick => Defaults {
                rounds: 7,
                warm_up: 1,
                messages: 4_000,
                handoff_messages: 4_000,
                limit: 2,
            },
            Mode::Smoke => Defaults {
                rounds: 1,
                warm_up: 0,
                messages: 400,
                handoff_messages: 400,
                limit: 2,
            },
        }
    }
}

/// What the command line and environment asked for.
pub struct Options {
    /// Which set of defaults.
    pub mode: Mode,
    /// Measured rounds (each library runs each cell once per round).
    pub rounds: usize,
    /// Unmeasured rounds first.
    pub warm_up: usize,
    /// Messages per run of a buffered cell.
    pub messages: u64,
    /// Messages per run of a hand-off cell (see [`Workload::hands_off`]).
    pub handoff_messages: u64,
    /// A run taking longer is abandoned and reported as a hang.
    pub limit: Duration,
    /// Only cells whose name contains this.
    pub filter: Option<String>,
    /// The command that reproduces this run, for the report.
    pub command: String,
}

impl Options {
    /// Reads `--quick`, `--rounds N`, `--messages N`, `--handoff-messages N`,
    /// `--limit SECS`, `--filter TEXT` (or `JUNCTION_COMPARE_QUICK=1`,
    /// `JUNCTION_COMPARE_ROUNDS`, ...). Without the
    /// `--bench` flag that `cargo bench` passes, it is a smoke test.
    pub fn parse() -> Options {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let flag = |name: &str| args.iter().any(|a| a == name);
        let quick =
            flag("--quick") || std::env::var("JUNCTION_COMPARE_QUICK").is_ok_and(|v| v != "0");
        let mode = match (flag("--bench"), quick) {
            (false, _) => Mode::Smoke,
            (true, true) => Mode::Quick,
            (true, false) => Mode::Full,
        };
        let defaults = mode.defaults();
        let number = |name: &str| number(&args, name);
        Options {
            mode,
            rounds: number("--rounds").map_or(defaults.rounds, |n| n.max(1) as usize),
            warm_up: defaults.warm_up,
            messages: number("--messages").unwrap_or(defaults.messages).max(1),
            handoff_messages: number("--handoff-messages")
                .unwrap_or(defaults.handoff_messages)
                .max(1),
            limit: Duration::from_secs(number("--limit").unwrap_or(defaults.limit).max(1)),
            filter: value(&args, "--filter"),
            command: command(mode, &args),
        }
    }

    /// Messages per run of `workload`.
    pub fn messages_for(&self, workload: Workload) -> u64 {
        if workload.hands_off() {
            self.handoff_messages
        } else {
            self.messages
        }
    }
}

/// The value of option `name` (`--rounds`): the argument after it, or else the
/// variable `JUNCTION_COMPARE_ROUNDS`.
fn value(args: &[String], name: &str) -> Option<String> {
    let env = format!(
        "JUNCTION_COMPARE_{}",
        name.trim_start_matches("--").to_uppercase()
    );
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var(env).ok())
}

/// The value of option `name` as a number; panics if it is not one.
fn number(args: &[String], name: &str) -> Option<u64> {
    value(args, name).map(|v| {
        v.parse::<u64>()
            .unwrap_or_else(|_| panic!("{name} wants a number, not {v:?}"))
    })
}

/// The command that reproduces a run of `mode` with `args`.
fn command(mode: Mode, args: &[String]) -> String {
    let passed: Vec<String> = args
        .iter()
        .filter(|&a| a != "--bench")
        .map(|a| quoted(a))
        .collect();
    match (mode, passed.is_empty()) {
        (Mode::Smoke, _) => "cargo test --benches".to_string(),
        (_, true) => "cargo bench --bench compare".to_string(),
        (_, false) => format!("cargo bench --bench compare -- {}", passed.join(" ")),
    }
}

/// `arg` as a shell reads it back: in single quotes if it holds anything but letters,
/// digits and `-_./=:` (a filter such as `async spsc` or `bounded(0)`).
fn quoted(arg: &str) -> String {
    let plain = arg
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./=:".contains(c));
    if plain && !arg.is_empty() {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}
