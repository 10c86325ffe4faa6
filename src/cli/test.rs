//! `lawful test PATH`: run the expected decisions written beside the rules.

use std::ffi::OsString;

use super::{BAD_INPUT, FAILED, OK};

const HELP: &str = "\
Run the expected decisions in the *.test.lawful files beside the rules, and
report each failure with the rule that decided.

Usage: lawful test PATH [TESTS]

  PATH   a rule file, or a directory with one rule file per version
  TESTS  a test file or directory (default: PATH)

Exit: 0 all passed, 1 a test failed, 2 the rules or tests cannot be loaded.

Example:
  lawful test rules/filestack
";

pub(crate) fn run(raw: &[OsString]) -> u8 {
    let args = match super::args::read(raw, &[], &[], HELP) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (policy_path, tests_path) = match args.positionals.as_slice() {
        [p] => (p, p),
        [p, t] => (p, t),
        _ => {
            eprintln!("error: give the PATH of the rules\n\n{HELP}");
            return BAD_INPUT;
        }
    };
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
        // Test names, file names and what was decided are shown with control
        // characters escaped.
        let safe = |text: &str| lawful::terminal_safe(text).into_owned();
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
    }
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    if failed > 0 { FAILED } else { OK }
}
