//! ICD-10 codes, national identity numbers in every form, the leak scan and scrubbing.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use vakt::ident::{canonical, scrub, validate, IdForm, IdSet, Scanner};
use vakt::pack::CodeList;

static ICD: OnceLock<Option<CodeList>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let forms = [IdForm::NationalId, IdForm::Digits { width: 9 }, IdForm::Text];
    let mut ids = IdSet::new(forms.to_vec());
    for f in forms {
        let c = canonical(f, text);
        assert!(c.text.len() <= text.len() + 32);
        let _ = validate(f, text);
        ids.insert(f, text);
    }
    let _ = vakt::ident::nin::validate(text);
    for (_, r) in Scanner::global().scan(text) {
        assert!(text.get(r).is_some());
    }
    let s = scrub(text, Some(&ids));
    assert!(Scanner::global().scan(&s.text).is_empty() || s.text.contains('['));
    let icd = ICD.get_or_init(|| {
        vakt::pack::embedded::file("icd10-chapter-v.csv").and_then(|t| CodeList::parse("icd10", t).ok())
    });
    if let Some(list) = icd {
        let _ = vakt::value::icd10::parse(text, &list, &mut String::new());
    }
});
