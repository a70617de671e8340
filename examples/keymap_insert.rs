//! The cost of a keyed rule's map on its own: insert N distinct key hashes into a `KeyMap` with
//! the entry layout of the unique and consistency rules (a 128-bit key, two 32-bit numbers),
//! growing as the rules' maps grow and presized, each ROUNDS times; min / median / max.
//!
//! usage: cargo run --release --example keymap_insert -- [N] [ROUNDS]   (default 706300 7: the
//! patients of `bench/whole_return.sh`). Compare with the full pack run with and without a keyed
//! rule (docs/benchmarks.md, stop 34): what the rule costs beyond its map is the cache it shares.

use std::time::{Duration, Instant};
use vakt_core::value::keyhash::{KeyHash, KeyMap};

fn build(n: u32, presized: bool) -> (Duration, usize) {
    let start = Instant::now();
    let mut map: KeyMap<(u32, u32)> = KeyMap::default();
    if presized {
        map.reserve(n as usize);
    }
    for i in 0..n {
        let key = KeyHash::default().part(b"g1").part(&i.to_le_bytes()).finish();
        map.entry(key).or_insert((i, i));
    }
    (start.elapsed(), map.len())
}

fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1e3);
    format!(
        "{:.1} / {:.1} / {:.1} ms",
        ms(times.first()),
        ms(times.get(times.len() / 2)),
        ms(times.last())
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u32 = args.next().map_or(Ok(706_300), |a| a.parse())?;
    let rounds: usize = args.next().map_or(Ok(7), |a| a.parse())?;
    for presized in [false, true] {
        let mut times = Vec::new();
        for _ in 0..rounds.max(1) {
            let (t, len) = build(n, presized);
            if len != n as usize {
                return Err(format!("{len} keys in the map, {n} inserted").into());
            }
            times.push(t);
        }
        let how = if presized { "presized" } else { "growing" };
        println!("{n} keys, {how}: {} (min / median / max of {rounds})", summary(times));
    }
    Ok(())
}
