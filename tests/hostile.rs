//! Hostile and broken input (issue 10): every reproducer is run through the `vakt` binary with a
//! time bound and, where memory was the problem, an address-space cap, and must end in exit 0, 1 or
//! 2 — never a panic (101), an abort (134) or a hang — naming the file, with the other inputs of the
//! run still checked. The damaged workbooks are in `fixtures/hostile/` (see its script).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

fn vakt_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("vakt")
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    seconds: f64,
}

/// Runs `vakt args` with at most `mib` MiB of address space and `secs` seconds; kills it past them.
/// The seconds are a guard against hangs and runaway work, set far above a normal run (a loaded
/// machine must not fail a test); speed is measured by the scripts in `bench/`, never asserted.
fn run(args: &[&std::ffi::OsStr], secs: u64, mib: u64, dir: Option<&Path>) -> Run {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {}; exec \"$0\" \"$@\"", mib * 1024))
        .arg(vakt_bin())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let o = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut s).ok();
        s
    });
    let e = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).ok();
        s
    });
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("vakt {args:?} ran longer than {secs} s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code,
        stdout: String::from_utf8_lossy(&o.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&e.join().unwrap()).into_owned(),
        seconds: start.elapsed().as_secs_f64(),
    }
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

fn assert_clean_exit(r: &Run, what: &str) {
    assert!(
        matches!(r.code, Some(0..=2)),
        "{what}: exit {:?} after {:.1} s (a panic is 101, an abort 134)\n{}",
        r.code,
        r.seconds,
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{what}: a panic message\n{}", r.stderr);
}

// ---- damaged workbooks --------------------------------------------------------------------------

#[test]
fn damaged_xls_files_are_reported_and_the_run_goes_on() {
    let files = [
        "fixtures/hostile/xls-panic-xls-rs-633.xls",
        "fixtures/hostile/xls-panic-utils-rs-29.xls",
        "fixtures/hostile/xls-panic-cfb-rs-320.xls",
        "fixtures/hostile/xls-alloc-4gib.xls",
        "fixtures/hostile/xls-alloc-1-5tb.xls",
    ];
    let mut args: Vec<&std::ffi::OsStr> = vec![os("check"), os("--format"), os("json")];
    args.extend(files.iter().map(|f| os(f)));
    args.push(os("fixtures/returns/clean.xlsx"));
    let r = run(&args, 120, 8192, None);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for f in files {
        let d = json["diagnostics"].as_array().unwrap().iter().find(|d| d["file"] == f);
        let d = d.unwrap_or_else(|| panic!("{f} not reported"));
        assert_eq!(d["code"], "VK0001", "{f}");
    }
    let clean = json["inputs"].as_array().unwrap().last().unwrap();
    assert_eq!(clean["tables"].as_array().unwrap().len(), 6, "clean.xlsx still checked");
    // The same files give the same report: a reader's panic is said by its message, without the
    // reading process's thread id or the build machine's paths.
    let again = run(&args, 120, 8192, None);
    assert_eq!(
        again.stdout, r.stdout,
        "a second run reported the damaged files otherwise"
    );
    assert!(
        !r.stdout.contains("panicked at") && !r.stdout.contains(".cargo"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_ods_table_never_closed_is_refused_at_once() {
    let r = run(
        &[os("check"), os("fixtures/hostile/ods-unclosed-table.ods")],
        30,
        2048,
        None,
    );
    assert_eq!(r.code, Some(2));
    assert!(r.stdout.contains("opened and"), "{}", r.stdout);
}

#[test]
fn an_ods_row_repeated_a_billion_times_stops_at_the_last_row() {
    let r = run(
        &[os("check"), os("fixtures/hostile/ods-row-repeated-1e9.ods")],
        120,
        8192,
        None,
    );
    assert_clean_exit(&r, "repeated rows");
}

#[test]
fn zip_bombs_and_absurd_shared_string_counts_are_refused_before_reading() {
    for (f, says) in [
        ("fixtures/hostile/xlsx-zip-bomb.xlsx", "zip bomb"),
        ("fixtures/hostile/xlsx-unique-count-2-32.xlsx", "4294967296 strings"),
    ] {
        let r = run(&[os("check"), os(f)], 20, 1024, None);
        assert_eq!(r.code, Some(2), "{f}: {}", r.stderr);
        assert!(r.stdout.contains(says), "{f}: {}", r.stdout);
    }
}

#[test]
fn cells_and_merges_past_the_sheet_are_not_read_and_said() {
    for cmd in ["check", "clean"] {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.key");
        let mut args = vec![os(cmd), os("fixtures/hostile/xlsx-past-the-last-column.xlsx")];
        if cmd == "clean" {
            let o = std::process::Command::new(vakt_bin())
                .args(["keygen", "--project", "p", "--out"])
                .arg(&key)
                .output()
                .unwrap();
            assert!(o.status.success());
            args.extend([os("--key"), key.as_os_str(), os("--domain"), os("d"), os("--out")]);
            args.push(dir.path().join("out").into_os_string().leak());
        }
        let r = run(&args, 30, 1024, None);
        assert_clean_exit(&r, cmd);
        if cmd == "check" {
            assert!(r.stdout.contains("VK0015"), "{}", r.stdout);
            assert!(
                r.stdout.contains("past column XFD") || r.stdout.contains("past row"),
                "{}",
                r.stdout
            );
        }
    }
}

#[test]
fn many_merged_ranges_are_filled_row_by_row_not_range_by_row() {
    // 50,000 rows and 200,000 merged ranges: every range scanned for every row would take hours.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("merges.xlsx");
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>unit_id</t></is></c><c r="B1" t="inlineStr"><is><t>unit_name</t></is></c><c r="C1" t="inlineStr"><is><t>setting</t></is></c></row>"#,
    );
    for r in 2..50_002 {
        sheet.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>U{r}</t></is></c></row>"#
        ));
    }
    sheet.push_str(r#"</sheetData><mergeCells count="200000">"#);
    for m in 0..200_000u32 {
        let r = 2 + m % 50_000;
        let c = 3 + (m / 50_000) * 2;
        sheet.push_str(&format!(r#"<mergeCell ref="{}{r}:{}{r}"/>"#, col(c), col(c + 1)));
    }
    sheet.push_str("</mergeCells></worksheet>");
    write_xlsx(&path, "Enheter", &sheet);
    let r = run(&[os("check"), path.as_os_str()], 60, 2048, None);
    assert_clean_exit(&r, "merges");
}

fn col(c: u32) -> String {
    let mut n = c + 1;
    let mut s = Vec::new();
    while n > 0 {
        s.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// A minimal one-sheet xlsx package around `sheet_xml`.
fn write_xlsx(path: &Path, name: &str, sheet_xml: &str) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let o = zip::write::SimpleFileOptions::default();
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"#)),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet_xml.to_string()),
    ];
    for (n, body) in parts {
        z.start_file(n, o).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}

// ---- CSV ------------------------------------------------------------------------------------------

const GROUPS_HEADER: &str =
    "group_id,unit_id,group_type,group_format,frequency,session_minutes,duration_cat,start_date,n_patients,n_therapists\n";

#[test]
fn a_kelvin_sign_in_a_number_is_a_finding_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("groups.csv");
    std::fs::write(
        &p,
        format!("{GROUPS_HEADER}G1,U1,CBT,CLOSED,W,90,LT6,2009-01-01,cir\u{212a}a 2,1\n"),
    )
    .unwrap();
    let r = run(&[os("check"), p.as_os_str()], 20, 1024, None);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
}

#[test]
fn long_cells_get_no_suggestion_and_stay_fast() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pasienter.csv");
    let mut s = String::from("group_id,patient_id,birth_year,sex,main_dx\n");
    let long = "x".repeat(32_767);
    for i in 0..300 {
        s.push_str(&format!("G{i},EPJ-{i},1970,{long},{long}\n"));
    }
    std::fs::write(&p, s).unwrap();
    let r = run(&[os("check"), p.as_os_str()], 60, 2048, None);
    assert_eq!(r.code, Some(1));
}

#[test]
fn a_utf8_file_with_one_bad_byte_is_read_as_utf8_and_the_byte_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pasienter.csv");
    let mut bytes = "Gruppe-ID;Pasient-ID;Fødselsår;Kjønn;Hoveddiagnose (ICD-10)\nG1;EPJ-1;1970;Kvinne;F32.1\n"
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(b"G1;EPJ-2;1971;Mann;F32.1 \xe6\n");
    std::fs::write(&p, bytes).unwrap();
    let r = run(
        &[os("check"), os("--format"), os("json"), p.as_os_str()],
        20,
        1024,
        None,
    );
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let d = json["diagnostics"].as_array().unwrap();
    assert!(
        !d.iter().any(|x| x["code"] == "VK0003" && x["severity"] == "error"),
        "the header is read: {d:?}"
    );
    let notice = d
        .iter()
        .find(|x| x["code"] == "VK0015")
        .expect("the encoding choice is said");
    assert!(notice["message"].as_str().unwrap().contains("line 3"), "{notice}");
}

#[test]
fn a_stray_quote_that_swallows_the_file_is_reported_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("groups.csv");
    let mut s = String::from(GROUPS_HEADER);
    s.push_str("G1,U1,CBT,CLOSED,W,90,LT6,2009-01-01,8,1\n");
    s.push_str("\"G2,U1,CBT,CLOSED,W,90,LT6,2009-01-01,8,1\n");
    for i in 3..50 {
        s.push_str(&format!("G{i},U1,CBT,CLOSED,W,90,LT6,2009-01-01,8,1\n"));
    }
    std::fs::write(&p, s).unwrap();
    let r = run(
        &[os("check"), os("--format"), os("json"), p.as_os_str()],
        20,
        1024,
        None,
    );
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let notice = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "VK0015")
        .expect("the missing quote is said");
    assert!(
        notice["message"].as_str().unwrap().contains("starts on line 3"),
        "{notice}"
    );
}

#[test]
fn binary_content_named_csv_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("groups.csv");
    std::fs::copy("fixtures/returns/clean.xlsx", &zip).unwrap();
    let r = run(&[os("check"), zip.as_os_str()], 20, 1024, None);
    assert_eq!(r.code, Some(2));
    assert!(r.stdout.contains("not a text file"), "{}", r.stdout);
}

// ---- what is not a file --------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_refused_as_returns_keys_packs_and_code_lists() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(std::process::Command::new("mkfifo")
        .arg(d.join("fifo.csv"))
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/urandom", d.join("random.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.key")).unwrap();
    std::fs::write(d.join("pack.toml"), "name = \"p\"\nversion = \"1\"\n[codelists]\nx = \"zero.csv\"\n[[table]]\nname = \"t\"\n[[table.column]]\nname = \"a\"\ntype = \"text\"\n").unwrap();
    std::fs::write(d.join("t.csv"), "a\n1\n").unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["check", "fifo.csv"],
        vec!["check", "zero.csv"],
        vec!["check", "--rules", "random.toml", "t.csv"],
        vec!["check", "--rules", "pack.toml", "t.csv"],
        vec!["clean", "t.csv", "--key", "zero.key", "--domain", "d", "--out", "out"],
        vec!["audit", "fifo.csv"],
    ];
    for c in cases {
        let args: Vec<&std::ffi::OsStr> = c.iter().map(|a| os(a)).collect();
        let r = run(&args, 20, 1024, Some(d));
        assert_eq!(r.code, Some(2), "{c:?}: {}{}", r.stdout, r.stderr);
    }
}

#[cfg(unix)]
#[test]
fn one_unreadable_file_in_a_folder_leaves_the_others_checked() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("return");
    common::copy_fixture_folder("fixtures/returns/HN-FIN", &r, &["enheter.csv"]);
    assert!(std::process::Command::new("mkfifo")
        .arg(r.join("enheter.csv"))
        .status()
        .unwrap()
        .success());
    let out = run(
        &[os("check"), os("--format"), os("json"), r.as_os_str()],
        30,
        1024,
        None,
    );
    assert_eq!(out.code, Some(2));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(
        json["inputs"][0]["tables"].as_array().unwrap().len() >= 5,
        "the readable tables are checked"
    );
    let d = json["diagnostics"].as_array().unwrap();
    assert!(d
        .iter()
        .any(|x| x["code"] == "VK0001" && x["file"].as_str().unwrap().ends_with("enheter.csv")));
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_read_and_named() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"gr\xf8ups.csv");
    let p = dir.path().join(name);
    std::fs::write(&p, format!("{GROUPS_HEADER}G1,U1,CBT,CLOSED,W,90,LT6,2009-01-01,8,1\n")).unwrap();
    let r = run(
        &[os("check"), p.as_os_str(), os("fixtures/returns/clean.xlsx")],
        20,
        1024,
        None,
    );
    assert_clean_exit(&r, "non-UTF-8 name");
    assert!(r.stdout.contains("gr\u{fffd}ups.csv"), "{}", r.stdout);
    assert!(r.stdout.contains("clean.xlsx"), "the other input is checked");
}

// ---- packs ------------------------------------------------------------------------------------------

#[test]
fn broken_packs_are_errors_in_bounded_time_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("t.csv"), "a\n1\n").unwrap();
    let head =
        "name = \"p\"\nversion = \"1\"\n[[table]]\nname = \"t\"\n[[table.column]]\nname = \"a\"\ntype = \"integer\"\n";
    let rule = |expr: &str| format!("{head}[[table.rule]]\nname = \"r\"\nassert = \"{expr}\"\nmessage = \"m\"\n");
    let mut many = String::from("name = \"p\"\nversion = \"1\"\n[[table]]\nname = \"t\"\n");
    for i in 0..20_000 {
        many.push_str(&format!(
            "[[table.column]]\nname = \"c{i}\"\ntype = \"code\"\ncodelist = \"nope{i}\"\n"
        ));
    }
    let packs = [
        ("long-line", format!("{}{}bogus = 1\n", head, " ".repeat(70_000))),
        ("many", many),
        (
            "parens",
            rule(&format!("{}a{} > 0", "(".repeat(100_000), ")".repeat(100_000))),
        ),
        ("nots", rule(&format!("{}a > 0", "not ".repeat(100_000)))),
        ("minus", rule(&format!("{}a > 0", "-".repeat(100_000)))),
        ("sum", rule(&format!("{} > 0", vec!["a"; 200_000].join(" + ")))),
        ("and", rule(&vec!["a > 0"; 200_000].join(" and "))),
    ];
    for (name, body) in packs {
        let p = d.join(format!("{name}.toml"));
        std::fs::write(&p, body).unwrap();
        for format in ["human", "json"] {
            let r = run(
                &[
                    os("check"),
                    os("--rules"),
                    p.as_os_str(),
                    os("--format"),
                    os(format),
                    os("t.csv"),
                ],
                60,
                2048,
                Some(d),
            );
            assert_eq!(r.code, Some(2), "{name}: {}", r.stderr);
            assert!(
                !r.stderr.contains("panicked") && !r.stderr.contains("overflow"),
                "{name}: {}",
                r.stderr
            );
        }
    }
    // Pack errors into a pipe that closes early: no panic.
    let p = d.join("many.toml");
    let o = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "\"{}\" check --rules \"{}\" t.csv 2>&1 | head -c 100 > /dev/null; echo ${{PIPESTATUS[0]}}",
            vakt_bin().display(),
            p.display()
        ))
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2");
}

// ---- audit --------------------------------------------------------------------------------------

fn checkerboard(path: &Path, n: usize) {
    let mut s = String::from("label");
    (0..n).for_each(|j| s.push_str(&format!(",c{j}")));
    s.push_str(",Total\n");
    let v = |i: usize, j: usize| 1 + (i * 7 + j * 13) % 20;
    for i in 0..n {
        s.push_str(&format!("r{i}"));
        for j in 0..n {
            if (i + j) % 2 == 0 {
                s.push_str(",:");
            } else {
                s.push_str(&format!(",{}", v(i, j)));
            }
        }
        s.push_str(&format!(",{}\n", (0..n).map(|j| v(i, j)).sum::<usize>()));
    }
    s.push_str("Total");
    for j in 0..n {
        s.push_str(&format!(",{}", (0..n).map(|i| v(i, j)).sum::<usize>()));
    }
    s.push_str(&format!(
        ",{}\n",
        (0..n).flat_map(|i| (0..n).map(move |j| v(i, j))).sum::<usize>()
    ));
    std::fs::write(path, s).unwrap();
}

#[test]
fn audit_of_large_half_suppressed_tables_ends_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let p50 = dir.path().join("t50.csv");
    checkerboard(&p50, 50);
    let r = run(&[os("audit"), p50.as_os_str()], 120, 2048, None);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let p100 = dir.path().join("t100.csv");
    checkerboard(&p100, 100);
    let r = run(
        &[os("audit"), p100.as_os_str(), os("--time-limit"), os("5")],
        120,
        2048,
        None,
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
}

#[test]
fn audit_refuses_numbers_that_are_not_counts_naming_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["inf", "NaN", "1e308", "-3", "2.5", "1,5"] {
        let p = dir.path().join("t.csv");
        std::fs::write(
            &p,
            format!("label,a,b,Total\nx,5,\"{bad}\",10\ny,5,5,10\nTotal,10,10,20\n"),
        )
        .unwrap();
        let r = run(&[os("audit"), p.as_os_str()], 20, 1024, None);
        assert_eq!(r.code, Some(2), "{bad}: {}", r.stdout);
        assert!(r.stderr.contains("line 2, column 3"), "{bad}: {}", r.stderr);
    }
}

// ---- terminal and spreadsheet injection ---------------------------------------------------------

#[test]
fn control_characters_from_a_return_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let name = "gr\u{1b}[2Joups.csv";
    let p = dir.path().join(name);
    let evil = "\u{1b}[2J\u{1b}]52;c;aGVsbG8=\u{7}";
    std::fs::write(
        &p,
        format!("{GROUPS_HEADER}G1,U1,{evil},CLOSED,W,90,LT6,2009-01-01,8,1\n\"G2\r\n\u{2713} groups.csv: 0 errors\",U1,CBT,CLOSED,W,90,LT6,2009-01-01,8,1\n"),
    )
    .unwrap();
    let r = run(
        &[os("check"), os("--color"), os("never"), p.as_os_str()],
        20,
        1024,
        None,
    );
    assert_eq!(r.code, Some(1));
    for c in ['\u{1b}', '\u{7}', '\r'] {
        assert!(!r.stdout.contains(c), "{c:?} printed raw:\n{}", r.stdout);
    }
    assert!(r.stdout.contains("\\u{1b}[2J"), "shown escaped:\n{}", r.stdout);
    assert!(
        !r.stdout.lines().any(|l| l.starts_with("\u{2713} groups.csv")),
        "no faked line"
    );
}

// ---- clean: no stray personal data, nothing a spreadsheet would run ---------------------------

#[cfg(unix)]
#[test]
fn clean_refuses_a_dangling_link_or_a_file_as_output_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = d.join("k.key");
    assert!(std::process::Command::new(vakt_bin())
        .args(["keygen", "--project", "p", "--out"])
        .arg(&key)
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink(d.join("nowhere"), d.join("link")).unwrap();
    std::fs::write(d.join("file"), "x").unwrap();
    let fixture = std::fs::canonicalize("fixtures/returns/HN-FIN").unwrap();
    for (out, force) in [("link", false), ("link", true), ("file", true)] {
        let mut args = vec![
            os("clean"),
            fixture.as_os_str(),
            os("--key"),
            key.as_os_str(),
            os("--domain"),
            os("d"),
            os("--out"),
            os(out),
        ];
        if force {
            args.push(os("--force"));
        }
        let r = run(&args, 60, 2048, Some(d));
        assert_eq!(r.code, Some(2), "{out} {force}: {}", r.stderr);
        let left: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("partial"))
            .collect();
        assert!(left.is_empty(), "{out} {force}: {left:?}");
        assert!(!d.join("nowhere").exists());
    }
}

#[test]
fn values_from_file_names_and_keys_are_neutralised_in_clean_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = d.join("k.key");
    assert!(std::process::Command::new(vakt_bin())
        .args(["keygen", "--project", "p", "--out"])
        .arg(&key)
        .status()
        .unwrap()
        .success());
    std::fs::write(
        d.join("p.toml"),
        "name = \"p\"\nversion = \"1\"\n[return]\ntable = \"r\"\ncolumn = \"who\"\n[[table]]\nname = \"r\"\nfiles = [\"r.csv\"]\n[[table.column]]\nname = \"who\"\ntype = \"text\"\n[[table]]\nname = \"t\"\nfiles = [\"t.csv\"]\n[[table.column]]\nname = \"a\"\ntype = \"integer\"\nrange = { max = 5 }\n",
    )
    .unwrap();
    let ret = d.join("=CMD|' CALC'!A0");
    std::fs::create_dir(&ret).unwrap();
    std::fs::write(ret.join("r.csv"), "who\n=CMD|' CALC'!A0\n").unwrap();
    std::fs::write(ret.join("t.csv"), "a\n9\n").unwrap();
    let out = d.join("out");
    let r = run(
        &[
            os("clean"),
            ret.as_os_str(),
            os("--rules"),
            d.join("p.toml").as_os_str(),
            os("--key"),
            key.as_os_str(),
            os("--domain"),
            os("d"),
            os("--out"),
            out.as_os_str(),
            os("--on-error"),
            os("row"),
        ],
        60,
        2048,
        None,
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    for f in ["t.csv", "rejected/t.csv", "r.csv"] {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        for line in text.lines().skip(1) {
            for field in line.split(',') {
                assert!(!field.starts_with('='), "{f}: a formula `{field}`");
            }
        }
    }
}
