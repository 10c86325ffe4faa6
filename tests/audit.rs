//! Audit records: `lawful decide --log FILE` and [`lawful::audit::AuditLog`], with
//! many writers at once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lawful::audit::{AuditLog, Detail, answer};

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack");

fn scratch(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("lawful-audit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// Every line of a log as JSON, failing on any line that is not a whole object.
fn records(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.ends_with('\n'), "the log ends mid-line");
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let value: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("line {} is not whole: {e}: {line:.200}", i + 1));
            assert!(value.is_object(), "line {}", i + 1);
            value
        })
        .collect()
}

fn decide_with_log(log: &Path, input: &[u8]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lawful"))
        .args(["decide", "--policy", RULES, "--log", log.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn decide_appends_one_record_per_answer_with_request_decision_digest_and_time() {
    let log = scratch("decide");
    let input = concat!(
        r#"{"action": "use", "subject": {"role": "visitor", "age": 16}, "data": "device.ip_address", "purpose": "operate_website", "request_id": "r-1"}"#,
        "\n",
        r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "marketting", "request_id": "r-2"}"#,
        "\n",
        "not json\n",
    );
    let (code, output) = decide_with_log(&log, input.as_bytes());
    assert_eq!(code, Some(2), "{output}");
    let answers: Vec<serde_json::Value> = output
        .lines()
        .take(3)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let digest = lawful::Policy::load(RULES).unwrap().digest().to_owned();
    let got = records(&log);
    let raw = std::fs::read_to_string(&log).unwrap();
    std::fs::remove_file(&log).unwrap();
    assert_eq!(got.len(), 3);

    // A decision: the request as read (with the time it was decided at), the
    // decision object as printed, the id, the digest, the time.
    assert_eq!(answers[0]["request_id"], "r-1");
    assert_eq!(answers[0]["digest"], digest.as_str());
    let mut printed = answers[0].clone();
    printed.as_object_mut().unwrap().remove("request_id");
    assert_eq!(got[0]["decision"], printed);
    assert_eq!(got[0]["request_id"], "r-1");
    assert_eq!(got[0]["digest"], digest.as_str());
    assert_eq!(got[0]["request"]["purpose"], "operate_website");
    assert_eq!(got[0]["request"]["subject"]["age"], 16);
    let at = got[0]["request"]["at"].as_str().unwrap();
    let time = got[0]["time"].as_str().unwrap();
    assert!(lawful::Timestamp::parse(at).is_ok() && lawful::Timestamp::parse(time).is_ok());
    // The fields come in a fixed order, so the records read alike.
    let first = raw.lines().next().unwrap();
    let at: Vec<usize> = ["time", "request_id", "digest", "request", "decision"]
        .iter()
        .map(|k| first.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(at.is_sorted() && at[0] == 1, "{first:.300}");

    // A request with an unknown name: the request as read, and the error given,
    // with the request's id.
    assert_eq!(got[1]["error"], answers[1]["error"]);
    assert_eq!(answers[1]["request_id"], "r-2");
    assert_eq!(got[1]["request_id"], "r-2");
    assert_eq!(got[1]["request"]["purpose"], "marketting");
    // Text that is not a request: no request, the error.
    assert_eq!(got[2]["request"], serde_json::Value::Null);
    assert_eq!(got[2]["error"]["kind"], "json");
    assert!(got.iter().all(|r| r["digest"] == digest.as_str()));
}

#[test]
fn decide_refuses_a_log_it_cannot_open() {
    let (code, output) = decide_with_log(Path::new("/no/such/dir/audit.jsonl"), b"");
    assert_eq!(code, Some(2));
    assert!(output.contains("cannot open the audit log"), "{output}");
}

/// A request of some kilobytes (a long list of categories, and an id), so records
/// span more than a page and a torn write would show.
fn long_request(writer: usize, n: usize) -> String {
    let data: Vec<&str> = std::iter::repeat_n("device.ip_address", 300 + n % 7).collect();
    serde_json::json!({"action": "use", "subject": {"role": "visitor"}, "data": data,
        "purpose": "operate_website", "request_id": format!("w{writer}-{n}")})
    .to_string()
}

#[test]
fn processes_appending_at_once_leave_only_whole_lines() {
    let log = scratch("processes");
    const PROCESSES: usize = 6;
    const EACH: usize = 150;
    let children: Vec<_> = (0..PROCESSES)
        .map(|w| {
            let input: String = (0..EACH).map(|n| long_request(w, n) + "\n").collect();
            let log = log.clone();
            std::thread::spawn(move || decide_with_log(&log, input.as_bytes()))
        })
        .collect();
    for child in children {
        let (code, output) = child.join().unwrap();
        assert_eq!(code, Some(0), "{output:.500}");
    }
    let got = records(&log);
    std::fs::remove_file(&log).unwrap();
    assert_eq!(got.len(), PROCESSES * EACH);
    // Each writer's records are all there, in its own order.
    for w in 0..PROCESSES {
        let ids: Vec<String> = got
            .iter()
            .filter_map(|r| r["request_id"].as_str())
            .filter(|id| id.starts_with(&format!("w{w}-")))
            .map(str::to_owned)
            .collect();
        let expected: Vec<String> = (0..EACH).map(|n| format!("w{w}-{n}")).collect();
        assert_eq!(ids, expected);
    }
}

#[test]
fn threads_appending_at_once_leave_only_whole_lines() {
    let path = scratch("threads");
    let policy = lawful::Policy::load(RULES).unwrap();
    let log = AuditLog::open(&path).unwrap();
    const THREADS: usize = 8;
    const EACH: usize = 200;
    std::thread::scope(|scope| {
        for w in 0..THREADS {
            let (policy, log) = (&policy, &log);
            scope.spawn(move || {
                for n in 0..EACH {
                    let answered = answer(
                        policy,
                        long_request(w, n).as_bytes(),
                        Detail::Decision,
                        true,
                    );
                    assert_eq!(answered.outcome, Ok(true), "{}", answered.json);
                    log.append(answered.record.as_ref().unwrap()).unwrap();
                }
            });
        }
    });
    let got = records(&path);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(got.len(), THREADS * EACH);
    assert!(got.iter().all(|r| r["decision"]["allowed"] == true));
}

#[test]
fn a_torn_last_line_is_sealed_off_before_the_next_record() {
    let path = scratch("torn");
    std::fs::write(&path, "{\"time\":\"2026-01-01\"}\n{\"time\":\"2026-0").unwrap();
    let log = AuditLog::open(&path).unwrap();
    assert!(log.sealed_a_torn_line());
    let policy = lawful::Policy::load(RULES).unwrap();
    let answered = answer(
        &policy,
        br#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website"}"#,
        Detail::Decision,
        true,
    );
    log.append(answered.record.as_ref().unwrap()).unwrap();
    drop(log);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[1], "{\"time\":\"2026-0",
        "the fragment stays a line of its own"
    );
    let last: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
    assert_eq!(last["decision"]["allowed"], true);
    // A log that ends in a line feed is left as it is.
    assert!(!AuditLog::open(&path).unwrap().sealed_a_torn_line());
    std::fs::remove_file(&path).unwrap();
}
