//! `cli::error_kind` sorts the failures of real commands into the kinds callers react to (the
//! Python package raises one exception class per kind): each case runs the command through
//! `cli::run_args`, as the package does.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use zkc_compiler::cli::{error_kind, run_args, ErrorKind};

fn shared(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
        .join(name)
}

/// Runs `zkc ARGS...` in-process.
fn zkc(args: &[&dyn AsRef<std::ffi::OsStr>]) -> anyhow::Result<()> {
    let argv: Vec<OsString> = std::iter::once(OsString::from("zkc"))
        .chain(args.iter().map(|a| a.as_ref().to_os_string()))
        .collect();
    run_args(argv, None)
}

fn kind(args: &[&dyn AsRef<std::ffi::OsStr>]) -> ErrorKind {
    error_kind(&zkc(args).expect_err("the command fails"))
}

#[test]
fn every_kind_from_a_real_failure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ff, input) = (shared("ff.onnx"), shared("ff.input.json"));

    let garbage = d.join("garbage.onnx");
    std::fs::write(&garbage, b"not a model").unwrap();
    assert_eq!(kind(&[&"run", &garbage, &"--input", &input]), ErrorKind::BadModel);

    let short = d.join("short.json");
    std::fs::write(&short, r#"{"input_data": [[1.0]]}"#).unwrap();
    assert_eq!(kind(&[&"run", &ff, &"--input", &short]), ErrorKind::BadInput);

    assert_eq!(
        kind(&[&"run", &ff, &"--input", &input, &"--no-such-flag"]),
        ErrorKind::Usage
    );

    // A proof, then a public value changed: rejected.
    let p = d.join("p");
    zkc(&[
        &"fullprove",
        &ff,
        &"--input",
        &input,
        &"--backend",
        &"groth16",
        &"--out",
        &p,
    ])
    .expect("ff proves");
    let public = p.join("public.json");
    let text = std::fs::read_to_string(&public).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let last = v["public"].as_array().unwrap().len() - 2;
    let old: i128 = v["public"][last].as_str().unwrap().parse().unwrap();
    v["public"][last] = serde_json::json!((old + 1).to_string());
    let outs = v["output_data"][0].as_array_mut().unwrap();
    let i = outs.len() - 2;
    let unit = outs[i].as_f64().unwrap() / old as f64;
    outs[i] = serde_json::json!((old + 1) as f64 * unit);
    std::fs::write(&public, serde_json::to_string(&v).unwrap()).unwrap();
    assert_eq!(kind(&[&"verify", &p]), ErrorKind::ProofRejected);
    std::fs::write(&public, text).unwrap();

    // Another backend's key beside the proof: an artifact mismatch.
    let h = d.join("h");
    std::fs::create_dir_all(&h).unwrap();
    zkc(&[
        &"compile",
        &ff,
        &"--data",
        &input,
        &"--backend",
        &"plonky2",
        &"--out",
        &h,
    ])
    .expect("ff compiles");
    std::fs::copy(h.join("circuit.zkc"), p.join("circuit.zkc")).unwrap();
    assert_eq!(kind(&[&"verify", &p]), ErrorKind::ArtifactMismatch);
}

#[test]
fn help_and_version_succeed() {
    for flag in ["--help", "--version"] {
        zkc(&[&flag]).expect("prints and succeeds");
    }
}
