//! Native evaluation of rule expressions, in front of CEL.
//!
//! Every rule expression is compiled once more, from CEL's own syntax tree, into a small
//! tree of native operations over the facts structs themselves (`c.field` is read from
//! the struct on demand, nothing is converted). The subset covered is what the catalog
//! uses: logic, comparisons, membership, `has`, `size`, `join`, `lowerAscii`, `matches`,
//! list and map literals, `+`, indexing and the `exists`/`all`/`filter`/`map` macros.
//!
//! The native result is only used when it is certain to equal CEL's: every run-time case
//! CEL might treat differently (any error, a missing key, a type mismatch, a float, an
//! unknown function or variable) makes the native run give up ([`Fail`]), and the caller
//! then evaluates the rule with CEL exactly as before. So results, error messages
//! included, do not change; CEL only runs where the native subset does not reach.

use crate::facts::{ComponentFacts, DataFacts, FlowFacts, SystemFacts};
use cel::Program;
use cel::common::ast::{ComprehensionExpr, EntryExpr, Expr, IdedExpr, LiteralValue};
use serde_json::{Map, Value as Json};
use std::rc::Rc;
use std::sync::atomic::{AtomicU8, Ordering};
use threatwright_catalog::CompiledRule;
use threatwright_catalog::compile::Part;

/// The native run cannot decide; CEL must evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fail;

type R<T> = Result<T, Fail>;

/// How rules are evaluated (for tests and comparisons; the default is [`Mode::On`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Native first, CEL where the native run gives up.
    On,
    /// CEL only, as before native evaluation existed.
    Off,
    /// Both, asserting that every native result equals CEL's (slow; for tests).
    Check,
}

static MODE: AtomicU8 = AtomicU8::new(u8::MAX);

/// Sets the evaluation mode for the whole process (overrides `THREATWRIGHT_NATIVE`).
pub fn set_mode(m: Mode) {
    MODE.store(m as u8, Ordering::Relaxed);
}

/// The evaluation mode: [`set_mode`], else `THREATWRIGHT_NATIVE=off|check`, else on.
pub fn mode() -> Mode {
    let m = match MODE.load(Ordering::Relaxed) {
        0 => Mode::On,
        1 => Mode::Off,
        2 => Mode::Check,
        _ => match std::env::var("THREATWRIGHT_NATIVE").as_deref() {
            Ok("off") => Mode::Off,
            Ok("check") => Mode::Check,
            _ => Mode::On,
        },
    };
    MODE.store(m as u8, Ordering::Relaxed);
    m
}

// ---------------------------------------------------------------------------------------
// Values

/// A literal of the expression.
#[derive(Debug, Clone)]
pub enum Lit {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
}

impl Lit {
    fn val(&self) -> V<'_> {
        match self {
            Lit::Null => V::Null,
            Lit::Bool(b) => V::Bool(*b),
            Lit::Int(i) => V::Int(*i),
            Lit::Str(s) => V::Str(s),
        }
    }
}

/// A value during native evaluation, borrowing from the facts and the program.
#[derive(Debug, Clone)]
pub enum V<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Str(&'a str),
    OwnedStr(Rc<str>),
    List(L<'a>),
    Map(M<'a>),
}

#[derive(Debug, Clone)]
pub enum L<'a> {
    Strings(&'a [String]),
    Statics(&'a [&'static str]),
    Json(&'a [Json]),
    Owned(Rc<Vec<V<'a>>>),
}

#[derive(Debug, Clone, Copy)]
pub enum M<'a> {
    Json(&'a Map<String, Json>),
    Lit(&'a [(String, Lit)]),
}

impl<'a> V<'a> {
    fn from_json(j: &'a Json) -> R<V<'a>> {
        Ok(match j {
            Json::Null => V::Null,
            Json::Bool(b) => V::Bool(*b),
            Json::Number(n) => V::Int(n.as_i64().ok_or(Fail)?),
            Json::String(s) => V::Str(s),
            Json::Array(a) => V::List(L::Json(a)),
            Json::Object(m) => V::Map(M::Json(m)),
        })
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            V::Str(s) => Some(s),
            V::OwnedStr(s) => Some(s),
            _ => None,
        }
    }

    fn as_bool(&self) -> R<bool> {
        match self {
            V::Bool(b) => Ok(*b),
            _ => Err(Fail),
        }
    }
}

impl<'a> L<'a> {
    fn len(&self) -> usize {
        match self {
            L::Strings(s) => s.len(),
            L::Statics(s) => s.len(),
            L::Json(s) => s.len(),
            L::Owned(s) => s.len(),
        }
    }

    fn get(&self, i: usize) -> R<V<'a>> {
        match self {
            L::Strings(s) => Ok(V::Str(&s[i])),
            L::Statics(s) => Ok(V::Str(s[i])),
            L::Json(s) => V::from_json(&s[i]),
            L::Owned(s) => Ok(s[i].clone()),
        }
    }
}

impl<'a> M<'a> {
    fn len(&self) -> usize {
        match self {
            M::Json(m) => m.len(),
            M::Lit(m) => m.len(),
        }
    }

    fn has(&self, key: &str) -> bool {
        match self {
            M::Json(m) => json_get(m, key).is_some(),
            M::Lit(m) => m.iter().any(|(k, _)| k == key),
        }
    }

    fn get(&self, key: &str) -> R<V<'a>> {
        match *self {
            M::Json(m) => V::from_json(json_get(m, key).ok_or(Fail)?),
            M::Lit(m) => m
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.val())
                .ok_or(Fail),
        }
    }
}

/// `m[key]`: the maps of facts are small, and a scan beats hashing the key.
fn json_get<'a>(m: &'a Map<String, Json>, key: &str) -> Option<&'a Json> {
    if m.len() <= 16 {
        m.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        m.get(key)
    }
}

/// Equality where CEL's is certain to agree: values of the same kind.
fn eq(a: &V, b: &V) -> R<bool> {
    match (a, b) {
        (V::Null, V::Null) => Ok(true),
        (V::Bool(x), V::Bool(y)) => Ok(x == y),
        (V::Int(x), V::Int(y)) => Ok(x == y),
        (V::List(x), V::List(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for i in 0..x.len() {
                if !eq(&x.get(i)?, &y.get(i)?)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => Ok(x == y),
            _ => Err(Fail),
        },
    }
}

fn contains(list: &L, x: &V) -> R<bool> {
    if let Some(s) = x.as_str() {
        match list {
            L::Strings(v) => return Ok(v.iter().any(|e| e == s)),
            L::Statics(v) => return Ok(v.contains(&s)),
            _ => {}
        }
    }
    for i in 0..list.len() {
        if eq(&list.get(i)?, x)? {
            return Ok(true);
        }
    }
    Ok(false)
}

// ---------------------------------------------------------------------------------------
// Views of the facts structs: `c.field` without converting the struct.

trait Field {
    fn val(&self) -> R<V<'_>>;
}

impl Field for String {
    fn val(&self) -> R<V<'_>> {
        Ok(V::Str(self))
    }
}
impl Field for &'static str {
    fn val(&self) -> R<V<'_>> {
        Ok(V::Str(self))
    }
}
impl Field for bool {
    fn val(&self) -> R<V<'_>> {
        Ok(V::Bool(*self))
    }
}
impl Field for i64 {
    fn val(&self) -> R<V<'_>> {
        Ok(V::Int(*self))
    }
}
impl Field for Vec<String> {
    fn val(&self) -> R<V<'_>> {
        Ok(V::List(L::Strings(self)))
    }
}
impl Field for Vec<&'static str> {
    fn val(&self) -> R<V<'_>> {
        Ok(V::List(L::Statics(self)))
    }
}
impl Field for Json {
    fn val(&self) -> R<V<'_>> {
        V::from_json(self)
    }
}

macro_rules! view {
    ($ty:ty, $fields:ident, $get:ident, [$($f:ident),* $(,)?]) => {
        /// The serialized field names, in order; an index into it names a field.
        pub const $fields: &[&str] = &[$(stringify!($f)),*];
        /// The getter of each field, in the same order.
        const $get: &[for<'x> fn(&'x $ty) -> R<V<'x>>] = &[$(|x: &$ty| x.$f.val()),*];
    };
}

view!(
    ComponentFacts,
    COMPONENT_FIELDS,
    COMPONENT_GET,
    [
        id,
        kind,
        name,
        zone,
        trust,
        attrs,
        ai,
        internet_facing,
        exposed,
        reachable_from,
        direct_untrusted,
        indirect_untrusted,
        untrusted_input,
        untrusted_sources,
        input_checks,
        direct_input_checks,
        flagged_checks,
        output_checks,
        human_review,
        validated_input,
        rate_limited_input,
        path_data_controls,
        sees,
        sensitivity,
        data_categories,
        stored_categories,
        actions,
        unapproved_actions,
        tools,
        exfiltration,
        private_data,
        trifecta,
        rule_of_two,
        changes_state,
        model,
        learns_from_users,
        training_sources,
        trains,
        federated_role,
        returns_confidence,
        returns_embeddings,
        answers_outside,
        returns_data,
        returns_sensitivity,
        controls,
        credited_controls,
        planned_controls,
        inbound,
        outbound,
        writer_kinds,
        untrusted_writers,
        delegates,
        own_tools,
        own_actions,
        exfiltration_channels,
        stored_sensitivity,
        used_by_agents,
        llm,
        retrieval_access_control,
        unauthenticated_from_untrusted,
        decisions_about_people,
    ]
);
view!(
    FlowFacts,
    FLOW_FIELDS,
    FLOW_GET,
    [
        id,
        from,
        to,
        from_kind,
        to_kind,
        from_trust,
        to_trust,
        crosses_boundary,
        inbound_from_untrusted,
        attrs,
        sends,
        receives,
        data,
        sensitivity,
        data_categories,
        controls,
        model_written,
        from_controls,
    ]
);
view!(
    DataFacts,
    DATA_FIELDS,
    DATA_GET,
    [
        id,
        classification,
        provenance,
        categories,
        sensitivity,
        stored_in,
        stored_kinds,
        seen_by_kinds,
        reaches_training,
        reaches_partner,
        controls,
        attrs,
    ]
);
view!(
    SystemFacts,
    SYSTEM_FIELDS,
    SYSTEM_GET,
    [
        id,
        criticality,
        lifecycle,
        regulations,
        kinds,
        has_ai,
        owners,
        incidents,
        decisions,
        assumptions,
        risks,
        monitored,
        controls,
    ]
);

/// The facts of the element a rule is evaluated on.
#[derive(Clone, Copy)]
pub enum View<'a> {
    Component(&'a ComponentFacts),
    Flow(&'a FlowFacts),
    Data(&'a DataFacts),
    System(&'a SystemFacts),
}

/// Which facts struct a variable names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Component,
    Flow,
    Data,
    System,
}

impl Shape {
    fn of_var(var: &str) -> Option<Shape> {
        match var {
            "c" => Some(Shape::Component),
            "f" => Some(Shape::Flow),
            "d" => Some(Shape::Data),
            "s" => Some(Shape::System),
            _ => None,
        }
    }

    fn fields(self) -> &'static [&'static str] {
        match self {
            Shape::Component => COMPONENT_FIELDS,
            Shape::Flow => FLOW_FIELDS,
            Shape::Data => DATA_FIELDS,
            Shape::System => SYSTEM_FIELDS,
        }
    }
}

impl<'a> View<'a> {
    fn field(self, i: u8) -> R<V<'a>> {
        match self {
            View::Component(x) => COMPONENT_GET[i as usize](x),
            View::Flow(x) => FLOW_GET[i as usize](x),
            View::Data(x) => DATA_GET[i as usize](x),
            View::System(x) => SYSTEM_GET[i as usize](x),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Programs

#[derive(Debug, Clone, Copy)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy)]
pub enum Fold {
    Exists,
    All,
    Filter,
    Map,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub enum Node {
    Lit(Lit),
    StrList(Vec<String>),
    List(Vec<Node>),
    MapLit(Vec<(String, Lit)>),
    /// A field of the element (`false`) or of the system (`true`).
    Field(bool, u8),
    Local(usize),
    Select(Box<Node>, String),
    Has(Box<Node>, String),
    Not(Box<Node>),
    /// `a && b && …`, left to right, stopping at the first `false`.
    And(Vec<Node>),
    /// `a || b || …`, left to right, stopping at the first `true`.
    Or(Vec<Node>),
    /// `root.field == "text"` (or `!=`).
    FieldEqStr(bool, u8, String, bool),
    /// `"text" in root.field`.
    StrInField(String, bool, u8),
    // Fused forms of common shapes, each one step instead of two or three (the same
    // values and the same failures as the general nodes they replace).
    /// `x op 3`.
    CmpLit(Box<Node>, i64, Cmp),
    /// `x == literal` (or `!=`).
    EqLit(Box<Node>, Lit, bool),
    /// `x in ["a", "b"]`.
    InStrs(Box<Node>, Vec<String>),
    /// `has(root.map.key)`.
    HasField(bool, u8, String),
    /// `root.map.key`.
    SelectField(bool, u8, String),
    Cond(Box<(Node, Node, Node)>),
    Eq(Box<Node>, Box<Node>, bool),
    Cmp(Box<Node>, Box<Node>, Cmp),
    In(Box<Node>, Box<Node>),
    Add(Box<Node>, Box<Node>),
    Index(Box<Node>, Box<Node>),
    Size(Box<Node>),
    Join(Box<Node>, Option<Box<Node>>),
    Lower(Box<Node>),
    Matches(Box<Node>, Box<regex::Regex>),
    Fold(Fold, Box<Node>, Box<Node>),
    /// Outside the native subset: give up when evaluated.
    Fail,
}

struct Compiler<'v> {
    /// The element's variable and its facts; `s` is always the system.
    var: &'v str,
    shape: Option<Shape>,
    locals: Vec<String>,
}

fn b(n: Node) -> Box<Node> {
    Box::new(n)
}

fn literal(l: &LiteralValue) -> Option<Lit> {
    match l {
        LiteralValue::Null => Some(Lit::Null),
        LiteralValue::Boolean(x) => Some(Lit::Bool(*x.inner())),
        LiteralValue::Int(x) => Some(Lit::Int(*x.inner())),
        LiteralValue::String(x) => Some(Lit::Str(x.inner().to_owned())),
        _ => None,
    }
}

/// `x` of `accu + [x]`.
fn append_item<'e>(e: &'e IdedExpr, accu: &str) -> Option<&'e IdedExpr> {
    let a = call(e, "_+_", 2)?;
    match &a[1].expr {
        Expr::List(l)
            if is_ident(&a[0], accu) && l.elements.len() == 1 && l.optional_indices.is_empty() =>
        {
            Some(&l.elements[0])
        }
        _ => None,
    }
}

fn is_ident(e: &IdedExpr, name: &str) -> bool {
    matches!(&e.expr, Expr::Ident(n) if n == name)
}

fn call<'e>(e: &'e IdedExpr, name: &str, n: usize) -> Option<&'e [IdedExpr]> {
    match &e.expr {
        Expr::Call(c) if c.target.is_none() && c.func_name == name && c.args.len() == n => {
            Some(&c.args)
        }
        _ => None,
    }
}

impl Compiler<'_> {
    /// The root a plain identifier names: `Some(false)` the element, `Some(true)` the
    /// system; `None` for a local or anything else.
    fn root(&self, name: &str) -> Option<(bool, Shape)> {
        if self.locals.iter().any(|l| l == name) {
            return None;
        }
        if name == "s" {
            return Some((true, Shape::System));
        }
        if name == self.var {
            return self.shape.map(|s| (false, s));
        }
        None
    }

    fn field_of(&self, operand: &IdedExpr, field: &str) -> Option<Node> {
        let Expr::Ident(name) = &operand.expr else {
            return None;
        };
        let (system, shape) = self.root(name)?;
        let i = shape.fields().iter().position(|f| *f == field)?;
        Some(Node::Field(system, i as u8))
    }

    fn is_root(&self, e: &IdedExpr) -> bool {
        matches!(&e.expr, Expr::Ident(n) if (n == self.var || n == "s") && !self.locals.contains(n))
    }

    fn compile(&mut self, e: &IdedExpr) -> Node {
        match &e.expr {
            Expr::Literal(l) => literal(l).map_or(Node::Fail, Node::Lit),
            Expr::Ident(name) => match self.locals.iter().rposition(|l| l == name) {
                Some(i) => Node::Local(i),
                None => Node::Fail,
            },
            Expr::Select(s) => {
                if self.is_root(&s.operand) {
                    // A field of a facts struct: every field exists.
                    return match self.field_of(&s.operand, &s.field) {
                        Some(_) if s.test => Node::Lit(Lit::Bool(true)),
                        Some(f) => f,
                        None => Node::Fail,
                    };
                }
                match (self.compile(&s.operand), s.test) {
                    (Node::Field(sys, i), true) => Node::HasField(sys, i, s.field.clone()),
                    (Node::Field(sys, i), false) => Node::SelectField(sys, i, s.field.clone()),
                    (operand, true) => Node::Has(b(operand), s.field.clone()),
                    (operand, false) => Node::Select(b(operand), s.field.clone()),
                }
            }
            Expr::List(l) => {
                if !l.optional_indices.is_empty() {
                    return Node::Fail;
                }
                let strs: Option<Vec<String>> = l
                    .elements
                    .iter()
                    .map(|x| match &x.expr {
                        Expr::Literal(LiteralValue::String(s)) => Some(s.inner().to_owned()),
                        _ => None,
                    })
                    .collect();
                match strs {
                    Some(s) => Node::StrList(s),
                    None => Node::List(l.elements.iter().map(|x| self.compile(x)).collect()),
                }
            }
            Expr::Map(m) => {
                let mut out: Vec<(String, Lit)> = Vec::new();
                for entry in &m.entries {
                    let EntryExpr::MapEntry(me) = &entry.expr else {
                        return Node::Fail;
                    };
                    let (false, Expr::Literal(LiteralValue::String(k)), Expr::Literal(v)) =
                        (me.optional, &me.key.expr, &me.value.expr)
                    else {
                        return Node::Fail;
                    };
                    let Some(v) = literal(v) else {
                        return Node::Fail;
                    };
                    if out.iter().any(|(x, _)| x == k.inner()) {
                        return Node::Fail;
                    }
                    out.push((k.inner().to_owned(), v));
                }
                Node::MapLit(out)
            }
            Expr::Comprehension(c) => self.comprehension(c).unwrap_or(Node::Fail),
            Expr::Call(c) => {
                let args = &c.args;
                match (&c.target, c.func_name.as_str(), args.len()) {
                    (None, "!_", 1) => Node::Not(b(self.compile(&args[0]))),
                    (None, "_&&_", 2) => Node::And(self.chain(e, "_&&_")),
                    (None, "_||_", 2) => Node::Or(self.chain(e, "_||_")),
                    (None, "_?_:_", 3) => Node::Cond(Box::new((
                        self.compile(&args[0]),
                        self.compile(&args[1]),
                        self.compile(&args[2]),
                    ))),
                    (None, "_==_", 2) => self.pair(args, |x, y| eq_node(x, y, false)),
                    (None, "_!=_", 2) => self.pair(args, |x, y| eq_node(x, y, true)),
                    (None, "_<_", 2) => self.pair(args, |x, y| cmp_node(x, y, Cmp::Lt)),
                    (None, "_<=_", 2) => self.pair(args, |x, y| cmp_node(x, y, Cmp::Le)),
                    (None, "_>_", 2) => self.pair(args, |x, y| cmp_node(x, y, Cmp::Gt)),
                    (None, "_>=_", 2) => self.pair(args, |x, y| cmp_node(x, y, Cmp::Ge)),
                    (None, "@in", 2) => self.pair(args, |x, y| match (x, y) {
                        (Node::Lit(Lit::Str(s)), Node::Field(sys, i)) => {
                            Node::StrInField(s, sys, i)
                        }
                        (x, Node::StrList(list)) => Node::InStrs(b(x), list),
                        (x, y) => Node::In(b(x), b(y)),
                    }),
                    (None, "_+_", 2) => self.pair(args, |x, y| Node::Add(b(x), b(y))),
                    (None, "_[_]", 2) => self.pair(args, |x, y| Node::Index(b(x), b(y))),
                    (None, "size", 1) => Node::Size(b(self.compile(&args[0]))),
                    (Some(t), "size", 0) => Node::Size(b(self.compile(t))),
                    (Some(t), "lowerAscii", 0) => Node::Lower(b(self.compile(t))),
                    (Some(t), "join", 0) => Node::Join(b(self.compile(t)), None),
                    (Some(t), "join", 1) => {
                        Node::Join(b(self.compile(t)), Some(b(self.compile(&args[0]))))
                    }
                    (Some(t), "matches", 1) => match &args[0].expr {
                        Expr::Literal(LiteralValue::String(re)) => {
                            match regex::Regex::new(re.inner()) {
                                Ok(re) => Node::Matches(b(self.compile(t)), Box::new(re)),
                                Err(_) => Node::Fail,
                            }
                        }
                        _ => Node::Fail,
                    },
                    _ => Node::Fail,
                }
            }
            _ => Node::Fail,
        }
    }

    /// The operands of a chain of one operator, `(a && b) && c` as `[a, b, c]`.
    fn chain(&mut self, e: &IdedExpr, op: &str) -> Vec<Node> {
        let mut operands = Vec::new();
        let mut stack = vec![e];
        while let Some(x) = stack.pop() {
            match call(x, op, 2) {
                Some(args) => {
                    stack.push(&args[1]);
                    stack.push(&args[0]);
                }
                None => operands.push(self.compile(x)),
            }
        }
        operands
    }

    fn pair(&mut self, args: &[IdedExpr], f: impl FnOnce(Node, Node) -> Node) -> Node {
        let x = self.compile(&args[0]);
        let y = self.compile(&args[1]);
        f(x, y)
    }

    /// The four macros, recognised by the exact shape the parser expands them to.
    fn comprehension(&mut self, c: &ComprehensionExpr) -> Option<Node> {
        if c.iter_var2.is_some() || !is_ident(&c.result, &c.accu_var) {
            return None;
        }
        let accu = c.accu_var.as_str();
        let x = c.iter_var.as_str();
        let (fold, body) = match (&c.accu_init.expr, &c.loop_cond.expr) {
            (Expr::Literal(LiteralValue::Boolean(init)), _) => {
                let init = *init.inner();
                let cond = call(&c.loop_cond, "@not_strictly_false", 1)?;
                if init {
                    // all: @not_strictly_false(@result), @result && p
                    if !is_ident(&cond[0], accu) {
                        return None;
                    }
                    let step = call(&c.loop_step, "_&&_", 2)?;
                    is_ident(&step[0], accu).then_some((Fold::All, &step[1]))?
                } else {
                    // exists: @not_strictly_false(!@result), @result || p
                    let not = call(&cond[0], "!_", 1)?;
                    if !is_ident(&not[0], accu) {
                        return None;
                    }
                    let step = call(&c.loop_step, "_||_", 2)?;
                    is_ident(&step[0], accu).then_some((Fold::Exists, &step[1]))?
                }
            }
            (Expr::List(init), Expr::Literal(LiteralValue::Boolean(t)))
                if init.elements.is_empty() && *t.inner() =>
            {
                let append = |e| append_item(e, accu);
                if let Some(t) = call(&c.loop_step, "_?_:_", 3) {
                    // filter: p ? @result + [x] : @result
                    let item = append(&t[1])?;
                    if !is_ident(&t[2], accu) || !is_ident(item, x) {
                        return None;
                    }
                    (Fold::Filter, &t[0])
                } else {
                    // map: @result + [f]
                    (Fold::Map, append(&c.loop_step)?)
                }
            }
            _ => return None,
        };
        let range = self.compile(&c.iter_range);
        self.locals.push(x.to_owned());
        let body = self.compile(body);
        self.locals.pop();
        Some(Node::Fold(fold, b(range), b(body)))
    }
}

/// Compiles `program` for elements bound to `var` (`c`, `f`, `d` or `s`).
pub fn compile(program: &Program, var: &str) -> Node {
    Compiler {
        var,
        shape: Shape::of_var(var),
        locals: Vec::new(),
    }
    .compile(program.expression())
}

// ---------------------------------------------------------------------------------------
// Evaluation

struct Env<'a> {
    element: View<'a>,
    system: &'a SystemFacts,
    locals: Vec<V<'a>>,
}

/// `n` where a boolean is expected: the same checks as `eval(n)?.as_bool()`, without
/// building values for the logic in between.
fn eval_bool<'a>(n: &'a Node, env: &mut Env<'a>) -> R<bool> {
    match n {
        Node::And(xs) => {
            for x in xs {
                if !eval_bool(x, env)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Node::Or(xs) => {
            for x in xs {
                if eval_bool(x, env)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Node::Not(x) => Ok(!eval_bool(x, env)?),
        Node::Lit(Lit::Bool(b)) => Ok(*b),
        Node::Field(sys, i) => field(env, *sys, *i)?.as_bool(),
        Node::FieldEqStr(sys, i, text, negated) => match field(env, *sys, *i)? {
            V::Str(s) => Ok((s == text) != *negated),
            v => Ok(eq(&v, &V::Str(text))? != *negated),
        },
        Node::StrInField(text, sys, i) => match field(env, *sys, *i)? {
            V::List(L::Strings(v)) => Ok(v.iter().any(|e| e == text)),
            V::List(L::Statics(v)) => Ok(v.contains(&text.as_str())),
            V::List(l) => contains(&l, &V::Str(text)),
            V::Map(m) => Ok(m.has(text)),
            _ => Err(Fail),
        },
        Node::CmpLit(x, k, op) => match eval(x, env)? {
            V::Int(x) => Ok(compare(x, *k, *op)),
            _ => Err(Fail),
        },
        Node::EqLit(x, lit, negated) => Ok(eq(&eval(x, env)?, &lit.val())? != *negated),
        Node::InStrs(x, list) => contains(&L::Strings(list), &eval(x, env)?),
        Node::HasField(sys, i, key) => match field(env, *sys, *i)? {
            V::Map(m) => Ok(m.has(key)),
            _ => Err(Fail),
        },
        _ => eval(n, env)?.as_bool(),
    }
}

fn eval<'a>(n: &'a Node, env: &mut Env<'a>) -> R<V<'a>> {
    Ok(match n {
        Node::Lit(l) => l.val(),
        Node::StrList(s) => V::List(L::Strings(s)),
        Node::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                out.push(eval(i, env)?);
            }
            V::List(L::Owned(Rc::new(out)))
        }
        Node::MapLit(m) => V::Map(M::Lit(m)),
        Node::Field(sys, i) => field(env, *sys, *i)?,
        Node::Local(i) => env.locals[*i].clone(),
        Node::Select(x, field) => match eval(x, env)? {
            V::Map(m) => m.get(field)?,
            _ => return Err(Fail),
        },
        Node::Has(x, field) => match eval(x, env)? {
            V::Map(m) => V::Bool(m.has(field)),
            _ => return Err(Fail),
        },
        Node::Not(_)
        | Node::And(_)
        | Node::Or(_)
        | Node::FieldEqStr(..)
        | Node::StrInField(..)
        | Node::CmpLit(..)
        | Node::EqLit(..)
        | Node::InStrs(..)
        | Node::HasField(..) => V::Bool(eval_bool(n, env)?),
        Node::SelectField(sys, i, key) => match field(env, *sys, *i)? {
            V::Map(m) => m.get(key)?,
            _ => return Err(Fail),
        },
        Node::Cond(t) => {
            if eval_bool(&t.0, env)? {
                eval(&t.1, env)?
            } else {
                eval(&t.2, env)?
            }
        }
        Node::Eq(x, y, negated) => {
            let (x, y) = (eval(x, env)?, eval(y, env)?);
            V::Bool(eq(&x, &y)? != *negated)
        }
        Node::Cmp(x, y, op) => {
            let (V::Int(x), V::Int(y)) = (eval(x, env)?, eval(y, env)?) else {
                return Err(Fail);
            };
            V::Bool(compare(x, y, *op))
        }
        Node::In(x, y) => {
            let x = eval(x, env)?;
            match eval(y, env)? {
                V::List(l) => V::Bool(contains(&l, &x)?),
                V::Map(m) => V::Bool(m.has(x.as_str().ok_or(Fail)?)),
                _ => return Err(Fail),
            }
        }
        Node::Add(x, y) => match (eval(x, env)?, eval(y, env)?) {
            (V::Int(x), V::Int(y)) => V::Int(x.checked_add(y).ok_or(Fail)?),
            (V::List(x), V::List(y)) => {
                let mut out = Vec::with_capacity(x.len() + y.len());
                for i in 0..x.len() {
                    out.push(x.get(i)?);
                }
                for i in 0..y.len() {
                    out.push(y.get(i)?);
                }
                V::List(L::Owned(Rc::new(out)))
            }
            (x, y) => match (x.as_str(), y.as_str()) {
                (Some(x), Some(y)) => V::OwnedStr(format!("{x}{y}").into()),
                _ => return Err(Fail),
            },
        },
        Node::Index(x, i) => match (eval(x, env)?, eval(i, env)?) {
            (V::List(l), V::Int(i)) => {
                let i = usize::try_from(i).map_err(|_| Fail)?;
                if i >= l.len() {
                    return Err(Fail);
                }
                l.get(i)?
            }
            (V::Map(m), k) => m.get(k.as_str().ok_or(Fail)?)?,
            _ => return Err(Fail),
        },
        Node::Size(x) => V::Int(match eval(x, env)? {
            V::List(l) => l.len() as i64,
            V::Map(m) => m.len() as i64,
            v => v.as_str().ok_or(Fail)?.chars().count() as i64,
        }),
        Node::Join(x, sep) => {
            let V::List(l) = eval(x, env)? else {
                return Err(Fail);
            };
            let sep_v = match sep {
                Some(s) => Some(eval(s, env)?),
                None => None,
            };
            let sep = match &sep_v {
                Some(s) => s.as_str().ok_or(Fail)?,
                None => "",
            };
            let mut out = String::new();
            for i in 0..l.len() {
                if i > 0 {
                    out.push_str(sep);
                }
                out.push_str(l.get(i)?.as_str().ok_or(Fail)?);
            }
            V::OwnedStr(out.into())
        }
        Node::Lower(x) => V::OwnedStr(
            eval(x, env)?
                .as_str()
                .ok_or(Fail)?
                .to_ascii_lowercase()
                .into(),
        ),
        Node::Matches(x, re) => V::Bool(re.is_match(eval(x, env)?.as_str().ok_or(Fail)?)),
        Node::Fold(fold, range, body) => fold_over(*fold, eval(range, env)?, body, env)?,
        Node::Fail => return Err(Fail),
    })
}

fn field<'a>(env: &Env<'a>, system: bool, i: u8) -> R<V<'a>> {
    if system {
        SYSTEM_GET[i as usize](env.system)
    } else {
        env.element.field(i)
    }
}

/// `x == y`, specialised for a field against a string.
fn eq_node(x: Node, y: Node, negated: bool) -> Node {
    match (x, y) {
        (Node::Field(sys, i), Node::Lit(Lit::Str(s))) => Node::FieldEqStr(sys, i, s, negated),
        (x, Node::Lit(l)) => Node::EqLit(b(x), l, negated),
        (x, y) => Node::Eq(b(x), b(y), negated),
    }
}

/// `x op y`, specialised for a literal integer on the right.
fn cmp_node(x: Node, y: Node, op: Cmp) -> Node {
    match y {
        Node::Lit(Lit::Int(k)) => Node::CmpLit(b(x), k, op),
        y => Node::Cmp(b(x), b(y), op),
    }
}

fn compare(x: i64, y: i64, op: Cmp) -> bool {
    match op {
        Cmp::Lt => x < y,
        Cmp::Le => x <= y,
        Cmp::Gt => x > y,
        Cmp::Ge => x >= y,
    }
}

fn fold_over<'a>(fold: Fold, range: V<'a>, body: &'a Node, env: &mut Env<'a>) -> R<V<'a>> {
    let items: Vec<V<'a>> = match range {
        V::List(l) => (0..l.len()).map(|i| l.get(i)).collect::<R<_>>()?,
        // Maps iterate their keys; CEL's order differs, which only `exists` and `all`
        // cannot observe.
        V::Map(M::Json(m)) if matches!(fold, Fold::Exists | Fold::All) => {
            m.keys().map(|k| V::Str(k)).collect()
        }
        _ => return Err(Fail),
    };
    env.locals.push(V::Null);
    let slot = env.locals.len() - 1;
    let result = (|| {
        let mut out = Vec::new();
        for item in items {
            env.locals[slot] = item.clone();
            match fold {
                Fold::Exists => {
                    if eval_bool(body, env)? {
                        return Ok(V::Bool(true));
                    }
                }
                Fold::All => {
                    if !eval_bool(body, env)? {
                        return Ok(V::Bool(false));
                    }
                }
                Fold::Filter => {
                    if eval_bool(body, env)? {
                        out.push(item);
                    }
                }
                Fold::Map => out.push(eval(body, env)?),
            }
        }
        Ok(match fold {
            Fold::Exists => V::Bool(false),
            Fold::All => V::Bool(true),
            Fold::Filter | Fold::Map => V::List(L::Owned(Rc::new(out))),
        })
    })();
    env.locals.truncate(slot);
    result
}

fn render(v: &V, out: &mut String) -> R<()> {
    use std::fmt::Write;
    match v {
        V::Null => out.push_str("none"),
        V::Bool(x) => {
            let _ = write!(out, "{x}");
        }
        V::Int(x) => {
            let _ = write!(out, "{x}");
        }
        V::List(l) => {
            for i in 0..l.len() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(&l.get(i)?, out)?;
            }
        }
        V::Map(_) => return Err(Fail),
        s => out.push_str(s.as_str().ok_or(Fail)?),
    }
    Ok(())
}

/// A rule compiled for one kind of element.
#[derive(Debug)]
pub struct NativeRule {
    /// What the condition and every question's `when` all require (conjuncts they
    /// share): when it is false, nothing of the rule holds, and the rest is skipped.
    gate: Option<Node>,
    condition: Node,
    evidence: Vec<(Option<Node>, Vec<NativePart>)>,
    questions: Vec<Option<Node>>,
}

/// The conjuncts of `condition` that every question's `when` has too, when some question
/// has a `when` (otherwise the condition alone decides and stops at its first false).
fn gate(condition: &Node, questions: &[Option<Node>]) -> Option<Node> {
    fn conjuncts<'n>(n: &'n Node, out: &mut Vec<&'n Node>) {
        match n {
            Node::And(xs) => xs.iter().for_each(|x| conjuncts(x, out)),
            n => out.push(n),
        }
    }
    if questions.iter().all(Option::is_none) {
        return None;
    }
    let mut shared = Vec::new();
    conjuncts(condition, &mut shared);
    shared.retain(|n| !matches!(n, Node::Fail));
    for when in questions.iter().flatten() {
        let mut theirs = Vec::new();
        conjuncts(when, &mut theirs);
        // Structural equality: nodes print alike exactly when they are alike.
        let theirs: std::collections::HashSet<String> =
            theirs.iter().map(|n| format!("{n:?}")).collect();
        shared.retain(|n| theirs.contains(&format!("{n:?}")));
    }
    (!shared.is_empty()).then(|| Node::And(shared.into_iter().cloned().collect()))
}

#[derive(Debug)]
enum NativePart {
    Text(String),
    Expr(Node),
}

impl NativeRule {
    pub fn new(rule: &CompiledRule, var: &str) -> NativeRule {
        let condition = compile(&rule.condition, var);
        let questions: Vec<Option<Node>> = rule
            .questions
            .iter()
            .map(|(w, _)| w.as_ref().map(|w| compile(w, var)))
            .collect();
        NativeRule {
            gate: gate(&condition, &questions),
            condition,
            evidence: rule
                .evidence
                .iter()
                .map(|(w, parts)| {
                    (
                        w.as_ref().map(|w| compile(w, var)),
                        parts
                            .iter()
                            .map(|p| match p {
                                Part::Text(t) => NativePart::Text(t.clone()),
                                Part::Expr(e) => NativePart::Expr(compile(e, var)),
                            })
                            .collect(),
                    )
                })
                .collect(),
            questions,
        }
    }

    /// What the rule says about the element, as [`crate::evaluate::evaluate`] would;
    /// `Err(Fail)` when CEL must decide.
    pub fn run(
        &self,
        rule: &CompiledRule,
        element: View,
        system: &SystemFacts,
    ) -> R<crate::evaluate::Outcome> {
        let mut env = Env {
            element,
            system,
            locals: Vec::new(),
        };
        // A false shared conjunct makes the condition and every `when` false, as in CEL,
        // whose `&&` is false when any operand is, whatever the others do.
        if let Some(g) = &self.gate
            && let Ok(false) = eval_bool(g, &mut env)
        {
            return Ok(crate::evaluate::Outcome::default());
        }
        let fired = eval_bool(&self.condition, &mut env)?;
        let mut evidence = Vec::new();
        if fired {
            for (when, parts) in &self.evidence {
                if let Some(w) = when
                    && !eval_bool(w, &mut env)?
                {
                    continue;
                }
                let mut s = String::new();
                for p in parts {
                    match p {
                        NativePart::Text(t) => s.push_str(t),
                        NativePart::Expr(e) => render(&eval(e, &mut env)?, &mut s)?,
                    }
                }
                evidence.push(crate::evaluate::collapse_whitespace_owned(s));
            }
        }
        let mut questions = Vec::new();
        for (when, (_, ask)) in self.questions.iter().zip(&rule.questions) {
            let ask_it = match when {
                Some(w) => eval_bool(w, &mut env)?,
                None => fired,
            };
            if ask_it {
                questions.push(ask.clone());
            }
        }
        Ok(crate::evaluate::Outcome {
            fired,
            evidence,
            questions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_lists_match_the_serialized_facts() {
        let text = "threatwright: 1\nsystem: { id: s }\ndata:\n  - { id: d }\ncomponents:\n  - { id: a, kind: service }\n  - { id: b, kind: llm }\nflows:\n  - { from: a, to: b, sends: [d] }\n";
        let loaded = threatwright_model::load_str("t.yaml", text, &Default::default());
        let model = loaded.model.expect("valid");
        let f = crate::facts::compute(&model);
        fn keys<T: serde::Serialize>(v: &T) -> Vec<String> {
            let v = serde_json::to_value(v).unwrap();
            v.as_object().unwrap().keys().cloned().collect()
        }
        assert_eq!(keys(&f.system), SYSTEM_FIELDS.to_vec());
        assert_eq!(keys(&f.components[0]), COMPONENT_FIELDS.to_vec());
        assert_eq!(keys(&f.flows[0]), FLOW_FIELDS.to_vec());
        assert_eq!(keys(&f.data[0]), DATA_FIELDS.to_vec());
    }
}
