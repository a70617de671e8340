//! The message catalogue: every fixed text of vakt's reports in Norwegian (bokmål) and English, in
//! one place, so a translation is one edit and no text is left in one language only.
//!
//! Two tables: [`Msg`], the fixed texts of reports, and [`T`], the templates of findings'
//! messages and help, which the checks fill in with [`T::say`] and reports show in either language.
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
    /// The pattern is proven cheapest (summary.md).
    TableOptimal => "The suppression pattern is the cheapest that passes (proven; information loss {cost}, where the greedy pattern would lose {greedy}; loss = the sum of the hidden counts, margins included).", "Skjulemønsteret er det billigste som holder (bevist; informasjonstap {cost}, der det grådige mønsteret ville tapt {greedy}; tap = summen av de skjulte verdiene, marginer medregnet).";
    /// The pattern is not proven cheapest.
    TableNotOptimal => "The suppression pattern is safe but not proven the cheapest (information loss {cost}, gap up to {gap} %): the search for a cheaper one stopped at {why}.", "Skjulemønsteret er trygt, men ikke bevist det billigste (informasjonstap {cost}, avstand opptil {gap} %): letingen etter et billigere stoppet ved {why}.";
    /// The pattern is not proven cheapest: the search ran out of time.
    TableNotOptimalTimed => "The suppression pattern is safe but not proven the cheapest (information loss {cost}): the search for a cheaper one stopped at the time limit (`--time-limit` gives it longer).", "Skjulemønsteret er trygt, men ikke bevist det billigste (informasjonstap {cost}): letingen etter et billigere stoppet ved tidsgrensen (`--time-limit` gir den lengre tid).";
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

/// A catalogue text with its `{name}` places filled in, in one pass: text put in is never read
/// again, so a value holding `{other}` stays as it is. A place with no value stays as written.
///
/// ```
/// use vakt_core::report::i18n::{fill, Lang, Msg};
/// assert_eq!(fill(Msg::ShowingSome.text(Lang::En), &[("shown", "3")]), "showing 3 findings; the totals count all of them");
/// assert_eq!(fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]), "{b} and x");
/// ```
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .filter(|&c| after[..c].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        match close.and_then(|c| values.iter().find(|(k, _)| *k == &after[..c]).map(|(_, v)| (c, v))) {
            Some((c, v)) => {
                out.push_str(v);
                rest = &after[c + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Names joined with the word for "or" in each language, each name once (`` `a` or `b` ``).
pub fn either(names: &[String]) -> Said {
    let mut once: Vec<&String> = Vec::new();
    for n in names {
        if !once.contains(&n) {
            once.push(n);
        }
    }
    let join = |lang: Lang| {
        let or = format!(" {} ", T::Or.template(lang));
        once.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(&or)
    };
    Said {
        en: join(Lang::En),
        nb: Some(join(Lang::Nb)),
    }
}

/// A finding's text in both languages: English always, Norwegian when the text comes from the
/// catalogue (a plugin's messages, say, are as the plugin wrote them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Said {
    /// In English.
    pub en: String,
    /// In Norwegian, when the catalogue has it.
    pub nb: Option<String>,
}

impl Said {
    /// The text in a language (English when there is no Norwegian).
    pub fn get(&self, lang: Lang) -> &str {
        match (lang, &self.nb) {
            (Lang::Nb, Some(nb)) => nb,
            _ => &self.en,
        }
    }
}

impl Said {
    /// `text` followed by this text, in each language (`90` + ` minutes`).
    pub fn prefixed(&self, text: &str) -> Said {
        Said {
            en: format!("{text}{}", self.en),
            nb: self.nb.as_ref().map(|nb| format!("{text}{nb}")),
        }
    }
}

impl From<String> for Said {
    fn from(en: String) -> Said {
        Said { en, nb: None }
    }
}

impl From<&str> for Said {
    fn from(en: &str) -> Said {
        Said {
            en: en.to_string(),
            nb: None,
        }
    }
}

macro_rules! templates {
    ($($(#[$doc:meta])* $key:ident => $en:literal, $nb:literal;)*) => {
        /// The template of a finding's message or help, in both languages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum T {
            $($(#[$doc])* $key,)*
        }

        impl T {
            /// Every template, for tests that each has both languages.
            pub const ALL: &'static [T] = &[$(T::$key,)*];

            /// The template in a language.
            pub fn template(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((T::$key, Lang::En) => $en, (T::$key, Lang::Nb) => $nb,)*
                }
            }
        }
    };
}

impl T {
    /// The text with its places filled in, in both languages: `plain` values are the same in
    /// both (names, numbers, cell text), `said` values are texts in both languages themselves.
    pub fn say_with(self, plain: &[(&str, &dyn std::fmt::Display)], said: &[(&str, &Said)]) -> Said {
        let shown: Vec<(&str, String)> = plain.iter().map(|(k, v)| (*k, v.to_string())).collect();
        let fill_in = |lang: Lang| {
            let mut refs: Vec<(&str, &str)> = shown.iter().map(|(k, v)| (*k, v.as_str())).collect();
            refs.extend(said.iter().map(|(k, v)| (*k, v.get(lang))));
            fill(self.template(lang), &refs)
        };
        Said {
            en: fill_in(Lang::En),
            nb: Some(fill_in(Lang::Nb)),
        }
    }

    /// The text with its places filled in, in both languages.
    pub fn say(self, values: &[(&str, &dyn std::fmt::Display)]) -> Said {
        let shown: Vec<(&str, String)> = values.iter().map(|(k, v)| (*k, v.to_string())).collect();
        let refs: Vec<(&str, &str)> = shown.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Said {
            en: fill(self.template(Lang::En), &refs),
            nb: Some(fill(self.template(Lang::Nb), &refs)),
        }
    }
}

templates! {
    // ---- reading a cell (VK0102 and what a value is) -------------------------------------------
    /// A cell that cannot be read as its column's type.
    TypeWrong => "{column}: `{value}` {what} ({type} expected)", "{column}: `{value}` {what} ({type} forventet)";
    /// The types of columns, as messages name them.
    TypeText => "text", "tekst";
    /// Whole numbers.
    TypeInteger => "integer", "heltall";
    /// Decimal numbers.
    TypeDecimal => "decimal", "desimaltall";
    /// Minutes.
    TypeMinutes => "minutes", "minutter";
    /// Dates.
    TypeDate => "date", "dato";
    /// Yes or no.
    TypeBoolean => "boolean", "ja/nei";
    /// Codes.
    TypeCode => "code", "kode";
    /// ICD-10 codes.
    TypeIcd10 => "icd10", "ICD-10-kode";
    /// Not a number.
    IsNotNumber => "is not a number", "er ikke et tall";
    /// Help: write digits.
    HelpDigits => "write digits only, e.g. 12 or 1,5", "skriv bare sifre, f.eks. 12 eller 1,5";
    /// Not a whole number.
    IsNotInteger => "is not a whole number", "er ikke et heltall";
    /// A range given.
    IsRange => "is a range, not one value", "er et intervall, ikke én verdi";
    /// Help: give one number.
    HelpOneNumber => "give one number; if it varies, give the typical value and explain in the comment", "oppgi ett tall; varierer det, oppgi det vanlige og forklar i kommentaren";
    /// A bound given.
    IsBound => "is a bound (like >10), not one value", "er en grense (som >10), ikke én verdi";
    /// Help: the exact number.
    HelpExact => "give the exact number", "oppgi det eksakte tallet";
    /// Not a duration.
    IsNotDuration => "is not a duration", "er ikke en varighet";
    /// Help: minutes.
    HelpMinutes => "write minutes (90) or with a unit: 90 min, 1,5 t", "skriv minutter (90) eller med enhet: 90 min, 1,5 t";
    /// Not a date.
    IsNotDate => "is not a date", "er ikke en dato";
    /// Help: dates.
    HelpDates => "write dates as 01.02.2010 or 2010-02-01", "skriv datoer som 01.02.2010 eller 2010-02-01";
    /// No such date.
    IsNoSuchDate => "is a date that does not exist", "er en dato som ikke finnes";
    /// Two-digit year.
    IsTwoDigitYear => "has a two-digit year", "har tosifret årstall";
    /// Help: four-digit years.
    HelpFourDigits => "write the year in four digits: 01.02.2010", "skriv årstallet med fire sifre: 01.02.2010";
    /// Excel's zero date.
    IsZeroDate => "is Excel's zero date (serial 0), not a real date", "er Excels nulldato (serienummer 0), ikke en virkelig dato";
    /// Help: type the date (zero date).
    HelpZeroDate => "the date cell was probably left as a formula or cleared: type the date", "datocellen ble trolig stående som formel eller tømt: skriv inn datoen";
    /// 1900-02-29.
    IsFakeLeapDay => "is serial 60, 1900-02-29, a day that never existed", "er serienummer 60, 1900-02-29, en dag som aldri fantes";
    /// Help: type the date.
    HelpTypeDate => "type the date", "skriv inn datoen";
    /// Not yes or no.
    IsNotBoolean => "is not yes or no", "er ikke ja eller nei";
    /// Help: Ja or Nei.
    HelpJaNei => "write Ja or Nei", "skriv Ja eller Nei";
    // ---- required (VK0101) ----------------------------------------------------------------------
    /// A required value missing.
    RequiredEmpty => "{column} is required but empty", "{column} må fylles ut, men er tom";
    /// A required value only said to be unknown.
    RequiredUnknown => "{column} is required, but `{value}` only says the value is unknown", "{column} må fylles ut, men `{value}` sier bare at verdien er ukjent";
    /// Help: fill in the value.
    HelpFillIn => "fill in the value, or ask the unit for it", "fyll inn verdien, eller spør enheten om den";
    /// An optional value said to be unknown.
    ReadAsBlank => "`{value}` in {column} read as blank (unknown)", "`{value}` i {column} lest som tom (ukjent)";
    // ---- range (VK0103) -------------------------------------------------------------------------
    /// Outside the hard range.
    RangeOutside => "{column}: {value}{unit} is outside the allowed range {range}", "{column}: {value}{unit} er utenfor det tillatte området {range}";
    /// Outside the plausible range.
    RangeUnusual => "{column}: {value}{unit} is unusual (expected {range}); please confirm", "{column}: {value}{unit} er uvanlig (forventet {range}); bekreft verdien";
    /// Help: a typing slip.
    HelpTypingSlip => "a typing slip? {value} would be in range", "en tastefeil? {value} ville vært innenfor";
    // ---- code list (VK0104) ---------------------------------------------------------------------
    /// Not in the code list.
    CodeUnknown => "{column}: `{value}` is not in the code list `{list}`", "{column}: `{value}` er ikke i kodelisten `{list}`";
    /// Several codes in one cell.
    CodeSeveral => "{column}: `{value}` holds several values; one is expected", "{column}: `{value}` har flere verdier; én er forventet";
    /// Help: keep the main one.
    HelpKeepMain => "keep the main one; mention the others in the comment", "behold den viktigste; nevn de andre i kommentaren";
    /// Help: did you mean.
    HelpDidYouMean => "did you mean {value}?", "mente du {value}?";
    /// Help: the allowed codes.
    HelpAllowed => "allowed: {values}", "tillatt: {values}";
    /// Help: see the code list.
    HelpSeeList => "see the code list `{list}` ({count} codes)", "se kodelisten `{list}` ({count} koder)";
    // ---- pattern (VK0105) -----------------------------------------------------------------------
    /// Not of the form.
    PatternWrong => "{column}: `{value}` does not have the expected form", "{column}: `{value}` har ikke forventet form";
    /// Not of the form, and why.
    PatternWrongBecause => "{column}: `{value}` does not have the expected form: {why}", "{column}: `{value}` har ikke forventet form: {why}";
    /// Why: no @.
    WhyNoAt => "it has no @", "den har ingen @";
    /// Why: a space.
    WhySpace => "it holds a space", "den har et mellomrom";
    /// Why: not only digits.
    WhyNotDigits => "it holds characters other than digits", "den har andre tegn enn sifre";
    /// Why: length.
    WhyLength => "it has {count} characters, {width} expected", "den har {count} tegn, {width} forventet";
    /// Why: no domain.
    WhyNoDomain => "the part after @ is no domain (like example.no)", "delen etter @ er ikke et domene (som eksempel.no)";
    /// Help: expected form.
    HelpExpected => "expected {what}", "forventet: {what}";
    /// Help: lost leading zero.
    HelpLeadingZero => "a lost leading zero? Excel drops leading zeros from numbers: format the column as text", "en tapt null foran? Excel fjerner nuller foran tall: formater kolonnen som tekst";
    // ---- unique (VK0106) ------------------------------------------------------------------------
    /// An exact copy of a row.
    UniqueCopy => "row {row} is an exact copy of row {first} ({columns} `{value}`)", "rad {row} er en nøyaktig kopi av rad {first} ({columns} `{value}`)";
    /// A duplicate key.
    UniqueDuplicate => "duplicate {columns} `{value}`: already used in row {first}", "{columns} `{value}` finnes fra før: brukt i rad {first}";
    /// Help: delete the copy.
    HelpDeleteCopy => "delete the copied row", "slett den kopierte raden";
    /// Help: two rows, one key.
    HelpOneKey => "two different rows share one key: give each its own, or merge them", "to ulike rader har samme nøkkel: gi hver sin, eller slå dem sammen";
    // ---- Excel error (VK0107) -------------------------------------------------------------------
    /// An Excel error value.
    ExcelError => "{column}: Excel error value `{value}`", "{column}: Excel-feilverdi `{value}`";
    /// A cell outside the pack's columns.
    Cell => "cell", "celle";
    // ---- repairs (VK0108) -----------------------------------------------------------------------
    /// A value read another way.
    ReadAs => "{column}: `{value}` read as {read}{why}", "{column}: `{value}` lest som {read}{why}";
    /// Minutes.
    Minutes => " minutes", " minutter";
    /// Why: hours.
    WhyHours => ": a number this small is taken as hours", ": et så lite tall tas som timer";
    /// Why: approximate.
    WhyApproximate => ": the value is approximate", ": verdien er omtrentlig";
    /// Why: leading zeros restored.
    WhyZeroRestored => ": the leading zeros Excel drops from numbers were restored", ": nullene foran som Excel fjerner fra tall, ble lagt til igjen";
    /// Why: mojibake.
    WhyMojibake => ": garbled letters (wrong encoding) repaired", ": ødelagte bokstaver (feil tegnkoding) reparert";
    /// Why: serial.
    WhySerial => ": a serial number taken as an Excel date", ": et serienummer tatt som Excel-dato";
    /// Why: time dropped.
    WhyTimeDropped => ": the time of day was dropped", ": klokkeslettet ble fjernet";
    /// Why: time as minutes.
    WhyTimeAsMinutes => ": a time or duration taken as hours and minutes", ": et klokkeslett eller en varighet tatt som timer og minutter";
    /// Nothing more to say.
    Nothing => "", "";
    // ---- ICD-10 (VK0206) ------------------------------------------------------------------------
    /// An unknown diagnosis code.
    IcdUnknown => "{column}: `{value}` {what}", "{column}: `{value}` {what}";
    /// DSM-IV.
    IcdDsm => "looks like a DSM-IV code; the pack uses WHO ICD-10", "ser ut som en DSM-IV-kode; regelsettet bruker WHO ICD-10";
    /// ICD-10-CM.
    IcdCm => "looks like an ICD-10-CM (US) code; the pack uses WHO ICD-10", "ser ut som en ICD-10-CM-kode (USA); regelsettet bruker WHO ICD-10";
    /// Text.
    IcdText => "is text; give the ICD-10 code", "er tekst; oppgi ICD-10-koden";
    /// Outside chapter V.
    IcdOutside => "is outside chapter V (F00-F99)", "er utenfor kapittel V (F00-F99)";
    /// Not a code.
    IcdNotCode => "is not a code of ICD-10 chapter V", "er ikke en kode i ICD-10 kapittel V";
    /// Help: nearest code.
    HelpNearest => "nearest valid code: {value}", "nærmeste gyldige kode: {value}";
    /// Several diagnoses.
    IcdSeveral => "{column}: `{value}` holds several diagnoses; one main diagnosis is expected", "{column}: `{value}` har flere diagnoser; én hoveddiagnose er forventet";
    /// Help: keep the main diagnosis.
    HelpMainDiagnosis => "keep the main diagnosis", "behold hoveddiagnosen";
    /// A category with subcategories.
    IcdCategory => "{column}: `{value}` is a category with subcategories; the fourth character is missing", "{column}: `{value}` er en kategori med underkategorier; fjerde tegn mangler";
    /// Help: full code.
    HelpFullCode => "give the full code, e.g. {value}.1", "oppgi hele koden, f.eks. {value}.1";
    /// A Norwegian extension.
    IcdExtension => "{column}: `{value}` is a Norwegian clinical extension; read as {read}", "{column}: `{value}` er en norsk klinisk utvidelse; lest som {read}";
    /// A code written another way.
    IcdRead => "{column}: `{value}` read as {read}", "{column}: `{value}` lest som {read}";
    // ---- national id (VK0207) -------------------------------------------------------------------
    /// Leading zero restored.
    IdZeroRestored => "{column}: `{value}` had lost its leading zero; restored and valid", "{column}: `{value}` hadde mistet nullen foran; lagt til igjen, og gyldig";
    /// Leading zeros restored to fit a pattern.
    ZeroRestored => "{column}: `{value}` had lost its leading zeros; read as `{read}`", "{column}: `{value}` hadde mistet nullene foran; lest som `{read}`";
    /// Help: format as text.
    HelpFormatText => "format the column as text so Excel keeps leading zeros", "formater kolonnen som tekst så Excel beholder nuller foran";
    /// Not valid even with a zero.
    IdInvalidWithZero => "{column}: `{value}` is not a valid identity number, even with a leading zero: {why}", "{column}: `{value}` er ikke et gyldig identitetsnummer, heller ikke med null foran: {why}";
    /// Not valid.
    IdInvalid => "{column}: `{value}` is not a valid fødselsnummer or D-number: {why}", "{column}: `{value}` er ikke et gyldig fødselsnummer eller D-nummer: {why}";
    /// Help: check against source.
    HelpCheckSource => "check the number against its source", "kontroller nummeret mot kilden";
    /// Too many digits.
    IdTooLong => "{column}: `{value}` has {digits} digits; at most {width} are expected", "{column}: `{value}` har {digits} sifre; høyst {width} er forventet";
    /// Why: check digits.
    WhyCheckDigits => "its check digits do not match", "kontrollsifrene stemmer ikke";
    /// Why: date part.
    WhyDatePart => "its date part is not a real date", "datodelen er ikke en virkelig dato";
    /// Why: not 11 digits.
    WhyNotEleven => "it does not have 11 digits", "det har ikke 11 sifre";
    // ---- leaked identifiers (VK0208) ------------------------------------------------------------
    /// Identifiers in text.
    Leaked => "{column}: contains {what}; identifiers must not be in text columns", "{column}: inneholder {what}; identifikatorer skal ikke stå i tekstkolonner";
    /// Help: remove it.
    HelpRemoveId => "remove it; clean output replaces it with a tag", "fjern den; renset utdata erstatter den med en merkelapp";
    /// A fødselsnummer.
    LeakFnr => "a fødselsnummer or D-number", "et fødselsnummer eller D-nummer";
    /// A phone number.
    LeakPhone => "a phone number", "et telefonnummer";
    /// An e-mail address.
    LeakEmail => "an e-mail address", "en e-postadresse";
    /// An identifier of the return.
    LeakId => "an identifier of this return", "en identifikator fra denne innleveringen";
    /// `and` between the last two.
    And => "and", "og";
    // ---- relations (VK0202) and counts (VK0203) -------------------------------------------------
    /// A reference to nothing.
    ForeignMissing => "{columns} `{value}` is not in the table `{table}`", "{columns} `{value}` finnes ikke i tabellen `{table}`";
    /// Help: add or correct.
    HelpAddOrCorrect => "add {columns} `{value}` to `{table}`, or correct the reference", "legg {columns} `{value}` til i `{table}`, eller rett referansen";
    /// A count against all rows.
    CountAll => "{column} is {value}, but the table `{table}` has {actual} data rows", "{column} er {value}, men tabellen `{table}` har {actual} datarader";
    /// Help: count again.
    HelpCountAgain => "count the rows of `{table}` again", "tell radene i `{table}` på nytt";
    /// A count against the rows of a key.
    CountKey => "{column} is {value}, but the table `{table}` has {actual} rows with {columns} `{key}`", "{column} er {value}, men tabellen `{table}` har {actual} rader med {columns} `{key}`";
    /// Help: correct the count.
    HelpCorrectCount => "correct {column}, or the rows of `{table}` for this {columns}", "rett {column}, eller radene i `{table}` for denne {columns}";
    // ---- consistency (VK0204) and cardinality (VK0205) ------------------------------------------
    /// One difference.
    ConsistentDiff => "{column} {here} here but {there} in row {first}", "{column} {here} her, men {there} i rad {first}";
    /// The differences of one key.
    Inconsistent => "{columns} `{value}` has {diffs}", "{columns} `{value}` har {diffs}";
    /// Help: rows of one key must agree.
    HelpAgree => "rows with the same {columns} describe one thing and must agree on {checked}: correct the row that is wrong, or its {columns}", "rader med samme {columns} beskriver én ting og må stemme overens i {checked}: rett raden som er feil, eller {columns}";
    /// Too many rows.
    CardinalityMax => "{name}: {columns} `{value}` has {count} matching rows, at most {max} expected (the first in row {first})", "{name}: {columns} `{value}` har {count} rader som passer, høyst {max} forventet (den første i rad {first})";
    /// Too few rows.
    CardinalityMin => "{name}: {columns} `{value}` has {count} such rows; at least {min} expected", "{name}: {columns} `{value}` har {count} slike rader; minst {min} forventet";
    // ---- small counts (VK0212) ----------------------------------------------------------------
    /// A small count shown.
    SmallCount => "{column}: {value} is shown, but counts below {threshold} must be suppressed before publication", "{column}: {value} er vist, men antall under {threshold} skal skjules før publisering";
    /// Help: the symbol.
    HelpSuppressWith => "write `{symbol}` instead, or merge it with a neighbouring category", "skriv `{symbol}` i stedet, eller slå den sammen med en nabokategori";
    /// Help: suppress.
    HelpSuppress => "suppress it, or merge it with a neighbouring category", "skjul det, eller slå det sammen med en nabokategori";
    // ---- aggregate (VK0209), overlap (VK0210), previous (VK0211) ---------------------------------
    /// A total against its rows.
    Aggregate => "{column} is {value}, but {what}{whose} is {computed}{slack}", "{column} er {value}, men {what}{whose} er {computed}{slack}";
    /// The count of rows.
    AggCount => "the count of its rows of `{table}`", "antallet av radene i `{table}`";
    /// A function over rows.
    AggOver => "the {function} of `{of}` over its {rows} of `{table}`", "{function} av `{of}` over {rows} i `{table}`";
    /// One row.
    OneRow => "1 row", "1 rad";
    /// Rows.
    Rows => "{count} rows", "{count} rader";
    /// Sum.
    FnSum => "sum", "summen";
    /// Minimum.
    FnMin => "min", "minste verdi";
    /// Maximum.
    FnMax => "max", "største verdi";
    /// Mean.
    FnMean => "mean", "gjennomsnittet";
    /// With key.
    With => " with {columns} `{value}`", " med {columns} `{value}`";
    /// Share apart.
    ApartShare => " (more than {value} % apart)", " (mer enn {value} % fra hverandre)";
    /// Amount apart.
    ApartAmount => " (more than {value} apart)", " (mer enn {value} fra hverandre)";
    /// Help: correct the total.
    HelpCorrectTotal => "correct {column}, or the rows of `{table}` it sums up", "rett {column}, eller radene i `{table}` den summerer";
    /// Two periods overlap.
    Overlap => "the period {start} to {end} overlaps the same person's period {start2} to {end2} in {place}", "perioden {start} til {end} overlapper samme persons periode {start2} til {end2} i {place}";
    /// Still going.
    Ongoing => "ongoing", "pågående";
    /// A row.
    Row => "row {row}", "rad {row}";
    /// A row of a table.
    TableRow => "`{table}` row {row}", "`{table}` rad {row}";
    /// Help: correct a date.
    HelpCorrectDates => "correct a start or end date, or the person's id in one of the rows", "rett en start- eller sluttdato, eller personens id i en av radene";
    /// A new key.
    PreviousNew => "{columns} `{value}` is new: it was not in the previous period", "{columns} `{value}` er ny: den var ikke med i forrige periode";
    /// Help: new.
    HelpNew => "a new unit, or one renamed or renumbered?", "en ny enhet, eller en som har fått nytt navn eller nummer?";
    /// A key gone.
    PreviousGone => "{columns} `{value}` of the previous period is not in `{table}` of this return", "{columns} `{value}` fra forrige periode er ikke i `{table}` i denne innleveringen";
    /// Help: gone.
    HelpGone => "closed or merged since, or left out by mistake?", "lagt ned eller slått sammen siden, eller utelatt ved en feil?";
    /// A change too large.
    PreviousChange => "{column} is {value}; it was {before} in the previous period{pct}", "{column} er {value}; den var {before} i forrige periode{pct}";
    /// A value changed.
    PreviousSame => "{column} is {value}; it was {before} in the previous period for the same {columns} `{key}`", "{column} er {value}; den var {before} i forrige periode for samme {columns} `{key}`";
    /// Help: compare.
    HelpCompare => "check it against the previous return", "kontroller mot forrige innlevering";
    // ---- locating tables and rows (VK0002-VK0016) -----------------------------------------------
    /// Blank row skipped.
    BlankRow => "blank row {row} skipped", "tom rad {row} hoppet over";
    /// Blank rows skipped.
    BlankRows => "{count} blank rows ({from}-{to}) skipped", "{count} tomme rader ({from}-{to}) hoppet over";
    /// A totals row.
    TotalsRow => "totals row skipped (not data)", "summerad hoppet over (ikke data)";
    /// A note under the table.
    NoteRow => "note under the table skipped (not data)", "merknad under tabellen hoppet over (ikke data)";
    /// Help: read notes.
    HelpReadNote => "read it: notes can hold corrections, and sometimes personal data", "les den: merknader kan inneholde rettelser, og noen ganger personopplysninger";
    /// Several returns in one input without a return column.
    MixedReturns => "this input holds {count} returns, but `{table}` has no `{column}` column to say which return each row belongs to", "denne filen har {count} innleveringer, men `{table}` har ingen `{column}`-kolonne som sier hvilken innlevering hver rad hører til";
    /// Help: add the return column.
    HelpReturnColumn => "add a `{column}` column to every table, or send one return per input", "legg til en `{column}`-kolonne i hver tabell, eller send én innlevering per fil";
    /// The same return twice.
    DuplicateReturn => "the return `{value}` is also in {others}", "innleveringen `{value}` finnes også i {others}";
    /// Help: resubmission.
    HelpResubmission => "a corrected copy sent again? `vakt clean` takes one only with --resubmissions latest", "en rettet kopi sendt på nytt? `vakt clean` tar bare én, med --resubmissions latest";
    /// One CSV file of a return.
    SingleFile => "one file of a return: the other tables ({tables}) and the rules across tables were not checked", "én fil av en innlevering: de andre tabellene ({tables}) og reglene på tvers av tabeller ble ikke kontrollert";
    /// Help: check the whole return.
    HelpWholeReturn => "check the whole return: its folder or workbook", "kontroller hele innleveringen: mappen eller arbeidsboken";
    /// A parent table missing.
    ParentMissing => "`{table}` refers to `{parent}`, which is missing or unreadable in this return: none of its {rows} rows' {columns} can be resolved", "`{table}` viser til `{parent}`, som mangler eller ikke kan leses i denne innleveringen: ingen av de {rows} radenes {columns} kan slås opp";
    /// Help: send the parent.
    HelpSendParent => "send the `{parent}` table with the return", "send tabellen `{parent}` med innleveringen";
    /// No header row.
    HeaderNotFound => "no header row for table `{table}` in the first {rows} rows", "ingen overskriftsrad for tabellen `{table}` i de første {rows} radene";
    /// Help: the header.
    HelpHeader => "the header row names the columns, e.g. {names}", "overskriftsraden navngir kolonnene, f.eks. {names}";
    /// A required column missing.
    RequiredColumnMissing => "required column `{column}` not found in the header", "påkrevd kolonne `{column}` ble ikke funnet i overskriften";
    /// An optional column missing.
    OptionalColumnMissing => "optional column `{column}` not found in the header", "valgfri kolonne `{column}` ble ikke funnet i overskriften";
    /// Help: add the column.
    HelpAddColumn => "add a column headed {names}", "legg til en kolonne med overskriften {names}";
    /// A header one or two letters from a missing column's.
    HelpNearHeader => "the file's `{header}` is close to the pack's `{expected}` for `{column}`: a typo in the pack or in the file?", "filens `{header}` ligner regelsettets `{expected}` for `{column}`: en skrivefeil i regelsettet eller i filen?";
    /// A column the pack does not know.
    UnknownColumn => "column `{column}` is not in the pack; kept but not checked", "kolonnen `{column}` er ikke i regelsettet; beholdt, men ikke kontrollert";
    /// A column twice.
    RepeatedColumn => "a second column for `{column}`; only the first is read", "en kolonne til for `{column}`; bare den første leses";
    /// `or` between names.
    Or => "or", "eller";
    /// A CSV file of no known table.
    WhichTable => "cannot tell which table `{file}` holds", "kan ikke se hvilken tabell `{file}` inneholder";
    /// Help: name the file.
    HelpNameFile => "name the file after its table: {names}", "gi filen navn etter tabellen: {names}";
    /// A table twice.
    DuplicateTable => "table `{table}` is also in {other}; only {chosen} was checked", "tabellen `{table}` finnes også i {other}; bare {chosen} ble kontrollert";
    /// Help: remove the copy.
    HelpRemoveCopy => "remove the extra copy, or rename it if it holds other data", "fjern den ekstra kopien, eller gi den nytt navn om den har andre data";
    /// A table missing.
    MissingTable => "table `{table}` not found", "tabellen `{table}` ble ikke funnet";
    /// Help: expected sheets or files.
    HelpExpectedNames => "expected {names}", "forventet {names}";
    /// A sheet or file of no table.
    UnknownPart => "{part} matches no table of the pack and was not checked", "{part} passer ikke til noen tabell i regelsettet og ble ikke kontrollert";
    /// A sheet.
    Sheet => "sheet '{name}'", "arket '{name}'";
    /// A file.
    File => "file {name}", "filen {name}";
    /// A sheet named.
    SheetNamed => "a sheet named {names}", "et ark som heter {names}";
    /// A file named.
    FileNamed => "a file named {names}", "en fil som heter {names}";
    /// Findings not listed.
    FindingsCut => "{count} more {code} findings ({severity}s) in this table are counted but not listed: the list keeps the first {max}", "{count} flere {code}-funn ({severity}) i denne tabellen er telt, men ikke listet: listen beholder de første {max}";
    /// Cells past the last column.
    PastLastColumn => "cells past column XFD (the {max}th) are not read; the first is in row {row}", "celler etter kolonne XFD (den {max}.) leses ikke; den første er i rad {row}";
    /// Rows past the last row.
    PastLastRow => "rows past row {max} are not read", "rader etter rad {max} leses ikke";
    /// A value cut.
    ValueCut => "a value longer than {max} characters was cut there (a cell holds no more)", "en verdi lengre enn {max} tegn ble kuttet der (en celle rommer ikke mer)";
    /// UTF-8 with stray bytes.
    MostlyUtf8 => "read as UTF-8; line {line} holds bytes that are not UTF-8, read there as Windows-1252", "lest som UTF-8; linje {line} har byte som ikke er UTF-8, lest der som Windows-1252";
    /// Windows-1252.
    ReadAs1252 => "read as Windows-1252 (the file is not UTF-8)", "lest som Windows-1252 (filen er ikke UTF-8)";
    /// A quote never closed.
    QuoteNeverClosed => "a quoted field that starts on line {start} runs to the end of the file ({lines} lines): a closing quote is missing", "et felt i anførselstegn som starter på linje {start} går til slutten av filen ({lines} linjer): et avsluttende anførselstegn mangler";
    /// Fields past the last column.
    PastLastField => "fields past the {max}th of a line are not read", "felt etter det {max}. på en linje leses ikke";
    /// A line with stray bytes.
    StrayBytes => "line {line} holds bytes that are not UTF-8; read there as Windows-1252", "linje {line} har byte som ikke er UTF-8; lest der som Windows-1252";
    /// The input cannot be opened.
    CannotOpen => "{file}: cannot open: {reason}", "{file}: kan ikke åpnes: {reason}";
    /// Not a return.
    Unsupported => "{file}: not a supported return (expected .xlsx, .xlsm, .xlsb, .xls, .ods, .csv or a folder of CSV files)", "{file}: ikke en innlevering vakt kan lese (forventet .xlsx, .xlsm, .xlsb, .xls, .ods, .csv eller en mappe med CSV-filer)";
    /// Encrypted.
    Encrypted => "{file}: the workbook is password-protected or encrypted; save an unprotected copy and check that", "{file}: arbeidsboken er passordbeskyttet eller kryptert; lagre en ubeskyttet kopi og kontroller den";
    /// Corrupt.
    Corrupt => "{file}: the workbook is corrupt or not a spreadsheet: {reason}", "{file}: arbeidsboken er skadet eller ikke et regneark: {reason}";
    /// A rule failed while checking.
    RuleFailed => "{file}: a rule stopped while checking it, a fault in vakt or in a rule kind of the pack, not in the file (please report it): {reason}", "{file}: en regel stoppet under kontrollen, en feil i vakt eller i en regeltype i regelpakken, ikke i filen (meld gjerne fra om den): {reason}";
    /// vakt failed while writing clean data.
    WriteFailed => "{file}: vakt stopped while writing its clean data, a fault in vakt, not in the file (please report it): {reason}", "{file}: vakt stoppet under skrivingen av de rensede dataene, en feil i vakt, ikke i filen (meld gjerne fra om den): {reason}";
    /// Binary named .csv.
    NotText => "{file}: not a text file: it looks like {what}; a CSV file is text", "{file}: ikke en tekstfil: den ser ut som {what}; en CSV-fil er tekst";
    /// Reading failed.
    ReadFailed => "{file}{sheet}: read failed{row}: {reason}", "{file}{sheet}: lesingen feilet{row}: {reason}";
    /// In a sheet.
    InSheet => " sheet '{name}'", " arket '{name}'";
    /// At a row.
    AtRow => " at row {row}", " i rad {row}";
    /// A plugin failed.
    PluginFailed => "plugin `{name}`: {why}", "tillegget `{name}`: {why}";
    /// Help: the check is incomplete.
    HelpPluginFailed => "the check of this return is incomplete; fix the plugin or leave its rules out of the pack", "kontrollen av denne innleveringen er ufullstendig; rett tillegget eller ta reglene dets ut av regelsettet";
    /// No table of the pack in a return.
    NoTableOfPack => "no table of the pack `{pack}` was found in this return{embedded}: is it another kind of return?", "ingen tabell fra regelsettet `{pack}` ble funnet i denne innleveringen{embedded}: er det en annen type innlevering?";
    /// The pack is the built-in one.
    BuiltIn => " (the survey pack built into vakt, used when --rules is not given)", " (kartleggingens regelsett innebygd i vakt, brukt når --rules ikke er gitt)";
    /// Help: give the pack.
    HelpGivePack => "check it with its own pack: vakt check --rules PACK RETURN (vakt infer RETURN drafts one)", "kontroller den med sitt eget regelsett: vakt check --rules REGELSETT INNLEVERING (vakt infer INNLEVERING lager et utkast)";
    /// Help: fix the first.
    HelpFixFirst => "fix the first ones and check again; the totals count all", "rett de første og kontroller på nytt; totalene teller alle";
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
