//! The size of a request read from Python, counted the same way by both readers.
//!
//! The command line refuses a request over [`MAX_REQUEST_BYTES`] of JSON. A
//! request read from Python objects has no JSON text to measure, so both
//! readers ([`crate::fast`] and [`crate::convert`]) count the same units as
//! they walk it: one per value (a text, a number, a list, a dict, None), one
//! per entry of a list or dict, and the bytes of every text, keys included — an
//! approximation from below of the request's size as JSON.
//!
//! INVARIANT: the fast reader counts at least what the JSON-value reader counts
//! for the same request (it counts a `datetime` as [`DATETIME`] units, the
//! longest text the other writes for one), so a request the fast reader takes
//! is one the JSON-value reader would take too; at the limit the fast reader
//! gives up and the JSON-value reader says what is wrong.

use lawful::{MAX_REQUEST_BYTES, RequestError, RequestErrorKind};

/// The most units a `datetime` takes as RFC 3339 text in UTC:
/// `2026-03-01T10:00:00.000001Z`.
pub(crate) const DATETIME: usize = 27;

/// The units a `date` takes as text: `2026-03-01`.
pub(crate) const DATE: usize = 10;

/// The units counted so far of one request.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Size {
    units: usize,
}

impl Size {
    /// Counts `units` more; `false` once the request is over the limit.
    #[must_use]
    pub(crate) fn add(&mut self, units: usize) -> bool {
        self.units = self.units.saturating_add(units);
        self.units <= MAX_REQUEST_BYTES
    }

    /// The error for a request over the limit, as the JSON reader words it.
    pub(crate) fn too_large() -> RequestError {
        RequestError {
            kind: RequestErrorKind::Json,
            field: None,
            message: format!(
                "the request is too large: the most a request may be is {MAX_REQUEST_BYTES} bytes of JSON"
            ),
            suggestion: None,
        }
    }
}
