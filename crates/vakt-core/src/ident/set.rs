//! The identifiers of a return, kept as hashes of their canonical forms, so free text can be
//! searched for them and messages can be masked without keeping the values themselves.

use super::{canonical_into, IdForm};
use crate::value::keyhash::KeyHash;
use crate::value::text;

/// Hashes recorded before they are sorted into the run, at most, or as many as the run holds if
/// that is more: what repeats can hold is bounded (8 MiB, or the run's own size), a return of a
/// million identifiers is sorted once or twice, and a far larger one is merged into its run a
/// logarithmic number of times (each merge at least doubles the run).
const FRESH_MAX: usize = 1 << 20;

/// New hashes in each of a set's two lists past which [`IdSet::seal`] sorts the lists on two cores.
pub(crate) const PARALLEL_SEAL: usize = 1 << 16;

/// Hashes a bucket of [`sorted_distinct`]'s partition holds, on average: a bucket sorts in the cache.
const BUCKET_AIM: usize = 256;

/// A set of 64-bit hashes that takes one per identifier cell of a return and is asked rarely until
/// the return is read (then once per free-text token and finding): the hashes are appended as
/// they come, and sorted into one run when the return is read ([`SortedHashes::seal`]) or when
/// [`FRESH_MAX`] (or the run's size) are waiting. Recording is then sequential work instead of a
/// cache miss in a table of a million entries, and a hash is sorted once or twice instead of once
/// per level of a merge tree.
#[derive(Debug, Clone, Default)]
struct SortedHashes {
    /// Sorted, without repeats.
    run: Vec<u64>,
    /// Recorded since the last sort, in the order they came.
    fresh: Vec<u64>,
    /// Once sealed: where the hashes with each value of their top `bits` bits start in `run` (the
    /// hashes are uniform, so a few share each prefix). Empty for a small run.
    index: Vec<u32>,
    bits: u32,
    /// Whether `index` describes `run` as it is.
    indexed: bool,
}

impl SortedHashes {
    fn insert(&mut self, h: u64) {
        self.fresh.push(h);
        if self.fresh.len() >= FRESH_MAX.max(self.run.len()) {
            self.flush();
        }
    }

    /// Sorts the hashes recorded since the last sort into the run.
    fn flush(&mut self) {
        if self.fresh.is_empty() {
            return;
        }
        let fresh = sorted_distinct(std::mem::take(&mut self.fresh));
        self.run = if self.run.is_empty() {
            fresh
        } else {
            merge(&self.run, &fresh)
        };
        self.indexed = false;
    }

    /// Everything in the run, indexed by prefix: for the many questions asked once a return is
    /// read (a scan of every free-text cell), one short search each, and no scan of new hashes.
    fn seal(&mut self) {
        self.flush();
        if self.indexed {
            return;
        }
        self.indexed = true;
        self.index.clear();
        let run = &self.run;
        // About four hashes per prefix; no index for a small set, or one past u32 positions.
        let bits = (usize::BITS - run.len().leading_zeros()).saturating_sub(2).min(24);
        if bits < 4 || u32::try_from(run.len()).is_err() {
            return;
        }
        let mut index = Vec::with_capacity((1usize << bits) + 1);
        let mut at = 0usize;
        for prefix in 0..=(1u64 << bits) {
            while run.get(at).is_some_and(|&h| (h >> (64 - bits)) < prefix) {
                at += 1;
            }
            index.push(at as u32);
        }
        self.index = index;
        self.bits = bits;
    }

    fn contains(&self, h: u64) -> bool {
        let in_run = if self.indexed && !self.index.is_empty() {
            let prefix = (h >> (64 - self.bits)) as usize;
            let (Some(&from), Some(&to)) = (self.index.get(prefix), self.index.get(prefix + 1)) else {
                return false;
            };
            self.run.get(from as usize..to as usize).is_some_and(|r| r.contains(&h))
        } else {
            self.run.binary_search(&h).is_ok()
        };
        // Sealed, `fresh` is empty; before, a question scans what came since the last sort.
        in_run || self.fresh.contains(&h)
    }

    fn is_empty(&self) -> bool {
        self.fresh.is_empty() && self.run.is_empty()
    }

    /// Distinct hashes (one recorded since the last sort may be in the run already).
    fn len(&self) -> usize {
        let fresh = sorted_distinct(self.fresh.clone());
        let new = fresh.iter().filter(|h| self.run.binary_search(h).is_err()).count();
        self.run.len() + new
    }
}

/// `hashes` sorted, without repeats. They are partitioned by their top bits into buckets of about
/// [`BUCKET_AIM`] (uniform hashes spread evenly), and each bucket is sorted in the cache: one pass
/// over memory for what a sort of the whole would take a dozen.
fn sorted_distinct(mut hashes: Vec<u64>) -> Vec<u64> {
    let bits = (usize::BITS - (hashes.len() / BUCKET_AIM).leading_zeros()).min(16);
    if bits == 0 {
        hashes.sort_unstable();
        hashes.dedup();
        return hashes;
    }
    let shift = 64 - bits;
    // starts[b]: where bucket b starts in the output; starts[b + 1] its end.
    let mut starts = vec![0usize; (1 << bits) + 1];
    for &h in &hashes {
        if let Some(n) = starts.get_mut((h >> shift) as usize + 1) {
            *n += 1;
        }
    }
    let mut total = 0;
    for s in &mut starts {
        total += *s;
        *s = total;
    }
    let mut next = starts.clone();
    let mut out = vec![0u64; hashes.len()];
    for &h in &hashes {
        if let Some(at) = next.get_mut((h >> shift) as usize) {
            if let Some(slot) = out.get_mut(*at) {
                *slot = h;
            }
            *at += 1;
        }
    }
    for w in starts.windows(2) {
        if let &[from, to] = w {
            if let Some(bucket) = out.get_mut(from..to) {
                bucket.sort_unstable();
            }
        }
    }
    out.dedup();
    out
}

/// Two sorted runs, each without repeats, as one without repeats. A hash in both is taken once
/// (both runs step past it); no other repeat can arise, each run rising strictly, so no output
/// needs comparing with the one before.
fn merge(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len().saturating_add(b.len()));
    let (mut i, mut j) = (0, 0);
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        out.push(x.min(y));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    out.extend_from_slice(a.get(i..).unwrap_or_default());
    out.extend_from_slice(b.get(j..).unwrap_or_default());
    out
}

/// Identifiers shorter than this, or without a digit, are not looked for in text: `G1` or `Anna`
/// would match ordinary words.
pub const MIN_ID_LEN: usize = 5;

/// The identifier values of one return (every table, every identifier column), and the whole
/// values of its other direct-identifier columns (names, e-mail addresses), as 64-bit hashes.
#[derive(Debug, Clone, Default)]
pub struct IdSet {
    forms: Vec<IdForm>,
    ids: SortedHashes,
    values: SortedHashes,
    /// Reused for the comparison key of each value (one per identifier cell: no allocation).
    scratch: String,
}

fn hash(s: &str) -> u64 {
    KeyHash::default().part(s.as_bytes()).finish().low()
}

/// The hash an identifier is recorded and asked for by: of its canonical form, lower-cased; `None`
/// when that is shorter than [`MIN_ID_LEN`] or has no digit. Recording and asking both come here,
/// so they cannot hash a value two ways. A printable ASCII value that its form keeps as written
/// (any value of the text form, a local id such as `EPJ-01000` under the number forms) is
/// lower-cased as it is hashed; any other is made canonical in `scratch` (the one canonicaliser,
/// [`canonical_into`], into a string kept from id to id), not in new strings.
fn id_hash(form: IdForm, raw: &str, scratch: &mut String) -> Option<u64> {
    let t = text::trim(raw);
    if super::is_printable_ascii(t) && super::is_kept_as_written(form, t) {
        return is_searchable(t).then(|| ascii_lower_hash(t));
    }
    if is_own_canonical_number(form, t) {
        // Most national ids: eleven digits, already canonical and lower-case.
        return (t.len() >= MIN_ID_LEN).then(|| hash(t));
    }
    canonical_into(form, raw, scratch);
    if scratch.is_ascii() {
        scratch.make_ascii_lowercase(); // in place: ids are nearly always ASCII
    } else {
        *scratch = scratch.to_lowercase();
    }
    let f = scratch.as_str();
    let long = f.chars().nth(MIN_ID_LEN - 1).is_some() && f.bytes().any(|b| b.is_ascii_digit());
    long.then(|| hash(f))
}

/// Whether an identifier in its canonical form is looked for in text: long enough, with a digit.
fn is_searchable(t: &str) -> bool {
    t.len() >= MIN_ID_LEN && t.bytes().any(|b| b.is_ascii_digit())
}

/// The hash of printable ASCII `t` lower-cased, as it is read: [`id_hash`] of a value kept as
/// written, and [`value_hash`] of one without spaces.
fn ascii_lower_hash(t: &str) -> u64 {
    KeyHash::default().part_ascii_lower(t.as_bytes()).finish().low()
}

/// Whether `t`, all ASCII digits, is its own canonical form: under `national-id` unless it is
/// 10 digits (a zero is put back), under `digits` when it needs no padding.
fn is_own_canonical_number(form: IdForm, t: &str) -> bool {
    let own_length = match form {
        IdForm::NationalId => t.len() != 10,
        IdForm::Digits { width } => t.len() >= usize::from(width),
        IdForm::Text => false,
    };
    own_length && !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

/// The hash a whole value is recorded and asked for by: of its comparison key
/// ([`text::key_hash`]); `None` for a key of fewer than three characters.
fn value_hash(raw: &str, scratch: &mut String) -> Option<u64> {
    let (h, chars) = text::key_hash_len(raw, scratch);
    (chars >= 3).then(|| h.low())
}

impl IdSet {
    /// An empty set for identifiers of the given forms.
    pub fn new(mut forms: Vec<IdForm>) -> IdSet {
        forms.sort_by_key(|f| f.name());
        forms.dedup();
        IdSet {
            forms,
            ids: SortedHashes::default(),
            values: SortedHashes::default(),
            scratch: String::new(),
        }
    }

    /// True when nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.values.is_empty()
    }

    /// Records an identifier value of an id column.
    pub fn insert(&mut self, form: IdForm, raw: &str) {
        let t = text::trim(raw);
        if t.bytes().all(|b| b.is_ascii_graphic()) && super::is_kept_as_written(form, t) {
            // Most ids (`EPJ-01000`): visible ASCII kept as written, whose id hash and value
            // hash are one hash of the lower-cased bytes ([`id_hash`], [`value_hash`]), made once.
            let h = ascii_lower_hash(t);
            if is_searchable(t) {
                self.ids.insert(h);
            }
            // `value_hash`'s three characters: of ASCII, three bytes.
            if t.len() >= 3 {
                self.values.insert(h);
            }
            return;
        }
        if let Some(h) = id_hash(form, raw, &mut self.scratch) {
            self.ids.insert(h);
        }
        self.insert_value(raw);
    }

    /// Records the whole value of a direct-identifier column (a name, an e-mail address).
    pub fn insert_value(&mut self, raw: &str) {
        if let Some(h) = value_hash(raw, &mut self.scratch) {
            self.values.insert(h);
        }
    }

    /// Sorts what was recorded since the last call into the run and indexes it: call it before
    /// asking many questions (scrubbing every free-text cell), which are then short searches
    /// only. Asked unsealed, a set also scans every hash recorded since it was last sealed.
    ///
    /// The two lists are sorted on two cores when both are long: sealing comes once a return is
    /// read, when the other core has nothing else to do.
    pub fn seal(&mut self) {
        let (ids, values) = (&mut self.ids, &mut self.values);
        if ids.fresh.len().min(values.fresh.len()) < PARALLEL_SEAL || crate::par::cores() < 2 {
            ids.seal();
            values.seal();
            return;
        }
        // Not `par::map_heaviest_first_mut`: it answers a panicked item with `None` and goes on,
        // and a list whose seal panicked has lost its new hashes, so the set would miss
        // identifiers without saying so. A scope passes the panic on, and `check_path` reports
        // the input as unreadable (VK0001, failed) instead of checked.
        std::thread::scope(|s| {
            s.spawn(|| ids.seal());
            values.seal();
        });
    }

    /// Whether a token of text is one of the identifiers, in any of the forms.
    pub fn contains_token(&self, token: &str) -> bool {
        if !is_searchable(token) {
            return false;
        }
        let mut scratch = String::new();
        self.forms
            .iter()
            .any(|&f| id_hash(f, token, &mut scratch).is_some_and(|h| self.ids.contains(h)))
    }

    /// Whether a text is the whole value of some direct-identifier cell.
    pub fn contains_value(&self, s: &str) -> bool {
        !self.values.is_empty() && value_hash(s, &mut String::new()).is_some_and(|h| self.values.contains(h))
    }

    /// Number of distinct identifiers recorded.
    pub fn len(&self) -> usize {
        self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::canonical;

    /// [`id_hash`] with a scratch string that holds something already, as a kept one does.
    fn id(form: IdForm, raw: &str) -> Option<u64> {
        id_hash(form, raw, &mut String::from("left from the last id 99999"))
    }

    /// The canonical form lower-cased, made the long way.
    fn folded(form: IdForm, raw: &str) -> String {
        canonical(form, raw).text.to_lowercase()
    }

    /// An identifier cell is recorded under the hashes [`id_hash`] and [`value_hash`] give it,
    /// whichever way [`IdSet::insert`] gets there, and under no other.
    #[test]
    fn an_id_is_recorded_as_the_id_and_value_hashes_say() {
        let forms = [IdForm::Text, IdForm::NationalId, IdForm::Digits { width: 9 }];
        let raws = [
            "EPJ-01000",
            " epj-01000 ",
            "AB",
            "AB1",
            "ab-20417",
            "AB 20417",
            "Ola Nordmann",
            "31129956715",
            "311299 56715",
            "3112995671",
            "1234567",
            "12345",
            "1234",
            "Bodø-12345",
            "a\u{7}b-12345",
            "",
        ];
        for form in forms {
            for raw in raws {
                let mut set = IdSet::default();
                set.insert(form, raw);
                let want_id = id(form, raw);
                let want_value = value_hash(raw, &mut String::new());
                assert_eq!(set.ids.len(), usize::from(want_id.is_some()), "{form:?} {raw:?}");
                assert_eq!(set.values.len(), usize::from(want_value.is_some()), "{form:?} {raw:?}");
                assert!(want_id.is_none_or(|h| set.ids.contains(h)), "{form:?} {raw:?}");
                assert!(want_value.is_none_or(|h| set.values.contains(h)), "{form:?} {raw:?}");
            }
        }
    }

    /// Plain digits shorter than a `digits` form's width are hashed as their canonical form, the
    /// digits after zeros, written out here by hand, and as the canonical form made the long way
    /// ([`folded`]), whatever the kept scratch string held before.
    #[test]
    fn short_digits_under_a_width_hash_as_their_zero_padded_form() {
        let hpr = IdForm::Digits { width: 9 };
        let by_hand = [("2824691", "002824691"), ("1", "000000001"), ("12345678", "012345678")];
        for (raw, padded) in by_hand {
            assert_eq!(id(hpr, raw), Some(hash(padded)), "{raw}");
            assert_eq!(id(hpr, &format!(" {raw} ")), Some(hash(padded)), "{raw} with spaces");
            assert_eq!(id(hpr, raw), Some(hash(&folded(hpr, raw))), "{raw}");
        }
        // A width below the searchable length: never looked for, however it is written.
        assert_eq!(id(IdForm::Digits { width: 4 }, "12"), None);
        assert_eq!(hash(&folded(IdForm::Digits { width: 4 }, "12")), hash("0012"));
        // As long as the width, longer, or not all digits: each hashed as its canonical form.
        for raw in ["123456789", "1234567890", "12 345", "12a45"] {
            assert_eq!(id(hpr, raw), Some(hash(&folded(hpr, raw))), "{raw}");
        }
        assert_eq!(id(hpr, ""), None);
        // The widest form there is.
        let widest = IdForm::Digits { width: u8::MAX };
        let want = format!("{}7", "0".repeat(usize::from(u8::MAX) - 1));
        assert_eq!(id(widest, "7"), Some(hash(&want)));
    }

    /// The run against a hash set, through many sorts and merges: every hash inserted is found,
    /// at any moment (sorted into the run or not yet), and no other.
    #[test]
    fn runs_hold_exactly_what_was_inserted() {
        let mut runs = SortedHashes::default();
        let mut oracle = std::collections::HashSet::new();
        // A small generator of its own (xorshift), values drawn from a narrow range so they repeat.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % 60_000
        };
        for i in 0..100_000u32 {
            let h = next();
            runs.insert(h);
            oracle.insert(h);
            if i % 9_973 == 0 {
                for _ in 0..200 {
                    let q = next();
                    assert_eq!(runs.contains(q), oracle.contains(&q), "after {i} inserts: {q}");
                }
                assert_eq!(runs.len(), oracle.len(), "after {i} inserts");
                if i % 2 == 0 {
                    // As a full `fresh` is: merged into a run that holds some of its hashes.
                    runs.flush();
                }
                assert!(
                    runs.run.windows(2).all(|w| w[0] < w[1]),
                    "the run repeats a hash, after {i} inserts"
                );
            }
        }
        assert!(!runs.run.is_empty() && !runs.fresh.is_empty(), "both parts asked");
        for h in 0..60_000 {
            assert_eq!(runs.contains(h), oracle.contains(&h), "{h}");
        }
        assert_eq!(runs.len(), oracle.len());
        // Sealed: one run, searched through its prefix index; hashes spread over all 64 bits.
        let spread = |h: u64| h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut sealed = SortedHashes::default();
        for &h in &oracle {
            sealed.insert(spread(h));
        }
        sealed.seal();
        assert!(
            sealed.fresh.is_empty() && sealed.indexed && !sealed.index.is_empty(),
            "sealed into one indexed run"
        );
        assert_eq!(sealed.run.len(), oracle.len(), "the sealed run repeats no hash");
        for h in 0..120_000 {
            assert_eq!(sealed.contains(spread(h)), oracle.contains(&h), "sealed: {h}");
        }
        assert!(sealed.contains(spread(*oracle.iter().max().unwrap())));
        sealed.insert(spread(70_000));
        assert!(sealed.contains(spread(70_000)), "an insert after sealing is found");
        sealed.seal();
        assert!(sealed.contains(spread(70_000)) && sealed.contains(spread(*oracle.iter().min().unwrap())));
    }

    /// Hashes waiting to be sorted are bounded: the [`FRESH_MAX`]th is sorted into the run with
    /// the others, and the set still holds every one.
    #[test]
    fn a_full_list_of_new_hashes_is_sorted_into_the_run() {
        let spread = |h: u64| h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut runs = SortedHashes::default();
        for h in 0..(FRESH_MAX as u64 + 10) {
            runs.insert(spread(h));
        }
        assert_eq!((runs.run.len(), runs.fresh.len()), (FRESH_MAX, 10));
        for h in [0, 1, FRESH_MAX as u64 - 1, FRESH_MAX as u64, FRESH_MAX as u64 + 9] {
            assert!(runs.contains(spread(h)), "{h}");
        }
        assert!(!runs.contains(spread(FRESH_MAX as u64 + 10)));
        // Past that, a run's own size waits before a merge: each merge doubles the run.
        for h in (FRESH_MAX as u64 + 10)..(2 * FRESH_MAX as u64 + 10) {
            runs.insert(spread(h));
        }
        assert_eq!((runs.run.len(), runs.fresh.len()), (2 * FRESH_MAX, 10));
    }

    /// A set long enough to be sealed on two cores holds what it did before, both lists.
    #[test]
    fn a_long_set_sealed_on_two_cores_finds_every_identifier() {
        let mut s = IdSet::new(vec![IdForm::Text]);
        let id = |i: usize| format!("EPJ-{i:06}");
        for i in 0..PARALLEL_SEAL + 100 {
            s.insert(IdForm::Text, &id(i));
        }
        s.seal();
        assert!(s.ids.fresh.is_empty() && s.values.fresh.is_empty() && s.ids.indexed && s.values.indexed);
        for i in (0..PARALLEL_SEAL + 100).step_by(97) {
            assert!(s.contains_token(&id(i)) && s.contains_value(&id(i)), "{i}");
        }
        assert!(!s.contains_token(&id(PARALLEL_SEAL + 100)) && !s.contains_value(&id(PARALLEL_SEAL + 100)));
        assert_eq!(s.len(), PARALLEL_SEAL + 100);
    }

    /// [`sorted_distinct`] against a sort of the whole: sizes around its buckets' and hashes
    /// spread over 64 bits, crowded in the low bits (one bucket), repeated and falling.
    #[test]
    fn sorted_distinct_sorts_and_drops_repeats() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for n in [0usize, 1, 2, 255, 256, 257, 511, 512, 513, 5_000, 70_000] {
            let spread: Vec<u64> = (0..n).map(|_| next()).collect();
            let low: Vec<u64> = spread.iter().map(|h| h % 1_000).collect();
            let repeated: Vec<u64> = spread.iter().map(|h| spread[(*h % 7) as usize % n]).collect();
            let falling: Vec<u64> = (0..n as u64).rev().map(|i| i << 40).collect();
            for hashes in [spread, low, repeated, falling] {
                let oracle: Vec<u64> = hashes
                    .iter()
                    .copied()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                assert_eq!(sorted_distinct(hashes), oracle, "{n} hashes");
            }
        }
    }

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

    /// What goes in by the way an identifier cell is recorded comes out by the way a question is
    /// asked (which folds and hashes each token the long way): 20,000 composed values, text form
    /// and national form, ASCII and not, with and without digits, spaces and capitals.
    #[test]
    fn every_recorded_identifier_is_found_by_a_question() {
        let pieces = [
            "", "EPJ", "-", "0", "12345", "ab", "Ø", " ", "\u{a0}", "x9", "ÅSE", "\u{200b}", "Ola", "7", "\u{7}",
        ];
        // Numbers of every length around the forms' own (10 and 11 digits, width 9), with
        // spaces and without, that the short way hashes as they are.
        for n in 1..=13 {
            for digits in ["3112995671512", "0000000000007"] {
                let d = &digits[..n];
                for raw in [
                    d.to_string(),
                    format!(" {d}\u{a0}"),
                    format!("{}-{}", &d[..n / 2], &d[n / 2..]),
                ] {
                    for form in [IdForm::NationalId, IdForm::Digits { width: 9 }, IdForm::Text] {
                        let folded_id = canonical(form, &raw).text.to_lowercase();
                        let qualifies = folded_id.chars().count() >= MIN_ID_LEN;
                        assert_eq!(id(form, &raw), qualifies.then(|| hash(&folded_id)), "{raw:?} {form:?}");
                    }
                }
            }
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut r = seed;
            let mut raw = String::new();
            for _ in 0..(r % 6) {
                r /= 6;
                raw.push_str(pieces[(r % pieces.len() as u64) as usize]);
                r /= pieces.len() as u64;
            }
            let form = [IdForm::Text, IdForm::NationalId, IdForm::Digits { width: 9 }][(r % 3) as usize];
            let mut set = IdSet::new(vec![form]);
            set.insert(form, &raw);
            let token = text::trim(&raw);
            let qualifies = |f: &str| f.chars().count() >= MIN_ID_LEN && f.bytes().any(|b| b.is_ascii_digit());
            let folded_token = canonical(form, token).text.to_lowercase();
            if qualifies(&folded_token) {
                // Recorded under the hash of the long way, not only under what a question asks.
                assert!(
                    set.ids.contains(hash(&folded_token)),
                    "{raw:?} ({form:?}) recorded another way"
                );
                // A token shorter than an id is not asked about (`1234` is any number), even
                // where its canonical form (`000001234`) is long enough.
                let asked = token.len() >= MIN_ID_LEN;
                assert_eq!(set.contains_token(token), asked, "{raw:?} ({form:?}) as a token");
            }
            assert_eq!(set.len(), usize::from(qualifies(&folded_token)), "{raw:?} ({form:?})");
            let key = text::key(&raw);
            let whole = key.chars().count() >= 3;
            assert_eq!(set.contains_value(&raw), whole, "{raw:?} as a whole value");
            assert_eq!(set.values.contains(hash(&key)), whole, "{raw:?} recorded another way");
        }
    }
}
