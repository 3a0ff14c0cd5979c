//! Limits on what the loader accepts. A model file is often written by people outside
//! the team (a pull request, an import), and the web app loads models sent over the
//! network, so every cost of loading is bounded before it is paid.

/// The bounds the loader enforces. Every one can be raised from the CLI for very large
/// models; the defaults fit any hand-written model many times over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes. Checked before the file is read.
    pub max_file_size: u64,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most YAML nodes in one file, counting every node an alias expands to.
    pub max_nodes: usize,
    /// Most nodes that aliases (`*name`) may expand to, summed over the file. Aliases are
    /// rare in models; this is what stops "billion laughs" early and cheaply.
    pub max_alias_nodes: usize,
    /// Longest single scalar (a string value), in bytes.
    pub max_scalar: usize,
    /// Deepest chain of `include:` (a file including a file including …).
    pub max_include_depth: usize,
    /// Most files one model may be made of.
    pub max_files: usize,
}

impl Limits {
    pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;
    pub const DEFAULT_MAX_ALIAS_NODES: usize = 100_000;
    pub const DEFAULT_MAX_DEPTH: usize = 64;
    pub const DEFAULT_MAX_NODES: usize = 5_000_000;
    pub const DEFAULT_MAX_SCALAR: usize = 256 * 1024;
    pub const DEFAULT_MAX_INCLUDE_DEPTH: usize = 16;
    pub const DEFAULT_MAX_FILES: usize = 256;

    /// Rows for the documentation: name, default, CLI flag, meaning.
    pub fn documented() -> Vec<(&'static str, String, &'static str, &'static str)> {
        let d = Limits::default();
        vec![
            (
                "file size",
                format!("{} MiB", d.max_file_size / (1024 * 1024)),
                "--max-file-size BYTES",
                "checked before reading; larger files are refused unread",
            ),
            (
                "nesting depth",
                d.max_depth.to_string(),
                "--max-depth N",
                "mappings and sequences inside each other",
            ),
            (
                "nodes per file",
                d.max_nodes.to_string(),
                "--max-nodes N",
                "every key, value and item, aliases expanded; stops alias bombs",
            ),
            (
                "alias expansion",
                d.max_alias_nodes.to_string(),
                "--max-alias-nodes N",
                "nodes that aliases expand to, summed over a file",
            ),
            (
                "scalar length",
                format!("{} KiB", d.max_scalar / 1024),
                "--max-scalar BYTES",
                "one string value",
            ),
            (
                "include depth",
                d.max_include_depth.to_string(),
                "--max-include-depth N",
                "a file including a file including …",
            ),
            (
                "files per model",
                d.max_files.to_string(),
                "--max-files N",
                "the root file and everything it includes",
            ),
        ]
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: Self::DEFAULT_MAX_FILE_SIZE,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_nodes: Self::DEFAULT_MAX_NODES,
            max_alias_nodes: Self::DEFAULT_MAX_ALIAS_NODES,
            max_scalar: Self::DEFAULT_MAX_SCALAR,
            max_include_depth: Self::DEFAULT_MAX_INCLUDE_DEPTH,
            max_files: Self::DEFAULT_MAX_FILES,
        }
    }
}
