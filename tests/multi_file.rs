//! A version spread over several files: files whose headers name the same version
//! compile into one version; names declared in any of them are visible to all;
//! a name, rule id or child rule declared in two of them is an error saying where
//! the first is; their headers must agree.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use lawful::{Policy, Request};

const HEADER: &str = "policy \"Split\" version 2024-01-01\n";

fn vocabulary() -> String {
    format!(
        "{HEADER}role visitor \"a visitor\"\n\
         category device \"device data\"\ncategory device.ip \"the IP address\"\n\
         purpose ops \"operations\"\npurpose unused \"nothing uses it\"\n\
         attribute restricted \"restricted\" is yes/no, default no\n\
         party aws \"AWS\" receives for any purpose cite \"S\"\n"
    )
}

fn rules() -> String {
    format!(
        "{HEADER}rule browsing allow use of device about visitor for ops basis legitimate_interests cite \"S\"\n\
         rule restriction deny use of any data when restricted cite \"S\"\n\
         children under 16 about visitor cite \"S\"\n"
    )
}

fn load(files: &[(&str, String)]) -> Result<Policy, String> {
    Policy::from_sources(files.iter().map(|(n, t)| (n.to_string(), t.clone())))
        .map_err(|e| e.to_string())
}

fn decide(policy: &Policy, json: &str) -> (bool, Option<String>) {
    let d = policy
        .decide(&Request::from_json(json.as_bytes()).unwrap())
        .unwrap();
    (d.allowed(), d.rule().map(str::to_owned))
}

#[test]
fn parts_of_a_version_see_each_others_names_and_decide_as_one() {
    let policy = load(&[("a.lawful", vocabulary()), ("b.lawful", rules())]).unwrap();
    let versions = policy.versions();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].name, "2024-01-01");
    assert_eq!(versions[0].rules, 2);
    let request = |extra: &str| {
        format!(
            r#"{{"action": "use", "subject": {{"role": "visitor"{extra}}}, "data": "device.ip", "purpose": "ops", "at": "2026-01-01"}}"#
        )
    };
    assert_eq!(
        decide(&policy, &request("")),
        (true, Some("browsing".into()))
    );
    assert_eq!(
        decide(&policy, &request(r#", "restricted": true"#)),
        (false, Some("restriction".into()))
    );
    assert_eq!(
        decide(&policy, &request(r#", "age": 12"#)),
        (false, Some("children".into()))
    );
    // The purpose nothing allows is reported once, in the file that declares it.
    let unused: Vec<_> = policy
        .warnings()
        .iter()
        .filter(|w| w.code == "L031")
        .collect();
    assert_eq!(unused.len(), 1, "{:?}", policy.warnings());
    let at = unused[0].location.as_ref().unwrap();
    assert_eq!((at.file.as_str(), at.line), ("a.lawful", 6));
    assert!(unused[0].message.contains("`unused`"));
}

#[test]
fn a_name_rule_or_child_rule_given_twice_across_parts_says_where_the_first_is() {
    let again = format!(
        "{HEADER}role visitor \"again\"\n\
         rule browsing allow use of device about visitor for ops basis legitimate_interests cite \"S\"\n\
         children under 13 about visitor cite \"S\"\n"
    );
    let error = load(&[
        ("a.lawful", vocabulary()),
        ("b.lawful", rules()),
        ("c.lawful", again),
    ])
    .unwrap_err();
    for expected in [
        "error[L011]: role `visitor` is declared twice",
        "the first is in `a.lawful` on line 2",
        "error[L018]: the id `browsing` is used twice",
        "the first is in `b.lawful` on line 2",
        "error[L017]: the child rule is declared twice",
        "the first is in `b.lawful` on line 4",
        "--> c.lawful:2:6",
    ] {
        assert!(error.contains(expected), "missing {expected:?} in\n{error}");
    }
}

#[test]
fn parts_of_a_version_share_its_header() {
    let other_title = rules().replace("\"Split\"", "\"Another\"");
    let error = load(&[("a.lawful", vocabulary()), ("b.lawful", other_title)]).unwrap_err();
    assert!(
        error.contains("version `2024-01-01` is also declared in `a.lawful`, with another title"),
        "{error}"
    );
    // A name used but declared in no part is still unknown.
    let stray = format!(
        "{HEADER}rule stray allow use of device about nobody for ops basis consent cite \"S\"\n"
    );
    let error = load(&[("a.lawful", vocabulary()), ("b.lawful", stray)]).unwrap_err();
    assert!(error.contains("unknown role `nobody`"), "{error}");
}

#[test]
fn a_folder_may_hold_several_files_of_one_version() {
    let dir = std::env::temp_dir().join(format!("lawful-multi-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("2024-01-01-names.lawful"), vocabulary()).unwrap();
    std::fs::write(dir.join("2024-01-01-rules.lawful"), rules()).unwrap();
    let policy = Policy::load(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let policy = policy.unwrap();
    assert_eq!(policy.versions().len(), 1);
    assert_eq!(policy.versions()[0].rules, 2);
}
