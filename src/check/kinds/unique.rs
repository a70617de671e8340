use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::value::text;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

documented_check! {
    /// A value (or combination of values) that must be unique appears twice.
    ///
    /// `unique = true` on a column, or `unique = [["group_id", "patient_id"]]` on a table, declares
    /// a key. Values are compared after trimming and case-folding, so `g1 ` and `G1` collide.
    /// The finding is at the later row and names the earlier one; when the whole row repeats the
    /// earlier one it says so (an exact copy-paste, usually safe to delete). Rows with an empty key
    /// part are left to VK0101.
    ///
    /// Keys are kept in memory: this is the one check whose memory grows with the table.
    pub struct UniqueKind => "VK0106", "unique";
}

impl RuleKind for UniqueKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let mut keys: Vec<Vec<usize>> = schema
            .present_columns()
            .filter(|(_, c)| c.unique)
            .map(|(i, _)| vec![i])
            .collect();
        keys.extend(
            schema
                .table
                .unique
                .iter()
                .filter(|k| k.iter().all(|&c| schema.physical[c].is_some()))
                .cloned(),
        );
        keys.into_iter()
            .map(|cols| {
                Box::new(UniqueRule {
                    cols,
                    seen: HashMap::new(),
                    key: String::new(),
                    part: String::new(),
                }) as Box<dyn RowRule + 'p>
            })
            .collect()
    }
}

struct UniqueRule {
    cols: Vec<usize>,
    /// Key → (first row, hash of that row's cells).
    seen: HashMap<String, (u64, u64)>,
    key: String,
    part: String,
}

fn row_hash(row: &RowCtx<'_>) -> u64 {
    let mut h = DefaultHasher::new();
    for c in row.row.iter() {
        text::trim(c.text).hash(&mut h);
    }
    h.finish()
}

impl RowRule for UniqueRule {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        self.key.clear();
        for &c in &self.cols {
            let t = row.text(c);
            if t.is_empty() {
                return;
            }
            text::key_into(t, &mut self.part);
            self.key.push_str(&self.part);
            self.key.push('\u{1f}');
        }
        let this = row.row.row;
        if let Some(&(first, first_hash)) = self.seen.get(self.key.as_str()) {
            let names: Vec<&str> = self.cols.iter().map(|&c| out.table.columns[c].name.as_str()).collect();
            let shown: Vec<String> = self.cols.iter().map(|&c| out.shown(c, row.text(c))).collect();
            let exact = row_hash(row) == first_hash;
            let message = if exact {
                format!(
                    "row {this} is an exact copy of row {first} ({} `{}`)",
                    names.join(" + "),
                    shown.join(" + ")
                )
            } else {
                format!(
                    "duplicate {} `{}`: already used in row {first}",
                    names.join(" + "),
                    shown.join(" + ")
                )
            };
            let help = if exact {
                "delete the copied row".to_string()
            } else {
                "two different rows share one key: give each its own, or merge them".to_string()
            };
            let c0 = self.cols[0];
            out.cell(UniqueKind::CODE, Severity::Error, row, c0, message, Some(help));
        } else {
            self.seen.insert(self.key.clone(), (this, row_hash(row)));
        }
    }
}
