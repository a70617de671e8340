//! Seeded defects: every kind of damage listed in the survey spec's "What real returns look like",
//! and a breach of every whole-return and cross-sheet rule, each placed at a random cell and
//! recorded with the severity vakt is expected to give it.

use super::layout::{Cell, Defect, Format, Lang, PlanRow, Related, ReturnPlan, RowKind, Spot, HEADER};
use super::model::{National, Return};
use super::rng::Rng;
use std::collections::HashSet;
use vakt_core::pack::Pack;
use vakt_core::value::Date;

/// What vakt must report for a defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Nothing at warning or error: vakt reads it as meant.
    Tolerated,
    /// Information.
    Info,
    /// A warning.
    Warning,
    /// An error.
    Error,
}

impl Expected {
    /// `none`, `info`, `warning` or `error`, as `defects.json` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Expected::Tolerated => "none",
            Expected::Info => "info",
            Expected::Warning => "warning",
            Expected::Error => "error",
        }
    }
}

/// A kind of seeded defect: its name, what vakt must report for it (severity and code, written
/// from the survey spec and the rule documentation, never asked of the checker), and how it is
/// seeded.
pub struct Kind {
    /// The name in `defects.json`.
    pub name: &'static str,
    /// The severity vakt must give it.
    pub expected: Expected,
    /// The code of the finding vakt must give it (`None` when tolerated).
    pub code: Option<&'static str>,
    /// Only workbooks can hold it (a serial date, a merged cell).
    workbook_only: bool,
    seed: fn(&mut Ctx<'_>) -> Option<Defect>,
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Kind {
    const fn new(
        name: &'static str,
        expected: Expected,
        code: Option<&'static str>,
        workbook_only: bool,
        seed: fn(&mut Ctx<'_>) -> Option<Defect>,
    ) -> Kind {
        Kind {
            name,
            expected,
            code,
            workbook_only,
            seed,
        }
    }
}

/// Every defect kind: the damage the survey spec lists under "What real returns look like", and a
/// breach of every whole-return and cross-sheet rule.
pub static KINDS: &[Kind] = &[
    // Layouts first: they move columns and rows that the cell defects below then point into.
    Kind::new("cr_only_csv", Expected::Tolerated, None, false, cr_only_csv),
    Kind::new("two_row_header", Expected::Tolerated, None, true, two_row_header),
    Kind::new("away_from_a1", Expected::Tolerated, None, false, away_from_a1),
    Kind::new("reordered_columns", Expected::Tolerated, None, false, reordered_columns),
    Kind::new("header_variant", Expected::Tolerated, None, false, header_variant),
    Kind::new("header_unknown", Expected::Info, Some("VK0004"), false, header_unknown),
    Kind::new("extra_column", Expected::Info, Some("VK0004"), false, extra_column),
    Kind::new("multiline_field", Expected::Tolerated, None, false, multiline_field),
    Kind::new("nbsp_in_id", Expected::Tolerated, None, false, nbsp_in_id),
    Kind::new("unit_text", Expected::Info, Some("VK0108"), false, unit_text),
    Kind::new("approximate", Expected::Warning, Some("VK0108"), false, approximate),
    Kind::new(
        "hours_for_minutes",
        Expected::Warning,
        Some("VK0108"),
        false,
        hours_for_minutes,
    ),
    Kind::new("serial_date", Expected::Info, Some("VK0108"), true, serial_date),
    Kind::new("zero_date", Expected::Error, Some("VK0102"), true, zero_date),
    Kind::new("fake_leap_day", Expected::Error, Some("VK0102"), true, fake_leap_day),
    Kind::new(
        "norwegian_date_text",
        Expected::Tolerated,
        None,
        true,
        norwegian_date_text,
    ),
    Kind::new("misspelt_label", Expected::Error, Some("VK0104"), false, misspelt_label),
    Kind::new("mixed_language", Expected::Tolerated, None, false, mixed_language),
    Kind::new("whitespace_noise", Expected::Tolerated, None, false, whitespace_noise),
    Kind::new("totals_row", Expected::Info, Some("VK0005"), false, totals_row),
    Kind::new("blank_row", Expected::Info, Some("VK0006"), false, blank_row),
    Kind::new("note_row", Expected::Warning, Some("VK0007"), false, note_row),
    Kind::new("duplicate_copy", Expected::Error, Some("VK0106"), false, duplicate_copy),
    Kind::new("duplicate_id", Expected::Error, Some("VK0106"), false, duplicate_id),
    Kind::new("unknown_code", Expected::Error, Some("VK0104"), false, unknown_code),
    Kind::new("several_values", Expected::Error, Some("VK0104"), false, several_values),
    Kind::new("magnitude_typo", Expected::Error, Some("VK0103"), false, magnitude_typo),
    Kind::new("placeholder", Expected::Error, Some("VK0101"), false, placeholder),
    Kind::new("range_value", Expected::Error, Some("VK0102"), false, range_value),
    Kind::new(
        "lost_zero_municipality",
        Expected::Info,
        Some("VK0105"),
        false,
        lost_zero_municipality,
    ),
    Kind::new("excel_error", Expected::Error, Some("VK0107"), false, excel_error),
    Kind::new("mojibake", Expected::Warning, Some("VK0108"), false, mojibake),
    Kind::new(
        "missing_required",
        Expected::Error,
        Some("VK0101"),
        false,
        missing_required,
    ),
    Kind::new("merged_key_cells", Expected::Tolerated, None, true, merged_key_cells),
    Kind::new(
        "merged_key_cells_ods",
        Expected::Tolerated,
        None,
        false,
        merged_key_cells_ods,
    ),
    Kind::new("fk_unit", Expected::Error, Some("VK0202"), false, fk_unit),
    Kind::new("fk_group", Expected::Error, Some("VK0202"), false, fk_group),
    Kind::new("fk_therapist", Expected::Error, Some("VK0202"), false, fk_therapist),
    Kind::new("count_patients", Expected::Error, Some("VK0203"), false, count_patients),
    Kind::new(
        "count_therapists",
        Expected::Error,
        Some("VK0203"),
        false,
        count_therapists,
    ),
    Kind::new("count_groups", Expected::Warning, Some("VK0203"), false, count_groups),
    Kind::new("count_units", Expected::Warning, Some("VK0203"), false, count_units),
    Kind::new(
        "cotherapy_mismatch",
        Expected::Error,
        Some("VK0201"),
        false,
        cotherapy_mismatch,
    ),
    Kind::new("two_leads", Expected::Warning, Some("VK0205"), false, two_leads),
    Kind::new(
        "region_mismatch",
        Expected::Error,
        Some("VK0201"),
        false,
        region_mismatch,
    ),
    Kind::new(
        "end_before_start",
        Expected::Error,
        Some("VK0201"),
        false,
        end_before_start,
    ),
    Kind::new(
        "patient_before_group",
        Expected::Error,
        Some("VK0201"),
        false,
        patient_before_group,
    ),
    Kind::new(
        "start_after_reference",
        Expected::Error,
        Some("VK0201"),
        false,
        start_after_reference,
    ),
    Kind::new(
        "submitted_before_reference",
        Expected::Error,
        Some("VK0201"),
        false,
        submitted_before_reference,
    ),
    Kind::new("age_hard", Expected::Error, Some("VK0201"), false, age_hard),
    Kind::new("age_soft", Expected::Warning, Some("VK0201"), false, age_soft),
    Kind::new(
        "attended_over_planned",
        Expected::Error,
        Some("VK0201"),
        false,
        attended_over_planned,
    ),
    Kind::new(
        "planned_for_open_ended",
        Expected::Warning,
        Some("VK0201"),
        false,
        planned_for_open_ended,
    ),
    Kind::new(
        "dps_in_hospital_name",
        Expected::Warning,
        Some("VK0201"),
        false,
        dps_in_hospital_name,
    ),
    Kind::new(
        "inconsistent_patient",
        Expected::Error,
        Some("VK0204"),
        false,
        inconsistent_patient,
    ),
    Kind::new("fnr_checksum", Expected::Error, Some("VK0207"), false, fnr_checksum),
    Kind::new("fnr_lost_zero", Expected::Info, Some("VK0207"), false, fnr_lost_zero),
    Kind::new("icd_invalid", Expected::Error, Some("VK0206"), false, icd_invalid),
    Kind::new("icd_dsm", Expected::Error, Some("VK0206"), false, icd_dsm),
    Kind::new("icd_cm", Expected::Error, Some("VK0206"), false, icd_cm),
    Kind::new("icd_text", Expected::Error, Some("VK0206"), false, icd_text),
    Kind::new("icd_several", Expected::Error, Some("VK0206"), false, icd_several),
    Kind::new("icd_category", Expected::Warning, Some("VK0206"), false, icd_category),
    Kind::new("icd_extension", Expected::Warning, Some("VK0206"), false, icd_extension),
    Kind::new("icd_unnormalised", Expected::Tolerated, None, false, icd_unnormalised),
    Kind::new("leak_fnr", Expected::Error, Some("VK0208"), false, leak_fnr),
    Kind::new("leak_phone", Expected::Error, Some("VK0208"), false, leak_phone),
    Kind::new("leak_email", Expected::Error, Some("VK0208"), false, leak_email),
    Kind::new("leak_id", Expected::Error, Some("VK0208"), false, leak_id),
];

/// How many times each kind is seeded across the national set.
const PER_KIND: usize = 2;

struct Ctx<'a> {
    kind: &'static Kind,
    plan: &'a mut ReturnPlan,
    r: &'a Return,
    pack: &'a Pack,
    rng: &'a mut Rng,
    touched: &'a mut HashSet<(String, u32)>,
}

impl Ctx<'_> {
    /// An untouched data row of `table` whose truth index passes `ok`: (sheet, position, tag, index).
    fn pick(&mut self, table: &str, ok: &dyn Fn(usize) -> bool) -> Option<(usize, usize, u32, usize)> {
        let s = self.plan.sheet(table)?;
        let candidates: Vec<(usize, u32, usize)> = self.plan.sheets[s]
            .rows
            .iter()
            .enumerate()
            .filter_map(|(pos, row)| match row.kind {
                RowKind::Data(i) if !self.touched.contains(&(table.to_string(), row.tag)) && ok(i) => {
                    Some((pos, row.tag, i))
                }
                _ => None,
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let (pos, tag, i) = candidates[self.rng.below(candidates.len())];
        self.touched.insert((table.to_string(), tag));
        Some((s, pos, tag, i))
    }

    /// Writes `cell` and returns the defect for it.
    fn set(&mut self, s: usize, pos: usize, col: &str, cell: Cell) -> Option<Defect> {
        let sheet = &mut self.plan.sheets[s];
        if sheet.unknown.iter().any(|u| u == col) {
            return None; // vakt cannot see it: its header is one the pack does not know
        }
        let c = sheet.col(col)?;
        let original = sheet.rows[pos].cells[c].show(true);
        let written = cell.show(true);
        sheet.rows[pos].cells[c] = cell;
        Some(Defect {
            kind: self.kind,
            spot: Spot {
                table: sheet.table.clone(),
                tag: sheet.rows[pos].tag,
                column: Some(col.to_string()),
            },
            original,
            written,
            related: Vec::new(),
        })
    }

    fn spot_of(&self, table: &str, pred: &dyn Fn(usize) -> bool, col: &str) -> Option<Spot> {
        let s = self.plan.sheet(table)?;
        let row = self.plan.sheets[s]
            .rows
            .iter()
            .find(|r| matches!(r.kind, RowKind::Data(i) if pred(i)))?;
        Some(Spot {
            table: table.to_string(),
            tag: row.tag,
            column: Some(col.to_string()),
        })
    }

    /// A defect of a whole row (inserted or copied), optionally at one of its cells.
    fn row_defect(&self, table: &str, tag: u32, written: &str) -> Defect {
        Defect {
            kind: self.kind,
            spot: Spot {
                table: table.to_string(),
                tag,
                column: None,
            },
            original: String::new(),
            written: written.to_string(),
            related: Vec::new(),
        }
    }

    fn lang(&self) -> Lang {
        self.plan.lang
    }

    fn workbook(&self) -> bool {
        self.plan.format == Format::Xlsx
    }

    fn group(&self, id: &str) -> Option<usize> {
        self.r.groups.iter().position(|g| g.group_id == id)
    }

    /// Touches the row of group `gi` (so no other defect lands there) and returns its tag.
    fn touch_group(&mut self, gi: usize) -> Option<u32> {
        let s = self.plan.sheet("groups")?;
        let tag = self.plan.sheets[s]
            .rows
            .iter()
            .find(|r| r.kind == RowKind::Data(gi))?
            .tag;
        self.touched.insert(("groups".into(), tag));
        Some(tag)
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn serial(d: Date) -> f64 {
    f64::from(d.0 + 25_569)
}

fn insert_row(ctx: &mut Ctx<'_>, s: usize, at: usize, kind: RowKind, cells: Vec<Cell>) -> u32 {
    let tag = ctx.plan.tag();
    ctx.plan.sheets[s].rows.insert(at, PlanRow { tag, kind, cells });
    ctx.touched.insert((ctx.plan.sheets[s].table.clone(), tag));
    tag
}

/// A code list entry's label in the return's language.
fn label_of(ctx: &Ctx<'_>, list: &str, code: &str, lang: Lang) -> Option<String> {
    let cl = ctx.pack.codelists.iter().find(|c| c.name == list)?;
    let e = cl.entries.iter().find(|e| e.code == code)?;
    Some(match lang {
        Lang::No => e.no.clone(),
        Lang::En => e.en.clone(),
    })
}

/// Whether `value` could be read as an entry of the list, by the generator's own rule (not the
/// checker's matcher): equal to a code, label or synonym once case, spaces and punctuation are
/// folded away.
fn matches_code(ctx: &Ctx<'_>, list: &str, value: &str) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let value = fold(value);
    ctx.pack.codelists.iter().find(|c| c.name == list).is_some_and(|cl| {
        cl.entries.iter().any(|e| {
            [&e.code, &e.en, &e.no]
                .into_iter()
                .chain(&e.synonyms)
                .any(|label| fold(label) == value)
        })
    })
}

/// A fresh valid fødselsnummer that is nobody's in this return.
fn stray_fnr(rng: &mut Rng) -> String {
    loop {
        let first9 = format!(
            "{:02}{:02}{:02}{:03}",
            rng.range(10, 28),
            rng.range(1, 12),
            rng.range(50, 99),
            rng.range(0, 499)
        );
        if let Some(n) = crate::nin::with_check_digits(&first9) {
            return n;
        }
    }
}

fn unit_text(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
    let g = &r.groups[i];
    if ctx.rng.chance(0.5) {
        let unit = if ctx.lang() == Lang::No { "min" } else { "minutes" };
        ctx.set(s, pos, "session_minutes", text(format!("{} {unit}", g.session_minutes)))
    } else {
        ctx.set(s, pos, "n_patients", text(format!("{} pas.", g.n_patients)))
    }
}

fn approximate(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
    ctx.set(s, pos, "n_patients", text(format!("ca {}", r.groups[i].n_patients)))
}

fn hours_for_minutes(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|i| {
        matches!(r.groups[i].session_minutes, 60 | 90 | 120 | 150)
    })?;
    let hours = f64::from(r.groups[i].session_minutes) / 60.0;
    let written = if ctx.lang() == Lang::No {
        format!("{hours}").replace('.', ",")
    } else {
        format!("{hours}")
    };
    ctx.set(s, pos, "session_minutes", text(written))
}

fn serial_date(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("patients", &|_| true)?;
    ctx.set(s, pos, "start_date", Cell::Serial(serial(r.patients[i].start_date)))
}

fn zero_date(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, _) = ctx.pick("patients", &|i| r.patients[i].end_date.is_none())?;
    ctx.set(s, pos, "end_date", Cell::Serial(0.0))
}

fn fake_leap_day(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, _) = ctx.pick("patients", &|i| r.patients[i].end_date.is_none())?;
    ctx.set(s, pos, "end_date", Cell::Serial(60.0))
}

fn norwegian_date_text(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
    let (y, m, d) = r.groups[i].start_date.ymd();
    ctx.set(s, pos, "start_date", text(format!("{d:02}.{m:02}.{y}")))
}

/// A label with one letter dropped or two neighbouring letters swapped: a typo by the generator's
/// own rule (letters only, never a space or punctuation), kept only when it is no entry of the
/// list (`matches_code`), so vakt must refuse it (VK0104).
fn misspelt_label(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
    let lab = label_of(ctx, "group_type", r.groups[i].group_type, ctx.lang())?;
    let chars: Vec<char> = lab.chars().collect();
    for _ in 0..20 {
        let k = ctx.rng.below(chars.len().max(1));
        let mut c = chars.clone();
        if !c.get(k).is_some_and(|x| x.is_alphabetic()) {
            continue;
        }
        let swappable = c
            .get(k + 1)
            .is_some_and(|n| n.is_alphabetic() && !n.eq_ignore_ascii_case(&c[k]));
        if swappable && ctx.rng.chance(0.5) {
            c.swap(k, k + 1);
        } else if c.len() > 3 {
            c.remove(k);
        } else {
            continue;
        }
        let typo: String = c.into_iter().collect();
        if !matches_code(ctx, "group_type", &typo) {
            return ctx.set(s, pos, "group_type", text(typo));
        }
    }
    None
}

fn mixed_language(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
    let other = if ctx.lang() == Lang::No { Lang::En } else { Lang::No };
    let lab = label_of(ctx, "group_format", r.groups[i].group_format, other)?;
    ctx.set(s, pos, "group_format", text(lab))
}

fn whitespace_noise(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("patients", &|_| true)?;
    let lab = label_of(ctx, "sex", r.patients[i].sex, ctx.lang())?;
    // Zero-width spaces only where the file can hold them (not in Windows-1252 CSV).
    let zw = if ctx.plan.format == Format::Csv { "" } else { "\u{200b}" };
    ctx.set(s, pos, "sex", text(format!(" {}\u{a0}{zw}", lab.to_uppercase())))
}

fn totals_row(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let s = ctx.plan.sheet("groups")?;
    let sheet = &ctx.plan.sheets[s];
    let n = sheet.rows.len();
    let mut cells = vec![Cell::Empty; sheet.columns.len()];
    cells[0] = text(*ctx.rng.pick(&["Sum", "Totalt", "I alt"]));
    let np = sheet.col("n_patients")?;
    cells[np] = Cell::Number(r.groups.iter().map(|g| f64::from(g.n_patients)).sum());
    let tag = insert_row(ctx, s, n, RowKind::Totals, cells);
    Some(ctx.row_defect("groups", tag, "Sum"))
}

fn blank_row(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let table = *ctx.rng.pick(&["patients", "groups", "therapists"]);
    let s = ctx.plan.sheet(table)?;
    let n = ctx.plan.sheets[s].rows.len();
    if n < 3 {
        return None;
    }
    let data: Vec<usize> = (1..n)
        .filter(|&p| matches!(ctx.plan.sheets[s].rows[p].kind, RowKind::Data(_)))
        .collect();
    if data.is_empty() {
        return None;
    }
    let at = data[ctx.rng.below(data.len())];
    let width = ctx.plan.sheets[s].columns.len();
    let tag = insert_row(ctx, s, at, RowKind::Blank, vec![Cell::Empty; width]);
    Some(ctx.row_defect(table, tag, ""))
}

fn note_row(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let table = *ctx.rng.pick(&["patients", "groups"]);
    let s = ctx.plan.sheet(table)?;
    let n = ctx.plan.sheets[s].rows.len();
    let width = ctx.plan.sheets[s].columns.len();
    insert_row(ctx, s, n, RowKind::Blank, vec![Cell::Empty; width]);
    let mut cells = vec![Cell::Empty; width];
    cells[0] = text("Merk: tallene gjelder per 1. mars, to grupper mangler");
    let tag = insert_row(ctx, s, n + 1, RowKind::Note, cells);
    Some(ctx.row_defect(table, tag, "Merk: ..."))
}

fn duplicate_copy(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, pos, _, _) = ctx.pick("therapists", &|_| true)?;
    let cells = ctx.plan.sheets[s].rows[pos].cells.clone();
    let written = cells[0].show(true);
    let tag = insert_row(ctx, s, pos + 1, RowKind::Extra, cells);
    let mut d = ctx.row_defect("therapists", tag, &written);
    d.spot.column = Some("therapist_id".into());
    Some(d)
}

fn duplicate_id(ctx: &mut Ctx<'_>) -> Option<Defect> {
    // The extra unit puts the return's n_units one out: that cell must be this defect's alone.
    let (_, _, _, _) = ctx.pick("submission", &|_| true)?;
    let (s, pos, _, _) = ctx.pick("units", &|_| true)?;
    let mut cells = ctx.plan.sheets[s].rows[pos].cells.clone();
    let name_col = ctx.plan.sheets[s].col("unit_name")?;
    cells[name_col] = text("Ny enhet (under etablering)");
    let written = cells[0].show(true);
    let n = ctx.plan.sheets[s].rows.len();
    let tag = insert_row(ctx, s, n, RowKind::Extra, cells);
    let mut d = ctx.row_defect("units", tag, &written);
    d.spot.column = Some("unit_id".into());
    d.related
        .extend(ctx.spot_of("submission", &|_| true, "n_units").map(|spot| Related {
            spot,
            code: "VK0203",
            expected: Expected::Warning,
        }));
    Some(d)
}

fn unknown_code(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, pos, _, _) = ctx.pick("groups", &|_| true)?;
    let v = *ctx.rng.pick(&["hver tredje uke", "etter behov", "daglig"]);
    ctx.set(s, pos, "frequency", text(v))
}

fn several_values(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|i| r.groups[i].group_type != "CBT")?;
    let a = label_of(ctx, "group_type", r.groups[i].group_type, ctx.lang())?;
    let b = label_of(ctx, "group_type", "CBT", ctx.lang())?;
    ctx.set(s, pos, "group_type", text(format!("{a}/{b}")))
}

fn magnitude_typo(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
    ctx.set(
        s,
        pos,
        "session_minutes",
        Cell::Number(f64::from(r.groups[i].session_minutes * 10)),
    )
}

fn placeholder(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, pos, _, _) = ctx.pick("patients", &|_| true)?;
    let v = *ctx.rng.pick(&["ukjent", "vet ikke", "?", "-"]);
    ctx.set(s, pos, "birth_year", text(v))
}

fn range_value(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|i| r.groups[i].planned_sessions.is_some())?;
    let p = r.groups[i].planned_sessions.unwrap_or(10);
    let written = if ctx.rng.chance(0.5) {
        format!("{}-{}", p.saturating_sub(2), p + 2)
    } else {
        format!(">{}", p.saturating_sub(1))
    };
    ctx.set(s, pos, "planned_sessions", text(written))
}

fn lost_zero_municipality(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("units", &|i| r.units[i].municipality.starts_with('0'))?;
    let n: f64 = r.units[i].municipality.parse().ok()?;
    ctx.set(s, pos, "municipality", Cell::Number(n))
}

fn excel_error(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, pos, _, _) = ctx.pick("patients", &|_| true)?;
    let v = *ctx.rng.pick(&["#REF!", "#I/T", "#DIV/0!", "#N/A"]);
    ctx.set(s, pos, "sessions_attended", Cell::Error(v.to_string()))
}

fn mojibake(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("therapists", &|i| {
        matches!(r.therapists[i].gt_training, "IGA1" | "IGA3_NPF" | "IGA5")
    })?;
    let lab = label_of(ctx, "gt_training", r.therapists[i].gt_training, Lang::No)?;
    let garbled = super::mojibake(&lab)?;
    ctx.set(s, pos, "gt_training", text(garbled))
}

fn missing_required(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, pos, _, _) = ctx.pick("therapists", &|_| true)?;
    ctx.set(s, pos, "profession", Cell::Empty)
}

/// Key cells merged down over a group's patients, in a workbook.
fn merged_key_cells(ctx: &mut Ctx<'_>) -> Option<Defect> {
    merge_group_ids(ctx)
}

/// The same in an ODS spreadsheet, whose merges are stored another way (covered cells).
fn merged_key_cells_ods(ctx: &mut Ctx<'_>) -> Option<Defect> {
    if ctx.plan.format != Format::Ods {
        return None;
    }
    merge_group_ids(ctx)
}

/// Merges the `group_id` cells of a group whose patients stand in consecutive rows, none of them
/// touched by another defect.
fn merge_group_ids(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let s = ctx.plan.sheet("patients")?;
    let mut groups: Vec<usize> = (0..r.groups.len()).collect();
    ctx.rng.shuffle(&mut groups);
    for gi in groups {
        let gid = r.groups[gi].group_id.clone();
        let rows: Vec<(usize, u32)> = ctx.plan.sheets[s]
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| matches!(row.kind, RowKind::Data(i) if r.patients[i].group_id == gid))
            .map(|(p, row)| (p, row.tag))
            .collect();
        let consecutive = rows.windows(2).all(|w| w[1].0 == w[0].0 + 1);
        let untouched = rows
            .iter()
            .all(|&(_, tag)| !ctx.touched.contains(&("patients".to_string(), tag)));
        if rows.len() < 2 || !consecutive || !untouched {
            continue;
        }
        let col = ctx.plan.sheets[s].col("group_id")?;
        for &(p, tag) in &rows {
            ctx.touched.insert(("patients".to_string(), tag));
            if p != rows[0].0 {
                ctx.plan.sheets[s].rows[p].cells[col] = Cell::Empty;
            }
        }
        let (first, last) = (rows[0].1, rows[rows.len() - 1].1);
        ctx.plan.sheets[s].merges.push((first, last, col));
        let mut d = ctx.row_defect("patients", rows[1].1, "merged");
        d.spot.column = Some("group_id".into());
        d.original = gid;
        return Some(d);
    }
    None
}

fn fk_unit(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
    let bad = format!("{}9", r.groups[i].unit_id);
    ctx.set(s, pos, "unit_id", text(bad))
}

fn fk_group(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("patients", &|_| true)?;
    let gi = ctx.group(&r.patients[i].group_id)?;
    let gtag = ctx.touch_group(gi)?;
    let mut d = ctx.set(s, pos, "group_id", text(format!("{}X", r.patients[i].group_id)))?;
    d.related.push(Related {
        spot: Spot {
            table: "groups".into(),
            tag: gtag,
            column: Some("n_patients".into()),
        },
        code: "VK0203",
        expected: Expected::Error,
    });
    Some(d)
}

fn fk_therapist(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, pos, _, _) = ctx.pick("group_therapists", &|_| true)?;
    ctx.set(s, pos, "therapist_id", text("99999999"))
}

fn count_patients(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|i| (4..=14).contains(&r.groups[i].n_patients))?;
    let n = r.groups[i].n_patients;
    let v = if ctx.rng.chance(0.5) { n + 1 } else { n - 1 };
    ctx.set(s, pos, "n_patients", Cell::Number(f64::from(v)))
}

fn count_therapists(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|i| r.groups[i].n_therapists >= 2)?;
    let n = r.groups[i].n_therapists;
    ctx.set(
        s,
        pos,
        "n_therapists",
        Cell::Number(f64::from(if n == 2 { 3 } else { 2 })),
    )
}

fn cotherapy_mismatch(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
    let flipped = if r.groups[i].cotherapy { "false" } else { "true" };
    let cell = match ctx.lang() {
        Lang::No => text(if flipped == "true" { "Ja" } else { "Nei" }),
        Lang::En => text(if flipped == "true" { "Yes" } else { "No" }),
    };
    ctx.set(s, pos, "cotherapy", cell)
}

fn two_leads(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, _) = ctx.pick("group_therapists", &|i| r.group_therapists[i].role == "CO")?;
    let lab = label_of(ctx, "role", "LEAD", ctx.lang())?;
    ctx.set(s, pos, "role", text(lab))
}

fn region_mismatch(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, _) = ctx.pick("submission", &|_| true)?;
    let other = ["HSO", "HV", "HMN", "HN"].into_iter().find(|x| *x != r.region)?;
    ctx.set(s, pos, "region", text(other))
}

fn end_before_start(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("patients", &|_| true)?;
    ctx.set(s, pos, "end_date", Cell::Date(Date(r.patients[i].start_date.0 - 10)))
}

fn patient_before_group(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("patients", &|i| {
        ctx_group_format(r, &r.patients[i].group_id) == Some("CLOSED")
    })?;
    let gi = ctx.group(&r.patients[i].group_id)?;
    ctx.set(s, pos, "start_date", Cell::Date(Date(r.groups[gi].start_date.0 - 20)))
}

fn start_after_reference(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let reference = ctx.r.reference_date;
    let (s, pos, _, _) = ctx.pick("patients", &|i| r.patients[i].end_date.is_none())?;
    ctx.set(s, pos, "start_date", Cell::Date(Date(reference.0 + 10)))
}

fn submitted_before_reference(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let reference = ctx.r.reference_date;
    let (s, pos, _, _) = ctx.pick("submission", &|_| true)?;
    ctx.set(s, pos, "submitted_date", Cell::Date(Date(reference.0 - 5)))
}

fn age_hard(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let reference = ctx.r.reference_date;
    let (s, pos, _, _) = ctx.pick("patients", &|_| true)?;
    ctx.set(s, pos, "birth_year", Cell::Number(f64::from(reference.year() - 12)))
}

fn age_soft(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let reference = ctx.r.reference_date;
    let (s, pos, _, _) = ctx.pick("patients", &|_| true)?;
    ctx.set(s, pos, "birth_year", Cell::Number(f64::from(reference.year() - 85)))
}

fn attended_over_planned(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("patients", &|i| {
        r.groups
            .iter()
            .find(|g| g.group_id == r.patients[i].group_id)
            .and_then(|g| g.planned_sessions)
            .is_some()
    })?;
    let gi = ctx.group(&r.patients[i].group_id)?;
    let planned = r.groups[gi].planned_sessions?;
    ctx.set(s, pos, "sessions_attended", Cell::Number(f64::from(planned + 3)))
}

fn planned_for_open_ended(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|i| r.groups[i].duration_cat == "OPEN_ENDED")?;
    // Above every attendance in the group, so the plan breaks no patient's rule.
    let gid = &r.groups[i].group_id;
    let most = r
        .patients
        .iter()
        .filter(|p| &p.group_id == gid)
        .filter_map(|p| p.sessions_attended)
        .max()
        .unwrap_or(0);
    ctx.set(s, pos, "planned_sessions", Cell::Number(f64::from(most.max(25) + 5)))
}

fn dps_in_hospital_name(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("units", &|i| r.units[i].setting == "HOSP")?;
    let name = r.units[i]
        .unit_name
        .replace("sykehus, psykiatrisk avdeling", "DPS akutt, avdeling");
    let mut d = ctx.set(s, pos, "unit_name", text(name))?;
    d.spot.column = Some("setting".into());
    Some(d)
}

fn inconsistent_patient(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("patients", &|_| true)?;
    let b = &r.patients[i];
    // The earlier row keeps its id (and no other defect may touch it), so the finding
    // lands on this, the later, row.
    let sheet = &ctx.plan.sheets[s];
    let (a_tag, a) = sheet.rows[..pos].iter().find_map(|row| match row.kind {
        RowKind::Data(j) => {
            let a = &r.patients[j];
            (a.group_id != b.group_id
                && a.birth_year != b.birth_year
                && !ctx.touched.contains(&("patients".to_string(), row.tag)))
            .then_some((row.tag, a))
        }
        _ => None,
    })?;
    ctx.touched.insert(("patients".to_string(), a_tag));
    let a_id = a.patient_id.clone();
    ctx.set(s, pos, "patient_id", text(a_id))
}

/// An untouched patient row whose id is an 11-digit number: (sheet, position, the id).
fn pick_eleven_digit_id<'r>(ctx: &mut Ctx<'r>) -> Option<(usize, usize, &'r str)> {
    let r = ctx.r;
    let eleven = |id: &str| id.len() == 11 && id.bytes().all(|b| b.is_ascii_digit());
    let (s, pos, _, i) = ctx.pick("patients", &|i| eleven(&r.patients[i].patient_id))?;
    Some((s, pos, r.patients[i].patient_id.as_str()))
}

fn fnr_checksum(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, pos, id) = pick_eleven_digit_id(ctx)?;
    let last = id.as_bytes()[10] - b'0';
    let bad = format!("{}{}", &id[..10], (last + 1) % 10);
    ctx.set(s, pos, "patient_id", text(bad))
}

fn fnr_lost_zero(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("patients", &|i| {
        let id = &r.patients[i].patient_id;
        id.len() == 11 && id.starts_with('0') && !id.starts_with("00") && id.bytes().all(|b| b.is_ascii_digit())
    })?;
    let id = &r.patients[i].patient_id;
    let cell = if ctx.workbook() {
        Cell::Number(id.parse().ok()?)
    } else {
        text(&id[1..])
    };
    ctx.set(s, pos, "patient_id", cell)
}

fn leak_fnr(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, pos, _, _) = ctx.pick("groups", &|_| true)?;
    let f = stray_fnr(ctx.rng);
    let written = if ctx.rng.chance(0.5) {
        format!("Pasient {} {} venter", &f[..6], &f[6..])
    } else {
        format!("Se {f}")
    };
    ctx.set(s, pos, "comment", text(written))
}

fn leak_phone(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, pos, _, _) = ctx.pick("groups", &|_| true)?;
    let (a, b, c) = (ctx.rng.range(400, 999), ctx.rng.range(0, 99), ctx.rng.range(0, 999));
    ctx.set(s, pos, "comment", text(format!("Kontakt: tlf {a} {b:02} {c:03}")))
}

fn leak_email(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
    let g = r.groups[i].group_name.clone();
    ctx.set(s, pos, "group_name", text(format!("{g} v/ kari.hansen@example.no")))
}

fn leak_id(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
    let gid = r.groups[i].group_id.clone();
    let p = r
        .patients
        .iter()
        .find(|p| p.group_id == gid && p.patient_id.starts_with("EPJ"))
        .or_else(|| r.patients.iter().find(|p| p.group_id == gid))?;
    ctx.set(s, pos, "comment", text(format!("Flyttet fra gruppe: {}", p.patient_id)))
}

fn count_groups(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let n = ctx.r.groups.len();
    overstate_submission_count(ctx, "n_groups", n)
}

fn count_units(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let n = ctx.r.units.len();
    overstate_submission_count(ctx, "n_units", n)
}

fn overstate_submission_count(ctx: &mut Ctx<'_>, col: &str, n: usize) -> Option<Defect> {
    let (s, pos, _, _) = ctx.pick("submission", &|_| true)?;
    ctx.set(s, pos, col, Cell::Number((n + 1) as f64))
}

fn icd_invalid(ctx: &mut Ctx<'_>) -> Option<Defect> {
    write_dx(ctx, &|_| true, &|rng, _| {
        rng.pick(&["F32.7", "F35", "Z63.0"]).to_string()
    })
}

fn icd_dsm(ctx: &mut Ctx<'_>) -> Option<Defect> {
    write_dx(ctx, &|_| true, &|rng, _| rng.pick(&["296.32", "300.23"]).to_string())
}

fn icd_cm(ctx: &mut Ctx<'_>) -> Option<Defect> {
    // A letter in the fifth place; `F43.81` would read as a Norwegian extension of F43.8.
    write_dx(ctx, &|_| true, &|rng, _| rng.pick(&["F32.A", "F41.A"]).to_string())
}

fn icd_text(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let words = ["depresjon", "personlighetsforstyrrelse", "angst"];
    write_dx(ctx, &|_| true, &|rng, _| rng.pick(&words).to_string())
}

fn icd_several(ctx: &mut Ctx<'_>) -> Option<Defect> {
    write_dx(ctx, &|_| true, &|_, dx| format!("{dx}/F60.3"))
}

fn icd_category(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    write_dx(ctx, &|i| r.patients[i].main_dx.starts_with("F32."), &|_, _| {
        "F32".to_string()
    })
}

fn icd_extension(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    write_dx(ctx, &|i| r.patients[i].main_dx.len() == 5, &|_, dx| format!("{dx}1"))
}

fn icd_unnormalised(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    write_dx(ctx, &|i| r.patients[i].main_dx.len() == 5, &|rng, dx| {
        if rng.chance(0.5) {
            dx.replace('.', "").to_lowercase()
        } else {
            format!(" {} ", dx.replace('.', ","))
        }
    })
}

/// Writes `write(rng, diagnosis)` over the main diagnosis of a patient row chosen by `want`.
fn write_dx(
    ctx: &mut Ctx<'_>,
    want: &dyn Fn(usize) -> bool,
    write: &dyn Fn(&mut Rng, &str) -> String,
) -> Option<Defect> {
    let (s, pos, _, i) = ctx.pick("patients", want)?;
    let written = write(ctx.rng, &ctx.r.patients[i].main_dx);
    ctx.set(s, pos, "main_dx", text(written))
}

fn ctx_group_format<'a>(r: &'a Return, gid: &str) -> Option<&'a str> {
    r.groups.iter().find(|g| g.group_id == gid).map(|g| g.group_format)
}

/// Seeds every kind `PER_KIND` times across the national set.
pub fn seed(plans: &mut [ReturnPlan], national: &National, pack: &Pack, rng: &mut Rng) {
    let mut touched: Vec<HashSet<(String, u32)>> = vec![HashSet::new(); plans.len()];
    for kind in KINDS {
        let mut order: Vec<usize> = (0..plans.len()).collect();
        rng.shuffle(&mut order);
        let mut placed = 0;
        for &ri in &order {
            if placed == PER_KIND {
                break;
            }
            // One defect of a row-inserting kind per sheet keeps positions easy to read.
            if kind.workbook_only && plans[ri].format != Format::Xlsx {
                continue;
            }
            let mut ctx = Ctx {
                kind,
                plan: &mut plans[ri],
                r: &national.returns[ri],
                pack,
                rng,
                touched: &mut touched[ri],
            };
            if let Some(d) = (kind.seed)(&mut ctx) {
                plans[ri].defects.push(d);
                placed += 1;
            }
        }
    }
}

// ---- layouts --------------------------------------------------------------------------------

/// Real-world header variants the pack does not contain, each decided by hand against the
/// documented header rule (case, spacing and `_ - . :` ignored): (table, column, language,
/// variant, recognised). Unrecognised ones are only for optional columns no rule reads.
pub const HEADER_VARIANTS: &[(&str, &str, Lang, &str, bool)] = &[
    ("patients", "patient_id", Lang::No, "PASIENT ID", true),
    ("patients", "birth_year", Lang::No, "fødselsår:", true),
    ("patients", "sex", Lang::No, "KJØNN", true),
    ("groups", "group_id", Lang::No, "Gruppe id", true),
    ("groups", "n_patients", Lang::No, "Antall\npasienter", true),
    ("groups", "frequency", Lang::No, "Hyppighet:", true),
    ("units", "unit_id", Lang::No, "enhets_id", true),
    ("therapists", "therapist_id", Lang::No, "Terapeut - ID", true),
    ("group_therapists", "role", Lang::No, "Rolle.", true),
    ("patients", "patient_id", Lang::En, "PATIENT_ID", true),
    ("patients", "main_dx", Lang::En, "main diagnosis", true),
    ("groups", "start_date", Lang::En, "Start-date", true),
    ("groups", "group_type", Lang::En, "GROUP TYPE", true),
    ("units", "unit_name", Lang::En, "Unit  name", true),
    ("therapists", "profession", Lang::En, "profession:", true),
    ("groups", "comment", Lang::No, "Kommentarer/merknader", false),
    ("groups", "group_name", Lang::No, "Navn på gruppen", false),
    ("groups", "comment", Lang::En, "Remarks", false),
    ("groups", "group_name", Lang::En, "Name of group", false),
];

/// A defect at the header row of a sheet (at one column's header, or the whole row).
fn header_defect(ctx: &Ctx<'_>, s: usize, column: Option<&str>, written: &str) -> Defect {
    let mut d = ctx.row_defect(&ctx.plan.sheets[s].table.clone(), HEADER, written);
    d.spot.column = column.map(str::to_string);
    d
}

/// A sheet fit for a header change: one-row header, nothing unknown yet.
fn plain_sheet(ctx: &mut Ctx<'_>, tables: &[&str]) -> Option<usize> {
    let fit: Vec<usize> = (0..ctx.plan.sheets.len())
        .filter(|&s| {
            let sh = &ctx.plan.sheets[s];
            tables.contains(&sh.table.as_str()) && sh.parents.is_empty() && sh.unknown.is_empty()
        })
        .collect();
    (!fit.is_empty()).then(|| fit[ctx.rng.below(fit.len())])
}

/// One CSV return's lines end in a lone carriage return, as old Mac Excel wrote them.
fn cr_only_csv(ctx: &mut Ctx<'_>) -> Option<Defect> {
    if ctx.plan.format != Format::Csv || ctx.plan.cr_only {
        return None;
    }
    ctx.plan.cr_only = true;
    let s = ctx.plan.sheet("groups")?;
    Some(header_defect(ctx, s, None, "CR line ends"))
}

/// `Antall` over `pasienter` | `terapeuter`, the other headers merged down over both rows.
fn two_row_header(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let s = plain_sheet(ctx, &["groups"])?;
    let sheet = &mut ctx.plan.sheets[s];
    let (a, b) = (sheet.col("n_patients")?, sheet.col("n_therapists")?);
    if b != a + 1 {
        return None;
    }
    let (parent, children) = match ctx.plan.lang {
        Lang::No => ("Antall", ["pasienter", "terapeuter"]),
        Lang::En => ("Number of", ["patients", "therapists"]),
    };
    let sheet = &mut ctx.plan.sheets[s];
    sheet.parents = vec![None; sheet.columns.len()];
    for (c, child) in [a, b].into_iter().zip(children) {
        sheet.parents[c] = Some(parent.to_string());
        sheet.header[c] = child.to_string();
    }
    Some(header_defect(ctx, s, None, "two-row header"))
}

/// The table starts at C3 or further right and down: empty columns to its left, a title above.
fn away_from_a1(ctx: &mut Ctx<'_>) -> Option<Defect> {
    if ctx.plan.format == Format::Csv {
        return None;
    }
    let s = ctx.rng.below(ctx.plan.sheets.len());
    let sheet = &mut ctx.plan.sheets[s];
    if sheet.col0 > 0 {
        return None;
    }
    sheet.col0 = 1 + ctx.rng.below(3) as u16;
    if sheet.title.is_empty() {
        sheet.title = vec![format!("{} {}", sheet.name, 2009), String::new()];
    }
    Some(header_defect(ctx, s, None, "away from A1"))
}

/// The columns of a sheet in another order than the pack's.
fn reordered_columns(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let s = plain_sheet(ctx, &["groups", "patients", "units", "therapists"])?;
    let n = ctx.plan.sheets[s].columns.len();
    let mut order: Vec<usize> = (0..n).collect();
    while order.iter().enumerate().all(|(i, &o)| i == o) {
        ctx.rng.shuffle(&mut order);
    }
    let sheet = &mut ctx.plan.sheets[s];
    let pick = |v: &mut Vec<String>| *v = order.iter().map(|&i| v[i].clone()).collect();
    pick(&mut sheet.columns);
    pick(&mut sheet.header);
    for r in &mut sheet.rows {
        r.cells = order.iter().map(|&i| r.cells[i].clone()).collect();
    }
    Some(header_defect(ctx, s, None, "columns reordered"))
}

fn variant_for(ctx: &mut Ctx<'_>, recognised: bool) -> Option<(usize, &'static str, &'static str)> {
    let lang = ctx.plan.lang;
    let options: Vec<(usize, &str, &str)> = HEADER_VARIANTS
        .iter()
        .filter(|v| v.2 == lang && v.4 == recognised)
        .filter_map(|v| {
            let s = ctx.plan.sheet(v.0)?;
            let sh = &ctx.plan.sheets[s];
            (sh.parents.is_empty() && sh.unknown.is_empty()).then_some((s, v.1, v.3))
        })
        .collect();
    (!options.is_empty()).then(|| options[ctx.rng.below(options.len())])
}

/// A header written another way that the documented rule still recognises.
fn header_variant(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, column, variant) = variant_for(ctx, true)?;
    let c = ctx.plan.sheets[s].col(column)?;
    ctx.plan.sheets[s].header[c] = variant.to_string();
    Some(header_defect(ctx, s, Some(column), variant))
}

/// A header the pack does not know, for an optional column: the column is reported missing
/// (information) and the header unknown (information); its cells go unchecked.
fn header_unknown(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, column, variant) = variant_for(ctx, false)?;
    let c = ctx.plan.sheets[s].col(column)?;
    ctx.plan.sheets[s].header[c] = variant.to_string();
    ctx.plan.sheets[s].unknown.push(column.to_string());
    let mut d = header_defect(ctx, s, None, variant);
    d.related.push(Related {
        spot: Spot {
            table: ctx.plan.sheets[s].table.clone(),
            tag: HEADER,
            column: Some(column.to_string()),
        },
        code: "VK0003",
        expected: Expected::Info,
    });
    Some(d)
}

/// A column of the authority's own that the pack does not have: a note, never an error.
fn extra_column(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let s = plain_sheet(ctx, &["groups", "patients", "therapists"])?;
    let header = if ctx.plan.lang == Lang::No {
        "Internt nr"
    } else {
        "Internal no"
    };
    let sheet = &mut ctx.plan.sheets[s];
    let at = ctx.rng.below(sheet.columns.len() + 1);
    sheet.columns.insert(at, "(extra)".into());
    sheet.header.insert(at, header.into());
    sheet.unknown.push("(extra)".into());
    for (i, r) in sheet.rows.iter_mut().enumerate() {
        r.cells.insert(at, Cell::Number(1000.0 + i as f64));
    }
    Some(header_defect(ctx, s, None, header))
}

/// A comment over two lines: in CSV a quoted field with a line break, one record on two lines.
fn multiline_field(ctx: &mut Ctx<'_>) -> Option<Defect> {
    if ctx.plan.format != Format::Csv || ctx.plan.cr_only {
        return None; // a line feed inside a CR-only file would make its line ends mixed
    }
    let (s, pos, _, _) = ctx.pick("groups", &|_| true)?;
    let note = if ctx.plan.lang == Lang::No {
        "Startet sent.\nTo byttet gruppe."
    } else {
        "Started late.\nTwo moved group."
    };
    ctx.set(s, pos, "comment", text(note))
}

/// A fødselsnummer typed 6+5 with a no-break space between (what Word and web forms paste).
fn nbsp_in_id(ctx: &mut Ctx<'_>) -> Option<Defect> {
    let (s, pos, id) = pick_eleven_digit_id(ctx)?;
    ctx.set(s, pos, "patient_id", text(format!("{}\u{a0}{}", &id[..6], &id[6..])))
}
