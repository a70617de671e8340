//! Disclosure risk of released microdata: equivalence classes over the quasi-identifiers, k, the
//! class-size distribution, the classes below k, distinct l-diversity of a sensitive column, and
//! coarsenings that would raise k.

use super::data::Data;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One way to make a quasi-identifier coarser.
#[derive(Debug, Clone)]
pub struct Coarsening {
    pub column: String,
    pub description: String,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// Ten-year bands of a year (or of the year of a date).
    Decade,
    /// Another column instead (diagnosis group for code, authority for unit).
    Replace(usize),
    /// The first `n` characters (ICD-10 category, county of a municipality).
    Prefix(usize),
}

/// Class sizes and diversity for one set of quasi-identifiers.
#[derive(Debug)]
pub struct Classes {
    pub k: usize,
    pub classes: usize,
    /// Class size → number of classes.
    pub distribution: BTreeMap<usize, usize>,
    /// Classes below the target k: labels and size.
    pub small: Vec<(Vec<String>, usize)>,
    /// Smallest number of distinct sensitive values in a class.
    pub l: Option<usize>,
}

fn value(row: &[String], col: usize, coarse: Option<&Coarsening>) -> String {
    let v = &row[col];
    match coarse.map(|c| &c.kind) {
        None => v.clone(),
        Some(Kind::Decade) => v
            .get(..4)
            .and_then(|y| y.parse::<i32>().ok())
            .map_or_else(|| v.clone(), |y| format!("{}-{}", y / 10 * 10, y / 10 * 10 + 9)),
        Some(Kind::Replace(other)) => row.get(*other).cloned().unwrap_or_default(),
        Some(Kind::Prefix(n)) => v.chars().take(*n).collect(),
    }
}

/// Class sizes over `qi` (with optional coarsenings by column index).
pub fn classes(
    data: &Data,
    qi: &[usize],
    sensitive: Option<usize>,
    k: usize,
    coarse: &HashMap<usize, Coarsening>,
) -> Classes {
    let mut groups: HashMap<Vec<String>, (usize, HashSet<&str>)> = HashMap::new();
    for r in &data.rows {
        let key: Vec<String> = qi.iter().map(|&c| value(r, c, coarse.get(&c))).collect();
        let e = groups.entry(key).or_default();
        e.0 += 1;
        if let Some(s) = sensitive {
            e.1.insert(r[s].as_str());
        }
    }
    let mut distribution = BTreeMap::new();
    for (size, _) in groups.values() {
        *distribution.entry(*size).or_insert(0) += 1;
    }
    let mut small: Vec<(Vec<String>, usize)> = groups
        .iter()
        .filter(|(_, (n, _))| *n < k)
        .map(|(key, (n, _))| (key.clone(), *n))
        .collect();
    small.sort();
    Classes {
        k: groups.values().map(|g| g.0).min().unwrap_or(0),
        classes: groups.len(),
        distribution,
        small,
        l: sensitive.map(|_| groups.values().map(|g| g.1.len()).min().unwrap_or(0)),
    }
}

/// Coarsenings that make sense for a column, judged by its name and values.
pub fn coarsenings(data: &Data, col: usize) -> Vec<Coarsening> {
    let name = data.header[col].as_str();
    let has = |c: &str| data.header.iter().position(|h| h == c);
    let mut out = Vec::new();
    let sample: Vec<&str> = data
        .rows
        .iter()
        .take(50)
        .map(|r| r[col].as_str())
        .filter(|v| !v.is_empty())
        .collect();
    let yearish = !sample.is_empty()
        && sample.iter().all(|v| {
            v.get(..4).is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()))
                && (v.len() == 4 || v.as_bytes().get(4) == Some(&b'-'))
        });
    if yearish {
        out.push(Coarsening {
            column: name.into(),
            description: format!("{name} in ten-year bands"),
            kind: Kind::Decade,
        });
    }
    if name.contains("dx") || name.contains("diagnos") {
        if let Some(g) = has("dx_group").filter(|&g| g != col) {
            out.push(Coarsening {
                column: name.into(),
                description: format!("diagnosis group instead of {name}"),
                kind: Kind::Replace(g),
            });
        }
        out.push(Coarsening {
            column: name.into(),
            description: format!("{name}: 3-character category"),
            kind: Kind::Prefix(3),
        });
    }
    if name == "unit_id" || name == "municipality" {
        if let Some(a) = has("authority_code").filter(|&a| a != col) {
            out.push(Coarsening {
                column: name.into(),
                description: format!("authority instead of {name}"),
                kind: Kind::Replace(a),
            });
        }
    }
    if name == "municipality" {
        out.push(Coarsening {
            column: name.into(),
            description: "county (first two digits) instead of municipality".into(),
            kind: Kind::Prefix(2),
        });
    }
    out
}
