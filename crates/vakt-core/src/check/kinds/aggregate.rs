//! The aggregate kind: a reported total against the sum, count, minimum, maximum or mean of the
//! rows it sums up (`[[table.aggregate]]`).

use crate::check::plan::{severity, Configure, Configured, Entry, Plan};
use crate::check::{Collector, ReturnRule, RowCtx, RuleKind, Sink};
use crate::finding::{CheckInfo, Code, Finding, Location};
use crate::i18n::T;
use crate::pack::{ColumnType, RuleSeverity};
use crate::value::keyhash::{Key128, KeyMap};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;

documented_check! {
    /// A reported total disagrees with the rows it sums up: a unit's `beds_total` against the sum
    /// of `beds` over its wards, a month's `admissions` against the count of its admission rows,
    /// the highest occupancy against the maximum of the daily figures.
    ///
    /// ```toml
    /// [[table.aggregate]]          # in units
    /// column = "beds_total"        # this table's total
    /// function = "sum"             # sum, count, min, max or mean
    /// of = "beds"                  # the column of the detail table (not for count)
    /// table = "wards"              # the detail table
    /// key = ["unit_id"]            # this table's columns ...
    /// matching = ["unit_id"]       # ... equal to these columns of the detail table
    /// # tolerance = 0              # an allowed difference, in the column's unit
    /// # share = 0.05               # or an allowed difference relative to the computed value
    /// ```
    ///
    /// Without `key` and `matching`, the whole detail table of the return is summed up (the
    /// return's total). Reported once, at the total's cell, with the computed value and the number
    /// of rows it comes from. Blank detail values are left out (a mean of the values given); a
    /// key without detail rows has a count and sum of 0 and no minimum, maximum or mean, so only
    /// counts and sums are checked for it. Totals that could not be read (VK0102) and detail tables
    /// missing from the return (VK0002) are skipped.
    pub struct AggregateKind => "VK0209", "aggregate";
}

/// What is computed over the detail rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Function {
    /// The sum of the values.
    Sum,
    /// The number of rows.
    Count,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
    /// The mean of the values given.
    Mean,
}

/// A total and the detail rows it sums up: `[[table.aggregate]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateParams {
    /// This table's total (a number column).
    #[schemars(with = "String")]
    pub column: Spanned<String>,
    /// What is computed: `sum`, `count`, `min`, `max` or `mean`.
    pub function: Function,
    /// The detail table's column (all but `count`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub of: Option<Spanned<String>>,
    /// The detail table.
    #[schemars(with = "String")]
    pub table: Spanned<String>,
    /// This table's columns naming what the total is of (none: the whole detail table).
    #[serde(default)]
    pub key: Vec<String>,
    /// The detail table's columns equal to `key`, in the same order.
    #[serde(default)]
    pub matching: Vec<String>,
    /// An allowed difference, in the column's unit (default 0).
    #[serde(default)]
    pub tolerance: f64,
    /// An allowed difference relative to the computed value (0.05: 5 %).
    #[serde(default)]
    pub share: Option<f64>,
    /// `error` (default), `warning` or `info`.
    #[serde(default)]
    pub severity: RuleSeverity,
}

/// A configured aggregate.
#[derive(Debug)]
struct Aggregate {
    code: Code,
    severity: RuleSeverity,
    function: Function,
    owner: usize,
    column: usize,
    detail: usize,
    of: Option<usize>,
    key: Vec<usize>,
    matching: Vec<usize>,
    tolerance: f64,
    share: f64,
}

impl RuleKind for AggregateKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn section(&self) -> Option<&'static str> {
        Some("aggregate")
    }

    fn params_schema(&self) -> Option<serde_json::Value> {
        serde_json::to_value(schemars::schema_for!(AggregateParams)).ok()
    }

    fn configure(&self, entry: &Entry<'_>, cx: &mut Configure<'_, '_>) -> Option<Box<dyn Configured>> {
        let mut p: AggregateParams = cx.params(entry)?;
        if let Some(s) = entry.severity {
            p.severity = s;
        }
        let owner = entry.table;
        let detail = cx.table(&p.table, "aggregate");
        let column = number_column(cx, owner, &p.column, "the total")?;
        let of = match (&p.of, p.function, detail) {
            (Some(of), _, Some(d)) => Some(number_column(cx, d, of, "`of`")?),
            (None, Function::Count, _) | (_, _, None) => None,
            (None, f, Some(_)) => {
                let message =
                    format!("aggregate: `{f:?}` needs `of`, the detail column it is computed over").to_lowercase();
                cx.error(message, Some(entry.span.clone()), "this entry", None);
                return None;
            }
        };
        let key = cx.columns(owner, &p.key, "aggregate key", Some(p.column.span()));
        let matching = cx.columns(detail?, &p.matching, "aggregate matching", Some(p.table.span()));
        let (key, matching) = (key?, matching?);
        if key.len() != matching.len() || p.tolerance < 0.0 || p.share.is_some_and(|s| !(0.0..=1.0).contains(&s)) {
            let message =
                "aggregate: `key` and `matching` name as many columns; `tolerance` is 0 or more; `share` is 0 to 1"
                    .to_string();
            cx.error(message, Some(entry.span.clone()), "this entry", None);
            return None;
        }
        Some(Box::new(Aggregate {
            code: cx.code(entry, AggregateKind::CODE),
            severity: p.severity,
            function: p.function,
            owner,
            column,
            detail: detail?,
            of,
            key,
            matching,
            tolerance: p.tolerance,
            share: p.share.unwrap_or(0.0),
        }))
    }
}

/// A column of `table` holding numbers.
fn number_column(cx: &mut Configure<'_, '_>, table: usize, name: &Spanned<String>, what: &str) -> Option<usize> {
    let t = &cx.pack.tables[table];
    let Some(c) = t.column_index(name.get_ref()) else {
        let message = format!("aggregate: {what} `{}` is not a column of `{}`", name.get_ref(), t.name);
        cx.error(message, Some(name.span()), "here", None);
        return None;
    };
    let numeric = matches!(
        t.columns[c].ty,
        ColumnType::Integer | ColumnType::Decimal | ColumnType::Minutes
    );
    if !numeric {
        let message = format!("aggregate: {what} `{}` holds no numbers", name.get_ref());
        cx.error(
            message,
            Some(name.span()),
            "not a number",
            Some("give it type = \"integer\" or \"decimal\"".into()),
        );
        return None;
    }
    Some(c)
}

impl Configured for Aggregate {
    fn return_rule<'p>(&'p self, plan: &'p Plan) -> Option<Box<dyn ReturnRule + 'p>> {
        Some(Box::new(AggregateRule {
            plan,
            rule: self,
            acc: KeyMap::default(),
            totals: Vec::new(),
        }))
    }
}

/// What the detail rows of one key add up to.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    rows: u64,
    values: u64,
    sum: f64,
    min: Option<f64>,
    max: Option<f64>,
}

impl Acc {
    fn add(&mut self, v: Option<f64>) {
        self.rows += 1;
        if let Some(v) = v {
            self.values += 1;
            self.sum += v;
            self.min = Some(self.min.map_or(v, |m| m.min(v)));
            self.max = Some(self.max.map_or(v, |m| m.max(v)));
        }
    }

    fn value(&self, f: Function) -> Option<f64> {
        match f {
            Function::Count => Some(self.rows as f64),
            Function::Sum => Some(self.sum),
            Function::Min => self.min,
            Function::Max => self.max,
            Function::Mean => (self.values > 0).then(|| self.sum / self.values as f64),
        }
    }
}

/// A total as the return states it.
struct Total {
    key: Key128,
    key_text: String,
    value: f64,
    raw: String,
    location: Location,
}

struct AggregateRule<'p> {
    plan: &'p Plan,
    rule: &'p Aggregate,
    acc: KeyMap<Acc>,
    totals: Vec<Total>,
}

impl ReturnRule for AggregateRule<'_> {
    fn observe(&mut self, table: usize, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let r = self.rule;
        if table == r.detail {
            if let Some(k) = row.key(&r.matching) {
                let v = r.of.and_then(|c| row.value(c).as_f64());
                self.acc.entry(k).or_default().add(v);
            }
        }
        if table != r.owner {
            return;
        }
        let Some(value) = row.value(r.column).as_f64() else {
            return;
        };
        let Some(key) = row.key(&r.key) else {
            return;
        };
        let column = &out.table.columns[r.column].name;
        let key_text: Vec<String> = r.key.iter().map(|&k| out.shown(k, row.text(k))).collect();
        self.totals.push(Total {
            key,
            key_text: key_text.join(" + "),
            value,
            raw: row.text(r.column).to_string(),
            location: out.location(Some(row.row.row), row.physical(r.column), Some(column)),
        });
    }

    fn finish(&mut self, present: &[bool], out: &mut Collector) {
        let r = self.rule;
        if !present[r.detail] {
            return;
        }
        for t in &self.totals {
            let acc = self.acc.get(&t.key).copied().unwrap_or_default();
            let Some(computed) = acc.value(r.function) else {
                continue;
            };
            let allowed = r.tolerance.max(r.share * computed.abs()) + 1e-9;
            if (t.value - computed).abs() <= allowed {
                continue;
            }
            out.push(self.finding(t, acc, computed));
        }
    }
}

impl AggregateRule<'_> {
    fn finding(&self, t: &Total, acc: Acc, computed: f64) -> Finding {
        let r = self.rule;
        let tables = &self.plan.pack().tables;
        let (detail, owner) = (&tables[r.detail], &tables[r.owner]);
        let column = &owner.columns[r.column].name;
        let of = r.of.map_or(String::new(), |c| detail.columns[c].name.clone());
        let what = match r.function {
            Function::Count => T::AggCount.say(&[("table", &detail.name)]),
            f => {
                let function = match f {
                    Function::Sum => T::FnSum,
                    Function::Min => T::FnMin,
                    Function::Max => T::FnMax,
                    _ => T::FnMean,
                };
                let rows = if acc.rows == 1 {
                    T::OneRow.say(&[])
                } else {
                    T::Rows.say(&[("count", &acc.rows)])
                };
                T::AggOver.say_with(
                    &[("of", &of), ("table", &detail.name)],
                    &[("function", &function.say(&[])), ("rows", &rows)],
                )
            }
        };
        let whose = if r.key.is_empty() {
            T::Nothing.say(&[])
        } else {
            let names: Vec<&str> = r.matching.iter().map(|&m| detail.columns[m].name.as_str()).collect();
            T::With.say(&[("columns", &names.join(" + ")), ("value", &t.key_text)])
        };
        let mut shown = String::new();
        crate::value::cell::write_number(&mut shown, (computed * 1000.0).round() / 1000.0);
        let slack = if r.share > 0.0 {
            T::ApartShare.say(&[("value", &(r.share * 100.0))])
        } else if r.tolerance > 0.0 {
            T::ApartAmount.say(&[("value", &r.tolerance)])
        } else {
            T::Nothing.say(&[])
        };
        let message = T::Aggregate.say_with(
            &[("column", column), ("value", &t.raw), ("computed", &shown)],
            &[("what", &what), ("whose", &whose), ("slack", &slack)],
        );
        let help = T::HelpCorrectTotal.say(&[("column", column), ("table", &detail.name)]);
        Finding {
            nb: None,
            code: r.code.clone(),
            severity: severity(r.severity),
            message: String::new(),
            help: None,
            location: t.location.clone(),
            value: Some(t.raw.clone()),
        }
        .said(message, Some(help))
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{plan, run_folder};

    const PACK: &str = r#"name = "homes"
version = "1"
[[table]]
name = "units"
files = ["units.csv"]
[[table.aggregate]]
column = "beds_total"
function = "sum"
of = "beds"
table = "wards"
key = ["unit_id"]
matching = ["unit_id"]
[[table.aggregate]]
column = "wards"
function = "count"
table = "wards"
key = ["unit_id"]
matching = ["unit_id"]
severity = "warning"
[[table.aggregate]]
column = "max_beds"
function = "max"
of = "beds"
table = "wards"
key = ["unit_id"]
matching = ["unit_id"]
share = 0.1
[[table.column]]
name = "unit_id"
type = "text"
[[table.column]]
name = "beds_total"
type = "integer"
[[table.column]]
name = "wards"
type = "integer"
[[table.column]]
name = "max_beds"
type = "integer"
[[table]]
name = "wards"
files = ["wards.csv"]
[[table.column]]
name = "unit_id"
type = "text"
[[table.column]]
name = "beds"
type = "integer"
"#;

    #[test]
    fn totals_are_checked_against_sums_counts_and_maxima_of_their_rows() {
        let plan = plan(PACK);
        let found = run_folder(
            &plan,
            &[
                (
                    "units.csv",
                    "unit_id,beds_total,wards,max_beds\nU1,30,2,20\nU2,12,1,12\nU3,0,0,\nU4,5,1,5\n",
                ),
                ("wards.csv", "unit_id,beds\nU1,20\nU1,12\nU2,12\nU4,\nU4,\n"),
            ],
        );
        let got: Vec<(u64, &str, &str)> = found
            .iter()
            .filter(|f| f.code == "VK0209")
            .map(|f| {
                (
                    f.location.row.unwrap_or(0),
                    f.location.column.as_deref().unwrap_or(""),
                    f.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    2,
                    "beds_total",
                    "beds_total is 30, but the sum of `beds` over its 2 rows of `wards` with unit_id `U1` is 32"
                ),
                (
                    5,
                    "beds_total",
                    "beds_total is 5, but the sum of `beds` over its 2 rows of `wards` with unit_id `U4` is 0"
                ),
                (
                    5,
                    "wards",
                    "wards is 1, but the count of its rows of `wards` with unit_id `U4` is 2"
                ),
            ],
            "U1's max 20 is the max; U2 and U3 agree; U4's blank beds give no max to compare"
        );
    }

    #[test]
    fn a_sum_needs_a_number_column_and_its_detail_column() {
        let bad = PACK.replace("of = \"beds\"\ntable = \"wards\"\nkey = [\"unit_id\"]\nmatching = [\"unit_id\"]\n[[table.aggregate]]\ncolumn = \"wards\"", "table = \"wards\"\nkey = [\"unit_id\"]\nmatching = [\"unit_id\"]\n[[table.aggregate]]\ncolumn = \"wards\"");
        let pack = crate::pack::Pack::from_source("t.toml", bad, &|_: &str| Err("none".into())).unwrap();
        let e = crate::check::Plan::new(pack, crate::check::Registry::builtin()).unwrap_err();
        assert!(e.errors[0].message.contains("needs `of`"), "{:?}", e.errors);
        let bad = PACK.replacen("column = \"beds_total\"", "column = \"unit_id\"", 1);
        let pack = crate::pack::Pack::from_source("t.toml", bad, &|_: &str| Err("none".into())).unwrap();
        let e = crate::check::Plan::new(pack, crate::check::Registry::builtin()).unwrap_err();
        assert!(e.errors[0].message.contains("holds no numbers"), "{:?}", e.errors);
    }
}
