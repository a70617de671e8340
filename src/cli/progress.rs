//! Progress on long work: a bar (or a spinner, where the amount of work is not known) on standard
//! error, shown only when standard error is a terminal, `--quiet` is not given, and the work has
//! taken more than a second, so that quick runs and pipelines print nothing extra.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long work runs before its progress is shown (`VAKT_PROGRESS_DELAY_MS` changes it, for
/// tests).
fn delay() -> Duration {
    let ms = std::env::var("VAKT_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok());
    Duration::from_millis(ms.unwrap_or(1000))
}

/// Progress of one piece of work; finished (and cleared) when dropped.
pub struct Progress {
    bar: ProgressBar,
    /// Set when the work is done; the showing thread checks it under the same lock.
    done: Arc<Mutex<bool>>,
}

impl Progress {
    /// A bar over `len` steps of `what` (`returns checked`).
    pub fn bar(len: u64, what: &str, quiet: bool) -> Progress {
        let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed} {wide_msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        Progress::start(
            ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden()),
            style,
            what,
            quiet,
        )
    }

    /// A spinner for work whose amount is not known (`protecting the table`).
    pub fn spinner(what: &str, quiet: bool) -> Progress {
        let style = ProgressStyle::with_template("{spinner} {prefix} {elapsed} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        Progress::start(
            ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
            style,
            what,
            quiet,
        )
    }

    fn start(bar: ProgressBar, style: ProgressStyle, what: &str, quiet: bool) -> Progress {
        bar.set_style(style);
        bar.set_prefix(crate::report::escape(what).into_owned());
        let done = Arc::new(Mutex::new(false));
        if !quiet && std::io::stderr().is_terminal() {
            let (bar2, done2) = (bar.clone(), done.clone());
            // Shown only once the work has taken longer than the delay.
            let wait = delay();
            if wait.is_zero() {
                bar.set_draw_target(ProgressDrawTarget::stderr());
                bar.enable_steady_tick(Duration::from_millis(120));
                return Progress { bar, done };
            }
            std::thread::spawn(move || {
                std::thread::sleep(wait);
                if let Ok(finished) = done2.lock() {
                    if !*finished {
                        bar2.set_draw_target(ProgressDrawTarget::stderr());
                        bar2.enable_steady_tick(Duration::from_millis(120));
                    }
                }
            });
        }
        Progress { bar, done }
    }

    /// What is being worked on (a file name); control characters escaped.
    pub fn message(&self, text: &str) {
        self.bar.set_message(crate::report::escape(text).into_owned());
    }

    /// One step done.
    pub fn step(&self) {
        self.bar.inc(1);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // Under the lock, so the bar is not shown after it was cleared.
        if let Ok(mut finished) = self.done.lock() {
            *finished = true;
            self.bar.finish_and_clear();
        } else {
            self.bar.finish_and_clear();
        }
    }
}
