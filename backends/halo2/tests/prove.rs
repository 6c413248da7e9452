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
    let proof = backend()
        .prove(&program, &keys.proving_key, &trace)
        .unwrap();
    let public = trace.public_values(&program);
    backend()
        .verify(&program, &keys.verifying_key, &public, &proof)
        .unwrap();

    // One flipped byte anywhere in the proof is rejected.
    for at in [0, proof.len() / 2, proof.len() - 1] {
        let mut bad = proof.clone();
        bad[at] ^= 1;
        assert!(
            backend()
                .verify(&program, &keys.verifying_key, &public, &bad)
                .is_err(),
            "flip at {at}"
        );
    }
    // A changed public value is rejected.
    for i in 0..public.len() {
        let mut p = public.clone();
        p[i] += 1;
        assert!(
            backend()
                .verify(&program, &keys.verifying_key, &p, &proof)
                .is_err(),
            "public {i}"
        );
    }
    // Truncated proof and trailing bytes are errors, not panics.
    assert!(backend()
        .verify(
            &program,
            &keys.verifying_key,
            &public,
            &proof[..proof.len() - 7]
        )
        .is_err());
    let mut longer = proof.clone();
    longer.push(0);
    assert!(backend()
        .verify(&program, &keys.verifying_key, &public, &longer)
        .is_err());
    assert!(backend()
        .verify(&program, &keys.verifying_key, &public, &[])
        .is_err());
}

#[test]
fn keys_are_deterministic() {
    let (program, _) = common::every_argument();
    let a = setup(&program);
    let b = setup(&program);
    assert_eq!(a.verifying_key, b.verifying_key);
    assert_eq!(a.proving_key, b.proving_key);
}
