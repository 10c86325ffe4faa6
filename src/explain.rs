//! Decisions as prose: which rule, which sections, why — for people, not programs.

use std::fmt::Write;

use crate::{Action, Decision, LabelKind, Policy, Request, TraceStep};

fn labelled(name: &str, label: &str) -> String {
    if label.is_empty() {
        format!("`{name}`")
    } else {
        format!("`{name}` ({label})")
    }
}

/// "an" before a name that starts with a vowel (`an account_user`), else "a".
fn article(name: &str) -> &'static str {
    match name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// Writes the decision, the request it answers, and the steps that led to it.
pub fn prose(
    policy: &Policy,
    request: &Request,
    decision: &Decision<'_>,
    trace: &[TraceStep],
) -> String {
    // Names in the words of the version that decided (the newest when none did).
    let label = |kind, name: &str| labelled(name, policy.label(decision.version(), kind, name));
    let mut out = String::new();
    let summary = decision.summary();
    let mut chars = summary.chars();
    let capitalised: String = chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .chain(chars)
        .collect();
    let _ = writeln!(out, "{capitalised}.");
    let _ = writeln!(out);

    let data: Vec<String> = request
        .data
        .iter()
        .map(|d| label(LabelKind::Category, d))
        .collect();
    let role = label(LabelKind::Role, &request.subject.role);
    let purpose = label(LabelKind::Purpose, &request.purpose);
    let a = article(&request.subject.role);
    let _ = match (request.action, &request.party) {
        (Action::Disclose, Some(party)) => writeln!(
            out,
            "The request: disclose {} about {a} {role} to {} for {purpose}.",
            data.join(", "),
            label(LabelKind::Party, party)
        ),
        _ => writeln!(
            out,
            "The request: use {} about {a} {role} for {purpose}.",
            data.join(", ")
        ),
    };
    if let Some(at) = request.at {
        let _ = writeln!(out, "When: {}.", at.to_the_second());
    }
    if let Some(collected) = request.collected_at {
        let _ = writeln!(out, "Data collected: {}.", collected.to_the_second());
    }
    match decision.version() {
        Some(version) => {
            let _ = writeln!(out, "Policy version: {version}.");
        }
        None => {
            let _ = writeln!(
                out,
                "Policy version: none was in force when the data was collected."
            );
        }
    }
    match decision.rule() {
        Some(rule) => {
            let _ = writeln!(out, "Decided by: rule `{rule}`.");
        }
        None => {
            let _ = writeln!(out, "Decided by: no rule; what no rule allows is denied.");
        }
    }
    if let Some(basis) = decision.basis() {
        let _ = writeln!(out, "Lawful basis: {basis} (GDPR Art. 6).");
    }
    let cites: Vec<String> = decision.cites().map(|c| format!("\"{c}\"")).collect();
    if !cites.is_empty() {
        let _ = writeln!(out, "Policy sections: {}.", cites.join(", "));
    }
    let obligations: Vec<String> = decision
        .obligations()
        .map(|o| {
            let label = policy.label(decision.version(), LabelKind::Obligation, o.kind);
            let mut text = if label.is_empty() {
                o.kind.to_owned()
            } else {
                format!("{} — {label}", o.kind)
            };
            if let Some(purpose) = o.purpose {
                let _ = write!(text, ", who must stop using it for {purpose}");
            }
            if let Some(days) = o.within_days {
                let _ = write!(text, ", within {days} days");
            }
            text
        })
        .collect();
    if !obligations.is_empty() {
        let _ = writeln!(out, "You must now:");
        for o in obligations {
            let _ = writeln!(out, "  - {o}");
        }
    }
    if !trace.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "How the decision was reached:");
        for (i, step) in trace.iter().enumerate() {
            let mark = if step.applies {
                "applies"
            } else {
                "does not apply"
            };
            let _ = writeln!(out, "  {}. {} — {mark}: {}.", i + 1, step.rule, step.why);
        }
    }
    out
}
