//! A small YAML document tree with a span on every node, built from parser events under
//! the loader's [`Limits`]. We build our own tree rather than deserialize directly so
//! that decoding can report every error of a file at once, each at its place.

use crate::diag::{Code, Diagnostic};
use crate::limits::Limits;
use crate::span::{FileId, SourceMap, Span, Spanned};
use granit_parser::{Event, Marker, Parser, ScalarStyle};
use std::collections::HashMap;

mod fast;
#[cfg(test)]
mod fast_tests;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    /// A scalar's text; `plain` is false for quoted and block scalars, which are always strings.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// For a scalar, the scalar; for a mapping, its first key; for a sequence, its opening.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Spanned<String>,
    pub value: Node,
}

impl Node {
    /// What a person would call this value in "expected X, found Y".
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing (null)",
            Value::Scalar { plain: true, text } if is_bool(text) => "a boolean",
            Value::Scalar { plain: true, text } if text.parse::<f64>().is_ok() => "a number",
            Value::Scalar { .. } => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The JSON value a YAML 1.2 core-schema reader would see (for schema checks and
    /// conversions): plain `true`/`false`, numbers and nulls are typed, the rest are strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Scalar { text, plain: true } if is_bool(text) => {
                J::Bool(text.eq_ignore_ascii_case("true"))
            }
            Value::Scalar { text, plain: true } => {
                if let Ok(i) = text.parse::<i64>() {
                    J::from(i)
                } else if let Some(f) = text
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .and_then(serde_json::Number::from_f64)
                {
                    J::Number(f)
                } else {
                    J::String(text.clone())
                }
            }
            Value::Scalar { text, .. } => J::String(text.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.value.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
}

pub fn is_bool(text: &str) -> bool {
    matches!(text, "true" | "false" | "True" | "False" | "TRUE" | "FALSE")
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

enum Frame {
    Seq {
        items: Vec<Node>,
        span: Span,
        anchor: usize,
        nodes_at_start: usize,
    },
    Map {
        entries: Vec<Entry>,
        key: Option<Spanned<String>>,
        seen: HashMap<String, Span>,
        span: Span,
        anchor: usize,
        nodes_at_start: usize,
    },
}

struct Builder<'a> {
    file: FileId,
    /// Where the parsed text starts in the file (non-zero for a piece of a split file).
    base: Base,
    sources: &'a SourceMap,
    limits: &'a Limits,
    diags: &'a mut Vec<Diagnostic>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    alias_nodes: usize,
    root: Option<Node>,
    /// A span had to be found without byte offsets (not exact for a piece of a file).
    inexact: std::cell::Cell<bool>,
}

/// Parses one file's text into a tree. Returns `None` when the file could not be parsed
/// at all; the reason is in `diags`. Problems that leave the tree usable (a duplicate key,
/// a custom tag) are reported and parsing goes on.
pub fn parse(
    text: &str,
    file: FileId,
    sources: &SourceMap,
    limits: &Limits,
    diags: &mut Vec<Diagnostic>,
) -> Option<Node> {
    if let Some((start, len)) = longest_scalar_run(text)
        && len > 10 * limits.max_scalar + 1024
    {
        let span = sources.span_of_bytes(file, start, start);
        diags.push(
            Diagnostic::error(
                Code::ScalarTooLarge,
                span,
                format!(
                    "a value starting here is about {len} bytes long, over the limit of {} bytes",
                    limits.max_scalar
                ),
            )
            .with_help("shorten the value, or raise the limit with --max-scalar"),
        );
        return None;
    }
    if let Some(node) = split::parse(text, file, sources, limits) {
        return Some(node);
    }
    parse_piece(text, Base::default(), file, sources, limits, diags).map(|(node, _)| node)
}

/// Where a piece of text sits in its file, and how deep its root is nested there.
#[derive(Clone, Copy, Debug, Default)]
struct Base {
    offset: usize,
    /// Lines before the piece.
    lines: u32,
    depth: usize,
}

/// Parses `text`, a whole file or a piece of one at `base`; also returns the node count.
/// Plain text takes the [`fast`] path; the rest, and everything it gives up on, the general
/// parser, which reports every problem.
fn parse_piece(
    text: &str,
    base: Base,
    file: FileId,
    sources: &SourceMap,
    limits: &Limits,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Node, usize)> {
    if let Some(parsed) = fast::parse(text, base, file, limits) {
        return Some(parsed);
    }
    parse_events(text, base, file, sources, limits, diags)
}

/// [`parse_piece`] with the general event parser.
fn parse_events(
    text: &str,
    base: Base,
    file: FileId,
    sources: &SourceMap,
    limits: &Limits,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Node, usize)> {
    let options = granit_parser::options! {
        flow_nesting_limit: limits.max_depth.saturating_sub(base.depth),
        block_nesting_limit: limits.max_depth.saturating_sub(base.depth),
    };
    let parser = Parser::new_from_str_with_options(text, options);
    let mut b = Builder {
        base,
        file,
        sources,
        limits,
        diags,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        alias_nodes: 0,
        root: None,
        inexact: std::cell::Cell::new(false),
    };
    let mut documents = 0;
    for item in parser {
        let (event, span) = match item {
            Ok(pair) => pair,
            Err(e) => {
                let s = b.point(e.marker());
                let (code, msg, help) = describe_scan_error(&e, limits);
                b.diags
                    .push(Diagnostic::error(code, s, msg).with_help(help));
                return None;
            }
        };
        let start = b.point(&span.start);
        let span = b.range(&span.start, &span.end);
        match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    b.diags.push(
                        Diagnostic::error(Code::MultipleDocuments, start, "this file holds a second YAML document")
                            .with_label("second document starts here")
                            .with_help("a model file holds one document; split the model with `include:` instead of `---`"),
                    );
                    return None;
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                if let Some(tag) = tag
                    && !tag.is_yaml_core_schema()
                {
                    b.diags.push(
                        Diagnostic::error(Code::UnsupportedYaml, span, format!("custom YAML tag `{}` is not supported", tag.original()))
                            .with_help("remove the tag; the format uses plain values only (use `include:` to combine files)"),
                    );
                }
                if text.len() > limits.max_scalar {
                    b.diags.push(
                        Diagnostic::error(
                            Code::ScalarTooLarge,
                            start,
                            format!(
                                "this value is {} bytes long, over the limit of {} bytes",
                                text.len(),
                                limits.max_scalar
                            ),
                        )
                        .with_help("shorten the value, or raise the limit with --max-scalar"),
                    );
                    return None;
                }
                let plain = style == ScalarStyle::Plain;
                let value = if plain && is_null(&text) {
                    Value::Null
                } else {
                    Value::Scalar {
                        text: text.into_owned(),
                        plain,
                    }
                };
                if !b.count(1, span) {
                    return None;
                }
                b.push(Node { value, span }, anchor, 1)?;
            }
            Event::SequenceStart(_, anchor, tag) => {
                b.check_collection_tag(tag.as_deref(), span);
                if !b.open(span) {
                    return None;
                }
                let nodes_at_start = b.nodes;
                b.stack.push(Frame::Seq {
                    items: Vec::new(),
                    span: start,
                    anchor,
                    nodes_at_start,
                });
            }
            Event::MappingStart(_, anchor, tag) => {
                b.check_collection_tag(tag.as_deref(), span);
                if !b.open(span) {
                    return None;
                }
                let nodes_at_start = b.nodes;
                b.stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    seen: HashMap::new(),
                    span: start,
                    anchor,
                    nodes_at_start,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = b.stack.pop()?;
                let (node, anchor, start_count) = match frame {
                    Frame::Seq {
                        items,
                        span,
                        anchor,
                        nodes_at_start,
                    } => (
                        Node {
                            value: Value::Seq(items),
                            span,
                        },
                        anchor,
                        nodes_at_start,
                    ),
                    Frame::Map {
                        entries,
                        span,
                        anchor,
                        nodes_at_start,
                        ..
                    } => {
                        let head = entries.first().map_or(span, |e| e.key.span);
                        (
                            Node {
                                value: Value::Map(entries),
                                span: head,
                            },
                            anchor,
                            nodes_at_start,
                        )
                    }
                };
                let size = b.nodes - start_count + 1;
                b.push(node, anchor, size)?;
            }
            Event::Alias(id) => {
                let Some((node, size)) = b.anchors.get(&id).cloned() else {
                    b.diags.push(Diagnostic::error(
                        Code::Syntax,
                        span,
                        "this alias names an anchor that is not defined before it",
                    ));
                    return None;
                };
                b.alias_nodes = b.alias_nodes.saturating_add(size);
                if b.alias_nodes > limits.max_alias_nodes {
                    b.diags.push(
                        Diagnostic::error(Code::TooManyNodes, span, format!("aliases in this file expand to more than {} nodes", limits.max_alias_nodes))
                            .with_label("limit reached at this alias")
                            .with_help("write the repeated parts out instead of aliasing them (this also stops \"billion laughs\" documents); raise the limit with --max-alias-nodes"),
                    );
                    return None;
                }
                if !b.count(size, span) {
                    return None;
                }
                b.push(node, 0, size)?;
            }
            _ => {}
        }
    }
    let nodes = b.nodes;
    if b.inexact.get() && (base.offset != 0 || base.lines != 0) {
        return None;
    }
    Some((
        b.root.unwrap_or(Node {
            value: Value::Null,
            span: Span {
                file,
                ..Span::default()
            },
        }),
        nodes,
    ))
}

impl Builder<'_> {
    fn point(&self, m: &Marker) -> Span {
        self.range(m, m)
    }

    fn range(&self, s: &Marker, e: &Marker) -> Span {
        match (s.byte_offset(), e.byte_offset()) {
            (Some(a), Some(z)) => Span {
                file: self.file,
                start: self.base.offset + a,
                end: self.base.offset + z.max(a),
                line: self.base.lines + s.line() as u32,
                col: s.col() as u32 + 1,
            },
            _ => {
                self.inexact.set(true);
                self.sources
                    .span(self.file, (s.line(), s.col()), (e.line(), e.col()))
            }
        }
    }

    fn count(&mut self, n: usize, span: Span) -> bool {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            self.diags.push(
                Diagnostic::error(Code::TooManyNodes, span, format!("the document grows past {} nodes here", self.limits.max_nodes))
                    .with_label("limit reached while reading this")
                    .with_help("if aliases (`*name`) repeat large parts, write them out or remove them; for a very large model raise the limit with --max-nodes"),
            );
            return false;
        }
        true
    }

    fn open(&mut self, span: Span) -> bool {
        if self.stack.len() + self.base.depth >= self.limits.max_depth {
            self.diags.push(
                Diagnostic::error(Code::NestingTooDeep, span, format!("mappings and lists are nested more than {} levels deep", self.limits.max_depth))
                    .with_help("flatten the document; a model needs only a few levels (raise the limit with --max-depth)"),
            );
            return false;
        }
        self.count(1, span)
    }

    fn check_collection_tag(&mut self, tag: Option<&granit_parser::Tag>, span: Span) {
        if let Some(tag) = tag
            && !tag.is_yaml_core_schema()
        {
            self.diags.push(
                Diagnostic::error(
                    Code::UnsupportedYaml,
                    span,
                    format!("custom YAML tag `{}` is not supported", tag.original()),
                )
                .with_help("remove the tag; the format uses plain mappings and lists only"),
            );
        }
    }

    /// Places a finished node into its parent; `None` stops parsing (the reason is recorded).
    fn push(&mut self, node: Node, anchor: usize, size: usize) -> Option<()> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, key, seen, ..
            }) => match key.take() {
                Some(k) => entries.push(Entry {
                    key: k,
                    value: node,
                }),
                None => {
                    let text = match node.value {
                        Value::Scalar { text, .. } => text,
                        Value::Null => String::new(),
                        _ => {
                            self.diags.push(
                                Diagnostic::error(
                                    Code::UnsupportedYaml,
                                    node.span,
                                    "a mapping key must be a plain name, not a list or mapping",
                                )
                                .with_help("write keys as plain names such as `id:`"),
                            );
                            return None;
                        }
                    };
                    if text == "<<" {
                        self.diags.push(
                            Diagnostic::error(Code::UnsupportedYaml, node.span, "YAML merge keys (`<<`) are not supported")
                                .with_help("write the keys out; merges hide which values an element really has"),
                        );
                    }
                    // Keys are few: scan them, and index them only for a large mapping
                    // (the first occurrence of each, as found by the scan).
                    let first = if entries.len() < 32 {
                        entries
                            .iter()
                            .find(|e| e.key.value == text)
                            .map(|e| e.key.span)
                    } else {
                        if seen.is_empty() {
                            for e in entries.iter() {
                                seen.entry(e.key.value.clone()).or_insert(e.key.span);
                            }
                        }
                        seen.get(&text).copied()
                    };
                    if let Some(first) = first {
                        self.diags.push(
                            Diagnostic::error(
                                Code::DuplicateKey,
                                node.span,
                                format!("key `{text}` appears twice in this mapping"),
                            )
                            .with_label("second occurrence")
                            .with_related(first, "first occurrence")
                            .with_help("remove one of them; YAML tools disagree on which one wins"),
                        );
                    } else if !seen.is_empty() {
                        seen.insert(text.clone(), node.span);
                    }
                    *key = Some(Spanned::new(text, node.span));
                }
            },
        }
        Some(())
    }
}

/// The longest stretch of text that can only lie inside one scalar: no line break, no
/// flow or key indicator, no comment sign. Found in one cheap pass before parsing, so a
/// file built around one giant value is refused at once instead of after a full scan.
/// A stretch decodes to at least a tenth of its length (an escape such as `\U00000041`
/// is the densest), which is why the caller compares against ten times the limit. After
/// `#` the rest of the line may be a comment, so it is not counted.
fn longest_scalar_run(text: &str) -> Option<(usize, usize)> {
    /// The bytes that end a stretch: line breaks, flow and key indicators, `#`.
    const BREAKS: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 9 {
            t[b"\n\r,[]{}:#"[i] as usize] = true;
            i += 1;
        }
        t
    };
    let bytes = text.as_bytes();
    let mut best: Option<(usize, usize)> = None;
    let mut start = 0;
    let mut in_comment = false;
    while let Some(k) = bytes
        .get(start..)
        .and_then(|rest| rest.iter().position(|&b| BREAKS[usize::from(b)]))
    {
        let at = start + k;
        if best.is_none_or(|(_, l)| k > l) {
            best = Some((start, k));
        }
        start = at + 1;
        if bytes[at] == b'#' {
            match bytes[start..].iter().position(|&b| b == b'\n') {
                Some(n) => start += n + 1,
                None => {
                    in_comment = true;
                    break;
                }
            }
        }
    }
    let len = if in_comment { 0 } else { text.len() - start };
    if best.is_none_or(|(_, l)| len > l) {
        best = Some((start, len));
    }
    best
}

fn describe_scan_error(e: &granit_parser::ScanError, limits: &Limits) -> (Code, String, String) {
    use granit_parser::ErrorKind as K;
    let info = e.info();
    match e.kind() {
        K::RecursionLimitExceeded => (
            Code::NestingTooDeep,
            format!("mappings and lists are nested more than {} levels deep", limits.max_depth),
            "flatten the document; a model needs only a few levels (raise the limit with --max-depth)".into(),
        ),
        _ => (Code::Syntax, format!("YAML syntax error: {info}"), syntax_help(&info)),
    }
}

fn syntax_help(info: &str) -> String {
    if info.contains("tab") {
        "YAML indentation must use spaces, not tabs".into()
    } else if info.contains("mapping values") {
        "a value containing `: ` must be quoted, and keys of one mapping must line up".into()
    } else if info.contains("did not find expected") || info.contains("flow") {
        "check that every `[` and `{` is closed and that items are separated by commas".into()
    } else {
        "check the indentation and quoting on this line and the one before it".into()
    }
}

/// Parsing a large file in pieces, on every core.
///
/// A model file is a mapping of a few top-level keys, two of which (`components`, `flows`)
/// usually hold almost all of it as a block sequence. When the text is plain enough that
/// its top-level keys and the items of those sequences can be found line by line (no
/// anchors or aliases, no tabs or carriage returns, every top-level line a `key:`), each
/// section, or run of items, is parsed on its own with its true offsets, and the trees
/// are joined. Anything unusual in a piece (an error, a diagnostic of any kind, an
/// inexact span, a duplicate top-level key, too many nodes) makes the caller parse the
/// whole file in one piece instead, so diagnostics and trees are exactly the same.
mod split {
    use super::{Base, Entry, Node, Value, parse_piece};
    use crate::limits::Limits;
    use crate::span::{FileId, SourceMap};

    /// Files smaller than this are parsed in one piece.
    const MIN_SPLIT: usize = 1 << 18;

    enum Kind {
        /// `key: value`: one entry of the top-level mapping.
        Section,
        /// A run of items of a block sequence, the value of the last `Section`'s key.
        Items,
    }

    /// A piece's tree and node count; `None` when it was not parsed cleanly.
    type Parsed = Option<(Node, usize)>;

    struct Piece<'t> {
        text: &'t str,
        base: Base,
        kind: Kind,
    }

    /// The lines of `text` as (start, end) byte ranges, `end` past the `\n`.
    fn lines(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut at = 0;
        std::iter::from_fn(move || {
            if at >= text.len() {
                return None;
            }
            let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
            let line = (at, end);
            at = end;
            Some(line)
        })
    }

    fn is_key_line(line: &[u8]) -> bool {
        let name = line
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            .count();
        name > 0
            && line.get(name) == Some(&b':')
            && matches!(line.get(name + 1), None | Some(b' ' | b'\n'))
    }

    /// Blank, or only a comment.
    fn is_blank(line: &[u8]) -> bool {
        let rest = line.trim_ascii_start();
        rest.is_empty() || rest[0] == b'#'
    }

    fn indent(line: &[u8]) -> usize {
        line.iter().take_while(|b| **b == b' ').count()
    }

    /// A `key:` line with nothing after the colon but spaces or a comment.
    fn opens_block(line: &[u8]) -> bool {
        let colon = line.iter().position(|b| *b == b':').unwrap_or(line.len());
        let rest = line[colon + 1..].trim_ascii_start();
        rest.is_empty() || rest[0] == b'#'
    }

    /// Cuts `text` into pieces, or `None` when it is not plain enough to.
    fn pieces(text: &str, target: usize) -> Option<Vec<Piece<'_>>> {
        let bytes = text.as_bytes();
        if bytes
            .iter()
            .any(|b| matches!(b, b'&' | b'*' | b'\t' | b'\r'))
        {
            return None;
        }
        // Top-level sections: (first line, lines).
        let all: Vec<(usize, usize)> = lines(text).collect();
        let mut sections: Vec<(usize, usize)> = Vec::new();
        for (n, &(a, z)) in all.iter().enumerate() {
            let line = &bytes[a..z];
            if line[0] == b' ' || is_blank(line) {
                if sections.is_empty() && !is_blank(line) {
                    return None;
                }
                continue;
            }
            if !is_key_line(line) {
                return None;
            }
            sections.push((n, 0));
        }
        let count = sections.len();
        for k in 0..count {
            let next = sections.get(k + 1).map_or(all.len(), |s| s.0);
            sections[k].1 = next - sections[k].0;
        }
        let mut out = Vec::new();
        let piece = |first: usize, last: usize, kind: Kind| -> Piece<'_> {
            // Leading blank lines before the first section belong to it.
            let a = if first == 0 { 0 } else { all[first].0 };
            let z = all[last - 1].1;
            Piece {
                text: &text[a..z],
                base: Base {
                    offset: a,
                    lines: if first == 0 { 0 } else { first as u32 },
                    depth: match kind {
                        Kind::Section => 0,
                        Kind::Items => 1,
                    },
                },
                kind,
            }
        };
        for (k, &(first, len)) in sections.iter().enumerate() {
            let first = if k == 0 { 0 } else { first };
            let len = if k == 0 { sections[0].0 + len } else { len };
            let end = first + len;
            let key_line = sections[k].0;
            let size = all[end - 1].1 - all[first].0;
            // The items of a block sequence that starts on the next content line.
            let items: Option<Vec<usize>> = (|| {
                if size < 2 * target || !opens_block(&bytes[all[key_line].0..all[key_line].1]) {
                    return None;
                }
                let mut starts = Vec::new();
                let mut item_indent = None;
                for (n, &(a, z)) in all.iter().enumerate().take(end).skip(key_line + 1) {
                    let line = &bytes[a..z];
                    if is_blank(line) {
                        continue;
                    }
                    let i = indent(line);
                    let at_item = line[i..].starts_with(b"- ") || line[i..].starts_with(b"-\n");
                    match item_indent {
                        None if i > 0 && at_item => item_indent = Some(i),
                        None => return None,
                        Some(k) if i < k => return None,
                        Some(k) if i == k && !at_item => return None,
                        _ => {}
                    }
                    if Some(i) == item_indent {
                        starts.push(n);
                    }
                }
                Some(starts)
            })();
            let Some(starts) = items.filter(|s| s.len() > 1) else {
                out.push(piece(first, end, Kind::Section));
                continue;
            };
            out.push(piece(first, key_line + 1, Kind::Section));
            let mut from = key_line + 1;
            for &n in &starts[1..] {
                if all[n].0 - all[from].0 >= target {
                    out.push(piece(from, n, Kind::Items));
                    from = n;
                }
            }
            out.push(piece(from, end, Kind::Items));
        }
        Some(out)
    }

    pub(super) fn parse(
        text: &str,
        file: FileId,
        sources: &SourceMap,
        limits: &Limits,
    ) -> Option<Node> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        if text.len() < MIN_SPLIT || threads < 2 {
            return None;
        }
        parse_split(text, file, sources, limits, threads)
    }

    /// Parses `text` in pieces on `threads` threads; `None` when it must be parsed whole.
    pub(super) fn parse_split(
        text: &str,
        file: FileId,
        sources: &SourceMap,
        limits: &Limits,
        threads: usize,
    ) -> Option<Node> {
        let pieces = pieces(text, (text.len() / (4 * threads)).max(1))?;
        let next = std::sync::atomic::AtomicUsize::new(0);
        let parsed: Vec<Vec<(usize, Parsed)>> = std::thread::scope(|scope| {
            let work = || {
                let mut done = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(p) = pieces.get(i) else { break };
                    let mut diags = Vec::new();
                    let r = parse_piece(p.text, p.base, file, sources, limits, &mut diags);
                    let clean = diags.is_empty() && r.is_some();
                    done.push((i, r.filter(|_| clean)));
                    if !clean {
                        break;
                    }
                }
                done
            };
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let mut results: Vec<Parsed> = (0..pieces.len()).map(|_| None).collect();
        for (i, r) in parsed.into_iter().flatten() {
            results[i] = Some(r?);
        }
        let mut entries: Vec<Entry> = Vec::new();
        let mut nodes = 1usize;
        for (p, r) in pieces.iter().zip(results) {
            let (node, count) = r?;
            nodes += count;
            match (&p.kind, node.value) {
                (Kind::Section, Value::Map(mut m)) if m.len() == 1 => {
                    let e = m.pop()?;
                    if entries.iter().any(|x| x.key.value == e.key.value) {
                        return None;
                    }
                    entries.push(e);
                }
                (Kind::Items, Value::Seq(items)) => {
                    let last = entries.last_mut()?;
                    match &mut last.value.value {
                        Value::Seq(all) => all.extend(items),
                        Value::Null => {
                            last.value = Node {
                                value: Value::Seq(items),
                                span: node.span,
                            }
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
        if nodes > limits.max_nodes {
            return None;
        }
        let span = entries.first()?.key.span;
        Some(Node {
            value: Value::Map(entries),
            span,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, limits: &Limits) -> (Option<Node>, Vec<Diagnostic>) {
        let mut sources = SourceMap::default();
        let f = sources.add("t.yaml".into(), text.into());
        let mut d = Vec::new();
        let n = parse(text, f, &sources, limits, &mut d);
        (n, d)
    }

    #[test]
    fn keeps_positions_and_reports_duplicate_keys() {
        let (node, d) = load("a: 1\nb:\n  c: x\na: 2\n", &Limits::default());
        assert!(node.is_some());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::DuplicateKey);
        assert_eq!((d[0].span.unwrap().line, d[0].span.unwrap().col), (4, 1));
        assert_eq!(d[0].related[0].span.line, 1);
    }

    #[test]
    fn billion_laughs_stops_at_the_node_limit() {
        let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9u8 {
            let prev = (b'a' + i) as char;
            let cur = (b'b' + i) as char;
            s.push_str(&format!("{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let (node, d) = load(&s, &Limits::default());
        assert!(node.is_none());
        assert_eq!(d[0].code, Code::TooManyNodes);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let s = "[".repeat(10_000);
        let (node, d) = load(&s, &Limits::default());
        assert!(node.is_none());
        assert_eq!(d[0].code, Code::NestingTooDeep, "{d:?}");
        let mut block = String::new();
        for i in 0..200 {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        let (node, d) = load(&block, &Limits::default());
        assert!(node.is_none());
        assert_eq!(d[0].code, Code::NestingTooDeep, "{d:?}");
    }

    #[test]
    fn plain_null_and_quoted_strings_differ() {
        let (node, _) = load("a: ~\nb: 'true'\nc: true\n", &Limits::default());
        let m = node.unwrap();
        let m = m.as_map().unwrap();
        assert_eq!(m[0].value.value, Value::Null);
        assert_eq!(m[1].value.type_name(), "a string");
        assert_eq!(m[2].value.type_name(), "a boolean");
    }

    #[test]
    fn a_file_parsed_in_pieces_is_the_file_parsed_whole() {
        let mut text = String::from(
            "# a model\nthreatwright: 1\nsystem: { id: s, name: S }\nzones:\n  - { id: z, trust: internal }\n",
        );
        text.push_str("components:\n");
        for i in 0..300 {
            if i % 7 == 0 {
                text.push_str(&format!(
                    "  - id: c{i}\n    kind: service\n    description: |\n      line one\n\n      - not an item\n    tags: [a, b]\n  # between\n"
                ));
            } else {
                text.push_str(&format!("  - {{ id: c{i}, kind: llm, name: \"C {i}\" }}\n"));
            }
        }
        text.push_str("\nflows:\n");
        for i in 0..900 {
            text.push_str(&format!(
                "  - {{ from: c{}, to: c{}, sends: [d] }}\n",
                i % 300,
                (i * 7) % 300
            ));
        }
        text.push_str("data:\n  - { id: d }\n");
        let mut sources = SourceMap::default();
        let f = sources.add("t.yaml".into(), text.clone());
        let mut d = Vec::new();
        let (whole, _) = parse_piece(
            &text,
            Base::default(),
            f,
            &sources,
            &Limits::default(),
            &mut d,
        )
        .unwrap();
        assert!(d.is_empty());
        for threads in [2, 3, 8] {
            let pieces = split::parse_split(&text, f, &sources, &Limits::default(), threads);
            assert_eq!(pieces.as_ref(), Some(&whole), "{threads} threads");
        }
        // Not plain enough: parsed whole.
        let odd = text.replace("kind: llm", "kind: &k llm");
        assert!(split::parse_split(&odd, f, &sources, &Limits::default(), 2).is_none());
        // A problem in a piece: parsed whole, where it is reported.
        let dup = text.replace("{ id: c5, kind: llm", "{ id: c5, id: c5, kind: llm");
        assert!(split::parse_split(&dup, f, &sources, &Limits::default(), 2).is_none());
        let tight = Limits {
            max_nodes: 100,
            ..Limits::default()
        };
        assert!(split::parse_split(&text, f, &sources, &tight, 2).is_none());
    }

    /// The byte-at-a-time definition `longest_scalar_run` is a faster form of.
    fn longest_run_reference(text: &str) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        let mut start = 0;
        let mut in_comment = false;
        for (i, b) in text.bytes().enumerate() {
            if in_comment {
                if b == b'\n' {
                    in_comment = false;
                    start = i + 1;
                }
                continue;
            }
            if matches!(
                b,
                b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}' | b':' | b'#'
            ) {
                in_comment = b == b'#';
                let len = i - start;
                if best.is_none_or(|(_, l)| len > l) {
                    best = Some((start, len));
                }
                start = i + 1;
            }
        }
        let len = if in_comment { 0 } else { text.len() - start };
        if best.is_none_or(|(_, l)| len > l) {
            best = Some((start, len));
        }
        best
    }

    #[test]
    fn longest_scalar_run_matches_its_definition() {
        let alphabet: Vec<char> = "ab \n\r,[]{}:#é".chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 24) as usize;
            let mut x = seed;
            let text: String = (0..len)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    alphabet[(x >> 33) as usize % alphabet.len()]
                })
                .collect();
            assert_eq!(
                longest_scalar_run(&text),
                longest_run_reference(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn duplicate_keys_in_a_large_mapping() {
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!("k{i}: {i}\n"));
        }
        text.push_str("k3: again\nk35: again\nk39: again\nk3: thrice\n");
        let (node, d) = load(&text, &Limits::default());
        assert!(node.is_some());
        let found: Vec<(u32, u32)> = d
            .iter()
            .map(|d| (d.span.unwrap().line, d.related[0].span.line))
            .collect();
        assert_eq!(found, [(41, 4), (42, 36), (43, 40), (44, 4)]);
    }
}
