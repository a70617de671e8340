use crate::check::plan::{severity, Configure, Configured, CountLink, Entry, Plan};
use crate::check::{Collector, ReturnRule, RowCtx, RuleKind, Sink};
use crate::chunked::Chunked;
use crate::finding::{CheckInfo, Finding, Location};
use crate::i18n::T;
use crate::pack::{ColumnType, RuleSeverity};
use crate::value::keyhash::{Key128, KeyMap};
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
            declared: Chunked::default(),
            texts: Texts::default(),
            places: Vec::new(),
        }))
    }

    fn count(&self) -> Option<&CountLink> {
        Some(&self.link)
    }
}

/// A declared count, kept small: a national return declares one per group, and every one waits
/// for the counted table. Its texts sit in [`Texts`], its file and sheet in the rule's places.
#[derive(Clone, Copy)]
struct Declared {
    key: Key128,
    value: f64,
    row: u64,
    col: Option<u32>,
    /// Index into the rule's places (file, sheet).
    place: u32,
    /// The key as shown, then the count cell as written: ends in the texts.
    key_end: usize,
    raw_end: usize,
}

/// The texts of every declared count, one after the other in one string.
#[derive(Default)]
struct Texts {
    all: String,
}

struct CountRule<'p> {
    plan: &'p Plan,
    count: &'p Count,
    /// Rows of the counted table by key (within the return).
    counted: KeyMap<u64>,
    declared: Chunked<Declared>,
    texts: Texts,
    /// The (file, sheet) of each part of the owner table met so far.
    places: Vec<(String, Option<String>)>,
}

impl CountRule<'_> {
    /// The index of the current part's (file, sheet), added when it is new.
    fn place(&mut self, out: &Sink<'_>) -> u32 {
        // Compared in place: a return declares a count per group, and only a new part is kept.
        match self.places.last() {
            Some((file, sheet)) if file == out.file && sheet.as_deref() == out.sheet => {}
            _ => self.places.push((out.file.to_string(), out.sheet.map(str::to_string))),
        }
        self.places.len().saturating_sub(1) as u32
    }

    /// The key as shown and the count cell as written, of a declared count.
    fn texts_of(&self, i: usize, d: &Declared) -> (&str, &str) {
        let start = match i.checked_sub(1).and_then(|p| self.declared.get(p)) {
            Some(before) => before.raw_end,
            None => 0,
        };
        let all = &self.texts.all;
        (
            all.get(start..d.key_end).unwrap_or(""),
            all.get(d.key_end..d.raw_end).unwrap_or(""),
        )
    }
}

impl ReturnRule for CountRule<'_> {
    fn observe(&mut self, table: usize, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let c = &self.count.link;
        // The owner came first and declared nothing: there is nothing to count for.
        let nothing_declared = c.owner < c.table && self.declared.is_empty();
        if table == c.table && !nothing_declared {
            if let Some(k) = row.key(&c.matching) {
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
        let Some(key) = row.key(&c.key) else {
            return;
        };
        let place = self.place(out);
        for (i, &k) in c.key.iter().enumerate() {
            if i > 0 {
                self.texts.all.push_str(" + ");
            }
            self.texts.all.push_str(&out.shown(k, row.text(k)));
        }
        let key_end = self.texts.all.len();
        self.texts.all.push_str(row.text(c.column));
        self.declared.push(Declared {
            key,
            value,
            row: row.row.row,
            col: row.physical(c.column),
            place,
            key_end,
            raw_end: self.texts.all.len(),
        });
    }

    fn finish(&mut self, present: &[bool], out: &mut Collector) {
        let c = &self.count.link;
        if !present[c.table] {
            return;
        }
        for (i, d) in self.declared.iter().enumerate() {
            let actual = self.counted.get(&d.key).copied().unwrap_or(0);
            if d.value != actual as f64 {
                out.push(self.finding(i, d, actual));
            }
        }
    }
}

impl CountRule<'_> {
    /// The finding for a declared count that is not the rows counted.
    fn finding(&self, i: usize, d: &Declared, actual: u64) -> Finding {
        let c = &self.count.link;
        let tables = &self.plan.pack().tables;
        let counted = &tables[c.table].name;
        let column = &tables[c.owner].columns[c.column].name;
        let (key_text, raw) = self.texts_of(i, d);
        let (message, help) = if c.key.is_empty() {
            (
                T::CountAll.say(&[
                    ("column", column),
                    ("value", &raw),
                    ("table", counted),
                    ("actual", &actual),
                ]),
                T::HelpCountAgain.say(&[("table", counted)]),
            )
        } else {
            let keys: Vec<&str> = c
                .matching
                .iter()
                .map(|&m| tables[c.table].columns[m].name.as_str())
                .collect();
            let keys = keys.join(" + ");
            (
                T::CountKey.say(&[
                    ("column", column),
                    ("value", &raw),
                    ("table", counted),
                    ("actual", &actual),
                    ("columns", &keys),
                    ("key", &key_text),
                ]),
                T::HelpCorrectCount.say(&[("column", column), ("table", counted), ("columns", &keys)]),
            )
        };
        let (file, sheet) = self.places.get(d.place as usize).cloned().unwrap_or_default();
        let f = Finding {
            nb: None,
            code: c.code.clone(),
            severity: severity(self.count.severity),
            message: String::new(),
            help: None,
            location: Location {
                table: c.owner,
                file,
                sheet,
                row: Some(d.row),
                col: d.col,
                column: Some(column.clone()),
                record: None,
            },
            value: Some(raw.to_string()),
        };
        f.said(message, Some(help))
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, plan, run_folder};

    const PACK: &str = r#"
name = "count-test"
version = "1"
[[table]]
name = "clinics"
files = ["clinics.csv"]
[[table.column]]
name = "clinic_id"
type = "text"
[[table.column]]
name = "n_visits"
type = "integer"
[[table.count]]
column = "n_visits"
table = "visits"
key = ["clinic_id"]
matching = ["clinic_id"]
[[table]]
name = "visits"
files = ["visits.csv"]
[[table.column]]
name = "clinic_id"
type = "text"
[[table.column]]
name = "visit_no"
type = "integer"
"#;

    #[test]
    fn each_wrong_count_is_reported_at_its_own_row_and_cell_with_its_key_and_value() {
        let p = plan(PACK);
        let f = run_folder(
            &p,
            &[
                ("clinics.csv", "n_visits,clinic_id\n2,A\n 3,B\n1,C\n7,D\n"),
                ("visits.csv", "clinic_id,visit_no\nA,1\nA,2\nb,1\nC,1\nD,1\nD,2\n"),
            ],
        );
        assert_eq!(codes(&f), ["VK0203@3:n_visits", "VK0203@5:n_visits"]);
        let (b, d) = (&f[0], &f[1]);
        for (f, row, value, key, actual) in [(b, 3, "3", "`B`", "1"), (d, 5, "7", "`D`", "2")] {
            assert_eq!(f.location.file.rsplit('/').next(), Some("clinics.csv"));
            assert_eq!((f.location.row, f.location.col), (Some(row), Some(0)));
            assert_eq!(f.value.as_deref(), Some(value));
            assert!(f.message.contains(key), "{}", f.message);
            let said = format!("n_visits is {value}, but the table `visits` has {actual} rows");
            assert!(f.message.contains(&said), "{}", f.message);
        }
    }
}
