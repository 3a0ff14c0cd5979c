//! Differential tests of the fast path: wherever it returns a tree, the general parser must
//! return the same tree (spans and node count included) without a single diagnostic.

use super::{Base, Node, Value, fast, parse_events, split};
use crate::limits::Limits;
use crate::span::SourceMap;
use std::path::{Path, PathBuf};

/// Runs both parsers on `text`; panics when the fast path returns anything but what the
/// general parser does. Returns whether the fast path took the text.
fn agree(text: &str, base: Base, limits: &Limits) -> bool {
    let mut sources = SourceMap::default();
    let file = sources.add("t.yaml".into(), text.to_owned());
    let fast = std::panic::catch_unwind(|| fast::parse(text, base, file, limits))
        .unwrap_or_else(|_| panic!("the fast path panicked on {text:?}"));
    let Some((tree, count)) = fast else {
        return false;
    };
    let mut diags = Vec::new();
    let slow = parse_events(text, base, file, &sources, limits, &mut diags);
    assert!(
        diags.is_empty(),
        "the fast path took text the general parser reports: {text:?} {base:?} {limits:?}\n{diags:#?}"
    );
    let Some((slow_tree, slow_count)) = slow else {
        panic!("the fast path took text the general parser refuses: {text:?}");
    };
    if let Some(d) = first_difference(&tree, &slow_tree, "$") {
        panic!("fast and general trees differ on {text:?} {base:?}: {d}");
    }
    assert_eq!(count, slow_count, "node counts differ on {text:?}");
    true
}

/// Where two trees first differ, for a readable failure.
fn first_difference(fast: &Node, slow: &Node, path: &str) -> Option<String> {
    if fast.span != slow.span {
        return Some(format!("{path}: span {:?} vs {:?}", fast.span, slow.span));
    }
    match (&fast.value, &slow.value) {
        (Value::Seq(a), Value::Seq(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, &format!("{path}[{i}]"))),
        (Value::Map(a), Value::Map(b)) if a.len() == b.len() => {
            a.iter().zip(b).find_map(|(x, y)| {
                let p = format!("{path}.{}", x.key.value);
                if x.key != y.key {
                    return Some(format!("{p}: key {:?} vs {:?}", x.key, y.key));
                }
                first_difference(&x.value, &y.value, &p)
            })
        }
        (a, b) if a == b => None,
        (a, b) => Some(format!("{path}: {a:?}\n vs {b:?}")),
    }
}

fn shifted() -> Base {
    Base {
        offset: 1000,
        lines: 41,
        depth: 1,
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every YAML file under `dir`, sorted.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(read) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in read.flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                if name != "target" && name != ".git" {
                    todo.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Texts the fast path must take.
const ACCEPTED: &[&str] = &[
    "",
    "\n\n",
    "# only a comment\n",
    "  # indented comment\n\n# another",
    "a: b",
    "a: b\n",
    "key:  value  # c\n",
    "key  :  value\n",
    "\"quoted key\": 1\n'single': 2\n\"a\" : 3\n",
    "a: 'it''s'\nb: \"say \\\"hi\\\" \\\\ \\n \\t \\/ \\x41 \\u00e9 \\U0001F600\"\n",
    "a: ''\nb: \"\"\nc: '#'\nd: \"a: b\"\n",
    "- a\n- b\n",
    "-   x\n-  y  \n",
    "- - nested\n  - more\n- - a\n",
    "- - - deep\n",
    "key:\n- a\n- b\nnext: 1\n",
    "key:\n  - a\n  - b\n",
    "key:\n  nested: 1\n  other: [x, y]\nlast:\n",
    "key:\n",
    "key:",
    "a:\nb:   \nc:  # comment\n",
    "- a: 1\n  b: 2\n- c: 3\n",
    "- a:\n  - x\n  b: 1\n- y\n",
    "- a:\n    b: 1\n- c\n",
    "-\n  a: 1\n-\n- - b\n-   # comment\n",
    "-\n - b\n",
    "a:\n-\n- y\n",
    "a:\n-   # c\n  - z\n",
    "[]",
    "{}",
    "a: []\nb: {}\nc: [ ]\nd: { }\n",
    "[a, [b, c]]",
    "{a: {b: c}}",
    "a: [a, [b, c], {d: e}]\n",
    "- {a: 1}\n- { a: 1, b: [x, 'y', \"z\"] }\n",
    "a: {x: , y: 1}\n",
    "url: http://x:80/y\n",
    "a: x:y\nb: -1\nc: -x\nd: a-b\n",
    "a: b, c\nd: e]\nf: g{h}\n",
    "a: b#c\n",
    "a#b: c\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne: 'null'\n",
    "~: a\n",
    "é: ü x\nab: [é, \"ü\"]\n日本: 語 # c\n",
    "emoji: 😀 😀\nlist: [😀, é, \"😀\"]\n",
    "a: true\nb: 1.5\nc: 0x1F\n",
    "a: x  \nb: 'y'  \n",
    "  a: 1\n  b: 2\n",
    "  - a\n  # between\n  - b\n",
    "scalar",
    "'quoted root'",
    "a: --- x\nb: ... y\nc:\n- ---\n",
    "threatwright: 1\nsystem: { id: s, name: S }\ncomponents:\n  - { id: c1, kind: llm }\n  - id: c2\n    kind: service\n    tags: [a, b]\n",
];

/// Texts outside the subset, or wrong: the fast path must give up (and the general parser
/// reports or handles them).
const REFUSED: &[&str] = &[
    "a: b: c\n",
    "- a: b: c\n",
    "a: &x 1\nb: *x\n",
    "a: !tag x\n",
    "a: |\n  text\n",
    "a: >\n  text\n",
    "a: b\n  continued\n",
    "a: 'multi\n  line'\n",
    "a: [x,\n  y]\n",
    "a:\tb\n",
    "a: b\r\n",
    "? complex\n: key\n",
    "<<: {a: 1}\n",
    "a: 1\na: 2\n",
    "{a: 1, a: 2}",
    "---\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n...\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: [b, ]\n",
    "a: [b: c]\n",
    "a: {b}\n",
    "a: \"\\q\"\n",
    "a: \"\\ud83d\\ude00\"\n",
    "key: - a\n",
    "key:\n  - a\n  b: 1\n",
    "- a\n  b\n",
    "a: 1\n  b: 2\n",
    "\u{feff}a: 1\n",
    "a: \u{85}\n",
    "[a] : b\n",
    "a: \"x\"y\n",
    "a: [x]y\n",
    "a:\n  scalar on the next line\n",
];

#[test]
fn hand_written_cases_agree() {
    for text in ACCEPTED {
        assert!(
            agree(text, Base::default(), &Limits::default()),
            "the fast path gave up on {text:?}"
        );
        assert!(agree(text, shifted(), &Limits::default()), "{text:?}");
    }
    for text in REFUSED {
        assert!(
            !agree(text, Base::default(), &Limits::default()),
            "the fast path took {text:?}"
        );
    }
}

#[test]
fn limits_make_the_fast_path_give_up() {
    let text = "a: [1, 2, 3]\nb:\n  c: {d: [e]}\n";
    assert!(agree(text, Base::default(), &Limits::default()));
    // The text has 13 nodes.
    assert!(!agree(
        text,
        Base::default(),
        &Limits {
            max_nodes: 12,
            ..Limits::default()
        }
    ));
    assert!(agree(
        text,
        Base::default(),
        &Limits {
            max_nodes: 13,
            ..Limits::default()
        }
    ));
    for n in 0..13 {
        let nodes = Limits {
            max_nodes: n,
            ..Limits::default()
        };
        assert!(!agree(text, Base::default(), &nodes), "max_nodes {n}");
    }
    for d in 0..8 {
        let depth = Limits {
            max_depth: d,
            ..Limits::default()
        };
        agree(text, Base::default(), &depth);
        agree(text, shifted(), &depth);
    }
    let scalar = Limits {
        max_scalar: 3,
        ..Limits::default()
    };
    assert!(!agree("a: abcd\n", Base::default(), &scalar));
    assert!(!agree("abcd: a\n", Base::default(), &scalar));
    assert!(agree("abc: 'abc'\n", Base::default(), &scalar));
    // Implicit keys are at most 1024 characters long.
    for n in [990, 1000, 1001, 1024, 1025, 1100] {
        let key = "k".repeat(n);
        agree(&format!("{key}: v\n"), Base::default(), &Limits::default());
        agree(
            &format!("- {{{key}: v}}\n"),
            Base::default(),
            &Limits::default(),
        );
        agree(
            &format!("a: {key}\n- {key}\n"),
            Base::default(),
            &Limits::default(),
        );
    }
}

/// Files written by people and by the generator: examples, the catalog (whose rules embed
/// test models), test fixtures, templates, and the YAML in the docs.
#[test]
fn repository_files_agree() {
    let root = repo();
    let mut must = 0;
    for p in yaml_files(&root.join("examples"))
        .into_iter()
        .chain(yaml_files(&root.join("crates/cli/templates")))
    {
        assert!(
            agree(&read(&p), Base::default(), &Limits::default()),
            "the fast path gave up on {}",
            p.display()
        );
        must += 1;
    }
    assert!(must >= 6, "examples not found under {}", root.display());

    // (taken, all) for catalog files, other files and the models the catalog embeds, and
    // how many of the catalog files given up on hold block scalars (`>` or `|`).
    let (mut catalog, mut other, mut embedded, mut block_scalars) = ((0, 0), (0, 0), (0, 0), 0);
    let tally = |hit: bool, t: &mut (usize, usize)| {
        t.0 += usize::from(hit);
        t.1 += 1;
    };
    for p in yaml_files(&root) {
        let text = read(&p);
        let hit = agree(&text, Base::default(), &Limits::default());
        if p.starts_with(root.join("catalog")) {
            tally(hit, &mut catalog);
            let block = |l: &str| {
                let l = l.trim_end();
                [": |", ": >", ": |-", ": >-", ": |+", ": >+", "- |", "- >"]
                    .iter()
                    .any(|e| l.ends_with(e))
            };
            block_scalars += usize::from(!hit && text.lines().any(block));
        } else {
            tally(hit, &mut other);
            if !hit {
                eprintln!("gave up on {}", p.display());
            }
        }
        let mut sources = SourceMap::default();
        let f = sources.add(p.clone(), text.clone());
        let mut d = Vec::new();
        if let Some(node) = super::parse(&text, f, &sources, &Limits::default(), &mut d) {
            let mut models = Vec::new();
            embedded_models(&node, &mut models);
            for m in models {
                tally(
                    agree(&m, Base::default(), &Limits::default()),
                    &mut embedded,
                );
            }
        }
    }
    let mut docs = (0, 0);
    for p in [root.join("README.md"), root.join("docs/model-format.md")] {
        for block in read(&p).split("```yaml\n").skip(1) {
            let block = block.split("```").next().unwrap_or_default();
            tally(agree(block, Base::default(), &Limits::default()), &mut docs);
        }
    }
    eprintln!(
        "fast path took {}/{} catalog files ({block_scalars} of the others hold block scalars), \
         {}/{} other YAML files, {}/{} models embedded in the catalog, {}/{} YAML blocks in docs",
        catalog.0, catalog.1, other.0, other.1, embedded.0, embedded.1, docs.0, docs.1
    );
    assert!(embedded.1 > 100 && embedded.0 * 10 >= embedded.1 * 9);
    assert!(docs.1 > 10 && docs.0 * 10 >= docs.1 * 8);
}

/// Real files, damaged: indentation moved, lines swapped, indicators dropped in.
#[test]
fn mutated_examples_agree() {
    let mut r = Rng(0x6578_616d_706c_6573);
    let (mut taken, mut cases) = (0, 0);
    for p in yaml_files(&repo().join("examples")) {
        let text = read(&p);
        for _ in 0..40 {
            let mut t = text.clone();
            mutate(&mut r, &mut t);
            taken += usize::from(agree(&t, Base::default(), &Limits::default()));
            cases += 1;
        }
    }
    eprintln!("fast path took {taken}/{cases} mutated examples");
    assert!(cases >= 200 && taken > 0);
}

/// The text of every `model:` scalar in the tree (rules embed test models so).
fn embedded_models(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Map(m) => {
            for e in m {
                match &e.value.value {
                    Value::Scalar { text, .. } if e.key.value == "model" => out.push(text.clone()),
                    _ => embedded_models(&e.value, out),
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| embedded_models(n, out)),
        _ => {}
    }
}

/// A large model in the generator's style, with some hand-written-style items mixed in.
fn generated_model(components: usize, flows: usize) -> String {
    use std::fmt::Write;
    let mut s = String::from(
        "threatwright: 1\nsystem: { id: synthetic, name: Synthetic, criticality: high }\nzones:\n",
    );
    for (z, t) in [
        ("internet", "untrusted"),
        ("corp", "internal"),
        ("vault", "restricted"),
    ] {
        let _ = writeln!(s, "  - {{ id: {z}, trust: {t} }}");
    }
    s.push_str("data:\n");
    for i in 0..50 {
        let _ = writeln!(
            s,
            "  - {{ id: data-{i}, classification: internal, categories: [pii, logs] }}"
        );
    }
    s.push_str("components:\n");
    for i in 0..components {
        if i % 10 == 0 {
            let _ = write!(
                s,
                "  - id: svc-{i}\n    kind: service\n    zone: corp\n    description: \"Service {i}: handles é, #tags and [brackets]\"\n    stores:\n      - data-{}\n    attrs: {{ port: 80{}, url: 'http://h:80/p' }}\n  # a comment\n\n",
                i % 50,
                i % 10
            );
        } else {
            let _ = writeln!(
                s,
                "  - {{ id: c-{i}, kind: llm, zone: corp, stores: [data-{}] }}",
                i % 50
            );
        }
    }
    s.push_str("flows:\n");
    for i in 0..flows {
        let _ = writeln!(
            s,
            "  - {{ from: c-{}, to: c-{}, sends: [data-{}], encrypted: {} }}",
            i % components,
            (i * 7) % components,
            i % 50,
            i % 2 == 0
        );
    }
    s
}

#[test]
fn a_generated_model_agrees_whole_and_in_pieces() {
    let text = generated_model(2000, 6000);
    assert!(agree(&text, Base::default(), &Limits::default()));
    let mut sources = SourceMap::default();
    let f = sources.add("g.yaml".into(), text.clone());
    let mut d = Vec::new();
    let (whole, _) = parse_events(
        &text,
        Base::default(),
        f,
        &sources,
        &Limits::default(),
        &mut d,
    )
    .unwrap();
    for threads in [2, 3] {
        let pieces = split::parse_split(&text, f, &sources, &Limits::default(), threads);
        assert_eq!(pieces.as_ref(), Some(&whole), "{threads} threads");
    }
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// Scalars the fast path takes, and scalars it must give up on or get exactly right.
const PLAIN: &[&str] = &[
    "a",
    "id",
    "hello world",
    "1",
    "-1",
    "3.5",
    "true",
    "null",
    "~",
    "é",
    "日本語",
    "😀",
    "http://x:80/y",
    "x:y",
    "a, b",
    "a]",
    "a}",
    "a[0]",
    "a#b",
    "-x",
    "x  ",
    "a,b",
    "<<",
    "a\u{a0}b",
    "a'b",
    "a\"b",
    "{x}z",
    "[y]z",
    "--- x",
    "a-b",
    "a?b",
    "a!b",
    "a&b",
    "a*b",
];
const HOSTILE: &[&str] = &[
    "a #b",
    "a: b",
    "a:",
    "- x",
    "-",
    "? x",
    ":x",
    "&a x",
    "*a",
    "!t x",
    "|",
    ">",
    "%x",
    "@x",
    "`x",
    "---",
    "...",
    "a\tb",
    "a\rb",
    "{x}",
    "[y]",
    "\u{2028}",
    "\u{85}",
    "\u{feff}x",
    "\u{1}",
];
const QUOTED: &[&str] = &[
    "'s'",
    "'it''s'",
    "''",
    "\"d\"",
    "\"\"",
    "\"a\\\"b\"",
    "\"\\\\\"",
    "\"\\n\\t\\/\\0\"",
    "\"\\x41\\u00e9\\U0001F600\"",
    "\"\\N\\_\\L\\P\"",
    "\"a: b\"",
    "'a #b'",
    "\"é\"",
    "'\"'",
    "\"'\"",
    "\"\\x01\"",
    "\"\\e\\a\\b\\v\\f\\r\\ \"",
    "' x '",
    "\"<<\"",
];
const HOSTILE_QUOTED: &[&str] = &[
    "\"\\ud83d\\ude00\"",
    "\"\\q\"",
    "\"\\x4\"",
    "\"unclosed",
    "'unclosed",
    "\"a\\\"",
    "\"\\U00110000\"",
    "\"\\udc00\"",
    "'a'b",
    "\"a\"#c",
];
const KEYS: &[&str] = &[
    "id",
    "a",
    "b",
    "name",
    "key with space",
    "é",
    "k-1",
    "a[0]",
    "a,b",
    "null",
    "~",
    "\"q\"",
    "'s'",
    "\"a b\"",
    "a#b",
    "http://x",
    "-k",
    "1",
    "a ",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
];
const HOSTILE_KEYS: &[&str] = &[
    "<<", "\"<<\"", "? a", "[a]", "{a: b}", "&a k", "!t k", "a: b",
];
const COMMENTS: &[&str] = &[
    "",
    "",
    "",
    "",
    "",
    "",
    " # c",
    "  #c",
    " #",
    " # é: [x",
    "#c",
];

/// A scalar; in a flow collection, mostly one without flow indicators.
fn scalar(r: &mut Rng, in_flow: bool) -> String {
    match r.below(100) {
        0..=61 => {
            let mut s = r.pick(PLAIN);
            while in_flow && s.contains([',', '[', ']', '{', '}']) && r.chance(80) {
                s = r.pick(PLAIN);
            }
            s.to_string()
        }
        62..=89 => r.pick(QUOTED).to_string(),
        90..=94 => "x".repeat(r.below(1200)),
        95..=97 => r.pick(HOSTILE).to_string(),
        _ if r.chance(50) => r.pick(HOSTILE_QUOTED).to_string(),
        _ => r.pick(PLAIN).to_string(),
    }
}

/// A key; most plain ones are numbered so that duplicates are not too common.
fn key(r: &mut Rng) -> String {
    if r.chance(3) {
        return r.pick(HOSTILE_KEYS).to_string();
    }
    let k = r.pick(KEYS);
    if k.starts_with(['"', '\'']) || r.chance(30) {
        k.to_string()
    } else {
        format!("{k}{}", r.below(1000))
    }
}

fn flow(r: &mut Rng, depth: usize) -> String {
    let n = r.below(4);
    let seq = r.chance(50);
    let mut s = String::from(if seq { "[" } else { "{" });
    s.push_str(&" ".repeat(r.below(2)));
    for i in 0..n {
        if i > 0 {
            s.push_str(r.pick(&[", ", ",", " , ", ",  "]));
        }
        if !seq {
            s.push_str(&key(r));
            s.push_str(r.pick(&[": ", ":  ", " : ", ":"]));
        }
        if depth < 3 && r.chance(25) {
            s.push_str(&flow(r, depth + 1));
        } else if !seq && r.chance(10) {
            // An empty value.
        } else {
            s.push_str(&scalar(r, true));
        }
    }
    if r.chance(3) {
        s.push(',');
    }
    s.push_str(&" ".repeat(r.below(2)));
    s.push_str(if seq { "]" } else { "}" });
    s
}

/// A value on the line after `key:` or `- ` (empty when it goes on the next lines).
fn inline(r: &mut Rng) -> String {
    match r.below(10) {
        0..=5 => scalar(r, false),
        6..=8 => flow(r, 0),
        _ => String::new(),
    }
}

fn line_end(r: &mut Rng, out: &mut String) {
    out.push_str(&" ".repeat(if r.chance(10) { r.below(3) } else { 0 }));
    out.push_str(r.pick(COMMENTS));
    out.push('\n');
    if r.chance(8) {
        out.push_str(&" ".repeat(r.below(6)));
        if r.chance(50) {
            out.push_str("# between");
        }
        out.push('\n');
    }
}

fn block_map(r: &mut Rng, out: &mut String, indent: usize, depth: usize, first_inline: bool) {
    let keys = 1 + r.below(4);
    for k in 0..keys {
        if k > 0 || !first_inline {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&key(r));
        out.push(':');
        let value = inline(r);
        if value.is_empty() {
            line_end(r, out);
            if depth < 5 && r.chance(70) {
                block(r, out, indent, depth + 1, true);
            }
        } else {
            out.push_str(&" ".repeat(1 + r.below(2)));
            out.push_str(&value);
            line_end(r, out);
        }
    }
}

fn block_seq(r: &mut Rng, out: &mut String, indent: usize, depth: usize, first_inline: bool) {
    let items = 1 + r.below(4);
    for i in 0..items {
        if i > 0 || !first_inline {
            out.push_str(&" ".repeat(indent));
        }
        out.push('-');
        let pad = 1 + r.below(3);
        match r.below(10) {
            0..=3 => {
                let v = inline(r);
                if !v.is_empty() {
                    out.push_str(&" ".repeat(pad));
                }
                out.push_str(&v);
                line_end(r, out);
            }
            4..=6 if depth < 5 => {
                out.push_str(&" ".repeat(pad));
                block_map(r, out, indent + 1 + pad, depth + 1, true);
            }
            7 if depth < 5 => {
                out.push_str(&" ".repeat(pad));
                block_seq(r, out, indent + 1 + pad, depth + 1, true);
            }
            _ => {
                line_end(r, out);
                if depth < 5 && r.chance(50) {
                    block(r, out, indent, depth + 1, false);
                }
            }
        }
    }
}

/// A nested block after `key:` or `-`; `same` allows a sequence at the parent's indentation.
fn block(r: &mut Rng, out: &mut String, parent: usize, depth: usize, same: bool) {
    let indent = if same && r.chance(30) {
        parent
    } else {
        parent + 1 + r.below(3)
    };
    if indent == parent || r.chance(40) {
        block_seq(r, out, indent, depth, false);
    } else {
        block_map(r, out, indent, depth, false);
    }
}

fn document(r: &mut Rng) -> String {
    let mut out = String::new();
    if r.chance(10) {
        out.push_str("# header\n\n");
    }
    let indent = if r.chance(10) { 2 } else { 0 };
    match r.below(10) {
        0..=5 => block_map(r, &mut out, indent, 0, false),
        6..=7 => block_seq(r, &mut out, indent, 0, false),
        8 => out.push_str(&flow(r, 0)),
        _ => out.push_str(&scalar(r, false)),
    }
    if r.chance(20) {
        out.pop();
    }
    out
}

/// Small random edits: characters YAML cares about, changed indentation, moved lines.
fn mutate(r: &mut Rng, text: &mut String) {
    const BITS: &[&str] = &[
        " ", ":", "-", "#", "[", "]", "{", "}", ",", "'", "\"", "\n", "\\", "&a ", "*a", "!x ",
        "|", ">", "? ", "---\n", "\t", "\r", "é", "  ", "- ", ": ", "~",
    ];
    for _ in 0..1 + r.below(3) {
        let mut at = r.below(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        match r.below(4) {
            0 => text.insert_str(at, r.pick(BITS)),
            1 => {
                if let Some(c) = text[at..].chars().next() {
                    text.replace_range(at..at + c.len_utf8(), "");
                }
            }
            2 => {
                let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                if r.chance(50) {
                    text.insert(start, ' ');
                } else if text[start..].starts_with(' ') {
                    text.remove(start);
                }
            }
            _ => {
                let lines: Vec<&str> = text.split_inclusive('\n').collect();
                if lines.len() > 1 {
                    let mut lines: Vec<String> = lines.into_iter().map(String::from).collect();
                    let i = r.below(lines.len());
                    let j = r.below(lines.len());
                    lines.swap(i, j);
                    *text = lines.concat();
                }
            }
        }
    }
}

#[test]
fn random_documents_agree() {
    // FAST_YAML_CASES and FAST_YAML_SEED run a longer or another search.
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let mut r = Rng(env("FAST_YAML_SEED").unwrap_or(0x7417_2e57_0000_0001));
    let (mut taken, mut clean_taken, mut clean) = (0usize, 0usize, 0usize);
    let cases = env("FAST_YAML_CASES").map_or(25_000, |n| n as usize);
    for _ in 0..cases {
        let mut text = document(&mut r);
        let mutated = r.chance(40);
        if mutated {
            mutate(&mut r, &mut text);
        }
        let limits = match r.below(10) {
            0 => Limits {
                max_depth: r.below(8),
                ..Limits::default()
            },
            1 => Limits {
                max_nodes: r.below(40),
                ..Limits::default()
            },
            2 => Limits {
                max_scalar: r.below(12),
                ..Limits::default()
            },
            _ => Limits::default(),
        };
        let base = if r.chance(30) {
            Base {
                offset: r.below(5000),
                lines: r.below(100) as u32,
                depth: r.below(3),
            }
        } else {
            Base::default()
        };
        let hit = agree(&text, base, &limits);
        taken += usize::from(hit);
        if !mutated {
            clean += 1;
            clean_taken += usize::from(hit);
        }
    }
    eprintln!("fast path took {taken}/{cases} random documents ({clean_taken}/{clean} unmutated)");
    // The generator mixes in hostile scalars often; still, a good share must be taken.
    assert!(taken * 5 >= cases, "{taken}/{cases}");
}
