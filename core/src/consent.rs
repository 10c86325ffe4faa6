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

/// The consent state for `purpose` at `at`, given a subject's consents and revocations.
pub fn consent_state(
    vocabulary: &Vocabulary,
    purpose: PurposeId,
    consents: &[(PurposeId, Timestamp)],
    revocations: &[(PurposeId, Timestamp)],
    at: Timestamp,
) -> ConsentState {
    let lineage = vocabulary.purposes().lineage(purpose.0);
    match (
        latest(consents, lineage, at),
        latest(revocations, lineage, at),
    ) {
        (Some(given), Some(revoked)) if revoked >= given => ConsentState::Revoked(revoked),
        (Some(given), _) => ConsentState::Given(given),
        (None, Some(revoked)) => ConsentState::Revoked(revoked),
        (None, None) => ConsentState::NotGiven,
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
}
