//! The Excel template of a return, written from its pack (`vakt template`): one sheet per table
//! with the headers in the chosen language, a frozen header row, a drop-down of labels on every
//! coded column, whole-number, decimal and date validation with the pack's hard ranges, an input
//! message with each column's description, and identifier and digit-code columns formatted as text
//! so that Excel keeps their leading zeros. Prevention beats detection: a return filled in on it
//! is laid out as vakt expects.
//!
//! The code lists' labels live on a hidden sheet (`Kodelister`), which the drop-downs refer to:
//! Excel limits a list written into the validation itself to 255 characters.

use crate::xlsx::{self, MAX_ROWS};
use crate::Error;
use rust_xlsxwriter::{DataValidation, DataValidationRule, ExcelDateTime, Format, Formula, Worksheet};
use vakt_core::finding::quote_sheet;
use vakt_core::pack::{Column, ColumnType, Pack, Range, Table};
use vakt_core::report::i18n::Lang;
use vakt_core::value::Date;

/// The hidden sheet holding the code lists' labels.
pub const CODE_SHEET: &str = "Kodelister";

/// The template of a pack's return, as xlsx bytes.
pub fn write(pack: &Pack, lang: Lang) -> Result<Vec<u8>, Error> {
    let mut wb = xlsx::workbook("vakt template")?;
    let mut taken = vec![CODE_SHEET.to_lowercase()];
    let names: Vec<String> = pack
        .tables
        .iter()
        .map(|t| xlsx::sheet_name(&sheet_of(t, lang), &mut taken))
        .collect();
    // The labels' sheet comes last; its columns are the code lists used, in pack order.
    let lists = used_lists(pack);
    for (t, name) in pack.tables.iter().zip(&names) {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        table_sheet(ws, pack, t, &lists, lang)?;
    }
    let codes = wb.add_worksheet();
    codes.set_name(CODE_SHEET)?;
    code_sheet(codes, pack, &lists, lang)?;
    codes.set_hidden(true);
    if let Some(first) = wb.worksheets_mut().first_mut() {
        first.set_active(true);
    }
    Ok(wb.save_to_buffer()?)
}

/// The sheet name of a table: its Norwegian name in Norwegian, else the first sheet name the pack
/// gives, else its canonical name.
fn sheet_of(t: &Table, lang: Lang) -> String {
    let no = t.label_no.clone().filter(|_| lang == Lang::Nb);
    no.or_else(|| t.sheet_names.first().cloned())
        .unwrap_or_else(|| t.name.clone())
}

/// A column's header: its Norwegian label in Norwegian, else its first alias, else its name.
fn header_of(c: &Column, lang: Lang) -> String {
    let no = c.label_no.clone().filter(|_| lang == Lang::Nb);
    no.or_else(|| c.aliases.first().cloned())
        .unwrap_or_else(|| c.name.clone())
}

/// The indices of the code lists that coded columns use (ICD-10 lists are too long for a
/// drop-down), in pack order.
fn used_lists(pack: &Pack) -> Vec<usize> {
    let mut used = Vec::new();
    for t in &pack.tables {
        for c in &t.columns {
            if let (Some(i), ColumnType::Code | ColumnType::Boolean) = (c.codelist, c.ty) {
                if !used.contains(&i) {
                    used.push(i);
                }
            }
        }
    }
    used
}

/// The label a template offers for a code: the label in the language, else the other, else the
/// code (all three are accepted by the checks).
fn label(e: &vakt_core::value::codelist::CodeEntry, lang: Lang) -> &str {
    let (first, second) = if lang == Lang::Nb {
        (&e.no, &e.en)
    } else {
        (&e.en, &e.no)
    };
    [first, second].into_iter().find(|s| !s.is_empty()).unwrap_or(&e.code)
}

fn code_sheet(ws: &mut Worksheet, pack: &Pack, lists: &[usize], lang: Lang) -> Result<(), Error> {
    for (col, &li) in lists.iter().enumerate() {
        let list = &pack.codelists[li];
        let col = col_u16(col)?;
        ws.write_string(0, col, xlsx::printable(&list.name))?;
        for (r, e) in list.entries.iter().enumerate() {
            ws.write_string(row_u32(r + 1)?, col, xlsx::printable(label(e, lang)))?;
        }
    }
    Ok(())
}

fn col_u16(i: usize) -> Result<u16, Error> {
    u16::try_from(i).map_err(|_| Error::Input("more columns than a sheet holds".into()))
}

fn row_u32(i: usize) -> Result<u32, Error> {
    u32::try_from(i).map_err(|_| Error::Input("more rows than a sheet holds".into()))
}

/// One table's sheet: headers, frozen header row, validation and formats per column.
fn table_sheet(ws: &mut Worksheet, pack: &Pack, t: &Table, lists: &[usize], lang: Lang) -> Result<(), Error> {
    let header = Format::new().set_bold().set_text_wrap();
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (i, c) in t.columns.iter().enumerate() {
        let col = col_u16(i)?;
        ws.write_string_with_format(0, col, xlsx::printable(&header_of(c, lang)), &header)?;
        ws.set_column_width(col, 18)?;
        if keeps_leading_zeros(c) {
            ws.set_column_format(col, &text)?;
        } else if c.ty == ColumnType::Date {
            ws.set_column_format(col, &date)?;
        }
        if let Some(v) = validation(pack, c, lists, lang)? {
            ws.add_data_validation(1, col, MAX_ROWS - 1, col, &v)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_row_height(0, 30)?;
    Ok(())
}

/// Identifier columns and digit codes (`0301`): text, so that Excel keeps a leading zero.
fn keeps_leading_zeros(c: &Column) -> bool {
    let digits = c
        .pattern
        .as_ref()
        .is_some_and(|p| p.as_str().contains("\\d") || p.as_str().contains("[0-9]"));
    c.ty == ColumnType::Text && (c.id_form.is_some() || digits)
}

/// The validation of a column, with its input message.
fn validation(pack: &Pack, c: &Column, lists: &[usize], lang: Lang) -> Result<Option<DataValidation>, Error> {
    let rule = match c.ty {
        ColumnType::Code | ColumnType::Boolean => {
            c.codelist.and_then(|li| lists.iter().position(|&l| l == li)).map(|at| {
                let n = pack.codelists[lists[at]].entries.len();
                let letters = vakt_core::finding::column_letters(at as u32);
                DataValidation::new().allow_list_formula(Formula::new(format!(
                    "={}!${letters}$2:${letters}${}",
                    quote_sheet(CODE_SHEET),
                    n + 1
                )))
            })
        }
        ColumnType::Integer | ColumnType::Minutes => Some(whole_number(c.range.as_ref())),
        ColumnType::Decimal => Some(decimal(c.range.as_ref())),
        ColumnType::Date => date_rule(c.range.as_ref())?,
        _ => None,
    };
    let message = input_message(c, lang);
    let rule = match (rule, message.is_empty()) {
        (Some(r), _) => r,
        (None, true) => return Ok(None),
        (None, false) => DataValidation::new().allow_any_value(),
    };
    let title: String = header_of(c, lang).chars().take(32).collect();
    let message: String = message.chars().take(255).collect();
    Ok(Some(rule.set_input_title(title)?.set_input_message(message)?))
}

/// What the input message says: the description, the range, whether a value is required.
fn input_message(c: &Column, lang: Lang) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &c.description {
        parts.push(d.clone());
    }
    if let Some(r) = &c.range {
        parts.push(match lang {
            Lang::Nb => format!("Tillatt: {}", r.text),
            Lang::En => format!("Allowed: {}", r.text),
        });
    }
    if c.required {
        parts.push(match lang {
            Lang::Nb => "Må fylles ut.".to_string(),
            Lang::En => "Required.".to_string(),
        });
    }
    parts.join(" ")
}

fn bound_i32(v: Option<f64>) -> Option<i32> {
    let x = v.filter(|x| x.is_finite())?;
    Some(x.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32)
}

fn whole_number(r: Option<&Range>) -> DataValidation {
    let (lo, hi) = (r.and_then(|r| bound_i32(r.min)), r.and_then(|r| bound_i32(r.max)));
    DataValidation::new().allow_whole_number(match (lo, hi) {
        (Some(a), Some(b)) => DataValidationRule::Between(a, b),
        (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(a),
        (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(b),
        (None, None) => DataValidationRule::Between(i32::MIN, i32::MAX),
    })
}

fn decimal(r: Option<&Range>) -> DataValidation {
    let lo = r.and_then(|r| r.min);
    let hi = r.and_then(|r| r.max);
    DataValidation::new().allow_decimal_number(match (lo, hi) {
        (Some(a), Some(b)) => DataValidationRule::Between(a, b),
        (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(a),
        (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(b),
        (None, None) => DataValidationRule::Between(-1e300, 1e300),
    })
}

/// A date bound (a day number) as an Excel date.
fn excel_date(v: Option<f64>) -> Result<Option<ExcelDateTime>, Error> {
    let Some(days) = v.filter(|x| x.is_finite() && x.abs() < 1e7) else {
        return Ok(None);
    };
    let (y, m, day) = Date(days as i32).ymd();
    // Excel has no dates before 1900: such a bound is left out.
    match (u16::try_from(y), u8::try_from(m), u8::try_from(day)) {
        (Ok(y), Ok(m), Ok(day)) if y >= 1900 => Ok(Some(ExcelDateTime::from_ymd(y, m, day)?)),
        _ => Ok(None),
    }
}

fn date_rule(r: Option<&Range>) -> Result<Option<DataValidation>, Error> {
    let lo = excel_date(r.and_then(|r| r.min))?;
    let hi = excel_date(r.and_then(|r| r.max))?;
    let floor = ExcelDateTime::from_ymd(1900, 1, 1)?;
    let ceiling = ExcelDateTime::from_ymd(9999, 12, 31)?;
    Ok(Some(DataValidation::new().allow_date(match (lo, hi) {
        (Some(a), Some(b)) => DataValidationRule::Between(a, b),
        (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(a),
        (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(b),
        (None, None) => DataValidationRule::Between(floor, ceiling),
    })))
}
