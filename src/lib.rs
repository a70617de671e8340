//! vakt checks, cleans and safely publishes national health-survey returns.
//!
//! This crate is the `vakt` command and one front door to its library crates:
//!
//! ```text
//!  files ──▶ vakt-core ─────────────────────────────────────────────▶ findings, reports
//!            read → locate → check (rule kinds, plan, engine) → report
//!                                  │ checked returns
//!                                  ▼
//!            vakt-clean: decide rows → normalise, pseudonymise, scrub → clean dataset + manifest
//!                                  │ clean tables
//!                                  ▼
//!            vakt-disclose: tabulate → suppress → audit; risk of microdata
//! ```
//!
//! Everything is re-exported here under the names the stages have always had (`vakt::check`,
//! `vakt::clean`, ...). See `docs/architecture.md` for where to add a rule kind, a reader format,
//! a subcommand or a report format.
//!
//! ```
//! let registry = vakt::check::Registry::builtin();
//! let plan = vakt::check::Plan::new(vakt::pack::Pack::embedded()?, registry)?;
//! assert_eq!(plan.pack().tables.len(), 6);
//! assert!(plan.registry().find("VK0103").is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use vakt_clean as clean;
#[macro_use]
pub mod cli;

pub use vakt_core::{check, documented_check, expr, finding, ident, infer, locate, pack, read, report, value};
pub use vakt_disclose as disclose;
/// Reports written as files for people: the feedback workbook.
pub use vakt_report as reports;
