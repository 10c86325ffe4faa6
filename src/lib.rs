//! # lawful
//!
//! Policy-as-code for privacy policies. A privacy policy is written as rule files
//! in lawful's language; this crate loads them into a compiled, indexed [`Policy`]
//! that answers "may this data be used for this purpose?" and "may it be disclosed
//! to this party?" with the rule, the policy sections and the obligations behind
//! each answer.
//!
//! ```
//! let policy = lawful::Policy::load("rules/filestack")?;
//! let request = lawful::Request::from_json(br#"{"action": "use",
//!     "subject": {"role": "visitor"}, "data": "device.ip_address",
//!     "purpose": "operate_website", "at": "2026-03-01"}"#)?;
//! let decision = policy.decide(&request)?;
//! assert!(decision.allowed());
//! println!("{}", serde_json::to_string(&decision)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! For hot paths, resolve a request once with [`Policy::prepare`] (or build one
//! with [`Policy::request`]) and decide it with [`Policy::decide_prepared`], which
//! allocates nothing. A [`Policy`] is `Send + Sync`; clone it to share it.

use std::path::Path;

pub use lawful_core::ids;
pub use lawful_core::request::{MAX_AGE, MAX_LIST_ITEMS, MAX_REQUEST_BYTES};
pub use lawful_core::suggest::suggest;
pub use lawful_core::{
    Action, Basis, Decision, DecisionKey, ObligationView, PreparedRequest, Reason, Request,
    RequestBuilder, RequestError, RequestErrorKind, RequestLists, ResolvedRequest, Subject,
    Timestamp, TraceStep, Traced, Value, ValueType, VersionInfo, Vocabulary,
};
pub use lawful_dsl::{Diagnostic, Location, PolicyError, Severity, TestCase, TestOutcome};

pub mod explain;

/// A loaded policy: every version of it, compiled and indexed.
#[derive(Clone, Debug)]
pub struct Policy {
    inner: lawful_core::Policy,
    warnings: Vec<Diagnostic>,
}

impl Policy {
    /// Loads a policy from a rule file, or from a directory holding one rule file
    /// per version (`*.lawful`; test files `*.test.lawful` are skipped).
    pub fn load(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        let loaded = lawful_dsl::load_policy(path.as_ref())?;
        Ok(Policy {
            inner: loaded.policy,
            warnings: loaded.warnings,
        })
    }

    /// Compiles a policy from rule text held in memory, one `(name, text)` per version.
    pub fn from_sources<I, N, T>(sources: I) -> Result<Policy, PolicyError>
    where
        I: IntoIterator<Item = (N, T)>,
        N: Into<String>,
        T: Into<String>,
    {
        let sources = sources
            .into_iter()
            .map(|(n, t)| lawful_dsl::Source::new(n, t))
            .collect();
        let loaded = lawful_dsl::load_sources(sources)?;
        Ok(Policy {
            inner: loaded.policy,
            warnings: loaded.warnings,
        })
    }

    /// Warnings raised while loading (the policy loaded despite them).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Decides a request.
    pub fn decide(&self, request: &Request) -> Result<Decision<'_>, RequestError> {
        self.inner.decide(request)
    }

    /// Decides a request given as JSON.
    pub fn decide_json(&self, json: &[u8]) -> Result<Decision<'_>, RequestError> {
        self.inner.decide_json(json)
    }

    /// Resolves a request's names once; decide the result with [`Policy::decide_prepared`].
    pub fn prepare(&self, request: &Request) -> Result<PreparedRequest, RequestError> {
        self.inner.prepare(request)
    }

    /// Checks a request whose names the caller resolved itself (through
    /// [`Policy::vocabulary`]) and prepares it.
    pub fn prepare_resolved(
        &self,
        request: ResolvedRequest,
    ) -> Result<PreparedRequest, RequestError> {
        self.inner.prepare_resolved(request)
    }

    /// Decides a prepared request without allocating.
    #[inline]
    pub fn decide_prepared(&self, request: &PreparedRequest) -> Result<Decision<'_>, RequestError> {
        self.inner.decide_prepared(request)
    }

    /// Decides a request and records every rule considered and why.
    pub fn explain(
        &self,
        request: &Request,
    ) -> Result<(Decision<'_>, Vec<TraceStep>), RequestError> {
        self.inner.explain(request)
    }

    /// Starts a typed request.
    pub fn request(&self, action: Action, role: &str) -> RequestBuilder<'_> {
        self.inner.request(action, role)
    }

    /// The versions, oldest first.
    pub fn versions(&self) -> Vec<VersionInfo> {
        self.inner.versions()
    }

    /// Every name the policy declares.
    pub fn vocabulary(&self) -> &Vocabulary {
        self.inner.vocabulary()
    }

    /// The engine-level policy, for tools that need its model.
    pub fn core(&self) -> &lawful_core::Policy {
        &self.inner
    }

    /// Checks that expected-decision cases can be asked of this policy (their
    /// names exist), returning a diagnostic for each that cannot.
    pub fn check_tests(&self, cases: &[TestCase]) -> Vec<Diagnostic> {
        lawful_dsl::testing::check(&self.inner, cases)
    }

    /// Runs expected-decision cases (as [`load_tests`] reads them) against this policy.
    pub fn run_tests(&self, cases: Vec<TestCase>) -> Vec<TestOutcome> {
        lawful_dsl::testing::run(&self.inner, cases)
    }
}

/// Reads the expected-decision cases beside a policy: the `*.test.lawful` files of
/// a directory, or one test file.
pub fn load_tests(path: impl AsRef<Path>) -> Result<Vec<TestCase>, PolicyError> {
    lawful_dsl::load_tests(path.as_ref())
}

/// Renders diagnostics as the CLI prints them.
pub fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    lawful_dsl::render_all(diagnostics)
}

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn policy_is_send_and_sync() {
        assert_send_sync::<super::Policy>();
        assert_send_sync::<super::PreparedRequest>();
    }
}
