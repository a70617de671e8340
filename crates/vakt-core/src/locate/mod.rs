//! Locating: which sheet or CSV file holds which table, where its header row is, which physical
//! column holds which pack column, and which rows are data.
//!
//! Hand-made workbooks drift: sheets get renamed `Grupper (2)`, headers sit under a title row or are
//! split over two rows, and tables end in a totals row and a note. This stage finds the table in
//! spite of that and says what it skipped; it never guesses silently.

pub mod codes;
pub mod stream;

use crate::finding::{Finding, Location, Severity};
use crate::i18n::{Lang, Said, T};
use crate::pack::{Pack, Table};
use crate::read::{Input, InputFormat, RowBuf};
use crate::value::text;

/// How many leading rows are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// A table found in a return.
#[derive(Debug, Clone)]
pub struct TableMatch {
    /// Index of the table in the pack.
    pub table: usize,
    /// Index of the part (sheet or CSV file) in the input.
    pub part: usize,
}

/// The keys a sheet name or file stem may stand for: as written, then with each kind of drift
/// removed in turn: `Grupper (2)` → `grupper (2)`, `grupper`; `Sheet2 kopi` → `sheet2 kopi`,
/// `sheet2`, `sheet`. A table named `Sheet2` is found in `Sheet2` and `Sheet2 (2)`, not in `Sheet3`.
pub fn part_keys(name: &str, format: InputFormat) -> Vec<String> {
    let stem = match format {
        InputFormat::Csv | InputFormat::CsvFolder => name.rsplit_once('.').map_or(name, |(s, _)| s),
        _ => name,
    };
    let mut k = text::header_key(stem);
    let mut keys = vec![k.clone()];
    loop {
        let before = k.len();
        if k.ends_with(')') {
            if let Some(open) = k.rfind('(') {
                k.truncate(open);
            }
        }
        for suffix in [" kopi", " copy", " ny", " new"] {
            if let Some(s) = k.strip_suffix(suffix) {
                k.truncate(s.len());
            }
        }
        k = k.trim().to_string();
        if k.len() == before {
            // Trailing numbers last: `Grupper 2` is drift, but only once nothing else is.
            while k.ends_with(|c: char| c.is_ascii_digit() || c == ' ') && k.len() > 1 {
                k.pop();
            }
            k = k.trim().to_string();
        }
        if !keys.contains(&k) {
            keys.push(k.clone());
        }
        if k.len() == before {
            return keys;
        }
    }
}

/// The normalised key of a sheet name or file stem with all drift removed (see [`part_keys`]).
pub fn part_key(name: &str, format: InputFormat) -> String {
    part_keys(name, format).pop().unwrap_or_default()
}

/// Whether `name` (a key) matches a glob `pattern` (a key with `*` for any text, `?` for one
/// character).
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // The classic two-pointer match with one backtracking point for the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0usize, 0usize, None, 0usize);
    while j < n.len() {
        match p.get(i) {
            Some('*') => {
                star = Some(i);
                mark = j;
                i += 1;
            }
            Some(&c) if c == '?' || Some(&c) == n.get(j) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some(s) => {
                    i = s + 1;
                    mark += 1;
                    j = mark;
                }
                None => return false,
            },
        }
    }
    p[i.min(p.len())..].iter().all(|&c| c == '*')
}

/// How well part `i` fits table `t`: 2 by its exact name, 1 by a name with drift removed or a
/// pattern, `None` not at all.
fn fit(t: &Table, keys: &[String], csv: bool) -> Option<u8> {
    let (wanted, patterns) = if csv {
        (&t.file_keys, &t.file_patterns)
    } else {
        (&t.sheet_keys, &t.sheet_patterns)
    };
    let exact = keys.first().is_some_and(|k| wanted.contains(k));
    if exact {
        return Some(2);
    }
    let drift = keys.iter().skip(1).any(|k| wanted.contains(k));
    let pattern = keys
        .first()
        .is_some_and(|k| patterns.iter().any(|p| glob_matches(p, k)));
    (drift || pattern).then_some(1)
}

/// Matches the parts of an input to the pack's tables; reports missing tables, parts that match no
/// table, and tables found twice (the first, exact name preferred, is used). A table whose names
/// include `"*"` is looked for, after the named ones, in the parts left, by its header.
pub fn match_tables(pack: &Pack, input: &mut Input) -> (Vec<TableMatch>, Vec<Finding>) {
    let mut matches = Vec::new();
    let mut findings = Vec::new();
    let keys: Vec<Vec<String>> = input.parts.iter().map(|p| part_keys(&p.name, input.format)).collect();
    let csv = matches!(input.format, InputFormat::Csv | InputFormat::CsvFolder);
    let mut used = vec![false; input.parts.len()];
    let mut unfound = Vec::new();
    for (ti, table) in pack.tables.iter().enumerate() {
        let fits: Vec<(usize, u8)> = (0..input.parts.len())
            .filter_map(|i| fit(table, &keys[i], csv).map(|f| (i, f)))
            .collect();
        // Prefer a part whose name needed no drift removal.
        let chosen = fits.iter().find(|(_, f)| *f == 2).or(fits.first()).map(|(i, _)| *i);
        match chosen {
            Some(part) => {
                used[part] = true;
                for &(other, _) in fits.iter().filter(|(i, _)| *i != part) {
                    used[other] = true;
                    findings.push(duplicate(table, ti, &input.parts[other], &input.parts[part]));
                }
                matches.push(TableMatch { table: ti, part });
            }
            None => unfound.push(ti),
        }
    }
    for ti in unfound {
        let table = &pack.tables[ti];
        let by_header = table
            .by_header
            .then(|| find_by_header(pack, ti, input, &used))
            .flatten();
        match by_header {
            Some(part) => {
                used[part] = true;
                matches.push(TableMatch { table: ti, part });
            }
            // A single CSV file is one table, not a whole return: do not demand the others.
            None if input.format == InputFormat::Csv => {}
            None => findings.push(missing(table, ti, input, csv)),
        }
    }
    unmatched_parts(input, &used, &mut findings);
    if input.format == InputFormat::Csv && matches.is_empty() {
        let file = input.parts.first().map_or("", |p| p.name.as_str());
        let names: Vec<Said> = pack.tables.iter().map(expected_files).collect();
        let names = Said {
            en: names.iter().map(|n| n.en.as_str()).collect::<Vec<_>>().join("; "),
            nb: Some(names.iter().map(|n| n.get(Lang::Nb)).collect::<Vec<_>>().join("; ")),
        };
        let help = T::HelpNameFile.say_with(&[], &[("names", &names)]);
        let message = T::WhichTable.say(&[("file", &file)]);
        findings.push(Finding::about_input(
            codes::UNKNOWN_PART,
            Severity::Error,
            &input.path,
            message,
            Some(help),
        ));
    }
    if matches.is_empty() && input.format != InputFormat::Csv && !input.parts.is_empty() {
        // One error that names the likely cause, instead of one "not found" per table.
        findings.retain(|f| f.code.as_str() != codes::MISSING_TABLE);
        findings.insert(0, no_table_of_pack(pack, input));
    }
    matches.sort_by_key(|m| m.table);
    (matches, findings)
}

/// Not one table of the pack in a return: most likely the wrong pack (`--rules` forgotten).
fn no_table_of_pack(pack: &Pack, input: &Input) -> Finding {
    let embedded = if pack.embedded {
        T::BuiltIn.say(&[])
    } else {
        T::Nothing.say(&[])
    };
    let message = T::NoTableOfPack.say_with(&[("pack", &pack.name)], &[("embedded", &embedded)]);
    let help = Some(T::HelpGivePack.say(&[]));
    Finding::about_input(codes::MISSING_TABLE, Severity::Error, &input.path, message, help)
}

/// The first part no table took whose first rows hold the header of table `ti`.
fn find_by_header(pack: &Pack, ti: usize, input: &mut Input, used: &[bool]) -> Option<usize> {
    for part in (0..input.parts.len()).filter(|&i| !used[i]) {
        let sheet = input.parts[part].sheet.is_some();
        let Ok(mut rows) = input.rows(part) else { continue };
        if let Ok(stream::Opened::Table(_)) = stream::TableStream::open(pack, ti, sheet, rows.as_mut()) {
            return Some(part);
        }
    }
    None
}

fn duplicate(table: &Table, ti: usize, other: &crate::read::Part, chosen: &crate::read::Part) -> Finding {
    let message = T::DuplicateTable.say_with(
        &[("table", &table.name)],
        &[("other", &describe(other)), ("chosen", &describe(chosen))],
    );
    Finding {
        nb: None,
        code: codes::DUPLICATE_TABLE.into(),
        severity: Severity::Warning,
        message: String::new(),
        help: None,
        location: Location {
            table: ti,
            file: other.file.clone(),
            sheet: other.sheet.clone(),
            ..Default::default()
        },
        value: None,
    }
    .said(message, Some(T::HelpRemoveCopy.say(&[])))
}

fn missing(table: &Table, ti: usize, input: &Input, csv: bool) -> Finding {
    let names = if csv {
        expected_files(table)
    } else {
        expected_sheets(table)
    };
    Finding {
        nb: None,
        code: codes::MISSING_TABLE.into(),
        severity: if table.required {
            Severity::Error
        } else {
            Severity::Info
        },
        message: String::new(),
        help: None,
        location: Location {
            table: ti,
            file: input.path.clone(),
            ..Default::default()
        },
        value: None,
    }
    .said(
        T::MissingTable.say(&[("table", &table.name)]),
        Some(T::HelpExpectedNames.say_with(&[], &[("names", &names)])),
    )
}

fn unmatched_parts(input: &Input, used: &[bool], findings: &mut Vec<Finding>) {
    for (i, p) in input.parts.iter().enumerate() {
        // A hidden sheet that holds no table is a lookup list (a template's code lists).
        if !used[i] && !p.hidden {
            let f = Finding {
                nb: None,
                code: codes::UNKNOWN_PART.into(),
                severity: Severity::Info,
                message: String::new(),
                help: None,
                location: Location {
                    table: usize::MAX,
                    file: p.file.clone(),
                    sheet: p.sheet.clone(),
                    ..Default::default()
                },
                value: None,
            };
            findings.push(f.said(T::UnknownPart.say_with(&[], &[("part", &describe(p))]), None));
        }
    }
}

fn describe(p: &crate::read::Part) -> Said {
    match &p.sheet {
        Some(s) => T::Sheet.say(&[("name", s)]),
        None => T::File.say(&[("name", &p.name)]),
    }
}

fn expected_sheets(t: &Table) -> Said {
    let names: Vec<String> = t.sheet_keys.iter().map(|k| format!("'{k}'")).collect();
    T::SheetNamed.say_with(&[], &[("names", &crate::i18n::either(&names))])
}

fn expected_files(t: &Table) -> Said {
    let names: Vec<String> = t
        .file_keys
        .iter()
        .map(|k| format!("{}.csv", k.replace(' ', "_")))
        .collect();
    T::FileNamed.say_with(&[], &[("names", &crate::i18n::either(&names))])
}

/// The header of a located table.
#[derive(Debug, Clone)]
pub struct Header {
    /// Index of the header row among the rows searched.
    pub index: usize,
    /// 1-based physical row of the header.
    pub row: u64,
    /// For each pack column, the physical column that holds it.
    pub physical: Vec<Option<u32>>,
    /// Physical columns whose header names no pack column, with the header text.
    pub unknown: Vec<(u32, String)>,
    /// Physical columns whose header repeats a column already found.
    pub repeated: Vec<(u32, usize)>,
    /// The column holding the return key in a table that is not the return key's own (each row of
    /// a merged dataset says which return it came from).
    pub tag: Option<u32>,
    /// The `vakt_flags` column of a clean dataset.
    pub flags: Option<u32>,
}

/// How many known headers a row must hold to be the header row.
fn needed_matches(table: &Table) -> usize {
    table
        .columns
        .len()
        .div_ceil(3)
        .clamp(1, 4)
        .max(2.min(table.columns.len()))
}

/// Finds the header row: the first of the leading rows that names enough of the table's columns.
/// A header split over two rows (`Varighet per møte` over `(min)`) is read by joining a cell with the
/// one above it; a header of two rows (parents over children, other headers in the upper row or
/// merged down over both) is read from the lower row when that names more columns.
pub fn find_header(table: &Table, rows: &[RowBuf]) -> Option<Header> {
    let need = needed_matches(table);
    for i in 0..rows.len().min(HEADER_SEARCH_ROWS) {
        let (hits, header) = reading(table, rows, i);
        if hits < need {
            continue;
        }
        // A header may span two rows: parents over their children (`Antall` over `pasienter` |
        // `terapeuter`) and the other headers merged down over both. Then the upper row already
        // names some columns, and the lower one, read with it, names more: prefer that reading.
        let lower = (i + 1 < rows.len() && rows[i].row + 1 == rows[i + 1].row)
            .then(|| two_row_reading(&header, reading(table, rows, i + 1), &rows[i + 1]));
        return Some(match lower {
            Some((more, h)) if more > hits => h,
            _ => header,
        });
    }
    None
}

/// The lower row of a two-row header, with the headers written only in the upper row (over a
/// blank cell below, merged or not) taken from it.
fn two_row_reading(upper: &Header, (mut hits, mut lower): (usize, Header), below: &RowBuf) -> (usize, Header) {
    for (col, at) in upper.physical.iter().enumerate() {
        let Some(p) = *at else { continue };
        let free = lower.physical.get(col).is_some_and(Option::is_none);
        if free && below.get(p as usize).is_blank() && !lower.physical.contains(&Some(p)) {
            if let Some(slot) = lower.physical.get_mut(col) {
                *slot = Some(p);
                hits += 1;
            }
        }
    }
    (hits, lower)
}

/// Reads row `i` as the header (each cell alone, or joined with the cell above it): how many of
/// the table's columns it names, and the header it would be.
fn reading(table: &Table, rows: &[RowBuf], i: usize) -> (usize, Header) {
    let row = &rows[i];
    let above = i.checked_sub(1).map(|j| &rows[j]).filter(|a| a.row + 1 == row.row);
    let mut physical = vec![None; table.columns.len()];
    let mut unknown = Vec::new();
    let mut repeated = Vec::new();
    let mut hits = 0;
    for (c, cell) in row.iter().enumerate() {
        if cell.is_blank() {
            continue;
        }
        let mut found = table.column_for_header(cell.text);
        if found.is_none() {
            if let Some(a) = above {
                let up = a.get(c);
                if !up.is_blank() {
                    found = table.column_for_header(&format!("{} {}", up.text, cell.text));
                }
            }
        }
        match found {
            Some(col) if physical[col].is_none() => {
                physical[col] = Some(c as u32);
                hits += 1;
            }
            Some(col) => repeated.push((c as u32, col)),
            None => unknown.push((c as u32, text::trim(cell.text).to_string())),
        }
    }
    let header = Header {
        index: i,
        row: row.row,
        physical,
        unknown,
        repeated,
        tag: None,
        flags: None,
    };
    (hits, header)
}

/// What a row under the header is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A data row.
    Data,
    /// A blank row.
    Blank,
    /// A totals row: `Sum`, `Totalt`, `I alt` in its first filled cell.
    Totals,
    /// A note under the table: one filled cell holding a sentence, outside the table's key columns.
    Note,
}

const TOTALS: &[&str] = &[
    "sum",
    "sum totalt",
    "summer",
    "summert",
    "totalt",
    "total",
    "totals",
    "i alt",
    "totalsum",
    "grand total",
];

/// Classifies a row under the header.
pub fn classify(row: &RowBuf, header: &Header) -> RowKind {
    let mut filled = row.iter().enumerate().filter(|(_, c)| !c.is_blank());
    let Some((first_col, first)) = filled.next() else {
        return RowKind::Blank;
    };
    // Only short text starting like a totals word, without digits, can be one: skip the key for
    // everything else (ids such as `G00123` start like `grand total`).
    let head = text::trim(first.text).as_bytes();
    if head.len() <= 16
        && matches!(
            head.first().map(u8::to_ascii_lowercase),
            Some(b's' | b't' | b'i' | b'g')
        )
        && !head.iter().any(u8::is_ascii_digit)
    {
        let first_key = text::key(first.text.trim_end_matches(':'));
        if TOTALS.contains(&first_key.as_str()) {
            return RowKind::Totals;
        }
    }
    if filled.next().is_some() {
        return RowKind::Data;
    }
    let mapped = header.physical.iter().flatten().count();
    if mapped >= 3 && first.kind == crate::read::CellKind::Text {
        let t = text::trim(first.text);
        let first_key = text::key(t);
        let sentence = t.contains(' ') && t.chars().count() > 15;
        let marked = ["merk", "note", "obs", "*", "kilde", "source"]
            .iter()
            .any(|m| first_key.starts_with(m));
        let outside = !header.physical.contains(&Some(first_col as u32));
        if sentence || marked || outside {
            return RowKind::Note;
        }
    }
    RowKind::Data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::CellKind;

    fn row(n: u64, cells: &[&str]) -> RowBuf {
        let mut r = RowBuf::default();
        r.clear(n);
        for c in cells {
            r.push(if c.is_empty() { CellKind::Empty } else { CellKind::Text }, c);
        }
        r
    }

    #[test]
    fn drifted_sheet_names() {
        assert_eq!(part_key("Grupper (2)", InputFormat::Xlsx), "grupper");
        assert_eq!(part_key("Pasienter kopi", InputFormat::Xlsx), "pasienter");
        assert_eq!(part_key("Grupper 2009", InputFormat::Xlsx), "grupper");
        assert_eq!(part_key("grupper.csv", InputFormat::CsvFolder), "grupper");
        assert_eq!(
            part_key("Group_Therapists.CSV", InputFormat::CsvFolder),
            "group therapists"
        );
    }

    #[test]
    fn a_name_ending_in_digits_is_found_as_written_and_drifted_but_not_as_another_number() {
        let keys = part_keys("Sheet2 (2)", InputFormat::Xlsx);
        assert_eq!(keys, vec!["sheet2 (2)", "sheet2", "sheet"]);
        let src = "name = \"t\"\nversion = \"1\"\n[[table]]\nname = \"t\"\nsheets = [\"Sheet2\"]\n[[table.column]]\nname = \"a\"\ntype = \"text\"\n";
        let pack = crate::pack::Pack::from_source("t.toml", src.into(), &|_: &str| Err("none".into())).unwrap();
        let t = &pack.tables[0];
        assert_eq!(fit(t, &part_keys("Sheet2", InputFormat::Xlsx), false), Some(2));
        assert_eq!(fit(t, &part_keys("Sheet2 (2)", InputFormat::Xlsx), false), Some(1));
        assert_eq!(fit(t, &part_keys("Sheet3", InputFormat::Xlsx), false), None);
    }

    #[test]
    fn glob_patterns() {
        assert!(glob_matches("avdeling *", "avdeling nord"));
        assert!(glob_matches("avdeling ?", "avdeling 3"));
        assert!(!glob_matches("avdeling ?", "avdeling 12"));
        assert!(glob_matches("*rapport*", "månedsrapport mars"));
        assert!(glob_matches("*", ""));
        assert!(!glob_matches("a*b", "acbd"));
    }

    #[test]
    fn tables_are_found_by_file_pattern_and_by_header_alone() {
        let src = r#"name = "t"
version = "1"
[[table]]
name = "wards"
files = ["ward_*.csv"]
[[table.column]]
name = "ward"
type = "text"
[[table]]
name = "staff"
files = ["*"]
[[table.column]]
name = "employee"
type = "text"
[[table.column]]
name = "hours"
type = "integer"
"#;
        let pack = crate::pack::Pack::from_source("t.toml", src.into(), &|_: &str| Err("none".into())).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ward_north.csv"), "ward\nN1\n").unwrap();
        std::fs::write(dir.path().join("export (3).csv"), "Employee,Hours\nA,37\n").unwrap();
        std::fs::write(dir.path().join("notes.csv"), "something,else\n1,2\n").unwrap();
        let mut input = Input::open(dir.path()).unwrap();
        let (matches, findings) = match_tables(&pack, &mut input);
        let found: Vec<(&str, &str)> = matches
            .iter()
            .map(|m| (pack.tables[m.table].name.as_str(), input.parts[m.part].name.as_str()))
            .collect();
        assert_eq!(found, vec![("wards", "ward_north.csv"), ("staff", "export (3).csv")]);
        assert_eq!(findings.len(), 1, "only notes.csv is unmatched: {findings:?}");
        assert!(findings[0].message.contains("notes.csv"));
    }

    #[test]
    fn header_under_a_title_row_and_split_over_two_rows() {
        let pack = crate::pack::Pack::embedded().unwrap();
        let groups = &pack.tables[2];
        let rows = vec![
            row(1, &["Gruppeterapi 2009 - Helse Bergen"]),
            row(2, &["", "", "", "", "", "", "Varighet per møte"]),
            row(
                3,
                &[
                    "Gruppe-ID",
                    "ENHETS-ID",
                    "Gruppenavn",
                    "Gruppetype",
                    "Gruppeform",
                    "Hyppighet",
                    "(min)",
                    "Tull",
                ],
            ),
        ];
        let h = find_header(groups, &rows).unwrap();
        assert_eq!(h.row, 3);
        assert_eq!(h.physical[0], Some(0));
        assert_eq!(h.physical[groups.column_index("session_minutes").unwrap()], Some(6));
        assert_eq!(h.unknown, vec![(7, "Tull".to_string())]);
    }

    #[test]
    fn totals_notes_and_blanks() {
        let h = Header {
            index: 0,
            row: 1,
            physical: vec![Some(0), Some(1), Some(2)],
            unknown: vec![],
            repeated: vec![],
            tag: None,
            flags: None,
        };
        assert_eq!(classify(&row(5, &["I alt", "", "12"]), &h), RowKind::Totals);
        assert_eq!(classify(&row(5, &["Sum:", "", "12"]), &h), RowKind::Totals);
        assert_eq!(classify(&row(6, &["", " ", ""]), &h), RowKind::Blank);
        assert_eq!(classify(&row(7, &["Merk: tallene gjelder 2009"]), &h), RowKind::Note);
        assert_eq!(classify(&row(8, &["G1"]), &h), RowKind::Data);
        assert_eq!(classify(&row(9, &["G1", "U1", "x"]), &h), RowKind::Data);
    }
}
