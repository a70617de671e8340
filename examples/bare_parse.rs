//! The floor for `vakt check`: parse a file and touch every cell, nothing else.
//!
//! usage: cargo run --release --example bare_parse -- FILE.csv|FILE.xlsx
//! CSV goes through the csv crate (byte records); xlsx through calamine's streaming cell reader.

use calamine::Reader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: bare_parse FILE")?;
    let mut cells = 0u64;
    let mut rows = 0u64;
    if path.ends_with(".xlsx") {
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path)?;
        let sheet = wb.sheet_names().first().cloned().ok_or("no sheet")?;
        let mut reader = wb.worksheet_cells_reader(&sheet)?;
        let mut last = u32::MAX;
        while let Some(c) = reader.next_cell()? {
            cells += 1;
            if c.get_position().0 != last {
                rows += 1;
                last = c.get_position().0;
            }
        }
    } else {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_path(&path)?;
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec)? {
            rows += 1;
            cells += rec.len() as u64;
        }
    }
    println!("{rows} rows, {cells} cells");
    Ok(())
}
