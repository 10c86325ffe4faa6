//! A diff as text, as Markdown for a pull request's comment, or as JSON.

use std::fmt::Write as _;

use super::group::heading;
use super::{Change, ChangeKind, Diff, VersionsCompared};

/// How to print a diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain text, for a terminal.
    Text,
    /// Markdown, for a pull request's comment.
    Markdown,
    /// JSON: `{"changes": [...], "summary": {...}}`.
    Json,
}

impl Format {
    /// The format of a `--format` value.
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "text" => Some(Format::Text),
            "markdown" | "md" => Some(Format::Markdown),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The names `--format` accepts.
    pub const NAMES: [&'static str; 3] = ["text", "markdown", "json"];
}

/// Prints a diff.
pub fn render(diff: &Diff, format: Format) -> String {
    match format {
        Format::Json => {
            let mut out = serde_json::to_string_pretty(diff).unwrap_or_default();
            out.push('\n');
            out
        }
        Format::Text => text(diff),
        Format::Markdown => markdown(diff),
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "3 changes: 1 now denied, 2 decided by another rule".
fn tally(diff: &Diff) -> String {
    let counts = diff.counts();
    let parts: Vec<String> = ChangeKind::ALL
        .iter()
        .filter_map(|k| counts.get(k).map(|n| format!("{n} {}", heading(*k))))
        .collect();
    parts.join(", ")
}

fn checked(diff: &Diff) -> String {
    let s = &diff.summary;
    if s.requests == 0 && s.versions.iter().all(|v| v.same_rules) {
        return "the versions say the same (labels aside), so they decide every request alike"
            .to_owned();
    }
    format!(
        "{} asked of both policies, standing for {}",
        plural(s.requests, "request", "requests"),
        plural(s.cases, "request", "requests")
    )
}

fn head(diff: &Diff, code: &dyn Fn(&str) -> String) -> String {
    let s = &diff.summary;
    if diff.is_empty() {
        format!(
            "No decision changes between {} and {}.",
            code(&s.old),
            code(&s.new)
        )
    } else {
        format!(
            "{} between {} and {}: {}.",
            plural(diff.changes.len() as u64, "change", "changes"),
            code(&s.old),
            code(&s.new),
            tally(diff)
        )
    }
}

/// Lines about the versions compared: pairs, added, removed, names declared on one side.
fn versions(diff: &Diff, code: &dyn Fn(&str) -> String) -> Vec<String> {
    let s = &diff.summary;
    let mut lines = Vec::new();
    let name = |v: &Option<String>| v.as_deref().map_or("(none)".to_owned(), code);
    let several = s.versions.len() > 1 || s.versions.iter().any(|v| v.collected.is_some());
    for v in &s.versions {
        let VersionsCompared {
            old,
            new,
            collected,
            ..
        } = v;
        let mut line = if several {
            format!("Versions {} → {}", name(old), name(new))
        } else {
            format!("Version {} → {}", name(old), name(new))
        };
        if let Some(dates) = collected {
            let _ = write!(line, " ({dates})");
        }
        if v.same_rules {
            line.push_str(": the same rules");
        }
        lines.push(line);
        for (who, names) in [(old, &v.only_old), (new, &v.only_new)] {
            let parts: Vec<String> = [
                ("role", &names.roles),
                ("category", &names.categories),
                ("purpose", &names.purposes),
                ("party", &names.parties),
                ("attribute", &names.attributes),
            ]
            .iter()
            .filter(|(_, list)| !list.is_empty())
            .map(|(kind, list)| {
                format!(
                    "{kind} {}",
                    list.iter().map(|n| code(n)).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
            if !parts.is_empty() {
                lines.push(format!(
                    "  only {} declares {}",
                    name(who),
                    parts.join("; ")
                ));
            }
        }
    }
    if !s.versions_added.is_empty() {
        lines.push(format!(
            "Versions added: {}",
            s.versions_added
                .iter()
                .map(|n| code(n))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !s.versions_removed.is_empty() {
        lines.push(format!(
            "Versions removed: {}",
            s.versions_removed
                .iter()
                .map(|n| code(n))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    lines
}

fn witness(change: &Change) -> String {
    serde_json::to_string(&change.witness).unwrap_or_default()
}

/// The changes in runs sharing a kind and a headline (how the decisions
/// change), each run with the requests it holds.
fn runs(diff: &Diff) -> Vec<(ChangeKind, &str, Vec<&Change>)> {
    let mut runs: Vec<(ChangeKind, &str, Vec<&Change>)> = Vec::new();
    for change in &diff.changes {
        match runs.last_mut() {
            Some((kind, headline, members))
                if *kind == change.kind && *headline == change.headline =>
            {
                members.push(change);
            }
            _ => runs.push((change.kind, &change.headline, vec![change])),
        }
    }
    runs
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn text(diff: &Diff) -> String {
    let plain = |s: &str| s.to_owned();
    let mut out = head(diff, &plain);
    out.push('\n');
    for line in versions(diff, &plain) {
        out += &line;
        out.push('\n');
    }
    let _ = writeln!(out, "Compared exactly: {}.", checked(diff));
    for (kind, headline, members) in runs(diff) {
        let _ = write!(out, "\n{} — {headline}:\n", heading(kind));
        for change in members {
            let _ = write!(
                out,
                "  - {}\n    witness: {}\n",
                change.what,
                witness(change)
            );
        }
    }
    out
}

/// Inline Markdown code (`x`) as HTML, for a `<summary>`, where Markdown is not read.
fn html_code(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let mut out = String::new();
    for (i, part) in escaped.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn markdown(diff: &Diff) -> String {
    let code = |s: &str| format!("`{s}`");
    let mut out = format!("#### lawful diff\n\n{}\n\n", head(diff, &code));
    for line in versions(diff, &code) {
        let _ = writeln!(out, "- {}", line.trim_start());
    }
    let _ = writeln!(out, "- Compared exactly: {}.", checked(diff));
    for (kind, headline, members) in runs(diff) {
        // Changes that leave the answer as it was fold away, to be opened.
        let folded = matches!(kind, ChangeKind::Rule | ChangeKind::Cites);
        if folded {
            let groups = plural(members.len() as u64, "group", "groups");
            let _ = write!(
                out,
                "\n<details><summary><b>{}</b> — {} ({groups})</summary>\n\n",
                capitalised(heading(kind)),
                html_code(headline)
            );
        } else {
            let _ = write!(out, "\n**{}** — {headline}\n\n", capitalised(heading(kind)));
        }
        for change in members {
            let _ = write!(
                out,
                "- {}\n\n  <details><summary>witness</summary>\n\n  ```json\n  {}\n  ```\n\n  </details>\n",
                capitalised(&change.what),
                witness(change)
            );
        }
        if folded {
            out.push_str("\n</details>\n");
        }
    }
    out
}
