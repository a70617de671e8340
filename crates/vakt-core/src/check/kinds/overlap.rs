//! The overlap kind: one person's periods must not overlap, within a table or across tables
//! (`[[table.overlap]]`).

use crate::check::plan::{severity, Configure, Configured, Entry, Plan};
use crate::check::{Collector, ReturnRule, RowCtx, RuleKind, Sink};
use crate::expr;
use crate::finding::{CheckInfo, Code, Finding, Location};
use crate::i18n::T;
use crate::pack::{ColumnType, RuleSeverity};
use crate::value::keyhash::Key128;
use crate::value::Value;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;

documented_check! {
    /// Two periods of one person overlap: two stays at once, a person in two courses at the
    /// same time, an employment that starts before the last one ended.
    ///
    /// ```toml
    /// [[table.overlap]]                 # in enrolments
    /// key = ["person_id"]               # whose periods
    /// start = "start_date"
    /// end = "end_date"                  # blank: still going
    /// when = 'course.format == "CLOSED"'   # optional: only these rows
    /// also = [{ table = "stays", key = ["person_id"], start = "admitted", end = "discharged" }]
    /// ```
    ///
    /// `also` adds the periods of other tables of the same return (each with its own key, start
    /// and end columns). A period ends the day its end date names: one ending on 1 March and
    /// another starting on 1 March do not overlap. Both rows of an overlapping pair are reported,
    /// each at its start date, naming the other. Rows without a key or a start date, and rows
    /// whose end is before their start (that is another rule's finding), are left out.
    pub struct OverlapKind => "VK0210", "overlap";
}

/// Periods in another table: `also` of `[[table.overlap]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherPeriods {
    /// The table.
    #[schemars(with = "String")]
    pub table: Spanned<String>,
    /// Its columns naming the person, matching `key` of the entry.
    pub key: Vec<String>,
    /// Its start date column.
    #[schemars(with = "String")]
    pub start: Spanned<String>,
    /// Its end date column (blank: still going).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub end: Option<Spanned<String>>,
}

/// Periods that must not overlap: `[[table.overlap]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverlapParams {
    /// The columns naming the person (`person_id`).
    #[schemars(with = "Vec<String>")]
    pub key: Spanned<Vec<String>>,
    /// The start date column.
    #[schemars(with = "String")]
    pub start: Spanned<String>,
    /// The end date column (blank: still going).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub end: Option<Spanned<String>>,
    /// Only rows where this is true (an expression).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub when: Option<Spanned<String>>,
    /// The same person's periods in other tables.
    #[serde(default)]
    pub also: Vec<OtherPeriods>,
    /// `error` (default), `warning` or `info`.
    #[serde(default)]
    pub severity: RuleSeverity,
}

/// Where one table's periods are.
#[derive(Debug)]
struct Source {
    table: usize,
    key: Vec<usize>,
    start: usize,
    end: Option<usize>,
}

/// A configured overlap rule.
#[derive(Debug)]
struct Overlap {
    code: Code,
    severity: RuleSeverity,
    sources: Vec<Source>,
    when: Option<expr::Expr>,
}

impl RuleKind for OverlapKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn section(&self) -> Option<&'static str> {
        Some("overlap")
    }

    fn params_schema(&self) -> Option<serde_json::Value> {
        serde_json::to_value(schemars::schema_for!(OverlapParams)).ok()
    }

    fn configure(&self, entry: &Entry<'_>, cx: &mut Configure<'_, '_>) -> Option<Box<dyn Configured>> {
        let mut p: OverlapParams = cx.params(entry)?;
        if let Some(s) = entry.severity {
            p.severity = s;
        }
        let t = entry.table;
        let when = match &p.when {
            Some(w) => Some(super::expression::compile_in(t, "overlap `when`", w, cx)?),
            None => None,
        };
        let mut sources = vec![source(cx, t, p.key.get_ref(), &p.start, p.end.as_ref(), p.key.span())?];
        for other in &p.also {
            let table = cx.table(&other.table, "overlap `also`")?;
            if other.key.len() != p.key.get_ref().len() {
                let message = "overlap `also`: `key` names as many columns as the entry's `key`".to_string();
                cx.error(message, Some(other.table.span()), "this table", None);
                return None;
            }
            sources.push(source(
                cx,
                table,
                &other.key,
                &other.start,
                other.end.as_ref(),
                other.table.span(),
            )?);
        }
        Some(Box::new(Overlap {
            code: cx.code(entry, OverlapKind::CODE),
            severity: p.severity,
            sources,
            when,
        }))
    }
}

fn source(
    cx: &mut Configure<'_, '_>,
    table: usize,
    key: &[String],
    start: &Spanned<String>,
    end: Option<&Spanned<String>>,
    key_span: std::ops::Range<usize>,
) -> Option<Source> {
    let key = cx.columns(table, key, "overlap key", Some(key_span.clone()))?;
    if key.is_empty() {
        cx.error("overlap: `key` names no column".into(), Some(key_span), "empty", None);
        return None;
    }
    let start = date_column(cx, table, start)?;
    let end = match end {
        Some(e) => Some(date_column(cx, table, e)?),
        None => None,
    };
    Some(Source { table, key, start, end })
}

fn date_column(cx: &mut Configure<'_, '_>, table: usize, name: &Spanned<String>) -> Option<usize> {
    let t = &cx.pack.tables[table];
    match t.column_index(name.get_ref()) {
        Some(c) if t.columns[c].ty == ColumnType::Date => Some(c),
        Some(_) => {
            let message = format!("overlap: `{}` is not a date column", name.get_ref());
            cx.error(message, Some(name.span()), "not a date", None);
            None
        }
        None => {
            let message = format!("overlap: `{}` is not a column of `{}`", name.get_ref(), t.name);
            cx.error(message, Some(name.span()), "here", None);
            None
        }
    }
}

impl Configured for Overlap {
    fn return_rule<'p>(&'p self, plan: &'p Plan) -> Option<Box<dyn ReturnRule + 'p>> {
        Some(Box::new(OverlapRule {
            plan,
            rule: self,
            periods: Vec::new(),
        }))
    }
}

/// One period of one person.
struct Period {
    key: Key128,
    start: i32,
    /// The end date; `i32::MAX` when still going.
    end: i32,
    table: usize,
    row: u64,
    location: Location,
}

struct OverlapRule<'p> {
    plan: &'p Plan,
    rule: &'p Overlap,
    periods: Vec<Period>,
}

impl ReturnRule for OverlapRule<'_> {
    fn observe(&mut self, table: usize, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for (i, s) in self.rule.sources.iter().enumerate() {
            if s.table != table {
                continue;
            }
            // `when` reads the entry's own table.
            if let (0, Some(w)) = (i, &self.rule.when) {
                let env = super::expression::RowEnv { row, table: out.table };
                if w.eval(&env) != expr::Val::Bool(true) {
                    continue;
                }
            }
            let Value::Date(start) = row.value(s.start) else {
                continue;
            };
            let end = match s.end.map(|c| row.value(c)) {
                Some(Value::Date(e)) => e.0,
                _ => i32::MAX,
            };
            if end < start.0 {
                continue;
            }
            let Some(key) = row.key(&s.key) else {
                continue;
            };
            let column = &out.table.columns[s.start].name;
            self.periods.push(Period {
                key,
                start: start.0,
                end,
                table,
                row: row.row.row,
                location: out.location(Some(row.row.row), row.physical(s.start), Some(column)),
            });
        }
    }

    fn finish(&mut self, _present: &[bool], out: &mut Collector) {
        let mut order: Vec<usize> = (0..self.periods.len()).collect();
        order.sort_by_key(|&i| (self.periods[i].key, self.periods[i].start, self.periods[i].end));
        let mut pairs = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let mut current_key = None;
        for &i in &order {
            let p = &self.periods[i];
            if current_key != Some(p.key) {
                current_key = Some(p.key);
                open.clear();
            }
            // Periods of this person still going when this one starts.
            open.retain(|&j| self.periods[j].end > p.start);
            pairs.extend(open.iter().map(|&j| (j, i)));
            open.push(i);
        }
        pairs.sort_by_key(|&(a, b)| (self.periods[b].row, self.periods[a].row));
        for (a, b) in pairs {
            out.push(self.finding(b, a));
            out.push(self.finding(a, b));
        }
    }
}

impl OverlapRule<'_> {
    /// The finding at `at`, naming the period it overlaps.
    fn finding(&self, at: usize, other: usize) -> Finding {
        let (p, q) = (&self.periods[at], &self.periods[other]);
        let tables = &self.plan.pack().tables;
        let show = |d: i32| {
            if d == i32::MAX {
                T::Ongoing.say(&[])
            } else {
                crate::i18n::Said::from(crate::value::Date(d).to_string())
            }
        };
        let place = if p.table == q.table && p.location.file == q.location.file {
            T::Row.say(&[("row", &q.row)])
        } else {
            T::TableRow.say(&[("table", &tables[q.table].name), ("row", &q.row)])
        };
        let message = T::Overlap.say_with(
            &[],
            &[
                ("start", &show(p.start)),
                ("end", &show(p.end)),
                ("start2", &show(q.start)),
                ("end2", &show(q.end)),
                ("place", &place),
            ],
        );
        Finding {
            nb: None,
            code: self.rule.code.clone(),
            severity: severity(self.rule.severity),
            message: String::new(),
            help: None,
            location: p.location.clone(),
            value: None,
        }
        .said(message, Some(T::HelpCorrectDates.say(&[])))
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{plan, run_folder};

    const PACK: &str = r#"name = "homes"
version = "1"
[[table]]
name = "stays"
files = ["stays.csv"]
[[table.overlap]]
key = ["resident"]
start = "admitted"
end = "discharged"
also = [{ table = "leave", key = ["resident"], start = "from", end = "to" }]
[[table.column]]
name = "resident"
type = "text"
[[table.column]]
name = "admitted"
type = "date"
[[table.column]]
name = "discharged"
type = "date"
[[table]]
name = "leave"
files = ["leave.csv"]
[[table.column]]
name = "resident"
type = "text"
[[table.column]]
name = "from"
type = "date"
[[table.column]]
name = "to"
type = "date"
"#;

    #[test]
    fn overlapping_periods_are_reported_at_both_rows_within_and_across_tables() {
        let plan = plan(PACK);
        let found = run_folder(
            &plan,
            &[
                (
                    "stays.csv",
                    "resident,admitted,discharged\nA,2024-01-01,2024-03-01\nA,2024-03-01,\nB,2024-01-01,2024-02-01\nB,2024-01-15,2024-01-20\nC,2024-05-01,2024-04-01\nC,2024-04-15,2024-04-20\n",
                ),
                ("leave.csv", "resident,from,to\nA,2024-06-01,2024-06-10\nD,2024-01-01,2024-01-05\n"),
            ],
        );
        let got: Vec<(&str, u64, &str)> = found
            .iter()
            .filter(|f| f.code == "VK0210")
            .map(|f| {
                (
                    f.location.file.rsplit('/').next().unwrap_or(""),
                    f.location.row.unwrap_or(0),
                    f.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("stays.csv", 3, "the period 2024-03-01 to ongoing overlaps the same person's period 2024-06-01 to 2024-06-10 in `leave` row 2"),
                ("stays.csv", 4, "the period 2024-01-01 to 2024-02-01 overlaps the same person's period 2024-01-15 to 2024-01-20 in row 5"),
                ("stays.csv", 5, "the period 2024-01-15 to 2024-01-20 overlaps the same person's period 2024-01-01 to 2024-02-01 in row 4"),
                ("leave.csv", 2, "the period 2024-06-01 to 2024-06-10 overlaps the same person's period 2024-03-01 to ongoing in `stays` row 3"),
            ],
            "A's stays meet on 1 March without overlapping; C's first stay ends before it starts and is left out"
        );
    }
}
