//! Golden tests of diagnostics: each file in `tests/broken/` is loaded and what
//! `lawful check` would print is compared with its snapshot in `tests/snapshots/`,
//! so any change of wording shows up in review. Update with `INSTA_UPDATE=always`
//! (or `cargo insta review`) and read the diff.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[test]
fn broken_rule_files_are_explained() {
    insta::glob!("broken/*.lawful", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = format!(
            "tests/broken/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let rendered = match lawful::Policy::from_sources([(name, text)]) {
            Ok(policy) => lawful::render_diagnostics(policy.warnings()),
            Err(error) => lawful::render_diagnostics(&error.diagnostics),
        };
        assert!(
            !rendered.is_empty(),
            "{} produced no diagnostics",
            path.display()
        );
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn a_file_that_is_not_utf8_is_refused_with_a_diagnostic() {
    let path = std::env::temp_dir().join(format!("lawful-not-utf8-{}.lawful", std::process::id()));
    std::fs::write(&path, b"policy \"x\" version 2024-01-01\n\xff\xfe\n").unwrap();
    let error = lawful::Policy::load(&path).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(error.diagnostics[0].code, "L002");
    assert!(error.diagnostics[0].message.contains("not UTF-8"));
}

#[test]
fn an_oversized_file_is_refused() {
    let big = format!(
        "policy \"x\" version 2024-01-01\n{}",
        "# padding\n".repeat(1_700_000)
    );
    let error = lawful::Policy::from_sources([("big.lawful", big)]).unwrap_err();
    assert_eq!(error.diagnostics[0].code, "L002");
}

#[test]
fn every_diagnostic_has_a_location_and_a_hint() {
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/broken")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let diagnostics = match lawful::Policy::from_sources([(path.display().to_string(), text)]) {
            Ok(p) => p.warnings().to_vec(),
            Err(e) => e.diagnostics,
        };
        for d in diagnostics {
            assert!(d.location.is_some(), "{}: {d}", path.display());
            assert!(d.help.is_some(), "{}: {d}", path.display());
        }
    }
}

#[test]
fn a_rule_too_large_to_index_is_refused() {
    let mut text = String::from("policy \"x\" version 2024-01-01\n");
    let names = |kind: &str, prefix: &str, n: usize| -> (String, Vec<String>) {
        let list: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
        (
            list.iter()
                .map(|name| format!("{kind} {name} \"{name}\"\n"))
                .collect(),
            list,
        )
    };
    let (roles, role_names) = names("role", "r", 100);
    let (categories, category_names) = names("category", "c", 300);
    let (purposes, purpose_names) = names("purpose", "p", 300);
    text += &(roles + &categories + &purposes);
    text += &format!(
        "rule huge\n  allow use of {}\n  about {}\n  for {}\n  basis contract\n  cite \"S\"\n",
        category_names.join(", "),
        role_names.join(", "),
        purpose_names.join(", ")
    );
    let error = lawful::Policy::from_sources([("huge.lawful", text)]).unwrap_err();
    assert_eq!(error.diagnostics[0].code, "L002", "{error}");
    assert!(
        error.diagnostics[0]
            .message
            .contains("rule `huge` covers 9000000 combinations"),
        "{error}"
    );
}

#[test]
fn every_code_is_listed_once_and_documented() {
    use std::collections::BTreeSet;
    let listed: Vec<&str> = lawful_dsl::codes::CODES.iter().map(|c| c.code).collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "a code is listed twice");
    let root = env!("CARGO_MANIFEST_DIR");
    let docs = std::fs::read_to_string(format!("{root}/docs/diagnostics.md")).unwrap();
    let documented: BTreeSet<&str> = docs
        .lines()
        .filter(|l| l.starts_with("| L"))
        .filter_map(|l| l.get(2..6))
        .collect();
    assert_eq!(
        documented, unique,
        "docs/diagnostics.md and lawful_dsl::codes::CODES differ"
    );
    // Every code the sources raise is in the list.
    let mut used = BTreeSet::new();
    for dir in ["dsl/src", "core/src", "src", "src/cli"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, _) in text.match_indices("\"L0") {
                    used.insert(text[i + 1..i + 5].to_owned());
                }
            }
        }
    }
    for code in &used {
        assert!(
            unique.contains(code.as_str()),
            "{code} is raised but not listed"
        );
    }
}
