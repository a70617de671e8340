//! `vakt risk`: re-identification risk of released microdata.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt risk --help` prints them.

use crate::disclose::{data::Data, risk};
use std::collections::HashMap;
use std::process::ExitCode;

/// Examples and exit status, shown after the options by `vakt risk --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt risk clean/patients.csv --qi authority_code,sex,birth_year,main_dx --person patient_id --sensitive dx_group --k 5\n  vakt risk residents.csv --qi home_id,sex,birth_year --person resident_id --rules my-pack.toml\n\nExit status: 0 k is reached; 1 it is not; 2 unreadable input or pack.";

/// Measure k-anonymity and l-diversity of microdata, and suggest coarsenings.
///
/// Groups the records by the quasi-identifiers and reports k (the smallest class), the class-size
/// distribution, every class below k, the distinct l-diversity of the sensitive column, and
/// coarsenings with the k each reaches. A class counts persons (distinct values of `--person`)
/// when given, rows otherwise. Coarsenings come from the pack: a code list's further columns (a
/// diagnosis group beside each code), ICD-10 categories, years of dates, bands of numbers; a
/// column the pack does not know is judged by its values.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Microdata (CSV or xlsx), one record per row.
    data: std::path::PathBuf,
    /// Quasi-identifiers, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    qi: Vec<String>,
    /// The column naming persons: classes count distinct persons, not rows.
    #[arg(long, value_name = "COLUMN")]
    person: Option<String>,
    /// A sensitive column for l-diversity.
    #[arg(long)]
    sensitive: Option<String>,
    /// The k to reach.
    #[arg(long, default_value_t = 5)]
    k: usize,
    /// Rule pack whose columns and code lists suggest the coarsenings. Default: the survey pack
    /// built into vakt.
    #[arg(long, value_name = "PACK")]
    rules: Option<std::path::PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let fail = super::incomplete;
    let Some(pack) = super::load_pack(args.rules.as_deref()) else {
        return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
    };
    let data = match Data::read(&args.data, None) {
        Ok(d) => d,
        Err(e) => return fail(&e),
    };
    let column = |name: &str| data.column(name).map_err(|e| format!("{}: {e}", args.data.display()));
    let qi: Vec<usize> = match args.qi.iter().map(|c| column(c)).collect() {
        Ok(q) => q,
        Err(e) => return fail(&e),
    };
    let (sensitive, person) = match (
        args.sensitive.as_deref().map(column).transpose(),
        args.person.as_deref().map(column).transpose(),
    ) {
        (Ok(s), Ok(p)) => (s, p),
        (Err(e), _) | (_, Err(e)) => return fail(&e),
    };
    let unit = person.map_or(risk::Unit::Rows, risk::Unit::Persons);
    print_counted(&data, &pack, person);
    let base = risk::classes(&data, &qi, sensitive, unit, args.k, &HashMap::new());
    print_classes(&args, &base);
    print_coarsenings(&data, &pack, &qi, sensitive, unit, args.k);
    Ok(if base.k >= args.k {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_FINDINGS)
    })
}

/// Says what a class counts: persons of a column, or rows (and which column would name persons).
fn print_counted(data: &Data, pack: &crate::pack::Pack, person: Option<usize>) {
    match person {
        Some(p) => {
            let (persons, blank) = risk::distinct(data, p);
            let blank = if blank > 0 {
                format!("; {blank} rows without one count as one unknown person per class")
            } else {
                String::new()
            };
            outln!(
                "{} rows, {persons} persons: classes count persons (distinct {}){blank}",
                data.rows.len(),
                data.header[p]
            );
        }
        None => {
            let ids: Vec<&str> = data
                .header
                .iter()
                .filter(|h| risk::pack_column(pack, h).is_some_and(|(c, _)| c.id_type.is_some()))
                .map(String::as_str)
                .collect();
            let hint = match ids.first() {
                Some(id) => format!(": give --person {id} to count persons"),
                None => ": give --person COLUMN to count persons".into(),
            };
            outln!(
                "{} rows: classes count rows (a person in several rows is counted in each){hint}",
                data.rows.len()
            );
        }
    }
}

fn print_classes(args: &Args, base: &risk::Classes) {
    outln!(
        "quasi-identifiers {}: {} classes, k = {}",
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
    if base.small.is_empty() {
        return;
    }
    outln!("{} classes below k = {}:", base.small.len(), args.k);
    for (labels, size) in base.small.iter().take(20) {
        let shown: Vec<String> = labels.iter().map(|l| crate::report::escape(l).into_owned()).collect();
        outln!("  {size:>3}  {}", shown.join(" | "));
    }
    if base.small.len() > 20 {
        outln!("  ... and {} more", base.small.len() - 20);
    }
}

/// Every coarsening of every quasi-identifier alone, then the first of each together.
fn print_coarsenings(
    data: &Data,
    pack: &crate::pack::Pack,
    qi: &[usize],
    sensitive: Option<usize>,
    unit: risk::Unit,
    k: usize,
) {
    let mut all = HashMap::new();
    let mut lines: Vec<(String, usize)> = Vec::new();
    for &c in qi {
        let known = risk::pack_column(pack, &data.header[c]);
        for (i, coarse) in risk::coarsenings(data, c, known).into_iter().enumerate() {
            let one = HashMap::from([(c, coarse.clone())]);
            let k1 = risk::classes(data, qi, sensitive, unit, k, &one).k;
            lines.push((crate::report::escape(&coarse.description).into_owned(), k1));
            if i == 0 {
                all.insert(c, coarse);
            }
        }
    }
    if lines.is_empty() {
        return;
    }
    if all.len() > 1 {
        let k_all = risk::classes(data, qi, sensitive, unit, k, &all).k;
        lines.push(("the first of each together".into(), k_all));
    }
    let width = lines.iter().map(|(d, _)| d.chars().count()).max().unwrap_or(0);
    outln!("coarsenings:");
    for (description, k) in &lines {
        outln!("  {description:<width$}  k = {k}");
    }
}
