//! The second pass of pack loading: relations between tables, row rules in the expression
//! language, counts, consistency and cardinality. Runs after every table's columns are known, so
//! expressions can be type-checked against related tables.

use super::spec::TableSpec;
use super::{Cardinality, CodeList, ColumnType, Consistent, Count, Errs, Lookup, Relation, Rule, Table};
use crate::expr::{self, ColumnRef, Schema, Ty};
use serde_spanned::Spanned;
use std::cell::RefCell;

/// The expression type of a column.
pub fn ty_of(column: &super::Column) -> Ty {
    match column.ty {
        ColumnType::Integer | ColumnType::Decimal | ColumnType::Minutes => Ty::Number,
        ColumnType::Date => Ty::Date,
        ColumnType::Boolean => Ty::Bool,
        ColumnType::Text => Ty::Text,
        ColumnType::Code | ColumnType::Icd10 => column.codelist.map_or(Ty::Text, Ty::Code),
    }
}

struct ExprSchema<'a> {
    tables: &'a [Table],
    table: usize,
    relations: &'a [Relation],
    codelists: &'a [CodeList],
    lookups: &'a RefCell<Vec<Lookup>>,
}

impl Schema for ExprSchema<'_> {
    fn column(&self, scope: Option<&str>, name: &str) -> Result<(ColumnRef, Ty), String> {
        let own = &self.tables[self.table];
        match scope {
            None => {
                let i = own.column_index(name).ok_or_else(|| {
                    format!(
                        "`{name}` is not a column of `{}`{}",
                        own.name,
                        closest(name, own.columns.iter().map(|c| c.name.as_str()))
                    )
                })?;
                Ok((
                    ColumnRef {
                        scope: None,
                        column: i,
                        relation: None,
                        slot: 0,
                    },
                    ty_of(&own.columns[i]),
                ))
            }
            Some(s) => {
                let ri = self.relations.iter().position(|r| r.name == s).ok_or_else(|| {
                    format!(
                        "`{s}` is not a relation of `{}` (relations: {})",
                        own.name,
                        self.relations
                            .iter()
                            .map(|r| r.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
                let rel = &self.relations[ri];
                let parent = &self.tables[rel.table];
                let ci = parent.column_index(name).ok_or_else(|| {
                    format!(
                        "`{name}` is not a column of `{}`{}",
                        parent.name,
                        closest(name, parent.columns.iter().map(|c| c.name.as_str()))
                    )
                })?;
                let ty = ty_of(&parent.columns[ci]);
                if ty == Ty::Text {
                    return Err(format!(
                        "`{s}.{name}` is text; related rows keep only typed values (numbers, dates, codes)"
                    ));
                }
                let mut lookups = self.lookups.borrow_mut();
                let cols = &mut lookups[rel.lookup].columns;
                let slot = cols.iter().position(|&c| c == ci).unwrap_or_else(|| {
                    cols.push(ci);
                    cols.len() - 1
                });
                Ok((
                    ColumnRef {
                        scope: Some(s.to_string()),
                        column: ci,
                        relation: Some(ri),
                        slot,
                    },
                    ty,
                ))
            }
        }
    }

    fn code(&self, list: usize, literal: &str) -> Result<u32, String> {
        let cl = &self.codelists[list];
        cl.lookup(literal, &mut String::new()).ok_or_else(|| {
            let hint = cl
                .suggest(literal)
                .map(|s| format!("; did you mean {}?", s.code))
                .unwrap_or_default();
            format!("`{literal}` is not in the code list `{}`{hint}", cl.name)
        })
    }

    fn attr_map(&self, column_ty: Ty, attribute: &str, target: usize) -> Result<Vec<Option<u32>>, String> {
        let Ty::Code(src) = column_ty else {
            return Err("attr() needs a code column".into());
        };
        let source = &self.codelists[src];
        if !source.entries.iter().any(|e| e.extra.contains_key(attribute)) {
            return Err(format!("the code list `{}` has no column `{attribute}`", source.name));
        }
        let tl = &self.codelists[target];
        Ok(source
            .entries
            .iter()
            .map(|e| e.extra.get(attribute).and_then(|v| tl.lookup(v, &mut String::new())))
            .collect())
    }
}

fn closest<'a>(name: &str, options: impl Iterator<Item = &'a str>) -> String {
    super::closest(name, options)
        .map(|o| format!("; did you mean `{o}`?"))
        .unwrap_or_default()
}

/// Byte range of an expression error inside the TOML: the string starts one byte after its quote.
fn inner_span(s: &Spanned<String>, e: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let base = s.span().start + 1;
    (base + e.start).min(s.span().end)..(base + e.end).min(s.span().end)
}

fn columns_of(
    table: &Table,
    names: &[String],
    what: &str,
    span: Option<std::ops::Range<usize>>,
    errs: &mut Errs<'_>,
) -> Vec<usize> {
    names
        .iter()
        .filter_map(|n| {
            let i = table.column_index(n);
            if i.is_none() {
                errs.push(
                    format!("{what}: `{n}` is not a column of `{}`", table.name),
                    span.clone(),
                    "here",
                    None,
                );
            }
            i
        })
        .collect()
}

/// Compiles the relations and rules of table `ti`.
pub(super) fn compile(
    ti: usize,
    spec: &TableSpec,
    tables: &mut [Table],
    codelists: &[CodeList],
    lookups: &mut Vec<Lookup>,
    errs: &mut Errs<'_>,
) {
    let mut relations = Vec::new();
    for r in &spec.relations {
        let Some(parent) = tables.iter().position(|t| &t.name == r.table.get_ref()) else {
            errs.push(
                format!("relation `{}`: no table `{}`", r.name.get_ref(), r.table.get_ref()),
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
        if columns.len() != references.len() {
            errs.push(
                "relation: `columns` and `references` must have the same length".into(),
                Some(r.name.span()),
                "here",
                None,
            );
            continue;
        }
        relations.push(Relation {
            name: r.name.get_ref().clone(),
            table: parent,
            must_exist: r.must_exist && !columns.is_empty(),
            columns,
            references: references.clone(),
            lookup: lookups.len(),
        });
        lookups.push(Lookup {
            table: parent,
            key: references,
            columns: Vec::new(),
        });
    }

    let cell = RefCell::new(std::mem::take(lookups));
    let schema = ExprSchema {
        tables,
        table: ti,
        relations: &relations,
        codelists,
        lookups: &cell,
    };
    let mut rules = Vec::new();
    for r in &spec.rules {
        let compile_one = |s: &Spanned<String>, errs: &mut Errs<'_>| match expr::compile(s.get_ref(), &schema) {
            Ok(e) => Some(e),
            Err(e) => {
                errs.push(
                    format!("rule `{}`: {}", r.name, e.message),
                    Some(inner_span(s, &e.span)),
                    "here",
                    None,
                );
                None
            }
        };
        let when = r.when.as_ref().map(|w| compile_one(w, errs));
        let assert = compile_one(&r.assert, errs);
        let (Some(assert), Some(when)) = (assert, when.map_or(Some(None), |w| w.map(Some))) else {
            continue;
        };
        let column = match &r.column {
            Some(c) => match tables[ti].column_index(c.get_ref()) {
                Some(i) => i,
                None => {
                    errs.push(
                        format!(
                            "rule `{}`: `{}` is not a column of `{}`",
                            r.name,
                            c.get_ref(),
                            tables[ti].name
                        ),
                        Some(c.span()),
                        "here",
                        None,
                    );
                    continue;
                }
            },
            None => {
                let mut cols = Vec::new();
                expr::columns(&assert.root, &mut cols);
                match cols.iter().find(|c| c.relation.is_none()) {
                    Some(c) => c.column,
                    None => {
                        errs.push(
                            format!("rule `{}`: say which cell to report with `column = \"...\"`", r.name),
                            Some(r.assert.span()),
                            "reads no column of its own table",
                            None,
                        );
                        continue;
                    }
                }
            }
        };
        for placeholder in placeholders(&r.message) {
            let (scope, name) = match placeholder.split_once('.') {
                Some((s, n)) => (Some(s), n),
                None => (None, placeholder),
            };
            if let Err(m) = schema.column(scope, name) {
                errs.push(
                    format!("rule `{}`: message placeholder {{{placeholder}}}: {m}", r.name),
                    Some(r.assert.span()),
                    "in this rule",
                    None,
                );
            }
        }
        let code: &'static str = match &r.code {
            Some(c) => Box::leak(c.clone().into_boxed_str()),
            None => "VK0201",
        };
        rules.push(Rule {
            name: r.name.clone(),
            code,
            when,
            assert,
            message: r.message.clone(),
            help: r.help.clone(),
            severity: r.severity,
            column,
        });
    }
    let mut cardinality = Vec::new();
    for c in &spec.cardinality {
        let when = match expr::compile(c.when.get_ref(), &schema) {
            Ok(e) => e,
            Err(e) => {
                errs.push(
                    format!("cardinality `{}`: {}", c.name, e.message),
                    Some(inner_span(&c.when, &e.span)),
                    "here",
                    None,
                );
                continue;
            }
        };
        let key = columns_of(&tables[ti], c.key.get_ref(), "cardinality", Some(c.key.span()), errs);
        let Some(column) = tables[ti].column_index(c.column.get_ref()) else {
            errs.push(
                format!("cardinality `{}`: no column `{}`", c.name, c.column.get_ref()),
                Some(c.column.span()),
                "here",
                None,
            );
            continue;
        };
        cardinality.push(Cardinality {
            name: c.name.clone(),
            key,
            when,
            min: c.min,
            max: c.max,
            column,
            severity: c.severity,
        });
    }
    *lookups = cell.into_inner();

    let mut counts = Vec::new();
    for c in &spec.counts {
        let Some(counted) = tables.iter().position(|t| &t.name == c.table.get_ref()) else {
            errs.push(
                format!("count: no table `{}`", c.table.get_ref()),
                Some(c.table.span()),
                "unknown table",
                None,
            );
            continue;
        };
        let Some(column) = tables[ti].column_index(c.column.get_ref()) else {
            errs.push(
                format!("count: no column `{}` in `{}`", c.column.get_ref(), tables[ti].name),
                Some(c.column.span()),
                "here",
                None,
            );
            continue;
        };
        let key = columns_of(&tables[ti], &c.key, "count key", Some(c.column.span()), errs);
        let matching = columns_of(
            &tables[counted],
            &c.matching,
            "count matching",
            Some(c.table.span()),
            errs,
        );
        if key.len() != matching.len() {
            errs.push(
                "count: `key` and `matching` must have the same length".into(),
                Some(c.column.span()),
                "here",
                None,
            );
            continue;
        }
        counts.push(Count {
            column,
            table: counted,
            key,
            matching,
            severity: c.severity,
        });
    }
    let mut consistent = Vec::new();
    for c in &spec.consistent {
        let key = columns_of(&tables[ti], c.key.get_ref(), "consistent key", Some(c.key.span()), errs);
        let columns = columns_of(&tables[ti], &c.columns, "consistent", Some(c.key.span()), errs);
        consistent.push(Consistent {
            key,
            columns,
            severity: c.severity,
        });
    }
    let t = &mut tables[ti];
    t.relations = relations;
    t.rules = rules;
    t.counts = counts;
    t.consistent = consistent;
    t.cardinality = cardinality;
}

/// The `{name}` placeholders of a message template.
pub fn placeholders(message: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        out.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::pack::Pack;

    fn load(rules: &str) -> Result<Pack, Box<crate::pack::PackErrors>> {
        let src = format!(
            r#"name = "t"
version = "1"
[codelists]
sex = "sex.csv"
[[table]]
name = "groups"
[[table.column]]
name = "group_id"
type = "text"
[[table.column]]
name = "start_date"
type = "date"
[[table]]
name = "patients"
[[table.column]]
name = "group_id"
type = "text"
[[table.column]]
name = "sex"
type = "code"
codelist = "sex"
[[table.column]]
name = "start_date"
type = "date"
[[table.column]]
name = "birth_year"
type = "integer"
[[table.relation]]
name = "group"
table = "groups"
columns = ["group_id"]
references = ["group_id"]
{rules}"#
        );
        Pack::from_source("t.toml", src.clone(), &|rel: &str| match rel {
            "sex.csv" => Ok("code,en,no,synonyms\nF,Female,Kvinne,K\nM,Male,Mann,\n".into()),
            other => Err(format!("no file {other}")),
        })
    }

    fn error_text(rules: &str) -> (String, String) {
        let err = load(rules).expect_err("must fail");
        let e = &err.errors[0];
        let span = e.span.expect("a span");
        (e.message.clone(), e.src_text(span))
    }

    #[test]
    fn rules_compile_and_errors_point_at_the_expression() {
        assert!(load("[[table.rule]]\nname = \"ok\"\nassert = 'start_date >= group.start_date and sex == \"F\"'\nmessage = \"m\"\n").is_ok());
        let (m, at) =
            error_text("[[table.rule]]\nname = \"r\"\nassert = \"start_dat >= group.start_date\"\nmessage = \"m\"\n");
        assert!(
            m.contains("`start_dat` is not a column") && m.contains("did you mean `start_date`"),
            "{m}"
        );
        assert_eq!(at, "start_dat");
        let (m, at) = error_text("[[table.rule]]\nname = \"r\"\nassert = 'sex == \"X\"'\nmessage = \"m\"\n");
        assert!(m.contains("`X` is not in the code list `sex`"), "{m}");
        assert_eq!(at, "\"X\"");
        let (m, at) =
            error_text("[[table.rule]]\nname = \"r\"\nassert = \"start_date > birth_year\"\nmessage = \"m\"\n");
        assert!(m.contains("cannot combine a date and a number"), "{m}");
        assert_eq!(at, "start_date > birth_year");
        let (m, _) =
            error_text("[[table.rule]]\nname = \"r\"\nassert = \"unit.start_date > start_date\"\nmessage = \"m\"\n");
        assert!(m.contains("`unit` is not a relation"), "{m}");
        let (m, _) = error_text("[[table.rule]]\nname = \"r\"\nassert = \"birth_year + 1\"\nmessage = \"m\"\n");
        assert!(m.contains("must be true or false"), "{m}");
    }
}
