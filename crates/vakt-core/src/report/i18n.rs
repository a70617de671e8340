//! The message catalogue: every fixed text of vakt's reports in Norwegian (bokmål) and English, in
//! one place, so a translation is one edit and no text is left in one language only.
//!
//! ```
//! use vakt_core::report::i18n::{Lang, Msg};
//! assert_eq!(Msg::Errors.text(Lang::Nb), "feil");
//! assert_eq!(Lang::from_locale("nb_NO.UTF-8"), Lang::Nb);
//! assert_eq!(Lang::from_locale("C"), Lang::En);
//! ```

/// A language of the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Norwegian bokmål.
    Nb,
}

impl Lang {
    /// The language a locale name asks for (`nb_NO.UTF-8`, `no`, `nn_NO`: Norwegian); English
    /// otherwise.
    pub fn from_locale(locale: &str) -> Lang {
        let l = locale.to_ascii_lowercase();
        if ["nb", "no", "nn"].iter().any(|p| l.starts_with(p)) {
            Lang::Nb
        } else {
            Lang::En
        }
    }

    /// The language of the environment: `LC_ALL`, `LC_MESSAGES`, then `LANG`; English when none
    /// is set.
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .map_or(Lang::En, |l| Lang::from_locale(&l))
    }

    /// The language's code for HTML (`en`, `nb`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nb => "nb",
        }
    }
}

macro_rules! catalogue {
    ($($(#[$doc:meta])* $key:ident => $en:literal, $nb:literal;)*) => {
        /// A fixed text of the reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Msg {
            $($(#[$doc])* $key,)*
        }

        impl Msg {
            /// Every message, for tests that each has both languages.
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)*];

            /// The text in a language.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$key, Lang::En) => $en, (Msg::$key, Lang::Nb) => $nb,)*
                }
            }
        }
    };
}

catalogue! {
    /// The HTML report's title.
    ReportTitle => "Validation report", "Valideringsrapport";
    /// Heading of the per-return summary.
    Returns => "Returns", "Innleveringer";
    /// A return (column header).
    Return => "Return", "Innlevering";
    /// Its format.
    Format => "Format", "Format";
    /// Data rows.
    Rows => "Data rows", "Datarader";
    /// Errors.
    Errors => "errors", "feil";
    /// Warnings.
    Warnings => "warnings", "advarsler";
    /// Notes (info findings).
    Notes => "notes", "merknader";
    /// Status column.
    Status => "Status", "Status";
    /// Status: no errors.
    StatusOk => "no errors", "ingen feil";
    /// Status: errors found.
    StatusErrors => "errors found", "feil funnet";
    /// Status: could not be read or checked completely.
    StatusFailed => "could not be checked", "kunne ikke kontrolleres";
    /// All returns together.
    Total => "All returns", "Alle innleveringer";
    /// Heading: findings by check.
    ByCheck => "Findings by check", "Funn per kontroll";
    /// Heading: findings by return.
    ByReturn => "Findings by return", "Funn per innlevering";
    /// Heading: distributions.
    Distributions => "Distributions per return", "Fordelinger per innlevering";
    /// The note under the distributions.
    DistributionsNote => "Share of each return's values in each category; the national row counts every return. A share is marked when it is more than 10 points from the national share and too far to be chance for a return of its size (3 standard errors).", "Andel av innleveringens verdier i hver kategori; den nasjonale raden teller alle innleveringer. En andel er merket når den er mer enn 10 prosentpoeng fra den nasjonale og for langt unna til å være tilfeldig for en innlevering av sin størrelse (3 standardfeil).";
    /// The national figure.
    National => "National", "Nasjonalt";
    /// Values counted.
    Counted => "values", "verdier";
    /// Heading: the findings.
    Findings => "Findings", "Funn";
    /// Filter: search box.
    Search => "Search", "Søk";
    /// Filter: any severity.
    AnySeverity => "any severity", "alle alvorlighetsgrader";
    /// Filter: any return.
    AnyReturn => "any return", "alle innleveringer";
    /// Shown count.
    Shown => "shown", "vist";
    /// Severity column.
    Severity => "Severity", "Alvorlighet";
    /// Code column.
    Code => "Code", "Kode";
    /// Where: file and sheet.
    Place => "File / sheet", "Fil / ark";
    /// Cell or line.
    Cell => "Cell", "Celle";
    /// Column.
    Column => "Column", "Kolonne";
    /// Message.
    Message => "Message", "Melding";
    /// Help.
    Help => "Help", "Råd";
    /// Severity: error.
    Error => "error", "feil";
    /// Severity: warning.
    Warning => "warning", "advarsel";
    /// Severity: note.
    Info => "note", "merknad";
    /// The rule pack.
    Pack => "Rule pack", "Regelsett";
    /// Line (CSV).
    Line => "line", "linje";
    /// Findings listed of all.
    Listed => "Findings listed", "Funn listet";
    /// Checked with.
    CheckedWith => "Checked with", "Kontrollert med";
    /// `in` between the findings and the rows they were found in.
    In => "in", "i";
    /// A return that could not be read or checked completely.
    NotChecked => "could not be read or checked completely", "kunne ikke leses eller kontrolleres helt";
    /// A table's margin.
    TableTotal => "Total", "I alt";
    /// The count column of a one-way table.
    TableCount => "count", "antall";
    /// The table's size and suppressions (summary.md).
    TableCells => "{cells} cells with margins. Threshold {n} (preset `{preset}`): {primary} cells with counts from 1 to {below} are suppressed (primary), and {secondary} more to protect them (secondary); suppressed cells are shown as `{symbol}`.", "{cells} celler med marginaler. Terskel {n} (forhåndsvalg `{preset}`): {primary} celler med antall fra 1 til {below} er skjult (primærundertrykking), og {secondary} til for å beskytte dem (sekundærundertrykking); skjulte celler vises som `{symbol}`.";
    /// The audit's verdict (summary.md): safe.
    TableSafe => "Audit: no suppressed cell can be derived exactly from the published figures, no suppressed small count can be shown to be below {n}, and no published count is below it.", "Revisjon: ingen skjult celle kan regnes ut eksakt fra de publiserte tallene, ingen skjult lite antall kan vises å være under {n}, og ingen publisert celle er under terskelen.";
    /// The audit's verdict (summary.md): not safe.
    TableNotSafe => "Audit: **the table is not safe: see audit.json.**", "Revisjon: **tabellen er ikke trygg: se audit.json.**";
    /// The method statement for a footnote (summary.md).
    TableMethod => "**Method (for a footnote):** Counts below {n} are suppressed ({symbol}). Further cells are suppressed so that no suppressed count, and no sum of small suppressed counts, can be calculated from the published figures (Gauss elimination), and so that no suppressed small count can be bounded below {n} (linear programming). Checked with vakt {version}.", "**Metode (til en fotnote):** Antall under {n} er skjult ({symbol}). Flere celler er skjult slik at ingen skjult verdi, og ingen sum av små skjulte verdier, kan regnes ut fra de publiserte tallene (Gauss-eliminasjon), og slik at ingen skjult liten verdi kan avgrenses til under {n} (lineær programmering). Kontrollert med vakt {version}.";
    /// The list was cut.
    ShowingSome => "showing {shown} findings; the totals count all of them", "viser {shown} funn; totalene teller alle";
}

/// Things counted in reports, with their singular and plural in each language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Noun {
    /// An error finding.
    Error,
    /// A warning finding.
    Warning,
    /// A note (info finding).
    Note,
    /// A data row.
    DataRow,
    /// A return.
    Return,
}

impl Noun {
    fn forms(self, lang: Lang) -> (&'static str, &'static str) {
        match (self, lang) {
            (Noun::Error, Lang::En) => ("error", "errors"),
            (Noun::Error, Lang::Nb) => ("feil", "feil"),
            (Noun::Warning, Lang::En) => ("warning", "warnings"),
            (Noun::Warning, Lang::Nb) => ("advarsel", "advarsler"),
            (Noun::Note, Lang::En) => ("note", "notes"),
            (Noun::Note, Lang::Nb) => ("merknad", "merknader"),
            (Noun::DataRow, Lang::En) => ("data row", "data rows"),
            (Noun::DataRow, Lang::Nb) => ("datarad", "datarader"),
            (Noun::Return, Lang::En) => ("return", "returns"),
            (Noun::Return, Lang::Nb) => ("innlevering", "innleveringer"),
        }
    }

    /// `1 error`, `2 errors`, `1 advarsel`, `2 advarsler`.
    pub fn count(self, n: u64, lang: Lang) -> String {
        let (one, many) = self.forms(lang);
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

/// A catalogue text with its `{name}` places filled in.
///
/// ```
/// use vakt_core::report::i18n::{fill, Lang, Msg};
/// assert_eq!(fill(Msg::ShowingSome.text(Lang::En), &[("shown", "3")]), "showing 3 findings; the totals count all of them");
/// ```
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_right_number() {
        assert_eq!(Noun::Error.count(1, Lang::En), "1 error");
        assert_eq!(Noun::Error.count(0, Lang::En), "0 errors");
        assert_eq!(Noun::Warning.count(1, Lang::Nb), "1 advarsel");
        assert_eq!(Noun::Warning.count(3, Lang::Nb), "3 advarsler");
        assert_eq!(Noun::DataRow.count(1, Lang::Nb), "1 datarad");
    }

    #[test]
    fn every_message_has_both_languages_and_they_differ_where_words_differ() {
        for m in Msg::ALL {
            assert!(!m.text(Lang::En).is_empty() && !m.text(Lang::Nb).is_empty(), "{m:?}");
        }
        assert_ne!(Msg::Errors.text(Lang::En), Msg::Errors.text(Lang::Nb));
    }
}
