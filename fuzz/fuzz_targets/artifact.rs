//! Arbitrary bytes as a zkc artifact (compiled circuit, witness): loading must not panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("zkc-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let p = dir.join("a.zkc");
    if std::fs::write(&p, data).is_ok() {
        let _ = zkc_compiler::pipeline::read_circuit(&p);
        let _ = zkc_runtime::artifact::read(&p, "witness", "halo2", None);
    }
});
