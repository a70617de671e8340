//! Subcommands, one file each; their usage and examples sit at the top of each file.

/// `println!` that ignores a closed pipe (`vakt rules | head`): a reader leaving early is not an error.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

mod audit;
mod check;
mod clean;
mod explain;
mod keygen;
mod risk;
mod rules;
mod schema;
mod tabulate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// vakt: check, clean and safely publish health-survey returns.
#[derive(Parser)]
#[command(name = "vakt", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Check(check::Args),
    Clean(clean::Args),
    Keygen(keygen::Args),
    Tabulate(tabulate::Args),
    Audit(audit::Args),
    Risk(risk::Args),
    Explain(explain::Args),
    Rules(rules::Args),
    Schema(schema::Args),
}

/// Exit statuses: 0 no errors, 1 errors found, 2 the run could not complete.
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_INCOMPLETE: u8 = 2;

/// The rule pack from `--rules`, or the embedded survey pack; a bad pack is printed with miette.
pub fn load_pack(rules: Option<&std::path::Path>) -> Option<vakt::pack::Pack> {
    let pack = match rules {
        Some(p) => vakt::pack::Pack::load(p),
        None => vakt::pack::Pack::embedded(),
    };
    match pack {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("{:?}", miette::Report::new(*e));
            None
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Clean(a) => clean::run(a),
        Command::Keygen(a) => keygen::run(a),
        Command::Tabulate(a) => tabulate::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Risk(a) => risk::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Rules(a) => rules::run(a),
        Command::Schema(a) => schema::run(a),
    }
}
