pub mod analyze;
pub mod bom;
pub mod check;
pub mod diagram;
pub mod diff;
pub mod gen_model;
pub mod init;
pub mod report;
pub mod rules;
pub mod schema;
pub mod tree;
pub mod validate;
pub mod views;

/// How a command ended, as the process exit status: 0 clean, 1 findings (invalid
/// models, a failed gate), 2 the tool could not do its job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Clean = 0,
    Findings = 1,
    Failure = 2,
}
