//! Components: the parts of the system, each of a kind with its own attributes.

use super::elements::*;
use super::enums::*;
use super::scalars::*;
use crate::decode::{Cx, Decode, MapReader, RecordDoc, SchemaGen, describe};
use crate::diag::{Code, Diagnostic};
use crate::span::Spanned;
use crate::yaml::Node;
use crate::{record, string_enum};
use serde_json::{Value as Json, json};

string_enum! {
    /// What a component is.
    pub enum ComponentKind as "component kind" {
        User = "user", ExternalService = "external-service", WebApp = "web-app", MobileApp = "mobile-app", Api = "api",
        Service = "service", Function = "function", Gateway = "gateway", IdentityProvider = "identity-provider", Queue = "queue",
        Database = "database", ObjectStore = "object-store", Cache = "cache", SecretStore = "secret-store", Monitoring = "monitoring",
        DataSource = "data-source", Labeling = "labeling", DataPipeline = "data-pipeline", FeatureStore = "feature-store",
        Training = "training", Evaluation = "evaluation", ExperimentTracker = "experiment-tracker", Notebook = "notebook",
        ModelRegistry = "model-registry", Model = "model", InferenceService = "inference-service", Llm = "llm",
        EmbeddingModel = "embedding-model", VectorStore = "vector-store", Retriever = "retriever", Agent = "agent", Tool = "tool",
        Guardrail = "guardrail", HumanReview = "human-review",
    }
}

impl ComponentKind {
    /// AI components may state `capabilities` and `decisions_about_people`.
    pub fn is_ai(self) -> bool {
        use ComponentKind::*;
        matches!(
            self,
            Model | InferenceService | Llm | EmbeddingModel | Agent
        )
    }
}

record! {
    /// Keys every component may have.
    pub struct ComponentCommon as "component" {
        req id: Id = "Stable id, unique among zones, data, components and flows.",
        req kind: Spanned<ComponentKind> = "What the component is; decides which attributes apply.",
        opt zone: Ref = "The trust zone it runs in; required when the model has zones.",
        opt name: String = "Display name.",
        opt description: String = "What it does.",
        list tags: String = "Free labels.",
        list stores: Ref = "Data ids it holds at rest.",
        opt exposure: Exposure = "Who can reach it directly, where that differs from its zone.",
        opt credentials: Credentials = "Secrets it holds to reach others.",
        opt executes_code: ExecutesCode = "Code it runs on someone's behalf.",
        opt egress: Egress = "Where it may open network connections.",
        opt billing: Billing = "Whether use costs money per call, and whether spending is capped.",
        list capabilities: Capability = "What an AI component is allowed to do (AI kinds only).",
        opt decisions_about_people: bool = "Whether its output decides about people (AI kinds only).",
    }
}

impl<T: Decode> Decode for Spanned<T> {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        T::decode(node, cx).map(|v| Spanned::new(v, node.span))
    }
    fn schema(g: &mut SchemaGen) -> Json {
        T::schema(g)
    }
    fn label() -> String {
        T::label()
    }
}

record! {
    /// A human.
    pub struct UserAttrs as "user" {
        opt population: Population = "Who these people are.",
    }
}
record! {
    /// Where data enters the system.
    pub struct DataSourceAttrs as "data-source" {
        opt provenance: Provenance = "Where the data comes from.",
        opt verified: bool = "Whether its content is checked before use.",
    }
}
record! {
    /// Human or automated annotation.
    pub struct LabelingAttrs as "labeling" {
        opt workforce: Workforce = "Who labels.",
    }
}
record! {
    /// Ingestion, ETL, chunking and embedding jobs.
    pub struct DataPipelineAttrs as "data-pipeline" {
        opt validation: bool = "Whether incoming data is validated (schema, outliers, poisoning checks).",
    }
}
record! {
    /// Training, fine-tuning, RLHF or continual learning.
    pub struct TrainingAttrs as "training" {
        opt method: TrainingMethod = "How the model is trained.",
        opt learns_from_users: bool = "Whether user input or feedback flows into training.",
    }
}
record! {
    /// One model artifact (weights).
    pub struct ModelAttrs as "model" {
        opt source: ModelSource = "Where the weights come from.",
        opt format: ModelFormat = "File format of the weights.",
        opt origin: String = "Where they were downloaded from (URL).",
        opt publisher: Publisher = "Whether the team verified who published them.",
        opt pinned: Pinned = "Whether a fixed revision is used: true, false, or the hash.",
        opt signed: bool = "Whether the artifact's signature is checked.",
        opt task: String = "What the model does, e.g. classification, text-generation.",
        opt artifact: String = "Path of the weights file, for the scanner.",
    }
}
record! {
    /// Serving endpoint of a predictive model.
    pub struct InferenceServiceAttrs as "inference-service" {
        opt model: Ref = "The `model` component it serves.",
        opt model_name: String = "Name of the served model.",
        list returns: Returns = "What callers get back.",
        opt rate_limit: bool = "Whether callers are rate limited.",
        opt query_logging: bool = "Whether queries are logged for abuse detection.",
    }
}
record! {
    /// Access to a generative model.
    pub struct LlmAttrs as "llm" {
        opt model: Ref = "The `model` component, when its weights are modeled.",
        opt model_name: String = "Product name, e.g. gpt-4o.",
        opt hosting: Hosting = "Where it runs.",
        opt provider: String = "Vendor or project.",
        opt system_prompt: SystemPrompt = "What the system prompt holds.",
        opt output: LlmOutput = "How its output is used.",
        opt trains_on_prompts: bool = "Whether the provider trains on prompts sent to it.",
    }
}
record! {
    /// Turns text or images into vectors.
    pub struct EmbeddingModelAttrs as "embedding-model" {
        opt hosting: Hosting = "Where it runs.",
        opt model: Ref = "The `model` component, when its weights are modeled.",
        opt model_name: String = "Product name.",
    }
}
record! {
    /// A retrieval index for RAG.
    pub struct VectorStoreAttrs as "vector-store" {
        list writers: Ref = "Components that may add documents.",
        opt access_control: AccessControl = "How results are limited to what the asking user may read.",
    }
}
record! {
    /// The retrieval step of RAG.
    pub struct RetrieverAttrs as "retriever" {
        list sources: Ref = "Components it retrieves from.",
        opt access_control: AccessControl = "How results are limited to what the asking user may read.",
    }
}
record! {
    /// An LLM loop that plans and calls tools.
    pub struct AgentAttrs as "agent" {
        opt llm: Ref = "The `llm` component it uses.",
        list tools: Ref = "The `tool` components it may call.",
        opt memory: Memory = "How long it remembers.",
        opt autonomy: Autonomy = "How far it acts on its own.",
        list triggers: Trigger = "What starts it.",
        list delegates_to: Ref = "Other agents it hands work to.",
        opt max_steps: u32 = "Cap on steps per task.",
    }
}
record! {
    /// A function, plugin, API or MCP server an agent can call.
    pub struct ToolAttrs as "tool" {
        list actions: Action = "What it can do.",
        opt approval: Approval = "Whether a person confirms calls.",
        opt identity: ToolIdentity = "Whose rights it acts with.",
        opt recipients: Recipients = "Who it may send to (for send-message and http-request).",
        opt protocol: ToolProtocol = "How it is called.",
        opt source: ToolSource = "Who wrote it.",
        opt pinned: bool = "Whether a fixed version is used.",
    }
}
record! {
    /// A filter on a path.
    pub struct GuardrailAttrs as "guardrail" {
        opt position: GuardrailPosition = "Where on the path it sits.",
        list checks: GuardrailCheck = "What it checks for.",
        opt mode: GuardrailMode = "Whether it blocks or only flags.",
    }
}
record! {
    /// A person approves before something happens.
    pub struct HumanReviewAttrs as "human-review" {
        opt reviews: String = "What is approved.",
    }
}

macro_rules! kind_attrs {
    ($( $kind:ident, $acc:ident => $variant:ident($attrs:ident), )*) => {
        /// The attributes that belong to a component's kind.
        #[derive(Clone, Debug, serde::Serialize)]
        #[serde(untagged)]
        pub enum KindAttrs {
            None,
            $( $variant($attrs), )*
        }

        impl KindAttrs {
            fn decode_for(kind: ComponentKind, m: &mut MapReader, cx: &mut Cx) -> Option<Self> {
                match kind {
                    $( ComponentKind::$kind => $attrs::decode_fields(m, cx).map(KindAttrs::$variant), )*
                    _ => Some(KindAttrs::None),
                }
            }

            /// The attribute keys of `kind`.
            pub fn keys(kind: ComponentKind) -> &'static [&'static str] {
                match kind {
                    $( ComponentKind::$kind => $attrs::KEYS, )*
                    _ => &[],
                }
            }

            fn schema_fields(kind: ComponentKind, g: &mut SchemaGen) -> Option<(serde_json::Map<String, Json>, Vec<crate::decode::FieldDoc>)> {
                match kind {
                    $( ComponentKind::$kind => { let (p, _, d) = $attrs::schema_fields(g); Some((p, d)) } )*
                    _ => None,
                }
            }
        }

        impl Component {
            $(
                #[doc = concat!("The attributes of a `", stringify!($variant), "`, when it is one.")]
                pub fn $acc(&self) -> Option<&$attrs> {
                    match &self.attrs { KindAttrs::$variant(a) => Some(a), _ => None }
                }
            )*
        }
    };
}

kind_attrs! {
    User, user => User(UserAttrs),
    DataSource, data_source => DataSource(DataSourceAttrs),
    Labeling, labeling => Labeling(LabelingAttrs),
    DataPipeline, data_pipeline => DataPipeline(DataPipelineAttrs),
    Training, training => Training(TrainingAttrs),
    Model, model => Model(ModelAttrs),
    InferenceService, inference_service => InferenceService(InferenceServiceAttrs),
    Llm, llm => Llm(LlmAttrs),
    EmbeddingModel, embedding_model => EmbeddingModel(EmbeddingModelAttrs),
    VectorStore, vector_store => VectorStore(VectorStoreAttrs),
    Retriever, retriever => Retriever(RetrieverAttrs),
    Agent, agent => Agent(AgentAttrs),
    Tool, tool => Tool(ToolAttrs),
    Guardrail, guardrail => Guardrail(GuardrailAttrs),
    HumanReview, human_review => HumanReview(HumanReviewAttrs),
}

/// A part of the system.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Component {
    #[serde(flatten)]
    pub common: ComponentCommon,
    #[serde(flatten)]
    pub attrs: KindAttrs,
}

impl std::ops::Deref for Component {
    type Target = ComponentCommon;
    fn deref(&self) -> &ComponentCommon {
        &self.common
    }
}

impl Component {
    pub fn kind(&self) -> ComponentKind {
        self.common.kind.value
    }
}

/// Kinds that have `key` as an attribute.
fn kinds_with(key: &str) -> Vec<&'static str> {
    ComponentKind::ALL
        .iter()
        .filter(|k| KindAttrs::keys(**k).contains(&key))
        .map(|k| k.as_str())
        .collect()
}

impl Decode for Component {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut m = MapReader::new(node, "component", cx)?;
        let common = ComponentCommon::decode_fields(&mut m, cx);
        if let Some(c) = &common {
            m.what = format!("{} `{}`", c.kind.value, c.id.name);
        }
        let kind = common.as_ref().map(|c| c.kind.value);
        let attrs = kind.map(|k| KindAttrs::decode_for(k, &mut m, cx));
        if let (Some(c), Some(k)) = (&common, kind)
            && !k.is_ai()
        {
            for key in ["capabilities", "decisions_about_people"] {
                if let Some(span) = m.key_span(key) {
                    cx.error(
                        Diagnostic::error(Code::KindMismatch, span, format!("`{key}` applies to AI components, not to {} `{}`", k, c.id.name))
                            .with_label("only for AI kinds")
                            .with_help("state it on the model, inference-service, llm, embedding-model or agent that does the work"),
                    );
                }
            }
        }
        let what = m.what.clone();
        m.finish(cx, |key| {
            let owners = kinds_with(key);
            if owners.is_empty() {
                return None;
            }
            let Some(k) = kind else {
                return Some(None); // the kind is unknown; its own error says so
            };
            Some(Some(
                Diagnostic::error(
                    Code::KindMismatch,
                    node_key_span(node, key),
                    format!("`{key}` is not an attribute of {what}"),
                )
                .with_label(format!("an attribute of {}", owners.join(", ")))
                .with_help(format!(
                    "`{key}` belongs to kind {}; attributes of `{k}`: {}",
                    owners.join(", "),
                    list_or_none(KindAttrs::keys(k))
                )),
            ))
        });
        if common.is_none()
            && let Some(id) = node
                .as_map()
                .and_then(|m| m.iter().find(|e| e.key.value == "id"))
            && let crate::yaml::Value::Scalar { text, .. } = &id.value.value
        {
            cx.dropped_ids.push(text.clone());
        }
        Some(Component {
            common: common?,
            attrs: attrs??,
        })
    }

    fn schema(g: &mut SchemaGen) -> Json {
        g.define("Component", |g| {
            let (common, required, common_docs) = ComponentCommon::schema_fields(g);
            g.records.push(RecordDoc {
                name: "Component",
                title: "component".into(),
                doc: "Keys every component may have.\n",
                fields: common_docs,
            });
            let mut branches = Vec::new();
            for &kind in ComponentKind::ALL {
                let mut props = common.clone();
                if !kind.is_ai() {
                    props.remove("capabilities");
                    props.remove("decisions_about_people");
                }
                if let Some((attrs, docs)) = KindAttrs::schema_fields(kind, g) {
                    props.extend(attrs);
                    g.records.push(RecordDoc {
                        name: kind.as_str(),
                        title: format!("kind `{kind}`"),
                        doc: "",
                        fields: docs,
                    });
                }
                branches.push(json!({
                    "if": {"properties": {"kind": {"const": kind.as_str()}}, "required": ["kind"]},
                    "then": {"properties": props, "additionalProperties": false},
                }));
            }
            let mut all_props = common.clone();
            all_props.insert(
                "kind".into(),
                describe(
                    ComponentKind::schema(g),
                    "What the component is; decides which attributes apply.",
                ),
            );
            json!({
                "type": "object",
                "description": "A part of the system.",
                "properties": all_props,
                "required": required,
                "allOf": branches,
            })
        })
    }

    fn label() -> String {
        "mapping (component)".into()
    }
}

fn node_key_span(node: &Node, key: &str) -> crate::span::Span {
    node.as_map()
        .and_then(|m| m.iter().find(|e| e.key.value == key))
        .map_or(node.span, |e| e.key.span)
}

fn list_or_none(keys: &[&str]) -> String {
    if keys.is_empty() {
        "none besides the common keys".into()
    } else {
        keys.join(", ")
    }
}
