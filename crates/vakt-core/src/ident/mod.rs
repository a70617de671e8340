//! Identifiers: one canonical form per id type, Norwegian national identity numbers, and the scan
//! for identifiers leaked into text.
//!
//! Check, clean and the finding sink all come here, so a value is compared, validated, searched
//! for in free text and pseudonymised in exactly one form. `31129956715`, `311299 56715` and
//! `31 129 956 715` (with no-break or thin spaces, as Norwegian number formatting writes it) are
//! one person everywhere. Nothing here knows about rule packs beyond the [`IdForm`] a pack names.
//!
//! ```
//! use vakt_core::ident::{canonical, IdForm};
//! let c = canonical(IdForm::NationalId, "31\u{a0}129\u{2009}956 715");
//! assert_eq!(c.text, "31129956715");
//! let lost_zero = canonical(IdForm::NationalId, "1010150740");
//! assert_eq!((lost_zero.text.as_str(), lost_zero.zero_restored), ("01010150740", true));
//! assert_eq!(canonical(IdForm::Digits { width: 9 }, "1234567").text, "001234567");
//! ```

pub mod nin;
mod scan;
mod set;

pub(crate) use scan::candidates;
pub use scan::{scrub, Leak, Scanner, Scrubbed};
#[cfg(test)]
pub(crate) use set::PARALLEL_SEAL;
pub use set::{IdSet, MIN_ID_LEN};

use crate::value::text;
use std::borrow::Cow;

/// How the values of an id type are written canonically and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdForm {
    /// A Norwegian national identity number (fødselsnummer, D-, H- or FH-number), or else a local
    /// record number. Spaces of any kind, `.` and `-` are separators; 10 digits are 11 with the
    /// leading zero Excel dropped; 11 digits must pass the checks of [`nin::validate`].
    NationalId,
    /// Digits, left-padded with zeros to `width` (an HPR number: 1 to 9 digits, width 9); more
    /// digits than `width` is an error. A value that is not all digits is a local id, trimmed.
    Digits {
        /// The fixed width of the canonical form.
        width: u8,
    },
    /// The trimmed text, as written.
    Text,
}

impl IdForm {
    /// The form's name in a rule pack.
    pub fn name(self) -> &'static str {
        match self {
            IdForm::NationalId => "national-id",
            IdForm::Digits { .. } => "digits",
            IdForm::Text => "text",
        }
    }
}

/// An identifier in its canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// The canonical text: what is pseudonymised and compared.
    pub text: String,
    /// A leading zero lost to Excel was put back.
    pub zero_restored: bool,
}

/// True for characters people put between the digits of a number: any space (also no-break, thin
/// and narrow no-break spaces) and invisible characters ([`is_invisible`]).
pub fn is_digit_separator(c: char) -> bool {
    c.is_whitespace() || is_invisible(c)
}

/// The punctuation a form allows between the digits of a number, besides separators.
fn punctuation(form: IdForm) -> &'static [char] {
    match form {
        IdForm::NationalId => &['.', '-'],
        IdForm::Digits { .. } | IdForm::Text => &[],
    }
}

/// Whether `c` may stand in a number of the form: a digit, a separator or the form's punctuation.
fn is_number_char(form: IdForm, c: char) -> bool {
    c.is_ascii_digit() || is_digit_separator(c) || punctuation(form).contains(&c)
}

/// True for characters that cannot be seen and never belong to an identifier: control characters
/// other than whitespace (a BEL or NUL pasted from another system) and Unicode format characters
/// (zero-width spaces and joiners, soft hyphen, direction marks and embeddings, word joiner, BOM,
/// interlinear annotation marks). [`canonical`] drops them wherever they are, so `AB-20417`
/// followed by a BEL is the identifier `AB-20417`: one pseudonym, and found in free text.
pub fn is_invisible(c: char) -> bool {
    (c.is_control() && !c.is_whitespace())
        || matches!(
            c,
            '\u{AD}'
                | '\u{61C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// True when every byte is printable ASCII or a space.
pub(crate) fn is_printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// The value trimmed, without its invisible characters ([`is_invisible`]): what every form starts
/// from. Borrowed unless there was something to drop.
pub fn visible(raw: &str) -> Cow<'_, str> {
    let t = text::trim(raw);
    // Nearly every id is printable ASCII, which holds nothing invisible.
    if !is_printable_ascii(t) && t.chars().any(is_invisible) {
        let kept: String = t.chars().filter(|&c| !is_invisible(c)).collect();
        Cow::Owned(text::trim(&kept).to_string())
    } else {
        Cow::Borrowed(t)
    }
}

/// How many digits the value has when it is nothing but characters of a number of the form
/// ([`is_number_char`]) and has a digit; `None` otherwise.
fn digit_count(t: &str, form: IdForm) -> Option<usize> {
    let mut digits = 0usize;
    for c in t.chars() {
        if !is_number_char(form, c) {
            return None;
        }
        if c.is_ascii_digit() {
            digits = digits.saturating_add(1);
        }
    }
    (digits > 0).then_some(digits)
}

/// The canonical form of a raw identifier under `form`.
pub fn canonical(form: IdForm, raw: &str) -> Canonical {
    let mut text = String::new();
    let zero_restored = canonical_into(form, raw, &mut text);
    Canonical { text, zero_restored }
}

/// [`canonical`] written into `out` (emptied first), for a caller that makes one per row and
/// keeps its string; returns whether a leading zero lost to Excel was put back.
///
/// A number is its digits, without separators or punctuation: a national identity number of
/// ten digits gets its zero back, one of eleven is as it is, and a `digits` form is padded with
/// zeros to its width. Anything else is kept as written (trimmed, without invisible characters).
pub fn canonical_into(form: IdForm, raw: &str, out: &mut String) -> bool {
    out.clear();
    let visible = visible(raw);
    let t: &str = &visible;
    let (zeros, restored) = match (form, digit_count(t, form)) {
        (IdForm::NationalId, Some(10)) => (1, true),
        (IdForm::NationalId, Some(11)) => (0, false),
        (IdForm::Digits { width }, Some(n)) => (usize::from(width).saturating_sub(n), false),
        _ => {
            out.push_str(t);
            return false;
        }
    };
    out.extend(std::iter::repeat_n('0', zeros));
    out.extend(t.chars().filter(char::is_ascii_digit));
    restored
}

/// What is wrong with an identifier that has the shape of an official number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdProblem {
    /// 11 digits (or 10 with the zero restored) that are not a valid national identity number.
    NotNationalId {
        /// The zero was restored before checking.
        zero_restored: bool,
        /// Why the number fails.
        why: nin::NinError,
    },
    /// More digits than the form's width.
    TooManyDigits {
        /// Digits in the value.
        digits: usize,
        /// The form's width.
        width: u8,
    },
}

/// Whether `raw` is, as written, valid and its own canonical form (apart from trimming): what
/// [`validate`] says of most cells of an id column, without making the canonical form. True for
/// a valid national identity number of eleven plain digits, and for a local id of printable
/// ASCII that the form keeps as written.
pub fn is_valid_as_written(form: IdForm, raw: &str) -> bool {
    let t = text::trim(raw);
    is_printable_ascii(t)
        && (is_kept_as_written(form, t)
            || (form == IdForm::NationalId
                && t.len() == 11
                && t.bytes().all(|b| b.is_ascii_digit())
                && nin::validate(t).is_ok()))
}

/// Whether [`validate`] finds `raw` valid with no zero put back: the question the national-id
/// check asks of every cell. It makes the canonical form only for a value that is neither valid
/// as written ([`is_valid_as_written`]) nor plain digits that fit a `digits` form (an HPR number
/// of seven digits is valid, and padded only when written out).
pub fn is_valid_unrepaired(form: IdForm, raw: &str) -> bool {
    if is_valid_as_written(form, raw) {
        return true;
    }
    let t = text::trim(raw);
    if let IdForm::Digits { width } = form {
        if !t.is_empty() && t.len() <= usize::from(width) && t.bytes().all(|b| b.is_ascii_digit()) {
            return true;
        }
    }
    validate(form, raw).is_ok_and(|c| !c.zero_restored)
}

/// Whether the form keeps trimmed, printable ASCII `t` as written: the text form always, the
/// number forms when `t` holds a character that is neither a digit nor one of their separators
/// (`EPJ-01000`, a local record number).
pub(crate) fn is_kept_as_written(form: IdForm, t: &str) -> bool {
    form == IdForm::Text || t.chars().any(|c| !is_number_char(form, c))
}

/// Checks an identifier under its form: `Ok(canonical)` or the problem found.
pub fn validate(form: IdForm, raw: &str) -> Result<Canonical, IdProblem> {
    let c = canonical(form, raw);
    match form {
        IdForm::NationalId if c.text.len() == 11 && c.text.bytes().all(|b| b.is_ascii_digit()) => {
            match nin::validate(&c.text) {
                Ok(_) => Ok(c),
                Err(why) => Err(IdProblem::NotNationalId {
                    zero_restored: c.zero_restored,
                    why,
                }),
            }
        }
        IdForm::Digits { width } => match digit_count(&visible(raw), form) {
            Some(digits) if digits > usize::from(width) => Err(IdProblem::TooManyDigits { digits, width }),
            _ => Ok(c),
        },
        _ => Ok(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_ids_with_any_spacing_are_one_value() {
        for raw in [
            "31129956715",
            " 311299 56715",
            "311299-56715",
            "31.12.99 567.15",
            "31\u{a0}129\u{a0}956\u{a0}715",
            "31\u{2009}129\u{2009}956\u{2009}715",
            "31\u{202f}129\u{202f}956\u{202f}715",
            "3112\u{200b}9956715",
        ] {
            assert_eq!(canonical(IdForm::NationalId, raw).text, "31129956715", "{raw:?}");
        }
        assert_eq!(canonical(IdForm::NationalId, " EPJ-01000 ").text, "EPJ-01000");
    }

    /// Known answers at the edges of each form (no digit, one short of, at and past a length or
    /// width), written into one string that held the answer before: what is left in it is the
    /// answer and nothing of the last.
    #[test]
    fn canonical_forms_at_the_edges_fill_a_reused_string_with_the_answer_alone() {
        let nin = IdForm::NationalId;
        let hpr = IdForm::Digits { width: 9 };
        let mut reused = String::from("left over from the row before");
        for (form, raw, want, zero) in [
            (nin, "1010150740", "01010150740", true),
            (nin, "10101 50740", "01010150740", true),
            (nin, "31129956715", "31129956715", false),
            (nin, "311299567150", "311299567150", false),
            (nin, "311299", "311299", false),
            (nin, " - . ", "- .", false),
            (nin, "", "", false),
            (hpr, "1234567", "001234567", false),
            (hpr, "12 345 678", "012345678", false),
            (hpr, "123456789", "123456789", false),
            (hpr, "1234567890", "1234567890", false),
            (hpr, "12-34", "12-34", false),
            (hpr, "0", "000000000", false),
            (IdForm::Digits { width: 0 }, "42", "42", false),
            (IdForm::Text, " 1010150740 ", "1010150740", false),
            (IdForm::Text, "Bodø 7", "Bodø 7", false),
        ] {
            assert_eq!(canonical_into(form, raw, &mut reused), zero, "{form:?} {raw:?}");
            assert_eq!(reused, want, "{form:?} {raw:?}");
            let fresh = canonical(form, raw);
            assert_eq!(
                (fresh.text.as_str(), fresh.zero_restored),
                (want, zero),
                "{form:?} {raw:?}"
            );
        }
    }

    /// Control and format characters are dropped wherever they are, in every form, so a value
    /// with one is the same identifier as the value without it; whitespace inside stays.
    #[test]
    fn invisible_characters_are_not_part_of_an_identifier() {
        for (form, raw, want) in [
            (IdForm::Text, "AB-20417\u{7}", "AB-20417"),
            (IdForm::Text, "\u{0}AB\u{200b}-20417 ", "AB-20417"),
            (IdForm::Text, "\u{202e}AB-20417\u{202c}\u{200e}", "AB-20417"),
            (IdForm::Text, "A\u{ad}B-2\u{1b}0417", "AB-20417"),
            (IdForm::Text, "AB 20417\u{7f}", "AB 20417"),
            (IdForm::Text, "\u{7}\u{a0}AB-20417", "AB-20417"),
            (IdForm::NationalId, "311299\u{7}56715", "31129956715"),
            (IdForm::NationalId, "EPJ-01000\u{2066}", "EPJ-01000"),
            (IdForm::Digits { width: 9 }, "12345\u{7}67", "001234567"),
        ] {
            assert_eq!(canonical(form, raw).text, want, "{raw:?}");
        }
        assert_eq!(
            validate(IdForm::Digits { width: 3 }, "12\u{7}34"),
            Err(IdProblem::TooManyDigits { digits: 4, width: 3 })
        );
        for c in [
            '\u{7}', '\u{0}', '\u{7f}', '\u{9f}', '\u{200b}', '\u{200f}', '\u{202a}', '\u{feff}',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in ['\t', '\n', ' ', '\u{a0}', 'a', 'Ø', '-', '\u{85}'] {
            assert!(!is_invisible(c), "{c:?}");
        }
    }

    /// The short answer agrees with [`validate`] (valid, and the canonical form is the trimmed
    /// value) on every value it answers yes to, and answers yes to every valid eleven-digit
    /// number written plainly and to every ASCII value with a letter in it.
    #[test]
    fn valid_as_written_agrees_with_validate() {
        let forms = [IdForm::NationalId, IdForm::Digits { width: 9 }, IdForm::Text];
        let mut yes = 0u64;
        for v in (0..200_000u64).step_by(37) {
            for raw in [
                format!("311299{v:05}"),
                format!("0101{v:07}"),
                format!(" 3112995{v:04}"),
                format!("EPJ-{v}"),
                format!("{v}.{v}-{v} {v}"),
                format!("{v}x"),
                format!("{}", v % 1000),
                format!("{v}\u{a0}"),
            ] {
                for form in forms {
                    let short = is_valid_as_written(form, &raw);
                    let long = validate(form, &raw).is_ok_and(|c| !c.zero_restored && c.text == raw.trim());
                    assert!(!short || long, "{raw:?} {form:?}");
                    let t = raw.trim();
                    let plain_eleven = t.len() == 11 && t.bytes().all(|b| b.is_ascii_digit());
                    if form == IdForm::NationalId && plain_eleven {
                        assert_eq!(short, long, "{raw:?}");
                    }
                    if t.is_ascii() && t.bytes().any(|b| b.is_ascii_alphabetic()) {
                        assert!(short, "{raw:?} {form:?}");
                    }
                    yes += u64::from(short);
                }
            }
        }
        assert!(yes > 20_000, "only {yes} values answered yes");
    }

    /// The short answer is the long one, [`validate`] without a zero restored, for every form,
    /// on values around the widths and lengths where the short cuts start and stop.
    #[test]
    fn valid_unrepaired_is_validate_without_a_restored_zero() {
        let forms = [
            IdForm::NationalId,
            IdForm::Digits { width: 9 },
            IdForm::Digits { width: 3 },
            IdForm::Text,
        ];
        let mut values = vec![String::new(), " ".into(), "0".into(), "EPJ-7".into(), "12 345".into()];
        for len in 1..=12 {
            values.push("7".repeat(len));
            values.push(format!(" {} ", "1".repeat(len)));
            values.push(format!("{}\u{7}", "2".repeat(len)));
        }
        values.extend(["31129956715", "3112995671", "31129956716", "311299 56715"].map(String::from));
        for raw in &values {
            for form in forms {
                let long = validate(form, raw).is_ok_and(|c| !c.zero_restored);
                assert_eq!(is_valid_unrepaired(form, raw), long, "{raw:?} {form:?}");
            }
        }
    }

    #[test]
    fn validation_follows_the_form() {
        assert!(validate(IdForm::NationalId, "31 129 956 715").is_ok());
        assert!(matches!(
            validate(IdForm::NationalId, "31129956716"),
            Err(IdProblem::NotNationalId { .. })
        ));
        assert!(validate(IdForm::NationalId, "EPJ-01000").is_ok());
        assert_eq!(
            validate(IdForm::Digits { width: 9 }, "1234567890"),
            Err(IdProblem::TooManyDigits { digits: 10, width: 9 })
        );
        assert_eq!(canonical(IdForm::Digits { width: 9 }, "LOK-7").text, "LOK-7");
        assert_eq!(canonical(IdForm::Text, " a b ").text, "a b");
    }
}
