//! A native fast path in front of CEL. Most rules start with simple conjuncts (`f.x`,
//! `!c.y`, `c.kind == "llm"`, `"pii" in c.data_categories`, `has(c.attrs.z)`); when one
//! of them is plainly false on an element's facts, the rule cannot fire there and CEL
//! need not run. Anything not understood is left to CEL, and a missing fact never
//! short-circuits (CEL reports it as an error instead), so results are unchanged.

use cel::Program;
use cel::common::ast::{Expr, IdedExpr, LiteralValue};
use serde_json::Value as Json;

#[derive(Debug, Clone)]
enum Check {
    /// `v.path` is true (or false when `negated`).
    Truthy(Vec<String>, bool),
    /// `has(v.path)` (or its negation).
    Has(Vec<String>, bool),
    /// `v.path OP literal`.
    Cmp(Vec<String>, &'static str, Json),
    /// `literal in v.path` (or its negation).
    Contains(Vec<String>, Json, bool),
    /// `a || b || …`: may hold when any branch may.
    Any(Vec<Check>),
}

/// Conjuncts of one expression that can be checked natively.
#[derive(Debug, Clone, Default)]
pub struct Prefilter {
    var: String,
    checks: Vec<Check>,
}

impl Prefilter {
    /// The checks of `program`'s top-level conjuncts that read variable `var`.
    pub fn new(program: &Program, var: &str) -> Prefilter {
        let mut conjuncts = Vec::new();
        flatten_and(program.expression(), &mut conjuncts);
        let checks = conjuncts
            .into_iter()
            .filter_map(|e| check_of(e, var))
            .collect();
        Prefilter {
            var: var.to_owned(),
            checks,
        }
    }

    /// False only when some conjunct is definitely false on `facts`.
    pub fn may_hold(&self, facts: &Json) -> bool {
        self.checks
            .iter()
            .all(|c| check_may_hold(c, facts) != Some(false))
    }

    pub fn var(&self) -> &str {
        &self.var
    }
}

fn flatten_and<'e>(e: &'e IdedExpr, out: &mut Vec<&'e IdedExpr>) {
    if let Expr::Call(c) = &e.expr
        && c.func_name == "_&&_"
        && c.target.is_none()
    {
        for a in &c.args {
            flatten_and(a, out);
        }
        return;
    }
    out.push(e);
}

/// `var.a.b` as the path `[a, b]`.
fn path_of(e: &IdedExpr, var: &str) -> Option<Vec<String>> {
    let mut path = Vec::new();
    let mut cur = e;
    loop {
        match &cur.expr {
            Expr::Select(s) if !s.test => {
                path.push(s.field.clone());
                cur = &s.operand;
            }
            Expr::Ident(name) if name == var && !path.is_empty() => {
                path.reverse();
                return Some(path);
            }
            _ => return None,
        }
    }
}

fn literal(e: &IdedExpr) -> Option<Json> {
    match &e.expr {
        Expr::Literal(LiteralValue::String(s)) => Some(Json::String(s.inner().to_owned())),
        Expr::Literal(LiteralValue::Int(i)) => Some(Json::from(*i.inner())),
        Expr::Literal(LiteralValue::Boolean(b)) => Some(Json::Bool(*b.inner())),
        _ => None,
    }
}

fn check_of(e: &IdedExpr, var: &str) -> Option<Check> {
    match &e.expr {
        Expr::Select(s) if s.test => {
            let mut p = path_of(&s.operand, var)
                .or_else(|| matches!(&s.operand.expr, Expr::Ident(n) if n == var).then(Vec::new))?;
            p.push(s.field.clone());
            Some(Check::Has(p, false))
        }
        Expr::Select(_) => path_of(e, var).map(|p| Check::Truthy(p, false)),
        Expr::Call(c) if c.target.is_none() => match (c.func_name.as_str(), c.args.as_slice()) {
            ("!_", [inner]) => match check_of(inner, var)? {
                Check::Truthy(p, n) => Some(Check::Truthy(p, !n)),
                Check::Has(p, n) => Some(Check::Has(p, !n)),
                Check::Contains(p, l, n) => Some(Check::Contains(p, l, !n)),
                _ => None,
            },
            ("_||_", [a, b]) => {
                let mut branches = Vec::new();
                for side in [a, b] {
                    match check_of(side, var)? {
                        Check::Any(more) => branches.extend(more),
                        c => branches.push(c),
                    }
                }
                Some(Check::Any(branches))
            }
            (op @ ("_==_" | "_!=_" | "_>=_" | "_>_" | "_<=_" | "_<_"), [a, b]) => {
                let op: &'static str = match op {
                    "_==_" => "==",
                    "_!=_" => "!=",
                    "_>=_" => ">=",
                    "_>_" => ">",
                    "_<=_" => "<=",
                    _ => "<",
                };
                if let (Some(p), Some(l)) = (path_of(a, var), literal(b)) {
                    return Some(Check::Cmp(p, op, l));
                }
                let flipped = match op {
                    ">=" => "<=",
                    ">" => "<",
                    "<=" => ">=",
                    "<" => ">",
                    o => o,
                };
                Some(Check::Cmp(path_of(b, var)?, flipped, literal(a)?))
            }
            ("@in", [a, b]) => Some(Check::Contains(path_of(b, var)?, literal(a)?, false)),
            _ => None,
        },
        _ => None,
    }
}

fn lookup<'j>(facts: &'j Json, path: &[String]) -> Option<&'j Json> {
    path.iter().try_fold(facts, |v, k| v.get(k))
}

/// `Some(false)` when the check is definitely false; `None` when unknown.
fn check_may_hold(c: &Check, facts: &Json) -> Option<bool> {
    match c {
        Check::Has(p, negated) => {
            let (last, parent) = p.split_last()?;
            let parent = lookup(facts, parent)?.as_object()?;
            Some(parent.contains_key(last) != *negated)
        }
        Check::Truthy(p, negated) => lookup(facts, p)?.as_bool().map(|b| b != *negated),
        Check::Contains(p, lit, negated) => {
            Some(lookup(facts, p)?.as_array()?.contains(lit) != *negated)
        }
        Check::Any(branches) => {
            let mut unknown = false;
            for b in branches {
                match check_may_hold(b, facts) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown { None } else { Some(false) }
        }
        Check::Cmp(p, op, lit) => {
            let v = lookup(facts, p)?;
            match (v, lit) {
                (Json::Number(a), Json::Number(b)) => {
                    let (a, b) = (a.as_i64()?, b.as_i64()?);
                    Some(match *op {
                        "==" => a == b,
                        "!=" => a != b,
                        ">=" => a >= b,
                        ">" => a > b,
                        "<=" => a <= b,
                        _ => a < b,
                    })
                }
                (Json::String(a), Json::String(b)) => match *op {
                    "==" => Some(a == b),
                    "!=" => Some(a != b),
                    _ => None,
                },
                (Json::Bool(a), Json::Bool(b)) => match *op {
                    "==" => Some(a == b),
                    "!=" => Some(a != b),
                    _ => None,
                },
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pf(src: &str) -> Prefilter {
        Prefilter::new(
            &threatwright_catalog::compile::compile(src, &["c", "s", "f"]).unwrap(),
            "c",
        )
    }

    #[test]
    fn short_circuits_only_on_definite_falsehood() {
        let facts = json!({"kind": "llm", "exposed": false, "attrs": {"rate_limit": true}, "data_categories": ["pii"], "sensitivity": 2});
        assert!(!pf("c.exposed && c.kind == 'llm'").may_hold(&facts));
        assert!(pf("!c.exposed && c.kind == 'llm'").may_hold(&facts));
        assert!(!pf("!has(c.attrs.rate_limit)").may_hold(&facts));
        assert!(
            pf("has(c.attrs.rate_limit) && 'pii' in c.data_categories && c.sensitivity >= 2")
                .may_hold(&facts)
        );
        assert!(!pf("'phi' in c.data_categories").may_hold(&facts));
        assert!(!pf("2 < c.sensitivity").may_hold(&facts));
        // Unknown facts never short-circuit: CEL reports them.
        assert!(pf("c.nonexistent && c.kind == 'llm'").may_hold(&facts));
        assert!(pf("c.model.pinned == false").may_hold(&facts));
        // Disjunctions hold when any branch may; unknown branches never short-circuit.
        assert!(!pf("c.exposed || c.kind == 'x'").may_hold(&facts));
        assert!(pf("c.exposed || c.kind == 'llm'").may_hold(&facts));
        assert!(pf("c.exposed || c.unknown_fact").may_hold(&facts));
        assert!(pf("c.exposed || size(c.data_categories) > 0").may_hold(&facts));
        assert!(!pf("!('pii' in c.data_categories)").may_hold(&facts));
        assert!(pf("!('phi' in c.data_categories)").may_hold(&facts));
    }
}
