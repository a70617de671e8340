//! Isolating one input from the others: a panic while reading or checking it (in a dependency's
//! reader, say) becomes an error naming the file, and the run goes on with the next input.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    /// What vakt's own code is doing ([`in_rules`], [`writing`]); left as it is by a panic that
    /// unwinds out of it, so that [`catch`] can tell vakt's fault from a reader's.
    static STAGE: Cell<Stage> = const { Cell::new(Stage::Reading) };
}

/// Where a panic happened, as far as the input's user is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Opening or reading the input (or anywhere not marked): a damaged file, or a fault in a
    /// reader library.
    Reading,
    /// Rules checking rows: a fault in vakt or in a rule kind, not in the file.
    Rules,
    /// `vakt clean` rendering and writing rows: a fault in vakt, not in the file.
    Writing,
}

/// A panic caught by [`catch`], with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panicked {
    /// The panic's message (`an internal error` when it had none).
    pub message: String,
    /// Where it happened.
    pub stage: Stage,
}

fn in_stage<T>(stage: Stage, f: impl FnOnce() -> T) -> T {
    let was = STAGE.with(|s| s.replace(stage));
    let out = f();
    STAGE.with(|s| s.set(was));
    out
}

/// Runs `f`, rules checking rows, marked as such: a panic inside it is reported as a rule's
/// fault, not as a damaged file.
pub fn in_rules<T>(f: impl FnOnce() -> T) -> T {
    in_stage(Stage::Rules, f)
}

/// Runs `f`, a row being rendered and written by `vakt clean`, marked as such: a panic inside it
/// is reported as vakt's fault, not as a damaged file.
pub fn writing<T>(f: impl FnOnce() -> T) -> T {
    in_stage(Stage::Writing, f)
}

/// Marks the panic about to go on from here as a rule's (one caught on another thread that ran
/// rules, and resumed on this one).
pub fn rules_failed() {
    STAGE.with(|s| s.set(Stage::Rules));
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
    let stage_was = STAGE.with(|s| s.replace(Stage::Reading));
    let out = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    let stage = STAGE.with(|s| s.replace(stage_was));
    out.map_err(|payload| Panicked {
        stage,
        message: payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an internal error".to_string()),
    })
}

/// The error for an input whose reading, checking or writing panicked, said by its [`Stage`]: a
/// rule's fault, vakt's fault while writing, else the reader's (a damaged file, or a fault in a
/// reader library).
pub fn crashed(file: &str, panic: &Panicked) -> super::ReadError {
    let (file, reason) = (file.to_string(), panic.message.clone());
    match panic.stage {
        Stage::Rules => super::ReadError::RuleFailed { file, reason },
        Stage::Writing => super::ReadError::WriteFailed { file, reason },
        Stage::Reading => super::ReadError::Corrupt {
            file,
            reason: format!("the spreadsheet reader failed on it (a damaged file?): {reason}"),
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_rules_is_a_rule_fault_and_one_outside_them_the_readers_and_the_mark_is_not_kept() {
        let rule = catch(|| in_rules(|| panic!("rule broke"))).unwrap_err();
        assert_eq!(rule.stage, Stage::Rules);
        let e = crashed("r/p.csv", &rule).to_string();
        assert!(
            e.starts_with("r/p.csv: a rule stopped") && e.ends_with("rule broke"),
            "{e}"
        );
        // The next panic on this thread, outside rules, is the reader's again.
        let reader = catch(|| panic!("zip broke")).unwrap_err();
        assert_eq!(reader.stage, Stage::Reading);
        let e = crashed("r/p.xlsx", &reader).to_string();
        assert!(
            e.contains("corrupt") && e.ends_with("zip broke") && !e.contains("rule"),
            "{e}"
        );
        // Rules that ran and returned leave no mark either.
        let after = catch(|| {
            in_rules(|| ());
            panic!("later")
        })
        .unwrap_err();
        assert_eq!(after.stage, Stage::Reading);
        // A panic resumed from a thread that ran rules, marked before it goes on.
        let resumed = catch(|| {
            rules_failed();
            std::panic::resume_unwind(Box::new("on the second thread"))
        })
        .unwrap_err();
        assert!(resumed.stage == Stage::Rules && resumed.message == "on the second thread");
        // A rule's panic caught inside does not mark a reader's panic around it.
        let outer = catch(|| {
            let inner = catch(|| in_rules(|| panic!("inner rule"))).unwrap_err();
            assert_eq!(inner.stage, Stage::Rules);
            panic!("outer reader")
        })
        .unwrap_err();
        assert_eq!(outer.stage, Stage::Reading);
        // Writing clean data is vakt's fault too, said as such.
        let wrote = catch(|| writing(|| panic!("render broke"))).unwrap_err();
        let e = crashed("r/p.xlsx", &wrote).to_string();
        assert!(
            e.starts_with("r/p.xlsx: vakt stopped while writing") && e.ends_with("render broke"),
            "{e}"
        );
        assert!(!e.contains("corrupt") && !e.contains("damaged"), "{e}");
        assert_eq!(catch(|| 7), Ok(7));
    }
}
