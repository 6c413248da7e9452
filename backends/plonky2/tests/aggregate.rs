//! Recursive aggregation of 2 and 4 proofs of the same and of different programs; the
//! aggregate re-exposes the inner public values and binds the inner circuits; a tampered
//! inner proof cannot be aggregated.

mod common;

use zkc_backend_plonky2::{aggregate, aggregate_vk, verify_aggregate, Plonky2};
use zkc_runtime::testing::every_argument_trace;
use zkc_runtime::{Backend, Program, Trace};

struct Proven {
    program: Program,
    vk: Vec<u8>,
    proof: Vec<u8>,
    public: Vec<i128>,
}

fn prove(p: &Program, t: &Trace) -> Proven {
    prove_with(Plonky2::without_zero_knowledge(), p, t)
}

fn prove_with(b: Plonky2, p: &Program, t: &Trace) -> Proven {
    let keys = b.setup(p).unwrap();
    let proof = b.prove(p, &keys.proving_key, t).unwrap();
    Proven {
        program: p.clone(),
        vk: keys.verifying_key,
        proof,
        public: t.public_values(p),
    }
}

fn items(ps: &[&Proven]) -> Vec<(Program, Vec<u8>, Vec<u8>)> {
    ps.iter()
        .map(|p| (p.program.clone(), p.vk.clone(), p.proof.clone()))
        .collect()
}

fn inner(ps: &[&Proven]) -> Vec<(Vec<u8>, Vec<i128>)> {
    ps.iter().map(|p| (p.vk.clone(), p.public.clone())).collect()
}

#[test]
fn two_proofs_of_different_programs_aggregate_and_verify() {
    let (p, t) = every_argument_trace();
    let (q, u) = common::dot_program(3);
    // One zero-knowledge proof (arity-4 FRI) and one plain proof in the same aggregate.
    let (a, b) = (prove_with(Plonky2::new(), &p, &t), prove(&q, &u));
    let (avk, aproof) = aggregate(&items(&[&a, &b])).unwrap();
    verify_aggregate(&avk, &aproof, &inner(&[&a, &b])).unwrap();
    // The verifier can derive the aggregate key from the inner keys alone.
    assert_eq!(aggregate_vk(&[a.vk.clone(), b.vk.clone()]).unwrap(), avk);

    // Wrong inner public values, swapped order, missing or extra proofs: rejected.
    let mut wrong = inner(&[&a, &b]);
    wrong[1].1[0] += 1;
    assert!(verify_aggregate(&avk, &aproof, &wrong).is_err());
    assert!(verify_aggregate(&avk, &aproof, &inner(&[&b, &a])).is_err());
    assert!(verify_aggregate(&avk, &aproof, &inner(&[&a])).is_err());
    assert!(verify_aggregate(&avk, &aproof, &inner(&[&a, &b, &b])).is_err());
    // Tampered aggregate proof or key; truncations give errors, not panics.
    for i in (0..aproof.len()).step_by(1009).chain([aproof.len() - 1]) {
        let mut bad = aproof.clone();
        bad[i] ^= 0x20;
        assert!(
            verify_aggregate(&avk, &bad, &inner(&[&a, &b])).is_err(),
            "proof byte {i}"
        );
        assert!(verify_aggregate(&avk, &aproof[..i], &inner(&[&a, &b])).is_err());
    }
    for i in (0..avk.len()).step_by(97) {
        let mut bad = avk.clone();
        bad[i] ^= 0x20;
        assert!(
            verify_aggregate(&bad, &aproof, &inner(&[&a, &b])).is_err(),
            "key byte {i}"
        );
        assert!(verify_aggregate(&avk[..i], &aproof, &inner(&[&a, &b])).is_err());
    }
    // An inner proof alone is not an aggregate.
    assert!(verify_aggregate(&avk, &a.proof, &inner(&[&a, &b])).is_err());
}

#[test]
fn four_proofs_aggregate_and_verify() {
    let (p, t) = every_argument_trace();
    let a = prove(&p, &t);
    let (q1, u1) = common::dot_program(1);
    let (q2, u2) = common::dot_program(5);
    assert_eq!(q1, q2, "one program, two inputs");
    let (b, c) = (prove(&q1, &u1), prove(&q2, &u2));
    assert_ne!(b.public, c.public);
    let all = [&a, &b, &c, &a];
    let (avk, aproof) = aggregate(&items(&all)).unwrap();
    verify_aggregate(&avk, &aproof, &inner(&all)).unwrap();
    // Proofs b and c swapped: same circuit, other public values — rejected.
    assert!(verify_aggregate(&avk, &aproof, &inner(&[&a, &c, &b, &a])).is_err());
}

#[test]
fn a_tampered_inner_proof_cannot_be_aggregated() {
    let (p, t) = every_argument_trace();
    let (q, u) = common::dot_program(2);
    let (a, b) = (prove(&p, &t), prove(&q, &u));
    // A byte of the proof body, and the inner public values carried by the proof.
    let mut bad = items(&[&a, &b]);
    let mid = bad[1].2.len() / 2;
    bad[1].2[mid] ^= 0x01;
    assert!(aggregate(&bad).is_err());
    let mut bad = items(&[&a, &b]);
    let n = bad[0].2.len();
    bad[0].2[n - 8] ^= 0x01;
    assert!(aggregate(&bad).is_err());
    // A proof under another program's key.
    let mut bad = items(&[&a, &b]);
    bad[0].2 = b.proof.clone();
    assert!(aggregate(&bad).is_err());
}
