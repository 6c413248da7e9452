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

/// BN254's scalar field modulus, little-endian 64-bit limbs.
const BN254_R: [u64; 4] = [
    0x43e1f593f0000001,
    0x2833e84879b97091,
    0xb85045b68181585d,
    0x30644e72e131a029,
];

/// The canonical little-endian encoding of `v` in the field: BN254 (32 bytes, a negative
/// value as `r - |v|`) or Goldilocks (8 bytes, `p - |v|`).
fn field_encoding(v: i128, bn254: bool) -> Vec<u8> {
    if !bn254 {
        let p: u128 = 0xffff_ffff_0000_0001;
        let x = if v >= 0 {
            v as u128 % p
        } else {
            p - (v.unsigned_abs() % p)
        };
        return (x as u64).to_le_bytes().to_vec();
    }
    let mut limbs = [0u64; 4];
    let m = v.unsigned_abs();
    let (lo, hi) = (m as u64, (m >> 64) as u64);
    if v >= 0 {
        limbs[0] = lo;
        limbs[1] = hi;
    } else {
        // r - |v|, with borrows.
        let (d0, b0) = BN254_R[0].overflowing_sub(lo);
        let (d1, b1a) = BN254_R[1].overflowing_sub(hi);
        let (d1, b1b) = d1.overflowing_sub(b0 as u64);
        let (d2, b2) = BN254_R[2].overflowing_sub((b1a || b1b) as u64);
        let d3 = BN254_R[3] - b2 as u64;
        limbs = [d0, d1, d2, d3];
    }
    limbs.iter().flat_map(|l| l.to_le_bytes()).collect()
}

/// No private value appears in `files`: as the quantized integer in a JSON list or string,
/// nor (negative values) as its canonical little-endian field encoding (BN254 or Goldilocks).
fn assert_absent(files: &[PathBuf], values: &[i128], what: &str, bn254: bool) {
    for f in files {
        let bytes = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for &v in values.iter().filter(|v| v.abs() >= 1000) {
            for pat in [format!("[{v},"), format!(",{v},"), format!(",{v}]"), format!("\"{v}\"")] {
                assert!(!text.contains(&pat), "{what} value {v} found in {}", f.display());
            }
            // A small positive value's encoding is mostly zero bytes, which a zero field
            // element in a proof (after any element ending in the value's two bytes) matches by
            // chance; negative values encode as `r - |v|` / `p - |v|`, full-width and
            // distinctive. Positive values are searched as text above.
            let enc = field_encoding(v, bn254);
            if enc.iter().filter(|&&b| b != 0).count() < 8 {
                continue;
            }
            assert!(
                !bytes.windows(enc.len()).any(|w| w == enc.as_slice()),
                "{what} value {v} found as a field element in {}",
                f.display()
            );
        }
    }
}

#[test]
fn field_encodings_are_canonical() {
    assert_eq!(field_encoding(5, false), 5u64.to_le_bytes());
    assert_eq!(field_encoding(-1, false), 0xffff_ffff_0000_0000u64.to_le_bytes());
    let mut one = vec![0u8; 32];
    one[0] = 1;
    assert_eq!(field_encoding(1, true), one);
    // -1 is r - 1: the modulus with its lowest byte one less.
    let minus_one = field_encoding(-1, true);
    assert_eq!(minus_one[0], 0x00);
    assert_eq!(&minus_one[1..8], &0x43e1f593f0000001u64.to_le_bytes()[1..]);
    assert_eq!(&minus_one[24..], &BN254_R[3].to_le_bytes());
    // A borrow through the low limb.
    let big = field_encoding(-(1i128 << 70), true);
    assert_eq!(&big[..8], &BN254_R[0].to_le_bytes());
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
    for (backend, vis) in [
        ("halo2", "private"),
        ("groth16", "private"),
        ("plonky2", "private"),
        ("halo2", "hashed"),
        ("groth16", "hashed"),
        ("plonky2", "hashed"),
    ] {
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
        fullprove(&dir, backend, &shared("ff.input.json"), [vis, vis, vis], &srs);
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
        if vis == "private" {
            assert_eq!(
                public["public"].as_array().unwrap().len(),
                0,
                "{backend}: nothing public"
            );
        } else {
            // Only the three commitments' digests are public.
            assert_eq!(public["commitments"].as_object().map(|c| c.len()), Some(3), "{public}");
        }
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
