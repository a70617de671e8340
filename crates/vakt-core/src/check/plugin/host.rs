//! One running plugin process: started once per run with a minimal environment, spoken to in JSON
//! Lines over its standard input and output, every answer awaited within the plugin's timeout.
//!
//! Two threads per plugin keep vakt from ever blocking on it: one writes the lines vakt sends (a
//! plugin that stops reading cannot stall the run), one reads the lines it answers, each at most
//! [`MAX_LINE_BYTES`] long (a plugin that writes without end cannot exhaust memory). A third keeps
//! the last lines it wrote to standard error, for the error message when it fails. Whatever goes
//! wrong, the process is killed and every later call fails at once with the same reason.

use super::PluginError;
use crate::pack::PluginDecl;
use serde_json::Value;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The longest line a plugin may write (a batch of findings included).
pub const MAX_LINE_BYTES: usize = 16 << 20;
/// Lines of a plugin's standard error kept for messages.
const STDERR_LINES: usize = 5;
/// How long a failed plugin's standard error is waited for after it stopped.
const STDERR_GRACE: Duration = Duration::from_secs(1);
/// What a plugin inherits of vakt's environment: where programs are, and the language. Nothing
/// else (no tokens, no keys, no home).
const INHERITED: &[&str] = &["PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR"];

/// A line the reader thread got, or why it stopped.
enum Line {
    Text(String),
    TooLong,
    Closed,
    Failed(String),
}

/// A running plugin.
pub struct Host {
    /// The plugin as the pack declares it.
    pub decl: PluginDecl,
    conn: Mutex<Conn>,
}

struct Conn {
    child: Child,
    to_plugin: Option<Sender<String>>,
    from_plugin: Receiver<Line>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    /// Disconnected when the thread keeping `stderr` has read it to its end.
    stderr_read: Receiver<()>,
    /// Set once the plugin failed: every later call fails with it.
    dead: Option<String>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host").field("plugin", &self.decl.name).finish()
    }
}

impl Host {
    /// Starts the plugin's command in the pack's folder, with a minimal environment.
    pub fn start(decl: &PluginDecl) -> Result<Host, PluginError> {
        let fail = |message: String| PluginError::new(&decl.name, message);
        let (program, args) = decl.command.split_first().ok_or_else(|| fail("no command".into()))?;
        let program = resolve_program(program, decl.dir.as_deref());
        let mut cmd = Command::new(&program);
        cmd.args(args)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for name in INHERITED {
            if let Some(v) = std::env::var_os(name) {
                cmd.env(name, v);
            }
        }
        cmd.env("PYTHONIOENCODING", "utf-8").env("PYTHONDONTWRITEBYTECODE", "1");
        if let Some(dir) = &decl.dir {
            cmd.current_dir(dir);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| fail(format!("cannot start `{}`: {e}", decl.command.join(" "))))?;
        let (Some(stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            return Err(fail("cannot talk to it (no pipes)".into()));
        };
        let (stderr, stderr_read) = tail(stderr);
        let conn = Conn {
            child,
            to_plugin: Some(writer(stdin)),
            from_plugin: reader(stdout),
            stderr,
            stderr_read,
            dead: None,
        };
        Ok(Host {
            decl: decl.clone(),
            conn: Mutex::new(conn),
        })
    }

    /// Sends a message and waits for the answer line, parsed; any failure kills the plugin.
    pub fn request(&self, message: &Value) -> Result<Value, PluginError> {
        self.request_line(message.to_string())
    }

    /// [`Host::request`] with the message already written as a line.
    pub fn request_line(&self, line: String) -> Result<Value, PluginError> {
        self.send_line(line)?;
        self.receive()
    }

    /// Sends a line without waiting for its answer (which [`Host::receive`] then reads): the
    /// plugin works on one batch while vakt reads the next.
    pub fn send_line(&self, line: String) -> Result<(), PluginError> {
        let mut conn = self.lock()?;
        conn.send(line).map_err(|why| PluginError::new(&self.decl.name, why))
    }

    /// Waits for the next answer, within the plugin's timeout.
    pub fn receive(&self) -> Result<Value, PluginError> {
        let mut conn = self.lock()?;
        match conn.receive(self.decl.timeout) {
            Ok(v) => Ok(v),
            Err(why) => Err(self.die(&mut conn, why)),
        }
        .map_err(|why| PluginError::new(&self.decl.name, why))
    }

    /// Sends a message that has no answer.
    pub fn send(&self, message: &Value) -> Result<(), PluginError> {
        let mut conn = self.lock()?;
        conn.send(message.to_string())
            .map_err(|why| PluginError::new(&self.decl.name, why))
    }

    /// Marks the plugin failed (an answer vakt cannot use) and stops it.
    pub fn fail(&self, why: String) -> PluginError {
        match self.conn.lock() {
            Ok(mut conn) => PluginError::new(&self.decl.name, self.die(&mut conn, why)),
            Err(_) => PluginError::new(&self.decl.name, why),
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Conn>, PluginError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| PluginError::new(&self.decl.name, "an earlier call failed".into()))?;
        if let Some(why) = &conn.dead {
            return Err(PluginError::new(&self.decl.name, why.clone()));
        }
        Ok(conn)
    }

    /// Kills the process and records why, with the last lines it wrote to standard error.
    fn die(&self, conn: &mut Conn, why: String) -> String {
        let _ = conn.child.kill();
        let _ = conn.child.wait();
        conn.to_plugin = None;
        // Its last words may still be in the pipe: wait for them to be read, but not for a
        // process it started that keeps the pipe open.
        let _ = conn.stderr_read.recv_timeout(STDERR_GRACE);
        let said = conn
            .stderr
            .lock()
            .map(|l| l.iter().cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        let why = if said.is_empty() {
            why
        } else {
            format!("{why}; it said: {}", said.join(" | "))
        };
        conn.dead = Some(why.clone());
        why
    }
}

impl Conn {
    fn send(&mut self, line: String) -> Result<(), String> {
        match &self.to_plugin {
            Some(tx) if tx.send(line).is_ok() => Ok(()),
            _ => Err("it stopped reading".into()),
        }
    }

    fn receive(&mut self, timeout: Duration) -> Result<Value, String> {
        let line = match self.from_plugin.recv_timeout(timeout) {
            Ok(Line::Text(line)) => line,
            Ok(Line::TooLong) => return Err(format!("it wrote a line longer than {} MiB", MAX_LINE_BYTES >> 20)),
            Ok(Line::Failed(e)) => return Err(format!("reading its output failed: {e}")),
            Ok(Line::Closed) | Err(RecvTimeoutError::Disconnected) => return Err(self.exited()),
            Err(RecvTimeoutError::Timeout) => {
                return Err(format!(
                    "no answer within {} s (its `timeout`); it was stopped",
                    timeout.as_secs_f64()
                ))
            }
        };
        serde_json::from_str(&line).map_err(|e| {
            let shown: String = line.chars().take(80).collect();
            format!(
                "it wrote something that is not a JSON message ({e}): `{}`",
                crate::value::text::escape(&shown)
            )
        })
    }

    /// Why the plugin's output ended.
    fn exited(&mut self) -> String {
        match self.child.wait() {
            Ok(status) if status.success() => "it exited before answering".into(),
            Ok(status) => format!("it exited before answering ({status})"),
            Err(e) => format!("it exited before answering ({e})"),
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let Ok(mut conn) = self.conn.lock() else { return };
        if conn.dead.is_none() {
            let _ = conn.send(serde_json::json!({"type": "bye"}).to_string());
            conn.to_plugin = None;
            // A well-behaved plugin exits on `bye` or when its input closes; give it a moment.
            for _ in 0..100 {
                if matches!(conn.child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = conn.child.kill();
        let _ = conn.child.wait();
    }
}

/// A program named with a path is relative to the pack's folder; a bare name is looked up on PATH.
fn resolve_program(program: &str, dir: Option<&std::path::Path>) -> std::path::PathBuf {
    let p = std::path::Path::new(program);
    match dir {
        Some(dir) if p.is_relative() && program.contains(['/', '\\']) => dir.join(p),
        _ => p.to_path_buf(),
    }
}

fn writer(mut stdin: std::process::ChildStdin) -> Sender<String> {
    let (tx, rx) = channel::<String>();
    std::thread::spawn(move || {
        for line in rx {
            if stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.write_all(b"\n"))
                .and_then(|()| stdin.flush())
                .is_err()
            {
                return;
            }
        }
    });
    tx
}

fn reader(stdout: std::process::ChildStdout) -> Receiver<Line> {
    let (tx, rx) = channel::<Line>();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        loop {
            let mut buf = Vec::new();
            let line = match (&mut r).take(MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut buf) {
                Ok(0) => Line::Closed,
                Ok(n) if n > MAX_LINE_BYTES => Line::TooLong,
                Ok(_) => match String::from_utf8(buf) {
                    Ok(s) => Line::Text(s),
                    Err(_) => Line::Failed("a line is not UTF-8".into()),
                },
                Err(e) => Line::Failed(e.to_string()),
            };
            let stop = !matches!(line, Line::Text(_));
            if tx.send(line).is_err() || stop {
                return;
            }
        }
    });
    rx
}

/// Keeps the last lines of the plugin's standard error, each cut to 200 characters, escaped and
/// with identifier-like numbers masked: they end up in vakt's messages. The receiver is
/// disconnected once the pipe is read to its end.
fn tail(stderr: std::process::ChildStderr) -> (Arc<Mutex<VecDeque<String>>>, Receiver<()>) {
    let kept = Arc::new(Mutex::new(VecDeque::new()));
    let into = kept.clone();
    let (read_to_end, stderr_read) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let _read_to_end = read_to_end;
        let mut r = BufReader::new(stderr);
        loop {
            let mut buf = Vec::new();
            match (&mut r).take(64 * 1024).read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&buf);
                    let line: String = text.trim().chars().take(200).collect();
                    if line.is_empty() {
                        continue;
                    }
                    let line = crate::ident::scrub(&line, None).text;
                    let Ok(mut k) = into.lock() else { return };
                    if k.len() == STDERR_LINES {
                        k.pop_front();
                    }
                    k.push_back(crate::value::text::escape(&line).into_owned());
                }
            }
        }
    });
    (kept, stderr_read)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may panic")]
mod tests {
    use super::Host;
    use crate::pack::PluginDecl;
    use std::time::Duration;

    #[test]
    fn the_last_lines_a_plugin_wrote_before_it_exited_are_in_the_message() {
        // Many lines, so that the thread keeping them is still at work when the exit is seen.
        let script = "i=0; while [ $i -lt 3000 ]; do echo \"line $i\" >&2; i=$((i+1)); done; exit 3";
        let decl = PluginDecl {
            name: "tester".into(),
            command: vec!["sh".into(), "-c".into(), script.into()],
            dir: None,
            timeout: Duration::from_secs(20),
            batch: 1,
            allow_identifiers: false,
            span: 0..0,
        };
        let host = Host::start(&decl).unwrap();
        let why = host.receive().unwrap_err().to_string();
        assert!(why.contains("it exited before answering"), "{why}");
        assert!(
            why.ends_with("it said: line 2995 | line 2996 | line 2997 | line 2998 | line 2999"),
            "{why}"
        );
    }
}
