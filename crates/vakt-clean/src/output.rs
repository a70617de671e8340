//! The output folder: written in full under a private temporary name, then moved into place.
//!
//! Output appears only when complete. The data is written into `.NAME.partial-PID` beside the
//! output folder, created owner-only (0700 on Unix); a run that fails removes it, an interrupt
//! (Ctrl-C, SIGTERM) removes it, and one killed outright leaves it to the next run into the same
//! parent folder, which removes partial folders of processes that no longer exist.
//!
//! `--force` replaces only a folder that `vakt clean` wrote (its `manifest.json` says so), never
//! `/`, the home folder, the working folder or one of its ancestors, nor a folder holding an input,
//! the key or the pack. Replacement is old aside → new in → old deleted, so a failure at any step
//! leaves either the old output or the new one, never neither.

use super::CleanError;
use std::path::{Path, PathBuf};

/// The `kind` that marks a folder as `vakt clean` output in its manifest.
pub const MANIFEST_KIND: &str = "vakt-clean";

/// An output folder being written.
pub struct Target {
    out: PathBuf,
    partial: PathBuf,
    replace: bool,
    committed: bool,
}

fn io(p: &Path) -> impl Fn(std::io::Error) -> CleanError + '_ {
    move |e| CleanError::Io(p.display().to_string(), e.to_string())
}

fn shown(p: &Path) -> String {
    p.display().to_string()
}

/// Whether `dir` holds a manifest written by `vakt clean`.
fn written_by_vakt(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        return false;
    };
    serde_json::from_str::<serde_json::Value>(&text)
        .map(|m| m["kind"] == MANIFEST_KIND && m["tool"]["name"] == "vakt")
        .unwrap_or(false)
}

/// Refuses an `--out` that `--force` must not replace.
fn may_replace(out: &Path, protected: &[PathBuf]) -> Result<(), CleanError> {
    let refuse = |why: String| Err(CleanError::Refused(shown(out), why));
    let meta = std::fs::symlink_metadata(out).map_err(io(out))?;
    if meta.file_type().is_symlink() {
        return refuse("it is a symbolic link".into());
    }
    if !meta.is_dir() {
        return refuse("it is not a folder".into());
    }
    let canon = out.canonicalize().map_err(io(out))?;
    if canon.parent().is_none() {
        return refuse("it is the root folder".into());
    }
    if let Some(home) = std::env::var_os("HOME").and_then(|h| PathBuf::from(h).canonicalize().ok()) {
        if canon == home {
            return refuse("it is your home folder".into());
        }
    }
    if let Ok(cwd) = std::env::current_dir().and_then(|d| d.canonicalize()) {
        if cwd.starts_with(&canon) {
            return refuse("it is the working folder or holds it".into());
        }
    }
    for p in protected {
        if p.starts_with(&canon) {
            return refuse(format!("it holds {}, which this run reads", p.display()));
        }
    }
    if !written_by_vakt(out) {
        return refuse("it is not a folder `vakt clean` wrote (no vakt manifest.json in it)".into());
    }
    Ok(())
}

/// True when a process with this id is running (Linux: `/proc`; elsewhere unknown, so true).
fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Removes `.NAME.partial-PID` and `.NAME.old-PID` folders left by runs that were killed.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(file) = file.to_str() else { continue };
        let pid = [".partial-", ".old-"].iter().find_map(|mark| {
            file.strip_prefix(&format!(".{name}{mark}"))
                .and_then(|p| p.parse::<u32>().ok())
        });
        if let Some(pid) = pid {
            if pid != std::process::id() && !alive(pid) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Creates a folder readable by its owner only.
pub fn private_dir(p: &Path) -> Result<(), CleanError> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(p).map_err(io(p))
}

/// Makes a written file readable by its owner only.
pub fn private_file(p: &Path) -> Result<(), CleanError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).map_err(io(p))?;
    }
    let _ = p;
    Ok(())
}

static PARTIAL: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

/// Removes the folder being written when the process is interrupted.
fn on_interrupt(partial: &Path) {
    if let Ok(mut g) = PARTIAL.lock() {
        *g = Some(partial.to_path_buf());
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            if let Ok(g) = PARTIAL.lock() {
                if let Some(p) = g.as_ref() {
                    // Writers may still add a file while the folder is removed: try again.
                    for _ in 0..5 {
                        if std::fs::remove_dir_all(p).is_ok() || !p.exists() {
                            break;
                        }
                    }
                }
            }
            std::process::exit(130);
        });
    });
}

impl Target {
    /// Checks `out` (and `--force`), removes stale partial folders beside it, and creates the
    /// private folder the output is written into. `protected` are the paths the run reads.
    pub fn prepare(out: &Path, force: bool, protected: &[PathBuf]) -> Result<Target, CleanError> {
        let exists = std::fs::symlink_metadata(out).is_ok();
        if exists && !force {
            return Err(CleanError::Exists(shown(out)));
        }
        if exists {
            may_replace(out, protected)?;
        }
        let name = out
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty() && *n != "." && *n != "..")
            .ok_or_else(|| CleanError::Refused(shown(out), "name the output folder itself, not `.` or `..`".into()))?
            .to_string();
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        remove_stale(&parent, &name);
        let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if partial.exists() {
            std::fs::remove_dir_all(&partial).map_err(io(&partial))?;
        }
        // The handler first: a signal between creating the folder and installing the handler
        // would leave the folder behind (seen under load in tests/trust.rs).
        on_interrupt(&partial);
        private_dir(&partial)?;
        Ok(Target {
            out: out.to_path_buf(),
            partial,
            replace: exists,
            committed: false,
        })
    }

    /// The folder to write into.
    pub fn dir(&self) -> &Path {
        &self.partial
    }

    /// Moves the finished output into place: old aside, new in, old deleted.
    pub fn commit(mut self) -> Result<PathBuf, CleanError> {
        if self.replace {
            let name = self
                .out
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let aside = self.out.with_file_name(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(&self.out, &aside).map_err(io(&self.out))?;
            if let Err(e) = std::fs::rename(&self.partial, &self.out) {
                let _ = std::fs::rename(&aside, &self.out);
                return Err(io(&self.out)(e));
            }
            let _ = std::fs::remove_dir_all(&aside);
        } else {
            std::fs::rename(&self.partial, &self.out).map_err(io(&self.out))?;
        }
        self.committed = true;
        if let Ok(mut g) = PARTIAL.lock() {
            *g = None;
        }
        Ok(self.out.clone())
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.partial);
            if let Ok(mut g) = PARTIAL.lock() {
                *g = None;
            }
        }
    }
}
