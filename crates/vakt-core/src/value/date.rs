//! Calendar dates as day numbers, and the Excel serial-date systems.
//!
//! A date is a count of days since 1970-01-01, so comparison and arithmetic are integer operations.
//! Excel's 1900 system counts 1900-02-29, which never existed, as serial 60; serial 0 is the blank
//! "zero date". Both are errors, never silently shifted.

use std::fmt;

/// A calendar date, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

/// Why a serial number is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerialError {
    /// Serial 0, Excel's empty date.
    Zero,
    /// Serial 60, 1900-02-29, which never existed.
    FakeLeapDay,
    /// Before year 1 or after 9999.
    OutOfRange,
}

impl Date {
    /// The date for a year, month and day, if it exists.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) || !(1..=9999).contains(&y) {
            return None;
        }
        Some(Date(days_from_civil(y, m, d)))
    }

    /// Year, month and day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// The date of an Excel serial number. The fraction (time of day) is ignored. The last day
    /// either system counts to is 9999-12-31: serial 2,958,465 from 1900, 2,957,003 from 1904.
    pub fn from_excel_serial(serial: f64, is_1904: bool) -> Result<Date, SerialError> {
        let end = if is_1904 { 2_957_004.0 } else { 2_958_466.0 };
        if !serial.is_finite() || !(0.0..end).contains(&serial) {
            return Err(SerialError::OutOfRange);
        }
        let days = serial.floor() as i32;
        if days == 0 {
            return Err(SerialError::Zero);
        }
        // `days` is below 2,958,466 (checked above): these sums cannot overflow.
        if is_1904 {
            return Ok(Date(days_from_civil(1904, 1, 1).saturating_add(days)));
        }
        if days == 60 {
            return Err(SerialError::FakeLeapDay);
        }
        let base = days_from_civil(1899, 12, 31).saturating_add(days);
        Ok(Date(if days < 60 { base } else { base.saturating_sub(1) }))
    }
}

impl Date {
    /// Appends the date as `yyyy-mm-dd`, as [`fmt::Display`] writes it, digit by digit rather
    /// than through the formatting machinery: a clean dataset writes one per date cell.
    pub fn write_iso(self, out: &mut String) {
        let (y, m, d) = self.ymd();
        let year = u32::try_from(y).ok().filter(|&y| y <= 9999);
        let Some(y) = year else {
            // Out of the four-digit years a date is read in: as Display has it.
            let _ = fmt::Write::write_fmt(out, format_args!("{self}"));
            return;
        };
        let digit = |n: u32, place: u32| {
            let d = n.checked_div(place).unwrap_or(0).wrapping_rem(10);
            char::from(b'0'.wrapping_add(d as u8))
        };
        for c in [
            digit(y, 1000),
            digit(y, 100),
            digit(y, 10),
            digit(y, 1),
            '-',
            digit(m, 10),
            digit(m, 1),
            '-',
            digit(d, 10),
            digit(d, 1),
        ] {
            out.push(c);
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days, in i64: for any i32 day number or year
// and any month 1..=12 and day 1..=31 no step can overflow, and the results fit in i32 for the
// years 1..=9999 that dates are made from (a wider day number saturates).
#[allow(
    clippy::arithmetic_side_effects,
    reason = "i64 arithmetic on i32 and small inputs cannot overflow"
)]
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let (y, m, d) = (i64::from(y), i64::from(m.clamp(1, 12)), i64::from(d.min(31)));
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

#[allow(
    clippy::arithmetic_side_effects,
    reason = "i64 arithmetic on an i32 input cannot overflow"
)]
fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = i64::from(z) + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (y as i32, m as u32, d as u32)
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests may panic"
)]
mod tests {
    use super::*;

    /// Digit by digit is as Display writes it, for every day of a few centuries and at the ends of
    /// the years dates are read in (and past them, where Display answers).
    #[test]
    fn iso_is_as_display_writes_it() {
        let first = Date::from_ymd(1, 1, 1).unwrap().0;
        let last = Date::from_ymd(9999, 12, 31).unwrap().0;
        let days = (first - 3..first + 400)
            .chain(Date::from_ymd(1890, 1, 1).unwrap().0..Date::from_ymd(2110, 1, 1).unwrap().0)
            .chain(last - 400..last + 400);
        let mut s = String::new();
        for day in days {
            s.clear();
            s.push('|');
            Date(day).write_iso(&mut s);
            assert_eq!(s, format!("|{}", Date(day)), "{day}");
        }
    }

    #[test]
    fn civil_round_trip() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (1899, 12, 30), (2032, 12, 31)] {
            let date = Date::from_ymd(y, m, d).unwrap();
            assert_eq!(date.ymd(), (y, m, d));
        }
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert_eq!(Date::from_ymd(2010, 2, 29), None);
        assert_eq!(Date::from_ymd(2010, 13, 1), None);
    }

    #[test]
    fn excel_1900_serials() {
        let d = |s| Date::from_excel_serial(s, false).map(|d| d.to_string());
        assert_eq!(d(1.0).unwrap(), "1900-01-01");
        assert_eq!(d(59.0).unwrap(), "1900-02-28");
        assert_eq!(d(61.0).unwrap(), "1900-03-01");
        assert_eq!(d(40210.0).unwrap(), "2010-02-01");
        assert_eq!(d(40210.75).unwrap(), "2010-02-01");
        assert_eq!(d(0.0), Err(SerialError::Zero));
        assert_eq!(d(60.0), Err(SerialError::FakeLeapDay));
        assert_eq!(d(-1.0), Err(SerialError::OutOfRange));
    }

    #[test]
    fn excel_1904_serials() {
        let d = Date::from_excel_serial(38748.0, true).unwrap();
        assert_eq!(d.to_string(), "2010-02-01");
        assert_eq!(Date::from_excel_serial(0.0, true), Err(SerialError::Zero));
        // No fake leap day in 1904: serial 60 is 1 March 1904 (1904-01-01 plus 60 days).
        assert_eq!(Date::from_excel_serial(60.0, true).unwrap().to_string(), "1904-03-01");
        // The last day of either system is 9999-12-31, and past it is out of range.
        assert_eq!(
            Date::from_excel_serial(2_957_003.0, true).unwrap().to_string(),
            "9999-12-31"
        );
        assert_eq!(Date::from_excel_serial(2_957_004.0, true), Err(SerialError::OutOfRange));
        assert_eq!(
            Date::from_excel_serial(2_958_465.0, false).unwrap().to_string(),
            "9999-12-31"
        );
        assert_eq!(
            Date::from_excel_serial(2_958_466.0, false),
            Err(SerialError::OutOfRange)
        );
    }
}
