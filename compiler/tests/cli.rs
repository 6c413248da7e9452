//! The `zkc` binary on good and malformed input: clear errors, non-zero exit, never a panic.

use std::path::{Path, PathBuf};
use std::process::Command;

use onnx_protobuf::{
    attribute_proto::AttributeType, AttributeProto, GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
};

fn shared(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
        .join(name)
}

fn zkc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkc"))
        .args(args)
        .output()
        .expect("zkc runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Runs zkc expecting failure; checks the message mentions `needle` and nothing panicked.
fn fails_with(args: &[&str], needle: &str) {
    let (code, _, err) = zkc(args);
    assert_ne!(code, 0, "zkc {args:?} should fail");
    assert!(!err.contains("panicked"), "zkc {args:?} panicked:\n{err}");
    assert!(err.contains(needle), "zkc {args:?}: expected `{needle}` in:\n{err}");
}

fn value_info(name: &str, dims: &[i64]) -> ValueInfoProto {
    let mut shape = TensorShapeProto::new();
    for &d in dims {
        let mut dim = onnx_protobuf::tensor_shape_proto::Dimension::new();
        dim.set_dim_value(d);
        shape.dim.push(dim);
    }
    let mut tt = onnx_protobuf::type_proto::Tensor::new();
    tt.elem_type = 1;
    tt.shape = Some(shape).into();
    let mut ty = TypeProto::new();
    ty.set_tensor_type(tt);
    let mut v = ValueInfoProto::new();
    v.name = name.into();
    v.type_ = Some(ty).into();
    v
}

fn node(op: &str, name: &str, ins: &[&str], outs: &[&str]) -> NodeProto {
    let mut n = NodeProto::new();
    n.op_type = op.into();
    n.name = name.into();
    n.input = ins.iter().map(|s| s.to_string()).collect();
    n.output = outs.iter().map(|s| s.to_string()).collect();
    n
}

fn model(nodes: Vec<NodeProto>, inputs: Vec<ValueInfoProto>, outputs: Vec<ValueInfoProto>) -> Vec<u8> {
    let mut g = GraphProto::new();
    g.node = nodes;
    g.input = inputs;
    g.output = outputs;
    let mut m = ModelProto::new();
    m.ir_version = 8;
    let mut op = OperatorSetIdProto::new();
    op.version = 17;
    m.opset_import.push(op);
    m.graph = Some(g).into();
    m.write_to_bytes().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn run_prints_the_outputs_of_the_shared_ff_model() {
    let (code, out, err) = zkc(&[
        "run",
        shared("ff.onnx").to_str().unwrap(),
        "--input",
        shared("ff.input.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let got: Vec<f64> = v["output_data"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shared("ff.expected.json")).unwrap()).unwrap();
    for (g, w) in got.iter().zip(want["output_data"][0].as_array().unwrap()) {
        assert!((g - w.as_f64().unwrap()).abs() < 1e-5);
    }
}

#[test]
fn run_writes_an_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("out.json");
    let (code, _, err) = zkc(&[
        "run",
        shared("mlp.onnx").to_str().unwrap(),
        "-i",
        shared("mlp.input.json").to_str().unwrap(),
        "-o",
        o.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(o).unwrap()).unwrap();
    assert_eq!(v["output_data"][0].as_array().unwrap().len(), 10);
}

#[test]
fn ops_lists_the_supported_ops() {
    let (code, out, _) = zkc(&["ops"]);
    assert_eq!(code, 0);
    for op in ["Conv", "Gemm", "Softmax", "DepthToSpace", "ConvTranspose"] {
        assert!(out.lines().any(|l| l.trim() == op), "{op} missing from `zkc ops`");
    }
}

/// ONNX's `test_constant`: no graph input, one Constant node feeding the output. The circuit
/// has no witness input; its outputs are the quantized constants, published as usual.
#[test]
fn a_graph_without_inputs_runs_in_float_and_fixed_point_on_every_backend() {
    let dir = tempfile::tempdir().unwrap();
    let values = [0.5f32, -1.25, 3.0, 0.0078125, -2.5, 1.75];
    let mut t = TensorProto::new();
    t.dims = vec![2, 3];
    t.data_type = 1;
    t.float_data = values.to_vec();
    let mut a = AttributeProto::new();
    a.name = "value".into();
    a.type_ = AttributeType::TENSOR.into();
    a.t = Some(t).into();
    let mut c = node("Constant", "const", &[], &["values"]);
    c.attribute = vec![a];
    let m = write(
        d(&dir),
        "constant.onnx",
        &model(vec![c], vec![], vec![value_info("values", &[2, 3])]),
    );
    let input = write(d(&dir), "in.json", br#"{"input_data": []}"#);
    let mut runs = vec![vec!["run", m.as_str(), "--input", input.as_str()]];
    runs.push(vec!["run", m.as_str(), "--input", input.as_str(), "--fixed"]);
    for b in ["halo2", "plonky2", "groth16"] {
        runs.push(vec![
            "run",
            m.as_str(),
            "--input",
            input.as_str(),
            "--fixed",
            "--backend",
            b,
        ]);
    }
    for args in runs {
        let (code, out, err) = zkc(&args);
        assert_eq!(code, 0, "zkc {args:?}:\n{err}");
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        let got: Vec<f64> = v["output_data"][0]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let want: Vec<f64> = values.iter().map(|&x| f64::from(x)).collect();
        // Every value is a multiple of 2^-7, so fixed point holds it exactly.
        assert_eq!(got, want, "zkc {args:?}");
    }
}

fn d(dir: &tempfile::TempDir) -> &Path {
    dir.path()
}

#[test]
fn malformed_models_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fails_with(&["table", "/nonexistent/model.onnx"], "cannot read");
    // Truncated: the first half of a real model.
    let real = std::fs::read(shared("mlp.onnx")).unwrap();
    let truncated = write(d, "truncated.onnx", &real[..real.len() / 2]);
    fails_with(&["table", &truncated], "not a valid ONNX model");
    // Random bytes.
    let random: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let random = write(d, "random.onnx", &random);
    fails_with(&["table", &random], "not a valid ONNX model");
    // A cycle: a = Relu(b), b = Relu(a).
    let cyc = model(
        vec![node("Relu", "r1", &["b"], &["a"]), node("Relu", "r2", &["a"], &["b"])],
        vec![value_info("x", &[1, 2])],
        vec![value_info("b", &[1, 2])],
    );
    fails_with(&["table", &write(d, "cycle.onnx", &cyc)], "cycle");
    // A dangling edge.
    let dang = model(
        vec![node("Relu", "r1", &["missing"], &["y"])],
        vec![value_info("x", &[1, 2])],
        vec![value_info("y", &[1, 2])],
    );
    fails_with(&["table", &write(d, "dangling.onnx", &dang)], "dangling");
    // A shape mismatch.
    let mm = model(
        vec![node("MatMul", "mm", &["x", "x"], &["y"])],
        vec![value_info("x", &[2, 3])],
        vec![value_info("y", &[2, 3])],
    );
    fails_with(
        &["table", &write(d, "mismatch.onnx", &mm)],
        "MatMul inner dimensions differ",
    );
    // An unsupported op names the op, the node and `zkc ops`.
    let un = model(
        vec![node("StringNormalizer", "my_norm", &["x"], &["y"])],
        vec![value_info("x", &[1, 2])],
        vec![value_info("y", &[1, 2])],
    );
    fails_with(
        &["table", &write(d, "unsupported.onnx", &un)],
        "unsupported op `StringNormalizer`",
    );
    fails_with(&["table", &write(d, "unsupported2.onnx", &un)], "zkc ops");
}

#[test]
fn malformed_inputs_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let m = shared("ff.onnx");
    let m = m.to_str().unwrap();
    fails_with(
        &["run", m, "-i", &write(d, "a.json", b"not json")],
        "expected {\"input_data\"",
    );
    fails_with(
        &["run", m, "-i", &write(d, "b.json", br#"{"input_data": [[1, 2]]}"#)],
        "input 0 `x` has 2 values but the model expects 3 (shape [1, 3])",
    );
    fails_with(
        &[
            "run",
            m,
            "-i",
            &write(d, "c.json", br#"{"input_data": [[1, 2, 3], [4]]}"#),
        ],
        "has 2 input list(s) but the model has 1 input(s)",
    );
    fails_with(
        &["run", m, "-i", &write(d, "d.json", br#"{"input_data": [[1, "x", 3]]}"#)],
        "expected a number",
    );
    fails_with(&["run", m, "-i", "/nonexistent/in.json"], "cannot read");
}

#[test]
fn calibrate_explain_snapshot() {
    let (code, out, err) = zkc(&[
        "calibrate",
        shared("cnn.onnx").to_str().unwrap(),
        "--data",
        shared("cnn.input.json").to_str().unwrap(),
        "--explain",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

/// Inputs the fuzzers once crashed on: each must now be a clean error.
#[test]
fn fuzz_regressions_are_clean_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        let r = std::panic::catch_unwind(|| zkc_compiler::onnx::import(&bytes, &Default::default()).map(|_| ()));
        assert!(r.is_ok(), "{} panics the importer", p.display());
        n += 1;
    }
    assert!(n > 0);
}
