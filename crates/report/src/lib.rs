//! Renderers: each reads an [`Assessment`](threatwright_engine::Assessment) (or two, for
//! a diff) and writes one format. None recomputes analysis.

pub mod diff;
pub mod junit;
pub mod sarif;
