//! Machine-readable reports of diagnostics and test runs, for CI: JSON, GitHub
//! workflow annotations, SARIF 2.1.0 (code-scanning upload) and JUnit XML.

use lawful::Diagnostic;
use lawful_dsl::diagnostic::Severity;
use lawful_dsl::testing::TestOutcome;
use serde_json::{Value, json};

/// How `check` and `test` print what they found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// For people: the source line, a caret and a hint.
    Human,
    /// One JSON document on standard output.
    Json,
    /// GitHub Actions workflow annotations (`::error file=…,line=…::…`).
    Github,
    /// SARIF 2.1.0, for code-scanning upload.
    Sarif,
    /// JUnit XML (`test` only).
    Junit,
}

fn severity(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A diagnostic as a JSON object.
pub(crate) fn diagnostic_json(d: &Diagnostic) -> Value {
    let mut object = json!({
        "code": d.code,
        "severity": severity(d),
        "message": d.message,
        "help": d.help,
    });
    if let (Some(l), Some(map)) = (&d.location, object.as_object_mut()) {
        map.insert(
            "location".into(),
            json!({
                "file": l.file,
                "line": l.line,
                "column": l.column,
                "end_column": l.column + l.width,
                "source_line": l.source_line,
            }),
        );
    }
    object
}

/// Escapes a workflow command's message: `%`, CR and LF.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One GitHub workflow annotation.
pub(crate) fn annotation(
    level: &str,
    file: Option<(&str, usize, usize)>,
    title: &str,
    message: &str,
) -> String {
    let mut properties = Vec::new();
    if let Some((file, line, column)) = file {
        properties.push(format!("file={}", escape_property(file)));
        properties.push(format!("line={line}"));
        properties.push(format!("col={column}"));
    }
    properties.push(format!("title={}", escape_property(title)));
    format!(
        "::{level} {}::{}",
        properties.join(","),
        escape_data(message)
    )
}

/// A diagnostic as a GitHub annotation, with its hint after the message.
pub(crate) fn diagnostic_annotation(d: &Diagnostic) -> String {
    let message = match &d.help {
        Some(help) => format!("{}\n{help}", d.message),
        None => d.message.clone(),
    };
    annotation(
        severity(d),
        d.location
            .as_ref()
            .map(|l| (l.file.as_str(), l.line, l.column)),
        &format!("lawful {}", d.code),
        &message,
    )
}

/// A SARIF result.
fn sarif_result(
    rule: &str,
    level: &str,
    message: &str,
    place: Option<(&str, usize, usize, usize)>,
) -> Value {
    let mut result = json!({
        "ruleId": rule,
        "level": level,
        "message": {"text": message},
    });
    if let (Some((file, line, column, end)), Some(map)) = (place, result.as_object_mut()) {
        map.insert(
            "locations".into(),
            json!([{
                "physicalLocation": {
                    "artifactLocation": {"uri": file},
                    "region": {"startLine": line, "startColumn": column, "endColumn": end.max(column + 1)}
                }
            }]),
        );
    }
    result
}

/// A SARIF 2.1.0 log with one run of lawful.
fn sarif_log(results: Vec<Value>, rules: Vec<Value>) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "lawful",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }]
    })
}

/// Diagnostics as a SARIF log; each code a rule, described from the code list.
pub(crate) fn diagnostics_sarif(diagnostics: &[Diagnostic]) -> Value {
    let mut codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules = codes
        .iter()
        .map(|code| {
            let described = lawful_dsl::codes::describe(code);
            json!({
                "id": code,
                "shortDescription": {"text": described.map_or(*code, |c| c.title)},
                "help": {"text": described.map_or("", |c| c.help)},
            })
        })
        .collect();
    let results = diagnostics
        .iter()
        .map(|d| {
            let message = match &d.help {
                Some(help) => format!("{} (help: {help})", d.message),
                None => d.message.clone(),
            };
            sarif_result(
                d.code,
                severity(d),
                &message,
                d.location
                    .as_ref()
                    .map(|l| (l.file.as_str(), l.line, l.column, l.column + l.width)),
            )
        })
        .collect();
    sarif_log(results, rules)
}

/// A test outcome as a JSON object.
pub(crate) fn outcome_json(outcome: &TestOutcome) -> Value {
    json!({
        "name": outcome.case.name,
        "file": outcome.case.file,
        "line": outcome.case.line,
        "passed": outcome.passed(),
        "failures": outcome.failures,
        "got": outcome.got,
        "reason": outcome.reason,
    })
}

/// What a failed test says, in one message.
pub(crate) fn failure_message(outcome: &TestOutcome) -> String {
    let mut message = format!(
        "test \"{}\" failed: {}; got {}",
        outcome.case.name,
        outcome.failures.join("; "),
        outcome.got
    );
    if let Some(reason) = &outcome.reason {
        message.push_str(&format!(", because {reason}"));
    }
    message
}

/// Failed tests as a SARIF log.
pub(crate) fn outcomes_sarif(outcomes: &[TestOutcome]) -> Value {
    let results = outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(|o| {
            sarif_result(
                "test-failed",
                "error",
                &failure_message(o),
                Some((o.case.file.as_str(), o.case.line, 1, 2)),
            )
        })
        .collect();
    let rules = vec![json!({
        "id": "test-failed",
        "shortDescription": {"text": "an expected decision written beside the rules is not what the policy decides"},
    })];
    sarif_log(results, rules)
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Test outcomes as JUnit XML: one suite, one case per test.
pub(crate) fn outcomes_junit(outcomes: &[TestOutcome]) -> String {
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites tests=\"{}\" failures=\"{failed}\">\n  <testsuite name=\"lawful\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">\n",
        outcomes.len(),
        outcomes.len()
    ));
    for o in outcomes {
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
            xml(&o.case.name),
            xml(&o.case.file),
            xml(&o.case.file),
            o.case.line
        ));
        if o.passed() {
            out.push_str("/>\n");
        } else {
            out.push_str(&format!(
                ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                xml(&o.failures.join("; ")),
                xml(&failure_message(o))
            ));
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_what_github_reads_as_syntax() {
        assert_eq!(
            annotation(
                "error",
                Some(("a,b:c.lawful", 3, 4)),
                "lawful L010",
                "50% done\nnext"
            ),
            "::error file=a%2Cb%3Ac.lawful,line=3,col=4,title=lawful L010::50%25 done%0Anext"
        );
    }

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(
            xml("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{fffd}"
        );
    }
}
