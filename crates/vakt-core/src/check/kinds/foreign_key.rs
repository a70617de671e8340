use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::finding::{CheckInfo, Severity};
use crate::i18n::T;
use crate::pack::{Pack, Relation};

documented_check! {
    /// A row refers to a row of another table that does not exist: a visit at a clinic that is not in
    /// `clinics`, a stay in a ward that is not in `wards`.
    ///
    /// Declared in the pack as a relation; keys compare after trimming and case-folding:
    ///
    /// ```toml
    /// [[table.relation]]
    /// name = "clinic"              # in visits; expressions say clinic.opened
    /// table = "clinics"
    /// columns = ["clinic_id"]
    /// references = ["clinic_id"]
    /// ```
    ///
    /// The related table must come earlier in the pack (its keys are kept as it streams). Rows with
    /// an empty key are left to VK0101; when the related table is missing from the return, VK0002
    /// reports that once instead of every row here.
    pub struct ForeignKeyKind => "VK0202", "foreign-key";
}

impl RuleKind for ForeignKeyKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let relations: Vec<(usize, &'p Relation)> = schema
            .table
            .relations
            .iter()
            .enumerate()
            .filter(|(_, r)| r.must_exist && r.columns.iter().all(|&c| schema.physical[c].is_some()))
            .collect();
        if relations.is_empty() {
            return Vec::new();
        }
        vec![Box::new(ForeignKeyRule {
            pack: schema.pack,
            relations,
        })]
    }
}

struct ForeignKeyRule<'p> {
    pack: &'p Pack,
    relations: Vec<(usize, &'p Relation)>,
}

impl RowRule for ForeignKeyRule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        for &(ri, rel) in &self.relations {
            if row.related[ri].is_some() || !row.scope.lookups[rel.lookup].present {
                continue;
            }
            if rel.columns.iter().any(|&c| row.text(c).is_empty()) {
                continue;
            }
            let parent = &self.pack.tables[rel.table];
            let c0 = rel.columns[0];
            let shown: Vec<String> = rel.columns.iter().map(|&c| out.shown(c, row.text(c))).collect();
            let names: Vec<&str> = rel
                .columns
                .iter()
                .map(|&c| out.table.columns[c].name.as_str())
                .collect();
            let message = T::ForeignMissing.say(&[
                ("columns", &names.join(" + ")),
                ("value", &shown.join(" + ")),
                ("table", &parent.name),
            ]);
            let help = T::HelpAddOrCorrect.say(&[
                ("columns", &names.join(" + ")),
                ("value", &shown.join(" + ")),
                ("table", &parent.name),
            ]);
            out.cell(ForeignKeyKind::CODE, Severity::Error, row, c0, message, Some(help));
        }
    }
}
