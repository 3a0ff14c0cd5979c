//! What the team has put in place and decided: controls, risk tracking, assumptions,
//! decisions, incidents and hand-written attack trees.

use super::enums::*;
use super::scalars::*;
use crate::record;

record! {
    /// A safeguard in place or planned, attached to elements.
    pub struct ControlUse as "control" {
        req control: Id = "Catalog control id, e.g. rate-limiting.",
        list targets: Ref = "Ids of the elements it protects (zones, data, components, flows).",
        opt status: ControlStatus = "planned, implemented or verified.",
        opt evidence: String = "Where to see that it works (a link, a test, an audit).",
        opt owner: Role = "The role responsible for it.",
        opt description: String = "Details.",
    }
}

record! {
    /// Tracking of identified threats.
    pub struct RiskEntry as "risk entry" {
        req threat: ThreatPattern = "Threat instance id or glob (`rule@element`, `*` matches one segment).",
        req status: RiskStatus = "Tracking state.",
        opt owner: Role = "The role responsible.",
        opt rationale: String = "Why this status; required reading for an acceptance.",
        opt expires: Date = "When an acceptance lapses and the threat is open again.",
        opt ticket: String = "Tracker reference.",
    }
}

record! {
    /// Something taken as true that the analysis depends on.
    pub struct Assumption as "assumption" {
        req id: Id = "Stable id, unique among assumptions.",
        req text: String = "The assumption.",
        list affects: ThreatPattern = "Element ids or threat globs it bears on.",
        opt validated: bool = "Whether someone checked it.",
    }
}

record! {
    /// A decision taken about the system's security.
    pub struct Decision as "decision" {
        req id: Id = "Stable id, unique among decisions.",
        opt date: Date = "When it was taken.",
        req text: String = "The decision.",
        opt rationale: String = "Why.",
        opt by: Role = "The role that took it.",
        list addresses: ThreatPattern = "Threat globs it addresses.",
    }
}

record! {
    /// Something that happened; raises the likelihood of the threats it names.
    pub struct Incident as "incident" {
        req id: Id = "Stable id, unique among incidents.",
        req date: Date = "When it happened.",
        req summary: String = "What happened.",
        opt source: IncidentSource = "How it became known.",
        list threats: ThreatPattern = "Threat ids or globs it is evidence for.",
    }
}

record! {
    /// A hand-written attack tree.
    pub struct AttackTree as "attack tree" {
        req id: Id = "Stable id, unique among attack trees.",
        req goal: String = "What the attacker wants.",
        opt description: String = "Context.",
        req root: AttackNode = "The top node.",
    }
}

record! {
    /// A step in an attack tree: a leaf, or a gate over children.
    pub struct AttackNode as "attack tree node" {
        req title: String = "What the attacker does.",
        opt gate: Gate = "How the children combine: and (all needed) or or (any one suffices).",
        list children: AttackNode = "Sub-steps.",
        opt threat: ThreatPattern = "The threat instance this leaf stands for.",
        opt probability: f64 = "Chance of success, 0 to 1.",
        opt cost: f64 = "Attacker cost in USD.",
    }
}
