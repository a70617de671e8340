//! Reading a workbook's sheets, each on a second thread that takes the workbook with it and hands it
//! back (`crates/vakt-core/src/read/workbook.rs`, `sheet_rows`). The oracle is what the test wrote
//! with rust_xlsxwriter, never what the reader says.

use rust_xlsxwriter::Workbook;
use vakt_core::read::{Input, RowBuf};

/// The cells the test writes at 0-based `row` of sheet `sheet`.
fn expected(sheet: &str, row: u32) -> [String; 3] {
    [
        format!("{sheet}{row}"),
        (u64::from(row) * 7).to_string(),
        format!("x {row}"),
    ]
}

fn write_book(path: &std::path::Path, sheets: &[(&str, u32)]) {
    let mut wb = Workbook::new();
    for &(name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for r in 0..rows {
            let [a, _, c] = expected(name, r);
            ws.write_string(r, 0, a).unwrap();
            ws.write_number(r, 1, f64::from(r) * 7.0).unwrap();
            ws.write_string(r, 2, c).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// Reads up to `limit` rows of the part named `sheet`, checking each against what was written;
/// returns how many it read.
fn read_sheet(input: &mut Input, sheet: &str, limit: usize) -> usize {
    let idx = input.parts.iter().position(|p| p.name == sheet).unwrap();
    let mut rows = input.rows(idx).unwrap();
    let mut buf = RowBuf::default();
    let mut n = 0;
    while n < limit && rows.next_row(&mut buf).unwrap() {
        let want = expected(sheet, n as u32);
        let got: Vec<&str> = buf.iter().map(|c| c.text).collect();
        assert_eq!(got, want, "{sheet} row {}", buf.row);
        assert_eq!(buf.row, n as u64 + 1, "{sheet}: rows come in order, none skipped");
        n += 1;
    }
    n
}

/// Runs `f` on a thread and fails if it has not finished within a minute: a reader that waits
/// for a thread waiting for it is a failure here, not a hung test run.
fn within_a_minute(f: impl FnOnce() + Send + 'static) {
    let (done, finished) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    match finished.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(()) => worker.join().unwrap(),
        // The sender is gone without a message: `f` panicked; show its panic.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => std::panic::resume_unwind(worker.join().unwrap_err()),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("reading the workbook hung"),
    }
}

#[test]
fn sheets_read_on_a_thread_give_every_row_and_the_workbook_comes_back_after_an_early_stop() {
    within_a_minute(read_two_sheets_in_turns);
}

fn read_two_sheets_in_turns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.xlsx");
    // More rows than the channel holds in flight (a few batches of 512): a reader dropped after
    // one row leaves its thread waiting to send, and the workbook must still come back.
    write_book(&path, &[("A", 6_000), ("B", 3_000)]);
    let mut input = Input::open(&path).unwrap();
    assert_eq!(read_sheet(&mut input, "A", 1), 1);
    assert_eq!(read_sheet(&mut input, "B", usize::MAX), 3_000);
    assert_eq!(read_sheet(&mut input, "A", usize::MAX), 6_000);
    assert_eq!(read_sheet(&mut input, "B", 10), 10);
    assert_eq!(
        read_sheet(&mut input, "A", usize::MAX),
        6_000,
        "a sheet can be read again"
    );
}
