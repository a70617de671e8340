//! vakt's core: from files to findings.
//!
//! Data flows one way, one module per stage; a module imports only from the stages before it and
//! from the leaves:
//!
//! - leaves: [`value`] (cells, parsed values, code lists), [`ident`] (identifiers: one
//!   canonicaliser, fødselsnummer checks, the leak scanner), [`finding`] (the finding model),
//!   [`expr`] (the pack's expression language);
//! - [`read`]: files → rows of cells that know their file, sheet, row and column;
//! - [`pack`]: the rule pack a data manager writes (tables, columns, code lists, relations);
//! - [`locate`]: tables and headers in a return, and one stream of classified data rows;
//! - [`check`]: rule kinds, the plan a pack's entries compile into, and the engine;
//! - [`report`]: findings for people and programs (terminal, JSON).
//!
//! Cleaning (`vakt-clean`) and disclosure control (`vakt-disclose`) build on this crate.
//!
//! ```
//! use vakt_core::check::{engine, Plan, Registry};
//! use vakt_core::pack::Pack;
//!
//! let pack = Pack::from_source(
//!     "mini.toml",
//!     "name = \"mini\"\nversion = \"1\"\n[[table]]\nname = \"t\"\n\
//!      [[table.column]]\nname = \"n\"\ntype = \"integer\"\nrange = { min = 0, max = 9 }\n".into(),
//!     &|_: &str| Err("no files".to_string()),
//! )?;
//! let registry = Registry::builtin();
//! let plan = Plan::new(pack, registry)?;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("t.csv");
//! std::fs::write(&path, "n\n3\n12\n")?;
//! let (_, result) = engine::check_path(&plan, &path);
//! assert_eq!(result.findings.len(), 1);
//! assert_eq!(result.findings[0].code, "VK0103");
//! assert_eq!(result.findings[0].location.row, Some(3));
//! assert_eq!(result.findings[0].location.column.as_deref(), Some("n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

/// Declares a documented check: a unit struct whose doc comment is its user documentation, with its
/// stable code and name. `vakt explain CODE` prints the doc comment.
#[macro_export]
macro_rules! documented_check {
    ($(#[doc = $doc:literal])* $vis:vis struct $name:ident => $code:literal, $slug:literal;) => {
        $(#[doc = $doc])*
        $vis struct $name;
        impl $name {
            /// The check's stable code.
            pub const CODE: &'static str = $code;
            /// The check's name.
            pub const NAME: &'static str = $slug;
            /// The check's documentation (its doc comment).
            pub const DOC: &'static str = concat!($($doc, "\n"),*);
            /// Code, name and documentation together.
            pub const INFO: $crate::finding::CheckInfo = $crate::finding::CheckInfo {
                code: $crate::finding::Code::new($code),
                name: ::std::borrow::Cow::Borrowed($slug),
                doc: ::std::borrow::Cow::Borrowed(concat!($($doc, "\n"),*)),
            };
        }
    };
}

pub mod check;
pub mod chunked;
pub mod expr;
pub mod finding;
pub mod i18n;
pub mod ident;
pub mod infer;
pub mod locate;
pub mod pack;
pub mod par;
pub mod read;
pub mod report;
#[cfg(test)]
mod test_rng;
pub mod value;
