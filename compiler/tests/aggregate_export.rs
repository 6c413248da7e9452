//! `zkc aggregate` (plonky2 recursion over 2 and 4 proofs of the same and of different
//! models, checked by `zkc verify`; a tampered inner proof cannot be aggregated) and
//! `zkc export snarkjs` checked by the real snarkjs.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
        .join(name)
        .display()
        .to_string()
}

fn zkc(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkc"))
        .args(args)
        .output()
        .expect("zkc runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("panicked"), "zkc {args:?} panicked:\n{text}");
    (out.status.success(), text)
}

fn prove(model: &str, input: &str, backend: &str, dir: &Path) {
    let (ok, text) = zkc(&[
        "fullprove",
        &shared(&format!("{model}.onnx")),
        "-i",
        input,
        "--backend",
        backend,
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
}

#[test]
fn plonky2_aggregates_two_and_four_proofs() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    // Two ff proofs on different inputs, and one mlp proof.
    let ff_in2 = t.join("ff2.json");
    std::fs::write(&ff_in2, r#"{"input_data": [[0.5, -0.25, 0.125]]}"#).unwrap();
    let (a, b, m) = (t.join("a"), t.join("b"), t.join("m"));
    prove("ff", &shared("ff.input.json"), "plonky2", &a);
    let (ok, text) = zkc(&[
        "compile",
        &shared("ff.onnx"),
        "--data",
        &shared("ff.input.json"),
        "--backend",
        "plonky2",
        "-o",
        b.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    // Same circuit as `a` (same calibration), another input: reuse a's keys.
    std::fs::copy(a.join("pk.zkc"), b.join("pk.zkc")).unwrap();
    std::fs::copy(a.join("vk.zkc"), b.join("vk.zkc")).unwrap();
    let (ok, text) = zkc(&["prove", b.to_str().unwrap(), "-i", ff_in2.to_str().unwrap()]);
    assert!(ok, "{text}");
    prove("mlp", &shared("mlp.input.json"), "plonky2", &m);

    let agg2 = t.join("agg2");
    let (ok, text) = zkc(&[
        "aggregate",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        agg2.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let (ok, text) = zkc(&["verify", agg2.to_str().unwrap()]);
    assert!(ok, "{text}");

    // Four ff proofs (both inputs, twice), then proofs of two different circuits.
    let aggregate = |dirs: &[&PathBuf], out: &Path| {
        let mut args = vec!["aggregate".to_string()];
        args.extend(dirs.iter().map(|d| d.display().to_string()));
        args.extend(["-o".to_string(), out.display().to_string()]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, text) = zkc(&argv);
        assert!(ok, "aggregate {dirs:?}: {text}");
        let (ok, text) = zkc(&["verify", out.to_str().unwrap()]);
        assert!(ok, "verify {}: {text}", out.display());
        let desc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("aggregate.json")).unwrap()).unwrap();
        assert_eq!(desc.as_array().map(Vec::len), Some(dirs.len()), "{desc}");
    };
    aggregate(&[&a, &b, &b, &a], &t.join("agg4"));
    aggregate(&[&m, &a], &t.join("mixed"));
    // Pinning the inner verifying keys: ff's key for all four ff proofs; per proof for the
    // mixed aggregate; ff's key alone is refused for the mixed one (its first proof is mlp's).
    let (ff_vk, mlp_vk) = (
        a.join("vk.zkc").display().to_string(),
        m.join("vk.zkc").display().to_string(),
    );
    let agg4 = t.join("agg4").display().to_string();
    let mixed = t.join("mixed").display().to_string();
    let (ok, text) = zkc(&["verify", &agg4, "--inner-vk", &ff_vk]);
    assert!(ok, "{text}");
    let (ok, text) = zkc(&["verify", &mixed, "--inner-vk", &mlp_vk, "--inner-vk", &ff_vk]);
    assert!(ok, "{text}");
    let (ok, text) = zkc(&["verify", &mixed, "--inner-vk", &ff_vk]);
    assert!(!ok && text.contains("another verifying key"), "{text}");
    let (ok, text) = zkc(&["verify", &agg4, "--inner-vk", &ff_vk, "--inner-vk", &ff_vk]);
    assert!(!ok && text.contains("one per inner proof"), "{text}");

    // A changed public value in the aggregate description is rejected.
    let desc = std::fs::read_to_string(agg2.join("aggregate.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&desc).unwrap();
    let x: i128 = v[0]["public"][0].as_str().unwrap().parse().unwrap();
    v[0]["public"][0] = serde_json::Value::String((x + 1).to_string());
    std::fs::write(agg2.join("aggregate.json"), v.to_string()).unwrap();
    let (ok, _) = zkc(&["verify", agg2.to_str().unwrap()]);
    assert!(!ok, "aggregate with a changed public value accepted");

    // A tampered inner proof cannot be aggregated.
    let mut proof = std::fs::read(b.join("proof.zkc")).unwrap();
    let n = proof.len();
    proof[n - 40] ^= 1;
    std::fs::write(b.join("proof.zkc"), &proof).unwrap();
    let (ok, text) = zkc(&[
        "aggregate",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        t.join("bad").to_str().unwrap(),
    ]);
    assert!(!ok, "aggregated a tampered proof:\n{text}");
}

#[test]
fn groth16_export_verifies_with_snarkjs() {
    let snarkjs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/node/node_modules/.bin/snarkjs");
    assert!(
        snarkjs.exists(),
        "snarkjs is not installed: run `npm install --prefix .ci/node` (.ci/run does)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("g");
    prove("mlp", &shared("mlp.input.json"), "groth16", &d);
    let (ok, text) = zkc(&["export", "snarkjs", d.to_str().unwrap()]);
    assert!(ok, "{text}");
    let s = d.join("snarkjs");
    let verify = |dir: &Path| {
        let out = Command::new(&snarkjs)
            .args([
                "groth16",
                "verify",
                "verification_key.json",
                "public.json",
                "proof.json",
            ])
            .current_dir(dir)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
    };
    let good = verify(&s);
    assert!(good.contains("OK"), "snarkjs rejected a zkc proof:\n{good}");
    // A changed public value.
    let public = std::fs::read_to_string(s.join("public.json")).unwrap();
    let mut p: Vec<String> = serde_json::from_str(&public).unwrap();
    p[0] = "12345".into();
    std::fs::write(s.join("public.json"), serde_json::to_string(&p).unwrap()).unwrap();
    let bad = verify(&s);
    assert!(
        !bad.contains("OK!") && bad.contains("Invalid"),
        "snarkjs accepted a changed public value:\n{bad}"
    );
}

#[test]
fn groth16_export_solidity_runs_in_the_evm_and_prints_gas() {
    let solcjs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/node/node_modules/.bin/solcjs");
    assert!(
        solcjs.exists(),
        "solcjs is not installed: run `npm install --prefix .ci/node` (.ci/run does)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("g");
    prove("ff", &shared("ff.input.json"), "groth16", &d);
    let (ok, text) = zkc(&[
        "export",
        "solidity",
        d.to_str().unwrap(),
        "--solcjs",
        solcjs.to_str().unwrap(),
    ]);
    assert!(ok && text.contains("verifyProof returned true, gas used"), "{text}");
    let source = std::fs::read_to_string(d.join("solidity/Verifier.sol")).unwrap();
    assert!(source.contains("function verifyProof"), "{source}");
    assert!(std::fs::read_to_string(d.join("solidity/calldata.hex"))
        .unwrap()
        .starts_with("0x"));
    // A tampered proof: the exported verifier must not accept it.
    let mut proof = std::fs::read(d.join("proof.zkc")).unwrap();
    let n = proof.len();
    proof[n - 40] ^= 1;
    std::fs::write(d.join("proof.zkc"), &proof).unwrap();
    let (ok, text) = zkc(&[
        "export",
        "solidity",
        d.to_str().unwrap(),
        "--solcjs",
        solcjs.to_str().unwrap(),
    ]);
    assert!(!ok, "a tampered proof was accepted by the EVM verifier:\n{text}");
}
