//! `lawful check PATH`: parse, validate and lint.

use std::path::PathBuf;

use super::{BAD_INPUT, FAILED, OK};

/// Parse, validate and lint rule files; report every problem with its file, line,
/// column, the source line, a caret and a hint. Test files (*.test.lawful) beside
/// the rules are checked too.
#[derive(clap::Args)]
#[command(
    after_help = "Exit: 0 clean, 1 problems found, 2 the path cannot be read.\n\nExample:\n  lawful check rules/filestack"
)]
pub(crate) struct CheckArgs {
    /// A rule file, or a directory with one rule file per version
    path: PathBuf,
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    deny_warnings: bool,
}

pub(crate) fn run(args: &CheckArgs) -> u8 {
    check(args, &args.path)
}

/// Exit 2 when the path itself could not be read; 1 when the rules have problems.
fn failure_code(error: &lawful::PolicyError) -> u8 {
    if error.diagnostics.iter().all(|d| d.code == "L050") {
        BAD_INPUT
    } else {
        FAILED
    }
}

fn check(args: &CheckArgs, path: &std::path::Path) -> u8 {
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
    let warnings = policy.warnings();
    if !warnings.is_empty() {
        eprint!("{}", lawful::render_diagnostics(warnings));
    }
    let versions = policy.versions();
    let rules: usize = versions.iter().map(|v| v.rules).sum();
    println!(
        "{}: {} version{}, {rules} rules, {} test{} — {}",
        path.display(),
        versions.len(),
        if versions.len() == 1 { "" } else { "s" },
        tests.len(),
        if tests.len() == 1 { "" } else { "s" },
        if warnings.is_empty() {
            "no problems found".to_owned()
        } else {
            format!("{} warning(s)", warnings.len())
        }
    );
    if !warnings.is_empty() && args.deny_warnings {
        FAILED
    } else {
        OK
    }
}
