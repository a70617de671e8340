use crate::check::plan::{severity, Configure, Configured, Entry};
use crate::check::{RowCtx, RowRule, RuleKind, Sink, TableSchema};
use crate::chunked::Chunked;
use crate::finding::{CheckInfo, Code};
use crate::i18n::T;
use crate::pack::{Pack, RuleSeverity, Table};
use crate::value::keyhash::KeyMap;
use crate::value::{text, Value};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;

documented_check! {
    /// Rows that describe one entity disagree: a `person_id` in several visits with another birth
    /// year or sex.
    ///
    /// ```toml
    /// [[table.consistent]]
    /// key = ["person_id"]
    /// columns = ["birth_year", "sex"]
    /// ```
    ///
    /// Reported once per disagreeing row, at its key cell, naming the column, both values and the
    /// earlier row. A blank on either side is not a disagreement.
    pub struct ConsistencyKind => "VK0204", "consistency";
}

/// Rows with the same `key` must have the same `columns`: `[[table.consistent]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsistentParams {
    /// The columns naming the entity (`person_id`).
    #[schemars(with = "Vec<String>")]
    pub key: Spanned<Vec<String>>,
    /// The columns that must agree between its rows.
    pub columns: Vec<String>,
    /// `error` (default), `warning` or `info`.
    #[serde(default)]
    pub severity: RuleSeverity,
}

/// A configured consistency rule.
#[derive(Debug)]
struct Consistent {
    code: Code,
    key: Vec<usize>,
    columns: Vec<usize>,
    severity: RuleSeverity,
}

impl RuleKind for ConsistencyKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn section(&self) -> Option<&'static str> {
        Some("consistent")
    }

    fn params_schema(&self) -> Option<serde_json::Value> {
        serde_json::to_value(schemars::schema_for!(ConsistentParams)).ok()
    }

    fn configure(&self, entry: &Entry<'_>, cx: &mut Configure<'_, '_>) -> Option<Box<dyn Configured>> {
        let mut p: ConsistentParams = cx.params(entry)?;
        if let Some(s) = entry.severity {
            p.severity = s;
        }
        let t = entry.table;
        let key = cx.columns(t, p.key.get_ref(), "consistent key", Some(p.key.span()));
        let columns = cx.columns(t, &p.columns, "consistent", Some(p.key.span()));
        let (key, columns) = (key?, columns?);
        if key.is_empty() {
            cx.error(
                "consistent: `key` names no column".into(),
                Some(p.key.span()),
                "empty",
                None,
            );
            return None;
        }
        Some(Box::new(Consistent {
            code: cx.code(entry, ConsistencyKind::CODE),
            key,
            columns,
            severity: p.severity,
        }))
    }
}

impl Configured for Consistent {
    fn bind<'p>(&'p self, schema: &TableSchema<'p>) -> Vec<Box<dyn RowRule + 'p>> {
        if !self
            .key
            .iter()
            .chain(&self.columns)
            .all(|&k| schema.physical[k].is_some())
        {
            return Vec::new();
        }
        vec![Box::new(ConsistencyRule {
            pack: schema.pack,
            table: schema.table,
            spec: self,
            seen: KeyMap::default(),
            facts: Chunked::default(),
            scratch: String::new(),
        })]
    }
}

/// One column's value, comparable: typed values as they are, text by its folded hash.
#[derive(Clone, Copy, PartialEq)]
enum Fact {
    Blank,
    Typed(Value),
    Text(u64),
}

struct ConsistencyRule<'p> {
    pack: &'p Pack,
    table: &'p Table,
    spec: &'p Consistent,
    /// Key → (first row, offset of its facts in `facts`): one arena, no allocation per row, and
    /// 24 bytes an entry.
    seen: KeyMap<(u32, u32)>,
    /// The facts of every key, in chunks: a million keys' facts grow without copies.
    facts: Chunked<Fact>,
    scratch: String,
}

impl ConsistencyRule<'_> {
    fn fact(&mut self, row: &RowCtx<'_>, c: usize) -> Fact {
        match row.value(c) {
            Value::Missing => Fact::Blank,
            Value::Text => Fact::Text(text::key_hash(row.text(c), &mut self.scratch).low()),
            v => Fact::Typed(v),
        }
    }

    fn show(&self, c: usize, f: Fact) -> String {
        match f {
            Fact::Typed(Value::Code(i)) => self
                .pack
                .codelist(&self.table.columns[c])
                .map_or(String::new(), |l| l.code(i).to_string()),
            Fact::Typed(Value::Int(i)) => i.to_string(),
            Fact::Typed(Value::Date(d)) => d.to_string(),
            Fact::Typed(Value::Num(n)) => n.to_string(),
            Fact::Typed(Value::Bool(b)) => b.to_string(),
            _ => "another value".into(),
        }
    }
}

impl RowRule for ConsistencyRule<'_> {
    fn check(&mut self, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let Some(key) = row.key(&self.spec.key) else {
            return;
        };
        let spec = self.spec;
        let (first_row, offset) = match self.seen.entry(key) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert((row.row32(), self.facts.len() as u32));
                for &c in &spec.columns {
                    let f = self.fact(row, c);
                    self.facts.push(f);
                }
                return;
            }
            std::collections::hash_map::Entry::Occupied(o) => *o.get(),
        };
        let mut diffs = Vec::new();
        for (i, &c) in spec.columns.iter().enumerate() {
            let a = self.fact(row, c);
            let b = self.facts.get(offset as usize + i).copied().unwrap_or(Fact::Blank);
            if a != Fact::Blank && b != Fact::Blank && a != b {
                diffs.push(T::ConsistentDiff.say(&[
                    ("column", &self.table.columns[c].name),
                    ("here", &self.show(c, a)),
                    ("there", &self.show(c, b)),
                    ("first", &first_row),
                ]));
            }
        }
        if diffs.is_empty() {
            return;
        }
        let k0 = spec.key[0];
        let names: Vec<&str> = spec.key.iter().map(|&k| self.table.columns[k].name.as_str()).collect();
        let joined = crate::i18n::Said {
            en: diffs.iter().map(|d| d.en.as_str()).collect::<Vec<_>>().join("; "),
            nb: Some(
                diffs
                    .iter()
                    .map(|d| d.get(crate::i18n::Lang::Nb))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        };
        let shown = out.shown(k0, row.text(k0));
        let message = T::Inconsistent.say_with(
            &[("columns", &names.join(" + ")), ("value", &shown)],
            &[("diffs", &joined)],
        );
        let checked: Vec<&str> = spec
            .columns
            .iter()
            .map(|&c| self.table.columns[c].name.as_str())
            .collect();
        let help = T::HelpAgree.say(&[("columns", &names.join(" + ")), ("checked", &checked.join(", "))]);
        out.cell(spec.code.clone(), severity(spec.severity), row, k0, message, Some(help));
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack, run};

    #[test]
    fn a_key_seen_again_far_later_is_compared_with_its_first_row_across_fact_chunks() {
        // Three facts a key, 65,536 a chunk: person 21845's facts straddle the first two chunks,
        // person 25000's lie in the second, person 3's in the first.
        let cols = "[[table.column]]\nname = \"person_id\"\ntype = \"text\"\n[[table.column]]\nname = \"a\"\ntype = \"integer\"\n[[table.column]]\nname = \"b\"\ntype = \"integer\"\n[[table.column]]\nname = \"c\"\ntype = \"integer\"\n";
        let p = pack(
            cols,
            "[[table.consistent]]\nkey = [\"person_id\"]\ncolumns = [\"a\", \"b\", \"c\"]",
        );
        let mut csv = String::from("person_id,a,b,c\n");
        for i in 0..30_000 {
            csv.push_str(&format!("P{i},{},{},{}\n", i % 97, i % 89, i % 83));
        }
        csv.push_str("P21845,20,999,999\n");
        csv.push_str("P25000,999,80,999\n");
        csv.push_str("P3,3,3,3\n");
        let f = run(&p, &csv);
        assert_eq!(codes(&f), ["VK0204@30002:person_id", "VK0204@30003:person_id"]);
        // The earlier values are the first row's: 21845 % 89 = 40, 21845 % 83 = 16; 25000 % 97 = 71
        // and 25000 % 83 = 17.
        assert!(
            f[0].message.contains("b 999 here but 40 in row 21847") && f[0].message.contains("c 999 here but 16"),
            "{}",
            f[0].message
        );
        assert!(
            f[1].message.contains("a 999 here but 71 in row 25002") && f[1].message.contains("c 999 here but 17"),
            "{}",
            f[1].message
        );
    }
}
