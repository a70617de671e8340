//! The feedback workbook (`vakt check --feedback DIR`), opened again as Excel would: every
//! finding's cell is highlighted in its severity's colour and carries a note with its message;
//! every other cell is as submitted and not highlighted; the first sheet links to each finding's
//! cell; identifiers stay masked. The workbook's XML is read here with plain string search, and
//! its cell values with calamine: nothing of vakt's writer is used to check it.

use calamine::{open_workbook_auto, Data, Reader};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::process::Command;

fn check_with_feedback(inputs: &[&str], dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(inputs)
        .args(["--format", "json", "--feedback", dir.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.code().unwrap() < 2,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The parts of an xlsx file, by name.
fn unzip(path: &Path) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut parts = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut text = String::new();
        if f.read_to_string(&mut text).is_ok() {
            let name = f.name().unwrap().to_string();
            parts.insert(name, text);
        }
    }
    parts
}

/// Every `attr="value"` of every `<tag ...>` element in `xml`.
fn elements(xml: &str, tag: &str) -> Vec<BTreeMap<String, String>> {
    let open = format!("<{tag} ");
    xml.match_indices(&open)
        .map(|(at, _)| {
            let rest = &xml[at + open.len()..];
            let end = rest.find('>').unwrap();
            let mut attrs = BTreeMap::new();
            for pair in rest[..end].split('"').collect::<Vec<_>>().chunks(2) {
                if let [k, v] = pair {
                    attrs.insert(k.trim().trim_end_matches('=').to_string(), v.to_string());
                }
            }
            attrs
        })
        .collect()
}

/// What the feedback workbook says: per sheet name, the fill colour of each styled cell and the
/// text of each note; and the first sheet's links.
struct Feedback {
    fills: BTreeMap<String, BTreeMap<String, String>>,
    notes: BTreeMap<String, BTreeMap<String, String>>,
    links: BTreeSet<String>,
}

fn read_feedback(path: &Path) -> Feedback {
    let parts = unzip(path);
    let sheets: Vec<String> = elements(&parts["xl/workbook.xml"], "sheet")
        .into_iter()
        .map(|a| a["name"].replace("&apos;", "'").replace("&amp;", "&"))
        .collect();
    // Style index -> fill colour, through cellXfs and fills.
    let styles = &parts["xl/styles.xml"];
    let fills_xml = &styles[styles.find("<fills").unwrap()..styles.find("</fills>").unwrap()];
    let fill_colours: Vec<String> = fills_xml
        .split("<fill>")
        .skip(1)
        .map(|f| {
            elements(f, "fgColor")
                .first()
                .map(|a| a["rgb"].clone())
                .unwrap_or_default()
        })
        .collect();
    let xfs_xml = &styles[styles.find("<cellXfs").unwrap()..];
    let xf_fill: Vec<String> = elements(xfs_xml, "xf")
        .into_iter()
        .map(|a| fill_colours[a["fillId"].parse::<usize>().unwrap()].clone())
        .collect();
    let mut fb = Feedback {
        fills: BTreeMap::new(),
        notes: BTreeMap::new(),
        links: BTreeSet::new(),
    };
    for (i, name) in sheets.iter().enumerate() {
        let xml = &parts[&format!("xl/worksheets/sheet{}.xml", i + 1)];
        let fills = elements(xml, "c")
            .into_iter()
            .filter_map(|a| Some((a["r"].clone(), xf_fill[a.get("s")?.parse::<usize>().unwrap()].clone())))
            .filter(|(_, colour)| !colour.is_empty())
            .collect();
        fb.fills.insert(name.clone(), fills);
        let rels = parts.get(&format!("xl/worksheets/_rels/sheet{}.xml.rels", i + 1));
        let comments = rels.and_then(|r| {
            elements(r, "Relationship")
                .into_iter()
                .find(|a| a["Type"].ends_with("/comments"))
                .map(|a| a["Target"].trim_start_matches("../").to_string())
        });
        let mut notes = BTreeMap::new();
        if let Some(c) = comments {
            let xml = &parts[&format!("xl/{c}")];
            for chunk in xml.split("<comment ").skip(1) {
                let r = chunk.split('"').nth(1).unwrap().to_string();
                let text = chunk
                    .split("<t>")
                    .skip(1)
                    .map(|t| t.split("</t>").next().unwrap())
                    .collect();
                notes.insert(r, text);
            }
        }
        fb.notes.insert(name.clone(), notes);
        if i == 0 {
            fb.links = elements(xml, "hyperlink")
                .into_iter()
                .map(|a| a["location"].replace("&apos;", "'").replace("&amp;", "&"))
                .collect();
        }
    }
    fb
}

fn colour_of(severity: &str) -> &'static str {
    match severity {
        "error" => "FFFFC7CE",
        "warning" => "FFFFEB9C",
        _ => "FFDDEBF7",
    }
}

/// `'Grupper (2)'!D3` -> (`Grupper (2)`, `D3`).
fn split_cell(cell: &str) -> (String, String) {
    let (sheet, a1) = cell.rsplit_once('!').unwrap();
    (sheet.trim_matches('\'').replace("''", "'"), a1.to_string())
}

#[test]
fn every_finding_is_highlighted_noted_and_linked_and_the_rest_is_as_submitted() {
    let dir = tempfile::tempdir().unwrap();
    let json = check_with_feedback(&["fixtures/returns/messy.xlsx"], dir.path(), &[]);
    let path = dir.path().join("messy-tilbakemelding.xlsx");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the copy of the return is readable by others: {mode:o}"
        );
    }
    let fb = read_feedback(&path);
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let mut expected_fill: BTreeMap<(String, String), &str> = BTreeMap::new();
    let mut cells = 0;
    for d in diagnostics {
        let Some(cell) = d["cell"].as_str() else { continue };
        cells += 1;
        let (sheet, a1) = split_cell(cell);
        let note = fb.notes[&sheet].get(&a1).unwrap_or_else(|| panic!("no note at {cell}"));
        assert!(note.contains(d["code"].as_str().unwrap()), "{cell}: {note}");
        let message = d["message"]
            .as_str()
            .unwrap()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(note.contains(&message), "{cell}: {note} lacks {message}");
        assert!(fb.links.contains(cell), "no link to {cell} in {:?}", fb.links);
        // The cell's colour is its most serious finding's.
        let sev = d["severity"].as_str().unwrap();
        let slot = expected_fill.entry((sheet, a1)).or_insert(colour_of(sev));
        if sev == "error" || (sev == "warning" && *slot == colour_of("info")) {
            *slot = colour_of(sev);
        }
    }
    assert!(cells >= 20, "{cells}");
    // Highlighted: exactly the cells with findings, in their colours.
    let mut highlighted: BTreeMap<(String, String), &str> = BTreeMap::new();
    for (sheet, fills) in fb.fills.iter().filter(|(s, _)| *s != "Tilbakemelding") {
        for (a1, colour) in fills {
            let colour = [colour_of("error"), colour_of("warning"), colour_of("info")]
                .into_iter()
                .find(|c| c == colour)
                .unwrap_or_else(|| panic!("{sheet}!{a1} has an unexpected fill {colour}"));
            highlighted.insert((sheet.clone(), a1.clone()), colour);
        }
    }
    assert_eq!(highlighted, expected_fill);
    // Identifiers stay masked: no note holds a run of 9 or more digits.
    for (sheet, notes) in &fb.notes {
        for (a1, note) in notes {
            let longest = note
                .split(|c: char| !c.is_ascii_digit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            assert!(longest < 9, "{sheet}!{a1}: {note}");
        }
    }
    same_values("fixtures/returns/messy.xlsx", &path);
}

/// Every sheet of the return is in the feedback workbook with the same values in the same cells.
fn same_values(original: &str, feedback: &Path) {
    let mut a = open_workbook_auto(original).unwrap();
    let mut b = open_workbook_auto(feedback).unwrap();
    assert_eq!(b.sheet_names()[0], "Tilbakemelding");
    for name in a.sheet_names() {
        let ra = a.worksheet_range(&name).unwrap();
        let rb = b.worksheet_range(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (r, row) in ra.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let pos = (ra.start().unwrap().0 + r as u32, ra.start().unwrap().1 + c as u32);
                let other = rb.get_value(pos).cloned().unwrap_or(Data::Empty);
                let same = match (cell, &other) {
                    (Data::Error(e), Data::String(s)) => s == &e.to_string(),
                    // xlsx stores every number as a double.
                    (Data::Int(i), Data::Float(f)) => *i as f64 == *f,
                    (Data::DateTimeIso(s), Data::DateTime(y)) => {
                        let (yy, mm, dd, ..) = y.to_ymd_hms_milli();
                        s.starts_with(&format!("{yy:04}-{mm:02}-{dd:02}"))
                    }
                    (Data::DateTime(x), Data::DateTime(y)) => x.to_ymd_hms_milli() == y.to_ymd_hms_milli(),
                    (x, y) => x == y,
                };
                assert!(same, "{name} {pos:?}: {cell:?} became {other:?}");
            }
        }
    }
}

#[test]
fn workbooks_of_every_kind_are_copied_as_submitted() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = [
        "fixtures/returns/mac-1904.xlsx",
        "fixtures/returns/clean.ods",
        "fixtures/returns/clean.xls",
    ];
    check_with_feedback(&inputs, dir.path(), &[]);
    for input in inputs {
        let stem = Path::new(input).file_stem().unwrap().to_string_lossy().to_string();
        let name = if stem == "clean" && input.ends_with("xls") {
            "clean-2".to_string()
        } else {
            stem
        };
        same_values(input, &dir.path().join(format!("{name}-tilbakemelding.xlsx")));
    }
}

#[test]
fn a_csv_return_becomes_a_workbook_with_a_sheet_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let json = check_with_feedback(&["fixtures/returns/HN-FIN"], dir.path(), &[]);
    let path = dir.path().join("HN-FIN-tilbakemelding.xlsx");
    let mut wb = open_workbook_auto(&path).unwrap();
    let names = wb.sheet_names();
    let csv_files: BTreeSet<String> = std::fs::read_dir("fixtures/returns/HN-FIN")
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".csv")
                .to_string()
        })
        .collect();
    assert_eq!(names[1..].iter().cloned().collect::<BTreeSet<_>>(), csv_files);
    // Each finding at a CSV line and column is noted at that row and column of its file's sheet.
    let fb = read_feedback(&path);
    let mut noted = 0;
    for d in json["diagnostics"].as_array().unwrap() {
        let (Some(line), Some(file)) = (d["row"].as_u64(), d["file"].as_str()) else {
            continue;
        };
        let sheet = Path::new(file).file_stem().unwrap().to_string_lossy().to_string();
        let Some(notes) = fb.notes.get(&sheet) else { continue };
        if notes
            .keys()
            .any(|a1| a1.trim_start_matches(|c: char| c.is_ascii_alphabetic()) == line.to_string())
        {
            noted += 1;
        }
    }
    assert!(noted >= 5, "{noted}");
    let _ = wb.worksheet_range(&names[1]).unwrap();
}

#[test]
fn formula_like_text_is_kept_as_text_and_two_returns_of_one_name_get_two_workbooks() {
    let dir = tempfile::tempdir().unwrap();
    let ret = dir.path().join("a/R1");
    std::fs::create_dir_all(&ret).unwrap();
    std::fs::write(
        ret.join("submission.csv"),
        "authority_code,region,contact_name\n=HYPERLINK(\"http://x\"),HV,\"a\u{1b}[31mb\"\n",
    )
    .unwrap();
    let other = dir.path().join("b/R1");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(ret.join("submission.csv"), other.join("submission.csv")).unwrap();
    let out = dir.path().join("out");
    check_with_feedback(&[ret.to_str().unwrap(), other.to_str().unwrap()], &out, &[]);
    let first = out.join("R1-tilbakemelding.xlsx");
    assert!(first.exists() && out.join("R1-2-tilbakemelding.xlsx").exists());
    let parts = unzip(&first);
    let sheet = parts
        .iter()
        .find(|(k, v)| k.starts_with("xl/worksheets/sheet") && v.contains("<c r=\"A2\""))
        .unwrap()
        .1;
    assert!(!sheet.contains("<f>"), "a formula was written: {sheet}");
    let styles = &parts["xl/styles.xml"];
    assert!(styles.contains("quotePrefix=\"1\""));
    let strings = &parts["xl/sharedStrings.xml"];
    assert!(
        strings.contains("=HYPERLINK") && !strings.contains('\u{1b}'),
        "{strings}"
    );
}
