//! The snarkjs export checked by the real snarkjs (`snarkjs groth16 verify`), installed by
//! `.ci/run` with `npm install` in `.ci/node`.

mod common;

use std::path::Path;
use std::process::Command;

use zkc_backend_groth16::{export_snarkjs, Groth16};
use zkc_runtime::testing::every_argument_trace;
use zkc_runtime::Backend;

/// Runs `snarkjs groth16 verify` on `dir`; true when it prints OK and exits 0.
fn snarkjs_verifies(snarkjs: &Path, dir: &Path) -> bool {
    let out = Command::new(snarkjs)
        .current_dir(dir)
        .args([
            "groth16",
            "verify",
            "verification_key.json",
            "public.json",
            "proof.json",
        ])
        .output()
        .expect("snarkjs runs (is node installed?)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("snarkjs: {}", text.trim());
    out.status.success() && text.contains("OK")
}

/// Compares `vk_alphabeta_12` with e(vk_alpha_1, vk_beta_2) computed by ffjavascript.
const ALPHABETA_JS: &str = r#"
const path = require("path");
const fs = require("fs");
const ff = require(path.join(process.argv[2], "node_modules/ffjavascript"));
(async () => {
  const vk = ff.utils.unstringifyBigInts(JSON.parse(fs.readFileSync(process.argv[3])));
  const curve = await ff.buildBn128(true);
  const e = await curve.pairing(curve.G1.fromObject(vk.vk_alpha_1), curve.G2.fromObject(vk.vk_beta_2));
  console.log(curve.Gt.eq(e, curve.Gt.fromObject(vk.vk_alphabeta_12)) ? "alphabeta OK" : "alphabeta MISMATCH");
  await curve.terminate();
  process.exit(0);
})();
"#;

#[test]
fn snarkjs_groth16_verify_accepts_the_export_and_rejects_tampering() {
    let Some(snarkjs) = common::node_tool("snarkjs") else {
        return;
    };
    let (program, trace) = every_argument_trace();
    let keys = Groth16.setup(&program).unwrap();
    let proof = Groth16.prove(&program, &keys.proving_key, &trace).unwrap();
    let public = trace.public_values(&program);
    // The harness has a negative public value: exported as p - |v|.
    eprintln!("public values: {public:?}");
    let tmp = tempfile::tempdir().unwrap();

    let ok = tmp.path().join("ok");
    export_snarkjs(&keys.verifying_key, &proof, &public, &ok).unwrap();
    let vk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ok.join("verification_key.json")).unwrap()).unwrap();
    assert_eq!(vk["protocol"], "groth16");
    assert_eq!(vk["curve"], "bn128");
    assert_eq!(vk["nPublic"], public.len());
    assert_eq!(vk["IC"].as_array().unwrap().len(), public.len() + 1);
    assert!(snarkjs_verifies(&snarkjs, &ok), "snarkjs rejected a valid zkc proof");
    // snarkjs's verifier does not read vk_alphabeta_12: check it with ffjavascript's pairing.
    let script = tmp.path().join("alphabeta.js");
    std::fs::write(&script, ALPHABETA_JS).unwrap();
    let node_dir = common::node_dir();
    let out = Command::new("node")
        .arg(&script)
        .arg(&node_dir)
        .arg(ok.join("verification_key.json"))
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("alphabeta OK"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A flipped bit in A: not a curve point (export refuses it) or a wrong one.
    let mut bad_proof = proof.clone();
    bad_proof[0] ^= 0x01;
    match export_snarkjs(&keys.verifying_key, &bad_proof, &public, &tmp.path().join("flip")) {
        Err(_) => {} // not even a curve point
        Ok(()) => assert!(!snarkjs_verifies(&snarkjs, &tmp.path().join("flip"))),
    }
    // Swap A and C (both valid G1 points): a well-formed but wrong proof.
    let mut swapped = proof.clone();
    swapped[..32].copy_from_slice(&proof[96..]);
    swapped[96..].copy_from_slice(&proof[..32]);
    let sw = tmp.path().join("swapped");
    export_snarkjs(&keys.verifying_key, &swapped, &public, &sw).unwrap();
    assert!(!snarkjs_verifies(&snarkjs, &sw), "snarkjs accepted a tampered proof");

    for i in 0..public.len() {
        let mut p = public.clone();
        p[i] += 1;
        let d = tmp.path().join(format!("public{i}"));
        export_snarkjs(&keys.verifying_key, &proof, &p, &d).unwrap();
        assert!(
            !snarkjs_verifies(&snarkjs, &d),
            "snarkjs accepted a changed public value {i}"
        );
    }
}

#[test]
fn snarkjs_accepts_negative_public_values() {
    let Some(snarkjs) = common::node_tool("snarkjs") else {
        return;
    };
    // out = -x: a negative public value exported as p - |v|.
    use zkc_runtime::{solve, Argument, Origin, Program, Var};
    let mut p = Program {
        num_vars: 2,
        ..Default::default()
    };
    let o = Origin::default();
    p.arguments.push((Argument::Input { x: Var(0), index: 0 }, o.clone()));
    p.arguments.push((Argument::Range { x: Var(0), bits: 8 }, o.clone()));
    p.arguments.push((
        Argument::Linear {
            out: Var(1),
            terms: vec![(-3, Var(0))],
            constant: 0,
        },
        o.clone(),
    ));
    p.arguments.push((Argument::Public { x: Var(1) }, o));
    let trace = solve(&p, &[5]).unwrap();
    let keys = Groth16.setup(&p).unwrap();
    let proof = Groth16.prove(&p, &keys.proving_key, &trace).unwrap();
    let public = trace.public_values(&p);
    assert_eq!(public, vec![-15]);
    let tmp = tempfile::tempdir().unwrap();
    export_snarkjs(&keys.verifying_key, &proof, &public, tmp.path()).unwrap();
    let pj = std::fs::read_to_string(tmp.path().join("public.json")).unwrap();
    assert!(
        pj.contains("21888242871839275222246405745257275088548364400416034343698204186575808495602"),
        "{pj}"
    );
    assert!(snarkjs_verifies(&snarkjs, tmp.path()));
}
