//! lawful-dsl: the rule language.
//!
//! Text goes through four stages, each in its own module: [`parser`] (pest, with
//! size and depth limits), [`lower`] (pest pairs → the typed [`ast`]), [`compile`]
//! (names checked and interned into `lawful-core`'s model, with [`lint`]
//! warnings), and [`load`] (files and directories); [`format`] lays files out
//! canonically for `lawful fmt`. [`diagnostic`] renders every problem with its
//! file, line, column and a caret. [`outline`] lists the names each file declares
//! and uses, with their spans, for editors. pest's types never leave here.

// pest is built without its `std` feature (see the workspace manifest), and the
// parser it generates then names `alloc` directly.
extern crate alloc;

pub mod ast;
pub mod codes;
pub mod compile;
pub mod diagnostic;
pub mod digest;
pub mod excerpts;
pub mod format;
pub mod labels;
mod lint;
pub mod load;
mod lower;
mod quick;
#[doc(hidden)]
pub use quick::agrees_with_pest;
pub mod outline;
pub mod parser;
mod split;
pub mod testing;

pub use diagnostic::{Diagnostic, Location, Severity, Source, render_all};
pub use labels::{LabelKind, VersionLabels};
pub use load::{
    LoadedPolicy, PolicyError, load_policy, load_sources, load_test_sources, load_tests,
};
pub use outline::{NameKind, Outline, outline};
pub use testing::{TestCase, TestOutcome};
