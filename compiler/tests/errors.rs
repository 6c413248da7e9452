//! Error paths of every command: missing, unreadable or wrong files, wrong backend,
//! mismatched model and key. Each exits non-zero with a message and never panics. Plus
//! determinism: the same model compiles to byte-identical circuits and verifying keys.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
        .join(name)
        .display()
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

/// `zkc fullprove` of a shared model into `dir`.
fn fullproved(dir: &Path, model: &str, backend: &str, srs: &Path) -> PathBuf {
    let (ok, text) = zkc(
        &[
            "fullprove",
            &shared(&format!("{model}.onnx")),
            "-i",
            &shared(&format!("{model}.input.json")),
            "--backend",
            backend,
            "--out",
            dir.to_str().unwrap(),
        ],
        srs,
    );
    assert!(ok, "{text}");
    dir.to_path_buf()
}

fn fails(args: &[&str], srs: &Path, needle: &str) {
    let (ok, text) = zkc(args, srs);
    assert!(!ok, "zkc {args:?} should fail:\n{text}");
    assert!(text.contains(needle), "zkc {args:?}: expected `{needle}` in:\n{text}");
}

fn compiled_dir(tmp: &Path, model: &str) -> PathBuf {
    compiled_dir_for(tmp, model, "halo2")
}

fn compiled_dir_for(tmp: &Path, model: &str, backend: &str) -> PathBuf {
    let d = tmp.join(model);
    let (ok, text) = zkc(
        &[
            "compile",
            &shared(&format!("{model}.onnx")),
            "--data",
            &shared(&format!("{model}.input.json")),
            "--backend",
            backend,
            "-o",
            d.to_str().unwrap(),
        ],
        &tmp.join("srs"),
    );
    assert!(ok, "{text}");
    d
}

#[test]
fn every_command_fails_cleanly_on_bad_files() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let srs = t.join("srs");
    let ff = compiled_dir(t, "ff");
    let ffs = ff.to_str().unwrap();
    let input = shared("ff.input.json");
    let junk = t.join("junk.bin");
    std::fs::write(&junk, b"\x00\x01garbage").unwrap();
    let junk = junk.to_str().unwrap();

    // compile
    fails(
        &[
            "compile",
            "/nope.onnx",
            "--input-range",
            "1",
            "-o",
            t.join("x").to_str().unwrap(),
        ],
        &srs,
        "cannot read",
    );
    fails(
        &[
            "compile",
            &shared("ff.onnx"),
            "--data",
            &input,
            "--backend",
            "snark9000",
            "-o",
            t.join("x").to_str().unwrap(),
        ],
        &srs,
        "unknown backend `snark9000`",
    );
    fails(
        &["compile", &shared("ff.onnx"), "-o", t.join("x").to_str().unwrap()],
        &srs,
        "--data",
    );
    fails(
        &["compile", junk, "--data", &input, "-o", t.join("x").to_str().unwrap()],
        &srs,
        "not a valid ONNX model",
    );
    // witness / mock
    fails(
        &["witness", "/nope/circuit.zkc", "-i", &input],
        &srs,
        "/nope/circuit.zkc",
    );
    fails(&["witness", junk, "-i", &input], &srs, "not a zkc artifact");
    fails(&["mock", ffs, "-i", &shared("mlp.input.json")], &srs, "expects 3");
    fails(&["mock", ffs, "-i", "/nope.json"], &srs, "cannot read");
    // A truncated compiled circuit.
    let circuit = std::fs::read(ff.join("circuit.zkc")).unwrap();
    let trunc = t.join("trunc.zkc");
    std::fs::write(&trunc, &circuit[..circuit.len() / 2]).unwrap();
    fails(
        &["witness", trunc.to_str().unwrap(), "-i", &input],
        &srs,
        "damaged compiled circuit",
    );
    // prove before setup
    fails(&["prove", ffs, "-i", &input], &srs, "pk.zkc");
    // setup on a file of the wrong kind
    let (ok, text) = zkc(&["setup", ffs], &srs);
    assert!(ok, "{text}");
    fails(
        &["setup", ff.join("vk.zkc").to_str().unwrap()],
        &srs,
        "a compiled circuit was expected",
    );
    let (ok, text) = zkc(&["prove", ffs, "-i", &input], &srs);
    assert!(ok, "{text}");
    // verify
    fails(&["verify", "/nope"], &srs, "/nope");
    fails(&["verify"], &srs, "give a proof directory");
    let vk = ff.join("vk.zkc");
    let proof = ff.join("proof.zkc");
    fails(
        &[
            "verify",
            "--vk",
            proof.to_str().unwrap(),
            "--proof",
            proof.to_str().unwrap(),
            "--public",
            ff.join("public.json").to_str().unwrap(),
            "--circuit",
            ff.join("circuit.zkc").to_str().unwrap(),
        ],
        &srs,
        "but a verifying-key was expected",
    );
    let vk_bytes = std::fs::read(&vk).unwrap();
    for cut in [vk_bytes.len() / 2, vk_bytes.len() - 1, 20] {
        std::fs::write(&vk, &vk_bytes[..cut]).unwrap();
        let (ok, _) = zkc(&["verify", ffs], &srs);
        assert!(!ok, "truncated vk ({cut} bytes) accepted");
    }
    std::fs::write(&vk, &vk_bytes).unwrap();
    let proof_bytes = std::fs::read(&proof).unwrap();
    for cut in [proof_bytes.len() / 2, proof_bytes.len() - 1, 20] {
        std::fs::write(&proof, &proof_bytes[..cut]).unwrap();
        let (ok, _) = zkc(&["verify", ffs], &srs);
        assert!(!ok, "truncated proof ({cut} bytes) accepted");
    }
    std::fs::write(&proof, &proof_bytes).unwrap();
    // A key of another backend (header) is refused with the backend named.
    let mut other = String::from_utf8_lossy(&vk_bytes).to_string();
    other = other.replacen("\"backend\":\"halo2\"", "\"backend\":\"groth16\"", 1);
    std::fs::write(&vk, other.as_bytes()).unwrap_or(());
    fails(&["verify", ffs], &srs, "groth16");
    std::fs::write(&vk, &vk_bytes).unwrap();
    let (ok, text) = zkc(&["verify", ffs], &srs);
    assert!(ok, "{text}");
    // fullprove with a wrong backend or a bad input
    fails(
        &[
            "fullprove",
            &shared("ff.onnx"),
            "-i",
            &input,
            "--backend",
            "nope",
            "--out",
            t.join("y").to_str().unwrap(),
        ],
        &srs,
        "unknown backend",
    );
    fails(
        &[
            "fullprove",
            &shared("ff.onnx"),
            "-i",
            &shared("mlp.input.json"),
            "--out",
            t.join("y").to_str().unwrap(),
        ],
        &srs,
        "expects 3",
    );
}

/// Compiles `model` for `backend` twice and sets both up: the circuits and verifying keys
/// must be byte-identical (halo2 shares one cached SRS, plonky2's setup has no secret).
fn assert_compiles_and_sets_up_identically(model: &str, backend: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let a = compiled_dir_for(&tmp.path().join("a"), model, backend);
    let b = compiled_dir_for(&tmp.path().join("b"), model, backend);
    assert_eq!(
        std::fs::read(a.join("circuit.zkc")).unwrap(),
        std::fs::read(b.join("circuit.zkc")).unwrap()
    );
    let srs = tmp.path().join("srs");
    for d in [&a, &b] {
        let (ok, text) = zkc(&["setup", d.to_str().unwrap()], &srs);
        assert!(ok, "{text}");
    }
    assert_eq!(
        std::fs::read(a.join("vk.zkc")).unwrap(),
        std::fs::read(b.join("vk.zkc")).unwrap()
    );
}

/// An error's causes are printed once each, however the libraries nest them.
#[test]
fn a_missing_file_is_reported_once_and_hash_says_what_it_takes() {
    let tmp = tempfile::tempdir().unwrap();
    let srs = tmp.path().join("srs");
    let missing = tmp.path().join("nothing-here");
    let (ok, text) = zkc(&["export", "solidity", missing.to_str().unwrap()], &srs);
    assert!(!ok, "{text}");
    assert!(text.contains("circuit.zkc"), "{text}");
    assert_eq!(text.matches("os error 2").count(), 1, "the OS error once:\n{text}");
    let junk = tmp.path().join("notes.txt");
    std::fs::write(&junk, "not json").unwrap();
    fails(
        &["hash", junk.to_str().unwrap(), "--backend", "groth16"],
        &srs,
        "zkc hash takes IN.json",
    );
}

#[test]
fn compiling_twice_gives_identical_circuits_and_verifying_keys() {
    assert_compiles_and_sets_up_identically("mlp", "halo2");
}

#[test]
fn groth16_keys_are_identical_given_the_same_seed_and_fresh_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let srs = tmp.path().join("srs");
    let a = compiled_dir_for(&tmp.path().join("a"), "ff", "groth16");
    let b = compiled_dir_for(&tmp.path().join("b"), "ff", "groth16");
    let vk = |d: &Path| std::fs::read(d.join("vk.zkc")).unwrap();
    for d in [&a, &b] {
        let (ok, text) = zkc(&["setup", d.to_str().unwrap(), "--insecure-seed", "ci"], &srs);
        assert!(ok, "{text}");
        assert!(text.contains("INSECURE") || text.contains("forge"), "{text}");
    }
    assert_eq!(vk(&a), vk(&b));
    // Without a seed the toxic waste is fresh: another key, which still proves and verifies.
    let (ok, text) = zkc(&["setup", b.to_str().unwrap()], &srs);
    assert!(ok, "{text}");
    assert_ne!(vk(&a), vk(&b));
    let (ok, text) = zkc(&["prove", b.to_str().unwrap(), "-i", &shared("ff.input.json")], &srs);
    assert!(ok, "{text}");
    let (ok, text) = zkc(&["verify", b.to_str().unwrap()], &srs);
    assert!(ok, "{text}");
}

#[test]
fn resource_limits_fail_early_naming_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let srs = tmp.path().join("srs");
    // The mlp's 784-element input exceeds a 100-element limit.
    fails(
        &["table", &shared("mlp.onnx"), "--max-elements", "100"],
        &srs,
        "limit of 100 elements",
    );
    // The cnn's first conv output (3136 elements) exceeds a 1000-element limit.
    fails(
        &["table", &shared("cnn.onnx"), "--max-elements", "1000"],
        &srs,
        "Conv_0",
    );
    // A circuit over 5000 witness values is refused at the node that crosses it.
    fails(
        &[
            "compile",
            &shared("cnn.onnx"),
            "--data",
            &shared("cnn.input.json"),
            "--max-vars",
            "5000",
            "-o",
            tmp.path().join("c").to_str().unwrap(),
        ],
        &srs,
        "over the limit of 5000",
    );
}

#[test]
fn the_other_commands_fail_cleanly_and_say_why() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let srs = t.join("srs");
    let input = shared("ff.input.json");
    let ff = fullproved(&t.join("ff-proof"), "ff", "halo2", &srs);
    let mlp = fullproved(&t.join("mlp-proof"), "mlp", "halo2", &srs);
    let ffs = ff.to_str().unwrap();
    let junk = t.join("junk.json");
    std::fs::write(&junk, b"garbage").unwrap();
    let junk = junk.to_str().unwrap();

    // hash
    fails(&["hash", "/nope.json", "--backend", "halo2"], &srs, "cannot read");
    fails(&["hash", junk, "--backend", "halo2"], &srs, "junk.json");
    fails(&["hash", &input, "--backend", "nope"], &srs, "unknown backend `nope`");
    // calibrate
    fails(&["calibrate", "/nope.onnx", "--data", &input], &srs, "cannot read");
    fails(
        &["calibrate", &shared("ff.onnx"), "--data", junk],
        &srs,
        "not an input file",
    );
    // export and aggregate on proofs of the wrong backend, or of nothing
    fails(
        &["export", "snarkjs", ffs],
        &srs,
        "needs a Groth16 proof but this one is halo2",
    );
    fails(&["export", "solidity", "/nope"], &srs, "/nope");
    fails(
        &["aggregate", ffs, ffs, "-o", t.join("agg").to_str().unwrap()],
        &srs,
        "aggregation needs plonky2 proofs but this one is halo2",
    );
    fails(&["aggregate", "-o", t.join("agg").to_str().unwrap()], &srs, "PROOFS");
    assert!(!t.join("agg").exists(), "a failed aggregate leaves no output behind");

    // prove with the proving key of another model
    let pk = std::fs::read(ff.join("pk.zkc")).unwrap();
    std::fs::copy(mlp.join("pk.zkc"), ff.join("pk.zkc")).unwrap();
    fails(&["prove", ffs, "-i", &input], &srs, "belongs to another circuit");
    // a truncated proving key
    std::fs::write(ff.join("pk.zkc"), &pk[..pk.len() / 3]).unwrap();
    fails(&["prove", ffs, "-i", &input], &srs, "truncated or corrupted");
    std::fs::write(ff.join("pk.zkc"), &pk).unwrap();

    // artifacts of another format version name the version and what to do
    let vk_bytes = std::fs::read(ff.join("vk.zkc")).unwrap();
    // The header is ASCII and comes first, so offsets in the lossy text are byte offsets.
    let vk = String::from_utf8_lossy(&vk_bytes).to_string();
    let mut v2 = vk_bytes.clone();
    let at = vk
        .find("\"format_version\":1")
        .expect("the header has a format version");
    v2.splice(at..at + 18, b"\"format_version\":9".iter().copied());
    std::fs::write(ff.join("vk.zkc"), &v2).unwrap();
    fails(&["verify", ffs], &srs, "format version 9 but this zkc reads version 1");
    std::fs::write(ff.join("vk.zkc"), &vk_bytes).unwrap();
    let circuit = std::fs::read(ff.join("circuit.zkc")).unwrap();
    let text = String::from_utf8_lossy(&circuit).to_string();
    let at = text
        .find("\"format_version\":1")
        .expect("the header has a format version");
    let mut c2 = circuit.clone();
    c2.splice(at..at + 18, b"\"format_version\":9".iter().copied());
    std::fs::write(ff.join("circuit.zkc"), &c2).unwrap();
    fails(&["witness", ffs, "-i", &input], &srs, "format version 9");
    std::fs::write(ff.join("circuit.zkc"), &circuit).unwrap();

    // a truncated proof says the proof does not verify
    let proof = std::fs::read(ff.join("proof.zkc")).unwrap();
    std::fs::write(ff.join("proof.zkc"), &proof[..proof.len() - 100]).unwrap();
    fails(&["verify", ffs], &srs, "does NOT verify");
    std::fs::write(ff.join("proof.zkc"), &proof).unwrap();

    // --expect-output: the proof's own outputs pass, another model's are refused
    let (ok, text) = zkc(
        &[
            "verify",
            ffs,
            "--expect-output",
            ff.join("output.json").to_str().unwrap(),
        ],
        &srs,
    );
    assert!(ok, "{text}");
    fails(
        &["verify", ffs, "--expect-output", &shared("mlp.expected.json")],
        &srs,
        "has 10 values",
    );
    let mut other: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ff.join("output.json")).unwrap()).unwrap();
    let first = other["output_data"][0][0].as_f64().unwrap();
    other["output_data"][0][0] = serde_json::json!(first + 0.5);
    let other_path = t.join("other-output.json");
    std::fs::write(&other_path, other.to_string()).unwrap();
    let (ok, text) = zkc(&["verify", ffs, "--expect-output", other_path.to_str().unwrap()], &srs);
    assert!(!ok, "an output the proof is not about was accepted:\n{text}");
}

#[test]
fn plonky2_keys_are_identical_for_the_same_circuit() {
    assert_compiles_and_sets_up_identically("ff", "plonky2");
}

#[test]
fn a_circuit_too_wide_for_goldilocks_is_refused_at_compile_naming_the_node() {
    // PoissonNLLLoss computes exp(x): at the default scale its table's outputs span more than
    // plonky2's 16-bit lookups. compile says so, naming the node, and writes nothing; halo2
    // takes the same circuit.
    let tmp = tempfile::tempdir().unwrap();
    let srs = tmp.path().join("srs");
    let model = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/pytorch-converted/test_PoissonNLLLLoss_no_reduce/model.onnx");
    let model = model.to_str().unwrap();
    let out = tmp.path().join("p");
    fails(
        &[
            "compile",
            model,
            "--input-range",
            "3",
            "--backend",
            "plonky2",
            "-o",
            out.to_str().unwrap(),
        ],
        &srs,
        "node 0 `Exp_1`",
    );
    assert!(
        !out.join("circuit.zkc").exists(),
        "nothing is written for a circuit that does not fit"
    );
    let (ok, text) = zkc(
        &[
            "compile",
            model,
            "--input-range",
            "3",
            "--backend",
            "halo2",
            "-o",
            out.to_str().unwrap(),
        ],
        &srs,
    );
    assert!(ok, "{text}");
}

/// Splits an artifact into its header (JSON) and payload.
fn split_artifact(bytes: &[u8]) -> (serde_json::Value, Vec<u8>) {
    let mut parts = bytes.splitn(3, |&b| b == b'\n');
    assert_eq!(parts.next(), Some(&b"ZKC-ARTIFACT"[..]));
    let header = serde_json::from_slice(parts.next().unwrap()).unwrap();
    (header, parts.next().unwrap().to_vec())
}

fn join_artifact(header: &serde_json::Value, payload: &[u8]) -> Vec<u8> {
    let mut out = b"ZKC-ARTIFACT\n".to_vec();
    out.extend_from_slice(header.to_string().as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload);
    out
}

#[test]
fn an_edited_circuit_plan_is_refused_even_with_its_hash_recomputed() {
    // The program hash binds keys to the program only; what a verifier reads beside it (the
    // input ranges it refuses public inputs outside, the visibility) is bound by the
    // contents hash, which keys and proofs carry too.
    let tmp = tempfile::tempdir().unwrap();
    let srs = tmp.path().join("srs");
    let d = fullproved(&tmp.path().join("ff"), "ff", "groth16", &srs);
    let original = std::fs::read(d.join("circuit.zkc")).unwrap();
    let (mut header, payload) = split_artifact(&original);
    assert_eq!(
        header["contents_hash"].as_str(),
        Some(zkc_runtime::artifact::contents_hash(&payload).as_str())
    );
    // Widen the input range the verifier checks public inputs against.
    let mut file: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let r = file["compiled"]["plan"]["input_ranges"][0].as_f64().unwrap();
    file["compiled"]["plan"]["input_ranges"][0] = serde_json::json!(r * 1000.0);
    let edited = serde_json::to_vec(&file).unwrap();

    // 1. Edited, header untouched: the file itself is refused.
    std::fs::write(d.join("circuit.zkc"), join_artifact(&header, &edited)).unwrap();
    fails(&["verify", d.to_str().unwrap()], &srs, "do not match the contents hash");
    // 2. Edited and its contents hash recomputed: the keys and proof were made for the
    //    original file, and say so.
    header["contents_hash"] = serde_json::json!(zkc_runtime::artifact::contents_hash(&edited));
    std::fs::write(d.join("circuit.zkc"), join_artifact(&header, &edited)).unwrap();
    fails(
        &["verify", d.to_str().unwrap()],
        &srs,
        "another version of the circuit file",
    );
    fails(
        &["prove", d.to_str().unwrap(), "-i", &shared("ff.input.json")],
        &srs,
        "another version of the circuit file",
    );
    // The original verifies again.
    std::fs::write(d.join("circuit.zkc"), &original).unwrap();
    let (ok, text) = zkc(&["verify", d.to_str().unwrap()], &srs);
    assert!(ok, "{text}");
}
