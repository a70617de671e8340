use crate::check::plan::{severity, Configure, Configured, Entry};
use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Code};
use crate::i18n::T;
use crate::pack::{ColumnType, RuleSeverity};
use crate::value::Value;
use schemars::JsonSchema;
use serde::Deserialize;

documented_check! {
    /// A count below the publication threshold is shown, not suppressed: in a sheet of counts (a
    /// return that sends totals per unit and category instead of rows), a count from 1 to
    /// `threshold - 1` lets a reader single out the few persons behind it.
    ///
    /// ```toml
    /// [[table.column]]
    /// name = "n_residents"
    /// type = "integer"
    /// suppressed = [":", "*"]     # how the return writes a hidden count
    ///
    /// [[table.small_count]]
    /// columns = ["n_residents"]
    /// threshold = 5               # 1 to 4 must be suppressed; 0 may be shown
    /// ```
    ///
    /// Reported at the cell. A cell holding one of the column's `suppressed` symbols is a hidden
    /// count: no finding here, nor a type error, nor a missing required value.
    pub struct SmallCountKind => "VK0212", "small-count";
}

/// Counts from 1 to `threshold - 1` in `columns` must be suppressed: `[[table.small_count]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SmallCountParams {
    /// The count columns (whole numbers).
    pub columns: Vec<String>,
    /// The smallest count that may be shown (zero may always be shown).
    pub threshold: u32,
    /// `error` (default), `warning` or `info`.
    #[serde(default)]
    pub severity: RuleSeverity,
}

/// A configured small-count rule.
#[derive(Debug)]
struct SmallCount {
    code: Code,
    columns: Vec<usize>,
    threshold: u32,
    severity: RuleSeverity,
}

impl RuleKind for SmallCountKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn section(&self) -> Option<&'static str> {
        Some("small_count")
    }

    fn params_schema(&self) -> Option<serde_json::Value> {
        serde_json::to_value(schemars::schema_for!(SmallCountParams)).ok()
    }

    fn configure(&self, entry: &Entry<'_>, cx: &mut Configure<'_, '_>) -> Option<Box<dyn Configured>> {
        let mut p: SmallCountParams = cx.params(entry)?;
        if let Some(s) = entry.severity {
            p.severity = s;
        }
        let t = entry.table;
        let columns = cx.columns(t, &p.columns, "small_count", Some(entry.span.clone()))?;
        for &c in &columns {
            let column = &cx.pack.tables[t].columns[c];
            if column.ty != ColumnType::Integer {
                let message = format!("small_count: `{}` is not a count (type integer)", column.name);
                cx.error(message, Some(entry.span.clone()), "here", None);
                return None;
            }
        }
        if p.threshold < 2 {
            cx.error(
                "small_count: `threshold` below 2 suppresses nothing".to_string(),
                Some(entry.span.clone()),
                "here",
                None,
            );
            return None;
        }
        Some(Box::new(SmallCount {
            code: cx.code(entry, SmallCountKind::CODE),
            columns,
            threshold: p.threshold,
            severity: p.severity,
        }))
    }
}

impl Configured for SmallCount {
    fn bind<'p>(&'p self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let present = schema.present(&self.columns);
        if present.is_empty() {
            return Vec::new();
        }
        vec![Box::new(SmallCountRule { spec: self, present })]
    }
}

struct SmallCountRule<'p> {
    spec: &'p SmallCount,
    present: Vec<usize>,
}

impl RowRule for SmallCountRule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for &c in &self.present {
            let Value::Int(n) = row.value(c) else { continue };
            if n <= 0 || n >= i64::from(self.spec.threshold) {
                continue;
            }
            let name = &out.table.columns[c].name;
            let message = T::SmallCount.say(&[("column", name), ("value", &n), ("threshold", &self.spec.threshold)]);
            let symbols = &out.table.columns[c].suppressed;
            let help = match symbols.first() {
                Some(symbol) => T::HelpSuppressWith.say(&[("symbol", symbol)]),
                None => T::HelpSuppress.say(&[]),
            };
            out.cell(
                self.spec.code.clone(),
                severity(self.spec.severity),
                row,
                c,
                message,
                Some(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, plan, run};
    use crate::finding::Severity;

    const PACK: &str = "name = \"s\"\nversion = \"1\"\n[[table]]\nname = \"t\"\n[[table.column]]\nname = \"unit\"\ntype = \"text\"\n[[table.column]]\nname = \"n\"\ntype = \"integer\"\nrequired = true\nsuppressed = [\":\", \"*\"]\n[[table.small_count]]\ncolumns = [\"n\"]\nthreshold = 5\n";

    #[test]
    fn shown_small_counts_are_reported_and_suppressed_ones_are_not() {
        let p = plan(PACK);
        let f = run(&p, "unit,n\nA,0\nB,3\nC,:\nD,5\nE, * \nF,4\n");
        assert_eq!(codes(&f), ["VK0212@3:n", "VK0212@7:n"], "{f:?}");
        assert!(f.iter().all(|f| f.severity == Severity::Error));
        assert_eq!(
            f[0].message,
            "n: 3 is shown, but counts below 5 must be suppressed before publication"
        );
        assert_eq!(
            f[0].help.as_deref(),
            Some("write `:` instead, or merge it with a neighbouring category")
        );
    }

    #[test]
    fn without_symbols_a_hidden_count_is_a_type_error_as_before() {
        let p = plan(&PACK.replace("suppressed = [\":\", \"*\"]\n", ""));
        let f = run(&p, "unit,n\nC,:\n");
        assert_eq!(codes(&f), ["VK0102@2:n"], "{f:?}");
    }

    #[test]
    fn a_count_column_must_hold_whole_numbers_and_the_threshold_hide_something() {
        let pack = |src: &str| crate::pack::Pack::from_source("t.toml", src.to_string(), &|r: &str| Err(r.to_string()));
        let plan_of = |src: &str| pack(src).map(|p| crate::check::Plan::new(p, crate::check::Registry::builtin()));
        let text_column = PACK.replace("name = \"n\"\ntype = \"integer\"", "name = \"n\"\ntype = \"text\"");
        let err = format!("{:?}", plan_of(&text_column).unwrap().unwrap_err());
        assert!(err.contains("`n` is not a count"), "{err}");
        let err = format!(
            "{:?}",
            plan_of(&PACK.replace("threshold = 5", "threshold = 1"))
                .unwrap()
                .unwrap_err()
        );
        assert!(err.contains("suppresses nothing"), "{err}");
    }
}
