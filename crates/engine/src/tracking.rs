//! Applying what the team recorded in the model: `risks:` (status, owner, expiry),
//! incidents (raise likelihood), assumptions and decisions (linked to the threats they
//! bear on). Entries that match no threat are reported, so stale tracking is visible.

use crate::assessment::Threat;
use serde::Serialize;
use threatwright_model::types::{Model, RiskEntry, RiskStatus, ThreatPattern};

/// A calendar day as (year, month, day), comparable.
pub type Day = (i32, u32, u32);

/// Today in UTC, from the system clock.
pub fn today() -> Day {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    civil_from_days(secs.div_euclid(86_400))
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> Day {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Parses `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Option<Day> {
    let mut p = s.split('-');
    let d = (
        p.next()?.parse().ok()?,
        p.next()?.parse().ok()?,
        p.next()?.parse().ok()?,
    );
    p.next().is_none().then_some(d)
}

/// How a `risks:` entry applies to one threat.
#[derive(Clone, Debug, Serialize)]
pub struct Tracking {
    /// The entry's `threat` pattern as written.
    pub entry: String,
    /// The status as recorded (before expiry is applied).
    pub recorded_status: &'static str,
    pub owner: Option<&'static str>,
    pub rationale: Option<String>,
    pub expires: Option<String>,
    pub ticket: Option<String>,
    /// An acceptance whose `expires` date has passed: the threat is open again.
    pub expired: bool,
    /// 1-based line of the entry.
    pub line: u32,
}

/// A problem with the tracking data itself.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrackingWarning {
    pub kind: &'static str,
    pub entry: String,
    pub line: u32,
    pub message: String,
}

/// The entry that governs `threat_id`: an exact id wins over globs; among globs, the
/// first written.
pub fn entry_for<'m>(model: &'m Model, threat_id: &str) -> Option<&'m RiskEntry> {
    model
        .risks
        .iter()
        .find(|r| r.threat.as_str() == threat_id)
        .or_else(|| model.risks.iter().find(|r| r.threat.matches(threat_id)))
}

pub fn tracking_of(entry: &RiskEntry, today: Day) -> Tracking {
    let expired = entry.status == RiskStatus::Accepted
        && entry
            .expires
            .as_ref()
            .and_then(|e| parse_day(e.as_str()))
            .is_some_and(|d| d < today);
    Tracking {
        entry: entry.threat.name.clone(),
        recorded_status: entry.status.as_str(),
        owner: entry.owner.map(|o| o.as_str()),
        rationale: entry.rationale.clone(),
        expires: entry.expires.as_ref().map(|e| e.name.clone()),
        ticket: entry.ticket.clone(),
        expired,
        line: entry.span.line,
    }
}

/// Whether a pattern (element id or threat glob) bears on the threat `id` found on `elements`.
pub fn bears_on(p: &ThreatPattern, id: &str, elements: &[String]) -> bool {
    if p.is_element() || (!p.name.contains('@') && !p.name.contains('*')) {
        return elements.iter().any(|e| e == p.as_str());
    }
    p.matches(id)
}

/// Tracking entries that match no threat, and acceptances that expired.
pub fn warnings(model: &Model, threats: &[Threat], today: Day) -> Vec<TrackingWarning> {
    let mut out = Vec::new();
    for r in &model.risks {
        if !threats
            .iter()
            .any(|t| r.threat.as_str() == t.id || r.threat.matches(&t.id))
        {
            out.push(TrackingWarning {
                kind: "orphan",
                entry: r.threat.name.clone(),
                line: r.span.line,
                message: format!("`{}` matches no threat found in this model; the element or rule may have been renamed or removed", r.threat),
            });
        } else if tracking_of(r, today).expired {
            out.push(TrackingWarning {
                kind: "expired",
                entry: r.threat.name.clone(),
                line: r.span.line,
                message: format!(
                    "the acceptance of `{}` expired on {}; the threat counts as open again",
                    r.threat,
                    r.expires.as_ref().map_or("", |e| e.as_str())
                ),
            });
        }
    }
    // An incident is evidence for a threat: one that names nothing found raises no
    // likelihood anywhere, which the team should hear about rather than miss.
    for i in &model.incidents {
        for p in &i.threats {
            if !threats.iter().any(|t| bears_on(p, &t.id, &t.elements)) {
                out.push(TrackingWarning {
                    kind: "orphan-incident",
                    entry: p.name.clone(),
                    line: i.span.line,
                    message: format!(
                        "incident `{}` names `{}`, which matches no threat found in this model; it raises no likelihood (the rule may not cover this case, or the element or rule was renamed)",
                        i.id, p
                    ),
                });
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_000), (2024, 10, 4));
        assert_eq!(parse_day("2027-06-30"), Some((2027, 6, 30)));
        assert!((2026, 11, 29) < (2027, 1, 1));
    }
}
