//! Minimum-loss secondary suppression: which cells to hide, chosen by a mixed-integer program
//! rather than by greedy repair, under the same protection criterion (no primary exactly
//! recoverable, none provably below the threshold, over every relation of the table).
//!
//! One binary variable per cell that may be hidden (primaries fixed to hidden, published zeros
//! never hidden); the cost of hiding a cell is its value plus one, times one plus the number of
//! relations it totals (a margin costs twice, a 2-D table's grand total three times: readers lose
//! more). The protection constraints are added lazily, as τ-Argus's optimal method does with
//! Fischetti–Salazar cuts: solve, let the attacker's LPs audit the pattern, and for each primary
//! they expose add a cut, until the pattern passes. The cut is combinatorial: with `C` the
//! hidden cells the attacker must solve together with the exposed primary (its component: hidden
//! cells linked through relations), some cell that shares a relation with `C` and lies outside it
//! must be hidden too. It is valid — any pattern without such a cell leaves the primary with at
//! most the hidden cells of `C`, and hiding fewer cells never widens an interval — so the first
//! pattern that passes is optimal for the cost. The greedy pattern (always safe) is the warm start
//! and the answer when the time limit comes first; the result says which, and the gap.

use super::grid::Grid;
use microlp::{ComparisonOp, OptimizationDirection, Problem, SolutionStatus, SolveOptions, SolveOutcome};
use std::time::{Duration, Instant};

/// Rounds of solve-and-audit, and branch-and-bound nodes per solve, before the greedy pattern is
/// kept: limits of work, not of time, so the same table gives the same pattern on any machine.
/// The time limit only guards against a table far larger than these were set for.
pub const MAX_ROUNDS: usize = 400;
const MAX_NODES: u64 = 50_000;

/// Why the greedy pattern was kept when the clock stopped the search.
pub const TIME_LIMIT: &str = "the time limit";

/// What the attacker gets from a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// A primary cell exactly recovered or bounded below the threshold.
    Primary(usize),
    /// A relation whose total is published and whose hidden parts (two or more) sum to a small
    /// count: that sum is derivable.
    SmallSum(usize),
}

/// How the pattern was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimality {
    /// The pattern is the cheapest that passes (the MIP proved it).
    pub proven: bool,
    /// Its cost, and the greedy pattern's.
    pub cost: f64,
    pub greedy_cost: f64,
    /// The best lower bound on the cost found (equal to `cost` when proven).
    pub bound: f64,
    /// Rounds of solve-and-audit.
    pub rounds: usize,
    /// Why the greedy pattern was kept, when it was.
    pub fallback: Option<&'static str>,
}

impl Optimality {
    /// The relative gap between the pattern's cost and the best bound (0 when proven).
    pub fn gap(&self) -> f64 {
        if self.cost <= 0.0 {
            0.0
        } else {
            ((self.cost - self.bound) / self.cost).max(0.0)
        }
    }
}

/// The cost of hiding each cell.
pub fn costs(grid: &Grid) -> Vec<f64> {
    let mut totals = vec![0u32; grid.cells.len()];
    for (t, _) in &grid.relations {
        if let Some(n) = totals.get_mut(*t) {
            *n += 1;
        }
    }
    grid.cells
        .iter()
        .zip(&totals)
        .map(|(c, &t)| (c.value.max(0.0) + 1.0) * f64::from(1 + t))
        .collect()
}

/// The cheapest pattern that protects every primary, starting from `greedy` (a pattern that does).
/// `threshold` is the smallest publishable count, `floor` the least a hidden count can be (1 when
/// zeros are published). `hideable` says which published cells may be hidden; `exposed(pattern)` is the attacker: what
/// it recovers (`None` when the figures contradict the relations). Returns the pattern and how it
/// was found.
pub fn optimise(
    grid: &Grid,
    (threshold, floor): (f64, f64),
    primary: &[bool],
    greedy: &[bool],
    hideable: &dyn Fn(usize) -> bool,
    exposed: &dyn Fn(&[bool]) -> Option<Vec<Exposure>>,
    (time_limit, watch): (Duration, crate::suppress::Watch<'_>),
) -> (Vec<bool>, Optimality) {
    let deadline = Instant::now() + time_limit;
    let cost = costs(grid);
    // `+ 0.0`: an empty sum is -0.0, which would print as "-0".
    let total = |p: &[bool]| -> f64 { (0..p.len()).filter(|&c| p[c]).map(|c| cost[c]).sum::<f64>() + 0.0 };
    let mut info = Optimality {
        proven: false,
        cost: total(greedy),
        greedy_cost: total(greedy),
        bound: 0.0,
        rounds: 0,
        fallback: None,
    };
    let free: Vec<bool> = (0..grid.cells.len()).map(|c| primary[c] || hideable(c)).collect();
    let program = Program {
        grid,
        threshold,
        floor,
        primary,
        free: &free,
        cost: &cost,
    };
    let mut cuts: Vec<Vec<usize>> = Vec::new();
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            info.fallback = Some(TIME_LIMIT);
            return (greedy.to_vec(), info);
        }
        if info.rounds == MAX_ROUNDS {
            info.fallback = Some("the work limit");
            return (greedy.to_vec(), info);
        }
        info.rounds += 1;
        watch(&format!(
            "cheapest pattern: round {}, {} cuts, cost at least {}, greedy {}",
            info.rounds,
            cuts.len(),
            info.bound.round(),
            info.greedy_cost.round()
        ));
        let Some((pattern, bound)) = program.solve(&cuts, greedy, remaining) else {
            // A solve the clock cut short is the time limit, not the work limit.
            info.fallback = Some(if Instant::now() + Duration::from_millis(50) >= deadline {
                TIME_LIMIT
            } else {
                "the solver's limits"
            });
            return (greedy.to_vec(), info);
        };
        info.bound = info.bound.max(bound);
        let Some(failing) = exposed(&pattern) else {
            info.fallback = Some("the published figures contradict the relations");
            return (greedy.to_vec(), info);
        };
        if failing.is_empty() {
            let c = total(&pattern);
            // Every solve was optimal under valid constraints, and greedy meets them all, so this
            // cannot cost more than greedy; the comparison guards against a solver fault.
            if c <= info.greedy_cost {
                info.proven = true;
                info.cost = c;
                info.bound = c;
                return (pattern, info);
            }
            info.fallback = Some("the greedy pattern was cheaper");
            return (greedy.to_vec(), info);
        }
        let mut added = false;
        for e in failing {
            let cut = match e {
                Exposure::Primary(p) => cut_for(grid, &pattern, &free, p),
                Exposure::SmallSum(r) => sum_cut(grid, &pattern, &free, r),
            };
            if cut.is_empty() {
                info.fallback = Some("no cell can protect a primary");
                return (greedy.to_vec(), info);
            }
            if !cuts.contains(&cut) {
                cuts.push(cut);
                added = true;
            }
        }
        if !added {
            // Only when the solver returned a pattern that breaks a cut it was given.
            info.fallback = Some("the solver repeated a pattern");
            return (greedy.to_vec(), info);
        }
    }
}

/// The fixed part of the program: the table, the threshold and floor, which cells are primary
/// and which may be hidden, and what hiding each costs.
struct Program<'a> {
    grid: &'a Grid,
    threshold: f64,
    floor: f64,
    primary: &'a [bool],
    free: &'a [bool],
    cost: &'a [f64],
}

type Var = Option<microlp::Variable>;

impl Program<'_> {
    /// One MIP solve with the cuts so far: the cheapest pattern meeting them, and its cost (a
    /// lower bound on the true optimum). `None` when the solver stops without a proof.
    fn solve(&self, cuts: &[Vec<usize>], greedy: &[bool], limit: Duration) -> Option<(Vec<bool>, f64)> {
        let mut problem = Problem::new(OptimizationDirection::Minimize);
        let vars: Vec<Var> = (0..self.grid.cells.len())
            .map(|c| self.free[c].then(|| problem.add_integer_var(self.cost[c], (i32::from(self.primary[c]), 1))))
            .collect();
        self.no_lone_cell(&mut problem, &vars);
        self.room_to_reach_the_threshold(&mut problem, &vars);
        for cut in cuts {
            let terms: Vec<(microlp::Variable, f64)> = cut.iter().filter_map(|&c| vars[c].map(|v| (v, 1.0))).collect();
            problem.add_constraint(terms.as_slice(), ComparisonOp::Ge, 1.0);
        }
        let warm: Vec<(microlp::Variable, f64)> = (0..self.grid.cells.len())
            .filter_map(|c| vars[c].map(|v| (v, if greedy[c] { 1.0 } else { 0.0 })))
            .collect();
        let mut options = SolveOptions::default();
        options.time_limit = Some(limit);
        options.warm_start = Some(warm);
        options.node_limit = Some(MAX_NODES);
        let solution = match problem.solve_with(options).ok()? {
            SolveOutcome::Solution(s) => s,
            SolveOutcome::Interrupted(_) => return None,
        };
        // A solve stopped by the node limit may hold a pattern, but not the proof the cuts rely on.
        if solution.status() != SolutionStatus::Optimal {
            return None;
        }
        let pattern: Vec<bool> = vars
            .iter()
            .map(|v| v.is_some_and(|v| solution.var_value(v) > 0.5))
            .collect();
        Some((pattern, solution.objective()))
    }

    /// No hidden cell alone in a relation: it would be its total minus the rest, so exactly
    /// recoverable (a primary exposed; a secondary hidden for nothing, which a cheapest pattern
    /// never does since every hiding costs). Valid for every optimum; it spares most audit rounds.
    fn no_lone_cell(&self, problem: &mut Problem, vars: &[Var]) {
        for (t, parts) in &self.grid.relations {
            let members: Vec<usize> = std::iter::once(*t).chain(parts.iter().copied()).collect();
            for &c in &members {
                let Some(vc) = vars[c] else { continue };
                let mut terms = vec![(vc, 1.0)];
                terms.extend(
                    members
                        .iter()
                        .filter(|&&j| j != c)
                        .filter_map(|&j| vars[j].map(|v| (v, -1.0))),
                );
                problem.add_constraint(terms.as_slice(), ComparisonOp::Le, 0.0);
            }
        }
    }

    /// Upper protection through each relation a primary is part of: with the total published, the
    /// primary is at most its value plus what the other hidden parts hold above the floor, which
    /// must reach the threshold (or the total must be hidden too).
    fn room_to_reach_the_threshold(&self, problem: &mut Problem, vars: &[Var]) {
        let cells = &self.grid.cells;
        for (t, parts) in &self.grid.relations {
            for &p in parts.iter().filter(|&&p| self.primary[p]) {
                let need = self.threshold - cells[p].value;
                if need <= 0.0 {
                    continue;
                }
                let mut terms: Vec<(microlp::Variable, f64)> = parts
                    .iter()
                    .filter(|&&j| j != p)
                    .filter_map(|&j| vars[j].map(|v| (v, (cells[j].value - self.floor).max(0.0))))
                    .collect();
                if let Some(vt) = vars[*t] {
                    terms.push((vt, need));
                }
                problem.add_constraint(terms.as_slice(), ComparisonOp::Ge, need);
            }
        }
    }
}

/// The cut for primary `p` exposed by `pattern`: the cells sharing a relation with `p`'s
/// component of hidden cells, outside it, that may be hidden.
fn cut_for(grid: &Grid, pattern: &[bool], free: &[bool], p: usize) -> Vec<usize> {
    let mut in_component = vec![false; grid.cells.len()];
    in_component[p] = true;
    let mut stack = vec![p];
    while let Some(c) = stack.pop() {
        for (t, parts) in &grid.relations {
            if *t != c && !parts.contains(&c) {
                continue;
            }
            for &x in std::iter::once(t).chain(parts) {
                if pattern[x] && !in_component[x] {
                    in_component[x] = true;
                    stack.push(x);
                }
            }
        }
    }
    let mut cut: Vec<usize> = grid
        .relations
        .iter()
        .filter(|(t, parts)| in_component[*t] || parts.iter().any(|&x| in_component[x]))
        .flat_map(|(t, parts)| std::iter::once(*t).chain(parts.iter().copied()))
        .filter(|&x| !in_component[x] && free[x])
        .collect();
    cut.sort_unstable();
    cut.dedup();
    cut
}

/// The cut for a derivable small sum in relation `r`: one more of its cells (a part or the total)
/// must be hidden. Valid: hiding no more of them leaves at most these hidden parts, all small (a
/// sum below the threshold is made of small counts), so a small sum or a lone primary is exposed.
fn sum_cut(grid: &Grid, pattern: &[bool], free: &[bool], r: usize) -> Vec<usize> {
    let Some((t, parts)) = grid.relations.get(r) else {
        return Vec::new();
    };
    let mut cut: Vec<usize> = std::iter::once(*t)
        .chain(parts.iter().copied())
        .filter(|&x| !pattern[x] && free[x])
        .collect();
    cut.sort_unstable();
    cut.dedup();
    cut
}
