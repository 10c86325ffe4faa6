//! Request JSON → decision against Filestack's policy: any bytes either decide or
//! give a request error (never a panic), an error is never an allow, and the
//! decision, its explanation and its JSON form agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lawful_fuzz::{FILESTACK, decide_checked, fixed_now};

fuzz_target!(|data: &[u8]| {
    let policy = &*FILESTACK;
    let decided = policy.decide_json(data);
    let request = lawful::Request::from_json(data);
    match (&decided, &request) {
        (Ok(_), Err(e)) => panic!("decided a request the reader refuses: {e}"),
        (Err(e), _) => {
            // What `lawful decide` prints for it: an error object, never an answer.
            let line = serde_json::json!({ "error": e });
            assert!(line.get("allowed").is_none());
            assert!(!e.message.is_empty(), "an error without a message");
        }
        (Ok(_), Ok(_)) => {}
    }
    let Ok(mut request) = request else {
        return;
    };
    // Decide once more at a fixed instant, the plain way and with a trace.
    request.at.get_or_insert_with(fixed_now);
    if let Ok(prepared) = policy.prepare(&request) {
        decide_checked(policy, &request, &prepared);
    }
});
