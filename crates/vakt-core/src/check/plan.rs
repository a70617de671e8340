//! The plan: a rule pack with its rule entries configured by the registry's rule kinds.
//!
//! A pack defines tables, columns and relations itself; every other key of a `[[table]]` is a
//! section of rule entries that belongs to a rule kind: `[[table.count]]` to the count kind,
//! `[[table.rule]]` to the expression kind, and the generic `[[table.check]]` (with `kind =`) to
//! any kind, built-in or a plugin's. Each kind reads its own parameters from the TOML, with spans,
//! so its mistakes point into the pack like every other; a key no kind takes is an error with a
//! "did you mean". The plan is made once per run; the engine binds it to each return's sheets.
//!
//! ```
//! use vakt_core::check::{Plan, Registry};
//! let registry = Registry::builtin();
//! let plan = Plan::new(vakt_core::pack::Pack::embedded().unwrap(), registry).unwrap();
//! assert_eq!(plan.pack().name, "group-therapy-survey");
//! assert!(plan.entries(2).len() >= 3, "the groups table's rules, counts and more");
//! ```

use super::{Registry, ReturnRule, RowRule, TableSchema};
use crate::expr::{ColumnRef, Ty};
use crate::finding::{CheckInfo, Code, Severity};
use crate::pack::{Errs, Lookup, Pack, PackErrors, RuleSeverity};
use serde::de::DeserializeOwned;
use serde_spanned::Spanned;
use std::ops::Range;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// The generic section every kind takes entries from: `[[table.check]]`.
pub const CHECK_SECTION: &str = "check";

/// A count declared by a pack, as `vakt clean` must know it (to flag a count whose counted rows
/// were rejected).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountLink {
    /// The table holding the count.
    pub owner: usize,
    /// The count column.
    pub column: usize,
    /// The counted table.
    pub table: usize,
    /// The owner's key columns.
    pub key: Vec<usize>,
    /// The counted table's columns matching the key.
    pub matching: Vec<usize>,
    /// The code of the count's findings.
    pub code: Code,
}

/// A configured rule entry: bound to each sheet's columns, and seeing whole returns if it needs to.
pub trait Configured: Send + Sync + std::fmt::Debug {
    /// Row rules for the entry's table, bound to one sheet's columns.
    fn bind<'p>(&'p self, _schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        Vec::new()
    }

    /// A rule across the tables of a return, if the entry needs one.
    fn return_rule<'p>(&'p self, _plan: &'p Plan) -> Option<Box<dyn ReturnRule + 'p>> {
        None
    }

    /// The count this entry declares, if it is one.
    fn count(&self) -> Option<&CountLink> {
        None
    }

    /// Whether the entry compares with the previous period (`vakt check --previous`).
    fn needs_previous(&self) -> bool {
        false
    }

    /// A rule that keeps what the entry needs of the previous period while it is read.
    fn previous_recorder<'p>(&'p self) -> Option<Box<dyn ReturnRule + 'p>> {
        None
    }

    /// The previous period has been read: the entry's comparisons may run.
    fn previous_loaded(&self) {}
}

/// One entry as its kind receives it.
pub struct Entry<'a> {
    /// The table it belongs to.
    pub table: usize,
    /// The section it came from (`count`, or `check`).
    pub section: &'a str,
    /// Its parameters as written: the whole entry for a kind's own section, the `params` table of
    /// a `[[table.check]]`.
    pub params: Option<&'a Spanned<DeValue<'a>>>,
    /// Where the entry is written.
    pub span: Range<usize>,
    /// `code =` of a `[[table.check]]`.
    pub code: Option<Spanned<String>>,
    /// `severity =` of a `[[table.check]]`.
    pub severity: Option<RuleSeverity>,
    /// `columns =` of a `[[table.check]]`, with their spans.
    pub columns: Vec<Spanned<String>>,
}

/// What a kind has while configuring an entry: the pack, the lookups it may extend (values of
/// related rows an expression reads), and a place for its mistakes.
pub struct Configure<'a, 'e> {
    /// The pack being configured.
    pub pack: &'a Pack,
    /// What the engine keeps of parent tables per relation; expressions add the columns they read.
    pub lookups: &'a mut Vec<Lookup>,
    errs: &'a mut Errs<'e>,
    codes: &'a mut Vec<Spanned<String>>,
    checks: &'a mut Vec<CheckInfo>,
    kind_names: &'a [(Code, String)],
}

impl Configure<'_, '_> {
    /// Reports a mistake in the entry, pointing into the TOML.
    pub fn error(&mut self, message: String, span: Option<Range<usize>>, label: &str, help: Option<String>) {
        self.errs.push(message, span, label, help);
    }

    /// Reads the entry's parameters into the kind's own type; mistakes (an unknown key, a wrong
    /// type) are reported with their spans.
    pub fn params<T: DeserializeOwned>(&mut self, entry: &Entry<'_>) -> Option<T> {
        let value = match entry.params {
            Some(v) => v.clone(),
            None => Spanned::new(entry.span.clone(), DeValue::Table(Default::default())),
        };
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(t) => Some(t),
            Err(e) => {
                let span = e.span().or_else(|| Some(entry.span.clone()));
                self.error(
                    format!("[[table.{}]]: {}", entry.section, e.message()),
                    span,
                    "here",
                    None,
                );
                None
            }
        }
    }

    /// The indices of columns named in table `table`; each name that is not a column is reported
    /// (with a "did you mean"), and `None` returned.
    pub fn columns(
        &mut self,
        table: usize,
        names: &[String],
        what: &str,
        span: Option<Range<usize>>,
    ) -> Option<Vec<usize>> {
        crate::pack::columns_of(&self.pack.tables[table], names, what, span, self.errs)
    }

    /// The index of table `name`, or a mistake (with a "did you mean") at `span`.
    pub fn table(&mut self, name: &Spanned<String>, what: &str) -> Option<usize> {
        let pack = self.pack;
        let found = pack.tables.iter().position(|t| &t.name == name.get_ref());
        if found.is_none() {
            let hint = crate::pack::did_you_mean(name.get_ref(), pack.tables.iter().map(|t| t.name.as_str()));
            self.error(
                format!("{what}: no table `{}`{hint}", name.get_ref()),
                Some(name.span()),
                "unknown table",
                None,
            );
        }
        found
    }

    /// The code of an entry's findings: its own (`code =` of a `[[table.check]]`, declared) or the
    /// kind's.
    pub fn code(&mut self, entry: &Entry<'_>, kind_code: impl Into<Code>) -> Code {
        let kind_code = kind_code.into();
        let Some(c) = entry.code.clone() else { return kind_code };
        let table = &self.pack.tables[entry.table].name;
        let name = format!("{}-{}", table, c.get_ref().to_ascii_lowercase());
        let doc = format!(
            " A check of the pack `{}`: its own code for the findings of a `{}` entry on the table `{table}`.\n\n `vakt explain {kind_code}` explains what they mean.\n",
            self.pack.name, self.registry_kind_name(&kind_code)
        );
        self.declare_code(c, name, doc)
    }

    fn registry_kind_name(&self, code: &Code) -> String {
        self.kind_names
            .iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| code.to_string(), |(_, n)| n.clone())
    }

    /// Resolves a column an entry names: `name` in its own table, or `relation.name` in a related
    /// row (its value is then kept as parent rows stream). Reports a mistake at `span`.
    pub fn column_ref(&mut self, table: usize, written: &Spanned<String>, what: &str) -> Option<(ColumnRef, Ty)> {
        let (scope, name) = match written.get_ref().split_once('.') {
            Some((s, n)) => (Some(s), n),
            None => (None, written.get_ref().as_str()),
        };
        let found = super::kinds::expression::resolve_column(self, table, scope, name);
        found
            .map_err(|m| self.error(format!("{what}: {m}"), Some(written.span()), "here", None))
            .ok()
    }

    /// Declares a code of the pack's own (`NH001`) with its name and documentation for
    /// `vakt rules` and `vakt explain`; checked once all entries are configured (not `VK…`, not
    /// another check's, used once).
    pub fn declare_code(&mut self, code: Spanned<String>, name: String, doc: String) -> Code {
        let c = Code::shared(code.get_ref());
        self.checks.push(CheckInfo {
            code: c.clone(),
            name: name.into(),
            doc: doc.into(),
        });
        self.codes.push(code);
        c
    }
}

/// A configured entry with the kind it came from.
#[derive(Debug)]
pub struct PlannedEntry {
    /// Index of the kind in the registry.
    pub kind: usize,
    /// The configured rule.
    pub rule: Box<dyn Configured>,
}

/// A pack with its rule entries configured: what the engine checks returns against.
pub struct Plan {
    pack: Pack,
    registry: Registry,
    entries: Vec<Vec<PlannedEntry>>,
    lookups: Vec<Lookup>,
    /// The pack's own codes, documented.
    checks: Vec<CheckInfo>,
    /// Cores each return may use ([`Plan::share_cores`]).
    cores_per_return: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("pack", &self.pack.name)
            .field("entries", &self.entries)
            .finish()
    }
}

impl Plan {
    /// Says how many cores each return may use: the machine's cores over the returns checked at
    /// once. With two or more, a large table read from CSV shares its rules out between two
    /// threads (see `check::split`); a workbook sheet needs three, as its reader already keeps one
    /// core busy. What a run reports is the same either way. One unless set; always one with
    /// plugins (each plugin process answers one stream in order).
    pub fn share_cores(&self, cores: usize) {
        let cores = if self.pack.plugins.is_empty() { cores.max(1) } else { 1 };
        self.cores_per_return.store(cores, std::sync::atomic::Ordering::Relaxed);
    }

    /// How many returns to check at once when `inputs` are given: one per core, or one at a time
    /// with plugins (each plugin process answers one stream at a time). Shares the cores left
    /// over among the returns ([`Plan::share_cores`]).
    pub fn workers_for(&self, inputs: usize) -> usize {
        let cores = crate::par::cores();
        let workers = if self.pack.plugins.is_empty() { cores } else { 1 };
        self.share_cores(cores / inputs.clamp(1, workers));
        workers
    }

    /// How many cores each return may use (see [`Plan::share_cores`]).
    pub fn cores_per_return(&self) -> usize {
        self.cores_per_return.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many rule entries the pack's tables configure (counts, rules, checks, ...).
    pub fn entry_count(&self) -> usize {
        self.entries.iter().map(Vec::len).sum()
    }

    /// Configures every rule entry of `pack` with the kinds of `registry`; all mistakes at once.
    pub fn new(pack: Pack, registry: Registry) -> Result<Plan, Box<PackErrors>> {
        let source = pack.source.clone();
        let mut errs = Errs::new(&pack.path, &source);
        let doc = match DeTable::parse(&source) {
            Ok(doc) => doc,
            Err(e) => {
                errs.push(e.message().to_string(), e.span(), "here", None);
                return Err(errs.finish());
            }
        };
        let sections = sections(doc.get_ref());
        let mut lookups = pack.lookups.clone();
        let mut codes = Vec::new();
        let mut checks = Vec::new();
        let kind_names: Vec<(Code, String)> = registry
            .kinds()
            .iter()
            .map(|k| (k.info().code, k.info().name.into_owned()))
            .collect();
        let mut entries = Vec::with_capacity(pack.tables.len());
        for (ti, table_sections) in sections.iter().enumerate().take(pack.tables.len()) {
            let mut cx = Configure {
                pack: &pack,
                lookups: &mut lookups,
                errs: &mut errs,
                codes: &mut codes,
                checks: &mut checks,
                kind_names: &kind_names,
            };
            let mut planned = Vec::new();
            for section in table_sections {
                configure_section(&registry, ti, section, &mut cx, &mut planned);
            }
            entries.push(planned);
        }
        check_codes(&registry, &codes, &mut errs);
        if !errs.is_empty() {
            return Err(errs.finish());
        }
        Ok(Plan {
            pack,
            registry,
            entries,
            lookups,
            checks,
            cores_per_return: std::sync::atomic::AtomicUsize::new(1),
        })
    }

    /// The pack.
    pub fn pack(&self) -> &Pack {
        &self.pack
    }

    /// The registry of rule kinds.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The registry, given back (with the plugins' kinds it was given).
    pub fn into_registry(self) -> Registry {
        self.registry
    }

    /// Every check a run of this plan can report, by code: vakt's, the plugins' and the pack's own.
    pub fn checks(&self) -> Vec<CheckInfo> {
        let mut all = self.registry.all();
        all.extend(self.checks.iter().cloned());
        all.sort_by(|a, b| a.code.cmp(&b.code));
        all
    }

    /// A check by code (case-insensitive) or name, among [`Plan::checks`].
    pub fn find(&self, code_or_name: &str) -> Option<CheckInfo> {
        self.checks()
            .into_iter()
            .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name.eq_ignore_ascii_case(code_or_name))
    }

    /// The configured entries of a table.
    pub fn entries(&self, table: usize) -> &[PlannedEntry] {
        self.entries.get(table).map_or(&[], Vec::as_slice)
    }

    /// What the engine keeps of parent tables, per relation.
    pub fn lookups(&self) -> &[Lookup] {
        &self.lookups
    }

    /// Whether any entry compares with the previous period.
    pub fn needs_previous(&self) -> bool {
        self.entries.iter().flatten().any(|e| e.rule.needs_previous())
    }

    /// The rules that keep what the entries need of the previous period (see
    /// [`super::engine::record_previous`]).
    pub fn previous_recorders(&self) -> Vec<Box<dyn ReturnRule + '_>> {
        self.entries
            .iter()
            .flatten()
            .filter_map(|e| e.rule.previous_recorder())
            .collect()
    }

    /// Every previous period has been read: comparisons with it run from now on.
    pub fn previous_loaded(&self) {
        self.entries.iter().flatten().for_each(|e| e.rule.previous_loaded());
    }

    /// Every count the pack declares.
    pub fn counts(&self) -> Vec<&CountLink> {
        self.entries.iter().flatten().filter_map(|e| e.rule.count()).collect()
    }

    /// Row rules of every kind for one table bound to one sheet, kind by kind in registry order
    /// (a kind's column rules, then its entries): findings at one cell keep that order.
    pub fn row_rules<'p>(&'p self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let entries = self.entries(schema.table_index);
        let mut rules = Vec::new();
        for (ki, kind) in self.registry.kinds().iter().enumerate() {
            rules.extend(kind.compile(schema));
            for e in entries.iter().filter(|e| e.kind == ki) {
                rules.extend(e.rule.bind(schema));
            }
        }
        rules
    }

    /// Rules across the tables of one return, kind by kind in registry order.
    pub fn return_rules(&self) -> Vec<Box<dyn ReturnRule + '_>> {
        let mut rules = Vec::new();
        for (ki, kind) in self.registry.kinds().iter().enumerate() {
            rules.extend(kind.return_rule(self));
            let of_kind = self.entries.iter().flatten().filter(|e| e.kind == ki);
            rules.extend(of_kind.filter_map(|e| e.rule.return_rule(self)));
        }
        rules
    }
}

/// The JSON Schema of the whole pack format with `registry`'s kinds: the format's own keys, each
/// kind's section (`[[table.count]]`) and the generic `[[table.check]]` with each kind's `params`.
pub fn pack_schema(registry: &Registry) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let mut root = crate::pack::json_schema();
    let mut defs = root
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut sections = Map::new();
    let mut kinds = Vec::new();
    let mut params_by_kind = Vec::new();
    for kind in registry.kinds() {
        let Some(mut schema) = kind.params_schema() else {
            continue;
        };
        // A plugin's schema may have no title: its kind's name then names the definition.
        let title = match schema.get("title").and_then(Value::as_str) {
            Some(t) => t.to_string(),
            None => format!("{}-params", kind.info().name),
        };
        if let Some(obj) = schema.as_object_mut() {
            obj.remove("$schema");
            if let Some(Value::Object(inner)) = obj.remove("$defs") {
                defs.extend(inner);
            }
        }
        let description = schema.get("description").cloned().unwrap_or(Value::Null);
        defs.insert(title.clone(), schema);
        let reference = json!({ "$ref": format!("#/$defs/{title}") });
        if let Some(section) = kind.section() {
            sections.insert(
                section.into(),
                json!({ "description": description, "type": "array", "items": reference }),
            );
        }
        let name = kind.info().name.into_owned();
        params_by_kind.push(json!({
            "if": { "properties": { "kind": { "const": name } } },
            "then": { "properties": { "params": reference } }
        }));
        kinds.push(name);
    }
    defs.insert("CheckEntry".into(), check_entry_schema(&kinds, params_by_kind));
    sections.insert(
        CHECK_SECTION.into(),
        json!({
            "description": "Rule entries of any kind, built-in or a plugin's, by `kind`.",
            "type": "array",
            "items": { "$ref": "#/$defs/CheckEntry" }
        }),
    );
    if let Some(Value::Object(table)) = defs.get_mut("TableSpec") {
        if let Some(Value::Object(props)) = table.get_mut("properties") {
            props.extend(sections);
        }
        table.insert("additionalProperties".into(), Value::Bool(false));
    }
    if let Some(obj) = root.as_object_mut() {
        obj.insert("$defs".into(), Value::Object(defs));
    }
    root
}

fn check_entry_schema(kinds: &[String], params_by_kind: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({
        "description": "A rule entry of any kind: `[[table.check]]`.",
        "type": "object",
        "properties": {
            "kind": { "description": "The rule kind (`vakt rules` lists them).", "enum": kinds },
            "code": { "description": "A code of the pack's own for its findings (`NH001`).", "type": "string" },
            "severity": { "$ref": "#/$defs/RuleSeverity" },
            "columns": { "description": "Columns the entry applies to.", "type": "array", "items": { "type": "string" } },
            "params": { "description": "The kind's parameters.", "type": "object" }
        },
        "required": ["kind"],
        "additionalProperties": false,
        "allOf": params_by_kind
    })
}

/// The severity of a finding from a pack's `severity`.
pub fn severity(s: RuleSeverity) -> Severity {
    match s {
        RuleSeverity::Error => Severity::Error,
        RuleSeverity::Warning => Severity::Warning,
        RuleSeverity::Info => Severity::Info,
    }
}

/// A `[[table]]` key the pack format does not define itself: a section of rule entries.
struct RawSection<'a> {
    key: &'a str,
    key_span: Range<usize>,
    /// Each entry with its span; a section written as one table is one entry.
    entries: Vec<&'a Spanned<DeValue<'a>>>,
}

/// Per `[[table]]`, in order: its sections of rule entries.
fn sections<'a>(doc: &'a DeTable<'a>) -> Vec<Vec<RawSection<'a>>> {
    let Some(DeValue::Array(tables)) = doc.get("table").map(|t| t.get_ref()) else {
        return Vec::new();
    };
    let of_table = |t: &'a Spanned<DeValue<'a>>| {
        let DeValue::Table(fields) = t.get_ref() else {
            return Vec::new();
        };
        fields
            .iter()
            .filter(|(k, _)| !crate::pack::TABLE_KEYS.contains(&k.get_ref().as_ref()))
            .map(|(k, v)| RawSection {
                key: k.get_ref().as_ref(),
                key_span: k.span(),
                entries: match v.get_ref() {
                    DeValue::Array(items) => items.iter().collect(),
                    _ => vec![v],
                },
            })
            .collect()
    };
    tables.iter().map(of_table).collect()
}

/// The fields of a `[[table.check]]` entry besides the kind's parameters.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckEntry {
    kind: Spanned<String>,
    #[serde(default)]
    code: Option<Spanned<String>>,
    #[serde(default)]
    severity: Option<RuleSeverity>,
    #[serde(default)]
    columns: Vec<Spanned<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    params: Option<serde::de::IgnoredAny>,
}

fn configure_section(
    registry: &Registry,
    table: usize,
    section: &RawSection<'_>,
    cx: &mut Configure<'_, '_>,
    out: &mut Vec<PlannedEntry>,
) {
    if section.key == CHECK_SECTION {
        for &raw in &section.entries {
            configure_check_entry(registry, table, raw, cx, out);
        }
        return;
    }
    let Some(kind) = registry.kinds().iter().position(|k| k.section() == Some(section.key)) else {
        let known: Vec<&str> = crate::pack::TABLE_KEYS
            .iter()
            .copied()
            .chain([CHECK_SECTION])
            .chain(registry.kinds().iter().filter_map(|k| k.section()))
            .collect();
        let hint = crate::pack::did_you_mean(section.key, known.iter().copied());
        cx.error(
            format!("unknown field `{}` in a [[table]]{hint}", section.key),
            Some(section.key_span.clone()),
            "unknown field",
            Some(format!("a [[table]] takes: {}", known.join(", "))),
        );
        return;
    };
    for &raw in &section.entries {
        let entry = Entry {
            table,
            section: section.key,
            params: Some(raw),
            span: raw.span(),
            code: None,
            severity: None,
            columns: Vec::new(),
        };
        if let Some(rule) = registry.kinds()[kind].configure(&entry, cx) {
            out.push(PlannedEntry { kind, rule });
        }
    }
}

fn configure_check_entry(
    registry: &Registry,
    table: usize,
    raw: &Spanned<DeValue<'_>>,
    cx: &mut Configure<'_, '_>,
    out: &mut Vec<PlannedEntry>,
) {
    let bare = Entry {
        table,
        section: CHECK_SECTION,
        params: Some(raw),
        span: raw.span(),
        code: None,
        severity: None,
        columns: Vec::new(),
    };
    let Some(head) = cx.params::<CheckEntry>(&bare) else {
        return;
    };
    let Some(kind) = registry
        .kinds()
        .iter()
        .position(|k| k.info().name == head.kind.get_ref().as_str())
    else {
        let names: Vec<String> = registry.kinds().iter().map(|k| k.info().name.into_owned()).collect();
        let hint = crate::pack::did_you_mean(head.kind.get_ref(), names.iter().map(String::as_str));
        cx.error(
            format!("[[table.check]]: no rule kind `{}`{hint}", head.kind.get_ref()),
            Some(head.kind.span()),
            "unknown kind",
            Some("`vakt rules` lists the kinds".into()),
        );
        return;
    };
    if let (false, Some(first)) = (registry.kinds()[kind].takes_columns(), head.columns.first()) {
        cx.error(
            format!(
                "[[table.check]]: the kind `{}` takes its columns in `params`",
                head.kind.get_ref()
            ),
            Some(first.span()),
            "not here",
            Some("`vakt explain` shows its params".into()),
        );
        return;
    }
    let params = match raw.get_ref() {
        DeValue::Table(t) => t.iter().find(|(k, _)| k.get_ref() == "params").map(|(_, v)| v),
        _ => None,
    };
    let entry = Entry {
        table,
        section: CHECK_SECTION,
        params,
        span: raw.span(),
        code: head.code,
        severity: head.severity,
        columns: head.columns,
    };
    if let Some(rule) = registry.kinds()[kind].configure(&entry, cx) {
        out.push(PlannedEntry { kind, rule });
    }
}

/// A pack's own codes: a letter first, then letters, digits, `_` or `-`; not `VK…` (vakt's); not a
/// built-in's; each used once.
fn check_codes(registry: &Registry, codes: &[Spanned<String>], errs: &mut Errs<'_>) {
    let builtin: Vec<String> = registry.all().iter().map(|c| c.code.to_string()).collect();
    for (i, c) in codes.iter().enumerate() {
        let code = c.get_ref();
        let well_formed = code.len() <= 16
            && code.chars().next().is_some_and(|f| f.is_ascii_uppercase())
            && code
                .chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_' || ch == '-');
        let why = if !well_formed {
            Some("a code is 2 to 16 capital letters, digits, `_` or `-`, starting with a letter (`NH001`)")
        } else if code.len() < 2 {
            Some("a code has at least 2 characters")
        } else if code.starts_with("VK") {
            Some("codes starting with VK are vakt's own; choose a prefix of your own (`NH001`)")
        } else if builtin.contains(code) {
            Some("this code is a rule kind's (a plugin's); choose another")
        } else if codes[..i].iter().any(|o| o.get_ref() == code) {
            Some("this code is already used by another rule of the pack")
        } else {
            None
        };
        if let Some(why) = why {
            errs.push(format!("code `{code}`: {why}"), Some(c.span()), "this code", None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_errors(table_extra: &str) -> Vec<(String, String)> {
        let src = format!(
            "name = \"t\"\nversion = \"1\"\n[[table]]\nname = \"g\"\n[[table.column]]\nname = \"id\"\ntype = \"text\"\n[[table.column]]\nname = \"n\"\ntype = \"integer\"\n[[table]]\nname = \"p\"\n{table_extra}[[table.column]]\nname = \"gid\"\ntype = \"text\"\n"
        );
        let pack =
            Pack::from_source("t.toml", src.clone(), &|_: &str| Err("none".into())).unwrap_or_else(|e| panic!("{e:?}"));
        let registry = Registry::builtin();
        match Plan::new(pack, registry) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .errors
                .iter()
                .map(|e| {
                    let at = e
                        .span
                        .map_or(String::new(), |s| src[s.offset()..s.offset() + s.len()].to_string());
                    (e.message.clone(), at)
                })
                .collect(),
        }
    }

    #[test]
    fn an_unknown_table_key_is_an_error_with_a_suggestion_at_the_key() {
        let errs = plan_errors("sheetz = []\n");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].0.contains("unknown field `sheetz`"), "{errs:?}");
        assert!(errs[0].0.contains("did you mean `sheets`"), "{errs:?}");
        assert_eq!(errs[0].1, "sheetz");
    }

    #[test]
    fn a_kind_reads_its_own_section_and_reports_unknown_parameters() {
        assert_eq!(
            plan_errors("[[table.consistent]]\nkey = [\"gid\"]\ncolumns = [\"gid\"]\n"),
            vec![]
        );
        let errs = plan_errors("[[table.consistent]]\nkey = [\"gid\"]\ncolumn = [\"gid\"]\n");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].0.contains("unknown field `column`"), "{errs:?}");
        assert_eq!(errs[0].1, "column");
    }

    #[test]
    fn a_check_entry_names_a_kind_and_its_code_is_the_packs_own() {
        let ok = "[[table.check]]\nkind = \"consistency\"\ncode = \"NH001\"\nparams = { key = [\"gid\"], columns = [\"gid\"] }\n";
        assert_eq!(plan_errors(ok), vec![]);
        let errs = plan_errors("[[table.check]]\nkind = \"consistancy\"\n");
        assert!(
            errs[0]
                .0
                .contains("no rule kind `consistancy`; did you mean `consistency`"),
            "{errs:?}"
        );
        assert_eq!(errs[0].1, "\"consistancy\"");
        let errs = plan_errors(
            "[[table.rule]]\nname = \"a\"\nassert = 'gid != \"x\"'\nmessage = \"m\"\ncode = \"VK0999\"\n[[table.rule]]\nname = \"b\"\nassert = 'gid != \"y\"'\nmessage = \"m\"\ncode = \"NH1\"\n[[table.rule]]\nname = \"c\"\nassert = 'gid != \"z\"'\nmessage = \"m\"\ncode = \"NH1\"\n",
        );
        let messages: Vec<&str> = errs.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(errs.len(), 2, "{messages:?}");
        assert!(messages[0].contains("vakt's own"), "{messages:?}");
        assert!(messages[1].contains("already used"), "{messages:?}");
        assert_eq!(errs[1].1, "\"NH1\"");
    }

    #[test]
    fn a_count_must_count_into_a_number_with_matching_keys() {
        let base = "[[table.count]]\ncolumn = \"n\"\ntable = \"p\"\nkey = [\"id\"]\nmatching = [\"gid\"]\n";
        assert_eq!(plan_errors(&base.replace("[[table.count]]", "[[table.zzz]]")).len(), 1);
        // The count entry belongs to the first table (`g`) only when written there.
        let in_g = |entry: &str| {
            let src = format!(
                "name = \"t\"\nversion = \"1\"\n[[table]]\nname = \"g\"\n{entry}[[table.column]]\nname = \"id\"\ntype = \"text\"\n[[table.column]]\nname = \"n\"\ntype = \"integer\"\n[[table]]\nname = \"p\"\n[[table.column]]\nname = \"gid\"\ntype = \"text\"\n"
            );
            let pack = Pack::from_source("t.toml", src, &|_: &str| Err("none".into())).unwrap();
            let registry = Registry::builtin();
            Plan::new(pack, registry)
                .map(|p| p.counts().len())
                .map_err(|e| e.errors[0].message.clone())
        };
        assert_eq!(in_g(base), Ok(1));
        assert!(in_g(&base.replace("\"n\"", "\"id\""))
            .unwrap_err()
            .contains("integer column"));
        assert!(in_g(&base.replace("matching = [\"gid\"]", "matching = []"))
            .unwrap_err()
            .contains("same length"));
        assert!(in_g(&base.replace("\"p\"", "\"q\""))
            .unwrap_err()
            .contains("no table `q`"));
    }

    #[test]
    fn a_check_entry_code_is_the_code_of_its_findings_for_every_entry_kind() {
        use crate::check::testing::{codes, pack, run};
        let columns =
            "[[table.column]]\nname = \"id\"\ntype = \"text\"\n[[table.column]]\nname = \"y\"\ntype = \"integer\"\n";
        let entries = "[[table.check]]\nkind = \"consistency\"\ncode = \"NH-SAME\"\nparams = { key = [\"id\"], columns = [\"y\"] }\n[[table.check]]\nkind = \"cardinality\"\ncode = \"NH-ONE\"\nparams = { name = \"one\", key = [\"id\"], when = \"y > 0\", max = 1, column = \"y\" }\n";
        let plan = pack(columns, entries);
        let found = codes(&run(&plan, "id,y\nA,1\nA,2\n"));
        assert_eq!(found, vec!["NH-SAME@3:id", "NH-ONE@3:y"]);
        // A count, across two tables of a folder return.
        let src = "name = \"t\"\nversion = \"1\"\n[[table]]\nname = \"g\"\n[[table.check]]\nkind = \"count\"\ncode = \"NH-N\"\nparams = { column = \"n\", table = \"p\", key = [\"id\"], matching = [\"gid\"] }\n[[table.column]]\nname = \"id\"\ntype = \"text\"\n[[table.column]]\nname = \"n\"\ntype = \"integer\"\n[[table]]\nname = \"p\"\n[[table.column]]\nname = \"gid\"\ntype = \"text\"\n";
        let pack = Pack::from_source("t.toml", src.into(), &|_: &str| Err("none".into())).unwrap();
        let registry = Registry::builtin();
        let plan = Plan::new(pack, registry).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("g.csv"), "id,n\nG1,2\n").unwrap();
        std::fs::write(dir.path().join("p.csv"), "gid\nG1\n").unwrap();
        let (_, result) = crate::check::engine::check_path(&plan, dir.path());
        let counts: Vec<&str> = result
            .findings
            .iter()
            .filter(|f| f.location.row == Some(2))
            .map(|f| f.code.as_str())
            .collect();
        assert_eq!(counts, vec!["NH-N"]);
    }
}
