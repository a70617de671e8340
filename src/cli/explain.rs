//! `vakt explain`: print the documentation of a check.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt explain --help` prints them.

use crate::check::Registry;
use std::process::ExitCode;

/// Examples and exit status, shown after the options by `vakt explain --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt explain VK0103\n  vakt explain code-list\n  vakt explain months_between\n  vakt explain functions\n  vakt explain MIX001 --rules my-pack.toml\n\nExit status: 0 explained; 2 no such check, or the pack or a plugin could not be loaded.";

/// Print the documentation of a check, by code (VK0103) or name (range).
///
/// With a pack, also its plugins' rule kinds and the codes of its own rules. A function of the
/// expression language by its name (`months_between`); `functions` lists them all.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// A code such as VK0103, or a name such as range.
    code: String,
    /// Rule pack (TOML). Default: the survey pack built into vakt.
    #[arg(long, value_name = "PACK")]
    rules: Option<std::path::PathBuf>,
}

pub fn run(args: Args, registry: Registry) -> anyhow::Result<ExitCode> {
    let Some(plan) = super::load_plan(args.rules.as_deref(), registry) else {
        return Ok(ExitCode::from(super::EXIT_INCOMPLETE));
    };
    if args.code.eq_ignore_ascii_case("functions") {
        outln!("# Functions of the expression language\n");
        for f in crate::expr::functions() {
            outln!("- `{}`: {}\n  Example: `{}`", f.signature, f.summary, f.example);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let function = crate::expr::functions().find(|f| f.name.eq_ignore_ascii_case(args.code.trim_end_matches("()")));
    if let (None, Some(f)) = (plan.find(&args.code), function) {
        outln!(
            "# {} (a function of the expression language, VK0201)\n\n{}\n\nExample:\n\n    {}",
            f.signature,
            f.summary,
            f.example
        );
        return Ok(ExitCode::SUCCESS);
    }
    match plan.find(&args.code) {
        Some(info) => {
            outln!("# {} {}\n\n{}", info.code, info.name, info.markdown().trim_end());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            errln!(
                "vakt: no check has the code or name `{}`; `vakt rules` lists them",
                args.code
            );
            Ok(ExitCode::from(super::EXIT_INCOMPLETE))
        }
    }
}
