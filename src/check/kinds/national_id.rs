use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::value::nin::{self, NinError};

documented_check! {
    /// An identifier that should be a Norwegian national identity number is not one.
    ///
    /// In columns with `id_type = "patient"`: after removing spaces, `.` and `-`, a value of 11
    /// digits must be a valid fødselsnummer, D-, H- or FH-number: both check digits (k1 by the
    /// pre-2032 rule or the 2032 rule, which allows remainders 0 to 3; k2 by its one rule) and a date
    /// part that is a real date (`00000000000` passes both sums and is still wrong). A value of 10
    /// digits has lost its leading zero to Excel: the zero is restored and the number re-checked —
    /// information when it is then valid (a repair), an error when not. Other values (`EPJ-01000`)
    /// are local record numbers and are accepted.
    ///
    /// In columns with `id_type = "hpr"`: an HPR number has 1 to 9 digits; a longer run of digits is
    /// an error. Other values are local ids.
    ///
    /// Values are never shown in full: `311299*****`.
    pub struct NationalIdKind => "VK0207", "national-id";
}

impl RuleKind for NationalIdKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let cols: Vec<(usize, bool)> = schema
            .present_columns()
            .filter_map(|(i, c)| match c.id_type.as_deref() {
                Some("patient") => Some((i, true)),
                Some("hpr") => Some((i, false)),
                _ => None,
            })
            .collect();
        if cols.is_empty() {
            return Vec::new();
        }
        vec![Box::new(NationalIdRule {
            cols,
            digits: String::new(),
        })]
    }
}

struct NationalIdRule {
    cols: Vec<(usize, bool)>,
    digits: String,
}

fn reason(e: NinError) -> &'static str {
    match e {
        NinError::BadCheckDigits => "its check digits do not match",
        NinError::BadDate => "its date part is not a real date",
        NinError::NotElevenDigits => "it does not have 11 digits",
    }
}

impl RowRule for NationalIdRule {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for &(col, patient) in &self.cols {
            let raw = row.text(col);
            self.digits.clear();
            self.digits
                .extend(raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-')));
            if self.digits.is_empty() || !self.digits.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let name = &out.table.columns[col].name;
            let shown = out.shown(col, raw);
            if !patient {
                if self.digits.len() > 9 {
                    let message = format!(
                        "{name}: `{shown}` has {} digits; an HPR number has at most 9",
                        self.digits.len()
                    );
                    out.cell(NationalIdKind::CODE, Severity::Error, row, col, message, None);
                }
                continue;
            }
            match self.digits.len() {
                10 => {
                    let restored = format!("0{}", self.digits);
                    match nin::validate(&restored) {
                        Ok(_) => {
                            let message = format!("{name}: `{shown}` had lost its leading zero; restored and valid");
                            let help = "format the column as text so Excel keeps leading zeros".to_string();
                            out.cell(NationalIdKind::CODE, Severity::Info, row, col, message, Some(help));
                        }
                        Err(e) => {
                            let message = format!(
                                "{name}: `{shown}` is not a valid identity number, even with a leading zero: {}",
                                reason(e)
                            );
                            out.cell(NationalIdKind::CODE, Severity::Error, row, col, message, None);
                        }
                    }
                }
                11 => {
                    if let Err(e) = nin::validate(&self.digits) {
                        let message = format!(
                            "{name}: `{shown}` is not a valid fødselsnummer or D-number: {}",
                            reason(e)
                        );
                        let help = "check the number against the patient record".to_string();
                        out.cell(NationalIdKind::CODE, Severity::Error, row, col, message, Some(help));
                    }
                }
                _ => {}
            }
        }
    }
}
