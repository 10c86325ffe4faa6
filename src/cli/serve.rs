//! `lawful serve --policy PATH --addr HOST:PORT`: the decision server.

use std::ffi::OsString;
use std::io::Write;
use std::time::Duration;

use super::{BAD_INPUT, OK};

const HELP: &str = "\
Serve decisions over HTTP/JSON. The policy is reloaded when its rule files
change; an edit that does not load keeps the last good policy. SIGTERM or
SIGINT stops accepting, lets requests under way finish, and exits.

Usage: lawful serve --policy PATH [--addr HOST:PORT] [--log FILE] [OPTIONS]

  --policy PATH            a rule file, or a directory with one rule file per version
  --addr HOST:PORT         where to listen (default 127.0.0.1:8080; port 0: any free port)
  --log FILE               append an audit record per answer to FILE (JSON Lines)
  --max-body BYTES         the largest request body (default 8388608)
  --max-connections N      connections open at once (default 1024)
  --max-in-flight N        requests decided at once; more get 503 (default 256)
  --header-timeout SECS    time to send a request's head, or idle, before the
                           connection is closed (default 10)
  --body-timeout SECS      time to send a request's body before 408 (default 30)
  --threads N              worker threads (default: one per CPU)

Endpoints: POST /v1/decide (one request, a JSON array, or JSON Lines with
Content-Type: application/x-ndjson), POST /v1/explain, GET /v1/policy,
GET /health, GET /metrics. Logs go to standard error (LAWFUL_LOG=error, warn,
info, debug or off; default info); the address is printed on standard output
once the server listens.

Exit: 0 stopped by a signal, 2 the policy, the address or the log was bad.

Example:
  lawful serve --policy rules/filestack --addr 127.0.0.1:8080
  curl -s localhost:8080/v1/decide -d '{\"action\": \"use\", \"subject\": {\"role\": \"visitor\"},
       \"data\": \"device.ip_address\", \"purpose\": \"operate_website\"}'
";

/// Reads a valued option as a number, or its default.
fn number<T: std::str::FromStr>(args: &super::Args, name: &str, default: T) -> Result<T, String> {
    match args.value(name) {
        None => Ok(default),
        Some(text) => text
            .to_str()
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| format!("`--{name}` takes a whole number, not `{}`", text.display())),
    }
}

fn seconds(args: &super::Args, name: &str, default: Duration) -> Result<Duration, String> {
    let secs = number(args, name, default.as_secs())?;
    if secs == 0 {
        return Err(format!("`--{name}` must be at least 1 second"));
    }
    Ok(Duration::from_secs(secs))
}

fn options(args: &super::Args) -> Result<lawful::server::ServeOptions, String> {
    let policy = args
        .value("policy")
        .ok_or("`--policy PATH` is required")?
        .clone();
    let addr = match args.value("addr") {
        Some(addr) => addr.to_str().ok_or("`--addr` takes HOST:PORT")?.to_owned(),
        None => "127.0.0.1:8080".to_owned(),
    };
    let defaults = lawful::server::Limits::default();
    let limits = lawful::server::Limits {
        max_body_bytes: number(args, "max-body", defaults.max_body_bytes)?,
        max_connections: number(args, "max-connections", defaults.max_connections)?,
        max_in_flight: number(args, "max-in-flight", defaults.max_in_flight)?,
        header_timeout: seconds(args, "header-timeout", defaults.header_timeout)?,
        body_timeout: seconds(args, "body-timeout", defaults.body_timeout)?,
        shutdown_grace: defaults.shutdown_grace,
    };
    let threads = match args.value("threads") {
        Some(_) => Some(number(args, "threads", 1usize)?),
        None => None,
    };
    Ok(lawful::server::ServeOptions {
        policy,
        addr,
        log: args.value("log").cloned(),
        limits,
        threads,
        debounce: lawful::watch::DEFAULT_DEBOUNCE,
    })
}

pub(crate) fn run(raw: &[OsString]) -> u8 {
    let valued = [
        "policy",
        "addr",
        "log",
        "max-body",
        "max-connections",
        "max-in-flight",
        "header-timeout",
        "body-timeout",
        "threads",
    ];
    let args = match super::args::read(raw, &valued, &[], HELP) {
        Ok(a) => a,
        Err(code) => return code,
    };
    if !args.positionals.is_empty() {
        eprintln!("error: `serve` takes no FILE; give the rules with `--policy PATH`\n\n{HELP}");
        return BAD_INPUT;
    }
    let options = match options(&args) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("error: {message}\n\n{HELP}");
            return BAD_INPUT;
        }
    };
    Logger::install();
    let served = lawful::server::serve(options, |addr| {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    });
    match served {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: {e}");
            BAD_INPUT
        }
    }
}

/// Log records to standard error, one line each (a record with the rendered
/// diagnostics of a failed reload spans several).
struct Logger;

static LOGGER: Logger = Logger;

impl Logger {
    fn install() {
        let level = match std::env::var("LAWFUL_LOG").as_deref() {
            Ok("off") => log::LevelFilter::Off,
            Ok("error") => log::LevelFilter::Error,
            Ok("warn") => log::LevelFilter::Warn,
            Ok("debug") => log::LevelFilter::Debug,
            _ => log::LevelFilter::Info,
        };
        if log::set_logger(&LOGGER).is_ok() {
            log::set_max_level(level);
        }
    }
}

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level() && metadata.target().starts_with("lawful")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let level = record.level().as_str().to_ascii_lowercase();
            let _ = writeln!(
                std::io::stderr().lock(),
                "{} {level} {}: {}",
                lawful::audit::now_rfc3339(),
                record.target(),
                record.args()
            );
        }
    }

    fn flush(&self) {}
}
