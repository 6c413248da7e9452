mod common;

use zkc_backend_halo2::Halo2;
use zkc_runtime::{Backend, Keys};

fn backend() -> Halo2 {
    Halo2::with_srs_dir(common::srs_dir())
}

fn setup(program: &zkc_runtime::Program) -> Keys {
    backend().setup(program).expect("setup")
}

#[test]
fn every_argument_program_proves_and_verifies() {
    let (program, trace) = common::every_argument();
    let keys = setup(&program);
    let proof = backend().prove(&program, &keys.proving_key, &trace).unwrap();
    let public = trace.public_values(&program);
    backend()
        .verify(&program, &keys.verifying_key, &public, &proof)
        .unwrap();

    // One flipped byte anywhere in the proof is rejected.
    for at in [0, proof.len() / 2, proof.len() - 1] {
        let mut bad = proof.clone();
        bad[at] ^= 1;
        assert!(
            backend().verify(&program, &keys.verifying_key, &public, &bad).is_err(),
            "flip at {at}"
        );
    }
    // A changed public value is rejected.
    for i in 0..public.len() {
        let mut p = public.clone();
        p[i] += 1;
        assert!(
            backend().verify(&program, &keys.verifying_key, &p, &proof).is_err(),
            "public {i}"
        );
    }
    // Truncated proof and trailing bytes are errors, not panics.
    assert!(backend()
        .verify(&program, &keys.verifying_key, &public, &proof[..proof.len() - 7])
        .is_err());
    let mut longer = proof.clone();
    longer.push(0);
    assert!(backend()
        .verify(&program, &keys.verifying_key, &public, &longer)
        .is_err());
    assert!(backend().verify(&program, &keys.verifying_key, &public, &[]).is_err());
}

#[test]
fn keys_are_deterministic() {
    let (program, _) = common::every_argument();
    let a = setup(&program);
    let b = setup(&program);
    assert_eq!(a.verifying_key, b.verifying_key);
    assert_eq!(a.proving_key, b.proving_key);
}

#[test]
fn tiny_programs_prove_and_verify() {
    // No arguments at all, and a lone public input.
    let empty = zkc_runtime::Program::default();
    let t = zkc_runtime::Trace { values: vec![] };
    let keys = setup(&empty);
    let proof = backend().prove(&empty, &keys.proving_key, &t).unwrap();
    backend().verify(&empty, &keys.verifying_key, &[], &proof).unwrap();
    assert!(backend().verify(&empty, &keys.verifying_key, &[1], &proof).is_err());

    let mut b = common::Builder::new();
    let x = b.input(-42);
    b.public(x);
    let (p, t) = b.finish();
    backend().mock(&p, &t).unwrap();
    let keys = setup(&p);
    let proof = backend().prove(&p, &keys.proving_key, &t).unwrap();
    backend().verify(&p, &keys.verifying_key, &[-42], &proof).unwrap();
    assert!(backend().verify(&p, &keys.verifying_key, &[42], &proof).is_err());
}

#[test]
fn hash_program_proves_and_verifies_with_the_runtimes_digest() {
    let (program, trace) = common::hash_program();
    let public = trace.public_values(&program);
    // The published digest is the runtime's off-circuit hash of the five inputs.
    let inputs = [5, -3, 1 << 100, 0, 3 * 5 - 2 * -3 + 7];
    let want = zkc_runtime::poseidon::hash(zkc_runtime::HashKind::PoseidonBn254, &inputs);
    assert_eq!(public[..4], want);
    zkc_runtime::check(&program, &trace).unwrap();
    backend().mock(&program, &trace).unwrap();
    let keys = setup(&program);
    let proof = backend().prove(&program, &keys.proving_key, &trace).unwrap();
    backend()
        .verify(&program, &keys.verifying_key, &public, &proof)
        .unwrap();
    // A changed published digest limb is rejected (each limb, both directions).
    for i in 0..4 {
        for d in [1, -1] {
            let mut p = public.clone();
            p[i] += d;
            assert!(
                backend().verify(&program, &keys.verifying_key, &p, &proof).is_err(),
                "digest limb {i} {d:+}"
            );
        }
    }
    // The digest of other inputs is rejected too.
    let other = zkc_runtime::poseidon::hash(zkc_runtime::HashKind::PoseidonBn254, &[5, -3, 1 << 100, 1, 28]);
    let mut p = public.clone();
    p[..4].copy_from_slice(&other);
    assert!(backend().verify(&program, &keys.verifying_key, &p, &proof).is_err());
}
