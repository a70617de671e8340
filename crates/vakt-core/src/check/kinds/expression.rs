//! The expression kind: row rules written in the pack's expression language (`[[table.rule]]`).

use crate::check::plan::{severity, Configure, Configured, Entry, Plan};
use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::expr::{self, ColumnRef, Env, Schema, Ty, Val};
use crate::finding::{CheckInfo, Code};
use crate::pack::{did_you_mean, CodeList, ColumnType, Lookup, Relation, RuleSeverity, Table};
use crate::value::Value;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;
use std::cell::RefCell;

documented_check! {
    /// A row rule of the pack does not hold: a relation between fields of a row, of a row and its
    /// related rows, or of a row and the return's own row (its reporting period, say).
    ///
    /// Rules are written in the pack with an optional `when`, an `assert`, a message template, a
    /// severity and, optionally, a code of their own:
    ///
    /// ```toml
    /// [[table.rule]]
    /// name = "end-after-start"
    /// assert = "end_date >= start_date"
    /// message = "end_date {end_date} is before start_date {start_date}"
    ///
    /// [[table.rule]]
    /// name = "age"
    /// when = "birth_year is not null"
    /// assert = "year(report.period_end) - birth_year in 16..100"
    /// message = "born {birth_year}: age at the reference date is outside 16..100"
    /// column = "birth_year"
    /// ```
    ///
    /// The language: comparisons `== != < <= > >=`, `and`, `or`, `not`, arithmetic `+ - * /`,
    /// `x in [a, b]`, `x in 16..100`, `x is null`, `x is not null`, `text contains "DPS"`, dates
    /// (`date - date` is days, `date + 30`), `attr(code_column, "attribute")` for a code list's
    /// extra column, related rows by relation name (`clinic.opened`,
    /// `report.period_end`), `matches(text, "regex")` (the whole text; compiled when the
    /// pack loads), and a library of functions for dates, text, numbers and identifiers
    /// (`months_between`, `lower`, `round`, `coalesce`, `birth_year_fits`, ...): `vakt explain
    /// functions` lists them, each with an example. Text compares ignoring case (Unicode: `Bodø`
    /// equals `BODØ`) and surrounding spaces, in `==`, `<` and `in` alike; a date moved out of the
    /// years 1 to 9999 is unknown. Strings compared with a code column are resolved in its code
    /// list when the pack loads: a code that does not exist is a pack error, as are unknown columns
    /// and type errors, each pointing into the TOML.
    ///
    /// A missing value makes a comparison unknown, and an unknown `assert` passes: missing values
    /// are VK0101's business.
    pub struct ExpressionKind => "VK0201", "expression";
}

/// A row rule written in the expression language (docs/rules.md): `[[table.rule]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleParams {
    /// Short name, shown in messages and `--format json` help.
    pub name: String,
    /// The rule applies only to rows where this is true.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub when: Option<Spanned<String>>,
    /// What must hold; a row where it is false gets a finding.
    #[schemars(with = "String")]
    pub assert: Spanned<String>,
    /// The finding's message; `{column}` and `{relation.column}` are replaced by values.
    pub message: String,
    /// The message in Norwegian, with the same placeholders (shown with `--lang nb` and in the
    /// feedback workbook; without it the message is shown as written).
    #[serde(default)]
    pub message_no: Option<String>,
    /// Help shown with the finding.
    #[serde(default)]
    pub help: Option<String>,
    /// The help in Norwegian.
    #[serde(default)]
    pub help_no: Option<String>,
    /// `error` (default), `warning` or `info`.
    #[serde(default)]
    pub severity: RuleSeverity,
    /// The column whose cell the finding points at (default: the first column the assert reads).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub column: Option<Spanned<String>>,
    /// A code of your own for the finding (default VK0201), e.g. `NH001`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub code: Option<Spanned<String>>,
}

/// A compiled row rule.
#[derive(Debug)]
pub struct Rule {
    /// The rule's name.
    pub name: String,
    /// The code of its findings (VK0201, or the pack's own).
    pub code: Code,
    /// The rows it applies to.
    pub when: Option<expr::Expr>,
    /// What must hold.
    pub assert: expr::Expr,
    /// The message template.
    pub message: String,
    /// The message template in Norwegian.
    pub message_no: Option<String>,
    /// Help shown with the finding.
    pub help: Option<String>,
    /// The help in Norwegian.
    pub help_no: Option<String>,
    /// How serious a finding is.
    pub severity: RuleSeverity,
    /// The column whose cell the finding points at.
    pub column: usize,
}

impl RuleKind for ExpressionKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn section(&self) -> Option<&'static str> {
        Some("rule")
    }

    fn params_schema(&self) -> Option<serde_json::Value> {
        serde_json::to_value(schemars::schema_for!(RuleParams)).ok()
    }

    fn configure(&self, entry: &Entry<'_>, cx: &mut Configure<'_, '_>) -> Option<Box<dyn Configured>> {
        let mut p: RuleParams = cx.params(entry)?;
        if let Some(c) = entry.code.clone() {
            p.code = Some(c);
        }
        if let Some(s) = entry.severity {
            p.severity = s;
        }
        configure_rule(entry.table, p, cx).map(|r| Box::new(r) as Box<dyn Configured>)
    }
}

/// The expression type of a column.
pub fn ty_of(column: &crate::pack::Column) -> Ty {
    match column.ty {
        ColumnType::Integer | ColumnType::Decimal | ColumnType::Minutes => Ty::Number,
        ColumnType::Date => Ty::Date,
        ColumnType::Boolean => Ty::Bool,
        ColumnType::Text => Ty::Text,
        ColumnType::Code | ColumnType::Icd10 => column.codelist.map_or(Ty::Text, Ty::Code),
    }
}

/// Byte range of an expression error inside the TOML: the string starts one byte after its quote.
pub(super) fn inner_span(s: &Spanned<String>, e: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let base = s.span().start + 1;
    (base + e.start).min(s.span().end)..(base + e.end).min(s.span().end)
}

/// Runs `f` with the names and types an expression of table `table` may use.
fn with_schema<R>(cx: &mut Configure<'_, '_>, table: usize, f: impl FnOnce(&ExprSchema<'_>) -> R) -> R {
    let pack = cx.pack;
    let lookups = RefCell::new(&mut *cx.lookups);
    let schema = ExprSchema {
        tables: &pack.tables,
        table,
        relations: &pack.tables[table].relations,
        codelists: &pack.codelists,
        lookups: &lookups,
    };
    f(&schema)
}

/// Resolves `name` or `scope.name` as an expression would read it (see [`Configure::column_ref`]).
pub(crate) fn resolve_column(
    cx: &mut Configure<'_, '_>,
    table: usize,
    scope: Option<&str>,
    name: &str,
) -> Result<(ColumnRef, Ty), String> {
    with_schema(cx, table, |schema| schema.column(scope, name))
}

/// Compiles one expression of an entry against table `table`; a mistake is reported into the TOML.
pub(super) fn compile_in(
    table: usize,
    what: &str,
    source: &Spanned<String>,
    cx: &mut Configure<'_, '_>,
) -> Option<expr::Expr> {
    let compiled = with_schema(cx, table, |schema| expr::compile(source.get_ref(), schema));
    match compiled {
        Ok(e) => Some(e),
        Err(e) => {
            cx.error(
                format!("{what}: {}", e.message),
                Some(inner_span(source, &e.span)),
                "here",
                None,
            );
            None
        }
    }
}

fn configure_rule(ti: usize, r: RuleParams, cx: &mut Configure<'_, '_>) -> Option<Rule> {
    let what = format!("rule `{}`", r.name);
    let when = r.when.as_ref().map(|w| compile_in(ti, &what, w, cx));
    let assert = compile_in(ti, &what, &r.assert, cx);
    let (Some(assert), Some(when)) = (assert, when.map_or(Some(None), |w| w.map(Some))) else {
        return None;
    };
    let table = &cx.pack.tables[ti];
    let column = match &r.column {
        Some(c) => match table.column_index(c.get_ref()) {
            Some(i) => i,
            None => {
                let message = format!("{what}: `{}` is not a column of `{}`", c.get_ref(), table.name);
                cx.error(message, Some(c.span()), "here", None);
                return None;
            }
        },
        None => {
            let mut cols = Vec::new();
            assert.columns(&mut cols);
            match cols.iter().find(|c| c.relation.is_none()) {
                Some(c) => c.column,
                None => {
                    let message = format!("{what}: say which cell to report with `column = \"...\"`");
                    cx.error(message, Some(r.assert.span()), "reads no column of its own table", None);
                    return None;
                }
            }
        }
    };
    check_placeholders(ti, &r, cx);
    let code = match r.code.clone() {
        Some(c) => {
            let doc = rule_doc(&cx.pack.name, &cx.pack.tables[ti].name, &r);
            cx.declare_code(c, r.name.clone(), doc)
        }
        None => Code::new(ExpressionKind::CODE),
    };
    Some(Rule {
        name: r.name,
        code,
        when,
        assert,
        message: r.message,
        message_no: r.message_no,
        help: r.help,
        help_no: r.help_no,
        severity: r.severity,
        column,
    })
}

/// The documentation of a pack rule with a code of its own, from the rule itself.
fn rule_doc(pack: &str, table: &str, r: &RuleParams) -> String {
    let mut doc = format!(
        " {}\n\n A row rule of the pack `{pack}` on the table `{table}` (an expression, VK0201).\n\n",
        r.message
    );
    if let Some(w) = &r.when {
        doc.push_str(&format!(" Applies when: `{}`\n\n", w.get_ref()));
    }
    doc.push_str(&format!(" Must hold: `{}`\n", r.assert.get_ref()));
    if let Some(h) = &r.help {
        doc.push_str(&format!("\n {h}\n"));
    }
    doc
}

/// Every `{column}` and `{relation.column}` of the message names a column.
fn check_placeholders(ti: usize, r: &RuleParams, cx: &mut Configure<'_, '_>) {
    let mistakes: Vec<String> = with_schema(cx, ti, |schema| {
        let mut mistakes = Vec::new();
        for p in placeholders(&r.message)
            .into_iter()
            .chain(r.message_no.as_deref().map(placeholders).unwrap_or_default())
        {
            let (scope, name) = match p.split_once('.') {
                Some((s, n)) => (Some(s), n),
                None => (None, p),
            };
            if let Err(m) = schema.column(scope, name) {
                mistakes.push(format!("rule `{}`: message placeholder {{{p}}}: {m}", r.name));
            }
        }
        mistakes
    });
    for m in mistakes {
        cx.error(m, Some(r.assert.span()), "in this rule", None);
    }
}

/// The `{name}` placeholders of a message template.
pub fn placeholders(message: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        out.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    out
}

impl Configured for Rule {
    fn bind<'p>(&'p self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        // A rule reading a column the sheet lacks cannot be evaluated: VK0003 already says so.
        let mut cols = Vec::new();
        self.assert.columns(&mut cols);
        if let Some(w) = &self.when {
            w.columns(&mut cols);
        }
        if !cols
            .iter()
            .all(|c| c.relation.is_some() || schema.physical[c.column].is_some())
        {
            return Vec::new();
        }
        vec![Box::new(ExpressionRule {
            plan: schema.plan,
            table: schema.table,
            rule: self,
            kept_when: RefCell::new(vec![None; self.when.as_ref().map_or(0, |w| w.cache_slots)]),
            kept_assert: RefCell::new(vec![None; self.assert.cache_slots]),
        })]
    }
}

struct ExpressionRule<'p> {
    plan: &'p Plan,
    table: &'p Table,
    rule: &'p Rule,
    /// The values its `when` and its `assert` worked out from a related row alone, with the
    /// related row they are of ([`Kept`]).
    kept_when: RefCell<Vec<Option<(u32, Val<'static>)>>>,
    kept_assert: RefCell<Vec<Option<(u32, Val<'static>)>>>,
}

impl RowRule for ExpressionRule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let env = RowEnv { row, table: self.table };
        let rule = self.rule;
        if let Some(w) = &rule.when {
            let when = Kept {
                env: &env,
                kept: &self.kept_when,
            };
            if !matches!(w.eval(&when), Val::Bool(true)) {
                return;
            }
        }
        let assert = Kept {
            env: &env,
            kept: &self.kept_assert,
        };
        if !matches!(rule.assert.eval(&assert), Val::Bool(false)) {
            return;
        }
        let message = crate::i18n::Said {
            en: render(&rule.message, self.plan, self.table, row, out),
            nb: rule
                .message_no
                .as_ref()
                .map(|m| render(m, self.plan, self.table, row, out)),
        };
        let help = rule.help.clone().map(|en| crate::i18n::Said {
            nb: rule
                .help_no
                .clone()
                .or_else(|| rule.message_no.as_ref().map(|_| en.clone())),
            en,
        });
        out.cell(
            rule.code.clone(),
            severity(rule.severity),
            row,
            rule.column,
            message,
            help,
        );
    }
}

/// Names and types an expression may use: its table's columns, related tables' columns (by
/// relation), code literals of code columns. Reading a related column adds it to the relation's
/// lookup, so the engine keeps that value of each parent row.
pub(super) struct ExprSchema<'a> {
    pub tables: &'a [Table],
    pub table: usize,
    pub relations: &'a [Relation],
    pub codelists: &'a [CodeList],
    pub lookups: &'a RefCell<&'a mut Vec<Lookup>>,
}

impl Schema for ExprSchema<'_> {
    fn column(&self, scope: Option<&str>, name: &str) -> Result<(ColumnRef, Ty), String> {
        let own = &self.tables[self.table];
        match scope {
            None => {
                let i = own.column_index(name).ok_or_else(|| {
                    format!(
                        "`{name}` is not a column of `{}`{}",
                        own.name,
                        did_you_mean(name, own.columns.iter().map(|c| c.name.as_str()))
                    )
                })?;
                Ok((
                    ColumnRef {
                        scope: None,
                        column: i,
                        relation: None,
                        slot: 0,
                    },
                    ty_of(&own.columns[i]),
                ))
            }
            Some(s) => {
                let ri = self.relations.iter().position(|r| r.name == s).ok_or_else(|| {
                    format!(
                        "`{s}` is not a relation of `{}` (relations: {})",
                        own.name,
                        self.relations
                            .iter()
                            .map(|r| r.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
                let rel = &self.relations[ri];
                let parent = &self.tables[rel.table];
                let ci = parent.column_index(name).ok_or_else(|| {
                    format!(
                        "`{name}` is not a column of `{}`{}",
                        parent.name,
                        did_you_mean(name, parent.columns.iter().map(|c| c.name.as_str()))
                    )
                })?;
                let ty = ty_of(&parent.columns[ci]);
                if ty == Ty::Text {
                    return Err(format!(
                        "`{s}.{name}` is text; related rows keep only typed values (numbers, dates, codes)"
                    ));
                }
                let mut lookups = self.lookups.borrow_mut();
                let cols = &mut lookups[rel.lookup].columns;
                let slot = cols.iter().position(|&c| c == ci).unwrap_or_else(|| {
                    cols.push(ci);
                    cols.len() - 1
                });
                Ok((
                    ColumnRef {
                        scope: Some(s.to_string()),
                        column: ci,
                        relation: Some(ri),
                        slot,
                    },
                    ty,
                ))
            }
        }
    }

    fn code(&self, list: usize, literal: &str) -> Result<u32, String> {
        let cl = &self.codelists[list];
        cl.lookup(literal, &mut String::new()).ok_or_else(|| {
            let hint = cl
                .suggest(literal)
                .map(|s| format!("; did you mean {}?", s.code))
                .unwrap_or_default();
            format!("`{literal}` is not in the code list `{}`{hint}", cl.name)
        })
    }

    fn code_names(&self, list: usize) -> Vec<String> {
        self.codelists
            .get(list)
            .map(|l| l.entries.iter().map(|e| e.code.clone()).collect())
            .unwrap_or_default()
    }

    fn attr_map(&self, column_ty: Ty, attribute: &str, target: usize) -> Result<Vec<Option<u32>>, String> {
        let Ty::Code(src) = column_ty else {
            return Err("attr() needs a code column".into());
        };
        let source = &self.codelists[src];
        if !source.entries.iter().any(|e| e.extra.contains_key(attribute)) {
            return Err(format!("the code list `{}` has no column `{attribute}`", source.name));
        }
        let tl = &self.codelists[target];
        Ok(source
            .entries
            .iter()
            .map(|e| e.extra.get(attribute).and_then(|v| tl.lookup(v, &mut String::new())))
            .collect())
    }
}

/// Column values of one row (and its related rows) for the evaluator.
pub struct RowEnv<'r, 'a> {
    /// The row.
    pub row: &'r RowCtx<'a>,
    /// Its table.
    pub table: &'r Table,
}

/// A parsed cell value as the evaluator sees it; `text` gives a text cell's text.
pub fn to_val<'a>(v: Value, text: impl FnOnce() -> &'a str) -> Val<'a> {
    match v {
        Value::Missing => Val::Null,
        Value::Int(i) => Val::Num(i as f64),
        Value::Num(n) => Val::Num(n),
        Value::Date(d) => Val::Date(d.0),
        Value::Bool(b) => Val::Bool(b),
        Value::Code(c) => Val::Code(c),
        Value::Text => Val::Text(std::borrow::Cow::Borrowed(text())),
    }
}

impl<'a> Env<'a> for RowEnv<'_, 'a> {
    fn column(&self, r: &ColumnRef) -> Val<'a> {
        match r.relation {
            None => {
                let row = self.row;
                to_val(row.value(r.column), || row.text(r.column))
            }
            Some(rel) => {
                let Some(entry) = self.row.related.get(rel).copied().flatten() else {
                    return Val::Null;
                };
                let lookup = self.table.relations[rel].lookup;
                let v = self.row.scope.lookups[lookup].value(entry, r.slot);
                to_val(v, || "")
            }
        }
    }
}

/// A row's environment that keeps what was worked out from a related row alone, for the next
/// rows with the same related row: a return's patients share its one submission row, and a
/// group's patients follow one another.
struct Kept<'e, 'r, 'a> {
    env: &'e RowEnv<'r, 'a>,
    /// Per cache slot: the related row (its entry in the lookup) and the value worked out for it.
    kept: &'e RefCell<Vec<Option<(u32, Val<'static>)>>>,
}

impl<'a> Env<'a> for Kept<'_, '_, 'a> {
    fn column(&self, r: &ColumnRef) -> Val<'a> {
        self.env.column(r)
    }

    fn cached(&self, rel: usize, slot: usize, compute: &dyn Fn() -> Val<'a>) -> Val<'a> {
        let Some(entry) = self.env.row.related.get(rel).copied().flatten() else {
            return compute();
        };
        if let Some(Some((at, v))) = self.kept.borrow().get(slot) {
            if *at == entry {
                return v.clone();
            }
        }
        let v = compute();
        // Text is never kept: it may borrow from the row. Related rows keep no text anyway.
        if let (Some(owned), Some(cell)) = (v.scalar(), self.kept.borrow_mut().get_mut(slot)) {
            *cell = Some((entry, owned));
        }
        v
    }
}

/// Fills `{column}` and `{relation.column}` placeholders with the row's values (masked for
/// identifier columns; codes by their code).
pub fn render(template: &str, plan: &Plan, table: &Table, row: &RowCtx<'_>, out: &Sink<'_>) -> String {
    let mut s = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        s.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            s.push_str(&rest[open..]);
            return s;
        };
        let name = &rest[open + 1..open + close];
        s.push_str(&show(name, plan, table, row, out));
        rest = &rest[open + close + 1..];
    }
    s.push_str(rest);
    s
}

fn show_value(v: Value, list: Option<&crate::pack::CodeList>) -> String {
    match v {
        Value::Missing => "(blank)".into(),
        Value::Int(i) => i.to_string(),
        Value::Num(n) => {
            let mut s = String::new();
            crate::value::cell::write_number(&mut s, n);
            s
        }
        Value::Date(d) => d.to_string(),
        Value::Bool(b) => if b { "yes" } else { "no" }.into(),
        Value::Code(c) => list.map_or_else(String::new, |l| l.code(c).to_string()),
        Value::Text => String::new(),
    }
}

fn show(name: &str, plan: &Plan, table: &Table, row: &RowCtx<'_>, out: &Sink<'_>) -> String {
    let pack = plan.pack();
    match name.split_once('.') {
        None => match table.column_index(name) {
            Some(c) => match row.value(c) {
                Value::Text => out.shown(c, row.text(c)),
                Value::Missing if !row.text(c).is_empty() => out.shown(c, row.text(c)),
                v => show_value(v, pack.codelist(&table.columns[c])),
            },
            None => format!("{{{name}}}"),
        },
        Some((rel_name, col)) => {
            let Some(ri) = table.relations.iter().position(|r| r.name == rel_name) else {
                return format!("{{{name}}}");
            };
            let rel = &table.relations[ri];
            let parent = &pack.tables[rel.table];
            let (Some(entry), Some(ci)) = (row.related.get(ri).copied().flatten(), parent.column_index(col)) else {
                return "(unknown)".into();
            };
            let lookup = &plan.lookups()[rel.lookup];
            match lookup.columns.iter().position(|&c| c == ci) {
                Some(slot) => show_value(
                    row.scope.lookups[rel.lookup].value(entry, slot),
                    pack.codelist(&parent.columns[ci]),
                ),
                None => "(unknown)".into(),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "tests may panic")]
mod tests {
    use crate::check::{engine, Plan, Registry};
    use crate::pack::Pack;

    /// A pack written for this test: two tables relate to the same key of one parent under
    /// different names and read different columns of it.
    const PACK: &str = r#"name = "shared-lookup"
version = "1"

[[table]]
name = "wards"
files = ["wards.csv"]
[[table.column]]
name = "ward_id"
type = "text"
required = true
unique = true
[[table.column]]
name = "beds"
type = "integer"
[[table.column]]
name = "floors"
type = "integer"

[[table]]
name = "stays"
files = ["stays.csv"]
[[table.column]]
name = "ward_id"
type = "text"
required = true
[[table.column]]
name = "days"
type = "integer"
[[table.relation]]
name = "ward"
table = "wards"
columns = ["ward_id"]
references = ["ward_id"]
[[table.rule]]
name = "days-within-beds"
assert = "days <= ward.beds"
message = "days {days} over beds {ward.beds}"

[[table]]
name = "visits"
files = ["visits.csv"]
[[table.column]]
name = "ward"
type = "text"
required = true
[[table.column]]
name = "floor"
type = "integer"
[[table.relation]]
name = "home"
table = "wards"
columns = ["ward"]
references = ["ward_id"]
[[table.rule]]
name = "floor-within-ward"
assert = "floor <= home.floors"
message = "floor {floor} above {home.floors}"
"#;

    /// A pack written for this test: a value worked out from the related row alone
    /// (`year(ward.opened)`) is kept from row to row only while the related row stays the same.
    const KEPT: &str = r#"name = "kept-values"
version = "1"

[[table]]
name = "wards"
files = ["wards.csv"]
[[table.column]]
name = "ward_id"
type = "text"
required = true
unique = true
[[table.column]]
name = "opened"
type = "date"

[[table]]
name = "stays"
files = ["stays.csv"]
[[table.column]]
name = "ward_id"
type = "text"
required = true
[[table.column]]
name = "admitted"
type = "integer"
[[table.relation]]
name = "ward"
table = "wards"
columns = ["ward_id"]
references = ["ward_id"]
[[table.rule]]
name = "admitted-after-opening"
when = "year(ward.opened) > 1990"
assert = "year(ward.opened) <= admitted"
message = "admitted {admitted}, before the ward opened ({ward.opened})"
"#;

    /// Stays move from ward to ward and back, to a ward without an opening date and to an unknown
    /// one: each row is judged by its own ward's year, as if nothing were kept.
    #[test]
    fn a_value_of_the_related_row_is_kept_only_while_the_row_stays_the_same() {
        let pack = Pack::from_source("kept.toml", KEPT.to_string(), &|f: &str| Err(format!("no file {f}")))
            .unwrap_or_else(|e| panic!("{e:?}"));
        let plan = Plan::new(pack, Registry::builtin()).unwrap_or_else(|e| panic!("{e:?}"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("wards.csv"),
            "ward_id,opened\nW1,2001-03-01\nW2,2010-01-15\nW4,\nW5,1985-06-01\n",
        )
        .unwrap();
        // Opened: W1 2001, W2 2010, W4 unknown, W5 1985 (the `when` skips it), W3 not a ward.
        let stays = "ward_id,admitted\nW1,2000\nW2,2005\nW1,2005\nW3,1990\nW2,2011\nW2,2009\nW4,1900\nW1,2000\nW5,1980\nW2,2009\n";
        std::fs::write(dir.path().join("stays.csv"), stays).unwrap();
        let (_, result) = engine::check_path(&plan, dir.path());
        let found: Vec<(Option<u64>, &str)> = result
            .findings
            .iter()
            .filter(|f| f.code == "VK0201")
            .map(|f| (f.location.row, f.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (Some(2), "admitted 2000, before the ward opened (2001-03-01)"),
                (Some(3), "admitted 2005, before the ward opened (2010-01-15)"),
                (Some(7), "admitted 2009, before the ward opened (2010-01-15)"),
                (Some(9), "admitted 2000, before the ward opened (2001-03-01)"),
                (Some(11), "admitted 2009, before the ward opened (2010-01-15)"),
            ]
        );
    }

    /// The two relations share one lookup (the parent's rows are kept once), holding the columns
    /// both read, and each rule still sees its own column of the related row.
    #[test]
    fn relations_to_one_parent_key_share_its_rows_and_each_reads_its_own_columns() {
        let pack = Pack::from_source("shared.toml", PACK.to_string(), &|f: &str| Err(format!("no file {f}")))
            .unwrap_or_else(|e| panic!("{e:?}"));
        let plan = Plan::new(pack, Registry::builtin()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(plan.lookups().len(), 1, "one lookup for wards.ward_id");
        assert_eq!(plan.lookups()[0].columns, [1, 2], "beds and floors kept");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("wards.csv"), "ward_id,beds,floors\nW1,10,2\nW2,5,4\n").unwrap();
        std::fs::write(dir.path().join("stays.csv"), "ward_id,days\nW1,12\nW2,3\nW3,1\n").unwrap();
        std::fs::write(dir.path().join("visits.csv"), "ward,floor\nW1,3\nw2 ,3\nW2,5\n").unwrap();
        let (_, result) = engine::check_path(&plan, dir.path());
        let found: Vec<(String, Option<u64>, &str)> = result
            .findings
            .iter()
            .map(|f| (f.code.to_string(), f.location.row, f.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("VK0201".to_string(), Some(2), "days 12 over beds 10"),
                (
                    "VK0202".to_string(),
                    Some(4),
                    "ward_id `W3` is not in the table `wards`"
                ),
                ("VK0201".to_string(), Some(2), "floor 3 above 2"),
                ("VK0201".to_string(), Some(4), "floor 5 above 4"),
            ]
        );
    }
}
