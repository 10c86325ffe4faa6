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
pub use lawful_core::request::{MAX_AGE, MAX_LIST_ITEMS, MAX_REQUEST_BYTES, MAX_REQUEST_ID_BYTES};
pub use lawful_core::suggest::suggest;
pub use lawful_core::{
    Action, Answer, Basis, DECISION_KEYS, Decision, DecisionKey, ObligationView, PreparedRequest,
    Reason, Request, RequestBuilder, RequestError, RequestErrorKind, RequestLists, ResolvedRequest,
    Subject, Timestamp, TraceStep, Traced, Value, ValueType, VersionInfo, Vocabulary,
};
pub use lawful_dsl::diagnostic::{
    MAX_DIAGNOSTICS, MAX_EXCERPT, Omitted, is_terminal_control, terminal_safe,
};
/// The canonical layout of rule and test files (`lawful fmt`).
pub use lawful_dsl::format;
pub use lawful_dsl::load::read_source;
pub use lawful_dsl::{
    Diagnostic, LabelKind, Location, PolicyError, Severity, TestCase, TestOutcome,
};

pub mod audit;
pub mod diff;
pub mod explain;
pub mod report;

/// The data map: the uses and disclosures a version allows, computed from its rules.
pub mod map {
    pub use lawful_core::map::{
        DataMap, Disclosure, MapError, MapObligation, Note, Recipient, Requirement,
        RequirementKind, Use,
    };
}
#[cfg(feature = "server")]
pub mod server;
pub mod watch;

pub use watch::Watcher;

/// A loaded policy: every version of it, compiled and indexed.
#[derive(Clone, Debug)]
pub struct Policy {
    inner: lawful_core::Policy,
    warnings: Vec<Diagnostic>,
    /// The SHA-256 of its sources, in hex; decisions carry the same.
    digest: std::sync::Arc<str>,
    omitted_warnings: usize,
    labels: std::sync::Arc<lawful_dsl::VersionLabels>,
}

impl Policy {
    /// Loads a policy from a rule file, or from a directory holding one rule file
    /// per version (`*.lawful`; test files `*.test.lawful` are skipped).
    pub fn load(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        Ok(Policy::from_loaded(lawful_dsl::load_policy(path.as_ref())?))
    }

    fn from_loaded(loaded: lawful_dsl::LoadedPolicy) -> Policy {
        Policy {
            inner: loaded.policy,
            warnings: loaded.warnings,
            digest: hex(&loaded.digest).into(),
            omitted_warnings: loaded.omitted_warnings,
            labels: std::sync::Arc::new(loaded.labels),
        }
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
        Ok(Policy::from_loaded(lawful_dsl::load_sources(sources)?))
    }

    /// The SHA-256 of the rule files the policy was compiled from, as 64 lowercase
    /// hex digits: each decision carries it (`"digest"`), so a record of a decision
    /// says which exact text produced it. Files are taken in the order of their
    /// names relative to the policy's folder; test files do not count. The
    /// encoding is in `docs/reload.md`.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// Warnings raised while loading (the policy loaded despite them): at most
    /// [`MAX_DIAGNOSTICS`]; [`Policy::warning_count`] counts them all.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// How many warnings loading raised, including those not kept.
    pub fn warning_count(&self) -> usize {
        self.warnings.len() + self.omitted_warnings
    }

    /// The warnings as the CLI prints them, saying how many more there were.
    pub fn render_warnings(&self) -> String {
        lawful_dsl::diagnostic::render_report(
            &self.warnings,
            lawful_dsl::diagnostic::Omitted {
                errors: 0,
                warnings: self.omitted_warnings,
            },
        )
    }

    /// Decides a request.
    pub fn decide(&self, request: &Request) -> Result<Decision<'_>, RequestError> {
        self.inner.decide(request)
    }

    /// Decides a request given as JSON.
    pub fn decide_json(&self, json: &[u8]) -> Result<Decision<'_>, RequestError> {
        self.inner.decide_json(json)
    }

    /// Reads a JSON request and resolves its names in one pass, borrowing strings
    /// from the input; errors are [`Request::from_json`]'s and [`Policy::prepare`]'s.
    pub fn prepare_json(&self, json: &[u8]) -> Result<PreparedRequest, RequestError> {
        self.inner.prepare_json(json)
    }

    /// The fast JSON reader alone: the prepared request and its `request_id`, or
    /// `None` when it leaves the request to [`Request::from_json`].
    pub fn read_json<'a>(&self, json: &'a [u8]) -> Option<(PreparedRequest, Option<&'a str>)> {
        self.inner.read_json(json)
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

    /// The data map of a version (the newest for `None`): every use of a role's
    /// data category for a purpose that the rules allow, with its basis, rule,
    /// conditions and recipients. See [`map`].
    pub fn data_map(&self, version: Option<&str>) -> Result<map::DataMap, map::MapError> {
        self.inner.data_map(version)
    }

    /// The purposes a role's data category (or the categories inside it) may be
    /// used for, in a version (the newest for `None`).
    pub fn purposes_for(
        &self,
        role: &str,
        category: &str,
        version: Option<&str>,
    ) -> Result<Vec<map::Use>, map::MapError> {
        self.inner.purposes_for(role, category, version)
    }

    /// The parties that may receive a role's data category for a purpose, each
    /// with every condition of the disclosure and the recipient's obligations.
    pub fn recipients_for(
        &self,
        role: &str,
        category: &str,
        purpose: &str,
        version: Option<&str>,
    ) -> Result<Vec<map::Disclosure>, map::MapError> {
        self.inner.recipients_for(role, category, purpose, version)
    }

    /// The uses that serve a purpose (or the purposes inside it): whose data,
    /// which categories, on which basis.
    pub fn uses_of_purpose(
        &self,
        purpose: &str,
        version: Option<&str>,
    ) -> Result<Vec<map::Use>, map::MapError> {
        self.inner.uses_of_purpose(purpose, version)
    }

    /// The label a version gives a name (the newest version's when `version` is
    /// `None` or words it the same); empty for a name without one. Versions may
    /// word a name differently: explanations use the words of the version that
    /// decided.
    pub fn label(&self, version: Option<&str>, kind: LabelKind, name: &str) -> &str {
        version
            .and_then(|v| self.labels.get(v, kind, name))
            .or_else(|| lawful_dsl::labels::label_of(self.vocabulary(), kind, name))
            .unwrap_or("")
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

/// Bytes as lowercase hex digits.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
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
