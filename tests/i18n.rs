//! Norwegian and English: every message and help of vakt's own checks comes from the catalogue
//! in both languages, with the same values in each, and the reports show the language asked for.

use std::collections::BTreeSet;
use std::process::Command;
use vakt::report::i18n::{Lang, Msg, T};

/// The `{name}` places of a template.
fn places(t: &str) -> BTreeSet<String> {
    t.split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
        .collect()
}

#[test]
fn every_template_has_both_languages_with_the_same_places() {
    for t in T::ALL {
        let (en, nb) = (t.template(Lang::En), t.template(Lang::Nb));
        assert_eq!(places(en), places(nb), "{t:?}: {en} | {nb}");
        assert_eq!(en.is_empty(), nb.is_empty(), "{t:?}");
    }
    for m in Msg::ALL {
        assert_eq!(places(m.text(Lang::En)), places(m.text(Lang::Nb)), "{m:?}");
    }
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every finding of vakt's own codes in the fixtures (the survey's, the nursing-home pack's with
/// its previous month, the layouts, damaged and hostile files) has its Norwegian message, and
/// Norwegian help when it has help; the survey pack's own rules too.
#[test]
fn every_finding_of_the_fixtures_speaks_norwegian() {
    let runs: [&[&str]; 3] = [
        &[
            "fixtures/returns/messy.xlsx",
            "fixtures/returns/HN-FIN",
            "fixtures/returns/cross.xlsx",
            "fixtures/returns/corrupt.xlsx",
            "fixtures/returns/encrypted.xlsx",
            "fixtures/returns/mac-1904.xlsx",
            "fixtures/layouts/hn-fin-two-row-header.xlsx",
            "fixtures/hostile/xlsx-past-the-last-column.xlsx",
        ],
        &[
            "--rules",
            "examples/packs/nursing-home-monthly.toml",
            "fixtures/nursing-home/oslo-2026-10",
            "fixtures/nursing-home/bergen-2026-10.xlsx",
            "fixtures/nursing-home/bodo-2026-10",
            "--previous",
            "fixtures/nursing-home/oslo-2026-09",
        ],
        &["fixtures/layouts/hn-fin-cr-only"],
    ];
    let mut codes = BTreeSet::new();
    for args in runs {
        let doc = json(args);
        for d in doc["diagnostics"].as_array().unwrap() {
            let code = d["code"].as_str().unwrap();
            if !code.starts_with("VK") {
                continue; // a pack's own rule, in the pack author's words
            }
            codes.insert(code.to_string());
            assert!(d["message_nb"].is_string(), "no Norwegian for {d}");
            assert!(
                d["help"].is_null() || d["help_nb"].is_string(),
                "no Norwegian help for {d}"
            );
            assert_ne!(d["message_nb"], d["message"], "the same in both languages: {d}");
        }
    }
    assert!(codes.len() >= 25, "codes seen: {codes:?}");
}

#[test]
fn the_terminal_speaks_the_language_asked_for_and_the_json_carries_both() {
    let run = |lang: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["check", "fixtures/returns/messy.xlsx", "--lang", lang])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let (nb, en) = (run("nb"), run("en"));
    assert!(
        nb.contains("er ikke i kodelisten `group_type`") && nb.contains("mente du Psykodynamisk (PSYDYN)?"),
        "{nb}"
    );
    assert!(
        en.contains("is not in the code list `group_type`") && !en.contains("kodelisten"),
        "{en}"
    );
    // The survey pack's own rules are translated in the pack (message_no).
    assert!(nb.contains("koterapi er yes, men antall terapeuter er 1"), "{nb}");
    // Masking holds in both languages: no identifier in either text.
    let doc = json(&["fixtures/returns/messy.xlsx"]);
    for d in doc["diagnostics"].as_array().unwrap() {
        for field in ["message", "message_nb", "help", "help_nb"] {
            let text = d[field].as_str().unwrap_or("");
            let run = text
                .split(|c: char| !c.is_ascii_digit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            assert!(run < 9, "{field}: {text}");
        }
    }
}
