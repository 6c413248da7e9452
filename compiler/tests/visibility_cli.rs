//! Visibility through the CLI: publish an input's hash first, prove with the input hashed,
//! and let the verifier check the proof against the published hash; private values never
//! reach the files a verifier gets.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
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

fn fullprove(dir: &Path, backend: &str, input: &str, vis: [&str; 3], srs: &Path) {
    let (ok, text) = zkc(
        &[
            "fullprove",
            &shared("ff.onnx"),
            "--input",
            input,
            "--backend",
            backend,
            "--out",
            dir.to_str().unwrap(),
            "--input-visibility",
            vis[0],
            "--param-visibility",
            vis[1],
            "--output-visibility",
            vis[2],
        ],
        srs,
    );
    assert!(ok, "fullprove on {backend} with {vis:?} failed:\n{text}");
}

fn other_input(dir: &Path) -> PathBuf {
    let p = dir.join("other.json");
    std::fs::write(&p, r#"{"input_data": [[0.25, -0.5, 0.75]]}"#).unwrap();
    p
}

/// The README's worked example, on every backend.
#[test]
fn publish_the_input_hash_first_then_prove_and_verify_against_it() {
    for backend in ["halo2", "groth16", "plonky2"] {
        let tmp = tempfile::tempdir().unwrap();
        let srs = tmp.path().join("srs");
        let dir = tmp.path().join("proof");
        let input = shared("ff.input.json");
        // 1. The data owner publishes the commitment of the input beforehand.
        let (ok, published) = zkc(&["hash", &input, "--backend", backend], &srs);
        assert!(ok, "{published}");
        let published = published.trim().to_string();
        assert!(published.starts_with("0x") && published.len() == 66, "{published}");
        // 2. The prover proves with the input hashed (kept private).
        fullprove(&dir, backend, &input, ["hashed", "fixed", "public"], &srs);
        let public = std::fs::read_to_string(dir.join("public.json")).unwrap();
        assert!(
            public.contains(&published),
            "public.json carries the commitment:\n{public}"
        );
        // 3. The verifier checks the proof and that it is about the published input.
        let d = dir.to_str().unwrap();
        let (ok, text) = zkc(&["verify", d, "--expect-hash", &format!("input={published}")], &srs);
        assert!(ok && text.contains("input commitment matches"), "{backend}: {text}");
        let (ok, text) = zkc(&["verify", d, "--expect-input", &input], &srs);
        assert!(ok && text.contains("input matches"), "{backend}: {text}");
        // Another input's commitment, or another input, is rejected.
        let other = other_input(tmp.path());
        let (ok, other_hash) = zkc(&["hash", other.to_str().unwrap(), "--backend", backend], &srs);
        assert!(ok);
        let (ok, text) = zkc(
            &["verify", d, "--expect-hash", &format!("input={}", other_hash.trim())],
            &srs,
        );
        assert!(!ok && text.contains("not the expected"), "{backend}: {text}");
        let (ok, text) = zkc(&["verify", d, "--expect-input", other.to_str().unwrap()], &srs);
        assert!(!ok && text.contains("different input"), "{backend}: {text}");
        // A public.json whose commitment was edited no longer matches its public values.
        let mut p: serde_json::Value = serde_json::from_str(&public).unwrap();
        p["commitments"]["input"] = serde_json::json!(other_hash.trim());
        std::fs::write(dir.join("public.json"), serde_json::to_string(&p).unwrap()).unwrap();
        let (ok, text) = zkc(&["verify", d], &srs);
        assert!(!ok && text.contains("commitment"), "{backend}: {text}");
    }
}

/// No private value appears in `files`: as the quantized integer in a JSON list or string,
/// nor (BN254 backends, positive values) as its 32-byte little-endian field encoding.
fn assert_absent(files: &[PathBuf], values: &[i128], what: &str, field_bytes: bool) {
    for f in files {
        let bytes = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for &v in values.iter().filter(|v| v.abs() >= 1000) {
            for pat in [format!("[{v},"), format!(",{v},"), format!(",{v}]"), format!("\"{v}\"")] {
                assert!(!text.contains(&pat), "{what} value {v} found in {}", f.display());
            }
            if field_bytes && v > 0 {
                let mut le = (v as u128).to_le_bytes().to_vec();
                le.resize(32, 0);
                assert!(
                    !bytes.windows(32).any(|w| w == le.as_slice()),
                    "{what} value {v} found as a field element in {}",
                    f.display()
                );
            }
        }
    }
}

#[test]
fn private_values_never_reach_the_verifier_files() {
    let input: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shared("ff.input.json")).unwrap()).unwrap();
    let q = |v: f64| (v * 16384.0).round() as i128;
    let input_ints: Vec<i128> = input["input_data"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| q(x.as_f64().unwrap()))
        .collect();
    for backend in ["halo2", "groth16", "plonky2"] {
        let tmp = tempfile::tempdir().unwrap();
        let srs = tmp.path().join("srs");
        // Positive control: with fixed weights the circuit file does contain them.
        let fixed = tmp.path().join("fixed");
        fullprove(
            &fixed,
            backend,
            &shared("ff.input.json"),
            ["private", "fixed", "public"],
            &srs,
        );
        let dir = tmp.path().join("private");
        fullprove(
            &dir,
            backend,
            &shared("ff.input.json"),
            ["private", "private", "private"],
            &srs,
        );
        let params: Vec<i128> = {
            let bytes = std::fs::read(dir.join("params.zkc")).unwrap();
            let start = bytes.iter().position(|&b| b == b'[').unwrap();
            let list: Vec<String> = serde_json::from_slice(&bytes[start..]).unwrap();
            list.iter().map(|s| s.parse().unwrap()).collect()
        };
        let outputs: Vec<i128> = {
            let o: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(dir.join("output.json")).unwrap()).unwrap();
            o["output_data"][0]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| q(x.as_f64().unwrap()))
                .collect()
        };
        assert!(
            params.iter().filter(|v| v.abs() >= 1000).count() >= 4,
            "ff has weights to look for"
        );
        let fixed_circuit = String::from_utf8_lossy(&std::fs::read(fixed.join("circuit.zkc")).unwrap()).to_string();
        assert!(
            params
                .iter()
                .filter(|v| v.abs() >= 1000)
                .any(|v| fixed_circuit.contains(&format!("[{v},"))),
            "the search would find fixed weights in circuit.zkc"
        );
        let verifier_files: Vec<PathBuf> = ["circuit.zkc", "vk.zkc", "proof.zkc", "public.json"]
            .iter()
            .map(|f| dir.join(f))
            .collect();
        let bn254 = backend != "plonky2";
        assert_absent(&verifier_files, &params, "weight", bn254);
        assert_absent(&verifier_files, &input_ints, "input", bn254);
        assert_absent(&verifier_files, &outputs, "output", bn254);
        let public: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("public.json")).unwrap()).unwrap();
        assert_eq!(
            public["public"].as_array().unwrap().len(),
            0,
            "{backend}: nothing public"
        );
        // The verifier's copy verifies without params.zkc, pk.zkc or output.json.
        for f in ["params.zkc", "pk.zkc", "output.json"] {
            std::fs::remove_file(dir.join(f)).unwrap();
        }
        let (ok, text) = zkc(&["verify", dir.to_str().unwrap()], &srs);
        assert!(ok, "{backend}: {text}");
        // ...and a prover without params.zkc is told what is missing.
        let (ok, text) = zkc(&["setup", dir.to_str().unwrap()], &srs);
        assert!(ok, "{backend}: setup needs no weights: {text}");
        let (ok, text) = zkc(
            &["prove", dir.to_str().unwrap(), "--input", &shared("ff.input.json")],
            &srs,
        );
        assert!(!ok && text.contains("params.zkc"), "{backend}: {text}");
    }
}

#[test]
fn visibility_errors_are_clear() {
    let tmp = tempfile::tempdir().unwrap();
    let srs = tmp.path().join("srs");
    let (ok, text) = zkc(
        &[
            "compile",
            &shared("ff.onnx"),
            "--data",
            &shared("ff.input.json"),
            "--out",
            tmp.path().join("c").to_str().unwrap(),
            "--input-visibility",
            "fixed",
        ],
        &srs,
    );
    assert!(!ok && text.contains("--input-visibility"), "{text}");
    let (ok, text) = zkc(
        &[
            "compile",
            &shared("ff.onnx"),
            "--data",
            &shared("ff.input.json"),
            "--out",
            tmp.path().join("c").to_str().unwrap(),
            "--output-visibility",
            "secret",
        ],
        &srs,
    );
    assert!(!ok && text.contains("public, private, hashed"), "{text}");
    // setup checks the visibility the user expects against the compiled circuit
    let c = tmp.path().join("c");
    let (ok, text) = zkc(
        &[
            "compile",
            &shared("ff.onnx"),
            "--data",
            &shared("ff.input.json"),
            "--out",
            c.to_str().unwrap(),
        ],
        &srs,
    );
    assert!(ok, "{text}");
    let (ok, text) = zkc(&["setup", c.to_str().unwrap(), "--input-visibility", "hashed"], &srs);
    assert!(!ok && text.contains("recompile"), "{text}");
    // --expect-input on private inputs cannot be checked, and says so
    let dir = tmp.path().join("p");
    fullprove(
        &dir,
        "groth16",
        &shared("ff.input.json"),
        ["private", "fixed", "public"],
        &srs,
    );
    let (ok, text) = zkc(
        &[
            "verify",
            dir.to_str().unwrap(),
            "--expect-input",
            &shared("ff.input.json"),
        ],
        &srs,
    );
    assert!(!ok && text.contains("says nothing"), "{text}");
    let (ok, text) = zkc(
        &[
            "verify",
            dir.to_str().unwrap(),
            "--expect-output",
            dir.join("output.json").to_str().unwrap(),
        ],
        &srs,
    );
    assert!(ok && text.contains("output matches"), "{text}");
}

#[test]
fn aggregating_hashed_proofs_is_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let srs = tmp.path().join("srs");
    let dir = tmp.path().join("h");
    fullprove(
        &dir,
        "plonky2",
        &shared("ff.input.json"),
        ["hashed", "fixed", "public"],
        &srs,
    );
    let (ok, text) = zkc(
        &[
            "aggregate",
            dir.to_str().unwrap(),
            dir.to_str().unwrap(),
            "-o",
            tmp.path().join("agg").to_str().unwrap(),
        ],
        &srs,
    );
    assert!(!ok && text.contains("not supported yet"), "{text}");
}

#[test]
fn public_inputs_outside_the_circuit_range_are_refused_by_the_verifier() {
    let tmp = tempfile::tempdir().unwrap();
    let srs = tmp.path().join("srs");
    let dir = tmp.path().join("p");
    fullprove(
        &dir,
        "groth16",
        &shared("ff.input.json"),
        ["public", "public", "public"],
        &srs,
    );
    let text = std::fs::read_to_string(dir.join("public.json")).unwrap();
    let mut p: serde_json::Value = serde_json::from_str(&text).unwrap();
    // A value far outside the calibrated range, consistent with input_data.
    p["public"][0] = serde_json::json!((1i128 << 40).to_string());
    p["input_data"][0][0] = serde_json::json!((1u64 << 40) as f64 / 16384.0);
    std::fs::write(dir.join("public.json"), p.to_string()).unwrap();
    let (ok, out) = zkc(&["verify", dir.to_str().unwrap()], &srs);
    assert!(!ok && out.contains("outside the circuit's input range"), "{out}");
    // A public weight beyond the compiled bound.
    let mut p: serde_json::Value = serde_json::from_str(&text).unwrap();
    p["public"][3] = serde_json::json!((1i128 << 50).to_string());
    std::fs::write(dir.join("public.json"), p.to_string()).unwrap();
    let (ok, out) = zkc(&["verify", dir.to_str().unwrap()], &srs);
    assert!(!ok && out.contains("beyond the largest weight"), "{out}");
}
