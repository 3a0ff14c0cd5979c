//! "Did you mean …": the closest known name to what the user typed.

/// The candidate closest to `typed`, if it is close enough to be a likely typo.
pub fn closest<'a, I>(typed: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let typed_l = typed.to_ascii_lowercase().replace('_', "-");
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let cl = c.to_ascii_lowercase().replace('_', "-");
        let d = strsim::damerau_levenshtein(&typed_l, &cl);
        let allowed = (cl.chars().count().max(typed_l.chars().count()) / 3).clamp(1, 3);
        let prefix = cl.len() >= 4
            && (typed_l.starts_with(&cl) || cl.starts_with(&typed_l))
            && typed_l.len() >= 3;
        if (d <= allowed || prefix) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A ready-made help sentence: "did you mean `x`?".
pub fn did_you_mean<'a, I>(typed: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(typed, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_ignores_strangers() {
        let keys = ["classification", "categories", "provenance", "integrity"];
        assert_eq!(closest("clasification", keys), Some("classification"));
        assert_eq!(closest("provenence", keys), Some("provenance"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(
            closest("vector_store", ["vector-store", "object-store"]),
            Some("vector-store")
        );
        assert_eq!(closest("llm", ["llm", "tool"]), Some("llm"));
    }
}
