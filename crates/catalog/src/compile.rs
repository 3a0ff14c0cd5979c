//! Compiling rule expressions to CEL programs, once, under limits.
//!
//! CEL always terminates, but nothing in the interpreter bounds its cost, so we bound
//! it from outside: expression length, the number of comprehension macros (which is
//! what can multiply cost), and the size of every list a fact exposes (see the engine).

use cel::{Env, Program};
use std::sync::{Arc, OnceLock};

/// Longest accepted expression, in bytes.
pub const MAX_EXPRESSION_LEN: usize = 2000;
/// Most comprehension macros (`exists`, `all`, `map`, `filter`, `exists_one`) per expression.
pub const MAX_COMPREHENSIONS: usize = 4;
/// Deepest bracket nesting in an expression.
pub const MAX_NESTING: usize = 24;

/// The CEL environment rules run in: the standard library plus string and list helpers
/// (`join`, `lowerAscii`, …).
pub fn env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        let _ = env.add_extension(cel::extensions::strings);
        let _ = env.add_extension(cel::extensions::lists);
        Arc::new(env)
    })
    .clone()
}

/// Why an expression was refused; `offset` is a character offset into the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub message: String,
    pub offset: Option<usize>,
}

/// Compiles `source`, checking the limits and that it only uses `allowed` variables of
/// the four fact roots (`c`, `f`, `d`, `s`).
pub fn compile(source: &str, allowed: &[&str]) -> Result<Program, ExprError> {
    if source.len() > MAX_EXPRESSION_LEN {
        return Err(ExprError {
            message: format!(
                "the expression is {} bytes long; the limit is {MAX_EXPRESSION_LEN}",
                source.len()
            ),
            offset: None,
        });
    }
    let mut depth = 0usize;
    for (i, ch) in source.chars().enumerate() {
        match ch {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(ExprError {
                        message: format!("brackets are nested more than {MAX_NESTING} deep"),
                        offset: Some(i),
                    });
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let comprehensions = ["exists(", "all(", "map(", "filter(", "exists_one("]
        .iter()
        .map(|m| source.matches(&format!(".{m}")).count())
        .sum::<usize>();
    if comprehensions > MAX_COMPREHENSIONS {
        return Err(ExprError {
            message: format!(
                "{comprehensions} comprehensions (exists, all, map, filter); the limit is {MAX_COMPREHENSIONS}"
            ),
            offset: None,
        });
    }
    let program = env().compile(source).map_err(|e| {
        let first = e.errors.first();
        let offset = first.and_then(|p| {
            let (line, col) = p.pos;
            if line < 0 || col < 0 {
                return None;
            }
            let line_start: usize = source
                .split('\n')
                .take((line as usize).saturating_sub(1))
                .map(|l| l.chars().count() + 1)
                .sum();
            Some(line_start + col as usize)
        });
        ExprError {
            message: first.map_or_else(|| e.to_string(), |p| p.msg.clone()),
            offset,
        }
    })?;
    let refs = program.references();
    for root in ["c", "f", "d"] {
        if refs.has_variable(root) && !allowed.contains(&root) {
            let what = match root {
                "c" => "component facts `c` (add component kinds to `applies_to`)",
                "f" => "flow facts `f` (add `flow` to `applies_to`)",
                _ => "data facts `d` (add `data` to `applies_to`)",
            };
            return Err(ExprError {
                message: format!("uses {what}, which this rule's targets do not provide"),
                offset: source.find(&format!("{root}.")),
            });
        }
    }
    Ok(program)
}

/// A sentence with `{{ expr }}` holes.
#[derive(Debug)]
pub enum Part {
    Text(String),
    Expr(Program),
}

/// Compiles an evidence template.
pub fn compile_template(source: &str, allowed: &[&str]) -> Result<Vec<Part>, ExprError> {
    let mut parts = Vec::new();
    let mut rest = source;
    let mut consumed = 0;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            parts.push(Part::Text(rest[..open].to_owned()));
        }
        let Some(close) = rest[open..].find("}}") else {
            return Err(ExprError {
                message: "`{{` without a closing `}}`".into(),
                offset: Some(source[..consumed + open].chars().count()),
            });
        };
        let expr = &rest[open + 2..open + close];
        let program = compile(expr.trim(), allowed).map_err(|e| ExprError {
            message: format!("in `{{{{{}}}}}`: {}", expr.trim(), e.message),
            offset: Some(source[..consumed + open].chars().count()),
        })?;
        parts.push(Part::Expr(program));
        consumed += open + close + 2;
        rest = &rest[open + close + 2..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_variables() {
        assert!(compile("c.kind == 'llm'", &["c", "s"]).is_ok());
        assert!(
            compile("f.encrypted", &["c", "s"])
                .unwrap_err()
                .message
                .contains("flow facts")
        );
        let e = compile("c.kind == ", &["c"]).unwrap_err();
        assert!(e.offset.is_some(), "{e:?}");
        assert!(
            compile(&"(".repeat(30), &["c"])
                .unwrap_err()
                .message
                .contains("nested")
        );
        let many = "[1].exists(x, true) && ".repeat(5) + "true";
        assert!(
            compile(&many, &["c"])
                .unwrap_err()
                .message
                .contains("comprehensions")
        );
        assert!(compile(&"a".repeat(3000), &["c"]).is_err());
    }

    #[test]
    fn templates_split_into_text_and_expressions() {
        let t = compile_template(
            "reaches it from {{ c.untrusted_sources.join(', ') }}.",
            &["c"],
        )
        .unwrap();
        assert_eq!(t.len(), 3);
        assert!(compile_template("bad {{ c.x", &["c"]).is_err());
    }
}
