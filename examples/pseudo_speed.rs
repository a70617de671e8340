//! Pseudonymisation speed: `vakt-pseudo/v1` (HMAC-SHA256 under an HKDF-derived key) over 1M
//! fødselsnummer-like ids, side by side with a bare SHA-256 of the same ids (which vakt never
//! offers: it is reversible by enumeration) to show what the key costs.
//!
//! usage: cargo run --release --example pseudo_speed

use sha2::Digest;
use std::time::Instant;
use vakt::clean::pseudo::{Domain, Key};
use vakt::ident::{canonical, IdForm};

fn main() {
    const N: u64 = 1_000_000;
    let ids: Vec<String> = (0..N)
        .map(|i| format!("{:011}", 1_000_000_000 + i * 7919 % 90_000_000_000))
        .collect();
    let key = Key::from_bytes([0x42; 32], "bench");
    let Ok(domain) = Domain::parse("bench") else { return };
    let p = key.domain(&domain, "patient");

    let t = Instant::now();
    let mut check = 0usize;
    for id in &ids {
        let c = canonical(IdForm::NationalId, id);
        check += p.pseudonym(&c.text).len();
    }
    let keyed = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut check2 = 0usize;
    for id in &ids {
        check2 += sha2::Sha256::digest(id.as_bytes())[0] as usize;
    }
    let bare = t.elapsed().as_secs_f64();

    println!("| method | ids | seconds | ids/s | µs per id |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| vakt-pseudo/v1 (canonical form + HMAC-SHA256 + base32) | {N} | {keyed:.2} | {:.0} | {:.2} |",
        N as f64 / keyed,
        keyed * 1e6 / N as f64
    );
    println!(
        "| bare SHA-256 (not offered; for comparison) | {N} | {bare:.2} | {:.0} | {:.2} |",
        N as f64 / bare,
        bare * 1e6 / N as f64
    );
    eprintln!("({check} {check2})");
}
