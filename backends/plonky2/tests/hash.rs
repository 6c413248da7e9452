//! `Argument::Hash` (PoseidonGoldilocks) on plonky2: the circuit computes the runtime's
//! `hash_no_pad`, costs one Poseidon row per 8 inputs, proves and verifies with the digest
//! public, and rejects every changed input or digest element — in mock, at proving, and at
//! verification of the published digest.

use zkc_backend_plonky2::Plonky2;
use zkc_runtime::poseidon::GOLDILOCKS_P;
use zkc_runtime::testing::{hash_bound_cases, hash_program, hash_trace, mutations, one_mutation_per_argument_kind};
use zkc_runtime::{solve, Argument, Backend, BackendError, HashKind, Origin, Program, Var};

const KIND: HashKind = HashKind::PoseidonGoldilocks;

fn fast() -> Plonky2 {
    Plonky2::without_zero_knowledge()
}

/// Inputs `0..n`, a Hash of them at node 7, its digest public.
fn hash_of(n: usize) -> Program {
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
    let digest = [0, 1, 2, 3].map(|j| Var((n + j) as u32));
    let origin = Origin {
        node: 7,
        name: "h".into(),
    };
    arguments.push((
        Argument::Hash {
            inputs: (0..n as u32).map(Var).collect(),
            digest,
            kind: KIND,
        },
        origin,
    ));
    arguments.extend(digest.map(|x| (Argument::Public { x }, Origin::default())));
    Program {
        num_vars: n as u32 + 4,
        arguments,
        ..Default::default()
    }
}

#[test]
fn hash_plonky2_computes_the_runtime_hash_one_row_per_8_inputs() {
    // 0 inputs (constant zero digest), one partial chunk, one full chunk, a full and a
    // partial one; negative values and values at the edge of the 63-bit interval.
    for n in [0usize, 3, 8, 9] {
        let p = hash_of(n);
        let inputs: Vec<i128> = (0..n as i128)
            .map(|i| match i % 3 {
                0 => -(1 << 62),
                1 => (1 << 62) - 1 - i,
                _ => -i,
            })
            .collect();
        let t = solve(&p, &inputs).unwrap();
        let b = fast();
        b.mock(&p, &t).unwrap();
        let cost = b.cost(&p);
        assert_eq!(
            cost.per_node.get(&7).copied().unwrap_or(0),
            n.div_ceil(8) as u64,
            "n = {n}"
        );
        assert!(cost.detail.contains("Poseidon rows"), "{}", cost.detail);
        let keys = b.setup(&p).unwrap();
        let proof = b.prove(&p, &keys.proving_key, &t).unwrap();
        b.verify(&p, &keys.verifying_key, &t.public_values(&p), &proof).unwrap();
    }
}

#[test]
fn hash_plonky2_proves_and_verifies_only_the_right_digest() {
    let (program, trace) = hash_trace(KIND);
    // Digest elements use the whole field, beyond the signed 63-bit interval.
    assert!(trace.values[4..12].iter().any(|&v| v >= 1 << 62), "{:?}", trace.values);
    let b = Plonky2::new();
    b.mock(&program, &trace).unwrap();
    let keys = b.setup(&program).unwrap();
    let proof = b.prove(&program, &keys.proving_key, &trace).unwrap();
    let public = trace.public_values(&program);
    b.verify(&program, &keys.verifying_key, &public, &proof).unwrap();
    for i in 0..4 {
        for delta in [1, -1, GOLDILOCKS_P as i128, -(GOLDILOCKS_P as i128)] {
            let mut wrong = public.clone();
            wrong[i] += delta;
            let r = b.verify(&program, &keys.verifying_key, &wrong, &proof);
            assert!(r.is_err(), "digest element {i} {delta:+} accepted");
        }
    }
    let other = solve(&hash_program(KIND).0, &[-7, 6, 1 << 40])
        .unwrap()
        .public_values(&program);
    assert_ne!(other[..4], public[..4]);
    assert!(b.verify(&program, &keys.verifying_key, &other, &proof).is_err());
}

#[test]
fn hash_plonky2_rejects_every_changed_input_or_digest_element() {
    let (program, trace) = hash_trace(KIND);
    let b = fast();
    let keys = b.setup(&program).unwrap();
    let muts = mutations(&program, &trace);
    assert_eq!(muts.len(), program.num_vars as usize);
    let kinds: Vec<&str> = one_mutation_per_argument_kind(&program, &trace)
        .iter()
        .map(|m| m.argument_kind)
        .collect();
    assert_eq!(kinds, ["Input", "Linear", "Hash"]);
    for m in &muts {
        let what = format!("{} ({})", m.var, m.argument_kind);
        let e = b.mock(&program, &m.trace).expect_err(&what);
        assert!(e.to_string().contains("test_node_"), "{what}: {e}");
        match b.prove(&program, &keys.proving_key, &m.trace) {
            Err(e) => eprintln!("{what}: prove: {e}"),
            Ok(proof) => {
                for public in [m.trace.public_values(&program), trace.public_values(&program)] {
                    assert!(b.verify(&program, &keys.verifying_key, &public, &proof).is_err());
                }
                panic!("{what}: prove returned a proof of a mutated trace");
            }
        }
    }
}

#[test]
fn hash_plonky2_mock_agrees_with_the_checker_on_non_canonical_digests() {
    let b = fast();
    for c in hash_bound_cases(KIND) {
        let mock = b.mock(&c.program, &c.trace);
        assert_eq!(mock.is_ok(), c.valid, "{}: {mock:?}", c.name);
        if !c.valid {
            let keys = b.setup(&c.program).unwrap();
            assert!(b.prove(&c.program, &keys.proving_key, &c.trace).is_err(), "{}", c.name);
        }
    }
}

#[test]
fn hash_plonky2_refuses_the_bn254_kind() {
    let (program, trace) = hash_trace(HashKind::PoseidonBn254);
    let b = fast();
    for r in [b.mock(&program, &trace), b.setup(&program).map(|_| ())] {
        match r {
            Err(BackendError::DoesNotFit { reason, .. }) => assert!(reason.contains("PoseidonBn254"), "{reason}"),
            other => panic!("expected DoesNotFit, got {other:?}"),
        }
    }
    assert_eq!(b.cost(&program).total, u64::MAX);
}
