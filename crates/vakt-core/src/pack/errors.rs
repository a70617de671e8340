//! Mistakes in a rule pack: each one pointing into the TOML, all of them reported at once (up to a
//! limit), and rendered leading with the mistake.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};
use std::sync::Arc;

/// Mistakes listed in full; past this only their number is given (a broken pack can have
/// thousands).
pub const MAX_PACK_ERRORS: usize = 50;

/// Lines longer than this are shown as a window around the mistake.
const WINDOW: usize = 160;

/// A mistake in a rule pack, pointing into its TOML.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
pub struct PackError {
    /// What is wrong.
    pub message: String,
    #[source_code]
    src: NamedSource<Arc<str>>,
    /// Where in the pack, when known.
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    label: String,
    /// How to correct it.
    #[help]
    pub help: Option<String>,
}

impl PackError {
    /// The TOML text a span covers (for tests and plain-text reports).
    pub fn src_text(&self, span: SourceSpan) -> String {
        use miette::SourceCode;
        self.src
            .read_span(&span, 0, 0)
            .ok()
            .and_then(|c| std::str::from_utf8(c.data()).ok().map(str::to_string))
            .unwrap_or_default()
    }

    /// 1-based line and column of the mistake, if it has a place.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let span = self.span?;
        let src: &str = self.src.inner();
        let before = src.get(..span.offset())?;
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((line, col))
    }

    /// The same mistake with its source cut to a window around the span when its line is long:
    /// a very long line must not be printed whole (nor overflow the renderer).
    fn windowed(&self) -> PackError {
        let src: &str = self.src.inner();
        let Some(span) = self.span.filter(|s| s.offset() <= src.len()) else {
            return self.clone_with(Arc::clone(self.src.inner()), self.span);
        };
        let start = span.offset();
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        if line_end - line_start <= WINDOW * 2 {
            return self.clone_with(Arc::clone(self.src.inner()), self.span);
        }
        let floor = |mut i: usize| {
            while !src.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let from = floor(start.saturating_sub(WINDOW).max(line_start));
        let to = floor((start + span.len().min(WINDOW) + WINDOW).min(line_end));
        // Earlier lines stay (as empty lines) so the line number is still right.
        let lines_before = src[..line_start].matches('\n').count();
        let window: Arc<str> = Arc::from(format!("{}…{}…", "\n".repeat(lines_before), &src[from..to]));
        let offset = lines_before + start - from + '…'.len_utf8();
        let len = span.len().min(to.saturating_sub(start));
        self.clone_with(window, Some(SourceSpan::from(offset..offset + len)))
    }

    fn clone_with(&self, src: Arc<str>, span: Option<SourceSpan>) -> PackError {
        PackError {
            message: self.message.clone(),
            src: NamedSource::new(self.src.name(), src),
            span,
            label: self.label.clone(),
            help: self.help.clone(),
        }
    }
}

/// All mistakes found in a rule pack.
#[derive(Debug, thiserror::Error)]
#[error("{path}: the rule pack has {} {}", count, if *count == 1 { "mistake" } else { "mistakes" })]
pub struct PackErrors {
    /// The pack's path.
    pub path: String,
    /// The first mistakes (at most 50).
    pub errors: Vec<PackError>,
    /// How many there are in all.
    pub count: usize,
}

impl PackErrors {
    /// One mistake without a place in the TOML (the file could not be read).
    pub fn single(path: &str, message: String) -> Box<PackErrors> {
        let mut e = Errs::new(path, "");
        e.push(message, None, "", None);
        e.finish()
    }

    /// The mistakes for a terminal: each leading with its message, pointing into the TOML.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let mut out = String::new();
        for e in &self.errors {
            let shown = e.windowed();
            if handler.render_report(&mut out, &shown).is_err() {
                out.push_str(&format!("  × {}\n", e.message));
            }
        }
        if self.count > self.errors.len() {
            out.push_str(&format!(
                "  … and {} more mistakes, not listed\n",
                self.count - self.errors.len()
            ));
        }
        out.push_str(&format!("{self}\n"));
        out
    }
}

impl PackErrors {
    /// The mistakes as JSON, for `--format json`: each with its message, label, help, and place
    /// (1-based line and column, byte offset and length in the TOML).
    pub fn to_json(&self) -> serde_json::Value {
        let mistakes: Vec<serde_json::Value> = self
            .errors
            .iter()
            .map(|e| {
                let (line, column) = e.line_col().map_or((None, None), |(l, c)| (Some(l), Some(c)));
                serde_json::json!({
                    "message": e.message,
                    "label": if e.label.is_empty() { None } else { Some(&e.label) },
                    "help": e.help,
                    "line": line,
                    "column": column,
                    "offset": e.span.map(|s| s.offset()),
                    "length": e.span.map(|s| s.len()),
                })
            })
            .collect();
        serde_json::json!({
            "kind": "pack",
            "path": self.path,
            "message": self.to_string(),
            "count": self.count,
            "mistakes": mistakes,
        })
    }
}

/// Collects the mistakes of a pack while it compiles. The TOML is shared by all of them.
pub(crate) struct Errs<'a> {
    shown: &'a str,
    source: Arc<str>,
    errors: Vec<PackError>,
    count: usize,
}

impl<'a> Errs<'a> {
    pub(crate) fn new(shown: &'a str, source: &str) -> Errs<'a> {
        Errs {
            shown,
            source: Arc::from(source),
            errors: Vec::new(),
            count: 0,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub(crate) fn push(
        &mut self,
        message: String,
        span: Option<std::ops::Range<usize>>,
        label: &str,
        help: Option<String>,
    ) {
        self.count += 1;
        if self.errors.len() >= MAX_PACK_ERRORS {
            return;
        }
        self.errors.push(PackError {
            message,
            src: NamedSource::new(self.shown, Arc::clone(&self.source)),
            span: span.map(|r| SourceSpan::from(r.start..r.end)),
            label: label.to_string(),
            help,
        });
    }

    pub(crate) fn finish(self) -> Box<PackErrors> {
        Box::new(PackErrors {
            path: self.shown.to_string(),
            errors: self.errors,
            count: self.count,
        })
    }
}
