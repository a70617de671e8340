//! The HTML report for the data manager: one self-contained file (no network, no external scripts,
//! styles or fonts; a Content-Security-Policy forbids fetching anything) with a summary per return,
//! findings by check and by return as inline-SVG bar charts, the distributions the pack profiles
//! per return next to the national figure, and a filterable list of every finding listed.
//!
//! Every text from a return, a pack or a finding is HTML-escaped with its control characters
//! shown as `\u{..}`; findings are already masked by the collector.

use crate::profile::{categories, Counts};
use std::fmt::Write as _;
use vakt_core::finding::{Finding, Severity};
use vakt_core::pack::Pack;
use vakt_core::report::i18n::{Lang, Msg};
use vakt_core::report::{Report, Totals};

/// The last part of a path (`HN-FIN`, `HV-BERGEN.xlsx`), for labels; the whole path is in titles.
fn short(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// Text safe in HTML: `& < > " '` escaped, control characters other than newline shown as `\u{..}`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// The report as one HTML document. `profiles` holds, per input, its counts of the pack's
/// `[[profile]]` distributions (`None` for an input that could not be read).
pub fn render(report: &Report, pack: &Pack, profiles: &[Option<Vec<Counts>>], lang: Lang) -> String {
    let t = |m: Msg| m.text(lang);
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} – {}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        lang.code(),
        t(Msg::ReportTitle),
        escape(&pack.name)
    );
    let _ = writeln!(
        h,
        "<header><h1>{}</h1><p class=\"meta\">{}: <b>{}</b> {} · sha256 {} · {} vakt {}</p></header>",
        t(Msg::ReportTitle),
        t(Msg::Pack),
        escape(&pack.name),
        escape(&pack.version),
        escape(pack.sha256.get(..12).unwrap_or(&pack.sha256)),
        t(Msg::CheckedWith),
        escape(report.tool_version)
    );
    summary(&mut h, report, lang);
    charts(&mut h, report, lang);
    if !pack.profiles.is_empty() {
        distributions(&mut h, report, pack, profiles, lang);
    }
    findings(&mut h, report, lang);
    let _ = writeln!(h, "<script>{SCRIPT}</script>\n</body>\n</html>");
    h
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem;color:#1f2328;max-width:1200px}\
h1{margin:0 0 .3rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}.meta{color:#57606a;margin:0}\
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}th::first-letter{text-transform:uppercase}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.error{color:#cf222e}.warning{color:#9a6700}.info{color:#0969da}.ok{color:#1a7f37}\
tr.sev-error td:first-child{border-left:4px solid #cf222e}tr.sev-warning td:first-child{border-left:4px solid #d4a72c}tr.sev-info td:first-child{border-left:4px solid #54aeff}\
td.share{min-width:4.5rem;text-align:right;background-repeat:no-repeat}td.odd{outline:2px solid #cf222e;outline-offset:-2px;font-weight:600}\
.scroll{overflow-x:auto}.filters{display:flex;gap:.5rem;align-items:center;margin:.5rem 0}.filters input{padding:.2rem .4rem;min-width:16rem}\
svg text{font-size:12px;fill:#1f2328}.legend span{margin-right:1rem}.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.25rem;vertical-align:middle}";

const SCRIPT: &str = "(function(){var q=document.getElementById('q'),s=document.getElementById('sev'),r=document.getElementById('ret'),o=document.getElementById('shown');\
if(!q){return;}var h=location.hash.replace(/^#/,'').split('&');for(var j=0;j<h.length;j++){var kv=h[j].split('=');var v=decodeURIComponent(kv[1]||'');\
if(kv[0]==='q'){q.value=v;}if(kv[0]==='sev'){s.value=v;}if(kv[0]==='ret'){r.value=v;}}function f(){var t=q.value.toLowerCase(),sv=s.value,rv=r.value,n=0;\
var rows=document.querySelectorAll('#findings tbody tr');for(var i=0;i<rows.length;i++){var tr=rows[i];\
var ok=(!sv||tr.getAttribute('data-severity')===sv)&&(!rv||tr.getAttribute('data-return')===rv)&&(!t||tr.textContent.toLowerCase().indexOf(t)>=0);\
tr.hidden=!ok;if(ok){n++;}}o.textContent=String(n);}\
q.addEventListener('input',f);s.addEventListener('change',f);r.addEventListener('change',f);f();})();";

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn severity_text(s: Severity, lang: Lang) -> &'static str {
    match s {
        Severity::Error => Msg::Error.text(lang),
        Severity::Warning => Msg::Warning.text(lang),
        Severity::Info => Msg::Info.text(lang),
    }
}

/// The table of returns: rows, errors, warnings, notes, status; and the totals.
fn summary(h: &mut String, report: &Report, lang: Lang) {
    let t = |m: Msg| m.text(lang);
    let _ = writeln!(
        h,
        "<section id=\"summary\"><h2>{}</h2>\n<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t(Msg::Returns),
        t(Msg::Return),
        t(Msg::Format),
        t(Msg::Rows),
        t(Msg::Errors),
        t(Msg::Warnings),
        t(Msg::Notes),
        t(Msg::Status)
    );
    for i in &report.inputs {
        let (class, status) = if i.failed {
            ("error", t(Msg::StatusFailed))
        } else if i.totals.errors > 0 {
            ("error", t(Msg::StatusErrors))
        } else {
            ("ok", t(Msg::StatusOk))
        };
        let _ = writeln!(
            h,
            "<tr data-return=\"{}\"><td title=\"{}\">{}</td><td>{}</td>{}<td class=\"{class}\">{status}</td></tr>",
            escape(&i.path),
            escape(&i.path),
            escape(&short(&i.path)),
            i.format.unwrap_or("–"),
            count_cells(&i.totals)
        );
    }
    let total = report.totals();
    let _ = writeln!(
        h,
        "</tbody><tfoot><tr><th>{}</th><th></th>{}<th></th></tr></tfoot></table></section>",
        t(Msg::Total),
        count_cells(&total).replace("<td", "<th").replace("</td>", "</th>")
    );
}

fn count_cells(t: &Totals) -> String {
    format!(
        "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
        t.rows, t.errors, t.warnings, t.infos
    )
}

/// Findings by check and by return, as stacked horizontal bars.
fn charts(h: &mut String, report: &Report, lang: Lang) {
    let mut by_code: Vec<(String, [u64; 3])> = Vec::new();
    for f in report.findings() {
        let code = f.code.to_string();
        let at = match by_code.iter().position(|(c, _)| *c == code) {
            Some(i) => i,
            None => {
                by_code.push((code, [0; 3]));
                by_code.len() - 1
            }
        };
        by_code[at].1[rank(f.severity)] += 1;
    }
    by_code.sort_by(|a, b| {
        b.1.iter()
            .sum::<u64>()
            .cmp(&a.1.iter().sum())
            .then_with(|| a.0.cmp(&b.0))
    });
    let by_return: Vec<(String, [u64; 3])> = report
        .inputs
        .iter()
        .map(|i| (short(&i.path), [i.totals.errors, i.totals.warnings, i.totals.infos]))
        .collect();
    let _ = writeln!(h, "<section id=\"charts\"><h2>{}</h2>", Msg::ByCheck.text(lang));
    legend(h, lang);
    h.push_str(&bars("by-check", &by_code));
    let _ = writeln!(h, "<h2>{}</h2>", Msg::ByReturn.text(lang));
    h.push_str(&bars("by-return", &by_return));
    h.push_str("</section>\n");
}

fn rank(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

const COLOURS: [&str; 3] = ["#cf222e", "#d4a72c", "#54aeff"];

fn legend(h: &mut String, lang: Lang) {
    let _ = writeln!(
        h,
        "<p class=\"legend\"><span><i class=\"sw\" style=\"background:{}\"></i>{}</span><span><i class=\"sw\" style=\"background:{}\"></i>{}</span><span><i class=\"sw\" style=\"background:{}\"></i>{}</span></p>",
        COLOURS[0],
        Msg::Errors.text(lang),
        COLOURS[1],
        Msg::Warnings.text(lang),
        COLOURS[2],
        Msg::Notes.text(lang)
    );
}

/// An inline SVG of stacked horizontal bars (errors, warnings, notes), one per item.
fn bars(id: &str, items: &[(String, [u64; 3])]) -> String {
    let max = items
        .iter()
        .map(|(_, c)| c.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (260.0, 600.0, 22.0);
    let height = row_h * items.len().max(1) as f64 + 4.0;
    let mut s = format!(
        "<svg id=\"{id}\" role=\"img\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\">",
        label_w + bar_w + 60.0,
        label_w + bar_w + 60.0
    );
    for (i, (label, counts)) in items.iter().enumerate() {
        let y = i as f64 * row_h + 2.0;
        let shown: String = label
            .chars()
            .rev()
            .take(38)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y + 15.0,
            escape(&shown)
        );
        let mut x = label_w;
        for (k, &n) in counts.iter().enumerate() {
            let w = bar_w * n as f64 / max as f64;
            if n > 0 {
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"><title>{n}</title></rect>",
                    row_h - 6.0,
                    COLOURS[k]
                );
            }
            x += w;
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\">{}</text>",
            x + 4.0,
            y + 15.0,
            counts.iter().sum::<u64>()
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Each profile: a table with a row per return and the national row, a column per category, the
/// share in each cell (with a bar behind it), marked when far from the national share.
fn distributions(h: &mut String, report: &Report, pack: &Pack, profiles: &[Option<Vec<Counts>>], lang: Lang) {
    let t = |m: Msg| m.text(lang);
    let _ = writeln!(
        h,
        "<section id=\"profiles\"><h2>{}</h2><p class=\"meta\">{}</p>",
        t(Msg::Distributions),
        t(Msg::DistributionsNote)
    );
    for (pi, p) in pack.profiles.iter().enumerate() {
        let cats = categories(pack, p);
        let mut national = vec![0u64; cats.len()];
        for counts in profiles.iter().flatten().filter_map(|c| c.get(pi)) {
            for (n, c) in national.iter_mut().zip(&counts.counts) {
                *n += c;
            }
        }
        let national_total: u64 = national.iter().sum();
        let title = if lang == Lang::Nb { &p.title_no } else { &p.title };
        let _ = write!(
            h,
            "<h3>{}</h3>\n<div class=\"scroll\"><table class=\"profile\"><thead><tr><th>{}</th>",
            escape(title),
            t(Msg::Return)
        );
        for c in &cats {
            let label = if lang == Lang::Nb { &c.no } else { &c.en };
            let _ = write!(h, "<th title=\"{}\">{}</th>", escape(&c.key), escape(label));
        }
        let _ = writeln!(h, "<th>{}</th></tr></thead><tbody>", t(Msg::Counted));
        for (input, counts) in report.inputs.iter().zip(profiles) {
            let Some(counts) = counts.as_ref().and_then(|c| c.get(pi)) else {
                continue;
            };
            profile_row(
                h,
                &escape(&short(&input.path)),
                &counts.counts,
                Some((&national, national_total)),
            );
        }
        profile_row(h, &format!("<b>{}</b>", t(Msg::National)), &national, None);
        h.push_str("</tbody></table></div>\n");
    }
    h.push_str("</section>\n");
}

/// A share is marked when it is more than this many points from the national share ...
const ODD_POINTS: f64 = 10.0;
/// ... and more than this many standard errors (of a share of the return's size drawn from the
/// national distribution): a small return is not marked for the chance swings of a few values.
const ODD_STANDARD_ERRORS: f64 = 3.0;

fn profile_row(h: &mut String, label: &str, counts: &[u64], national: Option<(&[u64], u64)>) {
    let total: u64 = counts.iter().sum();
    let _ = write!(h, "<tr><td>{label}</td>");
    for (i, &n) in counts.iter().enumerate() {
        let share = if total > 0 {
            100.0 * n as f64 / total as f64
        } else {
            0.0
        };
        let odd = national.is_some_and(|(nat, nt)| odd_share(share, nat.get(i).copied().unwrap_or(0), nt, total));
        let _ = write!(
            h,
            "<td class=\"share{}\" style=\"background-image:linear-gradient(90deg,#ddf4ff {share:.0}%,transparent {share:.0}%)\" title=\"{n}\">{}</td>",
            if odd { " odd" } else { "" },
            if total > 0 { format!("{share:.0} %") } else { "–".to_string() }
        );
    }
    let _ = writeln!(h, "<td class=\"n\">{total}</td></tr>");
}

/// Whether a return's share (in %) of a category is far from the national share `nat / nt`, both
/// in points and in standard errors for a return of `n` values.
fn odd_share(share: f64, nat: u64, nt: u64, n: u64) -> bool {
    if nt == 0 || n == 0 {
        return false;
    }
    let p0 = nat as f64 / nt as f64;
    let diff = (share / 100.0 - p0).abs();
    let se = (p0 * (1.0 - p0) / n as f64).sqrt().max(1.0 / n as f64);
    diff * 100.0 > ODD_POINTS && diff / se > ODD_STANDARD_ERRORS
}

/// The filterable list of findings.
fn findings(h: &mut String, report: &Report, lang: Lang) {
    let t = |m: Msg| m.text(lang);
    let listed = report.findings().count();
    let all = report.totals();
    let _ = write!(
        h,
        "<section id=\"findings\"><h2>{}</h2>\n<p class=\"meta\">{}: {listed} / {}</p>\n<div class=\"filters\"><label>{} <input id=\"q\" type=\"search\"></label>\
         <select id=\"sev\"><option value=\"\">{}</option><option value=\"error\">{}</option><option value=\"warning\">{}</option><option value=\"info\">{}</option></select>\
         <select id=\"ret\"><option value=\"\">{}</option>",
        t(Msg::Findings),
        t(Msg::Listed),
        all.errors + all.warnings + all.infos,
        t(Msg::Search),
        t(Msg::AnySeverity),
        t(Msg::Error),
        t(Msg::Warning),
        t(Msg::Info),
        t(Msg::AnyReturn)
    );
    for i in &report.inputs {
        let _ = write!(h, "<option value=\"{0}\">{0}</option>", escape(&i.path));
    }
    let _ = writeln!(
        h,
        "</select> <span><span id=\"shown\">{listed}</span> {}</span></div>\n<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t(Msg::Shown),
        t(Msg::Severity),
        t(Msg::Code),
        t(Msg::Place),
        t(Msg::Cell),
        t(Msg::Column),
        t(Msg::Message),
        t(Msg::Help)
    );
    for input in &report.inputs {
        for f in &input.findings {
            finding_row(h, &input.path, f, lang);
        }
    }
    h.push_str("</tbody></table></section>\n");
}

fn finding_row(h: &mut String, ret: &str, f: &Finding, lang: Lang) {
    let class = severity_class(f.severity);
    let l = &f.location;
    let place = match &l.sheet {
        Some(sheet) => format!("{} · {}", escape(&l.file), escape(sheet)),
        None => escape(&l.file),
    };
    let cell = match (l.cell(), l.row) {
        (Some(c), _) => escape(&c),
        (None, Some(r)) => format!("{} {r}", Msg::Line.text(lang)),
        (None, None) => String::new(),
    };
    let _ = writeln!(
        h,
        "<tr class=\"sev-{class}\" data-severity=\"{class}\" data-return=\"{}\" data-code=\"{}\"><td class=\"{class}\">{}</td><td>{}</td><td>{place}</td><td>{cell}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(ret),
        escape(&f.code.to_string()),
        severity_text(f.severity, lang),
        escape(&f.code.to_string()),
        escape(l.column.as_deref().unwrap_or("")),
        escape(f.message_in(lang)),
        escape(f.help_in(lang).unwrap_or(""))
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_odd_when_far_in_points_and_in_standard_errors() {
        // National 50 %: 20 % of 100 values is odd, 20 % of 5 values is chance.
        assert!(odd_share(20.0, 50, 100, 100));
        assert!(!odd_share(20.0, 50, 100, 5));
        assert!(!odd_share(45.0, 50, 100, 10_000));
        assert!(!odd_share(20.0, 0, 0, 100));
    }

    #[test]
    fn escape_leaves_no_markup_and_no_control_characters() {
        assert_eq!(escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
    }
}
