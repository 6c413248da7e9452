//! Arbitrary bytes as each zkc artifact: a compiled circuit, a witness, and every backend's
//! verifying key, proof and proving key, loaded the way `verify` and `prove` load them for a
//! small fixed program (no keys are generated: the fuzzer stays fast). Loading must return an
//! error, never panic or allocate without bound. (That a changed byte of a *real* proof or key
//! is rejected is `tests/tests/artifact_damage.rs`.)
//!
//! The first byte picks the loader; for keys and proofs the second splits the rest into a
//! verifying key and a proof.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zkc_runtime::{Program, Trace};

fn fixture() -> &'static (Program, Trace, Vec<i128>) {
    static F: OnceLock<(Program, Trace, Vec<i128>)> = OnceLock::new();
    F.get_or_init(|| {
        let (program, trace) = zkc_runtime::testing::every_argument_trace();
        let public = trace.public_values(&program);
        (program, trace, public)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let (program, trace, public) = fixture();
    let backends = zkc_compiler::pipeline::BACKENDS;
    match which % 8 {
        0 | 1 => {
            let dir = std::env::temp_dir().join(format!("zkc-fuzz-{}", std::process::id()));
            let _ = std::fs::create_dir_all(&dir);
            let p = dir.join("a.zkc");
            if std::fs::write(&p, bytes).is_ok() {
                let _ = zkc_compiler::pipeline::read_circuit(&p);
                let _ = zkc_runtime::artifact::read(&p, "witness", "halo2", None);
            }
        }
        k => {
            let name = backends[(k as usize - 2) % backends.len()];
            let b = zkc_compiler::prover::backend(name).expect("built-in backend");
            let Some((&split, rest)) = bytes.split_first() else {
                return;
            };
            let at = (split as usize * rest.len()) / 255;
            let (vk, proof) = rest.split_at(at.min(rest.len()));
            if (k - 2) / 3 == 0 {
                let _ = b.verify(program, vk, public, proof);
            } else {
                let _ = b.prove(program, rest, trace);
            }
        }
    }
});
