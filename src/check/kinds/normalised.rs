use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::value::Note;

documented_check! {
    /// A value was read after a repair: logged so the data manager can see what was assumed.
    ///
    /// Information (the meaning is certain):
    /// - a unit after a number was dropped (`90 min`, `8 pas.`);
    /// - spaced thousands were joined (`1 234`);
    /// - a serial number in a date column was read as an Excel date;
    /// - a time after a date was dropped.
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
        let cols: Vec<usize> = schema.present_columns().map(|(i, _)| i).collect();
        vec![Box::new(NormalisedRule { cols })]
    }
}

struct NormalisedRule {
    cols: Vec<usize>,
}

fn describe(note: Note) -> (Severity, &'static str) {
    match note {
        Note::HoursAsMinutes => (Severity::Warning, "read as hours and converted to minutes"),
        Note::Approximate => (Severity::Warning, "is approximate; read as exact"),
        Note::Mojibake => (
            Severity::Warning,
            "had garbled letters (wrong encoding); repaired before matching",
        ),
        Note::UnitDropped => (Severity::Info, "read without its unit"),
        Note::ThousandsSeparator => (Severity::Info, "read without its thousands separator"),
        Note::SerialAsDate => (Severity::Info, "is a serial number, read as an Excel date"),
        Note::TimeDropped => (Severity::Info, "has a time of day, which was dropped"),
    }
}

impl RowRule for NormalisedRule {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for &col in &self.cols {
            let p = row.values[col];
            let Some(note) = p.note.filter(|_| p.issue.is_none()) else {
                continue;
            };
            let (severity, what) = describe(note);
            let raw = row.text(col);
            let read_as = match p.value {
                crate::value::Value::Int(i) => format!(" as {i}"),
                crate::value::Value::Num(n) => {
                    let mut s = String::from(" as ");
                    crate::read::write_number(&mut s, n);
                    s
                }
                crate::value::Value::Date(d) => format!(" as {d}"),
                _ => String::new(),
            };
            let message = format!(
                "{}: `{}` {what}{read_as}",
                out.table.columns[col].name,
                out.shown(col, raw)
            );
            out.cell(NormalisedKind::CODE, severity, row, col, message, None);
        }
    }
}
