//! Number, duration, date, boolean and code parsing of any cell text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vakt::pack::{CodeList, ColumnType};
use vakt::read::{CellKind, CellRef};
use vakt::value::{parse, ParseCtx};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let list = CodeList::parse("sex", "code,en,no,synonyms\nF,Female,Kvinne,K\nM,Male,Mann,\n").ok();
    let mut scratch = String::new();
    let suppressed = [":".to_string(), "*".to_string()];
    for ty in [
        ColumnType::Text,
        ColumnType::Integer,
        ColumnType::Decimal,
        ColumnType::Minutes,
        ColumnType::Date,
        ColumnType::Boolean,
        ColumnType::Code,
    ] {
        for kind in [CellKind::Text, CellKind::DateIso, CellKind::Number(text.len() as f64)] {
            let ctx = ParseCtx {
                codes: list.as_ref(),
                date_1904: text.len() % 2 == 0,
                suppressed: &suppressed,
            };
            let _ = parse(ty, CellRef { kind, text }, &ctx, &mut scratch);
        }
    }
    let _ = vakt::value::parse_date_text(text);
});
