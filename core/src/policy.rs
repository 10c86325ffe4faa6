//! [`Policy`]: a compiled policy, cheap to clone and share across threads.

use std::sync::Arc;

use crate::compiled::{Compiled, ModelError};
use crate::decision::Decision;
use crate::eval;
use crate::model::{Action, PolicyModel};
use crate::request::{PreparedRequest, Request, RequestError, ResolvedRequest, Subject, prepare};
use crate::time::Timestamp;
use crate::trace::{NoTrace, Recorder, TraceStep};
use crate::value::Value;
use crate::vocab::Vocabulary;

/// A compiled, indexed policy with all its versions. Cloning shares it.
#[derive(Clone, Debug)]
pub struct Policy {
    compiled: Arc<Compiled>,
}

/// A version of a policy, as [`Policy::versions`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionInfo {
    /// Its name, reported in decisions.
    pub name: String,
    /// The day it took effect.
    pub effective: Timestamp,
    /// How many rules it has.
    pub rules: usize,
    /// How many entries its rule index holds.
    pub index_entries: usize,
}

impl Policy {
    /// Checks and indexes a model.
    pub fn compile(model: PolicyModel) -> Result<Policy, ModelError> {
        Ok(Policy {
            compiled: Arc::new(Compiled::new(model)?),
        })
    }

    /// The compiled policy.
    pub(crate) fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// Checks and indexes a model compiled from sources whose SHA-256 is `digest`;
    /// decisions then name the digest, so a record of one says which text decided.
    pub fn compile_with_digest(model: PolicyModel, digest: [u8; 32]) -> Result<Policy, ModelError> {
        let mut compiled = Compiled::new(model)?;
        compiled.digest = Some(hex(&digest).into_boxed_str());
        Ok(Policy {
            compiled: Arc::new(compiled),
        })
    }

    /// The SHA-256 of the sources the policy was compiled from, as 64 lowercase
    /// hex digits; `None` when it was compiled from a model alone.
    pub fn digest(&self) -> Option<&str> {
        self.compiled.digest.as_deref()
    }

    /// Every name the policy declares.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.compiled.vocabulary
    }

    /// The versions, oldest first.
    pub fn versions(&self) -> Vec<VersionInfo> {
        self.compiled
            .versions
            .iter()
            .map(|v| VersionInfo {
                name: v.model.name.to_string(),
                effective: v.model.effective,
                rules: v.model.rules.len(),
                index_entries: v.index_entries(),
            })
            .collect()
    }

    /// The model of each version, oldest first.
    pub fn version_models(&self) -> impl Iterator<Item = &crate::model::VersionModel> {
        self.compiled.versions.iter().map(|v| &v.model)
    }

    /// Resolves a request's names once, for deciding it (perhaps many times) with
    /// [`Policy::decide_prepared`]. A missing `at` becomes the current time.
    pub fn prepare(&self, request: &Request) -> Result<PreparedRequest, RequestError> {
        prepare(
            request,
            &self.compiled.vocabulary,
            self.compiled.stamp,
            Timestamp::now,
        )
    }

    /// Checks a request whose names the caller has already resolved, and prepares it.
    pub fn prepare_resolved(
        &self,
        request: ResolvedRequest,
    ) -> Result<PreparedRequest, RequestError> {
        crate::request::prepare_resolved(
            request,
            &self.compiled.vocabulary,
            self.compiled.stamp,
            Timestamp::now,
        )
    }

    /// Decides a request.
    pub fn decide(&self, request: &Request) -> Result<Decision<'_>, RequestError> {
        let prepared = self.prepare(request)?;
        self.decide_prepared(&prepared)
    }

    /// Decides a JSON request.
    pub fn decide_json(&self, json: &[u8]) -> Result<Decision<'_>, RequestError> {
        let c = &self.compiled;
        // Read in place: the request is not moved once read.
        let mut prepared = PreparedRequest::empty(c.stamp);
        if crate::json::read(json, &c.names, &mut prepared, Timestamp::now).is_none() {
            prepared = self.prepare(&Request::from_json(json)?)?;
        }
        Ok(eval::decide(c, &prepared, &mut NoTrace))
    }

    /// Reads a JSON request and resolves its names, as [`Request::from_json`] and
    /// [`Policy::prepare`] do together (with the same errors), without building the
    /// request's strings: names are resolved straight from the input.
    pub fn prepare_json(&self, json: &[u8]) -> Result<PreparedRequest, RequestError> {
        let c = &self.compiled;
        match crate::json::prepare(json, &c.names, c.stamp, Timestamp::now) {
            Some(prepared) => Ok(prepared),
            // The slow reader says what is wrong (or prepares what the fast one left).
            None => self.prepare(&Request::from_json(json)?),
        }
    }

    /// The fast JSON reader alone: the prepared request and its `request_id`, or
    /// `None` when the reader leaves the request to [`Request::from_json`] (which
    /// then says what is wrong with it, or reads it). What it prepares is what
    /// [`Policy::prepare_json`] prepares.
    pub fn read_json<'a>(&self, json: &'a [u8]) -> Option<(PreparedRequest, Option<&'a str>)> {
        let c = &self.compiled;
        let mut prepared = PreparedRequest::empty(c.stamp);
        let request_id = crate::json::read(json, &c.names, &mut prepared, Timestamp::now)?;
        Some((prepared, request_id))
    }

    /// Decides a prepared request without allocating. Fails only when the request
    /// was prepared for another policy.
    #[inline]
    pub fn decide_prepared(&self, request: &PreparedRequest) -> Result<Decision<'_>, RequestError> {
        self.check_stamp(request)?;
        Ok(eval::decide(&self.compiled, request, &mut NoTrace))
    }

    /// Decides a request and records every step that led to the decision.
    pub fn explain(
        &self,
        request: &Request,
    ) -> Result<(Decision<'_>, Vec<TraceStep>), RequestError> {
        let prepared = self.prepare(request)?;
        self.explain_prepared(&prepared)
    }

    /// [`Policy::explain`] for a prepared request.
    pub fn explain_prepared(
        &self,
        request: &PreparedRequest,
    ) -> Result<(Decision<'_>, Vec<TraceStep>), RequestError> {
        self.check_stamp(request)?;
        let mut recorder = Recorder::default();
        let decision = eval::decide(&self.compiled, request, &mut recorder);
        Ok((decision, recorder.steps))
    }

    #[inline]
    pub(crate) fn check_stamp(&self, request: &PreparedRequest) -> Result<(), RequestError> {
        if request.stamp != self.compiled.stamp {
            return Err(stale_request());
        }
        Ok(())
    }

    /// Starts a typed request for this policy.
    pub fn request(&self, action: Action, role: &str) -> RequestBuilder<'_> {
        RequestBuilder {
            policy: self,
            request: Request {
                action,
                subject: Subject {
                    role: role.to_owned(),
                    ..Subject::default()
                },
                data: Vec::new(),
                purpose: String::new(),
                party: None,
                at: None,
                collected_at: None,
                request_id: None,
            },
        }
    }
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

/// Builds a request step by step, then prepares it against the policy.
///
/// ```text
/// let request = policy
///     .request(Action::Use, "visitor")
///     .data("device.ip_address")
///     .purpose("operate_website")
///     .prepare()?;
/// let decision = policy.decide_prepared(&request)?;
/// ```
#[derive(Clone, Debug)]
pub struct RequestBuilder<'p> {
    policy: &'p Policy,
    request: Request,
}

impl RequestBuilder<'_> {
    /// Adds a data category.
    pub fn data(mut self, category: &str) -> Self {
        self.request.data.push(category.to_owned());
        self
    }
    /// Sets the purpose.
    pub fn purpose(mut self, purpose: &str) -> Self {
        purpose.clone_into(&mut self.request.purpose);
        self
    }
    /// Sets the recipient of a disclosure.
    pub fn party(mut self, party: &str) -> Self {
        self.request.party = Some(party.to_owned());
        self
    }
    /// Sets the subject's age.
    pub fn age(mut self, age: u32) -> Self {
        self.request.subject.age = Some(age);
        self
    }
    /// Sets a declared subject attribute.
    pub fn attribute(mut self, name: &str, value: Value) -> Self {
        self.request
            .subject
            .attributes
            .insert(name.to_owned(), value);
        self
    }
    /// Records a consent for a purpose.
    pub fn consent(mut self, purpose: &str, at: Timestamp) -> Self {
        self.request.subject.consents.insert(purpose.to_owned(), at);
        self
    }
    /// Records a revocation for a purpose.
    pub fn revocation(mut self, purpose: &str, at: Timestamp) -> Self {
        self.request
            .subject
            .revocations
            .insert(purpose.to_owned(), at);
        self
    }
    /// Sets when the use or disclosure happens (default: when prepared).
    pub fn at(mut self, at: Timestamp) -> Self {
        self.request.at = Some(at);
        self
    }
    /// Sets when the data was collected (selects the version).
    pub fn collected_at(mut self, at: Timestamp) -> Self {
        self.request.collected_at = Some(at);
        self
    }
    /// The request in its string form.
    pub fn into_request(self) -> Request {
        self.request
    }
    /// Resolves the names; the result decides without allocating.
    pub fn prepare(self) -> Result<PreparedRequest, RequestError> {
        self.policy.prepare(&self.request)
    }
}

/// The error for a request prepared for another policy (out of the deciding path).
#[cold]
#[inline(never)]
fn stale_request() -> RequestError {
    RequestError::field(
        "request",
        "this request was prepared for a different policy: prepare it again with this one",
    )
}
