//! `vakt check`: check returns against a rule pack and report every finding at its cell.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt check --help` prints them.

use super::{EXIT_FINDINGS, EXIT_INCOMPLETE};
use crate::check::{engine, Registry};
use crate::report::{human, json, InputReport, Report};
use clap::ValueEnum;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Deny {
    Warnings,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// Examples and exit status, shown after the options by `vakt check --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt check fixtures/returns/messy.xlsx\n  vakt check returns/*.xlsx returns/HN-FIN/ --format json > report.json\n  vakt check --rules my-pack.toml --deny warnings return.xlsx\n  vakt check --rules my-pack.toml return-2024/ --previous return-2023/\n  vakt check --rules my-pack.toml                (load, check and summarise the pack)\n  vakt check returns/*.xlsx --feedback feedback/ --html report.html --lang nb\n\nExit status: 0 no errors; 1 errors found (or warnings, with --deny warnings); 2 the run could not complete (an unreadable input or a bad rule pack).";

/// Check returns against a rule pack; report every finding at its file, sheet and cell.
///
/// A return is a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods), a folder of CSV files (one per table:
/// groups.csv or grupper.csv, ...), or a single CSV file. Several returns can be checked in one
/// run; one that cannot be read is reported and the others are still checked.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Returns to check: workbooks, folders of CSV files, or CSV files. None: the pack is loaded,
    /// checked and summarised (a way to check a pack you are writing).
    #[arg(value_name = "RETURN")]
    paths: Vec<PathBuf>,
    /// Rule pack (TOML). Default: the survey pack built into vakt.
    #[arg(long, value_name = "PACK")]
    rules: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// List at most N diagnostics (totals still count all).
    #[arg(long, value_name = "N")]
    max_diagnostics: Option<usize>,
    /// Also fail (exit 1) on warnings.
    #[arg(long, value_enum)]
    deny: Option<Deny>,
    /// Colour in the human output.
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// The previous period (a return, or a clean dataset of several), for the pack's rules that
    /// compare with it ([[table.previous]]). May be given more than once.
    #[arg(long, value_name = "RETURN")]
    previous: Vec<PathBuf>,
    /// Write a feedback workbook per return into DIR (<return>-tilbakemelding.xlsx): the return as
    /// submitted, each cell with a finding highlighted and carrying a note, and a first sheet
    /// listing every finding with a link to its cell.
    #[arg(long, value_name = "DIR")]
    feedback: Option<PathBuf>,
    /// Write the HTML report to FILE: one self-contained page with a summary per return, charts of
    /// the findings, the distributions the pack profiles per return next to the national figures,
    /// and a filterable list of the findings.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Language of the report's own texts in the terminal and the HTML report (default: from the
    /// environment's locale, English otherwise).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// No progress bar on standard error (it is shown only on a terminal, after a second).
    #[arg(long, short)]
    quiet: bool,
}

/// Columns to wrap the terminal report at: the terminal's width when standard output is one, else
/// `COLUMNS`, else 120.
fn terminal_width() -> usize {
    if std::io::stdout().is_terminal() {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
            return usize::from(w);
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(120)
}

/// A language of the reports.
#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// Norwegian bokmål.
    Nb,
    /// English.
    En,
}

impl LangArg {
    /// The language asked for, or the environment's.
    pub fn resolve(arg: Option<LangArg>) -> crate::report::i18n::Lang {
        use crate::report::i18n::Lang;
        match arg {
            Some(LangArg::Nb) => Lang::Nb,
            Some(LangArg::En) => Lang::En,
            None => Lang::from_env(),
        }
    }
}

/// Reads the previous period for the pack's comparisons; says when the pack has some and no
/// previous period was given.
fn read_previous(plan: &crate::check::Plan, args: &Args) -> Result<(), String> {
    if args.previous.is_empty() {
        if plan.needs_previous() {
            errln!("vakt: note: the pack's rules comparing with the previous period were not run: give --previous");
        }
        return Ok(());
    }
    for p in &args.previous {
        engine::record_previous(plan, p)?;
    }
    plan.previous_loaded();
    Ok(())
}

/// Checks every return, several at once on a machine with several cores (a national run is 25
/// returns; the largest start first), and gives the results in the order of `paths`. A pack with
/// plugins checks one return at a time: each plugin is one process, answering one stream at a
/// time.
fn check_all(
    plan: &crate::check::Plan,
    paths: &[PathBuf],
    progress: &super::progress::Progress,
) -> Vec<(Option<crate::read::Input>, crate::check::InputResult)> {
    let workers = plan.workers_for(paths.len());
    let size = |p: &std::path::PathBuf| crate::read::Input::work_estimate(p);
    vakt_core::par::map_heaviest_first_on(paths, size, workers, |path| {
        progress.message(&path.display().to_string());
        let result = engine::check_path(plan, path);
        progress.step();
        result
    })
}

/// What a pack holds, for `vakt check --rules PACK` without returns: it loaded without mistakes.
fn summarise_pack(plan: &crate::check::Plan) {
    let pack = plan.pack();
    outln!("{} {}: the pack loads without mistakes", pack.name, pack.version);
    for t in &pack.tables {
        let required = t.columns.iter().filter(|c| c.required).count();
        let relations = match t.relations.len() {
            1 => "1 relation".to_string(),
            n => format!("{n} relations"),
        };
        outln!(
            "  table {:<20} {} columns ({required} required), {relations}",
            t.name,
            t.columns.len()
        );
    }
    outln!(
        "  {} code lists, {} rule entries, {} plugins, {} profiles; sha256 {}",
        pack.codelists.len(),
        plan.entry_count(),
        pack.plugins.len(),
        pack.profiles.len(),
        pack.sha256
    );
    outln!("Give returns to check them: vakt check [--rules PACK] RETURN...");
}

/// Writes one feedback workbook per return that could be read; says where, or why not. False when
/// one could not be written.
fn write_feedback(report: &Report, dir: &std::path::Path) -> bool {
    if let Err(e) = std::fs::create_dir_all(dir) {
        errln!("vakt: feedback folder {}: {e}", dir.display());
        return false;
    }
    let mut used: Vec<String> = Vec::new();
    let mut ok = true;
    for input in report.inputs.iter().filter(|i| i.sha256.is_some()) {
        let stem = std::path::Path::new(&input.path)
            .file_stem()
            .map_or_else(|| "return".to_string(), |s| s.to_string_lossy().into_owned());
        let mut name = stem.clone();
        let mut n = 1;
        while used.contains(&name.to_lowercase()) {
            n += 1;
            name = format!("{stem}-{n}");
        }
        used.push(name.to_lowercase());
        match crate::reports::feedback::write(input, dir, &name) {
            Ok(path) => errln!("vakt: feedback for {}: {}", input.path, path.display()),
            Err(e) => {
                errln!("vakt: feedback for {} could not be written: {e}", input.path);
                ok = false;
            }
        }
    }
    ok
}

/// Writes the HTML report (counting the pack's profiles in each return that could be read); says
/// where, or why not. False when it could not be written.
fn write_html(
    report: &Report,
    pack: &crate::pack::Pack,
    file: &std::path::Path,
    lang: crate::report::i18n::Lang,
) -> bool {
    let profiles: Vec<_> = report
        .inputs
        .iter()
        .map(|i| {
            if pack.profiles.is_empty() || i.sha256.is_none() {
                return None;
            }
            crate::reports::profile::count(pack, &i.path)
                .map_err(|e| errln!("vakt: distributions of {}: {e}", i.path))
                .ok()
        })
        .collect();
    let html = crate::reports::html::render(report, pack, &profiles, lang);
    match crate::reports::write_private(file, html.as_bytes()) {
        Ok(()) => {
            errln!("vakt: HTML report: {}", file.display());
            true
        }
        Err(e) => {
            errln!("vakt: the HTML report could not be written: {e}");
            false
        }
    }
}

pub fn run(args: Args, registry: Registry) -> anyhow::Result<ExitCode> {
    let Some(plan) = super::load_plan_as(args.rules.as_deref(), registry, matches!(args.format, Format::Json)) else {
        return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
    };
    if args.paths.is_empty() {
        summarise_pack(&plan);
        return Ok(ExitCode::SUCCESS);
    }
    if let Err(e) = read_previous(&plan, &args) {
        if matches!(args.format, Format::Json) {
            super::print_json_error(serde_json::json!({"kind": "previous", "message": e}));
        } else {
            errln!("vakt: {e}");
        }
        return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
    }
    let pack = plan.pack();
    let progress = super::progress::Progress::bar(args.paths.len() as u64, "checking", args.quiet);
    let checked = check_all(&plan, &args.paths, &progress);
    drop(progress);
    let (inputs, mut results): (Vec<_>, Vec<_>) = checked.into_iter().unzip();
    let shown: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    let paths: Vec<&str> = shown.iter().map(String::as_str).collect();
    engine::mark_resubmissions(&paths, &mut results);
    let inputs = shown
        .iter()
        .zip(inputs.iter().zip(results))
        .map(|(path, (input, result))| InputReport::new(path, input.as_ref(), result))
        .collect();
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        pack_path: pack.path.clone(),
        pack_sha256: pack.sha256.clone(),
        pack_embedded: pack.embedded,
        pack_files: pack.files.clone(),
        inputs,
        max_diagnostics: args.max_diagnostics,
    };
    let text = match args.format {
        Format::Json => json::render(&report),
        Format::Human => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            let style = human::Style {
                color,
                width: terminal_width(),
                lang: LangArg::resolve(args.lang),
            };
            human::render(&report, &style)
        }
    };
    super::out_text(&text);
    let mut reports_failed = match &args.feedback {
        Some(dir) => !write_feedback(&report, dir),
        None => false,
    };
    if let Some(file) = &args.html {
        reports_failed |= !write_html(&report, pack, file, LangArg::resolve(args.lang));
    }

    let totals = report.totals();
    Ok(if report.any_failed() || reports_failed {
        ExitCode::from(EXIT_INCOMPLETE)
    } else if totals.errors > 0 || (args.deny == Some(Deny::Warnings) && totals.warnings > 0) {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}
