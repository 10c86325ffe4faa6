//! `lawful check PATH`: parse, validate and lint.

use std::ffi::OsString;

use super::{Args, BAD_INPUT, FAILED, OK};

const HELP: &str = "\
Parse, validate and lint rule files; report every problem with its file, line,
column, the source line, a caret and a hint. Test files (*.test.lawful) beside
the rules are checked too.

Usage: lawful check [--deny-warnings] PATH

  PATH             a rule file, or a directory with one rule file per version
  --deny-warnings  fail (exit 1) on warnings too

Exit: 0 clean, 1 problems found, 2 the path cannot be read.

Example:
  lawful check rules/filestack
";

pub(crate) fn run(raw: &[OsString]) -> u8 {
    let args = match super::args::read(raw, &[], &["deny-warnings"], HELP) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let [path] = args.positionals.as_slice() else {
        eprintln!("error: give one PATH to check\n\n{HELP}");
        return BAD_INPUT;
    };
    check(&args, path)
}

/// Exit 2 when the path itself could not be read; 1 when the rules have problems.
fn failure_code(error: &lawful::PolicyError) -> u8 {
    if error.diagnostics.iter().all(|d| d.code == "L050") {
        BAD_INPUT
    } else {
        FAILED
    }
}

fn check(args: &Args, path: &std::path::Path) -> u8 {
    let policy = match lawful::Policy::load(path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return failure_code(&e);
        }
    };
    let tests = match lawful::load_tests(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return failure_code(&e);
        }
    };
    let test_problems = policy.check_tests(&tests);
    if !test_problems.is_empty() {
        eprint!("{}", lawful::render_diagnostics(&test_problems));
        return FAILED;
    }
    let warnings = policy.warning_count();
    if warnings > 0 {
        eprint!("{}", policy.render_warnings());
    }
    let versions = policy.versions();
    let rules: usize = versions.iter().map(|v| v.rules).sum();
    println!(
        "{}: {} version{}, {rules} rules, {} test{} — {}",
        lawful::terminal_safe(&path.display().to_string()),
        versions.len(),
        if versions.len() == 1 { "" } else { "s" },
        tests.len(),
        if tests.len() == 1 { "" } else { "s" },
        if warnings == 0 {
            "no problems found".to_owned()
        } else {
            format!("{warnings} warning(s)")
        }
    );
    if warnings > 0 && args.flag("deny-warnings") {
        FAILED
    } else {
        OK
    }
}
