//! `lawful fmt` round trips: formatting is idempotent, and never changes whether a
//! policy loads or what it decides.
//!
//! INTEGRATE: this target needs `lawful_dsl::format::format_policy(&str) ->
//! Result<String, Vec<Diagnostic>>`, which another branch adds. It is not in
//! `fuzz/Cargo.toml`'s targets yet; add its `[[bin]]` there (the block is written,
//! commented out) once the formatter is on main.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lawful_dsl::format::format_policy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(formatted) = format_policy(text) else {
        return;
    };
    match format_policy(&formatted) {
        Ok(again) => assert_eq!(again, formatted, "formatting twice changed the text"),
        Err(d) => panic!("formatted text does not format again: {d:?}"),
    }
    let before = lawful::Policy::from_sources([("fuzz.lawful", text)]);
    let after = lawful::Policy::from_sources([("fuzz.lawful", formatted.as_str())]);
    match (before, after) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.versions(), b.versions(), "formatting changed the versions");
            assert_eq!(
                lawful_fuzz::sweep(&a),
                lawful_fuzz::sweep(&b),
                "formatting changed a decision"
            );
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!(
            "formatting changed whether the policy loads: before {:?}, after {:?}",
            a.err().map(|e| e.to_string()),
            b.err().map(|e| e.to_string())
        ),
    }
});
