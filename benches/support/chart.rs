//! The comparison's chart: one row per cell, one dot per peer at the subject's ratio
//! to it, on a log scale centred on 1; an SVG drawn with plotters.

use super::library::{Library, Rgb};
use super::measure::Plan;
use super::stats::{geometric_mean, ratio, Ratio};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// What drawing can fail with.
type Error = Box<dyn std::error::Error>;
/// The canvas.
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// The ratios shown: from 1/16 to 16; others are drawn at the edge.
const LO: f64 = 1.0 / 16.0;
/// See [`LO`].
const HI: f64 = 16.0;
/// The x of ratio [`LO`].
const LEFT: i32 = 190;
/// The x of ratio [`HI`].
const RIGHT: i32 = 930;
/// The y of the first row's top.
const TOP: i32 = 96;
/// A row's height.
const ROW_H: i32 = 22;

/// Draws the plan's ratios to `path`, with `subtitle` (date, mode, machine) under the title.
pub fn draw(plan: &Plan, path: &Path, subtitle: &str) -> Result<(), Error> {
    let rows = plan.cells.len() as i32;
    let height = (TOP + rows * ROW_H + 60) as u32;
    let root = SVGBackend::new(path, (1200, height)).into_drawing_area();
    root.fill(&WHITE)?;
    root.draw(&Text::new(
        format!(
            "{}'s time ÷ each peer's (left of 1: {} is faster)",
            plan.subject().name,
            plan.subject().name
        ),
        (10, 8),
        font(18).color(&BLACK),
    ))?;
    root.draw(&Text::new(
        subtitle.to_string(),
        (10, 32),
        font(12).color(&BLACK.mix(0.7)),
    ))?;
    legend(&root, plan)?;
    grid(&root, TOP + rows * ROW_H)?;
    for cell in 0..plan.cells.len() {
        row(&root, plan, cell)?;
    }
    root.present()?;
    Ok(())
}

/// The x of ratio `r` (clamped to the scale).
fn x_of(r: f64) -> i32 {
    let t = (r.clamp(LO, HI).log2() - LO.log2()) / (HI.log2() - LO.log2());
    LEFT + (t * f64::from(RIGHT - LEFT)) as i32
}

/// A sans-serif font of `size`.
fn font(size: i32) -> FontDesc<'static> {
    ("sans-serif", size).into_font()
}

/// The plotters colour of `rgb`.
fn colour(Rgb(r, g, b): Rgb) -> RGBColor {
    RGBColor(r, g, b)
}

/// One entry per peer, with its geometric mean.
fn legend(root: &Area<'_>, plan: &Plan) -> Result<(), Error> {
    let mut x = 10;
    for &p in plan.peers() {
        let label = match geometric_mean(plan, p) {
            Some((g, _)) => format!("{} (geo. mean {g:.2})", p.name),
            None => p.name.to_string(),
        };
        root.draw(&Circle::new((x + 5, 62), 5, colour(p.colour).filled()))?;
        root.draw(&Text::new(
            label.clone(),
            (x + 14, 55),
            font(12).color(&BLACK),
        ))?;
        x += 24 + 7 * label.chars().count() as i32;
    }
    Ok(())
}

/// The vertical lines at powers of two (bold at 1), labelled below `bottom`, and the
/// key to the dots.
fn grid(root: &Area<'_>, bottom: i32) -> Result<(), Error> {
    let mut r = LO;
    while r <= HI * 1.001 {
        let gx = x_of(r);
        let style = if (r - 1.0).abs() < 1e-9 {
            BLACK.stroke_width(2)
        } else {
            BLACK.mix(0.15).stroke_width(1)
        };
        root.draw(&PathElement::new(vec![(gx, TOP - 6), (gx, bottom)], style))?;
        let label = if r >= 1.0 {
            format!("{r}")
        } else {
            format!("1/{}", (1.0 / r).round())
        };
        root.draw(&Text::new(
            label,
            (gx - 8, bottom + 6),
            font(12).color(&BLACK),
        ))?;
        r *= 2.0;
    }
    root.draw(&Text::new("ratio (log scale); hollow: uncertain (95% interval wider than ±20%); off-scale values are written beside the edge; red: failures", (LEFT, bottom + 26), font(12).color(&BLACK)))?;
    Ok(())
}

/// Row `cell`: its name, a dot per peer, and its failures in red at the right.
fn row(root: &Area<'_>, plan: &Plan, cell: usize) -> Result<(), Error> {
    let y = TOP + cell as i32 * ROW_H + ROW_H / 2;
    if cell % 2 == 0 {
        root.draw(&Rectangle::new(
            [(LEFT, y - ROW_H / 2), (RIGHT, y + ROW_H / 2)],
            BLACK.mix(0.04).filled(),
        ))?;
    }
    let name = plan.cells[cell].workload.name();
    root.draw(&Text::new(name, (10, y - 7), font(12).color(&BLACK)))?;
    let subject = plan.subject();
    let mut notes: Vec<String> = plan
        .entry(cell, subject)
        .and_then(|e| e.failure.as_ref())
        .map(|f| format!("{}: {}", subject.name, f.word()))
        .into_iter()
        .collect();
    for (k, &p) in plan.peers().iter().enumerate() {
        let dy = k as i32 * 3 - 6;
        match ratio(plan, cell, p) {
            Ratio::Absent => {}
            Ratio::Failed(word) => notes.push(format!("{}: {word}", p.name)),
            Ratio::Value { ratio, wide } => dot(root, p, ratio, wide, y, dy)?,
        }
    }
    if !notes.is_empty() {
        root.draw(&Text::new(
            notes.join(", "),
            (RIGHT + 12, y - 7),
            font(11).color(&RED),
        ))?;
    }
    Ok(())
}

/// Peer `p`'s dot at `ratio` on the row at `y` (moved by `dy` so that close dots stay
/// apart): hollow if `wide`; off the scale, at its edge with the value beside it.
fn dot(root: &Area<'_>, p: Library, ratio: f64, wide: bool, y: i32, dy: i32) -> Result<(), Error> {
    let colour = colour(p.colour);
    let style = if wide {
        colour.stroke_width(2)
    } else {
        colour.filled()
    };
    root.draw(&Circle::new((x_of(ratio), y + dy), 4, style))?;
    if !(LO..=HI).contains(&ratio) {
        let at = if ratio > HI {
            x_of(HI) - 40
        } else {
            x_of(LO) + 8
        };
        root.draw(&Text::new(
            format!("{ratio:.1}"),
            (at, y - 7),
            font(11).color(&colour),
        ))?;
    }
    Ok(())
}
