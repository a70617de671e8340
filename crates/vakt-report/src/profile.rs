//! The distributions a pack asks for (`[[profile]]`), counted per return through the one table
//! stream, so a report can show each return next to the national figure.
//!
//! Categories come from the pack, not from the data: a code list's entries in its order (or the
//! distinct values of the further column a profile names, such as `dx_group`), yes and no, or the
//! profile's bins. Cells that could not be read or are blank are not counted.

use crate::Error;
use vakt_core::locate::stream::{Event, Opened, TableStream};
use vakt_core::pack::{Pack, Profile};
use vakt_core::read::Input;
use vakt_core::value::Value;

/// One category of a distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// Its key (a code, an attribute value, `true`/`false`, or a bin's lower bound).
    pub key: String,
    /// Its label in English.
    pub en: String,
    /// Its label in Norwegian.
    pub no: String,
}

/// The categories of a profile, in the order reports show them.
pub fn categories(pack: &Pack, p: &Profile) -> Vec<Category> {
    let column = &pack.tables[p.table].columns[p.column];
    let cat = |key: &str, en: &str, no: &str| Category {
        key: key.to_string(),
        en: en.to_string(),
        no: no.to_string(),
    };
    if !p.bins.is_empty() {
        return bin_categories(&p.bins);
    }
    let Some(list) = pack.codelist(column) else {
        return vec![cat("true", "Yes", "Ja"), cat("false", "No", "Nei")];
    };
    match &p.attribute {
        Some(attr) => {
            let mut seen: Vec<Category> = Vec::new();
            for e in &list.entries {
                if let Some(v) = e.extra.get(attr).filter(|v| !v.is_empty()) {
                    if !seen.iter().any(|c| &c.key == v) {
                        seen.push(cat(v, v, v));
                    }
                }
            }
            seen
        }
        None => list
            .entries
            .iter()
            .map(|e| {
                cat(
                    &e.code,
                    if e.en.is_empty() { &e.code } else { &e.en },
                    if e.no.is_empty() { &e.code } else { &e.no },
                )
            })
            .collect(),
    }
}

/// `< 60`, `60–89`, ..., `150+` for bins `[60, 90, ..., 150]` (below the first bound is a bin).
fn bin_categories(bins: &[f64]) -> Vec<Category> {
    let mut out = Vec::new();
    let label = |lo: Option<f64>, hi: Option<f64>| match (lo, hi) {
        (None, Some(h)) => format!("< {h}"),
        (Some(l), Some(h)) => format!("{l}–{}", h - 1.0),
        (Some(l), None) => format!("{l}+"),
        (None, None) => String::new(),
    };
    let mut push = |key: String, text: String| {
        out.push(Category {
            key,
            en: text.clone(),
            no: text,
        })
    };
    if let Some(&first) = bins.first() {
        if first > 0.0 {
            push("below".into(), label(None, Some(first)));
        }
    }
    for (i, &lo) in bins.iter().enumerate() {
        push(lo.to_string(), label(Some(lo), bins.get(i + 1).copied()));
    }
    out
}

/// A profile's counts for one return, one per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Counts {
    /// Counts in the order of [`categories`].
    pub counts: Vec<u64>,
}

impl Counts {
    /// Every value counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Counts every profile of the pack in one return (one pass over each table that has profiles).
pub fn count(pack: &Pack, path: &str) -> Result<Vec<Counts>, Error> {
    let cats: Vec<Vec<Category>> = pack.profiles.iter().map(|p| categories(pack, p)).collect();
    let mut out: Vec<Counts> = cats
        .iter()
        .map(|c| Counts {
            counts: vec![0; c.len()],
        })
        .collect();
    let mut input = Input::open(path).map_err(|e| Error::Input(e.to_string()))?;
    let (matches, _) = vakt_core::locate::match_tables(pack, &mut input);
    for m in matches {
        let mine: Vec<usize> = (0..pack.profiles.len())
            .filter(|&i| pack.profiles[i].table == m.table)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let sheet = input.parts[m.part].sheet.is_some();
        let mut rows = input.rows(m.part).map_err(|e| Error::Input(e.to_string()))?;
        let Opened::Table(mut stream) =
            TableStream::open(pack, m.table, sheet, rows.as_mut()).map_err(|e| Error::Input(e.to_string()))?
        else {
            continue;
        };
        while let Some(event) = stream.next(rows.as_mut()).map_err(|e| Error::Input(e.to_string()))? {
            if event != Event::Data {
                continue;
            }
            for &i in &mine {
                let p = &pack.profiles[i];
                let Some(value) = stream.values().get(p.column).map(|v| v.value) else {
                    continue;
                };
                if let Some(slot) = category_of(pack, p, value, &cats[i]) {
                    out[i].counts[slot] += 1;
                }
            }
        }
    }
    Ok(out)
}

/// The category a value falls in.
fn category_of(pack: &Pack, p: &Profile, value: Value, cats: &[Category]) -> Option<usize> {
    let key = match value {
        Value::Code(i) => {
            let list = pack.codelist(&pack.tables[p.table].columns[p.column])?;
            let entry = list.entry(i)?;
            match &p.attribute {
                Some(attr) => entry.extra.get(attr)?.clone(),
                None => entry.code.clone(),
            }
        }
        Value::Bool(b) => b.to_string(),
        v => {
            let x = v.as_f64()?;
            let below = p.bins.first().is_some_and(|&f| x < f);
            if below {
                "below".to_string()
            } else {
                p.bins.iter().rev().find(|&&b| x >= b)?.to_string()
            }
        }
    };
    cats.iter().position(|c| c.key == key)
}
