//! The terminal report: findings grouped by return and by sheet or file, each rendered by miette,
//! and a summary line per return.

use super::i18n::{Lang, Msg, Noun};
use super::{escape, InputReport, Report, Totals};
use crate::finding::{Finding, Severity};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use std::fmt::Write as _;

/// A finding as a miette diagnostic: the location leads the message.
#[derive(Debug)]
struct Shown<'a> {
    finding: &'a Finding,
    text: String,
    lang: Lang,
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Shown<'_> {}

impl Diagnostic for Shown<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.finding
            .help_in(self.lang)
            .map(|h| Box::new(escape(h).into_owned()) as Box<dyn std::fmt::Display>)
    }
}

fn place(f: &Finding) -> String {
    let loc = &f.location;
    if let Some(cell) = loc.cell() {
        return cell;
    }
    match (&loc.sheet, loc.row) {
        (Some(s), Some(r)) => format!("{}!{r}:{r}", crate::finding::quote_sheet(s)),
        (Some(s), None) => crate::finding::quote_sheet(s),
        (None, Some(r)) => {
            let record = loc.record.map(|n| format!(" (record {n})")).unwrap_or_default();
            match loc.col {
                Some(c) => format!("line {r}{record}, column {}", c + 1),
                None => format!("line {r}{record}"),
            }
        }
        (None, None) => String::new(),
    }
}

/// How the terminal report looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Columns to wrap at.
    pub width: usize,
    /// The language of the report's own texts (the findings' messages are the checks').
    pub lang: Lang,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            width: 120,
            lang: Lang::En,
        }
    }
}

/// Renders the report for a terminal.
pub fn render(report: &Report, style: &Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width.clamp(40, 400));
    let lang = style.lang;
    let mut out = String::new();
    let mut shown = 0usize;
    let limit = report.max_diagnostics.unwrap_or(usize::MAX);
    for input in &report.inputs {
        let _ = writeln!(out, "── {} ──", escape(&input.path));
        let mut group: Option<(String, Option<String>)> = None;
        for f in &input.findings {
            if shown >= limit {
                break;
            }
            shown += 1;
            let key = (f.location.file.clone(), f.location.sheet.clone());
            if group.as_ref() != Some(&key) {
                let title = match &key.1 {
                    Some(s) => crate::i18n::T::Sheet.say(&[("name", &escape(s))]).get(lang).to_string(),
                    None if key.0 != input.path => escape(&key.0).into_owned(),
                    None => String::new(),
                };
                if !title.is_empty() {
                    let _ = writeln!(out, "  {title}");
                }
                group = Some(key);
            }
            let p = escape(&place(f)).into_owned();
            let message = escape(f.message_in(lang));
            // The code leads the line (miette would put it on a header line of its own).
            let text = if p.is_empty() {
                format!("[{}] {message}", f.code)
            } else {
                format!("[{}] {p}: {message}", f.code)
            };
            let d = Shown { finding: f, text, lang };
            let mut buf = String::new();
            if handler.render_report(&mut buf, &d).is_err() {
                buf = format!("{}: {}\n", f.code, d.text);
            }
            for line in buf.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        let _ = writeln!(out, "{}", summary_line(input, lang));
        out.push('\n');
    }
    let totals = report.totals();
    if shown < (totals.errors + totals.warnings + totals.infos) as usize {
        let _ = writeln!(
            out,
            "({})",
            Msg::ShowingSome.text(lang).replace("{shown}", &shown.to_string())
        );
    }
    if report.inputs.len() > 1 {
        out.push_str(&returns_table(report, lang));
        out.push('\n');
    }
    let _ = writeln!(out, "{}", total_line(&totals, report.inputs.len(), lang));
    out
}

fn counts(t: &Totals, lang: Lang) -> String {
    format!(
        "{}, {}, {} {} {}",
        Noun::Error.count(t.errors, lang),
        Noun::Warning.count(t.warnings, lang),
        Noun::Note.count(t.infos, lang),
        Msg::In.text(lang),
        Noun::DataRow.count(t.rows, lang)
    )
}

fn summary_line(input: &InputReport, lang: Lang) -> String {
    if input.failed {
        return format!(
            "✗ {}: {}; {}",
            escape(&input.path),
            Msg::NotChecked.text(lang),
            counts(&input.totals, lang)
        );
    }
    let mark = if input.totals.errors > 0 { "✗" } else { "✓" };
    format!("{mark} {}: {}", escape(&input.path), counts(&input.totals, lang))
}

fn total_line(t: &Totals, inputs: usize, lang: Lang) -> String {
    format!("{}: {}", Noun::Return.count(inputs as u64, lang), counts(t, lang))
}

/// The national run summary: a row per return (rows, errors, warnings, notes, status), with the
/// return names cut from the left to keep the table narrow.
fn returns_table(report: &Report, lang: Lang) -> String {
    let t = |m: Msg| m.text(lang);
    let status = |i: &InputReport| match i.status() {
        "failed" => format!("✗ {}", t(Msg::StatusFailed)),
        "errors" => format!("✗ {}", t(Msg::StatusErrors)),
        _ => format!("✓ {}", t(Msg::StatusOk)),
    };
    let names: Vec<String> = report.inputs.iter().map(|i| escape(&i.path).into_owned()).collect();
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(t(Msg::Return).len(), 48);
    let cut = |n: &str| -> String {
        let len = n.chars().count();
        if len <= width {
            n.to_string()
        } else {
            format!("…{}", n.chars().skip(len + 1 - width).collect::<String>())
        }
    };
    let mut out = format!(
        "{:<width$}  {:>10}  {:>8}  {:>9}  {:>9}  {}\n",
        t(Msg::Return),
        t(Msg::Rows),
        capitalised(t(Msg::Errors)),
        capitalised(t(Msg::Warnings)),
        capitalised(t(Msg::Notes)),
        t(Msg::Status)
    );
    for (i, name) in report.inputs.iter().zip(&names) {
        let x = &i.totals;
        let _ = writeln!(
            out,
            "{:<width$}  {:>10}  {:>8}  {:>9}  {:>9}  {}",
            cut(name),
            x.rows,
            x.errors,
            x.warnings,
            x.infos,
            status(i)
        );
    }
    out
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
