//! End-to-end tests of the `vakt` binary on the shipped fixtures: exit codes, the JSON contract, and
//! snapshots of every finding (reviewed by hand when they change: `cargo insta review`).

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn vakt() -> Command {
    Command::cargo_bin("vakt").unwrap()
}

/// Runs `vakt check --format json` and returns (exit code, parsed JSON).
fn check_json(args: &[&str]) -> (i32, Value) {
    let out = vakt()
        .arg("check")
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), json)
}

/// Compact one-line-per-finding view for snapshots: severity code cell/row column value | message | help.
fn findings(json: &Value) -> String {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let place = match (&d["cell"], &d["row"]) {
                (Value::String(c), _) => c.clone(),
                (_, Value::Number(r)) => format!("{}:{r}", d["file"].as_str().unwrap()),
                _ => d["file"].as_str().unwrap().to_string(),
            };
            format!(
                "{:<7} {} {} [{}] {} | {} | {}",
                d["severity"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                place,
                d["column"].as_str().unwrap_or("-"),
                d["value"].as_str().map(|v| format!("`{v}`")).unwrap_or_default(),
                d["message"].as_str().unwrap(),
                d["help"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn clean_workbook_has_no_findings_and_exits_0() {
    let (code, json) = check_json(&["fixtures/returns/clean.xlsx"]);
    assert_eq!(code, 0);
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["summary"]["warnings"], 0);
    assert_eq!(json["summary"]["rows"], 23);
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn ods_xls_and_1904_workbooks_read_like_the_xlsx() {
    for f in [
        "fixtures/returns/clean.ods",
        "fixtures/returns/clean.xls",
        "fixtures/returns/mac-1904.xlsx",
    ] {
        let (code, json) = check_json(&[f]);
        assert_eq!(code, 0, "{f}");
        assert_eq!(json["summary"]["errors"], 0, "{f}: {}", findings(&json));
        assert_eq!(json["summary"]["rows"], 23, "{f}");
    }
    // The bare serial 38361 in a 1904 workbook is 2009-01-10, not 2013-01-11.
    let (_, json) = check_json(&["fixtures/returns/mac-1904.xlsx"]);
    let note = &json["diagnostics"][0];
    assert_eq!(note["cell"], "Groups!J3");
    assert!(
        note["message"].as_str().unwrap().contains("read as 2009-01-10"),
        "{note}"
    );
}

#[test]
fn a_csv_folder_is_identified_by_the_hash_of_its_files_names_and_hashes() {
    // Worked out here from the files themselves: SHA-256 over "name NUL sha256-hex LF" for each
    // CSV file, in name order; a file that is not text counts as "unreadable".
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("r");
    common::copy_fixture_folder("fixtures/returns/HN-FIN", &folder, &[]);
    std::fs::write(folder.join("zz.csv"), b"PK\x03\x04 a renamed workbook").unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    use sha2::Digest;
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let mut whole = sha2::Sha256::new();
    for n in &names {
        let digest = match n.as_str() {
            "zz.csv" => "unreadable".to_string(),
            _ => hex(&sha2::Sha256::digest(std::fs::read(folder.join(n)).unwrap())),
        };
        whole.update(format!("{n}\0{digest}\n").as_bytes());
    }
    let (_, json) = check_json(&[folder.to_str().unwrap()]);
    assert_eq!(json["inputs"][0]["sha256"], hex(&whole.finalize()).as_str());
}

#[test]
fn json_contract_has_every_field() {
    let (_, json) = check_json(&["fixtures/returns/messy.xlsx"]);
    assert_eq!(json["tool"]["name"], "vakt");
    assert_eq!(json["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["rules"]["path"], "rules/group-therapy-survey.toml");
    assert_eq!(json["rules"]["sha256"].as_str().unwrap().len(), 64);
    let input = &json["inputs"][0];
    assert_eq!(input["path"], "fixtures/returns/messy.xlsx");
    assert_eq!(input["format"], "xlsx");
    let bytes = std::fs::read("fixtures/returns/messy.xlsx").unwrap();
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(input["sha256"], sha.as_str());
    let groups = input["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "groups")
        .unwrap();
    assert_eq!(groups["sheet"], "Grupper (2)");
    assert_eq!(groups["header_row"], 2);
    assert_eq!(groups["data_rows"], 4);
    assert!(json["truncated"].is_null());
    for d in json["diagnostics"].as_array().unwrap() {
        for key in [
            "code", "severity", "message", "help", "file", "sheet", "row", "column", "cell", "value",
        ] {
            assert!(d.get(key).is_some(), "diagnostic lacks `{key}`: {d}");
        }
    }
    let s = &json["summary"];
    let n = |k: &str| s[k].as_u64().unwrap();
    assert_eq!(
        n("errors") + n("warnings") + n("infos"),
        json["diagnostics"].as_array().unwrap().len() as u64
    );
}

#[test]
fn messy_workbook_findings_at_their_cells() {
    let (code, json) = check_json(&["fixtures/returns/messy.xlsx"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("messy_xlsx", findings(&json));
}

#[test]
fn cross_sheet_defects_at_their_cells() {
    let (code, json) = check_json(&["fixtures/returns/cross.xlsx"]);
    assert_eq!(code, 1);
    let codes: std::collections::BTreeSet<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for c in [
        "VK0201", "VK0202", "VK0203", "VK0204", "VK0205", "VK0206", "VK0207", "VK0208",
    ] {
        assert!(codes.contains(c), "{c} not reported");
    }
    insta::assert_snapshot!("cross_xlsx", findings(&json));
}

#[test]
fn windows_1252_csv_folder() {
    let (code, json) = check_json(&["fixtures/returns/HN-FIN"]);
    assert_eq!(code, 1);
    let tables = json["inputs"][0]["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 6, "every table found by its Norwegian file name");
    let d = &json["diagnostics"];
    // CSV findings carry the file inside the folder, a line, no sheet and no cell.
    let kvine = d.as_array().unwrap().iter().find(|x| x["value"] == "Kvine").unwrap();
    assert_eq!(kvine["file"], "fixtures/returns/HN-FIN/pasienter.csv");
    assert_eq!(kvine["row"], 5);
    assert!(kvine["sheet"].is_null() && kvine["cell"].is_null());
    assert_eq!(kvine["help"], "did you mean Kvinne (F)?");
    insta::assert_snapshot!("hn_fin_csv", findings(&json));
}

#[test]
fn corrupt_input_exits_2_and_other_inputs_are_still_checked() {
    let (code, json) = check_json(&[
        "fixtures/returns/corrupt.xlsx",
        "fixtures/returns/messy.xlsx",
        "does/not/exist.xlsx",
    ]);
    assert_eq!(code, 2);
    let d = json["diagnostics"].as_array().unwrap();
    assert_eq!(d[0]["code"], "VK0001");
    assert_eq!(d[0]["file"], "fixtures/returns/corrupt.xlsx");
    assert!(d[0]["message"]
        .as_str()
        .unwrap()
        .contains("fixtures/returns/corrupt.xlsx"));
    assert!(
        d.iter().any(|x| x["file"] == "fixtures/returns/messy.xlsx"),
        "messy.xlsx still checked"
    );
    let missing = d.iter().find(|x| x["file"] == "does/not/exist.xlsx").unwrap();
    assert_eq!(missing["code"], "VK0001");
    assert_eq!(json["inputs"].as_array().unwrap().len(), 3);
}

#[test]
fn a_password_protected_workbook_is_named_as_such() {
    // fixtures/returns/encrypted.xlsx: clean.xlsx encrypted by msoffcrypto-tool (password `hemmelig`).
    let (code, json) = check_json(&["fixtures/returns/encrypted.xlsx", "fixtures/returns/clean.xlsx"]);
    assert_eq!(code, 2);
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "VK0001");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("password-protected or encrypted"),
        "{d}"
    );
    assert_eq!(
        json["inputs"][1]["tables"].as_array().unwrap().len(),
        6,
        "the other input is still checked"
    );
}

#[test]
fn unsupported_and_encrypted_files_exit_2_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("return.pdf");
    std::fs::write(&txt, b"%PDF-1.4").unwrap();
    // An encrypted OOXML file is an OLE compound file holding an `EncryptedPackage` stream.
    let enc = dir.path().join("locked.xlsx");
    std::fs::write(&enc, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 not really").unwrap();
    for p in [&txt, &enc] {
        let out = vakt().arg("check").arg(p).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", p.display());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(&p.display().to_string()), "{stdout}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn max_diagnostics_cuts_the_list_not_the_totals() {
    let (_, full) = check_json(&["fixtures/returns/messy.xlsx"]);
    let (_, cut) = check_json(&["fixtures/returns/messy.xlsx", "--max-diagnostics", "3"]);
    assert_eq!(cut["diagnostics"].as_array().unwrap().len(), 3);
    assert_eq!(cut["summary"], full["summary"]);
    let total = full["diagnostics"].as_array().unwrap().len() as u64;
    assert_eq!(cut["truncated"]["limit"], 3);
    assert_eq!(cut["truncated"]["omitted"], total - 3);
}

#[test]
fn deny_warnings_fails_on_warnings() {
    let mut dir = tempfile::tempdir().unwrap().keep();
    dir.push("groups.csv");
    std::fs::write(&dir, "group_id,unit_id,group_type,group_format,frequency,session_minutes,duration_cat,start_date,n_patients,n_therapists\nG1,U1,CBT,CLOSED,W,30,LT6,2009-01-01,8,1\n").unwrap();
    let p = dir.to_str().unwrap();
    let (code, json) = check_json(&[p]);
    assert_eq!(
        (code, json["summary"]["errors"].as_u64()),
        (0, Some(0)),
        "{}",
        findings(&json)
    );
    assert_eq!(json["summary"]["warnings"], 1, "30 min is outside the soft range");
    let (code, _) = check_json(&[p, "--deny", "warnings"]);
    assert_eq!(code, 1);
}

#[test]
fn identifiers_are_masked_in_every_output() {
    // A duplicate patient (group + fødselsnummer) must not print the number.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("patients.csv");
    std::fs::write(
        &p,
        "group_id;patient_id;birth_year;sex;main_dx\nG1;31129956715;1999;F;F32.1\nG1;31129956715;1999;F;F32.1\n",
    )
    .unwrap();
    for format in ["json", "human"] {
        let out = vakt().args(["check", "--format", format]).arg(&p).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("311299*****"), "{text}");
        assert!(
            !text.contains("31129956715"),
            "raw identifier leaked in {format} output: {text}"
        );
    }
}

#[test]
fn bad_rule_pack_points_into_the_toml_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.toml");
    std::fs::write(&pack, "name = \"p\"\nversion = \"1\"\n[[table]]\nname = \"groups\"\n[[table.column]]\nname = \"x\"\ntype = \"numbr\"\n").unwrap();
    let out = vakt()
        .args(["check", "--color", "never", "--rules"])
        .arg(&pack)
        .arg("fixtures/returns/clean.xlsx")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pack.toml"), "{err}");
    assert!(err.contains("unknown variant `numbr`"), "{err}");
    assert!(err.contains("7 │ type = \"numbr\""), "miette shows the line: {err}");
}

#[test]
fn pack_from_a_file_behaves_like_the_embedded_one() {
    let (code, json) = check_json(&[
        "--rules",
        "rules/group-therapy-survey.toml",
        "fixtures/returns/messy.xlsx",
    ]);
    let (_, embedded) = check_json(&["fixtures/returns/messy.xlsx"]);
    assert_eq!(code, 1);
    assert_eq!(json["diagnostics"], embedded["diagnostics"]);
    assert_eq!(json["rules"]["sha256"], embedded["rules"]["sha256"]);
}

#[test]
fn human_output_groups_by_sheet_with_a_summary_line() {
    let out = vakt()
        .args(["check", "--color", "never", "fixtures/returns/messy.xlsx"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sheet 'Grupper (2)'"), "{text}");
    assert!(
        text.contains("[VK0103] 'Grupper (2)'!G3: session_minutes: 900 min is outside the allowed range 15..240"),
        "{text}"
    );
    assert!(text.contains("help: did you mean Psykodynamisk (PSYDYN)?"), "{text}");
    let (_, json) = check_json(&["fixtures/returns/messy.xlsx"]);
    let errors = json["summary"]["errors"].as_u64().unwrap();
    assert!(
        text.contains(&format!("✗ fixtures/returns/messy.xlsx: {errors} errors")),
        "{text}"
    );
}

#[test]
fn explain_and_rules_document_every_code() {
    let out = vakt().args(["rules"]).output().unwrap();
    assert!(out.status.success());
    let list = String::from_utf8_lossy(&out.stdout);
    for code in [
        "VK0001", "VK0101", "VK0102", "VK0103", "VK0104", "VK0105", "VK0106", "VK0107", "VK0108",
    ] {
        assert!(list.contains(code), "{code} not listed");
        let doc = vakt().args(["explain", code]).output().unwrap();
        assert!(doc.status.success());
        let text = String::from_utf8_lossy(&doc.stdout);
        assert!(text.starts_with(&format!("# {code} ")), "{text}");
        assert!(text.lines().count() > 3, "{code}: documentation too short");
    }
    let explained = vakt().args(["explain", "range"]).output().unwrap();
    assert!(String::from_utf8_lossy(&explained.stdout).contains("soft_range"));
    assert_eq!(
        vakt().args(["explain", "VK9999"]).output().unwrap().status.code(),
        Some(2)
    );
}

#[test]
fn json_schema_file_is_in_sync_with_the_code() {
    let out = vakt().arg("schema").output().unwrap();
    let generated = String::from_utf8(out.stdout).unwrap();
    let committed = std::fs::read_to_string("docs/rules.schema.json").unwrap();
    assert_eq!(
        generated, committed,
        "run `cargo run -- schema > docs/rules.schema.json`"
    );
}

/// The survey rules that neither the fixtures nor the synthetic harness breach, breached here.
#[test]
fn remaining_survey_rules_fire() {
    let dir = tempfile::tempdir().unwrap();
    let ret = dir.path().join("RET");
    std::fs::create_dir(&ret).unwrap();
    std::fs::write(
        ret.join("submission.csv"),
        "authority_code,region,reference_date,submitted_date,contact_phone,n_units,n_groups\nHV-BERGEN,HV,2007-12-01,2008-01-15,12345,1,2\n",
    )
    .unwrap();
    std::fs::write(ret.join("units.csv"), "unit_id,unit_name,setting\nU1,Bergen DPS,DPS\n").unwrap();
    std::fs::write(
        ret.join("groups.csv"),
        "group_id,unit_id,group_type,group_format,frequency,session_minutes,duration_cat,start_date,n_patients,n_therapists\n\
         G1,U1,CBT,CLOSED,W,90,LT6,1979-06-01,0,1\n\
         G2,U1,CBT,CLOSED,W,90,LT6,2008-01-10,0,1\n",
    )
    .unwrap();
    let (_, json) = check_json(&[ret.to_str().unwrap()]);
    let d = json["diagnostics"].as_array().unwrap();
    let at = |code: &str, column: &str, row: u64| {
        d.iter()
            .find(|x| x["code"] == code && x["column"] == column && x["row"] == row)
            .unwrap_or_else(|| panic!("no {code} at {column} row {row}: {json:#}"))
    };
    assert!(at("VK0103", "reference_date", 2)["message"]
        .as_str()
        .unwrap()
        .contains("outside the allowed range 2008-01-01.."));
    at("VK0105", "contact_phone", 2);
    at("VK0103", "start_date", 2);
    assert!(at("VK0201", "start_date", 3)["message"]
        .as_str()
        .unwrap()
        .contains("after the reference date 2007-12-01"));
}

#[test]
fn a_bad_pack_is_a_json_error_with_json_output_and_never_a_panic_in_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("bad.toml");
    std::fs::write(
        &pack,
        "name = \"x\"\nversion = \"1\"\n[[table]]\nname = \"t\"\n[[table.column]]\nname = \"a\"\ntype = \"integr\"\n",
    )
    .unwrap();
    let out = vakt()
        .args([
            "check",
            "--rules",
            pack.to_str().unwrap(),
            "--format",
            "json",
            "fixtures/returns/clean.xlsx",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(doc["error"]["kind"], "pack");
    let mistake = &doc["error"]["mistakes"][0];
    assert_eq!(
        (mistake["line"].as_u64(), mistake["column"].as_u64()),
        (Some(7), Some(8))
    );
    assert!(mistake["message"]
        .as_str()
        .unwrap()
        .contains("unknown variant `integr`"));
    // A reader that stops after one byte: no panic, still exit 2.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vakt"))
        .args([
            "check",
            "--rules",
            pack.to_str().unwrap(),
            "--format",
            "json",
            "fixtures/returns/clean.xlsx",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// A run over several returns ends with a table of them, in the language asked for; the JSON
/// carries each return's status and totals; lines fit the width asked for.
#[test]
fn a_national_run_ends_with_a_row_per_return_in_either_language() {
    let inputs = [
        "fixtures/returns/messy.xlsx",
        "fixtures/returns/HN-FIN",
        "fixtures/returns/mac-1904.xlsx",
    ];
    let (_, json) = check_json(&inputs);
    let mut per_input = [0u64; 3];
    for (i, input) in json["inputs"].as_array().unwrap().iter().enumerate() {
        let errors = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error" && d["file"].as_str().unwrap().starts_with(inputs[i]))
            .count() as u64;
        assert_eq!(input["summary"]["errors"], errors, "{input}");
        assert_eq!(input["status"], if errors > 0 { "errors" } else { "ok" });
        per_input[i] = input["summary"]["rows"].as_u64().unwrap();
    }
    let out = vakt()
        .args(["check", "--lang", "nb"])
        .args(inputs)
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Innlevering "))
        .take(4)
        .collect();
    assert_eq!(table.len(), 4, "{text}");
    assert!(
        table[0].contains("Datarader") && table[0].contains("Advarsler"),
        "{}",
        table[0]
    );
    for (i, input) in inputs.iter().enumerate() {
        assert!(table[i + 1].starts_with(input), "{}", table[i + 1]);
        assert!(
            table[i + 1].split_whitespace().nth(1) == Some(per_input[i].to_string().as_str()),
            "{}",
            table[i + 1]
        );
    }
    assert!(text.lines().last().unwrap().starts_with("3 innleveringer: "), "{text}");
    let widest = text
        .lines()
        .filter(|l| l.contains("× [") || l.contains("│"))
        .map(|l| l.chars().count())
        .max()
        .unwrap();
    assert!(widest <= 80, "a finding line of {widest} columns");
    let one = vakt()
        .args(["check", "--lang", "en", "fixtures/returns/clean.xlsx"])
        .output()
        .unwrap();
    let one = String::from_utf8(one.stdout).unwrap();
    assert!(
        one.ends_with("1 return: 0 errors, 0 warnings, 0 notes in 23 data rows\n"),
        "{one}"
    );
    assert!(!one.contains("Status"), "one return needs no table: {one}");
}

/// Runs `vakt ARGS` with standard error on a terminal (through `script`), the progress shown at
/// once; returns what the terminal showed.
fn on_a_terminal(args: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_vakt");
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("{bin} {args} > /dev/null"), "/dev/null"])
        .env("VAKT_PROGRESS_DELAY_MS", "0")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("script (util-linux) runs a command on a terminal");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn progress_is_shown_on_a_terminal_only_and_never_with_quiet() {
    let inputs = "fixtures/returns/messy.xlsx fixtures/returns/HN-FIN fixtures/returns/clean.ods";
    let shown = on_a_terminal(&format!("check {inputs}"));
    assert!(shown.contains("checking [") && shown.contains("/3"), "{shown:?}");
    let quiet = on_a_terminal(&format!("check --quiet {inputs}"));
    assert!(!quiet.contains("checking ["), "{quiet:?}");
    // Piped, standard error shows no bar.
    let piped = vakt()
        .args(["check", "fixtures/returns/messy.xlsx", "fixtures/returns/HN-FIN"])
        .env("VAKT_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("checking ["));
}

/// A pack can be checked without data: loaded, validated and summarised (exit 0), or its
/// mistakes shown (exit 2).
#[test]
fn a_pack_is_checked_and_summarised_without_returns() {
    let out = vakt()
        .args(["check", "--rules", "examples/packs/nursing-home-monthly.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("nursing-home-monthly 2026.1: the pack loads without mistakes"),
        "{text}"
    );
    assert!(
        text.contains("table stays") && text.contains("2 relations") && text.contains("1 relation\n"),
        "{text}"
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\nversion = \"1\"\n[[table]]\nname = \"t\"\n[[table.column]]\nname = \"a\"\ntype = \"txt\"\n",
    )
    .unwrap();
    let out = vakt()
        .args(["check", "--rules", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 mistake"));
}

/// Another domain's return checked without its pack: one error says the built-in survey pack was
/// used and how to give another, not one "table not found" per survey table.
#[test]
fn a_return_of_another_kind_is_told_to_bring_its_pack() {
    let (code, json) = check_json(&["fixtures/nursing-home/bergen-2026-10.xlsx"]);
    assert_eq!(code, 1);
    let errors: Vec<&Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("survey pack built into vakt"));
    assert!(errors[0]["help"].as_str().unwrap().contains("--rules PACK"));
}

/// A header one letter from a pack's label: the missing-column finding names both, so the two
/// findings it causes are read as one mistake (in the pack or in the file).
#[test]
fn a_header_close_to_a_missing_columns_label_is_named_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("p.toml");
    std::fs::write(
        &pack,
        "name = \"w\"\nversion = \"1\"\n[[table]]\nname = \"wards\"\n\
         [[table.column]]\nname = \"ward\"\nlabel_no = \"Avdeling\"\ntype = \"text\"\n\
         [[table.column]]\nname = \"beds\"\nlabel_no = \"Senger\"\ntype = \"integer\"\n\
         [[table.column]]\nname = \"occupied\"\nlabel_no = \"Beleg\"\ntype = \"integer\"\nrequired = true\n",
    )
    .unwrap();
    let ret = dir.path().join("r");
    std::fs::create_dir(&ret).unwrap();
    std::fs::write(ret.join("wards.csv"), "Avdeling,Senger,Belegg\nA1,20,19\n").unwrap();
    let (_, json) = check_json(&["--rules", pack.to_str().unwrap(), ret.to_str().unwrap()]);
    let missing = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "VK0003")
        .unwrap();
    assert_eq!(
        missing["help"],
        "the file's `Belegg` is close to the pack's `Beleg` for `occupied`: a typo in the pack or in the file?"
    );
}

/// A quoted field over two lines (kept with its CRLF) puts the next record on line 4 as record 3:
/// CSV findings name both, counted by hand from the bytes below; before it, only the line.
#[test]
fn csv_findings_past_a_multi_line_record_name_the_line_and_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grupper.csv");
    std::fs::write(
        &path,
        "Gruppe-ID,Enhets-ID,Gruppetype,Gruppeform,Hyppighet,Varighet per møte (min),Behandlingsvarighet,Oppstartsdato,Antall pasienter,Antall terapeuter,Koterapi,Kommentar\r\n\
         G1,U1,CBT,CLOSED,W,901,LT6,2009-01-01,5,1,false,\"to\r\nlinjer\"\r\n\
         G2,U1,CBT,CLOSED,W,900,LT6,2009-01-01,5,1,false,ok\r\n",
    )
    .unwrap();
    let (_, json) = check_json(&[path.to_str().unwrap()]);
    let at: Vec<(u64, Option<u64>)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "VK0103")
        .map(|d| (d["row"].as_u64().unwrap(), d["record"].as_u64()))
        .collect();
    assert_eq!(at, [(2, None), (4, Some(3))]);
    let text = vakt().arg("check").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("line 4 (record 3), column 6"), "{text}");
}

/// A return that sends counts, with a pack written for the test: a shown count below the threshold
/// is an error at its cell; the return's own suppression symbol passes, as does zero.
#[test]
fn small_counts_in_an_aggregate_sheet_must_be_suppressed() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("counts.toml");
    std::fs::write(
        &pack,
        "name = \"counts\"\nversion = \"1\"\n[[table]]\nname = \"residents\"\nfiles = [\"beboere.csv\"]\n\
         [[table.column]]\nname = \"home\"\ntype = \"text\"\nrequired = true\n\
         [[table.column]]\nname = \"n_women\"\ntype = \"integer\"\nrequired = true\nsuppressed = [\":\"]\n\
         [[table.column]]\nname = \"n_men\"\ntype = \"integer\"\nrequired = true\nsuppressed = [\":\"]\n\
         [[table.small_count]]\ncolumns = [\"n_women\", \"n_men\"]\nthreshold = 5\n",
    )
    .unwrap();
    let data = dir.path().join("beboere.csv");
    std::fs::write(&data, "home,n_women,n_men\nSolsiden,12,:\nFjordly,0,7\nLinden,2,9\n").unwrap();
    let (code, json) = check_json(&["--rules", pack.to_str().unwrap(), data.to_str().unwrap()]);
    assert_eq!(code, 1);
    let found: Vec<(String, u64, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] != "info")
        .map(|d| {
            (
                d["code"].as_str().unwrap().into(),
                d["row"].as_u64().unwrap(),
                d["column"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(found, [("VK0212".to_string(), 4, "n_women".to_string())]);
    let explained = vakt().args(["explain", "small-count"]).output().unwrap();
    assert!(String::from_utf8_lossy(&explained.stdout).starts_with("# VK0212 small-count"));
}

/// Mistakes in a publication plan are pack errors, pointing at the entry, with a suggestion.
#[test]
fn publication_plan_mistakes_are_pack_errors() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("plan.toml");
    std::fs::write(
        &pack,
        "name = \"plan\"\nversion = \"1\"\n[[table]]\nname = \"people\"\n[[table.column]]\nname = \"region\"\ntype = \"text\"\n\
         [[publication]]\nname = \"a\"\ntable = \"peple\"\nrows = \"region\"\n\
         [[publication]]\nname = \"../b\"\ntable = \"people\"\nrows = \"regoin\"\nsymbol = \"#\"\n\
         [[publication]]\nname = \"c\"\ntable = \"people\"\nrows = \"region\"\npreset = \"sbb\"\n\
         [[publication]]\nname = \"d\"\ntable = \"people\"\nrows = \"region\"\nrows_within = [\"regoin\"]\n",
    )
    .unwrap();
    let o = vakt().args(["check", "--rules"]).arg(&pack).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let text = String::from_utf8_lossy(&o.stderr);
    for said in [
        "publication `a`: no table `peple`",
        "did you mean `people`?",
        "no column `regoin` in its tables",
        "did you mean `region`?",
        "symbol `#` is not one of",
        "a name is letters, digits",
        "no preset `sbb`",
        "did you mean `ssb`?",
        "publication `d`: no column `regoin`",
        "a hierarchy of rows (`rows_within`) needs `cols`",
    ] {
        assert!(text.contains(said), "missing `{said}`:\n{text}");
    }
}
