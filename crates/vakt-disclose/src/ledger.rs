//! The ledger of what has been published: one JSON line per table a `vakt publish` wrote — its
//! name, the pack and its hash, the date, the population, and every cell by the categories it
//! fixes, with its value when shown or `"hidden"` when suppressed (a hidden value is never
//! written). The next publish reads it: cells an earlier table hid are hidden and protected in
//! the new ones, and a cell the new tables would hide but an earlier table showed is published
//! knowledge — the new table must be safe with it shown, or the publish is refused.

use super::grid::Grid;
use super::link::{cell_keys, CellKey};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;

/// A ledger is a line per published table: thousands of releases of thousand-cell tables stay
/// far below this; anything larger is read as a mistake, not into memory.
pub const MAX_LEDGER_BYTES: u64 = 256 << 20;

/// What the ledger says of one cell: shown with a value, or hidden; and by which table.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The value shown, `None` when hidden.
    pub shown: Option<f64>,
    /// The table that published it, and when.
    pub table: String,
    pub date: String,
}

/// The ledger's cells by key (the latest entry for a key wins).
#[derive(Debug, Default)]
pub struct Ledger {
    pub cells: HashMap<CellKey, Entry>,
}

impl Ledger {
    /// Reads a ledger; a missing file is an empty ledger. A line that is not a ledger entry is an
    /// error naming the file and line.
    pub fn read(path: &Path) -> Result<Ledger, String> {
        let text = match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ledger::default()),
            Err(e) => return Err(format!("{}: {e}", path.display())),
            Ok(m) if m.len() > MAX_LEDGER_BYTES => {
                return Err(format!(
                    "{}: {} MiB, more than a ledger of tables holds ({} MiB at most): not a vakt ledger?",
                    path.display(),
                    m.len() >> 20,
                    MAX_LEDGER_BYTES >> 20
                ))
            }
            Ok(_) => std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
        };
        let mut ledger = Ledger::default();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let bad = |why: &str| format!("{}:{}: not a ledger entry ({why})", path.display(), i + 1);
            let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(&e.to_string()))?;
            let table = v["table"].as_str().ok_or_else(|| bad("no table"))?.to_string();
            let date = v["date"].as_str().unwrap_or_default().to_string();
            let population = v["population"].as_str().ok_or_else(|| bad("no population"))?;
            for cell in v["cells"].as_array().ok_or_else(|| bad("no cells"))? {
                let fixed = cell["fixed"]
                    .as_object()
                    .ok_or_else(|| bad("a cell without `fixed`"))?
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect();
                let shown = if cell["hidden"] == serde_json::Value::Bool(true) {
                    None
                } else {
                    Some(
                        cell["value"]
                            .as_f64()
                            .ok_or_else(|| bad("a cell neither hidden nor with a value"))?,
                    )
                };
                let entry = Entry {
                    shown,
                    table: table.clone(),
                    date: date.clone(),
                };
                ledger.cells.insert((population.to_string(), fixed), entry);
            }
        }
        Ok(ledger)
    }

    /// The keys an earlier table hid.
    pub fn hidden(&self) -> HashSet<CellKey> {
        self.cells
            .iter()
            .filter(|(_, e)| e.shown.is_none())
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// One table's ledger line.
pub fn line(name: &str, pack: (&str, &str), date: &str, population: &str, grid: &Grid, suppressed: &[bool]) -> String {
    let cells: Vec<serde_json::Value> = cell_keys(grid, population)
        .into_iter()
        .zip(&grid.cells)
        .zip(suppressed)
        .map(|(((_, fixed), cell), &hidden)| {
            let fixed: BTreeMap<String, String> = fixed.into_iter().collect();
            if hidden {
                serde_json::json!({"fixed": fixed, "hidden": true})
            } else {
                serde_json::json!({"fixed": fixed, "value": cell.value})
            }
        })
        .collect();
    serde_json::json!({
        "table": name,
        "pack": pack.0,
        "pack_sha256": pack.1,
        "date": date,
        "population": population,
        "cells": cells,
    })
    .to_string()
}

/// Appends lines to the ledger (created if missing).
pub fn append(path: &Path, lines: &[String]) -> Result<(), String> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    for l in lines {
        writeln!(f, "{l}").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
