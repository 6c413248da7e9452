//! Damaged keys and proofs, on every backend: a truncated proving key, verifying key or proof
//! (at every length from a sample that includes the header's edges) and a proof or verifying
//! key with one byte flipped are rejected with an error that says what is wrong, never a panic
//! and never an accepted proof.

use zkc_compiler::{pipeline, prover};
use zkc_runtime::testing::every_argument_trace;

/// Lengths to cut a file of `n` bytes to: inside and just past the header, and through the
/// payload.
fn cuts(n: usize) -> Vec<usize> {
    let mut c = vec![0, 1, 4, 7, 8, 16, 31, 32, 33, 64, 100, n / 4, n / 2, 3 * n / 4, n - 1];
    c.retain(|&k| k < n);
    c.sort_unstable();
    c.dedup();
    c
}

/// `count` positions spread over `n` bytes.
fn spread(n: usize, count: usize) -> Vec<usize> {
    (0..count).map(|i| i * (n - 1) / (count - 1).max(1)).collect()
}

#[test]
fn truncated_or_flipped_keys_and_proofs_are_rejected_on_every_backend() {
    let (program, trace) = every_argument_trace();
    let public = trace.public_values(&program);
    for name in pipeline::BACKENDS {
        let b = prover::backend(name).unwrap();
        let keys = b.setup(&program).unwrap();
        let proof = b.prove(&program, &keys.proving_key, &trace).unwrap();
        b.verify(&program, &keys.verifying_key, &public, &proof).unwrap();
        let rejects = |what: &str, r: Result<(), zkc_runtime::BackendError>| match r {
            Ok(()) => panic!("{name}: {what} accepted"),
            Err(e) => assert!(!e.to_string().trim().is_empty(), "{name}: {what}: empty message"),
        };
        for k in cuts(proof.len()) {
            rejects(
                &format!("proof cut to {k} of {} bytes", proof.len()),
                b.verify(&program, &keys.verifying_key, &public, &proof[..k]),
            );
        }
        for k in cuts(keys.verifying_key.len()) {
            rejects(
                &format!("verifying key cut to {k} bytes"),
                b.verify(&program, &keys.verifying_key[..k], &public, &proof),
            );
        }
        for k in cuts(keys.proving_key.len()) {
            rejects(
                &format!("proving key cut to {k} bytes"),
                b.prove(&program, &keys.proving_key[..k], &trace).map(|_| ()),
            );
        }
        for i in spread(proof.len(), 24) {
            let mut bad = proof.clone();
            bad[i] ^= 0x01;
            rejects(
                &format!("proof with byte {i} flipped"),
                b.verify(&program, &keys.verifying_key, &public, &bad),
            );
        }
        for i in spread(keys.verifying_key.len(), 24) {
            let mut bad = keys.verifying_key.clone();
            bad[i] ^= 0x01;
            rejects(
                &format!("verifying key with byte {i} of {} flipped", bad.len()),
                b.verify(&program, &bad, &public, &proof),
            );
        }
        println!(
            "{name}: proof {} B, vk {} B, pk {} B: every cut and flip rejected",
            proof.len(),
            keys.verifying_key.len(),
            keys.proving_key.len()
        );
    }
}
