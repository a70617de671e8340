//! `vakt keygen` and `vakt clean` end to end: linkage, accounting, truth, no raw identifiers,
//! determinism, formula injection, and refusals that write nothing.

mod common;

use assert_cmd::Command;
use common::files_under;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use vakt::clean::pseudo::Key;
use vakt_synth::{generate, Options};

fn vakt() -> Command {
    Command::cargo_bin("vakt").unwrap()
}

fn keygen(dir: &Path, project: &str) -> PathBuf {
    let key = dir.join(format!("{project}.key"));
    let out = vakt()
        .args(["keygen", "--project", project, "--out"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    key
}

fn clean(inputs: &[PathBuf], key: &Path, domain: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    vakt()
        .arg("clean")
        .args(inputs)
        .arg("--key")
        .arg(key)
        .args(["--domain", domain, "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn returns_of(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("returns"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// A minimal return as a CSV folder: one group, the given patients (group, id, birth year).
fn tiny_return(
    dir: &Path,
    name: &str,
    authority: &str,
    region: &str,
    patients: &[(&str, &str, u32)],
    comment: &str,
) -> PathBuf {
    let r = dir.join(name);
    std::fs::create_dir_all(&r).unwrap();
    let groups: Vec<&str> = {
        let mut g: Vec<&str> = patients.iter().map(|p| p.0).collect();
        g.dedup();
        g
    };
    std::fs::write(
        r.join("submission.csv"),
        format!("authority_code,region,reference_date,submitted_date,n_units,n_groups\n{authority},{region},2009-03-01,2009-04-01,1,{}\n", groups.len()),
    )
    .unwrap();
    std::fs::write(r.join("units.csv"), "unit_id,unit_name,setting\nU1,Test DPS,DPS\n").unwrap();
    let mut g = String::from("group_id,unit_id,group_type,group_format,frequency,session_minutes,duration_cat,start_date,n_patients,n_therapists,cotherapy,comment\n");
    for id in &groups {
        let n = patients.iter().filter(|p| p.0 == *id).count();
        g.push_str(&format!(
            "{id},U1,CBT,CLOSED,W,90,LT6,2009-01-01,{n},1,false,\"{}\"\n",
            comment.replace('"', "\"\"")
        ));
    }
    std::fs::write(r.join("groups.csv"), g).unwrap();
    let mut p = String::from("group_id,patient_id,birth_year,sex,main_dx,start_date\n");
    for (gid, pid, by) in patients {
        p.push_str(&format!("{gid},{pid},{by},F,F32.1,2009-01-01\n"));
    }
    std::fs::write(r.join("patients.csv"), p).unwrap();
    std::fs::write(
        r.join("therapists.csv"),
        "therapist_id,therapist_name,profession,gt_training\n1234567,Ola Hansen,NURSE,NONE\n",
    )
    .unwrap();
    let mut gt = String::from("group_id,therapist_id,role\n");
    for id in &groups {
        gt.push_str(&format!("{id},1234567,LEAD\n"));
    }
    std::fs::write(r.join("group_therapists.csv"), gt).unwrap();
    r
}

#[test]
fn one_patient_links_across_groups_and_returns_and_not_across_domains_or_keys() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "survey-2009");
    let other_key = keygen(dir.path(), "survey-2009b");
    let a = tiny_return(
        dir.path(),
        "A",
        "HV-BERGEN",
        "HV",
        &[
            ("G1", "31129956715", 1979),
            ("G2", "311299 56715", 1979),
            ("G2", "EPJ-1", 1980),
        ],
        "",
    );
    let b = tiny_return(dir.path(), "B", "HN-FIN", "HN", &[("F1", "31129956715", 1979)], "");
    let pseud = |key: &Path, domain: &str, tag: &str| -> Vec<String> {
        let out = dir.path().join(tag);
        let o = clean(&[a.clone(), b.clone()], key, domain, &out, &[]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        let (h, rows) = read_csv(&out.join("patients.csv"));
        let c = h.iter().position(|x| x == "patient_id").unwrap();
        rows.iter().map(|r| r[c].clone()).collect()
    };
    let p = pseud(&key, "release-A", "a");
    assert_eq!(p.len(), 4);
    assert_eq!(p[0], p[1], "two groups, one patient (spaces do not matter)");
    assert_eq!(p[0], p[3], "two returns, one patient");
    assert_ne!(p[0], p[2]);
    assert_eq!(p[0].len(), 16);
    let other_domain = pseud(&key, "release-B", "b");
    assert_ne!(other_domain[0], p[0]);
    let other = pseud(&other_key, "release-A", "c");
    assert_ne!(other[0], p[0]);
    // The spec's algorithm, through the library: the same value.
    let k = Key::load(&key).unwrap();
    let release_a = vakt::clean::pseudo::Domain::parse("release-A").unwrap();
    assert_eq!(k.domain(&release_a, "patient").pseudonym("31129956715"), p[0]);
}

fn synth(dir: &Path, seed: u64, clean: bool) -> PathBuf {
    let d = dir.join(format!("synth-{seed}-{clean}"));
    generate(&d, &Options { seed, clean, scale: 1 }).unwrap();
    d
}

#[test]
fn clean_output_matches_the_truth_and_every_row_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = keygen(dir.path(), "survey-2009");
    let key = Key::load(&key_path).unwrap();
    let set = synth(dir.path(), 5, true);
    let out = dir.path().join("clean");
    let o = clean(&returns_of(&set), &key_path, "release-A", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));

    for table in ["units", "groups", "patients", "therapists", "group_therapists"] {
        let (ch, crows) = read_csv(&out.join(format!("{table}.csv")));
        let (th, trows) = read_csv(&set.join(format!("truth/{table}.csv")));
        let mut expected: Vec<Vec<String>> = trows
            .iter()
            .map(|t| {
                let tv: HashMap<&str, &str> = th
                    .iter()
                    .map(String::as_str)
                    .zip(t.iter().map(String::as_str))
                    .collect();
                let release_a = vakt::clean::pseudo::Domain::parse("release-A").unwrap();
                ch.iter()
                    .map(|c| {
                        use vakt::ident::{canonical, IdForm};
                        match c.as_str() {
                            "vakt_flags" => String::new(),
                            "patient_id" => key
                                .domain(&release_a, "patient")
                                .pseudonym(&canonical(IdForm::NationalId, tv[c.as_str()]).text),
                            "therapist_id" => key
                                .domain(&release_a, "hpr")
                                .pseudonym(&canonical(IdForm::Digits { width: 9 }, tv[c.as_str()]).text),
                            _ => tv[c.as_str()].to_string(),
                        }
                    })
                    .collect()
            })
            .collect();
        let mut got = crows.clone();
        expected.sort();
        got.sort();
        assert_eq!(got.len(), expected.len(), "{table}: row count");
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g, e, "{table}: clean output differs from the truth\nheader {ch:?}");
        }
    }

    // Accounting, on the clean set and on a seeded one (rejects and non-data rows included).
    let seeded = synth(dir.path(), 6, false);
    let out2 = dir.path().join("clean-seeded");
    let o = clean(&returns_of(&seeded), &key_path, "release-A", &out2, &[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "rows were rejected: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    for m in [&out, &out2] {
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(m.join("manifest.json")).unwrap()).unwrap();
        let mut tables = 0;
        for input in manifest["inputs"].as_array().unwrap() {
            for t in input["tables"].as_array().unwrap() {
                let n = |k: &str| t[k].as_u64().unwrap();
                assert_eq!(
                    n("rows_read"),
                    n("rows_written") + n("rows_rejected") + n("duplicate_rows") + n("non_data_rows"),
                    "{t}"
                );
                let listed: u64 = t["non_data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| match (e["row"].as_u64(), e["rows"].as_array()) {
                        (Some(_), _) => 1,
                        (None, Some(r)) => r[1].as_u64().unwrap() - r[0].as_u64().unwrap() + 1,
                        _ => panic!("{e}"),
                    })
                    .sum();
                assert_eq!(listed + n("non_data_unlisted"), n("non_data_rows"), "{t}");
                tables += 1;
            }
        }
        assert_eq!(tables, 23 * 6);
        assert_eq!(manifest["pseudonyms"]["key_fingerprint"], key.fingerprint.as_str());
        assert_eq!(manifest["pseudonyms"]["collision_check"], "passed");
        for (name, sha) in manifest["outputs"].as_object().unwrap() {
            let bytes = std::fs::read(m.join(name)).unwrap();
            use sha2::Digest;
            let hex: String = sha2::Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(sha, hex.as_str(), "{name}");
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out2.join("manifest.json")).unwrap()).unwrap();
    let sum = |k: &str| {
        manifest["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t[k].as_u64().unwrap())
            .sum::<u64>()
    };
    assert!(sum("rows_rejected") > 5, "seeded key errors reject rows");
    assert!(sum("flagged_rows") > 40, "seeded value errors are cleaned cell by cell");
    assert!(sum("non_data_rows") >= 6, "totals, blank and note rows are listed");
    assert!(sum("free_text_tags") >= 4, "leaked identifiers were tagged");
    assert!(sum("leading_zero_repairs") >= 1, "a lost leading zero was restored");
    let rejected = std::fs::read_to_string(out2.join("rejected/groups.csv")).unwrap();
    assert!(rejected
        .lines()
        .next()
        .unwrap()
        .ends_with("source_file,source_sheet,source_row,cells,codes,messages"));
}

#[test]
fn no_raw_identifier_reaches_the_output_and_runs_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "survey-2009");
    let set = synth(dir.path(), 7, false);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let o = clean(&returns_of(&set), &key, "release-A", out, &["--format", "both"]);
        assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (fa, fb) = (files_under(&a), files_under(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(fb[k] == *v, "{k} differs between two runs");
    }
    assert!(fa.contains_key("patients.xlsx") && fa.contains_key("patients.csv"));

    // Every identifier of the national set: patient and therapist ids, names, contacts.
    let national = vakt_synth::model::build(7, 1);
    let mut digit_ids = Vec::new();
    let mut text_ids = Vec::new();
    for r in &national.returns {
        text_ids.extend([r.contact_name.clone(), r.contact_email.clone(), r.contact_phone.clone()]);
        for p in &r.patients {
            if p.patient_id.bytes().all(|b| b.is_ascii_digit()) {
                digit_ids.push(p.patient_id.clone());
                digit_ids.push(p.patient_id.trim_start_matches('0').to_string());
            } else {
                text_ids.push(p.patient_id.clone());
            }
        }
        for t in &r.therapists {
            digit_ids.push(t.therapist_id.clone());
            text_ids.push(t.therapist_name.clone());
        }
    }
    let digits: std::collections::HashSet<&str> = digit_ids.iter().map(String::as_str).collect();
    for (name, bytes) in &fa {
        // xlsx files are zipped; check their shared strings through calamine's view instead.
        let text = if name.ends_with(".xlsx") {
            use calamine::Reader;
            let mut wb: calamine::Xlsx<_> = calamine::open_workbook(a.join(name)).unwrap();
            let sheet = wb.sheet_names()[0].clone();
            let range = wb.worksheet_range(&sheet).unwrap();
            range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            String::from_utf8_lossy(bytes).into_owned()
        };
        for token in text.split(|c: char| !c.is_ascii_digit()) {
            assert!(
                !(token.len() >= 7 && digits.contains(token)),
                "{name}: a raw identifier ({} digits) in the output",
                token.len()
            );
        }
        for id in &text_ids {
            assert!(!text.contains(id.as_str()), "{name}: a raw identifier in the output");
        }
    }
}

#[test]
fn formulas_in_text_are_neutralised_and_leaks_tagged() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "p");
    let r = tiny_return(
        dir.path(),
        "R",
        "HV-BERGEN",
        "HV",
        &[("G1", "EPJ-77", 1980)],
        "=HYPERLINK(\"http://evil.example\",\"klikk\")",
    );
    let out = dir.path().join("out");
    let o = clean(std::slice::from_ref(&r), &key, "d", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, rows) = read_csv(&out.join("groups.csv"));
    let c = h.iter().position(|x| x == "comment").unwrap();
    assert_eq!(rows[0][c], "'=HYPERLINK(\"http://evil.example\",\"klikk\")");
    let r2 = tiny_return(
        dir.path(),
        "R2",
        "HV-BERGEN",
        "HV",
        &[("G1", "EPJ-77", 1980)],
        "Flyttet: EPJ-77, ring 912 34 567",
    );
    let out2 = dir.path().join("out2");
    let o = clean(&[r2], &key, "d", &out2, &["--on-error", "keep"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, rows) = read_csv(&out2.join("groups.csv"));
    let c = h.iter().position(|x| x == "comment").unwrap();
    assert_eq!(rows[0][c], "Flyttet: [ID], ring [PHONE]");
    let e = h.iter().position(|x| x == "vakt_flags").unwrap();
    assert_eq!(rows[0][e], "comment:VK0208", "kept, tagged, and flagged");
}

#[test]
fn bad_keys_and_inputs_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "p");
    let r = tiny_return(dir.path(), "R", "HV-BERGEN", "HV", &[("G1", "EPJ-77", 1980)], "");
    let text = std::fs::read_to_string(&key).unwrap();
    let write_key = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        p
    };
    let fp = text.lines().find(|l| l.starts_with("fingerprint")).unwrap();
    let key_line = text.lines().find(|l| l.starts_with("key = ")).unwrap();
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            write_key("short.key", &text.replace(key_line, "key = \"QUJD\"")),
            "must be 32 bytes",
        ),
        (
            write_key("fp.key", &text.replace(fp, "fingerprint = \"0000000000000000\"")),
            "fingerprint does not match",
        ),
        (dir.path().join("missing.key"), "cannot read the key file"),
    ];
    #[cfg(unix)]
    let cases = {
        use std::os::unix::fs::PermissionsExt;
        let open = write_key("open.key", &text);
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut c = cases;
        c.push((open, "readable by others"));
        c
    };
    for (k, why) in cases {
        let out = dir.path().join("never");
        let o = clean(std::slice::from_ref(&r), &k, "d", &out, &[]);
        assert_eq!(o.status.code(), Some(2), "{why}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(why), "{err}");
        assert!(
            !err.contains(key_line.trim_start_matches("key = ").trim_matches('"')),
            "the key itself is never shown"
        );
        assert!(!out.exists(), "nothing written");
    }
    // A corrupt input among good ones: exit 2, nothing written, no partial folder left behind.
    let out = dir.path().join("never2");
    let o = clean(
        &[r.clone(), PathBuf::from("fixtures/returns/corrupt.xlsx")],
        &key,
        "d",
        &out,
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("corrupt.xlsx"));
    assert!(!out.exists());
    assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains("partial")));
    // Inputs are checked several at once, but the error is the first bad input's by argument
    // order, as when they were checked one after the other.
    let (z, a) = (dir.path().join("z-first.xlsx"), dir.path().join("a-second.xlsx"));
    for bad in [&z, &a] {
        std::fs::copy("fixtures/returns/corrupt.xlsx", bad).unwrap();
    }
    let o = clean(&[r.clone(), z, a], &key, "d", &dir.path().join("never3"), &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("z-first.xlsx") && !err.contains("a-second.xlsx"), "{err}");
    // An existing output folder is refused without --force, replaced with it when vakt wrote it,
    // and never replaced when it did not.
    let out = dir.path().join("exists");
    std::fs::create_dir(&out).unwrap();
    assert_eq!(
        clean(std::slice::from_ref(&r), &key, "d", &out, &["--force"])
            .status
            .code(),
        Some(2),
        "not written by vakt"
    );
    std::fs::remove_dir(&out).unwrap();
    assert_eq!(
        clean(std::slice::from_ref(&r), &key, "d", &out, &[]).status.code(),
        Some(0)
    );
    assert_eq!(
        clean(std::slice::from_ref(&r), &key, "d", &out, &[]).status.code(),
        Some(2)
    );
    assert_eq!(
        clean(std::slice::from_ref(&r), &key, "d", &out, &["--force"])
            .status
            .code(),
        Some(0)
    );
    assert!(out.join("manifest.json").exists());
    // keygen never overwrites.
    let o = vakt()
        .args(["keygen", "--project", "p", "--out"])
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text);
}

#[test]
fn a_pack_can_drop_free_text_from_the_release() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "p");
    let r = tiny_return(
        dir.path(),
        "R",
        "HV-BERGEN",
        "HV",
        &[("G1", "EPJ-77", 1980)],
        "Ny gruppe",
    );
    // The survey pack with `drop = true` on the groups' comment column.
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(rules.join("codelists")).unwrap();
    for e in std::fs::read_dir("rules/codelists").unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, rules.join("codelists").join(p.file_name().unwrap())).unwrap();
    }
    std::fs::copy("rules/icd10-chapter-v.csv", rules.join("icd10-chapter-v.csv")).unwrap();
    let pack = std::fs::read_to_string("rules/group-therapy-survey.toml").unwrap();
    let pack = pack.replacen("name = \"comment\"\n", "name = \"comment\"\ndrop = true\n", 1);
    std::fs::write(rules.join("pack.toml"), pack).unwrap();
    let out = dir.path().join("out");
    let o = clean(
        &[r],
        &key,
        "d",
        &out,
        &["--rules", rules.join("pack.toml").to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, _) = read_csv(&out.join("groups.csv"));
    assert!(!h.contains(&"comment".to_string()), "{h:?}");
    assert!(h.contains(&"group_type".to_string()));
}

#[test]
fn check_finds_no_errors_in_the_clean_output_of_the_seeded_national_set() {
    // Issue 9: the clean dataset has referential integrity and documents every cleaned cell, so
    // checking it with the same pack finds no error (vakt-synth's default seed, with defects).
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "survey-2009");
    let set = synth(dir.path(), 1, false);
    let out = dir.path().join("clean");
    let o = clean(&returns_of(&set), &key, "release-A", &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let o = vakt().args(["check", "--format", "json"]).arg(&out).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{}", serde_json::to_string_pretty(&errors).unwrap());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json["inputs"][0]["tables"].as_array().unwrap().len(), 6);
    let rows = json["summary"]["rows"].as_u64().unwrap();
    assert!(rows > 4000, "{rows} rows checked");
}

/// A workbook given as the key (readable by others, as files are) is told it is no key file, not
/// asked to chmod it first.
#[cfg(unix)]
#[test]
fn a_workbook_given_as_the_key_is_named_as_no_key_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("Oslo.xlsx");
    std::fs::copy("fixtures/returns/clean.xlsx", &key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vakt"))
        .args(["clean", "fixtures/returns/clean.xlsx", "--key"])
        .arg(&key)
        .args(["--domain", "d", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a vakt key file") && !err.contains("chmod"), "{err}");
}

/// A pack written for the test: one table, a four-digit text column and a code list of
/// two-digit codes, both as Excel leaves them after dropping leading zeros.
const ZEROS_PACK: &str = r#"
name = "zeros"
version = "1"
[codelists]
county = { codes = ["03", "11", "46"] }
[[table]]
name = "sites"
[[table.column]]
name = "site"
type = "text"
required = true
[[table.column]]
name = "municipality"
type = "text"
pattern = '\d{4}'
[[table.column]]
name = "county"
type = "code"
codelist = "county"
"#;

#[test]
fn lost_leading_zeros_are_restored_where_the_form_is_certain_and_the_row_kept() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "z");
    std::fs::write(dir.path().join("zeros.toml"), ZEROS_PACK).unwrap();
    let input = dir.path().join("sites.csv");
    std::fs::write(&input, "site,municipality,county\nOslo sykehjem,301,3\n").unwrap();
    let pack = dir.path().join("zeros.toml");
    let checked = vakt()
        .arg("check")
        .arg(&input)
        .arg("--rules")
        .arg(&pack)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&checked.stdout);
    assert_eq!(checked.status.code(), Some(0), "information only: {report}");
    assert!(
        report.contains("`301` had lost its leading zeros; read as `0301`"),
        "{report}"
    );
    let out = dir.path().join("out");
    let o = clean(&[input], &key, "d", &out, &["--rules", pack.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, rows) = read_csv(&out.join("sites.csv"));
    assert_eq!(rows.len(), 1, "the one row is kept, not rejected");
    let at = |c: &str| rows[0][h.iter().position(|x| x == c).unwrap()].clone();
    assert_eq!(
        (at("municipality"), at("county")),
        ("0301".to_string(), "03".to_string())
    );
}

/// A pack written for the test: a text-form id type and a free-text column.
/// Cleans one CSV file `name` holding `csv` with a pack written for the test: the temporary folder
/// (holding `pack.toml`, the input and the output folder `out`), the output folder and the run.
fn clean_one(pack: &str, name: &str, csv: &str) -> (tempfile::TempDir, PathBuf, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "t");
    let pack_path = dir.path().join("pack.toml");
    std::fs::write(&pack_path, pack).unwrap();
    let input = dir.path().join(name);
    std::fs::write(&input, csv).unwrap();
    let out = dir.path().join("out");
    let o = clean(&[input], &key, "d", &out, &["--rules", pack_path.to_str().unwrap()]);
    (dir, out, o)
}

const CLIENTS_PACK: &str = r#"
name = "clients"
version = "1"
[id_types]
client = { form = "text" }
[[table]]
name = "visits"
[[table.column]]
name = "client"
type = "text"
class = ["D"]
id_type = "client"
[[table.column]]
name = "remark"
type = "text"
class = ["F"]
"#;

/// An identifier written with a control or format character in it (a BEL, a zero-width space, a
/// direction mark) is one client with the same identifier written without: one pseudonym, and
/// free text naming it in any of these ways is tagged. Neither output nor report shows it.
#[test]
fn invisible_characters_in_an_identifier_change_neither_the_pseudonym_nor_the_scrub() {
    let (dir, out, o) = clean_one(
        CLIENTS_PACK,
        "visits.csv",
        "client,remark\nAB-20417,x\nAB-20417\u{7},y\n\u{200e}A\u{200b}B-20417,z\nCD-30518,met ab\u{7}-20417 and ab-20417\u{1b}\n",
    );
    // 1: the leak in free text is an error, and its row is kept tagged.
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, rows) = read_csv(&out.join("visits.csv"));
    let at = |r: usize, c: &str| rows[r][h.iter().position(|x| x == c).unwrap()].clone();
    assert_eq!(rows.len(), 4);
    assert_eq!(at(0, "client"), at(1, "client"), "a BEL after the id");
    assert_eq!(
        at(0, "client"),
        at(2, "client"),
        "a direction mark and a zero-width space"
    );
    assert_ne!(at(0, "client"), at(3, "client"));
    assert!(
        at(3, "remark").starts_with("met [ID] and [ID]"),
        "{:?}",
        at(3, "remark")
    );
    let mut files = vec![out.clone()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_lowercase();
        assert!(!text.contains("20417") && !text.contains("30518"), "{path:?}: {text}");
    }
    let checked = vakt()
        .arg("check")
        .arg(dir.path().join("visits.csv"))
        .arg("--rules")
        .arg(dir.path().join("pack.toml"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&checked.stdout);
    assert!(report.contains("[ID]") && !report.contains("20417"), "{report}");
}

/// The clients' pack with three more text columns, one with a pattern that restores leading zeros.
const MORE_REMARKS: &str = r#"[[table.column]]
name = "note"
type = "text"
class = ["F"]
[[table.column]]
name = "municipality"
type = "text"
pattern = '\d{4}'
[[table.column]]
name = "site"
type = "text"
"#;

/// A cell written like the one above it in its column becomes what that one became, and counts
/// as much: a repeated remark naming a client is tagged and counted in every row, and a text
/// repeated across columns becomes what each column makes of it (leading zeros restored only
/// where the column's pattern wants them).
#[test]
fn repeated_text_is_scrubbed_counted_and_kept_per_column_in_every_row() {
    let (_dir, out, o) = clean_one(
        &format!("{CLIENTS_PACK}{MORE_REMARKS}"),
        "visits.csv",
        "client,remark,note,municipality,site\n\
         AB-20417,see ab-20417,see ab-20417,301,301\n\
         CD-30518,see ab-20417,plain,301,301\n\
         EF-40619,see ab-20417,see ab-20417,301,301\n\
         GH-50710,plain,plain,0301,301\n",
    );
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, rows) = read_csv(&out.join("visits.csv"));
    let column = |c: &str| -> Vec<String> {
        let i = h.iter().position(|x| x == c).unwrap();
        rows.iter().map(|r| r[i].clone()).collect()
    };
    assert_eq!(column("remark"), ["see [ID]", "see [ID]", "see [ID]", "plain"]);
    assert_eq!(column("note"), ["see [ID]", "plain", "see [ID]", "plain"]);
    assert_eq!(column("municipality"), ["0301", "0301", "0301", "0301"]);
    assert_eq!(column("site"), ["301", "301", "301", "301"]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["tables"][0]["free_text_tags"], 5, "{manifest}");
}

const VISITS_PACK: &str = r#"
name = "visits"
version = "1"
[[table]]
name = "visits"
[[table.column]]
name = "visit"
type = "text"
unique = true
[[table.column]]
name = "minutes"
type = "integer"
"#;

/// A row that copies an earlier row exactly is dropped as a duplicate of it; a row that only
/// repeats its key is rejected; every other row is written once.
#[test]
fn an_exact_copy_is_a_duplicate_and_a_repeated_key_a_rejection() {
    let (_dir, out, o) = clean_one(
        VISITS_PACK,
        "visits.csv",
        "visit,minutes\nV1,30\nV2,45\nV1,30\nV2,50\nV3,15\n",
    );
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, rows) = read_csv(&out.join("visits.csv"));
    let written: Vec<(&str, &str)> = rows.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(written, [("V1", "30"), ("V2", "45"), ("V3", "15")]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let t = &manifest["inputs"][0]["tables"][0];
    assert_eq!(
        (&t["duplicate_rows"], &t["rows_rejected"]),
        (&1.into(), &1.into()),
        "{manifest}"
    );
}
