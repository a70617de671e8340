//! A rule kind of your own, registered beside the built-in ones.
//!
//! usage: cargo run --example custom_rule -- fixtures/returns/messy.xlsx
//!
//! The kind below warns about groups whose name repeats their group type ("Psykoedukativ gruppe" in
//! a psycho-educative group): harmless, but a sign the name column was filled in by copying. It shows the three parts
//! of a plugin: `info()` (code, name and documentation, here from the doc comment through
//! `documented_check!`), `compile()` (once per table: resolve columns to indices) and `check()`
//! (per data row, on parsed values).

use vakt::check::{engine, Registry, RowCtx, RowRule, RuleKind, Sink, TableSchema};
use vakt::documented_check;
use vakt::finding::{CheckInfo, Severity};
use vakt::pack::CodeList;
use vakt::value::Value;

documented_check! {
    /// A group's name repeats its group type (`Psykoedukativ gruppe` in a PSYEDU group).
    ///
    /// Not wrong, but often a sign that the name column was filled in by copying the type.
    pub struct NameRepeatsType => "X0001", "name-repeats-type";
}

impl RuleKind for NameRepeatsType {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn compile<'p>(&self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        let name = schema.table.column_index("group_name");
        let kind = schema.table.column_index("group_type");
        match (name, kind) {
            (Some(n), Some(k)) if schema.physical[n].is_some() && schema.physical[k].is_some() => {
                match schema.pack.codelist(&schema.table.columns[k]) {
                    Some(list) => vec![Box::new(Rule { name: n, kind: k, list })],
                    None => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }
}

struct Rule<'p> {
    name: usize,
    kind: usize,
    list: &'p CodeList,
}

impl RowRule for Rule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let Value::Code(c) = row.value(self.kind) else { return };
        let Some(entry) = self.list.entry(c) else { return };
        let name = row.text(self.name).to_lowercase();
        let repeats = [&entry.code, &entry.no, &entry.en]
            .iter()
            .any(|w| !w.is_empty() && name.contains(&w.to_lowercase()));
        if repeats {
            let message = format!(
                "group_name `{}` repeats the group type {}",
                row.text(self.name),
                self.list.code(c)
            );
            out.cell(NameRepeatsType::CODE, Severity::Warning, row, self.name, message, None);
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/returns/messy.xlsx".into());
    let pack = vakt::pack::Pack::embedded().map_err(|e| format!("{e:?}"))?;
    let registry = Registry::builtin().with(Box::new(NameRepeatsType))?;
    let plan = vakt::check::Plan::new(pack, registry).map_err(|e| format!("{e:?}"))?;
    let (_, result) = engine::check_path(&plan, &path);
    for f in result.findings.iter().filter(|f| f.code == NameRepeatsType::CODE) {
        println!("{} {}: {}", f.code, f.location.cell().unwrap_or_default(), f.message);
    }
    println!("{} findings in all, {} data rows", result.findings.len(), result.rows());
    Ok(())
}
