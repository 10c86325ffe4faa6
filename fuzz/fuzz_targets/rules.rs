//! Rule text → compiled policy. Any text either loads or fails with diagnostics
//! (never a panic or a hang); a policy that loads answers every request it can
//! name, and decide and explain agree. The same text read as a test file either
//! gives cases or diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lawful_dsl::Source;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match lawful::Policy::from_sources([("fuzz.lawful", text)]) {
        Ok(policy) => {
            for warning in policy.warnings() {
                assert!(!warning.is_error(), "an error among the warnings");
                let _ = warning.to_string();
            }
            let _ = lawful_fuzz::sweep(&policy);
        }
        Err(error) => {
            assert!(
                error.diagnostics.iter().any(|d| d.is_error()),
                "a policy refused without an error"
            );
            let _ = error.to_string();
        }
    }
    let source = Source::new("fuzz.test.lawful", text);
    if let Ok(file) = lawful_dsl::load::parse_tests(&source) {
        let _ = file.cases.len();
    }
});
