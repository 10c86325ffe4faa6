//! The endpoints: what each reads and answers.
//!
//! | endpoint | answers |
//! |---|---|
//! | `POST /v1/decide` | one request (a JSON object) → its decision; a batch (a JSON array, or JSON Lines with `Content-Type: application/x-ndjson`) → a decision or an error per item, in order |
//! | `POST /v1/explain` | one request → its decision with `trace` and `explanation` |
//! | `GET /v1/policy` | the policy served: path, digest, versions, the last reload |
//! | `GET /health` | `{"status": "ok", …}` while a policy is served |
//! | `GET /metrics` | Prometheus text |

use std::sync::Arc;
use std::time::Instant;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::json;

use super::State;
use super::metrics::ErrorKind;
use crate::audit::{self, Answered, Detail};
use crate::watch::Outcome;
use crate::{Policy, RequestErrorKind};

type Reply = Response<Full<Bytes>>;

/// The media types that mean JSON Lines.
const JSON_LINES: [&str; 4] = [
    "application/x-ndjson",
    "application/jsonl",
    "application/json-lines",
    "application/x-jsonlines",
];

/// Answers one HTTP request. Never fails: every problem is a response.
pub(crate) async fn handle(request: Request<Incoming>, state: &Arc<State>) -> Reply {
    let path = request.uri().path();
    let method = request.method();
    match (method, path) {
        (&Method::POST, "/v1/decide") => decide(request, state, Detail::Decision).await,
        (&Method::POST, "/v1/explain") => decide(request, state, Detail::Prose).await,
        (&Method::GET | &Method::HEAD, "/v1/policy") => policy(state),
        (&Method::GET | &Method::HEAD, "/health") => health(state),
        (&Method::GET | &Method::HEAD, "/metrics") => metrics(state),
        (_, "/v1/decide" | "/v1/explain") => wrong_method(state, "POST"),
        (_, "/v1/policy" | "/health" | "/metrics") => wrong_method(state, "GET"),
        _ => {
            state.metrics.error(ErrorKind::NotFound);
            error(
                StatusCode::NOT_FOUND,
                "not_found",
                &format!(
                    "no endpoint `{}`: try POST /v1/decide, POST /v1/explain, GET /v1/policy, GET /health or GET /metrics",
                    shown(path)
                ),
            )
        }
    }
}

/// A path as a message shows it: at most 64 characters.
fn shown(text: &str) -> String {
    text.chars().take(64).collect()
}

fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn json_reply(status: StatusCode, body: String) -> Reply {
    reply(status, "application/json", body)
}

/// `{"error": {"kind": …, "message": …}}`.
fn error(status: StatusCode, kind: &str, message: &str) -> Reply {
    let body = json!({"error": {"kind": kind, "message": message}}).to_string();
    json_reply(status, body)
}

/// An error after which the rest of the body is not read: the connection closes.
fn closing(mut response: Reply) -> Reply {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

fn wrong_method(state: &State, allowed: &'static str) -> Reply {
    state.metrics.error(ErrorKind::NotFound);
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method",
        &format!("this endpoint takes {allowed}"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allowed));
    response
}

/// Reads the whole body, within the size limit and the time limit.
///
/// A body over the limit is still read, and thrown away, up to as much again
/// (at least 1 MiB): closing a connection with unread data resets it, and the
/// client could lose the 413 that says why. Beyond that, or when the declared
/// length is beyond it, the 413 is sent at once and the connection closed.
async fn read_body(request: Request<Incoming>, state: &State) -> Result<Bytes, Reply> {
    let limit = state.limits.max_body_bytes;
    let drain = limit.max(1 << 20);
    let too_large = |close: bool| {
        state.metrics.error(ErrorKind::TooLarge);
        let response = error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!(
                "the body is larger than {limit} bytes, the most this server takes; send a smaller batch"
            ),
        );
        if close { closing(response) } else { response }
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > (limit + drain) as u64) {
        return Err(too_large(true));
    }
    let deadline = tokio::time::Instant::now() + state.limits.body_timeout;
    let mut body = request.into_body();
    let mut bytes = Vec::with_capacity(declared.map_or(0, |l| l.min(limit as u64) as usize));
    let mut over = 0usize;
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => frame,
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                state.metrics.error(ErrorKind::Other);
                return Err(closing(error(
                    StatusCode::BAD_REQUEST,
                    "body",
                    &format!("the body could not be read: {e}"),
                )));
            }
            Err(_) if over > 0 => return Err(too_large(true)),
            Err(_) => {
                state.metrics.error(ErrorKind::Timeout);
                return Err(closing(error(
                    StatusCode::REQUEST_TIMEOUT,
                    "timeout",
                    &format!(
                        "the body did not arrive within {} s; send it at once",
                        state.limits.body_timeout.as_secs()
                    ),
                )));
            }
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if over == 0 && bytes.len() + data.len() <= limit {
            bytes.extend_from_slice(&data);
        } else {
            over += data.len();
            bytes = Vec::new();
            if over > drain {
                return Err(too_large(true));
            }
        }
    }
    if over > 0 {
        return Err(too_large(false));
    }
    Ok(Bytes::from(bytes))
}

/// How a body holds its requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// One JSON object.
    One,
    /// A JSON array of requests.
    Array,
    /// JSON Lines: one request a line.
    Lines,
}

/// The shape of a body: JSON Lines by its media type, else an array or one object.
fn shape(content_type: Option<&HeaderValue>, body: &[u8]) -> Shape {
    let media = content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if media.is_some_and(|m| JSON_LINES.contains(&m.as_str())) {
        Shape::Lines
    } else if body.trim_ascii_start().starts_with(b"[") {
        Shape::Array
    } else {
        Shape::One
    }
}

async fn decide(request: Request<Incoming>, state: &Arc<State>, detail: Detail) -> Reply {
    let started = Instant::now();
    let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
    let body = match read_body(request, state).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    // Counted once the body is in: a slow client holds a connection, not a slot.
    let Ok(_permit) = state.in_flight.try_acquire() else {
        state.metrics.error(ErrorKind::Busy);
        let mut response = error(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "too many requests are being decided; try again shortly",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    let shape = shape(content_type.as_ref(), &body);
    // One policy for the whole body, however the watcher reloads meanwhile.
    let policy = state.watcher.policy();
    let response = match shape {
        Shape::One => one(state, &policy, &body, detail),
        Shape::Array | Shape::Lines if detail == Detail::Prose => {
            state.metrics.error(ErrorKind::Request);
            error(
                StatusCode::BAD_REQUEST,
                "request",
                "explain takes one request (a JSON object); send batches to /v1/decide",
            )
        }
        Shape::Array | Shape::Lines => {
            let state = Arc::clone(state);
            // A batch is CPU work: off the threads that serve connections.
            let batch =
                tokio::task::spawn_blocking(move || batch(&state, &policy, &body, shape)).await;
            batch.unwrap_or_else(|e| {
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    &format!("the batch could not be decided: {e}"),
                )
            })
        }
    };
    let latency = if detail == Detail::Prose {
        &state.metrics.explain_latency
    } else {
        &state.metrics.decide_latency
    };
    latency.observe(started.elapsed());
    response
}

/// Counts an answer and its error kind, if any.
fn count(state: &State, answered: &Answered) {
    state.metrics.answered(answered.outcome.ok());
    match answered.outcome {
        Err(RequestErrorKind::Json) => state.metrics.error(ErrorKind::Json),
        Err(RequestErrorKind::Request) => state.metrics.error(ErrorKind::Request),
        Ok(_) => {}
    }
}

/// Appends the records of the answers, in one write. An answer that cannot be
/// recorded is not given: the error response to send instead.
fn record(state: &State, answers: &[Answered]) -> Option<Reply> {
    let log = state.audit.as_ref()?;
    let lines: String = answers
        .iter()
        .filter_map(|a| a.record.as_ref())
        .map(audit::Record::line)
        .collect();
    let written = log.append_lines(lines.as_bytes());
    written.err().map(|e| {
        state.metrics.error(ErrorKind::Audit);
        log::error!(target: "lawful::serve", "cannot write to the audit log `{}`: {e}", log.path().display());
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "audit",
            "the decision could not be recorded in the audit log, so it is not given",
        )
    })
}

fn one(state: &State, policy: &Policy, body: &[u8], detail: Detail) -> Reply {
    let answered = audit::answer(policy, body, detail, state.audit.is_some());
    count(state, &answered);
    if let Some(response) = record(state, std::slice::from_ref(&answered)) {
        return response;
    }
    let status = if answered.outcome.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    json_reply(status, answered.json)
}

fn batch(state: &State, policy: &Policy, body: &[u8], shape: Shape) -> Reply {
    let audit = state.audit.is_some();
    let answers: Vec<Answered> = match shape {
        Shape::Lines => body
            .split(|b| *b == b'\n')
            .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
            .filter(|line| !line.trim_ascii().is_empty())
            .map(|line| audit::answer(policy, line, Detail::Decision, audit))
            .collect(),
        _ => {
            // Each item is read by the request reader itself, from its own text,
            // so a key given twice is refused as it is from one request.
            match serde_json::from_slice::<Vec<&serde_json::value::RawValue>>(body) {
                Ok(items) => items
                    .iter()
                    .map(|item| {
                        audit::answer(policy, item.get().as_bytes(), Detail::Decision, audit)
                    })
                    .collect(),
                Err(e) => {
                    state.metrics.error(ErrorKind::Json);
                    return error(
                        StatusCode::BAD_REQUEST,
                        "json",
                        &format!("a batch must be a JSON array of requests: {e}"),
                    );
                }
            }
        }
    };
    for answered in &answers {
        count(state, answered);
    }
    if let Some(response) = record(state, &answers) {
        return response;
    }
    let size = answers.iter().map(|a| a.json.len() + 1).sum::<usize>() + 2;
    let mut out = String::with_capacity(size);
    if shape == Shape::Lines {
        for answered in &answers {
            out.push_str(&answered.json);
            out.push('\n');
        }
        return reply(StatusCode::OK, "application/x-ndjson", out);
    }
    out.push('[');
    for (i, answered) in answers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&answered.json);
    }
    out.push(']');
    json_reply(StatusCode::OK, out)
}

/// `GET /v1/policy`, field by field in the order written.
#[derive(serde::Serialize)]
struct PolicyInfo<'a> {
    path: String,
    digest: &'a str,
    versions: Vec<VersionInfo>,
    last_reload: ReloadInfo<'a>,
    reloads: Reloads,
}

#[derive(serde::Serialize)]
struct VersionInfo {
    name: String,
    effective: String,
    rules: usize,
}

#[derive(serde::Serialize)]
struct ReloadInfo<'a> {
    ok: bool,
    changed: bool,
    trigger: &'static str,
    at: String,
    digest: &'a str,
    previous: Option<&'a str>,
    diagnostics: Vec<DiagnosticInfo<'a>>,
}

#[derive(serde::Serialize)]
struct DiagnosticInfo<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    help: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct Reloads {
    ok: u64,
    failed: u64,
}

fn policy(state: &State) -> Reply {
    let policy = state.watcher.policy();
    let last = state.watcher.last_reload();
    let (ok, failed) = state.metrics.reloads();
    let info = PolicyInfo {
        path: state.watcher.path().display().to_string(),
        digest: policy.digest(),
        versions: policy
            .versions()
            .into_iter()
            .map(|v| VersionInfo {
                name: v.name,
                effective: v.effective.to_string(),
                rules: v.rules,
            })
            .collect(),
        last_reload: ReloadInfo {
            ok: last.ok(),
            changed: last.changed(),
            trigger: last.trigger.as_str(),
            at: audit::rfc3339(last.at),
            digest: &last.serving,
            previous: match &last.outcome {
                Outcome::Loaded { previous } => previous.as_deref(),
                _ => None,
            },
            diagnostics: last
                .diagnostics()
                .iter()
                .map(|d| {
                    let at = d.location.as_deref();
                    DiagnosticInfo {
                        severity: if d.is_error() { "error" } else { "warning" },
                        code: d.code,
                        message: &d.message,
                        file: at.map(|l| l.file.as_str()),
                        line: at.map(|l| l.line),
                        column: at.map(|l| l.column),
                        help: d.help.as_deref(),
                    }
                })
                .collect(),
        },
        reloads: Reloads { ok, failed },
    };
    match serde_json::to_string(&info) {
        Ok(body) => json_reply(StatusCode::OK, body),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            &format!("cannot describe the policy: {e}"),
        ),
    }
}

fn health(state: &State) -> Reply {
    let body = format!(
        r#"{{"status":"ok","digest":"{}","last_reload_ok":{}}}"#,
        state.watcher.policy().digest(),
        state.watcher.last_reload().ok()
    );
    json_reply(StatusCode::OK, body)
}

fn metrics(state: &State) -> Reply {
    let text = state.metrics.render(state.watcher.policy().digest());
    reply(StatusCode::OK, "text/plain; version=0.0.4", text)
}
