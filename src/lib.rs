//! vakt checks, cleans and safely publishes national health-survey returns.
//!
//! Data flows one way through the stages, one module each:
//! [`read`] (files → rows of cells with positions) → [`locate`] (tables, headers, data rows) →
//! [`check`] (rule kinds and the engine) → [`report`] (terminal and JSON). [`pack`] is the rule-pack
//! configuration every stage reads; [`value`] parses cells; [`finding`] is the shared finding model.

/// Declares a documented check: a unit struct whose doc comment is its user documentation, with its
/// stable code and name. `vakt explain CODE` prints the doc comment.
#[macro_export]
macro_rules! documented_check {
    ($(#[doc = $doc:literal])* $vis:vis struct $name:ident => $code:literal, $slug:literal;) => {
        $(#[doc = $doc])*
        $vis struct $name;
        impl $name {
            pub const CODE: &'static str = $code;
            pub const NAME: &'static str = $slug;
            pub const DOC: &'static str = concat!($($doc, "\n"),*);
            pub const INFO: $crate::finding::CheckInfo = $crate::finding::CheckInfo {
                code: $crate::finding::Code::new($code),
                name: ::std::borrow::Cow::Borrowed($slug),
                doc: ::std::borrow::Cow::Borrowed(concat!($($doc, "\n"),*)),
            };
        }
    };
}

pub mod check;
pub mod clean;
pub mod disclose;
pub mod expr;
pub mod finding;
pub mod ident;
pub mod locate;
pub mod pack;
pub mod read;
pub mod report;
pub mod synth;
pub mod value;
