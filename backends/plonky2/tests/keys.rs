//! Tampered proofs, public values and keys are rejected; malformed bytes give errors, never
//! panics; zero-knowledge proofs verify too.

mod common;

use zkc_backend_plonky2::Plonky2;
use zkc_runtime::testing::every_argument_trace;
use zkc_runtime::{Backend, BackendError};

fn backend() -> Plonky2 {
    Plonky2::without_zero_knowledge()
}

/// Positions to damage in a byte string: the head and tail densely, the middle sampled.
fn positions(len: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..len.min(64)).collect();
    v.extend((64..len).step_by(409));
    v.extend(len.saturating_sub(64)..len);
    v.sort_unstable();
    v.dedup();
    v
}

#[test]
fn flipped_proof_bytes_are_rejected() {
    let (p, t) = every_argument_trace();
    let keys = backend().setup(&p).unwrap();
    let proof = backend().prove(&p, &keys.proving_key, &t).unwrap();
    let public = t.public_values(&p);
    backend().verify(&p, &keys.verifying_key, &public, &proof).unwrap();
    let at = positions(proof.len());
    assert!(at.len() > 300);
    for i in at {
        for mask in [0x01, 0x80] {
            let mut bad = proof.clone();
            bad[i] ^= mask;
            assert!(
                backend().verify(&p, &keys.verifying_key, &public, &bad).is_err(),
                "a proof with byte {i} ^ {mask:#x} verified"
            );
        }
    }
}

#[test]
fn changed_public_values_are_rejected() {
    let (p, t) = every_argument_trace();
    let keys = backend().setup(&p).unwrap();
    let proof = backend().prove(&p, &keys.proving_key, &t).unwrap();
    let public = t.public_values(&p);
    for i in 0..public.len() {
        for d in [1, -1, 1 << 40] {
            let mut wrong = public.clone();
            wrong[i] += d;
            assert!(matches!(
                backend().verify(&p, &keys.verifying_key, &wrong, &proof),
                Err(BackendError::Unsatisfied(_))
            ));
        }
    }
    let mut longer = public.clone();
    longer.push(0);
    assert!(backend().verify(&p, &keys.verifying_key, &longer, &proof).is_err());
    assert!(backend().verify(&p, &keys.verifying_key, &[], &proof).is_err());
    let huge = vec![i128::MAX; public.len()];
    assert!(backend().verify(&p, &keys.verifying_key, &huge, &proof).is_err());
}

#[test]
fn keys_of_another_program_are_rejected() {
    let (p, t) = every_argument_trace();
    let (q, u) = common::dot_program(1);
    let kp = backend().setup(&p).unwrap();
    let kq = backend().setup(&q).unwrap();
    let proof_p = backend().prove(&p, &kp.proving_key, &t).unwrap();
    let proof_q = backend().prove(&q, &kq.proving_key, &u).unwrap();
    // Another program's verifying key, proving key, or proof.
    assert!(backend()
        .verify(&p, &kq.verifying_key, &t.public_values(&p), &proof_p)
        .is_err());
    assert!(backend().prove(&p, &kq.proving_key, &t).is_err());
    assert!(backend()
        .verify(&p, &kp.verifying_key, &u.public_values(&q), &proof_q)
        .is_err());
    assert!(backend()
        .verify(&q, &kq.verifying_key, &u.public_values(&q), &proof_p)
        .is_err());
    // A proving key whose zero-knowledge flag was flipped (magic, program hash, checksum,
    // then the flag) is refused.
    let flipped = {
        let mut k = kq.proving_key.clone();
        k[8 + 64 + 32] ^= 1;
        k
    };
    assert!(backend().prove(&q, &flipped, &u).is_err());
}

#[test]
fn malformed_keys_and_proofs_give_errors_not_panics() {
    let (p, t) = every_argument_trace();
    let keys = backend().setup(&p).unwrap();
    let proof = backend().prove(&p, &keys.proving_key, &t).unwrap();
    let public = t.public_values(&p);
    for len in (0..proof.len()).step_by(997).chain([proof.len() - 1, 8, 7]) {
        assert!(backend()
            .verify(&p, &keys.verifying_key, &public, &proof[..len])
            .is_err());
    }
    let mut longer = proof.clone();
    longer.extend([0; 16]);
    assert!(backend().verify(&p, &keys.verifying_key, &public, &longer).is_err());
    let vk = &keys.verifying_key;
    for len in (0..vk.len()).step_by(37).chain([vk.len() - 1]) {
        assert!(backend().verify(&p, &vk[..len], &public, &proof).is_err());
    }
    for i in positions(vk.len()) {
        let mut bad = vk.clone();
        bad[i] ^= 0x10;
        assert!(backend().verify(&p, &bad, &public, &proof).is_err(), "vk byte {i}");
    }
    let pk = &keys.proving_key;
    for i in positions(pk.len()) {
        assert!(backend().prove(&p, &pk[..i], &t).is_err());
        let mut bad = pk.clone();
        bad[i] ^= 0x04;
        assert!(backend().prove(&p, &bad, &t).is_err(), "pk byte {i}");
    }
    for garbage in [&b""[..], b"ZKCP2PF1", b"ZKCP2VK1\xff\xff", &[0xffu8; 300][..]] {
        assert!(backend().verify(&p, garbage, &public, &proof).is_err());
        assert!(backend().verify(&p, &keys.verifying_key, &public, garbage).is_err());
        assert!(backend().prove(&p, garbage, &t).is_err());
    }
}

#[test]
fn setup_is_deterministic_across_backends_values() {
    let (p, _) = every_argument_trace();
    let a = backend().setup(&p).unwrap();
    let b = Plonky2::without_zero_knowledge().setup(&p).unwrap();
    assert_eq!(a.verifying_key, b.verifying_key);
    assert_eq!(a.proving_key, b.proving_key);
}

#[test]
fn zero_knowledge_proofs_verify_and_reject_tampering() {
    let (p, t) = every_argument_trace();
    let b = Plonky2::new();
    let keys = b.setup(&p).unwrap();
    let proof = b.prove(&p, &keys.proving_key, &t).unwrap();
    let public = t.public_values(&p);
    b.verify(&p, &keys.verifying_key, &public, &proof).unwrap();
    let mut wrong = public.clone();
    wrong[0] += 1;
    assert!(b.verify(&p, &keys.verifying_key, &wrong, &proof).is_err());
    let mut bad = proof.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 1;
    assert!(b.verify(&p, &keys.verifying_key, &public, &bad).is_err());
    // Zero knowledge: two proofs of the same trace differ.
    let again = b.prove(&p, &keys.proving_key, &t).unwrap();
    assert_ne!(proof, again);
    // A non-zero-knowledge key is another circuit.
    let plain = backend().setup(&p).unwrap();
    assert_ne!(plain.verifying_key, keys.verifying_key);
    assert!(backend().verify(&p, &plain.verifying_key, &public, &proof).is_err());
}
