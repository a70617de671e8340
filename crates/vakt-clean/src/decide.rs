//! Deciding each row's fate before anything is written: kept (with its cleaned cells flagged),
//! rejected (with its reasons), or dropped as an exact copy of an earlier row.
//!
//! The check pass records, for every data row, the keys it needs ([`Recorder`], a return rule run
//! beside the built-in ones); the decisions then follow the pack's relations in pack order, so a
//! row whose parent was rejected is rejected too, and a count whose counted rows were rejected is
//! flagged. The clean dataset therefore has no orphans, no duplicate keys, and nothing undocumented.
//!
//! Policy (`--on-error`): `cell` (default) empties a bad value and flags it; `row` rejects any row
//! with an error; `keep` keeps bad values, flagged. In every policy a row is rejected when a key or
//! identifier of it is unusable (a unique key, a reference to another table, a pseudonymised id, the
//! return key), when its parent row was rejected, or when its parent table is missing; identifiers
//! in text are always replaced by tags.

use std::collections::{HashMap, HashSet};
use vakt_core::check::InputResult;
use vakt_core::check::{Collector, CountLink, Plan, ReturnRule, RowCtx, Sink};
use vakt_core::chunked::Chunked;
use vakt_core::finding::{Code, Finding, Severity};
use vakt_core::locate::codes;
use vakt_core::pack::Pack;
use vakt_core::value::keyhash::{Key128, KeyMap};

/// What happens to a row with errors (`--on-error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Bad values emptied and flagged; rows rejected only for unusable keys.
    Cell,
    /// Any row with an error rejected.
    Row,
    /// Bad values kept as written, flagged; rows rejected only for unusable keys.
    Keep,
}

impl OnError {
    /// The policy's name in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            OnError::Cell => "cell",
            OnError::Row => "row",
            OnError::Keep => "keep",
        }
    }
}

/// How a flagged cell is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// Left empty (its value was wrong).
    Empty,
    /// Written as it was (`--on-error keep`, or a count whose counted rows were rejected).
    Keep,
}

/// A cell cleaning changed or marked, with the finding's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub column: usize,
    pub code: Code,
    pub fix: Fix,
}

/// Why a row was rejected.
#[derive(Debug, Clone)]
pub struct Reason {
    pub code: Code,
    /// The cell (`Pasienter!B4`) or column the reason is about.
    pub cell: String,
    pub message: String,
}

/// A row's fate.
#[derive(Debug, Clone)]
pub enum Fate {
    Keep(Vec<Flag>),
    Reject(Vec<Reason>),
    /// An exact copy of an earlier row (which is kept).
    Duplicate(u64),
}

/// Keys recorded for one table's rows during the check pass: for a whole return, one or two keys
/// for each of a million rows, so kept compact (16 bytes a key, in chunks that never double).
#[derive(Default)]
struct TableRows {
    rows: Vec<u64>,
    hashes: Chunked<u64>,
    /// [`Layout::columns`]`.len()` keys per row; 0 stands for no key (a blank part).
    keys: Chunked<Key128>,
}

impl TableRows {
    fn push_key(&mut self, key: Option<Key128>) {
        // A real key that hashes to 0 is kept as 1: a false match as unlikely as any other.
        let (none, one) = (Key128::from(0), Key128::from(1));
        self.keys.push(match key {
            None => none,
            Some(k) if k == none => one,
            Some(k) => k,
        });
    }

    /// The key of row `i` in role `role` of the layout (its parents, own lookups, counted, owner).
    fn key(&self, layout: &Layout, i: usize, role: usize) -> Option<Key128> {
        let slot = *layout.slot.get(role)?;
        let at = i.checked_mul(layout.columns.len())?.checked_add(slot)?;
        self.keys.get(at).copied().filter(|&k| k != Key128::from(0))
    }
}

/// Which keys are recorded for each table, in order.
#[derive(Debug, Default, Clone)]
struct Layout {
    /// Must-exist relations with columns: (lookup, parent table, relation's columns).
    parents: Vec<(usize, usize, Vec<usize>)>,
    /// Lookups this table is the parent of (its key for them).
    own: Vec<usize>,
    /// Count specs counting this table's rows (their `matching` key).
    counted: Vec<usize>,
    /// Count specs owned by this table (their `key`).
    owner: Vec<usize>,
    /// The distinct column lists keyed, in order of first use: one key per list and row.
    columns: Vec<Vec<usize>>,
    /// Per role (parents, then own, counted, owner): the index of its list in `columns`.
    slot: Vec<usize>,
}

impl Layout {
    /// Fills `columns` and `slot` from the roles: a patient's group is keyed once for both the
    /// relation to its group and the count of patients per group.
    fn with_columns(mut self, pack: &Pack, counts: &[CountLink]) -> Layout {
        let roles: Vec<Vec<usize>> = (self.parents.iter().map(|(_, _, cols)| cols.clone()))
            .chain(self.own.iter().map(|&l| pack.lookups[l].key.clone()))
            .chain(self.counted.iter().map(|&s| counts[s].matching.clone()))
            .chain(self.owner.iter().map(|&s| counts[s].key.clone()))
            .collect();
        for cols in roles {
            let at = match self.columns.iter().position(|c| *c == cols) {
                Some(at) => at,
                None => {
                    self.columns.push(cols);
                    self.columns.len() - 1
                }
            };
            self.slot.push(at);
        }
        self
    }
}

fn layouts(pack: &Pack, counts: &[CountLink]) -> Vec<Layout> {
    (0..pack.tables.len())
        .map(|t| {
            let table = &pack.tables[t];
            Layout {
                parents: table
                    .relations
                    .iter()
                    .filter(|r| r.must_exist && !r.columns.is_empty())
                    .map(|r| (r.lookup, r.table, r.columns.clone()))
                    .collect(),
                own: (0..pack.lookups.len())
                    .filter(|&l| pack.lookups[l].table == t)
                    .collect(),
                counted: (0..counts.len()).filter(|&s| counts[s].table == t).collect(),
                owner: (0..counts.len()).filter(|&s| counts[s].owner == t).collect(),
                ..Layout::default()
            }
            .with_columns(pack, counts)
        })
        .collect()
}

/// Records each data row's keys while the return is checked.
pub struct Recorder {
    /// Every count of the pack.
    counts: Vec<CountLink>,
    layouts: Vec<Layout>,
    tables: Vec<TableRows>,
}

impl Recorder {
    pub fn new(plan: &Plan) -> Recorder {
        let pack = plan.pack();
        let counts: Vec<CountLink> = plan.counts().into_iter().cloned().collect();
        Recorder {
            layouts: layouts(pack, &counts),
            counts,
            tables: (0..pack.tables.len()).map(|_| TableRows::default()).collect(),
        }
    }
}

/// Lets the check pass feed a recorder it does not own.
pub struct RecordInto<'a>(pub &'a mut Recorder);

impl ReturnRule for RecordInto<'_> {
    fn observe(&mut self, table: usize, row: &RowCtx<'_>, _out: &mut Sink<'_>) {
        let r = &mut *self.0;
        let layout = &r.layouts[table];
        let rows = &mut r.tables[table];
        rows.rows.push(row.row.row);
        rows.hashes.push(row.row_hash());
        for cols in &layout.columns {
            rows.push_key(row.key(cols));
        }
    }

    fn finish(&mut self, _present: &[bool], _out: &mut Collector) {}
}

/// The fates of one return's rows: per table, by data-row ordinal (rows not listed are kept clean).
#[derive(Debug, Default)]
pub struct Decisions {
    pub fates: Vec<HashMap<usize, Fate>>,
    /// Per table: the physical row of each data row, from the check pass.
    pub rows: Vec<Vec<u64>>,
}

impl Decisions {
    /// A row's fate (a clean row when none was decided).
    pub fn fate(&self, table: usize, ordinal: usize) -> Option<&Fate> {
        self.fates.get(table).and_then(|f| f.get(&ordinal))
    }
}

/// The columns whose errors make a row unusable: keys, references, pseudonymised identifiers and
/// the return key.
fn key_columns(pack: &Pack, t: usize) -> HashSet<usize> {
    let table = &pack.tables[t];
    let mut k: HashSet<usize> = table.unique.iter().flatten().copied().collect();
    k.extend(
        table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.unique || c.id_form.is_some())
            .map(|(i, _)| i),
    );
    k.extend(
        table
            .relations
            .iter()
            .filter(|r| r.must_exist)
            .flat_map(|r| r.columns.iter().copied()),
    );
    if let Some(rk) = pack.return_key.as_ref().filter(|rk| rk.table == t) {
        k.insert(rk.column);
    }
    k
}

/// An error at a row: its column and code, and the listed finding when the list kept it.
struct RowError<'a> {
    column: Option<&'a str>,
    code: &'a Code,
    finding: Option<&'a Finding>,
}

fn reason(e: &RowError<'_>) -> Reason {
    match e.finding {
        Some(f) => Reason {
            code: f.code.clone(),
            cell: f
                .location
                .cell()
                .unwrap_or_else(|| f.location.column.clone().unwrap_or_default()),
            message: f.message.clone(),
        },
        None => Reason {
            code: e.code.clone(),
            cell: e.column.unwrap_or_default().to_string(),
            message: format!("{} (one of many such findings; see the check report)", e.code),
        },
    }
}

/// Every error of the return by (table, row): from the error cells the check kept, each with its
/// listed finding when there is one.
fn errors_by_row(result: &InputResult) -> HashMap<(usize, u64), Vec<RowError<'_>>> {
    let mut listed: HashMap<(usize, u64, Option<&str>, &str), &Finding> = HashMap::new();
    for f in result.findings.iter().filter(|f| f.severity == Severity::Error) {
        if let Some(row) = f.location.row {
            listed
                .entry((f.location.table, row, f.location.column.as_deref(), f.code.as_str()))
                .or_insert(f);
        }
    }
    let mut errors: HashMap<(usize, u64), Vec<RowError<'_>>> = HashMap::new();
    for c in &result.error_cells {
        errors.entry((c.table, c.row)).or_default().push(RowError {
            column: c.column.as_deref(),
            code: &c.code,
            finding: listed
                .get(&(c.table, c.row, c.column.as_deref(), c.code.as_str()))
                .copied(),
        });
    }
    errors
}

/// State carried from parent tables to their children while deciding.
struct Carry {
    rejected_keys: Vec<HashSet<Key128>>,
    kept_keys: Vec<HashSet<Key128>>,
    rejected_children: Vec<KeyMap<u64>>,
}

/// Decides the fate of every data row of one return.
/// The recorded physical rows move into the decisions (a million rows are not copied).
pub fn decide(pack: &Pack, result: &InputResult, rec: &mut Recorder, policy: OnError) -> Decisions {
    let errors = errors_by_row(result);
    let missing = missing_required_columns(pack, result);
    let mut carry = Carry {
        rejected_keys: vec![HashSet::new(); pack.lookups.len()],
        kept_keys: vec![HashSet::new(); pack.lookups.len()],
        rejected_children: vec![KeyMap::default(); rec.counts.len()],
    };
    let mut d = Decisions::default();
    for t in 0..pack.tables.len() {
        let fates = decide_table(pack, result, rec, t, policy, &errors, &missing, &mut carry);
        d.fates.push(fates);
        d.rows.push(std::mem::take(&mut rec.tables[t].rows));
    }
    flag_counts(rec, &carry, &mut d);
    d
}

/// Required columns absent from a table's header (VK0003): every row's cell is flagged.
fn missing_required_columns(pack: &Pack, result: &InputResult) -> Vec<Vec<usize>> {
    let mut m = vec![Vec::new(); pack.tables.len()];
    for f in &result.findings {
        if f.code == codes::MISSING_COLUMN && f.severity == Severity::Error && f.location.table < m.len() {
            let t = f.location.table;
            if let Some(c) = f
                .location
                .column
                .as_deref()
                .and_then(|n| pack.tables[t].column_index(n))
            {
                m[t].push(c);
            }
        }
    }
    m
}

#[allow(clippy::too_many_arguments)]
fn decide_table(
    pack: &Pack,
    result: &InputResult,
    rec: &Recorder,
    t: usize,
    policy: OnError,
    errors: &HashMap<(usize, u64), Vec<RowError<'_>>>,
    missing: &[Vec<usize>],
    carry: &mut Carry,
) -> HashMap<usize, Fate> {
    let table = &pack.tables[t];
    let layout = &rec.layouts[t];
    let rows = &rec.tables[t];
    let keys_of_table = key_columns(pack, t);
    // The first kept row of each row hash, to name the row a duplicate copies: needed only when a
    // row of the table has a duplicate key (a million clean rows need none).
    let unique_code = vakt_core::check::kinds::UniqueKind::CODE;
    let duplicates_possible = errors
        .iter()
        .any(|(&(et, _), e)| et == t && e.iter().any(|e| e.code == unique_code));
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut fates = HashMap::new();
    for (i, &row) in rows.rows.iter().enumerate() {
        let key = |role: usize| rows.key(layout, i, role);
        let hash = rows.hashes.get(i).copied().unwrap_or_default();
        let mut flags: Vec<Flag> = missing[t]
            .iter()
            .map(|&c| Flag {
                column: c,
                code: codes::MISSING_COLUMN.into(),
                fix: Fix::Empty,
            })
            .collect();
        let mut reasons = Vec::new();
        for (pi, (lookup, parent, _)) in layout.parents.iter().enumerate() {
            let parent_name = &pack.tables[*parent].name;
            if !result.present[*parent] {
                reasons.push(Reason {
                    code: vakt_core::check::kinds::ForeignKeyKind::CODE.into(),
                    cell: String::new(),
                    message: format!("the table `{parent_name}` is missing from the return"),
                });
            } else if let Some(k) = key(pi) {
                if carry.rejected_keys[*lookup].contains(&k) && !carry.kept_keys[*lookup].contains(&k) {
                    reasons.push(Reason {
                        code: "parent-rejected".into(),
                        cell: String::new(),
                        message: format!("its row in `{parent_name}` was rejected"),
                    });
                }
            }
        }
        let mut duplicate = None;
        for f in errors.get(&(t, row)).into_iter().flatten() {
            let col = f.column.and_then(|n| table.column_index(n));
            // An identifier that fails its official checks is still an identifier: pseudonymised
            // like any other, and flagged.
            let usable_id = f.code == vakt_core::check::kinds::NationalIdKind::CODE;
            match col {
                Some(c) if policy != OnError::Row && usable_id => flags.push(Flag {
                    column: c,
                    code: f.code.clone(),
                    fix: Fix::Keep,
                }),
                Some(c) if policy != OnError::Row && !keys_of_table.contains(&c) => flags.push(Flag {
                    column: c,
                    code: f.code.clone(),
                    fix: if policy == OnError::Keep || f.code == vakt_core::check::kinds::LeakedIdKind::CODE {
                        Fix::Keep
                    } else {
                        Fix::Empty
                    },
                }),
                _ => {
                    if f.code == unique_code {
                        duplicate = duplicate.or(seen.get(&hash).copied());
                    }
                    reasons.push(reason(f));
                }
            }
        }
        let base = layout.parents.len();
        let fate = if let Some(first) = duplicate {
            Some(Fate::Duplicate(first))
        } else if !reasons.is_empty() {
            Some(Fate::Reject(reasons))
        } else {
            if duplicates_possible {
                seen.entry(hash).or_insert(row);
            }
            (!flags.is_empty()).then(|| {
                flags.sort_by(|a, b| (a.column, &a.code).cmp(&(b.column, &b.code)));
                flags.dedup_by(|a, b| a.column == b.column && a.code == b.code);
                Fate::Keep(flags)
            })
        };
        let dropped = matches!(fate, Some(Fate::Reject(_) | Fate::Duplicate(_)));
        for (j, &l) in layout.own.iter().enumerate() {
            if let Some(k) = key(base + j) {
                if dropped {
                    carry.rejected_keys[l].insert(k);
                } else {
                    carry.kept_keys[l].insert(k);
                }
            }
        }
        if dropped {
            let base = base + layout.own.len();
            for (j, &s) in layout.counted.iter().enumerate() {
                if let Some(k) = key(base + j) {
                    *carry.rejected_children[s].entry(k).or_insert(0) += 1;
                }
            }
        }
        if let Some(f) = fate {
            fates.insert(i, f);
        }
    }
    fates
}

/// Flags the count cells whose counted rows were rejected (the count stays as written).
fn flag_counts(rec: &Recorder, carry: &Carry, d: &mut Decisions) {
    for (t, layout) in rec.layouts.iter().enumerate() {
        let base = layout.parents.len() + layout.own.len() + layout.counted.len();
        for (j, &s) in layout.owner.iter().enumerate() {
            let column = rec.counts[s].column;
            for i in 0..d.rows[t].len() {
                let Some(k) = rec.tables[t].key(layout, i, base + j) else {
                    continue;
                };
                if carry.rejected_children[s].get(&k).copied().unwrap_or(0) == 0 {
                    continue;
                }
                let flag = Flag {
                    column,
                    code: rec.counts[s].code.clone(),
                    fix: Fix::Keep,
                };
                match d.fates[t].entry(i).or_insert_with(|| Fate::Keep(Vec::new())) {
                    Fate::Keep(flags) if !flags.iter().any(|f| f.column == column) => {
                        flags.push(flag);
                        flags.sort_by(|a, b| (a.column, &a.code).cmp(&(b.column, &b.code)));
                    }
                    _ => {}
                }
            }
        }
    }
}
