//! The shared soundness harness (`zkc_runtime::testing`) on the halo2 backend.

mod common;

use zkc_backend_halo2::{layout, Halo2};
use zkc_runtime::checker::check;
use zkc_runtime::testing::{
    every_argument_trace, hash_bound_cases, hash_trace, mutations, one_mutation_per_argument_kind,
    random_program_with_hash,
};
use zkc_runtime::{solve, Backend, HashKind};

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

/// The shared Hash program (a 9-value hash with the Linear output among its inputs, and a
/// hash of nothing): it mocks, proves and verifies, and every changed value is rejected by
/// `mock` (by ±1 and by 2^64, the size of a digest limb).
#[test]
fn hash_halo2_shared_program_mocks_proves_and_rejects_every_mutation() {
    let (program, trace) = hash_trace(HashKind::PoseidonBn254);
    check(&program, &trace).expect("the harness trace is valid");
    backend().mock(&program, &trace).unwrap();
    let mut accepted = Vec::new();
    for delta in [1i128, -1, 1 << 64] {
        for v in 0..trace.values.len() {
            let mut t = trace.clone();
            t.values[v] += delta;
            if check(&program, &t).is_ok() {
                continue;
            }
            if backend().mock(&program, &t).is_ok() {
                accepted.push((v, delta));
            }
        }
    }
    assert!(accepted.is_empty(), "halo2 mock accepted hash mutations: {accepted:?}");
    let keys = backend().setup(&program).unwrap();
    let proof = backend().prove(&program, &keys.proving_key, &trace).unwrap();
    let public = trace.public_values(&program);
    backend()
        .verify(&program, &keys.verifying_key, &public, &proof)
        .unwrap();
    let muts = one_mutation_per_argument_kind(&program, &trace);
    assert!(muts.iter().any(|m| m.argument_kind == "Hash"));
    for m in muts {
        if let Ok(proof) = backend().prove(&program, &keys.proving_key, &m.trace) {
            for p in [m.trace.public_values(&program), public.clone()] {
                assert!(
                    backend().verify(&program, &keys.verifying_key, &p, &proof).is_err(),
                    "a proof of a mutated {} trace verified",
                    m.argument_kind
                );
            }
        }
    }
}

/// Digests that stand for the right hash in the field but are not canonical (a limb past
/// 2^64, a negative limb, the split of `h + p`): `mock` agrees with the checker.
#[test]
fn hash_halo2_mock_agrees_with_every_hash_bound_case() {
    let cases = hash_bound_cases(HashKind::PoseidonBn254);
    assert!(cases.iter().any(|c| !c.valid));
    for c in &cases {
        assert_eq!(check(&c.program, &c.trace).is_ok(), c.valid, "{}", c.name);
        let got = backend().mock(&c.program, &c.trace);
        assert_eq!(got.is_ok(), c.valid, "{}: {got:?}", c.name);
    }
}

/// Random valid programs with hashes of 0–4 values: `mock` accepts them and rejects every
/// single-value mutation.
#[test]
fn hash_halo2_random_programs_mock_and_reject_mutations() {
    let mut hashes = 0;
    for seed in 0..12 {
        let (program, inputs) = random_program_with_hash(seed, HashKind::PoseidonBn254);
        hashes += program.arguments.iter().filter(|(a, _)| a.kind() == "Hash").count();
        let trace = solve(&program, &inputs).expect("random programs solve");
        backend()
            .mock(&program, &trace)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        for m in mutations(&program, &trace) {
            assert!(
                backend().mock(&program, &m.trace).is_err(),
                "seed {seed}: a mutation of {:?} ({}) was accepted",
                m.var,
                m.argument_kind
            );
        }
    }
    assert!(hashes >= 3, "only {hashes} hashes in the random programs");
}

/// Traces whose equations hold but that sit at or one past a bound (ranges, remainders,
/// quotient widths, Max's choice, lookup edges): the MockProver accepts exactly the valid
/// ones, so every range is really enforced (a `+1` mutation never shows that: an equation
/// catches it first).
#[test]
fn all_argument_kinds_halo2_mock_agrees_with_the_checker_on_every_bound() {
    let cases = zkc_runtime::testing::bound_cases();
    assert!(cases.iter().any(|c| c.valid) && cases.iter().any(|c| !c.valid));
    for c in cases {
        assert_eq!(check(&c.program, &c.trace).is_ok(), c.valid, "{}: checker", c.name);
        let got = backend().mock(&c.program, &c.trace);
        assert_eq!(got.is_ok(), c.valid, "{}: halo2 mock says {got:?}", c.name);
    }
}
