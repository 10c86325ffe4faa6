//! The library over the Filestack rules: acceptance cases, the tests beside the
//! rules, and the promises services rely on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::path::PathBuf;
use std::sync::LazyLock;

use lawful::{Action, Policy, Reason, Request, RequestErrorKind, Timestamp, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

static FILESTACK: LazyLock<Policy> =
    LazyLock::new(|| Policy::load(root().join("rules/filestack")).unwrap());

fn decide(json: &str) -> serde_json::Value {
    match FILESTACK.decide_json(json.as_bytes()) {
        Ok(d) => serde_json::to_value(d).unwrap(),
        Err(e) => serde_json::json!({ "error": e }),
    }
}

#[test]
fn filestack_loads_every_version_without_warnings() {
    let names: Vec<String> = FILESTACK.versions().into_iter().map(|v| v.name).collect();
    assert_eq!(
        names,
        ["2017-11-08", "2020-04-06", "2020-04-17", "2021-11-11"]
    );
    assert!(
        FILESTACK.warnings().is_empty(),
        "{:?}",
        FILESTACK.warnings()
    );
}

/// The acceptance cases in `tests/acceptance/*.jsonl`, as (file name, line).
fn acceptance_cases() -> Vec<(String, serde_json::Value)> {
    let dir = root().join("tests/acceptance");
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the acceptance cases belong in {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "{} holds no *.jsonl case files",
        dir.display()
    );
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let before = cases.len();
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let case = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{name}:{}: not a JSON case: {e}", number + 1));
            cases.push((format!("{name}:{}", number + 1), case));
        }
        assert!(cases.len() > before, "{name} holds no cases");
    }
    cases
}

/// What is wrong with a decision (or `{"error": …}`) for a case's expectations.
fn acceptance_problems(expect: &serde_json::Value, got: &serde_json::Value) -> Vec<String> {
    if expect.get("error").is_some_and(|e| e != false) {
        return if got.get("error").is_some() && got.get("allowed").is_none() {
            Vec::new()
        } else {
            vec!["expected an error".to_owned()]
        };
    }
    let allowed = expect
        .get("allowed")
        .expect("a case expects `allowed` or `error`");
    if got.get("error").is_some() {
        return vec![format!("refused with an error, expected allowed {allowed}")];
    }
    let mut problems = Vec::new();
    if got.get("allowed") != Some(allowed) {
        problems.push(format!("allowed is {}, expected {allowed}", got["allowed"]));
    }
    let kinds: Vec<&serde_json::Value> = got["obligations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| &o["kind"])
        .collect();
    for kind in expect["obligations"].as_array().into_iter().flatten() {
        if !kinds.contains(&kind) {
            problems.push(format!("no obligation {kind}"));
        }
    }
    for key in ["version", "basis"] {
        if let Some(want) = expect.get(key) {
            if &got[key] != want {
                problems.push(format!("{key} is {}, expected {want}", got[key]));
            }
        }
    }
    problems
}

#[test]
fn acceptance_cases_pass() {
    let cases = acceptance_cases();
    assert!(
        cases.len() >= 42,
        "only {} acceptance cases found",
        cases.len()
    );
    let mut failures = Vec::new();
    for (place, case) in &cases {
        let name = case["name"]
            .as_str()
            .unwrap_or_else(|| panic!("{place}: a case needs a name"));
        let got = decide(&case["request"].to_string());
        let problems = acceptance_problems(&case["expect"], &got);
        if !problems.is_empty() {
            failures.push(format!(
                "{place} {name}: {}\n    got {got}",
                problems.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} acceptance cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn tests_beside_the_rules_pass() {
    let cases = lawful::load_tests(root().join("rules/filestack")).unwrap();
    assert!(cases.len() >= 60);
    let failures: Vec<String> = FILESTACK
        .run_tests(cases)
        .into_iter()
        .filter(|o| !o.passed())
        .map(|o| format!("{}: {:?} (got {})", o.case.name, o.failures, o.got))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_current_rule_is_exercised_by_a_test() {
    let cases = lawful::load_tests(root().join("rules/filestack")).unwrap();
    let mut decided = std::collections::BTreeSet::new();
    for case in cases {
        if let Ok(request) = &case.request {
            if let Ok(d) = FILESTACK.decide(request) {
                if let (Some(rule), Some(version)) = (d.rule(), d.version()) {
                    decided.insert((version.to_owned(), rule.to_owned()));
                }
            }
        }
    }
    let newest = FILESTACK.core().version_models().last().unwrap();
    let untested: Vec<&str> = newest
        .rules
        .iter()
        .map(|r| &*r.id)
        .chain(newest.revocations.iter().map(|r| &*r.id))
        .filter(|id| !decided.contains(&(newest.name.to_string(), (*id).to_owned())))
        .collect();
    assert!(
        untested.is_empty(),
        "rules of {} no test decides: {untested:?}",
        newest.name
    );
}

const REVOKED: &str = r#"{"action": "disclose", "subject": {"role": "visitor", "age": 34, "do_not_track": false,
    "consents": {"marketing.communications": "2025-01-05T10:00:00Z"},
    "revocations": {"marketing.communications": "2026-02-01"}},
    "data": ["contact.email"], "purpose": "marketing.communications", "party": "mailgun",
    "at": "2026-03-01T00:00:00Z", "collected_at": "2024-06-01"}"#;

#[test]
fn decisions_have_the_documented_shape() {
    let got = decide(REVOKED);
    let mut keys: Vec<&str> = got.as_object().unwrap().keys().map(|k| &**k).collect();
    keys.sort_unstable();
    let mut documented = lawful::DECISION_KEYS;
    documented.sort_unstable();
    assert_eq!(keys, documented, "{got}");
    assert_eq!(
        lawful::DECISION_KEYS,
        [
            "allowed",
            "rule",
            "cites",
            "basis",
            "obligations",
            "version",
            "digest"
        ]
    );
    // Written in that order.
    let text = serde_json::to_string(&got).unwrap();
    let printed = serde_json::to_string(
        &FILESTACK
            .decide(&Request::from_json(REVOKED.as_bytes()).unwrap())
            .unwrap(),
    )
    .unwrap();
    let at: Vec<usize> = lawful::DECISION_KEYS
        .iter()
        .map(|k| printed.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(at.is_sorted(), "{printed}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&printed).unwrap(),
        got,
        "{text}"
    );
    assert_eq!(got["digest"], FILESTACK.digest());
    assert_eq!(got["allowed"], false);
    assert_eq!(got["rule"], "marketing-opt-out");
    assert_eq!(got["basis"], serde_json::Value::Null);
    assert_eq!(got["version"], "2021-11-11");
    assert_eq!(
        got["obligations"][0],
        serde_json::json!({"kind": "notify_recipients", "purpose": "marketing.communications"})
    );
    assert_eq!(
        got["cites"][0],
        "Choices and Means to Limit Use and Disclosure of Your Data"
    );
}

#[test]
fn a_deny_says_whether_a_rule_forbade_it_or_nothing_permitted_it() {
    let forbidden = FILESTACK
        .decide_json(br#"{"action": "use", "subject": {"role": "visitor", "restricted": true}, "data": "device.ip_address", "purpose": "improve_offerings"}"#)
        .unwrap();
    assert_eq!(
        (forbidden.reason(), forbidden.rule()),
        (Reason::ForbiddenByRule, Some("restriction"))
    );
    let nothing = FILESTACK
        .decide_json(br#"{"action": "use", "subject": {"role": "file_subject"}, "data": "device.ip_address", "purpose": "operate_website"}"#)
        .unwrap();
    assert_eq!(
        (nothing.reason(), nothing.rule()),
        (Reason::NothingAllowed, None)
    );
    let before = FILESTACK
        .decide_json(br#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "collected_at": "2010-01-01"}"#)
        .unwrap();
    assert_eq!(
        (before.reason(), before.version()),
        (Reason::BeforeFirstVersion, None)
    );
    assert!(!before.allowed());
}

#[test]
fn request_errors_name_the_field_and_suggest() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "marketting.communications"}"#,
            "purpose",
            Some("marketing.communications"),
        ),
        (
            r#"{"action": "use", "subject": {"role": "vistor"}, "data": "device.ip_address", "purpose": "operate_website"}"#,
            "subject.role",
            Some("visitor"),
        ),
        (
            r#"{"action": "use", "subject": {"role": "visitor"}, "data": ["device.ip_adress"], "purpose": "operate_website"}"#,
            "data",
            Some("device.ip_address"),
        ),
        (
            r#"{"action": "disclose", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "party": "acme_ads"}"#,
            "party",
            None,
        ),
        (
            r#"{"action": "use", "subject": {"role": "visitor", "do_not_trak": true}, "data": "device.ip_address", "purpose": "operate_website"}"#,
            "subject.do_not_trak",
            Some("do_not_track"),
        ),
        (
            r#"{"action": "use", "subject": {"role": "visitor", "do_not_track": "yes"}, "data": "device.ip_address", "purpose": "operate_website"}"#,
            "subject.do_not_track",
            None,
        ),
        (
            r#"{"action": "use", "subject": {"role": "visitor", "age": -1}, "data": "device.ip_address", "purpose": "operate_website"}"#,
            "subject.age",
            None,
        ),
        (
            r#"{"action": "use", "subject": {"role": "visitor", "age": 1e400}, "data": "device.ip_address", "purpose": "operate_website"}"#,
            "",
            None,
        ),
        (
            r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "party": "aws"}"#,
            "party",
            None,
        ),
        (
            r#"{"action": "disclose", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website"}"#,
            "party",
            None,
        ),
        (
            r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "tomorrow"}"#,
            "at",
            None,
        ),
        (
            r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpse": "operate_website"}"#,
            "purpse",
            Some("purpose"),
        ),
        (
            r#"{"action": "read", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website"}"#,
            "action",
            None,
        ),
        (r#"[1, 2]"#, "", None),
    ];
    for (json, field, suggestion) in cases {
        let error = FILESTACK
            .decide_json(json.as_bytes())
            .err()
            .unwrap_or_else(|| panic!("accepted {json}"));
        if !field.is_empty() {
            assert_eq!(error.field.as_deref(), Some(*field), "{json}: {error}");
        }
        assert_eq!(error.suggestion.as_deref(), *suggestion, "{json}: {error}");
        assert!(!error.message.is_empty());
    }
}

#[test]
fn junk_is_an_error_not_a_decision() {
    for junk in [
        &b""[..],
        b"{",
        b"\xff\xfe",
        b"null",
        b"{\"action\": \"use\"}",
        &[b'['; 10_000],
    ] {
        let error = FILESTACK
            .decide_json(junk)
            .expect_err("junk must not decide");
        assert!(matches!(
            error.kind,
            RequestErrorKind::Json | RequestErrorKind::Request
        ));
    }
}

#[test]
fn the_builder_and_the_json_form_agree() {
    let at = Timestamp::parse("2026-03-01").unwrap();
    let prepared = FILESTACK
        .request(Action::Disclose, "visitor")
        .data("activity.cookie_id")
        .purpose("marketing.advertising")
        .party("facebook")
        .attribute("do_not_track", Value::YesNo(true))
        .at(at)
        .prepare()
        .unwrap();
    let built = serde_json::to_value(FILESTACK.decide_prepared(&prepared).unwrap()).unwrap();
    let from_json = decide(
        r#"{"action": "disclose", "subject": {"role": "visitor", "do_not_track": true}, "data": "activity.cookie_id",
            "purpose": "marketing.advertising", "party": "facebook", "at": "2026-03-01"}"#,
    );
    assert_eq!(built, from_json);
    assert_eq!(built["rule"], "do-not-track");
}

#[test]
fn a_prepared_request_belongs_to_its_policy() {
    let other = Policy::load(root().join("rules/filestack/2021-11-11.lawful")).unwrap();
    let request = Request::from_json(br#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website"}"#).unwrap();
    let prepared = other.prepare(&request).unwrap();
    assert!(FILESTACK.decide_prepared(&prepared).is_err());
    assert!(other.decide_prepared(&prepared).unwrap().allowed());
}

#[test]
fn explain_records_the_rules_considered() {
    let request = Request::from_json(br#"{"action": "use", "subject": {"role": "visitor", "restricted": true}, "data": "device.ip_address", "purpose": "record_keeping"}"#).unwrap();
    let (decision, trace) = FILESTACK.explain(&request).unwrap();
    assert!(decision.allowed());
    let restriction = trace
        .iter()
        .find(|s| s.rule == "restriction")
        .expect("restriction considered");
    assert!(!restriction.applies);
    assert!(restriction.why.contains("exception"), "{}", restriction.why);
    assert!(
        trace
            .iter()
            .any(|s| s.rule == "legal-compliance" && s.applies)
    );
}

#[test]
fn policies_are_shared_across_threads() {
    let request = Request::from_json(br#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let policy = FILESTACK.clone();
            let request = request.clone();
            std::thread::spawn(move || {
                (0..1000).all(|_| policy.decide(&request).unwrap().allowed())
            })
        })
        .collect();
    assert!(handles.into_iter().all(|h| h.join().unwrap()));
}
#[test]
fn an_older_version_does_not_cover_names_it_never_declared() {
    // The 2017 text knows visitors' website data only: no processor data, no
    // credentials, no fraud protection, whatever later versions added.
    let decision = FILESTACK
        .decide_json(
            br#"{"action": "disclose", "subject": {"role": "visitor"}, "data": ["file_embedded"],
                "purpose": "legal.compliance", "party": "law_enforcement", "at": "2026-03-01", "collected_at": "2018-01-01"}"#,
        )
        .unwrap();
    assert_eq!(
        (decision.allowed(), decision.reason()),
        (false, Reason::NotInVersion)
    );
    assert_eq!(decision.version(), Some("2017-11-08"));
    assert!(
        decision.summary().contains("data category `file_embedded`"),
        "{}",
        decision.summary()
    );
    let fraud = FILESTACK
        .decide_json(
            br#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address",
                "purpose": "legal.fraud_protection", "at": "2026-03-01", "collected_at": "2018-01-01"}"#,
        )
        .unwrap();
    assert_eq!(fraud.reason(), Reason::NotInVersion);
}

#[test]
fn a_key_given_twice_is_an_error() {
    for json in [
        r#"{"action": "use", "subject": {"role": "visitor", "age": 12, "age": null}, "data": "device.ip_address", "purpose": "operate_website"}"#,
        r#"{"action": "use", "action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website"}"#,
    ] {
        let error = FILESTACK.decide_json(json.as_bytes()).unwrap_err();
        assert!(error.message.contains("appears twice"), "{error}");
    }
}

#[test]
fn ages_are_whole_numbers_and_collection_precedes_use() {
    let almost_eighteen = r#"{"action": "use", "subject": {"role": "visitor", "age": 17.99999999999999999}, "data": "device.ip_address", "purpose": "operate_website"}"#;
    assert_eq!(
        FILESTACK
            .decide_json(almost_eighteen.as_bytes())
            .unwrap_err()
            .field
            .as_deref(),
        Some("subject.age")
    );
    let backwards = r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2020-01-01", "collected_at": "2021-01-01"}"#;
    assert_eq!(
        FILESTACK
            .decide_json(backwards.as_bytes())
            .unwrap_err()
            .field
            .as_deref(),
        Some("collected_at")
    );
}

#[test]
fn revoking_part_of_a_purpose_refuses_a_request_for_the_whole() {
    let json = r#"{"action": "use", "subject": {"role": "account_user",
        "consents": {"marketing": "2026-01-01"}, "revocations": {"marketing.communications": "2026-02-01"}},
        "data": "contact.email", "purpose": "marketing", "at": "2026-03-01"}"#;
    let decision = FILESTACK.decide_json(json.as_bytes()).unwrap();
    assert_eq!(decision.reason(), Reason::ConsentRevoked);
    // The part revoked lies inside the purpose, and its revocation is an opt-out.
    assert_eq!(decision.rule(), Some("marketing-opt-out"));
    // A purpose no opt-out reaches: the withdrawal is named once no rule allows it.
    let sale = json
        .replace(r#""marketing": "2026-01-01""#, r#""sale": "2026-01-01""#)
        .replace(
            r#""marketing.communications": "2026-02-01""#,
            r#""sale": "2026-02-01""#,
        )
        .replace(r#""role": "account_user""#, r#""role": "visitor""#)
        .replace(r#""contact.email""#, r#""device.identifier""#)
        .replace(r#""purpose": "marketing""#, r#""purpose": "sale""#);
    let decision = FILESTACK.decide_json(sale.as_bytes()).unwrap();
    assert_eq!(decision.reason(), Reason::ConsentRevoked);
    assert_eq!(decision.rule(), Some("sale-consent-withdrawn"));
}

const SMALL: &str = "policy \"Small\" version 2024-01-01
role member \"a member\"
category profile \"their profile\"
purpose newsletter \"to send the newsletter\"
attribute tags \"what they asked for\" is set of text
rule newsletter allow use of profile about member for newsletter basis consent cite \"N\"
rule opted-out deny use of profile when tags contains \"no-mail\" cite \"N\"
revocation unsubscribed for newsletter then keep_quiet cite \"N\"
obligation keep_quiet \"send nothing more\"
";

#[test]
fn a_revocation_always_carries_notify_recipients() {
    let policy = Policy::from_sources([("small.lawful", SMALL)]).unwrap();
    let json = r#"{"action": "use", "subject": {"role": "member", "consents": {"newsletter": "2026-01-01"},
        "revocations": {"newsletter": "2026-02-01"}}, "data": "profile", "purpose": "newsletter", "at": "2026-03-01"}"#;
    let decision = policy.decide_json(json.as_bytes()).unwrap();
    let kinds: Vec<&str> = decision.obligations().map(|o| o.kind).collect();
    assert_eq!(kinds, ["notify_recipients", "keep_quiet"]);
}

#[test]
fn sets_given_in_any_order_are_searched_correctly() {
    let policy = Policy::from_sources([("small.lawful", SMALL)]).unwrap();
    let at = Timestamp::parse("2026-03-01").unwrap();
    let unsorted =
        Value::TextSet(vec!["zebra".into(), "no-mail".into(), "apple".into()].into_boxed_slice());
    let prepared = policy
        .request(Action::Use, "member")
        .data("profile")
        .purpose("newsletter")
        .consent("newsletter", at)
        .attribute("tags", unsorted)
        .at(at)
        .prepare()
        .unwrap();
    assert_eq!(
        policy.decide_prepared(&prepared).unwrap().rule(),
        Some("opted-out")
    );
}

#[test]
fn explain_tells_a_withdrawal_from_an_opt_out() {
    // Withdrawn consent: the use rests on another basis and goes on.
    let goes_on = Request::from_json(
        br#"{"action": "use", "subject": {"role": "visitor",
        "revocations": {"legal.compliance": "2026-01-01"}}, "data": "device.ip_address",
        "purpose": "legal.compliance", "at": "2026-03-01"}"#,
    )
    .unwrap();
    let (decision, trace) = FILESTACK.explain(&goes_on).unwrap();
    assert!(decision.allowed());
    assert_eq!(
        decision.basis().map(|b| b.as_str()),
        Some("legal_obligation")
    );
    let withdrawn = trace.last().unwrap();
    assert_eq!(withdrawn.rule, "consent-revoked");
    assert!(
        withdrawn.why.contains("withdrawn")
            && withdrawn
                .why
                .contains("rests on legal_obligation and goes on"),
        "{}",
        withdrawn.why
    );

    // Withdrawn consent with nothing else allowing: the withdrawal decides.
    let stopped = Request::from_json(
        br#"{"action": "disclose", "subject": {"role": "visitor",
        "consents": {"sale": "2025-06-01"}, "revocations": {"sale": "2026-02-01"}},
        "data": "activity.cookie_id", "purpose": "sale", "party": "facebook", "at": "2026-03-01"}"#,
    )
    .unwrap();
    let (decision, _) = FILESTACK.explain(&stopped).unwrap();
    assert_eq!(decision.reason(), Reason::ConsentRevoked);
    assert_eq!(decision.rule(), Some("sale-consent-withdrawn"));
    assert!(
        decision.summary().contains("withdrew consent"),
        "{}",
        decision.summary()
    );

    // A declared opt-out denies whatever the basis, and says it is an opt-out.
    let opted_out = Request::from_json(
        br#"{"action": "use", "subject": {"role": "visitor",
        "revocations": {"marketing.advertising": "2026-02-01"}}, "data": "activity.cookie_id",
        "purpose": "marketing.advertising", "at": "2026-03-01"}"#,
    )
    .unwrap();
    let (decision, trace) = FILESTACK.explain(&opted_out).unwrap();
    assert!(!decision.allowed());
    assert_eq!(decision.rule(), Some("marketing-purposes-opt-out"));
    assert!(
        trace
            .iter()
            .any(|s| s.applies && s.why.contains("opt-out of the purpose, whatever the basis"))
    );
}

#[test]
fn a_carve_out_by_recipient_never_lets_a_use_through() {
    let text = "policy \"P\" version 2024-01-01
role member \"a member\"
category profile \"their profile\"
purpose newsletter \"to send the newsletter\"
party mailer \"the mailer\" receives for newsletter cite \"N\"
rule newsletter allow use of profile about member for newsletter basis contract cite \"N\"
rule frozen deny use of any data except to anyone cite \"N\"
";
    let policy = Policy::from_sources([("p.lawful", text)]).unwrap();
    let use_it = r#"{"action": "use", "subject": {"role": "member"}, "data": "profile", "purpose": "newsletter"}"#;
    let decision = policy.decide_json(use_it.as_bytes()).unwrap();
    assert!(!decision.allowed());
    assert_eq!(decision.rule(), Some("frozen"));
}

#[test]
fn the_child_rule_covers_only_its_roles_and_yields_to_its_lifting_condition() {
    let cases = [
        (r#"{"role": "visitor", "age": 16}"#, false),
        (
            r#"{"role": "visitor", "age": 16, "guardian_involved": true}"#,
            true,
        ),
        (
            r#"{"role": "visitor", "age": 16, "guardian_involved": false}"#,
            false,
        ),
        (r#"{"role": "account_user", "age": 12}"#, false),
    ];
    for (subject, allowed) in cases {
        let json = format!(
            r#"{{"action": "use", "subject": {subject}, "data": "device.ip_address", "purpose": "operate_website"}}"#
        );
        let role_data = if subject.contains("account_user") {
            json.replace("operate_website", "customer.provide_services")
        } else {
            json
        };
        let decision = FILESTACK.decide_json(role_data.as_bytes()).unwrap();
        assert_eq!(decision.allowed(), allowed, "{subject}");
        if !allowed {
            assert_eq!(decision.rule(), Some("children"), "{subject}");
        }
    }
    // A customer's file: the customer's data, outside Filestack's own child rule.
    let file = r#"{"action": "use", "subject": {"role": "file_subject", "age": 10}, "data": "file_embedded", "purpose": "file_processing"}"#;
    let decision = FILESTACK.decide_json(file.as_bytes()).unwrap();
    assert!(decision.allowed());
    assert_eq!(
        decision.basis().map(|b| b.as_str()),
        Some("controller_instructions")
    );
    // 2017: under 13, no exception for a guardian.
    let old = r#"{"action": "use", "subject": {"role": "visitor", "age": 12, "guardian_involved": true}, "data": "device.ip_address", "purpose": "improve_offerings", "collected_at": "2018-01-01"}"#;
    let decision = FILESTACK.decide_json(old.as_bytes()).unwrap();
    assert_eq!(decision.rule(), Some("children"));
}

/// A copy of the Filestack rule files (no tests) in a fresh folder.
fn copy_of_filestack(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lawful-digest-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(root().join("rules/filestack")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".lawful") && !name.ends_with(".test.lawful") {
            std::fs::copy(&path, dir.join(name)).unwrap();
        }
    }
    dir
}

#[test]
fn the_digest_names_the_text_of_the_rules_wherever_they_are() {
    let digest = FILESTACK.digest();
    assert_eq!(digest.len(), 64);
    assert!(
        digest
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );

    // The same files elsewhere, without the test file: the same digest.
    let dir = copy_of_filestack("same");
    assert_eq!(Policy::load(&dir).unwrap().digest(), digest);

    // The same texts given in memory under the same names, in another order.
    let mut sources: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    sources.sort();
    sources.reverse();
    assert_eq!(Policy::from_sources(sources).unwrap().digest(), digest);

    // A comment more is layout: the same digest. A word changed: another digest.
    let file = dir.join("2017-11-08.lawful");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("# one more line\n");
    std::fs::write(&file, &text).unwrap();
    assert_eq!(Policy::load(&dir).unwrap().digest(), digest);
    let text = text.replacen("children under 13", "children under 14", 1);
    std::fs::write(&file, text).unwrap();
    let edited = Policy::load(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_ne!(edited.digest(), digest);
    let decision = serde_json::to_value(
        edited
            .decide_json(br#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website"}"#)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(decision["digest"], edited.digest());
}

#[test]
fn a_request_id_is_echoed_in_the_answer_and_changes_nothing_else() {
    let base = r#""action": "use", "subject": {"role": "visitor", "age": 16}, "data": "device.ip_address", "purpose": "operate_website""#;
    let with_id = format!(r#"{{{base}, "request_id": "req-42"}}"#);
    let request = Request::from_json(with_id.as_bytes()).unwrap();
    assert_eq!(request.request_id.as_deref(), Some("req-42"));
    let decision = FILESTACK.decide(&request).unwrap();
    let answer =
        serde_json::to_value(decision.answer(request.request_id.as_deref(), None)).unwrap();
    assert_eq!(answer["request_id"], "req-42");
    assert_eq!(answer["rule"], "children");
    // Without the id, the answer is the decision object itself.
    let mut plain = answer.clone();
    plain.as_object_mut().unwrap().remove("request_id");
    assert_eq!(plain, decide(&format!("{{{base}}}")));
    assert_eq!(
        serde_json::to_value(decision.answer(None, None)).unwrap(),
        plain
    );

    // A null id is no id; anything but short, non-empty text is a request error.
    assert!(
        Request::from_json(format!(r#"{{{base}, "request_id": null}}"#).as_bytes())
            .unwrap()
            .request_id
            .is_none()
    );
    let long = "x".repeat(lawful::MAX_REQUEST_ID_BYTES + 1);
    for bad in [
        "7".to_owned(),
        r#""""#.to_owned(),
        format!("\"{long}\""),
        "[\"a\"]".to_owned(),
    ] {
        let error = Request::from_json(format!(r#"{{{base}, "request_id": {bad}}}"#).as_bytes())
            .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("request_id"), "{bad}: {error}");
    }
    // Other unknown fields are refused as before.
    let error =
        Request::from_json(format!(r#"{{{base}, "requestid": "x"}}"#).as_bytes()).unwrap_err();
    assert_eq!(error.suggestion.as_deref(), Some("request_id"));
}
