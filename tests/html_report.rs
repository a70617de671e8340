//! The HTML report (`vakt check --html FILE`): self-contained, every finding of the run in it, a
//! summary row per return, the pack's distributions; and in a real browser (headless Chromium) it
//! renders without a console message, and its filter shows the rows asked for.
//!
//! Chromium is installed by `.ci/run` (Debian package `chromium`); elsewhere the browser half is
//! skipped with a message unless `VAKT_REQUIRE_BROWSER` is set, which `.ci/run` sets.

use std::path::{Path, PathBuf};
use std::process::Command;

const INPUTS: [&str; 3] = [
    "fixtures/returns/messy.xlsx",
    "fixtures/returns/HN-FIN",
    "fixtures/returns/clean.xlsx",
];

fn report(dir: &Path, lang: &str) -> (PathBuf, serde_json::Value) {
    let html = dir.join(format!("report-{lang}.html"));
    let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(INPUTS)
        .args(["--format", "json", "--lang", lang, "--html", html.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    (html, serde_json::from_slice(&out.stdout).unwrap())
}

/// The text as the report writes it into HTML.
fn html_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn the_report_holds_every_finding_a_row_per_return_and_nothing_from_outside() {
    let dir = tempfile::tempdir().unwrap();
    let (path, json) = report(dir.path(), "en");
    let html = std::fs::read_to_string(&path).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert!(diagnostics.len() >= 30, "{}", diagnostics.len());
    let rows: Vec<&str> = html.split("<tr class=\"sev-").skip(1).collect();
    assert_eq!(rows.len(), diagnostics.len());
    // Each finding is in its own row, in order, with its code, severity, message and cell.
    for (d, row) in diagnostics.iter().zip(&rows) {
        let row = row.split("</tr>").next().unwrap();
        assert!(row.starts_with(d["severity"].as_str().unwrap()), "{row}");
        assert!(
            row.contains(&format!("data-code=\"{}\"", d["code"].as_str().unwrap())),
            "{row}"
        );
        assert!(
            row.contains(&html_escaped(d["message"].as_str().unwrap())),
            "{row} lacks {}",
            d["message"]
        );
        if let Some(cell) = d["cell"].as_str() {
            assert!(row.contains(&html_escaped(cell)), "{row} lacks {cell}");
        }
    }
    for input in INPUTS {
        assert!(
            html.contains(&format!("<tr data-return=\"{input}\">")),
            "no summary row for {input}"
        );
    }
    for section in ["summary", "charts", "profiles", "findings"] {
        assert!(html.contains(&format!("<section id=\"{section}\">")), "no {section}");
    }
    // The survey pack's distributions, from its [[profile]] entries.
    for title in [
        "Group types",
        "Settings",
        "Diagnosis groups",
        "Professions",
        "Session length (minutes)",
    ] {
        assert!(html.contains(&format!("<h3>{title}</h3>")), "no {title}");
    }
    // Self-contained: nothing to fetch.
    for outside in ["http:", "https:", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(outside), "the report refers outside: {outside}");
    }
    let (nb, _) = report(dir.path(), "nb");
    let nb = std::fs::read_to_string(nb).unwrap();
    assert!(nb.contains("<html lang=\"nb\">") && nb.contains("Innleveringer") && nb.contains("Gruppetyper"));
}

fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("VAKT_REQUIRE_BROWSER").is_none(),
            "chromium is required here but not installed"
        );
        eprintln!("SKIPPED: chromium is not installed (apt-get install chromium)");
    }
    found
}

/// Runs headless Chromium on a page; returns the DOM after its scripts ran, and the console
/// messages it logged.
fn browse(chromium: &Path, page: &str, profile: &Path, extra: &[&str]) -> (String, Vec<String>) {
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(page)
        .output()
        .unwrap();
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

fn shown(dom: &str) -> usize {
    let at = dom.find("id=\"shown\">").expect("the count of rows shown") + "id=\"shown\">".len();
    dom[at..].split('<').next().unwrap().parse().unwrap()
}

#[test]
fn the_report_renders_in_chromium_without_console_messages_and_filters() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (path, json) = report(dir.path(), "en");
    let page = format!("file://{}", path.display());
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let (dom, console) = browse(&chromium, &page, &dir.path().join("p1"), &["--dump-dom"]);
    assert!(console.is_empty(), "console: {console:#?}");
    assert_eq!(shown(&dom), diagnostics.len(), "the script counted every row");
    // The filter, preset from the address: only the warnings.
    let warnings = diagnostics.iter().filter(|d| d["severity"] == "warning").count();
    let (dom, console) = browse(
        &chromium,
        &format!("{page}#sev=warning"),
        &dir.path().join("p2"),
        &["--dump-dom"],
    );
    assert!(console.is_empty(), "console: {console:#?}");
    assert_eq!(shown(&dom), warnings);
    let visible = dom.matches("<tr class=\"sev-").count() - dom.matches(" hidden=\"\"").count();
    assert_eq!(visible, warnings, "rows left visible");
    // And one return's findings.
    let messy = diagnostics
        .iter()
        .filter(|d| d["file"] == "fixtures/returns/messy.xlsx")
        .count();
    let (dom, _) = browse(
        &chromium,
        &format!("{page}#ret=fixtures%2Freturns%2Fmessy.xlsx"),
        &dir.path().join("p3"),
        &["--dump-dom"],
    );
    assert_eq!(shown(&dom), messy);
    // A picture of it, to look at: target/html-report.png.
    let png = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/html-report.png");
    let _ = std::fs::remove_file(&png);
    let shot = format!("--screenshot={}", png.display());
    browse(
        &chromium,
        &page,
        &dir.path().join("p4"),
        &[&shot, "--window-size=1300,2400"],
    );
    assert!(
        std::fs::metadata(&png).map(|m| m.len() > 10_000).unwrap_or(false),
        "no screenshot"
    );
}
