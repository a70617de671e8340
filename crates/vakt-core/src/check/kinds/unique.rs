use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::chunked::Chunked;
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use crate::value::keyhash::KeyMap;

documented_check! {
    /// A value (or combination of values) that must be unique appears twice.
    ///
    /// `unique = true` on a column, or `unique = [["clinic_id", "visit_no"]]` on a table, declares
    /// a key. Values are compared after trimming and case-folding, so `g1 ` and `G1` collide.
    /// The finding is at the later row and names the earlier one; when the whole row repeats the
    /// earlier one it says so (an exact copy-paste, usually safe to delete). Rows with an empty key
    /// part are left to VK0101.
    ///
    /// Keys are kept in memory as 128-bit hashes (about 50 bytes a row; a false match among ten
    /// million keys has odds near 1e-25): this is the one check whose memory grows with the table.
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
                    seen: KeyMap::default(),
                    row_hashes: Chunked::default(),
                }) as Box<dyn RowRule + 'p>
            })
            .collect()
    }
}

struct UniqueRule {
    cols: Vec<usize>,
    /// 128-bit hash of the key → (first row, index of that row's hash in `row_hashes`): 24
    /// bytes an entry, where the row hash beside it would pad it to 32.
    seen: KeyMap<(u32, u32)>,
    /// The hash of each first row's cells, to tell an exact copy from another row with its key.
    row_hashes: Chunked<u64>,
}

impl RowRule for UniqueRule {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        // No key when a part is blank (its trimmed text empty): such rows are not compared.
        let Some(key) = row.key(&self.cols) else {
            return;
        };
        let this = row.row.row;
        // One probe: a table this size misses the cache on every lookup.
        let (first, at) = match self.seen.entry(key) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert((row.row32(), self.row_hashes.len() as u32));
                self.row_hashes.push(row.row_hash());
                return;
            }
            std::collections::hash_map::Entry::Occupied(o) => *o.get(),
        };
        let first_hash = self.row_hashes.get(at as usize).copied();
        {
            let names: Vec<&str> = self.cols.iter().map(|&c| out.table.columns[c].name.as_str()).collect();
            let shown: Vec<String> = self.cols.iter().map(|&c| out.shown(c, row.text(c))).collect();
            let exact = first_hash == Some(row.row_hash());
            let (columns, value) = (names.join(" + "), shown.join(" + "));
            let values: [(&str, &dyn std::fmt::Display); 4] = [
                ("row", &this),
                ("first", &first),
                ("columns", &columns),
                ("value", &value),
            ];
            let message = if exact {
                T::UniqueCopy.say(&values)
            } else {
                T::UniqueDuplicate.say(&values)
            };
            let help = if exact {
                T::HelpDeleteCopy.say(&[])
            } else {
                T::HelpOneKey.say(&[])
            };
            let c0 = self.cols[0];
            out.cell(UniqueKind::CODE, Severity::Error, row, c0, message, Some(help));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack, run};

    #[test]
    fn single_and_composite_keys_after_trim_and_case_fold() {
        let p = pack(
            "[[table.column]]\nname = \"g\"\ntype = \"text\"\nunique = true\n[[table.column]]\nname = \"p\"\ntype = \"text\"\n[[table.column]]\nname = \"x\"\ntype = \"text\"\n",
            "unique = [[\"p\", \"x\"]]",
        );
        let f = run(&p, "g,p,x\nG1,a,1\ng1 ,b,1\nG2,a,1\nG2,a,1\nG3,,1\nG4,,1\n");
        assert_eq!(codes(&f), ["VK0106@3:g", "VK0106@4:p", "VK0106@5:g", "VK0106@5:p"]);
        assert!(
            f[0].message.contains("duplicate g `g1`: already used in row 2"),
            "{}",
            f[0].message
        );
        assert!(
            f[2].message.contains("row 5 is an exact copy of row 4"),
            "{}",
            f[2].message
        );
    }
}
