//! Writers: returns as xlsx (rust_xlsxwriter), ODS (hand-written OpenDocument XML in a zip) and CSV
//! folders (Windows-1252 with `;`, or UTF-8 with a BOM and `,`); the truth tables; defects.json.
//! Every writer is deterministic: fixed document dates, no timestamps, stable order.

use super::layout::{Cell, Format, Lang, ReturnPlan, SheetPlan, Spot};
use super::model::National;
use serde_json::json;
use std::io::Write;
use std::path::Path;
use vakt_core::finding::column_letters;

type Result<T> = std::result::Result<T, String>;

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

/// Excel serial of a date (1900 system).
fn serial(d: vakt_core::value::Date) -> f64 {
    f64::from(d.0 + 25_569)
}

/// Where each planned row went: (tag, 1-based row or line).
pub struct Placed {
    pub file: String,
    pub sheet: Option<String>,
    pub positions: Vec<(u32, u64)>,
    pub columns: Vec<String>,
    /// Empty columns left of the table.
    pub col0: u16,
}

impl Placed {
    fn locate(&self, tag: u32, column: Option<&str>) -> serde_json::Value {
        let row = self.positions.iter().find(|p| p.0 == tag).map(|p| p.1);
        let col = column.and_then(|c| self.columns.iter().position(|x| x == c));
        let cell = match (&self.sheet, row, col) {
            (Some(_), Some(r), Some(c)) => Some(format!("{}{r}", column_letters(c as u32 + u32::from(self.col0)))),
            _ => None,
        };
        json!({
            "file": self.file,
            "sheet": self.sheet,
            "cell": cell,
            "row": row,
            "line": if self.sheet.is_none() { row } else { None },
            "column": column,
        })
    }
}

/// Writes one return under `dir/returns/`; returns where each sheet's rows went.
pub fn write_return(dir: &Path, plan: &ReturnPlan, utf8_csv: bool) -> Result<Vec<Placed>> {
    let returns = dir.join("returns");
    match plan.format {
        Format::Xlsx => {
            let rel = format!("returns/{}.xlsx", plan.code);
            write_xlsx(&returns.join(format!("{}.xlsx", plan.code)), plan)?;
            Ok(plan.sheets.iter().map(|s| placed(&rel, Some(s), s, false)).collect())
        }
        Format::Ods => {
            let rel = format!("returns/{}.ods", plan.code);
            write_ods(&returns.join(format!("{}.ods", plan.code)), plan)?;
            Ok(plan.sheets.iter().map(|s| placed(&rel, Some(s), s, false)).collect())
        }
        Format::Csv => {
            let folder = returns.join(&plan.code);
            std::fs::create_dir_all(&folder).map_err(io_err(&folder))?;
            let mut out = Vec::new();
            for s in &plan.sheets {
                write_csv(&folder.join(&s.name), s, plan.lang, utf8_csv, plan.cr_only)?;
                out.push(placed(&format!("returns/{}/{}", plan.code, s.name), None, s, true));
            }
            Ok(out)
        }
    }
}

fn placed(file: &str, sheet: Option<&SheetPlan>, s: &SheetPlan, csv: bool) -> Placed {
    Placed {
        file: file.to_string(),
        sheet: sheet.map(|x| x.name.clone()),
        positions: s.positions(csv),
        columns: s.columns.clone(),
        col0: s.col0,
    }
}

fn write_xlsx(path: &Path, plan: &ReturnPlan) -> Result<()> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| format!("{}: {e}", path.display());
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2009, 4, 1).map_err(err)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("vakt-synth"),
    );
    for s in &plan.sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name).map_err(err)?;
        write_xlsx_sheet(ws, s).map_err(err)?;
    }
    wb.save(path).map_err(err)
}

fn write_xlsx_sheet(
    ws: &mut rust_xlsxwriter::Worksheet,
    s: &SheetPlan,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as Fmt, Formula};
    let date_fmt = Fmt::new().set_num_format("dd.mm.yyyy");
    let plain = Fmt::new();
    let c0 = s.col0;
    let mut row: u32 = 0;
    for t in &s.title {
        ws.write_string(row, c0, t)?;
        row += 1;
    }
    write_xlsx_header(ws, s, row, &plain)?;
    row += s.header_rows() as u32;
    let first_data_row = row;
    for r in &s.rows {
        for (c, cell) in r.cells.iter().enumerate() {
            let c = c0 + c as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(t) => {
                    ws.write_string(row, c, t)?;
                }
                // A real error cell: a formula whose cached result is the error (t="e").
                Cell::Error(e) => {
                    let (formula, result) = error_formula(e);
                    ws.write_formula(row, c, Formula::new(formula).set_result(result))?;
                }
                Cell::Number(n) | Cell::Serial(n) => {
                    ws.write_number(row, c, *n)?;
                }
                Cell::Date(d) => {
                    ws.write_number_with_format(row, c, serial(*d), &date_fmt)?;
                }
            }
        }
        row += 1;
    }
    for &(first, last, col) in &s.merges {
        let pos = |tag: u32| {
            s.rows
                .iter()
                .position(|r| r.tag == tag)
                .map(|p| first_data_row + p as u32)
        };
        if let (Some(a), Some(b)) = (pos(first), pos(last)) {
            let value = s.rows[(a - first_data_row) as usize].cells[col].show(true);
            ws.merge_range(a, c0 + col as u16, b, c0 + col as u16, &value, &plain)?;
        }
    }
    Ok(())
}

/// The header: one row, or two with each parent merged across its children and every other
/// header merged down over both rows.
fn write_xlsx_header(
    ws: &mut rust_xlsxwriter::Worksheet,
    s: &SheetPlan,
    row: u32,
    plain: &rust_xlsxwriter::Format,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    let c0 = s.col0;
    if s.header_rows() == 1 {
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string(row, c0 + c as u16, h)?;
        }
        return Ok(());
    }
    let mut c = 0;
    while c < s.header.len() {
        let col = c0 + c as u16;
        match s.parents.get(c).cloned().flatten() {
            None => {
                ws.merge_range(row, col, row + 1, col, &s.header[c], plain)?;
                c += 1;
            }
            Some(parent) => {
                let run = s.parents[c..]
                    .iter()
                    .take_while(|p| p.as_deref() == Some(parent.as_str()))
                    .count();
                if run > 1 {
                    ws.merge_range(row, col, row, col + run as u16 - 1, &parent, plain)?;
                } else {
                    ws.write_string(row, col, &parent)?;
                }
                for k in 0..run {
                    ws.write_string(row + 1, col + k as u16, &s.header[c + k])?;
                }
                c += run;
            }
        }
    }
    Ok(())
}

/// A formula Excel would leave with this error, and the error as a workbook stores it (in
/// English whatever the language Excel shows it in: Norwegian `#I/T` is `#N/A`).
fn error_formula(e: &str) -> (&'static str, &'static str) {
    match e {
        "#DIV/0!" => ("1/0", "#DIV/0!"),
        "#N/A" | "#I/T" => ("NA()", "#N/A"),
        "#REF!" => ("#REF!", "#REF!"),
        "#NAME?" => ("NOSUCHFUNCTION()", "#NAME?"),
        _ => ("\"a\"+1", "#VALUE!"),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn write_ods(path: &Path, plan: &ReturnPlan) -> Result<()> {
    let mut body = String::new();
    let cell_xml = |c: &Cell| -> String {
        match c {
            Cell::Empty => "<table:table-cell/>".to_string(),
            Cell::Text(t) | Cell::Error(t) => {
                format!("<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>", xml_escape(t))
            }
            Cell::Number(n) | Cell::Serial(n) => {
                let v = c.show(true);
                let _ = n;
                format!("<table:table-cell office:value-type=\"float\" office:value=\"{v}\"><text:p>{v}</text:p></table:table-cell>")
            }
            Cell::Date(d) => format!(
                "<table:table-cell office:value-type=\"date\" office:date-value=\"{d}\"><text:p>{}</text:p></table:table-cell>",
                c.show(false)
            ),
        }
    };
    for s in &plan.sheets {
        body.push_str(&format!("<table:table table:name=\"{}\">", xml_escape(&s.name)));
        let lead = "<table:table-cell/>".repeat(usize::from(s.col0));
        let mut row = |cells: &mut dyn Iterator<Item = String>| {
            body.push_str("<table:table-row>");
            body.push_str(&lead);
            cells.for_each(|c| body.push_str(&c));
            body.push_str("</table:table-row>");
        };
        for t in &s.title {
            row(&mut std::iter::once(cell_xml(&Cell::Text(t.clone()))));
        }
        row(&mut s.header.iter().map(|h| cell_xml(&Cell::Text(h.clone()))));
        for (p, r) in s.rows.iter().enumerate() {
            row(&mut r
                .cells
                .iter()
                .enumerate()
                .map(|(c, cell)| ods_cell(s, p, c, cell_xml(cell))));
        }
        body.push_str("</table:table>");
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\"><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\"><manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/><manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>";
    let file = std::fs::File::create(path).map_err(io_err(path))?;
    let mut zip = zip::ZipWriter::new(file);
    let err = |e: zip::result::ZipError| format!("{}: {e}", path.display());
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    let deflated = stored.compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).map_err(err)?;
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .map_err(io_err(path))?;
    zip.start_file("content.xml", deflated).map_err(err)?;
    zip.write_all(content.as_bytes()).map_err(io_err(path))?;
    zip.start_file("META-INF/manifest.xml", deflated).map_err(err)?;
    zip.write_all(manifest.as_bytes()).map_err(io_err(path))?;
    zip.finish().map_err(err)?;
    Ok(())
}

/// A data cell of an ODS sheet, as merges leave it: the first cell of a merged range spans its
/// rows, the others are covered.
fn ods_cell(s: &SheetPlan, pos: usize, col: usize, xml: String) -> String {
    let index = |tag: u32| s.rows.iter().position(|r| r.tag == tag);
    for &(first, last, c) in &s.merges {
        let (Some(a), Some(b)) = (index(first), index(last)) else {
            continue;
        };
        if c != col || pos < a || pos > b {
            continue;
        }
        if pos == a {
            let spanned = format!("<table:table-cell table:number-rows-spanned=\"{}\" ", b - a + 1);
            return xml.replacen("<table:table-cell ", &spanned, 1);
        }
        return "<table:covered-table-cell/>".into();
    }
    xml
}

fn write_csv(path: &Path, s: &SheetPlan, lang: Lang, utf8: bool, cr_only: bool) -> Result<()> {
    let delim = if utf8 { ',' } else { ';' };
    let iso = lang == Lang::En;
    let mut text = String::new();
    let field = |v: &str, out: &mut String| {
        if v.contains([delim, '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&v.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(v);
        }
    };
    let line = |cells: Vec<String>, out: &mut String| {
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(delim);
            }
            field(c, out);
        }
        out.push_str(if cr_only { "\r" } else { "\r\n" });
    };
    for t in &s.title {
        line(vec![t.clone()], &mut text);
    }
    line(s.header.clone(), &mut text);
    for r in &s.rows {
        line(r.cells.iter().map(|c| c.show(iso)).collect(), &mut text);
    }
    let bytes = if utf8 {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(text.as_bytes());
        b
    } else {
        encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
    };
    std::fs::write(path, bytes).map_err(io_err(path))
}

/// A truth table: its name, header and rows.
type TruthTable = (&'static str, Vec<&'static str>, Vec<Vec<String>>);

fn opt(v: Option<String>) -> String {
    v.unwrap_or_default()
}

/// The truth tables: canonical codes, ISO dates, UTF-8, one `authority_code` column first.
pub fn write_truth(dir: &Path, national: &National) -> Result<()> {
    let truth = dir.join("truth");
    std::fs::create_dir_all(&truth).map_err(io_err(&truth))?;
    let tables = [
        truth_units(national),
        truth_groups(national),
        truth_patients(national),
        truth_therapists(national),
        truth_group_therapists(national),
    ];
    for (name, header, rows) in tables {
        let path = truth.join(format!("{name}.csv"));
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_path(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        w.write_record(&header)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for r in rows {
            w.write_record(&r).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        w.flush().map_err(io_err(&path))?;
    }
    Ok(())
}

fn truth_units(national: &National) -> TruthTable {
    let header = vec![
        "authority_code",
        "unit_id",
        "unit_name",
        "setting",
        "service_mode",
        "municipality",
    ];
    let rows = national
        .returns
        .iter()
        .flat_map(|r| {
            r.units.iter().map(move |u| {
                vec![
                    r.authority_code.clone(),
                    u.unit_id.clone(),
                    u.unit_name.clone(),
                    u.setting.into(),
                    u.service_mode.into(),
                    u.municipality.clone(),
                ]
            })
        })
        .collect();
    ("units", header, rows)
}

fn truth_groups(national: &National) -> TruthTable {
    let header = vec![
        "authority_code",
        "group_id",
        "unit_id",
        "group_name",
        "group_type",
        "group_format",
        "frequency",
        "session_minutes",
        "duration_cat",
        "planned_sessions",
        "start_date",
        "n_patients",
        "n_therapists",
        "cotherapy",
        "comment",
        "setting",
    ];
    let rows = national
        .returns
        .iter()
        .flat_map(|r| {
            r.groups.iter().map(move |g| {
                vec![
                    r.authority_code.clone(),
                    g.group_id.clone(),
                    g.unit_id.clone(),
                    g.group_name.clone(),
                    g.group_type.into(),
                    g.group_format.into(),
                    g.frequency.into(),
                    g.session_minutes.to_string(),
                    g.duration_cat.into(),
                    opt(g.planned_sessions.map(|p| p.to_string())),
                    g.start_date.to_string(),
                    g.n_patients.to_string(),
                    g.n_therapists.to_string(),
                    g.cotherapy.to_string(),
                    g.comment.clone(),
                    g.setting.into(),
                ]
            })
        })
        .collect();
    ("groups", header, rows)
}

fn truth_patients(national: &National) -> TruthTable {
    let header = vec![
        "authority_code",
        "group_id",
        "patient_id",
        "birth_year",
        "sex",
        "main_dx",
        "dx_group",
        "start_date",
        "end_date",
        "sessions_attended",
    ];
    let rows = national
        .returns
        .iter()
        .flat_map(|r| {
            r.patients.iter().map(move |p| {
                vec![
                    r.authority_code.clone(),
                    p.group_id.clone(),
                    p.patient_id.clone(),
                    p.birth_year.to_string(),
                    p.sex.into(),
                    p.main_dx.clone(),
                    p.dx_group.into(),
                    p.start_date.to_string(),
                    opt(p.end_date.map(|d| d.to_string())),
                    opt(p.sessions_attended.map(|s| s.to_string())),
                ]
            })
        })
        .collect();
    ("patients", header, rows)
}

fn truth_therapists(national: &National) -> TruthTable {
    let header = vec![
        "authority_code",
        "therapist_id",
        "therapist_name",
        "profession",
        "gt_training",
        "sex",
        "birth_year",
    ];
    let rows = national
        .returns
        .iter()
        .flat_map(|r| {
            r.therapists.iter().map(move |t| {
                vec![
                    r.authority_code.clone(),
                    t.therapist_id.clone(),
                    t.therapist_name.clone(),
                    t.profession.into(),
                    t.gt_training.into(),
                    t.sex.into(),
                    t.birth_year.to_string(),
                ]
            })
        })
        .collect();
    ("therapists", header, rows)
}

fn truth_group_therapists(national: &National) -> TruthTable {
    let header = vec!["authority_code", "group_id", "therapist_id", "role"];
    let rows = national
        .returns
        .iter()
        .flat_map(|r| {
            r.group_therapists.iter().map(move |g| {
                vec![
                    r.authority_code.clone(),
                    g.group_id.clone(),
                    g.therapist_id.clone(),
                    g.role.into(),
                ]
            })
        })
        .collect();
    ("group_therapists", header, rows)
}

/// One defect as JSON, located through the placed sheets of its return.
pub fn defect_json(code: &str, placed: &[Placed], tables: &[String], d: &super::layout::Defect) -> serde_json::Value {
    let find = |spot: &Spot| -> serde_json::Value {
        let i = tables.iter().position(|t| *t == spot.table).unwrap_or(0);
        placed[i].locate(spot.tag, spot.column.as_deref())
    };
    let mut v = find(&d.spot);
    if let Some(o) = v.as_object_mut() {
        o.insert("return".into(), json!(code));
        o.insert("table".into(), json!(d.spot.table));
        o.insert("kind".into(), json!(d.kind.name));
        o.insert("severity".into(), json!(d.kind.expected.as_str()));
        o.insert("code".into(), json!(d.kind.code));
        o.insert("original".into(), json!(d.original));
        o.insert("written".into(), json!(d.written));
        let related: Vec<serde_json::Value> = d
            .related
            .iter()
            .map(|r| {
                let mut v = find(&r.spot);
                if let Some(o) = v.as_object_mut() {
                    o.insert("code".into(), json!(r.code));
                    o.insert("severity".into(), json!(r.expected.as_str()));
                }
                v
            })
            .collect();
        o.insert("related".into(), json!(related));
    }
    v
}
