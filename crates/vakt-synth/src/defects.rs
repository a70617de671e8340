//! Seeded defects: every kind of damage listed in the survey spec's "What real returns look like",
//! and a breach of every whole-return and cross-sheet rule, each placed at a random cell and
//! recorded with the severity vakt is expected to give it.

use super::layout::{Cell, Defect, Format, Lang, PlanRow, ReturnPlan, RowKind, Spot};
use super::model::{National, Return};
use super::rng::Rng;
use std::collections::HashSet;
use vakt_core::pack::Pack;
use vakt_core::value::Date;

/// Every defect kind with its expected severity (`none`: tolerated, no error or warning).
pub const KINDS: &[(&str, &str)] = &[
    ("unit_text", "info"),
    ("approximate", "warning"),
    ("hours_for_minutes", "warning"),
    ("serial_date", "info"),
    ("zero_date", "error"),
    ("fake_leap_day", "error"),
    ("norwegian_date_text", "none"),
    ("misspelt_label", "error"),
    ("mixed_language", "none"),
    ("whitespace_noise", "none"),
    ("totals_row", "info"),
    ("blank_row", "info"),
    ("note_row", "warning"),
    ("duplicate_copy", "error"),
    ("duplicate_id", "error"),
    ("unknown_code", "error"),
    ("several_values", "error"),
    ("magnitude_typo", "error"),
    ("placeholder", "error"),
    ("range_value", "error"),
    ("lost_zero_municipality", "error"),
    ("excel_error", "error"),
    ("mojibake", "warning"),
    ("missing_required", "error"),
    ("merged_key_cells", "none"),
    ("fk_unit", "error"),
    ("fk_group", "error"),
    ("fk_therapist", "error"),
    ("count_patients", "error"),
    ("count_therapists", "error"),
    ("count_groups", "warning"),
    ("count_units", "warning"),
    ("cotherapy_mismatch", "error"),
    ("two_leads", "warning"),
    ("region_mismatch", "error"),
    ("end_before_start", "error"),
    ("patient_before_group", "error"),
    ("start_after_reference", "error"),
    ("submitted_before_reference", "error"),
    ("age_hard", "error"),
    ("age_soft", "warning"),
    ("attended_over_planned", "error"),
    ("planned_for_open_ended", "warning"),
    ("dps_in_hospital_name", "warning"),
    ("inconsistent_patient", "error"),
    ("fnr_checksum", "error"),
    ("fnr_lost_zero", "info"),
    ("icd_invalid", "error"),
    ("icd_dsm", "error"),
    ("icd_cm", "error"),
    ("icd_text", "error"),
    ("icd_several", "error"),
    ("icd_category", "warning"),
    ("icd_extension", "warning"),
    ("icd_unnormalised", "none"),
    ("leak_fnr", "error"),
    ("leak_phone", "error"),
    ("leak_email", "error"),
    ("leak_id", "error"),
];

/// How many times each kind is seeded across the national set.
const PER_KIND: usize = 2;

struct Ctx<'a> {
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
    fn set(&mut self, kind: &'static str, s: usize, pos: usize, col: &str, cell: Cell) -> Option<Defect> {
        let sheet = &mut self.plan.sheets[s];
        let c = sheet.col(col)?;
        let original = sheet.rows[pos].cells[c].show(true);
        let written = cell.show(true);
        sheet.rows[pos].cells[c] = cell;
        Some(Defect {
            kind,
            severity: severity(kind),
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

fn severity(kind: &str) -> &'static str {
    KINDS.iter().find(|k| k.0 == kind).map_or("error", |k| k.1)
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

fn row_defect(kind: &'static str, table: &str, tag: u32, written: &str) -> Defect {
    Defect {
        kind,
        severity: severity(kind),
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

/// A code list entry's label in the return's language.
fn label_of(ctx: &Ctx<'_>, list: &str, code: &str, lang: Lang) -> Option<String> {
    let cl = ctx.pack.codelists.iter().find(|c| c.name == list)?;
    let e = cl.entries.iter().find(|e| e.code == code)?;
    Some(match lang {
        Lang::No => e.no.clone(),
        Lang::En => e.en.clone(),
    })
}

fn matches_code(ctx: &Ctx<'_>, list: &str, value: &str) -> bool {
    ctx.pack
        .codelists
        .iter()
        .find(|c| c.name == list)
        .is_some_and(|cl| cl.lookup(value, &mut String::new()).is_some())
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
        if let Some(n) = vakt_core::ident::nin::with_check_digits(&first9) {
            return n;
        }
    }
}

fn apply(kind: &'static str, ctx: &mut Ctx<'_>) -> Option<Defect> {
    let r = ctx.r;
    let reference = r.reference_date;
    match kind {
        "unit_text" => {
            let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
            let g = &r.groups[i];
            if ctx.rng.chance(0.5) {
                let unit = if ctx.lang() == Lang::No { "min" } else { "minutes" };
                ctx.set(
                    kind,
                    s,
                    pos,
                    "session_minutes",
                    text(format!("{} {unit}", g.session_minutes)),
                )
            } else {
                ctx.set(kind, s, pos, "n_patients", text(format!("{} pas.", g.n_patients)))
            }
        }
        "approximate" => {
            let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
            ctx.set(
                kind,
                s,
                pos,
                "n_patients",
                text(format!("ca {}", r.groups[i].n_patients)),
            )
        }
        "hours_for_minutes" => {
            let (s, pos, _, i) = ctx.pick("groups", &|i| {
                matches!(r.groups[i].session_minutes, 60 | 90 | 120 | 150)
            })?;
            let hours = f64::from(r.groups[i].session_minutes) / 60.0;
            let written = if ctx.lang() == Lang::No {
                format!("{hours}").replace('.', ",")
            } else {
                format!("{hours}")
            };
            ctx.set(kind, s, pos, "session_minutes", text(written))
        }
        "serial_date" if ctx.workbook() => {
            let (s, pos, _, i) = ctx.pick("patients", &|_| true)?;
            ctx.set(
                kind,
                s,
                pos,
                "start_date",
                Cell::Serial(serial(r.patients[i].start_date)),
            )
        }
        "zero_date" if ctx.workbook() => {
            let (s, pos, _, _) = ctx.pick("patients", &|i| r.patients[i].end_date.is_none())?;
            ctx.set(kind, s, pos, "end_date", Cell::Serial(0.0))
        }
        "fake_leap_day" if ctx.workbook() => {
            let (s, pos, _, _) = ctx.pick("patients", &|i| r.patients[i].end_date.is_none())?;
            ctx.set(kind, s, pos, "end_date", Cell::Serial(60.0))
        }
        "norwegian_date_text" if ctx.workbook() => {
            let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
            let (y, m, d) = r.groups[i].start_date.ymd();
            ctx.set(kind, s, pos, "start_date", text(format!("{d:02}.{m:02}.{y}")))
        }
        "misspelt_label" => {
            let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
            let lab = label_of(ctx, "group_type", r.groups[i].group_type, ctx.lang())?;
            let chars: Vec<char> = lab.chars().collect();
            for _ in 0..20 {
                let k = 1 + ctx.rng.below(chars.len().saturating_sub(2).max(1));
                let mut c = chars.clone();
                if k + 1 < c.len() && c[k] != c[k + 1] {
                    c.swap(k, k + 1);
                } else {
                    c.remove(k);
                }
                let typo: String = c.into_iter().collect();
                if !matches_code(ctx, "group_type", &typo) {
                    return ctx.set(kind, s, pos, "group_type", text(typo));
                }
            }
            None
        }
        "mixed_language" => {
            let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
            let other = if ctx.lang() == Lang::No { Lang::En } else { Lang::No };
            let lab = label_of(ctx, "group_format", r.groups[i].group_format, other)?;
            ctx.set(kind, s, pos, "group_format", text(lab))
        }
        "whitespace_noise" => {
            let (s, pos, _, i) = ctx.pick("patients", &|_| true)?;
            let lab = label_of(ctx, "sex", r.patients[i].sex, ctx.lang())?;
            // Zero-width spaces only where the file can hold them (not in Windows-1252 CSV).
            let zw = if ctx.plan.format == Format::Csv { "" } else { "\u{200b}" };
            ctx.set(kind, s, pos, "sex", text(format!(" {}\u{a0}{zw}", lab.to_uppercase())))
        }
        "totals_row" => {
            let s = ctx.plan.sheet("groups")?;
            let sheet = &ctx.plan.sheets[s];
            let n = sheet.rows.len();
            let mut cells = vec![Cell::Empty; sheet.columns.len()];
            cells[0] = text(*ctx.rng.pick(&["Sum", "Totalt", "I alt"]));
            let np = sheet.col("n_patients")?;
            cells[np] = Cell::Number(r.groups.iter().map(|g| f64::from(g.n_patients)).sum());
            let tag = insert_row(ctx, s, n, RowKind::Totals, cells);
            Some(row_defect(kind, "groups", tag, "Sum"))
        }
        "blank_row" => {
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
            Some(row_defect(kind, table, tag, ""))
        }
        "note_row" => {
            let table = *ctx.rng.pick(&["patients", "groups"]);
            let s = ctx.plan.sheet(table)?;
            let n = ctx.plan.sheets[s].rows.len();
            let width = ctx.plan.sheets[s].columns.len();
            insert_row(ctx, s, n, RowKind::Blank, vec![Cell::Empty; width]);
            let mut cells = vec![Cell::Empty; width];
            cells[0] = text("Merk: tallene gjelder per 1. mars, to grupper mangler");
            let tag = insert_row(ctx, s, n + 1, RowKind::Note, cells);
            Some(row_defect(kind, table, tag, "Merk: ..."))
        }
        "duplicate_copy" => {
            let (s, pos, _, _) = ctx.pick("therapists", &|_| true)?;
            let cells = ctx.plan.sheets[s].rows[pos].cells.clone();
            let written = cells[0].show(true);
            let tag = insert_row(ctx, s, pos + 1, RowKind::Extra, cells);
            let mut d = row_defect(kind, "therapists", tag, &written);
            d.spot.column = Some("therapist_id".into());
            Some(d)
        }
        "duplicate_id" => {
            let (s, pos, _, _) = ctx.pick("units", &|_| true)?;
            let mut cells = ctx.plan.sheets[s].rows[pos].cells.clone();
            let name_col = ctx.plan.sheets[s].col("unit_name")?;
            cells[name_col] = text("Ny enhet (under etablering)");
            let written = cells[0].show(true);
            let n = ctx.plan.sheets[s].rows.len();
            let tag = insert_row(ctx, s, n, RowKind::Extra, cells);
            let mut d = row_defect(kind, "units", tag, &written);
            d.spot.column = Some("unit_id".into());
            d.related.extend(ctx.spot_of("submission", &|_| true, "n_units"));
            Some(d)
        }
        "unknown_code" => {
            let (s, pos, _, _) = ctx.pick("groups", &|_| true)?;
            let v = *ctx.rng.pick(&["hver tredje uke", "etter behov", "daglig"]);
            ctx.set(kind, s, pos, "frequency", text(v))
        }
        "several_values" => {
            let (s, pos, _, i) = ctx.pick("groups", &|i| r.groups[i].group_type != "CBT")?;
            let a = label_of(ctx, "group_type", r.groups[i].group_type, ctx.lang())?;
            let b = label_of(ctx, "group_type", "CBT", ctx.lang())?;
            ctx.set(kind, s, pos, "group_type", text(format!("{a}/{b}")))
        }
        "magnitude_typo" => {
            let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
            ctx.set(
                kind,
                s,
                pos,
                "session_minutes",
                Cell::Number(f64::from(r.groups[i].session_minutes * 10)),
            )
        }
        "placeholder" => {
            let (s, pos, _, _) = ctx.pick("patients", &|_| true)?;
            let v = *ctx.rng.pick(&["ukjent", "vet ikke", "?", "-"]);
            ctx.set(kind, s, pos, "birth_year", text(v))
        }
        "range_value" => {
            let (s, pos, _, i) = ctx.pick("groups", &|i| r.groups[i].planned_sessions.is_some())?;
            let p = r.groups[i].planned_sessions.unwrap_or(10);
            let written = if ctx.rng.chance(0.5) {
                format!("{}-{}", p.saturating_sub(2), p + 2)
            } else {
                format!(">{}", p.saturating_sub(1))
            };
            ctx.set(kind, s, pos, "planned_sessions", text(written))
        }
        "lost_zero_municipality" => {
            let (s, pos, _, i) = ctx.pick("units", &|i| r.units[i].municipality.starts_with('0'))?;
            let n: f64 = r.units[i].municipality.parse().ok()?;
            ctx.set(kind, s, pos, "municipality", Cell::Number(n))
        }
        "excel_error" => {
            let (s, pos, _, _) = ctx.pick("patients", &|_| true)?;
            let v = *ctx.rng.pick(&["#REF!", "#I/T", "#DIV/0!", "#N/A"]);
            ctx.set(kind, s, pos, "sessions_attended", Cell::Error(v.to_string()))
        }
        "mojibake" => {
            let (s, pos, _, i) = ctx.pick("therapists", &|i| {
                matches!(r.therapists[i].gt_training, "IGA1" | "IGA3_NPF" | "IGA5")
            })?;
            let lab = label_of(ctx, "gt_training", r.therapists[i].gt_training, Lang::No)?;
            let garbled = super::mojibake(&lab)?;
            ctx.set(kind, s, pos, "gt_training", text(garbled))
        }
        "missing_required" => {
            let (s, pos, _, _) = ctx.pick("therapists", &|_| true)?;
            ctx.set(kind, s, pos, "profession", Cell::Empty)
        }
        "merged_key_cells" if ctx.workbook() => {
            let s = ctx.plan.sheet("patients")?;
            let gi = ctx.rng.below(r.groups.len());
            let gid = r.groups[gi].group_id.clone();
            let rows: Vec<(usize, u32)> = ctx.plan.sheets[s]
                .rows
                .iter()
                .enumerate()
                .filter(|(_, row)| matches!(row.kind, RowKind::Data(i) if r.patients[i].group_id == gid))
                .map(|(p, row)| (p, row.tag))
                .collect();
            if rows.len() < 2 || rows.windows(2).any(|w| w[1].0 != w[0].0 + 1) {
                return None;
            }
            let col = ctx.plan.sheets[s].col("group_id")?;
            for &(p, _) in &rows[1..] {
                ctx.plan.sheets[s].rows[p].cells[col] = Cell::Empty;
            }
            let (first, last) = (rows[0].1, rows[rows.len() - 1].1);
            ctx.plan.sheets[s].merges.push((first, last, col));
            let mut d = row_defect(kind, "patients", rows[1].1, "merged");
            d.spot.column = Some("group_id".into());
            d.original = gid;
            Some(d)
        }
        "fk_unit" => {
            let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
            let bad = format!("{}9", r.groups[i].unit_id);
            ctx.set(kind, s, pos, "unit_id", text(bad))
        }
        "fk_group" => {
            let (s, pos, _, i) = ctx.pick("patients", &|_| true)?;
            let gi = ctx.group(&r.patients[i].group_id)?;
            let gtag = ctx.touch_group(gi)?;
            let mut d = ctx.set(kind, s, pos, "group_id", text(format!("{}X", r.patients[i].group_id)))?;
            d.related.push(Spot {
                table: "groups".into(),
                tag: gtag,
                column: Some("n_patients".into()),
            });
            Some(d)
        }
        "fk_therapist" => {
            let (s, pos, _, _) = ctx.pick("group_therapists", &|_| true)?;
            ctx.set(kind, s, pos, "therapist_id", text("99999999"))
        }
        "count_patients" => {
            let (s, pos, _, i) = ctx.pick("groups", &|i| (4..=14).contains(&r.groups[i].n_patients))?;
            let n = r.groups[i].n_patients;
            let v = if ctx.rng.chance(0.5) { n + 1 } else { n - 1 };
            ctx.set(kind, s, pos, "n_patients", Cell::Number(f64::from(v)))
        }
        "count_therapists" => {
            let (s, pos, _, i) = ctx.pick("groups", &|i| r.groups[i].n_therapists >= 2)?;
            let n = r.groups[i].n_therapists;
            ctx.set(
                kind,
                s,
                pos,
                "n_therapists",
                Cell::Number(f64::from(if n == 2 { 3 } else { 2 })),
            )
        }
        "count_groups" | "count_units" => {
            let (s, pos, _, _) = ctx.pick("submission", &|_| true)?;
            let col = if kind == "count_groups" { "n_groups" } else { "n_units" };
            let n = if kind == "count_groups" {
                r.groups.len()
            } else {
                r.units.len()
            };
            ctx.set(kind, s, pos, col, Cell::Number((n + 1) as f64))
        }
        "cotherapy_mismatch" => {
            let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
            let flipped = if r.groups[i].cotherapy { "false" } else { "true" };
            let cell = match ctx.lang() {
                Lang::No => text(if flipped == "true" { "Ja" } else { "Nei" }),
                Lang::En => text(if flipped == "true" { "Yes" } else { "No" }),
            };
            ctx.set(kind, s, pos, "cotherapy", cell)
        }
        "two_leads" => {
            let (s, pos, _, _) = ctx.pick("group_therapists", &|i| r.group_therapists[i].role == "CO")?;
            let lab = label_of(ctx, "role", "LEAD", ctx.lang())?;
            ctx.set(kind, s, pos, "role", text(lab))
        }
        "region_mismatch" => {
            let (s, pos, _, _) = ctx.pick("submission", &|_| true)?;
            let other = ["HSO", "HV", "HMN", "HN"].into_iter().find(|x| *x != r.region)?;
            ctx.set(kind, s, pos, "region", text(other))
        }
        "end_before_start" => {
            let (s, pos, _, i) = ctx.pick("patients", &|_| true)?;
            ctx.set(
                kind,
                s,
                pos,
                "end_date",
                Cell::Date(Date(r.patients[i].start_date.0 - 10)),
            )
        }
        "patient_before_group" => {
            let (s, pos, _, i) = ctx.pick("patients", &|i| {
                ctx_group_format(r, &r.patients[i].group_id) == Some("CLOSED")
            })?;
            let gi = ctx.group(&r.patients[i].group_id)?;
            ctx.set(
                kind,
                s,
                pos,
                "start_date",
                Cell::Date(Date(r.groups[gi].start_date.0 - 20)),
            )
        }
        "start_after_reference" => {
            let (s, pos, _, _) = ctx.pick("patients", &|i| r.patients[i].end_date.is_none())?;
            ctx.set(kind, s, pos, "start_date", Cell::Date(Date(reference.0 + 10)))
        }
        "submitted_before_reference" => {
            let (s, pos, _, _) = ctx.pick("submission", &|_| true)?;
            let mut d = ctx.set(kind, s, pos, "submitted_date", Cell::Date(Date(reference.0 - 5)))?;
            d.related.extend(ctx.spot_of("submission", &|_| true, "reference_date"));
            Some(d)
        }
        "age_hard" => {
            let (s, pos, _, _) = ctx.pick("patients", &|_| true)?;
            ctx.set(
                kind,
                s,
                pos,
                "birth_year",
                Cell::Number(f64::from(reference.year() - 12)),
            )
        }
        "age_soft" => {
            let (s, pos, _, _) = ctx.pick("patients", &|_| true)?;
            ctx.set(
                kind,
                s,
                pos,
                "birth_year",
                Cell::Number(f64::from(reference.year() - 85)),
            )
        }
        "attended_over_planned" => {
            let (s, pos, _, i) = ctx.pick("patients", &|i| {
                r.groups
                    .iter()
                    .find(|g| g.group_id == r.patients[i].group_id)
                    .and_then(|g| g.planned_sessions)
                    .is_some()
            })?;
            let gi = ctx.group(&r.patients[i].group_id)?;
            let planned = r.groups[gi].planned_sessions?;
            ctx.set(kind, s, pos, "sessions_attended", Cell::Number(f64::from(planned + 3)))
        }
        "planned_for_open_ended" => {
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
            ctx.set(
                kind,
                s,
                pos,
                "planned_sessions",
                Cell::Number(f64::from(most.max(25) + 5)),
            )
        }
        "dps_in_hospital_name" => {
            let (s, pos, _, i) = ctx.pick("units", &|i| r.units[i].setting == "HOSP")?;
            let name = r.units[i]
                .unit_name
                .replace("sykehus, psykiatrisk avdeling", "DPS akutt, avdeling");
            let mut d = ctx.set(kind, s, pos, "unit_name", text(name))?;
            d.spot.column = Some("setting".into());
            Some(d)
        }
        "inconsistent_patient" => {
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
            let mut d = ctx.set(kind, s, pos, "patient_id", text(a_id))?;
            d.related.push(Spot {
                table: "patients".into(),
                tag: a_tag,
                column: Some("patient_id".into()),
            });
            Some(d)
        }
        "fnr_checksum" => {
            let (s, pos, _, i) = ctx.pick("patients", &|i| {
                let id = &r.patients[i].patient_id;
                id.len() == 11 && id.bytes().all(|b| b.is_ascii_digit())
            })?;
            let id = &r.patients[i].patient_id;
            let last = id.as_bytes()[10] - b'0';
            let bad = format!("{}{}", &id[..10], (last + 1) % 10);
            ctx.set(kind, s, pos, "patient_id", text(bad))
        }
        "fnr_lost_zero" => {
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
            ctx.set(kind, s, pos, "patient_id", cell)
        }
        "icd_invalid" | "icd_dsm" | "icd_cm" | "icd_text" | "icd_several" | "icd_category" | "icd_extension"
        | "icd_unnormalised" => {
            let want: &dyn Fn(usize) -> bool = match kind {
                "icd_category" => &|i| r.patients[i].main_dx.starts_with("F32."),
                "icd_extension" => &|i| r.patients[i].main_dx.len() == 5,
                "icd_unnormalised" => &|i| r.patients[i].main_dx.len() == 5,
                _ => &|_| true,
            };
            let (s, pos, _, i) = ctx.pick("patients", want)?;
            let dx = r.patients[i].main_dx.clone();
            let written = match kind {
                "icd_invalid" => ctx.rng.pick(&["F32.7", "F35", "Z63.0"]).to_string(),
                "icd_dsm" => ctx.rng.pick(&["296.32", "300.23"]).to_string(),
                // A letter in the fifth place; `F43.81` would read as a Norwegian extension of F43.8.
                "icd_cm" => ctx.rng.pick(&["F32.A", "F41.A"]).to_string(),
                "icd_text" => ctx
                    .rng
                    .pick(&["depresjon", "personlighetsforstyrrelse", "angst"])
                    .to_string(),
                "icd_several" => format!("{dx}/F60.3"),
                "icd_category" => "F32".to_string(),
                "icd_extension" => format!("{dx}1"),
                _ => {
                    if ctx.rng.chance(0.5) {
                        dx.replace('.', "").to_lowercase()
                    } else {
                        format!(" {} ", dx.replace('.', ","))
                    }
                }
            };
            ctx.set(kind, s, pos, "main_dx", text(written))
        }
        "leak_fnr" => {
            let (s, pos, _, _) = ctx.pick("groups", &|_| true)?;
            let f = stray_fnr(ctx.rng);
            let written = if ctx.rng.chance(0.5) {
                format!("Pasient {} {} venter", &f[..6], &f[6..])
            } else {
                format!("Se {f}")
            };
            ctx.set(kind, s, pos, "comment", text(written))
        }
        "leak_phone" => {
            let (s, pos, _, _) = ctx.pick("groups", &|_| true)?;
            let (a, b, c) = (ctx.rng.range(400, 999), ctx.rng.range(0, 99), ctx.rng.range(0, 999));
            ctx.set(kind, s, pos, "comment", text(format!("Kontakt: tlf {a} {b:02} {c:03}")))
        }
        "leak_email" => {
            let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
            let g = r.groups[i].group_name.clone();
            ctx.set(
                kind,
                s,
                pos,
                "group_name",
                text(format!("{g} v/ kari.hansen@example.no")),
            )
        }
        "leak_id" => {
            let (s, pos, _, i) = ctx.pick("groups", &|_| true)?;
            let gid = r.groups[i].group_id.clone();
            let p = r
                .patients
                .iter()
                .find(|p| p.group_id == gid && p.patient_id.starts_with("EPJ"))
                .or_else(|| r.patients.iter().find(|p| p.group_id == gid))?;
            ctx.set(
                kind,
                s,
                pos,
                "comment",
                text(format!("Flyttet fra gruppe: {}", p.patient_id)),
            )
        }
        _ => None,
    }
}

fn ctx_group_format<'a>(r: &'a Return, gid: &str) -> Option<&'a str> {
    r.groups.iter().find(|g| g.group_id == gid).map(|g| g.group_format)
}

/// Seeds every kind `PER_KIND` times across the national set.
pub fn seed(plans: &mut [ReturnPlan], national: &National, pack: &Pack, rng: &mut Rng) {
    let mut touched: Vec<HashSet<(String, u32)>> = vec![HashSet::new(); plans.len()];
    for &(kind, _) in KINDS {
        let mut order: Vec<usize> = (0..plans.len()).collect();
        rng.shuffle(&mut order);
        let mut placed = 0;
        for &ri in &order {
            if placed == PER_KIND {
                break;
            }
            // One defect of a row-inserting kind per sheet keeps positions easy to read.
            let mut ctx = Ctx {
                plan: &mut plans[ri],
                r: &national.returns[ri],
                pack,
                rng,
                touched: &mut touched[ri],
            };
            if let Some(d) = apply(kind, &mut ctx) {
                plans[ri].defects.push(d);
                placed += 1;
            }
        }
    }
}
