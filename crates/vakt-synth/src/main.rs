//! `vakt-synth`: write a synthetic national set of survey returns with seeded defects and the truth.
//!
//! Usage: vakt-synth --out DIR [--seed N] [--clean] [--scale K]
//!
//! Examples:
//!   cargo run --release --bin vakt-synth -- --out target/synth
//!   cargo run --release --bin vakt-synth -- --out target/clean --clean
//!   cargo run --release --bin vakt-synth -- --out target/big --scale 1000 --clean
//!
//! Writes DIR/returns/ (one return per responding authority: AUTHORITY.xlsx, a few CSV folders,
//! one .ods), DIR/truth/ (the ground truth, canonical codes, UTF-8 CSV) and DIR/defects.json (every
//! seeded defect with its file, sheet, cell or line, column, kind, expected severity, original and
//! written value). The same seed gives the same bytes.

use clap::Parser;
use std::process::ExitCode;

/// Write synthetic survey returns that reproduce Lorentzen & Ruud (2014), with seeded defects.
#[derive(Parser)]
#[command(name = "vakt-synth", version, about)]
struct Args {
    /// Output folder (created; files in it are overwritten).
    #[arg(long)]
    out: std::path::PathBuf,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seed no defects.
    #[arg(long)]
    clean: bool,
    /// Multiply groups and patients (1 reproduces the paper; 1000 gives millions of patient rows).
    #[arg(long, default_value_t = 1)]
    scale: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let opts = vakt_synth::Options {
        seed: args.seed,
        clean: args.clean,
        scale: args.scale.max(1),
    };
    match vakt_synth::generate(&args.out, &opts) {
        Ok(s) => {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stdout().lock(),
                "{} returns, {} groups, {} patients, {} seeded defects → {}",
                s.returns,
                s.groups,
                s.patients,
                s.defects,
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("vakt-synth: {e}");
            ExitCode::from(2)
        }
    }
}
