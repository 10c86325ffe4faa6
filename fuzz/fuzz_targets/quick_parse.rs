//! The quick declaration reader against pest: every declaration it vouches for
//! must be the one pest reads, with the same spans and the same end.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(disagreement) = lawful_dsl::agrees_with_pest(text) {
        panic!("{disagreement}");
    }
});
