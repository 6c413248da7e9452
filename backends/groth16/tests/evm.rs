//! The Solidity verifier: compiled by solcjs (npm `solc` 0.8.28, pinned in `.ci/node`) and
//! executed in revm.

mod common;

use ark_bn254::{Fq, Fr};
use ark_ff::{BigInteger, PrimeField};

use zkc_backend_groth16::evm::call_in_evm;
use zkc_backend_groth16::solidity::verify_selector;
use zkc_backend_groth16::{compile_solidity, evm_calldata, export_solidity, verify_in_evm, Groth16};
use zkc_runtime::testing::every_argument_trace;
use zkc_runtime::{solve, Argument, Backend, Origin, Program, Var};

/// The creation bytecode of the verifier for `vk`, or `None` when node is absent.
fn compile(vk: &[u8]) -> Option<Vec<u8>> {
    let solcjs = common::node_tool("solcjs")?;
    Some(compile_solidity(&export_solidity(vk).unwrap(), &solcjs).unwrap())
}

/// Call data offsets of the ABI words: A at 0..2, B at 2..6, C at 6..8, inputs from 8.
fn word_at(i: usize) -> std::ops::Range<usize> {
    4 + 32 * i..4 + 32 * (i + 1)
}

/// A field's modulus as a big-endian word.
fn modulus<F: PrimeField>() -> [u8; 32] {
    F::MODULUS.to_bytes_be().try_into().unwrap()
}

/// `a + b` on 256-bit big-endian words (no overflow in these tests).
fn add(a: &[u8], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let s = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = s as u8;
        carry = s >> 8;
    }
    assert_eq!(carry, 0);
    out
}

#[test]
fn solidity_verifier_accepts_a_valid_proof_and_rejects_tampering_in_revm() {
    let (program, trace) = every_argument_trace();
    let keys = Groth16.setup(&program).unwrap();
    let proof = Groth16.prove(&program, &keys.proving_key, &trace).unwrap();
    let public = trace.public_values(&program);
    assert!(public.iter().any(|&v| v < 0), "exercise a negative public value");
    let Some(code) = compile(&keys.verifying_key) else {
        return;
    };

    let (ok, gas) = verify_in_evm(&code, &proof, &public).unwrap();
    eprintln!("valid proof with {} public values: {ok}, gas {gas}", public.len());
    assert!(ok, "the Solidity verifier rejected a valid proof");
    assert!(gas > 100_000, "{gas}");
    // Another (valid, differently blinded) proof verifies too.
    let other = Groth16.prove(&program, &keys.proving_key, &trace).unwrap();
    assert!(verify_in_evm(&code, &other, &public).unwrap().0);

    // Changed public values.
    for i in 0..public.len() {
        let mut p = public.clone();
        p[i] += 1;
        assert!(
            !verify_in_evm(&code, &proof, &p).unwrap().0,
            "changed public {i} accepted"
        );
    }
    // A public value given as its alias v + r: ecMul would reduce it, the range check must not.
    let calldata = evm_calldata(&proof, &public).unwrap();
    let mut alias = calldata.clone();
    let w = word_at(8);
    let aliased = add(&calldata[w.clone()], &modulus::<Fr>());
    alias[w].copy_from_slice(&aliased);
    assert!(
        !call_in_evm(&code, &alias).unwrap().0,
        "a non-canonical public value accepted"
    );
    // The wrong number of public values selects no function: reverts.
    assert!(!verify_in_evm(&code, &proof, &public[..public.len() - 1]).unwrap().0);

    // A well-formed but wrong proof (A and C swapped) and another proof's B.
    let mut swapped = proof.clone();
    swapped[..32].copy_from_slice(&proof[96..]);
    swapped[96..].copy_from_slice(&proof[..32]);
    assert!(!verify_in_evm(&code, &swapped, &public).unwrap().0);
    let mut mixed = proof.clone();
    mixed[32..96].copy_from_slice(&other[32..96]);
    assert!(
        !verify_in_evm(&code, &mixed, &public).unwrap().0,
        "a proof with another proof's B accepted"
    );
    // A flipped byte in the proof: not a point (Err) or a wrong one.
    for i in [0usize, 40, 100] {
        let mut flipped = proof.clone();
        flipped[i] ^= 0x04;
        if let Ok((ok, _)) = verify_in_evm(&code, &flipped, &public) {
            assert!(!ok, "proof with byte {i} flipped accepted");
        }
    }
    // Flipped bits in every ABI word of the proof (points off the curve or wrong ones).
    for i in 0..8 {
        let mut cd = calldata.clone();
        cd[word_at(i).end - 1] ^= 0x01;
        assert!(
            !call_in_evm(&code, &cd).unwrap().0,
            "flipped bit in proof word {i} accepted"
        );
    }
    // A coordinates given as their aliases plus q: rejected, not reduced.
    for i in 0..2 {
        let mut cd = calldata.clone();
        let aliased = add(&calldata[word_at(i)], &modulus::<Fq>());
        cd[word_at(i)].copy_from_slice(&aliased);
        assert!(!call_in_evm(&code, &cd).unwrap().0, "A coordinate {i} + q accepted");
    }
    // Truncated call data reverts.
    assert!(!call_in_evm(&code, &calldata[..calldata.len() - 1]).unwrap().0);
}

#[test]
fn solidity_verifier_of_another_program_rejects_the_proof() {
    let (program, trace) = every_argument_trace();
    let keys = Groth16.setup(&program).unwrap();
    let proof = Groth16.prove(&program, &keys.proving_key, &trace).unwrap();
    let mut other = program.clone();
    other.arguments.swap(0, 1);
    let other_keys = Groth16.setup(&other).unwrap();
    let Some(code) = compile(&other_keys.verifying_key) else {
        return;
    };
    assert!(!verify_in_evm(&code, &proof, &trace.public_values(&program)).unwrap().0);
}

#[test]
fn solidity_verifier_without_public_values() {
    // x in [0, 2^8) and y = x·x: a proof of knowledge with nothing public.
    let mut p = Program {
        num_vars: 2,
        ..Default::default()
    };
    let o = Origin::default();
    p.arguments.push((Argument::Input { x: Var(0), index: 0 }, o.clone()));
    p.arguments.push((Argument::Range { x: Var(0), bits: 8 }, o.clone()));
    p.arguments.push((
        Argument::Mul {
            out: Var(1),
            a: Var(0),
            b: Var(0),
        },
        o,
    ));
    let trace = solve(&p, &[7]).unwrap();
    assert!(trace.public_values(&p).is_empty());
    let keys = Groth16.setup(&p).unwrap();
    let proof = Groth16.prove(&p, &keys.proving_key, &trace).unwrap();
    let Some(code) = compile(&keys.verifying_key) else {
        return;
    };
    let calldata = evm_calldata(&proof, &[]).unwrap();
    assert_eq!(calldata[..4], verify_selector(0));
    assert_eq!(calldata.len(), 4 + 8 * 32);
    assert!(verify_in_evm(&code, &proof, &[]).unwrap().0);
    let mut swapped = proof.clone();
    swapped[..32].copy_from_slice(&proof[96..]);
    swapped[96..].copy_from_slice(&proof[..32]);
    assert!(!verify_in_evm(&code, &swapped, &[]).unwrap().0);
}
