//! The typed model, format v1. The declarations here are the single source of the
//! decoder, the JSON Schema (`threatwright schema`) and the reference in
//! `docs/model-format.md`.

mod component;
mod document;
mod elements;
mod enums;
mod scalars;
mod tracking;

pub use component::*;
pub use document::*;
pub use elements::*;
pub use enums::*;
pub use scalars::*;
pub use tracking::*;
