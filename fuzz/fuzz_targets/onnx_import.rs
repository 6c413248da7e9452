//! Arbitrary bytes as an ONNX model: import must return Ok or Err, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(g) = zkc_compiler::onnx::import(data, &Default::default()) {
        let _ = zkc_compiler::table::render(&g, &Default::default());
    }
});
