//! The floor for `vakt check`: parse a file and touch every cell, nothing else.
//!
//! usage: cargo run --release --example bare_parse -- [--vakt-xlsx] FILE.csv|FILE.xlsx...
//! CSV goes through the csv crate (byte records); xlsx through calamine's streaming cell reader,
//! or with `--vakt-xlsx` through vakt's own fast cell reader alone (an error where that reader
//! would hand a sheet over to calamine).
//! Several files are parsed one after the other (a whole return's CSV folder); every sheet of a
//! workbook is read.

use calamine::Reader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut paths: Vec<String> = std::env::args().skip(1).collect();
    let fast = paths.first().is_some_and(|a| a == "--vakt-xlsx");
    if fast {
        paths.remove(0);
    }
    if paths.is_empty() {
        return Err("usage: bare_parse [--vakt-xlsx] FILE...".into());
    }
    let (mut rows, mut cells) = (0u64, 0u64);
    for path in &paths {
        let (r, c) = if fast && path.ends_with(".xlsx") {
            parse_fast(path)?
        } else {
            parse(path)?
        };
        rows += r;
        cells += c;
    }
    println!("{rows} rows, {cells} cells");
    Ok(())
}

/// Rows and cells of one file.
fn parse(path: &str) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    let mut cells = 0u64;
    let mut rows = 0u64;
    if path.ends_with(".xlsx") {
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path)?;
        for sheet in wb.sheet_names() {
            let mut reader = wb.worksheet_cells_reader(&sheet)?;
            let mut last = u32::MAX;
            while let Some(c) = reader.next_cell()? {
                cells += 1;
                if c.get_position().0 != last {
                    rows += 1;
                    last = c.get_position().0;
                }
            }
        }
    } else {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_path(path)?;
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec)? {
            rows += 1;
            cells += rec.len() as u64;
        }
    }
    Ok((rows, cells))
}

/// Rows and cells of one workbook through vakt's fast cell reader (shared strings and styles read
/// first, as `vakt check` reads them).
fn parse_fast(path: &str) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    use vakt::read::fast_xlsx::{open_sheet, Book, SheetScan};
    let unsupported = |what: &str| format!("{path}: the fast reader does not read {what}");
    let names = calamine::open_workbook::<calamine::Xlsx<_>, _>(path)?.sheet_names();
    let book = Book::read(std::path::Path::new(path), false).map_err(|_| unsupported("the package"))?;
    let (mut rows, mut cells) = (0u64, 0u64);
    for sheet in names {
        let (mut zip, entry) = open_sheet(std::path::Path::new(path), &sheet).map_err(|_| unsupported(&sheet))?;
        let mut scan = SheetScan::new(Box::new(zip.by_name(&entry)?), &book);
        let mut last = u32::MAX;
        while let Some((row, _)) = scan.peek().map_err(|_| unsupported(&sheet))? {
            cells += 1;
            if row != last {
                rows += 1;
                last = row;
            }
            scan.take();
        }
    }
    Ok((rows, cells))
}
