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
                protect_linked(t.grid, t.threshold, zeros, time_limit, &linked, &|_| {})
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

/// The finest cells of one population: every combination of the categories of all its tables'
/// variables that occurs in the data, with its count. Each cell of each table is a sum of them,
/// so a reader of all the tables knows sums of these — also across tables whose categories nest
/// (age 18–29 in one, 18–24 and 25–29 in another), which share no cell by key.
pub struct Finest {
    /// The variables, in a fixed order.
    pub vars: Vec<String>,
    /// Per finest cell: its category of each variable, and its count.
    pub cells: Vec<(Vec<String>, f64)>,
}

/// One table as the cross-table reader sees it.
pub struct Seen<'a> {
    pub grid: &'a Grid,
    pub suppressed: &'a [bool],
    pub primary: &'a [bool],
    pub threshold: f64,
}

/// The finest cells matching every (variable, category) pair; `None` when a variable is not one
/// of the finest cells'.
pub fn members_of(finest: &Finest, fixed: &BTreeSet<(String, String)>) -> Option<Vec<usize>> {
    let pairs: Vec<(usize, &str)> = fixed
        .iter()
        .map(|(name, label)| Some((finest.vars.iter().position(|x| x == name)?, label.as_str())))
        .collect::<Option<_>>()?;
    Some(
        (0..finest.cells.len())
            .filter(|&f| pairs.iter().all(|&(v, l)| finest.cells[f].0[v] == l))
            .collect(),
    )
}

/// The finest cells of `grid`'s cell `c`: those whose categories match every category it fixes.
pub fn members(finest: &Finest, grid: &Grid, c: usize) -> Option<Vec<usize>> {
    let mut fixed = Vec::new();
    for (k, (name, labels)) in grid.cells[c].coord.iter().zip(&grid.dims) {
        if let Some(k) = k {
            let v = finest.vars.iter().position(|x| x == name)?;
            fixed.push((v, labels.get(*k)?.as_str()));
        }
    }
    Some(
        (0..finest.cells.len())
            .filter(|&f| fixed.iter().all(|&(v, l)| finest.cells[f].0[v] == l))
            .collect(),
    )
}

/// Primary cells a reader of all the tables together can recover exactly or bound below the
/// threshold: a linear program over the finest cells (each at least 0), every shown cell of every
/// table an equation, every hidden one at least 1 (zeros are shown). (table, cell) pairs.
pub fn exposed_together(tables: &[Seen<'_>], finest: &Finest) -> Vec<(usize, usize)> {
    exposed_with(tables, finest, &[], 0.0, None).0
}

/// [`exposed_together`] with more of what a reader knows: cells published earlier (the
/// ledger), as (finest cells, the value shown or `None` when hidden). Returns the exposed primary
/// cells of the tables, and the indices of earlier hidden cells whose count (from the finest
/// cells) is below `threshold` and is now recovered or bounded below it. Past `deadline` a
/// count not yet judged counts as exposed: the reader's programs cannot run away, and nothing
/// unjudged passes.
pub fn exposed_with(
    tables: &[Seen<'_>],
    finest: &Finest,
    earlier: &[(Vec<usize>, Option<f64>)],
    threshold: f64,
    deadline: Option<std::time::Instant>,
) -> (Vec<(usize, usize)>, Vec<usize>) {
    let reader = Reader::new(tables, finest, earlier);
    let exposed = |target: &[usize], n: f64| {
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return true;
        }
        let (hi, lo) = (reader.bound(target, true), reader.bound(target, false));
        matches!((hi, lo), (Some(hi), Some(lo)) if !super::suppress::passes(lo, hi, n))
    };
    let mut cells = Vec::new();
    for (ti, (t, set)) in tables.iter().zip(&reader.sets).enumerate() {
        for c in (0..t.grid.cells.len()).filter(|&c| t.primary[c] && t.suppressed[c]) {
            if set[c].as_ref().is_some_and(|target| exposed(target, t.threshold)) {
                cells.push((ti, c));
            }
        }
    }
    let before: Vec<usize> = (0..earlier.len())
        .filter(|&e| {
            let (members, shown) = &earlier[e];
            let count: f64 = members.iter().map(|&f| finest.cells[f].1).sum();
            shown.is_none() && count > 0.0 && count < threshold && exposed(members, threshold)
        })
        .collect();
    (cells, before)
}

/// Whether the tables and the earlier releases can all be true of one population's counts: not
/// so when a ledger shows counts that today's data revised (then what the difference reveals is
/// not something this reader can judge).
pub fn consistent(tables: &[Seen<'_>], finest: &Finest, earlier: &[(Vec<usize>, Option<f64>)]) -> bool {
    let reader = Reader::new(tables, finest, earlier);
    reader.bound(&[], true).is_some()
}

/// What a reader of the tables (and of earlier releases) knows, as a linear program over the
/// finest cells.
struct Reader<'a> {
    tables: &'a [Seen<'a>],
    /// Per table and cell, its finest cells.
    sets: Vec<Vec<Option<Vec<usize>>>>,
    finest: &'a Finest,
    earlier: &'a [(Vec<usize>, Option<f64>)],
}

impl<'a> Reader<'a> {
    fn new(tables: &'a [Seen<'a>], finest: &'a Finest, earlier: &'a [(Vec<usize>, Option<f64>)]) -> Reader<'a> {
        let sets = tables
            .iter()
            .map(|t| (0..t.grid.cells.len()).map(|c| members(finest, t.grid, c)).collect())
            .collect();
        Reader {
            tables,
            sets,
            finest,
            earlier,
        }
    }

    /// The largest (`max`) or smallest sum of the `target` finest cells the reader cannot rule
    /// out; `None` when the program cannot be solved.
    fn bound(&self, target: &[usize], max: bool) -> Option<f64> {
        use microlp::{ComparisonOp, OptimizationDirection as Dir, Problem, SolveOutcome};
        let mut lp = Problem::new(if max { Dir::Maximize } else { Dir::Minimize });
        let vars: Vec<microlp::Variable> = (0..self.finest.cells.len())
            .map(|f| lp.add_var(if target.contains(&f) { 1.0 } else { 0.0 }, (0.0, f64::INFINITY)))
            .collect();
        let mut add = |members: &[usize], shown: Option<f64>| {
            let expr: Vec<(microlp::Variable, f64)> = members.iter().map(|&f| (vars[f], 1.0)).collect();
            match shown {
                Some(v) => lp.add_constraint(expr.as_slice(), ComparisonOp::Eq, v),
                None => lp.add_constraint(expr.as_slice(), ComparisonOp::Ge, 1.0),
            }
        };
        for (t, set) in self.tables.iter().zip(&self.sets) {
            for (c, members) in set.iter().enumerate() {
                if let Some(members) = members {
                    add(members, (!t.suppressed[c]).then_some(t.grid.cells[c].value));
                }
            }
        }
        for (members, shown) in self.earlier {
            add(members, *shown);
        }
        match lp.solve() {
            Ok(SolveOutcome::Solution(s)) => Some(s.objective()),
            Err(microlp::Error::Unbounded) => Some(f64::INFINITY),
            _ => None,
        }
    }
}
