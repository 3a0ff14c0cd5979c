//! The catalog's file formats: threat rules and controls, as written by people.

use serde_json::{Value as Json, json};
use threatwright_model::decode::{Cx, Decode, SchemaGen, bad_enum_value, scalar_text};
use threatwright_model::types::{ComponentKind, Id, Role, Text};
use threatwright_model::yaml::Node;
use threatwright_model::{record, string_enum};

string_enum! {
    /// A STRIDE category.
    pub enum Stride as "STRIDE category" {
        Spoofing = "spoofing", Tampering = "tampering", Repudiation = "repudiation",
        InformationDisclosure = "information-disclosure", DenialOfService = "denial-of-service",
        ElevationOfPrivilege = "elevation-of-privilege",
    }
}
string_enum! {
    /// Where in the AI lifecycle a threat arises.
    pub enum Stage as "lifecycle stage" {
        Data = "data", Training = "training", SupplyChain = "supply-chain", Deployment = "deployment",
        Inference = "inference", Agentic = "agentic", Governance = "governance",
    }
}
string_enum! {
    /// How precise a rule is: how often a finding is real.
    pub enum Confidence as "confidence" { Low = "low", Medium = "medium", High = "high", }
}
string_enum! {
    /// What a threat takes or harms, which decides whether the sensitivity of the data an
    /// element sees raises its impact.
    pub enum Asset as "asset" { Data = "data", Model = "model", Service = "service", Viewer = "viewer", }
}
string_enum! {
    /// Whether a rule is in use.
    pub enum RuleStatus as "rule status" { Stable = "stable", Preview = "preview", Deprecated = "deprecated", }
}

string_enum! {
    /// An article of the EU AI Act's requirements for high-risk AI systems.
    pub enum EuAiActArticle as "EU AI Act article" {
        Art9 = "art-9", Art10 = "art-10", Art11 = "art-11", Art12 = "art-12", Art13 = "art-13",
        Art14 = "art-14", Art15 = "art-15",
    }
}

impl EuAiActArticle {
    /// The article's number and title, as the regulation names it.
    pub fn title(self) -> &'static str {
        match self {
            EuAiActArticle::Art9 => "Article 9 — Risk management system",
            EuAiActArticle::Art10 => "Article 10 — Data and data governance",
            EuAiActArticle::Art11 => "Article 11 — Technical documentation",
            EuAiActArticle::Art12 => "Article 12 — Record-keeping",
            EuAiActArticle::Art13 => {
                "Article 13 — Transparency and provision of information to deployers"
            }
            EuAiActArticle::Art14 => "Article 14 — Human oversight",
            EuAiActArticle::Art15 => "Article 15 — Accuracy, robustness and cybersecurity",
        }
    }
}

/// What a rule is evaluated on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Component(ComponentKind),
    Flow,
    Data,
    System,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Component(k) => k.as_str(),
            Target::Flow => "flow",
            Target::Data => "data",
            Target::System => "system",
        }
    }
}

impl serde::Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Decode for Target {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let text = scalar_text(node, cx, "a component kind, flow, data or system")?;
        match text {
            "flow" => Some(Target::Flow),
            "data" => Some(Target::Data),
            "system" => Some(Target::System),
            _ => match ComponentKind::parse(text) {
                Some(k) => Some(Target::Component(k)),
                None => {
                    let mut all: Vec<&str> = ComponentKind::NAMES.to_vec();
                    all.extend(["flow", "data", "system"]);
                    bad_enum_value(node, cx, text, "rule target", &all);
                    None
                }
            },
        }
    }
    fn schema(_: &mut SchemaGen) -> Json {
        let mut all: Vec<&str> = ComponentKind::NAMES.to_vec();
        all.extend(["flow", "data", "system"]);
        json!({"type": "string", "enum": all})
    }
    fn label() -> String {
        "component kind, flow, data or system".into()
    }
}

record! {
    /// A sentence shown with each finding of a rule.
    pub struct Evidence as "evidence entry" {
        opt when: Text = "CEL: show the sentence only when this holds.",
        req say: Text = "The sentence; `{{ expr }}` inserts the value of a CEL expression.",
    }
}

record! {
    /// A question raised when a fact the rule needs was not stated.
    pub struct Question as "question" {
        opt when: Text = "CEL: ask when this holds (typically `!has(c.attrs.x)`).",
        req ask: String = "The question, for the model's owners.",
    }
}

record! {
    /// Framework references.
    pub struct References as "references" {
        list atlas: Text = "MITRE ATLAS technique ids (AML.T…).",
        list owasp_llm: Text = "OWASP Top 10 for LLM Applications 2025 ids (LLM01:2025 …).",
        list owasp_ml: Text = "OWASP Machine Learning Security Top 10 ids (ML01:2023 …).",
        list nist_ai_100_2: Text = "NIST AI 100-2 attack classes.",
        list cwe: Text = "CWE ids (CWE-79 …).",
        list cosai: Text = "CoSAI risk map ids (riskPromptInjection …).",
    }
}

record! {
    /// A test of a rule: a model and the threats it must or must not produce.
    pub struct RuleTest as "rule test" {
        req name: String = "What the test shows.",
        list expect: Text = "Threat ids that must be found.",
        list absent: Text = "Threat ids that must not be found.",
        list asks: Text = "Element ids on which the rule must raise one of its questions.",
        opt model: Text = "A complete model, inline.",
        opt file: Text = "A model file, relative to the rule file.",
    }
}

record! {
    /// A threat rule.
    pub struct Rule as "threat rule" {
        req id: Id = "Stable kebab-case id naming the threat; equals the file name.",
        opt status: RuleStatus = "stable, preview or deprecated.",
        opt since: String = "Version that introduced it.",
        req title: String = "One line.",
        opt family: String = "The folder under catalog/threats/.",
        list applies_to: Target = "Component kinds, or flow, data, system.",
        list stride: Stride = "STRIDE categories.",
        req lifecycle: Stage = "Lifecycle stage.",
        req what: String = "What happens.",
        req why: String = "Why it matters for this kind of AI system.",
        opt example: String = "A short concrete example.",
        req condition: Text = "CEL condition over the element's facts.",
        req likelihood: u32 = "Base likelihood, 1 (rare) to 5 (almost certain).",
        req impact: u32 = "Base impact, 1 (negligible) to 5 (severe).",
        opt confidence: Confidence = "How precise the rule is.",
        opt asset: Asset = "What it takes or harms: data (default; what the element sees), model (weights, behaviour, IP), service (availability, cost) or viewer (the person shown the output: their session, their clicks).",
        opt decision_harm: bool = "The harm is a wrong, unfair or unreviewed decision about people: on an element that decides about people, impact +1.",
        list evidence: Evidence = "Sentences explaining each finding.",
        list attack: String = "Attacker steps, in order.",
        list mitigations: Id = "Control ids that address the threat.",
        list subsumes: Id = "Rules whose threats on the same element are part of this one when both fire (same cause, same fix); they are reported under it.",
        opt owner: Role = "Default responsible role.",
        list questions: Question = "Questions raised when needed facts are not stated.",
        opt references: References = "Framework references.",
        list tests: RuleTest = "Positive and negative test models.",
    }
}

record! {
    /// How much a control lowers risk once implemented.
    pub struct Effect as "control effect" {
        opt likelihood: u32 = "Levels of likelihood it removes (0-2).",
        opt impact: u32 = "Levels of impact it removes (0-2).",
    }
}

record! {
    /// Framework mappings of a control.
    pub struct Mappings as "control mappings" {
        list nist_ai_rmf: String = "NIST AI RMF 1.0 subcategories.",
        list iso_42001: String = "ISO/IEC 42001:2023 Annex A control groups.",
        list owasp_ai_exchange: String = "OWASP AI Exchange controls.",
        list eu_ai_act: EuAiActArticle = "EU AI Act articles on high-risk systems (9 to 15) the control helps meet.",
    }
}

record! {
    /// A control: a safeguard that lowers the risk of threats.
    pub struct Control as "control" {
        req id: Id = "Stable kebab-case id; equals the file name.",
        req title: String = "One line.",
        req description: String = "What it is and how to do it well.",
        opt lifecycle: Stage = "Lifecycle stage.",
        opt owner: Role = "Role that usually implements it.",
        opt effect: Effect = "How much it lowers likelihood and impact.",
        opt mappings: Mappings = "Framework mappings.",
    }
}
