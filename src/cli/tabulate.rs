//! `vakt tabulate`: count clean data into a table and protect its small cells.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt tabulate --help` prints them.

use crate::disclose::{self, data::Data, suppress, tabulate};
use clap::ValueEnum;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum ZerosArg {
    Publish,
    Protect,
}

/// Examples and exit status, shown after the options by `vakt tabulate --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt tabulate clean/patients.csv --join clean/groups.csv --on authority_code,group_id \\\n      --rows dx_group --cols group_type --count-distinct patient_id --out tables/dx-by-type\n  vakt tabulate clean/groups.csv --join clean/units.csv --on authority_code,unit_id \\\n      --rows setting --cols group_type --preset ssb --out tables/setting-by-type\n  vakt tabulate clean/patients.csv --join clean/groups.csv:authority_code,group_id \\\n      --join clean/units.csv:authority_code,unit_id --layers setting --rows dx_group \\\n      --cols group_type --count-distinct patient_id --out tables/dx-by-type-by-setting\n  vakt tabulate clean/patients.csv --join clean/groups.csv --on authority_code,group_id \\\n      --rows main_dx --rows-within dx_group --cols group_type --count-distinct patient_id \\\n      --out tables/diagnosis-within-group\n\nExit status: 0 the table is safe; 1 it is not (cannot happen unless the table contradicts itself); 2 the data could not be read.\n\nPresets: ssb (n=3, :), nav (n=4, *), helsedata (n=3, .), tre (n=10, :), survey (n=5, :), the default.";

/// Count clean data into a table and suppress small cells, safely.
///
/// Writes DIR/table.csv and DIR/table.xlsx (suppressed cells as the preset's symbol),
/// DIR/audit.json (per suppressed cell: labels, primary or secondary, the attacker's interval,
/// pass/fail, the relations that bound it; never the value) and DIR/summary.md with a method
/// statement.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// A table from `vakt clean` (CSV or xlsx).
    data: std::path::PathBuf,
    /// Column whose categories are the rows.
    #[arg(long)]
    rows: String,
    /// Column whose categories are the columns.
    #[arg(long)]
    cols: Option<String>,
    /// Column whose categories are layers (a third dimension).
    #[arg(long)]
    layers: Option<String>,
    /// Column whose categories hold the row categories, for a hierarchy (diagnoses within
    /// diagnosis groups): a subtotal row per category, and the table protected as one with its
    /// subtotals. Repeat it for more levels, each the one above the last (`--rows-within block
    /// --rows-within chapter`: diagnoses within blocks within chapters). Needs --cols; not with
    /// --layers.
    #[arg(long, value_name = "COL")]
    rows_within: Vec<String>,
    /// Count distinct values of this column (a pseudonym) instead of rows.
    #[arg(long, value_name = "COL")]
    count_distinct: Option<String>,
    /// Another table to join in (e.g. groups.csv for the group type of each patient); `FILE:COLS`
    /// names the join columns for that file, else --on applies. Repeatable.
    #[arg(long, value_name = "FILE[:COLS]")]
    join: Vec<String>,
    /// The columns to join on, comma-separated (for --join files without their own).
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    on: Vec<String>,
    /// Smallest publishable count.
    #[arg(long, conflicts_with = "preset")]
    threshold: Option<f64>,
    /// A named policy: ssb, nav, helsedata, tre, survey.
    #[arg(long)]
    preset: Option<String>,
    /// Whether zero counts are published.
    #[arg(long, value_enum, default_value = "publish")]
    zeros: ZerosArg,
    /// Seconds the search for the cheapest safe pattern may take (a guard: its work is limited in
    /// rounds and nodes, so a table gives the same pattern on any machine); when it runs out, the
    /// greedy pattern is kept, and audit.json and summary.md say so.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    time_limit: u64,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// No progress bar on standard error (it is shown only on a terminal, after a second).
    #[arg(long, short)]
    quiet: bool,
    /// Language of the margins' label, the headers and the summary (default: from the
    /// environment's locale, English otherwise).
    #[arg(long, value_enum)]
    lang: Option<super::check::LangArg>,
    /// Show codes (PSYDYN) instead of the code lists' labels (Psykodynamisk).
    #[arg(long)]
    codes: bool,
    /// Rule pack whose code lists and column labels name the table's rows and columns. Default:
    /// the survey pack built into vakt.
    #[arg(long, value_name = "PACK")]
    rules: Option<std::path::PathBuf>,
}

pub fn policy(threshold: Option<f64>, preset: Option<&str>) -> Result<disclose::Policy, String> {
    match (threshold, preset) {
        (_, Some(p)) => disclose::preset(p).ok_or_else(|| {
            format!(
                "no preset `{p}` (presets: {})",
                disclose::PRESETS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
            )
        }),
        (Some(n), None) if n >= 1.0 => Ok(disclose::Policy {
            name: "custom",
            threshold: n,
            symbol: ":",
        }),
        (Some(n), None) => Err(format!("threshold {n}: must be at least 1")),
        (None, None) => Ok(disclose::preset("survey").unwrap_or(disclose::Policy {
            name: "survey",
            threshold: 5.0,
            symbol: ":",
        })),
    }
}

/// Names the table's rows and columns as people read them: each dimension whose column the pack
/// knows gets the column's header in the language, and its codes the code list's labels (a code
/// without a label, or a column without a code list, stays as it is).
pub(super) fn relabel(grid: &mut disclose::grid::Grid, pack: &crate::pack::Pack, lang: crate::report::i18n::Lang) {
    use crate::report::i18n::Lang;
    for (name, labels) in &mut grid.dims {
        let Some(column) = pack.tables.iter().flat_map(|t| &t.columns).find(|c| c.name == *name) else {
            continue;
        };
        let header = match lang {
            Lang::Nb => column.label_no.clone(),
            _ => column.aliases.first().cloned(),
        };
        let Some(list) = pack.codelist(column) else {
            if let Some(h) = header {
                *name = h;
            }
            continue;
        };
        let mut scratch = String::new();
        let named: Vec<String> = labels
            .iter()
            .map(|code| {
                let entry = list.lookup(code, &mut scratch).and_then(|i| list.entry(i));
                let label = entry.map(|e| if lang == Lang::Nb { &e.no } else { &e.en });
                label.filter(|l| !l.is_empty()).cloned().unwrap_or_else(|| code.clone())
            })
            .collect();
        // Two codes with one label would make two rows look alike: keep the codes then.
        let mut unique = named.clone();
        unique.sort();
        unique.dedup();
        if unique.len() == named.len() {
            *labels = named;
        }
        if let Some(h) = header {
            *name = h;
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let fail = super::incomplete;
    let policy = match policy(args.threshold, args.preset.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let mut data = match Data::read(&args.data, None) {
        Ok(d) => d,
        Err(e) => return fail(&e),
    };
    for j in &args.join {
        let (file, on) = match j.rsplit_once(':') {
            Some((f, cols)) if !cols.is_empty() && !cols.contains(['/', '\\']) => {
                (f, cols.split(',').map(str::to_string).collect::<Vec<_>>())
            }
            _ => (j.as_str(), args.on.clone()),
        };
        if on.is_empty() {
            return fail(&format!(
                "--join {j}: say which columns to join on (FILE:COLS or --on COLS)"
            ));
        }
        let other = match Data::read(std::path::Path::new(file), None) {
            Ok(d) => d,
            Err(e) => return fail(&e),
        };
        if let Err(e) = data.join(&other, &on) {
            return fail(&format!("{file}: {e}"));
        }
    }
    let spec = tabulate::Spec {
        rows: args.rows.clone(),
        cols: args.cols.clone(),
        layers: args.layers.clone(),
        distinct: args.count_distinct.clone(),
        rows_within: args.rows_within.clone(),
    };
    let (mut grid, counted) = match tabulate::count(&data, &spec) {
        Ok(x) => x,
        Err(e) => return fail(&format!("{}: {e}", args.data.display())),
    };
    let lang = super::check::LangArg::resolve(args.lang);
    if !args.codes {
        let Some(pack) = super::load_pack(args.rules.as_deref()) else {
            return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
        };
        relabel(&mut grid, &pack, lang);
    }
    let zeros = match args.zeros {
        ZerosArg::Publish => suppress::Zeros::Publish,
        ZerosArg::Protect => suppress::Zeros::Protect,
    };
    let protection = {
        let progress = super::progress::Progress::spinner("protecting the table", args.quiet);
        progress.message(&format!("{} cells", grid.cells.len()));
        let limit = std::time::Duration::from_secs(args.time_limit);
        let cells = grid.cells.len();
        let watch = |step: &str| progress.message(&format!("{cells} cells: {step}"));
        suppress::protect_linked(&grid, policy.threshold, zeros, limit, &[], &watch)
    };
    let what = {
        let dims: Vec<&str> = grid.dims.iter().map(|d| d.0.as_str()).collect();
        let unit = args
            .count_distinct
            .as_ref()
            .map_or("rows".to_string(), |c| format!("distinct {c}"));
        format!("{} by {}", unit, dims.join(" × "))
    };
    let mut notes = vec![format!(
        "Source: {} ({} records).",
        args.data.display(),
        counted.records
    )];
    if counted.multi_cell_persons > 0 {
        notes.push(format!(
            "{} persons are counted in more than one cell; margins add the cells up.",
            counted.multi_cell_persons
        ));
    }
    let caption = disclose::Caption {
        what: &what,
        notes: &notes,
        lang,
    };
    if let Err(e) = disclose::write_outputs(&args.out, &grid, &protection, &policy, zeros, caption) {
        return fail(&e);
    }
    let primary = protection.primary.iter().filter(|&&p| p).count();
    let secondary = protection.suppressed.iter().filter(|&&s| s).count() - primary;
    let exact = suppress::determined(&grid, &protection.suppressed);
    let unsafe_cells = (0..grid.cells.len())
        .filter(|&c| {
            protection.suppressed[c]
                && (exact[c]
                    || (protection.primary[c]
                        && protection.intervals[c].is_some_and(|(lo, hi)| !suppress::passes(lo, hi, policy.threshold))))
        })
        .count();
    outln!(
        "{what}: {} cells, {primary} primary and {secondary} secondary suppressions (threshold {}, preset {})",
        grid.cells.len(),
        policy.threshold,
        policy.name
    );
    outln!(
        "audit: {}",
        if unsafe_cells == 0 {
            "safe".to_string()
        } else {
            format!("{unsafe_cells} cells NOT safe")
        }
    );
    outln!(
        "wrote {}/table.csv, table.xlsx, audit.json, summary.md",
        args.out.display()
    );
    Ok(if unsafe_cells == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_FINDINGS)
    })
}
