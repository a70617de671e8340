//! Small-cell suppression that is safe, deterministic and explainable.
//!
//! 1. Primary: a count `0 < x < n` is unsafe (zeros too, when the policy says zeros disclose).
//! 2. Exact safety by Gauss elimination (Statistics Norway's GaussSuppression): cells are taken from
//!    the most wanted to publish (grand total, margins, then large counts) to the least; a cell is
//!    published unless its dummy row would put some primary cell's row, or a *virtual primary* (the
//!    sum of the primary cells of a relation when that sum is below `n`: τ-Argus's #307 case), into
//!    the span of the published rows. Then no suppressed small count, nor such a sum, is a linear
//!    function of what is published.
//! 3. Interval safety by LP: for every suppressed cell, the attacker's minimum and maximum given
//!    every relation, every published value and `x >= 0` (`>= 1` when zeros are published). A
//!    primary cell passes when its maximum is at least `n` and its interval is not a point; while
//!    one fails, the published cell that raises its maximum most is suppressed as well.
//!
//! Every choice breaks ties on cell order, so the same table always gives the same pattern.

use super::grid::Grid;

const EPS: f64 = 1e-9;

/// Whether zero counts are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zeros {
    Publish,
    Protect,
}

/// The primary cells: `0 < x < n`, and zeros when they are protected.
pub fn primary(grid: &Grid, n: f64, zeros: Zeros) -> Vec<bool> {
    grid.cells
        .iter()
        .map(|c| (c.value > 0.0 && c.value < n) || (zeros == Zeros::Protect && c.value == 0.0))
        .collect()
}

fn dense(grid: &Grid, cell: usize) -> Vec<f64> {
    let mut v = vec![0.0; grid.inner.len()];
    for &i in &grid.dummy[cell] {
        v[i] = 1.0;
    }
    v
}

/// Incremental elimination basis of published rows.
struct Basis {
    rows: Vec<(usize, Vec<f64>)>,
}

impl Basis {
    fn reduce(&self, mut v: Vec<f64>) -> Vec<f64> {
        for (p, b) in &self.rows {
            let f = v[*p] / b[*p];
            if f.abs() > EPS {
                v.iter_mut().zip(b).for_each(|(x, y)| *x -= f * y);
            }
        }
        v
    }
}

fn pivot(v: &[f64]) -> Option<usize> {
    let (i, m) = v.iter().enumerate().fold(
        (0, 0.0f64),
        |acc, (i, x)| if x.abs() > acc.1 { (i, x.abs()) } else { acc },
    );
    (m > EPS).then_some(i)
}

/// Eliminates `b` (pivot `p`) from `r`, in place.
fn eliminate(r: &mut [f64], b: &[f64], p: usize) {
    let f = r[p] / b[p];
    if f != 0.0 {
        r.iter_mut().zip(b).for_each(|(x, y)| *x -= f * y);
    }
}

/// Whether eliminating `r` (pivot `p`) from `v` leaves nothing: [`eliminate`] without building
/// the vector, stopping at the first entry that stays (most vectors differ early).
fn vanishes(v: &[f64], r: &[f64], p: usize) -> bool {
    let f = v[p] / r[p];
    v.iter().zip(r).all(|(x, y)| (x - f * y).abs() <= EPS)
}

/// The order in which cells are offered for publication: the grand total first, then margins with
/// more dimensions summed, then larger counts; ties on cell order.
pub fn publish_order(grid: &Grid) -> Vec<usize> {
    let mut order: Vec<usize> = (0..grid.cells.len()).collect();
    order.sort_by(|&a, &b| {
        let totals = |c: usize| grid.cells[c].coord.iter().filter(|x| x.is_none()).count();
        totals(b)
            .cmp(&totals(a))
            .then(
                grid.cells[b]
                    .value
                    .partial_cmp(&grid.cells[a].value)
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
            .then(a.cmp(&b))
    });
    order
}

/// Exact protection: returns the suppressed set (primary and secondary). When zeros are published
/// they are published first and never chosen as secondaries: a reader who sees zeros printed knows
/// every suppressed count is at least 1, and a suppressed zero would break that.
pub fn gauss(grid: &Grid, primary: &[bool], n: f64, zeros: Zeros) -> Vec<bool> {
    let mut protect: Vec<Vec<f64>> = Vec::new();
    for (c, &p) in primary.iter().enumerate() {
        if p {
            protect.push(dense(grid, c));
        }
    }
    // Virtual primaries: the primary parts of a relation, when their sum is small.
    for (_, parts) in &grid.relations {
        let prim: Vec<usize> = parts.iter().copied().filter(|&p| primary[p]).collect();
        let sum: f64 = prim.iter().map(|&p| grid.cells[p].value).sum();
        if prim.len() >= 2 && sum > 0.0 && sum < n {
            let mut v = vec![0.0; grid.inner.len()];
            for &p in &prim {
                dense(grid, p).iter().enumerate().for_each(|(i, x)| v[i] += x);
            }
            protect.push(v);
        }
    }
    let mut suppressed = primary.to_vec();
    let mut basis = Basis { rows: Vec::new() };
    let mut order = publish_order(grid);
    if zeros == Zeros::Publish {
        // Zeros first, unconditionally: their rows cannot span a row with a non-zero count.
        order.sort_by_key(|&c| grid.cells[c].value != 0.0);
    }
    for c in order {
        if primary[c] {
            continue;
        }
        if zeros == Zeros::Publish && grid.cells[c].value == 0.0 {
            let r = basis.reduce(dense(grid, c));
            if let Some(p) = pivot(&r) {
                for v in protect.iter_mut() {
                    eliminate(v, &r, p);
                }
                basis.rows.push((p, r));
            }
            continue;
        }
        let r = basis.reduce(dense(grid, c));
        let Some(p) = pivot(&r) else {
            continue; // already known from what is published
        };
        let reveals = protect.iter().any(|v| vanishes(v, &r, p));
        if reveals {
            suppressed[c] = true;
        } else {
            for v in protect.iter_mut() {
                eliminate(v, &r, p);
            }
            basis.rows.push((p, r));
        }
    }
    suppressed
}

/// The attacker's interval `[lo, hi]` for each suppressed cell (`None` for published ones); `hi` may
/// be infinite. Returns `None` when the published values contradict the relations.
///
/// Each cell's programs hold only its component of hidden cells (see [`Components`]), and the
/// cells are shared between the machine's cores; every interval is exact, so the result does not
/// depend on how the work was split.
pub fn intervals(grid: &Grid, suppressed: &[bool], floor: f64) -> Option<Vec<Option<(f64, f64)>>> {
    intervals_seen(grid, suppressed, floor, &Seen::nothing(grid.cells.len()))
}

/// [`intervals`], starting from what earlier programs' points already show of each cell
/// ([`Pool::seen_under`]): a bound a point proves needs no program of its own.
fn intervals_seen(grid: &Grid, suppressed: &[bool], floor: f64, seed: &Seen) -> Option<Vec<Option<(f64, f64)>>> {
    let comps = Components::new(grid, suppressed);
    if !comps.published_relations_hold(grid) {
        return None;
    }
    let targets: Vec<usize> = (0..grid.cells.len()).filter(|&c| suppressed[c]).collect();
    let ceiling = ceilings(grid, suppressed, floor);
    // One run of cells per core, each with its own pool of points (see `interval_with`).
    let cores = vakt_core::par::cores();
    let runs: Vec<&[usize]> = targets.chunks(targets.len().div_ceil(cores).max(1)).collect();
    let found = vakt_core::par::map(&runs, |run| {
        let mut pool = Pool::new(vec![f64::NAN; grid.cells.len()]);
        run.iter()
            .map(|&t| interval_with(grid, &comps, t, (floor, ceiling[t]), (&mut pool, seed)))
            .collect::<Vec<_>>()
    });
    let mut out = vec![None; grid.cells.len()];
    for (&t, b) in targets.iter().zip(found.into_iter().flatten()) {
        out[t] = Some(b?);
    }
    Some(out)
}

/// The sum of a relation's published parts (what a reader subtracts from its total).
fn published_parts(grid: &Grid, hidden: &[bool], parts: &[usize]) -> f64 {
    parts
        .iter()
        .filter(|&&c| !hidden[c])
        .map(|&c| grid.cells[c].value)
        .sum()
}

/// Per hidden cell, the least upper bound a single relation gives it: through each relation it is
/// a part of whose total is published, the total less the published parts and the floor of each
/// other hidden part (infinite when no relation bounds it).
fn ceilings(grid: &Grid, hidden: &[bool], floor: f64) -> Vec<f64> {
    let mut out = vec![f64::INFINITY; grid.cells.len()];
    for (total, parts) in &grid.relations {
        if hidden[*total] {
            continue;
        }
        let published = published_parts(grid, hidden, parts);
        let others = parts.iter().filter(|&&c| hidden[c]).count().saturating_sub(1) as f64;
        let room = grid.cells[*total].value - published - floor * others;
        for &c in parts.iter().filter(|&&c| hidden[c]) {
            out[c] = out[c].min(room);
        }
    }
    out
}

/// The attacker's interval for hidden cell `c`, solving only what the points of earlier programs
/// leave open: no cell goes below the floor, nor above its ceiling (one relation's bound), so a
/// point that has it at the floor proves its minimum and one that has it at its ceiling proves its
/// maximum. Every program's solution joins the pool.
fn interval_with(
    grid: &Grid,
    comps: &Components,
    c: usize,
    (floor, ceiling): (f64, f64),
    (pool, seed): (&mut Pool, &Seen),
) -> Option<(f64, f64)> {
    use microlp::OptimizationDirection::{Maximize, Minimize};
    let scope = comps.of(c);
    let (lo_seen, hi_seen) = pool.seen(c);
    let (lo_seen, hi_seen) = (lo_seen.min(seed.lo[c]), hi_seen.max(seed.hi[c]));
    let hi = if ceiling.is_finite() && hi_seen >= ceiling - 1e-9 {
        ceiling
    } else {
        let (hi, sol) = solve_full(grid, scope, c, floor, Maximize)?;
        pool.add(scope.0, sol);
        hi
    };
    let lo = if lo_seen <= floor + 1e-9 || pool.seen(c).0 <= floor + 1e-9 {
        floor
    } else {
        let (lo, sol) = solve_full(grid, scope, c, floor, Minimize)?;
        pool.add(scope.0, sol);
        lo
    };
    Some((lo, hi))
}

/// The hidden cells an attacker must solve together: two hidden cells are in one component when
/// a relation holds both. A relation's hidden cells are all in one component, so the attacker's
/// program for a cell splits exactly: only its component's cells and relations matter (the rest
/// is other, independent programs). In a table with many small groups of hidden cells this makes
/// each program a fraction of the whole.
pub(crate) struct Components {
    /// Per cell: its component, for hidden cells.
    of: Vec<Option<usize>>,
    /// Per component: its hidden cells, in cell order.
    cells: Vec<Vec<usize>>,
    /// Per component: the relations holding its cells.
    relations: Vec<Vec<usize>>,
}

impl Components {
    pub(crate) fn new(grid: &Grid, suppressed: &[bool]) -> Components {
        let n = grid.cells.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut c: usize) -> usize {
            while parent[c] != c {
                parent[c] = parent[parent[c]];
                c = parent[c];
            }
            c
        }
        for (total, parts) in &grid.relations {
            let mut hidden = std::iter::once(total).chain(parts).copied().filter(|&c| suppressed[c]);
            let Some(first) = hidden.next() else { continue };
            for c in hidden {
                let (a, b) = (root(&mut parent, first), root(&mut parent, c));
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut index = vec![None; n];
        let mut of = vec![None; n];
        let mut cells: Vec<Vec<usize>> = Vec::new();
        for c in (0..n).filter(|&c| suppressed[c]) {
            let r = root(&mut parent, c);
            let k = *index[r].get_or_insert_with(|| {
                cells.push(Vec::new());
                cells.len() - 1
            });
            of[c] = Some(k);
            cells[k].push(c);
        }
        let mut relations = vec![Vec::new(); cells.len()];
        for (r, (total, parts)) in grid.relations.iter().enumerate() {
            let hidden = std::iter::once(total).chain(parts).find(|&&c| suppressed[c]);
            if let Some(k) = hidden.and_then(|&c| of[c]) {
                relations[k].push(r);
            }
        }
        Components { of, cells, relations }
    }

    /// Whether every relation without a hidden cell adds up as published.
    fn published_relations_hold(&self, grid: &Grid) -> bool {
        grid.relations.iter().all(|(total, parts)| {
            let cells = || std::iter::once(total).chain(parts);
            cells().any(|&c| self.of[c].is_some()) || {
                let sum: f64 = parts.iter().map(|&p| grid.cells[p].value).sum();
                (grid.cells[*total].value - sum).abs() <= 1e-6
            }
        })
    }

    /// The hidden cells and relations of `cell`'s component (`cell` must be hidden).
    fn of(&self, cell: usize) -> (&[usize], &[usize]) {
        match self.of[cell] {
            Some(k) => (&self.cells[k], &self.relations[k]),
            None => (&[], &[]),
        }
    }
}

/// The optimum of one cell under the given relations (by index), with the values of the hidden
/// cells `vars` at it (none when unbounded); `None` when the published figures contradict the
/// relations.
fn solve_full(
    grid: &Grid,
    (vars, relations): (&[usize], &[usize]),
    target: usize,
    floor: f64,
    dir: microlp::OptimizationDirection,
) -> Option<(f64, Option<Vec<f64>>)> {
    let mut lp = microlp::Problem::new(dir);
    let mut var = vec![None; grid.cells.len()];
    for &c in vars {
        var[c] = Some(lp.add_var(if c == target { 1.0 } else { 0.0 }, (floor, f64::INFINITY)));
    }
    for &r in relations {
        let (total, parts) = &grid.relations[r];
        let mut expr: Vec<(microlp::Variable, f64)> = Vec::new();
        let mut rhs = 0.0;
        for (c, coef) in std::iter::once((*total, 1.0)).chain(parts.iter().map(|&p| (p, -1.0))) {
            match var[c] {
                Some(v) => expr.push((v, coef)),
                None => rhs -= coef * grid.cells[c].value,
            }
        }
        if expr.is_empty() {
            if rhs.abs() > 1e-6 {
                return None;
            }
            continue;
        }
        lp.add_constraint(expr.as_slice(), microlp::ComparisonOp::Eq, rhs);
    }
    match lp.solve() {
        Ok(microlp::SolveOutcome::Solution(s)) => {
            let values = vars.iter().map(|&c| var[c].map_or(0.0, |v| s.var_value(v))).collect();
            Some((s.objective(), Some(values)))
        }
        Err(microlp::Error::Unbounded) => Some((
            if dir == microlp::OptimizationDirection::Maximize {
                f64::INFINITY
            } else {
                floor
            },
            None,
        )),
        _ => None,
    }
}

/// Points the attacker's system allows, one value per cell (`NaN` where a point says nothing),
/// kept so that a cell some point already shows at or above the threshold, and another at a
/// different value, needs no program of its own. Every point is a solution found, or the
/// table's own figures: the pass it proves is a real one.
pub(crate) struct Pool {
    base: Vec<f64>,
    points: Vec<Vec<f64>>,
}

impl Pool {
    /// An empty pool whose points say `base[c]` of every cell a solve leaves out: the table's
    /// true counts where they are known (they satisfy every relation), else `NaN`.
    pub(crate) fn new(base: Vec<f64>) -> Pool {
        Pool {
            base,
            points: Vec::new(),
        }
    }

    fn add(&mut self, vars: &[usize], values: Option<Vec<f64>>) {
        let Some(values) = values else { return };
        let mut point = self.base.clone();
        for (&c, v) in vars.iter().zip(values) {
            point[c] = v;
        }
        self.points.push(point);
    }

    /// The least and greatest value of `c` among the points (NaN ignored).
    fn seen(&self, c: usize) -> (f64, f64) {
        self.points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p[c]), hi.max(p[c]))
            })
    }

    /// Per cell, the least and greatest value among the points that are points of `pattern` too:
    /// those with every cell `pattern` publishes at its true count (`base`). A point found while
    /// fewer cells were hidden is one; a point with a cell that `pattern` publishes again at
    /// another count is not, and is left out.
    pub(crate) fn seen_under(&self, pattern: &[bool]) -> Seen {
        let mut seen = Seen::nothing(self.base.len());
        let published: Vec<usize> = (0..pattern.len()).filter(|&c| !pattern[c]).collect();
        for p in &self.points {
            if published.iter().any(|&c| p[c] != self.base[c]) {
                continue;
            }
            for (c, &v) in p.iter().enumerate() {
                seen.lo[c] = seen.lo[c].min(v);
                seen.hi[c] = seen.hi[c].max(v);
            }
        }
        seen
    }

    /// Judges hidden cell `c` exactly, solving only what the points leave open; `None` when the
    /// published figures contradict the relations.
    fn judge_cell(&mut self, grid: &Grid, comps: &Components, c: usize, floor: f64, n: f64) -> Option<Judged> {
        use microlp::OptimizationDirection::{Maximize, Minimize};
        let (lo, hi) = self.seen(c);
        if passes(lo, hi, n) {
            return Some(Judged::Safe);
        }
        let scope = comps.of(c);
        let (hi, sol) = solve_full(grid, scope, c, floor, Maximize)?;
        self.add(scope.0, sol);
        if passes(self.seen(c).0, hi, n) {
            return Some(Judged::Safe);
        }
        let (lo, sol) = solve_full(grid, scope, c, floor, Minimize)?;
        self.add(scope.0, sol);
        Some(if passes(lo, hi, n) {
            Judged::Safe
        } else {
            Judged::Exposed(lo, hi)
        })
    }
}

/// Per cell, the least and greatest value some point of the attacker's system has shown
/// (infinite when none has): what [`intervals`] need not solve for.
pub(crate) struct Seen {
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl Seen {
    fn nothing(cells: usize) -> Seen {
        Seen {
            lo: vec![f64::INFINITY; cells],
            hi: vec![f64::NEG_INFINITY; cells],
        }
    }
}

/// How a suppressed cell stands against an attacker who knows the relations and the published
/// values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Judged {
    /// Its upper bound reaches the threshold and it is not a single value.
    Safe,
    /// Its exact interval, which does not protect it.
    Exposed(f64, f64),
    /// Not decided within the time budget.
    Unknown,
}

/// Judges every suppressed cell, solving as few linear programs as it can: every solution found
/// is kept, and a cell that some kept solution already shows at or above the threshold, and
/// others at different values, needs no program of its own. `None` when the published figures
/// contradict the relations.
pub fn judge(
    grid: &Grid,
    suppressed: &[bool],
    targets: &[bool],
    floor: f64,
    n: f64,
    deadline: std::time::Instant,
) -> Option<Vec<Option<Judged>>> {
    use microlp::OptimizationDirection::Maximize;
    let vars: Vec<usize> = (0..grid.cells.len()).filter(|&c| suppressed[c]).collect();
    let comps = Components::new(grid, suppressed);
    // The hidden cells' true counts are not known here (`vakt audit` reads published tables).
    let mut pool = Pool::new(vec![f64::NAN; grid.cells.len()]);
    let mut out = vec![None; grid.cells.len()];
    // Whether the published figures leave room for the suppressed ones at all.
    if let Some(&first) = vars.first() {
        let every: Vec<usize> = (0..grid.relations.len()).collect();
        let (_, sol) = solve_full(grid, (&vars, &every), first, floor, Maximize)?;
        pool.add(&vars, sol);
    }
    for &c in vars.iter().filter(|&&c| targets[c]) {
        let (lo, hi) = pool.seen(c);
        out[c] = Some(if passes(lo, hi, n) {
            Judged::Safe
        } else if std::time::Instant::now() >= deadline {
            Judged::Unknown
        } else {
            pool.judge_cell(grid, &comps, c, floor, n)?
        });
    }
    Some(out)
}

/// Whether a primary cell's interval protects it.
pub fn passes(lo: f64, hi: f64, n: f64) -> bool {
    hi >= n - 1e-6 && hi - lo > 1e-6
}

/// The outcome of protecting a table.
#[derive(Debug, Clone)]
pub struct Protection {
    pub primary: Vec<bool>,
    pub suppressed: Vec<bool>,
    pub intervals: Vec<Option<(f64, f64)>>,
    /// Cells added by the interval repair (after Gauss), when the greedy pattern is the one kept.
    pub repaired: Vec<usize>,
    /// How the minimum-loss search went, when it ran.
    pub optimality: Option<crate::optimal::Optimality>,
}

/// Primary, exact and interval protection of a table, then the cheapest pattern under the same
/// criterion (`optimal`), searched for at most `time_limit`: the greedy pattern is its start and
/// what is kept when the limit comes first.
pub fn protect_within(grid: &Grid, n: f64, zeros: Zeros, time_limit: std::time::Duration) -> Protection {
    protect_linked(grid, n, zeros, time_limit, &[], &|_| {})
}

/// What protecting a table is doing, for a progress line (`greedy repair: 57 secondaries`);
/// called at every step that can take long.
pub type Watch<'a> = &'a (dyn Fn(&str) + Sync);

/// [`protect_within`] for a table published with others: the `linked` cells are hidden in
/// another table of the same population, so they are hidden here too and protected as primaries
/// (a reader must not recover here what another table hides, nor bound it below the threshold).
pub fn protect_linked(
    grid: &Grid,
    n: f64,
    zeros: Zeros,
    time_limit: std::time::Duration,
    linked: &[bool],
    watch: Watch<'_>,
) -> Protection {
    let deadline = std::time::Instant::now() + time_limit;
    let mut first = primary(grid, n, zeros);
    for (c, &l) in linked.iter().enumerate() {
        if l && first.get(c).is_some() && (zeros == Zeros::Protect || grid.cells[c].value != 0.0) {
            first[c] = true;
        }
    }
    let true_primary = primary(grid, n, zeros);
    let mut protection = protect_first(grid, n, zeros, first, (time_limit, deadline), watch);
    // Reported as they are in this table: a linked cell is a secondary here.
    protection.primary = true_primary;
    protection
}

fn protect_first(
    grid: &Grid,
    n: f64,
    zeros: Zeros,
    first: Vec<bool>,
    (time_limit, deadline): (std::time::Duration, std::time::Instant),
    watch: Watch<'_>,
) -> Protection {
    let greedy = repair(grid, n, zeros, first, watch);
    let floor = if zeros == Zeros::Publish { 1.0 } else { 0.0 };
    let hideable = |c: usize| !greedy.primary[c] && (zeros != Zeros::Publish || grid.cells[c].value != 0.0);
    let exposed = |pattern: &[bool]| -> Option<Vec<crate::optimal::Exposure>> {
        use crate::optimal::Exposure;
        let mut failing: Vec<Exposure> = small_sums(grid, pattern, n)
            .into_iter()
            .map(Exposure::SmallSum)
            .collect();
        // The attacker's LPs, sharing their solutions between cells (`judge`); a cell it had no
        // time to judge counts as exposed, so no pattern passes unjudged.
        let judged = judge(grid, pattern, &greedy.primary, floor, n, deadline)?;
        for (c, j) in judged.iter().enumerate() {
            if matches!(j, Some(Judged::Exposed(..) | Judged::Unknown)) {
                failing.push(Exposure::Primary(c));
            }
        }
        Some(failing)
    };
    let (mut pattern, info) = crate::optimal::optimise(
        grid,
        (n, floor),
        &greedy.primary,
        &greedy.suppressed,
        &hideable,
        &exposed,
        (time_limit, watch),
    );
    if info.fallback.is_some() {
        let mut kept = settle(grid, (n, zeros), greedy, None, watch);
        let mut info = info;
        info.cost = crate::optimal::suppressed_value(grid, &kept.suppressed);
        kept.optimality = Some(info);
        return kept;
    }
    publish_derivable(grid, &greedy.primary, &mut pattern);
    watch(&format!(
        "intervals of {} hidden cells",
        pattern.iter().filter(|&&h| h).count()
    ));
    let seen = greedy.points.seen_under(&pattern);
    let intervals = intervals_seen(grid, &pattern, floor, &seen).unwrap_or_else(|| vec![None; grid.cells.len()]);
    Protection {
        primary: greedy.primary,
        suppressed: pattern,
        intervals,
        repaired: Vec::new(),
        optimality: Some(info),
    }
}

/// Relations whose total is published and whose two or more hidden parts sum to a count above
/// zero and below `n` (what `vakt audit` reports as a derivable small sum).
pub fn small_sums(grid: &Grid, suppressed: &[bool], n: f64) -> Vec<usize> {
    let mut out = Vec::new();
    for (r, (total, parts)) in grid.relations.iter().enumerate() {
        if suppressed[*total] || parts.iter().filter(|&&c| suppressed[c]).count() < 2 {
            continue;
        }
        let sum = grid.cells[*total].value - published_parts(grid, suppressed, parts);
        if sum > 0.0 && sum < n {
            out.push(r);
        }
    }
    out
}

/// Primary, exact and interval protection of a table (the greedy pattern, pruned).
pub fn protect(grid: &Grid, n: f64, zeros: Zeros) -> Protection {
    let greedy = repair(grid, n, zeros, primary(grid, n, zeros), &|_| {});
    settle(grid, (n, zeros), greedy, None, &|_| {})
}

/// A pattern that passes, from the greedy repair: its primaries, its hidden cells, and the
/// cells the repair added after Gauss.
struct Greedy {
    primary: Vec<bool>,
    suppressed: Vec<bool>,
    repaired: Vec<usize>,
    /// The repair's points, for the final intervals ([`Pool::seen_under`]).
    points: Pool,
}

/// The greedy pattern kept as the answer: pruned of the secondaries it can do without, with its
/// intervals.
fn settle(
    grid: &Grid,
    (n, zeros): (f64, Zeros),
    greedy: Greedy,
    optimality: Option<crate::optimal::Optimality>,
    watch: Watch<'_>,
) -> Protection {
    let Greedy {
        primary,
        mut suppressed,
        mut repaired,
        points,
    } = greedy;
    let floor = if zeros == Zeros::Publish { 1.0 } else { 0.0 };
    prune(grid, &primary, &mut suppressed, (n, floor), watch);
    publish_derivable(grid, &primary, &mut suppressed);
    repaired.retain(|&c| suppressed[c]);
    watch(&format!(
        "intervals of {} hidden cells",
        suppressed.iter().filter(|&&h| h).count()
    ));
    let seen = points.seen_under(&suppressed);
    drop(points);
    let intervals = intervals_seen(grid, &suppressed, floor, &seen).unwrap_or_else(|| vec![None; grid.cells.len()]);
    Protection {
        primary,
        suppressed,
        intervals,
        repaired,
        optimality,
    }
}

/// The greedy pattern for the given primary cells.
fn repair(grid: &Grid, n: f64, zeros: Zeros, primary: Vec<bool>, watch: Watch<'_>) -> Greedy {
    let primaries = primary.iter().filter(|&&p| p).count();
    watch(&format!("exact protection of {primaries} primary cells"));
    let mut suppressed = gauss(grid, &primary, n, zeros);
    publish_derivable(grid, &primary, &mut suppressed);
    let floor = if zeros == Zeros::Publish { 1.0 } else { 0.0 };
    // A published cell the repair may hide: never a published zero.
    let hideable =
        |c: usize, suppressed: &[bool]| !(suppressed[c] || zeros == Zeros::Publish && grid.cells[c].value == 0.0);
    let mut repaired = Vec::new();
    // Suppressing more only widens intervals: a primary that passes once passes for good.
    let mut settled = vec![false; grid.cells.len()];
    // How many are settled, for the progress line (counted, not recounted per primary).
    let mut passed = 0usize;
    // Points of the attacker's system stay points when more is hidden (the newly hidden cells at
    // their true counts) and when a derivable cell is published (it has its true count in every
    // point): one pool serves the whole repair.
    let mut pool = Pool::new(grid.cells.iter().map(|c| c.value).collect());
    loop {
        let mut failing = None;
        let comps = Components::new(grid, &suppressed);
        for c in (0..grid.cells.len()).filter(|&c| primary[c]) {
            if settled[c] {
                continue;
            }
            match pool.judge_cell(grid, &comps, c, floor, n) {
                Some(Judged::Safe) => {
                    settled[c] = true;
                    passed += 1;
                    watch(&format!(
                        "interval check: {passed} of {primaries} primaries pass, {} secondaries",
                        repaired.len()
                    ));
                }
                Some(_) => {
                    failing = Some(c);
                    break;
                }
                // Contradictory figures cannot come from counts; nothing to repair.
                None => break,
            }
        }
        let Some(p) = failing else {
            // Secondaries the repair made derivable are published: hiding them protects nothing.
            let before = suppressed.clone();
            publish_derivable(grid, &primary, &mut suppressed);
            if before == suppressed {
                break;
            }
            settled.fill(false);
            passed = 0;
            continue;
        };
        // The grand total is hidden only when nothing else protects `p`: readers lose most by it.
        let grand = |c: usize| grid.cells[c].coord.iter().all(Option::is_none);
        let but_grand = |c: usize, s: &[bool]| hideable(c, s) && !grand(c);
        let mut chosen = repair_for(grid, &suppressed, p, (n, floor), &but_grand);
        if chosen.is_empty() {
            chosen = repair_for(grid, &suppressed, p, (n, floor), &hideable);
        }
        if chosen.is_empty() {
            break;
        }
        for c in chosen {
            suppressed[c] = true;
            repaired.push(c);
        }
    }
    Greedy {
        primary,
        suppressed,
        repaired,
        points: pool,
    }
}

/// Hidden cells of a greedy pattern up to which each secondary is tried for publishing again
/// (a bound on work, not on time, so the same table gives the same pattern on any machine).
const PRUNE_UP_TO: usize = 1_000;

/// Publishes again each secondary the pattern can do without, dearest first. The greedy repair
/// adds cells for one failing primary at a time, so a later addition can make an earlier one
/// unnecessary (in 3-D tables, most of the loss). A secondary is published when, without it,
/// every primary of its component still passes the attacker's exact programs and no new small
/// sum becomes derivable; each decision is exact, so the pattern stays safe.
fn prune(grid: &Grid, primary: &[bool], suppressed: &mut Vec<bool>, (n, floor): (f64, f64), watch: Watch<'_>) {
    if suppressed.iter().filter(|&&h| h).count() > PRUNE_UP_TO {
        return;
    }
    let cost = crate::optimal::costs(grid);
    let mut order: Vec<usize> = (0..grid.cells.len())
        .filter(|&c| suppressed[c] && !primary[c])
        .collect();
    order.sort_by(|&a, &b| cost[b].total_cmp(&cost[a]).then(a.cmp(&b)));
    let values: Vec<f64> = grid.cells.iter().map(|c| c.value).collect();
    let rel_of = relations_of(grid);
    let mut small = small_sums(grid, suppressed, n);
    // Points of the current pattern's system. A trial's points are points of the current pattern
    // too (it hides more), and a point of the current pattern is one of the trial's when it shows
    // the trial's published cell at its count.
    let mut points: Vec<Vec<f64>> = Vec::new();
    // The current pattern's components; an accepted trial's become the current ones.
    let mut current = Components::new(grid, suppressed);
    for (k, &c) in order.iter().enumerate() {
        watch(&format!("pruning: secondary {} of {}", k + 1, order.len()));
        let mut trial = suppressed.clone();
        trial[c] = false;
        let trial_small = small_sums(grid, &trial, n);
        if trial_small.iter().any(|r| !small.contains(r)) {
            continue;
        }
        if !room_remains(grid, &rel_of[c], &trial, primary, (n, floor)) {
            continue;
        }
        let members = primaries_near_first(grid, &rel_of, &current, primary, c);
        if members.len() > PRUNE_COMPONENT_PRIMARIES {
            continue;
        }
        let comps = Components::new(grid, &trial);
        let mut pool = Pool::new(values.clone());
        pool.points = points.iter().filter(|p| p[c] == values[c]).cloned().collect();
        let kept = pool.points.len();
        let safe = members
            .into_iter()
            .all(|m| matches!(pool.judge_cell(grid, &comps, m, floor, n), Some(Judged::Safe)));
        let found = pool.points.split_off(kept);
        if safe {
            *suppressed = trial;
            small = trial_small;
            points.retain(|p| p[c] == values[c]);
            current = comps;
        }
        points.extend(found);
    }
}

/// Primaries of a component up to which publishing one of its secondaries is tried: each trial
/// judges all of them, so a giant component (a large 2-D table's) would cost minutes.
const PRUNE_COMPONENT_PRIMARIES: usize = 200;

/// A necessary condition, checked before any program: through each relation `rels` (those of the
/// cell a trial publishes) whose total is published, every hidden primary still has a partner
/// and room to reach `n` (the other hidden parts' counts above the floor). Failing it, the
/// attacker recovers or bounds that primary.
fn room_remains(grid: &Grid, rels: &[usize], trial: &[bool], primary: &[bool], (n, floor): (f64, f64)) -> bool {
    rels.iter().all(|&r| {
        let (total, parts) = &grid.relations[r];
        if trial[*total] {
            return true;
        }
        let room: f64 = parts
            .iter()
            .filter(|&&x| trial[x])
            .map(|&x| (grid.cells[x].value - floor).max(0.0))
            .sum();
        parts.iter().filter(|&&p| trial[p] && primary[p]).all(|&p| {
            let others = room - (grid.cells[p].value - floor).max(0.0);
            let need = n - grid.cells[p].value;
            parts.iter().filter(|&&x| trial[x]).count() > 1 && (need <= 0.0 || others >= need)
        })
    })
}

/// The primaries of `c`'s component of hidden cells, those sharing a relation with `c` first (if
/// publishing `c` exposes one, most often it is one of them: the trial ends sooner).
fn primaries_near_first(
    grid: &Grid,
    rel_of: &[Vec<usize>],
    comps: &Components,
    primary: &[bool],
    c: usize,
) -> Vec<usize> {
    let near = |m: usize| {
        rel_of[c].iter().any(|&r| {
            let (t, parts) = &grid.relations[r];
            *t == m || parts.contains(&m)
        })
    };
    let mut members: Vec<usize> = comps.of(c).0.iter().copied().filter(|&m| primary[m]).collect();
    members.sort_by_key(|&m| (!near(m), m));
    members
}

/// Hidden cells of a component up to which a repair candidate is scored by the attacker's exact
/// program. Past it (a 3-D table with thousands of hidden cells, where each exact program takes a
/// tenth of a second and a repair step weighs hundreds of candidates), candidates are scored by a
/// local program instead; which cell is chosen may then differ, never whether the table is safe:
/// every primary is still judged by the exact program.
const EXACT_SCORING_CELLS: usize = 400;

/// Per cell: the relations it is in (as total or part).
fn relations_of(grid: &Grid) -> Vec<Vec<usize>> {
    let mut of = vec![Vec::new(); grid.cells.len()];
    for (r, (total, parts)) in grid.relations.iter().enumerate() {
        for &c in std::iter::once(total).chain(parts) {
            of[c].push(r);
        }
    }
    of
}

/// The program a repair candidate for primary `p` is scored with: `p`'s component of hidden cells
/// when it is small enough, else the hidden cells within two relations of `p` and the relations
/// among them alone. Leaving relations out only widens what the attacker allows, so the local
/// program never calls a candidate useless that the exact one would call useful.
fn scoring_scope(grid: &Grid, trial: &[bool], p: usize, rel_of: &[Vec<usize>]) -> (Vec<usize>, Vec<usize>) {
    let comps = Components::new(grid, trial);
    let (vars, rels) = comps.of(p);
    if vars.len() <= EXACT_SCORING_CELLS {
        return (vars.to_vec(), rels.to_vec());
    }
    let near = hidden_within(grid, trial, p, rel_of, 2);
    let vars: Vec<usize> = (0..grid.cells.len()).filter(|&c| near[c]).collect();
    let rels: Vec<usize> = rels
        .iter()
        .copied()
        .filter(|&r| {
            let (total, parts) = &grid.relations[r];
            std::iter::once(total).chain(parts).all(|&c| !trial[c] || near[c])
        })
        .collect();
    (vars, rels)
}

/// `p` and the hidden cells within `radius` relations of it (a path through hidden cells).
fn hidden_within(grid: &Grid, hidden: &[bool], p: usize, rel_of: &[Vec<usize>], radius: usize) -> Vec<bool> {
    let mut near = vec![false; grid.cells.len()];
    near[p] = true;
    let mut frontier = vec![p];
    for _ in 0..radius {
        let mut next = Vec::new();
        for &x in &frontier {
            for &r in &rel_of[x] {
                let (total, parts) = &grid.relations[r];
                for &y in std::iter::once(total).chain(parts) {
                    if hidden[y] && !near[y] {
                        near[y] = true;
                        next.push(y);
                    }
                }
            }
        }
        frontier = next;
    }
    near
}

/// Pairs of candidates searched at most, one elimination and program each; past it (pairs grow
/// with the square of the table) the repair hides a box through the failing primary instead.
const PAIRS_UP_TO: usize = 5_000;

/// The cells to hide next for failing primary `p`. Candidates: published cells sharing a relation
/// with `p`, then any published cell; one at a time, else in pairs (when every single cell would
/// stay derivable, as a margin the other margins give away). In a large table, where a single
/// hidden cell is derivable from its other relations (in 3-D it takes a box of eight), the
/// cheapest box through `p` that lets it reach the threshold ([`box_for`]). Else everything
/// around `p` at once. Hiding every non-zero cell leaves every interval unbounded, so the repair
/// ends.
fn repair_for(
    grid: &Grid,
    suppressed: &[bool],
    p: usize,
    (n, floor): (f64, f64),
    hideable: &dyn Fn(usize, &[bool]) -> bool,
) -> Vec<usize> {
    let all: Vec<usize> = (0..grid.cells.len()).filter(|&c| hideable(c, suppressed)).collect();
    let mut near: Vec<usize> = grid
        .relations
        .iter()
        .filter(|(t, parts)| *t == p || parts.contains(&p))
        .flat_map(|(t, parts)| std::iter::once(*t).chain(parts.iter().copied()))
        .filter(|&c| hideable(c, suppressed))
        .collect();
    near.sort_unstable();
    near.dedup();
    if near.is_empty() {
        near = around_hidden_neighbours(grid, suppressed, p, hideable);
    }
    if near.is_empty() {
        near = all.clone();
    }
    let singles = |pool: &[usize]| pool.iter().map(|&c| vec![c]).collect::<Vec<_>>();
    if let Some(set) = best_hiding(grid, suppressed, &singles(&near), p, n, floor) {
        return set;
    }
    if near.len() * all.len() > PAIRS_UP_TO {
        if let Some(cells) = box_for(grid, suppressed, p, (n, floor), hideable).filter(|c| !c.is_empty()) {
            return cells;
        }
        return near;
    }
    let pairs: Vec<Vec<usize>> = near
        .iter()
        .flat_map(|&a| all.iter().filter(move |&&b| b != a).map(move |&b| vec![a, b]))
        .collect();
    best_hiding(grid, suppressed, &singles(&all), p, n, floor)
        .or_else(|| best_hiding(grid, suppressed, &pairs, p, n, floor))
        .unwrap_or(near)
}

/// When every cell sharing a relation with `p` is hidden already: the published cells sharing a
/// relation with the hidden cells within two relations of `p`. Only those can change what binds
/// `p` nearby; offering every cell of the table instead let a large table's repair take the
/// cheapest cells anywhere, one per step (on a sparse diagnosis hierarchy, every subtotal).
fn around_hidden_neighbours(
    grid: &Grid,
    suppressed: &[bool],
    p: usize,
    hideable: &dyn Fn(usize, &[bool]) -> bool,
) -> Vec<usize> {
    let rel_of = relations_of(grid);
    let cells_of = |r: usize| std::iter::once(grid.relations[r].0).chain(grid.relations[r].1.iter().copied());
    let near = hidden_within(grid, suppressed, p, &rel_of, 2);
    let mut out: Vec<usize> = (0..grid.cells.len())
        .filter(|&x| near[x])
        .flat_map(|x| rel_of[x].iter().flat_map(|&r| cells_of(r)))
        .filter(|&c| hideable(c, suppressed))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The cheapest box through primary `p` (τ-Argus's hypercube method): per dimension one other
/// category or the total, the 2^d corners hidden. Along every relation through the box two
/// corners move together, so the attacker can move `p` up while the corners of the other sign
/// move down, as far as the smallest of those allows: a box whose shrinking corners all hold at
/// least `n - count(p)` above the floor lets `p` reach the threshold, and no corner can be
/// derived from the box's relations. The cells of that box not yet hidden, cheapest first by
/// their counts, then by position; `None` when no box has room (a corner is a published zero,
/// or too small).
fn box_for(
    grid: &Grid,
    suppressed: &[bool],
    p: usize,
    (n, floor): (f64, f64),
    hideable: &dyn Fn(usize, &[bool]) -> bool,
) -> Option<Vec<usize>> {
    let at = grid.by_coord();
    let own = &grid.cells[p].coord;
    let need = n - grid.cells[p].value;
    // Per dimension, the other indices a box may take: every category and the total but p's own.
    let alternatives: Vec<Vec<Option<usize>>> = grid
        .dims
        .iter()
        .zip(own)
        .map(|((_, labels), o)| (0..labels.len()).map(Some).chain([None]).filter(|x| x != o).collect())
        .collect();
    if alternatives.iter().any(Vec::is_empty) {
        return None;
    }
    let d = own.len();
    let mut pick = vec![0usize; d];
    let mut best: Option<(f64, Vec<usize>)> = None;
    loop {
        let alt: Vec<Option<usize>> = (0..d).map(|k| alternatives[k][pick[k]]).collect();
        if let Some((cost, cells)) = box_cost(grid, suppressed, &at, own, &alt, (need, floor), hideable) {
            if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                best = Some((cost, cells));
            }
        }
        // The next box, the last dimension fastest.
        let mut k = d;
        loop {
            if k == 0 {
                return best.map(|(_, cells)| cells);
            }
            k -= 1;
            pick[k] += 1;
            if pick[k] < alternatives[k].len() {
                break;
            }
            pick[k] = 0;
        }
    }
}

/// The cost (counts of the corners not yet hidden) and those corners of the box through `own`
/// with the other indices `alt`; `None` when a corner cannot be hidden or gives `p` too little
/// room.
fn box_cost(
    grid: &Grid,
    suppressed: &[bool],
    at: &std::collections::HashMap<&[Option<usize>], usize>,
    own: &[Option<usize>],
    alt: &[Option<usize>],
    (need, floor): (f64, f64),
    hideable: &dyn Fn(usize, &[bool]) -> bool,
) -> Option<(f64, Vec<usize>)> {
    let d = own.len();
    let mut cost = 0.0;
    let mut cells = Vec::new();
    let mut coord = own.to_vec();
    for corner in 1..(1usize << d) {
        // The sign of a corner: each dimension where it takes the other index flips it, unless
        // one of the two indices is the total (the total moves with its part).
        let mut shrinks = false;
        for k in 0..d {
            let other = corner >> k & 1 == 1;
            coord[k] = if other { alt[k] } else { own[k] };
            if other && own[k].is_some() && alt[k].is_some() {
                shrinks = !shrinks;
            }
        }
        let c = *at.get(coord.as_slice())?;
        let value = grid.cells[c].value;
        if shrinks && value - floor < need {
            return None;
        }
        if !suppressed[c] {
            if !hideable(c, suppressed) {
                return None;
            }
            cost += value + 1.0;
            cells.push(c);
        }
    }
    Some((cost, cells))
}

/// Among sets of published cells, the one whose hiding helps primary `p` most: the cheapest that
/// protects it (by [`crate::optimal::costs`]), else the one raising its upper bound most, then the
/// cheapest; among equals the earliest set.
/// Sets with a cell that would stay derivable are skipped: hiding it would hide nothing.
fn best_hiding(
    grid: &Grid,
    suppressed: &[bool],
    sets: &[Vec<usize>],
    p: usize,
    n: f64,
    floor: f64,
) -> Option<Vec<usize>> {
    // Each set is judged on its own copy of the pattern, on every core; the choice is made in
    // set order afterwards, so it does not depend on how the work was split.
    let base: &[bool] = suppressed;
    let rel_of = relations_of(grid);
    let span = Span::new(grid, base);
    let cell_cost = crate::optimal::costs(grid);
    let scores = vakt_core::par::map(sets, |set| {
        use microlp::OptimizationDirection::{Maximize, Minimize};
        let mut trial = base.to_vec();
        set.iter().for_each(|&c| trial[c] = true);
        let derivable = match set[..] {
            [c] => !span.contains(grid, &rel_of[c], c),
            _ => {
                let exact = determined(grid, &trial);
                set.iter().any(|&c| exact[c])
            }
        };
        if derivable {
            return None;
        }
        let cost: f64 = set.iter().map(|&c| cell_cost[c]).sum();
        let (vars, rels) = scoring_scope(grid, &trial, p, &rel_of);
        let hi = solve_full(grid, (&vars, &rels), p, floor, Maximize)?.0;
        // A small count lies in its own interval: `lo <= count < n`, so reaching `n` is passing
        // and the lower bound need not be solved. A linked cell (hidden in another table) may be
        // larger: it needs both.
        let pass = if grid.cells[p].value < n - 1.0 + EPS {
            passes(f64::NEG_INFINITY, hi, n)
        } else {
            let lo = solve_full(grid, (&vars, &rels), p, floor, Minimize)?.0;
            passes(lo, hi, n)
        };
        // Passing sets by cost alone (a wider interval buys nothing more); failing ones by how
        // far they raise the bound, then cost.
        let hi = hi.min(1e12);
        Some(if pass { (true, -cost, hi) } else { (false, hi, -cost) })
    });
    let mut best: Option<((bool, f64, f64), usize)> = None;
    for (i, score) in scores.into_iter().enumerate() {
        if let Some(score) = score {
            if best.is_none_or(|(b, _)| score.partial_cmp(&b) == Some(std::cmp::Ordering::Greater)) {
                best = Some((score, i));
            }
        }
    }
    best.map(|(_, i)| sets[i].clone())
}

/// The span of the hidden cells' columns of the relations (a vector per hidden cell, one entry per
/// relation), for the question a repair asks of every candidate: would hiding one more cell `c`
/// leave it derivable? It would exactly when `c`'s column is outside the span: otherwise some
/// change of the hidden cells offsets any change of `c`, and when it is outside, no change of
/// `c` can be offset (so every solution has its true value). Row operations bringing the matrix
/// to echelon form are recorded once and replayed on each candidate's column: a few operations
/// per candidate instead of an elimination of the whole table each.
struct Span {
    /// Rows the elimination emptied.
    zero_rows: Vec<usize>,
    rows: usize,
    ops: Vec<RowOp>,
}

/// One step of the elimination, replayable on a column.
#[derive(Clone, Copy)]
enum RowOp {
    /// `row[target] -= f * row[source]`.
    Sub { target: usize, source: usize, f: f64 },
}

impl Span {
    fn new(grid: &Grid, hidden: &[bool]) -> Span {
        let (form, _) = Echelon::of(grid, hidden, true);
        Span {
            zero_rows: (0..form.used.len()).filter(|&r| !form.used[r]).collect(),
            rows: form.used.len(),
            ops: form.ops,
        }
    }

    /// Whether the column of cell `c` (in relations `rels`) lies in the span: replayed through
    /// the elimination, it must vanish on every row the elimination emptied.
    fn contains(&self, grid: &Grid, rels: &[usize], c: usize) -> bool {
        let mut v = vec![0.0; self.rows];
        for &r in rels {
            let (total, parts) = &grid.relations[r];
            v[r] += f64::from(u8::from(*total == c)) - parts.iter().filter(|&&p| p == c).count() as f64;
        }
        for op in &self.ops {
            let RowOp::Sub { target, source, f } = *op;
            v[target] -= f * v[source];
        }
        self.zero_rows.iter().all(|&r| v[r].abs() <= 1e-7)
    }
}

/// A relation as a sparse row over the hidden cells (`col`: a hidden cell's column).
fn relation_row(total: usize, parts: &[usize], col: &[Option<usize>]) -> Sparse {
    let mut r: Sparse = std::iter::once((total, 1.0))
        .chain(parts.iter().map(|&p| (p, -1.0)))
        .filter_map(|(c, coef)| col[c].map(|i| (i, coef)))
        .collect();
    r.sort_by_key(|e| e.0);
    merge_duplicates(r)
}

/// Publishes secondary cells that the published ones determine anyway: hiding them protects nothing,
/// and a table should never show a suppression anyone can undo.
///
/// All at once: publishing a cell the published ones already determine tells the reader nothing
/// new, so what else is determined stays the same (one elimination, not one per cell).
fn publish_derivable(grid: &Grid, primary: &[bool], suppressed: &mut [bool]) {
    let exact = determined(grid, suppressed);
    for c in 0..grid.cells.len() {
        if suppressed[c] && !primary[c] && exact[c] {
            suppressed[c] = false;
        }
    }
}

/// Independent exact test: which suppressed cells are linear functions of the published ones.
/// Works on the relations restricted to the suppressed cells (their row space), not on the dummy
/// rows the Gauss step uses. A hidden cell is determined exactly when every change of the hidden
/// cells that keeps every relation (a null vector of those rows) leaves it alone. The rows are
/// brought to echelon form once (sparse: a cell is in a handful of relations, so a 3-D table
/// with thousands of hidden cells reduces in well under a second), then two null vectors are
/// built by giving the free cells fixed pseudo-random values: a cell that is not determined moves
/// in a random null vector unless the random values cancel exactly, which two independent
/// draws make as good as impossible; a determined one never moves. The same table always gives
/// the same answer (the draws are fixed).
pub fn determined(grid: &Grid, suppressed: &[bool]) -> Vec<bool> {
    let (form, vars) = Echelon::of(grid, suppressed, false);
    let moves = |seed: u64| {
        let z = form.null_vector(seed);
        let scale = z.iter().fold(1.0f64, |m, x| m.max(x.abs()));
        z.into_iter()
            .map(move |x| x.abs() > 1e-9 * scale)
            .collect::<Vec<bool>>()
    };
    let (a, b) = (moves(1), moves(2));
    let mut out = vec![false; grid.cells.len()];
    for (i, &c) in vars.iter().enumerate() {
        out[c] = !a[i] && !b[i];
    }
    out
}

/// Rows brought to echelon form by forward elimination, column by column, the largest entry of
/// a column as its pivot. Rows stay in place (a pivot's row is recorded), and the eliminations
/// can be recorded to be replayed on another column ([`Span`]).
struct Echelon {
    rows: Vec<Sparse>,
    /// (row, column) of each pivot, by column.
    pivots: Vec<(usize, usize)>,
    used: Vec<bool>,
    width: usize,
    ops: Vec<RowOp>,
}

impl Echelon {
    /// The relations over the hidden cells (a column per hidden cell, in cell order) in echelon
    /// form, and the hidden cells.
    fn of(grid: &Grid, hidden: &[bool], record: bool) -> (Echelon, Vec<usize>) {
        let mut col = vec![None; grid.cells.len()];
        let vars: Vec<usize> = (0..grid.cells.len()).filter(|&c| hidden[c]).collect();
        for (i, &c) in vars.iter().enumerate() {
            col[c] = Some(i);
        }
        let rows: Vec<Sparse> = grid
            .relations
            .iter()
            .map(|(total, parts)| relation_row(*total, parts, &col))
            .collect();
        (Echelon::new(rows, vars.len(), record), vars)
    }

    fn new(mut rows: Vec<Sparse>, width: usize, record: bool) -> Echelon {
        // The rows with an entry in each column; a row gains entries only in columns of the
        // pivot rows subtracted from it, which are listed then (duplicates removed when used).
        let mut by_col: Vec<Vec<usize>> = vec![Vec::new(); width];
        for (r, row) in rows.iter().enumerate() {
            for &(j, _) in row {
                by_col[j].push(r);
            }
        }
        let mut used = vec![false; rows.len()];
        let (mut pivots, mut ops) = (Vec::new(), Vec::new());
        for c in 0..width {
            let mut cands = std::mem::take(&mut by_col[c]);
            cands.sort_unstable();
            cands.dedup();
            cands.retain(|&r| !used[r] && entry(&rows[r], c).abs() > EPS);
            // Ties go to the later row.
            let Some(&pr) = cands.iter().max_by(|&&a, &&b| {
                entry(&rows[a], c)
                    .abs()
                    .total_cmp(&entry(&rows[b], c).abs())
                    .then(a.cmp(&b))
            }) else {
                continue;
            };
            used[pr] = true;
            let pivot_row = rows[pr].clone();
            let p = entry(&pivot_row, c);
            for &r in cands.iter().filter(|&&r| r != pr) {
                let f = entry(&rows[r], c) / p;
                rows[r] = subtract(&rows[r], f, &pivot_row);
                for &(j, _) in pivot_row.iter().filter(|e| e.0 > c) {
                    by_col[j].push(r);
                }
                if record {
                    ops.push(RowOp::Sub {
                        target: r,
                        source: pr,
                        f,
                    });
                }
            }
            pivots.push((pr, c));
        }
        Echelon {
            rows,
            pivots,
            used,
            width,
            ops,
        }
    }

    /// A null vector: the free columns given pseudo-random values in [1, 2) from `seed`, the pivot
    /// columns solved from the last pivot back.
    fn null_vector(&self, seed: u64) -> Vec<f64> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut z: Vec<f64> = (0..self.width)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                1.0 + (state >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect();
        for &(r, c) in self.pivots.iter().rev() {
            let row = &self.rows[r];
            let rest: f64 = row.iter().filter(|e| e.0 != c).map(|&(j, v)| v * z[j]).sum();
            z[c] = -rest / entry(row, c);
        }
        z
    }
}

/// A sparse row: (column, value), by column.
type Sparse = Vec<(usize, f64)>;

fn merge_duplicates(r: Sparse) -> Sparse {
    let mut out: Sparse = Vec::with_capacity(r.len());
    for (j, v) in r {
        match out.last_mut() {
            Some(last) if last.0 == j => last.1 += v,
            _ => out.push((j, v)),
        }
    }
    out
}

fn entry(row: &Sparse, c: usize) -> f64 {
    row.binary_search_by_key(&c, |e| e.0).map_or(0.0, |k| row[k].1)
}

/// `row - f * pivot`, dropping what cancels.
fn subtract(row: &Sparse, f: f64, pivot: &Sparse) -> Sparse {
    let mut out = Vec::with_capacity(row.len() + pivot.len());
    let (mut a, mut b) = (row.iter().peekable(), pivot.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(&&(i, x)), Some(&&(j, y))) if i == j => {
                a.next();
                b.next();
                (i, x - f * y)
            }
            (Some(&&(i, x)), Some(&&(j, _))) if i < j => {
                a.next();
                (i, x)
            }
            (_, Some(&&(j, y))) => {
                b.next();
                (j, -f * y)
            }
            (Some(&&(i, x)), None) => {
                a.next();
                (i, x)
            }
            (None, None) => break,
        };
        if next.1.abs() > EPS {
            out.push(next);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_dim(values: &[f64]) -> Grid {
        let labels: Vec<String> = (0..values.len())
            .map(|i| ((b'A' + i as u8) as char).to_string())
            .collect();
        Grid::complete(vec![("x".into(), labels)], &|c| values[c[0]])
    }

    #[test]
    fn one_more_hidden_cell_is_derivable_exactly_when_the_full_elimination_says_so() {
        let mut state = 7u64;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let (mut derivable, mut hidden_more) = (0, 0);
        for round in 0..60 {
            let sizes: Vec<usize> = if round < 40 {
                vec![2 + next(4) as usize, 2 + next(4) as usize]
            } else {
                vec![2 + next(2) as usize, 2 + next(2) as usize, 2 + next(2) as usize]
            };
            let dims = sizes
                .iter()
                .enumerate()
                .map(|(i, &n)| (format!("d{i}"), (0..n).map(|k| k.to_string()).collect()))
                .collect();
            let values: Vec<f64> = (0..200).map(|_| next(20) as f64).collect();
            let g = Grid::complete(dims, &|c| values[c.iter().sum::<usize>() * 7 % 200]);
            let hidden: Vec<bool> = (0..g.cells.len()).map(|_| next(10) < 3).collect();
            let span = Span::new(&g, &hidden);
            let rel_of = relations_of(&g);
            for c in (0..g.cells.len()).filter(|&c| !hidden[c]) {
                let mut trial = hidden.clone();
                trial[c] = true;
                let exact = determined(&g, &trial)[c];
                assert_eq!(
                    !span.contains(&g, &rel_of[c], c),
                    exact,
                    "round {round}, {}",
                    g.label(c)
                );
                derivable += usize::from(exact);
                hidden_more += 1;
            }
        }
        assert!(
            derivable > 50 && hidden_more - derivable > 50,
            "{derivable} of {hidden_more}"
        );
    }

    #[test]
    fn tau_argus_307_a_must_be_suppressed_too() {
        // A=15, B=5, C=3, total 23, threshold 11: publishing A and the total reveals B+C = 8 < 11.
        let g = one_dim(&[15.0, 5.0, 3.0]);
        let p = protect(&g, 11.0, Zeros::Publish);
        assert!(p.suppressed[1] && p.suppressed[2], "B and C primary");
        assert!(p.suppressed[0], "A suppressed as secondary");
        assert!(!p.suppressed[3], "the total is published");
    }

    #[test]
    fn a_single_small_cell_needs_a_partner() {
        let g = one_dim(&[20.0, 2.0, 30.0]);
        let p = protect(&g, 5.0, Zeros::Publish);
        assert_eq!(p.suppressed.iter().filter(|&&s| s).count(), 2);
        assert!(p.suppressed[1]);
        assert!(p.suppressed[0], "the smaller large cell is the cheaper partner");
        assert!(determined(&g, &p.suppressed).iter().all(|&d| !d));
    }
}
