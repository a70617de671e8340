//! The promises of issue 9, each tested with packs written for the test (not the survey's): no
//! identifier leaves, no row or table is silently lost, no folder is destroyed, failures are never
//! reported as success, and the audit trail names the rules. These tests drive the `vakt` binary
//! only, so they run unchanged against any version of it.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn vakt() -> Command {
    Command::cargo_bin("vakt").unwrap()
}

/// A clinic's monthly return: a report row (the return key), wards, and visits by persons.
const PACK: &str = r#"
name = "clinic-visits"
version = "1"

[codelists]
ward_type = "ward_type.csv"

[id_types]
person = { form = "national-id" }

[return]
table = "report"
column = "clinic"

[[table]]
name = "report"
files = ["report.csv"]
[[table.column]]
name = "clinic"
type = "text"
required = true
[[table.column]]
name = "contact"
type = "text"
class = ["D"]
id_type = "drop"
[[table.column]]
name = "n_wards"
type = "integer"
[[table.count]]
column = "n_wards"
table = "wards"

[[table]]
name = "wards"
files = ["wards.csv"]
[[table.column]]
name = "ward_id"
type = "text"
required = true
unique = true
[[table.column]]
name = "ward_type"
type = "code"
codelist = "ward_type"
required = true
[[table.column]]
name = "n_visits"
type = "integer"
[[table.count]]
column = "n_visits"
table = "visits"
key = ["ward_id"]
matching = ["ward_id"]

[[table]]
name = "visits"
files = ["visits.csv"]
unique = [["ward_id", "person_id"]]
[[table.column]]
name = "ward_id"
type = "text"
required = true
[[table.column]]
name = "person_id"
type = "text"
required = true
class = ["D"]
id_type = "person"
[[table.column]]
name = "age"
type = "integer"
range = { min = 0, max = 120 }
[[table.column]]
name = "note"
type = "text"
class = ["F"]
[[table.relation]]
name = "ward"
table = "wards"
columns = ["ward_id"]
references = ["ward_id"]
"#;

const WARD_TYPES: &str = "code,en,no,synonyms\nACUTE,Acute,Akutt,\nREHAB,Rehabilitation,Rehabilitering,\n";

/// Writes the pack (plus `extra` TOML) and its code list into `dir`; returns the pack's path.
fn write_pack(dir: &Path, extra: &str) -> PathBuf {
    std::fs::write(dir.join("ward_type.csv"), WARD_TYPES).unwrap();
    let p = dir.join("clinic.toml");
    std::fs::write(&p, format!("{PACK}{extra}")).unwrap();
    p
}

/// A return as a CSV folder with the given files.
fn write_return(dir: &Path, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let r = dir.join(name);
    std::fs::create_dir_all(&r).unwrap();
    for (f, body) in files {
        std::fs::write(r.join(f), body).unwrap();
    }
    r
}

fn keygen(dir: &Path) -> PathBuf {
    let key = dir.join("k.key");
    let o = vakt()
        .args(["keygen", "--project", "p", "--out"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    key
}

fn check(pack: &Path, inputs: &[&Path], format: &str) -> (i32, String) {
    let o = vakt()
        .arg("check")
        .arg("--rules")
        .arg(pack)
        .args(["--format", format])
        .args(inputs)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

fn clean(dir: &Path, pack: &Path, inputs: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    vakt()
        .current_dir(dir)
        .arg("clean")
        .arg("--rules")
        .arg(pack)
        .args(inputs)
        .arg("--key")
        .arg(dir.join("k.key"))
        .args(["--domain", "d", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// Every file under `dir`, as text (lossy), by relative path.
fn texts_under(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned()));
            }
        }
    }
    out.sort();
    out
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect()
}

const REPORT: &str = "clinic,contact,n_wards\nSOLVANG,Kari Nordmann,2\n";
const WARDS: &str = "ward_id,ward_type,n_visits\nW1,ACUTE,2\nW2,REHAB,1\n";

// 1. --force never destroys data -------------------------------------------------------------

#[test]
fn force_refuses_the_working_folder_and_keeps_the_key_and_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    let r = write_return(
        dir.path(),
        "r",
        &[
            ("report.csv", REPORT),
            ("wards.csv", WARDS),
            (
                "visits.csv",
                "ward_id,person_id,age,note\nW1,EPJ-1,40,\nW1,EPJ-2,50,\nW2,EPJ-3,60,\n",
            ),
        ],
    );
    keygen(dir.path());
    std::fs::write(dir.path().join("unrelated.txt"), "keep me").unwrap();
    let before = texts_under(dir.path());
    for out in [".", ".."] {
        let o = clean(dir.path(), &pack, &[&r], Path::new(out), &["--force"]);
        assert_eq!(o.status.code(), Some(2), "--out {out} --force must be refused");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("will not replace"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // A folder holding an input (the return's own folder) with a fake manifest: still refused.
    std::fs::write(
        r.join("manifest.json"),
        r#"{"kind":"vakt-clean","tool":{"name":"vakt"}}"#,
    )
    .unwrap();
    let o = clean(dir.path(), &pack, &[&r], &r, &["--force"]);
    assert_eq!(o.status.code(), Some(2), "a folder holding an input");
    std::fs::remove_file(r.join("manifest.json")).unwrap();
    assert_eq!(texts_under(dir.path()), before, "nothing was deleted or changed");
}

#[test]
fn force_replaces_only_what_vakt_wrote_and_leaves_no_temporary_folder() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    let r = write_return(
        dir.path(),
        "r",
        &[
            ("report.csv", REPORT),
            ("wards.csv", WARDS),
            (
                "visits.csv",
                "ward_id,person_id,age,note\nW1,EPJ-1,40,\nW1,EPJ-2,50,\nW2,EPJ-3,60,\n",
            ),
        ],
    );
    keygen(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("thesis.docx"), "years of work").unwrap();
    let o = clean(dir.path(), &pack, &[&r], &out, &["--force"]);
    assert_eq!(o.status.code(), Some(2), "a folder vakt did not write");
    assert!(out.join("thesis.docx").exists());
    std::fs::remove_dir_all(&out).unwrap();
    assert_eq!(clean(dir.path(), &pack, &[&r], &out, &[]).status.code(), Some(0));
    std::fs::write(out.join("stale.csv"), "old").unwrap();
    // A partial folder of a process that no longer exists is removed by the next run.
    let stale = dir.path().join(".out.partial-4000000");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("visits.csv"), "pseudonymised data").unwrap();
    assert_eq!(
        clean(dir.path(), &pack, &[&r], &out, &["--force"]).status.code(),
        Some(0)
    );
    assert!(!out.join("stale.csv").exists(), "the old output was replaced");
    assert!(out.join("manifest.json").exists());
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial-") || n.contains(".old-"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), 0o700, "the output folder is owner-only");
        assert_eq!(mode(&out.join("visits.csv")), 0o600);
        assert_eq!(mode(&out.join("manifest.json")), 0o600);
    }
}

#[cfg(unix)]
#[test]
fn an_interrupted_clean_leaves_no_partial_folder() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    let mut visits = String::from("ward_id,person_id,age,note\n");
    for i in 0..300_000 {
        visits.push_str(&format!("W1,EPJ-{i},40,note {i}\n"));
    }
    let r = write_return(
        dir.path(),
        "r",
        &[("report.csv", REPORT), ("wards.csv", WARDS), ("visits.csv", &visits)],
    );
    keygen(dir.path());
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vakt"))
        .current_dir(dir.path())
        .args(["clean", "--rules"])
        .arg(&pack)
        .arg(&r)
        .args(["--key", "k.key", "--domain", "d", "--out", "out"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let partial = dir.path().join(format!(".out.partial-{}", child.id()));
    let start = std::time::Instant::now();
    while !partial.exists() && start.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let seen = partial.exists();
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let status = child.wait().unwrap();
    assert!(seen, "the run was writing when it was interrupted");
    assert!(!status.success(), "interrupted, not finished");
    assert!(!partial.exists(), "the partial folder of an interrupted run is removed");
    assert!(!dir.path().join("out").exists(), "no output from an interrupted run");
}

#[test]
fn returns_written_at_once_land_in_input_order_with_one_header_and_nothing_left_behind() {
    // Several returns are written on several cores, each to its own part files; the parts must
    // be joined in input order, rejected rows too, with each file's header once.
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    keygen(dir.path());
    let clinics = ["ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO"];
    let mut inputs = Vec::new();
    let (mut kept, mut rejected) = (Vec::new(), Vec::new());
    for (r, clinic) in clinics.iter().enumerate() {
        let mut visits = String::from("ward_id,person_id,age,note\n");
        for i in 0..40 {
            // Every seventh row has an impossible age: rejected with --on-error reject.
            let bad = (i + r) % 7 == 0;
            let age = if bad { 150 } else { 20 + i };
            visits.push_str(&format!("W1,EPJ-{r}-{i},{age},m{r}x{i}\n"));
            if bad { &mut rejected } else { &mut kept }.push(format!("m{r}x{i}"));
        }
        let report = format!("clinic,contact,n_wards\n{clinic},,2\n");
        let wards = "ward_id,ward_type,n_visits\nW1,ACUTE,40\nW2,REHAB,0\n";
        inputs.push(write_return(
            dir.path(),
            &format!("r{r}"),
            &[("report.csv", &report), ("wards.csv", wards), ("visits.csv", &visits)],
        ));
    }
    let out = dir.path().join("out");
    let refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let o = clean(dir.path(), &pack, &refs, &out, &["--on-error", "reject"]);
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let notes = |path: &Path| -> Vec<String> {
        let rows = csv_rows(path);
        let at = rows[0].iter().position(|h| h == "note").unwrap();
        assert!(
            rows[1..].iter().all(|r| r[0] != rows[0][0]),
            "{}: a header inside the file",
            path.display()
        );
        rows[1..].iter().map(|r| r[at].clone()).collect()
    };
    assert_eq!(notes(&out.join("visits.csv")), kept, "clean rows out of input order");
    assert_eq!(
        notes(&out.join("rejected").join("visits.csv")),
        rejected,
        "rejected rows out of input order"
    );
    let wards = csv_rows(&out.join("wards.csv"));
    assert_eq!(wards.len(), 1 + 2 * clinics.len(), "wards: one header and every row");
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "left in the output: {left:?}");
}

#[test]
fn one_return_written_table_by_table_at_once_is_byte_for_byte_what_one_thread_writes() {
    // With cores to spare, the tables of one CSV folder are written at once, each on its own
    // thread with its own pseudonym register: every file, the manifest with its accounts and its
    // pseudonym count included, must be what one thread writes.
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    keygen(dir.path());
    let mut visits = String::from("ward_id,person_id,age,note\n");
    for i in 0..3000 {
        let ward = ["W1", "W2", "W3"][i % 3];
        let age = if i % 11 == 0 { 150 } else { 20 + i % 60 };
        // Hostile rows among them: another person's id in the note, a formula, a control
        // character, a quoted line break, a cell too many or too few, a blank line, an
        // unknown ward.
        let note = match i % 97 {
            1 => format!("see EPJ-{}", (i + 5) % 1700),
            2 => "=HYPERLINK(\"http://x\")".to_string(),
            3 => "bell\u{7}here".to_string(),
            4 => "\"two\nlines\"".to_string(),
            _ => format!("m{i}"),
        };
        match i % 89 {
            5 => visits.push_str(&format!("{ward},EPJ-{},{age},{note},extra\n", i % 1700)),
            6 => visits.push_str(&format!("{ward},EPJ-{}\n", i % 1700)),
            7 => visits.push('\n'),
            8 => visits.push_str(&format!("W9,EPJ-{},{age},{note}\n", i % 1700)),
            _ => visits.push_str(&format!("{ward},EPJ-{},{age},{note}\n", i % 1700)),
        }
    }
    // W3's type is not in the code list: its row and its visits are rejected, W1's and W2's kept.
    let wards = "ward_id,ward_type,n_visits\nW1,ACUTE,\nW2,REHAB,\nW3,BAD,\n";
    let report = "clinic,contact,n_wards\nALPHA,,3\n";
    let input = write_return(
        dir.path(),
        "r",
        &[("report.csv", report), ("wards.csv", wards), ("visits.csv", &visits)],
    );
    let mut outs = Vec::new();
    for threads in ["1", "4"] {
        let out = dir.path().join(format!("out-{threads}"));
        let o = clean(
            dir.path(),
            &pack,
            &[&input],
            &out,
            &["--on-error", "reject", "--threads", threads],
        );
        assert!(
            o.status.code() == Some(0) || o.status.code() == Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        outs.push(out);
    }
    let files = |root: &Path| -> Vec<(String, Vec<u8>)> {
        let mut all = Vec::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else {
                    let name = p.strip_prefix(root).unwrap().display().to_string();
                    all.push((name, std::fs::read(&p).unwrap()));
                }
            }
        }
        all.sort();
        all
    };
    let (one, four) = (files(&outs[0]), files(&outs[1]));
    let names: Vec<&String> = one.iter().map(|(n, _)| n).collect();
    assert!(
        names.iter().any(|n| n.contains("rejected")) && names.len() >= 4,
        "{names:?}"
    );
    let kept = one.iter().find(|(n, _)| n == "visits.csv").map_or(0, |(_, b)| b.len());
    assert!(
        kept > 20_000,
        "visits.csv holds {kept} bytes: the kept rows are missing"
    );
    assert_eq!(names, four.iter().map(|(n, _)| n).collect::<Vec<_>>());
    for ((name, a), (_, b)) in one.iter().zip(&four) {
        assert!(a == b, "{name} differs between one thread and four");
        // No raw identifier in any file written, and no formula left live.
        let text = String::from_utf8_lossy(a);
        assert!(!text.contains("EPJ-"), "{name}: a raw identifier");
        assert!(
            !text.contains("\n=HYPERLINK") && !text.contains(",=HYPERLINK"),
            "{name}: a live formula"
        );
    }
}

/// `clean` refills one output row for every row: a cell the input leaves empty is empty in the
/// output, never the row before's (a number, a text, a pseudonym), a shorter text is not followed
/// by the tail of a longer one, and every person keeps a pseudonym of their own.
#[test]
fn a_cell_left_empty_is_empty_in_the_output_never_the_row_before() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    keygen(dir.path());
    let wards = "ward_id,ward_type,n_visits\nW1,ACUTE,2\nW2,REHAB,2\n";
    let visits = "ward_id,person_id,age,note\nW1,EPJ-1001,40,ringte klokka ni\nW1,EPJ-1002,,\nW2,EPJ-1003,41,kort\nW2,EPJ-1004,,\n";
    let input = write_return(
        dir.path(),
        "r",
        &[("report.csv", REPORT), ("wards.csv", wards), ("visits.csv", visits)],
    );
    let out = dir.path().join("out");
    let o = clean(dir.path(), &pack, &[&input], &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = csv_rows(&out.join("visits.csv"));
    let col = |name: &str| {
        rows[0]
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}: {:?}", rows[0]))
    };
    let column = |name: &str| -> Vec<String> { rows[1..].iter().map(|r| r[col(name)].clone()).collect() };
    assert_eq!(column("age"), ["40", "", "41", ""]);
    assert_eq!(column("note"), ["ringte klokka ni", "", "kort", ""]);
    let pseudonyms = column("person_id");
    let distinct: std::collections::HashSet<&String> = pseudonyms.iter().collect();
    assert!(
        distinct.len() == 4 && pseudonyms.iter().all(|p| !p.is_empty()),
        "{pseudonyms:?}"
    );
    let wards_out = csv_rows(&out.join("wards.csv"));
    let ty = wards_out[0].iter().position(|h| h == "ward_type").unwrap();
    assert_eq!(
        wards_out[1..].iter().map(|r| r[ty].as_str()).collect::<Vec<_>>(),
        ["ACUTE", "REHAB"]
    );
    for (name, text) in texts_under(&out) {
        assert!(!text.contains("EPJ-"), "{name}: a raw identifier");
    }
}

// 2. Identifiers never reach the released output ---------------------------------------------

#[test]
fn an_identifier_in_free_text_is_found_and_scrubbed_whichever_row_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    keygen(dir.path());
    let orders = [
        "ward_id,person_id,age,note\nW1,EPJ-67890,40,see EPJ-12345\nW1,EPJ-12345,50,hello\nW2,EPJ-3,60,\n",
        "ward_id,person_id,age,note\nW1,EPJ-12345,50,hello\nW1,EPJ-67890,40,see EPJ-12345\nW2,EPJ-3,60,\n",
    ];
    for (i, visits) in orders.iter().enumerate() {
        let r = write_return(
            dir.path(),
            &format!("r{i}"),
            &[("report.csv", REPORT), ("wards.csv", WARDS), ("visits.csv", visits)],
        );
        let (code, json) = check(&pack, &[&r], "json");
        let json: Value = serde_json::from_str(&json).unwrap();
        let leaks = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "VK0208")
            .count();
        assert_eq!((code, leaks), (1, 1), "order {i}: the leak is found");
        for policy in ["cell", "row", "keep"] {
            let out = dir.path().join(format!("out-{i}-{policy}"));
            let o = clean(dir.path(), &pack, &[&r], &out, &["--on-error", policy]);
            assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
            let all = texts_under(&out);
            for (name, text) in &all {
                assert!(
                    !text.contains("EPJ-12345"),
                    "order {i}, {policy}: raw identifier in {name}"
                );
            }
            assert!(
                all.iter().any(|(_, t)| t.contains("see [ID]")),
                "order {i}, {policy}: tagged"
            );
        }
    }
}

/// The same promise with a return of 30,000 identifiers: the return's id set then holds its
/// hashes in several merged sorted runs, sealed into one indexed run for `vakt clean` (the small
/// returns above fit in its first buffer). The first and last rows' notes name persons recorded in
/// the middle of the file, whose hashes lie in runs after the first.
#[test]
fn an_identifier_in_free_text_is_found_among_thirty_thousand() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    keygen(dir.path());
    let n = 30_000;
    let named = [20_000, 26_000];
    let id = |i: usize| format!("EPJ-{}", 100_000 + i);
    let mut visits = String::from("ward_id,person_id,age,note\n");
    for i in 0..n {
        let (ward, note) = match i {
            0 => ("W1", format!("see {}", id(named[0]))),
            i if i == n - 1 => ("W2", format!("like {}", id(named[1]))),
            _ => ("W1", String::new()),
        };
        visits.push_str(&format!("{ward},{},40,{note}\n", id(i)));
    }
    let wards = format!("ward_id,ward_type,n_visits\nW1,ACUTE,{}\nW2,REHAB,1\n", n - 1);
    let r = write_return(
        dir.path(),
        "r",
        &[("report.csv", REPORT), ("wards.csv", &wards), ("visits.csv", &visits)],
    );
    let (code, json) = check(&pack, &[&r], "json");
    let json: Value = serde_json::from_str(&json).unwrap();
    let leaks: Vec<u64> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "VK0208")
        .map(|d| d["row"].as_u64().unwrap())
        .collect();
    assert_eq!((code, leaks), (1, vec![2, n as u64 + 1]), "both leaks are found");
    let out = dir.path().join("out");
    let o = clean(dir.path(), &pack, &[&r], &out, &["--on-error", "keep"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let all = texts_under(&out);
    for (name, text) in &all {
        for raw in named.map(id) {
            assert!(!text.contains(&raw), "raw identifier {raw} in {name}");
        }
    }
    let tagged: usize = all.iter().map(|(_, t)| t.matches("[ID]").count()).sum();
    assert!(tagged >= 2, "both notes tagged: {tagged}");
}

#[test]
fn a_national_id_spaced_with_no_break_or_thin_spaces_is_one_person_and_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    keygen(dir.path());
    let visits = "ward_id,person_id,age,note\nW1,31129956715,40,\nW2,31\u{a0}129\u{a0}956\u{a0}715,40,\nW1,31\u{2009}129\u{2009}956\u{2009}716,50,\n";
    let r = write_return(
        dir.path(),
        "r",
        &[
            ("report.csv", REPORT),
            ("wards.csv", "ward_id,ward_type,n_visits\nW1,ACUTE,2\nW2,REHAB,1\n"),
            ("visits.csv", visits),
        ],
    );
    let (_, json) = check(&pack, &[&r], "json");
    let json: Value = serde_json::from_str(&json).unwrap();
    let bad: Vec<&Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "VK0207")
        .collect();
    assert_eq!(
        bad.len(),
        1,
        "the thin-spaced number with wrong check digits is checked: {json}"
    );
    assert_eq!(bad[0]["row"], 4);
    let out = dir.path().join("out");
    clean(dir.path(), &pack, &[&r], &out, &[]);
    let rows = csv_rows(&out.join("visits.csv"));
    let pid = rows[0].iter().position(|h| h == "person_id").unwrap();
    assert_eq!(rows[1][pid], rows[2][pid], "one person, however the number was spaced");
    assert_ne!(rows[1][pid], rows[3][pid]);
    let flags = rows[0].iter().position(|h| h == "vakt_flags").unwrap();
    assert_eq!(
        rows[3][flags], "person_id:VK0207",
        "a wrong number is still pseudonymised, and flagged"
    );
}

// 3. Masking happens in the sink, for every rule ------------------------------------------------

#[test]
fn no_rule_can_print_a_raw_identifier() {
    let dir = tempfile::tempdir().unwrap();
    // Rules keyed on the identifier: a count, a cardinality, a consistency, an expression whose
    // message names it.
    let extra = r#"
[[table]]
name = "persons"
files = ["persons.csv"]
[[table.column]]
name = "person_id"
type = "text"
class = ["D"]
id_type = "person"
[[table.column]]
name = "n_visits"
type = "integer"
[[table.count]]
column = "n_visits"
table = "visits"
key = ["person_id"]
matching = ["person_id"]
[[table.cardinality]]
name = "once"
key = ["person_id"]
when = "n_visits >= 0"
max = 1
column = "n_visits"
[[table.consistent]]
key = ["person_id"]
columns = ["n_visits"]
[[table.rule]]
name = "few"
assert = "n_visits < 3"
message = "{person_id} has {n_visits} visits"
"#;
    let pack = write_pack(dir.path(), extra);
    let ids = ["31129956715", "15108695088", "01010150740"];
    let visits = format!(
        "ward_id,person_id,age,note\nW1,{},40,\nW1,{},50,\nW2,{},60,\n",
        ids[0], ids[1], ids[2]
    );
    let persons = format!("person_id,n_visits\n{},5\n{},7\n{},9\n", ids[0], ids[0], ids[1]);
    let r = write_return(
        dir.path(),
        "r",
        &[
            ("report.csv", REPORT),
            ("wards.csv", WARDS),
            ("visits.csv", &visits),
            ("persons.csv", &persons),
        ],
    );
    for format in ["json", "human"] {
        let (code, text) = check(&pack, &[&r], format);
        assert_eq!(code, 1);
        for codes in ["VK0203", "VK0205", "VK0204", "VK0201"] {
            assert!(text.contains(codes), "{format}: {codes} reported");
        }
        for id in ids {
            assert!(!text.contains(id), "{format}: raw {id} in the report:\n{text}");
            assert!(
                !text.contains(&id[6..]),
                "{format}: the personal number of {id} in the report"
            );
        }
    }
    // The same in Norwegian, in the HTML report and in the notes and list of the feedback
    // workbook (its cells are the authority's own data; what vakt writes about them is masked).
    let html = dir.path().join("report.html");
    let feedback = dir.path().join("feedback");
    let o = vakt()
        .args(["check", "--lang", "nb", "--rules"])
        .arg(&pack)
        .arg(&r)
        .arg("--html")
        .arg(&html)
        .arg("--feedback")
        .arg(&feedback)
        .output()
        .unwrap();
    let mut written = vec![(
        "terminal (nb)".to_string(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )];
    written.push(("html".into(), std::fs::read_to_string(&html).unwrap()));
    let book = std::fs::read_dir(&feedback).unwrap().next().unwrap().unwrap().path();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&book).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        // The notes (the data sheets are the return itself, identifiers and all).
        if name.contains("comments") {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut f, &mut s).unwrap();
            written.push((name, s));
        }
    }
    // The first sheet, which lists every finding, as Excel shows it.
    {
        use calamine::Reader;
        let mut wb = calamine::open_workbook_auto(&book).unwrap();
        let list = wb.worksheet_range("Tilbakemelding").unwrap();
        let cells: Vec<String> = list.rows().flatten().map(|c| c.to_string()).collect();
        written.push(("Tilbakemelding".into(), cells.join("\n")));
    }
    assert!(written.len() >= 4, "notes written: {}", written.len());
    for (what, text) in &written {
        for id in ids {
            assert!(
                !text.contains(id) && !text.contains(&id[6..]),
                "{what}: raw {id}:\n{text}"
            );
        }
    }
}

#[test]
fn a_value_that_a_later_table_shows_to_be_an_identifier_is_masked_in_earlier_findings() {
    // The wards table is checked before the staff table, so when the wrong ward type is found the
    // name in it is not yet known to be anyone's: masking must wait for the whole return.
    let dir = tempfile::tempdir().unwrap();
    let extra = r#"
[[table]]
name = "staff"
files = ["staff.csv"]
[[table.column]]
name = "staff_name"
type = "text"
class = ["D"]
"#;
    let pack = write_pack(dir.path(), extra);
    let wards = "ward_id,ward_type,n_visits\nW1,Ola Hansen,0\n";
    let r = write_return(
        dir.path(),
        "r",
        &[
            ("report.csv", "clinic,contact,n_wards\nSOLVANG,,1\n"),
            ("wards.csv", wards),
            ("visits.csv", "ward_id,person_id,age,note\n"),
            ("staff.csv", "staff_name\nOla Hansen\n"),
        ],
    );
    for format in ["json", "human"] {
        let (code, text) = check(&pack, &[&r], format);
        assert_eq!(code, 1, "{text}");
        assert!(text.contains("VK0104"), "{format}: the ward type is reported:\n{text}");
        assert!(
            !text.contains("Ola Hansen"),
            "{format}: the name in the report:\n{text}"
        );
    }
}

// 4. Tables do not vanish -----------------------------------------------------------------------

#[test]
fn a_missing_or_unreadable_parent_table_is_an_error_and_its_children_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    keygen(dir.path());
    let visits = "ward_id,person_id,age,note\nW1,EPJ-1,40,\nW2,EPJ-2,50,\n";
    let cases = [
        ("missing", vec![("report.csv", REPORT), ("visits.csv", visits)]),
        (
            "headerless",
            vec![
                ("report.csv", REPORT),
                ("wards.csv", "a,b,c\n1,2,3\n"),
                ("visits.csv", visits),
            ],
        ),
    ];
    for (name, files) in cases {
        let r = write_return(dir.path(), name, &files);
        let (code, json) = check(&pack, &[&r], "json");
        assert_eq!(code, 1, "{name}");
        assert!(
            json.contains("none of its 2 rows"),
            "{name}: the unresolvable references are named: {json}"
        );
        let out = dir.path().join(format!("out-{name}"));
        let o = clean(dir.path(), &pack, &[&r], &out, &[]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{name}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert!(String::from_utf8_lossy(&o.stdout).contains("incomplete"), "{name}");
        assert_eq!(
            csv_rows(&out.join("visits.csv")).len(),
            1,
            "{name}: no visit written without its ward"
        );
        assert_eq!(
            csv_rows(&out.join("rejected/visits.csv")).len(),
            3,
            "{name}: both rejected"
        );
        let manifest: Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert!(
            !manifest["inputs"][0]["problems"].as_array().unwrap().is_empty(),
            "{name}: listed"
        );
    }
}

// 5. The clean dataset has referential integrity ------------------------------------------------

#[test]
fn clean_output_has_no_orphans_and_checks_with_no_errors() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    keygen(dir.path());
    // W2 has a bad ward type and a second row with its key; a visit has a bad age; one visit's
    // ward does not exist.
    let wards = "ward_id,ward_type,n_visits\nW1,ACUTE,2\nW2,BADTYPE,1\nW2,ACUTE,1\n";
    let visits = "ward_id,person_id,age,note\nW1,EPJ-1,400,\nW1,EPJ-2,50,\nW2,EPJ-3,60,\nW9,EPJ-4,30,\n";
    let a = write_return(
        dir.path(),
        "a",
        &[("report.csv", REPORT), ("wards.csv", wards), ("visits.csv", visits)],
    );
    let b = write_return(
        dir.path(),
        "b",
        &[
            ("report.csv", "clinic,contact,n_wards\nFJELLTUN,Ola,1\n"),
            ("wards.csv", "ward_id,ward_type,n_visits\nW1,REHAB,1\n"),
            ("visits.csv", "ward_id,person_id,age,note\nW1,EPJ-1,41,\n"),
        ],
    );
    // (policy, visits written, wards written)
    for (policy, n_visits, n_wards) in [("cell", 4, 3), ("row", 2, 2)] {
        let out = dir.path().join(format!("out-{policy}"));
        let o = clean(dir.path(), &pack, &[&a, &b], &out, &["--on-error", policy]);
        assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
        let (code, json) = check(&pack, &[&out], "json");
        let json: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            json["summary"]["errors"],
            0,
            "{policy}: {}",
            serde_json::to_string_pretty(&json["diagnostics"]).unwrap()
        );
        assert_eq!(code, 0);
        let visits_out = csv_rows(&out.join("visits.csv"));
        let wards_out = csv_rows(&out.join("wards.csv"));
        // Every visit's (clinic, ward) is a ward of the clean dataset, and no (clinic, ward) twice.
        let ward_keys: std::collections::HashSet<(String, String)> =
            wards_out[1..].iter().map(|w| (w[0].clone(), w[1].clone())).collect();
        assert_eq!(ward_keys.len(), wards_out.len() - 1, "{policy}: a duplicate ward");
        for v in &visits_out[1..] {
            assert!(
                ward_keys.contains(&(v[0].clone(), v[1].clone())),
                "{policy}: orphan {v:?}"
            );
        }
        assert_eq!(
            (visits_out.len() - 1, wards_out.len() - 1),
            (n_visits, n_wards),
            "{policy}"
        );
        let rejected = std::fs::read_to_string(out.join("rejected/visits.csv")).unwrap();
        assert!(rejected.contains("W9"), "{policy}: the orphan is rejected");
        if policy == "cell" {
            let flags = visits_out[0].iter().position(|h| h == "vakt_flags").unwrap();
            assert!(
                visits_out[1..].iter().any(|v| v[flags] == "age:VK0103"),
                "the bad age is flagged"
            );
        } else {
            assert!(
                rejected.contains("was rejected"),
                "the visit of the rejected ward: {rejected}"
            );
        }
    }
}

// 6. Resubmissions ------------------------------------------------------------------------------

#[test]
fn a_return_sent_twice_is_reported_and_not_merged_into_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    keygen(dir.path());
    let visits = "ward_id,person_id,age,note\nW1,EPJ-1,40,\nW1,EPJ-2,50,\nW2,EPJ-3,60,\n";
    let files = [("report.csv", REPORT), ("wards.csv", WARDS), ("visits.csv", visits)];
    let a = write_return(dir.path(), "first", &files);
    let b = write_return(dir.path(), "corrected", &files);
    let (_, json) = check(&pack, &[&a, &b], "json");
    let json: Value = serde_json::from_str(&json).unwrap();
    let dup = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "VK0013")
        .count();
    assert_eq!(dup, 2, "each input names the other");
    let out = dir.path().join("out");
    let o = clean(dir.path(), &pack, &[&a, &b], &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("more than one input"));
    assert!(!out.exists());
    let o = clean(dir.path(), &pack, &[&a, &b], &out, &["--resubmissions", "latest"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(csv_rows(&out.join("visits.csv")).len(), 4, "one copy of each visit");
    let manifest: Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["resubmissions_left_out"][0], a.display().to_string());
}

// 7. Row accounting walks the same stream as check ----------------------------------------------

#[test]
fn a_styled_cell_far_below_the_table_is_one_trailing_run_not_a_million_rows() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    keygen(dir.path());
    let path = dir.path().join("return.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let rows: [(&str, &[&str]); 3] = [
        ("report", &["clinic", "contact", "n_wards", "SOLVANG", "Kari", "1"]),
        ("wards", &["ward_id", "ward_type", "n_visits", "W1", "ACUTE", "1"]),
        ("visits", &["ward_id", "person_id", "age", "W1", "EPJ-1", "40"]),
    ];
    for (sheet, cells) in rows {
        let ws = wb.add_worksheet();
        ws.set_name(sheet).unwrap();
        for (i, c) in cells.iter().enumerate() {
            ws.write_string((i / 3) as u32, (i % 3) as u16, *c).unwrap();
        }
        if sheet == "visits" {
            let f = rust_xlsxwriter::Format::new().set_bold();
            ws.write_blank(199_999, 0, &f).unwrap();
            ws.write_blank(1_048_575, 16_383, &f).unwrap();
        }
    }
    wb.save(&path).unwrap();
    let (_, json) = check(&pack, &[&path], "json");
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["summary"]["rows"], 3, "{json}");
    let out = dir.path().join("out");
    let o = clean(dir.path(), &pack, &[&path], &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let size = std::fs::metadata(out.join("manifest.json")).unwrap().len();
    assert!(size < 50_000, "manifest of {size} bytes");
    let manifest: Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let visits = manifest["inputs"][0]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "visits")
        .unwrap()
        .clone();
    assert_eq!(visits["rows_read"], 1_048_575, "rows 2..=1048576 under the header");
    assert_eq!(visits["data_rows"], 1);
    assert_eq!(
        visits["non_data"].as_array().unwrap().len(),
        1,
        "one trailing run: {visits}"
    );
}

// 8. Failures are not reported as success -------------------------------------------------------

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_standard_output_exits_2() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let o = std::process::Command::new(assert_cmd::cargo::cargo_bin("vakt"))
        .args(["check", "--format", "json", "fixtures/returns/clean.xlsx"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write"));
}

// 9. No survey knowledge in generic code ---------------------------------------------------------

#[test]
fn a_pack_without_a_return_key_gets_no_invented_columns_and_cannot_merge_returns() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("plain.toml");
    std::fs::write(
        &pack,
        "name = \"plain\"\nversion = \"1\"\n[id_types]\nperson = { form = \"text\" }\n[[table]]\nname = \"visits\"\n[[table.column]]\nname = \"person_id\"\ntype = \"text\"\nclass = [\"D\"]\nid_type = \"person\"\n[[table.column]]\nname = \"age\"\ntype = \"integer\"\n",
    )
    .unwrap();
    keygen(dir.path());
    let a = dir.path().join("bergen-csv.csv");
    std::fs::write(&a, "person_id,age\nA-1,40\n").unwrap();
    let out = dir.path().join("out");
    let o = clean(dir.path(), &pack, &[&a], &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(csv_rows(&out.join("visits.csv"))[0], ["person_id", "age", "vakt_flags"]);
    let o = clean(dir.path(), &pack, &[&a, &a], &dir.path().join("out2"), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("names no return key"));
    // An id type the pack does not declare is a pack error, not a silent default.
    std::fs::write(
        &pack,
        std::fs::read_to_string(&pack)
            .unwrap()
            .replace("id_type = \"person\"", "id_type = \"persn\""),
    )
    .unwrap();
    let (code, _) = check(&pack, &[&a], "json");
    assert_eq!(code, 2);
}

// 10. The audit trail identifies the rules -------------------------------------------------------

#[test]
fn the_pack_hash_covers_every_file_it_loads() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write_pack(dir.path(), "");
    let r = write_return(
        dir.path(),
        "r",
        &[
            ("report.csv", REPORT),
            ("wards.csv", WARDS),
            ("visits.csv", "ward_id,person_id,age,note\nW1,EPJ-1,40,\n"),
        ],
    );
    let rules = |p: &Path| -> Value {
        let (_, json) = check(p, &[&r], "json");
        serde_json::from_str::<Value>(&json).unwrap()["rules"].clone()
    };
    let before = rules(&pack);
    std::fs::write(dir.path().join("ward_type.csv"), format!("{WARD_TYPES}DAY,Day,Dag,\n")).unwrap();
    let after = rules(&pack);
    assert_ne!(
        before["sha256"], after["sha256"],
        "a code-list edit changes the pack hash"
    );
    assert_eq!(after["files"][0]["path"], "ward_type.csv");
    assert_eq!(after["embedded"], false);
    let o = vakt()
        .args(["check", "--format", "json", "fixtures/returns/clean.xlsx"])
        .output()
        .unwrap();
    let survey: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(survey["rules"]["embedded"], true);
    assert!(survey["rules"]["files"].as_array().unwrap().len() >= 14);
}

// 11. Key hygiene --------------------------------------------------------------------------------

#[test]
fn an_ambiguous_domain_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let fixture = std::fs::canonicalize("fixtures/returns/HN-FIN").unwrap();
    for domain in ["", "a|b", "line\nbreak"] {
        let out = dir.path().join("out");
        let o = vakt()
            .current_dir(dir.path())
            .arg("clean")
            .arg(&fixture)
            .args(["--key", "k.key", "--domain", domain, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{domain:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("domain"), "{domain:?}");
        assert!(!out.exists());
    }
}
