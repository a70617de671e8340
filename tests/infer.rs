//! `vakt infer`: a draft pack from a sample checks the sample without errors, unedited, and finds
//! the out-of-range and unknown-code cells of a messy return of the same kind.

use std::process::Command;

fn vakt(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vakt"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn errors(out: &std::process::Output) -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["cell"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_draft_from_a_sample_checks_it_cleanly_and_flags_a_messy_return() {
    let dir = tempfile::tempdir().unwrap();
    let draft = vakt(&["infer", "fixtures/returns/clean.xlsx"]);
    assert!(draft.status.success(), "{}", String::from_utf8_lossy(&draft.stderr));
    let pack = dir.path().join("draft.toml");
    std::fs::write(&pack, &draft.stdout).unwrap();
    let pack = pack.to_str().unwrap();
    let clean = vakt(&[
        "check",
        "--rules",
        pack,
        "fixtures/returns/clean.xlsx",
        "--format",
        "json",
    ]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    assert_eq!(errors(&clean), vec![]);
    // The oracle: the cells the survey pack finds out of range or not in a code list, as errors.
    let survey = vakt(&["check", "fixtures/returns/messy.xlsx", "--format", "json"]);
    let expected: Vec<String> = errors(&survey)
        .into_iter()
        .filter(|(code, _)| code == "VK0103" || code == "VK0104")
        .map(|(_, cell)| cell)
        .collect();
    assert!(expected.len() >= 5, "{expected:?}");
    let messy = vakt(&[
        "check",
        "--rules",
        pack,
        "fixtures/returns/messy.xlsx",
        "--format",
        "json",
    ]);
    let flagged: Vec<String> = errors(&messy).into_iter().map(|(_, cell)| cell).collect();
    for cell in &expected {
        assert!(flagged.contains(cell), "{cell} not flagged by the draft: {flagged:?}");
    }
}

#[test]
fn a_draft_marks_identifiers_codes_keys_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let ret = dir.path().join("return");
    std::fs::create_dir(&ret).unwrap();
    std::fs::write(
        ret.join("homes.csv"),
        "Home ID,Municipality,Beds\nH1,0301,40\nH2,1103,22\nH3,0301,31\n",
    )
    .unwrap();
    std::fs::write(
        ret.join("residents.csv"),
        "Home ID,Resident,Ward kind,Admitted,Contact\nH1,31129956715,long-term,2024-01-02,kari@example.no\nH1,15108695088,short-term,2024-02-03,ola@example.no\nH2,01010150740,long-term,2024-03-04,per@example.no\nH3,30108299920,long-term,2024-04-05,eva@example.no\n",
    )
    .unwrap();
    let out = vakt(&["infer", ret.to_str().unwrap()]);
    assert!(out.status.success());
    let toml = String::from_utf8(out.stdout).unwrap();
    let column = |name: &str| -> String {
        let at = toml
            .find(&format!("name = \"{name}\""))
            .unwrap_or_else(|| panic!("{name} in {toml}"));
        toml[at..].split("\n\n").next().unwrap().to_string()
    };
    assert!(column("home_id").contains("unique = true"), "{toml}");
    assert!(column("municipality").contains("pattern = \"[0-9]{4}\""), "{toml}");
    assert!(
        column("beds").contains("type = \"integer\"") && column("beds").contains("range = "),
        "{toml}"
    );
    assert!(
        column("resident").contains("class = [\"D\"]") && column("resident").contains("id_type = \"person\""),
        "{toml}"
    );
    assert!(column("contact").contains("class = [\"D\"]"), "{toml}");
    assert!(column("ward_kind").contains("codelist = \"ward_kind\""), "{toml}");
    assert!(column("admitted").contains("type = \"date\""), "{toml}");
    assert!(
        toml.contains("[[table.relation]]") && toml.contains("references = [\"home_id\"]"),
        "{toml}"
    );
    // Unedited, it checks the sample without errors.
    let pack = dir.path().join("draft.toml");
    std::fs::write(&pack, &toml).unwrap();
    let check = vakt(&[
        "check",
        "--rules",
        pack.to_str().unwrap(),
        ret.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}
