//! The second pass of pack loading: relations between tables, once every table's columns are
//! known. A relation names the row of an earlier table that a row refers to (`group` of a patient):
//! foreign keys, related values in expressions, the return's single submission row.

use super::spec::TableSpec;
use super::{Errs, Lookup, Relation, Table};

/// `; did you mean `x`?` for the option closest to `name`, or nothing.
pub(crate) fn did_you_mean<'a>(name: &str, options: impl Iterator<Item = &'a str>) -> String {
    super::closest(name, options)
        .map(|o| format!("; did you mean `{o}`?"))
        .unwrap_or_default()
}

/// The indices of `names` in `table`; each name that is not a column is reported (with a "did you
/// mean"), and `None` is returned when any was not.
pub(crate) fn columns_of(
    table: &Table,
    names: &[String],
    what: &str,
    span: Option<std::ops::Range<usize>>,
    errs: &mut Errs<'_>,
) -> Option<Vec<usize>> {
    let mut all = Some(Vec::with_capacity(names.len()));
    for n in names {
        match table.column_index(n) {
            Some(i) => {
                if let Some(v) = all.as_mut() {
                    v.push(i);
                }
            }
            None => {
                errs.push(
                    format!(
                        "{what}: `{n}` is not a column of `{}`{}",
                        table.name,
                        did_you_mean(n, table.columns.iter().map(|c| c.name.as_str()))
                    ),
                    span.clone(),
                    "here",
                    None,
                );
                all = None;
            }
        }
    }
    all
}

/// Compiles the relations of table `ti`, each with the lookup the engine fills for it.
pub(super) fn compile(
    ti: usize,
    spec: &TableSpec,
    tables: &mut [Table],
    lookups: &mut Vec<Lookup>,
    errs: &mut Errs<'_>,
) {
    let mut relations = Vec::new();
    for r in &spec.relations {
        let Some(parent) = tables.iter().position(|t| &t.name == r.table.get_ref()) else {
            errs.push(
                format!(
                    "relation `{}`: no table `{}`{}",
                    r.name.get_ref(),
                    r.table.get_ref(),
                    did_you_mean(r.table.get_ref(), tables.iter().map(|t| t.name.as_str()))
                ),
                Some(r.table.span()),
                "unknown table",
                None,
            );
            continue;
        };
        if parent >= ti {
            errs.push(
                format!(
                    "relation `{}`: table `{}` must come before `{}` in the pack",
                    r.name.get_ref(),
                    r.table.get_ref(),
                    tables[ti].name
                ),
                Some(r.table.span()),
                "defined later",
                Some("related rows are kept as the earlier table streams; move its [[table]] up".into()),
            );
            continue;
        }
        let columns = columns_of(&tables[ti], &r.columns, "relation", Some(r.name.span()), errs);
        let references = columns_of(&tables[parent], &r.references, "relation", Some(r.table.span()), errs);
        // A misspelt column is reported once, not again as a difference in length.
        let (Some(columns), Some(references)) = (columns, references) else {
            continue;
        };
        if columns.len() != references.len() {
            errs.push(
                "relation: `columns` and `references` must have the same length".into(),
                Some(r.name.span()),
                "here",
                None,
            );
            continue;
        }
        // Relations to the same parent key share one lookup (the parent's rows are kept once,
        // with the columns any of them reads): `groups` is looked up by patients and by therapists.
        let lookup = match lookups.iter().position(|l| l.table == parent && l.key == references) {
            Some(shared) => shared,
            None => {
                lookups.push(Lookup {
                    table: parent,
                    key: references.clone(),
                    columns: Vec::new(),
                });
                lookups.len() - 1
            }
        };
        relations.push(Relation {
            name: r.name.get_ref().clone(),
            table: parent,
            must_exist: r.must_exist && !columns.is_empty(),
            columns,
            references,
            lookup,
        });
    }
    tables[ti].relations = relations;
}
