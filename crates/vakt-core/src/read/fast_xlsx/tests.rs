//! The fast reader against calamine, cell by cell: sheets generated from the forms spreadsheet
//! writers produce (which the fast reader must read alone) and from odd forms mixed in (where it
//! must hand over to calamine and still give the same rows). calamine is the oracle: these tests
//! never ask the fast reader what a cell should be.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]

use super::write_package;
use crate::read::read_by_both;

const SHARED: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">
<si><t>G0001</t></si><si><t xml:space="preserve"> spaced </t></si><si><t>Ærlig &amp; ødelagt</t></si>
<si><r><rPr><b/></rPr><t>ri</t></r><r><t>ch</t></r><rPh sb="0" eb="1"><t>x</t></rPh></si>
<si><t>line_x000D_break</t></si><si/></sst>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts>
<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="2"/></cellXfs></styleSheet>"#;

/// A small deterministic generator (xorshift), so a failure names its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[self.below(options.len())]
    }
}

fn column(mut c: usize) -> String {
    let mut s = Vec::new();
    c += 1;
    while c > 0 {
        s.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// A cell as spreadsheet writers write it (Excel, openpyxl, rust_xlsxwriter, LibreOffice).
fn common_cell(rng: &mut Rng, r: &str) -> String {
    let num = rng.pick(&[
        "12",
        "-3.5",
        "1.5E-3",
        "0",
        "45000",
        "45000.75",
        "1E+20",
        "-0",
        "2.2250738585072014E-308",
    ]);
    match rng.below(14) {
        0 => format!(r#"<c r="{r}" t="s"><v>{}</v></c>"#, rng.below(6)),
        1 => format!(r#"<c r="{r}"><v>{num}</v></c>"#),
        2 => format!(r#"<c r="{r}" s="{}"><v>{num}</v></c>"#, rng.below(7)),
        3 => format!(
            r#"<c r="{r}" t="b"><v>{}</v></c>"#,
            rng.pick(&["0", "1", "true", "FALSE"])
        ),
        4 => format!(
            r#"<c r="{r}" t="e"><v>{}</v></c>"#,
            rng.pick(&["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"])
        ),
        5 => format!(
            r#"<c r="{r}" t="str"><f>A1&amp;B1</f><v>{}</v></c>"#,
            rng.pick(&["a &amp; b", "x_x000D_y", "", "&lt;tag&gt;"])
        ),
        6 => format!(r#"<c r="{r}" t="d"><v>2024-01-0{}T00:00:00</v></c>"#, 1 + rng.below(9)),
        7 => format!(
            r#"<c r="{r}" t="inlineStr"><is><t{}>{}</t></is></c>"#,
            rng.pick(&["", r#" xml:space="preserve""#]),
            rng.pick(&[" x ", "EPJ-000000001", "Ærøskøbing", "", "\n tabbed\t"])
        ),
        8 => format!(r#"<c r="{r}"{}/>"#, rng.pick(&["", r#" s="1""#, r#" t="inlineStr""#])),
        9 => format!(r#"<c r="{r}" s="0"><f>SUM(A1:A2)</f></c>"#),
        10 => format!(r#"<c r="{}"><v>{num}</v></c>"#, r.to_ascii_lowercase()),
        11 => format!(r#"<c r="{r}" t="n" s="3"><v>{num}</v></c>"#),
        12 => format!(r#"<c r="{r}" t="inlineStr"><is/></c>"#),
        _ => format!("<c r=\"{r}\" t=\"s\">\n  <v>{}</v>\n</c>", rng.below(6)),
    }
}

/// A form the fast reader leaves to calamine (or that calamine refuses).
fn odd_cell(rng: &mut Rng, r: &str) -> String {
    match rng.below(14) {
        0 => format!(r#"<c r="{r}"><v> 12</v></c>"#),
        1 => format!(r#"<c r="{r}"><v>.5</v></c>"#),
        2 => format!(r#"<c r="{r}"><v>abc</v></c>"#),
        3 => format!(r#"<c r="{r}" t="x"><v>1</v></c>"#),
        4 => format!(r#"<c r="{r}" t="str"><v><![CDATA[a<b]]></v></c>"#),
        5 => format!(r#"<c r="{r}" t="str"><v>&#65;B</v></c>"#),
        6 => format!(r#"<c r="{r}" t="inlineStr"><is><r><t>ri</t></r><r><t>ch</t></r></is></c>"#),
        7 => format!(r#"<!-- note --><c r="{r}"><v>1</v></c>"#),
        8 => format!(r#"<c r="{r}" t="s"><v>99</v></c>"#),
        9 => format!(r#"<c r="{r}"><v>1</v><f>A1</f></c>"#),
        10 => format!(r#"<c r='{r}' t='b'><v>2</v></c>"#),
        11 => format!("<c r=\"{r}\" t=\"str\"><v>a\r\nb</v></c>"),
        12 => "<c><v>7</v></c>".to_string(),
        _ => format!(r#"<x:c r="{r}"><x:v>1</x:v></x:c>"#),
    }
}

/// A sheet of rows; with `odd`, a few odd forms are mixed in.
fn sheet(rng: &mut Rng, odd: bool) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"><dimension ref="A1:H40"/><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><sheetData>"#,
    );
    let mut row = 0usize;
    for _ in 0..1 + rng.below(30) {
        row += 1 + rng.below(2);
        match rng.below(10) {
            0 => xml.push_str(&format!(r#"<row r="{row}" spans="1:4" ht="20" customHeight="1"/>"#)),
            1 => xml.push_str("<row>"),
            2 => xml.push_str(&format!(r#"<row r="{row}" spans="1:8">"#)),
            _ => xml.push_str(&format!(r#"<row r="{row}" spans="1:8" x14ac:dyDescent="0.25">"#)),
        }
        if xml.ends_with("/>") {
            continue;
        }
        let mut col = 0usize;
        for _ in 0..rng.below(8) {
            col += 1 + rng.below(2);
            let r = format!("{}{row}", column(col - 1));
            let cell = if odd && rng.below(12) == 0 {
                odd_cell(rng, &r)
            } else if rng.below(15) == 0 {
                // Without a reference: at calamine's running position.
                common_cell(rng, &r).replacen(&format!(r#" r="{r}""#), "", 1)
            } else {
                common_cell(rng, &r)
            };
            xml.push_str(&cell);
            if rng.below(4) == 0 {
                xml.push_str("\n  ");
            }
        }
        xml.push_str("</row>");
    }
    xml.push_str(r#"</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>"#);
    xml
}

fn compare(seed: u64, odd: bool, date1904: bool) -> bool {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let xml = sheet(&mut rng, odd);
    compare_xml(xml.as_bytes(), date1904, &format!("seed {seed}, odd {odd}"))
}

/// Both readers on one sheet; whether the fast reader read it alone.
fn compare_xml(xml: &[u8], date1904: bool, what: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    write_package(&path, xml, Some(SHARED.as_bytes()), Some(STYLES.as_bytes()), date1904).unwrap();
    let (by_calamine, by_fast, alone) = read_by_both(&path, "Data").unwrap();
    assert_eq!(by_calamine, by_fast, "{what}:\n{}", String::from_utf8_lossy(xml));
    alone
}

/// A cell of the form the one-pass path reads (`plain.rs`), with one or two bytes inserted,
/// removed or replaced: the edits land on both sides of that path's boundary.
fn near_plain_cell(rng: &mut Rng, r: &str) -> Vec<u8> {
    let attrs = rng.pick(&[
        "",
        r#" t="s""#,
        r#" s="1""#,
        r#" s="2" t="n""#,
        r#" t="b""#,
        r#" t="str""#,
    ]);
    let value = rng.pick(&["0", "1", "5", "45000", "-2.5", "", "true"]);
    let mut cell = if rng.below(3) == 0 {
        // The plain inline form (`plain::inline_text`), of any cell type.
        let text = rng.pick(&["EPJ-1", "a b", "", "x_x0041_y", "G1", " x ", "Ærø", "a\tb\n", "a\rb"]);
        format!(r#"<c r="{r}"{attrs}><is><t>{text}</t></is></c>"#).into_bytes()
    } else {
        format!(r#"<c r="{r}"{attrs}><v>{value}</v></c>"#).into_bytes()
    };
    let edits: [&[u8]; 16] = [
        b" ",
        b"\"",
        b"'",
        b"/",
        b">",
        b"<",
        b"&",
        b"&amp;",
        b"\t",
        b"=",
        b"\x0c",
        "æ".as_bytes(),
        b"x",
        b"R",
        b"\xff",
        b"</c>",
    ];
    for _ in 0..1 + rng.below(2) {
        let at = rng.below(cell.len() + 1);
        match rng.below(3) {
            0 if at < cell.len() => {
                cell.remove(at);
            }
            1 if at < cell.len() => {
                let edit = edits[rng.below(edits.len())];
                cell.splice(at..at + 1, edit.iter().copied());
            }
            _ => {
                let edit = edits[rng.below(edits.len())];
                cell.splice(at..at, edit.iter().copied());
            }
        }
    }
    cell
}

/// Rows of plain cells, a third of them edited; `rows` large enough crosses the reader's first
/// window (256 KiB), so that cells are also cut by the end of what was read.
fn near_plain_sheet(rng: &mut Rng, rows: usize) -> Vec<u8> {
    let mut xml = b"<worksheet><sheetData>".to_vec();
    for row in 1..=rows {
        // Row tags in the plain form and near it (which the general path reads).
        let tag = match rng.below(8) {
            0 => format!(r#"<row spans="1:8" r="{row}">"#),
            1 => format!(r#"<row r="{row}" spans="1:8" >"#),
            2 => format!(r#"<row  r="{row}">"#),
            3 => format!(r#"<row r="{row}" ht="15">"#),
            4 => format!("<row r=\"{row}\"\tspans=\"1:8\">"),
            _ => format!(r#"<row r="{row}">"#),
        };
        xml.extend_from_slice(tag.as_bytes());
        for col in 0..8 {
            let r = format!("{}{row}", column(col));
            if rng.below(3) == 0 {
                xml.extend(near_plain_cell(rng, &r));
            } else {
                xml.extend_from_slice(common_cell(rng, &r).as_bytes());
            }
        }
        xml.extend_from_slice(b"</row>");
    }
    xml.extend_from_slice(b"</sheetData></worksheet>");
    xml
}

#[test]
fn cells_near_the_plain_form_are_read_as_calamine_reads_them() {
    let mut alone = 0;
    for seed in 0u64..600 {
        let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
        // One edited cell among plain ones.
        let edited = rng.below(4);
        let mut xml = br#"<worksheet><sheetData><row r="1">"#.to_vec();
        for col in 0..4 {
            let r = format!("{}1", column(col));
            if col == edited {
                xml.extend(near_plain_cell(&mut rng, &r));
            } else {
                xml.extend_from_slice(common_cell(&mut rng, &r).as_bytes());
            }
        }
        xml.extend_from_slice(b"</row></sheetData></worksheet>");
        if compare_xml(&xml, false, &format!("seed {seed}")) {
            alone += 1;
        }
    }
    // Some edits keep a form the fast reader reads (`<v>0</v>` to `<v>0x</v>`, a space before
    // `>`), many do not: both sides of the boundary were reached.
    assert!((10..570).contains(&alone), "{alone}");
}

#[test]
fn a_sheet_larger_than_the_first_read_window() {
    let mut rng = Rng(7);
    let mut xml = b"<worksheet><sheetData>".to_vec();
    for row in 1..=12_000 {
        xml.extend_from_slice(format!(r#"<row r="{row}">"#).as_bytes());
        for col in 0..4 {
            xml.extend_from_slice(common_cell(&mut rng, &format!("{}{row}", column(col))).as_bytes());
        }
        xml.extend_from_slice(b"</row>");
    }
    xml.extend_from_slice(b"</sheetData></worksheet>");
    assert!(xml.len() > 2 * (256 << 10), "{}", xml.len());
    assert!(compare_xml(&xml, false, "large"));
    let edited = near_plain_sheet(&mut rng, 3_000);
    assert!(edited.len() > 256 << 10);
    compare_xml(&edited, false, "large, edited");
}

#[test]
fn common_forms_are_read_alone_and_as_calamine_reads_them() {
    for seed in 0..300 {
        assert!(
            compare(seed, false, seed % 5 == 0),
            "seed {seed}: handed over on a common form"
        );
    }
}

#[test]
fn odd_forms_are_handed_to_calamine_with_the_same_rows() {
    let mut handed_over = 0;
    for seed in 0..300 {
        if !compare(seed, true, seed % 7 == 0) {
            handed_over += 1;
        }
    }
    // The odd forms did reach the hand-over (else this test would prove nothing about it).
    assert!(handed_over > 100, "{handed_over}");
}

#[test]
fn a_workbook_without_shared_strings_or_styles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    let xml = br#"<worksheet><sheetData><row r="1"><c r="A1" s="3"><v>45000</v></c><c r="B1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#;
    write_package(&path, xml, None, None, false).unwrap();
    let (by_calamine, by_fast, alone) = read_by_both(&path, "Data").unwrap();
    assert_eq!(by_calamine, by_fast);
    assert!(alone);
    // The sheets line, then the one row.
    assert_eq!(by_fast.len(), 2);
}

#[test]
fn a_sheet_cut_short_or_without_data_is_left_to_calamine() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    for xml in [
        &br#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c>"#[..],
        br#"<worksheet><sheetData/></worksheet>"#,
        br#"<worksheet><dimension ref="A1:B2:C3"/><sheetData></sheetData></worksheet>"#,
        br#"<chartsheet><sheetPr/></chartsheet>"#,
        br#"<?xml version="1.0" encoding="ISO-8859-1"?><worksheet><sheetData><row><c t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#,
        // Found by the fuzz target: a tag that is not UTF-8, which calamine refuses.
        b"<worksheet><s\xff\x01heetX/><sheetData><row r=\"2\"><c r=\"A2\"><v>1</v></c></row></sheetData></worksheet>",
        b"<worksheet><sheetData><row r=\"2\" x=\"\xff\"><c r=\"A2\"><v>1</v></c></row></sheetData></worksheet>",
        b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"B2\" t=\"str\"><f>A\xa3</f><v>a</v></c></row></sheetData></worksheet>",
        // Found by the fuzz target: end tags with no element open, which calamine refuses.
        br#"<worksheet><v></v></c></row><dimension ref="A1:C3"/><sheetData><row><c><v>1</v></c></row></sheetData></worksheet>"#,
        br#"<worksheet><sheetData></row></sheetData></worksheet><row><c><v>1</v></c></row>"#,
        // Found by the fuzz target: attributes after a form feed, which calamine reads as a space.
        b"<worksheet><sheetData><row r=\"1\"><c \x0ct=\"b\"><v>0</v></c></row></sheetData></worksheet>",
                // Found by the fuzz target: a reference not closed in a formula, which calamine refuses.
        br#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2" t="str"><f>A1&B1</f><v>a</v></c></row></sheetData></worksheet>"#,
    ] {
        write_package(&path, xml, Some(SHARED.as_bytes()), Some(STYLES.as_bytes()), false).unwrap();
        let (by_calamine, by_fast, _) = read_by_both(&path, "Data").unwrap();
        assert_eq!(by_calamine, by_fast, "{}", String::from_utf8_lossy(xml));
    }
}

#[test]
fn odd_shared_strings_are_left_to_calamine() {
    let sheet = br#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row></sheetData></worksheet>"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    for sst in [
        // Found by the fuzz target (its input, less the `S` that selects this mode): tags that are
        // not well-formed (`< name>`, `<<`).
        &include_bytes!("../../../../../fuzz/corpus/fast_xlsx/odd-shared-strings")[1..],
        br#"<sst><si><t>a</t></si><si><t>b &bogus c</t></si><si><t>c</t></si></sst>"#,
        br#"<sst><si><t>a</t></si><si><t>b</t></si><si><t>c</t></si><2si></sst>"#,
    ] {
        write_package(&path, sheet, Some(sst), Some(STYLES.as_bytes()), false).unwrap();
        if let Some((by_calamine, by_fast, _)) = read_by_both(&path, "Data") {
            assert_eq!(by_calamine, by_fast, "{}", String::from_utf8_lossy(sst));
        }
    }
}

/// A package of the given parts (name, bytes), for the workbook-part tests.
fn write_parts(path: &std::path::Path, parts: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in parts {
        zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// A workbook part, its relationships and the package's, drawn from the forms writers produce
/// and from forms calamine refuses (a missing relationship, an unknown state or sheet type, a
/// part that never closes, an attribute twice).
fn workbook_parts(rng: &mut Rng) -> (String, String, String) {
    let mut sheets = String::new();
    for _ in 0..1 + rng.below(2) {
        let name = rng.pick(&[
            "Data",
            "Ark &amp; 2",
            "Skjult",
            "Data",
            "&lt;x&gt;",
            "Data",
            "Skjult",
            "bad &bogus;",
        ]);
        let state = rng.pick(&[
            "",
            "",
            "",
            r#" state="visible""#,
            r#" state="hidden""#,
            r#" state="veryHidden""#,
            r#" state="bogus""#,
        ]);
        let rid = rng.pick(&["rId1", "rId1", "rId1", "rId2", "rId2", "rId3", "rId9"]);
        let twice = rng.pick(&["", "", "", "", "", "", "", "", r#" name="Again""#, r#" r:id="rId1""#]);
        sheets.push_str(&format!(
            r#"<sheet name="{name}" sheetId="1"{state} r:id="{rid}"{twice}/>"#
        ));
    }
    let pr = rng.pick(&[
        "",
        r#"<workbookPr date1904="1"/>"#,
        r#"<workbookPr date1904="true"/>"#,
        r#"<workbookPr date1904="0" defaultThemeVersion="1"/>"#,
        r#"<workbookPr/>"#,
    ]);
    let names = rng.pick(&[
        "",
        r#"<definedNames><definedName name="x">Data!$A$1</definedName></definedNames>"#,
    ]);
    let end = rng.pick(&[
        "</workbook>",
        "</workbook>",
        "</workbook>",
        "</workbook>",
        "</workbook>",
        "</workbook>",
        "",
    ]);
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{pr}<sheets>{sheets}</sheets>{names}{end}"#
    );
    let second = rng.pick(&[
        "worksheet",
        "worksheet",
        "worksheet",
        "chartsheet",
        "dialogsheet",
        "pivotTable",
        "work&amp;sheet",
    ]);
    let third = rng.pick(&["", r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#]);
    let rels_end = rng.pick(&["</Relationships>"; 9].iter().copied().chain([""]).collect::<Vec<_>>());
    let rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{second}" Target="worksheets/sheet1.xml"/>{third}{rels_end}"#
    );
    let package_end = rng.pick(&["</Relationships>"; 9].iter().copied().chain([""]).collect::<Vec<_>>());
    let package = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>{package_end}"#
    );
    (workbook, rels, package)
}

#[test]
fn a_workbook_read_without_calamine_is_one_calamine_opens_with_the_same_sheets() {
    use calamine::Reader;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.xlsx");
    let sheet = br#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#;
    let (mut light, mut refused) = (0, 0);
    for seed in 0..400u64 {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (seed + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
        let (workbook, rels, package) = workbook_parts(&mut rng);
        write_parts(
            &path,
            &[
                ("_rels/.rels", package.as_bytes()),
                ("xl/workbook.xml", workbook.as_bytes()),
                ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
                ("xl/worksheets/sheet1.xml", sheet),
                ("xl/sharedStrings.xml", SHARED.as_bytes()),
                ("xl/styles.xml", STYLES.as_bytes()),
            ],
        );
        let by_calamine = calamine::open_workbook::<calamine::Xlsx<_>, _>(&path);
        let Ok((meta, _)) = crate::read::lazy_xlsx::XlsxBook::read_light(&path) else {
            refused += 1;
            continue;
        };
        light += 1;
        let wb = by_calamine.unwrap_or_else(|e| {
            panic!("seed {seed}: calamine refused ({e}) what was read without it:\n{workbook}\n{rels}\n{package}")
        });
        let hidden: Vec<bool> = wb
            .sheets_metadata()
            .iter()
            .map(|s| s.visible != calamine::SheetVisible::Visible)
            .collect();
        let sheets: Vec<(String, bool)> = wb.sheet_names().into_iter().zip(hidden).collect();
        assert_eq!(meta.sheets, sheets, "seed {seed}: {workbook}");
        assert_eq!(meta.is_1904, wb.has_1904_epoch(), "seed {seed}: {workbook}");
    }
    // Both ways were taken often (else this test would prove little about either).
    assert!(
        light > 60 && refused > 60,
        "{light} read without calamine, {refused} left to it"
    );
}

#[test]
fn a_common_workbook_is_read_without_opening_calamine() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    let mut xml = String::from("<worksheet><sheetData>");
    for r in 1..=50 {
        xml.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c><c r="B{r}" s="1"><v>{r}</v></c></row>"#
        ));
    }
    xml.push_str("</sheetData></worksheet>");
    write_package(
        &path,
        xml.as_bytes(),
        Some(SHARED.as_bytes()),
        Some(STYLES.as_bytes()),
        false,
    )
    .unwrap();
    let mut input = crate::read::Input::open(&path).unwrap();
    let mut rows = input.rows(0).unwrap();
    let mut buf = crate::value::cell::RowBuf::default();
    let mut n = 0;
    while rows.next_row(&mut buf).unwrap() {
        n += 1;
    }
    drop(rows);
    assert!(n > 0);
    assert_eq!(input.calamine_opened(), Some(false));
}
