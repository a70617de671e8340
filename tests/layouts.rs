//! Returns laid out as people really make them (`fixtures/layouts/`, written by
//! `fixtures/make_layouts.py` from `fixtures/returns/HN-FIN`): vakt finds in each exactly what it
//! finds in HN-FIN itself, at the same lines and columns. The oracle is the original return, read
//! the ordinary way; nothing here asks the reader what a layout means.

use std::collections::BTreeSet;
use std::process::Command;

/// The JSON report of `vakt check INPUT`.
fn check_json(input: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", input, "--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (code, file name, row, column, severity) of every finding, the encoding notice left out (it
/// differs by construction for the UTF-8 variant).
fn findings(input: &str) -> BTreeSet<(String, String, u64, String, String)> {
    let json = check_json(input);
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
    for layout in ["hn-fin-cr-only", "hn-fin-pipe", "hn-fin-tab", "hn-fin-crlf-in-field"] {
        let got = findings(&format!("fixtures/layouts/{layout}"));
        assert_eq!(got, original, "{layout}");
    }
}

/// (code, table, column, data row counted from the header, severity) of every finding: where a
/// finding is in its table, whatever the layout puts above or beside the table.
fn by_table(input: &str) -> BTreeSet<(String, String, String, i64, String)> {
    let json = check_json(input);
    let tables = json["inputs"][0]["tables"].as_array().unwrap().clone();
    let place = |d: &serde_json::Value| -> (String, i64) {
        let t = tables
            .iter()
            .find(|t| t["file"] == d["file"] && t["sheet"] == d["sheet"])
            .unwrap_or_else(|| panic!("no table for {d}"));
        (
            t["name"].as_str().unwrap().to_string(),
            t["header_row"].as_i64().unwrap_or(0),
        )
    };
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] != "VK0015")
        .map(|d| {
            let (table, header) = place(d);
            let file = d["file"].as_str().unwrap();
            let row = match d["row"].as_i64() {
                None => 0,
                // A CSV finding names the line its record starts on: count records instead.
                Some(line) if file.ends_with(".csv") => record_of(file, line as u64),
                Some(r) => r - header,
            };
            let column = d["column"].as_str().unwrap_or("").to_string();
            (
                d["code"].as_str().unwrap().to_string(),
                table,
                column,
                row,
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The number of the CSV record (1 = the first under the header) that starts on `line`: lines
/// are counted by hand, a newline inside double quotes continuing the record.
fn record_of(file: &str, line: u64) -> i64 {
    let bytes = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let (mut at, mut record, mut quoted) = (1u64, 0i64, false);
    for b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b'\n' => {
                at += 1;
                if !quoted {
                    record += 1;
                    if at == line {
                        return record;
                    }
                }
            }
            _ => {}
        }
    }
    panic!("no record starts on line {line} of {file}")
}

#[test]
fn a_two_row_merged_header_away_from_a1_with_reordered_and_extra_columns_reads_as_the_original() {
    let mut expected = by_table("fixtures/returns/HN-FIN");
    // The workbook adds one column the pack does not know to each of two tables: a note each.
    expected.insert(("VK0004".into(), "groups".into(), String::new(), 0, "info".into()));
    expected.insert(("VK0004".into(), "patients".into(), String::new(), 0, "info".into()));
    // Also as OpenDocument: its merged cells (header and key cells) read as in the xlsx.
    for file in [
        "fixtures/layouts/hn-fin-two-row-header.xlsx",
        "fixtures/layouts/hn-fin-two-row-header.ods",
    ] {
        assert_eq!(by_table(file), expected, "{file}");
    }
}

/// The messages of `vakt check` on `file` with a pack of one table, `Grupper`: a group id and a
/// start date whose column settings end in `date_settings`.
fn date_messages(file: &str, date_settings: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.toml");
    std::fs::write(
        &pack,
        format!(
            "name = \"t\"\nversion = \"1\"\n[[table]]\nname = \"groups\"\nsheets = [\"Grupper\"]\n\
             [[table.column]]\nname = \"group_id\"\nlabel_no = \"Gruppe-ID\"\ntype = \"text\"\n\
             [[table.column]]\nname = \"start_date\"\nlabel_no = \"Oppstartsdato\"\ntype = \"date\"\n{date_settings}"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--rules", pack.to_str().unwrap(), file, "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

/// A 1904-system workbook whose date column holds bare serial numbers: 38361 is 2009-01-10 there
/// (2005-01-09 in the 1900 system). The workbook's own flag decides, in .xlsx and in .xls.
#[test]
fn bare_serials_follow_the_workbooks_date_system() {
    for file in [
        "fixtures/layouts/serials-1904.xlsx",
        "fixtures/layouts/serials-1904.xls",
    ] {
        assert_eq!(
            date_messages(file, ""),
            ["start_date: `38361` read as 2009-01-10: a serial number taken as an Excel date"],
            "{file}"
        );
    }
}

/// The date cells of an .xls in the 1904 date system are read in it at every serial: serial 60
/// is 1 March 1904 there, not the 1900 system's 29 February that never was (which reading each
/// cell's system off calamine's calendar made it, with a "day that never existed" error).
#[test]
fn xls_date_cells_follow_the_workbooks_date_system_at_serial_60() {
    // Every date out of the range, so each one's reading is in its message.
    assert_eq!(
        date_messages(
            "fixtures/layouts/dates-1904.xls",
            "range = [\"1904-01-01\", \"1904-02-01\"]\n"
        ),
        [
            "start_date: 1904-03-01 is outside the allowed range 1904-01-01..1904-02-01",
            "start_date: 1904-03-02 is outside the allowed range 1904-01-01..1904-02-01",
            "start_date: 2009-01-10 is outside the allowed range 1904-01-01..1904-02-01",
        ]
    );
}

/// Messages name each alternative once, and a folder of workbooks is told what it is.
#[test]
fn messages_name_each_alternative_once_and_a_folder_of_workbooks_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.toml");
    std::fs::write(
        &pack,
        "name = \"t\"\nversion = \"1\"\n[[table]]\nname = \"submission\"\nsheets = [\"Submission\", \"Innsending\"]\n\
         [[table.column]]\nname = \"a\"\nlabel_no = \"a\"\ntype = \"text\"\nrequired = true\n\
         [[table.column]]\nname = \"b\"\ntype = \"text\"\n[[table.column]]\nname = \"c\"\ntype = \"text\"\n\
         [[table]]\nname = \"groups\"\nsheets = [\"Grupper\"]\nrequired = false\n\
         [[table.column]]\nname = \"group_id\"\nlabel_no = \"Gruppe-ID\"\ntype = \"text\"\n\
         [[table.column]]\nname = \"start_date\"\nlabel_no = \"Oppstartsdato\"\ntype = \"date\"\n",
    )
    .unwrap();
    let check = |input: &std::path::Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
            .args([
                "check",
                "--rules",
                pack.to_str().unwrap(),
                input.to_str().unwrap(),
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["diagnostics"].as_array().unwrap().clone()
    };
    // A workbook without the table: the sheets it may be in, each named once.
    let book = dir.path().join("book.xlsx");
    std::fs::copy("fixtures/layouts/serials-1904.xlsx", &book).unwrap();
    let d = check(&book);
    let help = d.iter().find(|x| x["code"] == "VK0002").unwrap()["help"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(help, "expected a sheet named 'submission' or 'innsending'");
    // A header missing its column: the header to add, once when label and name agree.
    let ret = dir.path().join("ret");
    std::fs::create_dir(&ret).unwrap();
    std::fs::write(ret.join("submission.csv"), "b,c\n1,2\n").unwrap();
    let d = check(&ret);
    let help = d
        .iter()
        .find(|x| x["code"] == "VK0003")
        .map(|x| x["help"].as_str().unwrap().to_string());
    assert_eq!(help.as_deref(), Some("add a column headed `a`"));
    // A folder of workbooks is no CSV return: say so, and how to check them.
    let folder = dir.path().join("returns");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy("fixtures/returns/clean.xlsx", folder.join("b.xlsx")).unwrap();
    std::fs::copy("fixtures/returns/clean.xlsx", folder.join("a.xlsx")).unwrap();
    let d = check(&folder);
    let message = d[0]["message"].as_str().unwrap();
    assert!(
        message.contains("holds 2 workbooks (a.xlsx, b.xlsx) and no CSV files"),
        "{message}"
    );
}

/// A gzip or zip file named `.csv` is refused with the file named and what it is, exit 2, and the
/// other inputs of the run are still checked.
#[test]
fn archives_named_csv_are_refused_and_the_rest_is_still_checked() {
    for (file, what) in [("gzip-named.csv", "a gzip archive"), ("zip-named.csv", "a zip archive")] {
        let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "check",
                &format!("fixtures/layouts/{file}"),
                "fixtures/returns/HN-FIN",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let inputs = json["inputs"].as_array().unwrap();
        let failed = inputs
            .iter()
            .find(|i| i["path"].as_str().unwrap().ends_with(file))
            .unwrap();
        assert_eq!(failed["status"], "failed", "{failed}");
        let said = serde_json::to_string(&json["diagnostics"]).unwrap();
        assert!(said.contains(what), "{file}: {said}");
        let other = inputs
            .iter()
            .find(|i| i["path"].as_str().unwrap().ends_with("HN-FIN"))
            .unwrap();
        assert_ne!(other["status"], "failed", "HN-FIN is still checked: {other}");
    }
}

/// A comment over two lines, written with CRLF inside its quotes (`hn-fin-crlf-in-field`): `vakt
/// clean` writes it as it was written, CRLF and all (it was turned into LF before).
#[test]
fn a_crlf_inside_a_quoted_field_reaches_the_clean_output_as_written() {
    let raw = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/layouts/hn-fin-crlf-in-field/grupper.csv"
    ))
    .unwrap();
    assert!(
        raw.windows(4).any(|w| w == b"i\r\ns"),
        "the fixture's comment: `Møtes i\\r\\nstore møterom`"
    );
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.key");
    let vakt = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_vakt"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .output()
            .unwrap()
    };
    let k = vakt(&["keygen", "--project", "t", "--out", key.to_str().unwrap()]);
    assert!(k.status.success());
    let out = dir.path().join("out");
    let c = vakt(&[
        "clean",
        "fixtures/layouts/hn-fin-crlf-in-field",
        "--key",
        key.to_str().unwrap(),
        "--domain",
        "d",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        c.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&c.stderr)
    );
    let mut rows = csv::Reader::from_path(out.join("groups.csv")).unwrap();
    let header = rows.headers().unwrap().clone();
    let comment = header.iter().position(|h| h == "comment").unwrap();
    let comments: Vec<String> = rows.records().map(|r| r.unwrap()[comment].to_string()).collect();
    assert!(comments.iter().any(|c| c == "Møtes i\r\nstore møterom"), "{comments:?}");
}
