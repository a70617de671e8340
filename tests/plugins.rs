//! Out-of-process plugins: the example plugins work from the `vakt` command, and every way a
//! plugin can misbehave ends the run with an error naming it (exit 2), never a hang, a panic or a
//! silently partial result. The plugins are Python (`tests/plugins/misbehave.py`,
//! `examples/plugins/patient_mix.py`) and POSIX shell (`examples/plugins/attendance_cap.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Python 3 runs the plugins; CI requires it (`.ci/run`), a developer without it is told.
fn python() -> bool {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIPPED: python3 is not installed; the plugin tests need it (CI fails without it)");
    }
    found
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn vakt(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vakt"));
    cmd.args(args).current_dir(ROOT);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A pack with one table `t` (`word`, and `person`, an identifier) and the test plugin in `mode`;
/// `columns` are the plugin entry's, `plugin_extra` more keys of its `[[plugin]]`.
fn setup(mode: &str, columns: &str, plugin_extra: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(ROOT).join("tests/plugins/misbehave.py");
    let pack = format!(
        r#"name = "p"
version = "1"
[id_types]
person = {{ form = "text" }}

[[table]]
name = "t"
files = ["t.csv"]

[[table.check]]
kind = "echo"
columns = {columns}

[[table.column]]
name = "word"
type = "text"

[[table.column]]
name = "person"
type = "text"
class = ["D"]
id_type = "person"

[[plugin]]
name = "tester"
command = ["python3", "{}", "{mode}"]
timeout = 2
{plugin_extra}
"#,
        script.display()
    );
    let pack_path = dir.path().join("pack.toml");
    std::fs::write(&pack_path, pack).unwrap();
    let data = dir.path().join("t.csv");
    std::fs::write(&data, "word,person\nok,A1\nbad,B2\nring 91234567,C3\n").unwrap();
    (dir, pack_path, data)
}

fn check(mode: &str) -> Run {
    let (_dir, pack, data) = setup(mode, r#"["word"]"#, "");
    vakt(
        &[
            "check",
            "--rules",
            pack.to_str().unwrap(),
            data.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    )
}

#[test]
fn a_plugin_finding_is_reported_like_any_other() {
    if !python() {
        return;
    }
    let (_dir, pack, data) = setup("good", r#"["word"]"#, "");
    let r = vakt(
        &[
            "check",
            "--rules",
            pack.to_str().unwrap(),
            data.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    // Exit 1: the phone number in `word` is an error of vakt's own (VK0208), as always.
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let echo: Vec<_> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "ECHO01")
        .collect();
    assert_eq!(echo.len(), 1, "{}", r.stdout);
    assert_eq!(
        (echo[0]["row"].as_u64(), echo[0]["column"].as_str()),
        (Some(3), Some("word"))
    );
    assert_eq!(echo[0]["severity"], "warning");
    let r = vakt(&["explain", "ECHO01", "--rules", pack.to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("The first value is `bad`.") && r.stdout.contains("plugin `tester`"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_plugin_that_cannot_start_stops_the_run() {
    if !python() {
        return;
    }
    let (dir, pack, data) = setup("good", r#"["word"]"#, "");
    let text = std::fs::read_to_string(&pack)
        .unwrap()
        .replace(r#"command = ["python3""#, r#"command = ["./no-such-program""#);
    std::fs::write(&pack, text).unwrap();
    let r = vakt(
        &["check", "--rules", pack.to_str().unwrap(), data.to_str().unwrap()],
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("plugin `tester`: cannot start `./no-such-program"),
        "{}",
        r.stderr
    );
    drop(dir);
}

#[test]
fn a_broken_handshake_stops_the_run_before_any_return_is_read() {
    if !python() {
        return;
    }
    for (mode, says) in [
        ("exit-at-start", "it exited before answering"),
        ("garbage-hello", "it wrote something that is not a JSON message"),
        ("protocol-2", "it speaks protocol 2"),
        ("no-kinds", "it offers no rule kinds"),
        ("vk-code", "codes starting with VK are vakt's own"),
    ] {
        let r = check(mode);
        assert_eq!(r.code, 2, "{mode}: {}", r.stderr);
        // With --format json the error is a JSON object, and nothing was checked.
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let message = doc["error"]["message"].as_str().unwrap();
        assert_eq!(doc["error"]["kind"], "plugin", "{mode}");
        assert!(
            message.starts_with("plugin `tester`: ") && message.contains(says),
            "{mode}: {message}"
        );
        assert!(doc.get("diagnostics").is_none(), "{mode}: nothing checked");
        // Without it, the same on standard error.
        let (_dir, pack, data) = setup(mode, r#"["word"]"#, "");
        let r = vakt(
            &["check", "--rules", pack.to_str().unwrap(), data.to_str().unwrap()],
            &[],
        );
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("plugin `tester`: ") && r.stderr.contains(says),
            "{mode}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{mode}: {}", r.stdout);
    }
}

#[test]
fn params_the_plugin_refuses_are_a_pack_error_at_the_entry() {
    if !python() {
        return;
    }
    let r = check("refuse-params");
    assert_eq!(r.code, 2);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let mistake = &doc["error"]["mistakes"][0];
    assert_eq!(mistake["message"], "plugin kind `echo`: `limit` must be a number");
    assert_eq!(mistake["line"], 10, "points at the entry");
}

#[test]
fn a_plugin_failing_while_checking_fails_the_run_and_says_why() {
    if !python() {
        return;
    }
    for (mode, says) in [
        ("crash-on-rows", "it exited before answering (exit status: 3)"),
        ("unknown-row", "it reported row 999999, which it was not sent"),
        (
            "unknown-code",
            "it reported the code `OTHER1`; its kind's code is `ECHO01`",
        ),
        (
            "unknown-column",
            "it reported the column `nonexistent`, which its rule does not name",
        ),
        ("bad-severity", "it reported the severity `fatal`"),
        ("sleep-on-rows", "no answer within 2 s (its `timeout`); it was stopped"),
        ("long-line", "it wrote a line longer than 16 MiB"),
        ("stderr-and-exit", "it said: Traceback: ValueError: cannot parse [FNR]"),
    ] {
        let started = std::time::Instant::now();
        let r = check(mode);
        assert_eq!(r.code, 2, "{mode}: {}{}", r.stdout, r.stderr);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let failures: Vec<&str> = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "VK0017")
            .map(|d| d["message"].as_str().unwrap())
            .collect();
        assert_eq!(failures.len(), 1, "{mode}: {failures:?}");
        assert!(
            failures[0].starts_with("plugin `tester`: ") && failures[0].contains(says),
            "{mode}: {failures:?}"
        );
        assert!(started.elapsed().as_secs() < 30, "{mode}: no hang");
    }
}

#[test]
fn a_plugin_gets_neither_identifiers_nor_vakts_environment() {
    if !python() {
        return;
    }
    // Naming an identifier column is refused unless the pack allows it.
    let (_dir, pack, data) = setup("good", r#"["word", "person"]"#, "");
    let r = vakt(
        &["check", "--rules", pack.to_str().unwrap(), data.to_str().unwrap()],
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("`person` is an identifier column (class D)"),
        "{}",
        r.stderr
    );
    // What it receives: only the named column, text with identifiers replaced by tags.
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen.jsonl");
    let (_d, pack, data) = setup(&format!("record={}", seen.display()), r#"["word"]"#, "");
    let r = vakt(
        &["check", "--rules", pack.to_str().unwrap(), data.to_str().unwrap()],
        &[],
    );
    assert_eq!(r.code, 1, "VK0208 only: {}", r.stderr);
    let seen = std::fs::read_to_string(&seen).unwrap();
    assert!(seen.contains(r#"{"row":2,"values":["ok"]}"#), "{seen}");
    assert!(seen.contains("ring [PHONE]") && !seen.contains("91234567"), "{seen}");
    assert!(
        !seen.contains("A1") && !seen.contains("B2"),
        "no identifier column: {seen}"
    );
    // Allowed: sent as written, with a warning once per run.
    let (_d, pack, data) = setup("good", r#"["word", "person"]"#, "allow_identifiers = true");
    let r = vakt(
        &["check", "--rules", pack.to_str().unwrap(), data.to_str().unwrap()],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("may receive identifier columns").count(),
        1,
        "{}",
        r.stderr
    );
    // Its environment: no variable of vakt's but the few it needs.
    let (_d, pack, data) = setup("env", r#"["word"]"#, "");
    let r = vakt(
        &[
            "check",
            "--rules",
            pack.to_str().unwrap(),
            data.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[("VAKT_TEST_SECRET", "hunter2")],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("env: ") && r.stdout.contains("PATH"), "{}", r.stdout);
    assert!(
        !r.stdout.contains("VAKT_TEST_SECRET") && !r.stdout.contains("HOME"),
        "{}",
        r.stdout
    );
}

/// The survey pack with the example plugins added, as docs/plugins.md tells a newcomer to do.
fn survey_pack_with_examples(dir: &Path) -> PathBuf {
    let rules = Path::new(ROOT).join("rules");
    let mut text = std::fs::read_to_string(rules.join("group-therapy-survey.toml")).unwrap();
    let at = text.find("[[table]]\nname = \"patients\"").unwrap();
    let at = at + text[at..].find("\n[[table.column]]").unwrap();
    text.insert_str(
        at,
        r#"
[[table.check]]
kind = "patient-mix"
columns = ["group_id", "main_dx", "group.group_type"]
params = { min_share = 0.5, expected = { PSYEDU = ["F2", "F30", "F31"], CBT = ["F32", "F33", "F4", "F50"] } }

[[table.check]]
kind = "attendance-cap"
columns = ["sessions_attended"]
params = { max = 40 }
"#,
    );
    text.push_str(&format!(
        "\n[[plugin]]\nname = \"mix\"\ncommand = [\"python3\", \"{0}/examples/plugins/patient_mix.py\"]\n\n[[plugin]]\nname = \"cap\"\ncommand = [\"sh\", \"{0}/examples/plugins/attendance_cap.sh\"]\n",
        ROOT
    ));
    for entry in std::fs::read_dir(&rules).unwrap() {
        let entry = entry.unwrap();
        let to = dir.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
            for f in std::fs::read_dir(entry.path()).unwrap() {
                let f = f.unwrap();
                std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
            }
        } else {
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    let pack = dir.join("group-therapy-survey.toml");
    std::fs::write(&pack, text).unwrap();
    pack
}

#[test]
fn the_example_plugins_check_the_survey_from_the_vakt_command() {
    if !python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pack = survey_pack_with_examples(dir.path());
    let set = dir.path().join("set");
    vakt_synth::generate(
        &set,
        &vakt_synth::Options {
            seed: 1,
            clean: true,
            scale: 1,
        },
    )
    .unwrap();
    let mut args = vec![
        "check".to_string(),
        "--rules".into(),
        pack.display().to_string(),
        "--format".into(),
        "json".into(),
    ];
    let mut returns: Vec<PathBuf> = std::fs::read_dir(set.join("returns"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    returns.sort();
    args.extend(returns.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = vakt(&args, &[]);
    assert_eq!(r.code, 0, "a clean set: warnings only: {}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let of = |code: &str| -> Vec<serde_json::Value> {
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == code)
            .cloned()
            .collect()
    };
    let (mix, cap) = (of("MIX001"), of("CAP001"));
    assert!(
        !mix.is_empty() && !cap.is_empty(),
        "{} MIX001, {} CAP001",
        mix.len(),
        cap.len()
    );
    // Independent of the plugins: the truth says which attendances are above 40.
    let truth = std::fs::read_to_string(set.join("truth/patients.csv")).unwrap();
    let above = truth
        .lines()
        .skip(1)
        .filter(|l| {
            l.rsplit(',')
                .next()
                .and_then(|v| v.parse::<u32>().ok())
                .is_some_and(|v| v > 40)
        })
        .count();
    assert_eq!(cap.len(), above, "every attendance above 40, and only those");
    assert!(cap
        .iter()
        .all(|d| d["severity"] == "warning" && d["column"] == "sessions_attended"));
    assert!(mix
        .iter()
        .all(|d| d["message"].as_str().unwrap().contains("patients (")));
}
