//! Arbitrary bytes as each zkc artifact: a compiled circuit, a witness, and every backend's
//! verifying key, proof and proving key (loaded the way `verify` and `prove` load them, for a
//! small fixed program whose real keys are made once). Loading must return an error or, for a
//! proof, verify only if it is the real one: never panic, never accept garbage.
//!
//! The first byte picks the loader; the rest is the file. A proof input is also tried as a
//! one-byte-changed variant of the real proof, so the fuzzer starts next to valid bytes.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zkc_runtime::{Backend, Keys, Program, Trace};

struct Fixture {
    program: Program,
    trace: Trace,
    public: Vec<i128>,
    backends: Vec<(Box<dyn Backend>, Keys, Vec<u8>)>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (program, trace) = zkc_runtime::testing::every_argument_trace();
        let public = trace.public_values(&program);
        let backends = zkc_compiler::pipeline::BACKENDS
            .iter()
            .map(|name| {
                let b = zkc_compiler::prover::backend(name).expect("built-in backend");
                let keys = b.setup(&program).expect("setup of the fixture");
                let proof = b.prove(&program, &keys.proving_key, &trace).expect("proof of the fixture");
                (b, keys, proof)
            })
            .collect();
        Fixture {
            program,
            trace,
            public,
            backends,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let f = fixture();
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
            let (b, keys, proof) = &f.backends[(k as usize - 2) % f.backends.len()];
            match (k - 2) / 3 {
                // A verifying key, with the real proof.
                0 => {
                    if b.verify(&f.program, bytes, &f.public, proof).is_ok() {
                        assert_eq!(bytes, &keys.verifying_key[..], "{}: a foreign verifying key was accepted", b.name());
                    }
                }
                // A proof, as given and as the real proof with one byte changed.
                _ => {
                    if b.verify(&f.program, &keys.verifying_key, &f.public, bytes).is_ok() {
                        assert_eq!(bytes, &proof[..], "{}: a foreign proof was accepted", b.name());
                    }
                    if let Some((&x, rest)) = bytes.split_first() {
                        let mut bad = proof.clone();
                        let at = rest.iter().fold(0usize, |a, &b| a.wrapping_mul(31).wrapping_add(b as usize));
                        let at = at % bad.len();
                        bad[at] ^= x | 1;
                        assert!(
                            b.verify(&f.program, &keys.verifying_key, &f.public, &bad).is_err(),
                            "{}: a proof with byte {at} changed was accepted",
                            b.name()
                        );
                    }
                    // A proving key (halo2 and Groth16: plonky2's is tens of MB of circuit data).
                    if b.name() != "plonky2" {
                        let _ = b.prove(&f.program, bytes, &f.trace);
                    }
                }
            }
        }
    }
});
