//! The output plan: which columns each clean table has, from the pack alone.
//!
//! Every table starts with the return key when the pack names one (`authority_code`), so rows of
//! many returns can share a file; then the pack's columns in order, identifiers pseudonymised or
//! left out, code-list attributes (`dx_group`) after their column; last `vakt_flags`, the cells
//! cleaning changed and why.

use vakt_core::locate::stream::FLAGS_COLUMN;
use vakt_core::pack::{Pack, Table};

/// One output column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutCol {
    /// The pack column's value, normalised.
    Value(usize),
    /// The pack column's identifier, as a pseudonym of its id type.
    Pseudonym(usize),
    /// An attribute of the column's code list (`dx_group` of an ICD-10 code).
    Attribute(usize, String),
}

/// The columns of one output table.
#[derive(Debug, Clone)]
pub struct TablePlan {
    pub table: usize,
    /// File name without extension.
    pub name: String,
    /// Whether the first column is the return key.
    pub tagged: bool,
    pub columns: Vec<OutCol>,
    /// The header, the flags column included.
    pub header: Vec<String>,
}

/// Output columns for every table of the pack.
pub fn plan(pack: &Pack) -> Vec<TablePlan> {
    pack.tables
        .iter()
        .enumerate()
        .map(|(ti, t)| table_plan(pack, ti, t))
        .collect()
}

fn table_plan(pack: &Pack, ti: usize, t: &Table) -> TablePlan {
    let key = pack.return_key.as_ref();
    let mut header = Vec::new();
    if let Some(k) = key {
        header.push(pack.tables[k.table].columns[k.column].name.clone());
    }
    let mut columns = Vec::new();
    for (ci, c) in t.columns.iter().enumerate() {
        let is_key = key.is_some_and(|k| k.table == ti && k.column == ci);
        if is_key || c.drop {
            continue;
        }
        if c.is_identifier() {
            if c.id_form.is_some() {
                columns.push(OutCol::Pseudonym(ci));
                header.push(c.name.clone());
            }
            continue;
        }
        columns.push(OutCol::Value(ci));
        header.push(c.name.clone());
        for a in &c.output_attributes {
            columns.push(OutCol::Attribute(ci, a.clone()));
            header.push(a.clone());
        }
    }
    header.push(FLAGS_COLUMN.to_string());
    TablePlan {
        table: ti,
        name: t.output.clone(),
        tagged: key.is_some(),
        columns,
        header,
    }
}
