//! Norwegian national identity numbers: fødselsnummer, D-, H- and FH-numbers, by the rules in the
//! pseudonymisation spec. Check digits follow both the pre-2032 rule and the 2032 rule (k1 may leave
//! remainder 0 to 3); the date part must be a real date. Sex and century are never derived: the
//! 2032 format carries neither.

/// What an 11-digit number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NinKind {
    /// A fødselsnummer.
    Fnr,
    /// First digit + 4.
    DNumber,
    /// Third digit + 4.
    HNumber,
    /// First digit 8 or 9; no date.
    FhNumber,
}

/// Why a number is not a valid identity number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NinError {
    /// Not eleven digits.
    NotElevenDigits,
    /// The first six digits are not a date.
    BadDate,
    /// The check digits do not match.
    BadCheckDigits,
}

/// A valid number's reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nin {
    /// Which kind of number it is.
    pub kind: NinKind,
    /// Month + 80: a synthetic test number from the national test registry.
    pub synthetic: bool,
}

const W1: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const W2: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

fn digits(s: &str) -> Option<[u32; 11]> {
    let b = s.as_bytes();
    if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut d = [0u32; 11];
    for (i, c) in b.iter().enumerate() {
        d[i] = u32::from(c - b'0');
    }
    Some(d)
}

/// True when both check digits hold: k1 by the pre-2032 rule or the 2032 rule, k2 by its one rule.
pub fn check_digits_ok(d: &[u32; 11]) -> bool {
    let s1: u32 = W1.iter().zip(d).map(|(w, x)| w * x).sum::<u32>() + d[9];
    let k1_ok = s1 % 11 <= 3;
    let s2: u32 = W2.iter().zip(d).map(|(w, x)| w * x).sum();
    let k2 = match 11 - s2 % 11 {
        11 => 0,
        10 => return false,
        k => k,
    };
    k1_ok && k2 == d[10]
}

fn leap_possible(yy: u32) -> bool {
    // Some century makes YY a leap year unless YY is not divisible by 4.
    yy.is_multiple_of(4)
}

fn real_date(day: u32, month: u32, yy: u32) -> bool {
    let max = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap_possible(yy) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=max).contains(&day)
}

/// Validates an 11-digit identity number.
pub fn validate(s: &str) -> Result<Nin, NinError> {
    let d = digits(s).ok_or(NinError::NotElevenDigits)?;
    let kind;
    let mut synthetic = false;
    if d[0] >= 8 {
        kind = NinKind::FhNumber;
    } else {
        let mut day = d[0] * 10 + d[1];
        let mut month = d[2] * 10 + d[3];
        let yy = d[4] * 10 + d[5];
        // The day and month offsets are independent: the spec's D-number 55507608360 has both.
        let d_number = day > 40;
        if d_number {
            day -= 40;
        }
        let mut h_number = false;
        if month > 80 {
            month -= 80;
            synthetic = true;
        } else if month > 40 {
            month -= 40;
            h_number = true;
        }
        kind = if d_number {
            NinKind::DNumber
        } else if h_number {
            NinKind::HNumber
        } else {
            NinKind::Fnr
        };
        if !real_date(day, month, yy) {
            return Err(NinError::BadDate);
        }
    }
    if !check_digits_ok(&d) {
        return Err(NinError::BadCheckDigits);
    }
    Ok(Nin { kind, synthetic })
}

/// The day, month and two-digit year of a valid fødselsnummer, D- or H-number (test numbers
/// included); `None` for an FH-number or an invalid one. The century is not there to derive: the
/// 2032 format encodes none (the spec forbids guessing it).
pub fn birth_parts(s: &str) -> Option<(u32, u32, u32)> {
    let nin = validate(s).ok()?;
    if nin.kind == NinKind::FhNumber {
        return None;
    }
    let d = digits(s)?;
    let [d0, d1, d2, d3, d4, d5, ..] = d;
    let day = (d0 * 10 + d1) % 40;
    let month = (d2 * 10 + d3) % 40;
    Some((day, month, d4 * 10 + d5))
}

/// Builds a number from its first nine digits with pre-2032 check digits; `None` when k1 or k2
/// would be 10 (that individual number is not issued).
pub fn with_check_digits(first9: &str) -> Option<String> {
    let b = first9.as_bytes();
    if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut d = [0u32; 11];
    for (i, c) in b.iter().enumerate() {
        d[i] = u32::from(c - b'0');
    }
    let s1: u32 = W1.iter().zip(&d).map(|(w, x)| w * x).sum();
    d[9] = match 11 - s1 % 11 {
        11 => 0,
        10 => return None,
        k => k,
    };
    let s2: u32 = W2.iter().zip(&d).map(|(w, x)| w * x).sum();
    d[10] = match 11 - s2 % 11 {
        11 => 0,
        10 => return None,
        k => k,
    };
    Some(d.iter().map(|x| char::from(b'0' + *x as u8)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vectors() {
        for ok in ["31129956715", "15108695088", "01010150740", "30108299920"] {
            assert_eq!(validate(ok).map(|n| n.kind), Ok(NinKind::Fnr), "{ok}");
        }
        assert_eq!(validate("55507608360").map(|n| n.kind), Ok(NinKind::DNumber));
        for bad in [
            "15108695077",
            "31129956716",
            "31129956705",
            "00000000000",
            "32129956715",
        ] {
            assert!(validate(bad).is_err(), "{bad} must be invalid");
        }
        assert_eq!(validate("00000000000"), Err(NinError::BadDate));
        assert_eq!(validate("32129956715"), Err(NinError::BadDate));
        assert_eq!(validate("3112995671"), Err(NinError::NotElevenDigits));
    }

    #[test]
    fn built_numbers_validate() {
        let n = with_check_digits("311299567").unwrap();
        assert_eq!(n, "31129956715");
        assert!(validate(&n).is_ok());
    }

    #[test]
    fn h_and_synthetic_numbers() {
        // An H-number: month + 40.
        let h = (0..500)
            .find_map(|i| with_check_digits(&format!("0145{:02}{:03}", 80, i)))
            .unwrap();
        assert_eq!(validate(&h).map(|n| n.kind), Ok(NinKind::HNumber));
        let t = (0..500)
            .find_map(|i| with_check_digits(&format!("0181{:02}{:03}", 90, i)))
            .unwrap();
        assert_eq!(validate(&t).map(|n| n.synthetic), Ok(true));
    }
}
