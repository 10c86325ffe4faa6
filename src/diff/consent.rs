//! Consent in the decision space.
//!
//! What the engine reads of a request's consents and revocations, for a request
//! about purpose `R`, is exactly:
//! - the state of consent for `R` (absent, in force, revoked): consent rules need
//!   it in force, and a revocation in force either opts out (a declared opt-out
//!   covering the part revoked) or names the withdrawal when nothing allows;
//! - which declared opt-out, if any, the first revoked part of `R` falls under;
//! - for each purpose `P` a condition asks about, whether consent to `P` is in force.
//!
//! Those are the request's consent [`Features`]. To reach every combination of
//! them, [`scenarios`] gives each purpose that can matter (R, each P, and one
//! purpose inside them for each way a part can differ: a different declared
//! revocation, a different relation to the others) one of four histories — none,
//! given, given then revoked, revoked then given again — and keeps one scenario
//! per distinct combination of features.

use std::collections::{BTreeSet, HashMap, HashSet};

use lawful_core::Timestamp;
use lawful_core::consent::{ConsentState, consent_state, revocations_in_force};
use lawful_core::ids::PurposeId;
use lawful_core::vocab::Vocabulary;

use super::DiffError;
use super::side::Side;
use super::when::{ConsentCase, ConsentStateName};

/// The most purposes whose histories are combined for one request purpose.
const MAX_SLOTS: usize = 6;

/// What the engine reads of a request's consents and revocations.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Features {
    /// Consent for the request's purpose.
    pub(crate) state: ConsentStateName,
    /// The declared opt-out each side applies (`[old, new]`), by position.
    pub(crate) opt_out: [Option<usize>; 2],
    /// Whether consent to each asked purpose is in force.
    pub(crate) consent_to: Vec<bool>,
    /// Whether each side refuses the request for naming a purpose it does not know.
    pub(crate) unknown: [bool; 2],
}

impl Features {
    /// The case of consent for the request's purpose, with the opt-outs' ids.
    pub(crate) fn case(&self, sides: &[Side<'_>; 2]) -> ConsentCase {
        let name = |i: usize| {
            let [old, new] = self.opt_out;
            let (side, position) = if i == 0 {
                (&sides[0], old)
            } else {
                (&sides[1], new)
            };
            position
                .and_then(|p| side.revocation(p))
                .map(|r| r.id.to_string())
        };
        ConsentCase {
            state: self.state,
            opt_out_old: name(0),
            opt_out_new: name(1),
        }
    }
}

/// Consents and revocations, each by purpose name, sorted by name (as a
/// request's JSON object is read).
#[derive(Clone, Debug, Default)]
pub(crate) struct Scenario {
    pub(crate) consents: Vec<(String, Timestamp)>,
    pub(crate) revocations: Vec<(String, Timestamp)>,
}

type Events = Vec<(PurposeId, Timestamp)>;

fn resolve(vocabulary: &Vocabulary, events: &[(String, Timestamp)]) -> Option<Events> {
    events
        .iter()
        .map(|(name, at)| Some((vocabulary.purpose(name)?, *at)))
        .collect()
}

/// The features of a request about `purpose` with these consents and revocations.
pub(crate) fn features(
    sides: &[Side<'_>; 2],
    purpose: &str,
    asked: &[String],
    scenario: &Scenario,
    at: Timestamp,
) -> Features {
    let resolved: [Option<(Events, Events)>; 2] = sides.each_ref().map(|side| {
        let v = side.vocab();
        Some((
            resolve(v, &scenario.consents)?,
            resolve(v, &scenario.revocations)?,
        ))
    });
    let unknown = resolved.each_ref().map(Option::is_none);
    // Each side with the events it reads (none: it refuses the request).
    let readers: Vec<(&Side<'_>, &(Events, Events))> = sides
        .iter()
        .zip(&resolved)
        .filter_map(|(side, events)| Some((side, events.as_ref()?)))
        .collect();
    // The state is the same from either side that reads every purpose named;
    // the new side is asked first.
    let state_of = |name: &str| -> Option<ConsentState> {
        readers
            .iter()
            .rev()
            .find_map(|(side, (consents, revocations))| {
                let v = side.vocab();
                Some(consent_state(
                    v,
                    v.purpose(name)?,
                    consents,
                    revocations,
                    at,
                ))
            })
    };
    let state = match state_of(purpose) {
        Some(ConsentState::Given(_)) => ConsentStateName::InForce,
        Some(ConsentState::Revoked(_)) => ConsentStateName::Revoked,
        Some(ConsentState::NotGiven) | None => ConsentStateName::Absent,
    };
    let opt_out = [0, 1].map(|i| {
        let (side, events) = sides.get(i).zip(resolved.get(i))?;
        let (consents, revocations) = events.as_ref()?;
        let v = side.vocab();
        let id = v.purpose(purpose)?;
        revocations_in_force(v, id, consents, revocations, at)
            .find_map(|(part, _)| side.revocation_for(part).filter(|r| side.is_opt_out(*r)))
    });
    let consent_to = asked
        .iter()
        .map(|p| matches!(state_of(p), Some(ConsentState::Given(_))))
        .collect();
    Features {
        state,
        opt_out,
        consent_to,
        unknown,
    }
}

/// `b` is `a` or inside it, by name.
fn covers(a: &str, b: &str) -> bool {
    b == a || (b.len() > a.len() && b.starts_with(a) && b.as_bytes().get(a.len()) == Some(&b'.'))
}

/// The purposes whose histories can change the features: the request's purpose,
/// the asked ones, and one purpose inside them per way of differing.
fn slots(sides: &[Side<'_>; 2], purpose: &str, asked: &[String]) -> Vec<String> {
    let mut base: Vec<String> = vec![purpose.to_owned()];
    for p in asked {
        if !base.contains(p) {
            base.push(p.clone());
        }
    }
    let universe: BTreeSet<&str> = sides
        .iter()
        .flat_map(|s| s.vocab().purposes().table().names())
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut extra = Vec::new();
    for name in universe {
        if base.iter().any(|b| b == name) || !base.iter().any(|b| covers(b, name)) {
            continue;
        }
        let relations: Vec<(bool, bool)> = base
            .iter()
            .map(|b| (covers(b, name), covers(name, b)))
            .collect();
        let part_of_request = covers(purpose, name);
        let per_side: Vec<(bool, Option<usize>)> = sides
            .iter()
            .map(|s| {
                let id = s.vocab().purpose(name);
                let revocation = id
                    .filter(|_| part_of_request)
                    .and_then(|id| s.revocation_for(id));
                (id.is_some(), revocation)
            })
            .collect();
        if seen.insert(format!("{relations:?}{per_side:?}")) {
            extra.push(name.to_owned());
        }
    }
    base.extend(extra);
    base
}

fn days_before(at: Timestamp, days: i64) -> Timestamp {
    Timestamp::from_unix(at.unix_seconds() - days * 86_400, 0).unwrap_or(at)
}

/// One scenario per distinct combination of features a request about `purpose`
/// can show, simplest first.
pub(crate) fn scenarios(
    sides: &[Side<'_>; 2],
    purpose: &str,
    asked: &[String],
    at: Timestamp,
) -> Result<Vec<(Features, Scenario)>, DiffError> {
    let slots = slots(sides, purpose, asked);
    if slots.len() > MAX_SLOTS {
        return Err(DiffError::TooLarge(format!(
            "requests for `{purpose}` depend on consent to {} related purposes ({}); at most {MAX_SLOTS} can be compared exactly",
            slots.len(),
            slots.join(", ")
        )));
    }
    let (given, revoked, given_again) = (
        days_before(at, 60),
        days_before(at, 30),
        days_before(at, 15),
    );
    let count = 4usize.pow(u32::try_from(slots.len()).unwrap_or(0));
    let mut codes: Vec<usize> = (0..count).collect();
    let events = |code: usize| (0..slots.len()).map(move |i| (code >> (2 * i)) & 3);
    codes.sort_by_key(|code| (events(*code).filter(|e| *e != 0).count(), *code));
    let mut found: HashMap<Features, usize> = HashMap::new();
    let mut out = Vec::new();
    for code in codes {
        let mut scenario = Scenario::default();
        for (slot, event) in slots.iter().zip(events(code)) {
            match event {
                1 => scenario.consents.push((slot.clone(), given)),
                2 => {
                    scenario.consents.push((slot.clone(), given));
                    scenario.revocations.push((slot.clone(), revoked));
                }
                3 => {
                    scenario.revocations.push((slot.clone(), revoked));
                    scenario.consents.push((slot.clone(), given_again));
                }
                _ => {}
            }
        }
        scenario.consents.sort_by(|a, b| a.0.cmp(&b.0));
        scenario.revocations.sort_by(|a, b| a.0.cmp(&b.0));
        let f = features(sides, purpose, asked, &scenario, at);
        if !found.contains_key(&f) {
            found.insert(f.clone(), out.len());
            out.push((f, scenario));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn covers_is_by_whole_levels() {
        assert!(covers("marketing", "marketing.communications"));
        assert!(covers("marketing", "marketing"));
        assert!(!covers("marketing", "marketingx"));
        assert!(!covers("marketing.communications", "marketing"));
    }
}
