//! Rule packs: loading a TOML pack and its code lists into a checked, compiled [`Pack`].
//!
//! Loading does all the work that does not depend on a return: code lists are parsed, patterns
//! compiled, date bounds turned into day numbers and header names into comparison keys. Every
//! mistake in a pack is reported at once, each with a span into the TOML for miette to point at.

pub mod embedded;
mod errors;
mod plugins;
mod profiles;
pub mod publications;
mod relations;
mod roles;
mod spec;

pub use crate::value::codelist::{CodeEntry, CodeList, CodeListError, Suggestion, MAX_SUGGEST_CHARS};
pub(crate) use errors::Errs;
pub use errors::{PackError, PackErrors};
pub use plugins::{PluginDecl, DEFAULT_PLUGIN_BATCH, DEFAULT_PLUGIN_TIMEOUT_SECONDS};
pub use profiles::Profile;
pub use publications::Publication;
pub(crate) use relations::{columns_of, did_you_mean};
pub use roles::{valid_derivation_name, IdType, ReturnKey};
pub use spec::{
    Bound, ColumnSpec, ColumnType, IdClass, IdFormSpec, IdTypeSpec, PackSpec, PluginSpec, RangeSpec, ReturnSpec,
    RuleSeverity, TableSpec, TABLE_KEYS,
};

use crate::value::text;
use regex::Regex;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// An inclusive numeric range (dates as day numbers), with its text for messages.
#[derive(Debug, Clone)]
pub struct Range {
    /// The smallest allowed value.
    pub min: Option<f64>,
    /// The largest allowed value.
    pub max: Option<f64>,
    /// The range as the pack wrote it (`1..100`), for messages.
    pub text: String,
}

impl Range {
    /// Whether `v` is in the range.
    pub fn contains(&self, v: f64) -> bool {
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }
}

/// A compiled column.
#[derive(Debug)]
pub struct Column {
    /// The column's name (English; used in reports and clean output).
    pub name: String,
    /// The Norwegian header.
    pub label_no: Option<String>,
    /// How its cells are read.
    pub ty: ColumnType,
    /// A blank cell is an error.
    pub required: bool,
    /// Values outside are errors.
    pub range: Option<Range>,
    /// Values outside are warnings.
    pub soft_range: Option<Range>,
    /// Index into [`Pack::codelists`].
    pub codelist: Option<usize>,
    /// A pattern every value must match.
    pub pattern: Option<Regex>,
    /// What the pattern means, for messages.
    pub pattern_help: Option<String>,
    /// Values must be unique in the table (within a return).
    pub unique: bool,
    /// The column's classes (identifier, quasi-identifier, free text, ...).
    pub class: Vec<IdClass>,
    /// The identifier type named by `id_type` (`drop` included).
    pub id_type: Option<String>,
    /// The canonical form of a pseudonymised identifier column (`None` for `drop` and others).
    pub id_form: Option<crate::ident::IdForm>,
    /// Code-list attributes clean output adds after this column.
    pub output_attributes: Vec<String>,
    /// Symbols that stand for a suppressed count in this column (`:`, `*`).
    pub suppressed: Vec<String>,
    /// Left out of clean output.
    pub drop: bool,
    /// Header keys that name this column.
    pub header_keys: Vec<String>,
    /// Further headers accepted, as written in the pack.
    pub aliases: Vec<String>,
    /// What the column holds, for humans (the template's input message).
    pub description: Option<String>,
}

impl Column {
    /// True for direct identifiers, whose values are masked in every report.
    pub fn is_identifier(&self) -> bool {
        self.class.contains(&IdClass::D)
    }

    /// True for free text, searched for leaked identifiers.
    pub fn is_free_text(&self) -> bool {
        self.class.contains(&IdClass::F)
    }
}

/// A file a pack loaded, with its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFile {
    /// Path relative to the pack.
    pub path: String,
    /// SHA-256 of its text.
    pub sha256: String,
}

/// A compiled relation to a row of an earlier table.
#[derive(Debug)]
pub struct Relation {
    /// The relation's name, used in expressions (`group.start_date`).
    pub name: String,
    /// The related (parent) table.
    pub table: usize,
    /// This table's key columns; empty for a single-row table.
    pub columns: Vec<usize>,
    /// The parent's key columns.
    pub references: Vec<usize>,
    /// Every row must have its related row (a foreign key).
    pub must_exist: bool,
    /// Index into [`Pack::lookups`].
    pub lookup: usize,
}

/// What the engine keeps of a parent table's rows for one relation: key → needed values.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The parent table.
    pub table: usize,
    /// The parent's key columns.
    pub key: Vec<usize>,
    /// Parent columns whose values are kept, in slot order.
    pub columns: Vec<usize>,
}

/// A compiled table.
#[derive(Debug)]
pub struct Table {
    /// The table's name.
    pub name: String,
    /// File name of the table in clean output.
    pub output: String,
    /// A return without this table is an error.
    pub required: bool,
    /// Keys of the sheet names (and the table name) that hold this table.
    pub sheet_keys: Vec<String>,
    /// Keys of the CSV file stems that hold this table.
    pub file_keys: Vec<String>,
    /// Glob patterns (`*`, `?`) of sheet names that hold this table, as keys (`ward *`).
    pub sheet_patterns: Vec<String>,
    /// Glob patterns of CSV file stems that hold this table.
    pub file_patterns: Vec<String>,
    /// `"*"` among the names: the table is in whichever sheet or file holds its header.
    pub by_header: bool,
    /// The sheet names the pack gives, as written (patterns and `"*"` left out).
    pub sheet_names: Vec<String>,
    /// The table's Norwegian name, if the pack gives it.
    pub label_no: Option<String>,
    /// The columns, in template order.
    pub columns: Vec<Column>,
    /// Composite unique keys, as column indices.
    pub unique: Vec<Vec<usize>>,
    /// Related rows in other tables.
    pub relations: Vec<Relation>,
    header_index: HashMap<String, usize>,
}

impl Table {
    /// The column a header names, if any.
    pub fn column_for_header(&self, header: &str) -> Option<usize> {
        self.header_index.get(&text::header_key(header)).copied()
    }

    /// The index of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// A loaded rule pack.
#[derive(Debug)]
pub struct Pack {
    /// The pack's name.
    pub name: String,
    /// The pack's version.
    pub version: String,
    /// What the pack is for.
    pub description: Option<String>,
    /// Where the pack came from: a path, or the embedded pack's path in the repository.
    pub path: String,
    /// True for the survey pack built into vakt.
    pub embedded: bool,
    /// SHA-256 over the pack TOML and every file it loaded (see [`Pack::sha256_of`]): editing a
    /// code list changes it.
    pub sha256: String,
    /// SHA-256 of the TOML alone.
    pub toml_sha256: String,
    /// The TOML, for mistakes found later (by the rule kinds) to point into.
    pub source: std::sync::Arc<str>,
    /// The files the pack loaded, sorted by path.
    pub files: Vec<PackFile>,
    /// The code lists, by index.
    pub codelists: Vec<CodeList>,
    /// Identifier types by name.
    pub id_types: Vec<IdType>,
    /// The column that identifies a return, if the pack names one.
    pub return_key: Option<ReturnKey>,
    /// The tables, in order (parents before the tables that refer to them).
    pub tables: Vec<Table>,
    /// Parent rows kept per relation, filled by the engine as parent tables stream.
    pub lookups: Vec<Lookup>,
    /// The plugins the pack declares.
    pub plugins: Vec<PluginDecl>,
    /// The distributions reports show (`[[profile]]`).
    pub profiles: Vec<Profile>,
    /// The tables `vakt publish` writes, protected together.
    pub publications: Vec<Publication>,
    /// The folder of the pack file (none for the embedded pack and packs given as text).
    pub dir: Option<std::path::PathBuf>,
}

impl Pack {
    /// Loads a pack from a TOML file; code lists are resolved relative to it.
    pub fn load(path: &Path) -> Result<Pack, Box<PackErrors>> {
        use crate::read::limits::{read_regular_text, MAX_PACK_BYTES, MAX_PACK_FILE_BYTES};
        let shown = path.display().to_string();
        let source = read_regular_text(path, MAX_PACK_BYTES)
            .map_err(|e| PackErrors::single(&shown, format!("cannot read the rule pack {shown}: {e}")))?;
        // A bare file name is in the current folder.
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let mut pack = Pack::from_source(&shown, source, &|rel: &str| {
            read_regular_text(&dir.join(rel), MAX_PACK_FILE_BYTES)
                .map_err(|e| format!("cannot read {}: {e}", dir.join(rel).display()))
        })?;
        pack.set_dir(dir);
        Ok(pack)
    }

    /// Sets the folder the pack's relative paths (a plugin's program, its working folder) are in.
    pub fn set_dir(&mut self, dir: std::path::PathBuf) {
        for p in &mut self.plugins {
            p.dir = Some(dir.clone());
        }
        self.dir = Some(dir);
    }

    /// The pack's hash: SHA-256 of the lines `toml <sha256>` and `<path> <sha256>` for each loaded
    /// file in path order, each ending in a newline.
    pub fn sha256_of(toml_sha256: &str, files: &[PackFile]) -> String {
        let mut h = Sha256::new();
        h.update(format!("toml {toml_sha256}\n"));
        for f in files {
            h.update(format!("{} {}\n", f.path, f.sha256));
        }
        crate::value::text::hex(&h.finalize())
    }

    /// The survey pack built into the binary.
    pub fn embedded() -> Result<Pack, Box<PackErrors>> {
        Pack::from_source(
            embedded::SURVEY_PACK_PATH,
            embedded::SURVEY_PACK.to_string(),
            &|rel: &str| {
                embedded::file(rel)
                    .map(str::to_string)
                    .ok_or_else(|| format!("no embedded file {rel}"))
            },
        )
        .map(|mut p| {
            p.embedded = true;
            p
        })
    }

    /// Parses and checks a pack's TOML; `resolve` reads a file named relative to the pack.
    pub fn from_source(
        shown: &str,
        source: String,
        resolve: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Pack, Box<PackErrors>> {
        let mut errs = Errs::new(shown, &source);
        // Keys of a [[table]] that the format does not define are rule entries: the check
        // stage's plan reads them from `source`.
        let spec: PackSpec = match toml::from_str(&source) {
            Ok(parsed) => parsed,
            Err(e) => {
                let span = e.span();
                errs.push(e.message().to_string(), span, "here", None);
                return Err(errs.finish());
            }
        };
        let toml_sha256 = crate::value::text::hex(&Sha256::digest(source.as_bytes()));
        let files = std::cell::RefCell::new(Vec::new());
        let resolve = |rel: &str| {
            let text = resolve(rel)?;
            files.borrow_mut().push(PackFile {
                path: rel.to_string(),
                sha256: crate::value::text::hex(&Sha256::digest(text.as_bytes())),
            });
            Ok::<String, String>(text)
        };

        let mut codelists = Vec::new();
        let mut codelist_index = HashMap::new();
        for (name, file) in &spec.codelists {
            let text = match file.get_ref() {
                spec::CodeListSpec::File(f) => resolve(f),
                spec::CodeListSpec::Inline(inline) => Ok(codes_csv(&inline.codes)),
            };
            match text.and_then(|text| CodeList::parse(name, &text).map_err(|e| e.to_string())) {
                Ok(list) => {
                    codelist_index.insert(name.clone(), codelists.len());
                    codelists.push(list);
                }
                Err(e) => errs.push(format!("code list `{name}`: {e}"), Some(file.span()), "this file", None),
            }
        }

        let id_types = roles::id_types(&spec.id_types, &mut errs);
        let mut tables: Vec<Table> = Vec::new();
        for t in &spec.tables {
            if tables.iter().any(|x| &x.name == t.name.get_ref()) {
                errs.push(
                    format!("table `{}` is defined twice", t.name.get_ref()),
                    Some(t.name.span()),
                    "again here",
                    None,
                );
            }
            tables.push(compile_table(t, &codelist_index, &id_types, &mut errs));
        }
        let mut lookups = Vec::new();
        if errs.is_empty() {
            for (ti, t) in spec.tables.iter().enumerate() {
                relations::compile(ti, t, &mut tables, &mut lookups, &mut errs);
                roles::output_attributes(t, &tables[ti], &codelists, &mut errs);
            }
        }
        let return_key = roles::return_key(spec.return_key.as_ref(), &tables, &mut errs);
        let plugins = plugins::compile(&spec.plugins, &mut errs);
        let profiles = profiles::compile(&spec.profiles, &tables, &codelists, &mut errs);
        let publications = publications::compile(&spec.publications, &tables, return_key.as_ref(), &mut errs);
        if tables.is_empty() {
            errs.push(
                "the pack defines no `[[table]]`".into(),
                None,
                "",
                Some("add a [[table]] with [[table.column]] entries".into()),
            );
        }
        if !errs.is_empty() {
            return Err(errs.finish());
        }
        let mut files = files.into_inner();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Pack {
            name: spec.name,
            version: spec.version,
            description: spec.description,
            path: shown.to_string(),
            embedded: false,
            sha256: Pack::sha256_of(&toml_sha256, &files),
            toml_sha256,
            source: std::sync::Arc::from(source.as_str()),
            files,
            codelists,
            id_types,
            return_key,
            tables,
            lookups,
            plugins,
            profiles,
            publications,
            dir: None,
        })
    }

    /// A column's code list.
    pub fn codelist(&self, column: &Column) -> Option<&CodeList> {
        column.codelist.map(|i| &self.codelists[i])
    }
}

fn compile_table(t: &TableSpec, codelists: &HashMap<String, usize>, id_types: &[IdType], errs: &mut Errs<'_>) -> Table {
    let name = t.name.get_ref().clone();
    let stem = |f: &String| {
        f.rsplit_once('.')
            .map(|(s, _)| s.to_string())
            .unwrap_or_else(|| f.clone())
    };
    // `*` alone is not a pattern of names: it asks for the table wherever its header is.
    let is_pattern = |s: &&String| s.contains(['*', '?']) && s.trim() != "*" && stem(s).trim() != "*";
    let by_header = t
        .sheets
        .iter()
        .chain(&t.files)
        .any(|s| s.trim() == "*" || stem(s).trim() == "*");
    let mut sheet_keys = vec![text::header_key(&name)];
    sheet_keys.extend(t.sheets.iter().filter(|s| !is_pattern(s)).map(|s| text::header_key(s)));
    // The Norwegian name is the sheet name of the Norwegian template: always accepted.
    sheet_keys.extend(t.label_no.iter().map(|s| text::header_key(s)));
    let sheet_patterns = t
        .sheets
        .iter()
        .filter(is_pattern)
        .map(|s| text::header_key(s))
        .collect();
    let mut file_keys = vec![text::header_key(&name)];
    file_keys.extend(
        t.files
            .iter()
            .filter(|f| !is_pattern(f))
            .map(|f| text::header_key(&stem(f))),
    );
    let file_patterns = t
        .files
        .iter()
        .filter(is_pattern)
        .map(|f| text::header_key(&stem(f)))
        .collect();
    // A clean dataset names its files after `output`: it can be checked with the same pack.
    if let Some(o) = &t.output {
        file_keys.push(text::header_key(o));
    }
    file_keys.dedup();
    let mut columns: Vec<Column> = Vec::new();
    let mut header_index = HashMap::new();
    for c in &t.columns {
        let col = compile_column(c, codelists, id_types, errs);
        if columns.iter().any(|x| x.name == col.name) {
            errs.push(
                format!("column `{}` is defined twice in table `{name}`", col.name),
                Some(c.name.span()),
                "again here",
                None,
            );
        }
        for k in &col.header_keys {
            if let Some(&other) = header_index.get(k) {
                if other == columns.len() {
                    continue; // two names of this same column fold to one key
                }
                let other: &Column = &columns[other];
                if other.name != col.name {
                    errs.push(
                        format!("header `{k}` would name both `{}` and `{}`", other.name, col.name),
                        Some(c.name.span()),
                        "this column",
                        Some("remove the alias from one of them".into()),
                    );
                }
            } else {
                header_index.insert(k.clone(), columns.len());
            }
        }
        columns.push(col);
    }
    let mut unique = Vec::new();
    for u in &t.unique {
        let mut idx = Vec::new();
        for n in u.get_ref() {
            match columns.iter().position(|c| &c.name == n) {
                Some(i) => idx.push(i),
                None => errs.push(
                    format!("unique key names `{n}`, which is not a column of `{name}`"),
                    Some(u.span()),
                    "this key",
                    closest(n, columns.iter().map(|c| c.name.as_str())).map(|c| format!("did you mean `{c}`?")),
                ),
            }
        }
        if idx.is_empty() {
            errs.push("an empty unique key".into(), Some(u.span()), "this key", None);
        } else {
            unique.push(idx);
        }
    }
    Table {
        output: t.output.clone().unwrap_or_else(|| name.clone()),
        name,
        required: t.required,
        sheet_keys,
        sheet_names: t.sheets.iter().filter(|s| !is_pattern(s)).cloned().collect(),
        label_no: t.label_no.clone(),
        file_keys,
        sheet_patterns,
        file_patterns,
        by_header,
        columns,
        unique,
        relations: Vec::new(),
        header_index,
    }
}

fn compile_column(
    c: &ColumnSpec,
    codelists: &HashMap<String, usize>,
    id_types: &[IdType],
    errs: &mut Errs<'_>,
) -> Column {
    let name = c.name.get_ref().clone();
    let ty = *c.ty.get_ref();
    let mut header_keys = vec![text::header_key(&name)];
    if let Some(no) = &c.label_no {
        header_keys.push(text::header_key(no));
    }
    header_keys.extend(c.aliases.iter().map(|a| text::header_key(a)));
    header_keys.dedup();

    let codelist = match &c.codelist {
        Some(cl) => match codelists.get(cl.get_ref()) {
            Some(&i) => Some(i),
            None => {
                let known: Vec<&str> = codelists.keys().map(String::as_str).collect();
                errs.push(
                    format!("column `{name}`: no code list named `{}`", cl.get_ref()),
                    Some(cl.span()),
                    "unknown code list",
                    Some(format!("the pack's [codelists] define: {}", sorted(known))),
                );
                None
            }
        },
        None => None,
    };
    if matches!(ty, ColumnType::Code | ColumnType::Icd10) && c.codelist.is_none() {
        errs.push(
            format!("column `{name}` has type `code` but no `codelist`"),
            Some(c.ty.span()),
            "code column",
            Some("add `codelist = \"NAME\"` naming one of the pack's [codelists]".into()),
        );
    }
    let pattern = c.pattern.as_ref().and_then(|p| {
        match Regex::new(&format!(
            "^(?:{})$",
            p.get_ref().trim_start_matches('^').trim_end_matches('$')
        )) {
            Ok(r) => Some(r),
            Err(e) => {
                errs.push(
                    format!("column `{name}`: invalid pattern: {e}"),
                    Some(p.span()),
                    "this pattern",
                    None,
                );
                None
            }
        }
    });
    let id_form = c
        .id_type
        .as_ref()
        .and_then(|t| roles::column_id_form(&name, t, c.class.contains(&IdClass::D), id_types, errs));
    let range = c.range.as_ref().and_then(|r| compile_range(&name, ty, r, errs));
    let soft_range = c.soft_range.as_ref().and_then(|r| compile_range(&name, ty, r, errs));
    Column {
        name,
        label_no: c.label_no.clone(),
        aliases: c.aliases.clone(),
        description: c.description.clone(),
        ty,
        required: c.required,
        range,
        soft_range,
        codelist,
        pattern,
        pattern_help: c.pattern_help.clone(),
        unique: c.unique,
        id_form,
        id_type: c.id_type.as_ref().map(|t| t.get_ref().clone()),
        output_attributes: c.output_attributes.iter().map(|a| a.get_ref().clone()).collect(),
        suppressed: c.suppressed.iter().map(|s| text::trim(s).to_string()).collect(),
        class: c.class.clone(),
        drop: c.drop,
        header_keys,
    }
}

/// A code list's CSV text for codes written in the pack (each its own label).
fn codes_csv(codes: &[String]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["code", "en", "no", "synonyms"]);
    for c in codes {
        let _ = w.write_record([c.as_str(), c.as_str(), c.as_str(), ""]);
    }
    w.into_inner()
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

/// The option closest to `name` (at most two edits), for "did you mean".
pub(crate) fn closest<'a>(name: &str, options: impl Iterator<Item = &'a str>) -> Option<String> {
    options
        .map(|o| (strsim::damerau_levenshtein(name, o), o))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, o)| o.to_string())
}

fn sorted(mut v: Vec<&str>) -> String {
    v.sort_unstable();
    v.join(", ")
}

fn compile_range(
    name: &str,
    ty: ColumnType,
    r: &serde_spanned::Spanned<RangeSpec>,
    errs: &mut Errs<'_>,
) -> Option<Range> {
    let span = r.span();
    let spec = r.get_ref();
    let mut bad = false;
    let mut bound = |b: &Option<Bound>| -> Option<f64> {
        match (b, ty) {
            (None, _) => None,
            (Some(Bound::Number(n)), ColumnType::Integer | ColumnType::Decimal | ColumnType::Minutes) => Some(*n),
            (Some(Bound::Date(s)), ColumnType::Date) => match crate::value::parse_date_text(s) {
                Ok((d, _)) => Some(d.0 as f64),
                Err(_) => {
                    errs.push(
                        format!("column `{name}`: `{s}` is not a date"),
                        Some(span.clone()),
                        "this range",
                        Some("write dates as \"YYYY-MM-DD\"".into()),
                    );
                    bad = true;
                    None
                }
            },
            (Some(_), _) => {
                errs.push(
                    format!("column `{name}`: this range does not fit a `{}` column", ty.as_str()),
                    Some(span.clone()),
                    "this range",
                    Some(
                        "numbers bound integer, decimal and minutes columns; \"YYYY-MM-DD\" strings bound date columns"
                            .into(),
                    ),
                );
                bad = true;
                None
            }
        }
    };
    let min = bound(&spec.min);
    let max = bound(&spec.max);
    if bad {
        return None;
    }
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            errs.push(
                format!("column `{name}`: min is above max"),
                Some(span),
                "this range",
                None,
            );
            return None;
        }
    }
    let show = |b: &Option<Bound>| match b {
        Some(Bound::Number(n)) => {
            let mut s = String::new();
            crate::value::cell::write_number(&mut s, *n);
            s
        }
        Some(Bound::Date(d)) => d.clone(),
        None => String::new(),
    };
    Some(Range {
        min,
        max,
        text: format!("{}..{}", show(&spec.min), show(&spec.max)),
    })
}

/// The JSON Schema of what the pack format defines itself; the rule kinds' sections are added by
/// the check stage (`vakt_core::check::pack_schema`).
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(PackSpec)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(src: &str) -> Result<Pack, Box<PackErrors>> {
        Pack::from_source("test.toml", src.to_string(), &|rel: &str| match rel {
            "sex.csv" => Ok("code,en,no,synonyms\nF,Female,Kvinne,K\nM,Male,Mann,\n".into()),
            other => Err(format!("no file {other}")),
        })
    }

    #[test]
    fn embedded_pack_loads() {
        let pack = Pack::embedded().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(pack.name, "group-therapy-survey");
        assert_eq!(pack.tables.len(), 6);
    }

    #[test]
    fn header_matching_is_case_and_space_insensitive() {
        let pack = load(
            r#"name = "t"
version = "1"
[codelists]
sex = "sex.csv"
[[table]]
name = "patients"
[[table.column]]
name = "birth_year"
label_no = "Fødselsår"
type = "integer"
range = { min = 1900, max = 2010 }
"#,
        )
        .unwrap();
        let t = &pack.tables[0];
        assert_eq!(t.column_for_header("  FØDSELSÅR "), Some(0));
        assert_eq!(t.column_for_header("Birth year"), Some(0));
        assert_eq!(t.column_for_header("birth_year"), Some(0));
        assert!(t.columns[0].range.as_ref().unwrap().contains(1950.0));
    }

    #[test]
    fn mistakes_point_into_the_toml() {
        let src = r#"name = "t"
version = "1"
[codelists]
sex = "sex.csv"
[[table]]
name = "patients"
[[table.column]]
name = "sex"
type = "code"
codelist = "gender"
[[table.column]]
name = "birth"
type = "date"
range = { min = 1900 }
pattern = "(["
"#;
        let err = load(src).unwrap_err();
        let messages: Vec<&str> = err.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(err.errors.len(), 3, "{messages:?}");
        assert!(messages[0].contains("no code list named `gender`"));
        let span = err.errors[0].span.unwrap();
        assert_eq!(&src[span.offset()..span.offset() + span.len()], "\"gender\"");
        assert!(messages.iter().any(|m| m.contains("invalid pattern")));
        assert!(messages.iter().any(|m| m.contains("does not fit a `date` column")));
    }

    #[test]
    fn a_relation_with_a_misspelt_table_or_column_gets_one_error_with_a_suggestion() {
        let src = |table: &str, column: &str| {
            format!(
                "name = \"t\"\nversion = \"1\"\n[[table]]\nname = \"groups\"\n[[table.column]]\nname = \"group_id\"\ntype = \"text\"\n[[table]]\nname = \"patients\"\n[[table.relation]]\nname = \"group\"\ntable = \"{table}\"\ncolumns = [\"{column}\"]\nreferences = [\"group_id\"]\n[[table.column]]\nname = \"group_id\"\ntype = \"text\"\n"
            )
        };
        let err = load(&src("grups", "group_id")).unwrap_err();
        let messages: Vec<&str> = err.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            vec!["relation `group`: no table `grups`; did you mean `groups`?"]
        );
        let err = load(&src("groups", "grup_id")).unwrap_err();
        let messages: Vec<&str> = err.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            vec!["relation: `grup_id` is not a column of `patients`; did you mean `group_id`?"]
        );
    }

    #[test]
    fn syntax_errors_and_unknown_top_level_keys_are_reported_with_spans() {
        let err = load("name = \n").unwrap_err();
        assert!(err.errors[0].span.is_some());
        let err = load("name = \"t\"\nversion = \"1\"\ncodelist = {}\n").unwrap_err();
        assert!(
            err.errors[0].message.contains("unknown field `codelist`"),
            "{}",
            err.errors[0].message
        );
        assert!(err.errors[0].span.is_some());
    }
}
