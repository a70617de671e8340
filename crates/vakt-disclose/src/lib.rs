//! Disclosure control: publishing tables without revealing small counts, auditing any table before
//! publication, and measuring the re-identification risk of released microdata.
//!
//! [`tabulate`] counts clean data into a table with margins; [`suppress`] protects it (primary,
//! Gauss-exact secondary with virtual primaries, LP interval audit and repair); [`bridge`] is the
//! linear-time screen and explainer for 2-D tables; [`audit`] reads a table as people make it and
//! reports every way it leaks; [`risk`] measures k-anonymity and l-diversity.
//!
//! A published table whose suppressed cell can be recovered from its margins is not safe:
//!
//! ```
//! use vakt_disclose::{audit, data::Sheet};
//!
//! let row = |n: u64, cells: &[&str]| (n, cells.iter().map(|c| c.to_string()).collect());
//! let table = Sheet {
//!     file: "table.csv".into(),
//!     sheet: None,
//!     rows: vec![
//!         row(1, &["", "Men", "Women", "Total"]),
//!         row(2, &["Oslo", "12", ":", "14"]),
//!         row(3, &["Bergen", "20", "31", "51"]),
//!         row(4, &["Total", "32", "33", "65"]),
//!     ],
//! };
//! let report = audit::audit(&table, 5.0, 10, vakt_disclose::suppress::Zeros::Publish)?;
//! assert!(report.risks.iter().any(|r| r.kind == "exactly-recoverable"));
//! # Ok::<(), vakt_disclose::Error>(())
//! ```

pub mod audit;
pub mod bridge;
pub mod data;
mod error;
pub mod grid;
pub mod ledger;
pub mod link;
pub mod optimal;
pub mod risk;
pub mod suppress;
pub mod tabulate;

pub use error::Error;
use grid::Grid;
use serde_json::json;
use std::path::Path;
use suppress::{Protection, Zeros};
pub use vakt_core::report::i18n::Lang;
use vakt_core::report::i18n::{fill, Msg};

/// A named suppression policy: the smallest publishable count and the symbol for suppressed cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub name: &'static str,
    pub threshold: f64,
    pub symbol: &'static str,
}

/// The presets: Statistics Norway, NAV, Helsedata, a trusted research environment's n=10, and the
/// survey's own "færre enn 5".
pub const PRESETS: &[Policy] = &[
    Policy {
        name: "ssb",
        threshold: 3.0,
        symbol: ":",
    },
    Policy {
        name: "nav",
        threshold: 4.0,
        symbol: "*",
    },
    Policy {
        name: "helsedata",
        threshold: 3.0,
        symbol: ".",
    },
    Policy {
        name: "tre",
        threshold: 10.0,
        symbol: ":",
    },
    Policy {
        name: "survey",
        threshold: 5.0,
        symbol: ":",
    },
];

pub fn preset(name: &str) -> Option<Policy> {
    PRESETS.iter().copied().find(|p| p.name == name)
}

fn show(v: f64) -> String {
    let mut s = String::new();
    vakt_core::value::cell::write_number(&mut s, v);
    s
}

/// The published table as text cells: header and rows, suppressed cells as the symbol.
pub fn published(grid: &Grid, suppressed: &[bool], symbol: &str, lang: Lang) -> (Vec<String>, Vec<Vec<String>>) {
    let total = Msg::TableTotal.text(lang);
    let at = grid.by_coord();
    let index = |coord: &[Option<usize>]| at.get(coord).copied();
    let cell = |coord: &[Option<usize>]| match index(coord) {
        Some(i) if suppressed[i] => symbol.to_string(),
        Some(i) => show(grid.cells[i].value),
        None => String::new(),
    };
    let lab = |d: usize, k: Option<usize>| k.map_or(total.to_string(), |k| grid.dims[d].1[k].clone());
    let opts = |d: usize| (0..grid.dims[d].1.len()).map(Some).chain([None]).collect::<Vec<_>>();
    match grid.dims.len() {
        1 => {
            let header = vec![grid.dims[0].0.clone(), Msg::TableCount.text(lang).into()];
            (
                header,
                opts(0).into_iter().map(|r| vec![lab(0, r), cell(&[r])]).collect(),
            )
        }
        2 => {
            let mut header = vec![grid.dims[0].0.clone()];
            header.extend(opts(1).into_iter().map(|c| lab(1, c)));
            let rows = opts(0)
                .into_iter()
                .map(|r| {
                    std::iter::once(lab(0, r))
                        .chain(opts(1).into_iter().map(|c| cell(&[r, c])))
                        .collect()
                })
                .collect();
            (header, rows)
        }
        n => {
            // Every dimension but the last as a label column, the last across.
            let mut header: Vec<String> = grid.dims[..n - 1].iter().map(|d| d.0.clone()).collect();
            header.extend(opts(n - 1).into_iter().map(|c| lab(n - 1, c)));
            let rows = label_rows(grid)
                .into_iter()
                .map(|labels| {
                    let key = |c| [labels.as_slice(), &[c]].concat();
                    labels
                        .iter()
                        .enumerate()
                        .map(|(d, &k)| lab(d, k))
                        .chain(opts(n - 1).into_iter().map(|c| cell(&key(c))))
                        .collect()
                })
                .collect();
            (header, rows)
        }
    }
}

/// The label columns of each published row: the leading coordinates of the cells whose last
/// coordinate is the total (a hierarchy has no row for a category's total over its parents),
/// each dimension's categories in order and its total last. Linear in the cells: never the
/// product of the leading dimensions' categories.
fn label_rows(grid: &Grid) -> Vec<Vec<Option<usize>>> {
    let mut rows: Vec<Vec<Option<usize>>> = grid
        .cells
        .iter()
        .filter_map(|c| {
            c.coord
                .split_last()
                .filter(|(last, _)| last.is_none())
                .map(|(_, lead)| lead.to_vec())
        })
        .collect();
    rows.sort_by_key(|r| r.iter().map(|k| k.unwrap_or(usize::MAX)).collect::<Vec<_>>());
    rows
}

fn io_error(p: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::write(p, e)
}

/// What a table's summary says besides its figures: its title, notes, and the language of the
/// fixed texts (margins, footnote).
#[derive(Debug, Clone, Copy)]
pub struct Caption<'a> {
    /// The title (`distinct patient_id by dx_group × group_type`).
    pub what: &'a str,
    /// Notes (source, persons counted more than once).
    pub notes: &'a [String],
    /// The language of the margins' label and the summary's fixed texts.
    pub lang: Lang,
}

/// Writes `table.csv`, `table.xlsx`, `audit.json` and `summary.md` into `dir`.
pub fn write_outputs(
    dir: &Path,
    grid: &Grid,
    p: &Protection,
    policy: &Policy,
    zeros: Zeros,
    caption: Caption<'_>,
) -> Result<(), Error> {
    let Caption { what, notes, lang } = caption;
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
    let (header, rows) = published(grid, &p.suppressed, policy.symbol, lang);
    write_table_csv(&dir.join("table.csv"), &header, &rows)?;
    write_table_xlsx(&dir.join("table.xlsx"), grid, &header, &rows, policy)?;
    let audit = audit_json(grid, p, policy, zeros, what);
    let audit_path = dir.join("audit.json");
    std::fs::write(
        &audit_path,
        serde_json::to_string_pretty(&audit).unwrap_or_default() + "\n",
    )
    .map_err(|e| io_error(&audit_path, &e))?;
    let md_path = dir.join("summary.md");
    std::fs::write(&md_path, summary_md(grid, &audit, policy, what, notes, lang)).map_err(|e| io_error(&md_path, &e))
}

fn write_table_csv(path: &Path, header: &[String], rows: &[Vec<String>]) -> Result<(), Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(path)
        .map_err(|e| io_error(path, &e))?;
    w.write_record(header).map_err(|e| io_error(path, &e))?;
    for r in rows {
        w.write_record(r).map_err(|e| io_error(path, &e))?;
    }
    w.flush().map_err(|e| io_error(path, &e))
}

fn write_table_xlsx(
    path: &Path,
    grid: &Grid,
    header: &[String],
    rows: &[Vec<String>],
    policy: &Policy,
) -> Result<(), Error> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| io_error(path, &e);
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("vakt tabulate"),
    );
    let ws = wb.add_worksheet();
    ws.set_name("table").map_err(err)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(n) if c >= grid.dims.len().saturating_sub(1).max(1) => {
                    ws.write_number(r as u32 + 1, c as u16, n).map_err(err)?
                }
                _ => ws.write_string(r as u32 + 1, c as u16, v).map_err(err)?,
            };
        }
    }
    let note_row = rows.len() as u32 + 2;
    ws.write_string(
        note_row,
        0,
        format!(
            "{} = suppressed to protect small counts (fewer than {}).",
            policy.symbol,
            show(policy.threshold)
        ),
    )
    .map_err(err)?;
    wb.save(path).map_err(err)
}

/// One suppressed cell for `audit.json`: its labels, status, interval and whether it passes.
fn suppressed_cell_json(grid: &Grid, p: &Protection, policy: &Policy, exact: &[bool], c: usize) -> serde_json::Value {
    let labels: serde_json::Map<String, serde_json::Value> = grid
        .dims
        .iter()
        .zip(&grid.cells[c].coord)
        .map(|((name, l), k)| (name.clone(), json!(k.map_or("Total", |k| l[k].as_str()))))
        .collect();
    let (lo, hi) = p.intervals[c].unwrap_or((f64::NAN, f64::NAN));
    let relations: Vec<String> = grid
        .relations
        .iter()
        .enumerate()
        .filter(|(_, (t, parts))| *t == c || parts.contains(&c))
        .map(|(ri, _)| grid.relation_label(ri))
        .collect();
    let pass = !exact[c] && (!p.primary[c] || suppress::passes(lo, hi, policy.threshold));
    let bound = |x: f64| if x.is_finite() { json!(x.round()) } else { json!(null) };
    json!({
        "labels": labels,
        "status": if p.primary[c] { "primary" } else { "secondary" },
        "interval": [bound(lo), bound(hi)],
        "exactly_recoverable": exact[c],
        "pass": pass,
        "relations": relations,
    })
}

fn audit_json(grid: &Grid, p: &Protection, policy: &Policy, zeros: Zeros, what: &str) -> serde_json::Value {
    let primary = p.primary.iter().filter(|&&x| x).count();
    let secondary = p
        .suppressed
        .iter()
        .zip(&p.primary)
        .filter(|(s, pr)| **s && !**pr)
        .count();
    let exact = suppress::determined(grid, &p.suppressed);
    let cells: Vec<serde_json::Value> = (0..grid.cells.len())
        .filter(|&c| p.suppressed[c])
        .map(|c| suppressed_cell_json(grid, p, policy, &exact, c))
        .collect();
    let all_pass = cells.iter().all(|c| c["pass"] == json!(true));
    let published_small = (0..grid.cells.len())
        .filter(|&c| !p.suppressed[c] && grid.cells[c].value > 0.0 && grid.cells[c].value < policy.threshold)
        .count();
    json!({
        "table": what,
        "dimensions": grid.dims.iter().map(|(n, l)| json!({"variable": n, "categories": l.len()})).collect::<Vec<_>>(),
        "cells": grid.cells.len(),
        "policy": {"preset": policy.name, "threshold": policy.threshold, "symbol": policy.symbol, "zeros": if zeros == Zeros::Publish { "publish" } else { "protect" }},
        "method": "primary: 0 < count < threshold; secondary: Gauss elimination with virtual primaries (exact safety), then LP interval audit and repair (the greedy pattern); then the cheapest pattern under the same criterion by a MIP with cuts from the attacker's LPs (cost: the suppressed value; ties: fewer cells, inner cells before margins); when that search stops at a limit, the greedy pattern pruned of secondaries it can do without",
        "primary": primary,
        "secondary": secondary,
        "repaired_by_lp": p.repaired.len(),
        "optimisation": p.optimality.as_ref().map(|o| {
            // Stopped by the clock, the rounds done and the bound reached depend on the machine:
            // left out, so that the same table gives the same audit.json anywhere.
            let timed = o.fallback == Some(optimal::TIME_LIMIT);
            json!({
                "proven_optimal": o.proven,
                "gap": (!timed).then(|| o.gap()),
                "cost": o.cost,
                "greedy_cost": o.greedy_cost,
                "rounds": (!timed).then_some(o.rounds),
                "kept_greedy_because": o.fallback,
            })
        }),
        "published_below_threshold": published_small,
        "safe": all_pass && published_small == 0,
        "suppressed": cells,
    })
}

/// Whether the pattern is the cheapest, for `summary.md`.
fn optimality_line(o: &serde_json::Value, lang: Lang) -> Option<String> {
    let cost = o["cost"].as_f64()?;
    let greedy = o["greedy_cost"].as_f64()?;
    let (c, g) = (show(cost), show(greedy));
    Some(if o["proven_optimal"] == json!(true) {
        fill(Msg::TableOptimal.text(lang), &[("cost", &c), ("greedy", &g)])
    } else if let Some(gap) = o["gap"].as_f64() {
        let gap = format!("{:.0}", 100.0 * gap);
        let why = o["kept_greedy_because"].as_str().unwrap_or("");
        fill(
            Msg::TableNotOptimal.text(lang),
            &[("cost", &c), ("gap", &gap), ("why", why)],
        )
    } else {
        fill(Msg::TableNotOptimalTimed.text(lang), &[("cost", &c)])
    })
}

/// `summary.md`: what was suppressed and why, and a footnote for the publication.
fn summary_md(
    grid: &Grid,
    audit: &serde_json::Value,
    policy: &Policy,
    what: &str,
    notes: &[String],
    lang: Lang,
) -> String {
    let primary = audit["primary"].as_u64().unwrap_or(0);
    let secondary = audit["secondary"].as_u64().unwrap_or(0);
    let all_pass = audit["suppressed"]
        .as_array()
        .is_none_or(|cells| cells.iter().all(|c| c["pass"] == json!(true)));
    let published_small = audit["published_below_threshold"].as_u64().unwrap_or(0);
    let n = show(policy.threshold);
    let cells = fill(
        Msg::TableCells.text(lang),
        &[
            ("cells", &grid.cells.len().to_string()),
            ("n", &n),
            ("preset", policy.name),
            ("primary", &primary.to_string()),
            ("below", &show(policy.threshold - 1.0)),
            ("secondary", &secondary.to_string()),
            ("symbol", policy.symbol),
        ],
    );
    let verdict = if all_pass && published_small == 0 {
        fill(Msg::TableSafe.text(lang), &[("n", &n)])
    } else {
        Msg::TableNotSafe.text(lang).to_string()
    };
    let mut md = format!("# {what}\n\n{cells}\n\n{verdict}\n\n");
    if let Some(line) = optimality_line(&audit["optimisation"], lang) {
        md.push_str(&line);
        md.push_str("\n\n");
    }
    for note in notes {
        md.push_str(&format!("{note}\n\n"));
    }
    md.push_str(&fill(
        Msg::TableMethod.text(lang),
        &[
            ("n", &n),
            ("symbol", policy.symbol),
            ("version", env!("CARGO_PKG_VERSION")),
        ],
    ));
    md.push('\n');
    md
}

#[cfg(test)]
mod preset_tests {
    /// The pack's publication presets and `vakt tabulate --preset` are one list.
    #[test]
    fn the_pack_knows_the_same_presets() {
        let here: Vec<(&str, f64, &str)> = super::PRESETS.iter().map(|p| (p.name, p.threshold, p.symbol)).collect();
        assert_eq!(here, vakt_core::pack::publications::PRESETS);
    }
}
