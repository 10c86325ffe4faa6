//! Whether a subject's consent for a purpose is in force at an instant.
//!
//! Consent for a purpose covers the purposes inside it, and so does a revocation.
//! A revocation is honoured from its instant on, never before; a consent given
//! after a revocation counts again. When a consent and a revocation carry the same
//! instant, the revocation wins.

use crate::ids::PurposeId;
use crate::time::Timestamp;
use crate::vocab::Vocabulary;

/// The state of consent for one purpose at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentState {
    /// Consent was given at this instant and is in force.
    Given(Timestamp),
    /// Consent was revoked at this instant and nothing since restored it.
    Revoked(Timestamp),
    /// The subject never consented (before the instant asked about).
    NotGiven,
}

/// A subject's consents, to look up by purpose: sorted by purpose when they come
/// from a prepared request, so each lookup is a binary search; otherwise read
/// in full.
#[derive(Clone, Copy)]
struct Consents<'a> {
    events: &'a [(PurposeId, Timestamp)],
    sorted: bool,
}

impl<'a> Consents<'a> {
    /// Consents at or beyond which a sorted list is searched rather than read.
    const SEARCHED: usize = 8;

    /// The consents to read for `purpose`: for a long sorted list, those given for
    /// it (a binary search); otherwise every one (the caller checks the purpose).
    fn for_purpose(self, purpose: u32) -> &'a [(PurposeId, Timestamp)] {
        if !self.sorted || self.events.len() < Self::SEARCHED {
            return self.events;
        }
        let start = self.events.partition_point(|(p, _)| p.0 < purpose);
        let rest = self.events.get(start..).unwrap_or_default();
        rest.get(..rest.partition_point(|(p, _)| p.0 == purpose))
            .unwrap_or_default()
    }

    /// Whether a consent for a purpose in `lineage` was given after `after` and at
    /// or before `at`.
    fn given_between(self, lineage: &[u32], after: Timestamp, at: Timestamp) -> bool {
        lineage.iter().any(|&l| {
            self.for_purpose(l)
                .iter()
                .any(|&(p, when)| p.0 == l && when > after && when <= at)
        })
    }

    /// The latest consent at or before `at` for a purpose in `lineage` (the
    /// purpose and those containing it).
    fn latest(self, lineage: &[u32], at: Timestamp) -> Option<Timestamp> {
        let mut latest: Option<Timestamp> = None;
        for &l in lineage {
            for &(p, when) in self.for_purpose(l) {
                if p.0 == l && when <= at && latest.is_none_or(|t| when > t) {
                    latest = Some(when);
                }
            }
        }
        latest
    }
}

/// The part of `purpose` a revocation of `revoked` takes away: the purpose itself
/// when the revocation covers it, the revoked purpose when it lies inside the
/// purpose; `None` when the two are unrelated.
fn revoked_part(tree: &crate::vocab::Tree<PurposeId>, purpose: u32, revoked: u32) -> Option<u32> {
    if purpose == revoked || tree.covers(purpose, revoked) {
        Some(revoked)
    } else if tree.covers(revoked, purpose) {
        Some(purpose)
    } else {
        None
    }
}

/// The revocations in force at `at` that take part of `purpose` away, each as the
/// part revoked and the instant.
///
/// A revocation counts when it concerns the purpose, a purpose containing it, or a
/// purpose inside it (using data "for marketing" includes the marketing mail whose
/// consent was revoked), unless a consent covering the revoked part was given after it.
pub fn revocations_in_force<'a>(
    vocabulary: &'a Vocabulary,
    purpose: PurposeId,
    consents: &'a [(PurposeId, Timestamp)],
    revocations: &'a [(PurposeId, Timestamp)],
    at: Timestamp,
) -> impl Iterator<Item = (PurposeId, Timestamp)> + 'a {
    let consents = Consents {
        events: consents,
        sorted: consents.is_sorted_by_key(|(p, _)| *p),
    };
    in_force(vocabulary, purpose, consents, revocations, at, |_| true)
}

/// The first revocation (in order) of [`revocations_in_force`] whose part revoked
/// is `wanted`, for consents sorted by purpose as a prepared request holds them.
pub(crate) fn first_in_force_sorted(
    vocabulary: &Vocabulary,
    purpose: PurposeId,
    consents: &[(PurposeId, Timestamp)],
    revocations: &[(PurposeId, Timestamp)],
    at: Timestamp,
    wanted: impl Fn(PurposeId) -> bool,
) -> Option<(PurposeId, Timestamp)> {
    let consents = Consents {
        events: consents,
        sorted: true,
    };
    in_force(vocabulary, purpose, consents, revocations, at, wanted).next()
}

/// The revocations in force whose part revoked is `wanted` (asked first, before
/// the costlier question whether a later consent restored the part).
fn in_force<'a>(
    vocabulary: &'a Vocabulary,
    purpose: PurposeId,
    consents: Consents<'a>,
    revocations: &'a [(PurposeId, Timestamp)],
    at: Timestamp,
    wanted: impl Fn(PurposeId) -> bool + 'a,
) -> impl Iterator<Item = (PurposeId, Timestamp)> + 'a {
    let tree = vocabulary.purposes();
    revocations
        .iter()
        .filter(move |(_, time)| *time <= at)
        .filter_map(move |&(revoked, time)| {
            let part = PurposeId(revoked_part(tree, purpose.0, revoked.0)?);
            // Restored by a consent covering the part, given after the revocation.
            let restored = || consents.given_between(tree.lineage(part.0), time, at);
            (wanted(part) && !restored()).then_some((part, time))
        })
}

/// The consent state for `purpose` at `at`, given a subject's consents and revocations
/// (see [`revocations_in_force`] for which revocations count). This is
/// [`revocations_in_force`] and [`latest`] in one loop each, without iterator
/// adapters: every decision asks it.
pub fn consent_state(
    vocabulary: &Vocabulary,
    purpose: PurposeId,
    consents: &[(PurposeId, Timestamp)],
    revocations: &[(PurposeId, Timestamp)],
    at: Timestamp,
) -> ConsentState {
    let consents = Consents {
        events: consents,
        sorted: consents.is_sorted_by_key(|(p, _)| *p),
    };
    state(vocabulary, purpose, consents, revocations, at)
}

/// [`consent_state`] for consents sorted by purpose, as a prepared request holds
/// them: each look-up is a binary search, so a request with many consents and
/// revocations costs about (revocations × depth of the purpose tree × log
/// consents), not (revocations × consents).
pub(crate) fn consent_state_sorted(
    vocabulary: &Vocabulary,
    purpose: PurposeId,
    consents: &[(PurposeId, Timestamp)],
    revocations: &[(PurposeId, Timestamp)],
    at: Timestamp,
) -> ConsentState {
    let consents = Consents {
        events: consents,
        sorted: true,
    };
    state(vocabulary, purpose, consents, revocations, at)
}

fn state(
    vocabulary: &Vocabulary,
    purpose: PurposeId,
    consents: Consents<'_>,
    revocations: &[(PurposeId, Timestamp)],
    at: Timestamp,
) -> ConsentState {
    // Most requests carry no consents at all.
    if consents.events.is_empty() && revocations.is_empty() {
        return ConsentState::NotGiven;
    }
    // The latest revocation in force, as `in_force` finds them, in one loop: only
    // a revocation later than the latest found so far can change the answer.
    let tree = vocabulary.purposes();
    let mut revoked: Option<Timestamp> = None;
    for &(r, time) in revocations {
        if time > at || revoked.is_some_and(|latest| latest >= time) {
            continue;
        }
        let Some(part) = revoked_part(tree, purpose.0, r.0) else {
            continue;
        };
        if !consents.given_between(tree.lineage(part), time, at) {
            revoked = Some(time);
        }
    }
    if let Some(revoked) = revoked {
        return ConsentState::Revoked(revoked);
    }
    match consents.latest(vocabulary.purposes().lineage(purpose.0), at) {
        Some(given) => ConsentState::Given(given),
        None => ConsentState::NotGiven,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap_or_else(|_| Timestamp::now())
    }

    fn state(consents: &[(&str, &str)], revocations: &[(&str, &str)], at: &str) -> ConsentState {
        let mut v = Vocabulary::new();
        let _ = v.add_purpose("marketing", "");
        let _ = v.add_purpose("marketing.communications", "");
        let resolve = |list: &[(&str, &str)]| -> Vec<(PurposeId, Timestamp)> {
            list.iter()
                .filter_map(|(p, t)| Some((v.purpose(p)?, day(t))))
                .collect()
        };
        let target = v
            .purpose("marketing.communications")
            .unwrap_or(PurposeId(0));
        consent_state(
            &v,
            target,
            &resolve(consents),
            &resolve(revocations),
            day(at),
        )
    }

    #[test]
    fn revocation_is_honoured_from_its_instant() {
        let consent = [("marketing.communications", "2026-01-01")];
        let revoked = [("marketing.communications", "2026-02-01")];
        assert_eq!(
            state(&consent, &revoked, "2026-01-15"),
            ConsentState::Given(day("2026-01-01"))
        );
        assert_eq!(
            state(&consent, &revoked, "2026-02-01"),
            ConsentState::Revoked(day("2026-02-01"))
        );
        assert_eq!(
            state(&consent, &revoked, "2026-03-01"),
            ConsentState::Revoked(day("2026-02-01"))
        );
        assert_eq!(state(&consent, &[], "2025-12-31"), ConsentState::NotGiven);
    }

    #[test]
    fn a_later_consent_counts_again() {
        let consent = [("marketing.communications", "2026-03-01")];
        let revoked = [("marketing.communications", "2026-02-01")];
        assert_eq!(
            state(&consent, &revoked, "2026-04-01"),
            ConsentState::Given(day("2026-03-01"))
        );
    }

    #[test]
    fn consent_for_a_parent_purpose_covers_its_children() {
        assert_eq!(
            state(&[("marketing", "2026-01-01")], &[], "2026-02-01"),
            ConsentState::Given(day("2026-01-01"))
        );
        assert_eq!(
            state(
                &[("marketing.communications", "2026-01-01")],
                &[("marketing", "2026-01-02")],
                "2026-02-01"
            ),
            ConsentState::Revoked(day("2026-01-02"))
        );
    }

    /// Purposes nested two deep beside an unrelated one, and their names.
    fn nested_purposes() -> (Vocabulary, [&'static str; 5]) {
        let mut v = Vocabulary::new();
        let names = ["m", "m.a", "m.b", "m.a.x", "n"];
        for name in names {
            let _ = v.add_purpose(name, "");
        }
        (v, names)
    }

    #[test]
    fn sorted_and_unsorted_consents_agree() {
        let (v, names) = nested_purposes();
        let id = |name: &str| v.purpose(name).unwrap_or(PurposeId(0));
        let days = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"];
        // Every purpose consented and revoked on shifting days, in an order that is
        // not the purposes' own.
        let mut consents: Vec<(PurposeId, Timestamp)> = Vec::new();
        let mut revocations: Vec<(PurposeId, Timestamp)> = Vec::new();
        for (i, name) in names.iter().enumerate().rev() {
            consents.push((id(name), day(days[i % 4])));
            consents.push((id(name), day(days[(i + 2) % 4])));
            revocations.push((id(name), day(days[(i + 1) % 4])));
        }
        let mut sorted = consents.clone();
        sorted.sort_by_key(|(p, _)| *p);
        assert!(!consents.is_sorted_by_key(|(p, _)| *p));
        for asked in names {
            for at in [
                "2025-12-01",
                "2026-01-15",
                "2026-02-15",
                "2026-03-15",
                "2026-05-01",
            ] {
                for revoked in [&revocations[..], &revocations[..2], &[]] {
                    let plain = consent_state(&v, id(asked), &consents, revoked, day(at));
                    let fast = consent_state_sorted(&v, id(asked), &sorted, revoked, day(at));
                    assert_eq!(plain, fast, "{asked} at {at}");
                }
            }
        }
    }

    #[test]
    fn the_first_wanted_revocation_in_force_is_the_first_of_those_in_force() {
        let (v, names) = nested_purposes();
        let id = |name: &str| v.purpose(name).unwrap_or(PurposeId(0));
        let days = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"];
        let mut consents: Vec<(PurposeId, Timestamp)> = names
            .iter()
            .enumerate()
            .map(|(i, name)| (id(name), day(days[(i + 2) % 4])))
            .collect();
        consents.sort_by_key(|(p, _)| *p);
        let revocations: Vec<(PurposeId, Timestamp)> = names
            .iter()
            .enumerate()
            .map(|(i, name)| (id(name), day(days[(i + 1) % 4])))
            .collect();
        let wanted_sets: [&[&str]; 4] = [&["m"], &["m.a", "m.a.x"], &["n", "m.b"], &names];
        for asked in names {
            for at in ["2026-01-15", "2026-02-15", "2026-03-15", "2026-05-01"] {
                for wanted in wanted_sets {
                    let wanted = |p: PurposeId| wanted.iter().any(|w| id(w) == p);
                    let (asked, at) = (id(asked), day(at));
                    let first =
                        first_in_force_sorted(&v, asked, &consents, &revocations, at, wanted);
                    let expected = revocations_in_force(&v, asked, &consents, &revocations, at)
                        .find(|(part, _)| wanted(*part));
                    assert_eq!(first, expected);
                }
            }
        }
    }

    #[test]
    fn revoking_part_of_a_purpose_refuses_the_whole() {
        let mut v = Vocabulary::new();
        let _ = v.add_purpose("marketing", "");
        let _ = v.add_purpose("marketing.communications", "");
        let _ = v.add_purpose("marketing.advertising", "");
        let id = |name: &str| v.purpose(name).unwrap_or(PurposeId(0));
        let consents = [(id("marketing"), day("2026-01-01"))];
        let revocations = [(id("marketing.communications"), day("2026-02-01"))];
        let at = day("2026-03-01");
        let whole = consent_state(&v, id("marketing"), &consents, &revocations, at);
        let other_part =
            consent_state(&v, id("marketing.advertising"), &consents, &revocations, at);
        assert_eq!(whole, ConsentState::Revoked(day("2026-02-01")));
        assert_eq!(other_part, ConsentState::Given(day("2026-01-01")));
        let renewed = [
            (id("marketing.communications"), day("2026-02-15")),
            consents[0],
        ];
        assert_eq!(
            consent_state(&v, id("marketing"), &renewed, &revocations, at),
            ConsentState::Given(day("2026-01-01"))
        );
    }
}
