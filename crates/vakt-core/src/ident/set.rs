//! The identifiers of a return, kept as hashes of their canonical forms, so free text can be
//! searched for them and messages can be masked without keeping the values themselves.

use super::{canonical, IdForm};
use crate::value::keyhash::{IdentityHasher, KeyHash};
use crate::value::text;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;

type HashSet64 = HashSet<u64, BuildHasherDefault<IdentityHasher>>;

/// Identifiers shorter than this, or without a digit, are not looked for in text: `G1` or `Anna`
/// would match ordinary words.
pub const MIN_ID_LEN: usize = 5;

/// The identifier values of one return (every table, every identifier column), and the whole
/// values of its other direct-identifier columns (names, e-mail addresses), as 64-bit hashes.
#[derive(Debug, Clone, Default)]
pub struct IdSet {
    forms: Vec<IdForm>,
    ids: HashSet64,
    values: HashSet64,
    /// Reused for the comparison key of each value (one per identifier cell: no allocation).
    scratch: String,
}

fn hash(s: &str) -> u64 {
    KeyHash::default().part(s.as_bytes()).finish() as u64
}

fn folded(form: IdForm, raw: &str) -> String {
    let mut t = canonical(form, raw).text;
    if t.is_ascii() {
        t.make_ascii_lowercase(); // in place: ids are nearly always ASCII
        t
    } else {
        t.to_lowercase()
    }
}

impl IdSet {
    /// An empty set for identifiers of the given forms.
    pub fn new(mut forms: Vec<IdForm>) -> IdSet {
        forms.sort_by_key(|f| f.name());
        forms.dedup();
        IdSet {
            forms,
            ids: HashSet64::default(),
            values: HashSet64::default(),
            scratch: String::new(),
        }
    }

    /// True when nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.values.is_empty()
    }

    /// Records an identifier value of an id column.
    pub fn insert(&mut self, form: IdForm, raw: &str) {
        let f = folded(form, raw);
        if f.chars().nth(MIN_ID_LEN - 1).is_some() && f.bytes().any(|b| b.is_ascii_digit()) {
            self.ids.insert(hash(&f));
        }
        self.insert_value(raw);
    }

    /// Records the whole value of a direct-identifier column (a name, an e-mail address).
    pub fn insert_value(&mut self, raw: &str) {
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        text::key_into(raw, &mut key);
        if key.chars().nth(2).is_some() {
            self.values.insert(hash(&key));
        }
        self.scratch = key;
    }

    /// Whether a token of text is one of the identifiers, in any of the forms.
    pub fn contains_token(&self, token: &str) -> bool {
        if token.len() < MIN_ID_LEN || !token.bytes().any(|b| b.is_ascii_digit()) {
            return false;
        }
        self.forms.iter().any(|&f| self.ids.contains(&hash(&folded(f, token))))
    }

    /// Whether a text is the whole value of some direct-identifier cell.
    pub fn contains_value(&self, s: &str) -> bool {
        !self.values.is_empty() && self.values.contains(&hash(&text::key(s)))
    }

    /// Number of distinct identifiers recorded.
    pub fn len(&self) -> usize {
        self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_in_any_spacing_and_case() {
        let mut s = IdSet::new(vec![IdForm::NationalId, IdForm::Digits { width: 9 }]);
        s.insert(IdForm::NationalId, "31 129 956 716");
        s.insert(IdForm::NationalId, "EPJ-12345");
        s.insert(IdForm::Digits { width: 9 }, "1234567");
        assert!(s.contains_token("31129956716"));
        assert!(s.contains_token("311299-56716"));
        assert!(s.contains_token("epj-12345"));
        assert!(s.contains_token("001234567"));
        assert!(s.contains_token("1234567"), "canonical under the hpr form");
        assert!(!s.contains_token("EPJ-1234"));
        assert!(!s.contains_token("G1"));
        assert_eq!(s.len(), 3);
    }
}
