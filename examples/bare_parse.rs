//! The floor for `vakt check`: parse a file and touch every cell, nothing else.
//!
//! usage: cargo run --release --example bare_parse -- FILE.csv|FILE.xlsx...
//! CSV goes through the csv crate (byte records); xlsx through calamine's streaming cell reader.
//! Several files are parsed one after the other (a whole return's CSV folder); every sheet of a
//! workbook is read.

use calamine::Reader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        return Err("usage: bare_parse FILE...".into());
    }
    let (mut rows, mut cells) = (0u64, 0u64);
    for path in &paths {
        let (r, c) = parse(path)?;
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
