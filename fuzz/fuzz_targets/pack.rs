//! The rule-pack loader on any TOML.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let result = vakt::pack::Pack::from_source("fuzz.toml", text.to_string(), &|rel: &str| {
        if rel.ends_with(".csv") {
            Ok("code,en,no,synonyms,dx_group\nA,a,a,,X\nB,b,b,,Y\n".to_string())
        } else {
            Err("no such file".into())
        }
    });
    if let Err(e) = result {
        let _ = e.render(false);
    }
});
