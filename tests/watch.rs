//! Hot reload: a watched policy keeps its last good version through broken edits,
//! swaps in fixed ones, and answers many threads while it is reloaded under them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[path = "support/files.rs"]
mod files;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use files::{copy_of_filestack, replace};
use lawful::watch::{Outcome, Reload, Trigger, WatchOptions};
use lawful::{Policy, Request, Watcher};

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack");
const NEWEST: &str = "2021-11-11.lawful";
/// Long enough for a slow machine; a passing test waits far less.
const PATIENCE: Duration = Duration::from_secs(30);

/// The newest version with children under 21 rather than 18: a 19-year-old
/// visitor's data is then refused.
fn stricter(text: &str) -> String {
    assert!(text.contains("children under 18"));
    text.replace("children under 18", "children under 21")
}

fn watcher(dir: &Path) -> (Watcher, Receiver<Reload>) {
    let (sender, receiver) = mpsc::channel();
    let sender = Mutex::new(sender);
    let watcher = Watcher::with_options(
        dir,
        WatchOptions {
            debounce: Duration::from_millis(50),
        },
        move |reload: &Reload| {
            let _ = sender.lock().unwrap().send(reload.clone());
        },
    )
    .unwrap();
    (watcher, receiver)
}

/// The next report that satisfies `wanted`, skipping others (an editor's save may
/// make more than one).
fn wait_for(reports: &Receiver<Reload>, wanted: impl Fn(&Reload) -> bool) -> Reload {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let report = reports
            .recv_timeout(left)
            .unwrap_or_else(|e| panic!("no such reload report: {e}"));
        if wanted(&report) {
            return report;
        }
    }
}

const NINETEEN: &str = r#"{"action": "use", "subject": {"role": "visitor", "age": 19}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#;

fn decide(policy: &Policy, json: &str) -> serde_json::Value {
    serde_json::to_value(policy.decide_json(json.as_bytes()).unwrap()).unwrap()
}

#[test]
fn a_broken_edit_keeps_the_last_good_policy_and_a_fix_swaps_in() {
    let dir = copy_of_filestack("broken");
    let (watcher, reports) = watcher(&dir);
    let start = reports.recv_timeout(PATIENCE).unwrap();
    assert_eq!(start.trigger, Trigger::Start);
    assert!(matches!(start.outcome, Outcome::Loaded { previous: None }));
    let good = watcher.policy().digest().to_owned();
    assert_eq!(start.serving, good);
    assert_eq!(decide(&watcher.policy(), NINETEEN)["allowed"], true);

    // Saved half-way through a rule: the reload fails, says where, and the last
    // good policy goes on deciding.
    let file = dir.join(NEWEST);
    let original = std::fs::read_to_string(&file).unwrap();
    replace(
        &file,
        &format!("{original}\nrule half-written\n  allow use of contact.emial\n"),
    );
    let failed = wait_for(&reports, |r| !r.ok());
    assert_eq!(failed.trigger, Trigger::Change);
    assert_eq!(failed.serving, good);
    let diagnostics = failed.diagnostics();
    assert!(!diagnostics.is_empty());
    assert!(
        diagnostics.iter().any(|d| d
            .location
            .as_ref()
            .is_some_and(|l| l.file.ends_with(NEWEST))),
        "{failed}"
    );
    assert!(failed.to_string().contains("still serving"), "{failed}");
    for _ in 0..100 {
        let decision = decide(&watcher.policy(), NINETEEN);
        assert_eq!(decision["allowed"], true);
        assert_eq!(decision["digest"], good.as_str());
    }
    assert!(!watcher.last_reload().ok());

    // Fixed (and made stricter): the new policy swaps in.
    replace(&file, &stricter(&original));
    let fixed = wait_for(&reports, Reload::changed);
    assert!(matches!(&fixed.outcome, Outcome::Loaded { previous: Some(p) } if *p == good));
    assert_ne!(fixed.serving, good);
    let decision = decide(&watcher.policy(), NINETEEN);
    assert_eq!(decision["allowed"], false);
    assert_eq!(decision["rule"], "children");
    assert_eq!(decision["digest"], fixed.serving.as_str());
    assert_eq!(watcher.policy().digest(), fixed.serving);

    // Asking again finds nothing new.
    let again = watcher.reload_now();
    assert_eq!(again.trigger, Trigger::Manual);
    assert!(again.ok() && !again.changed());
    assert_eq!(again.serving, fixed.serving);

    drop(watcher);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn test_files_and_other_files_beside_the_rules_do_not_reload() {
    let dir = copy_of_filestack("others");
    let (watcher, reports) = watcher(&dir);
    let _start = reports.recv_timeout(PATIENCE).unwrap();
    std::fs::write(dir.join("notes.txt"), "a note").unwrap();
    std::fs::write(dir.join("more.test.lawful"), "not even valid").unwrap();
    std::fs::write(dir.join(".2021-11-11.lawful.swp"), "swap").unwrap();
    // Then a real change, which must be the next report.
    let file = dir.join(NEWEST);
    let original = std::fs::read_to_string(&file).unwrap();
    replace(&file, &stricter(&original));
    let next = reports.recv_timeout(PATIENCE).unwrap();
    assert!(next.changed(), "{next}");
    drop(watcher);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_single_watched_file_reloads_when_replaced() {
    let dir = copy_of_filestack("single");
    let file = dir.join(NEWEST);
    let (watcher, reports) = watcher(&file);
    let _start = reports.recv_timeout(PATIENCE).unwrap();
    assert_eq!(watcher.policy().versions().len(), 1);
    let original = std::fs::read_to_string(&file).unwrap();
    // Another version's file changing is no concern of this watcher.
    std::fs::write(dir.join("2017-11-08.lawful"), "broken").unwrap();
    replace(&file, &stricter(&original));
    let next = reports.recv_timeout(PATIENCE).unwrap();
    assert!(next.changed(), "{next}");
    assert_eq!(decide(&watcher.policy(), NINETEEN)["rule"], "children");
    drop(watcher);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_policy_that_does_not_load_at_first_is_an_error() {
    let dir = copy_of_filestack("first");
    std::fs::write(dir.join(NEWEST), "policy \"x\"\nversion 2021-13-45\n").unwrap();
    let error = Watcher::new(&dir, |_: &Reload| {}).unwrap_err();
    assert!(error.to_string().contains("2021-11-11.lawful"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dropping_the_watcher_stops_its_thread_and_releases_the_callback() {
    let dir = copy_of_filestack("drop");
    let (watcher, reports) = watcher(&dir);
    let _start = reports.recv_timeout(PATIENCE).unwrap();
    drop(watcher);
    // The callback (and its sender) is gone once the thread has stopped, so the
    // channel is closed; a change after that reports nothing.
    let file = dir.join(NEWEST);
    let original = std::fs::read_to_string(&file).unwrap();
    replace(&file, &stricter(&original));
    assert_eq!(
        reports.recv_timeout(Duration::from_secs(2)).unwrap_err(),
        mpsc::RecvTimeoutError::Disconnected
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Requests to decide, each with a fixed `at` so the answers do not depend on
/// the clock: the acceptance cases, and the nineteen-year-old.
fn requests() -> Vec<Request> {
    let mut out = vec![Request::from_json(NINETEEN.as_bytes()).unwrap()];
    for file in ["filestack.jsonl", "filestack-fidelity.jsonl"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/acceptance")
            .join(file);
        for line in std::fs::read_to_string(path).unwrap().lines() {
            if line.trim().is_empty() {
                continue;
            }
            let case: serde_json::Value = serde_json::from_str(line).unwrap();
            if let Ok(mut request) = Request::from_value(&case["request"]) {
                request
                    .at
                    .get_or_insert(lawful::Timestamp::from_date(2026, 3, 1).unwrap());
                out.push(request);
            }
        }
    }
    out
}

/// Each answer as JSON (or the error), from one thread, for one policy.
fn reference(policy: &Policy, requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| match policy.decide(r) {
            Ok(d) => serde_json::to_string(&d).unwrap(),
            Err(e) => e.to_string(),
        })
        .collect()
}

#[test]
fn many_threads_decide_while_the_policy_is_reloaded_under_them() {
    const THREADS: usize = 8;
    const SWAPS: usize = 10;
    let dir = copy_of_filestack("threads");
    let file = dir.join(NEWEST);
    let original = std::fs::read_to_string(&file).unwrap();
    let texts = [original.clone(), stricter(&original)];

    // The single-threaded reference: every answer of each of the two policies.
    let requests = requests();
    assert!(requests.len() > 40);
    let mut expected: HashMap<String, Vec<String>> = HashMap::new();
    for text in &texts {
        replace(&file, text);
        let policy = Policy::load(&dir).unwrap();
        expected.insert(policy.digest().to_owned(), reference(&policy, &requests));
    }
    assert_eq!(expected.len(), 2);
    let [a, b]: [&Vec<String>; 2] = [0, 1].map(|i| {
        let mut all: Vec<&Vec<String>> = expected.values().collect();
        all.sort();
        all[i]
    });
    assert_ne!(a, b, "the two policies must answer differently somewhere");
    replace(&file, &texts[0]);

    let (watcher, _reports) = watcher(&dir);
    let stop = AtomicBool::new(false);
    let decided = AtomicUsize::new(0);
    // The digest each reader last decided with.
    let last_seen: Vec<Mutex<String>> = (0..THREADS).map(|_| Mutex::default()).collect();
    let seen: Mutex<HashMap<String, usize>> = Mutex::new(HashMap::new());
    std::thread::scope(|scope| {
        // Stop the readers however this thread leaves the scope, a failed assert included.
        struct StopOnDrop<'a>(&'a AtomicBool);
        impl Drop for StopOnDrop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        let _stop = StopOnDrop(&stop);
        for (t, slot) in last_seen.iter().enumerate() {
            let (watcher, stop, decided, seen, expected, requests) =
                (&watcher, &stop, &decided, &seen, &expected, &requests);
            scope.spawn(move || {
                let mut i = t;
                let mut last = String::new();
                while !stop.load(Ordering::Relaxed) {
                    let policy = watcher.policy();
                    let index = i % requests.len();
                    let got = match policy.decide(&requests[index]) {
                        Ok(d) => serde_json::to_string(&d).unwrap(),
                        Err(e) => e.to_string(),
                    };
                    let want = &expected
                        .get(policy.digest())
                        .unwrap_or_else(|| panic!("a policy no one wrote: {}", policy.digest()))
                        [index];
                    assert_eq!(&got, want, "request {index} under {}", policy.digest());
                    if policy.digest() != last {
                        policy.digest().clone_into(&mut last);
                        last.clone_into(&mut slot.lock().unwrap());
                        *seen.lock().unwrap().entry(last.clone()).or_default() += 1;
                    }
                    i += 1;
                }
                decided.fetch_add(i - t, Ordering::Relaxed);
            });
        }
        for swap in 1..=SWAPS {
            replace(&file, &texts[swap % 2]);
            // Reloaded now or by the watch thread, whichever comes first.
            let report = watcher.reload_now();
            assert!(report.ok(), "{report}");
            // Wait until a reader has decided with this policy.
            let deadline = Instant::now() + PATIENCE;
            while !last_seen
                .iter()
                .any(|slot| *slot.lock().unwrap() == report.serving)
            {
                assert!(
                    Instant::now() < deadline,
                    "no reader saw {}",
                    report.serving
                );
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    });
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen.values().all(|n| *n >= SWAPS / 2),
        "each policy was seen after each swap to it: {seen:?}"
    );
    assert!(decided.into_inner() > SWAPS * THREADS);
    drop(watcher);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Reloads are logged through the `log` facade, the failure with its diagnostics.
#[test]
fn reloads_are_logged() {
    static RECORDS: Mutex<Vec<(log::Level, String)>> = Mutex::new(Vec::new());
    struct Capture;
    impl log::Log for Capture {
        fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
            metadata.target() == "lawful::watch"
        }
        fn log(&self, record: &log::Record<'_>) {
            if self.enabled(record.metadata()) {
                RECORDS
                    .lock()
                    .unwrap()
                    .push((record.level(), record.args().to_string()));
            }
        }
        fn flush(&self) {}
    }
    static CAPTURE: Capture = Capture;
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Debug);

    let dir = copy_of_filestack("log");
    let file = dir.join(NEWEST);
    let watcher = Watcher::new(&dir, |_: &Reload| {}).unwrap();
    let original = std::fs::read_to_string(&file).unwrap();
    replace(&file, "policy \"Filestack\"\nversion 2021-11-11\nrule\n");
    assert!(!watcher.reload_now().ok());
    replace(&file, &original);
    drop(watcher);
    std::fs::remove_dir_all(&dir).unwrap();

    let records = RECORDS.lock().unwrap();
    let digest = Arc::new(Policy::load(RULES).unwrap().digest().to_owned());
    assert!(
        records
            .iter()
            .any(|(level, text)| *level == log::Level::Info && text.contains(digest.as_str())),
        "{records:?}"
    );
    assert!(
        records
            .iter()
            .any(|(level, text)| *level == log::Level::Error
                && text.contains("reload failed")
                && text.contains("error[")),
        "{records:?}"
    );
}

#[test]
fn a_callback_may_drop_the_last_handle_to_its_watcher() {
    let dir = copy_of_filestack("last-handle");
    let slot: Arc<Mutex<Option<Arc<Watcher>>>> = Arc::default();
    let (sender, reports) = mpsc::channel();
    let sender = Mutex::new(sender);
    let in_callback = Arc::clone(&slot);
    let watcher = Arc::new(
        Watcher::new(&dir, move |reload: &Reload| {
            // The watch thread drops the last handle: the watcher stops once
            // this callback returns, instead of waiting for itself.
            let last = in_callback.lock().unwrap().take();
            drop(last);
            let _ = sender.lock().unwrap().send(reload.clone());
        })
        .unwrap(),
    );
    *slot.lock().unwrap() = Some(Arc::clone(&watcher));
    drop(watcher);
    let file = dir.join(NEWEST);
    let original = std::fs::read_to_string(&file).unwrap();
    replace(&file, &stricter(&original));
    let start = reports.recv_timeout(PATIENCE).unwrap();
    assert_eq!(start.trigger, Trigger::Start);
    let report = reports.recv_timeout(PATIENCE).unwrap();
    assert!(
        report.changed() && report.trigger == Trigger::Change,
        "{report}"
    );
    // The thread then ends and the callback (with its sender) is dropped.
    assert_eq!(
        reports.recv_timeout(PATIENCE).unwrap_err(),
        mpsc::RecvTimeoutError::Disconnected
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
