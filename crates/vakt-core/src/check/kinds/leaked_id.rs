use crate::check::Plan;
use crate::check::{Collector, ReturnRule, RowCtx, RuleKind, Sink};
use crate::finding::{CheckInfo, Finding, Location, Severity};
use crate::i18n::T;
use crate::ident::{scrub, IdSet, Leak, Scanner};
use crate::pack::ColumnType;

documented_check! {
    /// Personal identifiers in a text column that is not an identifier column: a comment or a name
    /// holding a fødselsnummer, a phone number, an e-mail address, or a value of one of the
    /// return's identifier columns. They must not reach the clean output.
    ///
    /// Every text column without class `D` is scanned for:
    /// - 11-digit numbers that pass the fødselsnummer / D-number checks, also written 6+5 with a
    ///   space or dash (`311299 56715`); bank account numbers written 4.2.5 are not matched;
    /// - Norwegian phone numbers: 8 digits starting 2-9, optionally after +47, whole or in blocks
    ///   (`91234567`, `912 34 567`, `91 23 45 67`);
    /// - e-mail addresses;
    /// - in free-text columns (class `F`): any value of an identifier column (a column with an
    ///   `id_type`) anywhere in the same return, in any spacing (`311299 56716`), whichever row or
    ///   table it is in: these cells are decided once the whole return has been read.
    ///
    /// The scan finds every match in a cell, also in lists (`A,B,C`: each number is seen, none
    /// swallowed by the separator), and reports the cell once, naming every kind of identifier in
    /// it. The value is shown with each identifier replaced by its tag (`ring [PHONE]`), exactly as
    /// `vakt clean` writes it.
    pub struct LeakedIdKind => "VK0208", "leaked-identifier";
}

impl RuleKind for LeakedIdKind {
    fn info(&self) -> CheckInfo {
        Self::INFO
    }

    fn return_rule<'p>(&self, plan: &'p Plan) -> Option<Box<dyn ReturnRule + 'p>> {
        let pack = plan.pack();
        // Per table: the text columns to scan, and whether each is free text.
        let scan: Vec<Vec<(usize, bool)>> = pack
            .tables
            .iter()
            .map(|t| {
                t.columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.ty == ColumnType::Text && !c.is_identifier())
                    .map(|(i, c)| (i, c.is_free_text()))
                    .collect()
            })
            .collect();
        let last_clean = scan.iter().map(|cols| vec![String::new(); cols.len()]).collect();
        Some(Box::new(LeakRule {
            scan,
            last_clean,
            pending: Vec::new(),
        }))
    }
}

/// A free-text cell to decide once every identifier of the return is known.
struct Pending {
    location: Location,
    text: String,
}

struct LeakRule {
    /// Per table: (column, free text).
    scan: Vec<Vec<(usize, bool)>>,
    /// Per table and scanned column: the last text found to hold nothing. A column often repeats
    /// its value from row to row (a patient's group), and what a text holds depends on the text
    /// alone: it is not scanned again while the column repeats it (the scan of every group id
    /// was 3 % of a whole return's instructions).
    last_clean: Vec<Vec<String>>,
    pending: Vec<Pending>,
}

/// Whether a text could hold an identifier of the return: a word of five or more characters with
/// a digit in it, or a run of digits.
fn may_hold_id(s: &str) -> bool {
    s.bytes().filter(u8::is_ascii_digit).count() >= 2
        && s.split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .any(|t| t.len() >= crate::ident::MIN_ID_LEN || t.bytes().all(|b| b.is_ascii_digit()))
}

fn leak_finding(location: Location, raw: &str, ids: Option<&IdSet>) -> Option<Finding> {
    let s = scrub(raw, ids);
    if s.kinds.is_empty() {
        return None;
    }
    let column = location.column.clone().unwrap_or_default();
    let kinds: Vec<crate::i18n::Said> = s
        .kinds
        .iter()
        .map(|k| {
            match k {
                Leak::Fnr => T::LeakFnr,
                Leak::Phone => T::LeakPhone,
                Leak::Email => T::LeakEmail,
                Leak::Id => T::LeakId,
            }
            .say(&[])
        })
        .collect();
    let what = crate::i18n::Said {
        en: join_words(&kinds, crate::i18n::Lang::En),
        nb: Some(join_words(&kinds, crate::i18n::Lang::Nb)),
    };
    let f = Finding {
        nb: None,
        code: LeakedIdKind::CODE.into(),
        severity: Severity::Error,
        message: String::new(),
        help: None,
        location,
        value: Some(s.text),
    };
    let message = T::Leaked.say_with(&[("column", &column)], &[("what", &what)]);
    Some(f.said(message, Some(T::HelpRemoveId.say(&[]))))
}

/// `a`, `a and b`, `a, b and c`, in a language.
fn join_words(words: &[crate::i18n::Said], lang: crate::i18n::Lang) -> String {
    let words: Vec<&str> = words.iter().map(|w| w.get(lang)).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), T::And.template(lang)),
    }
}

impl ReturnRule for LeakRule {
    fn observe(&mut self, table: usize, row: &RowCtx<'_>, out: &mut Sink<'_>) {
        let (Some(cols), Some(last_clean)) = (self.scan.get(table), self.last_clean.get_mut(table)) else {
            return;
        };
        for (&(c, free), last) in cols.iter().zip(last_clean) {
            let raw = row.text(c);
            if raw.is_empty() || *last == raw {
                continue;
            }
            // Most cells hold nothing: the location is made only for one that may.
            let location = || out.location(Some(row.row.row), row.physical(c), Some(&out.table.columns[c].name));
            if free {
                // Decided at the end: an identifier of a later row or table may be in it.
                if may_hold_id(raw) || !Scanner::global().scan(raw).is_empty() {
                    self.pending.push(Pending {
                        location: location(),
                        text: raw.to_string(),
                    });
                    continue;
                }
            } else if !Scanner::global().scan(raw).is_empty() {
                if let Some(f) = leak_finding(location(), raw, None) {
                    out.push(f);
                }
                continue;
            }
            last.clear();
            last.push_str(raw);
        }
    }

    fn finish(&mut self, _present: &[bool], out: &mut Collector) {
        for p in std::mem::take(&mut self.pending) {
            if let Some(f) = leak_finding(p.location, &p.text, Some(out.ids())) {
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testing::{codes, pack_top, run};

    const TOP: &str = "[id_types]\npatient = { form = \"national-id\" }\n";
    const COLS: &str = "[[table.column]]\nname = \"patient_id\"\ntype = \"text\"\nclass = [\"D\"]\nid_type = \"patient\"\n[[table.column]]\nname = \"note\"\ntype = \"text\"\nclass = [\"F\"]\n[[table.column]]\nname = \"place\"\ntype = \"text\"\n";

    #[test]
    fn an_identifier_is_found_in_free_text_whichever_row_holds_it() {
        let p = pack_top(TOP, COLS, "");
        for csv in [
            "patient_id,note,place\nEPJ-67890,see EPJ-12345,x\nEPJ-12345,hello,y\n",
            "patient_id,note,place\nEPJ-12345,hello,y\nEPJ-67890,see EPJ-12345,x\n",
        ] {
            let f = run(&p, csv);
            let leaks: Vec<_> = f.iter().filter(|f| f.code == "VK0208").collect();
            assert_eq!(leaks.len(), 1, "{csv}: {:?}", codes(&f));
            assert_eq!(leaks[0].value.as_deref(), Some("see [ID]"));
        }
    }

    /// A pack of these tests' own, whose id type has the text form: a `client` id column and a
    /// `remark` free-text column. Runs `csv` through it and gives what the leak findings show,
    /// after checking that no finding shows any of `hidden` (in any case).
    fn text_form_leaks(csv: &str, hidden: &[&str]) -> Vec<String> {
        let top = "[id_types]\nclient = { form = \"text\" }\n";
        let cols = "[[table.column]]\nname = \"client\"\ntype = \"text\"\nclass = [\"D\"]\nid_type = \"client\"\n[[table.column]]\nname = \"remark\"\ntype = \"text\"\nclass = [\"F\"]\n";
        let f = run(&pack_top(top, cols, ""), csv);
        for finding in &f {
            let all = format!("{} {:?}", finding.message, finding.value).to_lowercase();
            for raw in hidden {
                assert!(!all.contains(raw), "{raw} shown in {finding:?}");
            }
        }
        f.iter()
            .filter(|f| f.code == "VK0208")
            .map(|f| f.value.clone().unwrap_or_default())
            .collect()
    }

    /// Identifiers recorded in capitals, with spaces and non-ASCII letters, are found in free
    /// text written in lower case, and only the mask is shown.
    #[test]
    fn a_text_form_identifier_is_found_in_any_case() {
        let shown = text_form_leaks(
            "client,remark\n\u{a0}KLI-Ø7731 ,x\nAB-20417,y\n QX-55102 ,met qx-55102 today\nZZ-1,about kli-ø7731 and ab-20417\n",
            &["qx-55102", "kli-ø7731", "ab-20417"],
        );
        assert_eq!(shown, ["met [ID] today", "about [ID] and [ID]"]);
    }

    /// An identifier cell with a control or format character in it (a BEL pasted from another
    /// system, a zero-width space, a direction mark) is the identifier without it, so free text
    /// naming it is found and masked, and no finding shows it.
    #[test]
    fn an_identifier_with_invisible_characters_is_found_and_masked() {
        let shown = text_form_leaks(
            "client,remark\nAB-20417\u{7},x\nQX\u{200b}-55102,y\n\u{200e}KL-90001,z\nZZ-1,about ab-20417\u{7} and qx-55102\nZZ-2,see k\u{7}l-90001\n",
            &["20417", "55102", "90001"],
        );
        assert_eq!(shown, ["about [ID]\u{7} and [ID]", "see [ID]"]);
    }

    /// A return with more identifiers than the set sorts on one core: the identifier set is
    /// sealed on two, and an identifier is still found, and masked, in free text both before and
    /// after the row that holds it.
    #[test]
    fn identifiers_of_a_long_return_are_found_in_text_before_and_after_their_rows() {
        let rows = crate::ident::PARALLEL_SEAL + 100;
        let mut csv = String::from("client,remark\n");
        for i in 0..rows {
            let remark = match i {
                0 => format!("about cl-{:06}", rows - 1),
                i if i == rows - 1 => "met CL-000007".to_string(),
                _ => "x".to_string(),
            };
            csv.push_str(&format!("CL-{i:06},{remark}\n"));
        }
        let last = format!("cl-{:06}", rows - 1);
        let shown = text_form_leaks(&csv, &[&last, "cl-000007"]);
        assert_eq!(shown, ["about [ID]", "met [ID]"]);
    }

    /// A value the column repeats from row to row is reported on every row that holds it, and a
    /// clean value repeated does not hide a leak after it: only a text found to hold nothing is
    /// not scanned again.
    #[test]
    fn a_repeated_value_is_reported_on_every_row_that_holds_it() {
        let p = pack_top(TOP, COLS, "");
        let f = run(
            &p,
            "patient_id,note,place\nEPJ-11111,see EPJ-22222,tlf 91234567\nEPJ-22222,see EPJ-22222,tlf 91234567\nEPJ-33333,hello,Oslo\nEPJ-44444,hello,Oslo\nEPJ-55555,hello,tlf 91234567\nEPJ-66666,see EPJ-22222,Oslo\n",
        );
        let leaks: Vec<String> = codes(&f).into_iter().filter(|c| c.starts_with("VK0208")).collect();
        assert_eq!(
            leaks,
            [
                "VK0208@2:note",
                "VK0208@2:place",
                "VK0208@3:note",
                "VK0208@3:place",
                "VK0208@6:place",
                "VK0208@7:note"
            ]
        );
    }

    #[test]
    fn every_kind_in_a_cell_is_named_and_spaced_numbers_are_ids() {
        let p = pack_top(TOP, COLS, "");
        let f = run(
            &p,
            "patient_id,note,place\n311299 56716,tlf 91234567 og 31129956715,ring 912 34 567\nEPJ-1,pas 31129956716,\n",
        );
        let leaks: Vec<_> = f.iter().filter(|f| f.code == "VK0208").collect();
        assert_eq!(
            codes(&f).iter().filter(|c| c.starts_with("VK0208")).count(),
            3,
            "{:?}",
            codes(&f)
        );
        let msgs: Vec<&str> = leaks.iter().map(|f| f.message.as_str()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("a phone number and a fødselsnummer or D-number")),
            "{msgs:?}"
        );
        assert!(
            leaks.iter().any(|f| f.value.as_deref() == Some("pas [ID]")),
            "an invalid number of the return's id column, written without its space"
        );
        assert!(
            leaks.iter().any(|f| f.value.as_deref() == Some("ring [PHONE]")),
            "not only free text"
        );
    }
}
