//! Scalar value types with their own syntax: ids, references, threat patterns, dates.

use crate::decode::{Cx, Decode, SchemaGen, scalar_text};
use crate::diag::{Code, Diagnostic};
use crate::span::Span;
use crate::yaml::{Node, Value};
use serde_json::{Value as Json, json};

/// The id syntax: lowercase letters, digits, `-` and `_`, starting with a letter or digit.
pub const ID_PATTERN: &str = "^[a-z0-9][a-z0-9_-]*$";

pub fn is_valid_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// A suggestion for an id that breaks the syntax: lowercase, spaces to dashes.
fn normalized_id(s: &str) -> String {
    let mut out: String = s
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').to_owned()
}

macro_rules! spanned_text {
    ($(#[doc = $doc:literal])* $name:ident, $label:literal) => {
        $(#[doc = $doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name {
            pub name: String,
            pub span: Span,
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.name
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.name
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.name)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.name)
            }
        }
    };
}

spanned_text!(
    /// An element's own id.
    Id, "id"
);
spanned_text!(
    /// A reference to another element by id; checked once the whole model is loaded.
    Ref, "reference"
);
spanned_text!(
    /// A threat instance id or a glob over them (`rule@element`, `excessive-agency@*`).
    ThreatPattern, "threat pattern"
);
spanned_text!(
    /// A calendar date, `YYYY-MM-DD`.
    Date, "date"
);
spanned_text!(
    /// Free text that keeps its place (file paths in `include:`).
    Text, "text"
);

fn id_text(node: &Node, cx: &mut Cx, what: &str) -> Option<(String, Span)> {
    let text = scalar_text(node, cx, what)?;
    if is_valid_id(text) {
        return Some((text.to_owned(), node.span));
    }
    let fixed = normalized_id(text);
    let help = if !fixed.is_empty() && is_valid_id(&fixed) {
        format!("ids use lowercase letters, digits, `-` and `_`; for example `{fixed}`")
    } else {
        "ids use lowercase letters, digits, `-` and `_`, and start with a letter or digit"
            .to_owned()
    };
    cx.error(
        Diagnostic::error(
            Code::BadId,
            node.span,
            format!("`{text}` is not a valid id"),
        )
        .with_label("invalid id")
        .with_help(help),
    );
    None
}

impl Decode for Id {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        id_text(node, cx, "an id").map(|(name, span)| Id { name, span })
    }
    fn schema(_: &mut SchemaGen) -> Json {
        json!({"type": "string", "pattern": ID_PATTERN})
    }
    fn label() -> String {
        "id".into()
    }
}

/// A reference may also name a flow by its default id, `FROM>TO`.
pub const REF_PATTERN: &str = "^[a-z0-9][a-z0-9_-]*(>[a-z0-9][a-z0-9_-]*)?$";

impl Decode for Ref {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar { text, .. } = &node.value
            && let Some((from, to)) = text.split_once('>')
            && is_valid_id(from)
            && is_valid_id(to)
        {
            return Some(Ref {
                name: text.clone(),
                span: node.span,
            });
        }
        id_text(node, cx, "an id").map(|(name, span)| Ref { name, span })
    }
    fn schema(_: &mut SchemaGen) -> Json {
        json!({"type": "string", "pattern": REF_PATTERN})
    }
    fn label() -> String {
        "id reference".into()
    }
}

impl Decode for Text {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        scalar_text(node, cx, "a string").map(|t| Text {
            name: t.to_owned(),
            span: node.span,
        })
    }
    fn schema(_: &mut SchemaGen) -> Json {
        json!({"type": "string"})
    }
    fn label() -> String {
        "string".into()
    }
}

/// The syntax of a threat pattern: `RULE@ELEMENT[@ELEMENT…]`, each part an id or `*`-glob.
pub const THREAT_PATTERN: &str = "^[a-z0-9*][a-z0-9_*>-]*(@[a-z0-9*][a-z0-9_*>-]*)*$";

impl ThreatPattern {
    /// Whether this pattern names the threat `id`; `*` matches within one segment only.
    pub fn matches(&self, id: &str) -> bool {
        let pat: Vec<&str> = self.name.split('@').collect();
        let ids: Vec<&str> = id.split('@').collect();
        pat.len() == ids.len() && pat.iter().zip(&ids).all(|(p, s)| glob_segment(p, s))
    }

    /// Whether this names one element id rather than threats (no `@`, no `*`).
    pub fn is_element(&self) -> bool {
        !self.name.contains('@') && !self.name.contains('*')
    }
}

/// `*` matches any run of characters within a segment.
fn glob_segment(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first)
        || !text[first.len()..].ends_with(last)
        || text.len() < first.len() + last.len()
    {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

impl Decode for ThreatPattern {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let text = scalar_text(node, cx, "a threat id or pattern")?;
        let ok = text.split('@').all(|seg| {
            let mut c = seg.chars();
            matches!(c.next(), Some(f) if f.is_ascii_lowercase() || f.is_ascii_digit() || f == '*')
                && c.all(|c| {
                    c.is_ascii_lowercase()
                        || c.is_ascii_digit()
                        || matches!(c, '-' | '_' | '*' | '>')
                })
        });
        if !ok {
            cx.error(
                Diagnostic::error(Code::BadValue, node.span, format!("`{text}` is not a threat id or pattern"))
                    .with_label("expected RULE@ELEMENT")
                    .with_help("write `rule-id@element-id`, with `*` to match any part, e.g. `excessive-agency@*`"),
            );
            return None;
        }
        Some(ThreatPattern {
            name: text.to_owned(),
            span: node.span,
        })
    }
    fn schema(_: &mut SchemaGen) -> Json {
        json!({"type": "string", "pattern": THREAT_PATTERN})
    }
    fn label() -> String {
        "threat id or glob".into()
    }
}

pub const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

impl Date {
    /// Year, month and day.
    pub fn ymd(&self) -> (i32, u32, u32) {
        parse_date(&self.name).unwrap_or((0, 0, 0))
    }
}

fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

impl Decode for Date {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let text = scalar_text(node, cx, "a date")?;
        if parse_date(text).is_none() {
            cx.error(
                Diagnostic::error(
                    Code::BadValue,
                    node.span,
                    format!("`{text}` is not a valid date"),
                )
                .with_label("expected YYYY-MM-DD")
                .with_help("write dates as YYYY-MM-DD, e.g. 2027-06-30"),
            );
            return None;
        }
        Some(Date {
            name: text.to_owned(),
            span: node.span,
        })
    }
    fn schema(_: &mut SchemaGen) -> Json {
        json!({"type": "string", "pattern": DATE_PATTERN})
    }
    fn label() -> String {
        "date (YYYY-MM-DD)".into()
    }
}

/// A model's pinning: not pinned, pinned, or pinned to a stated hash.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Pinned {
    Flag(bool),
    Hash(String),
}

impl Pinned {
    pub fn is_pinned(&self) -> bool {
        !matches!(self, Pinned::Flag(false))
    }
}

impl Decode for Pinned {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Scalar { text, plain: true } if crate::yaml::is_bool(text) => {
                bool::decode(node, cx).map(Pinned::Flag)
            }
            Value::Scalar { text, .. } if !text.trim().is_empty() => {
                Some(Pinned::Hash(text.clone()))
            }
            _ => {
                cx.error(
                    Diagnostic::error(Code::WrongType, node.span, format!("expected true, false or a hash, found {}", node.type_name()))
                        .with_help("write `pinned: true`, `pinned: false`, or the pinned revision, e.g. `pinned: sha256:…`"),
                );
                None
            }
        }
    }
    fn schema(_: &mut SchemaGen) -> Json {
        json!({"type": ["boolean", "string"]})
    }
    fn label() -> String {
        "boolean or hash".into()
    }
}
