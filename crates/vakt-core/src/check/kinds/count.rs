use crate::check::plan::{severity, Configure, Configured, CountLink, Entry, Plan};
use crate::check::{Collector, ReturnRule, RowCtx, RuleKind, Sink};
use crate::finding::{CheckInfo, Finding, Location};
use crate::i18n::T;
use crate::pack::{ColumnType, RuleSeverity};
use crate::value::keyhash::KeyMap;
use crate::value::Value;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;

documented_check! {
    /// A count column disagrees with the rows it counts: a clinic's `n_visits` against its rows in
    /// `visits`, the return's `n_clinics` against `clinics`.
    ///
    /// ```toml
    /// [[table.count]]            # in the clinics table
    /// column = "n_visits"
    /// table = "visits"
    /// key = ["clinic_id"]        # this table's columns ...
    /// matching = ["clinic_id"]   # ... equal to these columns of the counted table
    ///
    /// [[table.count]]            # in the return's own table: all rows of clinics
    /// column = "n_clinics"
    /// table = "clinics"
    /// severity = "warning"
    /// ```
    ///
    /// Reported once, at the count cell, with both numbers and the table counted. Counts whose cell
    /// could not be read (VK0102) and tables missing from the return (VK0002) are skipped.
    pub struct CountKind => "VK0203", "count";
}

/// A count column and the rows it counts: `[[table.count]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountParams {
    /// The count column of this table (an integer).
    #[schemars(with = "String")]
    pub column: Spanned<String>,
    /// The counted table.
    #[schemars(with = "String")]
    pub table: Spanned<String>,
    /// This table's columns identifying what is counted (none: all rows of `table`).
    #[serde(default)]
    pub key: Vec<String>,
    /// The counted table's columns equal to `key`, in the same order.
    #[serde(default)]
    pub matching: Vec<String>,
    /// `error` (default), `warning` or `info`.
    #[serde(default)]
    pub severity: RuleSeverity,
}

/// A configured count.
#[derive(Debug)]
struct Count {
    link: CountLink,
    severity: RuleSeverity,
}

impl RuleKind for CountKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn section(&self) -> Option<&'static str> {
        Some("count")
    }

    fn params_schema(&self) -> Option<serde_json::Value> {
        serde_json::to_value(schemars::schema_for!(CountParams)).ok()
    }

    fn configure(&self, entry: &Entry<'_>, cx: &mut Configure<'_, '_>) -> Option<Box<dyn Configured>> {
        let mut p: CountParams = cx.params(entry)?;
        if let Some(s) = entry.severity {
            p.severity = s;
        }
        let owner = entry.table;
        let counted = cx.table(&p.table, "count");
        let tables = &cx.pack.tables;
        let column = tables[owner].column_index(p.column.get_ref());
        let Some(column) = column else {
            let message = format!("count: no column `{}` in `{}`", p.column.get_ref(), tables[owner].name);
            cx.error(message, Some(p.column.span()), "here", None);
            return None;
        };
        if !matches!(
            tables[owner].columns[column].ty,
            ColumnType::Integer | ColumnType::Decimal
        ) {
            let message = format!(
                "count: `{}` must be an integer column to hold a count",
                p.column.get_ref()
            );
            cx.error(
                message,
                Some(p.column.span()),
                "not a number",
                Some("give the column `type = \"integer\"`".into()),
            );
            return None;
        }
        let key = cx.columns(owner, &p.key, "count key", Some(p.column.span()));
        let matching = cx.columns(counted?, &p.matching, "count matching", Some(p.table.span()));
        let (key, matching) = (key?, matching?);
        if key.len() != matching.len() {
            let message = "count: `key` and `matching` must have the same length".to_string();
            cx.error(message, Some(p.column.span()), "here", None);
            return None;
        }
        let link = CountLink {
            owner,
            column,
            table: counted?,
            key,
            matching,
            code: cx.code(entry, CountKind::CODE),
        };
        Some(Box::new(Count {
            link,
            severity: p.severity,
        }))
    }
}

impl Configured for Count {
    fn return_rule<'p>(&'p self, plan: &'p Plan) -> Option<Box<dyn ReturnRule + 'p>> {
        Some(Box::new(CountRule {
            plan,
            count: self,
            counted: KeyMap::default(),
            declared: Vec::new(),
            scratch: String::new(),
        }))
    }

    fn count(&self) -> Option<&CountLink> {
        Some(&self.link)
    }
}

#[derive(Clone)]
struct Declared {
    key: u128,
    key_text: String,
    value: f64,
    location: Location,
    raw: String,
}

struct CountRule<'p> {
    plan: &'p Plan,
    count: &'p Count,
    /// Rows of the counted table by key (within the return).
    counted: KeyMap<u64>,
    declared: Vec<Declared>,
    scratch: String,
}

impl ReturnRule for CountRule<'_> {
    fn observe(&mut self, table: usize, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let c = &self.count.link;
        // The owner came first and declared nothing: there is nothing to count for.
        let nothing_declared = c.owner < c.table && self.declared.is_empty();
        if table == c.table && !nothing_declared {
            if let Some(k) = row.key(&c.matching, &mut self.scratch) {
                *self.counted.entry(k).or_insert(0) += 1;
            }
        }
        if table != c.owner {
            return;
        }
        let value = match row.value(c.column) {
            Value::Int(i) => i as f64,
            Value::Num(n) => n,
            _ => return,
        };
        let Some(key) = row.key(&c.key, &mut self.scratch) else {
            return;
        };
        let column = &out.table.columns[c.column].name;
        let key_text: Vec<String> = c.key.iter().map(|&k| out.shown(k, row.text(k))).collect();
        self.declared.push(Declared {
            key,
            key_text: key_text.join(" + "),
            value,
            location: out.location(Some(row.row.row), row.physical(c.column), Some(column)),
            raw: row.text(c.column).to_string(),
        });
    }

    fn finish(&mut self, present: &[bool], out: &mut Collector) {
        let c = &self.count.link;
        if !present[c.table] {
            return;
        }
        let tables = &self.plan.pack().tables;
        let counted = &tables[c.table].name;
        let column = &tables[c.owner].columns[c.column].name;
        let keys: Vec<&str> = c
            .matching
            .iter()
            .map(|&m| tables[c.table].columns[m].name.as_str())
            .collect();
        for d in &self.declared {
            let actual = self.counted.get(&d.key).copied().unwrap_or(0);
            if d.value == actual as f64 {
                continue;
            }
            let (message, help) = if c.key.is_empty() {
                (
                    T::CountAll.say(&[
                        ("column", column),
                        ("value", &d.raw),
                        ("table", counted),
                        ("actual", &actual),
                    ]),
                    T::HelpCountAgain.say(&[("table", counted)]),
                )
            } else {
                let keys = keys.join(" + ");
                (
                    T::CountKey.say(&[
                        ("column", column),
                        ("value", &d.raw),
                        ("table", counted),
                        ("actual", &actual),
                        ("columns", &keys),
                        ("key", &d.key_text),
                    ]),
                    T::HelpCorrectCount.say(&[("column", column), ("table", counted), ("columns", &keys)]),
                )
            };
            let f = Finding {
                nb: None,
                code: c.code.clone(),
                severity: severity(self.count.severity),
                message: String::new(),
                help: None,
                location: d.location.clone(),
                value: Some(d.raw.clone()),
            };
            out.push(f.said(message, Some(help)));
        }
    }
}
