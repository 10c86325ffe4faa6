//! Expected decisions written beside the rules (`*.test.lawful`), and running them.

use lawful_core::{Action, Policy, Request, Subject, Timestamp, Value};

use crate::ast::{self, Expectation, Literal, TestValue};
use crate::diagnostic::{Diagnostic, Diagnostics, Source};

/// One test case, ready to run.
#[derive(Clone, Debug)]
pub struct TestCase {
    /// Its name.
    pub name: String,
    /// The file it is in.
    pub file: String,
    /// Its line.
    pub line: usize,
    /// Where it starts, for diagnostics.
    pub location: crate::diagnostic::Location,
    /// The request, or the problem building it (a test may expect an error).
    pub request: Result<Request, String>,
    /// What must come out.
    pub expect: Expectation,
}

/// How one case went.
#[derive(Clone, Debug)]
pub struct TestOutcome {
    /// The case.
    pub case: TestCase,
    /// Empty when it passed; otherwise each way it failed.
    pub failures: Vec<String>,
    /// What the policy decided, in a line.
    pub got: String,
}

impl TestOutcome {
    /// True when the policy gave what the case expects.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

fn time(source: &Source, name: &ast::Name) -> Result<Timestamp, Diagnostic> {
    Timestamp::parse(&name.node).map_err(|e| {
        source.at(
            name.span,
            Diagnostic::error("L040", format!("{e}"))
                .with_help("write a date like 2026-03-01 or a time like 2026-03-01T10:00:00Z"),
        )
    })
}

/// Turns a lowered test file into runnable cases; a case with a time that is not
/// one is reported to `errors` and left out.
pub(crate) fn cases(
    source: &Source,
    file: ast::TestFile,
    errors: &mut Diagnostics,
) -> Vec<TestCase> {
    let mut out = Vec::new();
    for case in file.cases {
        let before = errors.len();
        let mut subject = Subject {
            role: case.role.node.clone(),
            age: case.age,
            ..Subject::default()
        };
        for (name, value) in &case.attributes {
            let value = match value {
                TestValue::Literal(Literal::YesNo(b)) => Value::YesNo(*b),
                TestValue::Literal(Literal::Number(n)) => Value::Number(*n),
                TestValue::Literal(Literal::Text(t)) => Value::Text(t.as_str().into()),
                TestValue::Texts(items) => Value::text_set(items.iter().map(String::as_str)),
            };
            subject.attributes.insert(name.node.clone(), value);
        }
        let mut times =
            |list: &[(ast::Name, ast::Name)],
             into: &mut std::collections::BTreeMap<String, Timestamp>| {
                for (purpose, when) in list {
                    match time(source, when) {
                        Ok(t) => {
                            into.insert(purpose.node.clone(), t);
                        }
                        Err(e) => errors.push(e),
                    }
                }
            };
        times(&case.consents, &mut subject.consents);
        times(&case.revocations, &mut subject.revocations);
        let mut optional = |name: &Option<ast::Name>| match name {
            None => None,
            Some(n) => match time(source, n) {
                Ok(t) => Some(t),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        let at = optional(&case.at);
        let collected_at = optional(&case.collected);
        if errors.len() > before {
            continue;
        }
        let request = Request {
            action: if case.disclose {
                Action::Disclose
            } else {
                Action::Use
            },
            subject,
            data: case.data.iter().map(|d| d.node.clone()).collect(),
            purpose: case.purpose.node.clone(),
            party: case.party.as_ref().map(|p| p.node.clone()),
            at,
            collected_at,
        };
        let location = source.locate(case.span);
        out.push(TestCase {
            name: case.name,
            file: source.name.clone(),
            line: location.line,
            location,
            request: Ok(request),
            expect: case.expect,
        });
    }
    out
}

/// Checks that every case can be asked of the policy: its names exist and its
/// request is well formed (unless the case expects an error).
pub fn check(policy: &Policy, cases: &[TestCase]) -> Vec<Diagnostic> {
    cases
        .iter()
        .filter(|case| !matches!(case.expect, Expectation::Error))
        .filter_map(|case| {
            let problem = match &case.request {
                Ok(request) => policy.prepare(request).err()?,
                Err(message) => lawful_core::RequestError::field("test", message.clone()),
            };
            let help = match &problem.suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => {
                    "fix the test, or write `expect error` if the request is meant to be refused"
                        .to_owned()
                }
            };
            Some(Diagnostic {
                location: Some(Box::new(case.location.clone())),
                ..Diagnostic::error(
                    "L041",
                    format!(
                        "test \"{}\" cannot be asked: {}",
                        case.name, problem.message
                    ),
                )
                .with_help(help)
            })
        })
        .collect()
}

/// Runs cases against a policy.
pub fn run(policy: &Policy, cases: Vec<TestCase>) -> Vec<TestOutcome> {
    cases
        .into_iter()
        .map(|case| run_one(policy, case))
        .collect()
}

fn run_one(policy: &Policy, case: TestCase) -> TestOutcome {
    let mut failures = Vec::new();
    let decided = case
        .request
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|r| policy.decide(r).map_err(|e| e.to_string()));
    let got = match &decided {
        Ok(d) => format!(
            "{} by {} (version {})",
            if d.allowed() { "allowed" } else { "denied" },
            d.rule().map_or("nothing".to_owned(), |r| format!("`{r}`")),
            d.version().unwrap_or("none")
        ),
        Err(e) => format!("error: {e}"),
    };
    match (&case.expect, &decided) {
        (Expectation::Error, Ok(_)) => {
            failures.push("expected the request to be refused as an error".to_owned())
        }
        (Expectation::Error, Err(_)) => {}
        (_, Err(e)) => failures.push(format!("the request is refused: {e}")),
        (Expectation::Allowed { by, basis, details }, Ok(d)) => {
            if !d.allowed() {
                failures.push("expected allowed".to_owned());
            }
            if let Some(by) = by {
                if d.rule() != Some(by.node.as_str()) {
                    failures.push(format!("expected rule `{}`", by.node));
                }
            }
            if let Some(basis) = basis {
                if d.basis().map(|b| b.as_str()) != Some(basis.node.as_str()) {
                    failures.push(format!(
                        "expected basis {}, got {}",
                        basis.node,
                        d.basis().map_or("none", |b| b.as_str())
                    ));
                }
            }
            check_details(details, d, &mut failures);
        }
        (Expectation::Denied { by, details }, Ok(d)) => {
            if d.allowed() {
                failures.push("expected denied".to_owned());
            }
            match by {
                Some(None) if d.rule().is_some() => {
                    failures.push("expected that nothing allows it (no rule)".to_owned())
                }
                Some(Some(id)) if d.rule() != Some(id.node.as_str()) => {
                    failures.push(format!("expected rule `{}`", id.node));
                }
                _ => {}
            }
            check_details(details, d, &mut failures);
        }
    }
    TestOutcome {
        case,
        failures,
        got,
    }
}

fn check_details(
    details: &ast::ExpectDetails,
    d: &lawful_core::Decision<'_>,
    failures: &mut Vec<String>,
) {
    if let Some(version) = &details.version {
        if d.version() != Some(version.node.as_str()) {
            failures.push(format!("expected version {}", version.node));
        }
    }
    for obligation in &details.obligations {
        if !d.obligations().any(|o| o.kind == obligation.node) {
            failures.push(format!("expected obligation {}", obligation.node));
        }
    }
}
