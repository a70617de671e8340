//! The draft as TOML, with comments saying what the sample showed and what to check.

use super::{Draft, DraftColumn, DraftTable, Kind};
use crate::value::text;
use std::fmt::Write as _;

/// A TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

pub(super) fn toml(d: &Draft) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# A draft rule pack, written by `vakt infer` from: {}",
        d.samples.join(", ")
    );
    out.push_str(
        "# Read it and edit it before you trust it: every type, range, code list and key below is only\n\
         # what the sample showed. Then check the sample with it: vakt check --rules THIS_FILE SAMPLE\n\
         # The format: docs/rules.md. Add row rules ([[table.rule]]), counts, and a [return] key.\n\n",
    );
    let _ = writeln!(out, "name = \"draft\"\nversion = \"0.1\"");
    let _ = writeln!(
        out,
        "description = {}\n",
        q(&format!("Drafted by vakt infer from {}", d.samples.join(", ")))
    );
    let ids = d
        .tables
        .iter()
        .flat_map(|t| &t.columns)
        .any(|c| c.kind == Kind::NationalId);
    if ids {
        out.push_str("[id_types]\n# Columns most of whose values are fødselsnummer or D-numbers.\nperson = { form = \"national-id\" }\n\n");
    }
    let lists = code_lists(d);
    if !lists.is_empty() {
        out.push_str("[codelists]\n# Every value the sample held: add the codes it did not, and labels in a CSV file\n# (`code,en,no,synonyms`) when you want both languages accepted.\n");
        for (name, codes) in &lists {
            let shown: Vec<String> = codes.iter().map(|(c, _)| q(c)).collect();
            let counts: Vec<String> = codes.iter().map(|(c, n)| format!("{} ×{n}", text::escape(c))).collect();
            let _ = writeln!(
                out,
                "{name} = {{ codes = [{}] }}    # seen: {}",
                shown.join(", "),
                counts.join(", ")
            );
        }
        out.push('\n');
    }
    for t in &d.tables {
        table(&mut out, d, t, &lists);
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Code lists by name: each code column's, named after the column (or table and column when two
/// tables' columns of one name hold different codes).
fn code_lists(d: &Draft) -> Vec<(String, Vec<(String, usize)>)> {
    let mut lists: Vec<(String, Vec<(String, usize)>)> = Vec::new();
    for t in &d.tables {
        for c in &t.columns {
            let Kind::Code(codes) = &c.kind else { continue };
            let name = list_name(&lists, t, c, codes);
            if !lists.iter().any(|(n, _)| *n == name) {
                lists.push((name, codes.clone()));
            }
        }
    }
    lists
}

fn list_name(
    lists: &[(String, Vec<(String, usize)>)],
    t: &DraftTable,
    c: &DraftColumn,
    codes: &[(String, usize)],
) -> String {
    match lists.iter().find(|(n, _)| *n == c.name) {
        Some((_, same)) if same.iter().map(|x| &x.0).eq(codes.iter().map(|x| &x.0)) => c.name.clone(),
        Some(_) => format!("{}_{}", super::column::snake_case(&t.name), c.name),
        None => c.name.clone(),
    }
}

fn table(out: &mut String, d: &Draft, t: &DraftTable, lists: &[(String, Vec<(String, usize)>)]) {
    let _ = writeln!(out, "[[table]]\nname = {}", q(&super::column::snake_case(&t.name)));
    if !t.sheets.is_empty() {
        let _ = writeln!(
            out,
            "sheets = [{}]",
            t.sheets.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
        );
    }
    if !t.files.is_empty() {
        let _ = writeln!(
            out,
            "files = [{}]",
            t.files.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
        );
    }
    if t.found_in < d.samples.len() {
        let _ = writeln!(
            out,
            "required = false    # found in {} of the {} samples",
            t.found_in,
            d.samples.len()
        );
    }
    let _ = writeln!(out, "# {} data rows in the sample\n", t.rows);
    for c in &t.columns {
        column(out, t, c, lists);
    }
    let mut used = Vec::new();
    for &(ci, ai, ki) in &t.relations {
        let parent = &d.tables[ai];
        let mut name = super::column::snake_case(&parent.name);
        while used.contains(&name) {
            name.push_str("_2");
        }
        used.push(name.clone());
        let _ = writeln!(
            out,
            "[[table.relation]]    # every value of {} is a {} of `{}`: a foreign key?\nname = {}\ntable = {}\ncolumns = [{}]\nreferences = [{}]\n",
            t.columns[ci].name,
            parent.columns[ki].name,
            parent.name,
            q(&name),
            q(&super::column::snake_case(&parent.name)),
            q(&t.columns[ci].name),
            q(&parent.columns[ki].name)
        );
    }
}

fn column(out: &mut String, t: &DraftTable, c: &DraftColumn, lists: &[(String, Vec<(String, usize)>)]) {
    let _ = writeln!(out, "[[table.column]]\nname = {}", q(&c.name));
    if text::header_key(&c.header) != text::header_key(&c.name) {
        let _ = writeln!(out, "aliases = [{}]    # the header as written", q(&c.header));
    }
    let ty = match &c.kind {
        Kind::Integer => "integer",
        Kind::Decimal => "decimal",
        Kind::Date => "date",
        Kind::Boolean => "boolean",
        Kind::Code(_) => "code",
        Kind::Digits(_) | Kind::NationalId | Kind::Contact | Kind::Text => "text",
    };
    let _ = writeln!(out, "type = {}", q(ty));
    match &c.kind {
        Kind::Code(codes) => {
            let name = lists
                .iter()
                .find(|(_, l)| l.iter().map(|x| &x.0).eq(codes.iter().map(|x| &x.0)))
                .map_or(c.name.as_str(), |(n, _)| n.as_str());
            let _ = writeln!(out, "codelist = {}", q(name));
        }
        Kind::Digits(w) => {
            let _ = writeln!(
                out,
                "pattern = \"[0-9]{{{w}}}\"\npattern_help = \"{w} digits, leading zeros kept\""
            );
        }
        Kind::NationalId => {
            out.push_str("class = [\"D\"]\nid_type = \"person\"    # masked in reports, pseudonymised by vakt clean\n")
        }
        Kind::Contact => out.push_str(
            "class = [\"D\"]    # phone numbers or e-mail addresses: masked, left out of vakt clean output\n",
        ),
        Kind::Integer | Kind::Decimal => range(out, c),
        Kind::Date => {
            if let Some((lo, hi)) = c.seen {
                let _ = writeln!(
                    out,
                    "# dates seen: {} to {}; a range would be range = {{ min = \"YYYY-MM-DD\", max = \"YYYY-MM-DD\" }}",
                    crate::value::Date(lo as i32),
                    crate::value::Date(hi as i32)
                );
            }
        }
        Kind::Boolean | Kind::Text => {}
    }
    if c.blank == 0 && c.filled > 0 {
        out.push_str("required = true    # never blank in the sample\n");
    } else if c.filled > 0 {
        let _ = writeln!(out, "# blank in {} of {} rows", c.blank, t.rows);
    }
    if c.unique && c.filled > 1 && !matches!(c.kind, Kind::NationalId | Kind::Contact) {
        out.push_str("unique = true    # every value different: a key?\n");
    }
    out.push('\n');
}

/// A range around the values seen: widened by half their span on each side (not below 0 when none
/// was), for a person to set right.
fn range(out: &mut String, c: &DraftColumn) {
    let Some((lo, hi)) = c.seen else { return };
    let margin = ((hi - lo) / 2.0).max(lo.abs().max(hi.abs()) * 0.1).max(1.0);
    let mut min = lo - margin;
    if lo >= 0.0 {
        min = min.max(0.0);
    }
    let max = hi + margin;
    let (min, max) = if c.kind == Kind::Integer {
        (min.floor(), max.ceil())
    } else {
        ((min * 100.0).floor() / 100.0, (max * 100.0).ceil() / 100.0)
    };
    let show = |v: f64| {
        let mut s = String::new();
        crate::value::cell::write_number(&mut s, v);
        s
    };
    let _ = writeln!(
        out,
        "range = {{ min = {}, max = {} }}    # seen {} to {}; widened: set the real limits",
        show(min),
        show(max),
        show(lo),
        show(hi)
    );
}
