//! The built-in rule kinds, one per file. Each file's `documented_check!` doc comment is the kind's
//! user documentation (`vakt explain CODE`).

mod aggregate;
mod cardinality;
mod code_list;
mod consistency;
mod count;
mod excel_error;
pub mod expression;
mod foreign_key;
mod icd10;
mod leaked_id;
mod national_id;
mod normalised;
mod overlap;
mod pattern;
mod previous;
mod range;
mod required;
mod small_count;
mod type_check;
mod unique;

pub use aggregate::AggregateKind;
pub use cardinality::CardinalityKind;
pub use code_list::CodeListKind;
pub use consistency::ConsistencyKind;
pub use count::CountKind;
pub use excel_error::ExcelErrorKind;
pub use expression::ExpressionKind;
pub use foreign_key::ForeignKeyKind;
pub use icd10::Icd10Kind;
pub use leaked_id::LeakedIdKind;
pub use national_id::NationalIdKind;
pub use normalised::NormalisedKind;
pub use overlap::OverlapKind;
pub use pattern::PatternKind;
pub use previous::PreviousKind;
pub use range::RangeKind;
pub use required::RequiredKind;
pub use small_count::SmallCountKind;
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
        Box::new(ExpressionKind),
        Box::new(ForeignKeyKind),
        Box::new(CountKind),
        Box::new(ConsistencyKind),
        Box::new(CardinalityKind),
        Box::new(Icd10Kind),
        Box::new(NationalIdKind),
        Box::new(LeakedIdKind),
        Box::new(AggregateKind),
        Box::new(OverlapKind),
        Box::new(PreviousKind),
        Box::new(SmallCountKind),
    ]
}
