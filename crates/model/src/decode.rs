//! Turning the YAML tree into typed values while collecting every problem.
//!
//! Serde stops at the first error; a person fixing a model wants all of them, each at its
//! line. So each type here implements [`Decode`], which records diagnostics and returns
//! `None` for a value it could not read, and the record macros in [`crate::types`] keep
//! going past a bad field. The same declarations generate the JSON Schema and the
//! reference docs ([`SchemaGen`]), so the three cannot drift apart.

use crate::diag::{Code, Diagnostic};
use crate::span::Span;
use crate::suggest;
use crate::yaml::{Entry, Node, Value, is_bool};
use serde_json::{Map, Value as Json, json};

/// Decoding context: where diagnostics go.
pub struct Cx<'a> {
    pub diags: &'a mut Vec<Diagnostic>,
    /// Ids of elements that were written but could not be read (a bad `kind`), so that
    /// references to them are not reported a second time as unknown.
    pub dropped_ids: Vec<String>,
}

impl<'a> Cx<'a> {
    pub fn new(diags: &'a mut Vec<Diagnostic>) -> Self {
        Cx {
            diags,
            dropped_ids: Vec::new(),
        }
    }
}

impl Cx<'_> {
    pub fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn wrong_type(&mut self, node: &Node, expected: &str) {
        let mut d = Diagnostic::error(
            Code::WrongType,
            node.span,
            format!("expected {expected}, found {}", node.type_name()),
        )
        .with_label(format!("expected {expected}"));
        if let Value::Scalar { text, plain: false } = &node.value
            && (is_bool(text) || text.parse::<f64>().is_ok())
            && !expected.contains("string")
        {
            d = d.with_help(format!("remove the quotes around `{text}`"));
        } else if expected.starts_with("a list") && !matches!(node.value, Value::Seq(_)) {
            d = d.with_help("write a list, even of one item: `[item]`");
        }
        self.error(d);
    }
}

/// A value that can be read from a YAML node, and described in the schema and docs.
pub trait Decode: Sized {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self>;
    /// The JSON Schema of this type; records register themselves in `g` and return a `$ref`.
    fn schema(g: &mut SchemaGen) -> Json;
    /// How the reference docs name this type.
    fn label() -> String;
}

/// The text of a scalar node, or a recorded type error.
pub fn scalar_text<'n>(node: &'n Node, cx: &mut Cx, expected: &str) -> Option<&'n str> {
    match &node.value {
        Value::Scalar { text, .. } => Some(text),
        _ => {
            cx.wrong_type(node, expected);
            None
        }
    }
}

impl Decode for String {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        scalar_text(node, cx, "a string").map(str::to_owned)
    }
    fn schema(_: &mut SchemaGen) -> Json {
        json!({"type": "string"})
    }
    fn label() -> String {
        "string".into()
    }
}

impl Decode for bool {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Scalar { text, plain: true } if is_bool(text) => {
                Some(text.eq_ignore_ascii_case("true"))
            }
            Value::Scalar { text, plain: true }
                if matches!(text.as_str(), "yes" | "no" | "on" | "off" | "Yes" | "No") =>
            {
                cx.error(
                    Diagnostic::error(
                        Code::WrongType,
                        node.span,
                        format!("expected a boolean, found `{text}`"),
                    )
                    .with_label("expected true or false")
                    .with_help(
                        "YAML 1.2 reads only `true` and `false` as booleans; write one of them",
                    ),
                );
                None
            }
            _ => {
                cx.wrong_type(node, "a boolean (true or false)");
                None
            }
        }
    }
    fn schema(_: &mut SchemaGen) -> Json {
        json!({"type": "boolean"})
    }
    fn label() -> String {
        "boolean".into()
    }
}

impl Decode for u32 {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Scalar { text, plain: true } => match text.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    cx.wrong_type(node, "a whole number");
                    None
                }
            },
            _ => {
                cx.wrong_type(node, "a whole number");
                None
            }
        }
    }
    fn schema(_: &mut SchemaGen) -> Json {
        json!({"type": "integer", "minimum": 0})
    }
    fn label() -> String {
        "whole number".into()
    }
}

impl Decode for f64 {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Scalar { text, plain: true } => match text.parse::<f64>() {
                Ok(n) if n.is_finite() => Some(n),
                _ => {
                    cx.wrong_type(node, "a number");
                    None
                }
            },
            _ => {
                cx.wrong_type(node, "a number");
                None
            }
        }
    }
    fn schema(_: &mut SchemaGen) -> Json {
        json!({"type": "number"})
    }
    fn label() -> String {
        "number".into()
    }
}

/// Reads the keys of one mapping, remembering which were asked for, so that what is
/// left over can be reported as unknown with the closest known key suggested.
pub struct MapReader<'n> {
    entries: &'n [Entry],
    used: Vec<bool>,
    known: Vec<&'static str>,
    pub span: Span,
    /// What this mapping is, for messages: "zone", "flow", "component `gpt`".
    pub what: String,
}

impl<'n> MapReader<'n> {
    pub fn new(node: &'n Node, what: &str, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Map(entries) => Some(MapReader {
                entries,
                used: vec![false; entries.len()],
                known: Vec::new(),
                span: node.span,
                what: what.to_owned(),
            }),
            _ => {
                cx.wrong_type(node, &format!("a mapping ({what})"));
                None
            }
        }
    }

    /// The value under `key`, if present and not null.
    pub fn get(&mut self, key: &'static str) -> Option<&'n Node> {
        self.known.push(key);
        let i = self.entries.iter().position(|e| e.key.value == key)?;
        // A repeated key was reported by the YAML layer; don't call it unknown too.
        for (entry, used) in self.entries.iter().zip(self.used.iter_mut()) {
            if entry.key.value == key {
                *used = true;
            }
        }
        let node = &self.entries[i].value;
        (node.value != Value::Null).then_some(node)
    }

    /// The span of `key` itself, when present; for labels on a whole entry.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries
            .iter()
            .find(|e| e.key.value == key)
            .map(|e| e.key.span)
    }

    pub fn req<T: Decode>(&mut self, key: &'static str, cx: &mut Cx) -> Option<T> {
        match self.get(key) {
            Some(n) => T::decode(n, cx),
            None => {
                let present = self.key_span(key);
                let msg = match present {
                    Some(_) => format!("`{key}` of this {} has no value", self.what),
                    None => format!("this {} has no `{key}`", self.what),
                };
                cx.error(
                    Diagnostic::error(Code::MissingKey, present.unwrap_or(self.span), msg)
                        .with_label(format!("`{key}` is required"))
                        .with_help(format!("add `{key}: …` ({})", T::label())),
                );
                None
            }
        }
    }

    pub fn opt<T: Decode>(&mut self, key: &'static str, cx: &mut Cx) -> Option<T> {
        self.get(key).and_then(|n| T::decode(n, cx))
    }

    pub fn list<T: Decode + Send>(&mut self, key: &'static str, cx: &mut Cx) -> Vec<T> {
        match self.get(key) {
            None => Vec::new(),
            Some(n) => decode_list(n, cx).unwrap_or_default(),
        }
    }

    /// Reports every key nobody asked for. `elsewhere` may explain a key that is valid in
    /// another context (an attribute of another component kind); returning `Some(None)`
    /// from it suppresses the report.
    pub fn finish(self, cx: &mut Cx, elsewhere: impl Fn(&str) -> Option<Option<Diagnostic>>) {
        for (entry, used) in self.entries.iter().zip(&self.used) {
            if *used {
                continue;
            }
            let key = entry.key.value.as_str();
            if key == "<<" {
                continue; // already reported by the YAML layer
            }
            if let Some(explained) = elsewhere(key) {
                if let Some(d) = explained {
                    cx.error(d);
                }
                continue;
            }
            let help = suggest::did_you_mean(key, self.known.iter().copied())
                .unwrap_or_else(|| format!("keys allowed here: {}", self.known.join(", ")));
            cx.error(
                Diagnostic::error(
                    Code::UnknownKey,
                    entry.key.span,
                    format!("unknown key `{key}` in {}", self.what),
                )
                .with_label("not a key of this mapping")
                .with_help(help),
            );
        }
    }
}

pub fn decode_list<T: Decode + Send>(node: &Node, cx: &mut Cx) -> Option<Vec<T>> {
    match &node.value {
        Value::Seq(items) => Some(decode_items(items, cx)),
        _ => {
            cx.error(
                Diagnostic::error(
                    Code::WrongType,
                    node.span,
                    format!("expected a list, found {}", node.type_name()),
                )
                .with_label("expected a list")
                .with_help(format!(
                    "this takes a list of {}; write a list even for one item: `[item]`",
                    T::label()
                )),
            );
            None
        }
    }
}

/// Decodes the items of a list. A long list (the components or flows of a large model)
/// is decoded in runs on every core, each run into its own diagnostics, which are then
/// appended run by run: the same values and diagnostics in the same order.
fn decode_items<T: Decode + Send>(items: &[Node], cx: &mut Cx) -> Vec<T> {
    const MIN_PARALLEL: usize = 2048;
    let threads = if items.len() < MIN_PARALLEL {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    if threads == 1 {
        let mut out = Vec::with_capacity(items.len());
        out.extend(items.iter().filter_map(|n| T::decode(n, cx)));
        return out;
    }
    let chunk = items.len().div_ceil(threads);
    let runs: Vec<(Vec<T>, Vec<Diagnostic>, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|run| {
                scope.spawn(move || {
                    let mut diags = Vec::new();
                    let mut cx = Cx::new(&mut diags);
                    let mut out = Vec::with_capacity(run.len());
                    out.extend(run.iter().filter_map(|n| T::decode(n, &mut cx)));
                    let dropped = std::mem::take(&mut cx.dropped_ids);
                    (out, diags, dropped)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut out = Vec::with_capacity(items.len());
    for (values, mut diags, mut dropped) in runs {
        out.extend(values);
        cx.diags.append(&mut diags);
        cx.dropped_ids.append(&mut dropped);
    }
    out
}

/// Field documentation, collected for the reference docs.
#[derive(Clone, Debug)]
pub struct FieldDoc {
    pub key: &'static str,
    pub ty: String,
    pub required: bool,
    pub doc: &'static str,
}

/// A record's documentation: its fields in declaration order.
#[derive(Clone, Debug)]
pub struct RecordDoc {
    pub name: &'static str,
    pub title: String,
    pub doc: &'static str,
    pub fields: Vec<FieldDoc>,
}

/// Collects `$defs` for the JSON Schema and record docs for the reference, once per type.
#[derive(Default)]
pub struct SchemaGen {
    pub defs: Map<String, Json>,
    pub records: Vec<RecordDoc>,
    pub enums: Vec<(&'static str, &'static str, Vec<&'static str>)>,
}

impl SchemaGen {
    /// Registers a definition built by `build` under `name` unless it is known already,
    /// and returns a `$ref` to it. Registering first makes recursive types terminate.
    pub fn define(
        &mut self,
        name: &'static str,
        build: impl FnOnce(&mut SchemaGen) -> Json,
    ) -> Json {
        if !self.defs.contains_key(name) {
            self.defs.insert(name.into(), Json::Null);
            let schema = build(self);
            self.defs.insert(name.into(), schema);
        }
        json!({"$ref": format!("#/$defs/{name}")})
    }
}

/// Adds a description to a schema fragment (kept beside `$ref` too, which draft 2019+ allows
/// and editors show on hover).
pub fn describe(mut schema: Json, doc: &str) -> Json {
    if let Json::Object(m) = &mut schema
        && !doc.is_empty()
    {
        m.insert("description".into(), Json::String(doc.to_owned()));
    }
    schema
}

/// Declares a record: the struct, its decoder (every field read, unknown keys reported),
/// its JSON Schema and its docs. `req` fields are required, `opt` ones may be absent,
/// `list` ones are lists that default to empty.
#[macro_export]
macro_rules! record {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident as $what:literal {
            $( $mode:ident $field:ident : $ty:ty = $fdoc:literal, )*
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Debug, serde::Serialize)]
        pub struct $name {
            /// Where the record starts (its first key).
            #[serde(skip)]
            pub span: $crate::span::Span,
            $( #[doc = $fdoc] pub $field: $crate::record!(@ty $mode $ty), )*
        }

        impl $name {
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// Reads this record's keys from `m`, leaving the reader open for more.
            pub fn decode_fields(m: &mut $crate::decode::MapReader, cx: &mut $crate::decode::Cx) -> Option<Self> {
                $( let $field = $crate::record!(@read $mode m cx $field $ty); )*
                Some($name { span: m.span, $( $field: $crate::record!(@unwrap $mode $field), )* })
            }

            /// JSON Schema properties and required keys of this record.
            pub fn schema_fields(g: &mut $crate::decode::SchemaGen) -> (serde_json::Map<String, serde_json::Value>, Vec<&'static str>, Vec<$crate::decode::FieldDoc>) {
                let mut props = serde_json::Map::new();
                let mut required = Vec::new();
                let mut docs = Vec::new();
                $(
                    let s = $crate::record!(@schema $mode g $ty);
                    props.insert(stringify!($field).into(), $crate::decode::describe(s, $fdoc));
                    let is_req = stringify!($mode) == "req";
                    if is_req { required.push(stringify!($field)); }
                    docs.push($crate::decode::FieldDoc { key: stringify!($field), ty: $crate::record!(@label $mode $ty), required: is_req, doc: $fdoc });
                )*
                (props, required, docs)
            }
        }

        impl $crate::decode::Decode for $name {
            fn decode(node: &$crate::yaml::Node, cx: &mut $crate::decode::Cx) -> Option<Self> {
                let mut m = $crate::decode::MapReader::new(node, $what, cx)?;
                let v = Self::decode_fields(&mut m, cx);
                m.finish(cx, |_| None);
                v
            }
            fn schema(g: &mut $crate::decode::SchemaGen) -> serde_json::Value {
                g.define(stringify!($name), |g| {
                    let (props, required, fields) = Self::schema_fields(g);
                    g.records.push($crate::decode::RecordDoc { name: stringify!($name), title: $what.into(), doc: concat!($($doc, "\n"),*), fields });
                    serde_json::json!({
                        "type": "object",
                        "description": concat!($($doc),*).trim(),
                        "properties": props,
                        "required": required,
                        "additionalProperties": false,
                    })
                })
            }
            fn label() -> String {
                format!("mapping ({})", $what)
            }
        }
    };
    (@ty req $ty:ty) => { $ty };
    (@ty opt $ty:ty) => { Option<$ty> };
    (@ty list $ty:ty) => { Vec<$ty> };
    (@read req $m:ident $cx:ident $field:ident $ty:ty) => { $m.req::<$ty>(stringify!($field), $cx) };
    (@read opt $m:ident $cx:ident $field:ident $ty:ty) => { $m.opt::<$ty>(stringify!($field), $cx) };
    (@read list $m:ident $cx:ident $field:ident $ty:ty) => { $m.list::<$ty>(stringify!($field), $cx) };
    (@unwrap req $field:ident) => { $field? };
    (@unwrap opt $field:ident) => { $field };
    (@unwrap list $field:ident) => { $field };
    (@schema req $g:ident $ty:ty) => { <$ty as $crate::decode::Decode>::schema($g) };
    (@schema opt $g:ident $ty:ty) => { <$ty as $crate::decode::Decode>::schema($g) };
    (@schema list $g:ident $ty:ty) => { serde_json::json!({"type": "array", "items": <$ty as $crate::decode::Decode>::schema($g)}) };
    (@label req $ty:ty) => { <$ty as $crate::decode::Decode>::label() };
    (@label opt $ty:ty) => { <$ty as $crate::decode::Decode>::label() };
    (@label list $ty:ty) => { format!("list of {}", <$ty as $crate::decode::Decode>::label()) };
}

/// Declares a closed set of kebab-case values with its decoder, schema and docs.
#[macro_export]
macro_rules! string_enum {
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident as $what:literal {
            $( $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $( $variant, )* }

        impl $name {
            pub const ALL: &'static [$name] = &[$( $name::$variant, )*];
            pub const NAMES: &'static [&'static str] = &[$( $text, )*];
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text, )* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $( $text => Some($name::$variant), )* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl $crate::decode::Decode for $name {
            fn decode(node: &$crate::yaml::Node, cx: &mut $crate::decode::Cx) -> Option<Self> {
                let text = $crate::decode::scalar_text(node, cx, concat!("a ", $what))?;
                if let Some(v) = Self::parse(text) {
                    return Some(v);
                }
                $crate::decode::bad_enum_value(node, cx, text, $what, Self::NAMES);
                None
            }
            fn schema(g: &mut $crate::decode::SchemaGen) -> serde_json::Value {
                g.define(stringify!($name), |g| {
                    g.enums.push((stringify!($name), $what, Self::NAMES.to_vec()));
                    serde_json::json!({"type": "string", "enum": Self::NAMES, "description": concat!($($doc),*).trim()})
                })
            }
            fn label() -> String {
                format!("{} ({})", $what, Self::NAMES.join(", "))
            }
        }
    };
}

/// Reports a value outside a closed set, suggesting the nearest allowed value.
pub fn bad_enum_value(node: &Node, cx: &mut Cx, text: &str, what: &str, allowed: &[&str]) {
    let list = allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let help = match suggest::closest(text, allowed.iter().copied()) {
        Some(c) => format!("did you mean `{c}`? allowed values: {list}"),
        None => format!("allowed values: {list}"),
    };
    cx.error(
        Diagnostic::error(
            Code::BadValue,
            node.span,
            format!("`{text}` is not a valid {what}"),
        )
        .with_label(format!("not a valid {what}"))
        .with_help(help),
    );
}
