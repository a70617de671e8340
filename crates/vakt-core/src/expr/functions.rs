//! The function library of pack expressions: each function's signature, documentation with an
//! example, type check and evaluation, in one table. `vakt explain FUNCTION` prints an entry;
//! docs/rules.md lists them all.
//!
//! Every function is null-aware: a null argument gives null (except `coalesce`, whose point is
//! nulls), and so does a result out of range (a date before year 1 or after 9999, a number of an
//! identifier that is not one): an unknown, never a wrapped or made-up value.

use super::{Ty, Val};
use crate::value::Date;
use std::borrow::Cow;

/// A function of the expression language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Day,
    Month,
    Year,
    DaysBetween,
    MonthsBetween,
    MonthStart,
    MonthEnd,
    Len,
    Lower,
    Upper,
    Trim,
    StartsWith,
    EndsWith,
    Contains,
    Abs,
    Round,
    Min,
    Max,
    Coalesce,
    BirthDay,
    BirthMonth,
    BirthYy,
    BirthYearFits,
    IsTestId,
}

/// A function's documentation: how it is called, what it gives, an example.
#[derive(Debug, Clone, Copy)]
pub struct FunctionDoc {
    /// Its name.
    pub name: &'static str,
    /// How it is called, with the types of its arguments and result.
    pub signature: &'static str,
    /// What it gives.
    pub summary: &'static str,
    /// An example of its use in a rule.
    pub example: &'static str,
}

/// The argument types a function takes.
#[derive(Debug, Clone, Copy)]
enum Args {
    /// Exactly these types.
    Exact(&'static [Ty]),
    /// Two or more of one type, numbers or dates (`min`, `max`).
    Comparable,
    /// One or more of one type (`coalesce`).
    Same,
    /// A number, and optionally a number of decimals (`round`).
    Round,
    /// The text of an identifier (text or a code), and for `birth_year_fits` a year.
    Id(&'static [Ty]),
}

struct Spec {
    func: Func,
    args: Args,
    /// The result type; `None` for "the arguments' type".
    result: Option<Ty>,
    doc: FunctionDoc,
}

macro_rules! spec {
    ($f:ident, $args:expr, $result:expr, $name:literal, $sig:literal, $summary:literal, $example:literal) => {
        Spec {
            func: Func::$f,
            args: $args,
            result: $result,
            doc: FunctionDoc {
                name: $name,
                signature: $sig,
                summary: $summary,
                example: $example,
            },
        }
    };
}

const DATE: &[Ty] = &[Ty::Date];
const TWO_DATES: &[Ty] = &[Ty::Date, Ty::Date];
const TEXT: &[Ty] = &[Ty::Text];
const TWO_TEXTS: &[Ty] = &[Ty::Text, Ty::Text];
const NUMBER: &[Ty] = &[Ty::Number];

static SPECS: &[Spec] = &[
    spec!(Day, Args::Exact(DATE), Some(Ty::Number), "day", "day(date) -> number", "The day of the month, 1 to 31.", "day(start_date) == 1"),
    spec!(Month, Args::Exact(DATE), Some(Ty::Number), "month", "month(date) -> number", "The month, 1 to 12.", "month(submitted_date) in [1, 2, 3]"),
    spec!(Year, Args::Exact(DATE), Some(Ty::Number), "year", "year(date) -> number", "The year.", "year(submission.reference_date) - birth_year in 16..100"),
    spec!(DaysBetween, Args::Exact(TWO_DATES), Some(Ty::Number), "days_between", "days_between(from, to) -> number", "Days from the first date to the second (negative when the second is earlier); the same as `to - from`.", "days_between(start_date, end_date) <= 365"),
    spec!(MonthsBetween, Args::Exact(TWO_DATES), Some(Ty::Number), "months_between", "months_between(from, to) -> number", "Whole months from the first date to the second: 31 January to 28 February is 0, to 1 March is 1.", "months_between(admitted, discharged) < 24"),
    spec!(MonthStart, Args::Exact(DATE), Some(Ty::Date), "month_start", "month_start(date) -> date", "The first day of the date's month.", "start_date >= month_start(submission.reference_date) - 365"),
    spec!(MonthEnd, Args::Exact(DATE), Some(Ty::Date), "month_end", "month_end(date) -> date", "The last day of the date's month.", "end_date <= month_end(submission.reference_date)"),
    spec!(Len, Args::Exact(TEXT), Some(Ty::Number), "len", "len(text) -> number", "The number of characters, leading and trailing spaces not counted.", "len(unit_name) <= 80"),
    spec!(Lower, Args::Exact(TEXT), Some(Ty::Text), "lower", "lower(text) -> text", "The text in lower case (Unicode: `BODØ` gives `bodø`).", "lower(unit_name) contains \"dps\""),
    spec!(Upper, Args::Exact(TEXT), Some(Ty::Text), "upper", "upper(text) -> text", "The text in upper case.", "upper(comment) != \"UKJENT\""),
    spec!(Trim, Args::Exact(TEXT), Some(Ty::Text), "trim", "trim(text) -> text", "The text without leading and trailing spaces (no-break and zero-width spaces too).", "len(trim(comment)) > 0"),
    spec!(StartsWith, Args::Exact(TWO_TEXTS), Some(Ty::Bool), "starts_with", "starts_with(text, prefix) -> boolean", "Whether the text starts with the prefix, ignoring case.", "starts_with(unit_id, authority_code)"),
    spec!(EndsWith, Args::Exact(TWO_TEXTS), Some(Ty::Bool), "ends_with", "ends_with(text, suffix) -> boolean", "Whether the text ends with the suffix, ignoring case.", "not ends_with(unit_name, \"(nedlagt)\")"),
    spec!(Contains, Args::Exact(TWO_TEXTS), Some(Ty::Bool), "contains", "contains(text, part) -> boolean", "Whether the text contains the part, ignoring case; the same as `text contains part`.", "not contains(unit_name, \"test\")"),
    spec!(Abs, Args::Exact(NUMBER), Some(Ty::Number), "abs", "abs(number) -> number", "The number without its sign.", "abs(n_beds - n_planned) <= 2"),
    spec!(Round, Args::Round, Some(Ty::Number), "round", "round(number[, decimals]) -> number", "The number rounded half away from zero, to whole numbers or to `decimals` places.", "round(session_minutes / 60, 1) <= 4"),
    spec!(Min, Args::Comparable, None, "min", "min(a, b, ...) -> number or date", "The smallest of two or more numbers, or of two or more dates; null if any is null.", "min(end_date, submission.reference_date) >= start_date"),
    spec!(Max, Args::Comparable, None, "max", "max(a, b, ...) -> number or date", "The largest of two or more numbers, or of two or more dates; null if any is null.", "max(sessions_attended, 0) <= planned_sessions"),
    spec!(Coalesce, Args::Same, None, "coalesce", "coalesce(a, b, ...) -> the arguments' type", "The first argument that is not null.", "coalesce(end_date, submission.reference_date) >= start_date"),
    spec!(BirthDay, Args::Id(TEXT), Some(Ty::Number), "birth_day", "birth_day(id) -> number", "The day of birth in a fødselsnummer, D- or H-number (test numbers too); null for any other value.", "birth_day(person_id) is not null"),
    spec!(BirthMonth, Args::Id(TEXT), Some(Ty::Number), "birth_month", "birth_month(id) -> number", "The month of birth in a fødselsnummer, D- or H-number; null for any other value.", "birth_month(person_id) in 1..12"),
    spec!(BirthYy, Args::Id(TEXT), Some(Ty::Number), "birth_yy", "birth_yy(id) -> number", "The two-digit year of birth in a fødselsnummer, D- or H-number (0 to 99); null for any other value. The century is not in the number (the 2032 format has none), so vakt never guesses it.", "birth_yy(person_id) is not null"),
    spec!(BirthYearFits, Args::Id(&[Ty::Text, Ty::Number]), Some(Ty::Bool), "birth_year_fits", "birth_year_fits(id, year) -> boolean", "Whether a year of birth agrees with the fødselsnummer, D- or H-number: its last two digits are the number's year. Null when the id is no such number.", "birth_year_fits(person_id, birth_year)"),
    spec!(IsTestId, Args::Id(TEXT), Some(Ty::Bool), "is_test_id", "is_test_id(id) -> boolean", "Whether the id is a synthetic test number (month + 80), which real returns must not hold. False for other values.", "not is_test_id(person_id)"),
];

/// Every function, documented (for `vakt explain` and the docs).
pub fn documentation() -> impl Iterator<Item = &'static FunctionDoc> {
    SPECS.iter().map(|s| &s.doc)
}

/// The names of the functions, for "unknown function" messages.
pub(crate) fn names() -> String {
    let mut n: Vec<&str> = SPECS.iter().map(|s| s.doc.name).collect();
    n.extend(["attr", "matches"]);
    n.join(", ")
}

/// Looks a function up by name and checks its argument types; gives the function and its type.
pub(crate) fn check(name: &str, args: &[Ty]) -> Option<Result<(Func, Ty), String>> {
    let spec = SPECS.iter().find(|s| s.doc.name == name)?;
    Some(check_args(spec, args).map(|ty| (spec.func, spec.result.unwrap_or(ty))))
}

/// The arguments' common type when they fit, or what is wrong.
fn check_args(spec: &Spec, args: &[Ty]) -> Result<Ty, String> {
    let usage = || format!("{} takes: {}", spec.doc.name, spec.doc.signature);
    let fits = |want: Ty, got: Ty| got == want || got == Ty::Null || (want == Ty::Text && matches!(got, Ty::Code(_)));
    match spec.args {
        Args::Exact(want) | Args::Id(want) => {
            if want.len() != args.len() || !want.iter().zip(args).all(|(w, g)| fits(*w, *g)) {
                return Err(format!("{}, not ({})", usage(), names_of(args)));
            }
            Ok(Ty::Null)
        }
        Args::Round => match args {
            [a] | [a, Ty::Number | Ty::Null] if fits(Ty::Number, *a) => Ok(Ty::Number),
            _ => Err(format!("{}, not ({})", usage(), names_of(args))),
        },
        Args::Comparable | Args::Same => {
            let known: Vec<Ty> = args.iter().copied().filter(|t| *t != Ty::Null).collect();
            let ty = known.first().copied().unwrap_or(Ty::Null);
            let least = if matches!(spec.args, Args::Comparable) { 2 } else { 1 };
            let kind_ok = !matches!(spec.args, Args::Comparable) || matches!(ty, Ty::Number | Ty::Date | Ty::Null);
            if args.len() < least || !kind_ok || known.iter().any(|t| *t != ty) {
                return Err(format!("{}, not ({})", usage(), names_of(args)));
            }
            Ok(ty)
        }
    }
}

fn names_of(args: &[Ty]) -> String {
    args.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
}

/// Applies a function to its evaluated arguments; `min`, `max` and `coalesce` take theirs out,
/// leaving nulls.
pub(crate) fn apply<'a>(
    func: Func,
    args: &mut [Val<'a>],
    code_text: &dyn Fn(&Val<'a>) -> Option<Cow<'a, str>>,
) -> Val<'a> {
    if func == Func::Coalesce {
        return args
            .iter_mut()
            .find(|v| !matches!(v, Val::Null))
            .map_or(Val::Null, |v| std::mem::replace(v, Val::Null));
    }
    if args.iter().any(|v| matches!(v, Val::Null)) {
        return Val::Null;
    }
    match func {
        Func::Day | Func::Month | Func::Year | Func::MonthStart | Func::MonthEnd => date_part(func, args),
        Func::DaysBetween | Func::MonthsBetween => between(func, args),
        Func::Len | Func::Lower | Func::Upper | Func::Trim => text_of(func, args, code_text),
        Func::StartsWith | Func::EndsWith | Func::Contains => text_test(func, args, code_text),
        Func::Abs | Func::Round => number_of(func, args),
        Func::Min | Func::Max => extreme(func, args),
        Func::BirthDay | Func::BirthMonth | Func::BirthYy | Func::BirthYearFits | Func::IsTestId => {
            identifier(func, args, code_text)
        }
        Func::Coalesce => Val::Null,
    }
}

fn date_part<'a>(func: Func, args: &[Val<'a>]) -> Val<'a> {
    let [Val::Date(d)] = args else { return Val::Null };
    let (y, m, day) = Date(*d).ymd();
    match func {
        Func::Day => Val::Num(f64::from(day)),
        Func::Month => Val::Num(f64::from(m)),
        Func::Year => Val::Num(f64::from(y)),
        Func::MonthStart => Date::from_ymd(y, m, 1).map_or(Val::Null, |d| Val::Date(d.0)),
        _ => (28..=31)
            .rev()
            .find_map(|last| Date::from_ymd(y, m, last))
            .map_or(Val::Null, |d| Val::Date(d.0)),
    }
}

fn between<'a>(func: Func, args: &[Val<'a>]) -> Val<'a> {
    let [Val::Date(a), Val::Date(b)] = args else {
        return Val::Null;
    };
    if func == Func::DaysBetween {
        return Val::Num(f64::from(*b) - f64::from(*a));
    }
    let ((y1, m1, d1), (y2, m2, d2)) = (Date(*a).ymd(), Date(*b).ymd());
    let mut months = (i64::from(y2) - i64::from(y1)) * 12 + i64::from(m2) - i64::from(m1);
    // A month is whole when the day of the month is reached again.
    if months > 0 && d2 < d1 {
        months -= 1;
    } else if months < 0 && d2 > d1 {
        months += 1;
    }
    Val::Num(months as f64)
}

fn text_of<'a>(func: Func, args: &[Val<'a>], code_text: &dyn Fn(&Val<'a>) -> Option<Cow<'a, str>>) -> Val<'a> {
    let Some(t) = args.first().and_then(code_text) else {
        return Val::Null;
    };
    let trimmed = crate::value::text::trim(&t);
    match func {
        Func::Len => Val::Num(trimmed.chars().count() as f64),
        Func::Lower => Val::Text(Cow::Owned(t.to_lowercase())),
        Func::Upper => Val::Text(Cow::Owned(t.to_uppercase())),
        _ => Val::Text(Cow::Owned(trimmed.to_string())),
    }
}

fn text_test<'a>(func: Func, args: &[Val<'a>], code_text: &dyn Fn(&Val<'a>) -> Option<Cow<'a, str>>) -> Val<'a> {
    let (Some(t), Some(p)) = (args.first().and_then(code_text), args.get(1).and_then(code_text)) else {
        return Val::Null;
    };
    let (t, p) = (super::eval::fold(&t), super::eval::fold(&p));
    Val::Bool(match func {
        Func::StartsWith => t.starts_with(&p),
        Func::EndsWith => t.ends_with(&p),
        _ => t.contains(&p),
    })
}

fn number_of<'a>(func: Func, args: &[Val<'a>]) -> Val<'a> {
    match (func, args) {
        (Func::Abs, [Val::Num(n)]) => Val::Num(n.abs()),
        (Func::Round, [Val::Num(n)]) => Val::Num(n.round()),
        (Func::Round, [Val::Num(n), Val::Num(places)]) if (0.0..=9.0).contains(places) => {
            let f = 10f64.powi(*places as i32);
            Val::Num((n * f).round() / f)
        }
        _ => Val::Null,
    }
}

fn extreme<'a>(func: Func, args: &mut [Val<'a>]) -> Val<'a> {
    let pick = |a: Val<'a>, b: Val<'a>| -> Val<'a> {
        let first_is_smaller = match (&a, &b) {
            (Val::Num(x), Val::Num(y)) => x <= y,
            (Val::Date(x), Val::Date(y)) => x <= y,
            _ => return Val::Null,
        };
        if first_is_smaller == (func == Func::Min) {
            a
        } else {
            b
        }
    };
    args.iter_mut()
        .map(|v| std::mem::replace(v, Val::Null))
        .reduce(pick)
        .unwrap_or(Val::Null)
}

fn identifier<'a>(func: Func, args: &[Val<'a>], code_text: &dyn Fn(&Val<'a>) -> Option<Cow<'a, str>>) -> Val<'a> {
    let Some(raw) = args.first().and_then(code_text) else {
        return Val::Null;
    };
    // The one canonical form of a national id: separators removed, a lost leading zero restored.
    let id = crate::ident::canonical(crate::ident::IdForm::NationalId, &raw).text;
    if func == Func::IsTestId {
        return Val::Bool(crate::ident::nin::validate(&id).is_ok_and(|n| n.synthetic));
    }
    let Some((day, month, yy)) = crate::ident::nin::birth_parts(&id) else {
        return Val::Null;
    };
    match (func, args.get(1)) {
        (Func::BirthDay, _) => Val::Num(f64::from(day)),
        (Func::BirthMonth, _) => Val::Num(f64::from(month)),
        (Func::BirthYy, _) => Val::Num(f64::from(yy)),
        (_, Some(Val::Num(year))) if year.fract() == 0.0 => Val::Bool(year.rem_euclid(100.0) == f64::from(yy)),
        _ => Val::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Val<'static> {
        Val::Date(Date::from_ymd(y, m, day).unwrap().0)
    }

    fn text(s: &str) -> Val<'_> {
        Val::Text(Cow::Borrowed(s))
    }

    fn run<'a>(f: Func, mut args: Vec<Val<'a>>) -> Val<'a> {
        apply(f, &mut args, &|v| match v {
            Val::Text(t) => Some(t.clone()),
            _ => None,
        })
    }

    #[test]
    fn every_documented_function_has_an_example_that_names_it() {
        for doc in documentation() {
            assert!(doc.example.contains(doc.name), "{}", doc.name);
            assert!(doc.signature.starts_with(doc.name), "{}", doc.name);
        }
    }

    #[test]
    fn dates() {
        assert_eq!(run(Func::MonthEnd, vec![d(2024, 2, 10)]), d(2024, 2, 29));
        assert_eq!(run(Func::MonthEnd, vec![d(2023, 2, 10)]), d(2023, 2, 28));
        assert_eq!(run(Func::MonthStart, vec![d(2023, 12, 31)]), d(2023, 12, 1));
        assert_eq!(
            run(Func::MonthsBetween, vec![d(2024, 1, 31), d(2024, 2, 29)]),
            Val::Num(0.0)
        );
        assert_eq!(
            run(Func::MonthsBetween, vec![d(2024, 1, 31), d(2024, 3, 1)]),
            Val::Num(1.0)
        );
        assert_eq!(
            run(Func::MonthsBetween, vec![d(2024, 3, 1), d(2024, 1, 31)]),
            Val::Num(-1.0)
        );
        assert_eq!(
            run(Func::DaysBetween, vec![d(2024, 3, 1), d(2024, 2, 28)]),
            Val::Num(-2.0)
        );
        // Out of range is unknown, never a wrapped date.
        assert_eq!(run(Func::MonthEnd, vec![Val::Date(i32::MAX)]), Val::Null);
    }

    #[test]
    fn text_folds_unicode_case() {
        assert_eq!(run(Func::Lower, vec![text("BODØ")]), text("bodø"));
        assert_eq!(
            run(Func::StartsWith, vec![text(" Ålesund DPS"), text("ÅLE")]),
            Val::Bool(true)
        );
        assert_eq!(run(Func::Len, vec![text(" Bodø\u{a0}")]), Val::Num(4.0));
    }

    #[test]
    fn identifiers_give_their_date_parts_never_their_century() {
        // 31129956715 is a valid fødselsnummer (spec vectors); 55507608360 a D-number.
        assert_eq!(run(Func::BirthYy, vec![text("311299 56715")]), Val::Num(99.0));
        assert_eq!(run(Func::BirthDay, vec![text("55507608360")]), Val::Num(15.0));
        assert_eq!(
            run(Func::BirthYearFits, vec![text("31129956715"), Val::Num(1999.0)]),
            Val::Bool(true)
        );
        assert_eq!(
            run(Func::BirthYearFits, vec![text("31129956715"), Val::Num(1989.0)]),
            Val::Bool(false)
        );
        assert_eq!(
            run(Func::BirthYy, vec![text("31129956716")]),
            Val::Null,
            "bad check digits"
        );
        assert_eq!(run(Func::IsTestId, vec![text("EPJ-01000")]), Val::Bool(false));
    }

    #[test]
    fn min_max_coalesce_and_nulls() {
        assert_eq!(
            run(Func::Min, vec![Val::Num(3.0), Val::Num(1.0), Val::Num(2.0)]),
            Val::Num(1.0)
        );
        assert_eq!(run(Func::Max, vec![d(2020, 1, 1), d(2021, 1, 1)]), d(2021, 1, 1));
        assert_eq!(run(Func::Max, vec![Val::Num(3.0), Val::Null]), Val::Null);
        assert_eq!(run(Func::Coalesce, vec![Val::Null, Val::Num(2.0)]), Val::Num(2.0));
        assert_eq!(run(Func::Round, vec![Val::Num(2.25), Val::Num(1.0)]), Val::Num(2.3));
        assert_eq!(run(Func::Round, vec![Val::Num(-2.5)]), Val::Num(-3.0));
    }

    #[test]
    fn argument_types_are_checked() {
        assert!(check("len", &[Ty::Number]).is_some_and(|r| r.is_err()));
        assert_eq!(
            check("min", &[Ty::Date, Ty::Null]).map(|r| r.map(|x| x.1)),
            Some(Ok(Ty::Date))
        );
        assert!(check("min", &[Ty::Date, Ty::Number]).is_some_and(|r| r.is_err()));
        assert!(check("min", &[Ty::Text, Ty::Text]).is_some_and(|r| r.is_err()));
        assert_eq!(
            check("coalesce", &[Ty::Null, Ty::Text]).map(|r| r.map(|x| x.1)),
            Some(Ok(Ty::Text))
        );
        assert!(check("no_such_function", &[]).is_none());
    }
}
