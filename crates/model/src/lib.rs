//! The Threatwright system model.
//!
//! A model is YAML (or JSON) that describes an AI system: zones, data, components,
//! flows, and what the team has decided. This crate turns files into a typed [`Model`]:
//!
//! 1. [`yaml`] parses text into a tree with a [`Span`] on every node, under [`Limits`];
//! 2. [`decode`] reads the tree into the [`types`], collecting a [`Diagnostic`] for every
//!    problem rather than stopping at the first;
//! 3. [`load`] follows `include:` and merges files; [`validate`] checks ids and references.
//!
//! ```
//! use threatwright_model::{load_str, Limits};
//! let loaded = load_str("m.yaml", "threatwright: 1\ncomponents:\n  - { id: api, kind: servce }\n", &Limits::default());
//! assert!(loaded.has_errors());
//! assert_eq!(loaded.diagnostics[0].help.as_deref(), Some("did you mean `service`? allowed values: `user`, `external-service`, `web-app`, `mobile-app`, `api`, `service`, `function`, `gateway`, `identity-provider`, `queue`, `database`, `object-store`, `cache`, `secret-store`, `monitoring`, `data-source`, `labeling`, `data-pipeline`, `feature-store`, `training`, `evaluation`, `experiment-tracker`, `notebook`, `model-registry`, `model`, `inference-service`, `llm`, `embedding-model`, `vector-store`, `retriever`, `agent`, `tool`, `guardrail`, `human-review`"));
//! ```
//!
//! [`schema`] derives the JSON Schema and the reference docs from the same declarations.

pub mod decode;
pub mod diag;
pub mod limits;
pub mod load;
pub mod schema;
pub mod span;
pub mod suggest;
pub mod types;
pub mod validate;
pub mod yaml;

pub use diag::{Code, Diagnostic, Severity};
pub use limits::Limits;
pub use load::{LoadError, Loaded, load_path, load_str};
pub use span::{FileId, SourceMap, Span, Spanned};
pub use types::Model;
