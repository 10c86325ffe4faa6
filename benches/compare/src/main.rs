//! Decides the same Filestack-shaped requests three ways — the hand-written
//! function of `benches/floor.rs` (the floor), lawful from prepared requests, and
//! Cedar (`cedar-policy`) with the encoding in `filestack-2021-11-11.cedar` —
//! checks that all three allow and deny the same requests, and prints the time
//! per decision and the ratios.
//!
//! ```text
//! cargo run --release -p lawful-compare [-- REQUESTS]
//! ```
//!
//! Every engine gets its requests built beforehand (lawful's prepared, Cedar's
//! `Request` and `Entities`), so the times are of deciding alone. A request naming
//! several data categories is several Cedar requests, one per category, as it is
//! several lookups for lawful.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark stops on its first error"
)]

use std::hint::black_box;
use std::time::Instant;

use cedar_policy::{Authorizer, Context, Decision, Entities, EntityUid, PolicySet, Request};
use serde_json::{Value, json};

#[path = "../../floor.rs"]
mod floor;

use floor::{CATEGORIES, FloorRequest, PARTIES, PURPOSES, ROLES, name_of};

/// The purposes a party receives data for, as leaf names; `None` for any purpose.
fn receives(party: floor::Party) -> Option<&'static [&'static str]> {
    use floor::Party::*;
    Some(match party {
        Mailgun => &[
            "marketing.communications",
            "customer.account_communications",
        ],
        Zendesk => &["customer.support"],
        Docusign | Hellosign => &["customer.provide_services", "vendor_management"],
        Stripe | Xero | BillCom => &["customer.billing"],
        GoogleWorkspace | Aws => return None,
        GoogleAnalytics => &["marketing.measurement", "improve_offerings", "sale"],
        GoogleAds | Facebook => &["marketing.advertising", "sale"],
        Hubspot => &["marketing.communications", "marketing.measurement"],
        Salesforce => &[
            "customer.provide_services",
            "customer.billing",
            "customer.account_communications",
            "customer.support",
        ],
        LawEnforcement | Regulator => &[
            "legal.compliance",
            "legal.enforce_terms",
            "legal.protect_safety",
        ],
        FraudPartner => &["legal.fraud_protection", "legal.compliance"],
        ProspectiveAcquirer => &["business_transfer.evaluation"],
        Acquirer => &["business_transfer.completion"],
        Customer => &["file_processing"],
    })
}

fn uid(kind: &str, id: &str) -> Value {
    json!({"type": kind, "id": id})
}

/// The category and party entities every request shares, as JSON.
fn shared_entities() -> Vec<Value> {
    let mut entities = Vec::new();
    let mut parents = std::collections::BTreeSet::new();
    for (_, name) in CATEGORIES {
        let parent = name.split_once('.').map(|(p, _)| p);
        if let Some(p) = parent {
            parents.insert(p);
        }
        entities.push(json!({
            "uid": uid("Category", name),
            "attrs": {},
            "parents": parent.map(|p| vec![uid("Category", p)]).unwrap_or_default(),
        }));
    }
    for p in parents {
        entities.push(json!({"uid": uid("Category", p), "attrs": {}, "parents": []}));
    }
    for (party, name) in PARTIES {
        let list = receives(party);
        entities.push(json!({
            "uid": uid("Party", name),
            "attrs": {"receives_any": list.is_none(), "receives": list.unwrap_or(&[])},
            "parents": [],
        }));
    }
    entities
}

/// One Cedar request per data category, with the entities they need.
fn cedar_requests(r: &FloorRequest, shared: &[Value]) -> (Vec<Request>, Entities) {
    let mut attrs = json!({
        "role": name_of(&ROLES, r.role),
        "do_not_track": r.do_not_track.unwrap_or(false),
        "provided_contact": r.provided_contact.unwrap_or(false),
        "restricted": r.restricted.unwrap_or(false),
        "guardian_involved": r.guardian_involved.unwrap_or(false),
        "jurisdiction": r.jurisdiction.unwrap_or("unknown"),
    });
    if let Some(age) = r.age {
        attrs["age"] = json!(age);
    }
    let mut entities = shared.to_vec();
    entities.push(json!({"uid": uid("Subject", "s"), "attrs": attrs, "parents": []}));
    let entities = Entities::from_json_value(Value::Array(entities), None).unwrap();
    let mut context = json!({
        "purpose": name_of(&PURPOSES, r.purpose),
        "consent": floor::consent_word(r, r.purpose),
        "sale_consent": floor::consent_word(r, floor::Purpose::Sale) == "given",
    });
    if let Some(party) = r.party {
        context["party"] = json!({"__entity": uid("Party", name_of(&PARTIES, party))});
    }
    let action = if r.party.is_some() { "disclose" } else { "use" };
    let principal: EntityUid = r#"Subject::"s""#.parse().unwrap();
    let action: EntityUid = format!(r#"Action::"{action}""#).parse().unwrap();
    let requests = r
        .data
        .iter()
        .map(|c| {
            let resource: EntityUid = format!(r#"Category::"{}""#, name_of(&CATEGORIES, *c))
                .parse()
                .unwrap();
            let context = Context::from_json_value(context.clone(), None).unwrap();
            Request::new(principal.clone(), action.clone(), resource, context, None).unwrap()
        })
        .collect();
    (requests, entities)
}

/// The median over `rounds` runs of `run`, per decision, in nanoseconds.
fn per_decision(rounds: usize, count: usize, mut run: impl FnMut() -> usize) -> f64 {
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            black_box(run());
            start.elapsed().as_secs_f64() * 1e9 / count as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2400);
    let requests = floor::requests(2021, count);

    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let policy = lawful::Policy::load(format!("{root}/rules/filestack")).unwrap();
    let prepared: Vec<_> = requests
        .iter()
        .map(|g| policy.prepare_json(g.json.as_bytes()).unwrap())
        .collect();

    let cedar_text = include_str!("../filestack-2021-11-11.cedar");
    let policies: PolicySet = cedar_text.parse().unwrap();
    let shared = shared_entities();
    let cedar: Vec<(Vec<Request>, Entities)> = requests
        .iter()
        .map(|g| cedar_requests(&g.floor, &shared))
        .collect();
    let authorizer = Authorizer::new();
    let cedar_allows = |(list, entities): &(Vec<Request>, Entities)| {
        list.iter().all(|request| {
            let response = authorizer.is_authorized(request, &policies, entities);
            assert!(
                response.diagnostics().errors().next().is_none(),
                "a Cedar policy failed to evaluate"
            );
            response.decision() == Decision::Allow
        })
    };

    // All three must allow and deny the same requests.
    let mut disagreements = 0;
    let mut allowed = 0;
    for ((g, p), c) in requests.iter().zip(&prepared).zip(&cedar) {
        let floor = floor::decide(&g.floor).0;
        let lawful = policy.decide_prepared(p).unwrap().allowed();
        let cedar = cedar_allows(c);
        allowed += usize::from(floor);
        if floor != lawful || floor != cedar {
            disagreements += 1;
            eprintln!(
                "disagree (floor {floor}, lawful {lawful}, cedar {cedar}): {}",
                g.json
            );
        }
    }
    println!(
        "{count} Filestack requests ({allowed} allowed), floor, lawful and Cedar agree on {}",
        count - disagreements
    );
    if disagreements > 0 {
        std::process::exit(1);
    }

    let floor_ns = per_decision(200, count, || {
        requests
            .iter()
            .filter(|g| floor::decide(black_box(&g.floor)).0)
            .count()
    });
    let lawful_ns = per_decision(200, count, || {
        prepared
            .iter()
            .filter(|p| policy.decide_prepared(black_box(p)).unwrap().allowed())
            .count()
    });
    let json_ns = per_decision(50, count, || {
        requests
            .iter()
            .filter(|g| {
                policy
                    .decide_json(black_box(g.json.as_bytes()))
                    .unwrap()
                    .allowed()
            })
            .count()
    });
    let cedar_ns = per_decision(9, count, || {
        cedar.iter().filter(|c| cedar_allows(black_box(c))).count()
    });
    println!("per decision (median of rounds over all {count} requests):");
    println!("  hand-written floor   {floor_ns:>10.1} ns");
    println!(
        "  lawful, prepared     {lawful_ns:>10.1} ns  {:>6.1}x floor",
        lawful_ns / floor_ns
    );
    println!(
        "  lawful, from JSON    {json_ns:>10.1} ns  {:>6.1}x floor",
        json_ns / floor_ns
    );
    println!(
        "  Cedar {:<14} {cedar_ns:>10.1} ns  {:>6.1}x floor, {:.0}x lawful prepared",
        env!("CEDAR_VERSION"),
        cedar_ns / floor_ns,
        cedar_ns / lawful_ns
    );
}
