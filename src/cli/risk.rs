//! `vakt risk`: re-identification risk of released microdata.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt risk --help` prints them.

use crate::disclose::{data::Data, risk};
use std::collections::HashMap;
use std::process::ExitCode;

/// Examples and exit status, shown after the options by `vakt risk --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt risk clean/patients.csv --qi authority_code,sex,birth_year,main_dx --sensitive dx_group --k 5\n\nExit status: 0 k is reached; 1 it is not; 2 unreadable input.";

/// Measure k-anonymity and l-diversity of microdata, and suggest coarsenings.
///
/// Groups the records by the quasi-identifiers and reports k (the smallest class), the class-size
/// distribution, every class below k, the distinct l-diversity of the sensitive column, and
/// coarsenings (age bands, diagnosis group instead of code, authority instead of unit) with the k
/// each reaches.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Microdata (CSV or xlsx), one record per person or row.
    data: std::path::PathBuf,
    /// Quasi-identifiers, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    qi: Vec<String>,
    /// A sensitive column for l-diversity.
    #[arg(long)]
    sensitive: Option<String>,
    /// The k to reach.
    #[arg(long, default_value_t = 5)]
    k: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let fail = |m: &dyn std::fmt::Display| {
        errln!("vakt: {m}");
        Ok(ExitCode::from(super::EXIT_INCOMPLETE))
    };
    let data = match Data::read(&args.data, None) {
        Ok(d) => d,
        Err(e) => return fail(&e),
    };
    let qi: Vec<usize> = match args.qi.iter().map(|c| data.column(c)).collect() {
        Ok(q) => q,
        Err(e) => return fail(&format!("{}: {e}", args.data.display())),
    };
    let sensitive = match args.sensitive.as_ref().map(|s| data.column(s)).transpose() {
        Ok(s) => s,
        Err(e) => return fail(&format!("{}: {e}", args.data.display())),
    };
    let base = risk::classes(&data, &qi, sensitive, args.k, &HashMap::new());
    outln!(
        "{} records, quasi-identifiers {}: {} classes, k = {}",
        data.rows.len(),
        args.qi.join(", "),
        base.classes,
        base.k
    );
    outln!(
        "class sizes (size: classes): {}",
        base.distribution
            .iter()
            .take(12)
            .map(|(s, n)| format!("{s}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(l) = base.l {
        outln!(
            "l-diversity of {}: l = {l} (fewest distinct values in a class)",
            args.sensitive.as_deref().unwrap_or("")
        );
    }
    if !base.small.is_empty() {
        outln!(
            "{} classes below k = {} ({} records):",
            base.small.len(),
            args.k,
            base.small.iter().map(|s| s.1).sum::<usize>()
        );
        for (labels, size) in base.small.iter().take(20) {
            let shown: Vec<String> = labels.iter().map(|l| crate::report::escape(l).into_owned()).collect();
            outln!("  {size:>3}  {}", shown.join(" | "));
        }
        if base.small.len() > 20 {
            outln!("  ... and {} more", base.small.len() - 20);
        }
    }
    // Coarsenings, one at a time and all together.
    let mut all = HashMap::new();
    let mut lines = Vec::new();
    for &c in &qi {
        if let Some(first) = risk::coarsenings(&data, c).into_iter().next() {
            let one = HashMap::from([(c, first.clone())]);
            let k1 = risk::classes(&data, &qi, sensitive, args.k, &one).k;
            lines.push(format!("  {:<45} k = {k1}", first.description));
            all.insert(c, first);
        }
    }
    if !lines.is_empty() {
        outln!("coarsenings:");
        lines.iter().for_each(|l| outln!("{l}"));
        if all.len() > 1 {
            let k_all = risk::classes(&data, &qi, sensitive, args.k, &all).k;
            outln!("  {:<45} k = {k_all}", "all of them together");
        }
    }
    Ok(if base.k >= args.k {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_FINDINGS)
    })
}
