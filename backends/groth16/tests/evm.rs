//! The Solidity verifier: compiled by solcjs (npm `solc`, installed by `.ci/run` in `.ci/node`)
//! and executed in revm.

use std::path::{Path, PathBuf};
use std::process::Command;

use zkc_backend_groth16::{evm_verify, export_solidity, Groth16};
use zkc_runtime::testing::every_argument_trace;
use zkc_runtime::Backend;

fn solcjs() -> PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/node/node_modules/.bin/solcjs");
    assert!(
        bin.exists(),
        "{} is missing: run `npm install --prefix .ci/node` in the repository root (CI's .ci/run does)",
        bin.display()
    );
    bin
}

/// Compiles `source` and returns the creation bytecode of `Groth16Verifier`.
fn compile(source: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let sol = dir.path().join("Verifier.sol");
    std::fs::write(&sol, source).unwrap();
    let out = Command::new(solcjs())
        .current_dir(dir.path())
        .args(["--bin", "--optimize", "-o", "out", "Verifier.sol"])
        .output()
        .expect("solcjs runs (is node installed?)");
    assert!(
        out.status.success(),
        "solcjs failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let bin = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("Groth16Verifier.bin"))
        .expect("solcjs wrote Groth16Verifier.bin");
    let hex = std::fs::read_to_string(bin).unwrap();
    (0..hex.trim().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex.trim()[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn solidity_verifier_accepts_a_valid_proof_and_rejects_tampering_in_revm() {
    let (program, trace) = every_argument_trace();
    let keys = Groth16.setup(&program).unwrap();
    let proof = Groth16.prove(&program, &keys.proving_key, &trace).unwrap();
    let public = trace.public_values(&program);
    assert!(public.iter().any(|&v| v < 0), "exercise a negative public value");
    let source = export_solidity(&keys.verifying_key).unwrap();
    let code = compile(&source);

    let (ok, gas) = evm_verify(&code, &proof, &public).unwrap();
    eprintln!("valid proof: {ok}, gas {gas}");
    assert!(ok, "the Solidity verifier rejected a valid proof");
    assert!(gas > 100_000, "{gas}");

    // Changed public values.
    for i in 0..public.len() {
        let mut p = public.clone();
        p[i] += 1;
        assert!(!evm_verify(&code, &proof, &p).unwrap().0, "changed public {i} accepted");
    }
    assert!(!evm_verify(&code, &proof, &public[..1]).unwrap().0);
    // A well-formed but wrong proof (A and C swapped) and another proof's points.
    let mut swapped = proof.clone();
    swapped[..32].copy_from_slice(&proof[96..]);
    swapped[96..].copy_from_slice(&proof[..32]);
    assert!(!evm_verify(&code, &swapped, &public).unwrap().0);
    let other = Groth16.prove(&program, &keys.proving_key, &trace).unwrap();
    let mut mixed = proof.clone();
    mixed[32..96].copy_from_slice(&other[32..96]);
    assert!(
        !evm_verify(&code, &mixed, &public).unwrap().0,
        "a proof with another proof's B accepted"
    );
    // The other (valid) proof verifies too.
    assert!(evm_verify(&code, &other, &public).unwrap().0);
}

#[test]
fn solidity_verifier_of_another_program_rejects_the_proof() {
    let (program, trace) = every_argument_trace();
    let keys = Groth16.setup(&program).unwrap();
    let proof = Groth16.prove(&program, &keys.proving_key, &trace).unwrap();
    let mut other = program.clone();
    other.arguments.swap(0, 1);
    let other_keys = Groth16.setup(&other).unwrap();
    let code = compile(&export_solidity(&other_keys.verifying_key).unwrap());
    assert!(!evm_verify(&code, &proof, &trace.public_values(&program)).unwrap().0);
}
