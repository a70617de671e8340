//! Rendering one row for the clean dataset: normalised values, pseudonyms, scrubbed text, the
//! return key and the row's flags.

use super::decide::{Fix, Flag};
use super::plan::{OutCol, TablePlan};
use super::pseudo::Pseudonymiser;
use std::fmt::Write as _;
use vakt_core::ident::{canonical_into, scrub, IdSet, Scanner};
use vakt_core::pack::{Column, ColumnType, Pack};
use vakt_core::read::RowBuf;
use vakt_core::value::keyhash::KeyHash;
use vakt_core::value::{text, Date, ParseCtx, Parsed, Value};

/// A cell of the clean dataset, typed so a workbook gets numbers and dates.
#[derive(Debug, Clone, PartialEq)]
pub enum OutValue {
    Empty,
    Text(String),
    Int(i64),
    Num(f64),
    Date(Date),
}

impl OutValue {
    /// The text written to CSV: numbers as a spreadsheet shows them, dates ISO, text neutralised.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        self.csv_into(&mut out);
        out
    }

    /// Appends [`OutValue::csv`] to `out`, so that a writer can reuse one string for every field.
    pub fn csv_into(&self, out: &mut String) {
        match self {
            OutValue::Empty => {}
            OutValue::Text(s) => neutralise_into(s, out),
            OutValue::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
            OutValue::Num(n) => vakt_core::value::cell::write_number(out, *n),
            OutValue::Date(d) => d.write_iso(out),
        }
    }

    /// Makes this cell the text `s`, in the string the cell already holds if it is text.
    pub fn set_text(&mut self, s: &str) {
        self.set_with(|t| t.push_str(s));
    }

    /// Makes this cell the text `write` puts in an empty string: the string the cell already
    /// holds if it is text, so a row reused from row to row does not allocate a string per cell.
    pub fn set_with(&mut self, write: impl FnOnce(&mut String)) {
        if let OutValue::Text(t) = self {
            t.clear();
            write(t);
            return;
        }
        let mut t = String::new();
        write(&mut t);
        *self = OutValue::Text(t);
    }

    /// Makes this cell a copy of `from`, in the string the cell already holds where both are text.
    pub fn set_from(&mut self, from: &OutValue) {
        match from {
            OutValue::Text(s) => self.set_text(s),
            other => *self = other.clone(),
        }
    }
}

/// Cell `i` of a reused row, made (empty) if the row is shorter.
fn slot(out: &mut Vec<OutValue>, i: usize) -> &mut OutValue {
    if out.len() <= i {
        out.resize(i.saturating_add(1), OutValue::Empty);
    }
    &mut out[i]
}

/// Neutralises text that a spreadsheet would run as a formula, unless it is a real number.
pub fn neutralise(s: &str) -> String {
    let mut out = String::new();
    neutralise_into(s, &mut out);
    out
}

/// Appends [`neutralise`]`(s)` to `out`.
pub fn neutralise_into(s: &str, out: &mut String) {
    if vakt_core::value::text::formula_like(s) {
        out.push('\'');
    }
    out.push_str(s);
}

/// Per table and return: what rendering did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counters {
    pub pseudonyms: u64,
    pub zero_repairs: u64,
    pub tags: u64,
    pub flagged_rows: u64,
    pub flagged_cells: u64,
}

/// What rendering one table keeps from row to row: what it did, and each text column's last value
/// with what it became. A return lists a group's patients one after another, so one group id comes
/// again and again, and scrubbing the same text against the same identifiers finds the same.
#[derive(Debug, Default)]
pub struct TableWork {
    pub counters: Counters,
    last_texts: Vec<LastText>,
    /// The canonical form of the identifier being pseudonymised, kept for the next.
    canonical: String,
}

/// A text column's last cell: its text, whether it parsed with an issue, and what it became.
#[derive(Debug, Default)]
struct LastText {
    raw: String,
    issue: bool,
    out: Option<OutValue>,
    tags: u64,
}

/// Every pseudonym given, by id type and tag, with a hash of its canonical value: two values with
/// one pseudonym stop the run.
///
/// The pseudonyms are recorded in the order rows are written and sorted when a table, a return or
/// the run is done ([`Collisions::settle`]): a clash is then two neighbours with one id type and
/// tag and two values. A hash map probed per row missed the cache on nearly every pseudonym of a
/// million-row table; a sort reads and writes in order. The unsorted tail is sorted whenever it
/// reaches [`SETTLE_EVERY`] records, so repeats of a few values never pile up.
#[derive(Debug, Default)]
pub struct Collisions {
    given: Vec<Given>,
    /// How many records, from the start, are sorted and without repeats.
    settled: usize,
}

/// Unsorted records at most: 24 MiB.
const SETTLE_EVERY: usize = 1 << 20;

/// One pseudonym given: its id type, its tag (the pseudonym's 80 bits) and a hash of the canonical
/// value it was given to. Ordered by id type, then tag, then value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Given {
    id_type: u32,
    tag: [u8; 10],
    value: u64,
}

impl Collisions {
    /// Records that the value `canonical` of id type `id_type` was given the pseudonym `tag`.
    fn record(&mut self, id_type: usize, tag: [u8; 10], canonical: &str) {
        let value = KeyHash::default().part(canonical.as_bytes()).finish().low();
        // A pack's id types number far fewer than 2^32 (they are named in the pack file).
        let id_type = u32::try_from(id_type).unwrap_or(u32::MAX);
        self.given.push(Given { id_type, tag, value });
        if self.given.len().saturating_sub(self.settled) >= SETTLE_EVERY {
            // Both records of a clash stay: the settle that reports it finds it again.
            let _ = self.settle();
        }
    }

    /// Sorts what was recorded and drops repeats; the first id type (by index) with a pseudonym
    /// given to two values, if any.
    pub fn settle(&mut self) -> Result<(), usize> {
        if self.settled < self.given.len() {
            // Stable sort: it finds the sorted runs (the settled start, each table's or return's
            // settled records) and merges them.
            self.given.sort();
            self.given.dedup();
            self.settled = self.given.len();
        }
        let clash = self.given.windows(2).find_map(|w| match w {
            [a, b] if a.id_type == b.id_type && a.tag == b.tag => Some(a.id_type as usize),
            _ => None,
        });
        // Sorted by id type first: the first clash is of the least id type.
        clash.map_or(Ok(()), Err)
    }

    /// Adds the pseudonyms of another table or return; they are compared with these by the next
    /// [`Collisions::settle`].
    pub fn absorb(&mut self, mut other: Collisions) {
        if self.given.is_empty() {
            *self = other;
            return;
        }
        self.given.append(&mut other.given);
    }

    /// Distinct pseudonyms given, once settled.
    pub fn len(&self) -> usize {
        self.given.len()
    }

    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }
}

/// What rendering a return needs.
pub struct Renderer<'a> {
    pub pack: &'a Pack,
    /// One pseudonymiser per id type, in `pack.id_types` order.
    pub pseudonymisers: &'a [Pseudonymiser],
    /// The return's identifiers, from the check pass.
    pub ids: &'a IdSet,
    /// The return's key, for tables that do not carry it.
    pub return_key: &'a str,
}

/// One data row as the stream gave it.
pub struct RowIn<'a> {
    pub row: &'a RowBuf,
    pub values: &'a [Parsed],
    pub physical: &'a [Option<u32>],
    pub tag: Option<u32>,
}

impl RowIn<'_> {
    fn text(&self, col: usize) -> &str {
        self.physical[col].map_or("", |p| text::trim(self.row.get(p as usize).text))
    }
}

impl Renderer<'_> {
    /// Fills `out` with the row's cells, in the plan's order, the flags column last.
    ///
    /// `out` is meant to be reused from row to row: a text cell is written into the string the
    /// row before left in it, so a table of a million rows does not allocate a string per cell.
    pub fn row(
        &self,
        plan: &TablePlan,
        r: &RowIn<'_>,
        flags: &[Flag],
        (work, collisions): (&mut TableWork, &mut Collisions),
        out: &mut Vec<OutValue>,
    ) {
        let table = &self.pack.tables[plan.table];
        let mut at = 0usize;
        if plan.tagged {
            self.tag(plan.table, r, slot(out, at));
            at += 1;
        }
        for oc in &plan.columns {
            let cell = slot(out, at);
            at += 1;
            match oc {
                OutCol::Value(ci) => match flags.iter().find(|f| f.column == *ci) {
                    Some(f) if f.fix == Fix::Empty => *cell = OutValue::Empty,
                    _ => self.value((&table.columns[*ci], *ci), r.values[*ci], r.text(*ci), work, cell),
                },
                OutCol::Pseudonym(ci) => {
                    let c = &table.columns[*ci];
                    self.pseudonym(c, r.text(*ci), (work, collisions), cell);
                }
                OutCol::Attribute(ci, a) => {
                    self.attribute(&table.columns[*ci], r.values[*ci], a, flags, *ci, cell);
                }
            }
        }
        if !flags.is_empty() {
            work.counters.flagged_rows += 1;
            work.counters.flagged_cells += flags.len() as u64;
        }
        let cell = slot(out, at);
        if flags.is_empty() {
            *cell = OutValue::Empty;
        } else {
            cell.set_with(|t| {
                for (i, f) in flags.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ";" };
                    let _ = write!(t, "{sep}{}:{}", table.columns[f.column].name, f.code);
                }
            });
        }
        out.truncate(at + 1);
    }

    /// The return key of a row: its own cell in the return-key table or a merged dataset, else
    /// the return's.
    fn tag(&self, table: usize, r: &RowIn<'_>, cell: &mut OutValue) {
        let Some(k) = &self.pack.return_key else {
            return cell.set_text("");
        };
        let col = &self.pack.tables[k.table].columns[k.column];
        let physical = match (k.table == table, r.tag) {
            (true, _) => r.physical[k.column],
            (false, Some(t)) => Some(t),
            (false, None) => None,
        };
        match physical {
            Some(p) => {
                let c = r.row.get(p as usize);
                let parsed = vakt_core::value::parse(
                    col.ty,
                    c,
                    &ParseCtx {
                        codes: self.pack.codelist(col),
                        date_1904: r.row.date_1904,
                        suppressed: &col.suppressed,
                    },
                    &mut String::new(),
                );
                match (parsed.value, self.pack.codelist(col)) {
                    (Value::Code(i), Some(l)) if parsed.issue.is_none() => cell.set_text(l.code(i)),
                    _ => cell.set_text(text::trim(c.text)),
                }
            }
            None => cell.set_text(self.return_key),
        }
    }

    fn value(&self, (col, ci): (&Column, usize), p: Parsed, raw: &str, work: &mut TableWork, cell: &mut OutValue) {
        if p.issue.is_some() {
            return self.text_cell((col, ci), raw, true, work, cell);
        }
        *cell = match p.value {
            Value::Missing => OutValue::Empty,
            Value::Int(i) => OutValue::Int(i),
            Value::Num(n) if col.ty == ColumnType::Minutes => OutValue::Int(n.round() as i64),
            Value::Num(n) => OutValue::Num(n),
            Value::Date(d) => OutValue::Date(d),
            Value::Bool(b) => return cell.set_text(if b { "true" } else { "false" }),
            Value::Code(c) => match self.pack.codelist(col) {
                Some(l) if col.ty == ColumnType::Boolean => {
                    return cell.set_with(|t| {
                        t.push_str(l.code(c));
                        t.make_ascii_lowercase();
                    })
                }
                Some(l) => return cell.set_text(l.code(c)),
                None => OutValue::Empty,
            },
            Value::Text => return self.text_cell((col, ci), raw, false, work, cell),
        };
    }

    /// A text cell as written (with an issue) or as its column keeps it (leading zeros restored),
    /// scrubbed; the column's last cell again is its last result again.
    fn text_cell(
        &self,
        (col, ci): (&Column, usize),
        raw: &str,
        issue: bool,
        work: &mut TableWork,
        cell: &mut OutValue,
    ) {
        if let Some(last) = work.last_texts.get(ci).filter(|l| l.issue == issue && l.raw == raw) {
            if let Some(out) = &last.out {
                work.counters.tags += last.tags;
                return cell.set_from(out);
            }
        }
        let before = work.counters.tags;
        let padded = if issue { None } else { restored(col, raw) };
        *cell = match padded {
            Some(padded) => self.text(&padded, &mut work.counters),
            None => self.text(raw, &mut work.counters),
        };
        if work.last_texts.len() <= ci {
            work.last_texts.resize_with(ci.saturating_add(1), LastText::default);
        }
        if let Some(last) = work.last_texts.get_mut(ci) {
            last.raw.clear();
            last.raw.push_str(raw);
            last.issue = issue;
            last.tags = work.counters.tags - before;
            match &mut last.out {
                Some(out) => out.set_from(cell),
                None => last.out = Some(cell.clone()),
            }
        }
    }

    /// Text with every identifier replaced by a tag; emptied if anything is still found.
    fn text(&self, raw: &str, counters: &mut Counters) -> OutValue {
        if raw.is_empty() {
            return OutValue::Empty;
        }
        let s = scrub(raw, Some(self.ids));
        counters.tags += s.tags;
        // Scanned again once tags went in. With none, the text is the one just scanned, and a
        // scan of the same text finds the same: nothing.
        if s.tags > 0 && !Scanner::global().scan(&s.text).is_empty() {
            return OutValue::Empty;
        }
        OutValue::Text(s.text)
    }

    fn pseudonym(
        &self,
        col: &Column,
        raw: &str,
        (work, collisions): (&mut TableWork, &mut Collisions),
        cell: &mut OutValue,
    ) {
        let (Some(form), Some(name)) = (col.id_form, col.id_type.as_deref()) else {
            return *cell = OutValue::Empty;
        };
        if raw.is_empty() {
            return *cell = OutValue::Empty;
        }
        let Some(ti) = self.pack.id_types.iter().position(|t| t.name == name) else {
            return *cell = OutValue::Empty;
        };
        let id = &mut work.canonical;
        let zero_restored = canonical_into(form, raw, id);
        work.counters.zero_repairs += u64::from(zero_restored);
        let tag = self.pseudonymisers[ti].tag(id);
        collisions.record(ti, tag, id);
        work.counters.pseudonyms += 1;
        cell.set_with(|t| super::pseudo::base32_lower_into(&tag, t));
    }

    fn attribute(&self, col: &Column, p: Parsed, attr: &str, flags: &[Flag], ci: usize, cell: &mut OutValue) {
        if flags.iter().any(|f| f.column == ci && f.fix == Fix::Empty) {
            return *cell = OutValue::Empty;
        }
        let value = match (p.value, self.pack.codelist(col)) {
            (Value::Code(i), Some(l)) if p.issue.is_none() => l.entry(i).and_then(|e| e.extra.get(attr)),
            _ => None,
        };
        match value {
            Some(v) => cell.set_text(v),
            None => *cell = OutValue::Empty,
        }
    }
}

/// A text the column's pattern refuses but accepts with the leading zeros Excel dropped put back
/// (`301` → `0301`): the same decision the pattern check reports as information.
fn restored(col: &Column, raw: &str) -> Option<String> {
    let re = col.pattern.as_ref()?;
    text::restore_leading_zeros(raw, |s| re.is_match(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(i: u8) -> [u8; 10] {
        [i, 7, 7, 7, 7, 7, 7, 7, 7, i]
    }

    /// One return's pseudonyms: (id type, tag, canonical value), settled.
    fn given(pseudonyms: &[(usize, u8, &str)]) -> Collisions {
        let mut c = Collisions::default();
        for &(t, i, v) in pseudonyms {
            c.record(t, tag(i), v);
        }
        assert_eq!(c.settle(), Ok(()), "no clash within the return");
        c
    }

    #[test]
    fn one_pseudonym_for_two_values_is_a_clash_within_a_return_and_across_returns() {
        let mut c = given(&[(0, 1, "a"), (0, 2, "b"), (1, 1, "a")]);
        c.record(0, tag(1), "a");
        assert_eq!(c.settle(), Ok(()), "the same value again");
        assert_eq!(c.len(), 3, "a repeat is one pseudonym");
        c.record(2, tag(1), "z");
        assert_eq!(c.settle(), Ok(()), "the same tag under another id type");
        c.record(0, tag(1), "z");
        assert_eq!(c.settle(), Err(0), "another value, the same pseudonym");

        // Across returns, absorbed either way round.
        for small_first in [true, false] {
            let small = given(&[(1, 1, "a"), (0, 9, "n")]);
            let large = given(&[(0, 1, "a"), (0, 2, "b"), (1, 1, "a"), (1, 3, "c")]);
            let (mut into, other) = if small_first { (small, large) } else { (large, small) };
            into.absorb(other);
            assert_eq!(into.settle(), Ok(()));
            assert_eq!(into.len(), 5, "distinct pseudonyms of both");
        }
        let mut first = given(&[(0, 1, "a"), (1, 4, "d"), (2, 5, "e")]);
        let second = given(&[(2, 5, "x"), (1, 4, "y")]);
        first.absorb(second);
        assert_eq!(first.settle(), Err(1), "the first id type that clashed");
        assert_eq!(first.settle(), Err(1), "and again: both records stay");
    }

    /// The tag of value `v` in these tests.
    fn tag_of(v: u64) -> [u8; 10] {
        let mut t = [0u8; 10];
        t[..8].copy_from_slice(&v.to_be_bytes());
        t
    }

    /// Clashes are found whether the unsorted tail was sorted on the way (past `SETTLE_EVERY`
    /// records) or only at the end, and the distinct pseudonyms are counted as a set counts them.
    #[test]
    fn clashes_are_found_across_the_sorts_on_the_way() {
        assert_eq!(std::mem::size_of::<Given>(), 24, "the 24 MiB of SETTLE_EVERY records");
        let n = SETTLE_EVERY as u64 + 1000;
        // A clash among the first records, sorted on the way: reported by the next settle.
        let mut early = Collisions::default();
        early.record(1, tag_of(5), "x");
        early.record(1, tag_of(5), "y");
        (0..n).for_each(|v| early.record(0, tag_of(v), &v.to_string()));
        assert_eq!(early.settle(), Err(1));

        // No clash: every value twice (once early, once late) under two id types.
        let mut c = Collisions::default();
        let mut distinct = std::collections::HashSet::new();
        for i in 0..2 * n {
            let (ty, v) = ((i % 2) as usize, i % n);
            c.record(ty, tag_of(v), &v.to_string());
            distinct.insert((ty, v));
        }
        assert_eq!(c.settle(), Ok(()));
        assert_eq!(c.len(), distinct.len());
        // A value sorted on the way, given its pseudonym to another value at the end.
        c.record(0, tag_of(0), "another");
        assert_eq!(c.settle(), Err(0));
    }

    /// A reused cell, whatever it held, is set to exactly what a fresh one would hold: text
    /// replaces (never extends) the text before it, and a non-text value drops it.
    #[test]
    fn a_reused_cell_holds_what_a_fresh_cell_would() {
        let date = Date::from_ymd(2024, 2, 29).expect("a real day");
        let values = [
            OutValue::Empty,
            OutValue::Text(String::new()),
            OutValue::Text("a longer text than the next".into()),
            OutValue::Text("kort".into()),
            OutValue::Int(-7),
            OutValue::Num(1.5),
            OutValue::Date(date),
        ];
        for before in &values {
            for after in &values {
                let mut cell = before.clone();
                cell.set_from(after);
                assert_eq!(&cell, after, "{before:?} set from {after:?}");
            }
            for text in ["", "x", "Bodø og omegn"] {
                let mut cell = before.clone();
                cell.set_text(text);
                assert_eq!(cell, OutValue::Text(text.into()), "{before:?} set to {text:?}");
                let mut cell = before.clone();
                cell.set_with(|t| {
                    t.push_str(text);
                    t.push('!');
                });
                assert_eq!(cell, OutValue::Text(format!("{text}!")), "{before:?} written {text:?}");
            }
        }
        let mut row = vec![OutValue::Int(1)];
        *slot(&mut row, 3) = OutValue::Num(2.0);
        assert_eq!(
            row,
            [OutValue::Int(1), OutValue::Empty, OutValue::Empty, OutValue::Num(2.0)]
        );
    }

    #[test]
    fn formulas_are_neutralised_numbers_are_not() {
        assert_eq!(neutralise("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(neutralise("=CMD|' CALC'!A0"), "'=CMD|' CALC'!A0");
        assert_eq!(neutralise("+47 99"), "'+47 99");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-5"), "-5");
        assert_eq!(neutralise("-1.5"), "-1.5");
        assert_eq!(neutralise("plain"), "plain");
    }
}
