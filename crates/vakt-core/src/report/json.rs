//! The JSON report: one object, in a fixed shape that pipelines can rely on.
//!
//! ```json
//! {"tool":{"name","version"}, "rules":{"path","sha256","embedded","files":[{"path","sha256"}]},
//!  "inputs":[{"path","sha256","format","status":"ok"|"errors"|"failed","summary":{...},
//!             "tables":[{"name","sheet","header_row","data_rows"}]}],
//!  "summary":{"errors","warnings","infos","rows"}, "truncated":null|{"limit":null|N,"shown","omitted"},
//!  "diagnostics":[{"code","severity","message","help","message_nb","help_nb","file","sheet","row","column","cell","value"}]}
//!  (a CSV diagnostic past a record that spanned lines also has "record": its record number)
//! ```

use super::Report;
use serde::Serialize;

#[derive(Serialize)]
struct Json<'a> {
    tool: Tool,
    rules: Rules<'a>,
    inputs: Vec<InputJson<'a>>,
    summary: Summary,
    truncated: Option<Truncated>,
    diagnostics: Vec<Diagnostic<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Rules<'a> {
    path: &'a str,
    sha256: &'a str,
    embedded: bool,
    files: Vec<RuleFile<'a>>,
}

#[derive(Serialize)]
struct RuleFile<'a> {
    path: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct InputJson<'a> {
    path: &'a str,
    sha256: Option<&'a str>,
    format: Option<&'static str>,
    /// `ok` (no errors), `errors`, or `failed` (could not be read or checked completely).
    status: &'static str,
    summary: Summary,
    tables: Vec<TableJson<'a>>,
}

#[derive(Serialize)]
struct TableJson<'a> {
    name: &'a str,
    file: &'a str,
    sheet: Option<&'a str>,
    header_row: Option<u64>,
    data_rows: u64,
}

#[derive(Serialize)]
struct Summary {
    errors: u64,
    warnings: u64,
    infos: u64,
    rows: u64,
}

#[derive(Serialize)]
struct Truncated {
    /// `--max-diagnostics`, if given; without it findings past the limit per kind were left out.
    limit: Option<usize>,
    shown: usize,
    omitted: u64,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    code: &'a str,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    /// The message in Norwegian (null for a pack's or a plugin's own text).
    message_nb: Option<&'a str>,
    /// The help in Norwegian.
    help_nb: Option<&'a str>,
    file: &'a str,
    sheet: Option<&'a str>,
    row: Option<u64>,
    /// In CSV, the record number when a quoted field above spanned lines (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<u64>,
    column: Option<&'a str>,
    cell: Option<String>,
    value: Option<&'a str>,
}

/// Renders the report as pretty-printed JSON.
pub fn render(report: &Report) -> String {
    let totals = report.totals();
    let all = totals.errors + totals.warnings + totals.infos;
    let limit = report.max_diagnostics.unwrap_or(usize::MAX);
    let diagnostics: Vec<Diagnostic<'_>> = report
        .findings()
        .take(limit)
        .map(|f| Diagnostic {
            code: f.code.as_str(),
            severity: f.severity.as_str(),
            message: &f.message,
            help: f.help.as_deref(),
            message_nb: f.nb.as_ref().map(|nb| nb.message.as_str()),
            help_nb: f.nb.as_ref().and_then(|nb| nb.help.as_deref()),
            file: &f.location.file,
            sheet: f.location.sheet.as_deref(),
            row: f.location.row,
            record: f.location.record,
            column: f.location.column.as_deref(),
            cell: f.location.cell(),
            value: f.value.as_deref(),
        })
        .collect();
    let truncated = (diagnostics.len() as u64) < all;
    let json = Json {
        tool: Tool {
            name: "vakt",
            version: report.tool_version,
        },
        rules: Rules {
            path: &report.pack_path,
            sha256: &report.pack_sha256,
            embedded: report.pack_embedded,
            files: report
                .pack_files
                .iter()
                .map(|f| RuleFile {
                    path: &f.path,
                    sha256: &f.sha256,
                })
                .collect(),
        },
        inputs: report
            .inputs
            .iter()
            .map(|i| InputJson {
                path: &i.path,
                sha256: i.sha256.as_deref(),
                format: i.format,
                status: i.status(),
                summary: Summary {
                    errors: i.totals.errors,
                    warnings: i.totals.warnings,
                    infos: i.totals.infos,
                    rows: i.totals.rows,
                },
                tables: i
                    .tables
                    .iter()
                    .map(|t| TableJson {
                        name: &t.name,
                        file: &t.file,
                        sheet: t.sheet.as_deref(),
                        header_row: t.header_row,
                        data_rows: t.data_rows,
                    })
                    .collect(),
            })
            .collect(),
        summary: Summary {
            errors: totals.errors,
            warnings: totals.warnings,
            infos: totals.infos,
            rows: totals.rows,
        },
        truncated: truncated.then(|| Truncated {
            limit: report.max_diagnostics,
            shown: diagnostics.len(),
            omitted: all - diagnostics.len() as u64,
        }),
        diagnostics,
    };
    let mut s = serde_json::to_string_pretty(&json).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
