//! `lawful test PATH`: run the expected decisions written beside the rules.

use std::collections::BTreeSet;
use std::path::PathBuf;

use lawful::TestOutcome;
use serde_json::{Value, json};

use super::report::{self, Format};
use super::{BAD_INPUT, FAILED, OK};

/// Run the expected decisions in the *.test.lawful files beside the rules, and
/// report each failure with the rule that decided and the engine's reason.
#[derive(clap::Args)]
#[command(
    after_help = "Exit: 0 all passed, 1 a test failed, 2 the rules or tests cannot be loaded.\n\nExamples:\n  lawful test rules/filestack\n  lawful test rules/filestack --filter children --coverage\n  lawful test rules/filestack --format junit > lawful-tests.xml"
)]
pub(crate) struct TestArgs {
    /// A rule file, or a directory with one rule file per version
    path: PathBuf,
    /// A test file or directory (default: PATH)
    tests: Option<PathBuf>,
    /// Run only the tests whose name contains this text
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Report which rules, revocations, parties and child rules decided some test
    #[arg(long)]
    coverage: bool,
    /// How to print the results
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub(crate) fn run(args: &TestArgs) -> u8 {
    let tests_path = args.tests.as_ref().unwrap_or(&args.path);
    let policy = match super::load_policy(&args.path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut cases = match lawful::load_tests(tests_path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return BAD_INPUT;
        }
    };
    if cases.is_empty() {
        eprintln!(
            "error: no tests found in `{}` (test files end in `.test.lawful`)",
            tests_path.display()
        );
        return FAILED;
    }
    if let Some(filter) = &args.filter {
        cases.retain(|c| c.name.contains(filter.as_str()));
        if cases.is_empty() {
            eprintln!("error: no test's name contains \"{filter}\"");
            return FAILED;
        }
    }
    let outcomes = policy.run_tests(cases);
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let coverage = args.coverage.then(|| coverage(&policy, &outcomes));
    match args.format {
        Format::Human => human(&outcomes, failed, coverage.as_deref()),
        Format::Json => {
            let document = json!({
                "tests": outcomes.iter().map(report::outcome_json).collect::<Vec<_>>(),
                "summary": {"passed": outcomes.len() - failed, "failed": failed},
                "coverage": coverage.as_ref().map(|c| c.iter().map(VersionCoverage::json).collect::<Vec<_>>()),
            });
            println!("{document}");
        }
        Format::Github => {
            for o in outcomes.iter().filter(|o| !o.passed()) {
                println!(
                    "{}",
                    report::annotation(
                        "error",
                        Some((&o.case.file, o.case.line, 1)),
                        &format!("lawful test: {}", o.case.name),
                        &report::failure_message(o),
                    )
                );
            }
            if let Some(coverage) = &coverage {
                for version in coverage {
                    for (kind, id) in version.undecided() {
                        println!(
                            "{}",
                            report::annotation(
                                "warning",
                                None,
                                "lawful test coverage",
                                &format!(
                                    "{kind} `{id}` of version {} decided no test",
                                    version.version
                                ),
                            )
                        );
                    }
                }
            }
            println!("{} passed, {failed} failed", outcomes.len() - failed);
        }
        Format::Sarif => println!("{}", report::outcomes_sarif(&outcomes)),
        Format::Junit => print!("{}", report::outcomes_junit(&outcomes)),
    }
    if failed > 0 { FAILED } else { OK }
}

fn human(outcomes: &[TestOutcome], failed: usize, coverage: Option<&[VersionCoverage]>) {
    // Test names, file names and what was decided are shown with control
    // characters escaped.
    let safe = |text: &str| lawful::terminal_safe(text).into_owned();
    for outcome in outcomes.iter().filter(|o| !o.passed()) {
        println!(
            "FAIL {} ({}:{})",
            safe(&outcome.case.name),
            safe(&outcome.case.file),
            outcome.case.line
        );
        for failure in &outcome.failures {
            println!("     {}", safe(failure));
        }
        println!("     got: {}", safe(&outcome.got));
        if let Some(reason) = &outcome.reason {
            println!("     because: {}", safe(reason));
        }
    }
    if let Some(coverage) = coverage {
        for version in coverage {
            println!("{}", version.line());
            let undecided: Vec<String> = version
                .undecided()
                .map(|(kind, id)| format!("{kind} `{id}`"))
                .collect();
            if !undecided.is_empty() {
                println!("  decided no test: {}", undecided.join(", "));
            }
        }
    }
    println!("{} passed, {failed} failed", outcomes.len() - failed);
}

/// What of one version decided some test.
struct VersionCoverage {
    version: String,
    /// (kind, id, decided some test), in the file's order.
    items: Vec<(&'static str, String, bool)>,
}

impl VersionCoverage {
    fn undecided(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.items
            .iter()
            .filter(|(_, _, decided)| !decided)
            .map(|(kind, id, _)| (*kind, id.as_str()))
    }

    fn line(&self) -> String {
        let count = |kind: &str| {
            let all = self.items.iter().filter(|(k, _, _)| *k == kind);
            let decided = all.clone().filter(|(_, _, d)| *d).count();
            format!("{decided} of {}", all.count())
        };
        format!(
            "coverage of {}: {} rules, {} revocations, {} parties, {} child rule",
            self.version,
            count("rule"),
            count("revocation"),
            count("party"),
            count("child rule")
        )
    }

    fn json(&self) -> Value {
        let list = |kind: &str, decided: bool| -> Vec<&str> {
            self.items
                .iter()
                .filter(|(k, _, d)| *k == kind && *d == decided)
                .map(|(_, id, _)| id.as_str())
                .collect()
        };
        let kinds = [
            ("rule", "rules"),
            ("revocation", "revocations"),
            ("party", "parties"),
            ("child rule", "child_rules"),
        ]
        .map(|(kind, key)| {
            (
                key.to_owned(),
                json!({"decided": list(kind, true), "not_decided": list(kind, false)}),
            )
        });
        let mut object = serde_json::Map::new();
        object.insert("version".into(), json!(self.version));
        object.extend(kinds);
        Value::Object(object)
    }
}

/// Which rules, revocations, parties and child rules of each version decided a test.
fn coverage(policy: &lawful::Policy, outcomes: &[TestOutcome]) -> Vec<VersionCoverage> {
    let mut decided: BTreeSet<(&str, &'static str, &str)> = BTreeSet::new();
    for o in outcomes {
        let Some(version) = o.decided.version.as_deref() else {
            continue;
        };
        if let Some(rule) = &o.decided.rule {
            decided.insert((version, "rule", rule));
        }
        if let Some(party) = &o.decided.party {
            decided.insert((version, "party", party));
        }
    }
    let vocabulary = policy.vocabulary();
    policy
        .core()
        .version_models()
        .map(|v| {
            let name = &*v.name;
            let rule = |id: &str| decided.contains(&(name, "rule", id));
            let mut items: Vec<(&'static str, String, bool)> = Vec::new();
            items.extend(
                v.rules
                    .iter()
                    .map(|r| ("rule", r.id.to_string(), rule(&r.id))),
            );
            items.extend(
                v.revocations
                    .iter()
                    .map(|r| ("revocation", r.id.to_string(), rule(&r.id))),
            );
            items.extend(v.parties.iter().map(|p| {
                let party = vocabulary.party_name(p.party);
                (
                    "party",
                    party.to_owned(),
                    decided.contains(&(name, "party", party)),
                )
            }));
            if v.children.is_some() {
                items.push((
                    "child rule",
                    lawful_core::CHILD_RULE.to_owned(),
                    rule(lawful_core::CHILD_RULE),
                ));
            }
            VersionCoverage {
                version: name.to_owned(),
                items,
            }
        })
        .collect()
}
