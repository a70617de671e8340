use crate::check::plan::{severity, Configure, Configured, Entry};
use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::expr::{self, Val};
use crate::finding::{CheckInfo, Code, Finding};
use crate::i18n::T;
use crate::pack::{RuleSeverity, Table};
use crate::value::keyhash::KeyMap;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;

documented_check! {
    /// Too many or too few rows per key meet a condition: a clinic with two heads, or none.
    ///
    /// ```toml
    /// [[table.cardinality]]
    /// name = "one-head"            # in staff
    /// key = ["clinic_id"]
    /// when = 'role == "HEAD"'
    /// min = 1
    /// max = 1
    /// column = "role"
    /// severity = "warning"
    /// ```
    ///
    /// Too many: reported at each row past `max`, naming the first. Too few: reported at the key's
    /// first row once the table has been read.
    pub struct CardinalityKind => "VK0205", "cardinality";
}

/// Per `key`, between `min` and `max` rows may meet `when`: `[[table.cardinality]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CardinalityParams {
    /// Short name, shown in messages.
    pub name: String,
    /// The columns grouping the rows (`clinic_id`).
    #[schemars(with = "Vec<String>")]
    pub key: Spanned<Vec<String>>,
    /// The condition counted, in the expression language.
    #[schemars(with = "String")]
    pub when: Spanned<String>,
    /// At least this many rows per key (default 0).
    #[serde(default)]
    pub min: u32,
    /// At most this many rows per key.
    pub max: Option<u32>,
    /// The column whose cell the finding points at.
    #[schemars(with = "String")]
    pub column: Spanned<String>,
    /// `error` (default), `warning` or `info`.
    #[serde(default)]
    pub severity: RuleSeverity,
}

/// A configured cardinality rule.
#[derive(Debug)]
struct Cardinality {
    code: Code,
    name: String,
    key: Vec<usize>,
    when: expr::Expr,
    min: u32,
    max: Option<u32>,
    column: usize,
    severity: RuleSeverity,
}

impl RuleKind for CardinalityKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn section(&self) -> Option<&'static str> {
        Some("cardinality")
    }

    fn params_schema(&self) -> Option<serde_json::Value> {
        serde_json::to_value(schemars::schema_for!(CardinalityParams)).ok()
    }

    fn configure(&self, entry: &Entry<'_>, cx: &mut Configure<'_, '_>) -> Option<Box<dyn Configured>> {
        let mut p: CardinalityParams = cx.params(entry)?;
        if let Some(s) = entry.severity {
            p.severity = s;
        }
        let t = entry.table;
        let what = format!("cardinality `{}`", p.name);
        let when = super::expression::compile_in(t, &what, &p.when, cx);
        let key = cx.columns(t, p.key.get_ref(), "cardinality", Some(p.key.span()));
        let column = cx.pack.tables[t].column_index(p.column.get_ref());
        if column.is_none() {
            let message = format!("{what}: no column `{}`", p.column.get_ref());
            cx.error(message, Some(p.column.span()), "here", None);
        }
        if p.max.is_some_and(|m| m < p.min) {
            let message = format!("{what}: `max` is below `min`");
            cx.error(message, Some(entry.span.clone()), "here", None);
            return None;
        }
        Some(Box::new(Cardinality {
            code: cx.code(entry, CardinalityKind::CODE),
            name: p.name,
            key: key?,
            when: when?,
            min: p.min,
            max: p.max,
            column: column?,
            severity: p.severity,
        }))
    }
}

impl Configured for Cardinality {
    fn bind<'p>(&'p self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        if !self
            .key
            .iter()
            .chain([&self.column])
            .all(|&k| schema.physical[k].is_some())
        {
            return Vec::new();
        }
        vec![Box::new(CardinalityRule {
            table: schema.table,
            spec: self,
            keys: KeyMap::default(),
        })]
    }
}

struct Seen {
    matches: u32,
    first_row: u64,
    first_match: Option<u64>,
    key_text: String,
}

struct CardinalityRule<'p> {
    table: &'p Table,
    spec: &'p Cardinality,
    keys: KeyMap<Seen>,
}

impl RowRule for CardinalityRule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let Some(key) = row.key(&self.spec.key) else {
            return;
        };
        let env = super::expression::RowEnv { row, table: self.table };
        let hit = self.spec.when.eval(&env) == Val::Bool(true);
        let seen = self.keys.entry(key).or_insert_with(|| Seen {
            matches: 0,
            first_row: row.row.row,
            first_match: None,
            key_text: self
                .spec
                .key
                .iter()
                .map(|&k| row.text(k))
                .collect::<Vec<_>>()
                .join(" + "),
        });
        if !hit {
            return;
        }
        seen.matches += 1;
        let first = *seen.first_match.get_or_insert(row.row.row);
        if self.spec.max.is_some_and(|m| seen.matches > m) {
            let names: Vec<&str> = self
                .spec
                .key
                .iter()
                .map(|&k| self.table.columns[k].name.as_str())
                .collect();
            let message = T::CardinalityMax.say(&[
                ("name", &self.spec.name),
                ("columns", &names.join(" + ")),
                ("value", &seen.key_text),
                ("count", &seen.matches),
                ("max", &self.spec.max.unwrap_or(0)),
                ("first", &first),
            ]);
            out.cell(
                self.spec.code.clone(),
                severity(self.spec.severity),
                row,
                self.spec.column,
                message,
                None,
            );
        }
    }

    fn finish(&mut self, out: &mut Sink<'_>) {
        if self.spec.min == 0 {
            return;
        }
        let names: Vec<&str> = self
            .spec
            .key
            .iter()
            .map(|&k| self.table.columns[k].name.as_str())
            .collect();
        let mut short: Vec<&Seen> = self.keys.values().filter(|s| s.matches < self.spec.min).collect();
        short.sort_by_key(|s| s.first_row);
        for s in short {
            let column = &self.table.columns[self.spec.column].name;
            let location = out.location(Some(s.first_row), out.physical[self.spec.column], Some(column));
            let message = T::CardinalityMin.say(&[
                ("name", &self.spec.name),
                ("columns", &names.join(" + ")),
                ("value", &s.key_text),
                ("count", &s.matches),
                ("min", &self.spec.min),
            ]);
            let f = Finding {
                nb: None,
                code: self.spec.code.clone(),
                severity: severity(self.spec.severity),
                message: String::new(),
                help: None,
                location,
                value: None,
            };
            out.push(f.said(message, None));
        }
    }
}
