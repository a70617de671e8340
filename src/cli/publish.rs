//! `vakt publish`: every table of the pack's publication plan, protected together.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt publish --help` prints them.

use crate::disclose::{self, data::Data, link, suppress, tabulate};
use crate::pack::Publication;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Examples and exit status, shown after the options by `vakt publish --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt publish clean/ --out tables/\n  vakt publish clean/ --rules my-pack.toml --out tables/ --lang nb\n\nExit status: 0 every table is safe, alone and together; 1 one is not (cannot happen unless a table contradicts itself); 2 the pack has no publication plan, or the data could not be read.";

/// Write every table of the pack's publication plan (`[[publication]]`) from a clean dataset,
/// protected together.
///
/// Tables that count the same population share cells (a margin of one is a margin of the other):
/// a cell hidden in one table is hidden, and protected, in every table that holds it, so no table
/// gives away what another hides. Writes DIR/NAME/ for each table as `vakt tabulate` does
/// (table.csv, table.xlsx, audit.json, summary.md).
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The clean dataset: the folder `vakt clean` wrote (one CSV file per table).
    data: PathBuf,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Rule pack whose `[[publication]]` entries say what to publish. Default: the survey pack
    /// built into vakt.
    #[arg(long, value_name = "PACK")]
    rules: Option<PathBuf>,
    /// Seconds each table's search for the cheapest safe pattern may take (see `vakt tabulate`).
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    time_limit: u64,
    /// Show codes instead of the code lists' labels.
    #[arg(long)]
    codes: bool,
    /// Language of margins, headers and summaries (default: from the locale, English otherwise).
    #[arg(long, value_enum)]
    lang: Option<super::check::LangArg>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let fail = |m: &dyn std::fmt::Display| {
        errln!("vakt: {m}");
        Ok(ExitCode::from(super::EXIT_INCOMPLETE))
    };
    let Some(pack) = super::load_pack(args.rules.as_deref()) else {
        return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
    };
    if pack.publications.is_empty() {
        return fail(&format!("the pack `{}` has no [[publication]] plan", pack.name));
    }
    let mut grids = Vec::new();
    for p in &pack.publications {
        match count(&args.data, p) {
            Ok(g) => grids.push(g),
            Err(e) => return fail(&format!("publication `{}`: {e}", p.name)),
        }
    }
    let linked: Vec<link::Linked<'_>> = pack
        .publications
        .iter()
        .zip(&grids)
        .map(|(p, (g, _))| {
            let (table, distinct) = p.population();
            link::Linked {
                population: format!("{table}/{}", distinct.unwrap_or_default()),
                grid: g,
                threshold: p.threshold,
            }
        })
        .collect();
    let limit = std::time::Duration::from_secs(args.time_limit);
    let (protections, rounds) = link::protect_together(&linked, suppress::Zeros::Publish, limit);
    let lang = super::check::LangArg::resolve(args.lang);
    let mut all_safe = true;
    for ((p, (grid, records)), protection) in pack.publications.iter().zip(grids).zip(&protections) {
        let mut grid = grid;
        if !args.codes {
            super::tabulate::relabel(&mut grid, &pack, lang);
        }
        let safe = write(&args.out.join(&p.name), &grid, protection, p, records, lang)?;
        all_safe &= safe;
        outln!(
            "{}: {} cells, {} suppressed{}",
            p.name,
            grid.cells.len(),
            protection.suppressed.iter().filter(|&&s| s).count(),
            if safe { "" } else { ", NOT safe" }
        );
    }
    outln!(
        "{} tables protected together ({rounds} rounds); wrote {}",
        pack.publications.len(),
        args.out.display()
    );
    Ok(if all_safe {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_FINDINGS)
    })
}

/// Reads the counted table and its joins from the clean dataset and counts the publication.
fn count(dir: &Path, p: &Publication) -> Result<(disclose::grid::Grid, usize), String> {
    let read = |table: &str| {
        let path = dir.join(format!("{table}.csv"));
        Data::read(&path, None).map_err(|e| e.to_string())
    };
    let mut data = read(&p.table)?;
    for (table, on) in &p.joins {
        let other = read(table)?;
        data.join(&other, on).map_err(|e| format!("{table}: {e}"))?;
    }
    let spec = tabulate::Spec {
        rows: p.rows.clone(),
        cols: p.cols.clone(),
        layers: p.layers.clone(),
        distinct: p.count_distinct.clone(),
    };
    let (grid, counted) = tabulate::count(&data, &spec).map_err(|e| e.to_string())?;
    Ok((grid, counted.records))
}

/// Writes one table as `vakt tabulate` does; whether it is safe.
fn write(
    dir: &Path,
    grid: &disclose::grid::Grid,
    protection: &suppress::Protection,
    p: &Publication,
    records: usize,
    lang: crate::report::i18n::Lang,
) -> anyhow::Result<bool> {
    let policy = disclose::Policy {
        name: "publication plan",
        threshold: p.threshold,
        symbol: symbol(&p.symbol),
    };
    let dims: Vec<&str> = grid.dims.iter().map(|d| d.0.as_str()).collect();
    let unit = p
        .count_distinct
        .as_ref()
        .map_or("rows".to_string(), |c| format!("distinct {c}"));
    let what = format!("{unit} by {}", dims.join(" × "));
    let notes = vec![
        format!("Source: the clean table `{}` ({records} records).", p.table),
        "Protected together with the other tables of the publication plan: a cell hidden in one is hidden in all that hold it.".to_string(),
    ];
    let caption = disclose::Caption {
        what: &what,
        notes: &notes,
        lang,
    };
    disclose::write_outputs(dir, grid, protection, &policy, suppress::Zeros::Publish, caption)?;
    let exact = suppress::determined(grid, &protection.suppressed);
    Ok((0..grid.cells.len()).all(|c| {
        !protection.suppressed[c]
            || !(exact[c]
                || (protection.primary[c]
                    && protection.intervals[c].is_some_and(|(lo, hi)| !suppress::passes(lo, hi, p.threshold))))
    }))
}

/// The symbols a publication may use (the presets' own).
fn symbol(s: &str) -> &'static str {
    match s {
        "*" => "*",
        "." => ".",
        ".." => "..",
        _ => ":",
    }
}
