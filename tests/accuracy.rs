//! The accuracy harness: synthetic national sets from `vakt-synth` (issue 3), checked by vakt.
//!
//! - the truth tables reproduce every number the paper reports;
//! - a clean set gives no error;
//! - a seeded set: every seeded defect is found at its recorded cell with its expected severity
//!   (recall), and no error is reported anywhere else (false errors), for several seeds.
//!
//! Defect kinds whose rule kinds are not built yet are listed in `EXPECTED_MISSING`, the one place
//! that says so: the test asserts they are still missed, so the list must shrink as rules land.

mod common;

use common::files_under;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use vakt::check::{engine, Plan, Registry};
use vakt::pack::Pack;
use vakt_synth::{generate, Options};

/// Defect kinds no rule kind detects yet. Empty since the cross-sheet, ICD-10, identifier and leak
/// kinds landed (issue 4); a new defect kind without a rule goes here until its rule exists.
const EXPECTED_MISSING: &[&str] = &[];

const SEEDS: &[u64] = &[1, 2, 3];

fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn count_by(rows: &[HashMap<String, String>], col: &str) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in rows {
        *m.entry(r[col].clone()).or_insert(0) += 1;
    }
    m
}

fn modal(counts: &BTreeMap<String, usize>) -> &str {
    counts
        .iter()
        .max_by_key(|(k, v)| (**v, std::cmp::Reverse((*k).clone())))
        .map(|(k, _)| k.as_str())
        .unwrap()
}

#[test]
fn truth_reproduces_the_paper() {
    let dir = tempfile::tempdir().unwrap();
    generate(
        dir.path(),
        &Options {
            seed: 1,
            clean: true,
            scale: 1,
        },
    )
    .unwrap();
    let truth = dir.path().join("truth");
    let groups = read_csv(&truth.join("groups.csv"));
    let patients = read_csv(&truth.join("patients.csv"));
    let therapists = read_csv(&truth.join("therapists.csv"));

    assert_eq!(groups.len(), 426);
    let settings = count_by(&groups, "setting");
    assert_eq!((settings["DPS"], settings["HOSP"]), (296, 130));
    let types = count_by(&groups, "group_type");
    let rank = ["PSYDYN", "CBT", "PSYEDU", "SKILLS", "ART"];
    for w in rank.windows(2) {
        assert!(types[w[0]] > types[w[1]], "{} must outnumber {}: {types:?}", w[0], w[1]);
    }
    for rest in ["MIXED", "SUPP", "BODY", "OTHER"] {
        assert!(types["ART"] > types[rest], "ART must outnumber {rest}");
    }

    assert_eq!(patients.len(), 2391);
    assert!(
        patients.iter().all(|p| !p["main_dx"].is_empty()),
        "every patient has a main diagnosis"
    );
    let dx = count_by(&patients, "dx_group");
    assert_eq!((dx["DEP"], dx["PD"], dx["PSY"], dx["SOC"]), (517, 396, 313, 249));
    assert_eq!(2391 - 517 - 396 - 313 - 249, 916);
    // The dx_group column agrees with the ICD-10 code list.
    let icd: HashMap<String, String> = read_csv(Path::new("rules/icd10-chapter-v.csv"))
        .into_iter()
        .map(|r| (r["code"].clone(), r["dx_group"].clone()))
        .collect();
    assert!(patients.iter().all(|p| icd.get(&p["main_dx"]) == Some(&p["dx_group"])));

    // Diagnosis by type: depression and personality disorder mostly in psychodynamic groups,
    // psychosis and bipolar mostly in psycho-educative groups, CBT across several diagnoses.
    let type_of: HashMap<(String, String), String> = groups
        .iter()
        .map(|g| {
            (
                (g["authority_code"].clone(), g["group_id"].clone()),
                g["group_type"].clone(),
            )
        })
        .collect();
    let by_dx = |d: &str| {
        let rows: Vec<HashMap<String, String>> = patients
            .iter()
            .filter(|p| p["dx_group"] == d)
            .map(|p| {
                HashMap::from([(
                    "t".to_string(),
                    type_of[&(p["authority_code"].clone(), p["group_id"].clone())].clone(),
                )])
            })
            .collect();
        count_by(&rows, "t")
    };
    assert_eq!(modal(&by_dx("DEP")), "PSYDYN");
    assert_eq!(modal(&by_dx("PD")), "PSYDYN");
    assert_eq!(modal(&by_dx("PSY")), "PSYEDU");
    assert_eq!(modal(&by_dx("BIP")), "PSYEDU");
    let cbt_dx: HashSet<&str> = patients
        .iter()
        .filter(|p| type_of[&(p["authority_code"].clone(), p["group_id"].clone())] == "CBT")
        .map(|p| p["dx_group"].as_str())
        .collect();
    assert!(cbt_dx.len() >= 5, "CBT groups span several diagnoses: {cbt_dx:?}");

    // Structure: weekly 90-minute sessions are the modes; duration is bimodal.
    assert_eq!(modal(&count_by(&groups, "frequency")), "W");
    assert_eq!(modal(&count_by(&groups, "session_minutes")), "90");
    let dur = count_by(&groups, "duration_cat");
    assert!(dur["LT6"] > dur["M6_12"] && dur["GT12"] > dur["M6_12"], "{dur:?}");

    // Therapists: nurses the largest profession; about half with formal group training.
    assert_eq!(modal(&count_by(&therapists, "profession")), "NURSE");
    let formal_levels = ["IGA1", "IGA3_NPF", "IGA5", "OTHER_FORMAL"];
    let formal = therapists
        .iter()
        .filter(|t| formal_levels.contains(&t["gt_training"].as_str()))
        .count() as f64;
    let share = formal / therapists.len() as f64;
    assert!((0.45..=0.55).contains(&share), "formal training share {share}");
}

#[test]
fn same_seed_same_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    generate(
        a.path(),
        &Options {
            seed: 9,
            clean: false,
            scale: 1,
        },
    )
    .unwrap();
    generate(
        b.path(),
        &Options {
            seed: 9,
            clean: false,
            scale: 1,
        },
    )
    .unwrap();
    generate(
        c.path(),
        &Options {
            seed: 10,
            clean: false,
            scale: 1,
        },
    )
    .unwrap();
    let (fa, fb, fc) = (files_under(a.path()), files_under(b.path()), files_under(c.path()));
    assert!(fa.len() > 30, "{} files", fa.len());
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(fb[k] == *v, "{k} differs between two runs with one seed");
    }
    assert_ne!(fa["defects.json"], fc["defects.json"], "another seed, other defects");
}

#[test]
fn returns_come_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    generate(
        dir.path(),
        &Options {
            seed: 1,
            clean: true,
            scale: 1,
        },
    )
    .unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path().join("returns"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 23, "25 authorities, two without groups: {names:?}");
    assert!(names.iter().filter(|n| n.ends_with(".xlsx")).count() >= 15);
    assert_eq!(names.iter().filter(|n| n.ends_with(".ods")).count(), 1);
    assert!(names.contains(&"HN-FIN".to_string()), "Finnmark sends a CSV folder");
    let fin = std::fs::read(dir.path().join("returns/HN-FIN/pasienter.csv")).unwrap();
    assert!(
        std::str::from_utf8(&fin).is_err() || fin.is_ascii(),
        "Windows-1252, not UTF-8"
    );
}

struct Score {
    defects: usize,
    found: usize,
    missed: Vec<String>,
    expected_missing_found: Vec<String>,
    false_errors: Vec<String>,
}

fn score(seed: u64) -> Score {
    let dir = tempfile::tempdir().unwrap();
    generate(
        dir.path(),
        &Options {
            seed,
            clean: false,
            scale: 1,
        },
    )
    .unwrap();
    let base = dir.path().display().to_string();
    let registry = Registry::builtin();
    let plan = Plan::new(Pack::embedded().unwrap(), registry).unwrap();
    let mut findings = Vec::new();
    let mut returns: Vec<_> = std::fs::read_dir(dir.path().join("returns"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    returns.sort();
    for r in returns {
        let (_, result) = engine::check_path(&plan, r.to_str().unwrap());
        assert!(!result.failed, "{} could not be read", r.display());
        findings.extend(result.findings);
    }
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("defects.json")).unwrap()).unwrap();
    let defects = doc["defects"].as_array().unwrap();
    type Loc = (String, Option<String>, Option<u64>, Option<String>);
    let loc_of = |v: &serde_json::Value| -> Loc {
        (
            format!("{base}/{}", v["file"].as_str().unwrap()),
            v["sheet"].as_str().map(str::to_string),
            v["row"].as_u64(),
            v["column"].as_str().map(str::to_string),
        )
    };
    let mut allowed: HashSet<Loc> = HashSet::new();
    let mut s = Score {
        defects: defects.len(),
        found: 0,
        missed: Vec::new(),
        expected_missing_found: Vec::new(),
        false_errors: Vec::new(),
    };
    for d in defects {
        let (file, sheet, row, column) = loc_of(d);
        allowed.insert((file.clone(), sheet.clone(), row, column.clone()));
        allowed.insert((file.clone(), sheet.clone(), row, None));
        for rel in d["related"].as_array().unwrap() {
            allowed.insert(loc_of(rel));
        }
        let hits: Vec<&vakt::finding::Finding> = findings
            .iter()
            .filter(|f| f.location.file == file && f.location.sheet == sheet && f.location.row == row)
            .filter(|f| column.is_none() || f.location.column == column || f.location.column.is_none())
            .collect();
        let severity = d["severity"].as_str().unwrap();
        let code = d["code"].as_str();
        let ok = if severity == "none" {
            !hits.iter().any(|f| f.severity >= vakt::finding::Severity::Warning)
        } else {
            // The finding the defect calls for: its severity and its code, both from the kind's
            // entry in the generator's table (written from the spec, not asked of vakt).
            hits.iter()
                .any(|f| f.severity.as_str() == severity && Some(f.code.as_str()) == code)
        };
        let kind = d["kind"].as_str().unwrap();
        let what = format!(
            "{kind} ({severity} {code:?}) at {} {:?} row {:?} {:?}: `{}` → {:?}",
            d["file"],
            sheet,
            row,
            column,
            d["written"].as_str().unwrap_or(""),
            hits.iter().map(|f| (f.code.clone(), f.severity)).collect::<Vec<_>>()
        );
        match (ok, EXPECTED_MISSING.contains(&kind)) {
            (true, false) => s.found += 1,
            (false, false) => s.missed.push(what),
            (true, true) if severity != "none" => s.expected_missing_found.push(what),
            (true, true) => s.found += 1,
            (false, true) => {}
        }
    }
    for f in findings.iter().filter(|f| f.severity == vakt::finding::Severity::Error) {
        let l = &f.location;
        let here = (l.file.clone(), l.sheet.clone(), l.row, l.column.clone());
        let row_level = (l.file.clone(), l.sheet.clone(), l.row, None);
        if !allowed.contains(&here) && !allowed.contains(&row_level) {
            s.false_errors.push(format!(
                "{} {} {:?} row {:?} {:?}: {}",
                f.code, l.file, l.sheet, l.row, l.column, f.message
            ));
        }
    }
    s
}

#[test]
fn seeded_defects_are_found_at_their_cells_and_nothing_else_is_an_error() {
    let mut report = Vec::new();
    for &seed in SEEDS {
        let s = score(seed);
        let expected = s.defects - s.defects_expected_missing();
        report.push(format!(
            "seed {seed}: {} defects, {} expected-missing, recall {}/{} ({:.1} %), false errors {}",
            s.defects,
            s.defects_expected_missing(),
            s.found,
            expected,
            100.0 * s.found as f64 / expected.max(1) as f64,
            s.false_errors.len()
        ));
        assert!(
            s.missed.is_empty(),
            "seed {seed}: missed defects:\n{}",
            s.missed.join("\n")
        );
        assert!(
            s.false_errors.is_empty(),
            "seed {seed}: false errors:\n{}",
            s.false_errors.join("\n")
        );
        assert!(
            s.expected_missing_found.is_empty(),
            "seed {seed}: now detected, remove from EXPECTED_MISSING:\n{}",
            s.expected_missing_found.join("\n")
        );
    }
    println!("{}", report.join("\n"));
}

impl Score {
    fn defects_expected_missing(&self) -> usize {
        self.defects - self.found - self.missed.len() - self.expected_missing_found.len()
    }
}

#[test]
fn clean_set_has_no_errors() {
    let dir = tempfile::tempdir().unwrap();
    generate(
        dir.path(),
        &Options {
            seed: 4,
            clean: true,
            scale: 1,
        },
    )
    .unwrap();
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("defects.json")).unwrap()).unwrap();
    assert_eq!(doc["defects"].as_array().unwrap().len(), 0);
    let registry = Registry::builtin();
    let plan = Plan::new(Pack::embedded().unwrap(), registry).unwrap();
    let mut rows = 0;
    for e in std::fs::read_dir(dir.path().join("returns")).unwrap() {
        let p = e.unwrap().path();
        let (_, result) = engine::check_path(&plan, p.to_str().unwrap());
        let errors: Vec<String> = result
            .findings
            .iter()
            .filter(|f| f.severity == vakt::finding::Severity::Error)
            .map(|f| format!("{:?} {}", f.location, f.message))
            .collect();
        assert!(errors.is_empty(), "{}: {}", p.display(), errors.join("\n"));
        rows += result.rows();
    }
    assert_eq!(
        rows,
        1 + 23 - 1
            + 426
            + 2391
            + rows_of(dir.path(), "therapists")
            + rows_of(dir.path(), "group_therapists")
            + rows_of(dir.path(), "units")
    );
}

fn rows_of(dir: &Path, table: &str) -> u64 {
    read_csv(&dir.join(format!("truth/{table}.csv"))).len() as u64
}
