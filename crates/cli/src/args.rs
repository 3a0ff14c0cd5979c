//! Command-line arguments. What was typed, before anything is resolved.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use threatwright_model::Limits;

#[derive(Parser, Debug)]
#[command(name = "threatwright", version, about = "AI threat modeling as code", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check model files: syntax, keys, values, ids and references.
    ///
    /// Exit status: 0 when every model is valid (warnings allowed), 1 when any model has
    /// errors, 2 when a file cannot be read or the arguments are wrong.
    Validate(ValidateArgs),
    /// Print the JSON Schema of the model format, for editors and other tools.
    Schema(SchemaArgs),
    /// Find the threats of a model: ranked, explained, with references and mitigations.
    ///
    /// Exit status: 0 when the analysis ran, 1 when the model has errors, 2 when a file
    /// cannot be read or the catalog is broken.
    Analyze(AnalyzeArgs),
    /// Gate a pipeline: exit 1 when an open threat at or above a level remains.
    ///
    /// Accepted, mitigated, transferred and false-positive threats do not count; expired
    /// acceptances do. With --baseline, only threats new or worse than in the baseline
    /// count. Exit status: 0 pass, 1 gate failed or the model has errors, 2 tool failure.
    Check(CheckArgs),
    /// What changed between two versions of a model: threats, risk, elements, flows.
    Diff(DiffArgs),
    /// List, show and test the threat rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write a commented starter model from a template.
    Init(InitArgs),
    /// Generate a synthetic model of a given size (for benchmarks and comparisons).
    Gen(GenArgs),
    /// Draw the data-flow diagram, or the lineage of one data asset.
    ///
    /// Trust zones are lanes (clusters in DOT and Mermaid), each kind has its shape, flows
    /// that cross zones are highlighted and components are coloured by their highest open
    /// residual risk. SVG is drawn without any external program; `--layout graphviz` uses
    /// Graphviz `dot` instead (stopped after 5 minutes).
    Diagram(DiagramArgs),
    /// Attack trees: generated for attacker goals from the graph and the threats, and the
    /// hand-written ones under `attack_trees:`, with chance of success and cheapest path.
    Tree(TreeArgs),
    /// Write a report for people: HTML (self-contained), Markdown, CSV (the threat
    /// register) or PDF (printed by Chromium).
    Report(ReportArgs),
    /// Export the AI bill of materials (models, datasets, AI services, tools) as a
    /// CycloneDX 1.6 ML-BOM in JSON.
    Bom(BomArgs),
}

/// The model to analyse and how.
#[derive(Args, Debug)]
pub struct ModelArgs {
    /// The model file (YAML or JSON); `-` reads standard input; `git:REV:path` a committed version.
    #[arg(value_name = "MODEL")]
    pub model: String,
    #[command(flatten)]
    pub policy: crate::analysis_args::PolicyArgs,
    #[command(flatten)]
    pub catalog: crate::catalog_args::CatalogArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Args, Debug)]
pub struct DiagramArgs {
    #[command(flatten)]
    pub source: ModelArgs,
    #[arg(long, value_enum, default_value_t = DiagramFormat::Svg)]
    pub format: DiagramFormat,
    /// Draw the lineage of this data asset (an id from `data:`) instead of the whole system.
    #[arg(long, value_name = "DATA")]
    pub lineage: Option<String>,
    /// How SVG is laid out: builtin (pure Rust), graphviz (needs `dot`), or auto
    /// (graphviz for 150 to 600 components when `dot` is installed, builtin otherwise).
    #[arg(long, value_enum, default_value_t = Layout::Auto)]
    pub layout: Layout,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    Svg,
    Dot,
    Mermaid,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Layout {
    Auto,
    Builtin,
    Graphviz,
}

#[derive(Args, Debug)]
pub struct TreeArgs {
    #[command(flatten)]
    pub source: ModelArgs,
    /// Only this goal: a generated goal (exfiltrate-data, agent-unauthorised-action,
    /// corrupt-model, steal-model, deny-ai-service, evade-model, execute-code) or the id
    /// of a hand-written tree.
    #[arg(long, value_name = "GOAL")]
    pub goal: Option<String>,
    #[arg(long, value_enum, default_value_t = TreeFormat::Human)]
    pub format: TreeFormat,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum TreeFormat {
    /// An indented outline; `*` marks the cheapest way.
    Human,
    Mermaid,
    Dot,
    Svg,
    Json,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub source: ModelArgs,
    /// Where to write; the format follows the extension (.html, .md, .csv, .pdf) unless
    /// --format says otherwise. Standard output when left out (not for PDF).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum)]
    pub format: Option<DocFormat>,
    /// Chromium (or Chrome) to print PDF with; default: the first of chromium,
    /// chromium-browser, google-chrome on PATH.
    #[arg(long, value_name = "PROGRAM")]
    pub chromium: Option<PathBuf>,
    /// No progress bar on standard error.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Html,
    Markdown,
    Csv,
    Pdf,
}

#[derive(Args, Debug)]
pub struct BomArgs {
    #[command(flatten)]
    pub source: ModelArgs,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct GenArgs {
    /// Number of components.
    #[arg(long, default_value_t = 1000)]
    pub components: usize,
    /// Number of flows.
    #[arg(long, default_value_t = 5000)]
    pub flows: usize,
    /// yaml (a Threatwright model) or pytm (the same system as a pytm script).
    #[arg(long, value_enum, default_value_t = GenFormat::Yaml)]
    pub format: GenFormat,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GenFormat {
    Yaml,
    Pytm,
}

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// The model file (YAML or JSON); `-` reads standard input; `git:REV:path` a committed version.
    #[arg(value_name = "MODEL")]
    pub model: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub policy: crate::analysis_args::PolicyArgs,
    /// How many threats and questions the human format lists.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    #[command(flatten)]
    pub catalog: crate::catalog_args::CatalogArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Readable summary.
    Human,
    /// The whole assessment (docs/analysis-json.md).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub fn severity(self) -> threatwright_engine::Severity {
        use threatwright_engine::Severity as S;
        match self {
            Level::Low => S::Low,
            Level::Medium => S::Medium,
            Level::High => S::High,
            Level::Critical => S::Critical,
        }
    }
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The model file; `git:REV:path` reads a committed version.
    #[arg(value_name = "MODEL")]
    pub model: String,
    /// Fail when an open threat's residual risk is at or above this level.
    #[arg(long, value_enum, default_value_t = Level::High)]
    pub fail_on: Level,
    /// An earlier version of the model (a file or git:REV:path): fail only on threats that
    /// are new or worse than in it.
    #[arg(long, value_name = "OLD")]
    pub baseline: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub policy: crate::analysis_args::PolicyArgs,
    #[command(flatten)]
    pub catalog: crate::catalog_args::CatalogArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The earlier model (a file or git:REV:path).
    pub old: String,
    /// The later model (a file or git:REV:path).
    pub new: String,
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    #[command(flatten)]
    pub policy: crate::analysis_args::PolicyArgs,
    #[command(flatten)]
    pub catalog: crate::catalog_args::CatalogArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Human,
    Json,
    /// For a pull-request comment.
    Markdown,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List the rules of the catalog.
    List {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        catalog: crate::catalog_args::CatalogArgs,
    },
    /// Show one rule in full.
    Show {
        /// The rule id.
        id: String,
        #[command(flatten)]
        catalog: crate::catalog_args::CatalogArgs,
    },
    /// Run the rules' own test models (all rules, or the rule files under PATH).
    ///
    /// Exit status: 0 when every test passes, 1 when a test fails or a rule is broken.
    Test {
        /// Rule files or directories to test; by default the whole catalog.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        catalog: crate::catalog_args::CatalogArgs,
    },
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Model files (YAML or JSON); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors (exit 1 when there are any).
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable diagnostics with source snippets.
    Human,
    /// Machine-readable diagnostics.
    Json,
}

/// Loader limits, raisable for very large models.
#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// Largest model file accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::DEFAULT_MAX_FILE_SIZE, help_heading = "Limits")]
    pub max_file_size: u64,
    /// Deepest nesting of mappings and lists.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT_MAX_DEPTH, help_heading = "Limits")]
    pub max_depth: usize,
    /// Most YAML nodes per file, aliases expanded.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT_MAX_NODES, help_heading = "Limits")]
    pub max_nodes: usize,
    /// Most nodes aliases may expand to, per file.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT_MAX_ALIAS_NODES, help_heading = "Limits")]
    pub max_alias_nodes: usize,
    /// Longest single value, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::DEFAULT_MAX_SCALAR, help_heading = "Limits")]
    pub max_scalar: usize,
    /// Deepest chain of includes.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT_MAX_INCLUDE_DEPTH, help_heading = "Limits")]
    pub max_include_depth: usize,
    /// Most files in one model.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT_MAX_FILES, help_heading = "Limits")]
    pub max_files: usize,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_size: self.max_file_size,
            max_depth: self.max_depth,
            max_nodes: self.max_nodes,
            max_alias_nodes: self.max_alias_nodes,
            max_scalar: self.max_scalar,
            max_include_depth: self.max_include_depth,
            max_files: self.max_files,
        }
    }
}

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Where to write the model.
    #[arg(default_value = "threatwright.yaml", value_name = "FILE")]
    pub path: PathBuf,
    /// Starter template; asked for interactively on a terminal when left out.
    #[arg(short, long, value_enum)]
    pub template: Option<Template>,
    /// The system's display name.
    #[arg(long)]
    pub name: Option<String>,
    /// The system's id (derived from the name when left out).
    #[arg(long)]
    pub id: Option<String>,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
    /// Ask for the template and names even when standard input is not a terminal.
    #[arg(long, conflicts_with = "no_interactive")]
    pub interactive: bool,
    /// Never ask; fail when the template is missing.
    #[arg(long)]
    pub no_interactive: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Template {
    /// A retrieval-augmented assistant over company documents.
    RagAssistant,
    /// An LLM agent that calls tools.
    ToolAgent,
    /// A predictive model served behind an API.
    PredictiveService,
    /// Fine-tuning open weights on your own data.
    FineTuningPipeline,
}
