use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::expr::{ColumnRef, Env, Val};
use crate::finding::{CheckInfo, Severity};
use crate::pack::{Pack, Rule, RuleSeverity, Table};
use crate::value::Value;

documented_check! {
    /// A row rule of the pack does not hold: a relation between fields of a row, of a row and its
    /// related rows, or of a row and the return's submission.
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
    /// assert = "year(submission.reference_date) - birth_year in 16..100"
    /// message = "born {birth_year}: age at the reference date is outside 16..100"
    /// column = "birth_year"
    /// ```
    ///
    /// The language: comparisons `== != < <= > >=`, `and`, `or`, `not`, arithmetic `+ - * /`,
    /// `x in [a, b]`, `x in 16..100`, `x is null`, `x is not null`, `text contains "DPS"`, dates
    /// (`date - date` is days, `date + 30`), `year(date)`, `attr(code_column, "attribute")` for a
    /// code list's extra column, and related rows by relation name (`group.start_date`,
    /// `submission.reference_date`). Strings compared with a code column are resolved in its code
    /// list when the pack loads: a code that does not exist is a pack error, as are unknown columns
    /// and type errors, each pointing into the TOML.
    ///
    /// A missing value makes a comparison unknown, and an unknown `assert` passes: missing values
    /// are VK0101's business.
    pub struct ExpressionKind => "VK0201", "expression";
}

impl RuleKind for ExpressionKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        // A rule reading a column the sheet lacks cannot be evaluated: VK0003 already says so.
        let rules: Vec<&'p Rule> = schema
            .table
            .rules
            .iter()
            .filter(|r| {
                let mut cols = Vec::new();
                crate::expr::columns(&r.assert.root, &mut cols);
                if let Some(w) = &r.when {
                    crate::expr::columns(&w.root, &mut cols);
                }
                cols.iter()
                    .all(|c| c.relation.is_some() || schema.physical[c.column].is_some())
            })
            .collect();
        if rules.is_empty() {
            return Vec::new();
        }
        vec![Box::new(ExpressionRule {
            pack: schema.pack,
            table: schema.table,
            rules,
        })]
    }
}

struct ExpressionRule<'p> {
    pack: &'p Pack,
    table: &'p Table,
    rules: Vec<&'p Rule>,
}

/// Column values of one row (and its related rows) for the evaluator.
pub struct RowEnv<'r, 'a> {
    pub row: &'r RowCtx<'a>,
    pub table: &'r Table,
}

pub fn to_val<'a>(v: Value, text: impl FnOnce() -> &'a str) -> Val<'a> {
    match v {
        Value::Missing => Val::Null,
        Value::Int(i) => Val::Num(i as f64),
        Value::Num(n) => Val::Num(n),
        Value::Date(d) => Val::Date(d.0),
        Value::Bool(b) => Val::Bool(b),
        Value::Code(c) => Val::Code(c),
        Value::Text => Val::Text(text()),
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
                let v = self.row.scope.lookups[lookup].values[entry as usize][r.slot];
                to_val(v, || "")
            }
        }
    }
}

pub fn severity(s: RuleSeverity) -> Severity {
    match s {
        RuleSeverity::Error => Severity::Error,
        RuleSeverity::Warning => Severity::Warning,
        RuleSeverity::Info => Severity::Info,
    }
}

/// Fills `{column}` and `{relation.column}` placeholders with the row's values (masked for
/// identifier columns; codes by their code).
pub fn render(template: &str, pack: &Pack, table: &Table, row: &RowCtx<'_>, out: &Sink<'_>) -> String {
    let mut s = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        s.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            s.push_str(&rest[open..]);
            return s;
        };
        let name = &rest[open + 1..open + close];
        s.push_str(&show(name, pack, table, row, out));
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
            crate::read::write_number(&mut s, n);
            s
        }
        Value::Date(d) => d.to_string(),
        Value::Bool(b) => if b { "yes" } else { "no" }.into(),
        Value::Code(c) => list.map_or_else(String::new, |l| l.code(c).to_string()),
        Value::Text => String::new(),
    }
}

fn show(name: &str, pack: &Pack, table: &Table, row: &RowCtx<'_>, out: &Sink<'_>) -> String {
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
            let lookup = &pack.lookups[rel.lookup];
            match lookup.columns.iter().position(|&c| c == ci) {
                Some(slot) => show_value(
                    row.scope.lookups[rel.lookup].values[entry as usize][slot],
                    pack.codelist(&parent.columns[ci]),
                ),
                None => "(unknown)".into(),
            }
        }
    }
}

impl RowRule for ExpressionRule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let env = RowEnv { row, table: self.table };
        for rule in &self.rules {
            if let Some(w) = &rule.when {
                if w.root.eval(&env) != Val::Bool(true) {
                    continue;
                }
            }
            if rule.assert.root.eval(&env) != Val::Bool(false) {
                continue;
            }
            let message = render(&rule.message, self.pack, self.table, row, out);
            out.cell(
                rule.code,
                severity(rule.severity),
                row,
                rule.column,
                message,
                rule.help.clone(),
            );
        }
    }
}
