//! The previous kind: this period against the previous one (`[[table.previous]]`), with the
//! previous period's return or clean dataset given by `vakt check --previous`.

use crate::check::plan::{severity, Configure, Configured, Entry, Plan};
use crate::check::{Collector, ReturnRule, RowCtx, RuleKind, Sink};
use crate::finding::{CheckInfo, Code, Finding, Location, Severity};
use crate::i18n::T;
use crate::pack::RuleSeverity;
use crate::value::keyhash::{Key128, KeyMap};
use crate::value::{text, Value};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;
use std::collections::HashMap;
use std::sync::RwLock;

documented_check! {
    /// This period differs from the previous one more than is plausible: a count that changed by
    /// more than a share (`n_clinics` from 30 to 3), a unit that disappeared or appeared, a
    /// clinic whose type changed under the same id. Statistical offices call these plausibility
    /// or soft edits: they catch the mistakes that pass every hard rule.
    ///
    /// ```toml
    /// [[table.previous]]            # in the return's own table: its one row
    /// column = "n_clinics"
    /// change = 0.5                  # more than 50 % up or down
    ///
    /// [[table.previous]]            # in units
    /// key = ["unit_id"]
    /// disappeared = true            # a unit of the previous period missing now
    /// appeared = true               # a unit that was not there before
    ///
    /// [[table.previous]]            # in clinics
    /// key = ["clinic_id"]
    /// same = ["clinic_type"]         # must not change under the same id
    /// ```
    ///
    /// Run with the previous period: `vakt check RETURN --previous LAST_YEARS_RETURN`, where the
    /// previous period is a return like this one or a clean dataset of several (`vakt clean`
    /// output); rows are matched by the pack's return key (`[return]`) and `key`. Without
    /// `--previous` these rules do not run (vakt says so). Warnings unless `severity` says
    /// otherwise; reported at the cell, with the previous value. A return that is new altogether is
    /// not reported row by row.
    pub struct PreviousKind => "VK0211", "previous";
}

/// A comparison with the previous period: `[[table.previous]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviousParams {
    /// The columns naming a row in both periods (none: the table's one row per return).
    #[serde(default)]
    pub key: Vec<String>,
    /// A number column whose change is limited by `change`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub column: Option<Spanned<String>>,
    /// The largest plausible change of `column`, as a share of its previous value (0.5: 50 %).
    #[serde(default)]
    pub change: Option<f64>,
    /// Columns that must not change under the same key.
    #[serde(default)]
    pub same: Vec<String>,
    /// Report keys of the previous period missing from this one.
    #[serde(default)]
    pub disappeared: bool,
    /// Report keys not in the previous period.
    #[serde(default)]
    pub appeared: bool,
    /// `warning` (default), `error` or `info`.
    #[serde(default)]
    pub severity: Option<RuleSeverity>,
}

/// A configured comparison, with the previous period's rows once they are read.
#[derive(Debug)]
struct Previous {
    code: Code,
    severity: Severity,
    table: usize,
    key: Vec<usize>,
    column: Option<usize>,
    change: f64,
    same: Vec<usize>,
    disappeared: bool,
    appeared: bool,
    /// Written while the previous period is read, then only read (by every worker at once).
    data: RwLock<Recorded>,
}

/// The previous period's rows of the table, by key.
#[derive(Debug, Default)]
struct Recorded {
    loaded: bool,
    rows: KeyMap<PrevRow>,
    /// Per return (its hash): the keys it had.
    by_return: HashMap<Key128, Vec<Key128>>,
}

/// What a compared row held in the previous period: `column`, then each of `same`.
#[derive(Debug, Clone)]
struct PrevRow {
    values: Vec<(Value, String)>,
    key_text: String,
}

impl RuleKind for PreviousKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn section(&self) -> Option<&'static str> {
        Some("previous")
    }

    fn params_schema(&self) -> Option<serde_json::Value> {
        serde_json::to_value(schemars::schema_for!(PreviousParams)).ok()
    }

    fn configure(&self, entry: &Entry<'_>, cx: &mut Configure<'_, '_>) -> Option<Box<dyn Configured>> {
        let p: PreviousParams = cx.params(entry)?;
        let t = entry.table;
        let key = cx.columns(t, &p.key, "previous key", Some(entry.span.clone()));
        let same = cx.columns(t, &p.same, "previous same", Some(entry.span.clone()));
        let column = match &p.column {
            Some(c) => Some(cx.columns(t, std::slice::from_ref(c.get_ref()), "previous column", Some(c.span()))?[0]),
            None => None,
        };
        let (key, same) = (key?, same?);
        let nothing = column.is_none() && same.is_empty() && !p.disappeared && !p.appeared;
        let bad_change = p.change.is_some_and(|c| c < 0.0) || (column.is_some() != p.change.is_some());
        let keyless_presence = key.is_empty() && (p.disappeared || p.appeared);
        if nothing || bad_change || keyless_presence {
            let message =
                "previous: give `column` with `change` (0 or more), `same`, or `disappeared`/`appeared` with a `key`"
                    .to_string();
            cx.error(message, Some(entry.span.clone()), "this entry", None);
            return None;
        }
        let severity = entry.severity.or(p.severity).map_or(Severity::Warning, severity);
        Some(Box::new(Previous {
            code: cx.code(entry, PreviousKind::CODE),
            severity,
            table: t,
            key,
            column,
            change: p.change.unwrap_or(0.0),
            same,
            disappeared: p.disappeared,
            appeared: p.appeared,
            data: RwLock::new(Recorded::default()),
        }))
    }
}

impl Previous {
    /// The compared columns: `column`, then `same`.
    fn compared(&self) -> impl Iterator<Item = usize> + '_ {
        self.column.iter().copied().chain(self.same.iter().copied())
    }
}

impl Configured for Previous {
    fn return_rule<'p>(&'p self, plan: &'p Plan) -> Option<Box<dyn ReturnRule + 'p>> {
        let loaded = self.data.read().is_ok_and(|d| d.loaded);
        loaded.then(|| {
            Box::new(Compare {
                plan,
                rule: self,
                seen: KeyMap::default(),
                returns: Vec::new(),
                place: None,
            }) as Box<dyn ReturnRule + 'p>
        })
    }

    fn previous_recorder<'p>(&'p self) -> Option<Box<dyn ReturnRule + 'p>> {
        Some(Box::new(Record { rule: self }))
    }

    fn previous_loaded(&self) {
        if let Ok(mut d) = self.data.write() {
            d.loaded = true;
        }
    }

    fn needs_previous(&self) -> bool {
        true
    }
}

/// Keeps the previous period's rows as its return streams.
struct Record<'p> {
    rule: &'p Previous,
}

impl ReturnRule for Record<'_> {
    fn observe(&mut self, table: usize, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let r = self.rule;
        if table != r.table {
            return;
        }
        let (Some(ret), Some(key)) = (row.key(&[]), row.key(&r.key)) else {
            return;
        };
        let values = r.compared().map(|c| (row.value(c), row.text(c).to_string())).collect();
        let key_text: Vec<String> = r.key.iter().map(|&k| out.shown(k, row.text(k))).collect();
        let Ok(mut d) = r.data.write() else { return };
        if d.rows
            .insert(
                key,
                PrevRow {
                    values,
                    key_text: key_text.join(" + "),
                },
            )
            .is_none()
        {
            d.by_return.entry(ret).or_default().push(key);
        }
    }

    fn finish(&mut self, _present: &[bool], _out: &mut Collector) {}
}

/// Compares this period's rows with the previous period's.
struct Compare<'p> {
    plan: &'p Plan,
    rule: &'p Previous,
    /// Keys of this return met, and whether the previous period had them.
    seen: KeyMap<()>,
    /// The returns (hashes) this input holds.
    returns: Vec<Key128>,
    /// Where the table is in this return, for keys that disappeared.
    place: Option<Location>,
}

impl ReturnRule for Compare<'_> {
    fn observe(&mut self, table: usize, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let r = self.rule;
        if table != r.table {
            return;
        }
        let (Some(ret), Some(key)) = (row.key(&[]), row.key(&r.key)) else {
            return;
        };
        self.place.get_or_insert_with(|| out.location(None, None, None));
        if !self.returns.contains(&ret) {
            self.returns.push(ret);
        }
        self.seen.insert(key, ());
        let Ok(d) = r.data.read() else { return };
        match d.rows.get(&key) {
            Some(prev) => self.changes(prev, row, out),
            None if r.appeared && d.by_return.contains_key(&ret) => {
                let names: Vec<&str> = r.key.iter().map(|&k| out.table.columns[k].name.as_str()).collect();
                let shown: Vec<String> = r.key.iter().map(|&k| out.shown(k, row.text(k))).collect();
                let message = T::PreviousNew.say(&[("columns", &names.join(" + ")), ("value", &shown.join(" + "))]);
                out.cell(
                    r.code.clone(),
                    r.severity,
                    row,
                    r.key[0],
                    message,
                    Some(T::HelpNew.say(&[])),
                );
            }
            None => {}
        }
    }

    fn finish(&mut self, _present: &[bool], out: &mut Collector) {
        let r = self.rule;
        let (Some(place), true) = (&self.place, r.disappeared) else {
            return;
        };
        let Ok(d) = r.data.read() else { return };
        let table = &self.plan.pack().tables[r.table];
        let names: Vec<&str> = r.key.iter().map(|&k| table.columns[k].name.as_str()).collect();
        for ret in &self.returns {
            for key in d
                .by_return
                .get(ret)
                .into_iter()
                .flatten()
                .filter(|k| !self.seen.contains_key(k))
            {
                let Some(prev) = d.rows.get(key) else { continue };
                let message = T::PreviousGone.say(&[
                    ("columns", &names.join(" + ")),
                    ("value", &prev.key_text),
                    ("table", &table.name),
                ]);
                let f = Finding {
                    nb: None,
                    code: r.code.clone(),
                    severity: r.severity,
                    message: String::new(),
                    help: None,
                    location: place.clone(),
                    value: None,
                };
                out.push(f.said(message, Some(T::HelpGone.say(&[]))));
            }
        }
    }
}

impl Compare<'_> {
    /// Findings for a row the previous period had: a change too large, a value that changed.
    fn changes(&self, prev: &PrevRow, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let r = self.rule;
        for (i, c) in r.compared().enumerate() {
            let Some((before, before_text)) = prev.values.get(i) else {
                continue;
            };
            let now = row.value(c);
            let name = &out.table.columns[c].name;
            let message = if Some(c) == r.column && i == 0 {
                let (Some(a), Some(b)) = (before.as_f64(), now.as_f64()) else {
                    continue;
                };
                let share = if a == 0.0 {
                    f64::INFINITY
                } else {
                    (b - a).abs() / a.abs()
                };
                if share <= r.change + 1e-12 || a == b {
                    continue;
                }
                let pct = if a == 0.0 {
                    String::new()
                } else {
                    format!(" ({:+.0} %)", (b - a) / a.abs() * 100.0)
                };
                T::PreviousChange.say(&[
                    ("column", name),
                    ("value", &row.text(c)),
                    ("before", &text::trim(before_text)),
                    ("pct", &pct),
                ])
            } else {
                if matches!(now, Value::Missing)
                    || matches!(before, Value::Missing)
                    || same_value(*before, before_text, now, row.text(c))
                {
                    continue;
                }
                let names: Vec<&str> = r.key.iter().map(|&k| out.table.columns[k].name.as_str()).collect();
                T::PreviousSame.say(&[
                    ("column", name),
                    ("value", &out.shown(c, row.text(c))),
                    ("before", &out.shown(c, before_text)),
                    ("columns", &names.join(" + ")),
                    ("key", &prev.key_text),
                ])
            };
            out.cell(
                r.code.clone(),
                r.severity,
                row,
                c,
                message,
                Some(T::HelpCompare.say(&[])),
            );
        }
    }
}

/// Whether two readings of a cell are the same value: typed values as they are, text folded.
fn same_value(a: Value, a_text: &str, b: Value, b_text: &str) -> bool {
    match (a, b) {
        (Value::Text, Value::Text) => text::key(a_text) == text::key(b_text),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::plan;

    const PACK: &str = r#"name = "homes"
version = "1"
[return]
table = "report"
column = "home"
[[table]]
name = "report"
files = ["report.csv"]
[[table.previous]]
column = "residents"
change = 0.5
[[table.column]]
name = "home"
type = "text"
[[table.column]]
name = "residents"
type = "integer"
[[table]]
name = "wards"
files = ["wards.csv"]
[[table.previous]]
key = ["ward"]
disappeared = true
appeared = true
same = ["kind"]
[[table.column]]
name = "home"
type = "text"
[[table.column]]
name = "ward"
type = "text"
[[table.column]]
name = "kind"
type = "text"
"#;

    fn write(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn this_period_is_compared_with_the_previous_one() {
        let plan = plan(PACK);
        let before = write(&[
            ("report.csv", "home,residents\nH1,40\n"),
            (
                "wards.csv",
                "home,ward,kind\nH1,A,long-term\nH1,B,short-term\nH1,C,dementia\n",
            ),
        ]);
        let now = write(&[
            ("report.csv", "home,residents\nH1,12\n"),
            (
                "wards.csv",
                "home,ward,kind\nH1,A,Long-term\nH1,B,dementia\nH1,D,short-term\n",
            ),
        ]);
        // Without the previous period the rules do not run.
        let (_, quiet) = crate::check::engine::check_path(&plan, now.path());
        assert!(quiet.findings.iter().all(|f| f.code != "VK0211"));
        crate::check::engine::record_previous(&plan, before.path()).unwrap();
        plan.previous_loaded();
        let (_, result) = crate::check::engine::check_path(&plan, now.path());
        let got: Vec<(Option<u64>, Option<&str>, &str)> = result
            .findings
            .iter()
            .filter(|f| f.code == "VK0211")
            .map(|f| (f.location.row, f.location.column.as_deref(), f.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Some(2),
                    Some("residents"),
                    "residents is 12; it was 40 in the previous period (-70 %)"
                ),
                (
                    None,
                    None,
                    "ward `C` of the previous period is not in `wards` of this return"
                ),
                (
                    Some(3),
                    Some("kind"),
                    "kind is dementia; it was short-term in the previous period for the same ward `B`"
                ),
                (
                    Some(4),
                    Some("ward"),
                    "ward `D` is new: it was not in the previous period"
                ),
            ]
        );
    }
}
