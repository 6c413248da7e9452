//! End to end through the CLI: fullprove writes a verifying proof; `zkc verify` rejects a
//! flipped proof byte, a changed public output and the key of another model.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
        .join(name)
}

fn zkc(args: &[&str], srs: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkc"))
        .args(args)
        .env("ZKC_SRS_DIR", srs)
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

fn fullprove(model: &str, dir: &Path, backend: &str, srs: &Path) {
    let (ok, text) = zkc(
        &[
            "fullprove",
            shared(&format!("{model}.onnx")).to_str().unwrap(),
            "--input",
            shared(&format!("{model}.input.json")).to_str().unwrap(),
            "--backend",
            backend,
            "--out",
            dir.to_str().unwrap(),
        ],
        srs,
    );
    assert!(ok, "fullprove {model} on {backend} failed:\n{text}");
    for f in [
        "circuit.zkc",
        "pk.zkc",
        "vk.zkc",
        "proof.zkc",
        "public.json",
        "output.json",
    ] {
        assert!(dir.join(f).exists(), "{f} missing");
    }
}

fn check_backend(backend: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let srs = tmp.path().join("srs");
    let ff = tmp.path().join("ff");
    let mlp = tmp.path().join("mlp");
    fullprove("ff", &ff, backend, &srs);
    fullprove("mlp", &mlp, backend, &srs);
    // fullprove's output equals `zkc run --fixed --backend B`, bit for bit.
    for (model, dir) in [("ff", &ff), ("mlp", &mlp)] {
        let (ok, fixed) = zkc(
            &[
                "run",
                shared(&format!("{model}.onnx")).to_str().unwrap(),
                "-i",
                shared(&format!("{model}.input.json")).to_str().unwrap(),
                "--fixed",
                "--backend",
                backend,
            ],
            &srs,
        );
        assert!(ok, "{fixed}");
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("output.json")).unwrap()).unwrap();
        let fixed: serde_json::Value = serde_json::from_str(fixed.trim()).unwrap();
        assert_eq!(written["output_data"], fixed["output_data"], "{model} on {backend}");
    }

    let (ok, text) = zkc(&["verify", ff.to_str().unwrap()], &srs);
    assert!(ok, "{text}");

    // One flipped byte near the end of the proof payload.
    let proof = std::fs::read(ff.join("proof.zkc")).unwrap();
    let mut bad = proof.clone();
    let n = bad.len();
    bad[n - 10] ^= 1;
    std::fs::write(ff.join("proof.zkc"), &bad).unwrap();
    let (ok, text) = zkc(&["verify", ff.to_str().unwrap()], &srs);
    assert!(!ok, "flipped proof byte accepted:\n{text}");
    // Truncated proof.
    std::fs::write(ff.join("proof.zkc"), &proof[..proof.len() / 2]).unwrap();
    let (ok, _) = zkc(&["verify", ff.to_str().unwrap()], &srs);
    assert!(!ok, "truncated proof accepted");
    std::fs::write(ff.join("proof.zkc"), &proof).unwrap();

    // A changed public output (consistent with its output_data, so only the proof can catch it).
    let public_path = ff.join("public.json");
    let original = std::fs::read_to_string(&public_path).unwrap();
    let mut p: serde_json::Value = serde_json::from_str(&original).unwrap();
    let v: i128 = p["public"][0].as_str().unwrap().parse().unwrap();
    // The output's scale 2^s, read off the file itself (value = integer / 2^s).
    let scale = (v as f64 / p["output_data"][0][0].as_f64().unwrap())
        .log2()
        .round()
        .exp2();
    p["public"][0] = serde_json::Value::String((v + 1).to_string());
    p["output_data"][0][0] = serde_json::json!((v + 1) as f64 / scale);
    std::fs::write(&public_path, serde_json::to_string(&p).unwrap()).unwrap();
    let (ok, text) = zkc(&["verify", ff.to_str().unwrap()], &srs);
    assert!(!ok, "changed public output accepted:\n{text}");
    assert!(
        !text.contains("encodes"),
        "the edited file must be self-consistent, so that only the proof rejects it:\n{text}"
    );
    std::fs::write(&public_path, &original).unwrap();

    // The verifying key of another model.
    let (ok, text) = zkc(
        &[
            "verify",
            "--vk",
            mlp.join("vk.zkc").to_str().unwrap(),
            "--proof",
            ff.join("proof.zkc").to_str().unwrap(),
            "--public",
            ff.join("public.json").to_str().unwrap(),
            "--circuit",
            ff.join("circuit.zkc").to_str().unwrap(),
        ],
        &srs,
    );
    assert!(
        !ok && text.contains("another circuit"),
        "vk of another model accepted:\n{text}"
    );
    let (ok, _) = zkc(&["verify", ff.to_str().unwrap()], &srs);
    assert!(ok, "the untouched directory verifies again");
}

#[test]
fn halo2_fullprove_verify_and_tamper() {
    check_backend("halo2");
}

#[test]
fn groth16_fullprove_verify_and_tamper() {
    check_backend("groth16");
}

#[test]
fn plonky2_fullprove_verify_and_tamper() {
    check_backend("plonky2");
}
