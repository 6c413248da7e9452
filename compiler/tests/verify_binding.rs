//! `zkc verify` binds what it reports (issue 22, items 2 and 3): a key file's header, an
//! artifact header and aggregate.json only *claim* a circuit, so a prover who relabels the
//! proof, key and description of another circuit (here: ff with one weight changed) must not
//! get "verified" for the honest circuit, and the outputs an aggregate reports must be the
//! ones its public values encode.

use std::path::{Path, PathBuf};
use std::process::Command;

use onnx_protobuf::{Message, ModelProto};
use zkc_runtime::artifact;

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

/// ff.onnx with its first weight negated: another circuit, with every bound (and so the
/// layout) unchanged, since only the weight's sign differs.
fn other_ff(dir: &Path) -> String {
    let mut m = ModelProto::parse_from_bytes(&std::fs::read(shared("ff.onnx")).unwrap()).unwrap();
    let w = &mut m.graph.as_mut().unwrap().initializer[0];
    if let Some(v) = w.float_data.first_mut() {
        assert!(*v != 0.0);
        *v = -*v;
    } else {
        let v = f32::from_le_bytes(w.raw_data[..4].try_into().unwrap());
        assert!(v != 0.0);
        w.raw_data[..4].copy_from_slice(&(-v).to_le_bytes());
    }
    let path = dir.join("ff_other.onnx");
    std::fs::write(&path, m.write_to_bytes().unwrap()).unwrap();
    path.display().to_string()
}

fn fullprove(model: &str, backend: &str, out: &Path, srs: &Path) {
    let out_s = out.display().to_string();
    let o = Command::new(env!("CARGO_BIN_EXE_zkc"))
        .args([
            "fullprove",
            model,
            "-i",
            &shared("ff.input.json"),
            "--data",
            &shared("ff.input.json"),
            "--backend",
            backend,
            "--out",
            &out_s,
        ])
        .env("ZKC_SRS_DIR", srs)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn verify(dir: &Path, srs: &Path) -> (bool, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_zkc"))
        .args(["verify", dir.to_str().unwrap()])
        .env("ZKC_SRS_DIR", srs)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!text.contains("panicked"), "{text}");
    (o.status.success(), text)
}

/// Rewrites an artifact's payload under another header.
fn relabel(from: &Path, header_of: &Path, to: &Path, payload: impl FnOnce(Vec<u8>) -> Vec<u8>) {
    let (_, p) = artifact::read_any(from).unwrap();
    let (h, _) = artifact::read_any(header_of).unwrap();
    artifact::write(to, &h, &payload(p)).unwrap();
}

fn program(dir: &Path) -> zkc_runtime::Program {
    zkc_compiler::pipeline::read_circuit(&dir.join("circuit.zkc"))
        .unwrap()
        .compiled
        .program
}

fn circuit_hash(dir: &Path) -> String {
    program(dir).hash()
}

/// Directory `f` claiming circuit `a` with the proof of circuit `b`: a's circuit, b's key
/// and proof under a's headers (the backend's own key header rewritten too), b's public
/// values with a's hash.
fn forge(a: &Path, b: &Path, f: &Path, reseal_vk: impl FnOnce(Vec<u8>) -> Vec<u8>) {
    std::fs::create_dir_all(f).unwrap();
    std::fs::copy(a.join("circuit.zkc"), f.join("circuit.zkc")).unwrap();
    relabel(&b.join("vk.zkc"), &a.join("vk.zkc"), &f.join("vk.zkc"), reseal_vk);
    relabel(&b.join("proof.zkc"), &a.join("proof.zkc"), &f.join("proof.zkc"), |p| p);
    let mut public: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.join("public.json")).unwrap()).unwrap();
    public["circuit_hash"] = circuit_hash(a).into();
    std::fs::write(f.join("public.json"), public.to_string()).unwrap();
}

#[test]
fn verify_rebuilds_the_key_and_refuses_another_circuits_relabelled_key() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let srs = t.join("srs");
    let other = other_ff(t);
    for backend in ["plonky2", "halo2"] {
        let (a, b, f) = (
            t.join(format!("{backend}_a")),
            t.join(format!("{backend}_b")),
            t.join(format!("{backend}_f")),
        );
        fullprove(&shared("ff.onnx"), backend, &a, &srs);
        fullprove(&other, backend, &b, &srs);
        assert_ne!(circuit_hash(&a), circuit_hash(&b));
        let (ok, text) = verify(&a, &srs);
        assert!(ok && text.contains("rebuilt from the circuit"), "{backend}: {text}");
        let (ha, hb) = (circuit_hash(&a), circuit_hash(&b));
        match backend {
            "plonky2" => forge(&a, &b, &f, |vk| {
                let vd = zkc_backend_plonky2::keys::read_vk(&vk, &hb).unwrap();
                zkc_backend_plonky2::keys::write_vk(&ha, &vd).unwrap()
            }),
            _ => {
                use zkc_backend_halo2::keys::{self, Header};
                let header = |d: &Path| {
                    let p = program(d);
                    let (k, plan) = zkc_backend_halo2::layout::plan_program(&p).unwrap();
                    Header {
                        k,
                        shape: plan.shape,
                        program_hash: p.hash(),
                    }
                };
                let (header_a, header_b) = (header(&a), header(&b));
                forge(&a, &b, &f, |vk| {
                    let (params, vk) = keys::read_vk(&vk, &header_b).unwrap();
                    keys::write_vk(&header_a, &params, &vk)
                })
            }
        }
        let (ok, text) = verify(&f, &srs);
        assert!(
            !ok && text.contains("not the one this circuit's setup gives"),
            "{backend}: another circuit's relabelled key was accepted:\n{text}"
        );
    }
    // Groth16's key cannot be rebuilt (its setup has a secret): verify says so plainly.
    let g = t.join("groth16");
    fullprove(&shared("ff.onnx"), "groth16", &g, &srs);
    let (ok, text) = verify(&g, &srs);
    assert!(ok && text.contains("cannot be rebuilt"), "{text}");
}

fn aggregate(dirs: &[&Path], out: &Path) {
    let mut args = vec!["aggregate".to_string()];
    args.extend(dirs.iter().map(|d| d.display().to_string()));
    args.extend(["-o".to_string(), out.display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, text) = zkc(&argv);
    assert!(ok, "{text}");
}

/// Rewrites aggregate.json with `edit` and re-labels the aggregate proof and key with the
/// new description's tag, as a forger would.
fn edit_aggregate(agg: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut desc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(agg.join("aggregate.json")).unwrap()).unwrap();
    edit(&mut desc);
    std::fs::write(agg.join("aggregate.json"), desc.to_string()).unwrap();
    let inner: Vec<zkc_compiler::prover::AggregateInner> = serde_json::from_value(desc).unwrap();
    let tag = zkc_compiler::prover::aggregate_tag(&inner);
    for (file, kind) in [
        ("aggregate_proof.zkc", "aggregate-proof"),
        ("aggregate_vk.zkc", "aggregate-verifying-key"),
    ] {
        let path = agg.join(file);
        let (_, payload) = artifact::read_any(&path).unwrap();
        artifact::write(&path, &artifact::Header::new(kind, "plonky2", &tag), &payload).unwrap();
    }
}

fn copy_dir(from: &Path, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
    to.to_path_buf()
}

#[test]
fn aggregate_verify_binds_inner_circuits_by_content_and_the_reported_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let srs = t.join("srs");
    let (a, b) = (t.join("a"), t.join("b"));
    fullprove(&shared("ff.onnx"), "plonky2", &a, &srs);
    fullprove(&other_ff(t), "plonky2", &b, &srs);
    let agg = t.join("agg");
    aggregate(&[&a], &agg);
    let (ok, text) = zkc(&["verify", agg.to_str().unwrap()]);
    assert!(
        ok && text.contains("key rebuilt from inner0_circuit.zkc") && text.contains("pass --inner-vk"),
        "{text}"
    );

    // Other outputs reported in aggregate.json, the headers re-labelled to match.
    let changed = copy_dir(&agg, &t.join("changed"));
    edit_aggregate(&changed, |d| {
        let x = d[0]["output_data"][0][0].as_f64().unwrap();
        d[0]["output_data"][0][0] = (x + 1.0).into();
    });
    let (ok, text) = zkc(&["verify", changed.to_str().unwrap()]);
    assert!(!ok && text.contains("output_data"), "changed outputs accepted:\n{text}");

    // An aggregate of circuit b's proof relabelled as circuit a's: a's circuit file and
    // hash, b's inner key under a's hash.
    let agg_b = t.join("agg_b");
    aggregate(&[&b], &agg_b);
    let (ha, hb) = (circuit_hash(&a), circuit_hash(&b));
    std::fs::copy(a.join("circuit.zkc"), agg_b.join("inner0_circuit.zkc")).unwrap();
    let vk_path = agg_b.join("inner0_vk.zkc");
    let (_, vk) = artifact::read_any(&vk_path).unwrap();
    let vd = zkc_backend_plonky2::keys::read_vk(&vk, &hb).unwrap();
    let resealed = zkc_backend_plonky2::keys::write_vk(&ha, &vd).unwrap();
    artifact::write(
        &vk_path,
        &artifact::Header::new("verifying-key", "plonky2", &ha),
        &resealed,
    )
    .unwrap();
    edit_aggregate(&agg_b, |d| d[0]["circuit_hash"] = ha.clone().into());
    let (ok, text) = zkc(&["verify", agg_b.to_str().unwrap()]);
    assert!(
        !ok && text.contains("is not the key of inner0_circuit.zkc"),
        "another circuit's aggregate relabelled as a's was accepted:\n{text}"
    );

    // Without the inner circuit the aggregate cannot be checked by content.
    let bare = copy_dir(&agg, &t.join("bare"));
    std::fs::remove_file(bare.join("inner0_circuit.zkc")).unwrap();
    let (ok, text) = zkc(&["verify", bare.to_str().unwrap()]);
    assert!(!ok && text.contains("inner0_circuit.zkc"), "{text}");
}
