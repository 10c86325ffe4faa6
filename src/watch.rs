//! Hot reload that keeps the last good policy.
//!
//! A [`Watcher`] loads a policy, watches its folder (or its one file) for changes,
//! and recompiles after each burst of changes has settled. A policy that loads is
//! swapped in whole: readers take the current policy with [`Watcher::policy`],
//! which never blocks and never sees a half-built one. A policy that does not load
//! (a rule file saved half-way, a typo) replaces nothing: the last good policy
//! goes on answering, and the diagnostics are reported.
//!
//! Every reload is reported twice: to the callback given to [`Watcher::new`], and
//! through the [`log`] facade (target `lawful::watch`: `info` for a new policy,
//! `error` with the rendered diagnostics for one that failed, `debug` for a
//! change that left the text as it was). `log` rather than `tracing`: a reload
//! is an event, not a span, and `log` costs a library nothing — services on
//! `tracing` receive the records through `tracing-log`.
//!
//! ```no_run
//! let watcher = lawful::Watcher::new("rules/filestack", |reload: &lawful::watch::Reload| {
//!     eprintln!("{reload}");
//! })?;
//! let policy = watcher.policy(); // an Arc<Policy>: this request's policy
//! # let request = lawful::Request::from_json(b"{}")?;
//! let decision = policy.decide(&request)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::{Diagnostic, Policy, PolicyError};

/// How long the folder must be quiet after a change before it is reloaded, by
/// default: an editor's save is often several writes and a rename.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(150);

/// The longest a stream of changes can put off a reload, in debounce periods.
const MAX_DEBOUNCES: u32 = 20;

/// What started a reload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The first load, when the watcher was made.
    Start,
    /// A change to the rule files.
    Change,
    /// [`Watcher::reload_now`].
    Manual,
}

impl Trigger {
    /// `start`, `change` or `manual`.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Start => "start",
            Trigger::Change => "change",
            Trigger::Manual => "manual",
        }
    }
}

/// What a reload did.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// A new policy loaded and is now served; `previous` is the digest of the one
    /// it replaced (`None` for the first load).
    Loaded {
        /// The digest of the policy replaced.
        previous: Option<String>,
    },
    /// The rule files loaded to the same text as the policy served: nothing changed.
    Unchanged,
    /// The rule files did not load; the policy served before goes on.
    Failed(PolicyError),
}

/// The report of one reload.
#[derive(Clone, Debug)]
pub struct Reload {
    /// What started it.
    pub trigger: Trigger,
    /// When it finished.
    pub at: SystemTime,
    /// The digest of the policy served after it (the new one, or the last good one).
    pub serving: String,
    /// What it did.
    pub outcome: Outcome,
}

impl Reload {
    /// Whether the rule files loaded (changed or not).
    pub fn ok(&self) -> bool {
        !matches!(self.outcome, Outcome::Failed(_))
    }

    /// Whether a new policy was swapped in.
    pub fn changed(&self) -> bool {
        matches!(self.outcome, Outcome::Loaded { .. })
    }

    /// The diagnostics of a failed reload; empty otherwise.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match &self.outcome {
            Outcome::Failed(error) => &error.diagnostics,
            _ => &[],
        }
    }
}

impl fmt::Display for Reload {
    /// One line: what happened and the digest served; a failure adds its
    /// rendered diagnostics on the lines after.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let trigger = self.trigger.as_str();
        match &self.outcome {
            Outcome::Loaded { previous: None } => {
                write!(f, "loaded policy {} ({trigger})", self.serving)
            }
            Outcome::Loaded {
                previous: Some(previous),
            } => write!(
                f,
                "reloaded policy {} ({trigger}), replacing {previous}",
                self.serving
            ),
            Outcome::Unchanged => {
                write!(f, "policy unchanged, still {} ({trigger})", self.serving)
            }
            Outcome::Failed(error) => write!(
                f,
                "reload failed ({trigger}) with {} problem(s); still serving {}\n{error}",
                error.diagnostics.len(),
                self.serving
            ),
        }
    }
}

/// Why a watcher could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The policy did not load: there is nothing to serve.
    #[error("{0}")]
    Policy(#[from] PolicyError),
    /// The file system cannot be watched.
    #[error("cannot watch `{path}`: {source}")]
    Watch {
        /// The path that was to be watched.
        path: PathBuf,
        /// Why not.
        source: notify::Error,
    },
}

/// Options for [`Watcher::with_options`].
#[derive(Clone, Debug)]
pub struct WatchOptions {
    /// How long the files must be quiet after a change before reloading.
    pub debounce: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            debounce: DEFAULT_DEBOUNCE,
        }
    }
}

type Callback = Box<dyn Fn(&Reload) + Send + Sync>;

/// What the watcher, its thread and its readers share.
struct Shared {
    path: PathBuf,
    current: ArcSwap<Policy>,
    last: Mutex<Reload>,
    /// One reload at a time, so reports follow the order of the swaps.
    reloading: Mutex<()>,
    /// One callback at a time, in the order of the reloads.
    reporting: Mutex<()>,
    on_reload: Callback,
}

std::thread_local! {
    /// Set while this thread runs a reload callback: a reload asked for from the
    /// callback returns the report being delivered instead of waiting for itself.
    static IN_CALLBACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Messages to the watch thread.
enum Signal {
    Changed,
    Stop,
}

/// A policy that follows its rule files: see the [module docs](self).
///
/// Dropping the watcher stops its thread and waits for it (unless the watch
/// thread itself drops it, from a callback: then it stops when the callback returns).
pub struct Watcher {
    shared: Arc<Shared>,
    stop: Sender<Signal>,
    thread: Option<JoinHandle<()>>,
    notify: Mutex<Option<notify::RecommendedWatcher>>,
}

impl fmt::Debug for Watcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watcher")
            .field("path", &self.shared.path)
            .field("serving", &self.shared.current.load().digest())
            .finish_non_exhaustive()
    }
}

impl Watcher {
    /// Loads the policy at `path` (a rule file, or a folder of them) and watches it.
    /// `on_reload` hears of every load, this first one included, on the thread
    /// that did it; it should be quick, and a reload it asks for returns at once
    /// with the report it is being given.
    ///
    /// Fails when the policy does not load (there is no last good policy yet) or
    /// the path cannot be watched.
    pub fn new(
        path: impl AsRef<Path>,
        on_reload: impl Fn(&Reload) + Send + Sync + 'static,
    ) -> Result<Watcher, WatchError> {
        Watcher::with_options(path, WatchOptions::default(), on_reload)
    }

    /// [`Watcher::new`] with options.
    pub fn with_options(
        path: impl AsRef<Path>,
        options: WatchOptions,
        on_reload: impl Fn(&Reload) + Send + Sync + 'static,
    ) -> Result<Watcher, WatchError> {
        let path = path.as_ref().to_path_buf();
        let (sender, receiver) = mpsc::channel();
        // Watch first, then load: a change made while loading is not missed.
        let notify = watch(&path, sender.clone())?;
        let policy = Policy::load(&path)?;
        let first = Reload {
            trigger: Trigger::Start,
            at: SystemTime::now(),
            serving: policy.digest().to_owned(),
            outcome: Outcome::Loaded { previous: None },
        };
        let shared = Arc::new(Shared {
            path,
            current: ArcSwap::from_pointee(policy),
            last: Mutex::new(first.clone()),
            reloading: Mutex::new(()),
            reporting: Mutex::new(()),
            on_reload: Box::new(on_reload),
        });
        shared.report(&first);
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("lawful-watch".to_owned())
            .spawn(move || watch_loop(&for_thread, &receiver, options.debounce))
            .map_err(|e| WatchError::Watch {
                path: shared.path.clone(),
                source: notify::Error::io(e),
            })?;
        Ok(Watcher {
            shared,
            stop: sender,
            thread: Some(thread),
            notify: Mutex::new(Some(notify)),
        })
    }

    /// The policy served now. Never blocks; hold the `Arc` for as long as one
    /// request (or batch) needs one policy, and ask again for the next.
    pub fn policy(&self) -> Arc<Policy> {
        self.shared.current.load_full()
    }

    /// Reloads now, whatever the files' state, and returns the report (also given
    /// to the callback and the log).
    pub fn reload_now(&self) -> Reload {
        self.shared.reload(Trigger::Manual)
    }

    /// The report of the latest reload (the first load, when there was none since).
    pub fn last_reload(&self) -> Reload {
        lock(&self.shared.last).clone()
    }

    /// The path watched.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        // No more events, then stop the thread and wait for it.
        drop(lock(&self.notify).take());
        let _ = self.stop.send(Signal::Stop);
        if let Some(thread) = self.thread.take() {
            // Dropped by the watch thread itself (a callback held the last
            // handle): it stops when the callback returns; it cannot wait for itself.
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

/// A lock that survives a panic elsewhere: what it guards is replaced whole.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    fn reload(&self, trigger: Trigger) -> Reload {
        if IN_CALLBACK.get() {
            return lock(&self.last).clone();
        }
        let reloading = lock(&self.reloading);
        let serving = self.current.load();
        let outcome = match Policy::load(&self.path) {
            Ok(policy) if policy.digest() == serving.digest() => Outcome::Unchanged,
            Ok(policy) => {
                let previous = serving.digest().to_owned();
                self.current.store(Arc::new(policy));
                Outcome::Loaded {
                    previous: Some(previous),
                }
            }
            Err(error) => Outcome::Failed(error),
        };
        drop(serving);
        let report = Reload {
            trigger,
            at: SystemTime::now(),
            serving: self.current.load().digest().to_owned(),
            outcome,
        };
        *lock(&self.last) = report.clone();
        // Take the reporting lock before letting the next reload start, so
        // callbacks hear of reloads in the order they happened.
        let reporting = lock(&self.reporting);
        drop(reloading);
        self.deliver(&report);
        drop(reporting);
        report
    }

    /// Reports outside any reload (the first load).
    fn report(&self, report: &Reload) {
        let _reporting = lock(&self.reporting);
        self.deliver(report);
    }

    fn deliver(&self, report: &Reload) {
        let path = self.path.display();
        match &report.outcome {
            Outcome::Loaded { .. } => {
                let policy = self.current.load();
                log::info!(target: "lawful::watch", "{path}: {report}");
                if !policy.warnings().is_empty() {
                    log::warn!(target: "lawful::watch", "{path}: {} warning(s)\n{}",
                        policy.warnings().len(), crate::render_diagnostics(policy.warnings()));
                }
            }
            Outcome::Unchanged => log::debug!(target: "lawful::watch", "{path}: {report}"),
            Outcome::Failed(_) => log::error!(target: "lawful::watch", "{path}: {report}"),
        }
        IN_CALLBACK.set(true);
        // A callback that panics must not take the watcher down with it.
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.on_reload)(report)));
        IN_CALLBACK.set(false);
        if result.is_err() {
            log::error!(target: "lawful::watch", "{path}: the reload callback panicked");
        }
    }
}

/// Starts watching `path`: a folder itself, or a file's folder (editors replace a
/// file by renaming a new one over it, which a watch on the file would lose).
fn watch(path: &Path, sender: Sender<Signal>) -> Result<notify::RecommendedWatcher, WatchError> {
    let failed = |source| WatchError::Watch {
        path: path.to_path_buf(),
        source,
    };
    let is_dir = path.is_dir();
    let folder = if is_dir {
        path.to_path_buf()
    } else {
        match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let only = (!is_dir)
        .then(|| path.file_name().map(ToOwned::to_owned))
        .flatten();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let relevant = match event {
            Ok(event) => matters(&event, only.as_deref()),
            // Events may have been lost (a full queue): look again.
            Err(_) => true,
        };
        if relevant {
            let _ = sender.send(Signal::Changed);
        }
    })
    .map_err(failed)?;
    watcher
        .watch(&folder, RecursiveMode::NonRecursive)
        .map_err(failed)?;
    Ok(watcher)
}

/// Whether an event can change the policy: a change (not a read) to a rule file
/// (not a test file, not an editor's swap file), or to the watched file itself.
fn matters(event: &notify::Event, only: Option<&std::ffi::OsStr>) -> bool {
    if matches!(event.kind, EventKind::Access(_)) {
        return matches!(
            event.kind,
            EventKind::Access(notify::event::AccessKind::Close(
                notify::event::AccessMode::Write
            ))
        ) && event.paths.iter().any(|p| is_rule_file(p, only));
    }
    // An event without paths (a rescan) may hide anything.
    event.paths.is_empty() || event.paths.iter().any(|p| is_rule_file(p, only))
}

fn is_rule_file(path: &Path, only: Option<&std::ffi::OsStr>) -> bool {
    let Some(name) = path.file_name() else {
        return true;
    };
    match only {
        Some(only) => name == only,
        None => {
            let name = name.to_string_lossy();
            name.ends_with(lawful_dsl::load::RULE_EXTENSION)
                && !name.ends_with(lawful_dsl::load::TEST_SUFFIX)
        }
    }
}

/// The watch thread: waits for changes, lets them settle, reloads.
fn watch_loop(shared: &Shared, signals: &Receiver<Signal>, debounce: Duration) {
    while let Ok(signal) = signals.recv() {
        if matches!(signal, Signal::Stop) {
            return;
        }
        let first = Instant::now();
        let longest = debounce.saturating_mul(MAX_DEBOUNCES);
        loop {
            match signals.recv_timeout(debounce) {
                Ok(Signal::Changed) if first.elapsed() < longest => {}
                Ok(Signal::Changed) | Err(RecvTimeoutError::Timeout) => break,
                Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        shared.reload(Trigger::Change);
    }
}
