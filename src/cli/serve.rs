//! `lawful serve --policy PATH --addr HOST:PORT`: the decision server.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use super::{BAD_INPUT, OK};

/// Serve decisions over HTTP/JSON. The policy is reloaded when its rule files
/// change; an edit that does not load keeps the last good policy. SIGTERM or
/// SIGINT stops accepting, lets requests under way finish, and exits.
#[derive(clap::Args)]
#[command(
    after_help = "Endpoints: POST /v1/decide (one request, a JSON array, or JSON Lines with\nContent-Type: application/x-ndjson), POST /v1/explain, GET /v1/policy,\nGET /health, GET /metrics. Logs go to standard error (LAWFUL_LOG=error, warn,\ninfo, debug or off; default info); the address is printed on standard output\nonce the server listens.\n\nExit: 0 stopped by a signal, 2 the policy, the address or the log was bad.\n\nExample:\n  lawful serve --policy rules/filestack --addr 127.0.0.1:8080\n  curl -s localhost:8080/v1/decide -d '{\"action\": \"use\", \"subject\": {\"role\": \"visitor\"},\n       \"data\": \"device.ip_address\", \"purpose\": \"operate_website\"}'"
)]
pub(crate) struct ServeArgs {
    /// A rule file, or a directory with one rule file per version
    #[arg(long, value_name = "PATH")]
    policy: PathBuf,
    /// Where to listen (port 0: any free port)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    addr: String,
    /// Append an audit record per answer to FILE (JSON Lines)
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// The largest request body, in bytes
    #[arg(long, value_name = "BYTES")]
    max_body: Option<usize>,
    /// Connections open at once
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
    /// Requests decided at once; more get 503
    #[arg(long, value_name = "N")]
    max_in_flight: Option<usize>,
    /// Seconds to send a request's head, or idle, before the connection is closed
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout: Option<u64>,
    /// Seconds to send a request's body before 408
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    body_timeout: Option<u64>,
    /// Worker threads (default: one per CPU)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
}

fn options(args: &ServeArgs) -> lawful::server::ServeOptions {
    let defaults = lawful::server::Limits::default();
    let limits = lawful::server::Limits {
        max_body_bytes: args.max_body.unwrap_or(defaults.max_body_bytes),
        max_connections: args.max_connections.unwrap_or(defaults.max_connections),
        max_in_flight: args.max_in_flight.unwrap_or(defaults.max_in_flight),
        header_timeout: args
            .header_timeout
            .map_or(defaults.header_timeout, Duration::from_secs),
        body_timeout: args
            .body_timeout
            .map_or(defaults.body_timeout, Duration::from_secs),
        shutdown_grace: defaults.shutdown_grace,
    };
    lawful::server::ServeOptions {
        policy: args.policy.clone(),
        addr: args.addr.clone(),
        log: args.log.clone(),
        limits,
        threads: args.threads.and_then(|t| usize::try_from(t).ok()),
        debounce: lawful::watch::DEFAULT_DEBOUNCE,
    }
}

pub(crate) fn run(args: &ServeArgs) -> u8 {
    let options = options(args);
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
