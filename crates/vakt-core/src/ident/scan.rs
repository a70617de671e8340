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
        self.scan_with(s, true)
    }

    /// The scan; with `runs`, a pattern is searched for only in text whose digit runs could start
    /// a match (the patterns alone give the same answer, a test holds them to it).
    fn scan_with(&self, s: &str, runs: bool) -> Vec<(Leak, Range<usize>)> {
        let mut out = Vec::new();
        // Most cells cannot hold any of these: count digits first (a phone needs 8, a number 11).
        let digits = s.bytes().filter(u8::is_ascii_digit).count();
        let at = s.contains('@');
        if digits < 8 && !at {
            return out;
        }
        // Dates and codes (`2009-03-27`, `STO-G001-00000`) have 8 digits or more but no run that
        // could start a phone or national number: the regex search was 6 % of a whole return.
        let may = |run: &DigitRun| !runs || !s.is_ascii() || may_start(s.as_bytes(), run);
        if digits >= 11 && may(&FNR_RUN) {
            for m in self.fnr.find_iter(s) {
                let d: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
                if nin::validate(&d).is_ok() {
                    out.push((Leak::Fnr, m.range()));
                }
            }
        }
        let mut taken = Taken::of(&out);
        if digits >= 8 && may(&PHONE_RUN) {
            for m in self.phone.find_iter(s) {
                if taken.claim(&m.range()) {
                    out.push((Leak::Phone, m.range()));
                }
            }
        }
        if at {
            for m in self.email.find_iter(s) {
                if taken.claim(&m.range()) {
                    out.push((Leak::Email, m.range()));
                }
            }
        }
        out.sort_by_key(|(_, r)| r.start);
        out
    }
}

/// The digit run a match of a pattern starts with, in ASCII text: the pattern begins at a word
/// boundary with a run of exactly `whole` digits, or of one of `grouped` lengths followed by a
/// space or `-` and a digit; the run's first digit is at least `lowest`.
struct DigitRun {
    whole: usize,
    grouped: [usize; 2],
    lowest: u8,
}

/// `\b(\d{11}|\d{6}[ -]\d{5}|\d{2} \d{3} \d{3} \d{3})\b` (in ASCII text).
const FNR_RUN: DigitRun = DigitRun {
    whole: 11,
    grouped: [6, 2],
    lowest: b'0',
};

/// `\b([2-9]\d{7}|[2-9]\d{2}[ -]\d{2}[ -]\d{3}|[2-9]\d[ -]\d{2}[ -]\d{2}[ -]\d{2})\b`.
const PHONE_RUN: DigitRun = DigitRun {
    whole: 8,
    grouped: [3, 2],
    lowest: b'2',
};

/// Whether ASCII text `s` has a maximal run of digits that could start a match of `run`.
fn may_start(s: &[u8], run: &DigitRun) -> bool {
    let mut i = 0;
    while i < s.len() {
        let len = s
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if len == 0 {
            i += 1;
            continue;
        }
        let first = s.get(i).copied().unwrap_or_default();
        let after = s.get(i + len..).unwrap_or_default();
        let grouped = matches!(after, [b' ' | b'-', d, ..] if d.is_ascii_digit());
        if first >= run.lowest && (len == run.whole || (grouped && run.grouped.contains(&len))) {
            return true;
        }
        i += len;
    }
    false
}

/// The parts of a text already taken by matches: whether a new match overlaps one is a search, not
/// a scan of every match so far. A cell of 32,767 characters can hold thousands of matches, and a
/// scan per candidate made such a cell quadratic (a tenth of a second and more a cell).
#[derive(Default)]
struct Taken(std::collections::BTreeMap<usize, usize>);

impl Taken {
    /// The parts the matches `hits` take.
    fn of(hits: &[(Leak, Range<usize>)]) -> Taken {
        let mut taken = Taken::default();
        hits.iter().for_each(|(_, r)| taken.take(r));
        taken
    }

    /// Takes `r` when it overlaps no part taken; whether it did.
    fn claim(&mut self, r: &Range<usize>) -> bool {
        let free = !self.overlaps(r);
        if free {
            self.take(r);
        }
        free
    }

    /// Whether `r` shares a byte with a part taken.
    fn overlaps(&self, r: &Range<usize>) -> bool {
        // The parts are disjoint, so the last one starting before `r` ends reaches furthest.
        self.0.range(..r.end).next_back().is_some_and(|(_, &end)| end > r.start)
    }

    /// Takes `r`, merged with the parts it overlaps so that the parts stay disjoint. Matches and
    /// candidates are never empty; an empty range would take nothing.
    fn take(&mut self, r: &Range<usize>) {
        if r.is_empty() {
            return;
        }
        let (mut start, mut end) = (r.start, r.end);
        while let Some((&s, &e)) = self.0.range(..end).next_back() {
            if e <= start {
                break;
            }
            start = start.min(s);
            end = end.max(e);
            self.0.remove(&s);
        }
        self.0.insert(start, end);
    }
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
    let words = out.len();
    glued_words(s, word, &mut out);
    let glued = words..out.len();
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
        // A run joined by `-` alone is also a word token, and one joined by invisible characters
        // alone a glued run: each list is in order, so a search finds it.
        let listed = |runs: &[Range<usize>]| {
            runs.binary_search_by_key(&begin, |r| r.start)
                .is_ok_and(|k| runs.get(k).is_some_and(|r| r.end == end))
        };
        let (tokens, glued_runs) = (out.get(..words), out.get(glued.clone()));
        if joined && !listed(tokens.unwrap_or_default()) && !listed(glued_runs.unwrap_or_default()) {
            out.push(begin..end);
        }
        i = j.max(i + 1);
    }
    out
}

/// Word runs with invisible characters inside (`ab\u{7}-20417`), from first to last word
/// character: an identifier's canonical form drops those characters, so the run as a whole is a
/// candidate too, besides its pieces. Such a run holds an invisible character, so it is none of
/// the word tokens, and runs come in order: no run is listed twice.
fn glued_words(s: &str, word: impl Fn(char) -> bool, out: &mut Vec<Range<usize>>) {
    if super::is_printable_ascii(s) {
        return;
    }
    let mut run: Option<(usize, usize, bool)> = None; // start, end of last word char, glued
    let push = |run: Option<(usize, usize, bool)>, out: &mut Vec<Range<usize>>| {
        if let Some((b, e, true)) = run {
            out.push(b..e);
        }
    };
    for (i, c) in s.char_indices() {
        run = match (word(c), super::is_invisible(c), run) {
            (true, _, None) => Some((i, i + c.len_utf8(), false)),
            (true, _, Some((b, e, glued))) => Some((b, i + c.len_utf8(), glued || e < i)),
            (false, true, Some(r)) => Some(r),
            (false, _, r) => {
                push(r, out);
                None
            }
        };
    }
    push(run, out);
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
        let mut taken = Taken::of(&hits);
        for r in candidates(s) {
            if !taken.overlaps(&r) && ids.contains_token(&s[r.clone()]) {
                taken.take(&r);
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

    /// Whether the scan found anything, after checking that it finds the same with and without
    /// the digit-run test.
    fn same_with_and_without_runs(text: &str) -> bool {
        let with = Scanner::global().scan_with(text, true);
        assert_eq!(with, Scanner::global().scan_with(text, false), "{text:?}");
        !with.is_empty()
    }

    /// A small generator of its own (xorshift) for the tests below.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// The taken parts answer as a scan of every range taken so far does, whether the ranges
    /// come in order, out of order, or overlapping one another.
    #[test]
    fn taken_parts_answer_as_a_scan_of_every_range() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..2_000 {
            let mut taken = Taken::default();
            let mut ranges: Vec<Range<usize>> = Vec::new();
            for _ in 0..40 {
                let start = (xorshift(&mut state) % 200) as usize;
                let r = start..start + 1 + (xorshift(&mut state) % 12) as usize;
                let scan = ranges.iter().any(|h| h.start < r.end && r.start < h.end);
                assert_eq!(taken.overlaps(&r), scan, "{r:?} against {ranges:?}");
                // As the scans use it (take what does not overlap), and now and then regardless.
                if !scan || xorshift(&mut state).is_multiple_of(4) {
                    taken.take(&r);
                    ranges.push(r);
                }
            }
        }
    }

    /// No candidate is listed twice: a digit run that is also a word token (joined by `-` alone)
    /// or a glued run (joined by invisible characters alone) is found by the search and left out,
    /// as the scan of the whole list did. Random text of digits, letters, separators, dashes and
    /// invisible characters.
    #[test]
    fn no_candidate_is_listed_twice() {
        let alphabet: Vec<char> = "0123456789 -.ab_\u{200b}\u{7}@".chars().collect();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            let len = 1 + (xorshift(&mut state) % 30) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(xorshift(&mut state) % alphabet.len() as u64) as usize])
                .collect();
            let got = candidates(&text);
            let mut by_scan: Vec<Range<usize>> = Vec::new();
            for r in &got {
                if !by_scan.contains(r) {
                    by_scan.push(r.clone());
                }
            }
            assert_eq!(got, by_scan, "{text:?}");
        }
    }

    /// The digit-run test never hides a match the patterns find: random ASCII text of digits,
    /// separators, letters and signs, scanned with and without it.
    #[test]
    fn the_digit_run_test_keeps_every_match() {
        let alphabet = b"0123456789012345678923456789    ---..+4@a_Zx,/";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut found = 0;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = 8 + (state % 24) as usize;
            let text: String = (0..len)
                .map(|k| {
                    let pick = (state.rotate_left(k as u32 * 5) ^ (k as u64).wrapping_mul(0x2545_F491_4F6C_DD1D)) >> 3;
                    char::from(alphabet[(pick % alphabet.len() as u64) as usize])
                })
                .collect();
            found += usize::from(same_with_and_without_runs(&text));
        }
        // Pieces of identifiers and other digit groups, joined at random: every grouping.
        let pieces = [
            "311299",
            "56715",
            "31",
            "129",
            "956",
            "715",
            "91234567",
            "912",
            "34",
            "567",
            "91",
            "23",
            "45",
            "67",
            "2009",
            "03",
            "1",
            "12345",
            "x",
            "+47",
            "@b.no",
            "31 129 956 715",
            "912 34 567",
            "91 23 45 67",
        ];
        let seps = [" ", "-", ".", "", "", "a"];
        for _ in 0..100_000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for k in 0..2 + (state % 5) as u32 {
                let pick = state.rotate_left(k * 11);
                text.push_str(pieces[(pick % pieces.len() as u64) as usize]);
                text.push_str(seps[((pick >> 20) % seps.len() as u64) as usize]);
            }
            found += usize::from(same_with_and_without_runs(&text));
        }
        // The texts did hold matches, so the comparison was not only of empty answers.
        assert!(found > 10_000, "{found}");
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

    /// An identifier recorded with a control or format character is found without it, one
    /// written in text with one inside is found whole, and one followed by such a character that
    /// ends the word is found too.
    #[test]
    fn invisible_characters_neither_hide_nor_split_an_identifier() {
        let mut ids = IdSet::new(vec![IdForm::Text, IdForm::NationalId]);
        ids.insert(IdForm::Text, "AB-20417\u{7}");
        ids.insert(IdForm::Text, "QX\u{200b}-55102");
        ids.insert(IdForm::NationalId, "3112\u{1b}99 56716");
        for (text, want) in [
            ("om ab-20417 i dag", "om [ID] i dag"),
            ("om ab\u{7}-20417 i dag", "om [ID] i dag"),
            ("om ab-20417\u{7}x", "om [ID]\u{7}x"),
            ("om qx-55102\u{200e}.", "om [ID]\u{200e}."),
            ("om q\u{ad}x-55102", "om [ID]"),
            ("om 3112\u{0}9956716", "om [ID]"),
            ("om ab-2041 og ab\u{7}-2041", "om ab-2041 og ab\u{7}-2041"),
        ] {
            assert_eq!(scrub(text, Some(&ids)).text, want, "{text:?}");
        }
        assert_eq!(ids.len(), 3);
    }

    /// A cell as long as a cell may be, nearly every word of it an identifier or a phone number:
    /// every one is tagged and nothing else changes. (Each candidate was checked against every
    /// match before it, and each digit run against every candidate: a tenth of a second and more
    /// for such a cell.)
    #[test]
    fn a_full_cell_of_identifiers_is_tagged_throughout() {
        let mut ids = IdSet::new(vec![IdForm::Text]);
        ids.insert(IdForm::Text, "AB-20417");
        let unit = "ab-20417 22334455 x ";
        let units = crate::read::limits::MAX_CELL_CHARS / unit.len();
        let s = scrub(&unit.repeat(units), Some(&ids));
        let want = "[ID] [PHONE] x ".repeat(units);
        let differs = s.text.bytes().zip(want.bytes()).position(|(a, b)| a != b);
        assert!(s.text == want, "first difference at byte {differs:?}");
        assert_eq!(s.tags, 2 * units as u64);
    }
}
