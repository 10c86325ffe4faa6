//! `lawful serve` as a client sees it, over loopback: the same answers as
//! `lawful decide`, clear errors for bad, huge and slow requests, hot reload,
//! audit records, and a graceful stop on SIGTERM.
#![cfg(feature = "server")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[path = "support/files.rs"]
mod files;
#[path = "support/http.rs"]
mod http;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use files::{copy_of_filestack, replace};
use http::Connection;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack");
const PATIENCE: Duration = Duration::from_secs(30);

/// A running `lawful serve`, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    fn start(policy: &str, extra: &[&str]) -> Server {
        let log = std::env::temp_dir().join(format!(
            "lawful-serve-stderr-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let mut child = Command::new(env!("CARGO_BIN_EXE_lawful"))
            .args(["serve", "--policy", policy, "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| {
                panic!(
                    "no address in {line:?}: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .parse()
            .unwrap();
        Server { child, addr, log }
    }

    fn connect(&self) -> Connection {
        Connection::open(self.addr).unwrap()
    }

    /// What the server logged.
    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// The requests of the acceptance cases, one JSON text each.
fn acceptance_requests() -> Vec<String> {
    let mut requests = Vec::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/acceptance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    for file in files {
        for line in std::fs::read_to_string(file).unwrap().lines() {
            if !line.trim().is_empty() {
                let case: serde_json::Value = serde_json::from_str(line).unwrap();
                requests.push(case["request"].to_string());
            }
        }
    }
    assert!(requests.len() >= 42);
    requests
}

/// What `lawful decide` prints for these requests, one line each.
fn decide_cli(requests: &[String], extra: &[&str]) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lawful"))
        .args(["decide", "--policy", RULES])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let input: String = requests.iter().map(|r| format!("{r}\n")).collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), requests.len());
    lines
}

#[test]
fn the_server_answers_the_acceptance_cases_exactly_as_decide_does() {
    let requests = acceptance_requests();
    let expected = decide_cli(&requests, &[]);
    let server = Server::start(RULES, &[]);
    let mut connection = server.connect();

    // One request at a time, on one keep-alive connection.
    for (request, want) in requests.iter().zip(&expected) {
        let response = connection.post("/v1/decide", request.as_bytes()).unwrap();
        assert_eq!(&response.text(), want, "for {request}");
        let status = if want.starts_with(r#"{"error""#) {
            400
        } else {
            200
        };
        assert_eq!(response.status, status, "for {request}");
        assert_eq!(response.header("content-type"), Some("application/json"));
    }

    // All at once as JSON Lines: the same lines, in order.
    let lines: String = requests.iter().map(|r| format!("{r}\n")).collect();
    let response = connection
        .request(
            "POST",
            "/v1/decide",
            Some("application/x-ndjson"),
            lines.as_bytes(),
        )
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/x-ndjson")
    );
    let want: String = expected.iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(response.text(), want);

    // As a JSON array: an array of the same answers.
    let array = format!("[{}]", requests.join(",\n"));
    let response = connection.post("/v1/decide", array.as_bytes()).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), format!("[{}]", expected.join(",")));

    // Explain: what `decide --explain` prints, and the prose of `lawful explain`.
    let traced = decide_cli(&requests[..1], &["--explain"]);
    let response = connection
        .post("/v1/explain", requests[0].as_bytes())
        .unwrap();
    assert_eq!(response.status, 200);
    let mut got = response.json();
    let explanation = got.as_object_mut().unwrap().remove("explanation").unwrap();
    assert_eq!(
        got,
        serde_json::from_str::<serde_json::Value>(&traced[0]).unwrap()
    );
    let mut prose = Command::new(env!("CARGO_BIN_EXE_lawful"))
        .args(["explain", "--policy", RULES])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    prose
        .stdin
        .take()
        .unwrap()
        .write_all(requests[0].as_bytes())
        .unwrap();
    let prose = String::from_utf8(prose.wait_with_output().unwrap().stdout).unwrap();
    assert_eq!(explanation.as_str().unwrap(), prose);
}

#[test]
fn bad_huge_and_slow_requests_get_clear_errors_and_the_server_stays_up() {
    let mut server = Server::start(
        RULES,
        &[
            "--max-body",
            "65536",
            "--header-timeout",
            "1",
            "--body-timeout",
            "1",
        ],
    );
    let check = |response: http::Response, status: u16, kind: &str| {
        assert_eq!(response.status, status, "{}", response.text());
        assert_eq!(
            response.json()["error"]["kind"],
            kind,
            "{}",
            response.text()
        );
        assert!(response.json()["error"]["message"].as_str().unwrap().len() > 10);
    };
    let mut connection = server.connect();
    check(
        connection.post("/v1/decide", b"not json").unwrap(),
        400,
        "json",
    );
    check(
        connection.post("/v1/decide", b"{\"action\":").unwrap(),
        400,
        "json",
    );
    check(connection.post("/v1/decide", b"").unwrap(), 400, "json");
    check(
        connection
            .post("/v1/decide", b"[{\"action\": \"use\"}, 5")
            .unwrap(),
        400,
        "json",
    );
    check(
        connection
            .post("/v1/decide", b"{\"action\": \"use\", \"action\": \"use\"}")
            .unwrap(),
        400,
        "json",
    );
    check(
        connection
            .post("/v1/explain", b"[{\"action\": \"use\"}]")
            .unwrap(),
        400,
        "request",
    );
    check(connection.get("/v1/nothing").unwrap(), 404, "not_found");
    check(connection.get("/v1/decide").unwrap(), 405, "method");
    // A key given twice inside a batch is refused for that item alone.
    let response = connection
        .post(
            "/v1/decide",
            br#"[{"action": "use", "subject": {"role": "visitor", "age": 12, "age": null}, "data": "device.ip_address", "purpose": "operate_website"}]"#,
        )
        .unwrap();
    assert_eq!(response.status, 200);
    assert!(
        response.json()[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("twice")
    );

    // A body over the limit: read and thrown away, then refused, and the
    // connection goes on.
    let valid = br#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website"}"#;
    let huge = vec![b' '; 200_000];
    let mut connection = server.connect();
    check(
        connection.post("/v1/decide", &huge).unwrap(),
        413,
        "too_large",
    );
    assert_eq!(connection.post("/v1/decide", valid).unwrap().status, 200);
    // Without a declared length (chunked), likewise.
    let chunk = vec![b' '; 16 * 1024];
    write!(
        connection.stream(),
        "POST /v1/decide HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    for _ in 0..6 {
        write!(connection.stream(), "{:x}\r\n", chunk.len()).unwrap();
        connection.stream().write_all(&chunk).unwrap();
        connection.stream().write_all(b"\r\n").unwrap();
    }
    connection.stream().write_all(b"0\r\n\r\n").unwrap();
    check(connection.read_response().unwrap(), 413, "too_large");
    assert_eq!(connection.post("/v1/decide", valid).unwrap().status, 200);
    // Declared far beyond the limit: refused at once, before any of it is sent.
    let mut connection = server.connect();
    write!(
        connection.stream(),
        "POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n"
    )
    .unwrap();
    let response = connection.read_response().unwrap();
    check(response, 413, "too_large");

    // Not HTTP at all: that connection ends, no other.
    let mut garbage = TcpStream::connect(server.addr).unwrap();
    garbage
        .write_all(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        .unwrap();
    let mut sink = Vec::new();
    garbage
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = garbage.read_to_end(&mut sink);

    // A client that never finishes its headers is cut off, and others are
    // served meanwhile.
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.write_all(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut other = server.connect();
    assert_eq!(other.get("/health").unwrap().status, 200);
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let closed = slow.read_to_end(&mut rest);
    assert!(
        closed.is_ok() && started.elapsed() < Duration::from_secs(10),
        "the slow client was not cut off: {closed:?} after {:?}",
        started.elapsed()
    );

    // A client that never finishes its body gets 408.
    let mut connection = server.connect();
    connection
        .stream()
        .write_all(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 200\r\n\r\n{\"action\"")
        .unwrap();
    check(connection.read_response().unwrap(), 408, "timeout");

    // Still serving, and the errors were counted.
    let mut connection = server.connect();
    let health = connection.get("/health").unwrap();
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let metrics = connection.get("/metrics").unwrap().text();
    for line in [
        "lawful_errors_total{kind=\"too_large\"} 3",
        "lawful_errors_total{kind=\"timeout\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    assert!(server.is_running(), "{}", server.stderr());
}

#[test]
fn sigterm_lets_the_request_under_way_finish_then_stops() {
    let mut server = Server::start(RULES, &[]);
    let request = br#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#;
    let mut connection = server.connect();
    // A request half sent when the signal comes.
    write!(
        connection.stream(),
        "POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        request.len()
    )
    .unwrap();
    let (first, second) = request.split_at(20);
    connection.stream().write_all(first).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.signal("TERM");
    // No new connections once it is stopping.
    let deadline = Instant::now() + PATIENCE;
    while TcpStream::connect(server.addr).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The request under way is answered.
    connection.stream().write_all(second).unwrap();
    let response = connection.read_response().unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.json()["allowed"], true);
    let status = server.wait();
    assert!(status.success(), "{status}: {}", server.stderr());
    let stderr = server.stderr();
    assert!(stderr.contains("SIGTERM: shutting down"), "{stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
}

/// Asks `GET /v1/policy` until `done` holds of it.
fn poll_policy(server: &Server, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + PATIENCE;
    let mut connection = server.connect();
    loop {
        let policy = connection.get("/v1/policy").unwrap().json();
        if done(&policy) {
            return policy;
        }
        assert!(Instant::now() < deadline, "never: {policy}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_server_reloads_edits_keeps_the_last_good_policy_and_records_answers() {
    let dir = copy_of_filestack("reload");
    let audit = dir.join("audit.jsonl");
    let server = Server::start(dir.to_str().unwrap(), &["--log", audit.to_str().unwrap()]);
    let nineteen = br#"{"action": "use", "subject": {"role": "visitor", "age": 19}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01", "request_id": "n-1"}"#;
    let mut connection = server.connect();
    let first = connection.get("/v1/policy").unwrap().json();
    let good = first["digest"].as_str().unwrap().to_owned();
    assert_eq!(first["versions"].as_array().unwrap().len(), 4);
    assert_eq!(first["last_reload"]["trigger"], "start");

    // Broken: reported, and the last good policy answers.
    let file = dir.join("2021-11-11.lawful");
    let original = std::fs::read_to_string(&file).unwrap();
    replace(
        &file,
        &format!("{original}\nrule half-written\n  allow use of\n"),
    );
    let failed = poll_policy(&server, |p| p["last_reload"]["ok"] == false);
    assert_eq!(failed["digest"], good.as_str());
    let diagnostic = &failed["last_reload"]["diagnostics"][0];
    assert!(
        diagnostic["file"]
            .as_str()
            .unwrap()
            .ends_with("2021-11-11.lawful"),
        "{failed}"
    );
    assert!(diagnostic["line"].as_u64().unwrap() > 1);
    let answer = connection.post("/v1/decide", nineteen).unwrap().json();
    assert_eq!(answer["allowed"], true);
    assert_eq!(answer["digest"], good.as_str());
    assert_eq!(answer["request_id"], "n-1");
    let health = connection.get("/health").unwrap().json();
    assert_eq!(health["last_reload_ok"], false);

    // Fixed (children now under 21): swapped in.
    replace(
        &file,
        &original.replace("children under 18", "children under 21"),
    );
    let fixed = poll_policy(&server, |p| p["digest"] != good.as_str());
    assert_eq!(fixed["last_reload"]["previous"], good.as_str());
    let answer = connection.post("/v1/decide", nineteen).unwrap().json();
    assert_eq!(answer["rule"], "children");
    assert_eq!(answer["digest"], fixed["digest"]);
    let metrics = connection.get("/metrics").unwrap().text();
    assert!(
        metrics.contains("lawful_reloads_total{result=\"failed\"}"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("lawful_reloads_total{result=\"ok\"} 0"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("lawful_reloads_total{result=\"failed\"} 0"),
        "{metrics}"
    );

    // A batch: one record per item, in one write.
    let batch = b"{\"action\": \"use\", \"subject\": {\"role\": \"visitor\"}, \"data\": \"device.ip_address\", \"purpose\": \"operate_website\", \"request_id\": \"b-1\"}\n{\"oops\": 1, \"request_id\": \"b-2\"}\n";
    let response = connection
        .request("POST", "/v1/decide", Some("application/x-ndjson"), batch)
        .unwrap();
    assert_eq!(response.text().lines().count(), 2);
    drop(server);
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r["request_id"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(ids, ["n-1", "n-1", "b-1", "-"]);
    assert_eq!(records[0]["digest"], good.as_str());
    assert_eq!(records[1]["digest"], fixed["digest"]);
    assert_eq!(records[1]["decision"]["rule"], "children");
    assert_eq!(records[3]["error"]["kind"], "request");
}

#[test]
fn serve_has_help_and_refuses_bad_options_with_exit_2() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_lawful"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let help = run(&["serve", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("Usage: lawful serve") && text.contains("Example"),
        "{text}"
    );
    for (args, says) in [
        (vec!["serve"], "--policy <PATH>"),
        (
            vec!["serve", "--policy", RULES, "--addr", "nowhere"],
            "cannot listen on `nowhere`",
        ),
        (
            vec!["serve", "--policy", RULES, "--max-body", "lots"],
            "invalid value 'lots' for '--max-body <BYTES>'",
        ),
        (
            vec!["serve", "--policy", RULES, "--body-timeout", "0"],
            "0 is not in 1..",
        ),
        (
            vec!["serve", "--policy", "tests/broken/junk.lawful"],
            "error[",
        ),
        (
            vec!["serve", "--polcy", RULES],
            "a similar argument exists: '--policy'",
        ),
    ] {
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
