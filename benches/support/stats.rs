//! What the samples say: medians with their confidence, the subject's ratio to each
//! peer on a cell, and the geometric mean of those ratios.

use super::library::Library;
use super::measure::Plan;

/// A median is marked as uncertain when its 95% confidence interval is wider than this
/// share of it (0.4: more than ±20%, the most two runs of the same code differ here).
pub const WIDE: f64 = 0.4;

/// The median of some samples and how sure it is.
pub struct Summary {
    /// The median.
    pub median: f64,
    /// The width of the median's 95% confidence interval, as a share of the median.
    pub spread: f64,
}

impl Summary {
    /// Whether the median is uncertain (see [`WIDE`]).
    pub fn wide(&self) -> bool {
        self.spread > WIDE
    }
}

/// Summarizes `samples` (not empty). The confidence interval is distribution-free:
/// the order statistics `n/2 ± 0.98·√n` (for fewer than 8 samples, the whole range).
pub fn summarize(samples: &[f64]) -> Summary {
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
pub enum Ratio {
    /// The library cannot run the case.
    Absent,
    /// One side failed: the word says how.
    Failed(&'static str),
    /// The median per-round ratio; `wide` if its confidence interval is.
    Value { ratio: f64, wide: bool },
}

/// The ratio of the subject to `library` on row `cell`: the median over the rounds of
/// the ratio of their runs in that round (run back to back, so both met the same
/// weather), marked wide when that median is uncertain.
pub fn ratio(plan: &Plan, cell: usize, library: Library) -> Ratio {
    let (Some(ours), Some(theirs)) = (plan.entry(cell, plan.subject()), plan.entry(cell, library))
    else {
        return Ratio::Absent;
    };
    if let Some(f) = &theirs.failure {
        return Ratio::Failed(f.word());
    }
    if ours.failure.is_some() {
        // Shown in the subject's own column.
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
        wide: s.wide(),
    }
}

/// The geometric mean of the subject's ratio to `library` over the rows where both
/// ran, and how many rows that is.
pub fn geometric_mean(plan: &Plan, library: Library) -> Option<(f64, usize)> {
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
