//! Every worked example in `docs/rules.md` runs: its pack and files are written into an empty
//! folder, each `$ vakt ...` command in its output block is run there, and what vakt prints must be
//! what the document shows. `VAKT_BLESS=1 cargo test --test docs_examples` rewrites the shown
//! output after a deliberate change (read the diff before committing it).
//!
//! A fenced block takes part when its info string names an example: ```` ```toml example=NAME ````
//! is the pack (`pack.toml`), ```` ```csv example=NAME file=F ```` a file of `return/` (with
//! `previous`: of `previous/`), and ```` ```text example=NAME ```` a command and its output.

use std::path::Path;
use std::process::Command;

const DOC: &str = "docs/rules.md";

/// A fenced block: its info string, its text, and the line range of its text in the document.
struct Block {
    info: Vec<String>,
    text: String,
    lines: std::ops::Range<usize>,
}

fn blocks(doc: &str) -> Vec<Block> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(info) = lines[i].strip_prefix("```").filter(|s| !s.is_empty()) {
            let start = i + 1;
            let end = (start..lines.len())
                .find(|&j| lines[j] == "```")
                .expect("an unclosed block");
            out.push(Block {
                info: info.split_whitespace().map(str::to_string).collect(),
                text: lines[start..end].iter().map(|l| format!("{l}\n")).collect(),
                lines: start..end,
            });
            i = end;
        }
        i += 1;
    }
    out
}

fn setting<'a>(b: &'a Block, key: &str) -> Option<&'a str> {
    b.info.iter().find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
}

/// A file name may hold spaces: `file=export (3).csv` runs to the end of the info string.
fn file_name(b: &Block) -> String {
    let at = b.info.iter().position(|w| w.starts_with("file=")).expect("file=");
    b.info[at..].join(" ").trim_start_matches("file=").to_string()
}

/// Runs one `$ vakt ...` line in `dir`: what it prints on standard output, then standard error.
fn run(dir: &Path, command: &str) -> String {
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
        .args(&args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    let mut text = String::from_utf8(out.stdout).unwrap();
    text.push_str(&String::from_utf8(out.stderr).unwrap());
    text
}

#[test]
fn every_worked_example_in_the_rules_document_runs_as_shown() {
    let doc = std::fs::read_to_string(DOC).unwrap();
    let blocks = blocks(&doc);
    let mut names: Vec<&str> = blocks.iter().filter_map(|b| setting(b, "example")).collect();
    names.dedup();
    assert!(names.len() >= 9, "worked examples: {names:?}");
    let mut blessed: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut wrong = Vec::new();
    for name in &names {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("return")).unwrap();
        std::fs::create_dir(dir.path().join("previous")).unwrap();
        let mine = blocks.iter().filter(|b| setting(b, "example") == Some(name));
        for b in mine.clone() {
            match b.info[0].as_str() {
                "toml" => std::fs::write(dir.path().join("pack.toml"), &b.text).unwrap(),
                "csv" => {
                    let folder = if b.info.iter().any(|w| w == "previous") {
                        "previous"
                    } else {
                        "return"
                    };
                    std::fs::write(dir.path().join(folder).join(file_name(b)), &b.text).unwrap();
                }
                _ => {}
            }
        }
        let outputs = mine.filter(|b| b.info[0] == "text");
        let mut ran = 0;
        for b in outputs {
            let (command, shown) = b.text.split_once('\n').unwrap_or((&b.text, ""));
            assert!(command.starts_with("$ vakt "), "example {name}: {command}");
            let printed = run(dir.path(), command.trim_start_matches("$ "));
            if printed != shown {
                wrong.push(format!(
                    "example {name}: `{command}` printed\n{printed}\nbut the document shows\n{shown}"
                ));
                blessed.push((b.lines.clone(), format!("{command}\n{printed}")));
            }
            ran += 1;
        }
        assert!(ran > 0, "example {name} runs no command");
    }
    if std::env::var_os("VAKT_BLESS").is_some() && !blessed.is_empty() {
        bless(&doc, blessed);
        return;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// Replaces the shown output of the blocks that differ (from the last, so line numbers hold).
fn bless(doc: &str, mut blessed: Vec<(std::ops::Range<usize>, String)>) {
    let mut lines: Vec<String> = doc.lines().map(str::to_string).collect();
    blessed.sort_by_key(|b| std::cmp::Reverse(b.0.start));
    for (range, text) in blessed {
        lines.splice(
            range,
            text.strip_suffix('\n').unwrap_or(&text).split('\n').map(str::to_string),
        );
    }
    std::fs::write(DOC, lines.join("\n") + "\n").unwrap();
}
