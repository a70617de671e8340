//! The distributions a pack asks reports to show (`[[profile]]`): one column of one table per
//! entry, shown per return next to the national figure so that an odd return stands out. Checked
//! when the pack loads; counted by the HTML report.

use super::spec::ProfileSpec;
use super::{closest, CodeList, ColumnType, Errs, Table};

/// A distribution to show.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Its title in English.
    pub title: String,
    /// Its title in Norwegian (the English one when the pack gives none).
    pub title_no: String,
    /// The table.
    pub table: usize,
    /// The column.
    pub column: usize,
    /// For number columns: the bins' lower bounds, ascending (values below the first are a bin
    /// of their own).
    pub bins: Vec<f64>,
    /// For code columns: the code list's further column counted instead of the codes.
    pub attribute: Option<String>,
}

/// Checks each `[[profile]]`: its table and column exist, and the column is a code or boolean
/// column, or a number column with ascending bins.
pub(super) fn compile(
    specs: &[ProfileSpec],
    tables: &[Table],
    codelists: &[CodeList],
    errs: &mut Errs<'_>,
) -> Vec<Profile> {
    let mut out = Vec::new();
    for p in specs {
        let name = p.table.get_ref();
        let Some(ti) = tables.iter().position(|t| &t.name == name) else {
            let help = closest(name, tables.iter().map(|t| t.name.as_str())).map(|c| format!("did you mean `{c}`?"));
            errs.push(
                format!("profile: no table `{name}`"),
                Some(p.table.span()),
                "unknown table",
                help,
            );
            continue;
        };
        let table = &tables[ti];
        let column = p.column.get_ref();
        let Some(ci) = table.columns.iter().position(|c| &c.name == column) else {
            let help =
                closest(column, table.columns.iter().map(|c| c.name.as_str())).map(|c| format!("did you mean `{c}`?"));
            errs.push(
                format!("profile: `{column}` is not a column of `{name}`"),
                Some(p.column.span()),
                "unknown column",
                help,
            );
            continue;
        };
        let bins = p.bins.clone().unwrap_or_default();
        let ty = table.columns[ci].ty;
        let categorical = matches!(ty, ColumnType::Code | ColumnType::Icd10 | ColumnType::Boolean);
        let numeric = matches!(ty, ColumnType::Integer | ColumnType::Decimal | ColumnType::Minutes);
        if numeric && (bins.is_empty() || !bins.windows(2).all(|w| w[0] < w[1]) || bins.iter().any(|b| !b.is_finite()))
        {
            errs.push(
                format!("profile of `{column}`: a number column needs `bins`, ascending lower bounds"),
                Some(p.column.span()),
                "a number column",
                Some("for example bins = [0, 60, 90, 120]".into()),
            );
            continue;
        }
        if !categorical && !numeric {
            errs.push(
                format!("profile of `{column}`: only code, boolean and number columns can be profiled"),
                Some(p.column.span()),
                "not one of those",
                None,
            );
            continue;
        }
        let list = table.columns[ci].codelist.and_then(|i| codelists.get(i));
        if let Some(attr) = &p.attribute {
            let known = list.is_some_and(|l| l.entries.first().is_some_and(|e| e.extra.contains_key(attr.get_ref())));
            if !known {
                errs.push(
                    format!(
                        "profile of `{column}`: its code list has no column `{}`",
                        attr.get_ref()
                    ),
                    Some(attr.span()),
                    "unknown column of the code list",
                    None,
                );
                continue;
            }
        }
        let title = p.title.clone().unwrap_or_else(|| format!("{name}: {column}"));
        out.push(Profile {
            title_no: p.title_no.clone().unwrap_or_else(|| title.clone()),
            title,
            table: ti,
            column: ci,
            bins: if numeric { bins } else { Vec::new() },
            attribute: p.attribute.as_ref().map(|a| a.get_ref().clone()),
        });
    }
    out
}
