use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use crate::ident::{is_valid_unrepaired, nin::NinError, validate, IdForm, IdProblem};

documented_check! {
    /// An identifier that should be an official number is not one.
    ///
    /// Applies to columns whose `id_type` is declared with an official form in the pack's
    /// `[id_types]`:
    ///
    /// - `form = "national-id"`: after removing spaces of any kind (also no-break and thin spaces),
    ///   `.` and `-`, a value of 11 digits must be a valid fødselsnummer, D-, H- or FH-number: both
    ///   check digits (k1 by the pre-2032 rule or the 2032 rule, which allows remainders 0 to 3; k2
    ///   by its one rule) and a date part that is a real date (`00000000000` passes both sums and is
    ///   still wrong). A value of 10 digits has lost its leading zero to Excel: the zero is restored
    ///   and the number re-checked — information when it is then valid (a repair), an error when
    ///   not. Other values (`EPJ-01000`) are local record numbers and are accepted.
    /// - `form = "digits"` with a `width`: a run of more digits than the width is an error (an HPR
    ///   number has at most 9). Other values are local ids.
    ///
    /// Values are never shown in full: `311299*****`.
    pub struct NationalIdKind => "VK0207", "national-id";
}

impl RuleKind for NationalIdKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let cols: Vec<(usize, IdForm)> = schema
            .present_columns()
            .filter_map(|(i, c)| match c.id_form {
                Some(f @ (IdForm::NationalId | IdForm::Digits { .. })) => Some((i, f)),
                _ => None,
            })
            .collect();
        if cols.is_empty() {
            return Vec::new();
        }
        vec![Box::new(NationalIdRule { cols })]
    }
}

struct NationalIdRule {
    cols: Vec<(usize, IdForm)>,
}

fn reason(e: NinError) -> crate::i18n::Said {
    match e {
        NinError::BadCheckDigits => T::WhyCheckDigits,
        NinError::BadDate => T::WhyDatePart,
        NinError::NotElevenDigits => T::WhyNotEleven,
    }
    .say(&[])
}

impl RowRule for NationalIdRule {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for &(col, form) in &self.cols {
            let raw = row.text(col);
            if raw.is_empty() {
                continue;
            }
            if is_valid_unrepaired(form, raw) {
                // A valid identifier: most rows, without the canonical form's copy. Nothing is
                // shown, so nothing is masked.
                continue;
            }
            let checked = validate(form, raw);
            let name = &out.table.columns[col].name;
            let shown = out.shown(col, raw);
            let (severity, message, help) = match checked {
                Ok(c) if c.zero_restored => (
                    Severity::Info,
                    T::IdZeroRestored.say(&[("column", name), ("value", &shown)]),
                    Some(T::HelpFormatText.say(&[])),
                ),
                Ok(_) => continue,
                Err(IdProblem::NotNationalId {
                    zero_restored: true,
                    why,
                }) => (
                    Severity::Error,
                    T::IdInvalidWithZero.say_with(&[("column", name), ("value", &shown)], &[("why", &reason(why))]),
                    None,
                ),
                Err(IdProblem::NotNationalId { why, .. }) => (
                    Severity::Error,
                    T::IdInvalid.say_with(&[("column", name), ("value", &shown)], &[("why", &reason(why))]),
                    Some(T::HelpCheckSource.say(&[])),
                ),
                Err(IdProblem::TooManyDigits { digits, width }) => (
                    Severity::Error,
                    T::IdTooLong.say(&[
                        ("column", name),
                        ("value", &shown),
                        ("digits", &digits),
                        ("width", &width),
                    ]),
                    None,
                ),
            };
            out.cell(NationalIdKind::CODE, severity, row, col, message, help);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack_top, run};

    #[test]
    fn numbers_spaced_with_nbsp_are_checked_like_plain_ones() {
        let p = pack_top(
            "[id_types]\nperson = { form = \"national-id\" }\nstaff = { form = \"digits\", width = 9 }\n",
            "[[table.column]]\nname = \"pid\"\ntype = \"text\"\nclass = [\"D\"]\nid_type = \"person\"\n[[table.column]]\nname = \"sid\"\ntype = \"text\"\nclass = [\"D\"]\nid_type = \"staff\"\n",
            "",
        );
        let f = run(
            &p,
            "pid,sid\n31\u{a0}129\u{a0}956\u{a0}715,123\n31\u{2009}129\u{2009}956\u{2009}716,1234567890\n1010150740,LOK-1\n",
        );
        assert_eq!(codes(&f), ["VK0207@3:pid", "VK0207@3:sid", "VK0207@4:pid"]);
        assert!(f[0].message.contains("check digits"), "{}", f[0].message);
        assert!(f[1].message.contains("10 digits"), "{}", f[1].message);
        assert_eq!(f[2].severity, crate::finding::Severity::Info);
    }
}
