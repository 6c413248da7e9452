//! The shared soundness harness (`zkc_runtime::testing`) on the halo2 backend.

mod common;

use zkc_backend_halo2::{layout, Halo2};
use zkc_runtime::checker::check;
use zkc_runtime::testing::{every_argument_trace, mutations, one_mutation_per_argument_kind};
use zkc_runtime::Backend;

fn backend() -> Halo2 {
    Halo2::with_srs_dir(common::srs_dir())
}

#[test]
fn every_argument_program_mocks_proves_and_verifies() {
    let (program, trace) = every_argument_trace();
    check(&program, &trace).expect("the harness trace is valid");
    let l = layout(&program).unwrap();
    eprintln!("every-argument program: k={} rows={} layout={l:?}", l.k, l.rows);
    backend().mock(&program, &trace).unwrap();
    let keys = backend().setup(&program).unwrap();
    let proof = backend().prove(&program, &keys.proving_key, &trace).unwrap();
    let public = trace.public_values(&program);
    backend()
        .verify(&program, &keys.verifying_key, &public, &proof)
        .unwrap();
    let mut flipped = proof.clone();
    flipped[proof.len() / 3] ^= 0x04;
    assert!(backend()
        .verify(&program, &keys.verifying_key, &public, &flipped)
        .is_err());
    for i in 0..public.len() {
        let mut p = public.clone();
        p[i] -= 1;
        assert!(backend().verify(&program, &keys.verifying_key, &p, &proof).is_err());
    }
}

/// The soundness test: an accepted mutation is a critical bug.
#[test]
fn all_argument_kinds_halo2_mock_rejects_every_single_value_mutation() {
    let (program, trace) = every_argument_trace();
    let muts = mutations(&program, &trace);
    assert!(!muts.is_empty());
    let mut accepted = Vec::new();
    for m in &muts {
        // The checker is the spec: every harness mutation violates it.
        assert!(
            check(&program, &m.trace).is_err(),
            "harness mutation of {:?} is valid",
            m.var
        );
        match backend().mock(&program, &m.trace) {
            Ok(()) => accepted.push((m.var, m.argument_kind)),
            Err(e) => eprintln!("{} v{}: {e}", m.argument_kind, m.var.0),
        }
    }
    assert!(accepted.is_empty(), "halo2 mock accepted mutations: {accepted:?}");
}

#[test]
fn all_argument_kinds_halo2_prove_verify_rejects_one_mutation_per_kind() {
    let (program, trace) = every_argument_trace();
    let keys = backend().setup(&program).unwrap();
    let honest_public = trace.public_values(&program);
    let muts = one_mutation_per_argument_kind(&program, &trace);
    let kinds: Vec<&str> = muts.iter().map(|m| m.argument_kind).collect();
    for kind in ["Input", "Linear", "Mul", "Rescale", "Lookup", "Div", "Max"] {
        assert!(kinds.contains(&kind), "no {kind} mutation in {kinds:?}");
    }
    for m in muts {
        // halo2's prover does not check constraints, so a proof may come out: it must not verify.
        match backend().prove(&program, &keys.proving_key, &m.trace) {
            Err(e) => eprintln!("{}: prove refused: {e}", m.argument_kind),
            Ok(proof) => {
                for public in [m.trace.public_values(&program), honest_public.clone()] {
                    assert!(
                        backend()
                            .verify(&program, &keys.verifying_key, &public, &proof)
                            .is_err(),
                        "a proof of a mutated {} trace verified",
                        m.argument_kind
                    );
                }
            }
        }
    }
}
