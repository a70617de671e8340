//! `vakt schema`: print the JSON Schema of the rule-pack format, for editors.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt schema --help` prints them.

use std::process::ExitCode;

/// Examples and exit status, shown after the options by `vakt schema --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt schema > docs/rules.schema.json";

/// Print the JSON Schema of the rule-pack format.
///
/// The schema is derived from the Rust types the pack is read into, so it cannot drift from what
/// vakt accepts. TOML editors (Taplo, Even Better TOML) use it with a `#:schema` comment.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// A rule pack whose plugins' kinds to include (their params schemas come from the plugins).
    #[arg(long, value_name = "PACK")]
    rules: Option<std::path::PathBuf>,
}

pub fn run(args: Args, registry: crate::check::Registry) -> anyhow::Result<ExitCode> {
    let registry = match &args.rules {
        None => registry,
        // The pack's plugins add their kinds and params schemas.
        Some(path) => match super::load_plan(Some(path), registry) {
            Some(plan) => plan.into_registry(),
            None => return Ok(ExitCode::from(super::EXIT_INCOMPLETE)),
        },
    };
    let schema = crate::check::pack_schema(&registry);
    outln!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}
