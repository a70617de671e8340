//! The fast xlsx cell reader against calamine on any sheet XML: the rows, notices and error the two
//! give must be the same (the fast reader hands over to calamine where it cannot read on).
#![no_main]
use libfuzzer_sys::fuzz_target;

const SHARED: &[u8] = br#"<sst><si><t>a</t></si><si><t xml:space="preserve"> b </t></si></sst>"#;
const STYLES: &[u8] = br#"<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="46"/></cellXfs></styleSheet>"#;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("f.xlsx");
    if vakt::read::fast_xlsx::write_package(&path, data, Some(SHARED), Some(STYLES), false).is_err() {
        return;
    }
    if let Some((by_calamine, by_fast, _)) = vakt::read::read_by_both(&path, "Data") {
        assert_eq!(by_calamine, by_fast);
    }
});
