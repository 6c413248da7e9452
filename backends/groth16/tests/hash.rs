//! `Argument::Hash` (PoseidonBn254) on Groth16: the R1CS computes the runtime's hash, costs
//! what the docs say, proves and verifies, and rejects every changed input or digest limb —
//! in mock, in arkworks' own constraint system (below the checker, as a malicious prover would
//! build it) and at verification of the published digest.

use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem};
use zkc_backend_groth16::{hash_constraints, Circuit, Groth16};
use zkc_runtime::checker::check;
use zkc_runtime::testing::{hash_bound_cases, hash_trace, mutations, one_mutation_per_argument_kind};
use zkc_runtime::{solve, Argument, Backend, BackendError, HashKind, Origin, Program, Trace, Var};

const KIND: HashKind = HashKind::PoseidonBn254;

/// Whether arkworks' constraint system built from `trace` is satisfied.
fn r1cs_satisfied(program: &Program, trace: &Trace) -> bool {
    let cs = ConstraintSystem::new_ref();
    Circuit {
        program,
        trace: Some(trace),
    }
    .generate_constraints(cs.clone())
    .unwrap();
    cs.finalize();
    cs.is_satisfied().unwrap()
}

/// Inputs `0..n`, then a Hash of them.
fn hash_of(n: usize, kind: HashKind) -> Program {
    let mut arguments: Vec<(Argument, Origin)> = (0..n)
        .map(|i| {
            (
                Argument::Input {
                    x: Var(i as u32),
                    index: i,
                },
                Origin::default(),
            )
        })
        .collect();
    let d = |j: usize| Var((n + j) as u32);
    arguments.push((
        Argument::Hash {
            inputs: (0..n as u32).map(Var).collect(),
            digest: [d(0), d(1), d(2), d(3)],
            kind,
        },
        Origin {
            node: 7,
            name: "h".into(),
        },
    ));
    Program {
        num_vars: n as u32 + 4,
        arguments,
        ..Default::default()
    }
}

#[test]
fn hash_groth16_computes_the_runtime_hash_at_the_documented_cost() {
    // 0 inputs (one permutation), 1 (padded), 2, 3 (two permutations), 6; negative and
    // 127-bit values.
    for n in [0usize, 1, 2, 3, 6] {
        let p = hash_of(n, KIND);
        let inputs: Vec<i128> = (0..n as i128).map(|i| (i - 2) * ((1 << 120) + 12345)).collect();
        let t = solve(&p, &inputs).unwrap();
        Groth16.mock(&p, &t).unwrap();
        assert!(r1cs_satisfied(&p, &t), "n = {n}");
        let cost = Groth16.cost(&p);
        assert_eq!(cost.total, hash_constraints(n) as u64, "n = {n}");
        assert_eq!(cost.per_node[&7], cost.total);
        assert_eq!(hash_constraints(n), 243 * n.div_ceil(2).max(1) + 257);
    }
}

#[test]
fn hash_groth16_proves_and_verifies_only_the_right_digest() {
    let (program, trace) = hash_trace(KIND);
    Groth16.mock(&program, &trace).unwrap();
    let keys = Groth16.setup(&program).unwrap();
    let proof = Groth16.prove(&program, &keys.proving_key, &trace).unwrap();
    let public = trace.public_values(&program);
    Groth16.verify(&program, &keys.verifying_key, &public, &proof).unwrap();
    // The first four public values are the digest limbs: any other value is rejected.
    for i in 0..4 {
        for delta in [1, -1] {
            let mut wrong = public.clone();
            wrong[i] += delta;
            assert!(Groth16.verify(&program, &keys.verifying_key, &wrong, &proof).is_err());
        }
    }
    // So is the digest of other inputs.
    let other = solve(&zkc_runtime::testing::hash_program(KIND).0, &[-7, 6, 1 << 40])
        .unwrap()
        .public_values(&program);
    assert_ne!(other[..4], public[..4]);
    assert!(Groth16.verify(&program, &keys.verifying_key, &other, &proof).is_err());
}

#[test]
fn hash_groth16_rejects_every_changed_input_or_digest_limb() {
    let (program, trace) = hash_trace(KIND);
    let muts = mutations(&program, &trace);
    assert_eq!(muts.len(), program.num_vars as usize);
    for m in &muts {
        assert!(check(&program, &m.trace).is_err());
        let e = Groth16
            .mock(&program, &m.trace)
            .expect_err(&format!("mutation of {} ({}) accepted", m.var, m.argument_kind));
        assert!(e.to_string().contains("test_node_"), "{e}");
        if m.argument_kind == "Hash" {
            assert!(e.to_string().contains("poseidon_bn254"), "{e}");
        }
        // Below the checker: the R1CS itself rejects (the Linear output has no cell; its
        // change only breaks the consistency check, as in every program).
        if m.argument_kind != "Linear" {
            assert!(
                !r1cs_satisfied(&program, &m.trace),
                "{} ({}) satisfies the R1CS",
                m.var,
                m.argument_kind
            );
        }
    }
}

#[test]
fn hash_groth16_prove_refuses_or_verify_rejects_a_mutated_input_and_digest() {
    let (program, trace) = hash_trace(KIND);
    let keys = Groth16.setup(&program).unwrap();
    let honest = trace.public_values(&program);
    let muts = one_mutation_per_argument_kind(&program, &trace);
    let kinds: Vec<&str> = muts.iter().map(|m| m.argument_kind).collect();
    assert_eq!(kinds, ["Input", "Linear", "Hash"]);
    for m in muts {
        if let Ok(proof) = Groth16.prove(&program, &keys.proving_key, &m.trace) {
            for public in [m.trace.public_values(&program), honest.clone()] {
                assert!(Groth16.verify(&program, &keys.verifying_key, &public, &proof).is_err());
            }
        }
    }
}

#[test]
fn hash_groth16_mock_agrees_with_the_checker_on_non_canonical_digests() {
    let cases = hash_bound_cases(KIND);
    assert!(cases.len() >= 4);
    for c in &cases {
        let mock = Groth16.mock(&c.program, &c.trace);
        assert_eq!(mock.is_ok(), c.valid, "{}: {mock:?}", c.name);
        if c.name.contains("h + p") {
            // The field equation holds (documented): only the canonical check rejects it,
            // and prove refuses it.
            assert!(r1cs_satisfied(&c.program, &c.trace));
            assert!(mock.unwrap_err().to_string().contains("canonical"));
            let keys = Groth16.setup(&c.program).unwrap();
            assert!(Groth16.prove(&c.program, &keys.proving_key, &c.trace).is_err());
        }
    }
}

#[test]
fn hash_groth16_refuses_the_goldilocks_kind() {
    let (program, trace) = hash_trace(HashKind::PoseidonGoldilocks);
    for r in [
        Groth16.mock(&program, &trace),
        Groth16.setup(&program).map(|_| ()),
        Groth16.prove(&program, &[], &trace).map(|_| ()),
    ] {
        match r {
            Err(BackendError::DoesNotFit { reason, .. }) => assert!(reason.contains("PoseidonGoldilocks"), "{reason}"),
            other => panic!("expected DoesNotFit, got {other:?}"),
        }
    }
    assert_eq!(Groth16.cost(&program).total, u64::MAX);
}
