//! Isolating one input from the others: a panic while reading or checking it (in a dependency's
//! reader, say) becomes an error naming the file, and the run goes on with the next input.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    /// Set while rules run ([`in_rules`]); left set by a panic that unwinds out of them, so that
    /// [`catch`] can tell a rule's fault from a reader's.
    static IN_RULES: Cell<bool> = const { Cell::new(false) };
}

/// A panic caught by [`catch`], with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panicked {
    /// The panic's message (`an internal error` when it had none).
    pub message: String,
    /// Whether it happened while rules ran (a fault in vakt or in a rule kind, not in the file).
    pub in_rules: bool,
}

/// Runs `f`, rules checking rows, marked as such: a panic inside it is reported as a rule's
/// fault, not as a damaged file.
pub fn in_rules<T>(f: impl FnOnce() -> T) -> T {
    let was = IN_RULES.with(|r| r.replace(true));
    let out = f();
    IN_RULES.with(|r| r.set(was));
    out
}

/// Marks the panic about to go on from here as a rule's (one caught on another thread that ran
/// rules, and resumed on this one).
pub fn rules_failed() {
    IN_RULES.with(|r| r.set(true));
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
    let rules_were = IN_RULES.with(|r| r.replace(false));
    let out = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    let in_rules = IN_RULES.with(|r| r.replace(rules_were));
    out.map_err(|payload| Panicked {
        in_rules,
        message: payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an internal error".to_string()),
    })
}

/// The error for an input whose reading or checking panicked: a rule's fault when the panic
/// came from rules, else the reader's (a damaged file, or a fault in a reader library).
pub fn crashed(file: &str, panic: &Panicked) -> super::ReadError {
    if panic.in_rules {
        return super::ReadError::RuleFailed {
            file: file.to_string(),
            reason: panic.message.clone(),
        };
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_rules_is_a_rule_fault_and_one_outside_them_the_readers_and_the_mark_is_not_kept() {
        let rule = catch(|| in_rules(|| panic!("rule broke"))).unwrap_err();
        assert!(rule.in_rules);
        let e = crashed("r/p.csv", &rule).to_string();
        assert!(
            e.starts_with("r/p.csv: a rule stopped") && e.ends_with("rule broke"),
            "{e}"
        );
        // The next panic on this thread, outside rules, is the reader's again.
        let reader = catch(|| panic!("zip broke")).unwrap_err();
        assert!(!reader.in_rules);
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
        assert!(!after.in_rules);
        // A panic resumed from a thread that ran rules, marked before it goes on.
        let resumed = catch(|| {
            rules_failed();
            std::panic::resume_unwind(Box::new("on the second thread"))
        })
        .unwrap_err();
        assert!(resumed.in_rules && resumed.message == "on the second thread");
        // A rule's panic caught inside does not mark a reader's panic around it.
        let outer = catch(|| {
            let inner = catch(|| in_rules(|| panic!("inner rule"))).unwrap_err();
            assert!(inner.in_rules);
            panic!("outer reader")
        })
        .unwrap_err();
        assert!(!outer.in_rules);
        assert_eq!(catch(|| 7), Ok(7));
    }
}
