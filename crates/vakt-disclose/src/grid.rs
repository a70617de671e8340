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
        // Coordinates in row-major order, totals last in each dimension.
        let mut coords: Vec<Vec<Option<usize>>> = vec![Vec::new()];
        for &s in &sizes {
            let mut next = Vec::with_capacity(coords.len() * (s + 1));
            for c in &coords {
                for k in (0..s).map(Some).chain([None]) {
                    let mut v = c.clone();
                    v.push(k);
                    next.push(v);
                }
            }
            coords = next;
        }
        let index = |coord: &[Option<usize>]| -> usize {
            coord
                .iter()
                .zip(&sizes)
                .fold(0, |acc, (c, &s)| acc * (s + 1) + c.unwrap_or(s))
        };
        let inner: Vec<usize> = coords
            .iter()
            .enumerate()
            .filter(|(_, c)| c.iter().all(Option::is_some))
            .map(|(i, _)| i)
            .collect();
        let inner_pos: std::collections::HashMap<usize, usize> =
            inner.iter().enumerate().map(|(p, &i)| (i, p)).collect();
        let mut dummy = vec![Vec::new(); coords.len()];
        let mut values = vec![0.0; coords.len()];
        for &i in &inner {
            let c: Vec<usize> = coords[i].iter().map(|x| x.unwrap_or(0)).collect();
            let v = count(&c);
            // Add to every cell that covers it: each subset of dimensions replaced by the total.
            for mask in 0..(1u32 << sizes.len()) {
                let covered: Vec<Option<usize>> = coords[i]
                    .iter()
                    .enumerate()
                    .map(|(d, x)| if mask & (1 << d) != 0 { None } else { *x })
                    .collect();
                let j = index(&covered);
                values[j] += v;
                dummy[j].push(inner_pos[&i]);
            }
        }
        let mut relations = Vec::new();
        for (i, c) in coords.iter().enumerate() {
            for d in 0..sizes.len() {
                if c[d].is_none() {
                    let parts = (0..sizes[d])
                        .map(|k| {
                            let mut p = c.clone();
                            p[d] = Some(k);
                            index(&p)
                        })
                        .collect();
                    relations.push((i, parts));
                }
            }
        }
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

    /// The table with dimension `child` nested in dimension `parent` (a hierarchy: diagnoses
    /// within diagnosis groups): a child label stands only under the parents it occurs with
    /// (`allowed` pairs of label indices), and a child's total over all parents is not a cell
    /// (the parent's subtotals and the grand total are). Every relation that loses its total is
    /// dropped and every part that is not a cell left out (such parts are empty: zero).
    ///
    /// ```
    /// use vakt_disclose::grid::Grid;
    /// let g = Grid::complete(
    ///     vec![("group".into(), vec!["F3".into(), "F4".into()]), ("dx".into(), vec!["F32".into(), "F40".into()])],
    ///     &|c| if c == [0, 0] { 7.0 } else if c == [1, 1] { 5.0 } else { 0.0 },
    /// )
    /// .nest(0, 1, &[(0, 0), (1, 1)].into_iter().collect());
    /// // F3 × F32, F3 × Total, F4 × F40, F4 × Total, Total × Total.
    /// assert_eq!(g.cells.len(), 5);
    /// // Each group's subtotal is its diagnoses; the grand total is the groups'.
    /// assert_eq!(g.relations.len(), 3);
    /// ```
    pub fn nest(self, parent: usize, child: usize, allowed: &std::collections::HashSet<(usize, usize)>) -> Grid {
        let keep: Vec<bool> = self
            .cells
            .iter()
            .map(|c| match (c.coord[parent], c.coord[child]) {
                (_, None) => true,
                (Some(g), Some(x)) => allowed.contains(&(g, x)),
                (None, Some(_)) => false,
            })
            .collect();
        let mut new_index = vec![None; self.cells.len()];
        let mut next = 0;
        for (i, &k) in keep.iter().enumerate() {
            if k {
                new_index[i] = Some(next);
                next += 1;
            }
        }
        let inner: Vec<usize> = self.inner.iter().filter_map(|&i| new_index[i]).collect();
        let mut inner_pos = vec![None; self.inner.len()];
        let mut kept_inner = 0;
        for (pos, &i) in self.inner.iter().enumerate() {
            if keep[i] {
                inner_pos[pos] = Some(kept_inner);
                kept_inner += 1;
            }
        }
        let relations = self
            .relations
            .into_iter()
            .filter_map(|(t, parts)| {
                let t = new_index[t]?;
                let parts: Vec<usize> = parts.into_iter().filter_map(|p| new_index[p]).collect();
                (!parts.is_empty()).then_some((t, parts))
            })
            .collect();
        let dummy = self
            .dummy
            .into_iter()
            .zip(&keep)
            .filter(|(_, &k)| k)
            .map(|(d, _)| d.into_iter().filter_map(|pos| inner_pos[pos]).collect())
            .collect();
        let cells = self
            .cells
            .into_iter()
            .zip(&keep)
            .filter(|(_, &k)| k)
            .map(|(c, _)| c)
            .collect();
        Grid {
            dims: self.dims,
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
