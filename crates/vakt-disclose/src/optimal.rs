//! Minimum-loss secondary suppression: which cells to hide, chosen by a mixed-integer program
//! rather than by greedy repair, under the same protection criterion (no primary exactly
//! recoverable, none provably below the threshold, over every relation of the table).
//!
//! One binary variable per cell that may be hidden (primaries fixed to hidden, published zeros
//! never hidden). The cost of a pattern is its suppressed value (the sum of its hidden counts);
//! ties go to fewer cells, then to inner cells before margins ([`costs`]). The protection
//! constraints are added lazily, as τ-Argus's optimal method does: solve, let the attacker's LPs
//! audit the pattern, and for each exposure add a cut, until the pattern passes. For a primary
//! the attacker bounds below the threshold, the Fischetti–Salazar cut from an optimal dual of
//! the attacker's program ([`upper_cut`]): every cell weighted by how far hiding it would let the
//! primary rise. Otherwise (a linked cell recovered exactly, a component too large for the dual
//! program) a cover cut: with `C` the hidden cells the attacker solves together with the exposed
//! primary, some cell sharing a relation with `C` and outside it must be hidden too. Every cut is
//! valid — no pattern that protects the primary breaks it — so the first pattern that passes is
//! optimal for the cost. The greedy pattern (always safe) is the warm start and the answer when
//! the time limit comes first; the result says which, and the gap.

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
    /// Its suppressed value (the sum of its hidden counts), and the greedy pattern's.
    pub cost: f64,
    pub greedy_cost: f64,
    /// The best lower bound on the suppressed value found (equal to `cost` when proven).
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

/// The cost of hiding each cell: its count, then, to break ties between patterns of equal
/// suppressed value, a small weight growing with the relations the cell totals (fewer cells, and
/// margins after inner cells). The weights of all cells together stay below one half, so a
/// pattern of smaller suppressed value (counts are whole numbers) always costs less.
pub fn costs(grid: &Grid) -> Vec<f64> {
    let totals = totals_per_cell(grid);
    let weights: f64 = totals.iter().map(|&t| f64::from(1 + t)).sum();
    let step = 0.5 / weights.max(1.0);
    grid.cells
        .iter()
        .zip(&totals)
        .map(|(c, &t)| c.value.max(0.0) + step * f64::from(1 + t))
        .collect()
}

/// Per cell, how many relations it is the total of.
fn totals_per_cell(grid: &Grid) -> Vec<u32> {
    let mut totals = vec![0u32; grid.cells.len()];
    for (t, _) in &grid.relations {
        if let Some(n) = totals.get_mut(*t) {
            *n += 1;
        }
    }
    totals
}

/// The suppressed value of a pattern (what `audit.json` reports as its cost): the sum of the
/// hidden cells' counts.
pub fn suppressed_value(grid: &Grid, pattern: &[bool]) -> f64 {
    (0..pattern.len())
        .filter(|&c| pattern[c])
        .map(|c| grid.cells[c].value.max(0.0))
        .sum::<f64>()
        + 0.0
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
    let greedy_total = total(greedy);
    let mut info = Optimality {
        proven: false,
        cost: suppressed_value(grid, greedy),
        greedy_cost: suppressed_value(grid, greedy),
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
    let mut cuts: Vec<Cut> = Vec::new();
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
        // Counts are whole numbers and the tie-breaking weights sum below one half.
        info.bound = info.bound.max((bound - 0.5).ceil().max(0.0));
        let Some(failing) = exposed(&pattern) else {
            info.fallback = Some("the published figures contradict the relations");
            return (greedy.to_vec(), info);
        };
        if failing.is_empty() {
            // Every solve was optimal under valid constraints, and greedy meets them all, so this
            // cannot cost more than greedy; the comparison guards against a solver fault.
            if total(&pattern) <= greedy_total + 1e-9 {
                info.proven = true;
                info.cost = suppressed_value(grid, &pattern);
                info.bound = info.cost;
                return (pattern, info);
            }
            info.fallback = Some("the greedy pattern was cheaper");
            return (greedy.to_vec(), info);
        }
        let mut added = false;
        for e in failing {
            // Each cut solves a program: the clock guards this loop as it guards the solves.
            if Instant::now() >= deadline {
                info.fallback = Some(TIME_LIMIT);
                return (greedy.to_vec(), info);
            }
            let cut = match e {
                Exposure::Primary(p) => upper_cut(grid, &pattern, &free, p, (threshold, floor))
                    .unwrap_or_else(|| Cut::cover(cut_for(grid, &pattern, &free, p))),
                Exposure::SmallSum(r) => Cut::cover(sum_cut(grid, &pattern, &free, r)),
            };
            if cut.terms.is_empty() {
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
    fn solve(&self, cuts: &[Cut], greedy: &[bool], limit: Duration) -> Option<(Vec<bool>, f64)> {
        let mut problem = Problem::new(OptimizationDirection::Minimize);
        let vars: Vec<Var> = (0..self.grid.cells.len())
            .map(|c| self.free[c].then(|| problem.add_integer_var(self.cost[c], (i32::from(self.primary[c]), 1))))
            .collect();
        self.no_lone_cell(&mut problem, &vars);
        self.room_to_reach_the_threshold(&mut problem, &vars);
        for cut in cuts {
            let terms: Vec<(microlp::Variable, f64)> =
                cut.terms.iter().filter_map(|&(c, w)| vars[c].map(|v| (v, w))).collect();
            problem.add_constraint(terms.as_slice(), ComparisonOp::Ge, cut.rhs);
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

/// A protection constraint on the binaries of the cells: `sum of weight x hidden >= rhs`.
#[derive(Debug, Clone, PartialEq)]
struct Cut {
    terms: Vec<(usize, f64)>,
    rhs: f64,
}

impl Cut {
    /// At least one of these cells hidden.
    fn cover(cells: Vec<usize>) -> Cut {
        Cut {
            terms: cells.into_iter().map(|c| (c, 1.0)).collect(),
            rhs: 1.0,
        }
    }
}

/// Hidden cells of a component up to which an exposed primary gets the weighted cut (one program
/// over the component's relations); past it, the cover cut, which needs no program.
const WEIGHTED_CUT_CELLS: usize = 400;

/// Dual values below this are zero.
const DUAL_EPS: f64 = 1e-9;

/// The Fischetti–Salazar cut for primary `p`, which `pattern` leaves provably below the threshold
/// (`need` = threshold - count short of it). The attacker's program "maximise p" has, for every
/// cell, bounds `count - room x hidden <= y <= count + (unbounded) x hidden` (room = count -
/// floor); by duality its optimum is `count(p) + min over dual points of sum over cells of
/// hidden x (room x alpha + infinity x beta)`. Any dual point therefore gives a valid constraint
/// on every pattern: `sum min(need, room x alpha + (beta > 0 ? need : 0)) x hidden >= need` (a
/// weight may be capped at the right-hand side as hidden is 0 or 1). The dual point chosen is
/// optimal for this pattern, so the cut removes it, and it names published cells (weighted by how
/// much they would widen p's interval), which the cover cut cannot. The dual is taken over the
/// relations of p's component of hidden cells (the others at zero: still a dual point of the whole
/// table). `None` when the component is larger than [`WEIGHTED_CUT_CELLS`], the program fails or
/// the pattern does not fall short (a linked cell's exposure is its exact value: the cover cut
/// serves it).
fn upper_cut(grid: &Grid, pattern: &[bool], free: &[bool], p: usize, (threshold, floor): (f64, f64)) -> Option<Cut> {
    let need = threshold - grid.cells[p].value;
    if need <= 0.0 {
        return None;
    }
    let in_component = component_of(grid, pattern, p);
    if in_component.iter().filter(|&&x| x).count() > WEIGHTED_CUT_CELLS {
        return None;
    }
    let rels: Vec<usize> = (0..grid.relations.len())
        .filter(|&r| {
            let (t, parts) = &grid.relations[r];
            in_component[*t] || parts.iter().any(|&x| in_component[x])
        })
        .collect();
    let mut cells: Vec<usize> = rels
        .iter()
        .flat_map(|&r| std::iter::once(grid.relations[r].0).chain(grid.relations[r].1.iter().copied()))
        .collect();
    cells.sort_unstable();
    cells.dedup();
    let room = |c: usize| (grid.cells[c].value - floor).max(0.0);
    let mut lp = Problem::new(OptimizationDirection::Minimize);
    let lambda: Vec<microlp::Variable> = rels
        .iter()
        .map(|_| lp.add_var(0.0, (f64::NEG_INFINITY, f64::INFINITY)))
        .collect();
    // Published cells cost nothing at this pattern; a small price keeps their weights (and so
    // the cut) as small as the optimum allows.
    const SMALL: f64 = 1e-4;
    // Each cell's coefficient in each relation: +1 as its total, -1 per time it is a part (a
    // cell both total and part of one relation nets out: never in a table, but exact).
    let mut coefs: std::collections::HashMap<usize, std::collections::BTreeMap<usize, f64>> =
        std::collections::HashMap::new();
    for (k, &r) in rels.iter().enumerate() {
        let (t, parts) = &grid.relations[r];
        *coefs.entry(*t).or_default().entry(k).or_default() += 1.0;
        for &x in parts {
            *coefs.entry(x).or_default().entry(k).or_default() -= 1.0;
        }
    }
    let mut duals = Vec::with_capacity(cells.len());
    for &c in &cells {
        let hidden = pattern[c];
        let alpha = lp.add_var(if hidden { room(c) } else { SMALL * room(c) }, (0.0, f64::INFINITY));
        let beta = (!hidden).then(|| lp.add_var(SMALL * need, (0.0, f64::INFINITY)));
        let mut terms: Vec<(microlp::Variable, f64)> = vec![(alpha, -1.0)];
        if let Some(b) = beta {
            terms.push((b, 1.0));
        }
        if let Some(by_relation) = coefs.get(&c) {
            terms.extend(
                by_relation
                    .iter()
                    .filter(|&(_, &w)| w != 0.0)
                    .map(|(&k, &w)| (lambda[k], w)),
            );
        }
        lp.add_constraint(terms.as_slice(), ComparisonOp::Eq, if c == p { 1.0 } else { 0.0 });
        duals.push((c, alpha, beta));
    }
    let solution = match lp.solve().ok()? {
        SolveOutcome::Solution(s) => s,
        SolveOutcome::Interrupted(_) => return None,
    };
    let mut terms = Vec::new();
    let mut at_pattern = 0.0;
    for (c, alpha, beta) in duals {
        let up = beta.is_some_and(|b| solution.var_value(b) > DUAL_EPS);
        let w = (room(c) * solution.var_value(alpha) + if up { need } else { 0.0 }).min(need);
        if w > DUAL_EPS && free[c] {
            // Rounded up: a cut a little weaker than the dual gives is still valid.
            terms.push((c, w + 1e-7));
            at_pattern += if pattern[c] { w } else { 0.0 };
        }
    }
    (at_pattern < need - 1e-6).then_some(Cut {
        terms,
        rhs: need - 1e-6,
    })
}

/// The cells of `p`'s component of hidden cells: those it is solved together with.
fn component_of(grid: &Grid, pattern: &[bool], p: usize) -> Vec<bool> {
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
    in_component
}

/// The cut for primary `p` exposed by `pattern`: the cells sharing a relation with `p`'s
/// component of hidden cells, outside it, that may be hidden.
fn cut_for(grid: &Grid, pattern: &[bool], free: &[bool], p: usize) -> Vec<usize> {
    let in_component = component_of(grid, pattern, p);
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
