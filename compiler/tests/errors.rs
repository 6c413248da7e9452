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

#[test]
fn compiling_twice_gives_identical_circuits_and_verifying_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let a = compiled_dir(&tmp.path().join("a"), "mlp");
    let b = compiled_dir(&tmp.path().join("b"), "mlp");
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
