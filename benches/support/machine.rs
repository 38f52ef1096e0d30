//! What a report says about where and when it was measured: the machine in one line
//! (from `/proc` where there is one) and today's date.

/// One line naming the machine: processor, CPUs, kernel, compiler, load.
pub fn description() -> String {
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
pub fn today() -> String {
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
