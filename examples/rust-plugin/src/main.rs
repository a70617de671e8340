//! The `vakt` command with one more rule kind, written in Rust: a complete downstream crate.
//!
//! The kind, `completeness`, takes its columns and its threshold from the pack:
//!
//! ```toml
//! [[table.check]]
//! kind = "completeness"
//! columns = ["comment", "frequency"]
//! params = { max_blank_share = 0.2 }
//! ```
//!
//! and reports each named column blank in more than that share of a table's rows. Everything else
//! is `vakt` itself — every subcommand, report format and exit status — through
//! `vakt::cli::main_with`: `vakt-example-plugin check --rules pack.toml returns/`.

use schemars::JsonSchema;
use serde::Deserialize;
use vakt::check::{Configure, Configured, Entry, Registry, RowCtx, RowRule, RuleKind, Sink, TableSchema};
use vakt::documented_check;
use vakt::finding::{CheckInfo, Code, Finding, Severity};

documented_check! {
    /// A column is blank in more of a table's rows than the pack allows.
    ///
    /// For columns that are optional one by one but should mostly be filled in: a survey where
    /// half the groups have no frequency is not a survey of frequencies. Name the columns and the
    /// largest share of blank rows:
    ///
    /// ```toml
    /// [[table.check]]
    /// kind = "completeness"
    /// columns = ["frequency", "session_minutes"]
    /// params = { max_blank_share = 0.2 }
    /// ```
    ///
    /// Reported once per column and table, at the column, as a warning (or the entry's
    /// `severity`).
    pub struct Completeness => "CMPL01", "completeness";
}

/// The params of a `completeness` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletenessParams {
    /// The largest share of a table's rows (0 to 1) in which a column may be blank.
    pub max_blank_share: f64,
}

impl RuleKind for Completeness {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn params_schema(&self) -> Option<serde_json::Value> {
        serde_json::to_value(schemars::schema_for!(CompletenessParams)).ok()
    }

    fn takes_columns(&self) -> bool {
        true
    }

    fn configure(&self, entry: &Entry<'_>, cx: &mut Configure<'_, '_>) -> Option<Box<dyn Configured>> {
        let params: CompletenessParams = cx.params(entry)?;
        if !(0.0..=1.0).contains(&params.max_blank_share) {
            let message = "completeness: `max_blank_share` is a share, from 0 to 1".to_string();
            cx.error(message, Some(entry.span.clone()), "this entry", None);
            return None;
        }
        let names: Vec<String> = entry.columns.iter().map(|c| c.get_ref().clone()).collect();
        let columns = cx.columns(entry.table, &names, "completeness", Some(entry.span.clone()))?;
        let severity = entry.severity.map_or(Severity::Warning, vakt::check::plan::severity);
        Some(Box::new(Configuredness {
            code: cx.code(entry, Self::CODE),
            severity,
            columns,
            max: params.max_blank_share,
        }))
    }
}

/// A configured `completeness` entry.
#[derive(Debug)]
struct Configuredness {
    code: Code,
    severity: Severity,
    columns: Vec<usize>,
    max: f64,
}

impl Configured for Configuredness {
    fn bind<'p>(&'p self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        // Columns the sheet lacks are VK0003's business.
        let present = schema.present(&self.columns);
        vec![Box::new(Count {
            rule: self,
            blanks: vec![0; present.len()],
            columns: present,
            rows: 0,
        })]
    }
}

/// Blank cells per column while a table's rows stream.
struct Count<'p> {
    rule: &'p Configuredness,
    columns: Vec<usize>,
    blanks: Vec<u64>,
    rows: u64,
}

impl RowRule for Count<'_> {
    fn check(&mut self, row: &RowCtx<'_>, _out: &mut Sink<'_>) {
        self.rows += 1;
        for (blank, &c) in self.blanks.iter_mut().zip(&self.columns) {
            if row.text(c).is_empty() {
                *blank += 1;
            }
        }
    }

    fn finish(&mut self, out: &mut Sink<'_>) {
        if self.rows == 0 {
            return;
        }
        for (&blank, &c) in self.blanks.iter().zip(&self.columns) {
            let share = blank as f64 / self.rows as f64;
            if share <= self.rule.max {
                continue;
            }
            let name = out.table.columns[c].name.clone();
            let location = out.location(None, out.physical[c], Some(&name));
            out.push(Finding {
                nb: None,
                code: self.rule.code.clone(),
                severity: self.rule.severity,
                message: format!(
                    "`{name}` is blank in {blank} of {} rows ({:.0} %); at most {:.0} % may be",
                    self.rows,
                    share * 100.0,
                    self.rule.max * 100.0
                ),
                help: Some(format!("fill in `{name}`, or say in the return why it is unknown")),
                location,
                value: None,
            });
        }
    }
}

fn main() -> std::process::ExitCode {
    match Registry::builtin().with(Box::new(Completeness)) {
        Ok(registry) => vakt::cli::main_with(registry),
        Err(clash) => {
            eprintln!("vakt-example-plugin: {clash}");
            std::process::ExitCode::from(2)
        }
    }
}
