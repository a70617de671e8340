//! Fødselsnummer check digits, written here from the specification and not taken from the
//! checker: the generator decides which numbers are valid on its own, so a mistake in vakt's
//! check-digit code cannot make the harness agree with it.
//!
//! DDMMYY + a 3-digit individual number + two check digits: weights 3,7,6,1,8,9,4,5,2 for k1 and
//! 5,4,3,2,7,6,5,4,3,2 (over the first ten digits) for k2; `k = 11 - (sum mod 11)`, 11 becomes 0,
//! 10 makes the number impossible.

const K1: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const K2: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

fn check_digit(digits: &[u32], weights: &[u32]) -> Option<u32> {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k),
    }
}

/// The 11-digit number for nine digits, or `None` when no check digit exists for them.
pub fn with_check_digits(first9: &str) -> Option<String> {
    let mut digits: Vec<u32> = first9.chars().map(|c| c.to_digit(10)).collect::<Option<_>>()?;
    if digits.len() != 9 {
        return None;
    }
    let k1 = check_digit(&digits, &K1)?;
    digits.push(k1);
    let k2 = check_digit(&digits, &K2)?;
    digits.push(k2);
    Some(digits.iter().map(|d| char::from(b'0' + *d as u8)).collect())
}

/// Whether both check digits of an 11-digit number are right (the date part is not looked at).
pub fn check_digits_hold(number: &str) -> bool {
    number.len() == 11 && with_check_digits(&number[..9]).as_deref() == Some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's known-answer vectors (`pseudonymisation.md`, "Norwegian identifiers").
    #[test]
    fn the_specification_s_vectors() {
        for valid in [
            "31129956715",
            "15108695088",
            "01010150740",
            "30108299920",
            "55507608360",
        ] {
            assert!(check_digits_hold(valid), "{valid}");
        }
        // 00000000000 and 32129956715 pass both sums; only their date part is wrong.
        for invalid in ["15108695077", "31129956716", "31129956705"] {
            assert!(!check_digits_hold(invalid), "{invalid}");
        }
        assert_eq!(with_check_digits("311299567").as_deref(), Some("31129956715"));
    }
}
