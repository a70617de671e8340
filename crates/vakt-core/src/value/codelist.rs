//! Code lists: the allowed codes of a column with their English and Norwegian labels and synonyms.
//!
//! A cell matches an entry when it equals the code, a label or a synonym, ignoring case, surrounding
//! and repeated whitespace. Lookup tries the exact text first (most cells hold the canonical code) and
//! then the normalised key in a reused buffer, so a match costs no allocation.

use super::keyhash::TextMap;
use crate::value::text;
use std::collections::BTreeMap;

/// One allowed code.
#[derive(Debug, Clone)]
pub struct CodeEntry {
    /// The canonical code.
    pub code: String,
    /// English label.
    pub en: String,
    /// Norwegian label.
    pub no: String,
    /// Other ways people write it.
    pub synonyms: Vec<String>,
    /// Further columns of the CSV (`formal`, `region`, ...), by column name.
    pub extra: BTreeMap<String, String>,
}

/// Which field of an entry a key came from, to answer in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Code,
    En,
    No,
    Synonym,
}

/// A loaded code list.
#[derive(Debug, Clone)]
pub struct CodeList {
    /// The list's name in the pack.
    pub name: String,
    /// Its entries, by index.
    pub entries: Vec<CodeEntry>,
    exact: TextMap<u32>,
    keys: TextMap<(u32, Field)>,
}

/// Values longer than this get no "did you mean" (no label is this long).
pub const MAX_SUGGEST_CHARS: usize = 64;

/// A close match offered as help for a value that matched nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The entry suggested.
    pub entry: u32,
    /// The label to show: Norwegian when the value looked Norwegian, else English.
    pub label: String,
    /// Its code.
    pub code: String,
}

/// A mistake in a code-list CSV, at its line when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeListError {
    /// The 1-based line of the CSV (the header is line 1).
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl CodeListError {
    fn at(line: usize, message: String) -> CodeListError {
        CodeListError {
            line: Some(line),
            message,
        }
    }

    fn whole(message: String) -> CodeListError {
        CodeListError { line: None, message }
    }
}

impl std::fmt::Display for CodeListError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for CodeListError {}

impl CodeList {
    /// Parses a code-list CSV (`code,en,no,synonyms[,extra...]`, synonyms separated by `|`).
    /// Errors name the line.
    pub fn parse(name: &str, csv_text: &str) -> Result<CodeList, CodeListError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(csv_text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| CodeListError::whole(format!("cannot read the header: {e}")))?
            .clone();
        let col = |n: &str| headers.iter().position(|h| h.trim() == n);
        let code_col = col("code").ok_or_else(|| CodeListError::whole("the header has no `code` column".into()))?;
        let en_col = col("en");
        let no_col = col("no");
        let syn_col = col("synonyms");
        let mut list = CodeList {
            name: name.to_string(),
            entries: Vec::new(),
            exact: TextMap::default(),
            keys: TextMap::default(),
        };
        for (i, rec) in rdr.records().enumerate() {
            let line = i.saturating_add(2);
            let rec = rec.map_err(|e| CodeListError::at(line, e.to_string()))?;
            let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").trim().to_string();
            let code = get(Some(code_col));
            if code.is_empty() {
                return Err(CodeListError::at(line, "empty code".into()));
            }
            let synonyms: Vec<String> = get(syn_col)
                .split('|')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let mut extra = BTreeMap::new();
            for (c, h) in headers.iter().enumerate() {
                if Some(c) != Some(code_col) && Some(c) != en_col && Some(c) != no_col && Some(c) != syn_col {
                    extra.insert(h.trim().to_string(), rec.get(c).unwrap_or("").trim().to_string());
                }
            }
            let entry = CodeEntry {
                en: get(en_col),
                no: get(no_col),
                code,
                synonyms,
                extra,
            };
            let idx = list.entries.len() as u32;
            if list.exact.insert(entry.code.clone(), idx).is_some() {
                return Err(CodeListError::at(line, format!("code `{}` appears twice", entry.code)));
            }
            let mut add = |s: &str, field: Field| -> Result<(), CodeListError> {
                let k = text::key(s);
                if k.is_empty() {
                    return Ok(());
                }
                match list.keys.get(&k) {
                    Some((other, _)) if *other != idx => Err(CodeListError::at(
                        line,
                        format!(
                            "`{s}` already names code `{}`",
                            list.entries.get(*other as usize).map_or("", |e| e.code.as_str())
                        ),
                    )),
                    Some(_) => Ok(()),
                    None => {
                        list.keys.insert(k, (idx, field));
                        Ok(())
                    }
                }
            };
            add(&entry.code, Field::Code)?;
            add(&entry.en, Field::En)?;
            add(&entry.no, Field::No)?;
            for s in &entry.synonyms {
                add(s, Field::Synonym)?;
            }
            list.entries.push(entry);
        }
        if list.entries.is_empty() {
            return Err(CodeListError::whole("the list has no codes".into()));
        }
        Ok(list)
    }

    /// The entry a cell's text names, if any. `scratch` is reused between calls.
    pub fn lookup(&self, value: &str, scratch: &mut String) -> Option<u32> {
        if let Some(&i) = self.exact.get(value) {
            return Some(i);
        }
        text::key_into(value, scratch);
        self.keys.get(scratch.as_str()).map(|&(i, _)| i)
    }

    /// The code of an entry.
    pub fn code(&self, idx: u32) -> &str {
        self.entries.get(idx as usize).map_or("", |e| e.code.as_str())
    }

    /// An entry by index.
    pub fn entry(&self, idx: u32) -> Option<&CodeEntry> {
        self.entries.get(idx as usize)
    }

    /// The closest entry to a value that matched nothing: a small edit distance to a code, label or
    /// synonym, or an unambiguous prefix of at least four characters. Only short values are
    /// compared ([`MAX_SUGGEST_CHARS`]): an edit distance costs the product of the two lengths.
    pub fn suggest(&self, value: &str) -> Option<Suggestion> {
        if value.chars().count() > MAX_SUGGEST_CHARS {
            return None;
        }
        let k = text::key(value);
        // One or two letters are as close to every short code as to any: no suggestion.
        if k.chars().count() < 3 {
            return None;
        }
        let mut best: Option<(usize, &str, u32, Field)> = None;
        for (key, &(idx, field)) in &self.keys {
            let d = strsim::damerau_levenshtein(&k, key);
            let allowed = (key.chars().count().max(k.chars().count()) / 4).clamp(1, 3);
            if d <= allowed {
                let better = match best {
                    None => true,
                    Some((bd, bk, _, _)) => (d, key.as_str()) < (bd, bk),
                };
                if better {
                    best = Some((d, key, idx, field));
                }
            }
        }
        if best.is_none() && k.chars().count() >= 4 {
            let mut hits = self.keys.iter().filter(|(key, _)| key.starts_with(&k));
            if let (Some((key, &(idx, field))), None) = (hits.next(), hits.next()) {
                best = Some((0, key, idx, field));
            }
        }
        let (_, _, idx, field) = best?;
        let e = self.entries.get(idx as usize)?;
        let label = match field {
            Field::En if !e.en.is_empty() => e.en.clone(),
            _ if !e.no.is_empty() => e.no.clone(),
            _ => e.en.clone(),
        };
        Some(Suggestion {
            entry: idx,
            label,
            code: e.code.clone(),
        })
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod tests {
    use super::*;

    const GROUP_TYPE: &str = "code,en,no,synonyms\n\
        PSYDYN,Psychodynamic,Psykodynamisk,gruppeanalytisk|dynamisk\n\
        CBT,Cognitive-behavioural,Kognitiv atferdsterapeutisk,KAT|kognitiv\n";

    #[test]
    fn matches_code_label_and_synonym_ignoring_case_and_space() {
        let list = CodeList::parse("group_type", GROUP_TYPE).unwrap();
        let mut s = String::new();
        assert_eq!(list.lookup("PSYDYN", &mut s), Some(0));
        assert_eq!(list.lookup("  psykodynamisk ", &mut s), Some(0));
        assert_eq!(list.lookup("Kognitiv\u{a0} atferdsterapeutisk", &mut s), Some(1));
        assert_eq!(list.lookup("kat", &mut s), Some(1));
        assert_eq!(list.lookup("psychodynamic", &mut s), Some(0));
        assert_eq!(list.lookup("systemisk", &mut s), None);
    }

    #[test]
    fn suggests_the_closest_code_in_the_users_language() {
        let list = CodeList::parse("group_type", GROUP_TYPE).unwrap();
        let s = list.suggest("psykodynamsik").unwrap();
        assert_eq!((s.label.as_str(), s.code.as_str()), ("Psykodynamisk", "PSYDYN"));
        let s = list.suggest("kogntiv").unwrap();
        assert_eq!(s.code, "CBT");
        let s = list.suggest("Psychodinamic").unwrap();
        assert_eq!(s.label, "Psychodynamic");
        assert_eq!(list.suggest("systemisk terapi"), None);
    }

    #[test]
    fn rejects_conflicting_lists() {
        let err = CodeList::parse("x", "code,en,no,synonyms\nA,Same,,\nB,same,,\n").unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert_eq!(err.to_string(), "line 3: `same` already names code `A`");
        assert!(CodeList::parse("x", "en,no\nA,B\n").is_err());
    }

    #[test]
    fn keeps_extra_columns() {
        let list = CodeList::parse("t", "code,en,no,synonyms,formal\nIGA1,1-year,1-årig,,1\n").unwrap();
        assert_eq!(
            list.entry(0).and_then(|e| e.extra.get("formal")).map(String::as_str),
            Some("1")
        );
    }
}
