//! The decision server behind `lawful serve`: HTTP/1.1 and JSON on a port, for
//! services in other languages.
//!
//! Built on hyper and tokio directly, without a web framework: six routes are
//! one `match`, and the limits a decision server needs (body size, requests in
//! flight, connections, slow clients) are a few lines each here. The policy is
//! a [`Watcher`](crate::Watcher): edits to the rules reload it, and a broken
//! edit keeps the last good one. See `docs/server.md`.

mod metrics;
mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::audit::AuditLog;
use crate::watch::{Reload, WatchError, WatchOptions, Watcher};

/// The limits that keep one client from taking the server down.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The largest request body, in bytes (a batch is one body).
    pub max_body_bytes: usize,
    /// Connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// Requests being decided at once; more are answered 503.
    pub max_in_flight: usize,
    /// How long a client may take to send a request's head (line and headers),
    /// including an idle keep-alive connection's next one; then it is closed.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body; then 408.
    pub body_timeout: Duration,
    /// How long shutting down waits for requests under way.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 8 << 20,
            max_connections: 1024,
            max_in_flight: 256,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// What `lawful serve` is told.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// A rule file, or a folder of them.
    pub policy: PathBuf,
    /// `HOST:PORT` to listen on (port 0: any free port).
    pub addr: String,
    /// Where to append audit records, if anywhere.
    pub log: Option<PathBuf>,
    /// The limits.
    pub limits: Limits,
    /// Worker threads (default: one per CPU).
    pub threads: Option<usize>,
    /// How long the rule files must be quiet after a change before reloading.
    pub debounce: Duration,
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The policy did not load, or cannot be watched.
    #[error("{0}")]
    Policy(#[from] WatchError),
    /// The audit log cannot be opened.
    #[error("cannot open the audit log `{path}`: {source}")]
    Log {
        /// The log's path.
        path: PathBuf,
        /// Why not.
        source: std::io::Error,
    },
    /// The address cannot be listened on.
    #[error("cannot listen on `{addr}`: {source}")]
    Listen {
        /// The address given.
        addr: String,
        /// Why not.
        source: std::io::Error,
    },
    /// The runtime could not start.
    #[error("cannot start the server: {0}")]
    Runtime(std::io::Error),
}

/// What every request handler shares.
pub(crate) struct State {
    pub(crate) watcher: Watcher,
    pub(crate) audit: Option<AuditLog>,
    pub(crate) metrics: Arc<metrics::Metrics>,
    pub(crate) limits: Limits,
    pub(crate) in_flight: Semaphore,
}

/// Serves until SIGTERM or SIGINT, then stops accepting, lets the requests
/// under way finish (up to `limits.shutdown_grace`) and returns. `on_ready`
/// hears the address listened on once the server accepts connections.
pub fn serve(options: ServeOptions, on_ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all().thread_name("lawful-serve");
    if let Some(threads) = options.threads {
        runtime.worker_threads(threads.max(1));
    }
    let runtime = runtime.build().map_err(ServeError::Runtime)?;
    runtime.block_on(serve_until(options, on_ready, shutdown_signal()))
}

/// Resolves at SIGTERM or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let interrupt = signal(SignalKind::interrupt());
    match (term, interrupt) {
        (Ok(mut term), Ok(mut interrupt)) => {
            tokio::select! {
                _ = term.recv() => log::info!(target: "lawful::serve", "SIGTERM: shutting down"),
                _ = interrupt.recv() => log::info!(target: "lawful::serve", "SIGINT: shutting down"),
            }
        }
        _ => {
            // Without signal handlers, Ctrl-C still ends the process by default.
            log::warn!(target: "lawful::serve", "cannot listen for signals; stop the process to stop serving");
            std::future::pending::<()>().await;
        }
    }
}

/// Serves until `shutdown` resolves.
async fn serve_until(
    options: ServeOptions,
    on_ready: impl FnOnce(SocketAddr),
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let metrics = Arc::new(metrics::Metrics::default());
    let counted = Arc::clone(&metrics);
    let watcher = Watcher::with_options(
        &options.policy,
        WatchOptions {
            debounce: options.debounce,
        },
        move |reload: &Reload| {
            if reload.trigger != crate::watch::Trigger::Start {
                counted.reloaded(reload.ok());
            }
        },
    )?;
    let audit = match &options.log {
        Some(path) => Some(AuditLog::open(path).map_err(|source| ServeError::Log {
            path: path.clone(),
            source,
        })?),
        None => None,
    };
    if audit.as_ref().is_some_and(AuditLog::sealed_a_torn_line) {
        log::warn!(target: "lawful::serve", "the audit log ended in a torn line (an earlier crash?); it was sealed off");
    }
    let listener = TcpListener::bind(&options.addr)
        .await
        .map_err(|source| ServeError::Listen {
            addr: options.addr.clone(),
            source,
        })?;
    let local = listener.local_addr().map_err(|source| ServeError::Listen {
        addr: options.addr.clone(),
        source,
    })?;
    let limits = options.limits.clone();
    let state = Arc::new(State {
        watcher,
        audit,
        metrics,
        in_flight: Semaphore::new(limits.max_in_flight.max(1)),
        limits: limits.clone(),
    });
    log::info!(target: "lawful::serve", "serving {} (policy {}) on http://{local}",
        options.policy.display(), state.watcher.policy().digest());
    on_ready(local);

    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // At the limit, wait for a connection to close before accepting another.
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => permit,
            () = &mut shutdown => break,
        };
        let Ok(permit) = permit else { break };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, go on.
                    log::warn!(target: "lawful::serve", "accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        state.metrics.connection_opened();
        let state_for_service = Arc::clone(&state);
        let service = hyper::service::service_fn(move |request| {
            let state = Arc::clone(&state_for_service);
            async move { Ok::<_, std::convert::Infallible>(routes::handle(request, &state).await) }
        });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .keep_alive(true);
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or sends garbage ends its own connection only.
            if let Err(e) = connection.await {
                log::debug!(target: "lawful::serve", "connection ended: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    log::info!(target: "lawful::serve", "no longer accepting; waiting for {} connection(s)", graceful.count());
    tokio::select! {
        () = graceful.shutdown() => log::info!(target: "lawful::serve", "stopped"),
        () = tokio::time::sleep(limits.shutdown_grace) => {
            log::warn!(target: "lawful::serve", "stopped with requests still under way after {:?}", limits.shutdown_grace);
        }
    }
    Ok(())
}
