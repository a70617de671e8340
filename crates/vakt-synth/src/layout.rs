//! From truth to sheets: how each authority lays out its return (format, language, title rows,
//! renamed sheets, codes or labels), and the seeded defects, each recorded with where it went.
//!
//! A sheet is planned as rows of cells before anything is written, so a defect can change a cell or
//! insert a row and still be located exactly once the layout is final: every planned row carries a
//! tag, and defects point at tags, not at row numbers.

use super::model::{National, Return};
use super::rng::Rng;
use vakt_core::pack::{ColumnType, Pack};
use vakt_core::value::Date;

/// A planned cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A date: a date cell in workbooks, `dd.mm.yyyy` or ISO text in CSV.
    Date(Date),
    /// A raw Excel serial number in a date column (written as a plain number).
    Serial(f64),
    /// An Excel error value.
    Error(String),
}

impl Cell {
    /// The value as text, for defects.json and CSV.
    pub fn show(&self, iso: bool) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) | Cell::Error(s) => s.clone(),
            Cell::Number(n) | Cell::Serial(n) => {
                let mut s = String::new();
                vakt_core::value::cell::write_number(&mut s, *n);
                s
            }
            Cell::Date(d) => {
                if iso {
                    d.to_string()
                } else {
                    let (y, m, dd) = d.ymd();
                    format!("{dd:02}.{m:02}.{y}")
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A truth row, by index into its table.
    Data(usize),
    Blank,
    Totals,
    Note,
    /// A row added by a defect (a copy, or a second row with one id).
    Extra,
}

#[derive(Debug, Clone)]
pub struct PlanRow {
    pub tag: u32,
    pub kind: RowKind,
    pub cells: Vec<Cell>,
}

/// One table's sheet or CSV file.
#[derive(Debug, Clone)]
pub struct SheetPlan {
    /// Canonical table name.
    pub table: String,
    /// Sheet name (workbooks) or file name (CSV folders).
    pub name: String,
    pub columns: Vec<String>,
    pub title: Vec<String>,
    pub header: Vec<String>,
    pub rows: Vec<PlanRow>,
    /// Merged key cells: (first tag, last tag, column index).
    pub merges: Vec<(u32, u32, usize)>,
    /// Empty columns left of the table (workbooks): 0 starts at A.
    pub col0: u16,
    /// A parent header over each column, for a header on two rows (workbooks): a parent merged
    /// across its children, whose labels are then in `header`; columns without one merged down
    /// over both rows. Empty: a header on one row.
    pub parents: Vec<Option<String>>,
    /// Columns whose header the pack does not know (a variant of its own): not checked by vakt,
    /// so no defect may be seeded there.
    pub unknown: Vec<String>,
}

/// The tag that stands for the header row, in spots and positions.
pub const HEADER: u32 = 0;

impl SheetPlan {
    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Rows the header takes: two when columns have parents.
    pub fn header_rows(&self) -> u64 {
        if self.parents.iter().any(Option::is_some) {
            2
        } else {
            1
        }
    }

    /// 1-based physical row (sheet) or line (CSV) of each row tag, in order; [`HEADER`] first (the
    /// header's last row). In CSV a record spans one line more for every line break in any field.
    pub fn positions(&self, csv: bool) -> Vec<(u32, u64)> {
        let breaks = |cells: &mut dyn Iterator<Item = String>| -> u64 {
            if csv {
                cells.map(|c| c.matches('\n').count() as u64).sum()
            } else {
                0
            }
        };
        let mut line = self.title.len() as u64 + self.header_rows();
        let mut out = Vec::with_capacity(self.rows.len() + 1);
        out.push((HEADER, line));
        line += breaks(&mut self.header.iter().cloned());
        for r in &self.rows {
            line += 1;
            out.push((r.tag, line));
            line += breaks(&mut r.cells.iter().map(|c| c.show(false)));
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Ods,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    No,
    En,
}

/// Where a defect is, in plan terms.
#[derive(Debug, Clone)]
pub struct Spot {
    pub table: String,
    pub tag: u32,
    pub column: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Defect {
    /// Its kind, with what vakt must report for it.
    pub kind: &'static super::defects::Kind,
    pub spot: Spot,
    pub original: String,
    pub written: String,
    /// The findings a defect causes elsewhere, each with what vakt must report there (a patient
    /// moved to another group leaves its old group's count one short).
    pub related: Vec<Related>,
}

/// A consequence of a defect at another cell: the finding vakt must give there.
#[derive(Debug, Clone)]
pub struct Related {
    pub spot: Spot,
    pub code: &'static str,
    pub expected: super::defects::Expected,
}

#[derive(Debug, Clone)]
pub struct ReturnPlan {
    pub code: String,
    pub format: Format,
    pub lang: Lang,
    pub sheets: Vec<SheetPlan>,
    pub defects: Vec<Defect>,
    /// CSV lines end in a lone carriage return (an old Mac export).
    pub cr_only: bool,
    next_tag: u32,
}

impl ReturnPlan {
    pub fn sheet(&self, table: &str) -> Option<usize> {
        self.sheets.iter().position(|s| s.table == table)
    }

    pub fn tag(&mut self) -> u32 {
        self.next_tag += 1;
        self.next_tag
    }
}

/// Chooses each return's format and style.
pub fn formats(national: &National, rng: &mut Rng) -> Vec<(Format, Lang)> {
    let n = national.returns.len();
    let mut formats = vec![Format::Xlsx; n];
    // A few CSV folders (Finnmark among them, as in the example) and one ODS.
    if let Some(i) = national.returns.iter().position(|r| r.authority_code == "HN-FIN") {
        formats[i] = Format::Csv;
    }
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let mut csv = 1;
    let mut ods = 0;
    for i in order {
        if formats[i] != Format::Xlsx {
            continue;
        }
        if csv < 3 {
            formats[i] = Format::Csv;
            csv += 1;
        } else if ods < 1 {
            formats[i] = Format::Ods;
            ods += 1;
        }
    }
    formats
        .into_iter()
        .map(|f| (f, if rng.chance(0.6) { Lang::No } else { Lang::En }))
        .collect()
}

fn label(pack: &Pack, list: &str, code: &str, lang: Lang, style: u8) -> String {
    let Some(cl) = pack.codelists.iter().find(|c| c.name == list) else {
        return code.to_string();
    };
    let Some(e) = cl.entries.iter().find(|e| e.code == code) else {
        return code.to_string();
    };
    match (style, lang) {
        (0, _) => e.code.clone(),
        (_, Lang::No) if !e.no.is_empty() => e.no.clone(),
        _ if !e.en.is_empty() => e.en.clone(),
        _ => e.code.clone(),
    }
}

/// The cells of one truth row, in the pack's column order.
fn cells_of(
    pack: &Pack,
    table: &str,
    columns: &[(String, ColumnType, Option<String>)],
    r: &Return,
    i: usize,
    lang: Lang,
    style: u8,
) -> Vec<Cell> {
    let text = |s: &str| {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.to_string())
        }
    };
    let code = |list: &str, c: &str| Cell::Text(label(pack, list, c, lang, style));
    columns
        .iter()
        .map(|(name, _, _)| match (table, name.as_str()) {
            ("submission", "authority_code") => {
                if style == 0 {
                    text(&r.authority_code)
                } else {
                    text(&r.authority_name)
                }
            }
            ("submission", "region") => code("region", &r.region),
            ("submission", "reference_date") => Cell::Date(r.reference_date),
            ("submission", "submitted_date") => Cell::Date(r.submitted_date),
            ("submission", "contact_name") => text(&r.contact_name),
            ("submission", "contact_email") => text(&r.contact_email),
            ("submission", "contact_phone") => text(&r.contact_phone),
            ("submission", "n_units") => Cell::Number(r.units.len() as f64),
            ("submission", "n_groups") => Cell::Number(r.groups.len() as f64),
            ("units", c) => {
                let u = &r.units[i];
                match c {
                    "unit_id" => text(&u.unit_id),
                    "unit_name" => text(&u.unit_name),
                    "setting" => code("setting", u.setting),
                    "service_mode" => code("service_mode", u.service_mode),
                    "municipality" => text(&u.municipality),
                    _ => Cell::Empty,
                }
            }
            ("groups", c) => {
                let g = &r.groups[i];
                match c {
                    "group_id" => text(&g.group_id),
                    "unit_id" => text(&g.unit_id),
                    "group_name" => text(&g.group_name),
                    "group_type" => code("group_type", g.group_type),
                    "group_format" => code("group_format", g.group_format),
                    "frequency" => code("frequency", g.frequency),
                    "session_minutes" => Cell::Number(f64::from(g.session_minutes)),
                    "duration_cat" => code("duration_cat", g.duration_cat),
                    "planned_sessions" => g.planned_sessions.map_or(Cell::Empty, |p| Cell::Number(f64::from(p))),
                    "start_date" => Cell::Date(g.start_date),
                    "n_patients" => Cell::Number(f64::from(g.n_patients)),
                    "n_therapists" => Cell::Number(f64::from(g.n_therapists)),
                    "cotherapy" => code("boolean", if g.cotherapy { "true" } else { "false" }),
                    "comment" => text(&g.comment),
                    _ => Cell::Empty,
                }
            }
            ("patients", c) => {
                let p = &r.patients[i];
                match c {
                    "group_id" => text(&p.group_id),
                    "patient_id" => text(&p.patient_id),
                    "birth_year" => Cell::Number(f64::from(p.birth_year)),
                    "sex" => code("sex", p.sex),
                    "main_dx" => text(&p.main_dx),
                    "start_date" => Cell::Date(p.start_date),
                    "end_date" => p.end_date.map_or(Cell::Empty, Cell::Date),
                    "sessions_attended" => p.sessions_attended.map_or(Cell::Empty, |s| Cell::Number(f64::from(s))),
                    _ => Cell::Empty,
                }
            }
            ("therapists", c) => {
                let t = &r.therapists[i];
                match c {
                    "therapist_id" => text(&t.therapist_id),
                    "therapist_name" => text(&t.therapist_name),
                    "profession" => code("profession", t.profession),
                    "gt_training" => code("gt_training", t.gt_training),
                    "sex" => code("sex", t.sex),
                    "birth_year" => Cell::Number(f64::from(t.birth_year)),
                    _ => Cell::Empty,
                }
            }
            ("group_therapists", c) => {
                let gt = &r.group_therapists[i];
                match c {
                    "group_id" => text(&gt.group_id),
                    "therapist_id" => text(&gt.therapist_id),
                    "role" => code("role", gt.role),
                    _ => Cell::Empty,
                }
            }
            _ => Cell::Empty,
        })
        .collect()
}

/// Lays out one return without defects.
pub fn plan(pack: &Pack, r: &Return, format: Format, lang: Lang, rng: &mut Rng) -> ReturnPlan {
    let style: u8 = if rng.chance(0.3) { 0 } else { 1 };
    let titled = rng.chance(0.4);
    let drift = if format == Format::Csv {
        None
    } else {
        rng.chance(0.25).then(|| rng.below(6))
    };
    let mut plan = ReturnPlan {
        code: r.authority_code.clone(),
        format,
        lang,
        sheets: Vec::new(),
        defects: Vec::new(),
        cr_only: false,
        next_tag: 0,
    };
    for (ti, table) in pack.tables.iter().enumerate() {
        let columns: Vec<(String, ColumnType, Option<String>)> = table
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ty, pack.codelist(c).map(|l| l.name.clone())))
            .collect();
        let header: Vec<String> = table
            .columns
            .iter()
            .map(|c| match lang {
                Lang::No => c.label_no.clone().unwrap_or_else(|| c.name.clone()),
                Lang::En => english(&c.name),
            })
            .collect();
        let (en_sheet, no_sheet, en_file, no_file) = match table.name.as_str() {
            "submission" => ("Submission", "Innsending", "submission.csv", "innsending.csv"),
            "units" => ("Units", "Enheter", "units.csv", "enheter.csv"),
            "groups" => ("Groups", "Grupper", "groups.csv", "grupper.csv"),
            "patients" => ("Patients", "Pasienter", "patients.csv", "pasienter.csv"),
            "therapists" => ("Therapists", "Terapeuter", "therapists.csv", "terapeuter.csv"),
            _ => (
                "GroupTherapists",
                "Gruppeterapeuter",
                "group_therapists.csv",
                "gruppeterapeuter.csv",
            ),
        };
        let mut name = match (format, lang) {
            (Format::Csv, Lang::No) => no_file.to_string(),
            (Format::Csv, Lang::En) => en_file.to_string(),
            (_, Lang::No) => no_sheet.to_string(),
            (_, Lang::En) => en_sheet.to_string(),
        };
        if drift == Some(ti) {
            name.push_str(" (2)");
        }
        let n = match table.name.as_str() {
            "submission" => 1,
            "units" => r.units.len(),
            "groups" => r.groups.len(),
            "patients" => r.patients.len(),
            "therapists" => r.therapists.len(),
            _ => r.group_therapists.len(),
        };
        let mut rows = Vec::with_capacity(n);
        for i in 0..n {
            let tag = plan.tag();
            rows.push(PlanRow {
                tag,
                kind: RowKind::Data(i),
                cells: cells_of(pack, &table.name, &columns, r, i, lang, style),
            });
        }
        let title = if titled && format != Format::Csv {
            vec![match lang {
                Lang::No => format!("Gruppeterapi i psykisk helsevern 2009 - {}", r.authority_name),
                Lang::En => format!("Group therapy survey 2009 - {}", r.authority_name),
            }]
        } else {
            Vec::new()
        };
        plan.sheets.push(SheetPlan {
            table: table.name.clone(),
            name,
            columns: columns.into_iter().map(|c| c.0).collect(),
            title,
            header,
            rows,
            merges: Vec::new(),
            col0: 0,
            parents: Vec::new(),
            unknown: Vec::new(),
        });
    }
    plan
}

/// `session_minutes` → `Session minutes`: matches the column by name once case and `_` are folded.
fn english(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub use super::defects::seed;
