//! The second-domain example pack (`examples/packs/nursing-home-monthly.toml`) on its messy sample
//! returns (`fixtures/nursing-home/`): vakt finds exactly the defects the fixture script seeded
//! (listed here from its comments, not from vakt), and every rule of the pack is breached by one.

use std::collections::BTreeSet;
use std::process::Command;

const PACK: &str = "examples/packs/nursing-home-monthly.toml";

fn check(previous: bool) -> (i32, serde_json::Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vakt"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "check",
        "--rules",
        PACK,
        "fixtures/nursing-home/oslo-2026-10",
        "fixtures/nursing-home/bergen-2026-10.xlsx",
        "fixtures/nursing-home/bodo-2026-10",
        "--format",
        "json",
    ]);
    if previous {
        cmd.args(["--previous", "fixtures/nursing-home/oslo-2026-09"]);
    }
    let out = cmd.output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), json)
}

/// The table a finding is in, from its file or sheet: the fixtures' names, written by hand.
fn table_of(d: &serde_json::Value) -> &'static str {
    let place = d["sheet"].as_str().or(d["file"].as_str()).unwrap();
    for (suffix, table) in [
        ("rapport.csv", "report"),
        ("Rapport", "report"),
        ("sykehjem.csv", "homes"),
        ("Sykehjem", "homes"),
        ("avdelinger-oktober.csv", "wards"),
        ("avdelinger.csv", "wards"),
        ("Avdelinger okt", "wards"),
        ("opphold.csv", "stays"),
        ("Ark4", "stays"),
    ] {
        if place.ends_with(suffix) {
            return table;
        }
    }
    panic!("a finding outside the tables: {d}")
}

/// The return a finding is in, from its file.
fn return_of(d: &serde_json::Value) -> &'static str {
    let file = d["file"].as_str().unwrap();
    ["oslo", "bergen", "bodo"]
        .into_iter()
        .find(|r| file.contains(r))
        .unwrap_or_else(|| panic!("a finding outside the returns: {d}"))
}

type Seen = BTreeSet<(&'static str, &'static str, String, u64, String, String)>;

fn seen(json: &serde_json::Value) -> Seen {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                return_of(d),
                table_of(d),
                d["column"].as_str().unwrap_or("").to_string(),
                d["row"].as_u64().unwrap_or(0),
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every seeded defect of fixtures/make_nursing_home.py: (return, table, column, row, code,
/// severity). Rows are CSV lines and sheet rows; row 0 is a finding about a whole table.
const SEEDED: &[(&str, &str, &str, u64, &str, &str)] = &[
    ("oslo", "report", "submitted", 2, "NH002", "error"),
    ("oslo", "report", "contact_email", 2, "VK0105", "error"),
    ("oslo", "report", "n_homes", 2, "VK0203", "error"),
    ("oslo", "report", "beds_total", 2, "VK0209", "error"),
    ("oslo", "report", "beds_total", 2, "VK0211", "warning"),
    ("oslo", "homes", "beds", 2, "VK0209", "error"),
    ("oslo", "homes", "ownership", 3, "VK0211", "warning"),
    ("oslo", "homes", "home_id", 4, "VK0211", "warning"),
    ("oslo", "homes", "", 0, "VK0211", "warning"),
    ("oslo", "homes", "beds", 4, "VK0209", "error"),
    ("oslo", "wards", "ward_kind", 3, "VK0104", "error"),
    ("oslo", "wards", "occupied", 4, "NH003", "error"),
    ("oslo", "wards", "home_id", 6, "VK0202", "error"),
    ("oslo", "stays", "admitted", 2, "VK0210", "error"),
    ("oslo", "stays", "admitted", 3, "VK0210", "error"),
    ("oslo", "stays", "resident_id", 3, "VK0204", "error"),
    ("oslo", "stays", "birth_year", 3, "NH006", "error"),
    ("oslo", "stays", "resident_id", 4, "VK0207", "error"),
    ("oslo", "stays", "discharged", 5, "NH004", "error"),
    ("oslo", "stays", "admitted", 6, "NH005", "error"),
    ("oslo", "stays", "sex", 7, "VK0104", "error"),
    ("oslo", "stays", "note", 7, "VK0208", "error"),
    ("oslo", "stays", "resident_id", 8, "NH007", "warning"),
    ("bergen", "report", "municipality", 4, "VK0104", "error"),
    ("bergen", "report", "month", 4, "NH001", "error"),
    ("bergen", "report", "beds_total", 4, "VK0107", "error"),
    ("bergen", "homes", "home_id", 2, "VK0105", "error"),
    ("bergen", "homes", "beds", 2, "VK0103", "error"),
    ("bergen", "homes", "beds", 2, "VK0209", "error"),
    ("bergen", "homes", "home_name", 3, "VK0101", "error"),
    ("bergen", "homes", "ownership", 3, "VK0104", "error"),
    ("bergen", "homes", "beds", 3, "VK0103", "warning"),
    ("bergen", "homes", "beds", 3, "VK0209", "error"),
    ("bergen", "homes", "home_id", 4, "VK0106", "error"),
    ("bergen", "homes", "beds", 4, "VK0101", "error"),
    ("bergen", "wards", "beds", 2, "VK0103", "error"),
    ("bergen", "wards", "occupied", 2, "VK0103", "error"),
    ("bergen", "wards", "ward_id", 4, "VK0106", "error"),
    ("bergen", "stays", "resident_id", 2, "VK0101", "error"),
    ("bergen", "stays", "admitted", 3, "VK0102", "error"),
    ("bergen", "stays", "admitted", 4, "VK0103", "error"),
    ("bergen", "stays", "birth_year", 5, "NH008", "warning"),
    ("bodo", "report", "municipality", 2, "VK0101", "error"),
    ("bodo", "report", "month", 2, "VK0101", "error"),
    ("bodo", "report", "submitted", 2, "VK0101", "error"),
    ("bodo", "report", "n_homes", 2, "VK0103", "error"),
    ("bodo", "report", "n_homes", 2, "VK0203", "error"),
    ("bodo", "report", "beds_total", 2, "VK0103", "error"),
    ("bodo", "report", "beds_total", 2, "VK0209", "error"),
    ("bodo", "homes", "home_id", 2, "VK0101", "error"),
    ("bodo", "homes", "ownership", 3, "VK0101", "error"),
    ("bodo", "homes", "beds", 3, "VK0209", "error"),
    ("bodo", "wards", "ward_id", 2, "VK0101", "error"),
    ("bodo", "wards", "home_id", 3, "VK0101", "error"),
    ("bodo", "wards", "ward_kind", 3, "VK0101", "error"),
    ("bodo", "wards", "beds", 3, "VK0101", "error"),
    ("bodo", "stays", "ward_id", 2, "VK0101", "error"),
    ("bodo", "stays", "ward_id", 3, "VK0202", "error"),
    ("bodo", "stays", "admitted", 3, "VK0101", "error"),
    ("bodo", "stays", "birth_year", 4, "VK0101", "error"),
    ("bodo", "stays", "birth_year", 5, "VK0103", "error"),
];

fn seeded(with_previous: bool) -> Seen {
    SEEDED
        .iter()
        .filter(|s| with_previous || s.4 != "VK0211")
        .map(|&(ret, t, c, r, code, sev)| (ret, t, c.to_string(), r, code.to_string(), sev.to_string()))
        .collect()
}

#[test]
fn finds_exactly_the_seeded_defects() {
    let (code, json) = check(true);
    assert_eq!(code, 1);
    let found = seen(&json);
    let expected = seeded(true);
    let missed: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {missed:#?}\nnot seeded {extra:#?}"
    );
    // Both returns are counted: the JSON summary agrees with the list.
    assert_eq!(
        json["summary"]["errors"],
        SEEDED.iter().filter(|s| s.5 == "error").count()
    );
}

#[test]
fn without_the_previous_period_its_rules_do_not_run() {
    let (code, json) = check(false);
    assert_eq!(code, 1);
    assert_eq!(seen(&json), seeded(false));
}

/// What a pack entry or column setting must produce somewhere in the fixtures, read from the
/// pack's TOML (the codes are vakt's documented ones, `vakt rules`).
fn rules_of_the_pack() -> BTreeSet<(String, String, String)> {
    let pack: toml::Table = std::fs::read_to_string(PACK).unwrap().parse().unwrap();
    let mut rules = BTreeSet::new();
    let mut add = |t: &str, c: &str, code: &str| rules.insert((t.to_string(), c.to_string(), code.to_string()));
    let entries = |t: &toml::Table, key: &str| t.get(key).and_then(|v| v.as_array()).cloned().unwrap_or_default();
    for table in pack["table"].as_array().unwrap() {
        let table = table.as_table().unwrap();
        let name = table["name"].as_str().unwrap();
        for column in entries(table, "column") {
            let col = column.as_table().unwrap();
            let c = col["name"].as_str().unwrap();
            for (setting, code) in [
                ("required", "VK0101"),
                ("range", "VK0103"),
                ("soft_range", "VK0103"),
                ("codelist", "VK0104"),
                ("pattern", "VK0105"),
                ("unique", "VK0106"),
            ] {
                if col.contains_key(setting) {
                    add(name, c, code);
                }
            }
            if col.get("id_type").and_then(|v| v.as_str()) == Some("resident") {
                add(name, c, "VK0207");
            }
            if col.get("class").is_some_and(|v| v.to_string().contains('F')) {
                add(name, c, "VK0208");
            }
        }
        for rule in entries(table, "rule") {
            add(name, "", rule["code"].as_str().unwrap());
        }
        for (section, code) in [
            ("count", "VK0203"),
            ("aggregate", "VK0209"),
            ("previous", "VK0211"),
            ("overlap", "VK0210"),
            ("consistent", "VK0204"),
        ] {
            for _ in entries(table, section) {
                add(name, "", code);
            }
        }
        for relation in entries(table, "relation") {
            if relation.get("columns").is_some() {
                add(name, "", "VK0202");
            }
        }
    }
    rules
}

#[test]
fn every_rule_of_the_pack_is_breached_by_a_fixture() {
    let (_, json) = check(true);
    let found = seen(&json);
    let rules = rules_of_the_pack();
    assert!(rules.len() >= 30, "{rules:?}");
    let unbreached: Vec<_> = rules
        .iter()
        .filter(|(table, column, code)| {
            !found
                .iter()
                .any(|f| f.1 == table && f.4 == *code && (column.is_empty() || f.2 == *column))
        })
        .collect();
    assert!(unbreached.is_empty(), "breached by no fixture: {unbreached:?}");
}

/// Words of the survey pack's domain. A generic rule kind speaks of rows, keys and columns, and of
/// the pack's own names; these must come only from the survey pack (issue 19, item 10).
const SURVEY_WORDS: &[&str] = &[
    "patient",
    "diagnos",
    "pasient",
    "therapist",
    "terapeut",
    "group",
    "gruppe",
    "survey",
    "kartlegging",
];

fn survey_words_in(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    SURVEY_WORDS.iter().copied().filter(|w| lower.contains(w)).collect()
}

#[test]
fn another_domain_s_findings_speak_its_words_not_the_survey_s() {
    let (_, json) = check(true);
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert!(diagnostics.len() > 50, "the fixtures have many findings");
    for d in diagnostics {
        for field in ["message", "help", "message_nb", "help_nb"] {
            let text = d[field].as_str().unwrap_or_default();
            let found = survey_words_in(text);
            assert!(found.is_empty(), "{field} of {} says {found:?}: {text}", d["code"]);
        }
    }
}

#[test]
fn explain_texts_of_the_built_in_kinds_use_no_survey_words() {
    let vakt = env!("CARGO_BIN_EXE_vakt");
    let rules = Command::new(vakt).args(["rules", "--rules", PACK]).output().unwrap();
    let listing = String::from_utf8(rules.stdout).unwrap();
    let codes: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| c.starts_with("VK"))
        .collect();
    assert!(codes.len() >= 30, "{listing}");
    for code in codes.iter().copied().chain(["functions"]) {
        let out = Command::new(vakt)
            .args(["explain", code, "--rules", PACK])
            .output()
            .unwrap();
        assert!(out.status.success(), "{code}");
        let text = String::from_utf8(out.stdout).unwrap();
        // Diagnoses are what the ICD-10 kind is about; only there is the word generic.
        let found: Vec<_> = survey_words_in(&text)
            .into_iter()
            .filter(|w| !(code == "VK0206" && *w == "diagnos"))
            .collect();
        assert!(found.is_empty(), "vakt explain {code} says {found:?}:\n{text}");
    }
}
