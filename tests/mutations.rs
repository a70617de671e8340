//! Property: whatever damage a file has — bytes flipped, cut short, a chunk repeated, the XML inside
//! its zip mutated — `vakt check`, `clean` and `audit` end in exit 0, 1 or 2, without a panic, an
//! abort or a hang, within a time and memory bound. The mutations come from proptest with a fixed
//! seed, so a failure is reproducible; `fuzz/` runs the same idea for hours (docs/limits.md).

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

const FIXTURES: &[&str] = &[
    "fixtures/returns/clean.xlsx",
    "fixtures/returns/messy.xlsx",
    "fixtures/returns/cross.xlsx",
    "fixtures/returns/clean.ods",
    "fixtures/returns/clean.xls",
    "fixtures/returns/HN-FIN/pasienter.csv",
];

#[derive(Debug, Clone)]
enum Damage {
    Flip(Vec<(usize, u8)>),
    Truncate(usize),
    Repeat(usize, usize),
    /// Flip bytes of one XML entry inside the zip package, then zip it again.
    Xml(usize, Vec<(usize, u8)>),
}

fn damage() -> impl Strategy<Value = Damage> {
    let flips = prop::collection::vec((any::<usize>(), 0u8..8), 1..6);
    prop_oneof![
        flips.clone().prop_map(Damage::Flip),
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), 1usize..600).prop_map(|(a, n)| Damage::Repeat(a, n)),
        (any::<usize>(), flips).prop_map(|(e, f)| Damage::Xml(e, f)),
    ]
}

fn flip(bytes: &mut [u8], flips: &[(usize, u8)]) {
    if bytes.is_empty() {
        return;
    }
    let n = bytes.len();
    for &(at, bit) in flips {
        bytes[at % n] ^= 1 << bit;
    }
}

/// Applies the damage; a zip whose entries cannot be read is damaged byte-wise instead.
fn apply(original: &[u8], d: &Damage) -> Vec<u8> {
    let mut b = original.to_vec();
    match d {
        Damage::Flip(f) => flip(&mut b, f),
        Damage::Truncate(at) => b.truncate(at % (b.len() + 1)),
        Damage::Repeat(at, n) => {
            let at = at % b.len();
            let chunk: Vec<u8> = b[at..(at + n).min(b.len())].to_vec();
            b.splice(at..at, chunk);
        }
        Damage::Xml(entry, f) => return mutate_zip(original, *entry, f).unwrap_or(b),
    }
    b
}

fn mutate_zip(original: &[u8], entry: usize, flips: &[(usize, u8)]) -> Option<Vec<u8>> {
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(original)).ok()?;
    let xml: Vec<usize> = (0..zin.len())
        .filter(|&i| {
            zin.by_index(i)
                .ok()
                .and_then(|e| e.name().ok().map(|n| n.ends_with(".xml")))
                .unwrap_or(false)
        })
        .collect();
    let target = *xml.get(entry % xml.len().max(1))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut e = zin.by_index(i).ok()?;
        let name = e.name().ok()?.to_string();
        let mut data = Vec::new();
        e.read_to_end(&mut data).ok()?;
        if i == target {
            flip(&mut data, flips);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).ok()?;
        out.write_all(&data).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

/// Runs vakt with a memory cap and a time bound; returns the exit code and standard error.
fn bounded(args: &[&std::ffi::OsStr], dir: &Path) -> (Option<i32>, String) {
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 3145728; exec \"$0\" \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("vakt"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).ok();
        s
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), reader.join().unwrap());
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            return (None, format!("hung: more than 60 s\n{}", reader.join().unwrap()));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn damaged_files_never_crash_check_clean_or_audit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    assert!(std::process::Command::new(assert_cmd::cargo::cargo_bin("vakt"))
        .args(["keygen", "--project", "p", "--out"])
        .arg(d.join("k.key"))
        .status()
        .unwrap()
        .success());
    let originals: Vec<(String, Vec<u8>)> = FIXTURES
        .iter()
        .map(|f| {
            let name = Path::new(f).file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(f).unwrap())
        })
        .collect();
    let config = Config {
        cases: 36,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let case = std::cell::Cell::new(0usize);
    let strategy = (0..originals.len(), damage());
    runner
        .run(&strategy, |(which, dmg)| {
            case.set(case.get() + 1);
            let case = case.get();
            let (name, bytes) = &originals[which];
            let file = d.join(format!("case{case}-{name}"));
            std::fs::write(&file, apply(bytes, &dmg)).unwrap();
            let out = d.join(format!("out{case}"));
            let commands: Vec<Vec<&std::ffi::OsStr>> = vec![
                vec!["check".as_ref(), file.as_os_str()],
                vec![
                    "clean".as_ref(),
                    file.as_os_str(),
                    "--key".as_ref(),
                    "k.key".as_ref(),
                    "--domain".as_ref(),
                    "d".as_ref(),
                    "--out".as_ref(),
                    out.as_os_str(),
                ],
                vec![
                    "audit".as_ref(),
                    file.as_os_str(),
                    "--time-limit".as_ref(),
                    "5".as_ref(),
                ],
            ];
            for args in commands {
                let (code, err) = bounded(&args, &d);
                prop_assert!(
                    matches!(code, Some(0..=2)) && !err.contains("panicked"),
                    "{:?} on {name} damaged by {dmg:?}: exit {code:?}\n{err}",
                    args[0]
                );
            }
            Ok(())
        })
        .unwrap();
}
