//! Rendering one row for the clean dataset: normalised values, pseudonyms, scrubbed text, the
//! return key and the row's flags.

use super::decide::{Fix, Flag};
use super::plan::{OutCol, TablePlan};
use super::pseudo::Pseudonymiser;
use super::CleanError;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use vakt_core::ident::{canonical, scrub, IdSet, Scanner};
use vakt_core::pack::{Column, ColumnType, Pack};
use vakt_core::read::RowBuf;
use vakt_core::value::keyhash::{IdentityHasher, KeyHash};
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
        use std::fmt::Write as _;
        match self {
            OutValue::Empty => {}
            OutValue::Text(s) => neutralise_into(s, out),
            OutValue::Int(i) => {
                let _ = write!(out, "{i}");
            }
            OutValue::Num(n) => vakt_core::value::cell::write_number(out, *n),
            OutValue::Date(d) => {
                let _ = write!(out, "{d}");
            }
        }
    }
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

/// Every pseudonym given, by id type and tag, with a hash of its canonical value: two values with
/// one pseudonym stop the run.
#[derive(Default)]
pub struct Collisions {
    seen: HashMap<Tagged, u64, BuildHasherDefault<IdentityHasher>>,
}

/// A pseudonym's tag under its id type, hashed by the tag's first eight bytes. A tag is HMAC
/// output, uniform already, and nobody without the key can choose one: hashing it again (SipHash)
/// cost the most of joining a national run's pseudonyms.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Tagged {
    id_type: usize,
    tag: [u8; 10],
}

impl std::hash::Hash for Tagged {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let [a, b, c, d, e, f, g, h, ..] = self.tag;
        let id_type = (self.id_type as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        state.write_u64(u64::from_le_bytes([a, b, c, d, e, f, g, h]) ^ id_type);
    }
}

impl Collisions {
    fn check(&mut self, id_type: usize, tag: [u8; 10], canonical: &str) -> Result<(), ()> {
        let h = KeyHash::default().part(canonical.as_bytes()).finish().low();
        match self.seen.entry(Tagged { id_type, tag }) {
            std::collections::hash_map::Entry::Occupied(o) if *o.get() != h => Err(()),
            std::collections::hash_map::Entry::Occupied(_) => Ok(()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(h);
                Ok(())
            }
        }
    }

    /// Adds the pseudonyms of another return; the first id type (by index) with a pseudonym
    /// given to two values, if any. The smaller map is walked into the larger: a pseudonym both
    /// returns gave is a clash or not whichever way, and any clash stops the run.
    pub fn absorb(&mut self, mut other: Collisions) -> Result<(), usize> {
        if other.seen.len() > self.seen.len() {
            std::mem::swap(self, &mut other);
        }
        self.seen.reserve(other.seen.len());
        let mut clash: Option<usize> = None;
        for (key, h) in other.seen {
            match self.seen.entry(key) {
                std::collections::hash_map::Entry::Occupied(o) if *o.get() != h => {
                    clash = Some(clash.map_or(key.id_type, |c| c.min(key.id_type)));
                }
                std::collections::hash_map::Entry::Occupied(_) => {}
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(h);
                }
            }
        }
        clash.map_or(Ok(()), Err)
    }

    /// Distinct pseudonyms given.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
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
    /// The row's cells, in the plan's order, the flags column last.
    pub fn row(
        &self,
        plan: &TablePlan,
        r: &RowIn<'_>,
        flags: &[Flag],
        counters: &mut Counters,
        collisions: &mut Collisions,
    ) -> Result<Vec<OutValue>, CleanError> {
        let table = &self.pack.tables[plan.table];
        let mut out = Vec::with_capacity(plan.header.len());
        if plan.tagged {
            out.push(OutValue::Text(self.tag(plan.table, r)));
        }
        for oc in &plan.columns {
            let v = match oc {
                OutCol::Value(ci) => match flags.iter().find(|f| f.column == *ci) {
                    Some(f) if f.fix == Fix::Empty => OutValue::Empty,
                    _ => self.value(&table.columns[*ci], r.values[*ci], r.text(*ci), counters),
                },
                OutCol::Pseudonym(ci) => self.pseudonym(&table.columns[*ci], r.text(*ci), counters, collisions)?,
                OutCol::Attribute(ci, a) => self.attribute(&table.columns[*ci], r.values[*ci], a, flags, *ci),
            };
            out.push(v);
        }
        if !flags.is_empty() {
            counters.flagged_rows += 1;
            counters.flagged_cells += flags.len() as u64;
        }
        let names: Vec<String> = flags
            .iter()
            .map(|f| format!("{}:{}", table.columns[f.column].name, f.code))
            .collect();
        out.push(if names.is_empty() {
            OutValue::Empty
        } else {
            OutValue::Text(names.join(";"))
        });
        Ok(out)
    }

    /// The return key of a row: its own cell in the return-key table or a merged dataset, else
    /// the return's.
    fn tag(&self, table: usize, r: &RowIn<'_>) -> String {
        let Some(k) = &self.pack.return_key else {
            return String::new();
        };
        let col = &self.pack.tables[k.table].columns[k.column];
        let cell = match (k.table == table, r.tag) {
            (true, _) => r.physical[k.column],
            (false, Some(t)) => Some(t),
            (false, None) => None,
        };
        match cell {
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
                    (Value::Code(i), Some(l)) if parsed.issue.is_none() => l.code(i).to_string(),
                    _ => text::trim(c.text).to_string(),
                }
            }
            None => self.return_key.to_string(),
        }
    }

    fn value(&self, col: &Column, p: Parsed, raw: &str, counters: &mut Counters) -> OutValue {
        if p.issue.is_some() {
            return self.text(raw, counters);
        }
        match p.value {
            Value::Missing => OutValue::Empty,
            Value::Int(i) => OutValue::Int(i),
            Value::Num(n) if col.ty == ColumnType::Minutes => OutValue::Int(n.round() as i64),
            Value::Num(n) => OutValue::Num(n),
            Value::Date(d) => OutValue::Date(d),
            Value::Bool(b) => OutValue::Text(b.to_string()),
            Value::Code(c) => match self.pack.codelist(col) {
                Some(l) if col.ty == ColumnType::Boolean => OutValue::Text(l.code(c).to_ascii_lowercase()),
                Some(l) => OutValue::Text(l.code(c).to_string()),
                None => OutValue::Empty,
            },
            Value::Text => match restored(col, raw) {
                Some(padded) => self.text(&padded, counters),
                None => self.text(raw, counters),
            },
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
        counters: &mut Counters,
        collisions: &mut Collisions,
    ) -> Result<OutValue, CleanError> {
        let (Some(form), Some(name)) = (col.id_form, col.id_type.as_deref()) else {
            return Ok(OutValue::Empty);
        };
        if raw.is_empty() {
            return Ok(OutValue::Empty);
        }
        let Some(ti) = self.pack.id_types.iter().position(|t| t.name == name) else {
            return Ok(OutValue::Empty);
        };
        let c = canonical(form, raw);
        counters.zero_repairs += u64::from(c.zero_restored);
        let p = &self.pseudonymisers[ti];
        let tag = p.tag(&c.text);
        collisions
            .check(ti, tag, &c.text)
            .map_err(|()| CleanError::Collision(name.to_string()))?;
        counters.pseudonyms += 1;
        Ok(OutValue::Text(super::pseudo::base32_lower(&tag)))
    }

    fn attribute(&self, col: &Column, p: Parsed, attr: &str, flags: &[Flag], ci: usize) -> OutValue {
        if flags.iter().any(|f| f.column == ci && f.fix == Fix::Empty) {
            return OutValue::Empty;
        }
        match (p.value, self.pack.codelist(col)) {
            (Value::Code(i), Some(l)) if p.issue.is_none() => l
                .entry(i)
                .and_then(|e| e.extra.get(attr))
                .map_or(OutValue::Empty, |v| OutValue::Text(v.clone())),
            _ => OutValue::Empty,
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

    /// One return's pseudonyms: (id type, tag, canonical value).
    fn given(pseudonyms: &[(usize, u8, &str)]) -> Collisions {
        let mut c = Collisions::default();
        for &(t, i, v) in pseudonyms {
            assert!(c.check(t, tag(i), v).is_ok(), "no clash within the return");
        }
        c
    }

    #[test]
    fn one_pseudonym_for_two_values_is_a_clash_within_a_return_and_across_returns() {
        let mut c = given(&[(0, 1, "a"), (0, 2, "b"), (1, 1, "a")]);
        assert_eq!(c.check(0, tag(1), "a"), Ok(()), "the same value again");
        assert_eq!(c.check(0, tag(1), "z"), Err(()), "another value, the same pseudonym");
        assert_eq!(c.check(2, tag(1), "z"), Ok(()), "the same tag under another id type");

        // Across returns, absorbed either way round (the larger map keeps its entries).
        for small_first in [true, false] {
            let small = given(&[(1, 1, "a"), (0, 9, "n")]);
            let large = given(&[(0, 1, "a"), (0, 2, "b"), (1, 1, "a"), (1, 3, "c")]);
            let (mut into, other) = if small_first { (small, large) } else { (large, small) };
            assert_eq!(into.absorb(other), Ok(()));
            assert_eq!(into.len(), 5, "distinct pseudonyms of both");
        }
        let mut first = given(&[(0, 1, "a"), (1, 4, "d"), (2, 5, "e")]);
        let second = given(&[(2, 5, "x"), (1, 4, "y")]);
        assert_eq!(first.absorb(second), Err(1), "the first id type that clashed");
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
