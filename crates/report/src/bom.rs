//! The AI bill of materials as a CycloneDX 1.6 ML-BOM: the models (with what they were
//! trained on and where they came from), the datasets, the third-party AI services, the
//! agents and their tools, linked to the threat model they were exported from.
//!
//! The output is deterministic (no timestamp, no random serial number), so a BOM kept in
//! git only changes when the system does.

use serde_json::{Map, Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};
use threatwright_engine::Assessment;
use threatwright_engine::lineage;
use threatwright_model::Model;
use threatwright_model::types::{
    Classification, Component, ComponentKind, DataCategory, Hosting, Pinned, Publisher,
};

fn prop(name: &str, value: impl Into<String>) -> Json {
    json!({ "name": format!("threatwright:{name}"), "value": value.into() })
}

fn classification(c: Option<Classification>) -> &'static str {
    c.map_or("unclassified", |c| c.as_str())
}

/// A package URL for weights pulled from Hugging Face, the hub most open weights come from.
fn purl(origin: &str) -> Option<String> {
    let rest = origin
        .strip_prefix("https://huggingface.co/")
        .or_else(|| origin.strip_prefix("hf://"))?;
    let mut parts = rest.split('/').filter(|p| !p.is_empty());
    let (org, name) = (parts.next()?, parts.next()?);
    Some(format!("pkg:huggingface/{org}/{name}"))
}

/// Risk properties of an element: how many open threats and the highest residual level.
fn risk_props(open: &OpenByElement, id: &str, props: &mut Vec<Json>) {
    let (n, max) = open.get(id).map_or((0, None), |(n, s)| (*n, Some(*s)));
    props.push(prop("open-threats", n.to_string()));
    if let Some(max) = max {
        props.push(prop("highest-open-risk", max.as_str()));
    }
}

type OpenByElement<'a> = std::collections::HashMap<&'a str, (usize, threatwright_engine::Severity)>;

fn base(c: &Component, kind: &str) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("type".into(), kind.into());
    m.insert("bom-ref".into(), c.id.name.clone().into());
    m.insert(
        "name".into(),
        c.name.clone().unwrap_or_else(|| c.id.name.clone()).into(),
    );
    if let Some(d) = &c.description {
        m.insert("description".into(), d.clone().into());
    }
    m
}

/// Whether a data asset belongs in the AI BOM: something trains on it, it is training
/// data or embeddings, or it sits in a vector or feature store.
fn ai_dataset(model: &Model, d: &threatwright_model::types::DataAsset, trained: bool) -> bool {
    // Weights are the model, not what it learnt from.
    if d.categories.contains(&DataCategory::ModelWeights) {
        return false;
    }
    trained
        || d.categories
            .iter()
            .any(|c| matches!(c, DataCategory::TrainingData | DataCategory::Embeddings))
        || model.components.iter().any(|c| {
            matches!(
                c.kind(),
                ComponentKind::VectorStore | ComponentKind::FeatureStore
            ) && c.stores.iter().any(|s| s.as_str() == d.id.as_str())
        })
}

pub fn render(model: &Model, a: &Assessment, model_path: &str) -> Json {
    let mut components: Vec<Json> = Vec::new();
    let mut services: Vec<Json> = Vec::new();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let by_id: BTreeMap<&str, &Component> = model
        .components
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();

    // Datasets, and which models are trained on each.
    let open = crate::content::open_by_element(a);
    let mut trained_on: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut datasets = BTreeSet::new();
    let tracer = lineage::Tracer::new(model);
    for d in &model.data {
        let l = tracer.trace(d.id.as_str());
        if l.trained_on {
            for n in &l.nodes {
                if by_id
                    .get(n.component.as_str())
                    .is_some_and(|c| c.kind() == ComponentKind::Model)
                {
                    trained_on
                        .entry(n.component.clone())
                        .or_default()
                        .push(d.id.name.clone());
                }
            }
        }
        if !ai_dataset(model, d, l.trained_on) {
            continue;
        }
        datasets.insert(d.id.name.clone());
        let name = d.name.clone().unwrap_or_else(|| d.id.name.clone());
        let mut data = json!({
            "type": "dataset",
            "name": name,
            "classification": classification(d.classification),
        });
        if let Some(desc) = &d.description {
            data["description"] = desc.clone().into();
        }
        let sensitive: Vec<&str> = d
            .categories
            .iter()
            .map(|c| c.as_str())
            .filter(|c| {
                matches!(
                    *c,
                    "pii" | "phi" | "pci" | "biometric" | "financial" | "credentials" | "secrets"
                )
            })
            .collect();
        if !sensitive.is_empty() {
            data["sensitiveData"] = json!(sensitive);
        }
        let mut props = vec![];
        if let Some(p) = d.provenance {
            props.push(prop("provenance", p.as_str()));
        }
        if let Some(i) = d.integrity {
            props.push(prop("integrity", i.as_str()));
        }
        if !d.categories.is_empty() {
            let cats: Vec<&str> = d.categories.iter().map(|c| c.as_str()).collect();
            props.push(prop("categories", cats.join(",")));
        }
        props.push(prop("trained-on", l.trained_on.to_string()));
        components.push(json!({
            "type": "data",
            "bom-ref": d.id.name,
            "name": name,
            "data": [data],
            "properties": props,
        }));
    }

    for c in &model.components {
        let id = c.id.name.clone();
        let mut props = vec![prop("kind", c.kind().as_str())];
        if let Some(z) = &c.zone {
            props.push(prop("zone", z.name.clone()));
        }
        match c.kind() {
            ComponentKind::Model => {
                let m = c.model();
                let mut comp = base(c, "machine-learning-model");
                if let Some(m) = m {
                    if let Some(s) = m.source {
                        props.push(prop("source", s.as_str()));
                    }
                    if let Some(f) = m.format {
                        props.push(prop("format", f.as_str()));
                    }
                    if let Some(p) = &m.pinned {
                        props.push(prop(
                            "pinned",
                            match p {
                                Pinned::Flag(b) => b.to_string(),
                                Pinned::Hash(h) => h.clone(),
                            },
                        ));
                    }
                    if let Some(s) = m.signed {
                        props.push(prop("signed", s.to_string()));
                    }
                    if let Some(p) = m.publisher {
                        props.push(prop(
                            "publisher",
                            match p {
                                Publisher::Verified => "verified",
                                Publisher::Unverified => "unverified",
                            },
                        ));
                    }
                    if let Some(o) = &m.origin {
                        comp.insert(
                            "externalReferences".into(),
                            json!([{ "type": "distribution", "url": o }]),
                        );
                        if let Some(p) = purl(o) {
                            comp.insert("purl".into(), p.into());
                        }
                    }
                    if let Some(path) = &m.artifact {
                        props.push(prop("artifact", path.clone()));
                    }
                }
                let mut params = Map::new();
                if let Some(t) = m.and_then(|m| m.task.clone()) {
                    params.insert("task".into(), t.into());
                }
                if let Some(ds) = trained_on.get(&id) {
                    let refs: Vec<Json> = ds
                        .iter()
                        .filter(|d| datasets.contains(*d))
                        .map(|d| json!({ "ref": d }))
                        .collect();
                    if !refs.is_empty() {
                        params.insert("datasets".into(), refs.into());
                    }
                    for d in ds.iter().filter(|d| datasets.contains(*d)) {
                        deps.entry(id.clone()).or_default().insert(d.clone());
                    }
                }
                if !params.is_empty() {
                    comp.insert(
                        "modelCard".into(),
                        json!({ "modelParameters": Json::Object(params) }),
                    );
                }
                risk_props(&open, &id, &mut props);
                comp.insert("properties".into(), props.into());
                components.push(Json::Object(comp));
            }
            ComponentKind::Llm | ComponentKind::EmbeddingModel => {
                let (hosting, provider, model_name, weights) = match (c.llm(), c.embedding_model())
                {
                    (Some(l), _) => (
                        l.hosting,
                        l.provider.clone(),
                        l.model_name.clone(),
                        l.model.as_ref(),
                    ),
                    (_, Some(e)) => (e.hosting, None, e.model_name.clone(), e.model.as_ref()),
                    _ => (None, None, None, None),
                };
                if let Some(h) = hosting {
                    props.push(prop("hosting", h.as_str()));
                }
                if let Some(n) = &model_name {
                    props.push(prop("model-name", n.clone()));
                }
                if let Some(w) = weights {
                    deps.entry(id.clone()).or_default().insert(w.name.clone());
                }
                risk_props(&open, &id, &mut props);
                if hosting == Some(Hosting::VendorApi) {
                    // A third-party AI service: the weights are not ours to list.
                    let mut s = base(c, "service");
                    s.remove("type");
                    if let Some(p) = provider {
                        s.insert("provider".into(), json!({ "name": p }));
                    }
                    if let Some(n) = model_name {
                        s.insert("version".into(), n.into());
                    }
                    s.insert("x-trust-boundary".into(), true.into());
                    if let Some(z) = &c.zone {
                        s.insert("trustZone".into(), z.name.clone().into());
                    }
                    let data = service_data(model, c);
                    if !data.is_empty() {
                        s.insert("data".into(), data.into());
                    }
                    s.insert("properties".into(), props.into());
                    services.push(Json::Object(s));
                } else {
                    let mut comp = base(c, "machine-learning-model");
                    if let Some(n) = model_name {
                        comp.insert("version".into(), n.into());
                    }
                    comp.insert("properties".into(), props.into());
                    components.push(Json::Object(comp));
                }
            }
            ComponentKind::InferenceService => {
                let mut s = base(c, "service");
                s.remove("type");
                if let Some(m) = c.inference_service().and_then(|s| s.model.as_ref()) {
                    deps.entry(id.clone()).or_default().insert(m.name.clone());
                }
                if let Some(auth) = authenticated(model, c) {
                    s.insert("authenticated".into(), auth.into());
                }
                risk_props(&open, &id, &mut props);
                services.push(first_party_service(model, c, s, props));
            }
            ComponentKind::Agent => {
                let mut comp = base(c, "application");
                if let Some(ag) = c.agent() {
                    for r in ag.llm.iter().chain(&ag.tools).chain(&ag.delegates_to) {
                        deps.entry(id.clone()).or_default().insert(r.name.clone());
                    }
                    if let Some(x) = ag.autonomy {
                        props.push(prop("autonomy", x.as_str()));
                    }
                    if let Some(x) = ag.memory {
                        props.push(prop("memory", x.as_str()));
                    }
                }
                risk_props(&open, &id, &mut props);
                comp.insert("properties".into(), props.into());
                components.push(Json::Object(comp));
            }
            ComponentKind::Tool => {
                let mut s = base(c, "service");
                s.remove("type");
                if let Some(t) = c.tool() {
                    if !t.actions.is_empty() {
                        let acts: Vec<&str> = t.actions.iter().map(|x| x.as_str()).collect();
                        props.push(prop("actions", acts.join(",")));
                    }
                    if let Some(x) = t.source {
                        props.push(prop("source", x.as_str()));
                    }
                    if let Some(x) = t.protocol {
                        props.push(prop("protocol", x.as_str()));
                    }
                    if let Some(x) = t.approval {
                        props.push(prop("approval", x.as_str()));
                    }
                }
                risk_props(&open, &id, &mut props);
                services.push(first_party_service(model, c, s, props));
            }
            _ => {}
        }
    }
    let mut known: BTreeSet<String> = datasets.clone();
    for c in components.iter().chain(&services) {
        if let Some(r) = c["bom-ref"].as_str() {
            known.insert(r.to_owned());
        }
    }
    let dependencies: Vec<Json> = deps
        .into_iter()
        .filter(|(k, _)| known.contains(k))
        .map(|(k, v)| {
            let on: Vec<String> = v.into_iter().filter(|x| known.contains(x)).collect();
            json!({ "ref": k, "dependsOn": on })
        })
        .collect();
    let system = model.system.as_ref();
    let sys_id = system.map_or("system".to_owned(), |s| s.id.name.clone());
    let mut root = json!({
        "type": "application",
        "bom-ref": format!("system:{sys_id}"),
        "name": system.and_then(|s| s.name.clone()).unwrap_or_else(|| sys_id.clone()),
    });
    if let Some(d) = system.and_then(|s| s.description.clone()) {
        root["description"] = d.into();
    }
    let open = a.threats.iter().filter(|t| t.is_open()).count();
    let worst = a
        .threats
        .iter()
        .filter(|t| t.is_open())
        .map(|t| t.residual.severity)
        .max();
    let mut meta_props = vec![prop("open-threats", open.to_string())];
    if let Some(w) = worst {
        meta_props.push(prop("highest-open-risk", w.as_str()));
    }
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "tools": { "components": [{
                "type": "application",
                "name": "threatwright",
                "version": env!("CARGO_PKG_VERSION"),
            }]},
            "component": root,
            "properties": meta_props,
        },
        "components": components,
        "services": services,
        "dependencies": dependencies,
        "externalReferences": [{
            "type": "threat-model",
            "url": model_path,
            "comment": "Threatwright model this bill of materials was exported from",
        }],
    })
}

/// A service of ours: where it runs, what data goes in and out, and its properties.
fn first_party_service(
    model: &Model,
    c: &Component,
    mut s: Map<String, Json>,
    props: Vec<Json>,
) -> Json {
    if let Some(z) = &c.zone {
        s.insert("trustZone".into(), z.name.clone().into());
    }
    let data = service_data(model, c);
    if !data.is_empty() {
        s.insert("data".into(), data.into());
    }
    s.insert("properties".into(), props.into());
    Json::Object(s)
}

/// `true` when every inbound flow states authentication, `false` when one states none.
fn authenticated(model: &Model, c: &Component) -> Option<bool> {
    let inbound: Vec<_> = model
        .flows
        .iter()
        .filter(|f| f.to.as_str() == c.id.as_str())
        .collect();
    if inbound
        .iter()
        .any(|f| f.auth == Some(threatwright_model::types::Auth::None))
    {
        Some(false)
    } else if !inbound.is_empty() && inbound.iter().all(|f| f.auth.is_some()) {
        Some(true)
    } else {
        None
    }
}

/// What data enters and leaves a service, with its classification.
fn service_data(model: &Model, c: &Component) -> Vec<Json> {
    let mut out: BTreeMap<(String, &'static str), &'static str> = BTreeMap::new();
    let class = |id: &str| {
        classification(
            model
                .data
                .iter()
                .find(|d| d.id.as_str() == id)
                .and_then(|d| d.classification),
        )
    };
    for f in &model.flows {
        let (inbound, outbound) = if f.to.as_str() == c.id.as_str() {
            (&f.sends, &f.receives)
        } else if f.from.as_str() == c.id.as_str() {
            (&f.receives, &f.sends)
        } else {
            continue;
        };
        for d in inbound {
            out.insert((d.name.clone(), "inbound"), class(d.as_str()));
        }
        for d in outbound {
            out.insert((d.name.clone(), "outbound"), class(d.as_str()));
        }
    }
    out.into_iter()
        .map(|((name, flow), cl)| json!({ "flow": flow, "classification": cl, "name": name }))
        .collect()
}
