//! A count table with its margins as a linear system: cells, and relations `total = sum of parts`.
//!
//! Any number of dimensions: every cell has a coordinate per dimension, `None` meaning the total
//! over that dimension. Each cell is also a sum of inner cells (its "dummy" row), which is what
//! the Gauss elimination of secondary suppression works on.

/// One cell of a table.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Per dimension: the label index, or `None` for the total.
    pub coord: Vec<Option<usize>>,
    pub value: f64,
}

/// A table as a linear system.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Per dimension: the variable name and its labels (without the total).
    pub dims: Vec<(String, Vec<String>)>,
    pub cells: Vec<Cell>,
    /// `(total, parts)`: the value of `total` is the sum of the values of `parts`.
    pub relations: Vec<(usize, Vec<usize>)>,
    /// Per cell: the inner cells (by position in `inner`) it sums.
    pub dummy: Vec<Vec<usize>>,
    /// Cell indices of the inner cells.
    pub inner: Vec<usize>,
}

impl Grid {
    /// A complete table with every margin: inner counts given per coordinate (missing = 0).
    pub fn complete(dims: Vec<(String, Vec<String>)>, count: &dyn Fn(&[usize]) -> f64) -> Grid {
        let sizes: Vec<usize> = dims.iter().map(|d| d.1.len()).collect();
        let coords = crossed(vec![Vec::new()], &sizes);
        Grid::from_coords(dims, coords, count)
    }

    /// A table whose rows nest: dimensions `0..=levels` are a hierarchy, each level's categories
    /// standing only under the categories of the level above they occur with (`allowed[l]`:
    /// pairs of label indices of levels `l` and `l + 1`); the dimensions after them are crossed
    /// with it completely. A category's total over its parents is no cell (the parents'
    /// subtotals and the grand total are). Only the cells of the hierarchy are made — never the
    /// product of its levels' categories, which for ICD-10 (chapters × blocks × categories) would
    /// be a hundred million.
    ///
    /// ```
    /// use vakt_disclose::grid::Grid;
    /// let g = Grid::hierarchy(
    ///     vec![("group".into(), vec!["F3".into(), "F4".into()]), ("dx".into(), vec!["F32".into(), "F40".into()])],
    ///     &[[(0, 0), (1, 1)].into_iter().collect()],
    ///     &|c| if c == [0, 0] { 7.0 } else if c == [1, 1] { 5.0 } else { 0.0 },
    /// );
    /// // F3 × F32, F3 × Total, F4 × F40, F4 × Total, Total × Total.
    /// assert_eq!(g.cells.len(), 5);
    /// // Each group's subtotal is its diagnoses; the grand total is the groups'.
    /// assert_eq!(g.relations.len(), 3);
    /// ```
    pub fn hierarchy(
        dims: Vec<(String, Vec<String>)>,
        allowed: &[std::collections::HashSet<(usize, usize)>],
        count: &dyn Fn(&[usize]) -> f64,
    ) -> Grid {
        let sizes: Vec<usize> = dims.iter().map(|d| d.1.len()).collect();
        let coords = crossed(hierarchy_paths(&sizes, allowed), &sizes[allowed.len() + 1..]);
        Grid::from_coords(dims, coords, count)
    }

    /// How many cells [`Grid::hierarchy`] (or, with no levels, [`Grid::complete`]) would make,
    /// counted without making them, or `None` past `usize`: what a caller checks against
    /// [`MAX_CELLS`] before asking for the table.
    pub fn cells_needed(sizes: &[usize], allowed: &[std::collections::HashSet<(usize, usize)>]) -> Option<usize> {
        let split = if allowed.is_empty() { 0 } else { allowed.len() + 1 };
        let lead = if split == 0 {
            1
        } else {
            hierarchy_paths(sizes, allowed).len()
        };
        sizes[split..].iter().try_fold(lead, |n, &s| n.checked_mul(s + 1))
    }

    /// The table holding exactly `coords` (in that order), each cell the sum of the inner cells it
    /// covers that are in the table, with a relation per total and dimension over the parts that
    /// are in the table. A relation none of whose parts is in the table says nothing and is left
    /// out (a nested table has no cell for a category's total over its parents), except over a
    /// dimension without categories, where the total truly is an empty sum.
    fn from_coords(
        dims: Vec<(String, Vec<String>)>,
        coords: Vec<Vec<Option<usize>>>,
        count: &dyn Fn(&[usize]) -> f64,
    ) -> Grid {
        let sizes: Vec<usize> = dims.iter().map(|d| d.1.len()).collect();
        let at: std::collections::HashMap<&[Option<usize>], usize> =
            coords.iter().enumerate().map(|(i, c)| (c.as_slice(), i)).collect();
        let inner: Vec<usize> = (0..coords.len())
            .filter(|&i| coords[i].iter().all(Option::is_some))
            .collect();
        let mut dummy = vec![Vec::new(); coords.len()];
        let mut values = vec![0.0; coords.len()];
        for (pos, &i) in inner.iter().enumerate() {
            let c: Vec<usize> = coords[i].iter().map(|x| x.unwrap_or(0)).collect();
            let v = count(&c);
            // Add to every cell that covers it: each subset of dimensions replaced by the total.
            for mask in 0..(1u32 << sizes.len()) {
                let covered: Vec<Option<usize>> = coords[i]
                    .iter()
                    .enumerate()
                    .map(|(d, x)| if mask & (1 << d) != 0 { None } else { *x })
                    .collect();
                if let Some(&j) = at.get(covered.as_slice()) {
                    values[j] += v;
                    dummy[j].push(pos);
                }
            }
        }
        let mut relations = Vec::new();
        for (i, c) in coords.iter().enumerate() {
            for d in (0..sizes.len()).filter(|&d| c[d].is_none()) {
                let mut p = c.clone();
                let parts: Vec<usize> = (0..sizes[d])
                    .filter_map(|k| {
                        p[d] = Some(k);
                        at.get(p.as_slice()).copied()
                    })
                    .collect();
                if !parts.is_empty() || sizes[d] == 0 {
                    relations.push((i, parts));
                }
            }
        }
        drop(at);
        for d in dummy.iter_mut() {
            d.sort_unstable();
        }
        let cells = coords
            .into_iter()
            .zip(values)
            .map(|(coord, value)| Cell { coord, value })
            .collect();
        Grid {
            dims,
            cells,
            relations,
            dummy,
            inner,
        }
    }

    /// Each cell's index by its coordinate (a nested table has no cell for some coordinates).
    pub fn by_coord(&self) -> std::collections::HashMap<&[Option<usize>], usize> {
        self.cells
            .iter()
            .enumerate()
            .map(|(i, c)| (c.coord.as_slice(), i))
            .collect()
    }

    /// The label of a cell: `Depression × CBT`, with `Total` for margins.
    pub fn label(&self, cell: usize) -> String {
        self.cells[cell]
            .coord
            .iter()
            .zip(&self.dims)
            .map(|(c, (_, labels))| c.map_or("Total", |k| labels[k].as_str()).to_string())
            .collect::<Vec<_>>()
            .join(" × ")
    }

    /// The relation's name: `row Depression`, `column CBT`, `total`.
    pub fn relation_label(&self, r: usize) -> String {
        let (total, _) = &self.relations[r];
        let coord = &self.cells[*total].coord;
        let fixed: Vec<String> = coord
            .iter()
            .zip(&self.dims)
            .filter_map(|(c, (name, labels))| c.map(|k| format!("{name} {}", labels[k])))
            .collect();
        if fixed.is_empty() {
            "grand total".to_string()
        } else {
            fixed.join(", ")
        }
    }

    pub fn is_inner(&self, cell: usize) -> bool {
        self.cells[cell].coord.iter().all(Option::is_some)
    }
}

/// Cells of a table at most. Protecting a table costs programs per hidden cell (the 7,170-cell
/// table of docs/disclosure.md takes minutes), so a request past this is refused before anything
/// is allocated for it.
pub const MAX_CELLS: usize = 1_000_000;

/// Each of `prefixes` followed by every coordinate of dimensions of `sizes` (totals last), in
/// row-major order.
fn crossed(prefixes: Vec<Vec<Option<usize>>>, sizes: &[usize]) -> Vec<Vec<Option<usize>>> {
    sizes.iter().fold(prefixes, |coords, &s| {
        let mut next = Vec::with_capacity(coords.len() * (s + 1));
        for c in &coords {
            for k in (0..s).map(Some).chain([None]) {
                let mut v = c.clone();
                v.push(k);
                next.push(v);
            }
        }
        next
    })
}

/// The coordinates of a hierarchy's levels `0..=allowed.len()`, in order (each category before
/// its total): a category of level `l + 1` under each category of level `l` it is allowed with,
/// and below a total only totals.
fn hierarchy_paths(sizes: &[usize], allowed: &[std::collections::HashSet<(usize, usize)>]) -> Vec<Vec<Option<usize>>> {
    let levels = allowed.len() + 1;
    let mut children: Vec<Vec<Vec<usize>>> = (0..allowed.len()).map(|l| vec![Vec::new(); sizes[l]]).collect();
    for (l, pairs) in allowed.iter().enumerate() {
        for &(parent, child) in pairs {
            if let Some(list) = children[l].get_mut(parent) {
                list.push(child);
            }
        }
        for list in children[l].iter_mut() {
            list.sort_unstable();
        }
    }
    let mut out = Vec::new();
    let mut path: Vec<Option<usize>> = Vec::with_capacity(levels);
    descend(&children, sizes[0], &mut path, levels, &mut out);
    out
}

/// Depth-first through the hierarchy below `path` (whose last level offers `options`).
fn descend(
    children: &[Vec<Vec<usize>>],
    top: usize,
    path: &mut Vec<Option<usize>>,
    levels: usize,
    out: &mut Vec<Vec<Option<usize>>>,
) {
    let level = path.len();
    let options: Vec<usize> = match path.last() {
        None => (0..top).collect(),
        Some(Some(parent)) => children[level - 1].get(*parent).cloned().unwrap_or_default(),
        Some(None) => Vec::new(),
    };
    for k in options.into_iter().map(Some).chain([None]) {
        path.push(k);
        if path.len() == levels {
            out.push(path.clone());
        } else {
            descend(children, top, path, levels, out);
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_and_relations_of_a_2d_table() {
        let g = Grid::complete(
            vec![
                ("r".into(), vec!["a".into(), "b".into()]),
                ("c".into(), vec!["x".into(), "y".into(), "z".into()]),
            ],
            &|c| (c[0] * 3 + c[1] + 1) as f64,
        );
        assert_eq!(g.cells.len(), 12);
        assert_eq!(g.inner.len(), 6);
        let total = g.cells.iter().position(|c| c.coord == [None, None]).unwrap();
        assert_eq!(g.cells[total].value, 21.0);
        assert_eq!(g.dummy[total].len(), 6);
        // Two row relations, three column relations, two for the grand total.
        assert_eq!(g.relations.len(), 2 + 3 + 2);
        for (t, parts) in &g.relations {
            assert_eq!(g.cells[*t].value, parts.iter().map(|&p| g.cells[p].value).sum::<f64>());
        }
        assert_eq!(g.label(total), "Total × Total");
    }
}
