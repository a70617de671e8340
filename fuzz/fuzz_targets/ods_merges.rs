//! The OpenDocument span scanner on any content.xml: ends, never panics, keeps its bounds.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(spans) = vakt::read::ods_merges::spans(data, "Sheet1") {
        assert!(spans.len() <= 100_000);
        for d in spans {
            assert!(d.start.0 <= d.end.0 && d.start.1 <= d.end.1);
        }
    }
});
