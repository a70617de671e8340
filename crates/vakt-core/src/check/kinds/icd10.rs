use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use crate::pack::{CodeList, ColumnType};
use crate::value::{icd10, Issue, Note, Value};

documented_check! {
    /// A diagnosis is not a valid ICD-10 chapter V code (WHO ICD-10 2019, F00-F99).
    ///
    /// Columns of type `icd10` are read against their code list (`rules/icd10-chapter-v.csv`), after
    /// normalising: trim, upper-case, `,` to `.`, `F321` to `F32.1`, the letter O to zero in digit
    /// places (information when anything changed).
    ///
    /// - a leaf code (`F32.1`, or a category without subcategories) is accepted;
    /// - a 3-character category that has subcategories (`F32`) is a warning: give the fourth
    ///   character;
    /// - a Norwegian 5-character clinical extension of a valid code (`F60.31`) is a warning; the
    ///   4-character code is used;
    /// - anything else is an error, with help naming the nearest valid code: codes that do not exist
    ///   (`F32.7`, `F35`), codes outside chapter V (`Z63.0`), DSM-IV numbers (`296.32`), ICD-10-CM
    ///   codes (`F32.A`), diagnoses written as text (`depresjon`), several codes in one cell
    ///   (`F32.1/F60.3`).
    ///
    /// Extra columns of the code list (a diagnosis chapter, say) can be written beside the code by
    /// `vakt clean` (`output_attributes`) and used in expressions (`attr`) and tables.
    pub struct Icd10Kind => "VK0206", "icd10";
}

impl RuleKind for Icd10Kind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let cols: Vec<(usize, &'p CodeList)> = schema
            .present_columns()
            .filter(|(_, c)| c.ty == ColumnType::Icd10)
            .filter_map(|(i, c)| schema.pack.codelist(c).map(|l| (i, l)))
            .collect();
        if cols.is_empty() {
            return Vec::new();
        }
        vec![Box::new(Icd10Rule { cols })]
    }
}

struct Icd10Rule<'p> {
    cols: Vec<(usize, &'p CodeList)>,
}

impl RowRule for Icd10Rule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for &(col, list) in &self.cols {
            let p = row.values[col];
            let raw = row.text(col);
            let name = &out.table.columns[col].name;
            let code = |v: Value| match v {
                Value::Code(i) => list.code(i).to_string(),
                _ => String::new(),
            };
            let (severity, message, help) = match (p.issue, p.note) {
                (Some(Issue::UnknownIcd), _) => {
                    let (what, nearest) = icd10::explain(raw, list);
                    let what = match what {
                        icd10::Unknown::Dsm => T::IcdDsm,
                        icd10::Unknown::Cm => T::IcdCm,
                        icd10::Unknown::Text => T::IcdText,
                        icd10::Unknown::OutsideChapter => T::IcdOutside,
                        icd10::Unknown::NotACode => T::IcdNotCode,
                    };
                    (
                        Severity::Error,
                        T::IcdUnknown.say_with(&[("column", name), ("value", &raw)], &[("what", &what.say(&[]))]),
                        nearest.map(|n| T::HelpNearest.say(&[("value", &n)])),
                    )
                }
                (Some(Issue::SeveralValues), _) => (
                    Severity::Error,
                    T::IcdSeveral.say(&[("column", name), ("value", &raw)]),
                    Some(T::HelpMainDiagnosis.say(&[])),
                ),
                (None, Some(Note::IcdCategory)) => (
                    Severity::Warning,
                    T::IcdCategory.say(&[("column", name), ("value", &raw)]),
                    Some(T::HelpFullCode.say(&[("value", &code(p.value))])),
                ),
                (None, Some(Note::IcdExtension)) => (
                    Severity::Warning,
                    T::IcdExtension.say(&[("column", name), ("value", &raw), ("read", &code(p.value))]),
                    None,
                ),
                (None, Some(Note::IcdNormalised)) => (
                    Severity::Info,
                    T::IcdRead.say(&[("column", name), ("value", &raw), ("read", &code(p.value))]),
                    None,
                ),
                _ => continue,
            };
            out.cell(Icd10Kind::CODE, severity, row, col, message, help);
        }
    }
}
