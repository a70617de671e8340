//! Scrubbing text for the clean output: leaked identifiers replaced by typed tags.

use crate::check::keyhash::{KeyHash, KeyMap};
use crate::check::kinds::{Leak, Scanner};

/// The identifiers of one return, by the canonical form the leak check uses.
#[derive(Default)]
pub struct IdSet(KeyMap<()>);

fn canonical_hash(raw: &str) -> Option<u128> {
    let t = crate::value::text::trim(raw);
    if t.len() < 5 {
        return None;
    }
    let digits: String = t.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    let canon = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if digits.len() == 10 {
            format!("0{digits}")
        } else {
            digits
        }
    } else {
        crate::value::text::key(t)
    };
    Some(KeyHash::default().part(canon.as_bytes()).finish())
}

impl IdSet {
    pub fn insert(&mut self, raw: &str) {
        if let Some(h) = canonical_hash(raw) {
            self.0.insert(h, ());
        }
    }

    fn contains(&self, token: &str) -> bool {
        canonical_hash(token).is_some_and(|h| self.0.contains_key(&h))
    }
}

/// Replaces fødselsnummer, phone numbers and e-mail addresses with `[FNR]`, `[PHONE]`, `[EMAIL]`, and
/// tokens that are identifiers of the return with `[ID]`. Returns the text and the number of tags.
pub fn scrub(s: &str, scanner: &Scanner, ids: &IdSet) -> (String, u64) {
    let mut hits = scanner.scan(s);
    hits.sort_by_key(|(_, r)| r.start);
    let mut out = String::with_capacity(s.len());
    let mut tags = 0;
    let mut at = 0;
    for (kind, r) in hits {
        if r.start < at {
            continue;
        }
        out.push_str(&s[at..r.start]);
        out.push_str(match kind {
            Leak::Fnr => "[FNR]",
            Leak::Phone => "[PHONE]",
            Leak::Email => "[EMAIL]",
        });
        tags += 1;
        at = r.end;
    }
    out.push_str(&s[at..]);
    // Identifiers of the return, token by token.
    let mut result = String::with_capacity(out.len());
    let mut token = String::new();
    let flush = |token: &mut String, result: &mut String, tags: &mut u64| {
        if !token.is_empty() {
            if token.bytes().any(|b| b.is_ascii_digit()) && ids.contains(token) {
                result.push_str("[ID]");
                *tags += 1;
            } else {
                result.push_str(token);
            }
            token.clear();
        }
    };
    for c in out.chars() {
        if c.is_alphanumeric() || c == '-' {
            token.push(c);
        } else {
            flush(&mut token, &mut result, &mut tags);
            result.push(c);
        }
    }
    flush(&mut token, &mut result, &mut tags);
    (result, tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_replace_identifiers() {
        let s = Scanner::new();
        let mut ids = IdSet::default();
        ids.insert("EPJ-01000");
        let (t, n) = scrub(
            "Ring 912 34 567, mail kari@example.no, pas. 311299 56715 og EPJ-01000.",
            &s,
            &ids,
        );
        assert_eq!(t, "Ring [PHONE], mail [EMAIL], pas. [FNR] og [ID].");
        assert_eq!(n, 4);
        assert_eq!(scrub("Ny gruppe 2009", &s, &ids), ("Ny gruppe 2009".to_string(), 0));
    }
}
