//! Isolating one input from the others: a panic while reading or checking it (in a dependency's
//! reader, say) becomes an error naming the file, and the run goes on with the next input.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// A panic caught by [`catch`], with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panicked {
    /// The panic's message (`an internal error` when it had none).
    pub message: String,
}

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Panicked {}

/// Runs `f`; a panic inside it is returned as an error with its message.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panicked> {
    let was = GUARDED.with(|g| g.replace(true));
    let out = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    out.map_err(|payload| Panicked {
        message: payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an internal error".to_string()),
    })
}

/// The error for an input whose reading (or checking) panicked.
pub fn crashed(file: &str, panic: &Panicked) -> super::ReadError {
    super::ReadError::Corrupt {
        file: file.to_string(),
        reason: format!("the spreadsheet reader failed on it (a damaged file?): {panic}"),
    }
}

/// Installs a panic hook that stays quiet for panics [`catch`] turns into errors, and prints the
/// others as before. For programs; the library never installs hooks itself.
pub fn install_quiet_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !GUARDED.with(Cell::get) {
            previous(info);
        }
    }));
}

/// Marks the current thread (a reader thread) as guarded: its panics end it quietly and its owner
/// reports them.
pub fn guard_thread() {
    GUARDED.with(|g| g.set(true));
}
