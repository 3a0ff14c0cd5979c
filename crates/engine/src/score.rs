//! Risk: likelihood × impact on a configurable matrix, with every factor that moved
//! either one written down, and the residual risk after the controls in place.

use crate::assessment::Severity;
use crate::facts::ComponentFacts;
use serde::{Deserialize, Serialize};

/// The risk matrix and its level names, from `threatwright.toml` (`[risk]`) or defaults.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Names of likelihood levels 1–5.
    #[serde(default = "default_likelihood")]
    pub likelihood: Vec<String>,
    /// Names of impact levels 1–5.
    #[serde(default = "default_impact")]
    pub impact: Vec<String>,
    /// Band of each cell: `matrix[likelihood - 1][impact - 1]`.
    #[serde(default = "default_matrix")]
    pub matrix: Vec<Vec<Severity>>,
}

fn default_likelihood() -> Vec<String> {
    ["rare", "unlikely", "possible", "likely", "almost-certain"]
        .map(String::from)
        .to_vec()
}

fn default_impact() -> Vec<String> {
    ["negligible", "minor", "moderate", "major", "severe"]
        .map(String::from)
        .to_vec()
}

/// Bands by score: low ≤ 4, medium ≤ 9, high ≤ 16, critical above.
fn default_matrix() -> Vec<Vec<Severity>> {
    (1..=5u32)
        .map(|l| (1..=5u32).map(|i| Severity::from_score(l * i)).collect())
        .collect()
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            likelihood: default_likelihood(),
            impact: default_impact(),
            matrix: default_matrix(),
        }
    }
}

/// A policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    risk: Option<Policy>,
}

impl Policy {
    /// Reads `[risk]` from a TOML policy file and checks the matrix is 5 × 5.
    pub fn from_toml(path: &str, text: &str) -> Result<Policy, PolicyError> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| PolicyError::Invalid {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let p = file.risk.unwrap_or_default();
        let bad = |m: &str| {
            Err(PolicyError::Invalid {
                path: path.to_owned(),
                message: m.to_owned(),
            })
        };
        if p.likelihood.len() != 5 || p.impact.len() != 5 {
            return bad("`risk.likelihood` and `risk.impact` must name 5 levels each");
        }
        if p.matrix.len() != 5 || p.matrix.iter().any(|r| r.len() != 5) {
            return bad("`risk.matrix` must be 5 rows (likelihood 1–5) of 5 bands (impact 1–5)");
        }
        Ok(p)
    }

    pub fn band(&self, likelihood: u32, impact: u32) -> Severity {
        self.matrix[(likelihood.clamp(1, 5) - 1) as usize][(impact.clamp(1, 5) - 1) as usize]
    }
}

/// A likelihood or impact and why it has that value.
pub struct Scored {
    pub likelihood: u32,
    pub impact: u32,
    pub factors: Vec<String>,
}

fn clamp(v: i64) -> u32 {
    v.clamp(1, 5) as u32
}

/// Applies the modifiers that depend on where the threat is.
#[allow(clippy::too_many_arguments)]
pub fn modifiers(
    base_l: u32,
    base_i: u32,
    component: Option<&ComponentFacts>,
    flow: Option<&crate::facts::FlowFacts>,
    stride: &[&str],
    asset: &str,
    decision_harm: bool,
    stage: &str,
    criticality: &str,
    incidents: usize,
) -> Scored {
    // Stealing a model discloses the model, not the personal data it scores; script in a
    // viewer's page (`asset: viewer`) harms the viewer whatever the model could see.
    let discloses = stride.contains(&"information-disclosure") && asset == "data";
    let acts = stride
        .iter()
        .any(|s| matches!(*s, "elevation-of-privilege" | "tampering"));
    let governance = stage == "governance";
    let mut l = base_l as i64;
    let mut i = base_i as i64;
    let mut factors = vec![format!("rule base: likelihood {base_l}, impact {base_i}")];
    let mut like = |d: i64, why: &str, f: &mut Vec<String>| {
        l += d;
        f.push(format!("{why}: likelihood {d:+}"));
    };
    // A vendor or upstream compromise happens on the supplier's side: how exposed the
    // component is says nothing about its chance (unless the artifact is our own, when
    // tampering needs a way in).
    let upstream = |c: &ComponentFacts| {
        stage == "supply-chain"
            && c.model.get("source").and_then(|s| s.as_str()) != Some("self-trained")
    };
    if let Some(c) = component.filter(|c| !upstream(c)) {
        if c.internet_facing {
            like(
                1,
                "reachable directly from the internet or an untrusted zone",
                &mut factors,
            );
        } else if !c.exposed && !c.untrusted_input {
            like(
                -1,
                "reachable only from inside, no untrusted input",
                &mut factors,
            );
        }
        if stage == "agentic"
            && c.attrs.get("autonomy").and_then(|a| a.as_str()) == Some("autonomous")
        {
            like(
                1,
                "autonomous agent: nobody approves its actions",
                &mut factors,
            );
        }
    }
    if let Some(f) = flow {
        if f.inbound_from_untrusted {
            like(1, "starts at an untrusted party", &mut factors);
        }
        if matches!(
            f.attrs.get("auth").and_then(|a| a.as_str()),
            Some("mtls" | "iam" | "signed")
        ) {
            like(-1, "strong authentication on the flow", &mut factors);
        }
    }
    if incidents > 0 {
        like(
            incidents.min(2) as i64,
            &format!("{incidents} recorded incident(s)"),
            &mut factors,
        );
    }
    if let Some(c) = component.filter(|_| !governance) {
        let personal = c.data_categories.iter().any(|d| {
            matches!(
                *d,
                "pii" | "phi" | "pci" | "biometric" | "credentials" | "secrets"
            )
        });
        if discloses && c.sensitivity >= 3 && personal && i < 5 {
            factors.push(format!(
                "restricted personal data or secrets reachable: impact {:+}",
                5 - i
            ));
            i = 5;
        } else if discloses && c.sensitivity >= 3 && i < 4 {
            factors.push(format!("restricted data reachable: impact {:+}", 4 - i));
            i = 4;
        }
        if acts
            && c.actions
                .iter()
                .any(|a| matches!(*a, "financial" | "delete"))
            && matches!(stage, "agentic" | "inference")
        {
            i += 1;
            factors.push("can cause financial or destructive actions: impact +1".into());
        }
    }
    // Only where the harm is the decision itself (a wrong or unreviewed rejection), not
    // every threat on a component that happens to decide about people; governance rules
    // included (a decision nobody oversees is one).
    if decision_harm && component.is_some_and(|c| c.decisions_about_people) {
        i += 1;
        factors.push("decides about people: impact +1".into());
    }
    if let Some(f) = flow
        && discloses
        && f.sensitivity >= 3
        && i < 4
    {
        factors.push(format!("carries restricted data: impact {:+}", 4 - i));
        i = 4;
    }
    // Criticality says how much the business depends on the system, not what a threat
    // does: in a critical system a moderate harm (impact 3) is a major one (4). It does not
    // lift minor findings (impact 1–2: hygiene stays hygiene) and does not make anything
    // severe on its own (5 comes from what the threat reaches: restricted data, destructive
    // actions, decisions about people), so the bands still discriminate.
    match criticality {
        "critical" if i == 3 => {
            i += 1;
            factors.push("system criticality critical: moderate impact is major: impact +1".into());
        }
        "low" => {
            i -= 1;
            factors.push("system criticality low: impact -1".into());
        }
        _ => {}
    }
    Scored {
        likelihood: clamp(l),
        impact: clamp(i),
        factors,
    }
}

/// The sentence a business reader needs: what breaks for whom if this happens.
///
/// The effect follows what the rule harms: the people shown the output (`asset: viewer`),
/// missing oversight (`governance`), else the rule's first STRIDE category. A component's
/// description is folded onto one line.
pub fn business_impact(
    stride: &[&str],
    asset: &str,
    stage: &str,
    element: &str,
    description: Option<&str>,
    system: &str,
) -> String {
    let what = description
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|d| !d.is_empty())
        .map(|d| format!("{element} ({})", d.trim_end_matches('.')))
        .unwrap_or_else(|| element.to_owned());
    let effect = match (asset, stage, stride.first().copied()) {
        ("viewer", _, _) => {
            "shows the people who read its output content that attacks or deceives them"
        }
        (_, "governance", _) => {
            "runs without the oversight, records or transparency the business must show"
        }
        (_, _, Some("denial-of-service")) => "stops or becomes too costly to run",
        (_, _, Some("information-disclosure")) => {
            "discloses data it can see to someone who must not have it"
        }
        (_, _, Some("tampering")) => "produces wrong or attacker-chosen results",
        (_, _, Some("elevation-of-privilege")) => "acts with rights the attacker should not have",
        (_, _, Some("spoofing")) => "trusts a party that is not who it claims to be",
        (_, _, Some("repudiation")) => "takes actions nobody can trace afterwards",
        _ => "fails in a way the business depends on",
    };
    if system.is_empty() {
        format!("{what} {effect}.")
    } else {
        format!("{what} {effect}, affecting {system}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matrix_bands_by_score() {
        let p = Policy::default();
        assert_eq!(p.band(1, 4), Severity::Low);
        assert_eq!(p.band(3, 3), Severity::Medium);
        assert_eq!(p.band(4, 4), Severity::High);
        assert_eq!(p.band(5, 4), Severity::Critical);
    }

    #[test]
    fn policy_files_are_checked() {
        let ok = "[risk]\nmatrix = [[\"low\",\"low\",\"low\",\"low\",\"medium\"],[\"low\",\"low\",\"low\",\"medium\",\"medium\"],[\"low\",\"low\",\"medium\",\"medium\",\"high\"],[\"low\",\"medium\",\"medium\",\"high\",\"critical\"],[\"medium\",\"medium\",\"high\",\"critical\",\"critical\"]]\n";
        let p = Policy::from_toml("t.toml", ok).unwrap();
        assert_eq!(p.band(5, 5), Severity::Critical);
        assert_eq!(p.band(1, 5), Severity::Medium);
        assert!(
            Policy::from_toml("t.toml", "[risk]\nmatrix = [[\"low\"]]\n")
                .unwrap_err()
                .to_string()
                .contains("5 rows")
        );
        assert!(Policy::from_toml("t.toml", "[risk]\nmatrx = 1\n").is_err());
        assert!(
            Policy::from_toml(
                "t.toml",
                "[risk]\nmatrix = [[\"severe\",\"low\",\"low\",\"low\",\"low\"]]\n"
            )
            .is_err()
        );
    }
}
