//! Tables published together. Two tables that count the same population share cells: a margin of
//! one is a margin of the other (patients by diagnosis and by group type share the totals by group
//! type), and a cell hidden in one table but shown in the other is simply published. So the
//! tables are protected together: every cell hidden in any table is hidden, and protected, in
//! every table that holds it, repeated until no table hides a new shared cell.
//!
//! A cell is known by the population counted and the categories it fixes (`group_type = CBT`,
//! every other variable summed over). Tables whose categories overlap without nesting (age
//! 18–29 in one, 18–24 and 25–29 in another) share no cell by this key; they need the common
//! refinement of their categories, which this module does not build yet.

use super::grid::Grid;
use super::suppress::{protect_linked, Protection, Zeros};
use std::collections::{BTreeSet, HashMap, HashSet};

/// A cell's identity across tables: the population and the fixed (variable, category) pairs.
pub type CellKey = (String, BTreeSet<(String, String)>);

/// The key of every cell of a table counting `population`.
pub fn cell_keys(grid: &Grid, population: &str) -> Vec<CellKey> {
    grid.cells
        .iter()
        .map(|cell| {
            let fixed = cell
                .coord
                .iter()
                .zip(&grid.dims)
                .filter_map(|(c, (name, labels))| c.map(|k| (name.clone(), labels[k].clone())))
                .collect();
            (population.to_string(), fixed)
        })
        .collect()
}

/// One table of a publication: its population and its grid.
pub struct Linked<'g> {
    pub population: String,
    pub grid: &'g Grid,
    pub threshold: f64,
}

/// Protects every table so that no cell is hidden in one and shown in another; returns the
/// protections in the order given and the number of rounds it took. `earlier` holds the cells an
/// earlier release hid (from the ledger): they are hidden, and protected, here too.
pub fn protect_together(
    tables: &[Linked<'_>],
    zeros: Zeros,
    time_limit: std::time::Duration,
    earlier: &HashSet<CellKey>,
) -> (Vec<Protection>, usize) {
    let keys: Vec<Vec<CellKey>> = tables.iter().map(|t| cell_keys(t.grid, &t.population)).collect();
    let mut hidden: HashSet<CellKey> = earlier.clone();
    let mut rounds = 0;
    loop {
        rounds += 1;
        let out: Vec<Protection> = tables
            .iter()
            .zip(&keys)
            .map(|(t, k)| {
                let linked: Vec<bool> = k.iter().map(|key| hidden.contains(key)).collect();
                protect_linked(t.grid, t.threshold, zeros, time_limit, &linked)
            })
            .collect();
        let before = hidden.len();
        for (p, k) in out.iter().zip(&keys) {
            for (c, key) in k.iter().enumerate() {
                if p.suppressed[c] {
                    hidden.insert(key.clone());
                }
            }
        }
        // Hidden cells only ever join the set, so this ends; when nothing joined, every shared
        // cell is hidden in all of its tables or in none.
        if hidden.len() == before {
            return (out, rounds);
        }
    }
}

/// Shared cells hidden in one table and shown in another (empty after [`protect_together`]):
/// (key, the table hiding it, the table showing it).
pub fn inconsistencies<'k>(keys: &'k [Vec<CellKey>], suppressed: &[Vec<bool>]) -> Vec<(&'k CellKey, usize, usize)> {
    let mut seen: HashMap<&CellKey, (usize, bool)> = HashMap::new();
    let mut out = Vec::new();
    for (t, k) in keys.iter().enumerate() {
        for (c, key) in k.iter().enumerate() {
            let s = suppressed[t][c];
            match seen.get(key) {
                Some(&(other, was)) if was != s => {
                    let (hides, shows) = if was { (other, t) } else { (t, other) };
                    out.push((key, hides, shows));
                }
                Some(_) => {}
                None => {
                    seen.insert(key, (t, s));
                }
            }
        }
    }
    out
}
