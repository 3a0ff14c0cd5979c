//! The fast path of YAML parsing: a hand-written parser for the plain YAML that model files
//! are made of, several times faster than the general event parser.
//!
//! It reads a subset only: block mappings and sequences indented with spaces (including
//! `- key: v` items and sequences at their parent key's indentation), flow collections on
//! one line, plain and quoted scalars on one line, comments and blank lines. On anything
//! else (anchors, tags, block scalars, multi-line scalars, tabs, a duplicate key, a limit
//! about to be reached, anything it is not sure of) it gives up and returns `None`, and the
//! caller parses the text with the general parser, which reports every problem. So a tree it
//! does return must be exactly the tree the general parser builds: the same nodes, spans
//! and node count. It follows the general parser's conventions for spans, which are:
//!
//! - a scalar spans its text, quotes included, trailing spaces excluded;
//! - a mapping's span is its first key's (an empty flow mapping: a point at its `{`);
//! - a sequence's span is a point at its `[` or its first `-`, except for a sequence at its
//!   key's indentation (`key:\n- a`), which starts after the first `- ` and the spaces
//!   after it (at the end of the line when the item is on the next lines);
//! - an empty value is a point: at the `:` of its key, or where an empty item starts.
//!
//! The differential tests in `fast_tests` hold it to that on real files and random text.

use super::{Base, Entry, Node, Value, is_null};
use crate::limits::Limits;
use crate::span::{FileId, Span, Spanned};
use foldhash::{HashSet, HashSetExt};

/// Deepest nesting followed whatever the limit, as the parser recurses.
const MAX_NESTING: usize = 100;
/// The general parser refuses implicit keys longer than 1024 characters.
const MAX_KEY: usize = 1000;
/// Mappings with more keys than this look up duplicates in a hash set.
const SCAN_KEYS: usize = 32;

/// Classes of bytes for scanning plain scalars, looked up in [`STOPS`]: bytes that may end
/// one in block context (`:` before a space, `#` after one)...
const IN_BLOCK: u8 = 1;
/// ... and in a flow collection (also `,[]{}`)...
const IN_FLOW: u8 = 2;
/// ... and bytes that, after a `:` in a flow collection, make the `:` an indicator.
const AFTER_COLON: u8 = 4;
const STOPS: [u8; 256] = {
    let mut t = [0; 256];
    t[b':' as usize] = IN_BLOCK | IN_FLOW;
    t[b'#' as usize] = IN_BLOCK | IN_FLOW;
    let mut i = 0;
    while i < 5 {
        t[b",[]{}"[i] as usize] = IN_FLOW | AFTER_COLON;
        i += 1;
    }
    t[b' ' as usize] = AFTER_COLON;
    t[b'\n' as usize] = AFTER_COLON;
    t
};

/// Parses `text` (a whole file, or a piece of one at `base`) into the tree and node count
/// the general parser would build, or `None` when the text is outside the subset.
pub(super) fn parse(
    text: &str,
    base: Base,
    file: FileId,
    limits: &Limits,
) -> Option<(Node, usize)> {
    let mut p = Fast {
        text,
        bytes: text.as_bytes(),
        base,
        file,
        limits,
        nodes: 0,
        pos: 0,
        line_start: 0,
        line_end: 0,
        line: 0,
        ascii: true,
        indent: 0,
        eof: false,
        entries: Vec::new(),
        items: Vec::new(),
    };
    p.seek(0)?;
    if p.eof {
        let span = Span {
            file,
            ..Span::default()
        };
        let empty = Node {
            value: Value::Null,
            span,
        };
        return Some((empty, 0));
    }
    let root = p.block_node(0, Want::Any)?;
    p.eof.then_some((root, p.nodes))
}

struct Fast<'t> {
    text: &'t str,
    bytes: &'t [u8],
    base: Base,
    file: FileId,
    limits: &'t Limits,
    nodes: usize,
    /// The cursor, always on the current line (or at its end).
    pos: usize,
    line_start: usize,
    /// Where the current line's `\n` is, or the end of the text.
    line_end: usize,
    /// 1-based number of the current line within `text`.
    line: u32,
    /// The current line is ASCII, so columns are byte counts.
    ascii: bool,
    /// Indentation of the current line, when it is a line with content.
    indent: usize,
    /// No line with content is left.
    eof: bool,
    /// Entries and items of the collections being read, innermost last; each collection
    /// takes its own off the end, so its vector is allocated once at its final size.
    entries: Vec<Entry>,
    items: Vec<Node>,
}

/// What a block node may be where it is read.
#[derive(Clone, Copy, PartialEq)]
enum Want {
    /// Anything: the document root, or after `- `.
    Any,
    /// A mapping or sequence on lines of its own, after `key:` or `-`.
    Collection,
    /// A scalar or flow collection after `key: `.
    Leaf,
}

/// A scalar as written, before it becomes a node or a key.
struct Raw {
    text: String,
    plain: bool,
    span: Span,
}

impl Fast<'_> {
    /// The byte at `i`, or `\n` at and past the end of the current line.
    fn at(&self, i: usize) -> u8 {
        if i < self.line_end {
            self.bytes[i]
        } else {
            b'\n'
        }
    }

    fn blank_at(&self, i: usize) -> bool {
        matches!(self.at(i), b' ' | b'\n')
    }

    fn at_dash(&self) -> bool {
        self.at(self.pos) == b'-' && self.blank_at(self.pos + 1)
    }

    fn skip_spaces(&mut self) -> usize {
        let from = self.pos;
        while self.at(self.pos) == b' ' {
            self.pos += 1;
        }
        self.pos - from
    }

    /// A span on the current line; the column counts characters.
    fn span(&self, start: usize, end: usize) -> Span {
        let col = if self.ascii {
            start.saturating_sub(self.line_start)
        } else {
            self.text
                .get(self.line_start..start)
                .map_or(0, |s| s.chars().count())
        };
        Span {
            file: self.file,
            start: self.base.offset + start,
            end: self.base.offset + end,
            line: self.base.lines + self.line,
            col: col as u32 + 1,
        }
    }

    /// Makes the line at `start` current. Refuses tabs, carriage returns and other control
    /// characters, and the Unicode characters the general parser treats specially (C1
    /// controls, line and paragraph separators, byte order marks, non-characters).
    fn load_line(&mut self, start: usize) -> Option<()> {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let rest = self.bytes.get(start..)?;
        // Eight bytes at a time while they are all printable ASCII (0x20 to 0x7e): the
        // first test finds any byte below 0x20 (a `\n` among them), the second any above
        // 0x7e. Both may flag a word that has neither, never miss one.
        let mut i = 0;
        while let Some(chunk) = rest.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().ok()?);
            let low = w.wrapping_sub(0x20 * ONES) & !w & HIGH;
            let high = (w | w.wrapping_add(ONES)) & HIGH;
            if low | high != 0 {
                break;
            }
            i += 8;
        }
        let mut end = rest.len();
        let mut ascii = true;
        while let Some(&c) = rest.get(i) {
            if c == b'\n' {
                end = i;
                break;
            }
            if c < 0x20 || c == 0x7f {
                return None;
            }
            ascii &= c < 0x80;
            i += 1;
        }
        let end = start + end;
        if !ascii
            && self.text.get(start..end)?.chars().any(|c| {
                matches!(
                    c as u32,
                    0x80..=0x9f | 0x2028 | 0x2029 | 0xfeff | 0xfffe | 0xffff
                )
            })
        {
            return None;
        }
        self.line_start = start;
        self.line_end = end;
        self.ascii = ascii;
        self.line += 1;
        Some(())
    }

    /// Makes the first line with content from `start` on current, with the cursor at its
    /// first non-space; sets `eof` when there is none.
    fn seek(&mut self, mut start: usize) -> Option<()> {
        while start < self.bytes.len() {
            self.load_line(start)?;
            let line = &self.bytes[start..self.line_end];
            let indent = line.iter().take_while(|&&c| c == b' ').count();
            match line.get(indent) {
                None | Some(b'#') => start = self.line_end + 1,
                Some(_) => {
                    // Document markers and directives.
                    if indent == 0
                        && (line.starts_with(b"---")
                            || line.starts_with(b"...")
                            || line.starts_with(b"%"))
                    {
                        return None;
                    }
                    self.indent = indent;
                    self.pos = start + indent;
                    return Some(());
                }
            }
        }
        self.eof = true;
        Some(())
    }

    fn next_line(&mut self) -> Option<()> {
        self.seek(self.line_end + 1)
    }

    /// The rest of the line must be blank or a comment; then moves to the next line.
    fn finish_line(&mut self) -> Option<()> {
        let spaces = self.skip_spaces();
        match self.at(self.pos) {
            b'\n' => {}
            b'#' if spaces > 0 => {}
            _ => return None,
        }
        self.next_line()
    }

    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= self.limits.max_nodes).then_some(())
    }

    /// Counts a collection `depth` collections deep; gives up well before the depth limit,
    /// as the general parser counts nesting its own way.
    fn open(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_NESTING || depth + self.base.depth + 2 >= self.limits.max_depth {
            return None;
        }
        self.count()
    }

    fn scalar(&mut self, raw: Raw) -> Option<Node> {
        if raw.text.len() > self.limits.max_scalar {
            return None;
        }
        self.count()?;
        let value = if raw.plain && is_null(&raw.text) {
            Value::Null
        } else {
            Value::Scalar {
                text: raw.text,
                plain: raw.plain,
            }
        };
        Some(Node {
            value,
            span: raw.span,
        })
    }

    /// An empty value. The general parser reads it as the one-character scalar `~`, which
    /// the scalar limit applies to.
    fn empty(&mut self, span: Span) -> Option<Node> {
        if self.limits.max_scalar < 1 {
            return None;
        }
        self.count()?;
        Some(Node {
            value: Value::Null,
            span,
        })
    }

    /// A key of the mapping whose entries start at `mark`; gives up on a duplicate or a merge.
    fn key(
        &mut self,
        raw: Raw,
        mark: usize,
        seen: &mut Option<HashSet<String>>,
    ) -> Option<Spanned<String>> {
        if raw.text.len() > self.limits.max_scalar {
            return None;
        }
        self.count()?;
        // A null key reads as the empty string, as in the general path.
        let text = if raw.plain && is_null(&raw.text) {
            String::new()
        } else {
            raw.text
        };
        if text == "<<" {
            return None;
        }
        let entries = self.entries.get(mark..)?;
        if entries.len() < SCAN_KEYS {
            if entries.iter().any(|e| e.key.value == text) {
                return None;
            }
        } else {
            let seen = seen.get_or_insert_with(|| {
                let mut set = HashSet::with_capacity(2 * entries.len());
                set.extend(entries.iter().map(|e| e.key.value.clone()));
                set
            });
            if !seen.insert(text.clone()) {
                return None;
            }
        }
        Some(Spanned::new(text, raw.span))
    }

    /// Whether a plain scalar may start at `i`: not at an indicator, except a `-` that
    /// is not followed by a space or a flow indicator.
    fn plain_start(&self, i: usize) -> bool {
        match self.at(i) {
            b'-' => !matches!(
                self.at(i + 1),
                b' ' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
            ),
            b'\n' | b' ' | b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*'
            | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' => false,
            _ => true,
        }
    }

    /// A plain scalar from `start` to `stop` (exclusive), trailing spaces trimmed; leaves
    /// the cursor at its end.
    fn plain(&mut self, start: usize, stop: usize) -> Option<Raw> {
        let mut end = stop;
        while end > start && self.bytes[end - 1] == b' ' {
            end -= 1;
        }
        self.pos = end;
        Some(Raw {
            text: self.text.get(start..end)?.to_owned(),
            plain: true,
            span: self.span(start, end),
        })
    }

    /// A quoted scalar at the cursor, which must close on this line; leaves the cursor past
    /// the closing quote.
    fn quoted(&mut self) -> Option<Raw> {
        let start = self.pos;
        let q = self.at(start);
        let mut text = String::new();
        let mut i = start + 1;
        let mut run = i;
        loop {
            let c = self.at(i);
            if c == b'\n' {
                return None;
            }
            if c == q {
                if q == b'\'' && self.at(i + 1) == b'\'' {
                    text.push_str(self.text.get(run..=i)?);
                    i += 2;
                    run = i;
                    continue;
                }
                text.push_str(self.text.get(run..i)?);
                self.pos = i + 1;
                return Some(Raw {
                    text,
                    plain: false,
                    span: self.span(start, i + 1),
                });
            }
            if c == b'\\' && q == b'"' {
                text.push_str(self.text.get(run..i)?);
                let (ch, len) = self.escape(i)?;
                text.push(ch);
                i += len;
                run = i;
                continue;
            }
            i += 1;
        }
    }

    /// The escape sequence at `i` in a double-quoted scalar, and its length. Gives up on
    /// a line continuation, surrogates and anything the general parser would refuse.
    fn escape(&self, i: usize) -> Option<(char, usize)> {
        let digits = match self.at(i + 1) {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            c => {
                let ch = match c {
                    b'0' => '\0',
                    b'a' => '\x07',
                    b'b' => '\x08',
                    b't' => '\t',
                    b'n' => '\n',
                    b'v' => '\x0b',
                    b'f' => '\x0c',
                    b'r' => '\r',
                    b'e' => '\x1b',
                    b' ' => ' ',
                    b'"' => '"',
                    b'/' => '/',
                    b'\\' => '\\',
                    b'N' => '\u{85}',
                    b'_' => '\u{a0}',
                    b'L' => '\u{2028}',
                    b'P' => '\u{2029}',
                    _ => return None,
                };
                return Some((ch, 2));
            }
        };
        let hex = self.bytes.get(i + 2..i + 2 + digits)?;
        if i + 2 + digits > self.line_end || !hex.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let code = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
        // `char::from_u32` refuses surrogates, which the general parser pairs up.
        Some((char::from_u32(code)?, 2 + digits))
    }

    /// A scalar in block context at the cursor, and whether it is a key (followed by `:`
    /// and a space or the end of the line), in which case the cursor is left past the `:`.
    fn block_scalar(&mut self) -> Option<(Raw, bool)> {
        let start = self.pos;
        if matches!(self.at(start), b'"' | b'\'') {
            let raw = self.quoted()?;
            let mut i = self.pos;
            while self.at(i) == b' ' {
                i += 1;
            }
            let key = self.at(i) == b':' && self.blank_at(i + 1);
            if key {
                if i - start > MAX_KEY {
                    return None;
                }
                self.pos = i + 1;
            }
            return Some((raw, key));
        }
        if !self.plain_start(start) {
            return None;
        }
        let line = &self.bytes[..self.line_end];
        let mut i = start;
        let mut key = false;
        while let Some(&c) = line.get(i) {
            if STOPS[usize::from(c)] & IN_BLOCK != 0 {
                if c == b':' && self.blank_at(i + 1) {
                    key = true;
                    break;
                }
                if c == b'#' && i > start && line[i - 1] == b' ' {
                    break;
                }
            }
            i += 1;
        }
        let raw = self.plain(start, i)?;
        if key {
            if i - start > MAX_KEY {
                return None;
            }
            self.pos = i + 1;
        }
        Some((raw, key))
    }

    /// A scalar in a flow collection at the cursor; leaves the cursor past it.
    fn flow_scalar(&mut self) -> Option<Raw> {
        let start = self.pos;
        if matches!(self.at(start), b'"' | b'\'') {
            return self.quoted();
        }
        if !self.plain_start(start) {
            return None;
        }
        let line = &self.bytes[..self.line_end];
        let mut i = start;
        while let Some(&c) = line.get(i) {
            let stop = STOPS[usize::from(c)];
            if stop & IN_FLOW != 0 {
                match c {
                    b':' if STOPS[usize::from(self.at(i + 1))] & AFTER_COLON == 0 => {}
                    b'#' if i == start || line[i - 1] != b' ' => {}
                    _ => break,
                }
            }
            i += 1;
        }
        self.plain(start, i)
    }

    /// The block node at the cursor, `depth` collections deep: the first thing on its line,
    /// or after `- ` or `key: `. Leaves the cursor on the next line with content.
    fn block_node(&mut self, depth: usize, want: Want) -> Option<Node> {
        // Only spaces and `- ` come before a block node that starts a collection.
        let col = self.pos - self.line_start;
        match self.at(self.pos) {
            b'-' if self.blank_at(self.pos + 1) => {
                if want == Want::Leaf {
                    return None;
                }
                self.block_seq(col, depth, false)
            }
            b'[' | b'{' => {
                if want == Want::Collection {
                    return None;
                }
                let node = self.flow_node(depth)?;
                self.finish_line()?;
                Some(node)
            }
            _ => {
                let (raw, key) = self.block_scalar()?;
                match (key, want) {
                    (true, Want::Leaf) | (false, Want::Collection) => None,
                    (true, _) => self.block_map(col, raw, depth),
                    (false, _) => {
                        let node = self.scalar(raw)?;
                        self.finish_line()?;
                        Some(node)
                    }
                }
            }
        }
    }

    /// A block mapping whose first key, at column `col`, was just read.
    fn block_map(&mut self, col: usize, first: Raw, depth: usize) -> Option<Node> {
        self.open(depth)?;
        let mark = self.entries.len();
        let mut seen = None;
        let mut raw = first;
        loop {
            let key = self.key(raw, mark, &mut seen)?;
            let value = self.block_value(col, depth + 1)?;
            self.entries.push(Entry { key, value });
            if self.eof || self.indent < col {
                break;
            }
            if self.indent > col {
                return None;
            }
            let (next, key) = self.block_scalar()?;
            if !key {
                return None;
            }
            raw = next;
        }
        let entries: Vec<Entry> = self.entries.drain(mark..).collect();
        let span = entries.first()?.key.span;
        Some(Node {
            value: Value::Map(entries),
            span,
        })
    }

    /// The value of a key of a block mapping at column `col`; the cursor is past the `:`.
    fn block_value(&mut self, col: usize, depth: usize) -> Option<Node> {
        let colon = self.pos - 1;
        let spaces = self.skip_spaces();
        let c = self.at(self.pos);
        if c != b'\n' && !(c == b'#' && spaces > 0) {
            return self.block_node(depth, Want::Leaf);
        }
        let null = self.span(colon, colon);
        self.next_line()?;
        if !self.eof {
            if self.indent > col {
                return self.block_node(depth, Want::Collection);
            }
            if self.indent == col && self.at_dash() {
                return self.block_seq(col, depth, true);
            }
        }
        self.empty(null)
    }

    /// A block sequence whose first `-` is at the cursor, at column `col`; `indentless`
    /// when it is the value of a key at the same column.
    fn block_seq(&mut self, col: usize, depth: usize, indentless: bool) -> Option<Node> {
        self.open(depth)?;
        let mark = self.items.len();
        let mut span = None;
        loop {
            let dash = self.pos;
            self.pos += 1;
            self.skip_spaces();
            // After `- `, a comment or nothing: the item is on the next lines, or empty.
            let empty = matches!(self.at(self.pos), b'\n' | b'#');
            let entry = if empty { self.line_end } else { self.pos };
            if span.is_none() {
                let at = if indentless { entry } else { dash };
                span = Some(self.span(at, at));
            }
            let item = if empty {
                let null = self.span(entry, entry);
                self.next_line()?;
                if !self.eof && self.indent > col {
                    self.block_node(depth + 1, Want::Collection)?
                } else {
                    self.empty(null)?
                }
            } else {
                self.block_node(depth + 1, Want::Any)?
            };
            self.items.push(item);
            if self.eof || self.indent < col {
                break;
            }
            if self.indent > col {
                return None;
            }
            if !self.at_dash() {
                if indentless {
                    break;
                }
                return None;
            }
        }
        let items: Vec<Node> = self.items.drain(mark..).collect();
        Some(Node {
            value: Value::Seq(items),
            span: span?,
        })
    }

    fn flow_node(&mut self, depth: usize) -> Option<Node> {
        match self.at(self.pos) {
            b'[' => self.flow_seq(depth),
            b'{' => self.flow_map(depth),
            _ => {
                let raw = self.flow_scalar()?;
                self.scalar(raw)
            }
        }
    }

    /// After an entry of a flow collection: `,` and another entry, or the closing bracket
    /// (true). A trailing comma is left to the general parser.
    fn flow_next(&mut self, close: u8) -> Option<bool> {
        self.skip_spaces();
        let c = self.at(self.pos);
        if c == close {
            self.pos += 1;
            return Some(true);
        }
        if c != b',' {
            return None;
        }
        self.pos += 1;
        self.skip_spaces();
        if self.at(self.pos) == close {
            return None;
        }
        Some(false)
    }

    fn flow_seq(&mut self, depth: usize) -> Option<Node> {
        self.open(depth)?;
        let span = self.span(self.pos, self.pos);
        self.pos += 1;
        self.skip_spaces();
        let mark = self.items.len();
        if self.at(self.pos) == b']' {
            self.pos += 1;
        } else {
            loop {
                let item = self.flow_node(depth + 1)?;
                self.items.push(item);
                if self.flow_next(b']')? {
                    break;
                }
            }
        }
        let items: Vec<Node> = self.items.drain(mark..).collect();
        Some(Node {
            value: Value::Seq(items),
            span,
        })
    }

    fn flow_map(&mut self, depth: usize) -> Option<Node> {
        self.open(depth)?;
        let open = self.span(self.pos, self.pos);
        self.pos += 1;
        self.skip_spaces();
        let mark = self.entries.len();
        let mut seen = None;
        if self.at(self.pos) == b'}' {
            self.pos += 1;
        } else {
            loop {
                let start = self.pos;
                let raw = self.flow_scalar()?;
                self.skip_spaces();
                let colon = self.pos;
                if self.at(colon) != b':' || !self.blank_at(colon + 1) || colon - start > MAX_KEY {
                    return None;
                }
                let key = self.key(raw, mark, &mut seen)?;
                self.pos += 1;
                self.skip_spaces();
                let value = if matches!(self.at(self.pos), b',' | b'}') {
                    self.empty(self.span(colon, colon))?
                } else {
                    self.flow_node(depth + 1)?
                };
                self.entries.push(Entry { key, value });
                if self.flow_next(b'}')? {
                    break;
                }
            }
        }
        let entries: Vec<Entry> = self.entries.drain(mark..).collect();
        let span = entries.first().map_or(open, |e| e.key.span);
        Some(Node {
            value: Value::Map(entries),
            span,
        })
    }
}
