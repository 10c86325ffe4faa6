//! The server's counters, rendered in Prometheus' text format at `GET /metrics`.
//!
//! A handful of counters and one histogram, kept in atomics: a metrics crate
//! would bring a registry and a global recorder for what fits in this page.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
    5.0,
];

/// How long requests to one endpoint took, from the request's arrival at the
/// handler to its answer (network time excluded).
#[derive(Debug, Default)]
pub(crate) struct Histogram {
    /// Counts per bucket (not cumulative); the last is `+Inf`.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    pub(crate) fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let slot = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        if let Some(bucket) = self.buckets.get(slot) {
            bucket.fetch_add(1, Relaxed);
        }
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Relaxed);
        self.count.fetch_add(1, Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        let bounds = BUCKETS
            .iter()
            .map(|b| format!("{b}"))
            .chain(["+Inf".into()]);
        for (bucket, bound) in self.buckets.iter().zip(bounds) {
            cumulative += bucket.load(Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
        }
        let sum = self.sum_nanos.load(Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count.load(Relaxed));
    }
}

/// The kinds of error the server counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// A body that is not JSON.
    Json,
    /// A request the policy cannot decide.
    Request,
    /// A body larger than the limit.
    TooLarge,
    /// A body that did not arrive in time.
    Timeout,
    /// Too many requests in flight.
    Busy,
    /// No such endpoint, or the wrong method.
    NotFound,
    /// The audit log could not be written.
    Audit,
    /// Anything else (a body that could not be read).
    Other,
}

const ERROR_KINDS: [(ErrorKind, &str); 8] = [
    (ErrorKind::Json, "json"),
    (ErrorKind::Request, "request"),
    (ErrorKind::TooLarge, "too_large"),
    (ErrorKind::Timeout, "timeout"),
    (ErrorKind::Busy, "busy"),
    (ErrorKind::NotFound, "not_found"),
    (ErrorKind::Audit, "audit"),
    (ErrorKind::Other, "other"),
];

/// Every counter the server keeps.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    allowed: AtomicU64,
    denied: AtomicU64,
    refused: AtomicU64,
    errors: [AtomicU64; ERROR_KINDS.len()],
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    connections: AtomicU64,
    pub(crate) decide_latency: Histogram,
    pub(crate) explain_latency: Histogram,
}

impl Metrics {
    /// Counts one answer: `Some(allowed)` for a decision, `None` for a request
    /// that could not be decided.
    pub(crate) fn answered(&self, allowed: Option<bool>) {
        match allowed {
            Some(true) => &self.allowed,
            Some(false) => &self.denied,
            None => &self.refused,
        }
        .fetch_add(1, Relaxed);
    }

    pub(crate) fn error(&self, kind: ErrorKind) {
        let slot = ERROR_KINDS.iter().position(|(k, _)| *k == kind);
        if let Some(counter) = slot.and_then(|i| self.errors.get(i)) {
            counter.fetch_add(1, Relaxed);
        }
    }

    pub(crate) fn reloaded(&self, ok: bool) {
        if ok {
            &self.reloads_ok
        } else {
            &self.reloads_failed
        }
        .fetch_add(1, Relaxed);
    }

    pub(crate) fn reloads(&self) -> (u64, u64) {
        (
            self.reloads_ok.load(Relaxed),
            self.reloads_failed.load(Relaxed),
        )
    }

    pub(crate) fn connection_opened(&self) {
        self.connections.fetch_add(1, Relaxed);
    }

    /// The text `GET /metrics` returns; `digest` is the policy served.
    pub(crate) fn render(&self, digest: &str) -> String {
        let mut out = String::with_capacity(4096);
        let counter = |out: &mut String, name: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
        };
        counter(
            &mut out,
            "lawful_decisions_total",
            "Answers given, by outcome (error: the request could not be decided).",
        );
        for (outcome, value) in [
            ("allowed", &self.allowed),
            ("denied", &self.denied),
            ("error", &self.refused),
        ] {
            let _ = writeln!(
                out,
                "lawful_decisions_total{{outcome=\"{outcome}\"}} {}",
                value.load(Relaxed)
            );
        }
        counter(
            &mut out,
            "lawful_errors_total",
            "Requests answered with an error, by kind.",
        );
        for ((_, name), value) in ERROR_KINDS.iter().zip(&self.errors) {
            let _ = writeln!(
                out,
                "lawful_errors_total{{kind=\"{name}\"}} {}",
                value.load(Relaxed)
            );
        }
        counter(
            &mut out,
            "lawful_reloads_total",
            "Reloads of the policy, by result (failed: the last good policy goes on).",
        );
        let (ok, failed) = self.reloads();
        let _ = writeln!(out, "lawful_reloads_total{{result=\"ok\"}} {ok}");
        let _ = writeln!(out, "lawful_reloads_total{{result=\"failed\"}} {failed}");
        counter(
            &mut out,
            "lawful_connections_total",
            "Connections accepted.",
        );
        let _ = writeln!(
            out,
            "lawful_connections_total {}",
            self.connections.load(Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP lawful_request_duration_seconds Time to answer a request, by endpoint.\n# TYPE lawful_request_duration_seconds histogram"
        );
        self.decide_latency.render(
            &mut out,
            "lawful_request_duration_seconds",
            "endpoint=\"decide\"",
        );
        self.explain_latency.render(
            &mut out,
            "lawful_request_duration_seconds",
            "endpoint=\"explain\"",
        );
        let _ = writeln!(
            out,
            "# HELP lawful_policy_info The policy served, by digest.\n# TYPE lawful_policy_info gauge\nlawful_policy_info{{digest=\"{digest}\"}} 1"
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_ends_at_infinity() {
        let metrics = Metrics::default();
        metrics.decide_latency.observe(Duration::from_micros(30));
        metrics.decide_latency.observe(Duration::from_millis(3));
        metrics.decide_latency.observe(Duration::from_secs(9));
        metrics.answered(Some(true));
        metrics.error(ErrorKind::Busy);
        let text = metrics.render("abc");
        assert!(
            text.contains(
                "lawful_request_duration_seconds_bucket{endpoint=\"decide\",le=\"0.00005\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "lawful_request_duration_seconds_bucket{endpoint=\"decide\",le=\"0.005\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "lawful_request_duration_seconds_bucket{endpoint=\"decide\",le=\"+Inf\"} 3"
            ),
            "{text}"
        );
        assert!(text.contains("lawful_request_duration_seconds_count{endpoint=\"decide\"} 3"));
        assert!(text.contains("lawful_decisions_total{outcome=\"allowed\"} 1"));
        assert!(text.contains("lawful_errors_total{kind=\"busy\"} 1"));
        assert!(text.contains("lawful_policy_info{digest=\"abc\"} 1"));
    }
}
