//! `vakt template`: the empty return as the pack defines it. Filled in with one authority's
//! synthetic clean data — sheet and header names read back from the template, the column order
//! from the pack's TOML, the values from vakt-synth's ground truth — it checks with 0 errors and
//! no layout finding. Its drop-downs, validations, text columns and frozen header are in the file.

use calamine::{open_workbook_auto, Data, Reader};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;
use vakt_synth::{generate, Options};

fn vakt(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vakt"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

/// The survey pack's tables as its TOML says: (name, label_no, [(column, label_no, type)]).
type Columns = Vec<(String, String, String)>;
fn pack_tables() -> Vec<(String, String, Columns)> {
    let pack: toml::Table = std::fs::read_to_string("rules/group-therapy-survey.toml")
        .unwrap()
        .parse()
        .unwrap();
    let s = |v: &toml::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    pack["table"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let columns = t["column"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (s(c, "name"), s(c, "label_no"), s(c, "type")))
                .collect();
            (s(t, "name"), s(t, "label_no"), columns)
        })
        .collect()
}

/// Rows of a ground-truth table of one authority, by column name.
fn truth(dir: &Path, table: &str, authority: &str) -> Vec<BTreeMap<String, String>> {
    let path = dir.join(format!("truth/{table}.csv"));
    let Ok(mut r) = csv::Reader::from_path(path) else {
        return Vec::new();
    };
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            header
                .iter()
                .map(str::to_string)
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect::<BTreeMap<_, _>>()
        })
        .filter(|row| row.get("authority_code").map(String::as_str) == Some(authority))
        .collect()
}

#[test]
fn a_template_filled_with_clean_data_checks_without_errors_or_layout_findings() {
    let dir = tempfile::tempdir().unwrap();
    generate(
        dir.path(),
        &Options {
            seed: 3,
            clean: true,
            scale: 1,
        },
    )
    .unwrap();
    let template = dir.path().join("mal.xlsx");
    let out = vakt(&["template", "--out", template.to_str().unwrap(), "--lang", "nb"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The template again, as Excel would show it: sheets and headers.
    let mut wb = open_workbook_auto(&template).unwrap();
    let sheets = wb.sheet_names();
    let tables = pack_tables();
    assert_eq!(
        &sheets[..tables.len()],
        tables.iter().map(|t| t.1.clone()).collect::<Vec<_>>()
    );
    let authority = "HSO-AHUS";
    let mut filled = rust_xlsxwriter::Workbook::new();
    for (i, (name, _, columns)) in tables.iter().enumerate() {
        let range = wb.worksheet_range(&sheets[i]).unwrap();
        let headers: Vec<String> = range.rows().next().unwrap().iter().map(|d| d.to_string()).collect();
        assert_eq!(
            headers,
            columns.iter().map(|c| c.1.clone()).collect::<Vec<_>>(),
            "{name}"
        );
        let ws = filled.add_worksheet();
        ws.set_name(&sheets[i]).unwrap();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(0, c as u16, h).unwrap();
        }
        let mut rows = truth(dir.path(), name, authority);
        if name == "submission" {
            let count = |t: &str| truth(dir.path(), t, authority).len().to_string();
            rows = vec![BTreeMap::from([
                ("authority_code".to_string(), authority.to_string()),
                ("region".to_string(), "HSO".to_string()),
                ("reference_date".to_string(), "2009-03-01".to_string()),
                ("submitted_date".to_string(), "2009-05-01".to_string()),
                ("n_units".to_string(), count("units")),
                ("n_groups".to_string(), count("groups")),
            ])];
        }
        assert!(!rows.is_empty(), "no truth for {name}");
        for (r, row) in rows.iter().enumerate() {
            for (c, (column, _, ty)) in columns.iter().enumerate() {
                let Some(v) = row.get(column).filter(|v| !v.is_empty()) else {
                    continue;
                };
                let (r, c) = (r as u32 + 1, c as u16);
                match (ty.as_str(), v.parse::<f64>()) {
                    ("integer" | "decimal" | "minutes", Ok(n)) => ws.write_number(r, c, n).unwrap(),
                    _ => ws.write_string(r, c, v).unwrap(),
                };
            }
        }
    }
    let path = dir.path().join("utfylt.xlsx");
    filled.save(&path).unwrap();
    let out = vakt(&["check", path.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["diagnostics"].as_array().unwrap();
    let errors: Vec<_> = findings.iter().filter(|d| d["severity"] == "error").collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let layout: Vec<_> = findings
        .iter()
        .filter(|d| d["code"].as_str().unwrap().starts_with("VK00"))
        .collect();
    assert!(layout.is_empty(), "{layout:#?}");
    assert!(json["summary"]["rows"].as_u64().unwrap() > 50, "{}", json["summary"]);
}

#[test]
fn the_template_carries_drop_downs_validation_text_columns_and_a_frozen_header() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.xlsx");
    assert!(vakt(&["template", "--out", template.to_str().unwrap(), "--lang", "en"])
        .status
        .success());
    // Never over an existing file without --force.
    let again = vakt(&["template", "--out", template.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&template).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let workbook = part("xl/workbook.xml");
    assert!(
        workbook.contains("name=\"Kodelister\"") && workbook.contains("state=\"hidden\""),
        "{workbook}"
    );
    // Sheet 3 is Groups: group_type is a drop-down of the code list, session_minutes a whole
    // number 15..240, start_date a date; the header is frozen.
    let groups = part("xl/worksheets/sheet3.xml");
    assert!(
        groups.contains("<pane ySplit=\"1\"") && groups.contains("state=\"frozen\""),
        "no frozen header"
    );
    assert!(
        groups.contains("type=\"list\"") && groups.contains("Kodelister!$"),
        "no drop-down"
    );
    assert!(groups.contains("type=\"whole\"") && groups.contains("<formula1>15</formula1><formula2>240</formula2>"));
    assert!(groups.contains("type=\"date\""));
    assert!(
        groups.contains("promptTitle=\"Group type\" prompt=\"Required.\""),
        "no input messages"
    );
    // Sheet 4 is Patients: the patient id column is text (@), so leading zeros survive.
    let styles = part("xl/styles.xml");
    let patients = part("xl/worksheets/sheet4.xml");
    assert!(styles.contains("formatCode=\"@\""), "no text format");
    let id_column = patients
        .split("<col min=\"2\" max=\"2\"")
        .nth(1)
        .unwrap()
        .split("/>")
        .next()
        .unwrap();
    assert!(
        id_column.contains("style="),
        "the patient id column has no text format: {patients}"
    );
    let labels = open_workbook_auto(&template)
        .unwrap()
        .worksheet_range("Kodelister")
        .unwrap();
    let first: Vec<String> = labels.rows().next().unwrap().iter().map(Data::to_string).collect();
    assert!(first.contains(&"group_type".to_string()), "{first:?}");
}
