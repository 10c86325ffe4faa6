//! The `lawful` binary as a user runs it: output, exit codes, help.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[path = "support/run.rs"]
mod run;

use run::lawful;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_is_clean_on_filestack() {
    let out = lawful(&["check", "--deny-warnings", RULES], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("4 versions"));
    assert!(text(&out.stdout).contains("no problems found"));
}

#[test]
fn test_runs_the_cases_beside_the_rules() {
    let out = lawful(&["test", RULES], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).trim_end().ends_with(" passed, 0 failed"));
}

#[test]
fn a_failing_test_names_the_rule_that_decided() {
    let dir = std::env::temp_dir().join(format!("lawful-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        format!("{RULES}/2021-11-11.lawful"),
        dir.join("2021-11-11.lawful"),
    )
    .unwrap();
    std::fs::write(
        dir.join("wrong.test.lawful"),
        "test \"wrong on purpose\"\n  subject visitor\n  use device.ip_address for operate_website at 2026-03-01\n  expect denied\n",
    )
    .unwrap();
    let out = lawful(&["test", dir.to_str().unwrap()], b"");
    let stdout = text(&out.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("FAIL wrong on purpose"), "{stdout}");
    assert!(stdout.contains("allowed by `visitor-browsing`"), "{stdout}");
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");
}

#[test]
fn decide_answers_json_lines_in_order_with_error_objects() {
    let input = concat!(
        r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
        "\n",
        r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "marketting.communications"}"#,
        "\n",
        "not json\n",
    );
    let mut input = input.as_bytes().to_vec();
    input.extend_from_slice(b"\xff\xfe\n");
    input.extend_from_slice(br#"{"action": "use", "subject": {"role": "visitor", "age": 16}, "data": "device.ip_address", "purpose": "operate_website"}"#);
    input.push(b'\n');
    let out = lawful(&["decide", "--policy", RULES], &input);
    assert_eq!(out.status.code(), Some(2), "bad lines make the exit code 2");
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["allowed"], true);
    assert_eq!(lines[1]["error"]["kind"], "request");
    assert_eq!(lines[1]["error"]["suggestion"], "marketing.communications");
    assert_eq!(lines[2]["error"]["kind"], "json");
    assert_eq!(lines[3]["error"]["kind"], "json");
    assert_eq!(lines[4]["rule"], "children");
}

#[test]
fn decide_reads_one_pretty_printed_request_from_a_file() {
    let out = lawful(
        &[
            "decide",
            "--policy",
            RULES,
            "--explain",
            "examples/revoked-marketing.json",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 1);
    let decision: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(decision["rule"], "marketing-opt-out");
    assert!(decision["trace"].as_array().unwrap().len() >= 2);
}

#[test]
fn explain_writes_prose_citing_sections() {
    let out = lawful(
        &[
            "explain",
            "--policy",
            RULES,
            "examples/revoked-marketing.json",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let prose = text(&out.stdout);
    assert!(
        prose.starts_with("Denied: the person revoked consent for marketing.communications."),
        "{prose}"
    );
    assert!(prose.contains("\"Communications Policy\""));
    assert!(prose.contains("notify_recipients"));
    assert!(prose.contains("How the decision was reached:"));
}

#[test]
fn explain_refuses_a_bad_request_with_exit_2() {
    let out = lawful(&["explain", "--policy", RULES], br#"{"action": "use"}"#);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("missing `subject`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn every_command_has_help_with_an_example() {
    for command in ["check", "test", "decide", "explain"] {
        let out = lawful(&[command, "--help"], b"");
        assert_eq!(out.status.code(), Some(0), "{command}");
        let help = text(&out.stdout);
        assert!(help.contains("Usage: lawful"), "{command}: {help}");
        assert!(help.contains("Example"), "{command}: {help}");
    }
    assert_eq!(lawful(&["--help"], b"").status.code(), Some(0));
}

#[test]
fn usage_mistakes_exit_2_with_a_hint() {
    let out = lawful(&["chekc", RULES], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("a similar subcommand exists: 'check'"),
        "{}",
        text(&out.stderr)
    );
    let out = lawful(&["decide", "--polcy", RULES], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("a similar argument exists: '--policy'"),
        "{}",
        text(&out.stderr)
    );
    // An option given twice is a usage error, not a silent choice.
    let out = lawful(&["decide", "--policy", RULES, "--policy", RULES], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot be used multiple times"));
    // `--` ends the options: what follows is a file name, even if it looks like one.
    let out = lawful(&["explain", "--policy", RULES, "--", "--no-such-file"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--no-such-file"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(lawful(&["decide"], b"").status.code(), Some(2));
    assert_eq!(lawful(&[], b"").status.code(), Some(2));
    assert_eq!(
        lawful(&["check", "no/such/path"], b"").status.code(),
        Some(2)
    );
}

#[test]
fn check_reports_broken_rules_with_exit_1() {
    let out = lawful(&["check", "tests/broken/unknown-names.lawful"], b"");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[L010]"), "{stderr}");
    assert!(
        stderr.contains("tests/broken/unknown-names.lawful:"),
        "{stderr}"
    );
}

#[test]
fn check_accepts_a_single_rule_file() {
    let out = lawful(&["check", "rules/filestack/2021-11-11.lawful"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 version"));
}

#[test]
fn an_oversized_request_line_is_an_error_and_the_rest_go_on() {
    let mut input = vec![b'x'; 1_100_000];
    input.extend_from_slice(b"\n{\"action\": \"use\", \"subject\": {\"role\": \"visitor\"}, \"data\": \"device.ip_address\", \"purpose\": \"operate_website\"}\n");
    let out = lawful(&["decide", "--policy", RULES], &input);
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].contains("longer than"));
    assert!(lines[1].contains("\"allowed\":true"));
}

fn schema(name: &str) -> jsonschema::Validator {
    let path = format!("{}/docs/schemas/{name}", env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, document: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{document:#}");
}

/// A folder with the current Filestack version and tests that fail in three ways.
fn failing_tests() -> tempdir::Dir {
    let dir = tempdir::Dir::new("formats");
    std::fs::copy(
        format!("{RULES}/2021-11-11.lawful"),
        dir.path.join("2021-11-11.lawful"),
    )
    .unwrap();
    std::fs::write(
        dir.path.join("x.test.lawful"),
        "test \"wrong on purpose\"\n  subject visitor\n  use device.ip_address for operate_website at 2026-03-01\n  expect denied\n\n\
         test \"right\"\n  subject visitor aged 16\n  use device.ip_address for operate_website at 2026-03-01\n  expect denied by children with delete\n",
    )
    .unwrap();
    dir
}

mod tempdir {
    /// A temporary folder removed when dropped.
    pub struct Dir {
        pub path: std::path::PathBuf,
    }

    impl Dir {
        pub fn new(name: &str) -> Dir {
            let path = std::env::temp_dir().join(format!(
                "lawful-{name}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            Dir { path }
        }

        pub fn str(&self) -> &str {
            self.path.to_str().unwrap()
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[test]
fn check_formats_for_ci() {
    let broken = "tests/broken/unknown-names.lawful";
    let human = lawful(&["check", broken], b"");
    let count = text(&human.stderr).matches("error[").count()
        + text(&human.stderr).matches("warning[").count();
    assert!(count > 1);

    let github = lawful(&["check", "--format", "github", broken], b"");
    assert_eq!(github.status.code(), Some(1));
    let stdout = text(&github.stdout);
    let annotations: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(
        annotations.len(),
        count,
        "one annotation per diagnostic:\n{stdout}"
    );
    assert!(
        annotations[0].starts_with(&format!("::error file={broken},line=")),
        "{}",
        annotations[0]
    );

    let check_schema = schema("lawful-check.schema.json");
    for args in [
        vec!["check", "--format", "json", broken],
        vec!["check", "--format", "json", RULES],
    ] {
        let out = lawful(&args, b"");
        let document: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_valid(&check_schema, &document);
    }
    let json = lawful(&["check", "--format", "json", broken], b"");
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(document["diagnostics"].as_array().unwrap().len(), count);
    assert_eq!(document["diagnostics"][0]["code"], "L010");

    let sarif_schema = schema("sarif-2.1.0-lawful.schema.json");
    let sarif = lawful(&["check", "--format", "sarif", broken], b"");
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_valid(&sarif_schema, &log);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), count);
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "L010");

    let junit = lawful(&["check", "--format", "junit", broken], b"");
    assert_eq!(junit.status.code(), Some(2), "junit is for `test`");
}

#[test]
fn test_formats_filter_and_coverage() {
    let dir = failing_tests();
    let human = lawful(&["test", dir.str()], b"");
    let stdout = text(&human.stdout);
    assert_eq!(human.status.code(), Some(1));
    assert!(
        stdout.contains(
            "because: visitor-browsing: it allows use of device.ip_address for operate_website"
        ),
        "a failure shows the engine's reason:\n{stdout}"
    );

    let filtered = lawful(&["test", dir.str(), "--filter", "right"], b"");
    assert_eq!(
        filtered.status.code(),
        Some(0),
        "{}",
        text(&filtered.stdout)
    );
    assert!(text(&filtered.stdout).contains("1 passed, 0 failed"));

    let json = lawful(&["test", dir.str(), "--format", "json", "--coverage"], b"");
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_valid(&schema("lawful-test.schema.json"), &document);
    assert_eq!(document["summary"]["failed"], 1);
    let coverage = &document["coverage"][0];
    assert_eq!(coverage["child_rules"]["decided"][0], "children");
    assert!(
        coverage["rules"]["decided"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("visitor-browsing"))
    );
    assert!(
        coverage["rules"]["not_decided"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("restriction"))
    );

    let sarif = lawful(&["test", dir.str(), "--format", "sarif"], b"");
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_valid(&schema("sarif-2.1.0-lawful.schema.json"), &log);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 1);

    let junit = text(&lawful(&["test", dir.str(), "--format", "junit"], b"").stdout);
    assert!(junit.starts_with("<?xml"));
    assert!(junit.contains("tests=\"2\" failures=\"1\""), "{junit}");
    assert_eq!(junit.matches("<testcase ").count(), 2);
    assert_eq!(junit.matches("<failure ").count(), 1);

    let github = text(&lawful(&["test", dir.str(), "--format", "github"], b"").stdout);
    assert!(github.starts_with("::error file="), "{github}");
    assert!(
        github.contains("title=lawful test%3A wrong on purpose"),
        "{github}"
    );
}

#[test]
fn check_catches_a_test_naming_an_unknown_rule() {
    let dir = tempdir::Dir::new("unknown-rule");
    std::fs::copy(
        format!("{RULES}/2021-11-11.lawful"),
        dir.path.join("2021-11-11.lawful"),
    )
    .unwrap();
    std::fs::write(
        dir.path.join("x.test.lawful"),
        "test \"misnamed\"\n  subject visitor\n  use device.ip_address for operate_website at 2026-03-01\n  expect allowed by visitor-browsng\n",
    )
    .unwrap();
    let out = lawful(&["check", dir.str()], b"");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[L042]"), "{stderr}");
    assert!(
        stderr.contains("did you mean `visitor-browsing`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("x.test.lawful:4:21"),
        "the caret is on the rule id: {stderr}"
    );
}

#[test]
fn every_rule_revocation_party_and_child_rule_of_filestack_decides_some_test() {
    let out = lawful(&["test", RULES, "--coverage", "--format", "json"], b"");
    assert_eq!(out.status.code(), Some(0));
    let document: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let coverage = document["coverage"].as_array().unwrap();
    assert_eq!(coverage.len(), 4);
    for version in coverage {
        for kind in ["rules", "revocations", "parties", "child_rules"] {
            assert_eq!(
                version[kind]["not_decided"],
                serde_json::json!([]),
                "version {}: {kind}",
                version["version"]
            );
        }
    }
}
#[test]
fn map_writes_each_format() {
    let out = lawful(&["map", RULES, "--format", "json"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let map: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(map["version"], "2021-11-11");
    // Compared as sets: serde_json keeps keys sorted, or in the order written when
    // another workspace member turns on its `preserve_order` feature.
    let mut keys: Vec<&str> = map["uses"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = [
        "role",
        "category",
        "purpose",
        "basis",
        "rule",
        "cites",
        "conditions",
        "recipients",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);

    let out = lawful(
        &["map", RULES, "--version", "2017-11-08", "--format", "csv"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "version,role,category,purpose,basis,rule,cites,conditions,party,obligations,party_conditions"
        )
    );
    assert!(lines.all(|l| l.starts_with("2017-11-08,visitor,")));

    let out = lawful(&["map", RULES], b"");
    assert!(
        text(&out.stdout).starts_with("# Data map: Filestack Privacy Policy, version 2021-11-11")
    );
    let out = lawful(&["map", RULES, "--format", "ropa"], b"");
    let ropa = text(&out.stdout);
    assert!(ropa.contains("## Processing activities (GDPR Art. 30(1))"));
    assert!(ropa.contains("## CCPA: categories of personal information sold or shared"));
    let out = lawful(&["map", RULES, "--format", "ccpa-json"], b"");
    let ccpa: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        ccpa["ccpa"]["sold_or_shared"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    );
    let out = lawful(&["map", RULES, "--format", "ccpa"], b"");
    assert!(
        text(&out.stdout).starts_with("# CCPA lists: Filestack Privacy Policy, version 2021-11-11")
    );
    let out = lawful(&["map", RULES, "--format", "fides"], b"");
    assert!(text(&out.stdout).starts_with("system:\n- fides_key: filestack_privacy_policy"));
    let out = lawful(&["map", RULES, "--format", "html"], b"");
    let page = text(&out.stdout);
    assert!(page.starts_with("<!DOCTYPE html>"));
    // Self-contained: nothing is fetched (the policy texts inside may quote links).
    for fetch in ["src=\"http", "href=\"http", "<link", "@import", "url("] {
        assert!(!page.contains(fetch), "the page fetches: {fetch}");
    }
    assert!(
        page.contains("We use data collected about visitors"),
        "the policy text is inside"
    );
}

#[test]
fn map_refuses_what_it_does_not_know() {
    let out = lawful(&["map", RULES, "--format", "ropaa"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown format `ropaa` (did you mean `ropa`?)"));
    let out = lawful(&["map", RULES, "--version", "2021-11-12"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean `2021-11-11`?"));
    let out = lawful(&["map"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out = lawful(&["map", "--help"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("ropa-json"));
}

#[test]
fn the_readme_shows_the_current_record_of_processing() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("# Record of processing activities:")
        .expect("the README shows the record");
    let end = start + readme[start..].find("\n\n</details>").unwrap();
    let out = lawful(&["map", RULES, "--format", "ropa"], b"");
    assert_eq!(
        &readme[start..end],
        text(&out.stdout).trim_end(),
        "paste `lawful map rules/filestack --format ropa` into the README again"
    );
}
