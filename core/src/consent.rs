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

/// The latest of `events` at or before `at` that concern `purpose` or a purpose containing it.
fn latest(events: &[(PurposeId, Timestamp)], lineage: &[u32], at: Timestamp) -> Option<Timestamp> {
    events
        .iter()
        .filter(|(purpose, time)| *time <= at && lineage.contains(&purpose.0))
        .map(|(_, time)| *time)
        .max()
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
    let tree = vocabulary.purposes();
    revocations
        .iter()
        .filter(move |(_, time)| *time <= at)
        .filter_map(move |(revoked, time)| {
            // The part of the request's purpose the revocation takes away.
            let part = if tree.covers(purpose.0, revoked.0) {
                revoked.0
            } else if tree.covers(revoked.0, purpose.0) {
                purpose.0
            } else {
                return None;
            };
            let lineage = tree.lineage(part);
            let restored = consents
                .iter()
                .any(|(given, when)| *when <= at && *when > *time && lineage.contains(&given.0));
            (!restored).then_some((PurposeId(part), *time))
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
    // Most requests carry no consents at all.
    if consents.is_empty() && revocations.is_empty() {
        return ConsentState::NotGiven;
    }
    let tree = vocabulary.purposes();
    let own = tree.lineage(purpose.0);
    let mut revoked: Option<Timestamp> = None;
    for &(revoked_purpose, time) in revocations {
        if time > at {
            continue;
        }
        // The lineage of the part of the purpose the revocation takes away: the
        // purpose itself when the revocation covers it, the revoked purpose when
        // it lies inside the request's.
        let part = if own.contains(&revoked_purpose.0) {
            own
        } else {
            let inner = tree.lineage(revoked_purpose.0);
            if !inner.contains(&purpose.0) {
                continue;
            }
            inner
        };
        let restored = consents
            .iter()
            .any(|&(given, when)| when <= at && when > time && part.contains(&given.0));
        if !restored && revoked.is_none_or(|r| r < time) {
            revoked = Some(time);
        }
    }
    if let Some(revoked) = revoked {
        return ConsentState::Revoked(revoked);
    }
    match latest(consents, own, at) {
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
