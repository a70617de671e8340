//! The tables a pack publishes from a clean dataset (`[[publication]]`): checked when the pack
//! loads — the tables exist, and every column named is one the clean dataset has (a column of the
//! counted or a joined table, a code list's column `vakt clean` writes beside it, or the return
//! key) — and protected together by `vakt publish`.

use super::spec::PublicationSpec;
use super::{closest, Errs, ReturnKey, Table};

/// A table to publish.
#[derive(Debug, Clone)]
pub struct Publication {
    /// Its name (the folder it is written to).
    pub name: String,
    /// The clean table counted.
    pub table: String,
    /// Joined tables and the columns they are joined on.
    pub joins: Vec<(String, Vec<String>)>,
    /// The column whose categories are the rows.
    pub rows: String,
    /// The column whose categories are the columns.
    pub cols: Option<String>,
    /// The column whose categories are layers.
    pub layers: Option<String>,
    /// The levels of a row hierarchy, each the one above the last (empty: flat rows).
    pub rows_within: Vec<String>,
    /// Distinct values of this column are counted (persons) instead of rows.
    pub count_distinct: Option<String>,
    /// The smallest count shown.
    pub threshold: f64,
    /// The symbol written for a hidden count.
    pub symbol: String,
}

impl Publication {
    /// The population it counts: tables of one population share their cells (a margin of one is a
    /// margin of the other), so `vakt publish` protects them together.
    pub fn population(&self) -> (String, Option<String>) {
        (self.table.clone(), self.count_distinct.clone())
    }
}

/// The named disclosure rules a publication may give (`vakt tabulate --preset` has the same, in
/// vakt-disclose; a test there keeps the two lists equal): name, threshold, symbol.
pub const PRESETS: &[(&str, f64, &str)] = &[
    ("ssb", 3.0, ":"),
    ("nav", 4.0, "*"),
    ("helsedata", 3.0, "."),
    ("tre", 10.0, ":"),
    ("survey", 5.0, ":"),
];

/// A publication's name becomes a folder: no separators, no dots to climb with.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The columns a clean table of `table` has, by name.
fn clean_columns(table: &Table, return_key: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in table.columns.iter().filter(|c| !c.drop) {
        out.push(c.name.clone());
        out.extend(c.output_attributes.iter().cloned());
    }
    out.extend(return_key.map(str::to_string));
    out
}

pub(super) fn compile(
    specs: &[PublicationSpec],
    tables: &[Table],
    return_key: Option<&ReturnKey>,
    errs: &mut Errs<'_>,
) -> Vec<Publication> {
    let key_name = return_key
        .and_then(|k| tables.get(k.table))
        .and_then(|t| return_key.and_then(|k| t.columns.get(k.column)))
        .map(|c| c.name.as_str());
    let table_names = || tables.iter().map(|t| t.name.as_str());
    let mut out = Vec::new();
    for p in specs {
        let name = p.name.get_ref();
        let mut columns: Vec<String> = Vec::new();
        let mut known = true;
        let mut joins = Vec::new();
        for (t, span) in std::iter::once((p.table.get_ref(), p.table.span()))
            .chain(p.join.iter().map(|j| (j.table.get_ref(), j.table.span())))
        {
            match tables.iter().find(|x| &x.name == t) {
                Some(table) => columns.extend(clean_columns(table, key_name)),
                None => {
                    let help = closest(t, table_names()).map(|c| format!("did you mean `{c}`?"));
                    errs.push(
                        format!("publication `{name}`: no table `{t}`"),
                        Some(span),
                        "unknown table",
                        help,
                    );
                    known = false;
                }
            }
        }
        for j in &p.join {
            joins.push((j.table.get_ref().clone(), j.on.clone()));
            for c in &j.on {
                if known && !columns.contains(c) {
                    errs.push(
                        format!("publication `{name}`: joined on `{c}`, which the tables do not have"),
                        Some(j.table.span()),
                        "here",
                        None,
                    );
                }
            }
        }
        let named = [
            Some(&p.rows),
            p.cols.as_ref(),
            p.layers.as_ref(),
            p.count_distinct.as_ref(),
        ];
        for c in named.into_iter().flatten().chain(&p.rows_within) {
            if known && !columns.contains(c.get_ref()) {
                let help =
                    closest(c.get_ref(), columns.iter().map(String::as_str)).map(|x| format!("did you mean `{x}`?"));
                errs.push(
                    format!("publication `{name}`: no column `{}` in its tables", c.get_ref()),
                    Some(c.span()),
                    "unknown column",
                    help,
                );
            }
        }
        if let Some(first) = p.rows_within.first() {
            if p.layers.is_some() || p.cols.is_none() {
                errs.push(
                    format!("publication `{name}`: a hierarchy of rows (`rows_within`) needs `cols` and cannot have `layers`"),
                    Some(first.span()),
                    "here",
                    None,
                );
            }
        }
        let preset = p
            .preset
            .as_deref()
            .map(|name| (name, PRESETS.iter().find(|x| x.0 == name)));
        let threshold = match preset {
            Some((_, Some(&(_, n, _)))) => n,
            _ => p.threshold.unwrap_or(5.0),
        };
        if let Some((name_given, found)) = preset {
            if found.is_none() {
                let help = closest(name_given, PRESETS.iter().map(|x| x.0)).map(|c| format!("did you mean `{c}`?"));
                errs.push(
                    format!("publication `{name}`: no preset `{name_given}` (ssb, nav, helsedata, tre, survey)"),
                    Some(p.name.span()),
                    "here",
                    help,
                );
            }
            if p.threshold.is_some() || p.symbol.is_some() {
                errs.push(
                    format!("publication `{name}`: give a `preset` or `threshold` and `symbol`, not both"),
                    Some(p.name.span()),
                    "here",
                    None,
                );
            }
        }
        if !(threshold >= 2.0 && threshold.is_finite()) {
            errs.push(
                format!("publication `{name}`: `threshold` must be at least 2"),
                Some(p.name.span()),
                "here",
                None,
            );
        }
        let symbol = match preset {
            Some((_, Some(&(_, _, s)))) => s.to_string(),
            _ => p.symbol.clone().unwrap_or_else(|| ":".into()),
        };
        if ![":", "*", ".", ".."].contains(&symbol.as_str()) {
            errs.push(
                format!("publication `{name}`: symbol `{symbol}` is not one of `:` `*` `.` `..`"),
                Some(p.name.span()),
                "here",
                None,
            );
        }
        if !valid_name(name) {
            errs.push(
                format!("publication `{name}`: a name is letters, digits, `-` and `_` (it names a folder)"),
                Some(p.name.span()),
                "here",
                None,
            );
        }
        if out.iter().any(|o: &Publication| &o.name == name) {
            errs.push(
                format!("publication `{name}` is declared twice"),
                Some(p.name.span()),
                "again",
                None,
            );
        }
        out.push(Publication {
            name: name.clone(),
            table: p.table.get_ref().clone(),
            joins,
            rows: p.rows.get_ref().clone(),
            cols: p.cols.as_ref().map(|c| c.get_ref().clone()),
            layers: p.layers.as_ref().map(|c| c.get_ref().clone()),
            rows_within: p.rows_within.iter().map(|c| c.get_ref().clone()).collect(),
            count_distinct: p.count_distinct.as_ref().map(|c| c.get_ref().clone()),
            threshold,
            symbol,
        });
    }
    out
}
