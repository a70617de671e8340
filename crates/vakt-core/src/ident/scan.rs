//! Finding identifiers in text, and replacing them with typed tags.
//!
//! The scan looks for 11-digit numbers that pass the national-identity checks (whole, 6+5 or
//! 2+3+3+3, with any kind of space or a dash), Norwegian phone numbers, e-mail addresses and, with
//! an [`IdSet`], the identifiers of the return. Matches are delimited by word boundaries, never by
//! consuming a separator, so each of `A,B,C` is seen. Bank account numbers written 4.2.5 share the
//! second check digit with a fødselsnummer and are not matched.

use super::{nin, IdSet};
use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// What kind of identifier a text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Leak {
    /// A fødselsnummer, D-, H- or FH-number.
    Fnr,
    /// A Norwegian phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A value of one of the return's identifier columns.
    Id,
}

impl Leak {
    /// The kind in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Leak::Fnr => "a fødselsnummer or D-number",
            Leak::Phone => "a phone number",
            Leak::Email => "an e-mail address",
            Leak::Id => "an identifier of this return",
        }
    }

    /// The tag that replaces it in clean output.
    pub fn tag(self) -> &'static str {
        match self {
            Leak::Fnr => "[FNR]",
            Leak::Phone => "[PHONE]",
            Leak::Email => "[EMAIL]",
            Leak::Id => "[ID]",
        }
    }
}

/// The compiled patterns of the scan.
pub struct Scanner {
    fnr: Regex,
    phone: Regex,
    email: Regex,
}

/// A space of any kind between digit groups.
const SP: &str = r"[ \u{a0}\u{2009}\u{202f}]";

fn compile(pattern: &str) -> Regex {
    // The patterns are constants of this file; a test compiles each one.
    match Regex::new(pattern) {
        Ok(r) => r,
        Err(e) => unreachable!("built-in pattern {pattern}: {e}"),
    }
}

impl Scanner {
    /// The scanner, compiled once per process.
    pub fn global() -> &'static Scanner {
        static SCANNER: OnceLock<Scanner> = OnceLock::new();
        SCANNER.get_or_init(|| Scanner {
            fnr: compile(&format!(
                r"\b(?:\d{{11}}|\d{{6}}(?:{SP}|-)\d{{5}}|\d{{2}}{SP}\d{{3}}{SP}\d{{3}}{SP}\d{{3}})\b"
            )),
            phone: compile(&format!(
                r"(?:\+47(?:{SP}|-)?)?\b(?:[2-9]\d{{7}}|[2-9]\d{{2}}(?:{SP}|-)\d{{2}}(?:{SP}|-)\d{{3}}|[2-9]\d(?:{SP}|-)\d{{2}}(?:{SP}|-)\d{{2}}(?:{SP}|-)\d{{2}})\b"
            )),
            email: compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
        })
    }

    /// Every fødselsnummer, phone number and e-mail address in `s`, with its byte range, in order.
    pub fn scan(&self, s: &str) -> Vec<(Leak, Range<usize>)> {
        let mut out = Vec::new();
        // Most cells cannot hold any of these: count digits first (a phone needs 8, a number 11).
        let digits = s.bytes().filter(u8::is_ascii_digit).count();
        let at = s.contains('@');
        if digits < 8 && !at {
            return out;
        }
        if digits >= 11 {
            for m in self.fnr.find_iter(s) {
                let d: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
                if nin::validate(&d).is_ok() {
                    out.push((Leak::Fnr, m.range()));
                }
            }
        }
        if digits >= 8 {
            for m in self.phone.find_iter(s) {
                if !overlaps(&out, &m.range()) {
                    out.push((Leak::Phone, m.range()));
                }
            }
        }
        if at {
            for m in self.email.find_iter(s) {
                if !overlaps(&out, &m.range()) {
                    out.push((Leak::Email, m.range()));
                }
            }
        }
        out.sort_by_key(|(_, r)| r.start);
        out
    }
}

fn overlaps(hits: &[(Leak, Range<usize>)], r: &Range<usize>) -> bool {
    hits.iter().any(|(_, h)| h.start < r.end && r.start < h.end)
}

/// The word tokens and digit runs of a text that could be an identifier: runs of letters, digits
/// and `-`, and runs of digits joined by spaces, `.` or `-` (`311299 56716`).
pub(crate) fn candidates(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (word(c), start) {
            (true, None) => start = Some(i),
            (false, Some(b)) => {
                out.push(b..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(b) = start {
        out.push(b..s.len());
    }
    // Digit runs across separators.
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let begin = i;
        let mut end = i;
        let mut j = i;
        let mut joined = false;
        while j < s.len() {
            let Some(c) = s[j..].chars().next() else { break };
            if c.is_ascii_digit() {
                end = j + 1;
            } else if !(super::is_digit_separator(c) || c == '.' || c == '-') {
                break;
            } else {
                joined = true;
            }
            j += c.len_utf8();
        }
        if joined && !out.contains(&(begin..end)) {
            out.push(begin..end);
        }
        i = j.max(i + 1);
    }
    out
}

/// Text with its identifiers replaced by tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scrubbed {
    /// The text with each identifier replaced by its [`Leak::tag`].
    pub text: String,
    /// The kinds found, in order of first appearance, each once.
    pub kinds: Vec<Leak>,
    /// How many tags were written.
    pub tags: u64,
}

/// Replaces every identifier the scan finds (and, with `ids`, every identifier of the return)
/// with its tag. Check shows findings in this form and clean writes it: one function, so what
/// check reports clean removes.
pub fn scrub(s: &str, ids: Option<&IdSet>) -> Scrubbed {
    let mut hits = Scanner::global().scan(s);
    if let Some(ids) = ids.filter(|i| !i.is_empty()) {
        for r in candidates(s) {
            if !overlaps(&hits, &r) && ids.contains_token(&s[r.clone()]) {
                hits.push((Leak::Id, r));
            }
        }
        hits.sort_by_key(|(_, r)| (r.start, std::cmp::Reverse(r.end)));
    }
    let mut text = String::with_capacity(s.len());
    let mut kinds = Vec::new();
    let mut tags = 0;
    let mut at = 0;
    for (kind, r) in hits {
        if r.start < at {
            continue;
        }
        text.push_str(&s[at..r.start]);
        text.push_str(kind.tag());
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
        tags += 1;
        at = r.end;
    }
    text.push_str(&s[at..]);
    Scrubbed { text, kinds, tags }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::IdForm;

    fn kinds(t: &str) -> Vec<Leak> {
        Scanner::global().scan(t).into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn finds_every_kind_and_every_item_of_a_list() {
        assert_eq!(
            kinds("31129956715,15108695088,01010150740"),
            [Leak::Fnr, Leak::Fnr, Leak::Fnr]
        );
        assert_eq!(kinds("pasient 311299 56715"), [Leak::Fnr]);
        assert_eq!(kinds("pasient 311299-56715"), [Leak::Fnr]);
        assert_eq!(kinds("pasient 31\u{a0}129\u{a0}956\u{a0}715"), [Leak::Fnr]);
        assert_eq!(kinds("31129956716"), [], "wrong check digits: not a fødselsnummer");
        assert_eq!(kinds("konto 1234.56.78903"), [], "bank account 4.2.5");
        assert_eq!(kinds("ring 912 34 567 eller +47 91234567"), [Leak::Phone, Leak::Phone]);
        assert_eq!(kinds("tlf 91\u{a0}23\u{a0}45\u{a0}67"), [Leak::Phone]);
        assert_eq!(kinds("kari@example.no"), [Leak::Email]);
        assert_eq!(kinds("Gruppe 2009, 12 deltakere, start 01.02.2010"), []);
        assert_eq!(
            kinds("31129956715 eller 91234567"),
            [Leak::Fnr, Leak::Phone],
            "every kind in a cell"
        );
    }

    #[test]
    fn scrub_tags_every_identifier_including_the_returns_own() {
        let mut ids = IdSet::new(vec![IdForm::NationalId]);
        ids.insert(IdForm::NationalId, "EPJ-01000");
        ids.insert(IdForm::NationalId, "311299 56716");
        let s = scrub(
            "Ring 912 34 567, mail kari@example.no, pas. 311299 56715 og EPJ-01000, ikke 31129956716.",
            Some(&ids),
        );
        assert_eq!(s.text, "Ring [PHONE], mail [EMAIL], pas. [FNR] og [ID], ikke [ID].");
        assert_eq!(s.tags, 5);
        assert_eq!(s.kinds, [Leak::Phone, Leak::Email, Leak::Fnr, Leak::Id]);
        assert_eq!(scrub("Ny gruppe 2009", Some(&ids)).text, "Ny gruppe 2009");
    }
}
