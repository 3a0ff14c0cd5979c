//! The threat catalog: threat rules and controls as reviewed YAML data.
//!
//! [`load::load`] reads rule and control files (the built-in ones are embedded in the
//! binary, [`load::builtin_sources`]), decodes them with the model crate's spanned
//! reader so a broken rule gets `file:line:col`, compiles every CEL expression once
//! under the limits in [`compile`], and checks the catalog as a whole (ids match file
//! names, mitigations name real controls, framework ids are well formed, every rule
//! has positive and negative tests). The engine evaluates the compiled rules.

pub mod compile;
pub mod docs;
pub mod frameworks;
pub mod load;
pub mod types;

pub use load::{Catalog, CompiledRule, SourceText, builtin_sources, dir_sources, load};
pub use types::{Control, Rule, Stage, Stride, Target};
