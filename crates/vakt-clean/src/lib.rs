//! Cleaning: from checked returns to one national research dataset.
//!
//! Two passes per return. The first is `vakt check` itself, with a [`decide::Recorder`] beside the
//! rules noting each row's keys; from its findings every row's fate is decided before anything is
//! written ([`decide`]). The second pass reads the tables again through the same table stream (an
//! `.xlsx` sheet from the rows its first reading kept, within [`KEPT_ROWS_BYTES`] for the run:
//! `vakt_core::read::tape`) and writes each data row once: normalised, identifiers replaced by
//! keyed pseudonyms or dropped, text scrubbed of identifiers, formulas neutralised ([`render`]);
//! rejected rows go to `rejected/` with their reasons ([`files`]). Every row read is accounted for
//! in `manifest.json` (`manifest.rs`), and the data rows of the second pass must be those the
//! first pass checked, or the run fails. Output appears only when complete ([`output`]).
//!
//! Identifiers become keyed pseudonyms: HMAC-SHA256 under a key derived for the release's domain
//! and the identifier's type, so the same person has one pseudonym within a release and unrelated
//! ones across releases.
//!
//! ```
//! use vakt_clean::pseudo::{Domain, Key};
//!
//! let key = Key::from_bytes([7; 32], "survey-2009");
//! let release = key.domain(&Domain::parse("release-2026")?, "patient");
//! let other = key.domain(&Domain::parse("release-2027")?, "patient");
//! let p = release.pseudonym("01017012345");
//! assert_eq!(p.len(), 16, "80 bits in lower-case base32");
//! assert_eq!(p, release.pseudonym("01017012345"), "the same within a release");
//! assert_ne!(p, other.pseudonym("01017012345"), "unrelated across releases");
//! assert!(!p.contains("01017012345"));
//! # Ok::<(), vakt_clean::pseudo::KeyError>(())
//! ```

pub mod decide;
pub mod files;
mod manifest;
pub mod output;
pub mod plan;
pub mod pseudo;
pub mod render;
mod write;

pub use decide::OnError;
pub use files::OutFormat;

use pseudo::{Domain, Key};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vakt_core::check::Plan;
use vakt_core::check::{engine, InputResult};
use vakt_core::finding::Severity;
use vakt_core::read::tape::TapeBudget;
use vakt_core::read::Input;

/// Two inputs with one return key (`--resubmissions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resubmissions {
    /// Stop: say which inputs hold the same return.
    Refuse,
    /// Take the latest (by the pack's submission date, else the later on the command line).
    Latest,
}

/// What `vakt clean` is asked to do.
pub struct Options<'a> {
    pub key: &'a Key,
    pub domain: String,
    pub out: PathBuf,
    pub format: OutFormat,
    pub on_error: OnError,
    pub resubmissions: Resubmissions,
    pub force: bool,
    /// Files the run reads besides the returns (the key, the pack): `--force` never replaces a
    /// folder holding one.
    pub protected: Vec<PathBuf>,
}

/// Why a clean run could not complete. Nothing is written then.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CleanError {
    #[error("{0}: the output folder exists; choose another or pass --force")]
    Exists(String),
    #[error("{0}: --force will not replace it: {1}")]
    Refused(String, String),
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Key(#[from] pseudo::KeyError),
    #[error("{0}: {1}")]
    Io(String, String),
    #[error("pseudonym collision for id type `{0}`: two different identifiers got one pseudonym; the run is stopped")]
    Collision(String),
    #[error("row accounting failed for {0}: {1}")]
    Accounting(String, String),
    #[error("table `{0}` has {1} rows, more than a worksheet holds (1,048,575); use --format csv")]
    TooManyRows(String, usize),
    #[error(
        "the return `{0}` is in more than one input ({1}); pass --resubmissions latest to take the latest, or leave the others out"
    )]
    Resubmitted(String, String),
    #[error("the pack names no return key ([return]), so rows of {0} returns could not be told apart; clean one return at a time, or add [return] to the pack")]
    NoReturnKey(usize),
}

/// What a clean run did, for the terminal.
#[derive(Debug, Default)]
pub struct Summary {
    /// Per output table: rows written, rows rejected.
    pub tables: Vec<(String, u64, u64)>,
    pub non_data: u64,
    pub duplicates: u64,
    /// Rows kept with flagged cells.
    pub flagged: u64,
    /// Table-level problems (a table missing, its header not found, a required column missing).
    pub problems: Vec<String>,
    /// Inputs left out as earlier submissions of a return.
    pub dropped: Vec<String>,
    pub out: PathBuf,
}

/// One checked return, ready for the second pass.
pub(crate) struct Checked {
    pub path: String,
    pub input: Input,
    pub result: InputResult,
    pub recorder: decide::Recorder,
}

/// The bytes of workbook rows kept from the first pass for the second, over all returns of a run
/// (see `vakt_core::read::tape`); a sheet past it is read from its file again.
pub const KEPT_ROWS_BYTES: usize = 256 << 20;

/// Runs `vakt clean`.
pub fn run(plan: &Plan, paths: &[PathBuf], opts: &Options<'_>) -> Result<Summary, CleanError> {
    let pack = plan.pack();
    let domain = Domain::parse(&opts.domain)?;
    if pack.return_key.is_none() && paths.len() > 1 {
        return Err(CleanError::NoReturnKey(paths.len()));
    }
    let mut protected: Vec<PathBuf> = paths.iter().filter_map(|p| p.canonicalize().ok()).collect();
    protected.extend(opts.protected.iter().filter_map(|p| p.canonicalize().ok()));
    let target = output::Target::prepare(&opts.out, opts.force, &protected)?;
    // Pass 1: check everything first; any unreadable input stops the run before anything is written.
    let mut checked = Vec::new();
    let kept = vakt_core::read::tape::TapeBudget::new(KEPT_ROWS_BYTES);
    for one in check_all(plan, paths, &kept) {
        checked.push(one?);
    }
    let dropped = resubmissions(&mut checked, opts.resubmissions)?;
    let mut summary = write::write_all(pack, &mut checked, opts, &domain, &dropped, target.dir())?;
    summary.dropped = dropped;
    summary.out = target.commit()?;
    Ok(summary)
}

/// Checks every input, several at once on a machine with several cores (a national clean is 25
/// returns; the largest start first), and gives the results in the order of `paths`, so the first
/// error reported is the first input's, as when they were checked one after the other. A pack
/// with plugins checks one input at a time: each plugin is one process, answering one stream at
/// a time.
fn check_all(plan: &Plan, paths: &[PathBuf], kept: &Arc<TapeBudget>) -> Vec<Result<Checked, CleanError>> {
    let workers = plan.workers_for(paths.len());
    let size = |p: &PathBuf| Input::work_estimate(p);
    vakt_core::par::map_heaviest_first_on(paths, size, workers, |path| check_one(plan, path, kept))
}

fn check_one(plan: &Plan, path: &Path, kept: &Arc<TapeBudget>) -> Result<Checked, CleanError> {
    let shown = path.display().to_string();
    let unreadable = |result: &InputResult| {
        let why = result
            .findings
            .iter()
            .find(|f| f.code == vakt_core::locate::codes::UNREADABLE)
            .map(|f| f.message.clone());
        CleanError::Input(why.unwrap_or_else(|| format!("{shown}: could not be read")))
    };
    let mut recorder = decide::Recorder::new(plan);
    // A panic while reading (inside a reader library) is a damaged input, not a crash of the run.
    let checked = vakt_core::read::guard::catch(|| {
        let mut input = Input::open(path)?;
        input.keep_rows(kept);
        let result = engine::check_input_with(
            plan,
            &mut input,
            vec![Box::new(decide::RecordInto(&mut recorder))],
            true,
        );
        Ok::<_, vakt_core::read::ReadError>((input, result))
    });
    let (mut input, mut result) = match checked {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => return Err(CleanError::Input(e.to_string())),
        Err(panic) => {
            return Err(CleanError::Input(
                vakt_core::read::guard::crashed(&shown, &panic).to_string(),
            ))
        }
    };
    if let Err(e) = input.finish_hash() {
        result.failed = true;
        return Err(CleanError::Input(e.to_string()));
    }
    if result.failed {
        return Err(unreadable(&result));
    }
    Ok(Checked {
        path: shown.clone(),
        input,
        result,
        recorder,
    })
}

/// Finds inputs holding the same return; refuses, or keeps the latest of each and returns the
/// paths left out.
fn resubmissions(checked: &mut Vec<Checked>, policy: Resubmissions) -> Result<Vec<String>, CleanError> {
    let key = |c: &Checked| c.result.return_key.as_deref().map(vakt_core::value::text::key);
    let mut dropped = Vec::new();
    let mut keep = vec![true; checked.len()];
    for i in 0..checked.len() {
        let Some(k) = key(&checked[i]) else { continue };
        let same: Vec<usize> = (0..checked.len())
            .filter(|&j| key(&checked[j]).as_ref() == Some(&k))
            .collect();
        if same.len() < 2 || same[0] != i {
            continue;
        }
        if policy == Resubmissions::Refuse {
            let names: Vec<&str> = same.iter().map(|&j| checked[j].path.as_str()).collect();
            let shown = checked[i].result.return_key.clone().unwrap_or_default();
            return Err(CleanError::Resubmitted(shown, names.join(", ")));
        }
        // The latest by submission date; ties and unknown dates go to the later argument.
        let latest = same
            .iter()
            .copied()
            .max_by_key(|&j| (checked[j].result.submitted, j))
            .unwrap_or(i);
        for &j in same.iter().filter(|&&j| j != latest) {
            keep[j] = false;
        }
    }
    let mut i = 0;
    checked.retain(|c| {
        let k = keep[i];
        i += 1;
        if !k {
            dropped.push(c.path.clone());
        }
        k
    });
    Ok(dropped)
}

/// Table-level errors of a return, which leave its dataset incomplete: a table missing, a header
/// not found, a required column missing, a reference that cannot be resolved, returns mixed.
pub(crate) fn table_problems(result: &InputResult) -> Vec<String> {
    use vakt_core::locate::codes;
    result
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .filter(|f| {
            [
                codes::MISSING_TABLE,
                codes::HEADER_NOT_FOUND,
                codes::MISSING_COLUMN,
                codes::MIXED_RETURNS,
            ]
            .contains(&f.code.as_str())
                || (f.code == vakt_core::check::kinds::ForeignKeyKind::CODE
                    && f.location.col.is_none()
                    && f.location.column.is_none())
        })
        .map(|f| format!("[{}] {}: {}", f.code, f.location.file, f.message))
        .collect()
}
