//! Checks over the whole merged model: ids, references and the shape of the graph.
//! Decoding checked each value; this checks how values relate.

use crate::diag::{Code, Diagnostic};
use crate::span::Span;
use crate::suggest;
use crate::types::*;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What an id names, for "expected an llm, found a vector-store" messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementKind {
    Zone,
    Data,
    Component(ComponentKind),
    Flow,
}

impl ElementKind {
    pub fn describe(self) -> String {
        match self {
            ElementKind::Zone => "a zone".into(),
            ElementKind::Data => "a data asset".into(),
            ElementKind::Component(k) => format!("{} {k} component", article(k.as_str())),
            ElementKind::Flow => "a flow".into(),
        }
    }
}

/// What a reference must name.
#[derive(Clone, Copy)]
enum Expect {
    Zone,
    Data,
    AnyComponent,
    Kind(ComponentKind),
    AnyElement,
}

impl Expect {
    fn accepts(self, k: ElementKind) -> bool {
        match (self, k) {
            (Expect::Zone, ElementKind::Zone)
            | (Expect::Data, ElementKind::Data)
            | (Expect::AnyElement, _) => true,
            (Expect::AnyComponent, ElementKind::Component(_)) => true,
            (Expect::Kind(want), ElementKind::Component(got)) => want == got,
            _ => false,
        }
    }

    fn noun(self) -> String {
        match self {
            Expect::Zone => "zone".into(),
            Expect::Data => "data asset".into(),
            Expect::AnyComponent => "component".into(),
            Expect::Kind(k) => format!("{k} component"),
            Expect::AnyElement => "element".into(),
        }
    }

    fn section(self) -> &'static str {
        match self {
            Expect::Zone => "zones",
            Expect::Data => "data",
            Expect::AnyComponent | Expect::Kind(_) => "components",
            Expect::AnyElement => "",
        }
    }
}

struct Checker<'a> {
    /// Every id, borrowed from the model (owned only for a flow's derived id).
    ids: HashMap<Cow<'a, str>, (ElementKind, Span)>,
    dropped: HashSet<&'a str>,
    diags: &'a mut Vec<Diagnostic>,
}

/// Validates references and structure; appends to `diags`.
pub fn validate(model: &Model, dropped_ids: &[String], diags: &mut Vec<Diagnostic>) {
    let elements =
        model.zones.len() + model.data.len() + model.components.len() + model.flows.len();
    let mut c = Checker {
        ids: HashMap::with_capacity(elements),
        dropped: dropped_ids.iter().map(String::as_str).collect(),
        diags,
    };
    c.collect_ids(model);
    c.check_zones(model);
    c.check_components(model);
    c.check_flows(model);
    c.check_tracking(model);
    // Graph warnings on a model with errors mostly echo those errors (a component that
    // could not be read leaves its data "unused"); they are shown once the errors are fixed.
    if !c.diags.iter().any(Diagnostic::is_error) {
        c.warnings(model);
    }
}

impl<'a> Checker<'a> {
    fn declare(&mut self, id: Cow<'a, str>, kind: ElementKind, span: Span) {
        if let Some((first_kind, first)) = self.ids.get(id.as_ref()) {
            self.diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    span,
                    format!("id `{id}` is already used by {}", first_kind.describe()),
                )
                .with_label("second use")
                .with_related(*first, "first use")
                .with_help(
                    "zones, data, components and flows share one id namespace; rename one of them",
                ),
            );
        } else {
            self.ids.insert(id, (kind, span));
        }
    }

    fn collect_ids(&mut self, m: &'a Model) {
        for z in &m.zones {
            self.declare(Cow::Borrowed(&z.id.name), ElementKind::Zone, z.id.span);
        }
        for d in &m.data {
            self.declare(Cow::Borrowed(&d.id.name), ElementKind::Data, d.id.span);
        }
        for c in &m.components {
            self.declare(
                Cow::Borrowed(&c.id.name),
                ElementKind::Component(c.kind()),
                c.id.span,
            );
        }
        let mut pairs: HashMap<(&str, &str), Span> = HashMap::with_capacity(m.flows.len());
        for f in &m.flows {
            match &f.id {
                Some(id) => self.declare(Cow::Borrowed(&id.name), ElementKind::Flow, id.span),
                None => {
                    if let Some(first) = pairs.get(&(f.from.as_str(), f.to.as_str())) {
                        self.diags.push(
                            Diagnostic::error(Code::AmbiguousFlow, f.span, format!("a second flow from `{}` to `{}` without an `id`", f.from, f.to))
                                .with_label("second flow")
                                .with_related(*first, "first flow")
                                .with_help("give both flows an `id:` so threats and risk entries can tell them apart (or merge them)"),
                        );
                    } else {
                        pairs.insert((f.from.as_str(), f.to.as_str()), f.span);
                        self.declare(Cow::Owned(f.id()), ElementKind::Flow, f.span);
                    }
                }
            }
        }
        unique_ids(
            self.diags,
            "assumption",
            m.assumptions.iter().map(|a| &a.id),
        );
        unique_ids(self.diags, "decision", m.decisions.iter().map(|a| &a.id));
        unique_ids(self.diags, "incident", m.incidents.iter().map(|a| &a.id));
        unique_ids(
            self.diags,
            "attack tree",
            m.attack_trees.iter().map(|a| &a.id),
        );
    }

    /// Checks that `r`, written under `key`, names an element of the expected kind.
    fn reference(&mut self, r: &Ref, key: &str, expect: Expect) -> Option<ElementKind> {
        match self.ids.get(r.as_str()) {
            Some((kind, _)) if expect.accepts(*kind) => Some(*kind),
            Some((kind, at)) => {
                let at = *at;
                let kind = *kind;
                self.diags.push(
                    Diagnostic::error(
                        Code::WrongReferenceKind,
                        r.span,
                        format!(
                            "`{key}` must name {} {}, but `{}` is {}",
                            article(&expect.noun()),
                            expect.noun(),
                            r,
                            kind.describe()
                        ),
                    )
                    .with_label(format!(
                        "expected {} {}",
                        article(&expect.noun()),
                        expect.noun()
                    ))
                    .with_related(at, format!("`{r}` is defined here")),
                );
                None
            }
            None if self.dropped.contains(r.as_str()) => None,
            None => {
                let candidates: Vec<&str> = {
                    let mut v: Vec<&str> = self
                        .ids
                        .iter()
                        .filter(|(_, (k, _))| expect.accepts(*k))
                        .map(|(id, _)| id.as_ref())
                        .collect();
                    v.sort_unstable();
                    v
                };
                let help =
                    suggest::did_you_mean(r, candidates.iter().copied()).unwrap_or_else(|| {
                        match expect {
                            Expect::AnyElement => {
                                "no zone, data asset, component or flow has this id".to_owned()
                            }
                            _ => format!(
                                "no {} has this id; define it under `{}:`",
                                expect.noun(),
                                expect.section()
                            ),
                        }
                    });
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownReference,
                        r.span,
                        format!("`{key}` names `{r}`, but no {} has that id", expect.noun()),
                    )
                    .with_label(format!("unknown {}", expect.noun()))
                    .with_help(help),
                );
                None
            }
        }
    }

    fn references<'r>(
        &mut self,
        refs: impl IntoIterator<Item = &'r Ref>,
        key: &str,
        expect: Expect,
    ) {
        for r in refs {
            self.reference(r, key, expect);
        }
    }

    fn check_zones(&mut self, m: &Model) {
        let parent: HashMap<&str, &Ref> = m
            .zones
            .iter()
            .filter_map(|z| z.inside.as_ref().map(|p| (z.id.as_str(), p)))
            .collect();
        for z in &m.zones {
            if let Some(p) = &z.inside {
                self.reference(p, "inside", Expect::Zone);
            }
            // Follow parents; a walk longer than the zone count is a cycle.
            let mut cur = z.id.as_str();
            for _ in 0..=m.zones.len() {
                match parent.get(cur) {
                    Some(p) if p.as_str() == z.id.as_str() => {
                        self.diags.push(
                            Diagnostic::error(
                                Code::ZoneCycle,
                                z.id.span,
                                format!("zone `{}` ends up inside itself", z.id),
                            )
                            .with_help("a zone's `inside` chain must end at a top-level zone"),
                        );
                        break;
                    }
                    Some(p) => cur = p.as_str(),
                    None => break,
                }
            }
        }
    }

    fn check_components(&mut self, m: &Model) {
        let has_zones = !m.zones.is_empty();
        for c in &m.components {
            match &c.zone {
                Some(z) => {
                    self.reference(z, "zone", Expect::Zone);
                }
                None if has_zones => self.diags.push(
                    Diagnostic::error(
                        Code::MissingZone,
                        c.id.span,
                        format!("component `{}` is outside every zone", c.id),
                    )
                    .with_label("no `zone:`")
                    .with_help(format!(
                        "add `zone: …` with one of: {}",
                        m.zones
                            .iter()
                            .map(|z| z.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ),
                None => {}
            }
            self.references(&c.stores, "stores", Expect::Data);
            if let Some(a) = c.inference_service()
                && let Some(r) = &a.model
            {
                self.reference(r, "model", Expect::Kind(ComponentKind::Model));
            }
            if let Some(a) = c.llm()
                && let Some(r) = &a.model
            {
                self.reference(r, "model", Expect::Kind(ComponentKind::Model));
            }
            if let Some(a) = c.embedding_model()
                && let Some(r) = &a.model
            {
                self.reference(r, "model", Expect::Kind(ComponentKind::Model));
            }
            if let Some(a) = c.vector_store() {
                self.references(&a.writers, "writers", Expect::AnyComponent);
            }
            if let Some(a) = c.retriever() {
                self.references(&a.sources, "sources", Expect::AnyComponent);
            }
            if let Some(a) = c.agent() {
                if let Some(r) = &a.llm {
                    self.reference(r, "llm", Expect::Kind(ComponentKind::Llm));
                }
                self.references(&a.tools, "tools", Expect::Kind(ComponentKind::Tool));
                self.references(
                    &a.delegates_to,
                    "delegates_to",
                    Expect::Kind(ComponentKind::Agent),
                );
                for d in &a.delegates_to {
                    if d.as_str() == c.id.as_str() {
                        self.diags.push(
                            Diagnostic::error(
                                Code::SelfFlow,
                                d.span,
                                format!("agent `{}` delegates to itself", c.id),
                            )
                            .with_help("remove it from `delegates_to`"),
                        );
                    }
                }
            }
        }
    }

    fn check_flows(&mut self, m: &Model) {
        for f in &m.flows {
            self.reference(&f.from, "from", Expect::AnyComponent);
            self.reference(&f.to, "to", Expect::AnyComponent);
            if f.from.as_str() == f.to.as_str() {
                self.diags.push(
                    Diagnostic::error(Code::SelfFlow, f.to.span, format!("this flow goes from `{}` to itself", f.from))
                        .with_label("same as `from`")
                        .with_help("a flow connects two components; model the inner step as a component of its own, or remove the flow"),
                );
            }
            self.references(&f.sends, "sends", Expect::Data);
            self.references(&f.receives, "receives", Expect::Data);
        }
    }

    fn check_tracking(&mut self, m: &Model) {
        let system = m.system.as_ref().map(|s| s.id.as_str());
        for ctl in &m.controls {
            // A control may also target the system as a whole (an incident response plan).
            let targets = ctl.targets.iter().filter(|t| Some(t.as_str()) != system);
            self.references(targets, "targets", Expect::AnyElement);
        }
        for a in &m.assumptions {
            for p in a.affects.iter().filter(|p| p.is_element()) {
                let r = Ref {
                    name: p.name.clone(),
                    span: p.span,
                };
                self.reference(&r, "affects", Expect::AnyElement);
            }
        }
    }

    fn warnings(&mut self, m: &Model) {
        let mut connected: HashSet<&str> = HashSet::with_capacity(m.components.len());
        let mut used_data: HashSet<&str> = HashSet::with_capacity(m.data.len());
        for f in &m.flows {
            connected.insert(f.from.as_str());
            connected.insert(f.to.as_str());
            used_data.extend(f.sends.iter().chain(&f.receives).map(Ref::as_str));
        }
        for c in &m.components {
            used_data.extend(c.stores.iter().map(Ref::as_str));
            let mut linked: Vec<&Ref> = Vec::new();
            if let Some(a) = c.agent() {
                linked.extend(a.llm.iter().chain(&a.tools).chain(&a.delegates_to));
            }
            linked.extend(c.inference_service().and_then(|a| a.model.as_ref()));
            linked.extend(c.llm().and_then(|a| a.model.as_ref()));
            linked.extend(c.embedding_model().and_then(|a| a.model.as_ref()));
            linked.extend(c.vector_store().into_iter().flat_map(|a| &a.writers));
            linked.extend(c.retriever().into_iter().flat_map(|a| &a.sources));
            if !linked.is_empty() {
                connected.insert(c.id.as_str());
                connected.extend(linked.into_iter().map(Ref::as_str));
            }
        }
        for d in &m.data {
            if !used_data.contains(d.id.as_str()) {
                self.diags.push(
                    Diagnostic::warning(Code::UnusedData, d.id.span, format!("no component stores data `{}` and no flow carries it", d.id))
                        .with_help("add it to a component's `stores:` or a flow's `sends:`/`receives:`, or remove it; unused data takes no part in the analysis"),
                );
            }
        }
        if m.components.len() > 1 {
            for c in &m.components {
                if !connected.contains(c.id.as_str()) {
                    self.diags.push(
                        Diagnostic::warning(Code::Unconnected, c.id.span, format!("component `{}` is in no flow", c.id))
                            .with_help("add the flows that reach it; threats that travel along flows cannot be found for it"),
                    );
                }
            }
        }
        for ctl in &m.controls {
            if ctl.status.is_none() {
                self.diags.push(
                    Diagnostic::warning(
                        Code::ControlWithoutStatus,
                        ctl.control.span,
                        format!(
                            "control `{}` has no `status`, so it is not credited",
                            ctl.control
                        ),
                    )
                    .with_help("add `status: implemented`, `verified` or `planned`"),
                );
            }
        }
        let mut occupied: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &m.components {
            if let Some(z) = &c.zone {
                *occupied.entry(z.as_str()).or_default() += 1;
            }
        }
        for z in &m.zones {
            if let Some(p) = &z.inside {
                *occupied.entry(p.as_str()).or_default() += 1;
            }
        }
        for z in &m.zones {
            if !occupied.contains_key(z.id.as_str()) {
                self.diags.push(
                    Diagnostic::warning(
                        Code::EmptyZone,
                        z.id.span,
                        format!("zone `{}` has no components and no zones inside it", z.id),
                    )
                    .with_help("place components in it with `zone:`, or remove it"),
                );
            }
        }
    }
}

/// "a" or "an", by how the word is spoken ("an llm", "a user").
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o']) || word.starts_with("llm") {
        "an"
    } else {
        "a"
    }
}

fn unique_ids<'i>(diags: &mut Vec<Diagnostic>, what: &str, ids: impl Iterator<Item = &'i Id>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for id in ids {
        if let Some(first) = seen.get(id.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    id.span,
                    format!("two {what}s have the id `{id}`"),
                )
                .with_label("second use")
                .with_related(*first, "first use")
                .with_help(format!("each {what} needs its own id")),
            );
        } else {
            seen.insert(id.as_str(), id.span);
        }
    }
}
