//! The linear-time screen for two-dimensional tables with all margins: rows and columns are the
//! nodes of a graph, every suppressed cell an edge between its row and its column (margins are
//! edges to the total row or column). With the margins negated every line sums to zero, so a
//! suppressed cell is exactly recoverable if and only if its edge is a bridge (Tarjan).

use super::grid::Grid;

/// For a 2-D grid: which suppressed cells are bridges of the suppressed-cell graph. `None` for
/// tables of another dimension.
pub fn bridges(grid: &Grid, suppressed: &[bool]) -> Option<Vec<bool>> {
    if grid.dims.len() != 2 {
        return None;
    }
    let rows = grid.dims[0].1.len() + 1;
    let cols = grid.dims[1].1.len() + 1;
    let node_count = rows + cols;
    let mut adj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); node_count];
    for (c, cell) in grid.cells.iter().enumerate() {
        if !suppressed[c] {
            continue;
        }
        let r = cell.coord[0].unwrap_or(rows - 1);
        let k = rows + cell.coord[1].unwrap_or(cols - 1);
        adj[r].push((k, c));
        adj[k].push((r, c));
    }
    let mut is_bridge = vec![false; grid.cells.len()];
    let mut disc = vec![usize::MAX; node_count];
    let mut low = vec![0usize; node_count];
    let mut time = 0;
    for start in 0..node_count {
        if disc[start] != usize::MAX {
            continue;
        }
        // Iterative DFS: (node, edge used to enter, next neighbour index).
        let mut stack: Vec<(usize, usize, usize)> = vec![(start, usize::MAX, 0)];
        disc[start] = time;
        low[start] = time;
        time += 1;
        while let Some(&mut (u, via, ref mut next)) = stack.last_mut() {
            if *next < adj[u].len() {
                let (w, e) = adj[u][*next];
                *next += 1;
                if e == via {
                    continue;
                }
                if disc[w] == usize::MAX {
                    disc[w] = time;
                    low[w] = time;
                    time += 1;
                    stack.push((w, e, 0));
                } else {
                    low[u] = low[u].min(disc[w]);
                }
            } else {
                stack.pop();
                if let Some(&(parent, _, _)) = stack.last() {
                    low[parent] = low[parent].min(low[u]);
                    if low[u] > disc[parent] {
                        is_bridge[via] = true;
                    }
                }
            }
        }
    }
    Some(is_bridge)
}

/// A one-line derivation of a cell that is the only suppressed one of some relation:
/// `CBT × Depression = 14 - 6 - 5 (row Depression)`.
pub fn derivation(grid: &Grid, suppressed: &[bool], cell: usize) -> Option<String> {
    for (ri, (total, parts)) in grid.relations.iter().enumerate() {
        let members: Vec<usize> = std::iter::once(*total).chain(parts.iter().copied()).collect();
        if !members.contains(&cell) || members.iter().filter(|&&m| suppressed[m]).count() != 1 {
            continue;
        }
        let fmt = |v: f64| format!("{v}");
        let expr = if *total == cell {
            parts
                .iter()
                .map(|&p| fmt(grid.cells[p].value))
                .collect::<Vec<_>>()
                .join(" + ")
        } else {
            std::iter::once(fmt(grid.cells[*total].value))
                .chain(parts.iter().filter(|&&p| p != cell).map(|&p| fmt(grid.cells[p].value)))
                .collect::<Vec<_>>()
                .join(" - ")
        };
        return Some(format!("{} = {expr} ({})", grid.label(cell), grid.relation_label(ri)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suppress::determined;

    #[test]
    fn bridges_agree_with_the_exact_test() {
        let g = Grid::complete(
            vec![
                ("r".into(), (0..4).map(|i| i.to_string()).collect()),
                ("c".into(), (0..4).map(|i| i.to_string()).collect()),
            ],
            &|c| (c[0] * 4 + c[1] + 2) as f64,
        );
        let at = |r: usize, c: usize| g.cells.iter().position(|x| x.coord == [Some(r), Some(c)]).unwrap();
        // Two suppressed rectangles joined by one cell: the joining cell is a bridge.
        let mut s = vec![false; g.cells.len()];
        for (r, c) in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)] {
            s[at(r, c)] = true;
        }
        let b = bridges(&g, &s).unwrap();
        let d = determined(&g, &s);
        assert_eq!(b, d);
        assert!(b[at(1, 2)], "the joining cell is exactly recoverable");
        assert!(!b[at(0, 0)]);
    }
}
