//! Arbitrary text as IN.json: parsing must return Ok or Err, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = zkc_compiler::io::parse_input_lists(text, "fuzz.json");
    }
});
