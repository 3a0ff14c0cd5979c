//! The closed value sets of the format. Each is kebab-case in YAML.

use crate::string_enum;

string_enum! {
    /// How much an element matters to the business; scales impact.
    pub enum Criticality as "criticality" { Low = "low", Medium = "medium", High = "high", Critical = "critical", }
}
string_enum! {
    /// Where the system is in its life.
    pub enum Lifecycle as "lifecycle stage" { Design = "design", Development = "development", Staging = "staging", Production = "production", Retired = "retired", }
}
string_enum! {
    /// A stakeholder role that owns threats, controls and decisions.
    pub enum Role as "role" {
        Security = "security", MlEngineering = "ml-engineering", Product = "product", Compliance = "compliance",
        Development = "development", Operations = "operations", DataGovernance = "data-governance",
    }
}
string_enum! {
    /// How far a zone's occupants are trusted.
    pub enum Trust as "trust level" { Untrusted = "untrusted", Partner = "partner", Internal = "internal", Restricted = "restricted", }
}
string_enum! {
    /// Sensitivity of a data asset.
    pub enum Classification as "classification" { Public = "public", Internal = "internal", Confidential = "confidential", Restricted = "restricted", }
}
string_enum! {
    /// What kind of information a data asset holds.
    pub enum DataCategory as "data category" {
        Pii = "pii", Phi = "phi", Pci = "pci", Biometric = "biometric", Financial = "financial", Credentials = "credentials",
        Secrets = "secrets", Ip = "ip", SourceCode = "source-code", ModelWeights = "model-weights", TrainingData = "training-data",
        Prompts = "prompts", Embeddings = "embeddings", Telemetry = "telemetry", Logs = "logs",
    }
}
string_enum! {
    /// Where data comes from; public-web, user-generated and third-party data can be attacker-controlled.
    pub enum Provenance as "provenance" {
        Internal = "internal", ThirdParty = "third-party", UserGenerated = "user-generated", PublicWeb = "public-web", Synthetic = "synthetic",
    }
}
string_enum! {
    /// How much harm a change to the data would do.
    pub enum Integrity as "integrity level" { Low = "low", Medium = "medium", High = "high", Critical = "critical", }
}
string_enum! {
    /// Who can reach a component directly, where that differs from its zone.
    pub enum Exposure as "exposure" { Internet = "internet", Partner = "partner", Internal = "internal", }
}
string_enum! {
    /// Where a component keeps the secrets it uses to reach others.
    pub enum CredentialStorage as "credential storage" { SecretStore = "secret-store", Env = "env", File = "file", Hardcoded = "hardcoded", }
}
string_enum! {
    /// How much a credential allows.
    pub enum CredentialScope as "credential scope" { Narrow = "narrow", Broad = "broad", }
}
string_enum! {
    /// Whose code a component runs.
    pub enum CodeFrom as "code origin" { Users = "users", Model = "model", None = "none", }
}
string_enum! {
    /// How code run by a component is separated from it.
    pub enum Isolation as "isolation" { None = "none", Process = "process", Container = "container", Vm = "vm", }
}
string_enum! {
    /// Where a component may open network connections.
    pub enum Egress as "egress policy" { Open = "open", Allowlist = "allowlist", None = "none", }
}
string_enum! {
    /// What an AI component is allowed to do; weighed for misuse.
    pub enum Capability as "capability" {
        TextGeneration = "text-generation", CodeGeneration = "code-generation", ToolUse = "tool-use", WebBrowsing = "web-browsing",
        AutonomousActions = "autonomous-actions", DecisionRecommendation = "decision-recommendation", AutoCompletion = "auto-completion",
        ImageGeneration = "image-generation", Memory = "memory",
    }
}
string_enum! {
    /// Authentication on a flow.
    pub enum Auth as "authentication" { None = "none", ApiKey = "api-key", Session = "session", Oauth = "oauth", Mtls = "mtls", Iam = "iam", Signed = "signed", }
}
string_enum! {
    /// The state of a control.
    pub enum ControlStatus as "control status" { Planned = "planned", Implemented = "implemented", Verified = "verified", }
}
string_enum! {
    /// The tracking state of a threat.
    pub enum RiskStatus as "risk status" {
        Open = "open", InProgress = "in-progress", Mitigated = "mitigated", Accepted = "accepted", FalsePositive = "false-positive", Transferred = "transferred",
    }
}
string_enum! {
    /// Where knowledge of an incident came from.
    pub enum IncidentSource as "incident source" { Internal = "internal", RedTeam = "red-team", UserReport = "user-report", ThreatIntel = "threat-intel", }
}
string_enum! {
    /// How the children of an attack-tree node combine.
    pub enum Gate as "gate" { And = "and", Or = "or", }
}
string_enum! {
    /// Who a human user is.
    pub enum Population as "population" { Public = "public", Customers = "customers", Employees = "employees", Admins = "admins", }
}
string_enum! {
    /// Who labels data.
    pub enum Workforce as "workforce" { Internal = "internal", Crowd = "crowd", Vendor = "vendor", Automated = "automated", }
}
string_enum! {
    /// How a model is trained.
    pub enum TrainingMethod as "training method" {
        Supervised = "supervised", Pretraining = "pretraining", FineTuning = "fine-tuning", Rlhf = "rlhf", Continual = "continual", Federated = "federated",
    }
}
string_enum! {
    /// Where a model's weights come from.
    pub enum ModelSource as "model source" { SelfTrained = "self-trained", OpenWeights = "open-weights", Vendor = "vendor", }
}
string_enum! {
    /// The file format of model weights; pickle-based formats can run code when loaded.
    pub enum ModelFormat as "model format" {
        Safetensors = "safetensors", Pickle = "pickle", Pytorch = "pytorch", Onnx = "onnx", Gguf = "gguf", Keras = "keras", Savedmodel = "savedmodel",
    }
}
string_enum! {
    /// Whether the team checked who published a model.
    pub enum Publisher as "publisher status" { Verified = "verified", Unverified = "unverified", }
}
string_enum! {
    /// What an inference endpoint returns to its callers.
    pub enum Returns as "return type" { Label = "label", Scores = "scores", Probabilities = "probabilities", Embeddings = "embeddings", Text = "text", }
}
string_enum! {
    /// Where a model runs.
    pub enum Hosting as "hosting" { VendorApi = "vendor-api", SelfHosted = "self-hosted", OnDevice = "on-device", }
}
string_enum! {
    /// How model output is shown or used.
    pub enum RenderedAs as "rendering" { Text = "text", Markdown = "markdown", Html = "html", Code = "code", }
}
string_enum! {
    /// Who reads model output.
    pub enum Audience as "audience" { Public = "public", Users = "users", Internal = "internal", }
}
string_enum! {
    /// How retrieval results are limited to what the asking user may read.
    pub enum AccessControl as "access control" { None = "none", Tenant = "tenant", PerUser = "per-user", }
}
string_enum! {
    /// How long an agent remembers.
    pub enum Memory as "memory" { None = "none", Session = "session", Persistent = "persistent", }
}
string_enum! {
    /// How far an agent acts on its own.
    pub enum Autonomy as "autonomy" { Suggest = "suggest", ActWithApproval = "act-with-approval", Autonomous = "autonomous", }
}
string_enum! {
    /// What starts an agent.
    pub enum Trigger as "trigger" { User = "user", InboundMessage = "inbound-message", Schedule = "schedule", Webhook = "webhook", DocumentChange = "document-change", }
}
string_enum! {
    /// What a tool can do.
    pub enum Action as "tool action" {
        Read = "read", Write = "write", Delete = "delete", ExecuteCode = "execute-code", SendMessage = "send-message",
        HttpRequest = "http-request", Financial = "financial", Browse = "browse", FileSystem = "file-system",
    }
}
string_enum! {
    /// Who confirms a tool call before it runs.
    pub enum Approval as "approval" { None = "none", PerSession = "per-session", PerCall = "per-call", }
}
string_enum! {
    /// Whose rights a tool acts with.
    pub enum ToolIdentity as "tool identity" { User = "user", Service = "service", }
}
string_enum! {
    /// Who a tool may send messages or requests to.
    pub enum Recipients as "recipients" { Any = "any", Allowlist = "allowlist", }
}
string_enum! {
    /// How an agent calls a tool.
    pub enum ToolProtocol as "tool protocol" { Function = "function", Mcp = "mcp", Plugin = "plugin", Http = "http", }
}
string_enum! {
    /// Who wrote a tool.
    pub enum ToolSource as "tool source" { FirstParty = "first-party", ThirdParty = "third-party", Community = "community", }
}
string_enum! {
    /// Where on a path a guardrail sits.
    pub enum GuardrailPosition as "guardrail position" { Input = "input", Output = "output", Retrieval = "retrieval", ToolCall = "tool-call", Artifact = "artifact", }
}
string_enum! {
    /// What a guardrail checks for.
    pub enum GuardrailCheck as "guardrail check" {
        PromptInjection = "prompt-injection", Jailbreak = "jailbreak", Pii = "pii", Secrets = "secrets", Toxicity = "toxicity", Topic = "topic",
        Schema = "schema", Groundedness = "groundedness", UnsafeDeserialization = "unsafe-deserialization", Malware = "malware",
    }
}
string_enum! {
    /// What a guardrail does when a check fails.
    pub enum GuardrailMode as "guardrail mode" { Block = "block", Flag = "flag", }
}
