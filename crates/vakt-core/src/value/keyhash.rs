//! Compact keys for everything that remembers values across rows (unique keys, relations, counts,
//! the identifiers of a return): a 128-bit hash of the folded key instead of the key text.
//!
//! Memory per key drops from about 100 bytes to about 40, and lookups skip SipHash: the key is
//! already a hash, so the map uses its low bits as they are. A false match needs two 64-bit lanes to
//! collide at once: odds near 1e-25 among ten million keys. Not a defence against crafted input, and
//! not meant to be; nothing secret is hashed here.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hash map keyed by [`KeyHash`] values, hashed by identity.
pub type KeyMap<V> = HashMap<u128, V, BuildHasherDefault<IdentityHasher>>;

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

impl KeyHash {
    /// Adds one part; parts are length-delimited, so `("ab", "c")` and `("a", "bc")` differ.
    pub fn part(&mut self, bytes: &[u8]) -> &mut Self {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            if let Some(head) = w.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            self.word(u64::from_le_bytes(w));
        }
        let len = bytes.len() as u64;
        self.a = fold(self.a ^ len ^ K3, K4);
        self.b = fold(self.b ^ len ^ K4, K3);
        self
    }

    /// Adds a part that is itself a key hash (a column's, see `check::keys`): fixed width, so no
    /// length is needed to delimit it.
    pub fn hashed(&mut self, part: u128) -> &mut Self {
        self.word(part as u64);
        self.word((part >> 64) as u64);
        self
    }

    fn word(&mut self, x: u64) {
        self.a = fold(self.a ^ x ^ K1, K2);
        self.b = fold(self.b ^ x.rotate_left(29) ^ K2, K1 ^ self.a);
    }

    /// The hash of the parts so far.
    pub fn finish(&self) -> u128 {
        let a = fold(self.a ^ K3, K1);
        let b = fold(self.b ^ K4, K2);
        (u128::from(a) << 64) | u128::from(b)
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
        // Only u128 keys are hashed through here; fold anything else rather than fail.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }

    fn write_u128(&mut self, v: u128) {
        self.0 = v as u64 ^ (v >> 64) as u64;
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

    fn h(parts: &[&str]) -> u128 {
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
    fn key_map_finds_inserted_keys_and_only_those() {
        let mut m: KeyMap<u32> = KeyMap::default();
        m.insert(h(&["x"]), 1);
        assert_eq!(m.get(&h(&["x"])), Some(&1));
        assert_eq!(m.get(&h(&["y"])), None);
    }
}
