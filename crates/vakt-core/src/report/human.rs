//! The terminal report: findings grouped by return and by sheet or file, each rendered by miette,
//! and a summary line per return.

use super::{escape, InputReport, Report, Totals};
use crate::finding::{Finding, Severity};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use std::fmt::Write as _;

/// A finding as a miette diagnostic: the location leads the message.
#[derive(Debug)]
struct Shown<'a> {
    finding: &'a Finding,
    text: String,
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
            .help
            .as_ref()
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
        (None, Some(r)) => match loc.col {
            Some(c) => format!("line {r}, column {}", c + 1),
            None => format!("line {r}"),
        },
        (None, None) => String::new(),
    }
}

/// Renders the report for a terminal. `color` turns on ANSI colours.
pub fn render(report: &Report, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(120);
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
                    Some(s) => format!("sheet '{}'", escape(s)),
                    None if key.0 != input.path => escape(&key.0).into_owned(),
                    None => String::new(),
                };
                if !title.is_empty() {
                    let _ = writeln!(out, "  {title}");
                }
                group = Some(key);
            }
            let p = escape(&place(f)).into_owned();
            let message = escape(&f.message);
            // The code leads the line (miette would put it on a header line of its own).
            let text = if p.is_empty() {
                format!("[{}] {message}", f.code)
            } else {
                format!("[{}] {p}: {message}", f.code)
            };
            let d = Shown { finding: f, text };
            let mut buf = String::new();
            if handler.render_report(&mut buf, &d).is_err() {
                buf = format!("{}: {}\n", f.code, d.text);
            }
            for line in buf.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        let _ = writeln!(out, "{}", summary_line(input));
        out.push('\n');
    }
    let totals = report.totals();
    if shown < (totals.errors + totals.warnings + totals.infos) as usize {
        let _ = writeln!(out, "(showing {shown} findings; the totals count all of them)");
    }
    let _ = writeln!(out, "{}", total_line(&totals, report.inputs.len()));
    out
}

fn counts(t: &Totals) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}, {}, {} in {}",
        plural(t.errors, "error", "errors"),
        plural(t.warnings, "warning", "warnings"),
        plural(t.infos, "note", "notes"),
        plural(t.rows, "data row", "data rows")
    )
}

fn summary_line(input: &InputReport) -> String {
    if input.failed {
        return format!(
            "✗ {}: could not be read or checked completely; {}",
            escape(&input.path),
            counts(&input.totals)
        );
    }
    let mark = if input.totals.errors > 0 { "✗" } else { "✓" };
    format!("{mark} {}: {}", escape(&input.path), counts(&input.totals))
}

fn total_line(t: &Totals, inputs: usize) -> String {
    format!(
        "{} {}: {}",
        inputs,
        if inputs == 1 { "return" } else { "returns" },
        counts(t)
    )
}
