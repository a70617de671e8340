use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use crate::value::{Issue, Value};

documented_check! {
    /// A required column has no value in a data row.
    ///
    /// Columns marked `required = true` in the pack must be filled in every data row. A placeholder
    /// that stands for "unknown" (`-`, `?`, `ukjent`, `vet ikke`, `ikke oppgitt`) counts as missing:
    /// an error in a required column, information in an optional one (where it is read as blank).
    ///
    /// A column missing from the header is reported once at the header (VK0003), not here.
    ///
    /// ```toml
    /// [[table.column]]
    /// name = "person_id"
    /// type = "text"
    /// required = true
    /// ```
    pub struct RequiredKind => "VK0101", "required";
}

impl RuleKind for RequiredKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let cols: Vec<(usize, bool)> = schema.present_columns().map(|(i, c)| (i, c.required)).collect();
        vec![Box::new(Required { cols })]
    }
}

struct Required {
    cols: Vec<(usize, bool)>,
}

impl RowRule for Required {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for &(col, required) in &self.cols {
            let v = row.values[col];
            let name = &out.table.columns[col].name;
            match (v.issue, v.value, required) {
                (Some(Issue::Placeholder), _, true) => {
                    let shown = out.shown(col, row.text(col));
                    let message = T::RequiredUnknown.say(&[("column", name), ("value", &shown)]);
                    let help = T::HelpFillIn.say(&[]);
                    out.cell(RequiredKind::CODE, Severity::Error, row, col, message, Some(help));
                }
                (Some(Issue::Placeholder), _, false) => {
                    let shown = out.shown(col, row.text(col));
                    let message = T::ReadAsBlank.say(&[("column", name), ("value", &shown)]);
                    out.cell(RequiredKind::CODE, Severity::Info, row, col, message, None);
                }
                (None, Value::Missing, true) if v.note != Some(crate::value::Note::Suppressed) => {
                    let message = T::RequiredEmpty.say(&[("column", name)]);
                    out.cell(RequiredKind::CODE, Severity::Error, row, col, message, None);
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack, run};
    use crate::finding::Severity;

    #[test]
    fn empty_and_placeholder_values() {
        let p = pack(
            "[[table.column]]\nname = \"id\"\ntype = \"text\"\nrequired = true\n[[table.column]]\nname = \"note\"\ntype = \"integer\"\n",
            "",
        );
        let f = run(&p, "id,note\nA,1\n,2\nukjent,3\nB,?\n");
        assert_eq!(codes(&f), ["VK0101@3:id", "VK0101@4:id", "VK0101@5:note"]);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(f[1].message.contains("`ukjent` only says the value is unknown"));
        assert_eq!(
            f[2].severity,
            Severity::Info,
            "a placeholder in an optional column is read as blank"
        );
    }

    #[test]
    fn missing_required_column_is_one_error_at_the_header() {
        let p = pack(
            "[[table.column]]\nname = \"id\"\ntype = \"text\"\nrequired = true\n[[table.column]]\nname = \"a\"\ntype = \"text\"\n[[table.column]]\nname = \"b\"\ntype = \"text\"\n",
            "",
        );
        let f = run(&p, "a,b\n1,2\n3,4\n5,6\n");
        assert_eq!(codes(&f), ["VK0003@1:id"]);
    }
}
