//! The example crate is the `vakt` command with its kind: check, explain and JSON reports work
//! as in `vakt`, and the kind reads its columns and threshold from the pack.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vakt-example-plugin"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_kind_reads_its_columns_and_threshold_from_the_pack() {
    let (code, out, err) = run(&[
        "check",
        "--rules",
        "tests/data/pack.toml",
        "tests/data/groups.csv",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "warnings only: {err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(&str, &str, &str)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "CMPL01")
        .map(|d| {
            (
                d["column"].as_str().unwrap(),
                d["severity"].as_str().unwrap(),
                d["message"].as_str().unwrap(),
            )
        })
        .collect();
    // frequency is blank in 1 of 4 rows (25 %, allowed); comment in 3 of 4 (75 %).
    assert_eq!(
        found,
        vec![(
            "comment",
            "warning",
            "`comment` is blank in 3 of 4 rows (75 %); at most 25 % may be"
        )]
    );
}

#[test]
fn every_subcommand_is_vakts_and_knows_the_kind() {
    let (code, out, _) = run(&["explain", "CMPL01"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("A column is blank in more of a table's rows than the pack allows."),
        "{out}"
    );
    let (code, out, _) = run(&["rules"]);
    assert_eq!(code, 0);
    assert!(out.lines().any(|l| l.starts_with("CMPL01  completeness")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("VK0103  range")), "{out}");
    let (code, _, err) = run(&["check", "--rules", "tests/data/pack.toml", "no-such-file.csv"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_mistake_in_the_params_points_into_the_pack() {
    let dir = tempfile::tempdir().unwrap();
    let pack = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pack.toml"))
        .unwrap()
        .replace("max_blank_share = 0.25", "max_blank_shar = 0.25");
    let path = dir.path().join("pack.toml");
    std::fs::write(&path, pack).unwrap();
    let (code, _, err) = run(&["check", "--rules", path.to_str().unwrap(), "tests/data/groups.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown field `max_blank_shar`"), "{err}");
    assert!(err.contains("pack.toml:12"), "{err}");
}
