//! Keys and proofs: tampering, keys of another program, damaged bytes, determinism.

use zkc_backend_groth16::Groth16;
use zkc_runtime::testing::every_argument_trace;
use zkc_runtime::{Argument, Backend, BackendError, Program, Trace};

/// The harness program with one Linear constant changed (same shape, another circuit).
fn other_program(p: &Program) -> Program {
    let mut q = p.clone();
    for (a, _) in &mut q.arguments {
        if let Argument::Linear { constant, .. } = a {
            *constant += 1;
            break;
        }
    }
    q
}

fn setup() -> (Program, Trace, zkc_runtime::Keys, Vec<u8>) {
    let (program, trace) = every_argument_trace();
    let keys = Groth16.setup(&program).unwrap();
    let proof = Groth16.prove(&program, &keys.proving_key, &trace).unwrap();
    (program, trace, keys, proof)
}

#[test]
fn groth16_verify_rejects_every_flipped_proof_byte() {
    let (program, trace, keys, proof) = setup();
    let public = trace.public_values(&program);
    assert_eq!(proof.len(), 128);
    for i in 0..proof.len() {
        for bit in [0x01u8, 0x80] {
            let mut p = proof.clone();
            p[i] ^= bit;
            assert!(
                Groth16.verify(&program, &keys.verifying_key, &public, &p).is_err(),
                "flipping bit {bit:#x} of proof byte {i} still verifies"
            );
        }
    }
}

#[test]
fn groth16_verify_rejects_changed_public_values() {
    let (program, trace, keys, proof) = setup();
    let public = trace.public_values(&program);
    Groth16.verify(&program, &keys.verifying_key, &public, &proof).unwrap();
    for i in 0..public.len() {
        for d in [1, -1, 1 << 20] {
            let mut p = public.clone();
            p[i] += d;
            assert!(Groth16.verify(&program, &keys.verifying_key, &p, &proof).is_err());
        }
    }
    assert!(Groth16
        .verify(&program, &keys.verifying_key, &public[1..], &proof)
        .is_err());
    let mut longer = public.clone();
    longer.push(0);
    assert!(Groth16.verify(&program, &keys.verifying_key, &longer, &proof).is_err());
}

#[test]
fn groth16_keys_of_another_program_are_refused() {
    let (program, trace, keys, proof) = setup();
    let other = other_program(&program);
    assert_ne!(other.hash(), program.hash());
    let other_keys = Groth16.setup(&other).unwrap();
    let public = trace.public_values(&program);
    let e = Groth16
        .verify(&program, &other_keys.verifying_key, &public, &proof)
        .unwrap_err();
    assert!(matches!(e, BackendError::Malformed { .. }), "{e}");
    assert!(e.to_string().contains("another circuit"), "{e}");
    let e = Groth16.prove(&program, &other_keys.proving_key, &trace).unwrap_err();
    assert!(e.to_string().contains("another circuit"), "{e}");
    // And the program's own keys verify the proof while the other program refuses it.
    Groth16.verify(&program, &keys.verifying_key, &public, &proof).unwrap();
    assert!(Groth16.verify(&other, &keys.verifying_key, &public, &proof).is_err());
}

#[test]
fn groth16_damaged_keys_and_proofs_give_errors_not_panics() {
    let (program, trace, keys, proof) = setup();
    let public = trace.public_values(&program);
    let vk = &keys.verifying_key;
    let pk = &keys.proving_key;
    let cuts = |n: usize| [0, 1, 7, 8, 40, n / 3, n / 2, n - 33, n - 1];
    for cut in cuts(vk.len()) {
        let e = Groth16.verify(&program, &vk[..cut], &public, &proof).unwrap_err();
        assert!(matches!(e, BackendError::Malformed { .. }), "vk cut at {cut}: {e}");
    }
    for cut in cuts(proof.len()) {
        let e = Groth16.verify(&program, vk, &public, &proof[..cut]).unwrap_err();
        assert!(matches!(e, BackendError::Malformed { .. }), "proof cut at {cut}: {e}");
    }
    for cut in cuts(pk.len()) {
        let e = Groth16.prove(&program, &pk[..cut], &trace).unwrap_err();
        assert!(matches!(e, BackendError::Malformed { .. }), "pk cut at {cut}: {e}");
    }
    let mut long_proof = proof.clone();
    long_proof.push(0);
    assert!(Groth16.verify(&program, vk, &public, &long_proof).is_err());
    // Flipped bytes everywhere in the keys: an error (or, for the proving key, a refused proof).
    for i in (0..vk.len()).step_by(7) {
        let mut v = vk.clone();
        v[i] ^= 0x10;
        assert!(Groth16.verify(&program, &v, &public, &proof).is_err(), "vk byte {i}");
    }
    for i in (0..pk.len()).step_by(pk.len() / 97) {
        let mut p = pk.clone();
        p[i] ^= 0x10;
        if let Ok(pr) = Groth16.prove(&program, &p, &trace) {
            // The flip hit a byte the proof does not depend on: the proof must still be valid.
            Groth16.verify(&program, vk, &public, &pr).unwrap();
        }
    }
    // Length prefixes that claim absurd sizes.
    let mut p = pk.clone();
    let at = 8 + 64 + 24 + 4 + 32 + 3 * 64 + (public.len() + 1) * 32 + 128;
    p[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(Groth16.prove(&program, &p, &trace).is_err());
    let mut v = vk.clone();
    v[72..76].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(Groth16.verify(&program, &v, &public, &proof).is_err());
}

#[test]
fn groth16_seeded_setup_is_deterministic() {
    let (program, _) = every_argument_trace();
    let a = Groth16.setup_with_seed(&program, b"test seed").unwrap();
    let b = Groth16.setup_with_seed(&program, b"test seed").unwrap();
    assert_eq!(a.verifying_key, b.verifying_key);
    assert_eq!(a.proving_key, b.proving_key);
    let c = Groth16.setup_with_seed(&other_program(&program), b"test seed").unwrap();
    assert_ne!(a.verifying_key, c.verifying_key);
    let d = Groth16.setup_with_seed(&program, b"another seed").unwrap();
    assert_ne!(a.verifying_key, d.verifying_key);
}

#[test]
fn groth16_default_setup_draws_fresh_toxic_waste() {
    // Keys derived from anything public (the program, its hash) could be forged by anyone:
    // two default setups of one program must differ, and neither accepts the other's proofs.
    let (program, trace) = every_argument_trace();
    let a = Groth16.setup(&program).unwrap();
    let b = Groth16.setup(&program).unwrap();
    assert_ne!(a.verifying_key, b.verifying_key);
    assert_ne!(a.proving_key, b.proving_key);
    let public = trace.public_values(&program);
    let proof = Groth16.prove(&program, &a.proving_key, &trace).unwrap();
    Groth16.verify(&program, &a.verifying_key, &public, &proof).unwrap();
    assert!(Groth16.verify(&program, &b.verifying_key, &public, &proof).is_err());
}

#[test]
fn groth16_proofs_are_randomized_and_all_verify() {
    let (program, trace, keys, proof) = setup();
    let again = Groth16.prove(&program, &keys.proving_key, &trace).unwrap();
    assert_ne!(
        proof, again,
        "two proofs of one trace must differ (zero-knowledge blinding)"
    );
    let public = trace.public_values(&program);
    Groth16.verify(&program, &keys.verifying_key, &public, &again).unwrap();
}
