//! From a data table to a count table: cells counted by one to three classification columns, as
//! rows or as distinct persons.

use super::data::Data;
use super::grid::{Grid, MAX_CELLS};
use std::collections::{BTreeSet, HashMap, HashSet};

/// What to count.
pub struct Spec {
    pub rows: String,
    pub cols: Option<String>,
    pub layers: Option<String>,
    /// Count distinct values of this column (a pseudonym) instead of rows.
    pub distinct: Option<String>,
    /// The columns whose categories hold the row categories, innermost first (a hierarchy:
    /// diagnosis within block within chapter is `[block, chapter]`): each category of each level
    /// gets a subtotal row, a category stands under the categories of the level above it occurs
    /// with, and the table is protected as one (needs `cols`, not `layers`).
    pub rows_within: Vec<String>,
}

/// Notes on the counting, for the summary.
#[derive(Debug, Default)]
pub struct Counted {
    pub records: usize,
    /// Persons counted in more than one inner cell (their margins count person-cells).
    pub multi_cell_persons: usize,
}

const MISSING: &str = "(blank)";

/// Counts `data` into a complete table with margins.
pub fn count(data: &Data, spec: &Spec) -> Result<(Grid, Counted), crate::Error> {
    let nested = !spec.rows_within.is_empty();
    if nested && (spec.layers.is_some() || spec.cols.is_none()) {
        return Err(crate::Error::Request(
            "a hierarchy of rows (--rows-within) needs --cols and cannot have --layers".into(),
        ));
    }
    // Layers first, so a 3-D table is a stack of row × column tables; so are the levels of a
    // hierarchy, outermost first, each category stacked with its subtotal.
    let mut names: Vec<String> = spec.rows_within.iter().rev().cloned().collect();
    names.extend(spec.layers.clone());
    names.push(spec.rows.clone());
    names.extend(spec.cols.clone());
    if let Some(twice) = names
        .iter()
        .enumerate()
        .find_map(|(i, n)| names[..i].contains(n).then_some(n))
    {
        return Err(crate::Error::Request(format!(
            "the column `{twice}` is named twice in the table"
        )));
    }
    let cols: Vec<usize> = names.iter().map(|n| data.column(n)).collect::<Result<_, _>>()?;
    let distinct = spec.distinct.as_ref().map(|d| data.column(d)).transpose()?;
    let label = |v: &str| {
        if v.is_empty() {
            MISSING.to_string()
        } else {
            v.to_string()
        }
    };
    let labels: Vec<Vec<String>> = cols
        .iter()
        .map(|&c| {
            data.rows
                .iter()
                .map(|r| label(&r[c]))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        })
        .collect();
    let index: Vec<HashMap<&str, usize>> = labels
        .iter()
        .map(|l| l.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect())
        .collect();
    let mut rows_count: HashMap<Vec<usize>, f64> = HashMap::new();
    let mut persons: HashMap<Vec<usize>, HashSet<&str>> = HashMap::new();
    let mut cells_of: HashMap<&str, HashSet<Vec<usize>>> = HashMap::new();
    for r in &data.rows {
        let key: Vec<usize> = cols
            .iter()
            .zip(&index)
            .map(|(&c, ix)| ix.get(label(&r[c]).as_str()).copied().unwrap_or(0))
            .collect();
        match distinct {
            Some(d) if !r[d].is_empty() => {
                persons.entry(key.clone()).or_default().insert(r[d].as_str());
                cells_of.entry(r[d].as_str()).or_default().insert(key);
            }
            Some(_) => {}
            None => *rows_count.entry(key).or_insert(0.0) += 1.0,
        }
    }
    let counted = Counted {
        records: data.rows.len(),
        multi_cell_persons: cells_of.values().filter(|s| s.len() > 1).count(),
    };
    // Which category stands under which category of the level above: the pairs the data holds.
    let levels = spec.rows_within.len();
    let pairs: Vec<HashSet<(usize, usize)>> = (0..levels)
        .map(|l| {
            rows_count
                .keys()
                .chain(persons.keys())
                .map(|k| (k[l], k[l + 1]))
                .collect()
        })
        .collect();
    let sizes: Vec<usize> = labels.iter().map(Vec::len).collect();
    let cells = Grid::cells_needed(&sizes, &pairs).unwrap_or(usize::MAX);
    if cells > MAX_CELLS {
        let shown = if cells == usize::MAX {
            "more than 2^64".to_string()
        } else {
            cells.to_string()
        };
        return Err(crate::Error::Request(format!(
            "the table would have {shown} cells ({}); vakt protects tables of at most {MAX_CELLS}",
            sizes
                .iter()
                .map(|s| format!("{s} categories"))
                .collect::<Vec<_>>()
                .join(" × ")
        )));
    }
    let dims: Vec<(String, Vec<String>)> = names.into_iter().zip(labels).collect();
    let value = |c: &[usize]| match distinct {
        Some(_) => persons.get(c).map_or(0.0, |s| s.len() as f64),
        None => rows_count.get(c).copied().unwrap_or(0.0),
    };
    let grid = if pairs.is_empty() {
        Grid::complete(dims, &value)
    } else {
        Grid::hierarchy(dims, &pairs, &value)
    };
    Ok((grid, counted))
}
