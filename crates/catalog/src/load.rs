//! Loading a catalog: parse every file with the model's spanned YAML reader, decode,
//! compile expressions, and check the catalog as a whole, collecting diagnostics.

use crate::compile::{Part, compile, compile_template};
use crate::types::{Control, Rule, Target};
use cel::Program;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use threatwright_model::decode::{Cx, Decode};
use threatwright_model::types::Text;
use threatwright_model::{Code, Diagnostic, FileId, Limits, SourceMap, Span, yaml};

/// A rule ready to evaluate.
pub struct CompiledRule {
    pub rule: Rule,
    pub file: FileId,
    /// Path relative to the catalog root (or the user's rules dir).
    pub path: PathBuf,
    pub condition: Program,
    pub evidence: Vec<(Option<Program>, Vec<Part>)>,
    pub questions: Vec<(Option<Program>, String)>,
    pub builtin: bool,
}

impl CompiledRule {
    pub fn id(&self) -> &str {
        self.rule.id.as_str()
    }

    pub fn applies_to(&self, t: Target) -> bool {
        self.rule.applies_to.contains(&t)
    }
}

/// The rules and controls in use, with the files they came from.
#[derive(Default)]
pub struct Catalog {
    pub sources: SourceMap,
    /// Framework ids and names, when the catalog ships them (the built-in one does).
    pub frameworks: crate::frameworks::Frameworks,
    pub rules: Vec<CompiledRule>,
    pub controls: BTreeMap<String, Control>,
}

impl Catalog {
    pub fn rule(&self, id: &str) -> Option<&CompiledRule> {
        // Rules are sorted by id (see `load`).
        let i = self.rules.partition_point(|r| r.id() < id);
        self.rules.get(i).filter(|r| r.id() == id)
    }

    /// The rules that cite `control` among their mitigations, sorted.
    pub fn rules_mitigated_by(&self, control: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .rules
            .iter()
            .filter(|r| r.rule.mitigations.iter().any(|m| m.as_str() == control))
            .map(CompiledRule::id)
            .collect();
        v.sort_unstable();
        v
    }
}

/// One catalog source file.
pub struct SourceText {
    pub path: PathBuf,
    pub text: String,
    pub builtin: bool,
}

mod builtin_files {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// The catalog shipped in the binary.
pub fn builtin_sources() -> Vec<SourceText> {
    builtin_files::FILES
        .iter()
        .map(|(p, t)| SourceText {
            path: PathBuf::from("catalog").join(p),
            text: (*t).to_owned(),
            builtin: true,
        })
        .collect()
}

/// Every `.yaml` file under `dir`, sorted, as user rules.
pub fn dir_sources(dir: &Path) -> std::io::Result<Vec<SourceText>> {
    fn walk(d: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for e in std::fs::read_dir(d)? {
            let p = e?.path();
            if p.is_dir() {
                walk(&p, out)?;
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut paths = Vec::new();
    walk(dir, &mut paths)?;
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            Ok(SourceText {
                text: std::fs::read_to_string(&p)?,
                path: p,
                builtin: false,
            })
        })
        .collect()
}

fn is_control_file(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "controls")
}

fn is_framework_file(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "frameworks")
}

/// Loads and checks the given files. Problems come back as diagnostics; rules and
/// controls with errors are left out of the catalog.
pub fn load(files: Vec<SourceText>, diags: &mut Vec<Diagnostic>) -> Catalog {
    let mut cat = Catalog::default();
    let limits = Limits::default();
    let mut pending = Vec::new();
    let (framework_files, files): (Vec<SourceText>, Vec<SourceText>) =
        files.into_iter().partition(|f| is_framework_file(&f.path));
    cat.frameworks = crate::frameworks::Frameworks::from_files(
        framework_files
            .iter()
            .map(|f| (f.path.as_path(), f.text.as_str())),
    );
    let ids: Vec<FileId> = files
        .iter()
        .map(|f| cat.sources.add(f.path.clone(), f.text.clone()))
        .collect();
    // Parsing and decoding each file is independent: on every core, merged in order.
    let decoded = map_in_order(files.into_iter().zip(ids).collect(), |(f, id)| {
        let mut d = Vec::new();
        let parsed = decode_file(&f, id, &cat.sources, &limits, &mut d);
        (f, id, parsed, d)
    });
    for (f, id, parsed, d) in decoded {
        diags.extend(d);
        match parsed {
            Some(Decoded::Control(c)) => {
                if let Some(first) = cat.controls.get(c.id.as_str()) {
                    diags.push(duplicate(&c.id, first.id.span));
                } else {
                    cat.controls.insert(c.id.name.clone(), c);
                }
            }
            Some(Decoded::Rule(r)) => pending.push((r, id, f.path, f.builtin)),
            None => {}
        }
    }
    let rule_ids: BTreeSet<&str> = pending.iter().map(|(r, ..)| r.id.as_str()).collect();
    for (rule, ..) in &pending {
        check_subsumes(rule, &rule_ids, diags);
    }
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    let mut unique = Vec::with_capacity(pending.len());
    for p in pending {
        if let Some(first) = seen.get(p.0.id.as_str()) {
            diags.push(duplicate(&p.0.id, *first));
            continue;
        }
        seen.insert(p.0.id.name.clone(), p.0.id.span);
        unique.push(p);
    }
    // Compiling expressions is most of loading a catalog, and each rule compiles alone.
    let compiled = map_in_order(unique, |(rule, file, path, builtin)| {
        let mut d = Vec::new();
        let c = compile_rule(rule, file, path, builtin, &cat, &mut d);
        (c, d)
    });
    for (c, d) in compiled {
        diags.extend(d);
        cat.rules.extend(c);
    }
    cat.rules.sort_by(|a, b| a.id().cmp(b.id()));
    cat
}

// Short-lived, one per file: boxing the larger variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Decoded {
    Control(Control),
    Rule(Rule),
}

/// Parses and decodes one catalog file: a control or a rule, with its id checked
/// against the file name.
fn decode_file(
    f: &SourceText,
    id: FileId,
    sources: &SourceMap,
    limits: &Limits,
    diags: &mut Vec<Diagnostic>,
) -> Option<Decoded> {
    let node = yaml::parse(&f.text, id, sources, limits, diags)?;
    let mut cx = Cx::new(diags);
    let stem = f
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if is_control_file(&f.path) {
        let c = Control::decode(&node, &mut cx)?;
        check_id(&c.id, &stem, diags);
        Some(Decoded::Control(c))
    } else {
        let r = Rule::decode(&node, &mut cx)?;
        check_id(&r.id, &stem, diags);
        Some(Decoded::Rule(r))
    }
}

/// `f` over `items` on up to two cores (the catalog is small; more threads cost more
/// than they save), results in the items' order.
fn map_in_order<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    if threads < 2 || items.len() < 16 {
        return items.into_iter().map(f).collect();
    }
    let mut first = items;
    let second = first.split_off(first.len() / 2);
    let f = &f;
    std::thread::scope(|scope| {
        let other = scope.spawn(move || second.into_iter().map(f).collect::<Vec<R>>());
        let mut out: Vec<R> = first.into_iter().map(f).collect();
        out.extend(
            other
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        );
        out
    })
}

/// Every id under a rule's `subsumes` names a rule of the catalog.
fn check_subsumes(rule: &Rule, ids: &BTreeSet<&str>, diags: &mut Vec<Diagnostic>) {
    for s in &rule.subsumes {
        if !ids.contains(s.as_str()) {
            let help = threatwright_model::suggest::did_you_mean(s, ids.iter().copied())
                .unwrap_or_else(|| "name an existing rule id, or remove it from `subsumes`".into());
            diags.push(
                Diagnostic::error(
                    Code::UnknownRule,
                    s.span,
                    format!(
                        "rule `{}` subsumes `{s}`, which is not in the catalog",
                        rule.id
                    ),
                )
                .with_help(help),
            );
        }
    }
}

fn duplicate(id: &threatwright_model::types::Id, first: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateId,
        id.span,
        format!("`{id}` is defined twice"),
    )
    .with_related(first, "first definition")
    .with_help("ids are permanent and unique; rename the new one")
}

fn check_id(id: &threatwright_model::types::Id, stem: &str, diags: &mut Vec<Diagnostic>) {
    if id.as_str() != stem {
        diags.push(
            Diagnostic::error(
                Code::IdMismatch,
                id.span,
                format!("id `{id}` differs from the file name `{stem}.yaml`"),
            )
            .with_help(format!(
                "rename the file to `{id}.yaml` or the id to `{stem}`"
            )),
        );
    }
}

fn expr_error(text: &Text, what: &str, e: crate::compile::ExprError) -> Diagnostic {
    let mut help = String::from("see docs/catalog-format.md for the facts a condition may use");
    if let Some(off) = e.offset {
        let byte = text
            .name
            .char_indices()
            .nth(off)
            .map_or(text.name.len(), |(i, _)| i);
        let lines: Vec<&str> = text.name.lines().collect();
        let mut line_idx = text.name[..byte].matches('\n').count();
        let mut col = off.saturating_sub(
            lines
                .iter()
                .take(line_idx)
                .map(|l| l.chars().count() + 1)
                .sum::<usize>(),
        );
        // An error at the end of the text is shown at the end of its last line.
        while line_idx > 0 && lines.get(line_idx).is_none_or(|l| l.trim().is_empty()) {
            line_idx -= 1;
            col = lines[line_idx].chars().count();
        }
        let line = lines.get(line_idx).copied().unwrap_or("");
        help = format!(
            "at line {}, column {} of the expression:\n    {line}\n    {}^\n{help}",
            line_idx + 1,
            col + 1,
            " ".repeat(col)
        );
    }
    Diagnostic::error(
        Code::BadExpression,
        text.span,
        format!("{what}: {}", e.message),
    )
    .with_label("in this expression")
    .with_help(help)
}

fn compile_rule(
    rule: Rule,
    file: FileId,
    path: PathBuf,
    builtin: bool,
    cat: &Catalog,
    diags: &mut Vec<Diagnostic>,
) -> Option<CompiledRule> {
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let mut allowed = vec!["s"];
    if rule
        .applies_to
        .iter()
        .any(|t| matches!(t, Target::Component(_)))
    {
        allowed.push("c");
    }
    if rule.applies_to.contains(&Target::Flow) {
        allowed.push("f");
    }
    if rule.applies_to.contains(&Target::Data) {
        allowed.push("d");
    }
    let incomplete = |msg: String, help: &str| {
        Diagnostic::error(Code::IncompleteRule, rule.id.span, msg).with_help(help.to_owned())
    };
    if rule.applies_to.is_empty() {
        diags.push(incomplete(
            format!("rule `{}` has no `applies_to`", rule.id),
            "list the component kinds (or flow, data, system) it is evaluated on",
        ));
    }
    for (name, v) in [("likelihood", rule.likelihood), ("impact", rule.impact)] {
        if !(1..=5).contains(&v) {
            diags.push(incomplete(
                format!("`{name}` of rule `{}` is {v}; it must be 1 to 5", rule.id),
                "1 is the lowest level, 5 the highest",
            ));
        }
    }
    let positive = rule.tests.iter().any(|t| !t.expect.is_empty());
    let negative = rule.tests.iter().any(|t| !t.absent.is_empty());
    if !positive || !negative {
        diags.push(incomplete(
            format!("rule `{}` needs at least one positive (`expect:`) and one negative (`absent:`) test", rule.id),
            "add test models that show where it fires and the near miss where it must not",
        ));
    }
    for t in &rule.tests {
        if t.model.is_none() == t.file.is_none() {
            diags.push(Diagnostic::error(
                Code::IncompleteRule,
                t.span,
                format!(
                    "test `{}` needs exactly one of `model:` and `file:`",
                    t.name
                ),
            ));
        }
    }
    for m in &rule.mitigations {
        if !cat.controls.contains_key(m.as_str()) {
            let help = threatwright_model::suggest::did_you_mean(
                m,
                cat.controls.keys().map(String::as_str),
            )
            .unwrap_or_else(|| {
                "add a control file under catalog/controls/ or cite an existing control".into()
            });
            diags.push(
                Diagnostic::error(
                    Code::UnknownControl,
                    m.span,
                    format!("no control `{m}` in the catalog"),
                )
                .with_help(help),
            );
        }
    }
    if let Some(refs) = &rule.references {
        check_refs(
            &refs.atlas,
            "ATLAS technique",
            is_atlas_id,
            "AML.T0051 or AML.T0051.001",
            diags,
        );
        check_refs(
            &refs.owasp_llm,
            "OWASP LLM Top 10 2025 id",
            |s| is_numbered(s, "LLM", ":2025"),
            "LLM01:2025 … LLM10:2025",
            diags,
        );
        check_refs(
            &refs.owasp_ml,
            "OWASP ML Top 10 id",
            |s| is_numbered(s, "ML", ":2023"),
            "ML01:2023 … ML10:2023",
            diags,
        );
        check_refs(
            &refs.cwe,
            "CWE id",
            |s| {
                s.strip_prefix("CWE-")
                    .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            },
            "CWE-79",
            diags,
        );
        check_refs(
            &refs.cosai,
            "CoSAI risk id",
            |s| {
                s.starts_with("risk") && s.len() > 4 && s.chars().all(|c| c.is_ascii_alphanumeric())
            },
            "riskPromptInjection",
            diags,
        );
    }
    if let Some(refs) = &rule.references
        && !cat.frameworks.is_empty()
    {
        let fw = &cat.frameworks;
        for (list, known, what) in [
            (&refs.atlas, &fw.atlas, "ATLAS technique"),
            (&refs.cosai, &fw.cosai, "CoSAI risk"),
            (&refs.owasp_llm, &fw.owasp_llm, "OWASP LLM Top 10 item"),
            (&refs.owasp_ml, &fw.owasp_ml, "OWASP ML Top 10 item"),
        ] {
            for r in list {
                if !known.is_empty() && !known.contains_key(r.as_str()) {
                    let help = threatwright_model::suggest::did_you_mean(
                        r,
                        known.keys().map(String::as_str),
                    )
                    .unwrap_or_else(|| format!("see catalog/frameworks/ for the known {what} ids"));
                    diags.push(
                        Diagnostic::error(
                            Code::BadFrameworkReference,
                            r.span,
                            format!("no {what} `{r}`"),
                        )
                        .with_help(help),
                    );
                }
            }
        }
    }
    let condition = match compile(&rule.condition.name, &allowed) {
        Ok(p) => Some(p),
        Err(e) => {
            diags.push(expr_error(&rule.condition, "condition", e));
            None
        }
    };
    let mut evidence = Vec::new();
    for ev in &rule.evidence {
        let when = ev.when.as_ref().and_then(|w| {
            compile(&w.name, &allowed)
                .map_err(|e| diags.push(expr_error(w, "evidence `when`", e)))
                .ok()
        });
        match compile_template(&ev.say.name, &allowed) {
            Ok(t) => evidence.push((when, t)),
            Err(e) => diags.push(expr_error(&ev.say, "evidence", e)),
        }
    }
    let mut questions = Vec::new();
    for q in &rule.questions {
        let when = q.when.as_ref().and_then(|w| {
            compile(&w.name, &allowed)
                .map_err(|e| diags.push(expr_error(w, "question `when`", e)))
                .ok()
        });
        questions.push((when, q.ask.clone()));
    }
    if diags.iter().filter(|d| d.is_error()).count() > errors_before {
        return None;
    }
    Some(CompiledRule {
        rule,
        file,
        path,
        condition: condition?,
        evidence,
        questions,
        builtin,
    })
}

fn check_refs(
    list: &[Text],
    what: &str,
    ok: impl Fn(&str) -> bool,
    example: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen = BTreeSet::new();
    for r in list {
        if !ok(&r.name) {
            diags.push(
                Diagnostic::error(
                    Code::BadFrameworkReference,
                    r.span,
                    format!("`{r}` is not a valid {what}"),
                )
                .with_help(format!("write it as {example}")),
            );
        } else if !seen.insert(r.name.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::BadFrameworkReference,
                    r.span,
                    format!("`{r}` is cited twice"),
                )
                .with_help("remove the repeat"),
            );
        }
    }
}

pub fn is_atlas_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("AML.T") else {
        return false;
    };
    let (main, sub) = rest
        .split_once('.')
        .map_or((rest, None), |(a, b)| (a, Some(b)));
    main.len() == 4
        && main.chars().all(|c| c.is_ascii_digit())
        && sub.is_none_or(|b| b.len() == 3 && b.chars().all(|c| c.is_ascii_digit()))
}

fn is_numbered(s: &str, prefix: &str, suffix: &str) -> bool {
    s.strip_prefix(prefix)
        .and_then(|r| r.strip_suffix(suffix))
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| (1..=10).contains(&n))
        && s.len() == prefix.len() + 2 + suffix.len()
}
