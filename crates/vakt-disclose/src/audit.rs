//! Auditing a table as people make it, before it is published: a CSV file or a sheet with a label
//! column, a header row, perhaps a total row and column, and suppression symbols.

use super::data::Sheet;
use super::grid::{Cell, Grid};
use super::suppress;
use serde_json::json;

/// Seconds the interval audit may take, by default, before it reports the cells it could not bound.
pub const AUDIT_SECONDS: u64 = 60;

/// Suppression symbols recognised in a published table.
const SYMBOLS: &[&str] = &[".", ":", "*", "x", "X", "-", "..", "…", "–", ""];
const TOTALS: &[&str] = &["sum", "totalt", "i alt", "total", "totals", "sum totalt", "alle", "all"];

fn is_total(label: &str) -> bool {
    TOTALS.contains(&vakt_core::value::text::key(label).trim_end_matches(':'))
}

/// A cell of the published table.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shown {
    Value(f64),
    Suppressed,
}

/// Counts this large are not counts of people.
const MAX_COUNT: f64 = 1e12;

/// A published cell: a suppression symbol, or a count (a whole number from 0, thousands perhaps
/// spaced, `12,0` allowed). Anything else (negative, fractional, `inf`, `NaN`, `1e308`) is refused
/// with the reason: arithmetic on it would mean nothing.
fn parse(s: &str) -> Result<Shown, &'static str> {
    let t = vakt_core::value::text::trim(s);
    if SYMBOLS.contains(&t) || t.starts_with('<') {
        return Ok(Shown::Suppressed);
    }
    let compact: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let (whole, fraction) = match compact.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (compact.as_str(), ""),
    };
    if compact.starts_with('-') {
        return Err("a count cannot be negative");
    }
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err("neither a count nor a suppression symbol");
    }
    if fraction.bytes().any(|b| b != b'0') {
        return Err("a count is a whole number");
    }
    match whole.parse::<f64>() {
        Ok(v) if v <= MAX_COUNT => Ok(Shown::Value(v)),
        _ => Err("too large to be a count"),
    }
}

/// One risk found.
#[derive(Debug, Clone)]
pub struct Risk {
    pub kind: &'static str,
    pub cell: String,
    pub message: String,
}

/// The audit's findings.
#[derive(Debug)]
pub struct Report {
    pub grid: Grid,
    pub risks: Vec<Risk>,
    pub suppressed: usize,
    pub json: serde_json::Value,
}

/// A published table as read: its count columns (physical index, header) and its body rows
/// (physical row, label, cells).
struct Published {
    cols: Vec<(usize, String)>,
    body: Vec<(u64, String, Vec<Shown>)>,
    /// A layered table (`vakt tabulate --layers`): the names of its label columns and each body
    /// row's labels, one per label column; empty for a table with one label column.
    layers: Vec<String>,
    labels: Vec<Vec<String>>,
}

/// The table's cells as a grid, with where each cell is in the sheet and what it shows.
struct Located {
    grid: Grid,
    places: Vec<String>,
    suppressed: Vec<bool>,
    total_row: bool,
    total_col: bool,
}

/// What earlier releases published, and how this table's cells are named in it.
pub struct LedgerView<'a> {
    /// The ledger.
    pub ledger: &'a super::ledger::Ledger,
    /// The population the table counts (as `vakt publish` names it: `patients/patient_id`).
    pub population: &'a str,
    /// The variables of the rows and (for a table of several count columns) the columns.
    pub rows: &'a str,
    pub cols: Option<&'a str>,
}

/// Reads a published table and audits it against threshold `n`.
pub fn audit(sheet: &Sheet, n: f64, seconds: u64, zeros: suppress::Zeros) -> Result<Report, crate::Error> {
    audit_with(sheet, n, seconds, zeros, None)
}

/// [`audit`], and with a ledger also against what earlier releases published: a count an earlier
/// table hid that this one shows, and what this table's hidden cells give away once the cells an
/// earlier table showed are known.
pub fn audit_with(
    sheet: &Sheet,
    n: f64,
    seconds: u64,
    zeros: suppress::Zeros,
    ledger: Option<&LedgerView<'_>>,
) -> Result<Report, crate::Error> {
    let where_ = |row: u64, col: usize| match &sheet.sheet {
        Some(s) => format!(
            "{}!{}{row}",
            vakt_core::finding::quote_sheet(s),
            vakt_core::finding::column_letters(col as u32)
        ),
        None => format!("line {row}, column {}", col + 1),
    };
    let table = read_published(sheet, &where_)?;
    let t = if table.layers.is_empty() {
        locate(&table, &where_)
    } else {
        locate_layered(&table, &where_)
    };
    let mut risks = published_small(&t, n);
    let consistent = non_additive(&t, &mut risks);
    let exact = suppress::determined(&t.grid, &t.suppressed);
    if t.total_row && t.total_col && t.grid.dims.len() == 2 {
        if let Some(b) = super::bridge::bridges(&t.grid, &t.suppressed) {
            debug_assert!(b.iter().zip(&exact).zip(&t.suppressed).all(|((x, y), s)| !s || x == y));
        }
    }
    // Suppressed cells are small counts (at least 1), unless the publisher hid zeros too.
    let floor = if zeros == suppress::Zeros::Protect { 0.0 } else { 1.0 };
    exactly_recoverable(&t, &exact, floor, &mut risks);
    if consistent {
        intervals(&t, &exact, (n, floor), seconds, &mut risks);
    }
    small_sums(&t, n, &mut risks);
    let suppressed = t.suppressed.iter().filter(|&&s| s).count();
    if let Some(view) = ledger {
        with_ledger(t_clone(&t), view, (n, floor), seconds, &mut risks)?;
    }
    let json = json!({
        "file": sheet.file,
        "sheet": sheet.sheet,
        "threshold": n,
        "total_row": t.total_row,
        "total_column": t.total_col,
        "suppressed_cells": suppressed,
        "safe": risks.is_empty(),
        "risks": risks.iter().map(|r| json!({"kind": r.kind, "cell": r.cell, "message": r.message})).collect::<Vec<_>>(),
    });
    Ok(Report {
        suppressed,
        grid: t.grid,
        risks,
        json,
    })
}

/// The header, the label column and the counts; a cell that is neither a count nor a symbol is
/// an error naming it.
fn read_published(sheet: &Sheet, where_: &dyn Fn(u64, usize) -> String) -> Result<Published, crate::Error> {
    use crate::Error;
    // Title rows above the table (`Tabell 3. Pasienter etter region`) and blank rows hold at most
    // one cell: the header is the first row with two or more.
    let filled = |r: &Vec<String>| r.iter().filter(|c| !c.trim().is_empty()).count();
    let mut rows = sheet.rows.iter().skip_while(|(_, r)| filled(r) < 2);
    let (_, header) = rows
        .next()
        .ok_or_else(|| Error::Table(format!("{}: the table is empty", sheet.file)))?;
    let mut cols: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, h)| !h.is_empty())
        .map(|(i, h)| (i, h.clone()))
        .collect();
    // A row with no counts at all is a note or a footnote under the table, not data.
    let rows: Vec<&(u64, Vec<String>)> = rows
        .filter(|(_, r)| {
            cols.iter()
                .any(|(c, _)| r.get(*c).is_some_and(|v| !v.trim().is_empty()))
        })
        .collect();
    let label_columns = 1 + label_columns_after_the_first(&cols, &rows);
    let layers: Vec<String> = if label_columns > 1 {
        std::iter::once(header.first().cloned().unwrap_or_default())
            .chain(cols.iter().take(label_columns - 1).map(|(_, h)| h.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let label_at: Vec<usize> = std::iter::once(0)
        .chain(cols.iter().take(label_columns - 1).map(|(c, _)| *c))
        .collect();
    cols.drain(..label_columns - 1);
    let mut body: Vec<(u64, String, Vec<Shown>)> = Vec::new();
    let mut labels = Vec::new();
    for (row_no, r) in rows {
        let label = r.first().cloned().unwrap_or_default();
        if !layers.is_empty() {
            labels.push(
                label_at
                    .iter()
                    .map(|&c| r.get(c).cloned().unwrap_or_default())
                    .collect(),
            );
        }
        let mut vals = Vec::with_capacity(cols.len());
        for (c, _) in &cols {
            let raw = r.get(*c).map(String::as_str).unwrap_or("");
            let cell = parse(raw)
                .map_err(|why| Error::Table(format!("{}: {}: `{raw}`: {why}", sheet.file, where_(*row_no, *c))))?;
            vals.push(cell);
        }
        body.push((*row_no, label, vals));
    }
    if body.is_empty() || cols.is_empty() {
        return Err(Error::Table(format!(
            "{}: no table found (a header row, a label column and counts are expected)",
            sheet.file
        )));
    }
    Ok(Published {
        cols,
        body,
        layers,
        labels,
    })
}

/// Label columns after the first, as `vakt tabulate --layers` writes them (layer, row label,
/// then counts): the leading columns in which no cell is a count or a suppression symbol. A
/// column of numeric labels (years) is read as counts: such a layered table cannot be told from
/// counts by its cells.
fn label_columns_after_the_first(cols: &[(usize, String)], rows: &[&(u64, Vec<String>)]) -> usize {
    let is_labels = |c: usize| {
        rows.iter().all(|(_, r)| {
            let v = r.get(c).map_or("", String::as_str);
            !v.trim().is_empty() && parse(v).is_err()
        })
    };
    // At least one count column stays.
    cols.iter()
        .take(cols.len().saturating_sub(1))
        .take_while(|(c, _)| is_labels(*c))
        .count()
}

/// Whether the last value is the sum of the others (all published, at least two).
fn adds_up(vals: &[Shown]) -> bool {
    let (last, rest) = vals.split_last().unwrap_or((&Shown::Suppressed, &[]));
    match last {
        Shown::Value(t) if rest.iter().all(|v| matches!(v, Shown::Value(_))) && rest.len() >= 2 => {
            (rest
                .iter()
                .map(|v| if let Shown::Value(x) = v { *x } else { 0.0 })
                .sum::<f64>()
                - t)
                .abs()
                < 1e-9
        }
        _ => false,
    }
}

/// Total column and row: by label, else by additivity.
fn totals(p: &Published) -> (bool, bool) {
    let (cols, body) = (&p.cols, &p.body);
    let total_col = cols.last().is_some_and(|(_, h)| is_total(h))
        || (body.iter().filter(|b| adds_up(&b.2)).count() * 2 > body.len() && body.iter().any(|b| adds_up(&b.2)));
    let total_row = body.last().is_some_and(|b| is_total(&b.1)) || {
        let k = cols.len();
        let col_sums_ok = (0..k).filter(|&j| {
            let vals: Vec<Shown> = body.iter().map(|b| b.2[j]).collect();
            adds_up(&vals)
        });
        body.len() >= 3 && col_sums_ok.count() * 2 > k
    };
    (total_row, total_col)
}

/// The published table as a grid with its margins as relations.
fn locate(p: &Published, where_: &dyn Fn(u64, usize) -> String) -> Located {
    let (total_row, total_col) = totals(p);
    let n_rows = p.body.len() - usize::from(total_row);
    let n_cols = p.cols.len() - usize::from(total_col);
    let row_labels: Vec<String> = p.body.iter().take(n_rows).map(|b| b.1.clone()).collect();
    let col_labels: Vec<String> = p.cols.iter().take(n_cols).map(|c| c.1.clone()).collect();
    let (cells, places, suppressed, at2) = read_cells(
        p,
        &|i, j| vec![(i < n_rows).then_some(i), (j < n_cols).then_some(j)],
        where_,
    );
    let at: std::collections::HashMap<(Option<usize>, Option<usize>), usize> =
        at2.into_iter().map(|(c, i)| ((c[0], c[1]), i)).collect();
    let mut relations = Vec::new();
    if total_col {
        for i in (0..n_rows).map(Some).chain(total_row.then_some(None)) {
            if let Some(&t) = at.get(&(i, None)) {
                relations.push((t, (0..n_cols).filter_map(|j| at.get(&(i, Some(j))).copied()).collect()));
            }
        }
    }
    if total_row {
        for j in (0..n_cols).map(Some).chain(total_col.then_some(None)) {
            if let Some(&t) = at.get(&(None, j)) {
                relations.push((t, (0..n_rows).filter_map(|i| at.get(&(Some(i), j)).copied()).collect()));
            }
        }
    }
    let dims = vec![("row".into(), row_labels), ("column".into(), col_labels)];
    Located::new(dims, (cells, relations), places, suppressed, (total_row, total_col))
}

impl Located {
    /// A read table: its grid (no dummy rows: the audit does not run the Gauss step) and where
    /// each cell is.
    fn new(
        dims: Vec<(String, Vec<String>)>,
        (cells, relations): (Vec<Cell>, Vec<(usize, Vec<usize>)>),
        places: Vec<String>,
        suppressed: Vec<bool>,
        (total_row, total_col): (bool, bool),
    ) -> Located {
        let grid = Grid {
            dims,
            dummy: vec![Vec::new(); cells.len()],
            inner: Vec::new(),
            cells,
            relations,
        };
        Located {
            grid,
            places,
            suppressed,
            total_row,
            total_col,
        }
    }
}

/// What [`read_cells`] gives: the cells, where each is, which are suppressed, and each cell's
/// index by its coordinates.
type ReadCells = (
    Vec<Cell>,
    Vec<String>,
    Vec<bool>,
    std::collections::HashMap<Vec<Option<usize>>, usize>,
);

/// Every shown cell of the body, at the coordinates `coord(body row, count column)` gives it.
fn read_cells(
    p: &Published,
    coord: &dyn Fn(usize, usize) -> Vec<Option<usize>>,
    where_: &dyn Fn(u64, usize) -> String,
) -> ReadCells {
    let (mut cells, mut places, mut suppressed) = (Vec::new(), Vec::new(), Vec::new());
    let mut at = std::collections::HashMap::new();
    for (i, (row_no, _, vals)) in p.body.iter().enumerate() {
        for (j, v) in vals.iter().enumerate() {
            let coord = coord(i, j);
            at.insert(coord.clone(), cells.len());
            cells.push(Cell {
                coord,
                value: if let Shown::Value(x) = v { *x } else { f64::NAN },
            });
            places.push(where_(*row_no, p.cols[j].0));
            suppressed.push(*v == Shown::Suppressed);
        }
    }
    (cells, places, suppressed, at)
}

/// A layered table as a grid: one dimension per label column and one for the count columns, a
/// `Total` label (or header) the total over that dimension, and a relation for every total whose
/// parts are in the table.
fn locate_layered(p: &Published, where_: &dyn Fn(u64, usize) -> String) -> Located {
    let k = p.layers.len();
    let mut dims: Vec<(String, Vec<String>)> = p.layers.iter().map(|n| (n.clone(), Vec::new())).collect();
    // Label positions by hash: a hostile table with many labels stays linear.
    let mut seen: Vec<std::collections::HashMap<String, usize>> = vec![Default::default(); k + 1];
    let mut index = |d: usize, dim: &mut (String, Vec<String>), label: &str| -> Option<usize> {
        if is_total(label) {
            return None;
        }
        Some(*seen[d].entry(label.to_string()).or_insert_with(|| {
            dim.1.push(label.to_string());
            dim.1.len() - 1
        }))
    };
    let row_coords: Vec<Vec<Option<usize>>> = p
        .labels
        .iter()
        .map(|ls| (0..k).map(|d| index(d, &mut dims[d], &ls[d])).collect())
        .collect();
    let mut col_dim = ("column".to_string(), Vec::new());
    let col_coords: Vec<Option<usize>> = p.cols.iter().map(|(_, h)| index(k, &mut col_dim, h)).collect();
    dims.push(col_dim);
    let (cells, places, suppressed, at) = read_cells(
        p,
        &|i, j| row_coords[i].iter().copied().chain([col_coords[j]]).collect(),
        where_,
    );
    let relations = layered_relations(&cells, &at, k + 1);
    let total_row = row_coords.iter().any(|c| c.iter().any(Option::is_none));
    let total_col = col_coords.iter().any(Option::is_none);
    Located::new(dims, (cells, relations), places, suppressed, (total_row, total_col))
}

/// Per line of a layered table (a coordinate without one dimension): its total and its parts.
type Lines = std::collections::HashMap<Vec<Option<usize>>, (Option<usize>, Vec<usize>)>;

/// The relations of a layered table: per dimension, each cell that is a total over it with the
/// cells that differ from it only there (those present; of a coordinate repeated, the last, as
/// `at` holds it). Cells are grouped by their coordinate without that dimension, so the work is
/// linear in the cells, whatever the labels.
fn layered_relations(
    cells: &[Cell],
    at: &std::collections::HashMap<Vec<Option<usize>>, usize>,
    dims: usize,
) -> Vec<(usize, Vec<usize>)> {
    let mut found = Vec::new();
    for d in 0..dims {
        let mut lines: Lines = std::collections::HashMap::new();
        for (i, cell) in cells.iter().enumerate() {
            if at.get(&cell.coord) != Some(&i) {
                continue;
            }
            let mut rest = cell.coord.clone();
            rest[d] = None;
            let line = lines.entry(rest).or_default();
            match cell.coord[d] {
                None => line.0 = Some(i),
                Some(_) => line.1.push(i),
            }
        }
        found.extend(
            lines
                .into_values()
                .filter_map(|(total, mut parts)| {
                    // Parts in label order, as the labels were first read.
                    parts.sort_by_key(|&x| cells[x].coord[d]);
                    Some((total?, d, parts))
                })
                .filter(|(_, _, parts)| !parts.is_empty()),
        );
    }
    // Each total's relations in the order of its dimensions, totals in reading order.
    found.sort_by_key(|(t, d, _)| (*t, *d));
    found.into_iter().map(|(t, _, parts)| (t, parts)).collect()
}

/// Counts below the threshold that are published.
fn published_small(t: &Located, n: f64) -> Vec<Risk> {
    let mut risks = Vec::new();
    for (c, cell) in t.grid.cells.iter().enumerate().filter(|(c, _)| !t.suppressed[*c]) {
        let v = cell.value;
        if v > 0.0 && v < n {
            risks.push(Risk {
                kind: "published-small",
                cell: t.places[c].clone(),
                message: format!("{} is {v}, below the threshold {n}, and published", t.grid.label(c)),
            });
        }
    }
    risks
}

/// Margins that do not add up; returns whether the published figures are consistent.
fn non_additive(t: &Located, risks: &mut Vec<Risk>) -> bool {
    let (grid, suppressed) = (&t.grid, &t.suppressed);
    let mut consistent = true;
    for (ri, (total, parts)) in grid.relations.iter().enumerate() {
        let known = |c: &usize| !suppressed[*c];
        let published_sum: f64 = parts.iter().filter(|c| known(c)).map(|&c| grid.cells[c].value).sum();
        let all_known = known(total) && parts.iter().all(known);
        if (all_known && (published_sum - grid.cells[*total].value).abs() > 1e-9)
            || (known(total) && published_sum > grid.cells[*total].value + 1e-9)
        {
            consistent = false;
            risks.push(Risk {
                kind: "non-additive",
                cell: t.places[*total].clone(),
                message: format!(
                    "{}: the margin {} is not the sum of its cells ({} published); margins computed after removing records leak the removed counts",
                    grid.relation_label(ri),
                    grid.cells[*total].value,
                    published_sum
                ),
            });
        }
    }
    consistent
}

/// Suppressed cells the published figures determine exactly. When the publisher hid zeros too
/// (`floor` 0), a suppressed cell that can only be zero reveals no one: not a risk.
fn exactly_recoverable(t: &Located, exact: &[bool], floor: f64, risks: &mut Vec<Risk>) {
    let values = (floor == 0.0)
        .then(|| suppress::intervals(&t.grid, &t.suppressed, 0.0))
        .flatten();
    let zero = |c: usize| {
        values
            .as_ref()
            .and_then(|v| v.get(c).copied().flatten())
            .is_some_and(|(lo, hi)| lo.abs() < 1e-9 && hi.abs() < 1e-9)
    };
    for c in (0..t.grid.cells.len()).filter(|&c| t.suppressed[c] && exact[c] && !zero(c)) {
        let how = super::bridge::derivation(&t.grid, &t.suppressed, c)
            .unwrap_or_else(|| "by combining rows and columns of the table".into());
        risks.push(Risk {
            kind: "exactly-recoverable",
            cell: t.places[c].clone(),
            message: format!("suppressed {} can be recovered exactly: {how}", t.grid.label(c)),
        });
    }
}

/// Intervals of the other suppressed cells. Counts are suppressed because they are small, so the
/// attacker takes every suppressed cell to be at least `floor`: 1 where zeros are published, 0
/// where the publisher hid zeros too. Margins that leave no room for that are partial sums.
fn intervals(t: &Located, exact: &[bool], (n, floor): (f64, f64), seconds: u64, risks: &mut Vec<Risk>) {
    let (grid, suppressed) = (&t.grid, &t.suppressed);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let mask: Vec<bool> = (0..suppressed.len()).map(|c| suppressed[c] && !exact[c]).collect();
    let Some(judged) = suppress::judge(grid, suppressed, &mask, floor, n, deadline) else {
        let message = if floor > 0.0 {
            "the margins leave no room for the suppressed counts (each at least 1): they are partial sums, computed after removing records, and leak the removed counts; if the publisher suppressed true zeros too, audit with --zeros suppressed"
        } else {
            "the margins leave no room for the suppressed counts (not even zeros): they are partial sums, computed after removing records, and leak the removed counts"
        };
        risks.push(Risk {
            kind: "non-additive",
            cell: String::new(),
            message: message.into(),
        });
        return;
    };
    let mut unknown = 0;
    for c in (0..grid.cells.len()).filter(|&c| mask[c]) {
        match judged[c] {
            Some(suppress::Judged::Exposed(lo, hi)) if hi < n - 1e-6 => risks.push(Risk {
                kind: "interval-below-threshold",
                cell: t.places[c].clone(),
                message: format!(
                    "suppressed {} is provably between {} and {}: below the threshold {n}",
                    grid.label(c),
                    lo.round(),
                    hi.round()
                ),
            }),
            Some(suppress::Judged::Unknown) => unknown += 1,
            _ => {}
        }
    }
    if unknown > 0 {
        risks.push(Risk {
            kind: "not-proven",
            cell: String::new(),
            message: format!(
                "{unknown} suppressed cells could not be bounded within {seconds} s; the table is not proven safe"
            ),
        });
    }
}

/// Derivable sums of suppressed cells below the threshold (`suppress::small_sums`, which the
/// minimum-loss search avoids by the same test).
fn small_sums(t: &Located, n: f64, risks: &mut Vec<Risk>) {
    let (grid, suppressed) = (&t.grid, &t.suppressed);
    for ri in suppress::small_sums(grid, suppressed, n) {
        let (total, parts) = &grid.relations[ri];
        let hidden: Vec<usize> = parts.iter().copied().filter(|&c| suppressed[c]).collect();
        let published: f64 = parts
            .iter()
            .filter(|c| !suppressed[**c])
            .map(|&c| grid.cells[c].value)
            .sum();
        let sum = grid.cells[*total].value - published;
        risks.push(Risk {
            kind: "small-sum",
            cell: t.places[*total].clone(),
            message: format!(
                "{}: the suppressed cells {} sum to {sum}, below the threshold {n}",
                grid.relation_label(ri),
                hidden.iter().map(|&c| grid.label(c)).collect::<Vec<_>>().join(" + ")
            ),
        });
    }
}

fn t_clone(t: &Located) -> Located {
    Located {
        grid: t.grid.clone(),
        places: t.places.clone(),
        suppressed: t.suppressed.clone(),
        total_row: t.total_row,
        total_col: t.total_col,
    }
}

/// The checks against the ledger (see [`audit_with`]).
fn with_ledger(
    mut t: Located,
    view: &LedgerView<'_>,
    (n, floor): (f64, f64),
    seconds: u64,
    risks: &mut Vec<Risk>,
) -> Result<(), crate::Error> {
    if t.grid.dims.len() > 2 {
        return Err(crate::Error::Request(
            "a layered table (several label columns) cannot be checked against the ledger yet: audit it without --ledger".into(),
        ));
    }
    let columns = t.grid.dims.get(1).map_or(0, |d| d.1.len());
    if columns > 1 && view.cols.is_none() {
        return Err(crate::Error::Request(
            "the table has several count columns: say which variable they are (--cols-var)".into(),
        ));
    }
    let mut known = 0;
    for c in 0..t.grid.cells.len() {
        let coord = &t.grid.cells[c].coord;
        let mut fixed = std::collections::BTreeSet::new();
        if let Some(k) = coord.first().copied().flatten() {
            fixed.insert((view.rows.to_string(), t.grid.dims[0].1[k].clone()));
        }
        if let (Some(cols), Some(k)) = (view.cols, coord.get(1).copied().flatten()) {
            fixed.insert((cols.to_string(), t.grid.dims[1].1[k].clone()));
        }
        let Some(e) = view.ledger.cells.get(&(view.population.to_string(), fixed)) else {
            continue;
        };
        match (e.shown, t.suppressed[c]) {
            (None, false) if t.grid.cells[c].value > 0.0 => risks.push(Risk {
                kind: "ledger-hidden-shown",
                cell: t.places[c].clone(),
                message: format!(
                    "{}: `{}` ({}) hid this count; this table shows it",
                    t.grid.label(c),
                    e.table,
                    e.date
                ),
            }),
            (Some(v), true) => {
                t.suppressed[c] = false;
                t.grid.cells[c].value = v;
                known += 1;
            }
            _ => {}
        }
    }
    if known == 0 {
        return Ok(());
    }
    let mut more = Vec::new();
    let exact = suppress::determined(&t.grid, &t.suppressed);
    exactly_recoverable(&t, &exact, floor, &mut more);
    intervals(&t, &exact, (n, floor), seconds, &mut more);
    small_sums(&t, n, &mut more);
    for r in more {
        risks.push(Risk {
            kind: "with-ledger",
            cell: r.cell,
            message: format!("with the {known} cell(s) the ledger shows: {}", r.message),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The relations of a layered table by the direct construction (for each total, every label
    /// of its dimension looked up), which is quadratic in the labels.
    fn direct(
        cells: &[Cell],
        at: &std::collections::HashMap<Vec<Option<usize>>, usize>,
        labels: &[usize],
    ) -> Vec<(usize, Vec<usize>)> {
        let mut out = Vec::new();
        for (t, cell) in cells.iter().enumerate() {
            if at.get(&cell.coord) != Some(&t) {
                continue;
            }
            for d in (0..labels.len()).filter(|&d| cell.coord[d].is_none()) {
                let parts: Vec<usize> = (0..labels[d])
                    .filter_map(|i| {
                        let mut c = cell.coord.clone();
                        c[d] = Some(i);
                        at.get(&c).copied()
                    })
                    .collect();
                if !parts.is_empty() {
                    out.push((t, parts));
                }
            }
        }
        out
    }

    #[test]
    fn layered_relations_match_the_direct_construction() {
        // Tables with some coordinates missing (a hierarchy's) and one repeated.
        let mut state = 7u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        for _ in 0..50 {
            let labels = [1 + next(4) as usize, 1 + next(5) as usize, 1 + next(3) as usize];
            let mut cells = Vec::new();
            let mut at = std::collections::HashMap::new();
            for a in (0..labels[0]).map(Some).chain([None]) {
                for b in (0..labels[1]).map(Some).chain([None]) {
                    for c in (0..labels[2]).map(Some).chain([None]) {
                        let repeats = match next(8) {
                            0 => 0,
                            1 => 2,
                            _ => 1,
                        };
                        for _ in 0..repeats {
                            let coord = vec![a, b, c];
                            at.insert(coord.clone(), cells.len());
                            cells.push(Cell { coord, value: 1.0 });
                        }
                    }
                }
            }
            assert_eq!(layered_relations(&cells, &at, 3), direct(&cells, &at, &labels));
        }
    }
}
