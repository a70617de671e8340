//! A small seeded generator for the tests that build random inputs (xorshift64): the same inputs
//! on every run, and no dependency for it.

/// A generator from `seed` (not zero): each call gives a number below its argument (not zero).
#[allow(clippy::arithmetic_side_effects, reason = "tests may panic")]
pub(crate) fn below(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut x = seed;
    move |n| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    }
}
