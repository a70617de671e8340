//! Rows read on a second thread, in batches, so that parsing (a CSV file's decoding, a workbook's
//! zip and XML) overlaps with checking.
//!
//! Buffers go back and forth, so a run allocates a few batches and no more. The thread ends with
//! an explicit end message: a thread that dies (a panic inside a reader) is an error naming the
//! file, never a silent end of file.

use super::{Notice, ReadError, RowBuf, RowSource};
use std::sync::mpsc::{Receiver, SyncSender};

/// The rows of a source read on another thread.
pub struct ThreadedRows {
    file: String,
    sheet: Option<String>,
    notices: Vec<Notice>,
    merged: Vec<((u32, u32), (u32, u32))>,
    batches: Receiver<Msg>,
    spare: SyncSender<Vec<RowBuf>>,
    current: Vec<RowBuf>,
    next: usize,
    done: bool,
}

enum Msg {
    Batch(Vec<RowBuf>),
    Failed(ReadError),
    End(Vec<Notice>),
}

const BATCH: usize = 512;

/// Batches a reader may read ahead, unless its caller says otherwise.
const READ_AHEAD: usize = 4;

/// The reader thread's end of a [`ThreadedRows`].
pub(crate) struct Pump {
    tx: SyncSender<Msg>,
    spares: Receiver<Vec<RowBuf>>,
}

impl Pump {
    /// Sends every row of `rows` in batches, then its notices, or the error that stopped it.
    /// Returns early when the rows' reader is dropped.
    pub(crate) fn run(self, rows: &mut dyn RowSource) {
        loop {
            let mut batch = self
                .spares
                .try_recv()
                .unwrap_or_else(|_| (0..BATCH).map(|_| RowBuf::default()).collect());
            batch.resize_with(BATCH, RowBuf::default);
            let mut n = 0;
            // The size of the row before: a new buffer is given room for a row like it, instead
            // of growing cell by cell (4 % of an xlsx return's instructions, most of its rows
            // being read into new buffers while the merged ranges are scanned).
            let mut size = (0, 0);
            while let Some(slot) = batch.get_mut(n) {
                slot.reserve(size);
                match rows.next_row(slot) {
                    Ok(true) => {
                        size = slot.size();
                        n = n.saturating_add(1);
                    }
                    Ok(false) => break,
                    Err(e) => {
                        batch.truncate(n);
                        let _ = self.tx.send(Msg::Batch(batch));
                        self.fail(e);
                        return;
                    }
                }
            }
            let last = n < BATCH;
            batch.truncate(n);
            // A closed channel means the reader was dropped: stop.
            if self.tx.send(Msg::Batch(batch)).is_err() {
                return;
            }
            if last {
                let _ = self.tx.send(Msg::End(rows.notices()));
                return;
            }
        }
    }

    /// Ends the rows with an error (the source could not be opened on the thread).
    pub(crate) fn fail(&self, e: ReadError) {
        let _ = self.tx.send(Msg::Failed(e));
    }
}

impl ThreadedRows {
    /// Reads `rows` (of the file named `file`) on a new thread.
    pub fn spawn(file: &str, rows: impl RowSource + Send + 'static) -> ThreadedRows {
        let merged = rows.merged_ranges();
        // Detached: the thread ends when the rows end or when these rows are dropped.
        let (threaded, _thread) = ThreadedRows::spawn_with((file, None), merged, READ_AHEAD, move |pump| {
            let mut rows = rows;
            pump.run(&mut rows);
        });
        threaded
    }

    /// Runs `read` on a new thread; it sends the rows through the [`Pump`] it is given, and what it
    /// returns comes back through the thread's handle. `at` names the file (and sheet) in errors;
    /// `merged` are the source's merged ranges ([`RowSource::merged_ranges`]), known before the
    /// rows are read. The thread reads at most `ahead` batches ahead of the rows given out.
    pub(crate) fn spawn_with<T: Send + 'static>(
        (file, sheet): (&str, Option<&str>),
        merged: Vec<((u32, u32), (u32, u32))>,
        ahead: usize,
        read: impl FnOnce(Pump) -> T + Send + 'static,
    ) -> (ThreadedRows, std::thread::JoinHandle<T>) {
        let (tx, batches) = std::sync::mpsc::sync_channel::<Msg>(ahead);
        let (spare, spares) = std::sync::mpsc::sync_channel::<Vec<RowBuf>>(ahead.saturating_add(4));
        let thread = std::thread::spawn(move || {
            super::guard::guard_thread();
            read(Pump { tx, spares })
        });
        let rows = ThreadedRows {
            file: file.to_string(),
            sheet: sheet.map(str::to_string),
            notices: Vec::new(),
            merged,
            batches,
            spare,
            current: Vec::new(),
            next: 0,
            done: false,
        };
        (rows, thread)
    }
}

impl RowSource for ThreadedRows {
    fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
        while self.next >= self.current.len() {
            if self.done {
                return Ok(false);
            }
            match self.batches.recv() {
                Ok(Msg::Batch(batch)) => {
                    let used = std::mem::replace(&mut self.current, batch);
                    let _ = self.spare.try_send(used);
                    self.next = 0;
                }
                Ok(Msg::End(notices)) => {
                    self.notices = notices;
                    self.done = true;
                }
                Ok(Msg::Failed(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Err(ReadError::Rows {
                        file: self.file.clone(),
                        sheet: self.sheet.clone(),
                        row: None,
                        reason: "the reader stopped before the end of the file".into(),
                    });
                }
            }
        }
        // The loop above leaves `next` inside the batch.
        if let Some(row) = self.current.get_mut(self.next) {
            std::mem::swap(buf, row);
        }
        self.next = self.next.saturating_add(1);
        Ok(true)
    }

    fn notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    fn merged_ranges(&self) -> Vec<((u32, u32), (u32, u32))> {
        self.merged.clone()
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod tests {
    use super::*;

    /// Gives `n` rows, then panics, as a reader with a bug would.
    struct Dies(u64);
    impl RowSource for Dies {
        fn next_row(&mut self, buf: &mut RowBuf) -> Result<bool, ReadError> {
            if self.0 == 0 {
                panic!("reader bug");
            }
            self.0 -= 1;
            buf.clear(self.0);
            Ok(true)
        }
    }

    #[test]
    fn a_reader_thread_that_dies_is_an_error_naming_the_file_not_an_end_of_file() {
        let mut rows = ThreadedRows::spawn("returns/x.csv", Dies(700));
        let mut buf = RowBuf::default();
        let mut n = 0;
        let err = loop {
            match rows.next_row(&mut buf) {
                Ok(true) => n += 1,
                Ok(false) => panic!("a dead reader read as the end of the file after {n} rows"),
                Err(e) => break e,
            }
        };
        assert_eq!(n, 512, "the batches sent before the panic arrive");
        assert!(err.to_string().contains("returns/x.csv"), "{err}");
    }
}
