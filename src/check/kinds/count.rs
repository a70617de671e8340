use crate::check::{Collector, ReturnRule, RowCtx, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Finding, Location};
use crate::pack::{Count, Pack};
use crate::value::keyhash::KeyMap;
use crate::value::Value;

documented_check! {
    /// A count column disagrees with the rows it counts: a group's `n_patients` against its rows in
    /// Patients, `n_therapists` against GroupTherapists, the return's `n_groups` against Groups.
    ///
    /// ```toml
    /// [[table.count]]            # in the groups table
    /// column = "n_patients"
    /// table = "patients"
    /// key = ["group_id"]         # this table's columns ...
    /// matching = ["group_id"]    # ... equal to these columns of the counted table
    ///
    /// [[table.count]]            # in the submission table: all rows of groups
    /// column = "n_groups"
    /// table = "groups"
    /// severity = "warning"
    /// ```
    ///
    /// Reported once, at the count cell, with both numbers and the table counted. Counts whose cell
    /// could not be read (VK0102) and tables missing from the return (VK0002) are skipped.
    pub struct CountKind => "VK0203", "count";
}

impl RuleKind for CountKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, _schema: &TableSchema<'p>) -> Vec<Box<dyn crate::check::RowRule + 'p>> {
        Vec::new()
    }

    fn return_rule<'p>(&self, pack: &'p Pack) -> Option<Box<dyn ReturnRule + 'p>> {
        let specs: Vec<(usize, &'p Count)> = pack
            .tables
            .iter()
            .enumerate()
            .flat_map(|(t, table)| table.counts.iter().map(move |c| (t, c)))
            .collect();
        if specs.is_empty() {
            return None;
        }
        let n = specs.len();
        Some(Box::new(CountRule {
            pack,
            specs,
            counted: vec![KeyMap::default(); n],
            declared: vec![Vec::new(); n],
            scratch: String::new(),
        }))
    }
}

#[derive(Clone)]
struct Declared {
    key: u128,
    key_text: String,
    value: f64,
    location: Location,
    raw: String,
}

struct CountRule<'p> {
    pack: &'p Pack,
    specs: Vec<(usize, &'p Count)>,
    /// Per count: rows of the counted table by key (within the return).
    counted: Vec<KeyMap<u64>>,
    declared: Vec<Vec<Declared>>,
    scratch: String,
}

impl ReturnRule for CountRule<'_> {
    fn observe(&mut self, table: usize, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for (si, &(owner, c)) in self.specs.iter().enumerate() {
            // The owner came first and declared nothing: there is nothing to count for.
            let nothing_declared = owner < c.table && self.declared[si].is_empty();
            if table == c.table && !nothing_declared {
                if let Some(k) = row.key(&c.matching, &mut self.scratch) {
                    *self.counted[si].entry(k).or_insert(0) += 1;
                }
            }
            if table == owner {
                let value = match row.value(c.column) {
                    Value::Int(i) => i as f64,
                    Value::Num(n) => n,
                    _ => continue,
                };
                let Some(key) = row.key(&c.key, &mut self.scratch) else {
                    continue;
                };
                let column = &out.table.columns[c.column].name;
                self.declared[si].push(Declared {
                    key,
                    key_text: c
                        .key
                        .iter()
                        .map(|&k| out.shown(k, row.text(k)))
                        .collect::<Vec<_>>()
                        .join(" + "),
                    value,
                    location: out.location(Some(row.row.row), row.physical(c.column), Some(column)),
                    raw: row.text(c.column).to_string(),
                });
            }
        }
    }

    fn finish(&mut self, present: &[bool], out: &mut Collector) {
        for (si, &(owner, c)) in self.specs.iter().enumerate() {
            if !present[c.table] {
                continue;
            }
            let counted = &self.pack.tables[c.table].name;
            let owner_table = &self.pack.tables[owner];
            let column = &owner_table.columns[c.column].name;
            for d in &self.declared[si] {
                let actual = self.counted[si].get(&d.key).copied().unwrap_or(0);
                if d.value == actual as f64 {
                    continue;
                }
                let keys: Vec<&str> = c
                    .matching
                    .iter()
                    .map(|&m| self.pack.tables[c.table].columns[m].name.as_str())
                    .collect();
                let (message, help) = if c.key.is_empty() {
                    (
                        format!(
                            "{column} is {}, but the table `{counted}` has {actual} data rows",
                            d.raw
                        ),
                        format!("count the rows of `{counted}` again"),
                    )
                } else {
                    (
                        format!(
                            "{column} is {}, but the table `{counted}` has {actual} rows with {} `{}`",
                            d.raw,
                            keys.join(" + "),
                            d.key_text
                        ),
                        format!(
                            "correct {column}, or the rows of `{counted}` for this {}",
                            keys.join(" + ")
                        ),
                    )
                };
                out.push(Finding {
                    code: CountKind::CODE,
                    severity: super::expression::severity(c.severity),
                    message,
                    help: Some(help),
                    location: d.location.clone(),
                    value: Some(d.raw.clone()),
                });
            }
        }
    }
}
