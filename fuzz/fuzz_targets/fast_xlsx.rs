//! The fast xlsx cell reader against calamine on any sheet XML, or on any shared-strings part
//! (an input starting with `S`, read through a fixed sheet of shared-string cells): the rows,
//! notices and error the two give must be the same (the fast reader hands over to calamine where
//! it cannot read on).
#![no_main]
use libfuzzer_sys::fuzz_target;

const SHARED: &[u8] = br#"<sst><si><t>a</t></si><si><t xml:space="preserve"> b </t></si></sst>"#;
const STYLES: &[u8] = br#"<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="46"/></cellXfs></styleSheet>"#;
const SHARED_CELLS: &[u8] = br#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c></row></sheetData></worksheet>"#;

fuzz_target!(|data: &[u8]| {
    let (sheet, shared) = match data.strip_prefix(b"S") {
        Some(shared) => (SHARED_CELLS, shared),
        None => (data, SHARED),
    };
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("f.xlsx");
    if vakt::read::fast_xlsx::write_package(&path, sheet, Some(shared), Some(STYLES), false).is_err() {
        return;
    }
    if let Some((by_calamine, by_fast, _)) = vakt::read::read_by_both(&path, "Data") {
        assert_eq!(by_calamine, by_fast);
    }
});
