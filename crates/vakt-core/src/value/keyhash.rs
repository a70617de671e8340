//! Compact keys for everything that remembers values across rows (unique keys, relations, counts,
//! the identifiers of a return): a 128-bit hash of the folded key instead of the key text.
//!
//! Memory per key drops from about 100 bytes to about 40, and lookups skip SipHash: the key is
//! already a hash, so the map uses its low bits as they are. A false match needs two 64-bit lanes to
//! collide at once: odds near 1e-25 among ten million keys. Not a defence against crafted input, and
//! not meant to be; nothing secret is hashed here.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hash map keyed by [`Key128`] values, hashed by identity.
pub type KeyMap<V> = HashMap<Key128, V, BuildHasherDefault<IdentityHasher>>;

/// A 128-bit key hash, kept as two 64-bit lanes (high, low).
///
/// A `u128` is 16-byte aligned, so a map entry of one and a 32-bit row took 32 bytes; two lanes
/// are 8-byte aligned, and the same entry takes 24. A million keys of a return are a million such
/// entries per keyed rule. Ordered as the `u128` it stands for.
///
/// ```
/// use vakt_core::value::keyhash::{Key128, KeyHash};
/// let k: Key128 = KeyHash::default().part(b"g1").finish();
/// assert_eq!(std::mem::size_of::<(Key128, u32)>(), 24);
/// assert_eq!(Key128::from(k.as_u128()), k);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Key128([u64; 2]);

impl Key128 {
    /// The key as one 128-bit number.
    pub fn as_u128(self) -> u128 {
        (u128::from(self.0[0]) << 64) | u128::from(self.0[1])
    }

    /// The low 64 bits: a 64-bit hash of the same parts, where 64 bits are enough.
    pub fn low(self) -> u64 {
        self.0[1]
    }
}

impl From<u128> for Key128 {
    fn from(v: u128) -> Self {
        Key128([(v >> 64) as u64, v as u64])
    }
}

impl std::hash::Hash for Key128 {
    // Both lanes are already a hash: their fold is the map's hash, as a `u128` key's was.
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0[0] ^ self.0[1]);
    }
}

/// Builds a 128-bit key hash from parts (wyhash-style multiply-fold on two lanes).
#[derive(Debug, Clone, Copy)]
pub struct KeyHash {
    a: u64,
    b: u64,
}

const K1: u64 = 0xa076_1d64_78bd_642f;
const K2: u64 = 0xe703_7ed1_a0b4_28db;
const K3: u64 = 0x8ebc_6af0_9c88_c6e3;
const K4: u64 = 0x5899_65cc_7537_4cc3;

fn fold(x: u64, k: u64) -> u64 {
    // A 64×64-bit product fits in 128 bits: it cannot wrap.
    let m = u128::from(x).wrapping_mul(u128::from(k));
    (m as u64) ^ ((m >> 64) as u64)
}

impl Default for KeyHash {
    fn default() -> Self {
        KeyHash {
            a: 0x243f_6a88_85a3_08d3,
            b: 0x1319_8a2e_0370_7344,
        }
    }
}

// `part` and `part_ascii_lower` are `#[inline]`: called from another codegen unit, the hash
// state went back to the caller through memory, and `finish` read its two words back with one
// 16-byte load, which had to wait for the two 8-byte stores (the instruction after the call held
// 4 % of a whole return's samples). Inlined: the 1.1M-row return 0.99 → 0.93 s, stop 43.
impl KeyHash {
    /// Adds one part; parts are length-delimited, so `("ab", "c")` and `("a", "bc")` differ.
    #[inline]
    pub fn part(&mut self, bytes: &[u8]) -> &mut Self {
        self.part_of_words(bytes, |w| w)
    }

    /// Adds `bytes` with their ASCII capitals lower-cased: the same as [`KeyHash::part`] of
    /// `bytes.to_ascii_lowercase()`, without copying them first (a key of plain ASCII is hashed as
    /// it is read; see [`crate::value::text::key_hash`]).
    ///
    /// ```
    /// use vakt_core::value::keyhash::KeyHash;
    /// let a = KeyHash::default().part_ascii_lower(b"STO-G001").finish();
    /// assert_eq!(a, KeyHash::default().part(b"sto-g001").finish());
    /// ```
    #[inline]
    pub fn part_ascii_lower(&mut self, bytes: &[u8]) -> &mut Self {
        self.part_of_words(bytes, lower_word)
    }

    /// Adds `bytes` as little-endian words, each passed through `each` (the one place a part's
    /// words, tail and length are hashed).
    #[inline(always)]
    fn part_of_words(&mut self, bytes: &[u8], each: impl Fn(u64) -> u64) -> &mut Self {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(each(u64::from_le_bytes(w)));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            self.word(each(tail_word(rest)));
        }
        let len = bytes.len() as u64;
        self.a = fold(self.a ^ len ^ K3, K4);
        self.b = fold(self.b ^ len ^ K4, K3);
        self
    }

    /// Adds a part that is itself a key hash (a column's, see `check::keys`): fixed width, so no
    /// length is needed to delimit it.
    pub fn hashed(&mut self, part: Key128) -> &mut Self {
        self.word(part.0[1]);
        self.word(part.0[0]);
        self
    }

    /// Adds a fixed-width number (a length, a count): one word, no length needed to delimit it.
    pub fn number(&mut self, n: u64) -> &mut Self {
        self.word(n);
        self
    }

    fn word(&mut self, x: u64) {
        self.a = fold(self.a ^ x ^ K1, K2);
        self.b = fold(self.b ^ x.rotate_left(29) ^ K2, K1 ^ self.a);
    }

    /// The hash of the parts so far.
    pub fn finish(&self) -> Key128 {
        let a = fold(self.a ^ K3, K1);
        let b = fold(self.b ^ K4, K2);
        Key128([a, b])
    }
}

/// The eight bytes of `w` with each ASCII capital lower-cased and every other byte (digits,
/// punctuation, bytes of 0x80 and up) as it is, in a few word operations instead of eight byte
/// operations. Each byte's low seven bits plus a constant stays below 0x100, so no carry crosses
/// into the next byte: the high bit of `ge_a` says the byte is at least `A`, of `gt_z` that it is
/// past `Z`.
fn lower_word(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TO_A: u64 = (0x80 - b'A' as u64) * ONES;
    const PAST_Z: u64 = (0x7f - b'Z' as u64) * ONES;
    let low7 = w & (0x7f * ONES);
    // Neither sum can overflow: the top byte stays below 0x100 as every byte does.
    let ge_a = low7.wrapping_add(TO_A);
    let gt_z = low7.wrapping_add(PAST_Z);
    let capital = ge_a & !gt_z & !w & (0x80 * ONES);
    // 0x80 >> 2 is 0x20, the bit that tells `a` from `A`.
    w | (capital >> 2)
}

/// The last 1 to 7 bytes of a part as a little-endian word padded with zeros: the value that
/// copying them into a zeroed `[u8; 8]` gives, without the copy. A copy of a few bytes followed by
/// a word load of the same memory stalls the load until the copy retires (perf: three quarters of
/// the row hash's time); two overlapping loads of the bytes themselves do not.
fn tail_word(rest: &[u8]) -> u64 {
    let n = rest.len();
    match (rest.first_chunk::<4>(), rest.last_chunk::<4>()) {
        (Some(&lo), Some(&hi)) => {
            // The two loads overlap on equal bytes, so or-ing them keeps each byte in its place.
            let shift = (n.saturating_sub(4) as u32).saturating_mul(8);
            let hi = u64::from(u32::from_le_bytes(hi)).checked_shl(shift).unwrap_or(0);
            u64::from(u32::from_le_bytes(lo)) | hi
        }
        _ => rest.iter().enumerate().fold(0, |w, (i, &b)| {
            w | u64::from(b).checked_shl((i as u32).saturating_mul(8)).unwrap_or(0)
        }),
    }
}

/// Passes a [`KeyHash`] through as the map's hash.
#[derive(Default)]
pub struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only key hashes are hashed through here; fold anything else rather than fail.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A map keyed by text, hashed with [`KeyHash`] instead of SipHash: for tables built from the
/// pack (code lists) and asked once per cell, where SipHash's defence against crafted keys buys
/// nothing (nothing from the input is inserted).
pub type TextMap<V> = HashMap<String, V, BuildHasherDefault<TextHasher>>;

/// Hashes the bytes written to it by one multiply-fold a word (see [`TextMap`]): a code is a
/// word or two, where a [`KeyHash`] part would cost two lanes and a length fold.
#[derive(Default)]
pub struct TextHasher(u64);

impl Hasher for TextHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = fold(self.0 ^ u64::from_le_bytes(w) ^ K1, K2);
        }
        let rest = chunks.remainder();
        // The length keeps `ab` and `ab\0` apart.
        let last = if rest.is_empty() { 0 } else { tail_word(rest) };
        self.0 = fold(self.0 ^ last ^ K3, K4 ^ bytes.len() as u64);
    }

    fn write_u8(&mut self, b: u8) {
        self.0 = fold(self.0 ^ u64::from(b) ^ K3, K1);
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

    fn h(parts: &[&str]) -> Key128 {
        let mut k = KeyHash::default();
        for p in parts {
            k.part(p.as_bytes());
        }
        k.finish()
    }

    #[test]
    fn parts_are_delimited_and_order_matters() {
        assert_ne!(h(&["ab", "c"]), h(&["a", "bc"]));
        assert_ne!(h(&["a", "b"]), h(&["b", "a"]));
        assert_ne!(h(&["", ""]), h(&[""]));
        assert_eq!(h(&["g1", "31129956715"]), h(&["g1", "31129956715"]));
    }

    #[test]
    fn no_collisions_among_a_million_similar_keys() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..1_000_000u32 {
            assert!(seen.insert(h(&["g1", &format!("EPJ-{i:09}")])), "collision at {i}");
        }
    }

    #[test]
    fn a_part_lower_cased_on_the_fly_is_the_part_of_the_lower_cased_bytes() {
        // Every byte value in every position of words and tails: the oracle is std's own
        // `to_ascii_lowercase`, byte by byte.
        let mut bytes: Vec<u8> = (0..=255u8).collect();
        bytes.extend((0..=255u8).rev());
        for len in 0..=bytes.len() {
            for start in [0, 1, 3, 7] {
                let Some(b) = bytes.get(start..(start + len).min(bytes.len())) else {
                    continue;
                };
                let lower = b.to_ascii_lowercase();
                assert_eq!(
                    KeyHash::default().part_ascii_lower(b).finish(),
                    KeyHash::default().part(&lower).finish(),
                    "bytes {b:?}"
                );
            }
        }
        for byte in 0..=255u8 {
            let w = u64::from_le_bytes([byte; 8]);
            assert_eq!(
                lower_word(w),
                u64::from_le_bytes([byte.to_ascii_lowercase(); 8]),
                "{byte:#x}"
            );
        }
    }

    #[test]
    fn a_tail_is_the_word_its_bytes_padded_with_zeros_make() {
        let bytes: Vec<u8> = (0u8..16).map(|i| i.wrapping_mul(37).wrapping_add(0x91)).collect();
        for n in 1..8 {
            for start in 0..8 {
                let rest = &bytes[start..start + n];
                let mut padded = [0u8; 8];
                padded[..n].copy_from_slice(rest);
                assert_eq!(tail_word(rest), u64::from_le_bytes(padded), "{n} bytes from {start}");
            }
        }
        // A hash known before the tail was read another way: the same parts, the same key.
        assert_eq!(
            h(&["g1", "31129956715"]).as_u128(),
            0x7036_42c3_d2b5_a6d5_596d_f79f_1059_fc3f
        );
    }

    #[test]
    fn key_map_finds_inserted_keys_and_only_those() {
        let mut m: KeyMap<u32> = KeyMap::default();
        m.insert(h(&["x"]), 1);
        assert_eq!(m.get(&h(&["x"])), Some(&1));
        assert_eq!(m.get(&h(&["y"])), None);
    }

    /// A text map finds every key put in and no other, over keys of every length around a word
    /// (the tail and the length are both hashed), and spreads them: no hash is shared.
    #[test]
    fn a_text_map_holds_exactly_its_keys() {
        let key = |i: usize| format!("{}{i}", "k".repeat(i % 19));
        let mut m: TextMap<usize> = TextMap::default();
        for i in 0..5_000 {
            m.insert(key(i), i);
        }
        for i in 0..5_000 {
            assert_eq!(m.get(&key(i)), Some(&i), "{}", key(i));
            assert_eq!(m.get(&format!("{}\0", key(i))), None);
        }
        assert_eq!(m.get(""), None);
        let hash = |s: &str| {
            let mut t = TextHasher::default();
            t.write(s.as_bytes());
            t.finish()
        };
        let hashes: std::collections::HashSet<u64> = (0..5_000).map(|i| hash(&key(i))).collect();
        assert_eq!(hashes.len(), 5_000);
        assert_ne!(hash("ab"), hash("ab\0"));
        assert_ne!(hash("abcdefgh"), hash("abcdefgh\0"));
    }
}
