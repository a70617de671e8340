use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use crate::pack::ColumnType;
use crate::value::Issue;

documented_check! {
    /// A value cannot be read as its column's type.
    ///
    /// Types: `integer`, `decimal` (comma or point), `minutes` (`90`, `90 min`, `1,5 t`, `1.5 h`,
    /// `2 timer`), `date` (ISO `2010-02-01`, `01.02.2010`, Excel date cells and serial numbers),
    /// `boolean`, `code` and `text`. What is refused, each with its own message:
    ///
    /// - words where a number belongs (`mange`), a fraction in an integer column;
    /// - a range (`6-8`) or a bound (`>10`) where one value belongs;
    /// - dates that do not exist (`31.02.2010`), two-digit years (`01.02.10`), Excel's zero date
    ///   (serial 0) and its phantom 1900-02-29 (serial 60).
    ///
    /// One cell gives one finding: a value that cannot be read is not also checked against its range
    /// or code list. Unknown codes are VK0104, Excel error values VK0107.
    pub struct TypeKind => "VK0102", "type";
}

impl RuleKind for TypeKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let cols: Vec<(usize, ColumnType, bool)> = schema
            .present_columns()
            .map(|(i, c)| (i, c.ty, c.codelist.is_some()))
            .collect();
        vec![Box::new(TypeRule { cols })]
    }
}

struct TypeRule {
    cols: Vec<(usize, ColumnType, bool)>,
}

fn explain(issue: Issue) -> Option<(T, Option<T>)> {
    Some(match issue {
        Issue::NotNumber => (T::IsNotNumber, Some(T::HelpDigits)),
        Issue::NotInteger => (T::IsNotInteger, None),
        Issue::RangeGiven => (T::IsRange, Some(T::HelpOneNumber)),
        Issue::BoundGiven => (T::IsBound, Some(T::HelpExact)),
        Issue::NotDuration => (T::IsNotDuration, Some(T::HelpMinutes)),
        Issue::NotDate => (T::IsNotDate, Some(T::HelpDates)),
        Issue::NoSuchDate => (T::IsNoSuchDate, None),
        Issue::TwoDigitYear => (T::IsTwoDigitYear, Some(T::HelpFourDigits)),
        Issue::ZeroDate => (T::IsZeroDate, Some(T::HelpZeroDate)),
        Issue::FakeLeapDay => (T::IsFakeLeapDay, Some(T::HelpTypeDate)),
        Issue::NotBoolean => (T::IsNotBoolean, Some(T::HelpJaNei)),
        Issue::ExcelError | Issue::Placeholder | Issue::UnknownCode | Issue::SeveralValues | Issue::UnknownIcd => {
            return None
        }
    })
}

impl RowRule for TypeRule {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for &(col, ty, has_list) in &self.cols {
            let Some(issue) = row.values[col].issue else {
                continue;
            };
            if has_list && issue == Issue::NotBoolean {
                continue; // the code-list kind reports it, with a suggestion
            }
            let Some((what, help)) = explain(issue) else {
                continue;
            };
            let shown = out.shown(col, row.text(col));
            let plain: [(&str, &dyn std::fmt::Display); 2] =
                [("column", &out.table.columns[col].name), ("value", &shown)];
            let type_name = match ty {
                ColumnType::Integer => T::TypeInteger,
                ColumnType::Decimal => T::TypeDecimal,
                ColumnType::Minutes => T::TypeMinutes,
                ColumnType::Date => T::TypeDate,
                ColumnType::Boolean => T::TypeBoolean,
                ColumnType::Code => T::TypeCode,
                ColumnType::Icd10 => T::TypeIcd10,
                _ => T::TypeText,
            };
            let (what, type_name) = (what.say(&[]), type_name.say(&[]));
            let message = T::TypeWrong.say_with(&plain, &[("what", &what), ("type", &type_name)]);
            out.cell(
                TypeKind::CODE,
                Severity::Error,
                row,
                col,
                message,
                help.map(|h| h.say(&[])),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack, run};

    #[test]
    fn one_finding_per_unreadable_cell_and_no_range_finding() {
        let p = pack(
            "[[table.column]]\nname = \"n\"\ntype = \"integer\"\nrange = { min = 0, max = 10 }\n[[table.column]]\nname = \"d\"\ntype = \"date\"\n[[table.column]]\nname = \"m\"\ntype = \"minutes\"\n",
            "",
        );
        let f = run(
            &p,
            "n;d;m\nmange;01.02.2010;90\n6-8;31.02.2010;lang\n>10;01.02.10;1,5 t\n5;40210;2 timer\n",
        );
        assert_eq!(
            codes(&f),
            [
                "VK0102@2:n",
                "VK0102@3:n",
                "VK0102@3:d",
                "VK0102@3:m",
                "VK0102@4:n",
                "VK0102@4:d",
                "VK0108@4:m",
                "VK0108@5:d",
                "VK0108@5:m"
            ]
        );
        assert!(f[1].message.contains("is a range, not one value"));
        assert!(f[5].message.contains("two-digit year"));
    }
}
