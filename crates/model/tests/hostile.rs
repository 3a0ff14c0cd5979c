//! Hostile input: each must end in a clear diagnostic, never a panic, a hang or a
//! blow-up. (How fast is measured in the issue notes with the release binary, not here.)

mod common;

use threatwright_model::{Code, Limits, load_path, load_str};

fn first_code(text: &str, limits: &Limits) -> Code {
    let loaded = load_str("hostile.yaml", text, limits);
    assert!(loaded.has_errors(), "accepted: {}", common::plain(&loaded));
    loaded.diagnostics[0].code
}

fn billion_laughs() -> String {
    let mut s = String::from("threatwright: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9u8 {
        let (p, c) = ((b'a' + i) as char, (b'b' + i) as char);
        s.push_str(&format!(
            "{c}: &{c} [{}]\n",
            vec![format!("*{p}"); 10].join(", ")
        ));
    }
    s
}

#[test]
fn alias_bomb_hits_the_alias_budget() {
    assert_eq!(
        first_code(&billion_laughs(), &Limits::default()),
        Code::TooManyNodes
    );
}

#[test]
fn node_limit_applies_without_aliases() {
    let text = format!("threatwright: 1\nx: [{}]\n", vec!["1"; 2000].join(", "));
    let limits = Limits {
        max_nodes: 1000,
        ..Limits::default()
    };
    assert_eq!(first_code(&text, &limits), Code::TooManyNodes);
}

#[test]
fn ten_thousand_deep_flow_nesting() {
    let text = format!(
        "threatwright: 1\nx: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(first_code(&text, &Limits::default()), Code::NestingTooDeep);
    let text = format!("threatwright: 1\nx: {}\n", "{a: ".repeat(10_000));
    assert_eq!(first_code(&text, &Limits::default()), Code::NestingTooDeep);
}

#[test]
fn ten_thousand_deep_block_nesting() {
    let text = format!("threatwright: 1\nx:\n  {}a\n", "- ".repeat(10_000));
    assert_eq!(first_code(&text, &Limits::default()), Code::NestingTooDeep);
    let mut block = String::from("threatwright: 1\n");
    for i in 0..10_000 {
        block.push_str(&" ".repeat(i % 1000));
        block.push_str("k:\n");
    }
    assert_eq!(first_code(&block, &Limits::default()), Code::NestingTooDeep);
}

#[test]
fn huge_single_line_scalar_is_refused_before_parsing() {
    let text = format!(
        "threatwright: 1\nsystem: {{ id: x, description: \"{}\" }}\n",
        "a".repeat(7 * 1024 * 1024)
    );
    let loaded = load_str("hostile.yaml", &text, &Limits::default());
    assert_eq!(loaded.diagnostics[0].code, Code::ScalarTooLarge);
    assert_eq!(loaded.diagnostics[0].span.unwrap().line, 2);
}

#[test]
fn huge_block_scalar_is_refused() {
    let body = format!("    {}\n", "b".repeat(70)).repeat(10_000);
    let text = format!("threatwright: 1\nsystem:\n  id: x\n  description: |\n{body}");
    assert_eq!(first_code(&text, &Limits::default()), Code::ScalarTooLarge);
}

#[test]
fn long_comments_are_not_scalars() {
    let text = format!("# {}\nthreatwright: 1\n", "x".repeat(4 * 1024 * 1024));
    let loaded = load_str("c.yaml", &text, &Limits::default());
    assert!(!loaded.has_errors(), "{}", common::plain(&loaded));
}

#[test]
fn file_over_the_size_limit_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.yaml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(200 * 1024 * 1024).unwrap(); // sparse: 200 MB stated, nothing written
    let loaded = load_path(&path, &Limits::default()).unwrap();
    assert_eq!(loaded.diagnostics.len(), 1);
    assert_eq!(loaded.diagnostics[0].code, Code::FileTooLarge);
    assert!(
        loaded.diagnostics[0].message.contains("209715200 bytes"),
        "{}",
        loaded.diagnostics[0].message
    );
}

#[test]
fn limits_can_be_raised() {
    let text = format!(
        "threatwright: 1\nx: {}{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    assert_eq!(first_code(&text, &Limits::default()), Code::NestingTooDeep);
    let loaded = load_str(
        "deep.yaml",
        &text,
        &Limits {
            max_depth: 200,
            ..Limits::default()
        },
    );
    assert_eq!(
        loaded.diagnostics[0].code,
        Code::UnknownKey,
        "{}",
        common::plain(&loaded)
    );
}

#[test]
fn binary_and_odd_text_does_not_panic() {
    for text in [
        "\u{feff}threatwright: 1\n",
        "\0\0\0",
        "{",
        "]",
        "- - -",
        "? [a]\n: b\n",
        "*x",
        "&a a: *a",
        "!!binary ab",
        "\t- x",
        "a: 'b\n",
        "%YAML 1.1\n---\na: b",
    ] {
        let _ = load_str("odd.yaml", text, &Limits::default());
    }
}

#[test]
fn invalid_utf8_is_reported_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.yaml");
    std::fs::write(
        &path,
        b"threatwright: 1\nsystem: { id: x, name: caf\xe9 }\n",
    )
    .unwrap();
    let loaded = load_path(&path, &Limits::default()).unwrap();
    assert_eq!(loaded.diagnostics[0].code, Code::Syntax);
    assert_eq!(loaded.diagnostics[0].span.unwrap().line, 2);
}
