//! `zkc bench` through the real binary: the parent re-runs zkc per backend as a child and
//! collects its figures.

use std::path::PathBuf;
use std::process::Command;

fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
        .join(name)
}

#[test]
fn bench_runs_children_and_writes_json_plot_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let (json, svg, outs) = (
        dir.path().join("b.json"),
        dir.path().join("b.svg"),
        dir.path().join("outs"),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_zkc"))
        .arg("bench")
        .arg(shared("ff.onnx"))
        .arg("--input")
        .arg(shared("ff.input.json"))
        .args(["--backends", "halo2", "--json"])
        .arg(&json)
        .arg("--plot")
        .arg(&svg)
        .arg("--outputs")
        .arg(&outs)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("halo2") && table.contains("rows") && table.contains("yes"),
        "{table}"
    );
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let b = &v["backends"][0];
    assert_eq!(b["backend"], "halo2");
    assert_eq!(b["verified"], true);
    assert!(b["peak_mem_bytes"].as_u64().unwrap() > 0, "the child reports its VmHWM");
    assert!(std::fs::read_to_string(&svg).unwrap().contains("halo2"));
    assert!(outs.join("halo2.output.json").exists());
}

#[test]
fn bench_refuses_unknown_backend_by_name() {
    let out = Command::new(env!("CARGO_BIN_EXE_zkc"))
        .arg("bench")
        .arg(shared("ff.onnx"))
        .arg("--input")
        .arg(shared("ff.input.json"))
        .args(["--backends", "halo3"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("halo3"));
}
