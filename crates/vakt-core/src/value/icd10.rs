//! ICD-10 chapter V codes: normalisation and validity, as the survey spec says.
//!
//! Normalise first: trim, upper-case, `,` to `.`, `F321` to `F32.1`, the letter O to zero in digit
//! places. Then accept a leaf code; a 3-character category that has subcategories with a warning;
//! a 5-character Norwegian clinical extension (`F60.31`) of a valid leaf with a warning; anything
//! else is an error (`F32.7`, `F35`, `Z63.0`, DSM `296.32`, ICD-10-CM `F32.A`, text).

use super::CodeList;
use super::{Issue, Note, Parsed, Value};

/// Writes the normalised form of `raw` into `out`.
pub fn normalise(raw: &str, out: &mut String) {
    out.clear();
    for (i, c) in super::text::trim(raw).chars().enumerate() {
        let c = match c {
            ',' => '.',
            'O' | 'o' if i > 0 => '0',
            c if c.is_whitespace() => continue,
            c => c.to_ascii_uppercase(),
        };
        out.push(c);
    }
    // F321 → F32.1, F6031 → F60.31
    let code_like = match out.as_bytes() {
        [first, rest @ ..] => rest.len() >= 3 && first.is_ascii_alphabetic() && rest.iter().all(u8::is_ascii_digit),
        [] => false,
    };
    if code_like {
        out.insert(3, '.');
    }
}

fn is_leaf(list: &CodeList, i: u32) -> bool {
    list.entry(i)
        .and_then(|e| e.extra.get("is_leaf"))
        .is_none_or(|v| v == "1")
}

/// Parses an ICD-10 cell against the code list.
pub fn parse(raw: &str, list: &CodeList, scratch: &mut String) -> Parsed {
    let t = super::text::trim(raw);
    // Fast path: most cells are a code exactly as listed.
    if let Some(i) = list.lookup(t, scratch) {
        if t.bytes().all(|b| !b.is_ascii_lowercase() && b != b',') {
            let note = (!is_leaf(list, i)).then_some(Note::IcdCategory);
            return Parsed {
                value: Value::Code(i),
                issue: None,
                note,
            };
        }
    }
    if !t.contains(['/', ';', '+']) {
        return single(t, list, scratch);
    }
    let parts: Vec<&str> = t
        .split(['/', ';', '+'])
        .map(super::text::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 1 {
        let mut s = String::new();
        let all_valid = parts.iter().all(|p| {
            normalise(p, &mut s);
            list.lookup(&s, &mut String::new()).is_some()
        });
        return Parsed {
            value: Value::Missing,
            issue: Some(if all_valid {
                Issue::SeveralValues
            } else {
                Issue::UnknownIcd
            }),
            note: None,
        };
    }
    single(t, list, scratch)
}

fn single(t: &str, list: &CodeList, scratch: &mut String) -> Parsed {
    let mut norm = String::new();
    normalise(t, &mut norm);
    let changed = norm != t;
    if let Some(i) = list.lookup(&norm, scratch) {
        let note = if !is_leaf(list, i) {
            Some(Note::IcdCategory)
        } else if changed {
            Some(Note::IcdNormalised)
        } else {
            None
        };
        return Parsed {
            value: Value::Code(i),
            issue: None,
            note,
        };
    }
    // A Norwegian 5-character extension of a valid 4-character leaf.
    if norm.len() == 6 && norm.as_bytes().get(5).is_some_and(u8::is_ascii_digit) {
        if let Some(i) = norm.get(..5).and_then(|head| list.lookup(head, scratch)) {
            if is_leaf(list, i) {
                return Parsed {
                    value: Value::Code(i),
                    issue: None,
                    note: Some(Note::IcdExtension),
                };
            }
        }
    }
    if super::is_placeholder(t) {
        return Parsed {
            value: Value::Missing,
            issue: Some(Issue::Placeholder),
            note: None,
        };
    }
    Parsed {
        value: Value::Missing,
        issue: Some(Issue::UnknownIcd),
        note: None,
    }
}

/// Why a value is not a chapter V code, and the nearest valid code when there is one.
/// Why a code is not in chapter V: what it looks like instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    /// A DSM-IV number.
    Dsm,
    /// A US ICD-10-CM code.
    Cm,
    /// Words, not a code.
    Text,
    /// A code of another chapter.
    OutsideChapter,
    /// Not a code of chapter V.
    NotACode,
}

/// Why a value is no code of the list, and the nearest valid code.
pub fn explain(raw: &str, list: &CodeList) -> (Unknown, Option<String>) {
    let mut norm = String::new();
    normalise(raw, &mut norm);
    let t = super::text::trim(raw);
    let what = if t.chars().all(|c| c.is_ascii_digit() || c == '.') && t.chars().any(|c| c.is_ascii_digit()) {
        Unknown::Dsm
    } else if norm.starts_with('F') && norm.len() >= 5 && norm.as_bytes().get(4).is_some_and(u8::is_ascii_alphabetic) {
        Unknown::Cm
    } else if !norm.starts_with('F') && norm.chars().filter(char::is_ascii_alphabetic).count() > 2 {
        Unknown::Text
    } else if !norm.starts_with('F') {
        Unknown::OutsideChapter
    } else {
        Unknown::NotACode
    };
    // Nearest: the leaves of the same category, else the closest code by edit distance.
    let category = norm.get(..3).unwrap_or("");
    let leaves: Vec<&str> = list
        .entries
        .iter()
        .enumerate()
        .filter(|(i, e)| e.code.starts_with(category) && is_leaf(list, *i as u32))
        .map(|(_, e)| e.code.as_str())
        .collect();
    let nearest = if norm.chars().count() > super::codelist::MAX_SUGGEST_CHARS {
        None
    } else if norm.starts_with('F') && !leaves.is_empty() {
        leaves
            .iter()
            .min_by_key(|c| strsim::damerau_levenshtein(c, &norm))
            .map(|c| c.to_string())
    } else {
        list.suggest(raw).map(|s| s.code)
    };
    (what, nearest)
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod tests {
    use super::*;

    fn icd() -> CodeList {
        CodeList::parse("icd10", include_str!("../../../../rules/icd10-chapter-v.csv")).unwrap()
    }

    fn p(v: &str) -> Parsed {
        parse(v, &icd(), &mut String::new())
    }

    #[test]
    fn icd_codes_written_another_way_are_normalised() {
        let mut s = String::new();
        for (raw, want) in [
            ("f321", "F32.1"),
            ("F32,1", "F32.1"),
            (" F 32.1 ", "F32.1"),
            ("FO1.1", "F01.1"),
            ("F6031", "F60.31"),
        ] {
            normalise(raw, &mut s);
            assert_eq!(s, want, "{raw}");
        }
    }

    #[test]
    fn validity_as_the_spec_says() {
        assert_eq!(p("F32.1").note, None);
        assert!(p("F32.1").is_present());
        assert_eq!(p("f321").note, Some(Note::IcdNormalised));
        assert_eq!(p("F32").note, Some(Note::IcdCategory));
        assert_eq!(p("F60.31").note, Some(Note::IcdExtension));
        assert!(p("F20").is_present() || p("F20").note == Some(Note::IcdCategory));
        for bad in ["F32.7", "F35", "Z63.0", "296.32", "F32.A", "depresjon"] {
            assert_eq!(p(bad).issue, Some(Issue::UnknownIcd), "{bad}");
        }
        assert_eq!(p("F32.1/F60.3").issue, Some(Issue::SeveralValues));
    }

    #[test]
    fn explanations_name_the_nearest_code() {
        let l = icd();
        let (what, near) = explain("F32.7", &l);
        assert_eq!(what, Unknown::NotACode);
        assert!(near.unwrap().starts_with("F32."));
        assert_eq!(explain("296.32", &l).0, Unknown::Dsm);
        assert_eq!(explain("F32.A", &l).0, Unknown::Cm);
        assert_eq!(explain("Z63.0", &l).0, Unknown::OutsideChapter);
        assert_eq!(explain("depresjon", &l).0, Unknown::Text);
    }
}
