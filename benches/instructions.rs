//! Instructions per send + receive pair, counted by callgrind: a figure that does not
//! move with the machine's noise, for every library's blocking API on `bounded(1)`,
//! `bounded(1000)` and unbounded; for every async API the same way, each send and
//! receive a future polled once; and for every async API, the hand-off of a message
//! between two tasks of one thread's executor on `bounded(0)` and `bounded(1)`.
//!
//! `cargo bench --bench instructions` (about a minute; needs `valgrind`) runs this
//! binary once per library and flavor under `valgrind --tool=callgrind
//! --toggle-collect=*counted_pairs*`: only the instructions inside `counted_pairs` (one
//! thread sending and receiving `--pairs N` messages with the `seq` case's loop, on a
//! channel made and warmed up outside it) are counted, then divided by N. It prints a
//! markdown table and writes it, with callgrind's files, to
//! `target/junction-instructions/`. Run without `--bench` (as `cargo test --benches`
//! does) it runs each loop once, natively, as a smoke test. See `benches/README.md`.

// crossbeam-channel's `select!` with 32 arms needs more than the default 128.
#![recursion_limit = "512"]

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::library::{self, Library};
use support::Flavor;

/// The flavors counted: one slot, the ring, the list.
const FLAVORS: [Flavor; 3] = [Flavor::One, Flavor::Thousand, Flavor::Unbounded];
/// The flavors of the async hand-off: every message waits for the other task.
const HANDOFF_FLAVORS: [Flavor; 2] = [Flavor::Rendezvous, Flavor::One];
/// Pairs counted per run, unless `--pairs N` says otherwise.
const PAIRS: u64 = 100_000;
/// The function whose instructions callgrind counts.
const COUNTED: &str = "*counted_pairs*";

/// What a count measures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    /// `send` and `recv` on one thread.
    Blocking,
    /// Send and receive futures on one thread, each polled once.
    Async,
    /// Send and receive futures in two tasks of one thread's executor, every message
    /// handed from one to the other.
    Handoff,
}

impl Api {
    const ALL: [Api; 3] = [Api::Blocking, Api::Async, Api::Handoff];

    /// Its name on the child's command line and in file names.
    fn name(self) -> &'static str {
        match self {
            Api::Blocking => "blocking",
            Api::Async => "async",
            Api::Handoff => "handoff",
        }
    }

    /// The libraries it is counted for.
    fn libraries(self) -> Vec<Library> {
        match self {
            Api::Blocking => library::with_blocking_api(),
            Api::Async | Api::Handoff => library::with_async_api(),
        }
    }

    /// Its columns.
    fn flavors(self) -> &'static [Flavor] {
        match self {
            Api::Blocking | Api::Async => &FLAVORS,
            Api::Handoff => &HANDOFF_FLAVORS,
        }
    }

    /// Whether `lib` can run it on `flavor`.
    fn supports(self, lib: Library, flavor: Flavor) -> bool {
        self != Api::Handoff || flavor != Flavor::Rendezvous || lib.has_async_rendezvous()
    }

    /// Runs `lib`'s counted loop of this API: `pairs` messages on `flavor`.
    fn count_seq(self, lib: Library, flavor: Flavor, pairs: u64) -> u64 {
        match self {
            Api::Blocking => lib.count_seq(flavor, pairs),
            Api::Async => lib.count_async_seq(flavor, pairs),
            Api::Handoff => lib
                .count_async_handoff(flavor, pairs)
                .unwrap_or_else(|| panic!("{} cannot hand off on {}", lib.name, flavor.name())),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--count") {
        // The child under valgrind: `--count API LIBRARY FLAVOR PAIRS`.
        let [api, lib, flavor, pairs] =
            [1, 2, 3, 4].map(|k| args.get(i + k).map_or("", String::as_str));
        let api = Api::ALL
            .into_iter()
            .find(|a| a.name() == api)
            .expect("--count API LIBRARY FLAVOR PAIRS");
        let pairs = pairs.parse().expect("--count API LIBRARY FLAVOR PAIRS");
        api.count_seq(library_named(lib), flavor_named(flavor), pairs);
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        for api in Api::ALL {
            for lib in api.libraries() {
                for &flavor in api.flavors() {
                    if api.supports(lib, flavor) {
                        api.count_seq(lib, flavor, 2_000);
                    }
                }
            }
        }
        eprintln!("smoke test: every counted loop ran");
        return;
    }
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("valgrind is not installed: no instruction counts (apt-get install valgrind)");
        return;
    }
    let pairs = args
        .iter()
        .position(|a| a == "--pairs")
        .and_then(|i| args.get(i + 1))
        .map_or(PAIRS, |n| n.parse().expect("--pairs wants a number"));
    let table = Api::ALL.map(|api| table(api, pairs)).join("\n");
    println!("{table}");
    let path = out_dir().join("table.md");
    match std::fs::write(&path, &table) {
        Ok(()) => eprintln!("wrote {}", path.display()),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
}

/// The markdown table of `api`: one row per library, one column per flavor, each
/// figure the instructions of a send and a receive (the loop's own subtracted); then
/// the loop's.
fn table(api: Api, pairs: u64) -> String {
    let what = match api {
        Api::Blocking => "Instructions per send + receive pair (callgrind, one thread, ",
        Api::Async => {
            "Async: instructions per send future + receive future, each polled once \
             (a waker that does nothing; none waits) (callgrind, one thread, "
        }
        Api::Handoff => {
            "Async hand-off: instructions per message from a sending task to a receiving \
             task, both on one thread's executor (futures' `LocalPool`, whose own work is \
             counted too: a library that needs fewer wake-ups pays less of it) (callgrind, "
        }
    };
    let how = match api {
        Api::Blocking | Api::Async => format!(
            "{pairs} pairs in batches of the capacity, 1000 when unbounded; setup and the \
             first batch not counted"
        ),
        Api::Handoff => format!("{pairs} messages; setup and a first run not counted"),
    };
    let flavors = api.flavors();
    let mut out = format!("{what}{how}):\n\n| library |");
    for flavor in flavors {
        let _ = write!(out, " {} |", flavor.name());
    }
    out.push_str("\n|---|");
    out.push_str(&"--:|".repeat(flavors.len()));
    out.push('\n');
    // Per flavor, the loop's own instructions a pair, as each run counted them.
    let mut loops: Vec<Vec<String>> = vec![Vec::new(); flavors.len()];
    for lib in api.libraries() {
        let _ = write!(out, "| {} |", lib.name);
        for (k, &flavor) in flavors.iter().enumerate() {
            if !api.supports(lib, flavor) {
                out.push_str(" — |");
                continue;
            }
            let shown = match count(api, lib, flavor, pairs) {
                Ok(Counted { total, own }) => {
                    let own = own.unwrap_or(0);
                    loops[k].push(format!("{:.0}", own as f64 / pairs as f64));
                    format!("{:.1}", (total - own) as f64 / pairs as f64)
                }
                Err(e) => {
                    eprintln!("{} ({}) on {}: {e}", lib.name, api.name(), flavor.name());
                    "error".to_string()
                }
            };
            let _ = write!(out, " {shown} |");
        }
        out.push('\n');
        eprintln!("counted {} ({})", lib.name, api.name());
    }
    out.push_str(&loop_note(flavors, &mut loops));
    out
}

/// The line under a table: the loop's own instructions a pair, subtracted above
/// (one figure per flavor when every library's run agrees, as it should).
fn loop_note(flavors: &[Flavor], loops: &mut [Vec<String>]) -> String {
    let per_flavor: Vec<String> = flavors
        .iter()
        .zip(loops.iter_mut())
        .map(|(flavor, seen)| {
            seen.sort();
            seen.dedup();
            format!("{} {}", flavor.name(), seen.join(" or "))
        })
        .collect();
    format!(
        "\nSubtracted: the loop around the calls (`counted_pairs`' own instructions, \
         0 where `callgrind_annotate` could not tell): {} a pair.\n",
        per_flavor.join(", ")
    )
}

/// What callgrind counted in one run.
struct Counted {
    /// Instructions in `counted_pairs` and everything it called.
    total: u64,
    /// Instructions in `counted_pairs` itself (the loop), where `callgrind_annotate`
    /// tells.
    own: Option<u64>,
}

/// What callgrind counts in `counted_pairs` when `lib` sends and receives `pairs`
/// messages on `flavor` with `api`.
fn count(api: Api, lib: Library, flavor: Flavor, pairs: u64) -> Result<Counted, String> {
    let dir = out_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join(format!(
        "{}.{}.{}.callgrind",
        plain(lib.name),
        plain(flavor.name()),
        api.name()
    ));
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let run = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(format!("--toggle-collect={COUNTED}"))
        .arg(me)
        .args([
            "--count",
            api.name(),
            lib.name,
            flavor.name(),
            &pairs.to_string(),
        ])
        .output()
        .map_err(|e| e.to_string())?;
    if !run.status.success() {
        return Err(String::from_utf8_lossy(&run.stderr).into_owned());
    }
    let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    let total = text
        .lines()
        .find_map(|l| l.strip_prefix("summary:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| format!("no summary line in {}", file.display()))?;
    Ok(Counted {
        total,
        own: own_cost(&file),
    })
}

/// The self cost of `counted_pairs` in callgrind's `file`, from `callgrind_annotate`'s
/// list of functions (`1,302,127 ( 7.40%)  ???:...::counted_pairs [...]`).
fn own_cost(file: &Path) -> Option<u64> {
    let annotated = Command::new("callgrind_annotate").arg(file).output().ok()?;
    let text = String::from_utf8(annotated.stdout).ok()?;
    let line = text.lines().find(|l| l.contains("::counted_pairs"))?;
    let number = line.split_whitespace().next()?.replace(',', "");
    number.parse().ok()
}

/// The library called `name`.
fn library_named(name: &str) -> Library {
    library::ALL
        .into_iter()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("no library {name:?}"))
}

/// The flavor called `name`.
fn flavor_named(name: &str) -> Flavor {
    *Flavor::ALL
        .iter()
        .find(|f| f.name() == name)
        .unwrap_or_else(|| panic!("no flavor {name:?}"))
}

/// `name` with every character but letters and digits made `_`, for a file name.
fn plain(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Where the table and callgrind's files go: `target/junction-instructions/` of the
/// workspace (or of `CARGO_TARGET_DIR`).
fn out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("junction-instructions")
}
