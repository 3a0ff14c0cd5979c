//! The result of an analysis: what every output (terminal, JSON, reports) shows.
//!
//! The JSON form is versioned by [`FORMAT_VERSION`] and documented in
//! `docs/analysis-json.md`: `threats[]` (one per finding, id `RULE@ELEMENT`),
//! `questions[]` (facts a rule needed that the model does not state), `rule_errors[]`
//! (rules that failed at run time), `summary`, and `facts` per element.

use crate::evaluate::RuleError;
use crate::facts::Facts;
use serde::Serialize;
use std::collections::BTreeMap;

pub const FORMAT_VERSION: u32 = 1;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Bands of likelihood × impact on the 5×5 matrix.
    pub fn from_score(score: u32) -> Severity {
        match score {
            0..=4 => Severity::Low,
            5..=9 => Severity::Medium,
            10..=16 => Severity::High,
            _ => Severity::Critical,
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Clone, Debug, Serialize, Default)]
pub struct ReferenceIds {
    pub atlas: Vec<String>,
    pub owasp_llm: Vec<String>,
    pub owasp_ml: Vec<String>,
    pub nist_ai_100_2: Vec<String>,
    pub cwe: Vec<String>,
    pub cosai: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Mitigations {
    /// Controls the rule recommends that are implemented or verified on the element.
    pub present: Vec<String>,
    /// Recommended controls only planned.
    pub planned: Vec<String>,
    /// Recommended controls not in place.
    pub missing: Vec<String>,
    /// Of `present`, those the model's own attributes put in place (a blocking
    /// guardrail, `rate_limit: true`, per-call approval, …) rather than a `controls:`
    /// entry, with the reason; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credited: Vec<CreditedControl>,
}

/// A present control credited from what the model states, and why.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CreditedControl {
    pub control: String,
    pub because: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Residual {
    pub likelihood: u32,
    pub impact: u32,
    pub score: u32,
    pub severity: Severity,
    /// Controls whose effect was applied.
    pub reduced_by: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Location {
    /// Shared by every finding in the same file.
    pub file: std::sync::Arc<str>,
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Threat {
    pub id: String,
    pub rule: String,
    pub title: String,
    /// The element ids the threat is on; the first is where it is reported.
    pub elements: Vec<String>,
    /// What the first element is: a component kind, `flow`, `data` or `system`.
    pub element_kind: &'static str,
    pub stride: Vec<&'static str>,
    pub lifecycle: &'static str,
    /// The rule's base values, before the modifiers in `factors`.
    pub base_likelihood: u32,
    pub base_impact: u32,
    /// Inherent risk: after modifiers, before controls.
    pub likelihood: u32,
    pub impact: u32,
    pub score: u32,
    pub severity: Severity,
    /// Every factor that set the likelihood and impact, in words.
    pub factors: Vec<String>,
    pub business_impact: String,
    /// Risk after the recommended controls that are implemented or verified.
    pub residual: Residual,
    /// open, in-progress, mitigated, accepted, false-positive, transferred (from `risks:`;
    /// an expired acceptance is open).
    pub status: &'static str,
    pub tracking: Option<crate::tracking::Tracking>,
    pub incidents: Vec<String>,
    /// The threat this one is part of: a rule that `subsumes` this one fired on the same
    /// element, so they share a cause and a fix and the gate counts them once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    pub assumptions: Vec<String>,
    pub decisions: Vec<String>,
    pub confidence: &'static str,
    /// What it takes or harms (data, model, service): only data threats have their
    /// impact raised by the sensitivity of what the element sees.
    pub asset: &'static str,
    /// The rule states `decision_harm`: its harm is the decision about people, so
    /// `decisions_about_people` raises its impact.
    #[serde(skip)]
    pub decision_harm: bool,
    /// The rule's references, shared by all its findings.
    pub references: std::sync::Arc<ReferenceIds>,
    pub evidence: Vec<String>,
    pub mitigations: Mitigations,
    pub owner_role: &'static str,
    pub questions: Vec<String>,
    pub location: Option<Location>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Question {
    pub element: String,
    pub rule: String,
    pub question: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub threats: usize,
    /// Threats still open (open, in-progress, or an expired acceptance).
    pub open: usize,
    pub by_status: BTreeMap<&'static str, usize>,
    pub by_severity: BTreeMap<&'static str, usize>,
    pub by_stride: BTreeMap<&'static str, usize>,
    pub by_lifecycle: BTreeMap<&'static str, usize>,
    pub questions: usize,
    pub rules_evaluated: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    pub format_version: u32,
    pub tool: String,
    pub system: Option<String>,
    pub summary: Summary,
    pub threats: Vec<Threat>,
    pub questions: Vec<Question>,
    pub rule_errors: Vec<RuleError>,
    /// Problems with `risks:` entries: orphans and expired acceptances.
    pub tracking_warnings: Vec<crate::tracking::TrackingWarning>,
    pub plan: crate::plan::Plan,
    pub policy: crate::score::Policy,
    pub facts: Facts,
}

impl Threat {
    /// Whether the threat still needs action (not mitigated, accepted, transferred or a false positive).
    pub fn is_open(&self) -> bool {
        matches!(self.status, "open" | "in-progress")
    }
}
