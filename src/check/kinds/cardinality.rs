use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::expr::Val;
use crate::finding::{CheckInfo, Finding};
use crate::pack::{Cardinality, Table};
use crate::value::keyhash::KeyMap;

documented_check! {
    /// Too many or too few rows per key meet a condition: a group with two lead therapists, or none.
    ///
    /// ```toml
    /// [[table.cardinality]]
    /// name = "one-lead"
    /// key = ["group_id"]
    /// when = 'role == "LEAD"'
    /// min = 1
    /// max = 1
    /// column = "role"
    /// severity = "warning"
    /// ```
    ///
    /// Too many: reported at each row past `max`, naming the first. Too few: reported at the key's
    /// first row once the table has been read.
    pub struct CardinalityKind => "VK0205", "cardinality";
}

impl RuleKind for CardinalityKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        schema
            .table
            .cardinality
            .iter()
            .filter(|c| c.key.iter().chain([&c.column]).all(|&k| schema.physical[k].is_some()))
            .map(|c| {
                Box::new(CardinalityRule {
                    table: schema.table,
                    spec: c,
                    keys: KeyMap::default(),
                    scratch: String::new(),
                }) as Box<dyn RowRule + 'p>
            })
            .collect()
    }
}

struct Seen {
    matches: u32,
    first_row: u64,
    first_match: Option<u64>,
    key_text: String,
}

struct CardinalityRule<'p> {
    table: &'p Table,
    spec: &'p Cardinality,
    keys: KeyMap<Seen>,
    scratch: String,
}

impl RowRule for CardinalityRule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let Some(key) = row.key(&self.spec.key, &mut self.scratch) else {
            return;
        };
        let env = super::expression::RowEnv { row, table: self.table };
        let hit = self.spec.when.root.eval(&env) == Val::Bool(true);
        let seen = self.keys.entry(key).or_insert_with(|| Seen {
            matches: 0,
            first_row: row.row.row,
            first_match: None,
            key_text: self
                .spec
                .key
                .iter()
                .map(|&k| row.text(k))
                .collect::<Vec<_>>()
                .join(" + "),
        });
        if !hit {
            return;
        }
        seen.matches += 1;
        let first = *seen.first_match.get_or_insert(row.row.row);
        if self.spec.max.is_some_and(|m| seen.matches > m) {
            let names: Vec<&str> = self
                .spec
                .key
                .iter()
                .map(|&k| self.table.columns[k].name.as_str())
                .collect();
            let message = format!(
                "{}: {} `{}` has {} matching rows, at most {} expected (the first in row {first})",
                self.spec.name,
                names.join(" + "),
                seen.key_text,
                seen.matches,
                self.spec.max.unwrap_or(0)
            );
            out.cell(
                CardinalityKind::CODE,
                super::expression::severity(self.spec.severity),
                row,
                self.spec.column,
                message,
                None,
            );
        }
    }

    fn finish(&mut self, out: &mut Sink<'_>) {
        if self.spec.min == 0 {
            return;
        }
        let names: Vec<&str> = self
            .spec
            .key
            .iter()
            .map(|&k| self.table.columns[k].name.as_str())
            .collect();
        let mut short: Vec<&Seen> = self.keys.values().filter(|s| s.matches < self.spec.min).collect();
        short.sort_by_key(|s| s.first_row);
        for s in short {
            let column = &self.table.columns[self.spec.column].name;
            let location = out.location(Some(s.first_row), out.physical[self.spec.column], Some(column));
            out.push(Finding {
                code: CardinalityKind::CODE,
                severity: super::expression::severity(self.spec.severity),
                message: format!(
                    "{}: {} `{}` has {} such rows; at least {} expected",
                    self.spec.name,
                    names.join(" + "),
                    s.key_text,
                    s.matches,
                    self.spec.min
                ),
                help: None,
                location,
                value: None,
            });
        }
    }
}
