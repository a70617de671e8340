use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use crate::pack::{ColumnType, Range};
use crate::value::Value;

documented_check! {
    /// A value lies outside its column's range.
    ///
    /// `range` is the hard range: outside it the value is impossible (an error). `soft_range` is the
    /// plausible range: outside it the value is unusual and should be confirmed (a warning). Bounds
    /// are inclusive; either may be left out. Dates are bounded with `"YYYY-MM-DD"` strings.
    ///
    /// ```toml
    /// [[table.column]]
    /// name = "session_minutes"
    /// type = "minutes"
    /// range = { min = 15, max = 240 }       # 900 is an error (a typo for 90?)
    /// soft_range = { min = 45, max = 180 }  # 30 is a warning
    /// ```
    ///
    /// Values that could not be parsed are not range-checked (see VK0102).
    pub struct RangeKind => "VK0103", "range";
}

impl RuleKind for RangeKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let cols: Vec<RangeCol<'p>> = schema
            .present_columns()
            .filter(|(_, c)| c.range.is_some() || c.soft_range.is_some())
            .map(|(i, c)| RangeCol {
                col: i,
                hard: c.range.as_ref(),
                soft: c.soft_range.as_ref(),
                ty: c.ty,
            })
            .collect();
        if cols.is_empty() {
            return Vec::new();
        }
        vec![Box::new(RangeRule { cols })]
    }
}

struct RangeCol<'p> {
    col: usize,
    hard: Option<&'p Range>,
    soft: Option<&'p Range>,
    ty: ColumnType,
}

struct RangeRule<'p> {
    cols: Vec<RangeCol<'p>>,
}

fn show(v: Value) -> String {
    match v {
        Value::Date(d) => d.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Num(n) => {
            let mut s = String::new();
            crate::value::cell::write_number(&mut s, n);
            s
        }
        _ => String::new(),
    }
}

impl RowRule for RangeRule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for rc in &self.cols {
            let p = row.values[rc.col];
            if p.issue.is_some() {
                continue;
            }
            let Some(v) = p.value.as_f64() else {
                continue;
            };
            // Words are made only for a finding: nearly every value is in range.
            let unit = if rc.ty == ColumnType::Minutes { " min" } else { "" };
            let name = &out.table.columns[rc.col].name;
            if let Some(h) = rc.hard.filter(|h| !h.contains(v)) {
                let value = show(p.value);
                let help = magnitude_hint(v, h);
                let message =
                    T::RangeOutside.say(&[("column", name), ("value", &value), ("unit", &unit), ("range", &h.text)]);
                out.cell(RangeKind::CODE, Severity::Error, row, rc.col, message, help);
            } else if let Some(s) = rc.soft.filter(|s| !s.contains(v)) {
                let value = show(p.value);
                let message =
                    T::RangeUnusual.say(&[("column", name), ("value", &value), ("unit", &unit), ("range", &s.text)]);
                out.cell(RangeKind::CODE, Severity::Warning, row, rc.col, message, None);
            }
        }
    }
}

/// "900 min: did you mean 90?" when dividing by ten lands inside the range.
fn magnitude_hint(v: f64, r: &Range) -> Option<crate::i18n::Said> {
    let tenth = v / 10.0;
    if v > 0.0 && tenth.fract() == 0.0 && r.contains(tenth) {
        let mut s = String::new();
        crate::value::cell::write_number(&mut s, tenth);
        return Some(T::HelpTypingSlip.say(&[("value", &s)]));
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack, run};
    use crate::finding::Severity;

    #[test]
    fn hard_is_error_soft_is_warning_and_dates_have_bounds() {
        let p = pack(
            "[[table.column]]\nname = \"min\"\ntype = \"minutes\"\nrange = { min = 15, max = 240 }\nsoft_range = { min = 45, max = 180 }\n[[table.column]]\nname = \"d\"\ntype = \"date\"\nrange = { min = \"1980-01-01\", max = \"2009-12-31\" }\n",
            "",
        );
        let f = run(
            &p,
            "min,d\n90,2009-01-01\n900,1979-12-31\n30,2010-01-01\n180,1980-01-01\n",
        );
        assert_eq!(codes(&f), ["VK0103@3:min", "VK0103@3:d", "VK0103@4:min", "VK0103@4:d"]);
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[0].help.as_deref(), Some("a typing slip? 90 would be in range"));
        assert_eq!(f[2].severity, Severity::Warning);
        assert!(
            f[1].message
                .contains("1979-12-31 is outside the allowed range 1980-01-01..2009-12-31"),
            "{}",
            f[1].message
        );
    }
}
