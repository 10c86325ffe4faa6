//! Hostile input, each case a finding that once got through: the command line's
//! request reader, policy folders, limits on diagnostics and on the work a large
//! policy or request may cause, and text that could fool a terminal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[path = "support/run.rs"]
mod run;

use std::process::{Command, Output};

use run::lawful;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// A one-line request about a visitor of the given age (12 is a child).
fn request_line(age: u32) -> String {
    format!(
        r#"{{"action": "use", "subject": {{"role": "visitor", "age": {age}}}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}}"#
    )
}

/// Checks each answer against the request on its own line: children denied by
/// the child rule, adults allowed.
fn assert_answers_match(ages: &[u32], answers: &[serde_json::Value]) {
    assert_eq!(answers.len(), ages.len());
    for (i, (age, answer)) in ages.iter().zip(answers).enumerate() {
        if *age < 18 {
            assert_eq!(answer["allowed"], false, "line {i}: {answer}");
            assert_eq!(answer["rule"], "children", "line {i}: {answer}");
        } else {
            assert_eq!(answer["allowed"], true, "line {i}: {answer}");
        }
    }
}

#[test]
fn an_unfinished_first_line_is_an_error_on_that_line_only() {
    let ages: Vec<u32> = (0..3000)
        .map(|i| if i % 3 == 0 { 12 } else { 30 })
        .collect();
    let mut input = String::from("{\"action\": \"use\", \"subject\": {\n");
    for age in &ages {
        input.push_str(&request_line(*age));
        input.push('\n');
    }
    let out = lawful(&["decide", "--policy", RULES], input.as_bytes());
    assert_eq!(out.status.code(), Some(2), "one line was bad");
    let answers = json_lines(&out);
    assert_eq!(answers.len(), ages.len() + 1, "one answer per line");
    assert_eq!(answers[0]["error"]["kind"], "json", "{}", answers[0]);
    let message = answers[0]["error"]["message"].as_str().unwrap();
    assert!(message.contains("one whole request"), "{message}");
    assert_answers_match(&ages, &answers[1..]);
}

#[test]
fn an_unfinished_line_in_the_middle_is_an_error_on_that_line_only() {
    let mut input = String::new();
    input.push_str(&request_line(12));
    input.push('\n');
    input.push_str("{\"action\": \"use\",\n");
    input.push_str(&request_line(30));
    input.push('\n');
    let out = lawful(&["decide", "--policy", RULES], input.as_bytes());
    let answers = json_lines(&out);
    assert_eq!(answers.len(), 3);
    assert_answers_match(&[12], &answers[..1]);
    assert_eq!(answers[1]["error"]["kind"], "json");
    assert_answers_match(&[30], &answers[2..]);
}

#[test]
fn blank_lines_are_skipped() {
    let input = format!(
        "\n{}\n\n   \r\n\t\n{}\n\n",
        request_line(30),
        request_line(12)
    );
    let out = lawful(&["decide", "--policy", RULES], input.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_answers_match(&[30, 12], &json_lines(&out));
}

#[test]
fn input_that_is_one_pretty_printed_request_is_one_request() {
    let pretty = "\n{\n  \"action\": \"use\",\n  \"subject\": {\"role\": \"visitor\",\n    \"age\": 12},\n  \"data\": \"device.ip_address\",\n  \"purpose\": \"operate_website\"\n}\n\n";
    let out = lawful(&["decide", "--policy", RULES], pretty.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_answers_match(&[12], &json_lines(&out));
}

#[test]
fn a_pretty_printed_request_followed_by_more_is_read_line_by_line() {
    // Not one JSON value as a whole: every non-blank line is answered on its own.
    let input = format!("{{\n  \"action\": \"use\"\n}}\n{}\n", request_line(30));
    let out = lawful(&["decide", "--policy", RULES], input.as_bytes());
    let answers = json_lines(&out);
    assert_eq!(answers.len(), 4, "{answers:?}");
    for answer in &answers[..3] {
        assert_eq!(answer["error"]["kind"], "json", "{answer}");
    }
    assert_answers_match(&[30], &answers[3..]);
}

/// A folder holding two of Filestack's versions, and whatever else a test adds.
#[cfg(unix)]
fn policy_folder(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lawful-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for version in ["2017-11-08", "2021-11-11"] {
        std::fs::copy(
            format!("{RULES}/{version}.lawful"),
            dir.join(format!("{version}.lawful")),
        )
        .unwrap();
    }
    dir
}

#[cfg(unix)]
#[test]
fn rule_files_that_cannot_be_read_are_errors_not_skipped() {
    use std::os::unix::fs::symlink;
    let dir = policy_folder("unreadable");
    symlink(dir.join("gone.txt"), dir.join("2020-04-06.lawful")).unwrap();
    symlink(dir.join("loop.lawful"), dir.join("loop.lawful")).unwrap();
    std::fs::create_dir(dir.join("folder.lawful")).unwrap();
    let fifo = dir.join("2020-04-17.lawful");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo is needed for this test");
    // A broken test file is an error too, when tests are read.
    symlink(dir.join("gone.txt"), dir.join("broken.test.lawful")).unwrap();

    let error = lawful::Policy::load(&dir).unwrap_err();
    let shown = error.to_string();
    for name in [
        "2020-04-06.lawful",
        "loop.lawful",
        "folder.lawful",
        "2020-04-17.lawful",
    ] {
        assert!(shown.contains(name), "{name} is not reported:\n{shown}");
    }
    assert!(shown.contains("does not exist"), "{shown}");
    assert!(shown.contains("named pipe"), "{shown}");
    assert!(!shown.contains("broken.test.lawful"), "{shown}");
    assert!(
        lawful::load_tests(&dir)
            .unwrap_err()
            .to_string()
            .contains("broken.test.lawful")
    );

    // `check` says so, and does not wait on the pipe.
    let out = lawful(&["check", dir.to_str().unwrap()], b"");
    let stderr = text(&out.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!text(&out.stdout).contains("no problems found"));
    assert!(stderr.contains("2020-04-17.lawful"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_pipe_named_as_the_policy_is_refused_without_waiting() {
    let dir = policy_folder("pipe");
    let fifo = dir.join("policy.lawful");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let error = lawful::Policy::load(&fifo).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(error.contains("named pipe"), "{error}");
}

/// A policy of one role, two categories and one purpose, then `rules`.
fn small_policy(rules: &str) -> String {
    format!(
        "policy \"Generated\" version 2024-01-01\nrole r \"r\"\ncategory d \"d\"\ncategory e \"e\"\npurpose p \"p\"\n{rules}"
    )
}

#[test]
fn diagnostics_are_bounded_in_number_and_width() {
    // One long line naming thousands of unknown categories: each problem used to
    // carry the whole line, and every one of them was reported.
    let names: Vec<String> = (0..3000).map(|i| format!("unknown{i}")).collect();
    let wide = small_policy(&format!(
        "rule x allow use of {} about r for p basis consent cite \"S\"\n",
        names.join(", ")
    ));
    let error = lawful::Policy::from_sources([("wide.lawful", wide.as_str())]).unwrap_err();
    assert!(
        error.diagnostics.len() <= 100,
        "{}",
        error.diagnostics.len()
    );
    for d in &error.diagnostics {
        let location = d.location.as_deref().unwrap();
        assert!(location.source_line.chars().count() <= 120);
    }
    let shown = error.to_string();
    assert!(
        shown.len() < 100_000,
        "{} bytes of diagnostics",
        shown.len()
    );
    assert!(
        shown.contains("… and 2900 more not shown (2900 errors, 0 warnings)"),
        "{shown}"
    );
    assert!(shown.ends_with("3000 errors, 0 warnings"), "{shown}");

    // `lawful check` prints as much, no more.
    let dir = std::env::temp_dir().join(format!("lawful-hostile-wide-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wide.lawful");
    std::fs::write(&file, &wide).unwrap();
    let out = lawful(&["check", file.to_str().unwrap()], b"");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.len() < 100_000,
        "{} bytes on stderr",
        out.stderr.len()
    );
    assert!(text(&out.stderr).contains("2900 more not shown"));
}

#[test]
fn the_shadowed_rule_lint_runs_on_large_versions() {
    // 600 unconditional denies of other data and 2,000 allows: the lint once gave
    // up on versions with more than a million (allow, deny) pairs.
    let mut rules = String::new();
    for i in 0..600 {
        rules.push_str(&format!(
            "category x{i} \"x\"\nrule deny-x{i} deny use of x{i} cite \"S\"\n"
        ));
    }
    rules.push_str("rule deny-e deny use of e cite \"S\"\n");
    for i in 0..2000 {
        rules.push_str(&format!(
            "rule a{i} allow use of d about r for p basis contract cite \"S\"\n"
        ));
    }
    rules.push_str("rule shadowed allow use of e about r for p basis contract cite \"S\"\n");
    let policy = lawful::Policy::from_sources([("large.lawful", small_policy(&rules))]).unwrap();
    let shadowed: Vec<&str> = policy
        .warnings()
        .iter()
        .filter(|w| w.code == "L033")
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(
        shadowed,
        ["rule `shadowed` can never allow anything: rule `deny-e` forbids all of it"]
    );
}

/// Load-path work near-linear in the input: each of these once took from ten
/// seconds to minutes (the shadowed-rule lint compared every allow with every
/// rule, and each diagnostic and test case was located by reading the file from
/// its start). No timing is asserted: the suite's running time is the measure.
#[test]
fn large_generated_policies_load() {
    // 40,000 identical allows, and one shadowed by a deny.
    let mut rules = String::from("rule deny-e deny use of e cite \"S\"\n");
    for i in 0..40_000 {
        rules.push_str(&format!(
            "rule a{i} allow use of d about r for p basis legitimate_interests cite \"S\"\n"
        ));
    }
    rules.push_str("rule shadowed allow use of e about r for p basis contract cite \"S\"\n");
    let policy = lawful::Policy::from_sources([("allows.lawful", small_policy(&rules))]).unwrap();
    assert_eq!(policy.warning_count(), 1, "{}", policy.render_warnings());

    // 40,000 warnings: uncited rules.
    let mut rules = String::new();
    for i in 0..40_000 {
        rules.push_str(&format!(
            "rule a{i} allow use of d about r for p basis legitimate_interests\n"
        ));
    }
    let policy = lawful::Policy::from_sources([("warnings.lawful", small_policy(&rules))]).unwrap();
    assert!(policy.warnings().len() <= 100);
    // One per rule (L030), and the data map's one: `d` is used only through
    // uncited rules (L038).
    assert_eq!(policy.warning_count(), 40_001);
    let rendered = policy.render_warnings();
    assert!(rendered.contains("… and 39901 more not shown (0 errors, 39901 warnings)"));
    assert!(rendered.ends_with("0 errors, 40001 warnings\n"));

    // 20,000 test cases.
    let dir = std::env::temp_dir().join(format!("lawful-hostile-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("2024-01-01.lawful"),
        small_policy("rule a allow use of d about r for p basis contract cite \"S\"\n"),
    )
    .unwrap();
    let mut cases = String::new();
    for i in 0..20_000 {
        cases.push_str(&format!(
            "test \"case {i}\"\n  subject r\n  use d for p at 2026-03-01\n  expect allowed by a\n"
        ));
    }
    std::fs::write(dir.join("many.test.lawful"), cases).unwrap();
    let policy = lawful::Policy::load(&dir).unwrap();
    let tests = lawful::load_tests(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(tests.len(), 20_000);
    assert_eq!(tests[19_999].line, 79_997);
    let outcomes = policy.run_tests(tests);
    assert!(outcomes.iter().all(|o| o.passed()));
}

#[test]
fn a_file_with_carriage_returns_alone_for_line_ends_reads_as_lines() {
    // Old Mac line ends: a comment ends at the `\r`, and lines are counted by them.
    let text = small_policy(
        "# the rule below is meant\rrule a allow use of d about r for p basis contract cite \"S\"\r\
         # and this one has a mistake\rrule b allow use of dd about r for p basis contract cite \"S\"\r",
    )
    .replace('\n', "\r");
    let error = lawful::Policy::from_sources([("mac.lawful", text.as_str())]).unwrap_err();
    let unknown = error.diagnostics.first().unwrap();
    assert_eq!(unknown.code, "L010", "{error}");
    let location = unknown.location.as_deref().unwrap();
    assert_eq!((location.line, location.column), (9, 21), "{error}");
    assert!(location.source_line.starts_with("rule b"), "{error}");
    let unclosed = text.replace("cite \"S\"\r# and", "cite \"S\r# and");
    let error = lawful::Policy::from_sources([("mac.lawful", unclosed.as_str())]).unwrap_err();
    assert!(
        error.to_string().contains("this text has no closing quote"),
        "{error}"
    );
    let fixed = text.replace("of dd", "of d");
    let policy = lawful::Policy::from_sources([("mac.lawful", fixed.as_str())]).unwrap();
    assert_eq!(policy.versions()[0].rules, 2);
}

#[test]
fn a_flood_of_identical_rules_is_read_once_per_decision() {
    // 20,000 rules under one (role, purpose, category): the first that needs only
    // consent decides for all of them, and an unconditional deny ends the search.
    let mut rules = String::new();
    for i in 0..20_000 {
        rules.push_str(&format!(
            "rule c{i} allow use of d about r for p basis consent cite \"S\"\n"
        ));
        rules.push_str(&format!("rule n{i} deny use of e cite \"S\"\n"));
    }
    let policy = lawful::Policy::from_sources([("flood.lawful", small_policy(&rules))]).unwrap();
    let ask = |data: &str| {
        policy
            .request(lawful::Action::Use, "r")
            .data(data)
            .purpose("p")
            .at(lawful::Timestamp::parse("2026-03-01").unwrap())
            .into_request()
    };
    let (decision, trace) = policy.explain(&ask("d")).unwrap();
    assert!(!decision.allowed());
    assert!(
        trace.len() < 10,
        "{} steps: every identical rule was read",
        trace.len()
    );
    let consented = {
        let mut r = ask("d");
        r.subject
            .consents
            .insert("p".into(), lawful::Timestamp::parse("2026-01-01").unwrap());
        r
    };
    let (decision, trace) = policy.explain(&consented).unwrap();
    assert_eq!(decision.rule(), Some("c0"));
    assert!(trace.len() < 10, "{} steps", trace.len());
    let (decision, trace) = policy.explain(&ask("e")).unwrap();
    assert_eq!(decision.rule(), Some("n0"));
    assert!(trace.len() < 10, "{} steps", trace.len());
}

#[test]
fn a_byte_order_mark_before_a_request_gets_a_hint() {
    let mut json = b"\xef\xbb\xbf".to_vec();
    json.extend_from_slice(request_line(30).as_bytes());
    let policy = lawful::Policy::load(RULES).unwrap();
    let error = policy.decide_json(&json).unwrap_err();
    assert!(error.message.contains("byte-order mark"), "{error}");
    json.push(b'\n');
    let out = lawful(&["decide", "--policy", RULES], &json);
    let answers = json_lines(&out);
    let message = answers[0]["error"]["message"].as_str().unwrap();
    assert!(message.contains("byte-order mark"), "{message}");
}

/// Characters a terminal acts on: escape sequences (ESC, CSI as one C1 byte),
/// the bell, and the mark that reverses text.
const TERMINAL_CONTROLS: [char; 4] = ['\u{1b}', '\u{9b}', '\u{7}', '\u{202e}'];

fn assert_no_controls(what: &str, printed: &str) {
    for c in TERMINAL_CONTROLS {
        assert!(
            !printed.contains(c),
            "{what} printed {c:?} raw:\n{printed:?}"
        );
    }
}

#[test]
fn terminal_escapes_in_labels_cites_and_requests_are_printed_escaped() {
    let dir = std::env::temp_dir().join(format!("lawful-hostile-escapes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = "policy \"P\" version 2024-01-01\n\
        role r \"a \u{1b}[31mred\u{1b}[0m role\"\ncategory d \"d\u{7}\"\npurpose p \"p \u{202e}desrever\"\n\
        rule a allow use of d about r for p basis contract cite \"\u{9b}2J\u{1b}]0;title\u{7}\"\n";
    std::fs::write(dir.join("2024-01-01.lawful"), rules).unwrap();
    std::fs::write(
        dir.join("t.test.lawful"),
        "test \"\u{1b}[2J wrong on purpose\"\n  subject r\n  use d for p at 2026-03-01\n  expect denied\n",
    )
    .unwrap();
    let policy = dir.to_str().unwrap();
    let request = r#"{"action": "use", "subject": {"role": "r"}, "data": "d", "purpose": "p", "at": "2026-03-01"}"#;
    std::fs::write(dir.join("request.json"), request).unwrap();
    let request_file = dir.join("request.json");

    let explained = lawful(
        &[
            "explain",
            "--policy",
            policy,
            request_file.to_str().unwrap(),
        ],
        b"",
    );
    let prose = text(&explained.stdout);
    assert_eq!(
        explained.status.code(),
        Some(0),
        "{}",
        text(&explained.stderr)
    );
    assert_no_controls("explain", &prose);
    assert!(prose.contains("\\u{1b}[31mred"), "{prose}");

    let tested = lawful(&["test", policy], b"");
    assert_eq!(tested.status.code(), Some(1));
    assert_no_controls("test", &text(&tested.stdout));
    assert!(text(&tested.stdout).contains("FAIL \\u{1b}[2J wrong on purpose"));

    let decided = lawful(
        &["decide", "--policy", policy],
        format!("{request}\n").as_bytes(),
    );
    let stdout = text(&decided.stdout);
    assert_no_controls("decide", &stdout);
    let answer: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        answer["cites"][0], "\u{9b}2J\u{1b}]0;title\u{7}",
        "the JSON still says it"
    );

    let bad =
        r#"{"action": "use", "subject": {"role": "\u001b[2Jr"}, "data": "d", "purpose": "p"}"#;
    let refused = lawful(&["explain", "--policy", policy], bad.as_bytes());
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert_no_controls("explain's error", &text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("unknown role"),
        "{}",
        text(&refused.stderr)
    );
}

/// The code of the first diagnostic of a policy that must not load.
fn refused(rules: &str) -> (String, String) {
    let error = lawful::Policy::from_sources([("p.lawful", small_policy(rules))]).unwrap_err();
    let first = error.diagnostics.first().unwrap();
    (first.code.to_owned(), error.to_string())
}

#[test]
fn attributes_named_like_the_fields_of_a_subject_are_refused() {
    for name in ["consents", "revocations"] {
        let (code, shown) = refused(&format!("attribute {name} \"x\" is text\n"));
        assert_eq!(code, "L027", "{shown}");
        assert!(shown.contains(&format!("`{name}`")), "{shown}");
    }
    let (code, _) = refused("attribute age \"x\" is number\n");
    assert_eq!(code, "L021");
    // `role` is a word of the language: no name at all.
    let (code, _) = refused("attribute role \"x\" is text\n");
    assert_eq!(code, "L001");
}

#[test]
fn child_ages_out_of_range_and_empty_cites_are_refused() {
    for under in ["0", "201", "300"] {
        let (code, shown) = refused(&format!("children under {under} about r cite \"C\"\n"));
        assert_eq!(code, "L028", "{shown}");
    }
    let policy = lawful::Policy::from_sources([(
        "p.lawful",
        small_policy("children under 200 about r cite \"C\"\n"),
    )]);
    assert!(policy.is_ok(), "{policy:?}");
    for cite in ["\"\"", "\"   \"", "\"Data Use\", \"\""] {
        let (code, shown) = refused(&format!(
            "rule a allow use of d about r for p basis contract cite {cite}\n"
        ));
        assert_eq!(code, "L029", "{shown}");
    }
    let (code, _) = refused("party x \"x\" receives for p cite \"\"\n");
    assert_eq!(code, "L029");
}

#[test]
fn a_leap_second_is_accepted_only_at_the_end_of_a_utc_day() {
    let policy = lawful::Policy::load(RULES).unwrap();
    let at = |time: &str| {
        let json = format!(
            r#"{{"action": "use", "subject": {{"role": "visitor"}}, "data": "device.ip_address", "purpose": "operate_website", "at": "{time}"}}"#
        );
        policy.decide_json(json.as_bytes()).map(|_| ())
    };
    assert!(at("2026-03-01T12:34:60Z").is_err());
    assert!(at("2026-03-01T23:58:60Z").is_err());
    assert!(at("2016-12-31T23:59:60Z").is_ok());
    assert!(at("2016-12-31T18:59:60-05:00").is_ok());
    assert!(at("2016-12-31T23:59:60+01:00").is_err());
    assert_eq!(
        lawful::Timestamp::parse("2016-12-31T23:59:60Z").unwrap(),
        lawful::Timestamp::parse("2017-01-01T00:00:00Z").unwrap()
    );
}

#[test]
fn a_label_is_explained_in_the_words_of_the_version_that_decided() {
    // Filestack's versions word `visitor` and `operate_website` differently; a
    // decision under 2017 is explained in 2017's words, not in the newest.
    let policy = lawful::Policy::load(RULES).unwrap();
    let explain = |collected: &str| {
        let request = lawful::Request::from_json(format!(
            r#"{{"action": "use", "subject": {{"role": "visitor"}}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01", "collected_at": "{collected}"}}"#
        ).as_bytes())
        .unwrap();
        let (decision, trace) = policy.explain(&request).unwrap();
        lawful::explain::prose(&policy, &request, &decision, &trace)
    };
    let old = explain("2018-01-01");
    assert!(
        old.contains("`visitor` (someone who visits our website)"),
        "{old}"
    );
    assert!(
        old.contains("`operate_website` (to operate our website and administer"),
        "{old}"
    );
    let new = explain("2024-01-01");
    assert!(
        new.contains("`visitor` (someone who visits our website, meets us at an event"),
        "{new}"
    );
    assert!(
        new.contains("`operate_website` (to operate our website)"),
        "{new}"
    );
}
