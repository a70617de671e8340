//! Returns laid out as people really make them (`fixtures/layouts/`, written by
//! `fixtures/make_layouts.py` from `fixtures/returns/HN-FIN`): vakt finds in each exactly what it
//! finds in HN-FIN itself, at the same lines and columns. The oracle is the original return, read
//! the ordinary way; nothing here asks the reader what a layout means.

use std::collections::BTreeSet;
use std::process::Command;

/// (code, file name, row, column, severity) of every finding, the encoding notice left out (it
/// differs by construction for the UTF-8 variant).
fn findings(input: &str) -> BTreeSet<(String, String, u64, String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", input, "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !(d["code"] == "VK0015" && d["message"].as_str().unwrap_or("").starts_with("read as")))
        .map(|d| {
            let file = d["file"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            (
                d["code"].as_str().unwrap().to_string(),
                file,
                d["row"].as_u64().unwrap_or(0),
                d["column"].as_str().unwrap_or("").to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn csv_returns_written_every_way_give_the_findings_of_the_original() {
    let original = findings("fixtures/returns/HN-FIN");
    assert!(
        original.iter().filter(|f| f.2 > 2).count() >= 3,
        "findings on several lines: {original:?}"
    );
    for layout in ["hn-fin-cr-only", "hn-fin-pipe", "hn-fin-tab"] {
        let got = findings(&format!("fixtures/layouts/{layout}"));
        assert_eq!(got, original, "{layout}");
    }
}
