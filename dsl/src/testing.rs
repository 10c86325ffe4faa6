//! Expected decisions written beside the rules (`*.test.lawful`), and running them.

use lawful_core::{
    Action, BUILTIN_REVOCATION, CHILD_RULE, Policy, Request, RequestError, Subject, Timestamp,
    TraceStep, Value,
};

use crate::ast::{self, Expectation, Literal, Span, TestValue};
use crate::diagnostic::{Diagnostic, Diagnostics, Location, Source};

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
    /// Where each part of the request is written, so a problem points at its part.
    pub places: Places,
    /// The request, or the problem building it (a test may expect an error).
    pub request: Result<Request, String>,
    /// What must come out.
    pub expect: Expectation,
}

/// Where the parts of a test's request are written.
#[derive(Clone, Debug, Default)]
pub struct Places {
    /// The subject's role.
    pub role: Option<Location>,
    /// The purpose.
    pub purpose: Option<Location>,
    /// The recipient.
    pub party: Option<Location>,
    /// Each data category, by name.
    pub data: Vec<(String, Location)>,
    /// Each attribute given, by name.
    pub attributes: Vec<(String, Location)>,
    /// Each purpose consented to, by name.
    pub consents: Vec<(String, Location)>,
    /// Each purpose revoked, by name.
    pub revocations: Vec<(String, Location)>,
    /// The rule named in `expect … by RULE`.
    pub by: Option<(String, Location)>,
}

impl Places {
    /// Where the part of the request an error is about is written, if known.
    pub fn of(&self, error: &RequestError) -> Option<&Location> {
        match error.field.as_deref()? {
            "subject.role" => self.role.as_ref(),
            "purpose" => self.purpose.as_ref(),
            "party" => self.party.as_ref(),
            "data" => named_in(&self.data, error),
            "subject.consents" => named_in(&self.consents, error),
            "subject.revocations" => named_in(&self.revocations, error),
            field => {
                let attribute = field.strip_prefix("subject.")?;
                self.attributes
                    .iter()
                    .find(|(name, _)| name == attribute)
                    .map(|(_, l)| l)
            }
        }
    }
}

/// The place of the name an error's message quotes, or else the first place.
fn named_in<'a>(list: &'a [(String, Location)], error: &RequestError) -> Option<&'a Location> {
    list.iter()
        .find(|(name, _)| error.message.contains(&format!("`{name}`")))
        .or_else(|| list.first())
        .map(|(_, l)| l)
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
    /// Why, as the engine gave it: the step of its trace that decided.
    pub reason: Option<String>,
    /// What decided, for coverage: the rule, revocation or child rule, and the
    /// party that received, with the version.
    pub decided: Decided,
}

/// What decided a test's request: ids in one version, for coverage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decided {
    /// The version that decided.
    pub version: Option<String>,
    /// The rule, revocation or child rule that decided (`children`,
    /// `consent-revoked` included).
    pub rule: Option<String>,
    /// For an allowed disclosure: the party that receives.
    pub party: Option<String>,
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
            request_id: None,
        };
        let at = |span: Span| source.locate(span);
        let named = |list: &[ast::Name]| -> Vec<(String, Location)> {
            list.iter().map(|n| (n.node.clone(), at(n.span))).collect()
        };
        let by = match &case.expect {
            Expectation::Allowed { by: Some(id), .. }
            | Expectation::Denied {
                by: Some(Some(id)), ..
            } => Some((id.node.clone(), at(id.span))),
            _ => None,
        };
        let places = Places {
            role: Some(at(case.role.span)),
            purpose: Some(at(case.purpose.span)),
            party: case.party.as_ref().map(|p| at(p.span)),
            data: named(&case.data),
            attributes: case
                .attributes
                .iter()
                .map(|(n, _)| (n.node.clone(), at(n.span)))
                .collect(),
            consents: case
                .consents
                .iter()
                .map(|(n, _)| (n.node.clone(), at(n.span)))
                .collect(),
            revocations: case
                .revocations
                .iter()
                .map(|(n, _)| (n.node.clone(), at(n.span)))
                .collect(),
            by,
        };
        let location = source.locate(case.span);
        out.push(TestCase {
            name: case.name,
            file: source.name.clone(),
            line: location.line,
            location,
            places,
            request: Ok(request),
            expect: case.expect,
        });
    }
    out
}

/// Checks that every case can be asked of the policy: its names exist, its
/// request is well formed (unless the case expects an error), and the rule an
/// `expect … by` names is one some version has.
pub fn check(policy: &Policy, cases: &[TestCase]) -> Vec<Diagnostic> {
    let mut ids: Vec<&str> = vec![CHILD_RULE, BUILTIN_REVOCATION];
    for version in policy.version_models() {
        ids.extend(version.rules.iter().map(|r| &*r.id));
        ids.extend(version.revocations.iter().map(|r| &*r.id));
    }
    let mut out = Vec::new();
    for case in cases {
        if let Some((id, location)) = &case.places.by {
            if !ids.contains(&id.as_str()) {
                let help = match lawful_core::suggest::suggest(id, ids.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "name a rule or revocation the policy declares".to_owned(),
                };
                out.push(Diagnostic {
                    location: Some(Box::new(location.clone())),
                    ..Diagnostic::error(
                        "L042",
                        format!(
                            "test \"{}\" expects rule `{id}`, which no version of the policy has",
                            case.name
                        ),
                    )
                    .with_help(help)
                });
            }
        }
        if matches!(case.expect, Expectation::Error) {
            continue;
        }
        let problem = match &case.request {
            Ok(request) => match policy.prepare(request) {
                Ok(_) => continue,
                Err(e) => e,
            },
            Err(message) => RequestError::field("test", message.clone()),
        };
        let help = match &problem.suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => "fix the test, or write `expect error` if the request is meant to be refused"
                .to_owned(),
        };
        let location = case.places.of(&problem).unwrap_or(&case.location);
        out.push(Diagnostic {
            location: Some(Box::new(location.clone())),
            ..Diagnostic::error(
                "L041",
                format!(
                    "test \"{}\" cannot be asked: {}",
                    case.name, problem.message
                ),
            )
            .with_help(help)
        });
    }
    out
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
        .and_then(|r| policy.explain(r).map_err(|e| e.to_string()));
    let (reason, who) = match &decided {
        Ok((d, trace)) => (deciding_step(d, trace), decided_ids(d, &case)),
        Err(_) => (None, Decided::default()),
    };
    let decided = decided.map(|(d, _)| d);
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
        reason,
        decided: who,
    }
}

/// The step of the trace that decided: the one about the deciding rule, or else
/// the last step that applied (a default deny, a party that does not receive).
fn deciding_step(decision: &lawful_core::Decision<'_>, trace: &[TraceStep]) -> Option<String> {
    let step = match decision.rule() {
        Some(rule) => trace
            .iter()
            .rev()
            .find(|s| s.rule == rule && s.applies)
            .or_else(|| trace.iter().rev().find(|s| s.applies)),
        None => trace
            .iter()
            .rev()
            .find(|s| s.applies || s.rule.starts_with("party ")),
    }?;
    Some(format!("{}: {}", step.rule, step.why))
}

fn decided_ids(decision: &lawful_core::Decision<'_>, case: &TestCase) -> Decided {
    let disclosed = decision.allowed()
        && case
            .request
            .as_ref()
            .is_ok_and(|r| r.action == Action::Disclose);
    Decided {
        version: decision.version().map(str::to_owned),
        rule: decision.rule().map(str::to_owned),
        party: if disclosed {
            case.request.as_ref().ok().and_then(|r| r.party.clone())
        } else {
            None
        },
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
