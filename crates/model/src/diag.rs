//! Diagnostics: problems found in a user's model, collected rather than thrown, so that
//! one run reports every mistake at once, in file order.

use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($( $variant:ident = $name:literal : $desc:literal, )*) => {
        /// Stable diagnostic codes. Their names are part of the public interface: scripts
        /// match on them, and the docs have one entry for each.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];
            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }
            /// One line on what the code means, for the docs and `--format json` users.
            pub fn description(self) -> &'static str {
                match self { $( Code::$variant => $desc, )* }
            }
        }
    };
}

codes! {
    Io = "io": "A file could not be read.",
    FileTooLarge = "file-too-large": "A model file is larger than the size limit.",
    Syntax = "yaml-syntax": "The file is not well-formed YAML or JSON.",
    NestingTooDeep = "nesting-too-deep": "Mappings and sequences are nested deeper than the nesting limit.",
    TooManyNodes = "too-many-nodes": "The document, with its aliases expanded, has more nodes than the node limit.",
    ScalarTooLarge = "scalar-too-large": "A single value is longer than the scalar limit.",
    MultipleDocuments = "multiple-documents": "A model file holds more than one YAML document.",
    UnsupportedYaml = "unsupported-yaml": "A YAML feature the format does not use (custom tags, merge keys, complex keys).",
    DuplicateKey = "duplicate-key": "The same key appears twice in one mapping.",
    UnknownKey = "unknown-key": "A key the format does not define at this place.",
    MissingKey = "missing-key": "A required key is absent.",
    WrongType = "wrong-type": "A value has the wrong type (for example a list where a string is expected).",
    BadValue = "bad-value": "A value is not one of the allowed values, or is malformed.",
    BadId = "bad-id": "An id does not follow the id syntax.",
    DuplicateId = "duplicate-id": "Two elements share an id.",
    UnknownReference = "unknown-reference": "A reference names an id that no element has.",
    WrongReferenceKind = "wrong-reference-kind": "A reference names an element of the wrong kind.",
    KindMismatch = "attribute-of-other-kind": "An attribute belongs to another component kind.",
    MissingZone = "missing-zone": "A component lies outside every zone although the model has zones.",
    SelfFlow = "self-flow": "A flow goes from an element to itself.",
    AmbiguousFlow = "ambiguous-flow": "Two flows between the same elements need explicit ids.",
    ZoneCycle = "zone-cycle": "Zones are nested inside each other in a cycle.",
    IncludeCycle = "include-cycle": "A file includes itself, directly or through other files.",
    IncludeLimit = "include-limit": "Includes are nested deeper, or name more files, than the limit.",
    VersionMismatch = "unsupported-version": "The `threatwright` format version is missing or not supported.",
    DuplicateSystem = "duplicate-system": "More than one file defines `system`.",
    UnusedData = "unused-data": "A data asset that no component stores and no flow carries.",
    Unconnected = "unconnected-component": "A component that is in no flow.",
    EmptyZone = "empty-zone": "A zone with no components and no zones inside it.",
    ControlWithoutStatus = "control-without-status": "A `controls:` entry with no `status`, which the analysis cannot credit.",
    BadExpression = "bad-expression": "A rule's CEL expression does not compile, is too long or too complex, or uses a variable its targets do not have.",
    IdMismatch = "id-mismatch": "A catalog file's id differs from its file name.",
    UnknownControl = "unknown-control": "A rule or model names a control the catalog does not define.",
    UnknownRule = "unknown-rule": "A rule's `subsumes` names a rule the catalog does not define.",
    BadFrameworkReference = "bad-framework-reference": "A rule cites a framework id that is malformed or does not exist.",
    IncompleteRule = "incomplete-rule": "A rule lacks something every rule needs (targets, tests, a sane score).",
}

/// A secondary place that helps explain a diagnostic, such as the first of two duplicates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// Where the problem is; `None` only for problems with no place (an unreadable file).
    pub span: Option<Span>,
    /// What the primary label under the caret says.
    pub label: Option<String>,
    pub related: Vec<Label>,
    /// What to do about it, including "did you mean".
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: Some(span),
            label: None,
            related: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    pub fn without_span(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            span: None,
            ..Diagnostic::error(code, Span::default(), message)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Order: file, then position, then code, so output is stable and reads top to bottom.
    pub fn sort_key(&self) -> (u32, usize, Code, &str) {
        let (file, start) = self.span.map_or((u32::MAX, 0), |s| (s.file.0, s.start));
        (file, start, self.code, &self.message)
    }
}

/// Sorts diagnostics into file order and drops exact repeats.
pub fn sort_diagnostics(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.name()).collect();
        for n in &names {
            assert!(n.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{n}");
        }
        names.sort();
        let len = names.len();
        names.dedup();
        assert_eq!(len, names.len());
    }
}
