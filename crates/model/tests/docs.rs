//! `docs/model-format.md` carries a reference generated from the format's declarations;
//! this test fails when it is stale. `THREATWRIGHT_BLESS=1` rewrites it.

mod common;

const BEGIN: &str = "<!-- BEGIN GENERATED REFERENCE -->";
const END: &str = "<!-- END GENERATED REFERENCE -->";

#[test]
fn model_format_reference_is_current() {
    let path = common::repo_root().join("docs/model-format.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (head, rest) = text
        .split_once(BEGIN)
        .expect("docs/model-format.md lacks the BEGIN marker");
    let (current, tail) = rest
        .split_once(END)
        .expect("docs/model-format.md lacks the END marker");
    let wanted = format!("\n{}", threatwright_model::schema::reference_markdown());
    if current != wanted {
        if std::env::var_os("THREATWRIGHT_BLESS").is_some() {
            std::fs::write(&path, format!("{head}{BEGIN}{wanted}{END}{tail}")).unwrap();
            return;
        }
        panic!(
            "docs/model-format.md is stale: run `THREATWRIGHT_BLESS=1 cargo test -p threatwright-model --test docs` and commit the result"
        );
    }
}

#[test]
fn guide_mentions_every_top_level_section_and_kind() {
    let text = std::fs::read_to_string(common::repo_root().join("docs/model-format.md")).unwrap();
    let guide = text.split(BEGIN).next().unwrap();
    for key in threatwright_model::types::Document::KEYS {
        assert!(
            guide.contains(&format!("`{key}")),
            "the guide does not explain `{key}`"
        );
    }
    for kind in threatwright_model::types::ComponentKind::NAMES {
        assert!(
            guide.contains(&format!("`{kind}`")),
            "the guide does not mention kind `{kind}`"
        );
    }
}
