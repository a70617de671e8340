use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use crate::value::text;

documented_check! {
    /// An Excel error value in a cell: `#REF!`, `#DIV/0!`, `#N/A`, `#VALUE!`, `#NAME?`, and their
    /// Norwegian forms (`#I/T`, `#VERDI!`, `#NAVN?`, ...).
    ///
    /// Usually a formula whose source was deleted or moved. Reported at the cell in every column of a
    /// data row, including columns the pack does not know; the cell is otherwise treated as unreadable.
    pub struct ExcelErrorKind => "VK0107", "excel-error";
}

impl RuleKind for ExcelErrorKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let mut owner: Vec<Option<usize>> = Vec::new();
        for (i, p) in schema.physical.iter().enumerate() {
            if let Some(p) = *p {
                let p = p as usize;
                if owner.len() <= p {
                    owner.resize(p + 1, None);
                }
                owner[p] = Some(i);
            }
        }
        vec![Box::new(ExcelErrorRule { owner })]
    }
}

struct ExcelErrorRule {
    /// Pack column of each physical column.
    owner: Vec<Option<usize>>,
}

impl RowRule for ExcelErrorRule {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        if !row.row.may_hold_excel_error() {
            return;
        }
        for (p, cell) in row.row.iter().enumerate() {
            if !crate::value::is_excel_error(&cell) {
                continue;
            }
            let t = text::trim(cell.text);
            let col = self.owner.get(p).copied().flatten();
            let what = match col {
                Some(c) => crate::i18n::Said::from(out.table.columns[c].name.clone()),
                None => T::Cell.say(&[]),
            };
            let message = T::ExcelError.say_with(&[("value", &t)], &[("column", &what)]);
            out.physical_cell(ExcelErrorKind::CODE, Severity::Error, row, p as u32, col, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack, run};

    #[test]
    fn error_texts_in_known_and_unknown_columns() {
        let p = pack(
            "[[table.column]]\nname = \"n\"\ntype = \"integer\"\nrange = { min = 0 }\n[[table.column]]\nname = \"s\"\ntype = \"text\"\n",
            "",
        );
        let f = run(&p, "n;s;extra\n#I/T;ok;x\n1;#REF!;#DIV/0!\n");
        assert_eq!(codes(&f), ["VK0004@1:-", "VK0107@2:n", "VK0107@3:s", "VK0107@3:-"]);
    }
}
