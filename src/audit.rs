//! Audit records: every answer given, as one JSON line, so that a decision can
//! later be shown to a regulator with the request it answered and the exact text
//! of the policy that produced it.
//!
//! A record is one line:
//!
//! ```text
//! {"time":"2026-03-01T09:30:00.123456Z","request_id":"r-1","digest":"5f0c…","request":{…},"decision":{…}}
//! {"time":"2026-03-01T09:30:00.124001Z","digest":"5f0c…","request":null,"error":{…}}
//! ```
//!
//! `request_id` is there when the request gave one; `request` is the request as
//! read (`null` when it could not be read at all); `decision` is the decision
//! object `lawful decide` prints, or `error` the error it prints instead.
//!
//! # Whole lines only
//!
//! [`AuditLog`] opens its file with `O_APPEND` and hands each record (or each
//! batch of records) to the kernel as one `write` of whole lines, under a lock:
//!
//! - threads of one process never interleave: the lock orders them, and a write
//!   the kernel cuts short is finished before the lock is released;
//! - processes appending to the same file never interleave: with `O_APPEND` the
//!   kernel moves to the end and writes in one step, and a write to a regular file
//!   is not mixed with another (Linux holds the file's lock for the whole write).
//!   This holds for lines of any length; the `PIPE_BUF` limit concerns pipes and
//!   FIFOs, where records longer than it may interleave between processes;
//! - a process that dies between records leaves whole lines: a line is in the
//!   kernel's hands, complete, before anything else is written.
//!
//! What no writer can promise alone is a line cut by the machine failing before
//! the kernel wrote it to disk, or a write cut short by a full disk. Opening a log
//! therefore checks its end: if it does not end in a newline, a line feed is
//! written first, so a torn tail stays a line of its own and never runs into the
//! next record. A reader skips blank lines and lines that are not JSON objects.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::{Policy, Request, RequestError, RequestErrorKind, Timestamp};

/// An append-only file of audit records, shared by the threads of a process.
#[derive(Debug)]
pub struct AuditLog {
    file: Mutex<File>,
    path: PathBuf,
    /// A torn last line was found and sealed when the log was opened.
    sealed: bool,
}

impl AuditLog {
    /// Opens `path` for appending, creating it when absent. A last line cut
    /// short by an earlier crash is sealed with a line feed (see the module docs).
    pub fn open(path: impl AsRef<Path>) -> io::Result<AuditLog> {
        let path = path.as_ref();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let sealed = seal_torn_tail(&mut file)?;
        Ok(AuditLog {
            file: Mutex::new(file),
            path: path.to_path_buf(),
            sealed,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether opening found a torn last line (left by a crash) and sealed it.
    pub fn sealed_a_torn_line(&self) -> bool {
        self.sealed
    }

    /// Appends whole lines, each ending in `\n`, in one write.
    pub fn append_lines(&self, lines: &[u8]) -> io::Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        if lines.last() != Some(&b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "an audit record must end with a line feed",
            ));
        }
        // A poisoned lock means another thread panicked while writing; the file
        // itself is still whole up to its last complete write.
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        // A shared lock while writing: writers append side by side (each write is
        // one append), but a process opening the log waits for writes under way
        // before it looks at the log's last byte (see `seal_torn_tail`).
        #[cfg(unix)]
        file.lock_shared()?;
        let written = file.write_all(lines);
        #[cfg(unix)]
        file.unlock()?;
        written
    }

    /// Appends one record.
    pub fn append(&self, record: &Record) -> io::Result<()> {
        self.append_lines(record.line.as_bytes())
    }
}

/// Writes a line feed when the file's last byte is not one. True when it did.
/// It holds the log's exclusive lock meanwhile: a record another process is
/// writing at that moment would otherwise look like a torn line, and the line
/// feed would become an empty line after it.
fn seal_torn_tail(file: &mut File) -> io::Result<bool> {
    #[cfg(unix)]
    file.lock()?;
    let sealed = seal_unlocked(file);
    #[cfg(unix)]
    file.unlock()?;
    sealed
}

fn seal_unlocked(file: &mut File) -> io::Result<bool> {
    let metadata = file.metadata()?;
    let length = metadata.len();
    if length == 0 || !metadata.is_file() {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(length - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    if last == *b"\n" {
        return Ok(false);
    }
    file.write_all(b"\n")?;
    Ok(true)
}

/// One audit record, rendered as its line (ending in `\n`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    line: String,
}

impl Record {
    /// The line, ending in `\n`.
    pub fn line(&self) -> &str {
        &self.line
    }
}

/// The fields of a record, in the order they are written.
#[derive(Serialize)]
struct Fields<'a, D: Serialize> {
    time: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    digest: &'a str,
    request: Option<&'a Request>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<D>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a RequestError>,
}

fn render<D: Serialize>(fields: &Fields<'_, D>) -> Record {
    let mut line = serde_json::to_string(fields).unwrap_or_else(|e| {
        // Serializing plain strings, numbers and maps cannot fail; if it ever does,
        // the record still says what happened rather than vanishing.
        serde_json::json!({"time": fields.time, "digest": fields.digest,
            "error": {"kind": "audit", "message": format!("cannot write the record: {e}")}})
        .to_string()
    });
    line.push('\n');
    Record { line }
}

/// The current time as RFC 3339 in UTC, to the microsecond.
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

/// An instant as RFC 3339 in UTC, to the microsecond.
pub fn rfc3339(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = i64::try_from(since.as_secs()).unwrap_or(i64::MAX);
    let micros = since.subsec_micros();
    let Some(stamp) = Timestamp::from_unix(seconds - seconds.rem_euclid(86_400), 0) else {
        return format!("{seconds}.{micros:06}");
    };
    let (y, m, d) = stamp.date();
    let in_day = seconds.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        in_day / 3600,
        (in_day / 60) % 60,
        in_day % 60
    )
}

/// A request answered: the JSON to send back, what it was, and its audit record
/// when one was asked for.
#[derive(Clone, Debug)]
pub struct Answered {
    /// The decision object (with `request_id` and `trace` where they apply), or
    /// `{"error": {…}}`.
    pub json: String,
    /// `Ok(allowed)` for a decision; for a request that could not be decided,
    /// what kind of mistake it had.
    pub outcome: Result<bool, RequestErrorKind>,
    /// The audit record, when asked for.
    pub record: Option<Record>,
}

/// How much of the reasoning an answer carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// The decision object alone.
    Decision,
    /// With `trace`: every rule considered and why (`lawful decide --explain`).
    Trace,
    /// With `trace` and `explanation`, the decision as prose (`lawful explain`).
    Prose,
}

/// The line written for a request that cannot be decided: `{"error": {...}}`,
/// with the request's `request_id` when it could be read.
#[derive(Serialize)]
struct ErrorLine<'a> {
    error: &'a RequestError,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
}

/// `{"error": {…}}` for a request that cannot be decided.
pub fn error_json(error: &RequestError) -> String {
    error_answer(error, None)
}

fn error_answer(error: &RequestError, request_id: Option<&str>) -> String {
    serde_json::to_string(&ErrorLine { error, request_id }).unwrap_or_else(|_| {
        r#"{"error":{"kind":"request","message":"the request cannot be decided"}}"#.to_owned()
    })
}

/// The decision object with the prose explanation after it.
#[derive(Serialize)]
struct Explained<'p, 'a> {
    #[serde(flatten)]
    answer: crate::Answer<'p, 'a>,
    explanation: String,
}

/// Reads one JSON request, decides it, and renders the answer as `lawful
/// decide` prints it (with the reasoning `detail` asks for); with `audit`, also
/// the record [`AuditLog::append`] writes. A request without `at` is decided,
/// and recorded, at the current time.
pub fn answer(policy: &Policy, json: &[u8], detail: Detail, audit: bool) -> Answered {
    // The decision alone, unrecorded: read by the fast reader when it can, with
    // no request built (it prepares what the strict reader would).
    if detail == Detail::Decision && !audit {
        if let Some(answered) = answer_fast(policy, json) {
            return answered;
        }
    }
    let time = if audit { now_rfc3339() } else { String::new() };
    let request = Request::from_json(json).map(|mut request| {
        request.at.get_or_insert_with(Timestamp::now);
        request
    });
    let request = match request {
        Ok(request) => request,
        Err(error) => return refused(policy, None, &error, &time, audit),
    };
    let decided = if detail == Detail::Decision {
        policy.decide(&request).map(|d| (d, None))
    } else {
        policy.explain(&request).map(|(d, trace)| (d, Some(trace)))
    };
    let (decision, trace) = match decided {
        Ok(decided) => decided,
        Err(error) => return refused(policy, Some(&request), &error, &time, audit),
    };
    let id = request.request_id.as_deref();
    let answer = decision.answer(id, trace.as_deref());
    let written = if detail == Detail::Prose {
        let explanation =
            crate::explain::prose(policy, &request, &decision, trace.as_deref().unwrap_or(&[]));
        serde_json::to_string(&Explained {
            answer,
            explanation,
        })
    } else {
        serde_json::to_string(&answer)
    };
    let json = match written {
        Ok(json) => json,
        Err(e) => {
            let error = RequestError::field("request", format!("cannot write the decision: {e}"));
            return refused(policy, Some(&request), &error, &time, audit);
        }
    };
    let record = audit.then(|| {
        render(&Fields {
            time: &time,
            request_id: id,
            digest: policy.digest(),
            request: Some(&request),
            decision: Some(decision),
            error: None,
        })
    });
    Answered {
        json,
        outcome: Ok(decision.allowed()),
        record,
    }
}

/// [`answer`] through [`Policy::read_json`]; `None` when the strict reader must
/// answer.
fn answer_fast(policy: &Policy, json: &[u8]) -> Option<Answered> {
    let (prepared, request_id) = policy.read_json(json)?;
    let decision = policy.decide_prepared(&prepared).ok()?;
    let json = serde_json::to_string(&decision.answer(request_id, None)).ok()?;
    Some(Answered {
        json,
        outcome: Ok(decision.allowed()),
        record: None,
    })
}

/// The answer to input refused before it could be read as a request (a line
/// too long, unreadable input), with its audit record when asked for.
pub fn refusal(policy: &Policy, error: &RequestError, audit: bool) -> Answered {
    let time = if audit { now_rfc3339() } else { String::new() };
    refused(policy, None, error, &time, audit)
}

fn refused(
    policy: &Policy,
    request: Option<&Request>,
    error: &RequestError,
    time: &str,
    audit: bool,
) -> Answered {
    let record = audit.then(|| {
        render::<()>(&Fields {
            time,
            request_id: request.and_then(|r| r.request_id.as_deref()),
            digest: policy.digest(),
            request,
            decision: None,
            error: Some(error),
        })
    });
    Answered {
        json: error_answer(error, request.and_then(|r| r.request_id.as_deref())),
        outcome: Err(error.kind),
        record,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_is_rfc3339_in_utc_to_the_microsecond() {
        let time = now_rfc3339();
        assert_eq!(time.len(), "2026-03-01T09:30:00.123456Z".len(), "{time}");
        assert!(Timestamp::parse(&time).is_ok(), "{time}");
    }
}
