//! The feedback workbook: a copy of a submitted return, every cell with a finding highlighted by
//! severity and carrying a note, and a first sheet `Tilbakemelding` listing every finding with a
//! link to its cell and a summary per sheet.
//!
//! It goes back to the authority that sent the return, so it holds only what they sent and what
//! vakt says about it: the cells are copied as read (numbers as numbers, dates as dates, text as
//! text), and the notes carry the findings' messages, in which identifiers are already masked (the
//! collector is the one place cell text enters a message). Text that a spreadsheet would run as a
//! formula is written with Excel's quote prefix: it shows as typed and is never evaluated.

use crate::xlsx::{self, Styles};
use crate::Error;
use rust_xlsxwriter::{Note, Url, Worksheet};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use vakt_core::finding::{column_letters, quote_sheet, Finding, Severity};
use vakt_core::read::{Input, RowSource};
use vakt_core::report::InputReport;
use vakt_core::value::{CellKind, RowBuf};

/// The name of the first sheet.
pub const SUMMARY_SHEET: &str = "Tilbakemelding";

/// Where a finding points: the part (sheet or CSV file) and the 0-based cell, when it has one.
fn part_key(f: &Finding) -> &str {
    f.location.sheet.as_deref().unwrap_or(&f.location.file)
}

/// The findings of one part, by 0-based (row, column).
type CellFindings<'a> = BTreeMap<(u32, u16), Vec<&'a Finding>>;

/// One part of the return as it appears in the workbook.
struct Sheet<'a> {
    key: String,
    name: String,
    cells: CellFindings<'a>,
}

/// Writes `DIR/<return>-tilbakemelding.xlsx` for one checked return; returns its path.
///
/// `name` is the file's stem (the return's file or folder name, made unique by the caller).
pub fn write(report: &InputReport, dir: &Path, name: &str) -> Result<PathBuf, Error> {
    let path = dir.join(format!("{name}-tilbakemelding.xlsx"));
    let mut input = Input::open(&report.path).map_err(|e| Error::Input(e.to_string()))?;
    let mut wb = xlsx::workbook("vakt check --feedback")?;
    let styles = Styles::new();
    let sheets = plan_sheets(&input, report);
    write_summary(wb.add_worksheet(), report, &sheets, &styles)?;
    for (idx, sheet) in sheets.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name)?;
        let rows = input.rows(idx).map_err(|e| Error::Input(e.to_string()))?;
        let written = copy_rows(ws, rows, sheet, &styles)?;
        annotate(ws, sheet, &written, &styles)?;
        ws.set_autofit_max_width(300);
        ws.autofit();
        // Printed (or saved as PDF) landscape, every column on one page's width.
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
    }
    let bytes = wb.save_to_buffer()?;
    crate::write_private(&path, &bytes)?;
    Ok(path)
}

/// The workbook's sheets, one per part of the return, named as Excel allows, with their findings.
fn plan_sheets<'a>(input: &Input, report: &'a InputReport) -> Vec<Sheet<'a>> {
    let mut taken = vec![SUMMARY_SHEET.to_lowercase()];
    let mut sheets: Vec<Sheet> = input
        .parts
        .iter()
        .map(|p| {
            let wanted = p
                .sheet
                .clone()
                .unwrap_or_else(|| p.name.trim_end_matches(".csv").to_string());
            let name = xlsx::sheet_name(&wanted, &mut taken);
            Sheet {
                key: p.sheet.clone().unwrap_or_else(|| p.file.clone()),
                name,
                cells: BTreeMap::new(),
            }
        })
        .collect();
    let index: HashMap<String, usize> = sheets.iter().enumerate().map(|(i, s)| (s.key.clone(), i)).collect();
    for f in &report.findings {
        let (Some(&i), Some(cell)) = (index.get(part_key(f)), cell_of(f)) else {
            continue;
        };
        if let Some(s) = sheets.get_mut(i) {
            s.cells.entry(cell).or_default().push(f);
        }
    }
    sheets
}

/// The 0-based cell of a finding, when it names one that fits in a sheet.
fn cell_of(f: &Finding) -> Option<(u32, u16)> {
    let row = u32::try_from(f.location.row?.checked_sub(1)?).ok()?;
    let col = u16::try_from(f.location.col?).ok()?;
    (row < xlsx::MAX_ROWS && col < xlsx::MAX_COLS).then_some((row, col))
}

/// Copies every cell of one part, as read, with the highlight of its findings; returns the cells
/// with findings that held something.
fn copy_rows(
    ws: &mut Worksheet,
    mut rows: Box<dyn RowSource + '_>,
    sheet: &Sheet,
    styles: &Styles,
) -> Result<HashSet<(u32, u16)>, Error> {
    let mut written = HashSet::new();
    // Cells a merged range covers are empty in the file; the reader fills them for the checks.
    // Rows come in order: only the ranges over the current row are looked at (as the reader does).
    let mut merged = rows.merged_ranges();
    merged.sort_unstable();
    let mut next = 0;
    let mut active = Vec::new();
    let mut buf = RowBuf::default();
    while rows.next_row(&mut buf).map_err(|e| Error::Input(e.to_string()))? {
        let Some(r) = buf.row.checked_sub(1).and_then(|r| u32::try_from(r).ok()) else {
            continue;
        };
        if r >= xlsx::MAX_ROWS {
            break;
        }
        while let Some(&m) = merged.get(next).filter(|m| m.0 .0 <= r) {
            active.push(m);
            next += 1;
        }
        active.retain(|m| m.1 .0 >= r);
        let covered = |c: u32| active.iter().any(|&(a, b)| (a.1..=b.1).contains(&c) && (r, c) != a);
        for (c, cell) in buf.iter().enumerate() {
            let Some(c) = u16::try_from(c).ok().filter(|&c| c < xlsx::MAX_COLS) else {
                break;
            };
            if covered(u32::from(c)) {
                continue;
            }
            let severity = worst(sheet.cells.get(&(r, c)));
            if xlsx::write_cell(ws, r, c, cell.kind, cell.text, styles, severity)? && severity.is_some() {
                written.insert((r, c));
            }
        }
    }
    Ok(written)
}

/// The most serious severity among a cell's findings.
fn worst(findings: Option<&Vec<&Finding>>) -> Option<Severity> {
    findings?.iter().map(|f| f.severity).max_by_key(|s| rank(*s))
}

fn rank(s: Severity) -> u8 {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

/// Adds a note to every cell with findings (and the highlight to those left empty in the file).
fn annotate(ws: &mut Worksheet, sheet: &Sheet, written: &HashSet<(u32, u16)>, styles: &Styles) -> Result<(), Error> {
    for (&(r, c), findings) in &sheet.cells {
        let text: Vec<String> = findings.iter().map(|f| note_text(f)).collect();
        let note = Note::new(text.join("\n\n")).set_author("vakt").add_author_prefix(false);
        ws.insert_note(r, c, &note)?;
        // A cell the file left empty (a required value missing) still gets its colour.
        if let (Some(sev), false) = (worst(Some(findings)), written.contains(&(r, c))) {
            ws.write_blank(r, c, styles.fill(sev, CellKind::Empty))?;
        }
    }
    Ok(())
}

/// A note: severity, code, message and help, in Norwegian and English labels.
fn note_text(f: &Finding) -> String {
    use vakt_core::i18n::Lang;
    let mut s = format!(
        "{} [{}] {}",
        xlsx::severity_label(f.severity),
        f.code,
        f.message_in(Lang::Nb)
    );
    if let Some(help) = f.help_in(Lang::Nb) {
        s.push_str(&format!("\nRåd: {help}"));
    }
    // The English text too, when it differs (a pack's own messages are as the pack wrote them).
    if f.nb.is_some() {
        s.push_str(&format!("\n\n(en) {}", f.message));
        if let Some(help) = &f.help {
            s.push_str(&format!("\nHelp: {help}"));
        }
    }
    xlsx::printable(&s)
}

/// The first sheet: a summary per sheet, then every finding with a link to its cell.
fn write_summary(ws: &mut Worksheet, report: &InputReport, sheets: &[Sheet], styles: &Styles) -> Result<(), Error> {
    ws.set_name(SUMMARY_SHEET)?;
    ws.write_string_with_format(0, 0, "Tilbakemelding fra vakt / Feedback from vakt", &styles.title)?;
    ws.write_string(
        1,
        0,
        xlsx::printable(&format!("Innlevering / return: {}", file_name(&report.path))),
    )?;
    let t = report.totals;
    ws.write_string(
        2,
        0,
        format!(
            "{} feil / errors, {} advarsler / warnings, {} merknader / notes i {} datarader / data rows",
            t.errors, t.warnings, t.infos, t.rows
        ),
    )?;
    let mut r = 4;
    for (c, h) in [
        "Ark / sheet",
        "Feil / errors",
        "Advarsler / warnings",
        "Merknader / notes",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(r, c as u16, *h, &styles.header)?;
    }
    for (name, [e, w, i]) in per_sheet(report, sheets) {
        r += 1;
        ws.write_string(r, 0, xlsx::printable(&name))?;
        for (c, n) in [e, w, i].into_iter().enumerate() {
            ws.write_number(r, c as u16 + 1, n as f64)?;
        }
    }
    r += 2;
    list_findings(ws, r, report, sheets, styles)?;
    for (col, width) in [(0, 22), (1, 12), (2, 18), (3, 10), (4, 70), (5, 50), (6, 70), (7, 50)] {
        ws.set_column_width(col, width)?;
    }
    ws.set_landscape();
    Ok(())
}

/// Counts per sheet (errors, warnings, notes), in workbook order; findings about the return as a
/// whole under "(innleveringen / the return)".
fn per_sheet(report: &InputReport, sheets: &[Sheet]) -> Vec<(String, [u64; 3])> {
    let mut counts: Vec<(String, [u64; 3])> = sheets.iter().map(|s| (s.name.clone(), [0; 3])).collect();
    let mut whole = [0u64; 3];
    for f in &report.findings {
        let slot = match sheets.iter().position(|s| s.key == part_key(f)) {
            Some(i) => counts.get_mut(i).map(|c| &mut c.1),
            None => Some(&mut whole),
        };
        if let Some(slot) = slot {
            let i = match f.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Info => 2,
            };
            slot[i] += 1;
        }
    }
    if whole.iter().any(|&n| n > 0) {
        counts.push(("(innleveringen / the return)".to_string(), whole));
    }
    counts
}

/// The list of findings: severity, code, sheet, cell (a link), message, help.
fn list_findings(
    ws: &mut Worksheet,
    first: u32,
    report: &InputReport,
    sheets: &[Sheet],
    styles: &Styles,
) -> Result<(), Error> {
    let headers = [
        "Alvorlighet / severity",
        "Kode / code",
        "Ark / sheet",
        "Celle / cell",
        "Melding / message",
        "Råd / help",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(first, c as u16, *h, &styles.header)?;
    }
    let mut r = first;
    for f in &report.findings {
        r += 1;
        if r >= xlsx::MAX_ROWS {
            break;
        }
        let sheet = sheets.iter().find(|s| s.key == part_key(f));
        ws.write_string_with_format(
            r,
            0,
            xlsx::severity_label(f.severity),
            styles.fill(f.severity, CellKind::Text),
        )?;
        ws.write_string(r, 1, f.code.to_string())?;
        if let Some(s) = sheet {
            ws.write_string(r, 2, xlsx::printable(&s.name))?;
        }
        match (sheet, cell_of(f)) {
            (Some(s), Some((row, col))) => {
                let a1 = format!("{}{}", column_letters(u32::from(col)), row + 1);
                let url = Url::new(format!("internal:{}!{a1}", quote_sheet(&s.name))).set_text(&a1);
                ws.write_url(r, 3, url)?;
            }
            (_, _) => {
                if let Some(row) = f.location.row {
                    ws.write_string(r, 3, format!("rad / row {row}"))?;
                }
            }
        }
        xlsx::write_text(ws, r, 4, f.message_in(vakt_core::i18n::Lang::Nb), styles)?;
        if let Some(help) = f.help_in(vakt_core::i18n::Lang::Nb) {
            xlsx::write_text(ws, r, 5, help, styles)?;
        }
        xlsx::write_text(ws, r, 6, &f.message, styles)?;
        if let Some(help) = &f.help {
            xlsx::write_text(ws, r, 7, help, styles)?;
        }
    }
    ws.set_freeze_panes(first + 1, 0)?;
    Ok(())
}

/// The last part of a path, for the title.
fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}
