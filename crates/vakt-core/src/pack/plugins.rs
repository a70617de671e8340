//! The plugins a pack declares (`[[plugin]]`): checked when the pack loads, started by the check
//! stage (`vakt_core::check::plugin`).

use super::spec::PluginSpec;
use super::Errs;
use std::path::PathBuf;
use std::time::Duration;

/// Seconds a plugin may take to answer, unless the pack says otherwise.
pub const DEFAULT_PLUGIN_TIMEOUT_SECONDS: f64 = 30.0;
/// Rows per message, unless the pack says otherwise.
pub const DEFAULT_PLUGIN_BATCH: usize = 1000;
/// The longest a pack may let a plugin take for one answer.
const MAX_PLUGIN_TIMEOUT_SECONDS: f64 = 3600.0;
/// The most rows a pack may put in one message.
const MAX_PLUGIN_BATCH: u32 = 100_000;

/// A plugin as the pack declares it.
#[derive(Debug, Clone)]
pub struct PluginDecl {
    /// Its name.
    pub name: String,
    /// The program and its arguments.
    pub command: Vec<String>,
    /// The pack's folder: the plugin's working folder, and where a relative program is.
    pub dir: Option<PathBuf>,
    /// How long to wait for each answer.
    pub timeout: Duration,
    /// Rows per message.
    pub batch: usize,
    /// Its rules may name identifier columns.
    pub allow_identifiers: bool,
    /// Where the pack names it.
    pub span: std::ops::Range<usize>,
}

/// Checks the `[[plugin]]` declarations: names unique and plain, a command, sane limits.
pub(super) fn compile(specs: &[PluginSpec], errs: &mut Errs<'_>) -> Vec<PluginDecl> {
    let mut out: Vec<PluginDecl> = Vec::new();
    for p in specs {
        let name = p.name.get_ref();
        let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !plain {
            errs.push(
                format!("plugin name `{name}`: use letters, digits, `-` and `_`"),
                Some(p.name.span()),
                "this name",
                None,
            );
        } else if out.iter().any(|o| &o.name == name) {
            errs.push(
                format!("plugin `{name}` is declared twice"),
                Some(p.name.span()),
                "again here",
                None,
            );
        }
        if p.command.get_ref().first().is_none_or(|c| c.trim().is_empty()) {
            errs.push(
                format!("plugin `{name}`: `command` names no program"),
                Some(p.command.span()),
                "empty",
                Some("for example command = [\"python3\", \"plugins/check.py\"]".into()),
            );
        }
        let timeout = p
            .timeout
            .as_ref()
            .map_or(DEFAULT_PLUGIN_TIMEOUT_SECONDS, |t| *t.get_ref());
        if !(timeout > 0.0 && timeout <= MAX_PLUGIN_TIMEOUT_SECONDS) {
            let span = p.timeout.as_ref().map(|t| t.span());
            errs.push(
                format!("plugin `{name}`: `timeout` is seconds, more than 0 and at most {MAX_PLUGIN_TIMEOUT_SECONDS}"),
                span,
                "here",
                None,
            );
        }
        let batch = p.batch.as_ref().map_or(DEFAULT_PLUGIN_BATCH as u32, |b| *b.get_ref());
        if !(1..=MAX_PLUGIN_BATCH).contains(&batch) {
            let span = p.batch.as_ref().map(|b| b.span());
            errs.push(
                format!("plugin `{name}`: `batch` is 1 to {MAX_PLUGIN_BATCH} rows"),
                span,
                "here",
                None,
            );
        }
        out.push(PluginDecl {
            name: name.clone(),
            command: p.command.get_ref().clone(),
            dir: None,
            timeout: Duration::from_secs_f64(timeout.clamp(0.001, MAX_PLUGIN_TIMEOUT_SECONDS)),
            batch: batch.clamp(1, MAX_PLUGIN_BATCH) as usize,
            allow_identifiers: p.allow_identifiers,
            span: p.name.span(),
        });
    }
    out
}
