//! The merged-range scanner on any sheet XML.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(m) = vakt::read::merges::find_merges(data) {
        for d in m {
            assert!(d.end.1 < 16_384 && u64::from(d.end.0) < 1_048_576);
        }
    }
});
