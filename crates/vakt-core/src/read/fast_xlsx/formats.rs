//! Which number formats make a cell a date, a time or a duration: calamine's rules, ported so that
//! the fast reader classifies a cell exactly as calamine does (calamine keeps them private).
//!
//! Ported from calamine 0.38 `src/formats.rs` (MIT License, Copyright 2016-2026, Johann Tuffe),
//! which took its date detection from openpyxl (MIT License).

/// What a cell's number format makes of its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    /// A plain number.
    Other,
    /// A date or a clock time.
    DateTime,
    /// A duration (`[h]:mm:ss`).
    TimeDelta,
}

/// The kind of a custom number format code (`formatCode`): only the first section counts.
pub fn custom(format: &str) -> NumberKind {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            // `\` escapes, `_` skips width, `*` fills: the next char is a literal.
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return NumberKind::Other,
            ('[', ..) => brackets = brackets.saturating_add(1),
            (']', .., 1) if hms => return NumberKind::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumberKind::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => return NumberKind::DateTime,
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    NumberKind::Other
}

/// The kind of a built-in format, by its id as written (`"14"`; `"014"` is not built in).
pub fn builtin(id: &str) -> NumberKind {
    match id {
        "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21" | "22" | "45" | "47" => NumberKind::DateTime,
        "27" | "28" | "29" | "30" | "31" | "32" | "33" | "34" | "35" | "36" | "50" | "51" | "52" | "53" | "54"
        | "55" | "56" | "57" | "58" => NumberKind::DateTime,
        "46" => NumberKind::TimeDelta,
        _ => NumberKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases of calamine's and openpyxl's own tests.
    #[test]
    fn custom_formats_are_classified_as_calamine_does() {
        let cases = [
            ("DD/MM/YY", NumberKind::DateTime),
            ("H:MM:SS;@", NumberKind::DateTime),
            ("#,##0\\ [$\\u20bd-46D]", NumberKind::Other),
            ("m\"M\"d\"D\";@", NumberKind::DateTime),
            ("[h]:mm:ss", NumberKind::TimeDelta),
            ("\"Y: \"0.00\"m\";\"Y: \"-0.00\"m\";\"Y: <num>m\";@", NumberKind::Other),
            ("#,##0\\ [$''u20bd-46D]", NumberKind::Other),
            ("\"$\"#,##0_);[Red](\"$\"#,##0)", NumberKind::Other),
            ("[$-404]e\"\\xfc\"m\"\\xfc\"d\"\\xfc\"", NumberKind::DateTime),
            ("0_ ;[Red]\\-0\\ ", NumberKind::Other),
            ("\\Y000000", NumberKind::Other),
            ("#,##0.0####\" YMD\"", NumberKind::Other),
            ("[h]", NumberKind::TimeDelta),
            ("[ss]", NumberKind::TimeDelta),
            ("[s].000", NumberKind::TimeDelta),
            ("[m]", NumberKind::TimeDelta),
            ("[mm]", NumberKind::TimeDelta),
            ("[Blue]\\+[h]:mm;[Red]\\-[h]:mm;[Green][h]:mm", NumberKind::TimeDelta),
            ("[>=100][Magenta][s].00", NumberKind::TimeDelta),
            ("[h]:mm;[=0]\\-", NumberKind::TimeDelta),
            ("[>=100][Magenta].00", NumberKind::Other),
            ("[>=100][Magenta]General", NumberKind::Other),
            ("ha/p\\\\m", NumberKind::DateTime),
            ("#,##0.00\\ _M\"H\"_);[Red]#,##0.00\\ _M\"S\"_)", NumberKind::Other),
            ("0.00", NumberKind::Other),
            ("yyyy-mm-dd", NumberKind::DateTime),
            ("#,##0*y", NumberKind::Other),
            ("0\"x\"*d", NumberKind::Other),
            ("*-#,##0", NumberKind::Other),
            ("*-yyyy-mm-dd", NumberKind::DateTime),
        ];
        for (code, kind) in cases {
            assert_eq!(custom(code), kind, "{code}");
        }
    }

    #[test]
    fn builtin_ids_are_exact_strings() {
        assert_eq!(builtin("14"), NumberKind::DateTime);
        assert_eq!(builtin("014"), NumberKind::Other);
        assert_eq!(builtin("46"), NumberKind::TimeDelta);
        assert_eq!(builtin("0"), NumberKind::Other);
        assert_eq!(builtin("164"), NumberKind::Other);
    }
}
