//! The request reader, without Python: JSON → `Request` → JSON → `Request` gives
//! the request back, and the two ways to prepare a request (by names, and by ids
//! resolved beforehand, as the Python bindings' fast reader does) agree on
//! whether it is valid and on its decision.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lawful::Request;
use lawful_fuzz::{FILESTACK, decide_checked, fixed_now, prepare_resolved};

fuzz_target!(|data: &[u8]| {
    let Ok(mut request) = Request::from_json(data) else {
        return;
    };
    let written = match serde_json::to_vec(&request) {
        Ok(w) => w,
        Err(e) => panic!("a request read from JSON cannot be written back: {e}"),
    };
    match Request::from_json(&written) {
        Ok(again) => assert_eq!(again, request, "JSON round trip changed the request"),
        Err(e) => panic!(
            "a request written as JSON cannot be read back ({e}): {}",
            String::from_utf8_lossy(&written)
        ),
    }
    let policy = &*FILESTACK;
    request.at.get_or_insert_with(fixed_now);
    let by_names = policy.prepare(&request);
    let Some(by_ids) = prepare_resolved(policy, &request) else {
        return;
    };
    match (&by_names, &by_ids) {
        (Ok(a), Ok(b)) => {
            let a = decide_checked(policy, &request, a);
            let b = decide_checked(policy, &request, b);
            assert_eq!(a.key(), b.key(), "the two readers decide differently");
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!(
            "the two readers disagree: by names {:?}, by ids {:?}",
            a.as_ref().err(),
            b.as_ref().err()
        ),
    }
});
