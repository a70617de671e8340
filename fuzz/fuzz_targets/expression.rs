//! The expression parser on any text, and its rendering of errors.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = vakt::expr::parse(text) {
        assert!(e.span.start <= e.span.end);
    }
    // Compiled inside a pack, so names, types and code literals are checked too.
    let pack = format!(
        "name = \"f\"\nversion = \"1\"\n[codelists]\nc = \"c.csv\"\n[[table]]\nname = \"t\"\n[[table.column]]\nname = \"a\"\ntype = \"integer\"\n[[table.column]]\nname = \"d\"\ntype = \"date\"\n[[table.column]]\nname = \"k\"\ntype = \"code\"\ncodelist = \"c\"\n[[table.rule]]\nname = \"r\"\nassert = {}\nmessage = \"m\"\n",
        toml_string(text)
    );
    let Ok(pack) = vakt::pack::Pack::from_source("f.toml", pack, &|_| Ok("code,en,no,synonyms\nA,a,a,\n".into())) else {
        return;
    };
    let registry = vakt::check::Registry::builtin();
    let _ = vakt::check::Plan::new(pack, registry);
});

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
