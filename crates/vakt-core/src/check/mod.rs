//! Checking: rule kinds as plugins, and the engine that streams a table's rows through them.
//!
//! A rule kind implements [`RuleKind`]: it documents itself (its doc comment, through
//! [`crate::documented_check`]) and compiles, once per table, into [`RowRule`]s that hold column
//! indices and whatever state they need. The [`Registry`] maps stable codes and names to kinds; the
//! built-in kinds live one per file in [`kinds`]. A program using vakt as a library adds its own kind
//! with [`Registry::with`].
//!
//! Every cell is parsed once per row, before any rule runs, so rules see typed values and a cell
//! that cannot be parsed produces one finding, not one per rule.

pub mod engine;
mod keys;
pub mod kinds;
pub mod plan;
pub mod plugin;
pub mod result;
pub mod sink;
mod split;

pub use plan::{pack_schema, Configure, Configured, CountLink, Entry, Plan};
pub use result::{InputResult, TableRun};
pub use sink::{Collector, Sink};

use crate::finding::CheckInfo;
use crate::pack::{Column, Pack, Table};
use crate::read::{CellRef, RowBuf};
use crate::value::keyhash::{Key128, KeyHash};
use crate::value::{Parsed, Value};

/// A table of the pack, bound to the physical columns of one sheet or CSV file.
pub struct TableSchema<'p> {
    /// The plan the table belongs to.
    pub plan: &'p Plan,
    /// The pack (the plan's).
    pub pack: &'p Pack,
    /// Index of the table in the pack.
    pub table_index: usize,
    /// The table.
    pub table: &'p Table,
    /// For each pack column, the physical column that holds it, if the header named it.
    pub physical: &'p [Option<u32>],
}

impl<'p> TableSchema<'p> {
    /// Columns present in this sheet, with their index in the table.
    pub fn present_columns(&self) -> impl Iterator<Item = (usize, &'p Column)> + '_ {
        self.table
            .columns
            .iter()
            .enumerate()
            .filter(|(i, _)| self.physical[*i].is_some())
    }

    /// Those of `columns` (indices in the table) that this sheet has, in the order given.
    pub fn present(&self, columns: &[usize]) -> Vec<usize> {
        columns
            .iter()
            .copied()
            .filter(|&c| self.physical.get(c).is_some_and(Option::is_some))
            .collect()
    }
}

/// What the engine keeps of a return while its tables stream: the rows of parent tables that later
/// tables refer to (one [`LookupRows`] per relation of the pack).
pub struct ReturnScope {
    /// Per lookup of the plan: the parent rows kept so far.
    pub lookups: Vec<LookupRows>,
    /// The return's own key (the first value in the return-key table), folded and as written.
    pub return_key: Option<(String, String)>,
    /// Distinct return-key values met in the return-key table (more than one: a merged dataset).
    pub return_keys: Vec<String>,
    /// The return's submission date, if the pack names the column.
    pub submitted: Option<crate::value::Date>,
}

/// A parent table's rows as one relation needs them.
#[derive(Default)]
pub struct LookupRows {
    /// Folded key → entry.
    pub keys: crate::value::keyhash::KeyMap<u32>,
    /// The values of the lookup's columns, entry after entry, `width` each (no allocation per
    /// entry: a national return keeps one per group).
    values: crate::chunked::Chunked<Value>,
    width: usize,
    entries: u32,
    /// The parent table was found in the return.
    pub present: bool,
}

impl LookupRows {
    /// Keeps the first row of a key: the values of the lookup's columns in slot order (later rows
    /// of the same key are not kept).
    pub fn keep(&mut self, key: Key128, values: impl ExactSizeIterator<Item = Value>) {
        if let std::collections::hash_map::Entry::Vacant(v) = self.keys.entry(key) {
            v.insert(self.entries);
            self.width = values.len();
            values.for_each(|value| self.values.push(value));
            self.entries = self.entries.saturating_add(1);
        }
    }

    /// The value in `slot` of entry `entry` (`Missing` past the end).
    pub fn value(&self, entry: u32, slot: usize) -> Value {
        let at = (entry as usize).saturating_mul(self.width).saturating_add(slot);
        match self.values.get(at) {
            Some(v) if slot < self.width => *v,
            _ => Value::Missing,
        }
    }

    /// No entry was kept.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }
}

impl ReturnScope {
    /// An empty scope for a new return.
    pub fn new(plan: &Plan) -> ReturnScope {
        ReturnScope {
            lookups: plan.lookups().iter().map(|_| LookupRows::default()).collect(),
            return_key: None,
            return_keys: Vec::new(),
            submitted: None,
        }
    }
}

/// One data row, parsed.
pub struct RowCtx<'a> {
    /// The physical row.
    pub row: &'a RowBuf,
    /// Parsed value of each pack column (missing when the column is absent).
    pub values: &'a [Parsed],
    physical: &'a [Option<u32>],
    /// The return's related rows.
    pub scope: &'a ReturnScope,
    /// For each relation of the table: the entry of the related row, if found.
    pub related: &'a [Option<u32>],
    /// The start of every key of this row: the return it belongs to.
    seed: KeyHash,
    /// The row's key parts, worked out once for all its rules.
    keys: &'a keys::RowKeys,
}

impl<'a> RowCtx<'a> {
    /// A row's context for the rules; `seed` starts every key of the row (its return), `keys`
    /// holds its key parts (reset for this row).
    pub(crate) fn new(
        row: &'a RowBuf,
        values: &'a [Parsed],
        physical: &'a [Option<u32>],
        scope: &'a ReturnScope,
        related: &'a [Option<u32>],
        (seed, keys): (KeyHash, &'a keys::RowKeys),
    ) -> Self {
        RowCtx {
            row,
            values,
            physical,
            scope,
            related,
            seed,
            keys,
        }
    }

    /// The folded, hashed key of some columns, within the row's return; `None` when a part is
    /// blank. With no columns: the return itself (all rows of a table in one return). Each
    /// column of the row is folded and hashed once, however many rules key on it.
    pub fn key(&self, cols: &[usize]) -> Option<Key128> {
        self.keys.key(self.seed, cols, self.row, self.physical)
    }

    /// The row's number in 32 bits, as the rules that remember a first row per key keep it (a
    /// million keys' entries stay 24 bytes). Every reader stops before such a number overflows:
    /// a sheet at row 1,048,576, a CSV file at line `u32::MAX` (`read::limits`).
    pub fn row32(&self) -> u32 {
        u32::try_from(self.row.row).unwrap_or(u32::MAX)
    }

    /// A hash of every cell of the row as written (trimmed): equal for an exact copy of a row.
    pub fn row_hash(&self) -> u64 {
        self.keys.row_hash(self.row)
    }

    /// The physical column of a pack column.
    pub fn physical(&self, col: usize) -> Option<u32> {
        self.physical.get(col).copied().flatten()
    }

    /// The value of a column if it was read without an issue.
    pub fn value(&self, col: usize) -> Value {
        match self.values.get(col) {
            Some(p) if p.issue.is_none() => p.value,
            _ => Value::Missing,
        }
    }

    /// The raw cell of a pack column.
    pub fn cell(&self, col: usize) -> CellRef<'a> {
        match self.physical.get(col).copied().flatten() {
            Some(p) => self.row.get(p as usize),
            None => self.row.get(usize::MAX),
        }
    }

    /// The trimmed text of a pack column's cell.
    pub fn text(&self, col: usize) -> &'a str {
        crate::value::text::trim(self.cell(col).text)
    }
}

/// A kind of rule: the plugin interface.
///
/// A kind reads what it needs from the pack in one of two ways. Column kinds (`range`,
/// `pattern`, ...) read column attributes in [`RuleKind::compile`], once per table and sheet.
/// Entry kinds (`count`, `expression`, ...) take entries of the pack — their own section
/// (`[[table.count]]`, [`RuleKind::section`]) or the generic `[[table.check]]` with `kind = "…"` —
/// in [`RuleKind::configure`], once per run, with their parameters from the TOML.
pub trait RuleKind: Send + Sync {
    /// The kind's code, name and documentation.
    fn info(&self) -> CheckInfo;

    /// The `[[table]]` key whose entries are this kind's (`count`), if it has one.
    fn section(&self) -> Option<&'static str> {
        None
    }

    /// The JSON Schema of an entry's parameters, if the kind takes entries.
    fn params_schema(&self) -> Option<serde_json::Value> {
        None
    }

    /// Whether a `[[table.check]]` entry of this kind names its columns with `columns = [...]`
    /// (plugin kinds do; built-in kinds name theirs in `params`).
    fn takes_columns(&self) -> bool {
        false
    }

    /// Configures one entry of the pack; mistakes go to `cx` (pointing into the TOML) and give
    /// `None`.
    fn configure(&self, entry: &Entry<'_>, cx: &mut Configure<'_, '_>) -> Option<Box<dyn Configured>> {
        cx.error(
            format!("the rule kind `{}` takes no entries", self.info().name),
            Some(entry.span.clone()),
            "here",
            Some("it reads column settings instead; see `vakt explain`".into()),
        );
        None
    }

    /// Row rules of this kind for one table, from column attributes, with columns resolved to
    /// indices. Called once per table and sheet; an empty vector when there is nothing to do.
    fn compile<'p>(&self, _schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        Vec::new()
    }

    /// A rule across the tables of one return, if this kind has one (not per entry). Called once
    /// per return.
    fn return_rule<'p>(&self, _plan: &'p Plan) -> Option<Box<dyn ReturnRule + 'p>> {
        None
    }
}

/// A rule that sees every table of a return: fed every data row of every table (after the row
/// rules), then asked for its findings once the whole return has been read. Like a [`RowRule`],
/// it may observe a large table's rows on another thread than the table's reader.
pub trait ReturnRule: Send {
    /// A data row of table `table`.
    fn observe(&mut self, table: usize, row: &RowCtx<'_>, out: &mut Sink<'_>);
    /// All tables read; `present[t]` says whether table `t` was found in the return. The
    /// collector holds every identifier of the return by now.
    fn finish(&mut self, present: &[bool], out: &mut Collector);
}

/// A compiled rule, fed every data row of one table.
///
/// A rule keeps its own state and reads nothing of other rules: when a run has a core to spare,
/// a large table's rules are shared out between two threads (`check::split`), each rule on one
/// thread at a time, still seeing every row in order, and its findings are put back in the order
/// one thread would have made them.
pub trait RowRule: Send {
    /// Checks one data row; findings go to `out`.
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>);

    /// Called after the last row, for rules that report across rows.
    fn finish(&mut self, _out: &mut Sink<'_>) {}
}

/// A rule kind whose code or name another check already has.
#[derive(Debug, Clone)]
pub struct KindClash {
    /// The kind being added.
    pub kind: CheckInfo,
    /// The check it clashes with.
    pub existing: CheckInfo,
}

impl std::fmt::Display for KindClash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rule kind {} ({}) clashes with {} ({})",
            self.kind.code, self.kind.name, self.existing.code, self.existing.name
        )
    }
}

impl std::error::Error for KindClash {}

/// Maps codes and names to rule kinds, and lists the read/locate checks for `vakt explain`.
pub struct Registry {
    kinds: Vec<Box<dyn RuleKind>>,
}

impl Registry {
    /// The built-in rule kinds.
    pub fn builtin() -> Registry {
        Registry {
            kinds: kinds::builtin(),
        }
    }

    /// Adds a rule kind (a user plugin). Its code and name must not clash with another's.
    pub fn with(mut self, kind: Box<dyn RuleKind>) -> Result<Registry, Box<KindClash>> {
        let info = kind.info();
        if let Some(c) = self
            .all()
            .into_iter()
            .find(|c| c.code == info.code || c.name == info.name)
        {
            return Err(Box::new(KindClash {
                kind: info,
                existing: c,
            }));
        }
        self.kinds.push(kind);
        Ok(self)
    }

    /// The rule kinds, in registration order (the order their findings at one cell keep).
    pub fn kinds(&self) -> &[Box<dyn RuleKind>] {
        &self.kinds
    }

    /// Every documented check: read/locate findings, then rule kinds, by code.
    pub fn all(&self) -> Vec<CheckInfo> {
        let mut v: Vec<CheckInfo> = crate::locate::codes::ALL.to_vec();
        v.push(plugin::PluginFailure::INFO);
        v.extend(self.kinds.iter().map(|k| k.info()));
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// A check by code (`VK0103`, case-insensitive) or name (`range`).
    pub fn find(&self, code_or_name: &str) -> Option<CheckInfo> {
        self.all()
            .into_iter()
            .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name.eq_ignore_ascii_case(code_or_name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let reg = Registry::builtin();
        let all = reg.all();
        for (i, c) in all.iter().enumerate() {
            assert!(c.code.starts_with("VK") && c.code.len() == 6, "{}", c.code);
            assert!(!c.summary().is_empty(), "{} has no documentation", c.code);
            assert!(
                all[i + 1..].iter().all(|o| o.code != c.code && o.name != c.name),
                "{} clashes",
                c.code
            );
        }
        assert_eq!(
            reg.find("vk0103").map(|c| c.name.into_owned()).as_deref(),
            Some("range")
        );
        assert_eq!(
            reg.find("code-list").map(|c| c.code.as_str().to_string()).as_deref(),
            Some("VK0104")
        );
    }

    struct Plugin;
    impl RuleKind for Plugin {
        fn info(&self) -> CheckInfo {
            CheckInfo {
                code: crate::finding::Code::new("VK9001"),
                name: "my-rule".into(),
                doc: " Mine.".into(),
            }
        }
        fn compile<'p>(&self, _: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
            Vec::new()
        }
    }

    #[test]
    fn plugins_register_and_clashes_are_refused() {
        let reg = Registry::builtin().with(Box::new(Plugin)).unwrap();
        assert_eq!(
            reg.find("VK9001").map(|c| c.name.into_owned()).as_deref(),
            Some("my-rule")
        );
        assert!(reg.with(Box::new(Plugin)).is_err());
    }
}

/// Test support: run a small pack over a CSV text and get the findings.
#[cfg(test)]
pub mod testing {
    use super::{Plan, Registry};
    use crate::finding::Finding;
    use crate::pack::Pack;

    /// A pack with one table `t` (file `t.csv`) whose columns are given as TOML `[[table.column]]`
    /// bodies, and a `sex` code list, configured with the built-in kinds.
    pub fn pack(columns: &str, table_extra: &str) -> Plan {
        pack_top("", columns, table_extra)
    }

    /// [`pack`] with more top-level TOML (`[id_types]`, `[return]`) before the table.
    pub fn pack_top(top: &str, columns: &str, table_extra: &str) -> Plan {
        let src = format!(
            "name = \"test\"\nversion = \"1\"\n{top}\n[codelists]\nsex = \"sex.csv\"\n[[table]]\nname = \"t\"\n{table_extra}\n{columns}"
        );
        let pack = Pack::from_source("test.toml", src, &|rel: &str| match rel {
            "sex.csv" => Ok("code,en,no,synonyms\nF,Female,Kvinne,K\nM,Male,Mann,\nU,Unknown,Ukjent,\n".into()),
            other => Err(format!("no file {other}")),
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
        Plan::new(pack, Registry::builtin()).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// A plan from a whole pack's TOML (no code lists).
    pub fn plan(src: &str) -> Plan {
        let pack = Pack::from_source("test.toml", src.to_string(), &|rel: &str| Err(format!("no file {rel}")))
            .unwrap_or_else(|e| panic!("{e:?}"));
        Plan::new(pack, Registry::builtin()).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// Checks a folder return of CSV files (name, text) and returns the findings.
    pub fn run_folder(plan: &Plan, files: &[(&str, &str)]) -> Vec<Finding> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let (_, result) = super::engine::check_path(plan, dir.path());
        result.findings
    }

    /// Checks `csv` (header line first) as `t.csv` and returns the findings.
    pub fn run(plan: &Plan, csv: &str) -> Vec<Finding> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, csv).unwrap();
        let (_, result) = super::engine::check_path(plan, path.to_str().unwrap());
        result.findings
    }

    /// `code@row:column` of each finding, for compact assertions.
    pub fn codes(findings: &[Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| {
                format!(
                    "{}@{}:{}",
                    f.code,
                    f.location.row.unwrap_or(0),
                    f.location.column.as_deref().unwrap_or("-")
                )
            })
            .collect()
    }
}
