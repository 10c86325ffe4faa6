//! The data map agrees with `decide`: for every version of Filestack's policy, every
//! role × leaf category × leaf purpose (and every party for disclosures), on a set
//! of subjects that tells the conditions apart, a request is allowed exactly when
//! some use of the map lists it and all that use's conditions hold; a cell the map
//! leaves out is denied. Each listed condition is met by a subject that is allowed
//! and broken by one that is denied.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::path::PathBuf;
use std::sync::LazyLock;

use lawful::map::{DataMap, Requirement, Use};
use lawful::{Action, Policy, PreparedRequest, Subject, Timestamp, Value, ValueType};
use lawful_core::ids::NameId;
use lawful_core::model::{Scope, VersionModel};

static POLICY: LazyLock<Policy> = LazyLock::new(|| {
    Policy::load(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules/filestack")).unwrap()
});

/// The declared names of a version with nothing declared inside them.
fn leaves<Id: NameId>(tree: &lawful_core::vocab::Tree<Id>, declared: &[Id]) -> Vec<Id> {
    let raw: Vec<u32> = declared.iter().map(|d| d.raw()).collect();
    declared
        .iter()
        .copied()
        .filter(|d| {
            tree.subtree(d.raw())
                .iter()
                .all(|i| *i == d.raw() || !raw.contains(i))
        })
        .collect()
}

/// A request for one subject, under the version (collected on its first day).
fn prepare(
    policy: &Policy,
    model: &VersionModel,
    subject: &Subject,
    at: Timestamp,
    category: &str,
    purpose: &str,
    party: Option<&str>,
) -> PreparedRequest {
    let action = if party.is_some() {
        Action::Disclose
    } else {
        Action::Use
    };
    let mut b = policy
        .request(action, &subject.role)
        .data(category)
        .purpose(purpose)
        .at(at)
        .collected_at(model.effective);
    if let Some(party) = party {
        b = b.party(party);
    }
    if let Some(age) = subject.age {
        b = b.age(age);
    }
    for (name, value) in &subject.attributes {
        b = b.attribute(name, value.clone());
    }
    for (p, t) in &subject.consents {
        b = b.consent(p, *t);
    }
    for (p, t) in &subject.revocations {
        b = b.revocation(p, *t);
    }
    b.prepare().unwrap()
}

/// Subjects worth asking about beside those the conditions suggest: nothing given;
/// each yes/no attribute the version declares set alone; a Californian; consent to
/// the purpose, to `sale`, and both; consent to the purpose revoked.
fn probes(
    policy: &Policy,
    model: &VersionModel,
    role: &str,
    purpose: &str,
    at: Timestamp,
) -> Vec<Subject> {
    let vocabulary = policy.vocabulary();
    let bare = || Subject {
        role: role.to_owned(),
        ..Subject::default()
    };
    let before = |days: i64| Timestamp::from_unix(at.unix_seconds() - days * 86_400, 0).unwrap();
    let mut out = vec![bare()];
    for (attribute, _) in &model.attributes {
        let name = vocabulary.attribute_name(*attribute).to_owned();
        match vocabulary.attribute_type(*attribute) {
            ValueType::YesNo => {
                for value in [true, false] {
                    let mut s = bare();
                    s.attributes.insert(name.clone(), Value::YesNo(value));
                    out.push(s);
                }
            }
            ValueType::Text => {
                let mut s = bare();
                s.attributes
                    .insert(name.clone(), Value::Text("US-CA".into()));
                out.push(s);
            }
            _ => {}
        }
    }
    let has_sale = vocabulary.purpose("sale").is_some();
    let mut consent = bare();
    consent.consents.insert(purpose.to_owned(), before(2));
    out.push(consent.clone());
    if has_sale {
        let mut both = consent.clone();
        both.consents.insert("sale".to_owned(), before(2));
        out.push(both);
        let mut sale = bare();
        sale.consents.insert("sale".to_owned(), before(2));
        out.push(sale);
    }
    let mut revoked = consent;
    revoked.revocations.insert(purpose.to_owned(), before(1));
    out.push(revoked);
    // The child rule is a note of the map, not a condition of each use: grown-ups only.
    out
}

struct Check<'m> {
    policy: &'m Policy,
    map: &'m DataMap,
    model: &'m VersionModel,
    at: Timestamp,
    asked: usize,
}

impl Check<'_> {
    fn holds(&self, conditions: &[Requirement], request: &PreparedRequest) -> bool {
        self.policy
            .core()
            .map_holds(self.map, conditions, request)
            .unwrap()
    }

    /// Compares the map with `decide` on every subject, for a use (`party` None) or
    /// a disclosure; returns the subjects asked about.
    fn cell(
        &mut self,
        uses: &[&Use],
        subjects: &[(Subject, Timestamp)],
        category: &str,
        purpose: &str,
        party: Option<&str>,
    ) {
        for (subject, at) in subjects {
            let request = prepare(
                self.policy,
                self.model,
                subject,
                *at,
                category,
                purpose,
                party,
            );
            let decision = self.policy.decide_prepared(&request).unwrap();
            self.asked += 1;
            let holding = uses.iter().find(|u| {
                self.holds(&u.conditions, &request)
                    && party.is_none_or(|q| {
                        u.recipients
                            .iter()
                            .any(|r| r.party == q && self.holds(&r.conditions, &request))
                    })
            });
            let what = format!(
                "version {}: {} {category} for {purpose}{} with {subject:?} at {at}",
                self.map.version,
                subject.role,
                party.map(|q| format!(" to {q}")).unwrap_or_default()
            );
            assert_eq!(
                decision.allowed(),
                holding.is_some(),
                "{what}: decide says {:?} (rule {:?}), the map says {:?}",
                decision.allowed(),
                decision.rule(),
                holding.map(|u| &u.rule)
            );
            if let Some(u) = holding {
                assert_eq!(decision.rule(), Some(u.rule.as_str()), "{what}");
                assert_eq!(decision.basis(), Some(u.basis), "{what}");
            }
        }
    }
}

/// Every condition of every use is met by some subject and broken by another.
fn conditions_are_each_needed(check: &Check<'_>, u: &Use, subjects: &[(Subject, Timestamp)]) {
    let requests: Vec<PreparedRequest> = subjects
        .iter()
        .map(|(s, at)| {
            prepare(
                check.policy,
                check.model,
                s,
                *at,
                &u.category,
                &u.purpose,
                None,
            )
        })
        .collect();
    let met = requests.iter().any(|r| check.holds(&u.conditions, r));
    assert!(met, "no subject meets every condition of {u:?}");
    for (i, condition) in u.conditions.iter().enumerate() {
        let others: Vec<Requirement> = u
            .conditions
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| c.clone())
            .collect();
        let broken = requests
            .iter()
            .find(|r| !check.holds(std::slice::from_ref(condition), r) && check.holds(&others, r));
        let broken = broken.or_else(|| {
            requests
                .iter()
                .find(|r| !check.holds(std::slice::from_ref(condition), r))
        });
        let broken = broken.unwrap_or_else(|| {
            panic!(
                "version {}: no subject breaks `{}` of {} {} for {}",
                check.map.version, condition.text, u.role, u.category, u.purpose
            )
        });
        let decision = check.policy.decide_prepared(broken).unwrap();
        assert!(
            !decision.allowed() || decision.rule() != Some(u.rule.as_str()),
            "version {}: breaking `{}` still lets rule {} allow {} {} for {}",
            check.map.version,
            condition.text,
            u.rule,
            u.role,
            u.category,
            u.purpose
        );
    }
}

/// Compares the map of every version of a policy with `decide`, cell by cell;
/// returns how many uses the maps hold.
fn agrees_with_decide(policy: &Policy, least_asked: usize) -> usize {
    let vocabulary = policy.vocabulary();
    let models: Vec<&VersionModel> = policy.core().version_models().collect();
    let mut total_uses = 0;
    for model in models {
        let map = policy.data_map(Some(&model.name)).unwrap();
        assert!(!map.uses.is_empty(), "version {} maps nothing", model.name);
        total_uses += map.uses.len();
        let at = Timestamp::from_unix(model.effective.unix_seconds() + 3 * 86_400, 0).unwrap();
        let mut check = Check {
            policy,
            map: &map,
            model,
            at,
            asked: 0,
        };
        let categories = leaves(vocabulary.categories(), &model.categories);
        let purposes = leaves(vocabulary.purposes(), &model.purposes);
        for role in &model.roles {
            let role = vocabulary.role_name(*role);
            for category in &categories {
                let category = vocabulary.category_name(*category);
                for purpose in &purposes {
                    let purpose = vocabulary.purpose_name(*purpose);
                    let uses: Vec<&Use> = map
                        .uses
                        .iter()
                        .filter(|u| {
                            u.role == role && u.category == category && u.purpose == purpose
                        })
                        .collect();
                    let conditions: Vec<&[Requirement]> =
                        uses.iter().map(|u| u.conditions.as_slice()).collect();
                    let mut subjects = policy.core().map_subjects(&map, role, &conditions);
                    assert!(
                        uses.is_empty() || !subjects.is_empty(),
                        "too many cases for {role} {category} {purpose}"
                    );
                    subjects.extend(
                        probes(policy, model, role, purpose, check.at)
                            .into_iter()
                            .map(|s| (s, check.at)),
                    );
                    check.cell(&uses, &subjects, category, purpose, None);
                    for u in &uses {
                        conditions_are_each_needed(&check, u, &subjects);
                    }
                    for party in &model.parties {
                        let name = vocabulary.party_name(party.party);
                        let receives = match &party.receives {
                            Scope::Any => true,
                            Scope::Only(list) => list.iter().any(|p| {
                                vocabulary
                                    .purposes()
                                    .covers(p.raw(), vocabulary.purpose(purpose).unwrap().raw())
                            }),
                        };
                        let probe: Vec<(Subject, Timestamp)> =
                            probes(policy, model, role, purpose, check.at)
                                .into_iter()
                                .map(|s| (s, check.at))
                                .collect();
                        // A party that does not receive for the purpose, or a cell with
                        // no use: denied whoever asks; a few subjects show it.
                        let mut asked: Vec<(Subject, Timestamp)> = probe
                            .iter()
                            .filter(|(s, _)| s.attributes.is_empty() && s.revocations.is_empty())
                            .take(2)
                            .cloned()
                            .collect();
                        if receives && !uses.is_empty() {
                            let mut lists = conditions.clone();
                            for u in &uses {
                                for r in u.recipients.iter().filter(|r| r.party == name) {
                                    lists.push(&r.conditions);
                                }
                            }
                            asked = policy.core().map_subjects(&map, role, &lists);
                            assert!(!asked.is_empty());
                            asked.extend(probe);
                        }
                        check.cell(&uses, &asked, category, purpose, Some(name));
                    }
                }
            }
        }
        assert!(
            check.asked > least_asked,
            "version {}: {}",
            model.name,
            check.asked
        );
    }
    total_uses
}

#[test]
fn every_cell_of_every_filestack_version_agrees_with_decide() {
    assert_eq!(POLICY.versions().len(), 4);
    let uses = agrees_with_decide(&POLICY, 4_000);
    assert!(uses > 500, "{uses}");
}

/// Rules that make the map work: attributes with no default (unknown when left
/// out), numbers, sets of text, two allow rules in one cell, a deny whose
/// exception has a condition, an unconditional deny that only an exception with a
/// condition lifts, a deny an exception always carves out, a deny that always
/// applies, a use that can never hold, consent in conditions, an opt-out, and a
/// child rule lifted by a condition.
const TRICKY: &str = r#"
policy "Tricky" version VERSION
role member "a member"
role guest "a guest"
category profile "the profile"
category profile.name "the name"
category profile.photo "the photo"
category usage "usage"
purpose service "to serve"
purpose ads "advertising"
purpose ads.targeted "targeted advertising"
purpose ads.contextual "contextual advertising"
purpose research "research"
attribute region "where" is text
attribute tags "what they chose" is set of text
attribute score "a score" is number, default 0
attribute verified "verified" is yes/no
party vendor "a vendor" receives for any purpose cite "S"
party adnet "an ad network" receives for ads cite "S"

rule member-profile allow use of profile about member for service basis contract when verified cite "S"
rule member-name allow use of profile.name about member for service basis legitimate_interests cite "S"
rule research allow use of usage about anyone for research basis consent when score >= 5 cite "S"
rule guest-ads allow use of any data about guest for ads basis legitimate_interests cite "S"
rule guest-usage allow use of usage about guest for service basis legitimate_interests when verified cite "S"
rule adult-research allow use of profile about guest for research basis legitimate_interests when age >= 18 cite "S"

rule eu-ads deny use of any data for ads when region in ["EU", "UK"] except when tags contains "opted_in" cite "S"
rule targeted-us-only deny use of any data for ads.targeted except when region = "US" cite "S"
rule usage-verified deny use of usage when not verified except for research cite "S"
rule never-unverified-usage deny use of usage about guest for service when verified cite "S"
rule vendor-research deny disclosure of any data to vendor when no consent to research cite "S"
EXTRA

revocation ads-opt-out for ads cite "S"
revocation withdrawn withdraws consent cite "S"
children under 16 about member unless verified cite "S"
"#;

#[test]
fn tricky_rules_agree_with_decide_too() {
    let v1 = TRICKY.replace("VERSION", "2024-01-01").replace(
        "EXTRA",
        "rule no-photos deny use of profile.photo for service cite \"S\"",
    );
    let v2 = TRICKY.replace("VERSION", "2025-01-01").replace("EXTRA", "");
    let policy =
        Policy::from_sources([("2024-01-01.lawful", v1), ("2025-01-01.lawful", v2)]).unwrap();
    let uses = agrees_with_decide(&policy, 1_000);
    assert!(uses > 20, "{uses}");
    let old = policy.data_map(Some("2024-01-01")).unwrap();
    let new = policy.data_map(None).unwrap();
    let find = |map: &DataMap, role: &str, category: &str, purpose: &str| -> Vec<String> {
        map.uses
            .iter()
            .filter(|u| u.role == role && u.category == category && u.purpose == purpose)
            .map(|u| u.rule.clone())
            .collect()
    };
    // Two uses in one cell, the conditional one first.
    assert_eq!(
        find(&new, "member", "profile.name", "service"),
        ["member-profile", "member-name"]
    );
    // A deny that always applies removes the cell; without it, it is back.
    assert!(find(&old, "member", "profile.photo", "service").is_empty());
    assert_eq!(
        find(&new, "member", "profile.photo", "service"),
        ["member-profile"]
    );
    // A use that can never hold is left out.
    assert!(find(&new, "guest", "usage", "service").is_empty());
    let texts = |role: &str, category: &str, purpose: &str| -> Vec<String> {
        new.uses
            .iter()
            .find(|u| u.role == role && u.category == category && u.purpose == purpose)
            .map(|u| u.conditions.iter().map(|c| c.text.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        texts("guest", "usage", "ads.targeted"),
        [
            "not when `region in [\"EU\", \"UK\"]`, unless `tags contains \"opted_in\"`",
            "only if `region = \"US\"`",
            "only if `verified`",
            "not once the person revokes consent to `ads.targeted` or `ads`",
        ]
    );
    assert_eq!(
        texts("guest", "usage", "research"),
        ["only if `score >= 5`", "only with consent to `research`"]
    );
    let research = new
        .uses
        .iter()
        .find(|u| u.role == "guest" && u.category == "usage" && u.purpose == "research")
        .unwrap();
    let vendor = research
        .recipients
        .iter()
        .find(|r| r.party == "vendor")
        .unwrap();
    assert_eq!(vendor.conditions[0].text, "only with consent to `research`");
    assert!(
        new.notes[0].text.contains("unless `verified`"),
        "{}",
        new.notes[0].text
    );
}

#[test]
fn the_newest_version_reads_as_the_policy_does() {
    let map = POLICY.data_map(None).unwrap();
    assert_eq!(map.version, "2021-11-11");
    let find = |role: &str, category: &str, purpose: &str| {
        map.uses
            .iter()
            .find(|u| u.role == role && u.category == category && u.purpose == purpose)
    };
    let texts = |u: &Use| -> Vec<String> { u.conditions.iter().map(|c| c.text.clone()).collect() };
    // Marketing mail to visitors: consent, contact details given, and opt-outs.
    let mail = find("visitor", "contact.email", "marketing.communications").unwrap();
    assert_eq!(mail.basis, lawful::Basis::Consent);
    let mail_conditions = texts(mail);
    for expected in [
        "only if `provided_contact`",
        "only with consent to `marketing.communications`",
        "not when `restricted`",
    ] {
        assert!(
            mail_conditions.iter().any(|c| c == expected),
            "{mail_conditions:?}"
        );
    }
    // Advertising: not under Do Not Track; a Californian's needs consent to sale.
    let ads = find("visitor", "device.ip_address", "marketing.advertising").unwrap();
    assert!(texts(ads).contains(&"not when `do_not_track`".to_owned()));
    let google_ads = ads
        .recipients
        .iter()
        .find(|r| r.party == "google_ads")
        .unwrap();
    let google_ads: Vec<&str> = google_ads
        .conditions
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert!(google_ads.contains(&"when `jurisdiction = \"US-CA\"`, only with consent to `sale`"));
    // Credentials: never for billing; yes for providing the services.
    assert!(find("account_user", "account.credentials", "customer.billing").is_none());
    assert!(
        find(
            "account_user",
            "account.credentials",
            "customer.provide_services"
        )
        .is_some()
    );
    // File-embedded data: only for file processing, only to the customer and AWS.
    let files: Vec<&Use> = map
        .uses
        .iter()
        .filter(|u| u.category == "file_embedded")
        .collect();
    assert!(!files.is_empty());
    assert!(files.iter().all(|u| u.purpose == "file_processing"
        && u.role == "file_subject"
        && u.basis == lawful::Basis::ControllerInstructions));
    for u in files {
        let parties: Vec<&str> = u.recipients.iter().map(|r| r.party.as_str()).collect();
        assert_eq!(parties, ["aws", "customer"]);
        assert!(u.conditions.is_empty(), "{:?}", texts(u));
    }
    // The child rule is a note of the whole version.
    assert_eq!(map.notes.len(), 1);
    assert!(
        map.notes[0].text.contains("under 18"),
        "{}",
        map.notes[0].text
    );
    assert!(map.notes[0].text.contains("guardian_involved"));
}

#[test]
fn reverse_questions_are_views_of_the_map() {
    let policy = &*POLICY;
    let purposes = policy
        .purposes_for("visitor", "device.ip_address", None)
        .unwrap();
    let names: Vec<&str> = purposes.iter().map(|u| u.purpose.as_str()).collect();
    for expected in [
        "operate_website",
        "improve_offerings",
        "marketing.measurement",
        "marketing.advertising",
        "legal.compliance",
        "sale",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    assert!(!names.contains(&"customer.billing"));
    // A category covers the leaves inside it.
    let contact = policy
        .purposes_for("account_user", "contact", None)
        .unwrap();
    assert!(contact.iter().any(|u| u.category == "contact.email"));
    assert!(contact.iter().all(|u| u.category.starts_with("contact.")));

    let support = policy
        .recipients_for("account_user", "contact.email", "customer.support", None)
        .unwrap();
    let parties: Vec<&str> = support.iter().map(|d| d.party.as_str()).collect();
    assert!(parties.contains(&"zendesk"), "{parties:?}");
    assert!(!parties.contains(&"mailgun"), "{parties:?}");
    assert!(support.iter().all(|d| {
        d.conditions
            .iter()
            .any(|c| c.text == "not when `restricted`")
    }));

    let evaluation = policy
        .recipients_for(
            "visitor",
            "contact.email",
            "business_transfer.evaluation",
            None,
        )
        .unwrap();
    let acquirer = evaluation
        .iter()
        .find(|d| d.party == "prospective_acquirer")
        .unwrap();
    let obligations: Vec<&str> = acquirer
        .obligations
        .iter()
        .map(|o| o.kind.as_str())
        .collect();
    assert_eq!(obligations, ["keep_confidential", "evaluation_only"]);

    let sale = policy.uses_of_purpose("sale", None).unwrap();
    assert!(!sale.is_empty());
    assert!(
        sale.iter()
            .all(|u| u.role == "visitor" && u.basis == lawful::Basis::Consent)
    );
    let marketing = policy
        .uses_of_purpose("marketing", Some("2017-11-08"))
        .unwrap();
    assert!(
        marketing
            .iter()
            .all(|u| u.purpose == "marketing.communications")
    );

    let wrong = policy.purposes_for("vistor", "device", None).unwrap_err();
    assert_eq!(
        wrong.to_string(),
        "unknown role `vistor` (did you mean `visitor`?)"
    );
    let wrong = policy.data_map(Some("2021-11-12")).unwrap_err();
    assert!(
        wrong.to_string().contains("did you mean `2021-11-11`?"),
        "{wrong}"
    );
}
