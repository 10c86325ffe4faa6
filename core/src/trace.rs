//! Explain mode: a record of every rule a decision considered and why it did or did
//! not apply. The normal path records nothing and pays nothing: the evaluator is
//! generic over [`Tracer`], and [`NoTrace`] compiles every note away.

use serde::Serialize;

/// One step of an explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceStep {
    /// The rule (or built-in check) considered.
    pub rule: String,
    /// Whether it applied to the request.
    pub applies: bool,
    /// Why, in plain English.
    pub why: String,
}

/// Receives trace steps during evaluation.
pub(crate) trait Tracer {
    /// False for the normal path: callers skip building steps entirely.
    const ON: bool;
    /// Records a step.
    fn step(&mut self, rule: &str, applies: bool, why: String);
}

/// The normal path: records nothing.
pub(crate) struct NoTrace;

impl Tracer for NoTrace {
    const ON: bool = false;
    #[inline(always)]
    fn step(&mut self, _: &str, _: bool, _: String) {}
}

/// Explain mode: keeps every step.
#[derive(Default)]
pub(crate) struct Recorder {
    pub(crate) steps: Vec<TraceStep>,
}

impl Tracer for Recorder {
    const ON: bool = true;
    fn step(&mut self, rule: &str, applies: bool, why: String) {
        self.steps.push(TraceStep {
            rule: rule.to_owned(),
            applies,
            why,
        });
    }
}
