//! The rule-pack file format: the serde structs a TOML pack deserialises into.
//!
//! These types are the single source of truth of the format's structure: tables, columns,
//! relations, code lists, identifier types. Rule entries (`[[table.count]]`, `[[table.rule]]`,
//! `[[table.check]]`) are each defined by their rule kind, in the kind's own file; `vakt schema`
//! joins both into one JSON Schema. Unknown keys are errors, so a typo in a pack never silently
//! turns a rule off.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_spanned::Spanned;
use std::collections::BTreeMap;

pub use crate::value::ColumnType;

/// A rule pack: the tables of a return, their columns and the rules on them.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackSpec {
    /// Short machine name of the pack, e.g. `group-therapy-survey`.
    pub name: String,
    /// Version of the pack (any string; shown in reports).
    pub version: String,
    /// What the pack checks, for humans.
    #[serde(default)]
    pub description: Option<String>,
    /// Code lists by name: a CSV file relative to the pack (`code,en,no,synonyms[,extra...]`), or
    /// the codes themselves (`{ codes = ["F", "M"] }`).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, CodeListSpec>")]
    pub codelists: BTreeMap<String, Spanned<CodeListSpec>>,
    /// Identifier types by name (`patient`, `hpr`): how their values are written canonically,
    /// checked, searched for in free text and pseudonymised. Columns name them with `id_type`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, IdTypeSpec>")]
    pub id_types: BTreeMap<String, Spanned<IdTypeSpec>>,
    /// The column that says which return a row belongs to (the authority's code). Keys,
    /// relations and counts hold within one return; clean output tags every row with it; two
    /// inputs with one value are a resubmission.
    #[serde(rename = "return", default)]
    pub return_key: Option<ReturnSpec>,
    /// The tables of a return, in the order they are checked and reported.
    #[serde(rename = "table", default)]
    pub tables: Vec<TableSpec>,
    /// Distributions the HTML report shows per return next to the national figure.
    #[serde(rename = "profile", default)]
    pub profiles: Vec<ProfileSpec>,
    /// Out-of-process plugins: programs in any language whose rule kinds the tables use in
    /// `[[table.check]]` (docs/plugins.md).
    #[serde(rename = "plugin", default)]
    pub plugins: Vec<PluginSpec>,
    /// The tables published from a clean dataset (`vakt publish`), protected together.
    #[serde(rename = "publication", default)]
    pub publications: Vec<PublicationSpec>,
}

/// A table to publish from the clean dataset (`[[publication]]`): what is counted, by what, and
/// the disclosure rule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicationSpec {
    /// Its name: the folder `vakt publish` writes it to (`dx-by-type`).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The clean table counted (`patients`).
    #[schemars(with = "String")]
    pub table: Spanned<String>,
    /// Tables joined to it for more columns: `{ table = "groups", on = ["authority_code",
    /// "group_id"] }`.
    #[serde(default)]
    pub join: Vec<JoinSpec>,
    /// The column whose categories are the rows.
    #[schemars(with = "String")]
    pub rows: Spanned<String>,
    /// The column whose categories are the columns.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub cols: Option<Spanned<String>>,
    /// The column whose categories are layers (a third dimension).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub layers: Option<Spanned<String>>,
    /// A hierarchy of rows: the columns whose categories hold the row categories, each the level
    /// above the last (`["block", "chapter"]`: diagnoses within blocks within chapters). Each
    /// category of each level gets a subtotal row, and the table is protected as one with its
    /// subtotals. Needs `cols`; not with `layers`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub rows_within: Vec<Spanned<String>>,
    /// Count distinct values of this column (a pseudonym: persons) instead of rows.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub count_distinct: Option<Spanned<String>>,
    /// The smallest count that may be shown (default 5).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// A named disclosure rule instead of `threshold` and `symbol`: `ssb` (3, `:`), `nav` (4,
    /// `*`), `helsedata` (3, `.`), `tre` (10, `:`), `survey` (5, `:`).
    #[serde(default)]
    pub preset: Option<String>,
    /// The symbol written for a suppressed cell (default `:`).
    #[serde(default)]
    pub symbol: Option<String>,
}

/// A table joined in a publication.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinSpec {
    /// The clean table joined.
    #[schemars(with = "String")]
    pub table: Spanned<String>,
    /// The columns both tables share, matched.
    pub on: Vec<String>,
}

/// A plugin: a program vakt starts once per run and speaks JSON Lines with (docs/plugins.md).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginSpec {
    /// The plugin's name, in messages (`patient-mix`).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The program and its arguments, e.g. `["python3", "plugins/mix.py"]`; a program given with a
    /// path is relative to the pack's folder, which is also its working folder.
    #[schemars(with = "Vec<String>")]
    pub command: Spanned<Vec<String>>,
    /// Seconds to wait for each answer (default 30); past it the plugin is stopped and the run
    /// fails.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub timeout: Option<Spanned<f64>>,
    /// Rows sent per message (default 1000).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub batch: Option<Spanned<u32>>,
    /// Let its rules name identifier columns (class `D`). Off by default: a plugin then never
    /// receives a personal identifier. When on, vakt warns once per run.
    #[serde(default)]
    pub allow_identifiers: bool,
}

/// A distribution reports show per return, next to the national figure (`[[profile]]`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// Its title.
    #[serde(default)]
    pub title: Option<String>,
    /// Its title in Norwegian.
    #[serde(default)]
    pub title_no: Option<String>,
    /// The table.
    #[schemars(with = "String")]
    pub table: Spanned<String>,
    /// The column: a code, boolean or number column.
    #[schemars(with = "String")]
    pub column: Spanned<String>,
    /// For number columns: the bins' lower bounds, ascending (`[0, 60, 90, 120]`).
    #[serde(default)]
    pub bins: Option<Vec<f64>>,
    /// For code columns: count a further column of the code list instead of the codes
    /// (`dx_group` of the ICD-10 list).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub attribute: Option<Spanned<String>>,
}

/// Where a code list comes from.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CodeListSpec {
    /// A CSV file relative to the pack: `code,en,no,synonyms[,extra...]`.
    File(String),
    /// The codes, written in the pack.
    Inline(InlineCodes),
}

/// A code list written in the pack: its codes, without labels.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlineCodes {
    /// The codes.
    pub codes: Vec<String>,
}

/// How the values of an identifier type are written canonically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IdFormSpec {
    /// A Norwegian national identity number (fødselsnummer, D-, H-, FH-number) or a local record
    /// number: separators removed, a lost leading zero restored, check digits checked.
    NationalId,
    /// Digits left-padded to `width` (HPR numbers: width 9); more digits are an error.
    Digits,
    /// The trimmed text as written.
    Text,
}

/// An identifier type.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdTypeSpec {
    /// The canonical form: `national-id`, `digits` or `text`.
    pub form: IdFormSpec,
    /// For `digits`: the width of the canonical form.
    #[serde(default)]
    pub width: Option<u8>,
}

/// The column that identifies a return.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnSpec {
    /// The table holding it; it must be the pack's first table.
    #[schemars(with = "String")]
    pub table: Spanned<String>,
    /// The column.
    #[schemars(with = "String")]
    pub column: Spanned<String>,
    /// A date column of the same table telling when the return was submitted: with
    /// `vakt clean --resubmissions latest`, the latest of two inputs with one return key is taken.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub submitted: Option<Spanned<String>>,
}

/// The keys of a `[[table]]` the pack format defines itself. Any other key is a section of rule
/// entries (`[[table.count]]`, `[[table.check]]`) for the check stage's rule kinds, which say
/// which sections they take; a key neither knows is an error there.
pub const TABLE_KEYS: &[&str] = &[
    "name", "label_no", "sheets", "files", "output", "required", "unique", "column", "relation",
];

/// One table of a return: a sheet of a workbook or a CSV file of a folder.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TableSpec {
    /// Canonical (English) name, also the name of the table in reports, e.g. `groups`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The table's Norwegian name: the sheet name of the Norwegian template (`vakt template`).
    #[serde(default)]
    pub label_no: Option<String>,
    /// Sheet names that hold this table (any language); drift like `Grupper (2)` is tolerated.
    /// A name with `*` or `?` is a pattern (`"Avdeling *"`); `"*"` alone finds the table in
    /// whichever sheet holds its header.
    #[serde(default)]
    pub sheets: Vec<String>,
    /// CSV file names that hold this table in a folder return, e.g. `grupper.csv`; patterns as
    /// for `sheets`.
    #[serde(default)]
    pub files: Vec<String>,
    /// File name (without extension) of the table in `vakt clean` output; default: the name.
    #[serde(default)]
    pub output: Option<String>,
    /// Whether a return without this table is an error (default true).
    #[serde(default = "yes")]
    pub required: bool,
    /// Column combinations that must be unique (after trim and case-fold), e.g. `[["group_id", "patient_id"]]`.
    #[serde(default)]
    #[schemars(with = "Vec<Vec<String>>")]
    pub unique: Vec<Spanned<Vec<String>>>,
    /// The columns, in template order.
    #[serde(rename = "column", default)]
    pub columns: Vec<ColumnSpec>,
    /// Related rows in other tables: foreign keys, and names for expressions (`group.start_date`).
    #[serde(rename = "relation", default)]
    pub relations: Vec<RelationSpec>,
}

/// How serious a rule's finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum RuleSeverity {
    /// Must be corrected.
    #[default]
    Error,
    /// Worth a look.
    Warning,
    /// For information.
    Info,
}

/// A related row: `columns` of this table name the row of `table` whose `references` match.
/// With no columns, the relation names the table's single row (`submission`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationSpec {
    /// Name used in expressions: `group` in `group.start_date`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The related table; it must come earlier in the pack.
    #[schemars(with = "String")]
    pub table: Spanned<String>,
    /// Columns of this table (the foreign key).
    #[serde(default)]
    pub columns: Vec<String>,
    /// Columns of the related table they match (its key).
    #[serde(default)]
    pub references: Vec<String>,
    /// Report rows whose key is not in the related table (default true when there are columns).
    #[serde(default = "yes")]
    pub must_exist: bool,
}

fn yes() -> bool {
    true
}

impl ColumnType {
    /// The name as written in packs.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Integer => "integer",
            ColumnType::Decimal => "decimal",
            ColumnType::Minutes => "minutes",
            ColumnType::Date => "date",
            ColumnType::Boolean => "boolean",
            ColumnType::Code => "code",
            ColumnType::Icd10 => "icd10",
        }
    }
}

/// Identifier class of a column, for pseudonymisation and disclosure control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum IdClass {
    /// Direct identifier: pseudonymise or drop before release; masked in every report.
    D,
    /// Quasi-identifier: counts toward disclosure risk.
    Q,
    /// Sensitive (health data).
    S,
    /// Free text: scanned for leaked identifiers.
    F,
}

/// A bound of a range: a number, or a date written as a string (`"2008-01-01"`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Bound {
    /// A number.
    Number(f64),
    /// A date (`2009-12-31`).
    Date(String),
}

/// Inclusive bounds; either may be left out.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeSpec {
    /// The smallest allowed value.
    pub min: Option<Bound>,
    /// The largest allowed value.
    pub max: Option<Bound>,
}

/// One column of a table.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Canonical (English) column name, e.g. `session_minutes`; also accepted as a header.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The Norwegian header of the template, e.g. `Varighet per møte (min)`.
    #[serde(default)]
    pub label_no: Option<String>,
    /// Further headers that name this column (English label, abbreviations, old templates).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// How cells are read.
    #[serde(rename = "type")]
    #[schemars(with = "ColumnType")]
    pub ty: Spanned<ColumnType>,
    /// Every data row must have a value.
    #[serde(default)]
    pub required: bool,
    /// Hard range: a value outside is an error.
    #[serde(default)]
    #[schemars(with = "Option<RangeSpec>")]
    pub range: Option<Spanned<RangeSpec>>,
    /// Soft range: a value outside (but inside the hard range) is a warning.
    #[serde(default)]
    #[schemars(with = "Option<RangeSpec>")]
    pub soft_range: Option<Spanned<RangeSpec>>,
    /// Name of a code list of the pack (for `code` and `boolean` columns).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub codelist: Option<Spanned<String>>,
    /// A regular expression the whole trimmed value must match.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub pattern: Option<Spanned<String>>,
    /// What the pattern means, for the message (`4 digits, leading zero kept`).
    #[serde(default)]
    pub pattern_help: Option<String>,
    /// Values must be unique in the table (after trim and case-fold).
    #[serde(default)]
    pub unique: bool,
    /// Identifier classes (`D`, `Q`, `S`, `F`).
    #[serde(default)]
    pub class: Vec<IdClass>,
    /// For `D` columns: an identifier type of `[id_types]` (pseudonymised in clean output), or
    /// `drop` (left out of clean output). A `D` column without one is dropped.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub id_type: Option<Spanned<String>>,
    /// Code-list columns to add to clean output after this column, each named after the code
    /// list's column (`["dx_group"]` adds the diagnosis group of an ICD-10 code).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub output_attributes: Vec<Spanned<String>>,
    /// Leave the column out of `vakt clean` output (free text a release should not carry).
    #[serde(default)]
    pub drop: bool,
    /// Symbols a publisher writes for a suppressed count (`:`, `*`, `..`): such a cell reads as a
    /// hidden value — not a type error, not a missing required value — and `small_count` rules
    /// count it as suppressed. `vakt clean` writes it empty.
    #[serde(default)]
    pub suppressed: Vec<String>,
    /// What the column holds, for humans.
    #[serde(default)]
    pub description: Option<String>,
}
