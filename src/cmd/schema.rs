//! `vakt schema`: print the JSON Schema of the rule-pack format, for editors.
//!
//! Usage: vakt schema
//!
//! Examples:
//!   vakt schema > docs/rules.schema.json
//!
//! The schema is derived from the Rust types the pack is read into, so it cannot drift from what
//! vakt accepts. TOML editors (Taplo, Even Better TOML) use it with a `#:schema` comment.

use std::process::ExitCode;

/// Print the JSON Schema of the rule-pack format.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  vakt schema > docs/rules.schema.json")]
pub struct Args {}

pub fn run(_: Args) -> anyhow::Result<ExitCode> {
    let schema = vakt::check::pack_schema(&vakt::check::Registry::builtin());
    outln!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}
