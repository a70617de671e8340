//! The rule-pack loader and the plan (every kind's configuration) on any TOML.
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
    // A pack that loads has its rule entries configured by the kinds, as every command does.
    let registry = vakt::check::Registry::builtin();
    match result.map(|pack| vakt::check::Plan::new(pack, registry)) {
        Ok(Ok(_)) => {}
        Ok(Err(e)) | Err(e) => {
            let _ = e.render(false);
        }
    }
});
