//! The system, zones, data and flows.

use super::enums::*;
use super::scalars::*;
use crate::decode::{Cx, Decode, SchemaGen, bad_enum_value, scalar_text};
use crate::diag::{Code, Diagnostic};
use crate::record;
use crate::yaml::{Node, Value};
use serde_json::{Value as Json, json};

/// Contacts per stakeholder role (`security: sec@example.com`).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Owners(pub Vec<(Role, String)>);

impl Decode for Owners {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let Value::Map(entries) = &node.value else {
            cx.error(
                Diagnostic::error(
                    Code::WrongType,
                    node.span,
                    format!(
                        "expected a mapping of role to contact, found {}",
                        node.type_name()
                    ),
                )
                .with_help(
                    "write e.g. `owners: { security: sec@example.com, product: pm@example.com }`",
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        for e in entries {
            let Some(role) = Role::parse(&e.key.value) else {
                let key_node = Node {
                    value: Value::Scalar {
                        text: e.key.value.clone(),
                        plain: true,
                    },
                    span: e.key.span,
                };
                bad_enum_value(&key_node, cx, &e.key.value, "role", Role::NAMES);
                continue;
            };
            if let Some(contact) = scalar_text(&e.value, cx, "a contact (string)") {
                out.push((role, contact.to_owned()));
            }
        }
        Some(Owners(out))
    }
    fn schema(g: &mut SchemaGen) -> Json {
        let role = Role::schema(g);
        json!({"type": "object", "propertyNames": role, "additionalProperties": {"type": "string"}})
    }
    fn label() -> String {
        "mapping of role to contact".into()
    }
}

record! {
    /// The system as a whole.
    pub struct System as "system" {
        req id: Id = "Stable id of the system.",
        opt name: String = "Display name.",
        opt description: String = "What the system does, for whom.",
        opt criticality: Criticality = "How much the business depends on it: `critical` makes moderate impacts major, `low` lowers every impact by one.",
        opt lifecycle: Lifecycle = "Where the system is in its life.",
        opt owners: Owners = "Contact for each stakeholder role (security, ml-engineering, product, …).",
        list regulations: String = "Regulations that apply, e.g. gdpr, hipaa, eu-ai-act.",
        list tags: String = "Free labels.",
    }
}

record! {
    /// A trust boundary. Components inside one zone trust each other to the zone's level.
    pub struct Zone as "zone" {
        req id: Id = "Stable id, unique among zones, data, components and flows.",
        opt name: String = "Display name.",
        opt description: String = "What lives here and who controls it.",
        opt trust: Trust = "How far what runs in this zone is trusted.",
        opt inside: Ref = "The zone this one is nested in.",
        list tags: String = "Free labels.",
    }
}

record! {
    /// A data asset: something worth protecting or something that can carry an attack.
    pub struct DataAsset as "data asset" {
        req id: Id = "Stable id, unique among zones, data, components and flows.",
        opt name: String = "Display name.",
        opt description: String = "What the data is.",
        opt classification: Classification = "Sensitivity.",
        list categories: DataCategory = "What kind of information it holds.",
        opt provenance: Provenance = "Where it comes from; user-generated, public-web and third-party data may be attacker-controlled.",
        opt integrity: Integrity = "How much harm a change to it would do.",
        list tags: String = "Free labels.",
    }
}

record! {
    /// A connection between two components, initiated by `from`.
    pub struct Flow as "flow" {
        opt id: Id = "Stable id; defaults to `FROM>TO`, required when two flows join the same two components.",
        req from: Ref = "The component that initiates the connection.",
        req to: Ref = "The component it connects to.",
        list sends: Ref = "Data ids sent from `from` to `to`.",
        list receives: Ref = "Data ids returned from `to` to `from`.",
        opt protocol: String = "Transport or API protocol, e.g. https, grpc, sql.",
        opt encrypted: bool = "Whether the connection is encrypted in transit.",
        opt auth: Auth = "How `from` authenticates to `to`.",
        opt purpose: String = "Why the connection exists.",
        opt description: String = "Details.",
        list tags: String = "Free labels.",
    }
}

impl Flow {
    /// The flow's id: its own, or `FROM>TO`.
    pub fn id(&self) -> String {
        match &self.id {
            Some(id) => id.name.clone(),
            None => {
                // Built directly: flows are many and `format!` is several times slower.
                let (from, to) = (self.from.name.as_str(), self.to.name.as_str());
                let mut id = String::with_capacity(from.len() + 1 + to.len());
                id.push_str(from);
                id.push('>');
                id.push_str(to);
                id
            }
        }
    }
}

record! {
    /// Secrets a component holds to reach others.
    pub struct Credentials as "credentials" {
        opt storage: CredentialStorage = "Where the secrets are kept.",
        opt scope: CredentialScope = "How much they allow.",
    }
}

record! {
    /// Code a component runs on behalf of someone.
    pub struct ExecutesCode as "code execution" {
        opt from: CodeFrom = "Whose code it runs: users, model (generated code), none.",
        opt isolation: Isolation = "How the code is separated from the component.",
        opt limits: bool = "Whether CPU, memory and time are capped.",
    }
}

record! {
    /// How use of a component is paid for.
    pub struct Billing as "billing" {
        opt pay_per_use: bool = "Whether each call costs money (tokens, GPU time).",
        opt spend_limit: bool = "Whether a hard spending cap is in place.",
    }
}

record! {
    /// The system prompt of an LLM application.
    pub struct SystemPrompt as "system prompt" {
        opt secrets: bool = "Whether it contains secrets (keys, passwords, internal URLs).",
        opt confidential: bool = "Whether its text is confidential.",
    }
}

record! {
    /// How LLM output is used.
    pub struct LlmOutput as "LLM output" {
        opt rendered_as: RenderedAs = "How the output is shown.",
        opt executed: bool = "Whether the output is run as code, a query or a command.",
        opt remote_content: bool = "Whether the renderer fetches images and links by itself.",
        opt audience: Audience = "Who reads the output.",
    }
}
