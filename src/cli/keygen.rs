//! `vakt keygen`: create a pseudonymisation key file.
//!
//! What it does, its examples and its exit status are written once, on [`Args`] and in
//! [`AFTER_HELP`]; `vakt keygen --help` prints them.

use crate::clean::pseudo::Key;
use std::path::PathBuf;
use std::process::ExitCode;

/// Examples and exit status, shown after the options by `vakt keygen --help`.
pub const AFTER_HELP: &str = "Examples:\n  vakt keygen --project survey-2009 --out ~/keys/survey-2009.key";

/// Create a pseudonymisation key file (32 random bytes, mode 0600; never overwrites).
///
/// The key is 32 random bytes from the operating system, written with mode 0600. An existing file
/// is never overwritten. Keep the key away from the data: anyone holding both can re-identify.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Project name; it salts every pseudonym, so keys of two projects never agree.
    #[arg(long)]
    project: String,
    /// Where to write the key file.
    #[arg(long, value_name = "KEYFILE")]
    out: PathBuf,
}

/// Today's date and time in UTC, ISO 8601, from the system clock.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let day = crate::value::Date((secs / 86_400) as i32);
    let t = secs % 86_400;
    format!("{day}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match Key::generate(&args.out, &args.project, &now_utc()) {
        Ok(k) => {
            outln!(
                "wrote {} (project {}, fingerprint {})",
                args.out.display(),
                k.project,
                k.fingerprint
            );
            outln!("keep this file secret and backed up: without it, pseudonyms cannot be reproduced");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            errln!("vakt: {e}");
            Ok(ExitCode::from(super::EXIT_INCOMPLETE))
        }
    }
}
