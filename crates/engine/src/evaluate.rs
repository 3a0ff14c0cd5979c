//! Evaluating compiled rules over the facts: one CEL context per element, every rule
//! that targets the element's kind run against it.

use cel::{Context, Program, Value};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::Arc;
use threatwright_catalog::compile::Part;
use threatwright_catalog::{Catalog, CompiledRule};

/// Converts a JSON value into a CEL value.
pub fn to_cel(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::String(Arc::new(s.clone())),
        Json::Array(a) => Value::List(Arc::new(a.iter().map(to_cel).collect())),
        Json::Object(m) => {
            let map: HashMap<String, Value> =
                m.iter().map(|(k, v)| (k.clone(), to_cel(v))).collect();
            Value::from(map)
        }
    }
}

/// What one rule said about one element.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub fired: bool,
    pub evidence: Vec<String>,
    pub questions: Vec<String>,
}

/// An evaluation that failed at run time (a missing key, a type error): the rule is
/// broken for this element, and the failure is reported rather than read as false.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuleError {
    pub rule: String,
    pub element: String,
    pub message: String,
}

fn run_bool(p: &Program, ctx: &Context) -> Result<bool, String> {
    match p.execute(ctx) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!("expected true or false, got {other:?}")),
        Err(e) => Err(e.to_string()),
    }
}

fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::List(l) => l.iter().map(render).collect::<Vec<_>>().join(", "),
        Value::Null => "none".into(),
        other => format!("{other:?}"),
    }
}

/// `s` with its whitespace collapsed as [`collapse_whitespace`] does, reusing `s` when
/// there is nothing to collapse (plain ASCII text with single spaces between words).
pub fn collapse_whitespace_owned(s: String) -> String {
    let b = s.as_bytes();
    // Each test is a vectorised scan (evidence sentences run to hundreds of bytes).
    let plain = s.is_ascii()
        && b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && memchr::memchr3(b'\t', b'\n', b'\r', b).is_none()
        && memchr::memchr2(0x0b, 0x0c, b).is_none()
        && memchr::memmem::find(b, b"  ").is_none();
    if plain { s } else { collapse_whitespace(&s) }
}

/// The words of `s` joined by single spaces (`split_whitespace` then `join(" ")`).
pub fn collapse_whitespace(s: &str) -> String {
    if s.is_ascii() {
        // The same words, found bytewise (ASCII whitespace is `' '` and `\t`..=`\r`).
        let mut out = Vec::with_capacity(s.len());
        for w in s.as_bytes().split(|b| matches!(b, b' ' | b'\t'..=b'\r')) {
            if w.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(b' ');
            }
            out.extend_from_slice(w);
        }
        return String::from_utf8(out).unwrap_or_default();
    }
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Runs `rule` in `ctx` (which binds `s` and the element's variable).
pub fn evaluate(rule: &CompiledRule, ctx: &Context) -> Result<Outcome, String> {
    let fired = run_bool(&rule.condition, ctx).map_err(|e| format!("condition: {e}"))?;
    let mut evidence = Vec::new();
    let mut questions = Vec::new();
    if fired {
        for (when, parts) in &rule.evidence {
            if let Some(w) = when
                && !run_bool(w, ctx).map_err(|e| format!("evidence `when`: {e}"))?
            {
                continue;
            }
            let mut s = String::new();
            for p in parts {
                match p {
                    Part::Text(t) => s.push_str(t),
                    Part::Expr(e) => s.push_str(&render(
                        &e.execute(ctx).map_err(|e| format!("evidence: {e}"))?,
                    )),
                }
            }
            evidence.push(collapse_whitespace(&s));
        }
    }
    for (when, ask) in &rule.questions {
        let ask_it = match when {
            Some(w) => run_bool(w, ctx).map_err(|e| format!("question `when`: {e}"))?,
            None => fired,
        };
        if ask_it {
            questions.push(ask.clone());
        }
    }
    Ok(Outcome {
        fired,
        evidence,
        questions,
    })
}

/// A root context with the system facts bound; elements get child scopes.
pub fn root_context(system: &Json) -> Context<'static, 'static> {
    let mut ctx = Context::with_env(threatwright_catalog::compile::env());
    ctx.add_variable_from_value("s", to_cel(system));
    ctx
}

pub fn rules_for(catalog: &Catalog, target: threatwright_catalog::Target) -> Vec<&CompiledRule> {
    catalog
        .rules
        .iter()
        .filter(|r| {
            r.applies_to(target)
                && r.rule.status != Some(threatwright_catalog::types::RuleStatus::Deprecated)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn collapses_whitespace_like_split_whitespace() {
        for s in [
            "",
            "  a  b\t\nc \u{b}d\u{c}e\r ",
            "x",
            "plain words, one space",
            "two  spaces",
            " lead",
            "trail ",
            "  non\u{a0}ascii \u{2003} words\u{85}here ",
        ] {
            let want = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(super::collapse_whitespace(s), want, "{s:?}");
            assert_eq!(super::collapse_whitespace_owned(s.into()), want, "{s:?}");
        }
    }
}
