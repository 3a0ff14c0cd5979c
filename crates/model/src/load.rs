//! Loading a model: read each file under the limits, parse, decode, follow `include:`,
//! merge, then validate the whole. Problems in the model are collected as diagnostics;
//! only a root file that cannot be read at all is an `Err`.

use crate::decode::{Cx, Decode};
use crate::diag::{Code, Diagnostic, sort_diagnostics};
use crate::limits::Limits;
use crate::span::{FileId, SourceMap, Span};
use crate::types::{Document, Model};
use crate::{validate, yaml};
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The tool could not start on this input at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The outcome of loading: the files read, every diagnostic, and the model when it has
/// no errors.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    /// Present when there are no errors (warnings allowed).
    pub model: Option<Model>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads the model whose root file is `path` (`-` reads standard input).
pub fn load_path(path: &Path, limits: &Limits) -> Result<Loaded, LoadError> {
    let mut loader = Loader::new(limits);
    let text = if path == Path::new("-") {
        read_limited(std::io::stdin().lock(), limits.max_file_size)
    } else {
        read_file(path, limits.max_file_size)
    }
    .map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    loader.file(path.to_owned(), canonical, text, true);
    Ok(loader.finish())
}

/// Loads a model from text in memory (tests, the web app). Includes are resolved relative
/// to the current directory.
pub fn load_str(name: &str, text: &str, limits: &Limits) -> Loaded {
    let mut loader = Loader::new(limits);
    let bytes = if text.len() as u64 > limits.max_file_size {
        Content::Oversize(text.len() as u64)
    } else {
        Content::Text(text.as_bytes().to_vec())
    };
    loader.file(PathBuf::from(name), PathBuf::from(name), bytes, true);
    loader.finish()
}

enum Content {
    Text(Vec<u8>),
    Oversize(u64),
}

/// Reads a file unless its stated size is over `max`; special files that state no size
/// (pipes, devices) are read up to `max + 1` bytes.
fn read_file(path: &Path, max: u64) -> std::io::Result<Content> {
    let f = std::fs::File::open(path)?;
    let meta = f.metadata()?;
    if meta.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory; name a model file",
        ));
    }
    if meta.is_file() && meta.len() > max {
        return Ok(Content::Oversize(meta.len()));
    }
    read_limited(f, max)
}

fn read_limited(reader: impl std::io::Read, max: u64) -> std::io::Result<Content> {
    let mut buf = Vec::new();
    let n = reader.take(max + 1).read_to_end(&mut buf)? as u64;
    Ok(if n > max {
        Content::Oversize(n)
    } else {
        Content::Text(buf)
    })
}

struct Loader<'a> {
    limits: &'a Limits,
    sources: SourceMap,
    diags: Vec<Diagnostic>,
    model: Model,
    /// Canonical paths of the files being included, root first, for cycle detection.
    stack: Vec<PathBuf>,
    /// Every file already merged, so a file included twice is merged once.
    seen: Vec<PathBuf>,
    system_at: Option<Span>,
    dropped_ids: Vec<String>,
}

impl<'a> Loader<'a> {
    fn new(limits: &'a Limits) -> Self {
        Loader {
            limits,
            sources: SourceMap::default(),
            diags: Vec::new(),
            model: Model::default(),
            stack: Vec::new(),
            seen: Vec::new(),
            system_at: None,
            dropped_ids: Vec::new(),
        }
    }

    fn file(&mut self, path: PathBuf, canonical: PathBuf, content: Content, root: bool) {
        let bytes = match content {
            Content::Oversize(n) => {
                let id = self.sources.add(path.clone(), String::new());
                let size = if n > self.limits.max_file_size + 1 {
                    format!("it has {n} bytes")
                } else {
                    "it has more".to_owned()
                };
                self.diags.push(
                    Diagnostic::error(
                        Code::FileTooLarge,
                        Span {
                            file: id,
                            line: 1,
                            col: 1,
                            ..Span::default()
                        },
                        format!(
                            "{} is over the file size limit of {} bytes ({size}); it was not read",
                            path.display(),
                            self.limits.max_file_size
                        ),
                    )
                    .with_help(
                        "split the model with `include:`, or raise the limit with --max-file-size",
                    ),
                );
                return;
            }
            Content::Text(b) => b,
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let id = self.sources.add(path, text);
                let span = self.sources.span_of_bytes(
                    id,
                    valid.min(self.sources.get(id).text.len()),
                    valid,
                );
                self.diags.push(
                    Diagnostic::error(Code::Syntax, span, "the file is not valid UTF-8 text")
                        .with_help("save the file as UTF-8"),
                );
                return;
            }
        };
        let id = self.sources.add(path.clone(), text);
        self.seen.push(canonical.clone());
        self.stack.push(canonical);
        self.parse_and_merge(id, &path, root);
        self.stack.pop();
    }

    fn parse_and_merge(&mut self, id: FileId, path: &Path, root: bool) {
        let text = self.sources.get(id).text.clone();
        let Some(node) = yaml::parse(&text, id, &self.sources, self.limits, &mut self.diags) else {
            return;
        };
        drop(text);
        let at_start = Span {
            file: id,
            line: 1,
            col: 1,
            ..Span::default()
        };
        if node.value == yaml::Value::Null {
            self.diags.push(
                Diagnostic::error(Code::WrongType, at_start, "the file is empty")
                    .with_help("start a model with `threatwright: 1`, or run `threatwright init`"),
            );
            return;
        }
        let mut cx = Cx::new(&mut self.diags);
        let doc = Document::decode(&node, &mut cx);
        self.dropped_ids.append(&mut cx.dropped_ids);
        let Some(doc) = doc else {
            return;
        };
        match doc.threatwright {
            Some(1) => {}
            None if !root => {}
            None => self.diags.push(
                Diagnostic::error(
                    Code::VersionMismatch,
                    node.span,
                    "the model does not say which format version it uses",
                )
                .with_label("expected `threatwright: 1` in this mapping")
                .with_help("add `threatwright: 1` as the first line"),
            ),
            Some(v) => {
                let span = node
                    .as_map()
                    .and_then(|m| m.iter().find(|e| e.key.value == "threatwright"))
                    .map_or(node.span, |e| e.value.span);
                self.diags.push(
                    Diagnostic::error(
                        Code::VersionMismatch,
                        span,
                        format!("format version {v} is not supported"),
                    )
                    .with_label("unsupported version")
                    .with_help("this Threatwright reads format version 1; write `threatwright: 1`"),
                );
            }
        }
        if let Some(system) = &doc.system {
            match self.system_at {
                Some(first) => self.diags.push(
                    Diagnostic::error(
                        Code::DuplicateSystem,
                        system.span,
                        "`system` is defined a second time",
                    )
                    .with_label("second definition")
                    .with_related(first, "first definition")
                    .with_help("define `system` once, in the root file"),
                ),
                None => self.system_at = Some(system.span),
            }
        }
        let includes = doc.include.clone();
        self.model.absorb(doc);
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for inc in includes {
            self.include(&dir, &inc.name, inc.span);
        }
    }

    fn include(&mut self, dir: &Path, target: &str, at: Span) {
        let path = dir.join(target);
        let canonical = match path.canonicalize() {
            Ok(c) => c,
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(Code::Io, at, format!("cannot include `{target}`: {e}"))
                        .with_label("included here")
                        .with_help(format!(
                            "paths are relative to the including file; looked for {}",
                            path.display()
                        )),
                );
                return;
            }
        };
        if let Some(pos) = self.stack.iter().position(|p| *p == canonical) {
            let chain: Vec<String> = self.stack[pos..]
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| file_name(p))
                .collect();
            self.diags.push(
                Diagnostic::error(
                    Code::IncludeCycle,
                    at,
                    format!("include cycle: {}", chain.join(" → ")),
                )
                .with_label("this include closes the cycle")
                .with_help("remove one of the includes; each file may be included once"),
            );
            return;
        }
        if self.seen.contains(&canonical) {
            return;
        }
        if self.stack.len() > self.limits.max_include_depth {
            self.diags.push(
                Diagnostic::error(Code::IncludeLimit, at, format!("includes are nested more than {} levels deep", self.limits.max_include_depth))
                    .with_help("include the files from fewer levels, or raise the limit with --max-include-depth"),
            );
            return;
        }
        if self.sources.len() >= self.limits.max_files {
            self.diags.push(
                Diagnostic::error(
                    Code::IncludeLimit,
                    at,
                    format!(
                        "the model is made of more than {} files",
                        self.limits.max_files
                    ),
                )
                .with_help("merge some files, or raise the limit with --max-files"),
            );
            return;
        }
        match read_file(&path, self.limits.max_file_size) {
            Ok(content) => self.file(path, canonical, content, false),
            Err(e) => self.diags.push(
                Diagnostic::error(Code::Io, at, format!("cannot read `{target}`: {e}"))
                    .with_label("included here"),
            ),
        }
    }

    fn finish(mut self) -> Loaded {
        validate::validate(&self.model, &self.dropped_ids, &mut self.diags);
        sort_diagnostics(&mut self.diags);
        let ok = !self.diags.iter().any(Diagnostic::is_error);
        self.model.version = 1;
        Loaded {
            sources: self.sources,
            diagnostics: self.diags,
            model: ok.then_some(self.model),
        }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
