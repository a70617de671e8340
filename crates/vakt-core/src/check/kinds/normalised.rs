use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use crate::pack::{CodeList, ColumnType};
use crate::value::{Note, Value};

documented_check! {
    /// A value was read after a repair: logged so the data manager can see what was assumed.
    ///
    /// Information (the meaning is certain):
    /// - a unit after a number was dropped (`90 min`, `8 pas.`);
    /// - spaced thousands were joined (`1 234`);
    /// - a serial number in a date column was read as an Excel date;
    /// - a time after a date was dropped;
    /// - leading zeros Excel dropped from a code were restored (`301` → `0301`), when the code
    ///   list's codes make the width certain (exactly one number of zeros gives a code).
    ///
    /// Warnings (the meaning is likely, but confirm it):
    /// - a bare number from 0.5 to 4 in a minutes column was read as hours (`1.5` → 90 min);
    /// - an approximation was read as exact (`ca 8` → 8);
    /// - text garbled by a wrong encoding was repaired (`KjÃ¸nn` → `Kjønn`).
    pub struct NormalisedKind => "VK0108", "normalised";
}

impl RuleKind for NormalisedKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let cols: Vec<(usize, Option<&'p CodeList>)> = schema
            .present_columns()
            .map(|(i, c)| (i, schema.pack.codelist(c)))
            .collect();
        vec![Box::new(NormalisedRule { cols })]
    }
}

struct NormalisedRule<'p> {
    cols: Vec<(usize, Option<&'p CodeList>)>,
}

/// Severity and the reason, shown after "read as VALUE".
fn describe(note: Note) -> Option<(Severity, T)> {
    Some(match note {
        Note::HoursAsMinutes => (Severity::Warning, T::WhyHours),
        Note::Approximate => (Severity::Warning, T::WhyApproximate),
        Note::Mojibake => (Severity::Warning, T::WhyMojibake),
        Note::ZeroRestored => (Severity::Info, T::WhyZeroRestored),
        Note::UnitDropped => (Severity::Info, T::Nothing),
        Note::ThousandsSeparator => (Severity::Info, T::Nothing),
        Note::SerialAsDate => (Severity::Info, T::WhySerial),
        Note::TimeDropped => (Severity::Info, T::WhyTimeDropped),
        Note::TimeAsMinutes => (Severity::Info, T::WhyTimeAsMinutes),
        // ICD-10 notes belong to the icd10 kind.
        Note::IcdNormalised | Note::IcdCategory | Note::IcdExtension => return None,
        // A suppressed count is read as the publisher meant it: nothing was repaired.
        Note::Suppressed => return None,
    })
}

impl RowRule for NormalisedRule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for &(col, list) in &self.cols {
            let p = row.values[col];
            let Some(note) = p.note.filter(|_| p.issue.is_none()) else {
                continue;
            };
            let Some((severity, why)) = describe(note) else {
                continue;
            };
            let read_as: crate::i18n::Said = match p.value {
                Value::Int(i) => i.to_string().into(),
                Value::Num(n) => {
                    let mut s = String::new();
                    crate::value::cell::write_number(&mut s, n);
                    if out.table.columns[col].ty == ColumnType::Minutes {
                        T::Minutes.say(&[]).prefixed(&s)
                    } else {
                        s.into()
                    }
                }
                Value::Date(d) => d.to_string().into(),
                Value::Code(c) => list.map(|l| l.code(c).to_string()).unwrap_or_default().into(),
                _ => String::new().into(),
            };
            let shown = out.shown(col, row.text(col));
            let message = T::ReadAs.say_with(
                &[("column", &out.table.columns[col].name), ("value", &shown)],
                &[("read", &read_as), ("why", &why.say(&[]))],
            );
            out.cell(NormalisedKind::CODE, severity, row, col, message, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack, run};
    use crate::finding::Severity;

    #[test]
    fn repairs_are_logged_with_their_severity() {
        let p = pack(
            "[[table.column]]\nname = \"m\"\ntype = \"minutes\"\n[[table.column]]\nname = \"n\"\ntype = \"integer\"\n[[table.column]]\nname = \"sex\"\ntype = \"code\"\ncodelist = \"sex\"\n",
            "",
        );
        let f = run(&p, "m;n;sex\n90;8;F\n1,5;8 pas.;F\n90 min;ca 8;F\n");
        assert_eq!(codes(&f), ["VK0108@3:m", "VK0108@3:n", "VK0108@4:m", "VK0108@4:n"]);
        let sev: Vec<Severity> = f.iter().map(|x| x.severity).collect();
        assert_eq!(
            sev,
            [Severity::Warning, Severity::Info, Severity::Info, Severity::Warning]
        );
        assert!(f[0].message.contains("read as 90 minutes"));
    }
}
