//! Synthetic models for benchmarks: a deterministic mix of classic and AI components
//! in a few zones, joined by random flows, written as YAML (so loading is measured too)
//! or as an equivalent pytm script (to compare with pytm).

use std::fmt::Write;

/// A small deterministic generator (xorshift), so the same sizes give the same model.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ZONES: &[(&str, &str)] = &[
    ("internet", "untrusted"),
    ("dmz", "partner"),
    ("corp", "internal"),
    ("ml", "internal"),
    ("vault", "restricted"),
    ("vendor", "partner"),
];
/// Kinds in rough proportion to a large enterprise AI estate.
const KINDS: &[&str] = &[
    "service",
    "service",
    "service",
    "api",
    "api",
    "web-app",
    "database",
    "database",
    "queue",
    "object-store",
    "cache",
    "function",
    "gateway",
    "user",
    "external-service",
    "monitoring",
    "llm",
    "agent",
    "tool",
    "tool",
    "vector-store",
    "retriever",
    "guardrail",
    "model",
    "inference-service",
    "training",
    "data-pipeline",
    "data-source",
    "feature-store",
    "model-registry",
    "embedding-model",
    "human-review",
];

struct Comp {
    id: String,
    kind: &'static str,
    zone: &'static str,
}

fn components(n: usize, rng: &mut Rng) -> Vec<Comp> {
    (0..n)
        .map(|i| {
            let kind = KINDS[rng.below(KINDS.len())];
            let zone = if kind == "user" {
                "internet"
            } else {
                ZONES[1 + rng.below(ZONES.len() - 1)].0
            };
            Comp {
                id: format!("{}-{i}", kind.replace('-', "")),
                kind,
                zone,
            }
        })
        .collect()
}

fn flows(comps: &[Comp], m: usize, rng: &mut Rng) -> Vec<(usize, usize)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(m);
    let n = comps.len();
    let mut tries = 0;
    while out.len() < m && n > 1 && tries < m * 20 {
        tries += 1;
        let a = rng.below(n);
        // Mostly local flows (nearby ids), some long-range ones, as real systems have.
        let b = if rng.below(4) == 0 {
            rng.below(n)
        } else {
            (a + 1 + rng.below(50)) % n
        };
        if a != b && seen.insert((a, b)) {
            out.push((a, b));
        }
    }
    out
}

/// A model with `n` components and `m` flows, as YAML.
pub fn yaml(n: usize, m: usize) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let comps = components(n, &mut rng);
    let data_n = (n / 50).max(4);
    let mut s = String::with_capacity(n * 80 + m * 70);
    let _ = writeln!(
        s,
        "threatwright: 1\nsystem: {{ id: synthetic, name: Synthetic {n}/{m}, criticality: high }}\nzones:"
    );
    for (z, t) in ZONES {
        let _ = writeln!(s, "  - {{ id: {z}, trust: {t} }}");
    }
    s.push_str("data:\n");
    let classes = ["public", "internal", "confidential", "restricted"];
    let provs = [
        "internal",
        "user-generated",
        "public-web",
        "third-party",
        "internal",
    ];
    for d in 0..data_n {
        let _ = writeln!(
            s,
            "  - {{ id: data-{d}, classification: {}, provenance: {}, categories: [{}] }}",
            classes[d % 4],
            provs[d % 5],
            if d % 3 == 0 { "pii" } else { "logs" }
        );
    }
    s.push_str("components:\n");
    let tools: Vec<&str> = comps
        .iter()
        .filter(|c| c.kind == "tool")
        .map(|c| c.id.as_str())
        .collect();
    let llms: Vec<&str> = comps
        .iter()
        .filter(|c| c.kind == "llm")
        .map(|c| c.id.as_str())
        .collect();
    let models: Vec<&str> = comps
        .iter()
        .filter(|c| c.kind == "model")
        .map(|c| c.id.as_str())
        .collect();
    let actions = [
        "read",
        "write",
        "send-message",
        "http-request",
        "financial",
        "execute-code",
    ];
    for (i, c) in comps.iter().enumerate() {
        let extra = match c.kind {
            "user" => ", population: public".to_owned(),
            "agent" if !llms.is_empty() && !tools.is_empty() => format!(
                ", llm: {}, tools: [{}, {}], autonomy: autonomous",
                llms[i % llms.len()],
                tools[i % tools.len()],
                tools[(i * 7) % tools.len()]
            ),
            "tool" => format!(
                ", actions: [{}], approval: none",
                actions[i % actions.len()]
            ),
            "llm" => ", hosting: vendor-api, output: { rendered_as: markdown }".to_owned(),
            "model" => format!(
                ", source: {}, format: {}",
                if i % 2 == 0 {
                    "open-weights"
                } else {
                    "self-trained"
                },
                if i % 3 == 0 { "pickle" } else { "safetensors" }
            ),
            "inference-service" if !models.is_empty() => {
                format!(", model: {}, returns: [scores]", models[i % models.len()])
            }
            "guardrail" => ", position: input, checks: [prompt-injection], mode: block".to_owned(),
            "database" | "vector-store" | "object-store" => {
                format!(", stores: [data-{}]", i % data_n)
            }
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "  - {{ id: {}, kind: {}, zone: {}{extra} }}",
            c.id, c.kind, c.zone
        );
    }
    s.push_str("flows:\n");
    for (a, b) in flows(&comps, m, &mut rng) {
        let d = (a + b) % data_n;
        let enc = if (a + b) % 3 == 0 { "false" } else { "true" };
        let _ = writeln!(
            s,
            "  - {{ from: {}, to: {}, sends: [data-{d}], encrypted: {enc} }}",
            comps[a].id, comps[b].id
        );
    }
    s
}

/// The same model as a pytm script (`python3 script.py --json out.json`).
pub fn pytm(n: usize, m: usize) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let comps = components(n, &mut rng);
    let mut s = String::from(
        "#!/usr/bin/env python3\n# Generated by `threatwright gen --format pytm`: the synthetic benchmark model in pytm.\nfrom pytm import TM, Actor, Boundary, Dataflow, Datastore, Lambda, Process, Server, ExternalEntity\n\ntm = TM(\"synthetic\")\ntm.description = \"Synthetic benchmark model\"\ntm.isOrdered = False\n",
    );
    for (z, _) in ZONES {
        let _ = writeln!(s, "b_{} = Boundary(\"{z}\")", z.replace('-', "_"));
    }
    for c in &comps {
        let class = match c.kind {
            "user" => "Actor",
            "database" | "vector-store" | "object-store" | "cache" | "feature-store"
            | "model-registry" | "queue" => "Datastore",
            "function" => "Lambda",
            "external-service" => "ExternalEntity",
            "web-app" | "api" | "gateway" | "inference-service" => "Server",
            _ => "Process",
        };
        let var = c.id.replace('-', "_");
        let _ = writeln!(
            s,
            "{var} = {class}(\"{}\")\n{var}.inBoundary = b_{}",
            c.id,
            c.zone.replace('-', "_")
        );
    }
    for (k, (a, b)) in flows(&comps, m, &mut rng).into_iter().enumerate() {
        let _ = writeln!(
            s,
            "Dataflow({}, {}, \"flow {k}\")",
            comps[a].id.replace('-', "_"),
            comps[b].id.replace('-', "_")
        );
    }
    s.push_str("\nif __name__ == \"__main__\":\n    tm.process()\n");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_models_load_cleanly() {
        let text = super::yaml(300, 900);
        let l = threatwright_model::load_str(
            "synthetic.yaml",
            &text,
            &threatwright_model::Limits::default(),
        );
        assert!(
            !l.has_errors(),
            "{:?}",
            l.diagnostics.iter().find(|d| d.is_error())
        );
        let m = l.model.unwrap();
        assert_eq!(m.components.len(), 300);
        assert_eq!(m.flows.len(), 900);
        assert!(super::pytm(10, 20).contains("Dataflow("));
    }
}
