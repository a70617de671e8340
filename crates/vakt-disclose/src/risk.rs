//! Disclosure risk of released microdata: equivalence classes over the quasi-identifiers, k, the
//! class-size distribution, the classes below k, distinct l-diversity of a sensitive column, and
//! coarsenings that would raise k.
//!
//! A class counts persons when a person column is given (a patient in three groups is one person,
//! not a class of three), rows otherwise. Coarsenings come from what the pack says of a column —
//! a code list's further columns (a diagnosis group beside each code), ICD-10 categories, the year
//! of a date, bands of a number — and, for a column the pack does not know, from its values alone.
//! No column name is special.

use super::data::Data;
use std::collections::{BTreeMap, HashMap, HashSet};
use vakt_core::pack::{Column, Pack};
use vakt_core::value::codelist::CodeList;
use vakt_core::value::ColumnType;

/// One way to make a quasi-identifier coarser.
#[derive(Debug, Clone)]
pub struct Coarsening {
    /// The column made coarser.
    pub column: String,
    /// What it does, for people (`birth_year in ten-year bands`).
    pub description: String,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// Bands of a number (of the year, for a date): `1970-1979`.
    Band { width: i64, of_year: bool },
    /// The year of a date.
    Year,
    /// A further column of the code list instead of the code (codes it does not know stay).
    Map(HashMap<String, String>),
    /// The first `n` characters (an ICD-10 category).
    Prefix(usize),
}

/// What a class counts.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    /// Every row is one.
    Rows,
    /// Distinct values of this column; rows with it blank count as one unknown person per class,
    /// the cautious reading (they might all be one person).
    Persons(usize),
}

/// Class sizes and diversity for one set of quasi-identifiers.
#[derive(Debug)]
pub struct Classes {
    /// The smallest class.
    pub k: usize,
    /// How many classes.
    pub classes: usize,
    /// Class size → number of classes.
    pub distribution: BTreeMap<usize, usize>,
    /// Classes below the target k: labels and size.
    pub small: Vec<(Vec<String>, usize)>,
    /// Smallest number of distinct sensitive values in a class.
    pub l: Option<usize>,
}

fn value(row: &[String], col: usize, coarse: Option<&Coarsening>) -> String {
    let v = row[col].as_str();
    let year = || v.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit()));
    match coarse.map(|c| &c.kind) {
        None => v.to_owned(),
        Some(Kind::Year) => year().unwrap_or(v).to_owned(),
        Some(Kind::Band { width, of_year }) => {
            let number = if *of_year {
                year().and_then(|y| y.parse::<f64>().ok())
            } else {
                v.trim().replace(',', ".").parse::<f64>().ok()
            };
            match number.filter(|n| n.is_finite()) {
                Some(n) => {
                    let low = (n / *width as f64).floor() as i64 * width;
                    format!("{low}-{}", low + width - 1)
                }
                None => v.to_owned(),
            }
        }
        Some(Kind::Map(map)) => map.get(v.trim()).cloned().unwrap_or_else(|| v.to_owned()),
        Some(Kind::Prefix(n)) => v.chars().take(*n).collect(),
    }
}

/// Class sizes over `qi` (with optional coarsenings by column index), counting `unit`.
pub fn classes(
    data: &Data,
    qi: &[usize],
    sensitive: Option<usize>,
    unit: Unit,
    k: usize,
    coarse: &HashMap<usize, Coarsening>,
) -> Classes {
    #[derive(Default)]
    struct Class<'a> {
        rows: usize,
        persons: HashSet<&'a str>,
        sensitive: HashSet<&'a str>,
    }
    let mut groups: HashMap<Vec<String>, Class> = HashMap::new();
    for r in &data.rows {
        let key: Vec<String> = qi.iter().map(|&c| value(r, c, coarse.get(&c))).collect();
        let class = groups.entry(key).or_default();
        class.rows += 1;
        if let Unit::Persons(p) = unit {
            class.persons.insert(r[p].trim());
        }
        if let Some(s) = sensitive {
            class.sensitive.insert(r[s].as_str());
        }
    }
    let size = |c: &Class| match unit {
        Unit::Rows => c.rows,
        Unit::Persons(_) => c.persons.len(),
    };
    let mut distribution = BTreeMap::new();
    for class in groups.values() {
        *distribution.entry(size(class)).or_insert(0) += 1;
    }
    let mut small: Vec<(Vec<String>, usize)> = groups
        .iter()
        .filter(|(_, c)| size(c) < k)
        .map(|(key, c)| (key.clone(), size(c)))
        .collect();
    small.sort();
    Classes {
        k: groups.values().map(size).min().unwrap_or(0),
        classes: groups.len(),
        distribution,
        small,
        l: sensitive.map(|_| groups.values().map(|c| c.sensitive.len()).min().unwrap_or(0)),
    }
}

/// Distinct filled values of a column, and the rows where it is blank.
pub fn distinct(data: &Data, col: usize) -> (usize, usize) {
    let blank = data.rows.iter().filter(|r| r[col].trim().is_empty()).count();
    let filled: HashSet<&str> = data
        .rows
        .iter()
        .map(|r| r[col].trim())
        .filter(|v| !v.is_empty())
        .collect();
    (filled.len(), blank)
}

/// The pack's column of this name (the first table that has it), with its code list.
pub fn pack_column<'p>(pack: &'p Pack, name: &str) -> Option<(&'p Column, Option<&'p CodeList>)> {
    let column = pack.tables.iter().flat_map(|t| &t.columns).find(|c| c.name == name)?;
    Some((column, pack.codelist(column)))
}

/// Coarsenings that make sense for a column: from what the pack says of it when it knows the
/// column, else from its values.
pub fn coarsenings(data: &Data, col: usize, known: Option<(&Column, Option<&CodeList>)>) -> Vec<Coarsening> {
    let name = data.header[col].as_str();
    let make = |description: String, kind: Kind| Coarsening {
        column: name.into(),
        description,
        kind,
    };
    let mut out = Vec::new();
    if let Some((_, Some(list))) = known {
        out.extend(code_list_attributes(list).into_iter().map(|(attr, map)| {
            make(
                format!("{attr} (of the code list {}) instead of {name}", list.name),
                Kind::Map(map),
            )
        }));
    }
    let ty = known.map(|(c, _)| c.ty);
    if ty == Some(ColumnType::Icd10) {
        out.push(make(format!("{name}: 3-character category"), Kind::Prefix(3)));
    }
    let numbers = numbers_of(data, col);
    let all_dates = ty == Some(ColumnType::Date) || (ty.is_none() && looks_like_dates(data, col));
    if all_dates {
        out.push(make(format!("the year of {name}"), Kind::Year));
        out.push(make(
            format!("the year of {name} in ten-year bands"),
            Kind::Band {
                width: 10,
                of_year: true,
            },
        ));
    } else if let Some((low, high)) = numbers.filter(|_| ty.is_none_or(is_numeric)) {
        let years = low >= 1800.0 && high <= 2100.0 && high > low && low.fract() == 0.0;
        let width = if years { 10 } else { nice_width(high - low) };
        let description = if years {
            format!("{name} in ten-year bands")
        } else {
            format!("{name} in bands of {width}")
        };
        out.push(make(description, Kind::Band { width, of_year: false }));
    }
    out
}

fn is_numeric(ty: ColumnType) -> bool {
    matches!(ty, ColumnType::Integer | ColumnType::Decimal | ColumnType::Minutes)
}

/// The further columns of a code list, each as code → value (codes without a value left out).
fn code_list_attributes(list: &CodeList) -> Vec<(String, HashMap<String, String>)> {
    let mut by_attr: BTreeMap<&str, HashMap<String, String>> = BTreeMap::new();
    for entry in &list.entries {
        for (attr, v) in &entry.extra {
            if !v.trim().is_empty() {
                by_attr.entry(attr).or_default().insert(entry.code.clone(), v.clone());
            }
        }
    }
    // A column with a value per code is a relabelling, not a coarsening; one with two values or
    // fewer (`is_leaf`, `level`) is a flag describing a code, and would all but erase the column.
    let groups = |map: &HashMap<String, String>| {
        let distinct = map.values().collect::<HashSet<_>>().len();
        distinct > 2 && distinct < map.len()
    };
    by_attr
        .into_iter()
        .filter(|(_, map)| groups(map))
        .map(|(a, m)| (a.to_owned(), m))
        .collect()
}

/// The smallest and largest number in the column, when every filled value is a number.
fn numbers_of(data: &Data, col: usize) -> Option<(f64, f64)> {
    let mut range: Option<(f64, f64)> = None;
    for r in &data.rows {
        let v = r[col].trim();
        if v.is_empty() {
            continue;
        }
        let n = v.replace(',', ".").parse::<f64>().ok().filter(|n| n.is_finite())?;
        range = Some(range.map_or((n, n), |(lo, hi)| (lo.min(n), hi.max(n))));
    }
    range
}

fn looks_like_dates(data: &Data, col: usize) -> bool {
    let mut filled = data
        .rows
        .iter()
        .map(|r| r[col].trim())
        .filter(|v| !v.is_empty())
        .peekable();
    filled.peek().is_some()
        && filled.all(|v| {
            let b = v.as_bytes();
            b.len() == 10
                && b[4] == b'-'
                && b[7] == b'-'
                && b.iter()
                    .enumerate()
                    .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        })
}

/// A band width of 1, 2 or 5 times a power of ten that cuts `span` into about five bands.
fn nice_width(span: f64) -> i64 {
    let target = (span / 5.0).max(1.0);
    let mut power = 1i64;
    while (power as f64) * 10.0 <= target && power < 1_000_000_000 {
        power *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * power)
        .find(|&w| w as f64 >= target)
        .unwrap_or(power * 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(header: &[&str], rows: &[&[&str]]) -> Data {
        Data {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect(),
        }
    }

    #[test]
    fn a_person_in_several_rows_is_one_member_of_the_class() {
        let d = data(
            &["pid", "sex"],
            &[&["a", "F"], &["a", "F"], &["a", "F"], &["b", "M"], &["c", "M"]],
        );
        let rows = classes(&d, &[1], None, Unit::Rows, 2, &HashMap::new());
        assert_eq!((rows.k, rows.small.len()), (2, 0));
        let persons = classes(&d, &[1], None, Unit::Persons(0), 2, &HashMap::new());
        assert_eq!(persons.k, 1, "F holds one person in three rows");
        assert_eq!(persons.small, vec![(vec!["F".to_string()], 1)]);
    }

    #[test]
    fn band_widths_cut_a_span_into_about_five() {
        assert_eq!(nice_width(4.0), 1);
        assert_eq!(nice_width(50.0), 10);
        assert_eq!(nice_width(80.0), 20);
        assert_eq!(nice_width(240.0), 50);
        assert_eq!(nice_width(3000.0), 1000);
    }

    #[test]
    fn numbers_and_dates_coarsen_by_their_values_when_the_pack_does_not_know_them() {
        let d = data(
            &["born", "minutes", "start"],
            &[&["1971", "30", "2021-03-04"], &["1989", "240", "2019-12-31"]],
        );
        let names = |c| {
            coarsenings(&d, c, None)
                .into_iter()
                .map(|c| c.description)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(0), ["born in ten-year bands"]);
        assert_eq!(names(1), ["minutes in bands of 50"]);
        assert_eq!(names(2), ["the year of start", "the year of start in ten-year bands"]);
        let band = &coarsenings(&d, 1, None)[0];
        assert_eq!(value(&d.rows[1], 1, Some(band)), "200-249");
    }
}
