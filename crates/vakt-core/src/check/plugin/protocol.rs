//! The plugin protocol, version 1: JSON Lines over the plugin's standard input and output.
//!
//! ```text
//! vakt → {"type":"hello","protocol":1,"vakt":"0.1.0"}
//!      ← {"type":"hello","protocol":1,"kinds":[{"name":"patient-mix","code":"MIX001",
//!          "summary":"…","doc":"…","params_schema":{…}}]}
//! vakt → {"type":"compile","rule":1,"kind":"patient-mix","table":"patients",
//!         "columns":["group_id","main_dx","group.group_type"],"params":{"min_share":0.5}}
//!      ← {"type":"compiled","rule":1}            or {"type":"error","rule":1,"message":"…"}
//! vakt → {"type":"begin","rule":1,"stream":1,"file":"HV-FONNA.xlsx","sheet":"Pasienter",
//!         "columns":[{"name":"group_id","letter":"A"},…]}
//! vakt → {"type":"rows","stream":1,"rows":[{"row":5,"values":["G1","F32.1","CBT"]},…]}
//!      ← {"type":"findings","stream":1,"findings":[{"row":5,"column":"main_dx","code":"MIX001",
//!          "severity":"warning","message":"…","help":"…"}]}
//! vakt → {"type":"end","stream":1}
//!      ← {"type":"findings","stream":1,"findings":[…]}
//! vakt → {"type":"bye"}
//! ```
//!
//! Every message is one line. Values are typed: numbers, `true`/`false`, dates as `"YYYY-MM-DD"`,
//! codes as their code, text as written (identifier-like numbers in text replaced by a tag unless
//! the plugin may see identifiers), `null` for a blank cell or one that could not be read.

use serde::Deserialize;

/// The protocol version this vakt speaks.
pub const PROTOCOL: u64 = 1;

/// The plugin's answer to `hello`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    /// Always `hello`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The protocol version the plugin speaks.
    pub protocol: u64,
    /// Its rule kinds.
    pub kinds: Vec<KindDecl>,
}

/// A rule kind a plugin offers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindDecl {
    /// Its name, used as `kind = "…"` in `[[table.check]]`.
    pub name: String,
    /// The code of its findings (`MIX001`).
    pub code: String,
    /// One line: what a finding means.
    pub summary: String,
    /// More documentation, printed by `vakt explain` (Markdown).
    #[serde(default)]
    pub doc: String,
    /// The JSON Schema of its `params`.
    #[serde(default)]
    pub params_schema: Option<serde_json::Value>,
}

/// A finding a plugin reports.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reported {
    /// The physical row (as vakt sent it).
    pub row: u64,
    /// The column (one the rule names), or none for the whole row.
    #[serde(default)]
    pub column: Option<String>,
    /// The kind's code.
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// What is wrong.
    pub message: String,
    /// How to correct it.
    #[serde(default)]
    pub help: Option<String>,
}

/// The plugin's answer to `rows` and `end`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Findings {
    /// Always `findings`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The stream the rows came in.
    pub stream: u64,
    /// What it found.
    pub findings: Vec<Reported>,
}

/// The plugin's answer to `compile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compiled {
    /// `compiled`, or `error` when the params do not fit.
    #[serde(rename = "type")]
    pub kind: String,
    /// The rule.
    pub rule: u64,
    /// Why the params do not fit (with `error`).
    #[serde(default)]
    pub message: Option<String>,
}
