//! The every-argument program proves and verifies; wrong public values are rejected;
//! keys are deterministic.

mod common;

use std::time::Instant;

use zkc_backend_plonky2::circuit::Circuit;
use zkc_backend_plonky2::{keys, Plonky2};
use zkc_runtime::testing::every_argument_trace;
use zkc_runtime::Backend;

#[test]
fn every_argument_program_proves_and_verifies() {
    let (p, t) = every_argument_trace();
    let b = Plonky2::without_zero_knowledge();
    b.mock(&p, &t).unwrap();
    let start = Instant::now();
    let keys = b.setup(&p).unwrap();
    eprintln!("setup {:?}", start.elapsed());
    let start = Instant::now();
    let proof = b.prove(&p, &keys.proving_key, &t).unwrap();
    eprintln!("prove {:?}, {} bytes", start.elapsed(), proof.len());
    let public = t.public_values(&p);
    let start = Instant::now();
    b.verify(&p, &keys.verifying_key, &public, &proof).unwrap();
    eprintln!("verify {:?}", start.elapsed());
    for i in 0..public.len() {
        let mut wrong = public.clone();
        wrong[i] += 1;
        assert!(b.verify(&p, &keys.verifying_key, &wrong, &proof).is_err());
    }
    assert!(b.verify(&p, &keys.verifying_key, &public[1..], &proof).is_err());
    let cost = b.cost(&p);
    eprintln!("cost {cost:?}");
    assert!(cost.total > 0 && !cost.per_node.is_empty());
}

#[test]
fn the_same_program_gives_the_same_keys() {
    let (p, _) = every_argument_trace();
    let vk = |c: &Circuit| keys::write_vk(&p.hash(), &c.data.verifier_data()).unwrap();
    let (a, b) = (Circuit::build(&p, false).unwrap(), Circuit::build(&p, false).unwrap());
    assert_eq!(vk(&a), vk(&b));
    assert_eq!(a.data.verifier_only.circuit_digest, b.data.verifier_only.circuit_digest);
}
