//! `lawful check PATH`: parse, validate and lint.

use std::path::PathBuf;

use lawful::Diagnostic;

use super::report::{self, Format};
use super::{BAD_INPUT, FAILED, OK};

/// Parse, validate and lint rule files; report every problem with its file, line,
/// column, the source line, a caret and a hint. Test files (*.test.lawful) beside
/// the rules are checked too.
#[derive(clap::Args)]
#[command(
    after_help = "Exit: 0 clean, 1 problems found, 2 the path cannot be read.\n\nExamples:\n  lawful check rules/filestack\n  lawful check --format github --deny-warnings rules/filestack"
)]
pub(crate) struct CheckArgs {
    /// A rule file, or a directory with one rule file per version
    path: PathBuf,
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    deny_warnings: bool,
    /// How to print what was found (`junit` is for `test`)
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// What a check found, before it is printed.
struct Found {
    diagnostics: Vec<Diagnostic>,
    /// Versions, rules and tests, when the policy loaded.
    counts: Option<(usize, usize, usize)>,
    /// How many more problems were found than `diagnostics` holds.
    omitted: lawful::Omitted,
    code: u8,
}

pub(crate) fn run(args: &CheckArgs) -> u8 {
    if args.format == Format::Junit {
        eprintln!(
            "error: `--format junit` is for `lawful test`; `check` prints human, json, github or sarif"
        );
        return BAD_INPUT;
    }
    let found = check(args);
    print(args, &found);
    found.code
}

/// Exit 2 when the path itself could not be read; 1 when the rules have problems.
fn failure_code(error: &lawful::PolicyError) -> u8 {
    if error.diagnostics.iter().all(|d| d.code == "L050") {
        BAD_INPUT
    } else {
        FAILED
    }
}

fn check(args: &CheckArgs) -> Found {
    let failed = |error: lawful::PolicyError| Found {
        code: failure_code(&error),
        diagnostics: error.diagnostics,
        counts: None,
        omitted: error.omitted,
    };
    let policy = match lawful::Policy::load(&args.path) {
        Ok(p) => p,
        Err(e) => return failed(e),
    };
    let tests = match lawful::load_tests(&args.path) {
        Ok(t) => t,
        Err(e) => return failed(e),
    };
    let versions = policy.versions();
    let rules: usize = versions.iter().map(|v| v.rules).sum();
    let counts = Some((versions.len(), rules, tests.len()));
    let test_problems = policy.check_tests(&tests);
    if !test_problems.is_empty() {
        let mut diagnostics = test_problems;
        diagnostics.extend(policy.warnings().iter().cloned());
        return Found {
            diagnostics,
            counts,
            omitted: omitted_warnings(&policy),
            code: FAILED,
        };
    }
    let warnings = policy.warnings().to_vec();
    let code = if policy.warning_count() > 0 && args.deny_warnings {
        FAILED
    } else {
        OK
    };
    Found {
        diagnostics: warnings,
        counts,
        omitted: omitted_warnings(&policy),
        code,
    }
}

/// The warnings a policy found beyond those it kept.
fn omitted_warnings(policy: &lawful::Policy) -> lawful::Omitted {
    lawful::Omitted {
        errors: 0,
        warnings: policy.warning_count() - policy.warnings().len(),
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn print(args: &CheckArgs, found: &Found) {
    let kept_errors = found.diagnostics.iter().filter(|d| d.is_error()).count();
    let errors = kept_errors + found.omitted.errors;
    let warnings = found.diagnostics.len() - kept_errors + found.omitted.warnings;
    match args.format {
        Format::Human | Format::Junit => {
            if !found.diagnostics.is_empty() {
                eprint!(
                    "{}",
                    lawful_dsl::diagnostic::render_report(&found.diagnostics, found.omitted)
                );
            }
            if let (Some((versions, rules, tests)), 0) = (found.counts, errors) {
                println!(
                    "{}: {}, {rules} rules, {} — {}",
                    lawful::terminal_safe(&args.path.display().to_string()),
                    plural(versions, "version"),
                    plural(tests, "test"),
                    if warnings == 0 {
                        "no problems found".to_owned()
                    } else {
                        format!("{warnings} warning(s)")
                    }
                );
            }
        }
        Format::Json => {
            let counts = found.counts.map(|(versions, rules, tests)| {
                serde_json::json!({"versions": versions, "rules": rules, "tests": tests})
            });
            let document = serde_json::json!({
                "path": args.path.display().to_string(),
                "diagnostics": found.diagnostics.iter().map(report::diagnostic_json).collect::<Vec<_>>(),
                "summary": {"errors": errors, "warnings": warnings, "loaded": counts},
            });
            println!("{document}");
        }
        Format::Github => {
            for d in &found.diagnostics {
                println!("{}", report::diagnostic_annotation(d));
            }
            println!(
                "lawful check {}: {}, {}",
                args.path.display(),
                plural(errors, "error"),
                plural(warnings, "warning")
            );
        }
        Format::Sarif => println!("{}", report::diagnostics_sarif(&found.diagnostics)),
    }
}
