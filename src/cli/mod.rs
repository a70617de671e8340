//! The `vakt` command line, as a library: [`main`] is the `vakt` binary, [`main_with`] the same
//! command with more rule kinds. Subcommands, one file each; each file's `Args` doc comment and
//! `AFTER_HELP` are its help.

/// A line to standard output. A closed pipe (`vakt rules | head`) is not an error: a reader may
/// leave early. Any other failure (a full disk) makes the run exit 2; see [`output_failure`].
macro_rules! outln {
    ($($t:tt)*) => {
        $crate::cli::out(format_args!($($t)*))
    };
}

/// A line to standard error; never panics, whatever happened to standard error.
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($t)*);
    }};
}

static OUTPUT_FAILED: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Records a failed write to standard output, unless the reader closed the pipe.
pub fn note_write(result: std::io::Result<()>) {
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            if let Ok(mut g) = OUTPUT_FAILED.lock() {
                g.get_or_insert_with(|| e.to_string());
            }
        }
    }
}

/// Writes a line to standard output (the `outln!` macro). Control characters other than line
/// breaks are shown as escapes: whatever a command prints from a file cannot drive the terminal.
/// (Fields that could hold line breaks are escaped where they are formatted, with `escape`.)
pub fn out(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let text = args.to_string();
    let safe: String = text
        .split('\n')
        .map(|l| crate::report::escape(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    let mut o = std::io::stdout().lock();
    note_write(o.write_all(safe.as_bytes()).and_then(|()| o.write_all(b"\n")));
}

/// Writes text to standard output and flushes it.
pub fn out_text(text: &str) {
    use std::io::Write as _;
    let mut o = std::io::stdout().lock();
    note_write(o.write_all(text.as_bytes()).and_then(|()| o.flush()));
}

/// Why writing to standard output failed, if it did (other than a closed pipe).
pub fn output_failure() -> Option<String> {
    use std::io::Write as _;
    note_write(std::io::stdout().lock().flush());
    OUTPUT_FAILED.lock().ok().and_then(|g| g.clone())
}

mod audit;
mod check;
mod clean;
mod explain;
mod infer;
mod keygen;
mod progress;
mod publish;
mod risk;
mod rules;
mod schema;
mod tabulate;
mod template;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// vakt: check, clean and safely publish health-survey returns.
#[derive(Parser)]
#[command(name = "vakt", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Use at most N threads' worth of cores (default: every core). The output is the same
    /// with any N; only the time taken changes, and with it whether a suppression search ends
    /// within `--time-limit`.
    #[arg(long, short = 'j', global = true, value_name = "N")]
    threads: Option<std::num::NonZeroUsize>,
}

#[derive(Subcommand)]
enum Command {
    Check(check::Args),
    Clean(clean::Args),
    Keygen(keygen::Args),
    Tabulate(tabulate::Args),
    Publish(publish::Args),
    Audit(audit::Args),
    Risk(risk::Args),
    Explain(explain::Args),
    Infer(infer::Args),
    Template(template::Args),
    Rules(rules::Args),
    Schema(schema::Args),
    /// Internal: reads a workbook for the parent `vakt` process (isolated reader).
    #[command(name = "__read-workbook", hide = true)]
    ReadWorkbook {
        path: std::path::PathBuf,
    },
}

/// Exit statuses: 0 no errors, 1 errors found, 2 the run could not complete.
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_INCOMPLETE: u8 = 2;

/// Says why a run could not complete, on standard error, and ends it with exit status 2.
pub fn incomplete(why: &dyn std::fmt::Display) -> anyhow::Result<ExitCode> {
    errln!("vakt: {why}");
    Ok(ExitCode::from(EXIT_INCOMPLETE))
}

/// The rule pack from `--rules` (or the embedded survey pack) with its plugins started and its
/// rule entries configured by `registry`'s kinds; mistakes printed.
pub fn load_plan(rules: Option<&std::path::Path>, registry: crate::check::Registry) -> Option<crate::check::Plan> {
    load_plan_as(rules, registry, false)
}

/// [`load_plan`]; with `json`, a pack or plugin that cannot be loaded is a JSON error object on
/// standard output (`{"tool": …, "error": {"kind": "pack", "mistakes": [{"message", "line", …}]}}`),
/// so a program reading `--format json` always gets JSON.
/// The rule pack from `--rules` (or the embedded survey pack) alone, for its tables, columns and
/// code lists (no plugins started); mistakes printed.
pub fn load_pack(rules: Option<&std::path::Path>) -> Option<crate::pack::Pack> {
    match rules.map_or_else(crate::pack::Pack::embedded, crate::pack::Pack::load) {
        Ok(p) => Some(p),
        Err(e) => {
            report_pack_errors(&e, false);
            None
        }
    }
}

pub fn load_plan_as(
    rules: Option<&std::path::Path>,
    registry: crate::check::Registry,
    json: bool,
) -> Option<crate::check::Plan> {
    let pack = match rules.map_or_else(crate::pack::Pack::embedded, crate::pack::Pack::load) {
        Ok(p) => p,
        Err(e) => {
            report_pack_errors(&e, json);
            return None;
        }
    };
    let registry = match with_plugins(&pack, registry) {
        Ok(r) => r,
        Err(message) => {
            if json {
                print_json_error(serde_json::json!({"kind": "plugin", "path": pack.path, "message": message}));
            } else {
                errln!("vakt: {}: {message}", pack.path);
            }
            return None;
        }
    };
    match crate::check::Plan::new(pack, registry) {
        Ok(plan) => Some(plan),
        Err(e) => {
            report_pack_errors(&e, json);
            None
        }
    }
}

fn report_pack_errors(e: &crate::pack::PackErrors, json: bool) {
    if json {
        print_json_error(e.to_json());
    } else {
        print_pack_errors(e);
    }
}

pub(crate) fn print_json_error(error: serde_json::Value) {
    let doc = serde_json::json!({"tool": {"name": "vakt", "version": env!("CARGO_PKG_VERSION")}, "error": error});
    out_text(&format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default()));
}

/// `registry` with the kinds of the plugins the pack declares, started; or why a plugin could not
/// be (warnings are printed here, once).
fn with_plugins(
    pack: &crate::pack::Pack,
    mut registry: crate::check::Registry,
) -> Result<crate::check::Registry, String> {
    if pack.plugins.is_empty() {
        return Ok(registry);
    }
    let started = crate::check::plugin::start(pack).map_err(|e| e.to_string())?;
    for w in &started.warnings {
        errln!("vakt: warning: {w}");
    }
    for kind in started.kinds {
        registry = registry.with(kind).map_err(|clash| format!("a plugin's {clash}"))?;
    }
    Ok(registry)
}

fn print_pack_errors(e: &crate::pack::PackErrors) {
    use std::io::IsTerminal;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    errln!("{}", e.render(color).trim_end());
}

/// The isolated reader's side: read one workbook, write its rows to standard output. A panic in
/// the reader library is said as the in-process reader says it (`guard::crashed`): its message,
/// not the default hook's line with a thread id and a path of the build machine, which made the
/// report of one damaged file differ from run to run.
fn read_workbook(path: &std::path::Path) -> ExitCode {
    crate::read::isolated::limit_child_memory();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let served = crate::read::guard::catch(|| crate::read::isolated::serve(path, &mut out))
        .unwrap_or_else(|panic| Err(crate::read::guard::crashed(&path.display().to_string(), &panic)));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("vakt: {}", e.reason());
            ExitCode::from(EXIT_INCOMPLETE)
        }
    }
}

/// Runs the `vakt` command with the built-in rule kinds.
pub fn main() -> ExitCode {
    main_with(crate::check::Registry::builtin())
}

/// Runs the `vakt` command with the rule kinds of `registry`: every subcommand, report format and
/// exit status as `vakt` has them, with the kinds a program adds (`Registry::builtin().with(...)`).
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     let registry = vakt::check::Registry::builtin();
///     // let registry = registry.with(Box::new(MyKind)).expect("no clash");
///     vakt::cli::main_with(registry)
/// }
/// ```
pub fn main_with(registry: crate::check::Registry) -> ExitCode {
    crate::read::guard::install_quiet_hook();
    if let Ok(exe) = std::env::current_exe() {
        crate::read::isolated::isolate_with(exe);
    }
    let cli = Cli::parse();
    let code = match run(cli, registry) {
        Ok(code) => code,
        Err(e) => {
            errln!("vakt: {e:#}");
            ExitCode::from(EXIT_INCOMPLETE)
        }
    };
    match output_failure() {
        Some(why) => {
            errln!("vakt: cannot write the output: {why}");
            ExitCode::from(EXIT_INCOMPLETE)
        }
        None => code,
    }
}

fn run(cli: Cli, registry: crate::check::Registry) -> anyhow::Result<ExitCode> {
    if let Some(n) = cli.threads {
        vakt_core::par::limit_cores(n.get());
    }
    match cli.command {
        Command::Check(a) => check::run(a, registry),
        Command::Clean(a) => clean::run(a, registry),
        Command::Keygen(a) => keygen::run(a),
        Command::Tabulate(a) => tabulate::run(a),
        Command::Publish(a) => publish::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Risk(a) => risk::run(a),
        Command::Explain(a) => explain::run(a, registry),
        Command::Infer(a) => infer::run(a),
        Command::Template(a) => template::run(a, registry),
        Command::Rules(a) => rules::run(a, registry),
        Command::Schema(a) => schema::run(a, registry),
        Command::ReadWorkbook { path } => Ok(read_workbook(&path)),
    }
}
