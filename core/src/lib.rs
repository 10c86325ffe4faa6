//! lawful-core: the policy model, the compiled and indexed policy, and the evaluator.
//!
//! This crate knows nothing of text: the rule language lives in `lawful-dsl`, and
//! services use both through the `lawful` crate. See ARCHITECTURE.md.

pub mod compiled;
pub mod condition;
pub mod consent;
pub mod decision;
mod eval;
pub mod ids;
mod index;
mod json;
pub mod map;
pub mod model;
mod names;
pub mod parallel;
pub mod policy;
pub mod request;
pub mod suggest;
pub mod time;
pub mod trace;
pub mod value;
pub mod vocab;

pub use compiled::ModelError;
pub use decision::{Answer, DECISION_KEYS, Decision, DecisionKey, ObligationView, Reason, Traced};
pub use model::{Action, BUILTIN_REVOCATION, Basis, CHILD_RULE};
pub use policy::{Policy, RequestBuilder, VersionInfo};
pub use request::{
    PreparedRequest, Request, RequestError, RequestErrorKind, RequestLists, ResolvedRequest,
    Subject,
};
pub use time::Timestamp;
pub use trace::TraceStep;
pub use value::{Value, ValueType};
pub use vocab::Vocabulary;
