//! The frameworks rules cite (MITRE ATLAS, CoSAI, OWASP): ids and names kept in
//! `catalog/frameworks/`, so that references are checked and coverage is reported
//! without the third-party sources at hand.

use serde::Deserialize;
use std::collections::BTreeMap;
use threatwright_model::{Limits, SourceMap, yaml};

#[derive(Debug, Deserialize, Clone)]
pub struct Item {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub tactics: Vec<String>,
}

#[derive(Debug, Default, Clone)]
pub struct Frameworks {
    pub atlas_tactics: BTreeMap<String, String>,
    pub atlas: BTreeMap<String, Item>,
    pub cosai: BTreeMap<String, Item>,
    pub owasp_llm: BTreeMap<String, Item>,
    pub owasp_ml: BTreeMap<String, Item>,
}

/// ATLAS tactics whose techniques do not count towards coverage: they happen before
/// the attacker touches the system.
pub const PREPARATORY_TACTICS: &[&str] = &["AML.TA0002", "AML.TA0003"];

impl Frameworks {
    pub fn is_empty(&self) -> bool {
        self.atlas.is_empty()
    }

    /// Whether an ATLAS technique belongs to a tactic beyond reconnaissance and resource development.
    pub fn atlas_counts(&self, id: &str) -> bool {
        self.atlas.get(id).is_some_and(|t| {
            t.tactics
                .iter()
                .any(|x| !PREPARATORY_TACTICS.contains(&x.as_str()))
        })
    }

    /// Reads the framework files among `files` (paths ending in frameworks/NAME.yaml).
    pub fn from_files<'a>(
        files: impl Iterator<Item = (&'a std::path::Path, &'a str)>,
    ) -> Frameworks {
        let mut fw = Frameworks::default();
        for (path, text) in files {
            let mut sources = SourceMap::default();
            let f = sources.add(path.to_owned(), text.to_owned());
            let mut diags = Vec::new();
            let Some(node) = yaml::parse(text, f, &sources, &Limits::default(), &mut diags) else {
                continue;
            };
            let json = node.to_json();
            let list = |key: &str| -> Vec<Item> {
                json.get(key)
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .unwrap_or_default()
            };
            let to_map = |v: Vec<Item>| {
                v.into_iter()
                    .map(|i| (i.id.clone(), i))
                    .collect::<BTreeMap<_, _>>()
            };
            match path.file_stem().and_then(|s| s.to_str()) {
                Some("atlas") => {
                    fw.atlas = to_map(list("techniques"));
                    fw.atlas_tactics = list("tactics")
                        .into_iter()
                        .map(|i| (i.id, i.name))
                        .collect();
                }
                Some("cosai") => fw.cosai = to_map(list("risks")),
                Some("owasp") => {
                    fw.owasp_llm = to_map(list("owasp_llm"));
                    fw.owasp_ml = to_map(list("owasp_ml"));
                }
                _ => {}
            }
        }
        fw
    }
}
