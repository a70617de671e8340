//! The roles a pack gives to columns beyond their type: identifier types (how ids are written,
//! checked and pseudonymised), the column that identifies a return, and the code-list attributes
//! clean output adds. Whatever the survey needs is said here in its pack, so any pack gets the
//! same guarantees.

use super::spec::{IdFormSpec, IdTypeSpec, ReturnSpec};
use super::{CodeList, ColumnType, Errs, Table};
use crate::ident::IdForm;
use serde_spanned::Spanned;
use std::collections::BTreeMap;

/// A named identifier type.
#[derive(Debug, Clone)]
pub struct IdType {
    /// The name columns use in `id_type` (and the pseudonym derivation uses).
    pub name: String,
    /// How its values are written canonically.
    pub form: IdForm,
}

/// The column that says which return a row belongs to.
#[derive(Debug, Clone)]
pub struct ReturnKey {
    /// The table holding it (the pack's first).
    pub table: usize,
    /// The column.
    pub column: usize,
    /// A date column telling when the return was submitted.
    pub submitted: Option<usize>,
}

/// True when `name` can be used in the pseudonym derivation, which joins names with `|`.
pub fn valid_derivation_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('|') && !name.chars().any(char::is_control)
}

/// Compiles `[id_types]`.
pub(super) fn id_types(specs: &BTreeMap<String, Spanned<IdTypeSpec>>, errs: &mut Errs<'_>) -> Vec<IdType> {
    let mut out = Vec::new();
    for (name, spec) in specs {
        if !valid_derivation_name(name) || name == "drop" {
            errs.push(
                format!(
                    "id type `{name}`: a name must be non-empty, without `|` or control characters, and not `drop`"
                ),
                Some(spec.span()),
                "this id type",
                None,
            );
            continue;
        }
        let s = spec.get_ref();
        let form = match (s.form, s.width) {
            (IdFormSpec::NationalId, None) => IdForm::NationalId,
            (IdFormSpec::Text, None) => IdForm::Text,
            (IdFormSpec::Digits, Some(w)) if (1..=32).contains(&w) => IdForm::Digits { width: w },
            (IdFormSpec::Digits, _) => {
                errs.push(
                    format!("id type `{name}`: form `digits` needs a `width` from 1 to 32"),
                    Some(spec.span()),
                    "this id type",
                    Some("an HPR number: form = \"digits\", width = 9".into()),
                );
                continue;
            }
            (_, Some(_)) => {
                errs.push(
                    format!("id type `{name}`: only form `digits` takes a `width`"),
                    Some(spec.span()),
                    "this id type",
                    None,
                );
                continue;
            }
        };
        out.push(IdType {
            name: name.clone(),
            form,
        });
    }
    out
}

/// Resolves a column's `id_type`: `Some(form)` for a declared type, `None` for `drop`.
pub(super) fn column_id_form(
    column: &str,
    id_type: &Spanned<String>,
    is_identifier: bool,
    types: &[IdType],
    errs: &mut Errs<'_>,
) -> Option<IdForm> {
    let name = id_type.get_ref();
    if !is_identifier {
        errs.push(
            format!("column `{column}`: `id_type` is for direct identifiers; add `class = [\"D\"]`"),
            Some(id_type.span()),
            "here",
            None,
        );
    }
    if name == "drop" {
        return None;
    }
    match types.iter().find(|t| &t.name == name) {
        Some(t) => Some(t.form),
        None => {
            let known: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
            let hint = super::closest(name, known.iter().copied())
                .map(|c| format!("did you mean `{c}`?"))
                .unwrap_or_else(|| {
                    format!(
                        "declare it under [id_types] (declared: {}), or write `drop`",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    )
                });
            errs.push(
                format!("column `{column}`: no id type `{name}`"),
                Some(id_type.span()),
                "unknown id type",
                Some(hint),
            );
            None
        }
    }
}

/// Compiles `[return]`.
pub(super) fn return_key(spec: Option<&ReturnSpec>, tables: &[Table], errs: &mut Errs<'_>) -> Option<ReturnKey> {
    let spec = spec?;
    let Some(table) = tables.iter().position(|t| &t.name == spec.table.get_ref()) else {
        let hint = super::closest(spec.table.get_ref(), tables.iter().map(|t| t.name.as_str()))
            .map(|c| format!("did you mean `{c}`?"));
        errs.push(
            format!("[return]: no table `{}`", spec.table.get_ref()),
            Some(spec.table.span()),
            "unknown table",
            hint,
        );
        return None;
    };
    if table != 0 {
        errs.push(
            format!(
                "[return]: the table `{}` must be the pack's first table",
                spec.table.get_ref()
            ),
            Some(spec.table.span()),
            "not first",
            Some("the return key is read before any other table; move its [[table]] to the top".into()),
        );
    }
    let t = &tables[table];
    let column_of = |s: &Spanned<String>, errs: &mut Errs<'_>| match t.column_index(s.get_ref()) {
        Some(c) => Some(c),
        None => {
            let hint = super::closest(s.get_ref(), t.columns.iter().map(|c| c.name.as_str()))
                .map(|c| format!("did you mean `{c}`?"));
            errs.push(
                format!("[return]: `{}` is not a column of `{}`", s.get_ref(), t.name),
                Some(s.span()),
                "unknown column",
                hint,
            );
            None
        }
    };
    let column = column_of(&spec.column, errs)?;
    let submitted = match &spec.submitted {
        Some(s) => {
            let c = column_of(s, errs)?;
            if t.columns[c].ty != ColumnType::Date {
                errs.push(
                    format!(
                        "[return]: `submitted` must name a date column; `{}` is not one",
                        s.get_ref()
                    ),
                    Some(s.span()),
                    "not a date",
                    None,
                );
            }
            Some(c)
        }
        None => None,
    };
    Some(ReturnKey {
        table,
        column,
        submitted,
    })
}

/// Checks each column's `output_attributes` against its code list and the table's other names.
pub(super) fn output_attributes(
    spec: &super::spec::TableSpec,
    table: &Table,
    codelists: &[CodeList],
    errs: &mut Errs<'_>,
) {
    let mut added: Vec<&str> = Vec::new();
    for (cs, col) in spec.columns.iter().zip(&table.columns) {
        for a in &cs.output_attributes {
            let name = a.get_ref().as_str();
            let list = col.codelist.map(|i| &codelists[i]);
            let has = list.is_some_and(|l| l.entries.iter().any(|e| e.extra.contains_key(name)));
            if !has {
                errs.push(
                    format!(
                        "column `{}`: `output_attributes` names `{name}`, which its code list does not have",
                        col.name
                    ),
                    Some(a.span()),
                    "unknown attribute",
                    list.map(|l| {
                        let extra: Vec<&String> =
                            l.entries.first().map(|e| e.extra.keys().collect()).unwrap_or_default();
                        format!(
                            "the code list `{}` has: {}",
                            l.name,
                            if extra.is_empty() {
                                "no extra columns".into()
                            } else {
                                extra.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                            }
                        )
                    }),
                );
            } else if table.column_index(name).is_some() || added.contains(&name) {
                errs.push(
                    format!(
                        "`output_attributes`: `{name}` would be a second column of that name in `{}`",
                        table.name
                    ),
                    Some(a.span()),
                    "name taken",
                    None,
                );
            }
            added.push(name);
        }
    }
}
