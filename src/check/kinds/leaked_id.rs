use crate::check::keyhash::{KeyHash, KeyMap};
use crate::check::{ReturnRule, RowCtx, RuleKind, Sink, TableSchema};
use crate::finding::{mask, mask_found, CheckInfo, Finding, Location, Severity};
use crate::pack::{ColumnType, IdClass, Pack};
use crate::value::{nin, text};
use regex::Regex;

documented_check! {
    /// Personal identifiers in a text column that is not an identifier column: a comment or a group
    /// name holding a fødselsnummer, a phone number, an e-mail address, or an id from the return's
    /// patient or therapist columns. They must not reach the clean output.
    ///
    /// Every text column without class `D` is scanned for:
    /// - 11-digit numbers that pass the fødselsnummer / D-number checks, also written 6+5 with a
    ///   space or dash (`311299 56715`); bank account numbers written 4.2.5 are not matched;
    /// - Norwegian phone numbers: 8 digits starting 2-9, optionally after +47, whole or grouped
    ///   (`91234567`, `912 34 567`, `91 23 45 67`);
    /// - e-mail addresses;
    /// - in free-text columns (class `F`): any value of a `patient` or `hpr` identifier column of
    ///   the same return.
    ///
    /// The scan finds every match in a cell, also in lists (`A,B,C`: each number is seen, none
    /// swallowed by the separator), and reports the cell once. The message names the kind of
    /// identifier and never repeats it unmasked.
    pub struct LeakedIdKind => "VK0208", "leaked-identifier";
}

impl RuleKind for LeakedIdKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, _schema: &TableSchema<'p>) -> Vec<Box<dyn crate::check::RowRule + 'p>> {
        Vec::new()
    }

    fn return_rule<'p>(&self, pack: &'p Pack) -> Option<Box<dyn ReturnRule + 'p>> {
        // Per table, the columns meeting a condition.
        let columns_where = |keep: &dyn Fn(&crate::pack::Column) -> bool| -> Vec<Vec<usize>> {
            pack.tables
                .iter()
                .map(|t| {
                    t.columns
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| keep(c))
                        .map(|(i, _)| i)
                        .collect()
                })
                .collect()
        };
        let scan = columns_where(&|c| c.ty == ColumnType::Text && !c.is_identifier());
        let ids = columns_where(&|c| matches!(c.id_type.as_deref(), Some("patient" | "hpr")));
        let free = columns_where(&|c| c.class.contains(&IdClass::F));
        let free_later = (0..free.len())
            .map(|t| free[t + 1..].iter().any(|f| !f.is_empty()))
            .collect();
        Some(Box::new(LeakRule {
            scanner: Scanner::new(),
            scan,
            free,
            free_later,
            ids,
            id_set: KeyMap::default(),
            pending: Vec::new(),
            scratch: String::new(),
        }))
    }
}

/// What kind of identifier a text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leak {
    Fnr,
    Phone,
    Email,
}

impl Leak {
    fn describe(self) -> &'static str {
        match self {
            Leak::Fnr => "a fødselsnummer or D-number",
            Leak::Phone => "a phone number",
            Leak::Email => "an e-mail address",
        }
    }
}

/// The regular expressions of the scan, compiled once per return.
pub struct Scanner {
    fnr: Regex,
    phone: Regex,
    email: Regex,
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}

impl Scanner {
    pub fn new() -> Scanner {
        // Word boundaries, not separators, delimit matches: find_iter then sees B in `A,B,C`.
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("built-in pattern {p}: {e}"));
        Scanner {
            fnr: re(r"\b(\d{6})[ -]?(\d{5})\b"),
            phone: re(
                r"(?:\+47[ -]?)?\b(?:[2-9]\d{7}|[2-9]\d{2}[ -]\d{2}[ -]\d{3}|[2-9]\d[ -]\d{2}[ -]\d{2}[ -]\d{2})\b",
            ),
            email: re(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
        }
    }

    /// Every identifier in `s`, with its byte range.
    pub fn scan(&self, s: &str) -> Vec<(Leak, std::ops::Range<usize>)> {
        let mut out = Vec::new();
        // Most cells cannot hold any of these: count digits first (a phone needs 8, an fnr 11).
        let digits = s.bytes().filter(u8::is_ascii_digit).count();
        let at = s.contains('@');
        if digits < 8 && !at {
            return out;
        }
        for c in self.fnr.captures_iter(s).take_while(|_| digits >= 11) {
            let (Some(all), Some(a), Some(b)) = (c.get(0), c.get(1), c.get(2)) else {
                continue;
            };
            let digits = format!("{}{}", a.as_str(), b.as_str());
            if nin::validate(&digits).is_ok() {
                out.push((Leak::Fnr, all.range()));
            }
        }
        for m in self.phone.find_iter(s).take_while(|_| digits >= 8) {
            if !out.iter().any(|(_, r)| r.start < m.end() && m.start() < r.end) {
                out.push((Leak::Phone, m.range()));
            }
        }
        for m in self.email.find_iter(s).take_while(|_| at) {
            out.push((Leak::Email, m.range()));
        }
        out
    }
}

struct Pending {
    location: Location,
    text: String,
}

struct LeakRule {
    scanner: Scanner,
    /// Per table: the text columns to scan.
    scan: Vec<Vec<usize>>,
    /// Per table: the free-text columns (class F), also searched for the return's identifiers.
    free: Vec<Vec<usize>>,
    /// Per table: whether a later table has free-text columns.
    free_later: Vec<bool>,
    /// Per table: the identifier columns whose values are looked for.
    ids: Vec<Vec<usize>>,
    id_set: KeyMap<()>,
    /// Texts to match against identifiers once every table has been read.
    pending: Vec<Pending>,
    scratch: String,
}

/// The comparison form of an identifier: digits without separators, 10 digits with the lost zero
/// back; anything else folded.
fn canonical(raw: &str, out: &mut String) {
    out.clear();
    let t = text::trim(raw);
    let digits: String = t.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if digits.len() == 10 {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        text::key_into(t, out);
    }
}

impl ReturnRule for LeakRule {
    fn observe(&mut self, table: usize, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        // Identifiers are only needed for free text already waiting, or still to come.
        let needed = !self.pending.is_empty() || self.free_later[table];
        for &c in self.ids[table].iter().filter(|_| needed) {
            let raw = row.text(c);
            if raw.len() >= 5 {
                canonical(raw, &mut self.scratch);
                self.id_set
                    .insert(KeyHash::default().part(self.scratch.as_bytes()).finish(), ());
            }
        }
        for &c in &self.scan[table] {
            let raw = row.text(c);
            if raw.is_empty() {
                continue;
            }
            let hits = self.scanner.scan(raw);
            if let Some((kind, range)) = hits.first() {
                let name = &out.table.columns[c].name;
                let found = mask_found(&raw[range.clone()]);
                let message = format!(
                    "{name}: contains {} ({found}); identifiers must not be in text columns",
                    kind.describe()
                );
                let help = "remove it; clean output replaces it with a tag".to_string();
                let mut f = Finding {
                    code: LeakedIdKind::CODE,
                    severity: Severity::Error,
                    message,
                    help: Some(help),
                    location: out.location(Some(row.row.row), row.physical(c), Some(name)),
                    value: None,
                };
                f.value = Some(mask(raw));
                out.findings.push(f);
            } else if self.free[table].contains(&c)
                && raw
                    .split(|ch: char| !(ch.is_alphanumeric() || ch == '-'))
                    .any(|t| t.len() >= 5 && t.bytes().any(|b| b.is_ascii_digit()))
            {
                self.pending.push(Pending {
                    location: out.location(Some(row.row.row), row.physical(c), Some(&out.table.columns[c].name)),
                    text: raw.to_string(),
                });
            }
        }
    }

    fn finish(&mut self, _present: &[bool], out: &mut Vec<Finding>) {
        for p in &self.pending {
            let hit = p.text.split(|ch: char| !(ch.is_alphanumeric() || ch == '-')).find(|t| {
                t.len() >= 5 && {
                    canonical(t, &mut self.scratch);
                    self.id_set
                        .contains_key(&KeyHash::default().part(self.scratch.as_bytes()).finish())
                }
            });
            if let Some(token) = hit {
                let column = p.location.column.clone().unwrap_or_default();
                out.push(Finding {
                    code: LeakedIdKind::CODE,
                    severity: Severity::Error,
                    message: format!(
                        "{column}: contains an identifier of this return ({}); identifiers must not be in text columns",
                        mask_found(token)
                    ),
                    help: Some("remove it; clean output replaces it with a tag".into()),
                    location: p.location.clone(),
                    value: Some(mask(&p.text)),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_kind_and_every_item_of_a_list() {
        let s = Scanner::new();
        let kinds = |t: &str| s.scan(t).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(
            kinds("31129956715,15108695088,01010150740"),
            [Leak::Fnr, Leak::Fnr, Leak::Fnr]
        );
        assert_eq!(kinds("pasient 311299 56715"), [Leak::Fnr]);
        assert_eq!(kinds("pasient 311299-56715"), [Leak::Fnr]);
        assert_eq!(kinds("31129956716"), [], "wrong check digits: not a fødselsnummer");
        assert_eq!(kinds("konto 1234.56.78903"), [], "bank account 4.2.5");
        assert_eq!(kinds("ring 912 34 567 eller +47 91234567"), [Leak::Phone, Leak::Phone]);
        assert_eq!(kinds("tlf 91 23 45 67"), [Leak::Phone]);
        assert_eq!(kinds("kari@example.no"), [Leak::Email]);
        assert_eq!(kinds("Gruppe 2009, 12 deltakere, start 01.02.2010"), []);
    }
}
