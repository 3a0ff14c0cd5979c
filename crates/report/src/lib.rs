//! Renderers: each reads an [`Assessment`](threatwright_engine::Assessment) (or two, for
//! a diff) and writes one format. None recomputes analysis.

pub mod bom;
pub mod compliance;
pub mod content;
pub mod csv;
pub mod diagram;
pub mod diff;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod svgkit;
pub mod tree;
