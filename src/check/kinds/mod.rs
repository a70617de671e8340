//! The built-in rule kinds, one per file. Each file's `documented_check!` doc comment is the kind's
//! user documentation (`vakt explain CODE`).

mod code_list;
mod excel_error;
mod normalised;
mod pattern;
mod range;
mod required;
mod type_check;
mod unique;

pub use code_list::CodeListKind;
pub use excel_error::ExcelErrorKind;
pub use normalised::NormalisedKind;
pub use pattern::PatternKind;
pub use range::RangeKind;
pub use required::RequiredKind;
pub use type_check::TypeKind;
pub use unique::UniqueKind;

use super::RuleKind;

/// The built-in kinds, in code order.
pub fn builtin() -> Vec<Box<dyn RuleKind>> {
    vec![
        Box::new(RequiredKind),
        Box::new(TypeKind),
        Box::new(RangeKind),
        Box::new(CodeListKind),
        Box::new(PatternKind),
        Box::new(UniqueKind),
        Box::new(ExcelErrorKind),
        Box::new(NormalisedKind),
    ]
}
