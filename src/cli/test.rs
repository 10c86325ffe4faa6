//! `lawful test PATH`: run the expected decisions written beside the rules.

use std::path::PathBuf;

use super::{BAD_INPUT, FAILED, OK};

/// Run the expected decisions in the *.test.lawful files beside the rules, and
/// report each failure with the rule that decided.
#[derive(clap::Args)]
#[command(
    after_help = "Exit: 0 all passed, 1 a test failed, 2 the rules or tests cannot be loaded.\n\nExample:\n  lawful test rules/filestack"
)]
pub(crate) struct TestArgs {
    /// A rule file, or a directory with one rule file per version
    path: PathBuf,
    /// A test file or directory (default: PATH)
    tests: Option<PathBuf>,
}

pub(crate) fn run(args: &TestArgs) -> u8 {
    let policy_path = &args.path;
    let tests_path = args.tests.as_ref().unwrap_or(&args.path);
    let policy = match super::load_policy(policy_path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let cases = match lawful::load_tests(tests_path) {
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
    let outcomes = policy.run_tests(cases);
    let mut failed = 0;
    for outcome in &outcomes {
        if outcome.passed() {
            continue;
        }
        failed += 1;
        println!(
            "FAIL {} ({}:{})",
            outcome.case.name, outcome.case.file, outcome.case.line
        );
        for failure in &outcome.failures {
            println!("     {failure}");
        }
        println!("     got: {}", outcome.got);
    }
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    if failed > 0 { FAILED } else { OK }
}
