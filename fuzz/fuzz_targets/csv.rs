//! The CSV reader on any bytes: encodings, delimiters, quotes, line ends, limits.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vakt::read::{CsvRows, RowBuf, RowSource};

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("t.csv");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let Ok(mut rows) = CsvRows::open("t.csv", &path) else { return };
    let mut buf = RowBuf::default();
    let mut n = 0u64;
    while let Ok(true) = rows.next_row(&mut buf) {
        n += 1;
        assert!(buf.len() <= 16_384);
        assert!(n <= data.len() as u64 + 1);
    }
    let _ = rows.notices();
});
