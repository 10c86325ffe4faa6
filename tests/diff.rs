//! `lawful diff`: on Filestack's versions, on edited copies of its rules, across
//! a git revision, and — by property — complete: any request two generated
//! policies decide differently is held by some reported change.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lawful::diff::{ChangeKind, Diff, DiffOptions, diff, diff_with};
use lawful::{Action, Policy, Request, Subject, Timestamp, Value};
use proptest::prelude::*;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack");
const CURRENT: &str = include_str!("../rules/filestack/2021-11-11.lawful");

fn lawful(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lawful"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a diff compares of a decision (a refused request counts as denied by nothing).
fn compared(
    policy: &Policy,
    request: &Request,
) -> (bool, Option<String>, Option<String>, String, Vec<String>) {
    match policy.decide(request) {
        Ok(d) => (
            d.allowed(),
            d.rule().map(str::to_owned),
            d.basis().map(|b| b.as_str().to_owned()),
            serde_json::to_string(&d.obligations().collect::<Vec<_>>()).unwrap(),
            d.cites().map(str::to_owned).collect(),
        ),
        Err(_) => (false, None, None, "[]".to_owned(), Vec::new()),
    }
}

/// Every witness is decided differently by the two policies, and as the change says.
fn assert_witnesses(diff: &Diff, old: &Policy, new: &Policy) {
    for change in &diff.changes {
        let (a, b) = (
            compared(old, &change.witness),
            compared(new, &change.witness),
        );
        assert_ne!(a, b, "witness decided alike: {}", change.sentence);
        match change.kind {
            ChangeKind::NowDenied => assert!(a.0 && !b.0, "{}", change.sentence),
            ChangeKind::NowAllowed => assert!(!a.0 && b.0, "{}", change.sentence),
            ChangeKind::Rule => assert!(a.0 == b.0 && a.1 != b.1, "{}", change.sentence),
            ChangeKind::Basis => assert!(a.1 == b.1 && a.2 != b.2, "{}", change.sentence),
            ChangeKind::Obligations => assert!(a.1 == b.1 && a.3 != b.3, "{}", change.sentence),
            ChangeKind::Cites => assert!(a.1 == b.1 && a.4 != b.4, "{}", change.sentence),
        }
        // The witness lies in its own change's scope and condition.
        let index = diff
            .changes
            .iter()
            .position(|c| std::ptr::eq(c, change))
            .unwrap();
        assert!(
            diff.covering(old, new, &change.witness).contains(&index),
            "a witness outside its change: {}",
            change.sentence
        );
    }
}

fn edited(from: &str, to: &str) -> Policy {
    assert!(CURRENT.contains(from), "the rules no longer say {from:?}");
    Policy::from_sources([("edited.lawful", CURRENT.replacen(from, to, 1))]).unwrap()
}

fn current() -> Policy {
    Policy::from_sources([("2021-11-11.lawful", CURRENT)]).unwrap()
}

// ── Filestack's own versions ────────────────────────────────────────────────

#[test]
fn the_2020_04_17_and_2021_11_11_versions_decide_alike() {
    // Their rules differ only in the version's name: nothing changes, even when
    // every cell is asked of both.
    let policy = Policy::load(RULES).unwrap();
    let options = DiffOptions {
        compare_identical_versions: true,
    };
    let d = diff_with(
        &policy,
        Some("2020-04-17"),
        &policy,
        Some("2021-11-11"),
        &options,
    )
    .unwrap();
    assert!(d.is_empty(), "{:#?}", d.changes.first());
    assert!(d.summary.requests > 10_000, "{}", d.summary.requests);
    let out = lawful(
        &[
            "diff",
            "rules/filestack@2020-04-17",
            "rules/filestack@2021-11-11",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("No decision changes"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn the_2020_04_17_version_declares_what_revoking_consent_means() {
    let policy = Policy::load(RULES).unwrap();
    let d = diff(&policy, Some("2020-04-06"), &policy, Some("2020-04-17")).unwrap();
    assert!(!d.is_empty());
    let old = Policy::load(format!("{RULES}/2020-04-06.lawful")).unwrap();
    let new = Policy::load(format!("{RULES}/2020-04-17.lawful")).unwrap();
    assert_witnesses(&d, &old, &new);
    // Revoking consent to marketing is now an opt-out of marketing as a whole:
    // uses resting on legitimate interests stop.
    let opt_out = d.changes.iter().find(|c| {
        c.kind == ChangeKind::NowDenied
            && c.scope.action == Action::Use
            && c.cells
                .purposes
                .contains(&"marketing.measurement".to_owned())
            && c.cells.data.contains(&"device.ip_address".to_owned())
    });
    let opt_out = opt_out.expect("the new opt-out of marketing is reported");
    assert!(
        opt_out.sentence.contains("marketing-purposes-opt-out"),
        "{}",
        opt_out.sentence
    );
    assert!(
        opt_out.scope.when.contains("revoked"),
        "{}",
        opt_out.scope.when
    );
    // The restriction now cites the section on choices.
    assert!(d.changes.iter().any(|c| c.kind == ChangeKind::Cites
        && c.sentence.contains("`restriction`")
        && c.sentence.contains("Choices and Means")));
    // A withdrawal is now named by the declared `consent-revoked`, with its section.
    assert!(
        d.changes
            .iter()
            .any(|c| c.kind == ChangeKind::Cites && c.sentence.contains("`consent-revoked`"))
    );
}

#[test]
fn the_cli_prints_markdown_and_json() {
    let dir = root();
    let md = lawful(
        &[
            "diff",
            "--format",
            "markdown",
            "rules/filestack@2020-04-06",
            "rules/filestack@2020-04-17",
        ],
        &dir,
    );
    assert_eq!(md.status.code(), Some(1), "{}", text(&md.stderr));
    let md = text(&md.stdout);
    assert!(md.starts_with("#### lawful diff\n\n"), "{md}");
    assert!(md.contains("**Now denied**"), "{md}");
    assert!(md.contains("<details><summary>witness</summary>"), "{md}");
    let json = lawful(
        &[
            "diff",
            "--format",
            "json",
            "rules/filestack@2020-04-06",
            "rules/filestack@2020-04-17",
        ],
        &dir,
    );
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(v["summary"]["changes"].as_u64(), Some(changes.len() as u64));
    let kinds = [
        "now_denied",
        "now_allowed",
        "rule",
        "basis",
        "obligations",
        "cites",
    ];
    for c in changes {
        assert!(kinds.contains(&c["kind"].as_str().unwrap()));
        let scope = &c["scope"];
        assert!(["use", "disclose"].contains(&scope["action"].as_str().unwrap()));
        assert!(
            scope["data"].is_array() && scope["purpose"].is_array() && scope["role"].is_array()
        );
        assert_eq!(scope["party"].is_null(), scope["action"] == "use");
        assert!(scope["when"].is_string());
        for side in ["old", "new"] {
            assert!(c[side]["allowed"].is_boolean(), "{}", c[side]);
            assert!(c[side]["cites"].is_array() && c[side]["obligations"].is_array());
        }
        // The witness is a request `lawful decide` reads.
        let witness = serde_json::to_vec(&c["witness"]).unwrap();
        Request::from_json(&witness).unwrap();
    }
}

#[test]
fn identical_policies_change_nothing() {
    let out = lawful(&["diff", "rules/filestack", "rules/filestack"], &root());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A single file against a folder: the folder's version of the same name.
    let out = lawful(
        &[
            "diff",
            "rules/filestack",
            "rules/filestack/2021-11-11.lawful",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Version 2021-11-11 → 2021-11-11"),
        "{}",
        text(&out.stdout)
    );
    let policy = Policy::load(RULES).unwrap();
    let options = DiffOptions {
        compare_identical_versions: true,
    };
    let d = diff_with(&policy, None, &policy, None, &options).unwrap();
    assert!(d.is_empty());
}

#[test]
fn bad_inputs_exit_2() {
    let dir = root();
    for args in [
        vec!["diff", "rules/filestack"],
        vec!["diff", "no/such/folder", "rules/filestack"],
        vec!["diff", "rules/filestack@1999-01-01", "rules/filestack"],
        vec![
            "diff",
            "--format",
            "yaml",
            "rules/filestack",
            "rules/filestack",
        ],
        vec!["diff", "rules/filestack", "tests/broken/junk.lawful"],
    ] {
        let out = lawful(&args, &dir);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stdout)
        );
        assert!(text(&out.stderr).contains("error"), "{args:?}");
    }
    let out = lawful(
        &["diff", "rules/filestack@1999-01-01", "rules/filestack"],
        &dir,
    );
    assert!(
        text(&out.stderr).contains("2021-11-11"),
        "{}",
        text(&out.stderr)
    );
    let out = lawful(&["diff", "--help"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(
        help.contains("Usage: lawful diff") && help.contains("Example:"),
        "{help}"
    );
}

// ── Edited copies of the current rules ──────────────────────────────────────

/// The changes of a diff between the current rules and an edit of them, every
/// witness checked.
fn changes_of(new: &Policy) -> Diff {
    let old = current();
    let d = diff(&old, None, new, None).unwrap();
    assert!(!d.is_empty(), "the edit changes nothing");
    assert_witnesses(&d, &old, new);
    d
}

#[test]
fn a_party_losing_a_purpose() {
    let new = edited(
        "party mailgun \"Mailgun, our outgoing email provider\"\n  receives for marketing.communications, customer.account_communications",
        "party mailgun \"Mailgun, our outgoing email provider\"\n  receives for marketing.communications",
    );
    let d = changes_of(&new);
    assert!(d.changes.iter().all(|c| c.kind == ChangeKind::NowDenied
        && c.scope.party.as_deref() == Some(&["mailgun".to_owned()][..])
        && c.scope.purpose == ["customer.account_communications"]));
    let c = &d.changes[0];
    assert!(
        c.sentence
            .starts_with("now denied: disclosing account users' "),
        "{}",
        c.sentence
    );
    assert!(
        c.sentence
            .contains("was allowed by rule `account-user-services`"),
        "{}",
        c.sentence
    );
    assert!(c.cells.data.contains(&"contact.email".to_owned()));
}

#[test]
fn a_child_threshold_moved() {
    let new = edited("children under 18", "children under 16");
    let d = changes_of(&new);
    assert!(
        d.changes
            .iter()
            .all(|c| c.kind == ChangeKind::NowAllowed || c.kind == ChangeKind::Rule)
    );
    let allowed = d
        .changes
        .iter()
        .find(|c| {
            c.kind == ChangeKind::NowAllowed
                && c.cells.purposes.contains(&"operate_website".to_owned())
        })
        .unwrap();
    assert!(
        allowed.scope.when.contains("age 16 to 17"),
        "{}",
        allowed.scope.when
    );
    let age = allowed.witness.subject.age.unwrap();
    assert!((16..18).contains(&age));
}

#[test]
fn a_new_deny_with_a_condition() {
    let new = edited(
        "# ── Choices",
        "rule no-marketing-mail-in-the-eu\n  deny use of contact\n  for marketing.communications\n  when jurisdiction in [\"EU\", \"UK\"]\n  cite \"Data Use\"\n\n# ── Choices",
    );
    let d = changes_of(&new);
    let denied: Vec<_> = d
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::NowDenied)
        .collect();
    assert!(!denied.is_empty());
    for c in &denied {
        assert!(
            c.scope.when.contains("jurisdiction is \"EU\" or \"UK\""),
            "{}",
            c.scope.when
        );
        assert!(
            c.sentence
                .contains("now denied by rule `no-marketing-mail-in-the-eu`")
        );
        let j = &c.witness.subject.attributes["jurisdiction"];
        assert!(*j == Value::Text("EU".into()) || *j == Value::Text("UK".into()));
    }
    // Nothing changes outside the EU and the UK.
    assert!(
        d.changes
            .iter()
            .all(|c| c.scope.when.contains("jurisdiction is \"EU\" or \"UK\""))
    );
}

#[test]
fn a_basis_changed() {
    let new = edited(
        "      customer.support\n  basis legitimate_interests",
        "      customer.support\n  basis contract",
    );
    let d = changes_of(&new);
    assert!(d.changes.iter().all(|c| c.kind == ChangeKind::Basis));
    assert!(
        d.changes[0].sentence.contains("(contract)"),
        "{}",
        d.changes[0].sentence
    );
    assert!(d.changes.iter().any(|c| {
        c.scope.action == Action::Disclose
            && c.scope
                .party
                .as_ref()
                .is_some_and(|p| p.contains(&"stripe".to_owned()))
    }));
}

#[test]
fn a_rule_deleted() {
    let new = edited(
        "rule vendor-management\n  allow use of contact, communication.content\n  about visitor\n  for vendor_management\n  basis legitimate_interests\n  cite \"Data Collection Purposes\", \"Definitions\"\n",
        "",
    );
    let d = changes_of(&new);
    // Now denied where the rule allowed; where a recipient did not receive data
    // for the purpose anyway, a withdrawn consent is now what denies.
    assert!(d.changes.iter().all(|c| (c.kind == ChangeKind::NowDenied
        || c.kind == ChangeKind::Rule)
        && c.scope.role == ["visitor"]
        && c.scope.purpose == ["vendor_management"]));
    let use_ = d
        .changes
        .iter()
        .find(|c| c.kind == ChangeKind::NowDenied && c.scope.action == Action::Use)
        .unwrap();
    assert_eq!(use_.scope.data, ["contact", "communication.content"]);
    assert!(
        use_.sentence
            .contains("was allowed by rule `vendor-management`")
    );
}

#[test]
fn a_consent_condition_added() {
    let new = edited(
        "  for improve_offerings\n  basis legitimate_interests\n  cite \"Data Use\"\n",
        "  for improve_offerings\n  basis legitimate_interests\n  when consent to improve_offerings\n  cite \"Data Use\"\n",
    );
    let d = changes_of(&new);
    assert!(d.changes.iter().any(|c| c.kind == ChangeKind::NowDenied));
    for c in &d.changes {
        assert!(c.kind == ChangeKind::NowDenied || c.kind == ChangeKind::Rule);
        // Nothing changes while consent to the purpose is in force.
        assert!(
            c.scope.when.contains("consent to the purpose is absent")
                || c.scope.when.contains("consent to the purpose is withdrawn"),
            "{}",
            c.scope.when
        );
        assert_eq!(c.scope.purpose, ["improve_offerings"]);
        assert_eq!(c.scope.role, ["account_user"]);
    }
}

// ── Whole folders, and git ──────────────────────────────────────────────────

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lawful-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_rules(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(RULES).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "lawful") {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn whole_folders_compare_by_collection_date() {
    let dir = temp_dir("folders");
    copy_rules(&dir);
    let current = std::fs::read_to_string(dir.join("2021-11-11.lawful")).unwrap();
    std::fs::write(
        dir.join("2021-11-11.lawful"),
        current.replace("children under 18", "children under 16"),
    )
    .unwrap();
    // A new version, the same as the current one but for its date.
    std::fs::write(
        dir.join("2025-01-01.lawful"),
        current.replace("version 2021-11-11", "version 2025-01-01"),
    )
    .unwrap();
    let old = Policy::load(RULES).unwrap();
    let new = Policy::load(&dir).unwrap();
    let d = diff(&old, None, &new, None).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(d.summary.versions_added, ["2025-01-01"]);
    assert_witnesses(&d, &old, &new);
    // The threshold moved only for data collected from 2021-11-11 to 2024-12-31.
    let moved: Vec<_> = d
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::NowAllowed)
        .collect();
    assert!(!moved.is_empty());
    for c in &moved {
        assert!(
            c.scope
                .when
                .contains("data collected from 2021-11-11 to 2024-12-31"),
            "{}",
            c.scope.when
        );
        let collected = c.witness.collected_at.unwrap();
        assert_eq!(collected, Timestamp::parse("2021-11-11").unwrap());
    }
    assert!(
        d.changes
            .iter()
            .all(|c| !c.scope.when.contains("no collection date"))
    );
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("this test needs git on the PATH");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

#[test]
fn a_diff_across_a_git_revision() {
    let dir = temp_dir("git");
    git(&dir, &["init", "--quiet"]);
    git(&dir, &["config", "user.email", "test@example.invalid"]);
    git(&dir, &["config", "user.name", "test"]);
    let rules = dir.join("rules/filestack");
    copy_rules(&rules);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "--quiet", "-m", "rules"]);
    let file = rules.join("2021-11-11.lawful");
    let current = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        current.replace(
            "  receives for customer.billing\n  cite \"Service Providers\"\n\nparty xero",
            "  receives for customer.support\n  cite \"Service Providers\"\n\nparty xero",
        ),
    )
    .unwrap();
    git(&dir, &["commit", "--quiet", "-am", "stripe for support"]);
    let out = lawful(
        &["diff", "HEAD~1:rules/filestack", "HEAD:rules/filestack"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("to `stripe` for `customer.billing`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("to `stripe` for `customer.support`"),
        "{stdout}"
    );
    // A version at a revision, against the working tree's copy.
    let out = lawful(
        &[
            "diff",
            "HEAD~1:rules/filestack@2021-11-11",
            "rules/filestack/2021-11-11.lawful",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = lawful(&["diff", "HEAD:rules/filestack", "rules/filestack"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = lawful(
        &["diff", "nosuchrev:rules/filestack", "rules/filestack"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("git"), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ── Completeness, by property ───────────────────────────────────────────────
// The generators follow tests/properties.rs.

const ROLES: [&str; 2] = ["r1", "r2"];
const CATEGORIES: [&str; 4] = ["a", "a.x", "a.y", "b"];
const PURPOSES: [&str; 5] = ["p", "p.m", "p.n", "q", "q.m"];
const PARTIES: [&str; 2] = ["s", "t"];

fn subset(names: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(names, 1..=names.len())
}

fn list(any: &str, items: &Option<Vec<&str>>) -> String {
    items.as_ref().map_or(any.to_owned(), |v| v.join(", "))
}

prop_compose! {
    fn rule_text(index: usize)(
        effect in 0..3u8,
        categories in proptest::option::of(subset(&CATEGORIES)),
        roles in proptest::option::of(subset(&ROLES)),
        purposes in proptest::option::of(subset(&PURPOSES)),
        parties in proptest::option::of(subset(&PARTIES)),
        condition in 0..9u8,
        basis in 0..3u8,
        exception in 0..5u8,
        except_purposes in subset(&PURPOSES),
    ) -> String {
        let mut text = format!("rule r{index}\n");
        let verb = ["allow use", "deny use", "deny disclosure"][usize::from(effect)];
        text += &format!("  {verb} of {}\n", list("any data", &categories));
        if effect == 0 || roles.is_some() {
            text += &format!("  about {}\n", list("anyone", &roles));
        }
        if effect == 0 || purposes.is_some() {
            text += &format!("  for {}\n", list("any purpose", &purposes));
        }
        if effect == 2 && parties.is_some() {
            text += &format!("  to {}\n", list("anyone", &parties));
        }
        if effect == 0 {
            text += ["  basis consent\n", "  basis contract\n", "  basis legal_obligation\n"][usize::from(basis)];
        }
        text += [
            "",
            "  when flag\n",
            "  when not flag\n",
            "  when level > 2 or flag\n",
            "  when consent to p\n",
            "  when no consent to q.m and flag\n",
            "  when place in [\"EU\", \"UK\"]\n",
            "  when tags contains \"x\" and level <= 1\n",
            "  when age >= 12 and place != \"EU\"\n",
        ][usize::from(condition)];
        if effect != 0 {
            text += match exception {
                1 => format!("  except for {}\n", except_purposes.join(", ")),
                2 => "  except when flag\n".to_owned(),
                3 => "  except to anyone\n".to_owned(),
                4 => "  except to s when consent to p.m\n".to_owned(),
                _ => String::new(),
            }
            .as_str();
        }
        text += "  cite \"S\"\n";
        text
    }
}

prop_compose! {
    /// Two policies that share some rules: each keeps its own subset of one
    /// list, and has its own parties, child rule and revocations.
    fn policy_pair()(
        rules in (0..7usize).prop_flat_map(|n| (0..n).map(rule_text).collect::<Vec<_>>()),
        keep in proptest::collection::vec((any::<bool>(), any::<bool>()), 7),
        sides in [side(), side()],
    ) -> [String; 2] {
        [0, 1].map(|i| {
            let mut text = String::from("policy \"Generated\" version 2024-01-01\n");
            for r in ROLES { text += &format!("role {r} \"{r}\"\n"); }
            for c in CATEGORIES { text += &format!("category {c} \"{c}\"\n"); }
            for p in PURPOSES { text += &format!("purpose {p} \"{p}\"\n"); }
            text += "attribute flag \"a flag\" is yes/no\nattribute level \"a level\" is number, default 0\n";
            text += "attribute place \"where\" is text\nattribute tags \"tags\" is set of text\n";
            text += &sides[i];
            for (rule, (a, b)) in rules.iter().zip(&keep) {
                if (i == 0 && *a) || (i == 1 && *b) { text += rule; }
            }
            text
        })
    }
}

prop_compose! {
    fn side()(
        s_receives in proptest::option::of(subset(&PURPOSES)),
        t_receives in subset(&PURPOSES),
        children in 0..4u8,
        revocation in proptest::option::of(subset(&PURPOSES)),
        withdrawal in 0..3u8,
    ) -> String {
        let mut text = format!("party s \"s\" receives for {} cite \"S\"\n", list("any purpose", &s_receives));
        text += &format!("party t \"t\" receives for {} cite \"S\"\n", t_receives.join(", "));
        text += ["", "children under 16 about r1 cite \"C\"\n", "children under 16 about r1, r2 unless flag cite \"C\"\n", "children under 13 about r2 cite \"C\"\n"][usize::from(children)];
        if let Some(purposes) = revocation {
            text += &format!("revocation gone for {} then notify_recipients cite \"R\"\n", purposes.join(", "));
        }
        text += ["", "revocation withdrawn withdraws consent cite \"W\"\n", "revocation withdrawn-p for p.n withdraws consent cite \"W\"\n"][usize::from(withdrawal)];
        text
    }
}

fn day(n: u32) -> Timestamp {
    Timestamp::parse(&format!("2025-01-{:02}", n.clamp(1, 28))).unwrap()
}

prop_compose! {
    fn request()(
        disclose in any::<bool>(),
        role in proptest::sample::select(&ROLES[..]),
        several in 0..4u8,
        data in subset(&CATEGORIES),
        single in proptest::sample::select(&CATEGORIES[..]),
        purpose in proptest::sample::select(&PURPOSES[..]),
        party in proptest::sample::select(&PARTIES[..]),
        flag in proptest::option::of(any::<bool>()),
        level in proptest::option::of(0..5u8),
        place in proptest::option::of(proptest::sample::select(&["EU", "UK", "US-CA"][..])),
        tags in proptest::option::of(subset(&["x", "y"])),
        age in proptest::option::of(0..30u32),
        consents in proptest::collection::vec((proptest::sample::select(&PURPOSES[..]), 1..28u32), 0..3),
        revocations in proptest::collection::vec((proptest::sample::select(&PURPOSES[..]), 1..28u32), 0..3),
        at in 1..28u32,
    ) -> Request {
        let mut subject = Subject { role: role.to_owned(), age, ..Subject::default() };
        if let Some(flag) = flag { subject.attributes.insert("flag".into(), Value::YesNo(flag)); }
        if let Some(level) = level { subject.attributes.insert("level".into(), Value::Number(f64::from(level))); }
        if let Some(place) = place { subject.attributes.insert("place".into(), Value::Text(place.into())); }
        if let Some(tags) = tags { subject.attributes.insert("tags".into(), Value::text_set(tags)); }
        for (p, d) in consents { subject.consents.insert(p.to_owned(), day(d)); }
        for (p, d) in revocations { subject.revocations.insert(p.to_owned(), day(d)); }
        let data = if several == 0 { data.into_iter().map(str::to_owned).collect() } else { vec![single.to_owned()] };
        Request {
            action: if disclose { Action::Disclose } else { Action::Use },
            subject,
            data,
            purpose: purpose.to_owned(),
            party: disclose.then(|| party.to_owned()),
            at: Some(day(at)),
            collected_at: None,
            request_id: None,
        }
    }
}

/// Checks one pair of generated policies: every witness differs, every request
/// they decide differently is reported, and each policy matches itself.
/// Returns how many of the requests were decided differently.
fn check_pair(texts: &[String; 2], requests: &[Request]) -> Result<usize, TestCaseError> {
    let [old, new] = texts
        .clone()
        .map(|t| Policy::from_sources([("generated.lawful", t)]).unwrap());
    let d = diff(&old, None, &new, None).unwrap();
    assert_witnesses(&d, &old, &new);
    let mut different = 0;
    for request in requests {
        let (a, b) = (compared(&old, request), compared(&new, request));
        if request.data.len() == 1 {
            // Exact both ways: a request a change holds changes as it says.
            for i in d.covering(&old, &new, request) {
                let change = &d.changes[i];
                prop_assert!(
                    a != b,
                    "held by a change but decided alike: {}\n{}",
                    serde_json::to_string(request).unwrap(),
                    change.sentence
                );
                let kind = match (a.0, b.0) {
                    (true, false) => ChangeKind::NowDenied,
                    (false, true) => ChangeKind::NowAllowed,
                    _ if a.1 != b.1 => ChangeKind::Rule,
                    _ if a.2 != b.2 => ChangeKind::Basis,
                    _ if a.3 != b.3 => ChangeKind::Obligations,
                    _ => ChangeKind::Cites,
                };
                prop_assert_eq!(kind, change.kind, "{}", change.sentence);
            }
        }
        if a != b {
            different += 1;
            prop_assert!(
                d.explains(&old, &new, request),
                "not reported: {}\nold:\n{}\nnew:\n{}\nchanges:\n{}",
                serde_json::to_string(request).unwrap(),
                texts[0],
                texts[1],
                d.changes
                    .iter()
                    .map(|c| format!("{}\n", c.sentence))
                    .collect::<String>()
            );
        }
    }
    let all = DiffOptions {
        compare_identical_versions: true,
    };
    let same = diff_with(&old, None, &old, None, &all).unwrap();
    prop_assert!(same.is_empty(), "a policy differs from itself");
    Ok(different)
}

#[test]
fn every_request_decided_differently_is_reported() {
    use proptest::test_runner::{Config, TestRunner};
    // LAWFUL_DIFF_CASES=2000 for a longer hunt.
    let cases = std::env::var("LAWFUL_DIFF_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(48);
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let different = std::sync::atomic::AtomicUsize::new(0);
    let strategy = (policy_pair(), proptest::collection::vec(request(), 48));
    let result = runner.run(&strategy, |(texts, requests)| {
        let n = check_pair(&texts, &requests)?;
        different.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // The property is only as strong as the differences it meets.
    let different = different.into_inner();
    eprintln!("{different} requests decided differently, every one reported");
    assert!(
        different >= 48,
        "only {different} requests were decided differently"
    );
}
