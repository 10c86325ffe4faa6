//! A load client for `lawful serve`: keep-alive HTTP/1.1 connections on
//! loopback, for a bounded time, reporting decisions per second and latency
//! percentiles, and what a decision costs over the library's own `decide_json`.
//!
//!     cargo bench --bench serve -- [--seconds 5] [--connections 4] [--batch 100] [--threads 2]
//!
//! It starts the release `lawful serve` itself (on 127.0.0.1, any free port,
//! `--threads` workers) and stops it with SIGTERM at the end. The requests are
//! the acceptance cases' (tests/acceptance/*.jsonl), in turn. Client and
//! server share the machine's cores: the throughput and latencies are for both
//! on one box, and depend on what else runs there. The server's CPU time per
//! decision (read from /proc) does not, and is set against the library's own
//! CPU time to read, decide and write a request: the overhead of HTTP.
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a measuring tool stops on its first error; indexes are taken modulo the length"
)]

#[path = "../tests/support/http.rs"]
mod http;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type Failure = Box<dyn std::error::Error>;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack");

struct Options {
    seconds: u64,
    connections: usize,
    batch: usize,
    threads: usize,
}

fn options() -> Result<Options, Failure> {
    let mut options = Options {
        seconds: 5,
        connections: 4,
        batch: 100,
        threads: 2,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut items = args.iter();
    while let Some(arg) = items.next() {
        let mut value = || -> Result<usize, Failure> {
            Ok(items
                .next()
                .ok_or(format!("{arg} needs a value"))?
                .parse()?)
        };
        match arg.as_str() {
            "--seconds" => options.seconds = value()?.clamp(1, 600) as u64,
            "--connections" => options.connections = value()?.clamp(1, 256),
            "--batch" => options.batch = value()?.clamp(1, 10_000),
            "--threads" => options.threads = value()?.clamp(1, 64),
            // cargo bench passes --bench; anything else is a mistake.
            "--bench" => {}
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    Ok(options)
}

/// The acceptance cases' requests, as JSON text.
fn requests() -> Result<Vec<String>, Failure> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/acceptance");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            for line in std::fs::read_to_string(&path)?.lines() {
                if !line.trim().is_empty() {
                    let case: serde_json::Value = serde_json::from_str(line)?;
                    out.push(case["request"].to_string());
                }
            }
        }
    }
    Ok(out)
}

struct Server(Child, SocketAddr);

impl Server {
    fn start(threads: usize) -> Result<Server, Failure> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lawful"))
            .args(["serve", "--policy", RULES, "--addr", "127.0.0.1:0"])
            .args(["--threads", &threads.to_string()])
            .env("LAWFUL_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .ok_or_else(|| format!("the server said {line:?}"))?
            .parse()?;
        Ok(Server(child, addr))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// CPU time (user and system) a process has used, in seconds, from /proc:
/// unlike wall time, it does not count the time other work on the machine took.
fn cpu_seconds(pid: u32) -> Result<f64, Failure> {
    let (user, system) = cpu_split(pid)?;
    Ok(user + system)
}

/// CPU time in user space and in the kernel, in seconds.
fn cpu_split(pid: u32) -> Result<(f64, f64), Failure> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the command name, which is in brackets and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .ok_or("an unreadable /proc stat")?
        .1
        .split_whitespace()
        .collect();
    let user: f64 = fields.get(11).ok_or("no utime")?.parse()?;
    let system: f64 = fields.get(12).ok_or("no stime")?.parse()?;
    let hz = clock_ticks();
    Ok((user / hz, system / hz))
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 where it cannot be asked).
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Nanoseconds per decision of `lawful::audit::answer` on one thread (read the
/// JSON request, decide, write the JSON answer, as the server does): by the wall
/// clock, and in CPU time.
fn library(requests: &[String]) -> Result<(f64, f64), Failure> {
    let policy = lawful::Policy::load(RULES)?;
    let cpu = cpu_seconds(std::process::id())?;
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(3) {
        for request in requests {
            let answered = lawful::audit::answer(
                &policy,
                request.as_bytes(),
                lawful::audit::Detail::Decision,
                false,
            );
            std::hint::black_box(answered.json);
            n += 1;
        }
    }
    let wall = started.elapsed().as_nanos() as f64 / n as f64;
    let cpu = (cpu_seconds(std::process::id())? - cpu) * 1e9 / n as f64;
    Ok((wall, cpu))
}

/// One client thread's results.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    decisions: u64,
}

/// Sends `body` on each of `connections` connections until `until`.
fn drive(
    addr: SocketAddr,
    connections: usize,
    bodies: &[(Vec<u8>, usize)],
    content_type: &str,
    until: Duration,
) -> Result<(Tally, Duration), Failure> {
    let started = Instant::now();
    let results: Vec<Result<Tally, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..connections)
            .map(|c| {
                scope.spawn(move || -> Result<Tally, String> {
                    let mut connection = http::Connection::open(addr).map_err(|e| e.to_string())?;
                    let mut tally = Tally::default();
                    let mut i = c;
                    while started.elapsed() < until {
                        let (body, decisions) = &bodies[i % bodies.len()];
                        let sent = Instant::now();
                        let response = connection
                            .request("POST", "/v1/decide", Some(content_type), body)
                            .map_err(|e| e.to_string())?;
                        tally.latencies.push(sent.elapsed());
                        if response.status != 200 && response.status != 400 {
                            return Err(format!("status {}: {}", response.status, response.text()));
                        }
                        tally.decisions += *decisions as u64;
                        i += 1;
                    }
                    Ok(tally)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a client thread panicked".into()))
            })
            .collect()
    });
    let elapsed = started.elapsed();
    let mut all = Tally::default();
    for result in results {
        let tally = result?;
        all.latencies.extend(tally.latencies);
        all.decisions += tally.decisions;
    }
    all.latencies.sort_unstable();
    Ok((all, elapsed))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

/// The server's CPU time per decision over a run, against the library's.
fn report_cpu(
    server: &Server,
    before: (f64, f64),
    tally: &Tally,
    library_cpu_ns: f64,
) -> Result<(), Failure> {
    let after = cpu_split(server.0.id())?;
    let per = |seconds: f64| seconds * 1e9 / tally.decisions as f64;
    let (user, system) = (per(after.0 - before.0), per(after.1 - before.1));
    println!(
        "  server CPU per decision: {:.1} µs ({:.1} in user space, {:.1} in the kernel), {:.1} µs over the library's",
        (user + system) / 1000.0,
        user / 1000.0,
        system / 1000.0,
        (user + system - library_cpu_ns) / 1000.0
    );
    Ok(())
}

fn report(label: &str, tally: &Tally, elapsed: Duration) {
    let per_second = tally.decisions as f64 / elapsed.as_secs_f64();
    println!(
        "{label:<44} {:>10.0} decisions/s   requests: p50 {:>8.1?}  p99 {:>8.1?}  p99.9 {:>8.1?}  ({} requests)",
        per_second,
        percentile(&tally.latencies, 0.50),
        percentile(&tally.latencies, 0.99),
        percentile(&tally.latencies, 0.999),
        tally.latencies.len()
    );
}

fn main() -> Result<(), Failure> {
    let options = options()?;
    let requests = requests()?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "{cores} cores; server with {} worker threads; {} s per run; {} distinct requests",
        options.threads,
        options.seconds,
        requests.len()
    );
    let (library_ns, library_cpu_ns) = library(&requests)?;
    println!(
        "library: read, decide and write one request as JSON: {library_ns:.0} ns ({library_cpu_ns:.0} ns of CPU), one thread"
    );

    let server = Server::start(options.threads)?;
    let until = Duration::from_secs(options.seconds);
    let singles: Vec<(Vec<u8>, usize)> = requests
        .iter()
        .map(|r| (r.clone().into_bytes(), 1))
        .collect();

    // One connection, one request at a time: the round trip.
    let before = cpu_split(server.0.id())?;
    let (tally, elapsed) = drive(server.1, 1, &singles, "application/json", until)?;
    report("1 connection, one request at a time", &tally, elapsed);
    report_cpu(&server, before, &tally, library_cpu_ns)?;
    let p50 = percentile(&tally.latencies, 0.5);
    println!(
        "  round trip over the library: {:.1} µs at the median",
        (p50.as_nanos() as f64 - library_ns) / 1000.0
    );

    let before = cpu_split(server.0.id())?;
    let (tally, elapsed) = drive(
        server.1,
        options.connections,
        &singles,
        "application/json",
        until,
    )?;
    report(
        &format!("{} connections, one request each", options.connections),
        &tally,
        elapsed,
    );
    report_cpu(&server, before, &tally, library_cpu_ns)?;

    let batches: Vec<(Vec<u8>, usize)> = (0..requests.len())
        .map(|start| {
            let lines: String = (0..options.batch)
                .map(|i| format!("{}\n", requests[(start + i) % requests.len()]))
                .collect();
            (lines.into_bytes(), options.batch)
        })
        .collect();
    let before = cpu_split(server.0.id())?;
    let (tally, elapsed) = drive(
        server.1,
        options.connections,
        &batches,
        "application/x-ndjson",
        until,
    )?;
    report(
        &format!(
            "{} connections, JSON Lines batches of {}",
            options.connections, options.batch
        ),
        &tally,
        elapsed,
    );
    report_cpu(&server, before, &tally, library_cpu_ns)?;
    drop(server);
    Ok(())
}
