//! Fixed point that survives normalization, through the CLI: a classifier with LayerNorm as a
//! PyTorch export writes it (ReduceMean/Sub/Pow/Sqrt/Div), built here with the ONNX protobuf,
//! proves and verifies on every backend with outputs equal to `zkc run --fixed --backend B`;
//! and the shared transformer block (LayerNormalization, 4-head attention, Erf-GELU) runs in
//! fixed point within 1e-2 of onnxruntime and passes `mock` on every backend.

use std::path::{Path, PathBuf};
use std::process::Command;

use onnx_protobuf::{
    attribute_proto::AttributeType, tensor_proto::DataType, AttributeProto, GraphProto, Message, ModelProto, NodeProto,
    OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
};

fn zkc(args: &[&str], srs: &Path) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkc"))
        .args(args)
        .env("ZKC_SRS_DIR", srs)
        .output()
        .expect("zkc runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    assert!(!stderr.contains("panicked"), "zkc {args:?} panicked:\n{stderr}");
    (out.status.success(), stdout, stderr)
}

fn value_info(name: &str, dims: &[i64]) -> ValueInfoProto {
    let mut shape = TensorShapeProto::new();
    for &d in dims {
        let mut dim = onnx_protobuf::tensor_shape_proto::Dimension::new();
        dim.set_dim_value(d);
        shape.dim.push(dim);
    }
    let mut tt = onnx_protobuf::type_proto::Tensor::new();
    tt.elem_type = DataType::FLOAT as i32;
    tt.shape = Some(shape).into();
    let mut ty = TypeProto::new();
    ty.set_tensor_type(tt);
    let mut v = ValueInfoProto::new();
    v.name = name.into();
    v.type_ = Some(ty).into();
    v
}

fn init(name: &str, dims: &[i64], data: Vec<f32>) -> TensorProto {
    let mut t = TensorProto::new();
    t.name = name.into();
    t.dims = dims.to_vec();
    t.data_type = DataType::FLOAT as i32;
    t.float_data = data;
    t
}

fn node(op: &str, ins: &[&str], out: &str, attrs: Vec<AttributeProto>) -> NodeProto {
    let mut n = NodeProto::new();
    n.op_type = op.into();
    n.name = format!("/{op}_{out}");
    n.input = ins.iter().map(|s| s.to_string()).collect();
    n.output = vec![out.into()];
    n.attribute = attrs;
    n
}

fn axes(v: &[i64]) -> AttributeProto {
    let mut a = AttributeProto::new();
    a.name = "axes".into();
    a.type_ = AttributeType::INTS.into();
    a.ints = v.to_vec();
    a
}

/// Deterministic weights in [-1, 1) (a 64-bit LCG), scaled.
fn det(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (((s >> 40) as f64 / (1u64 << 23) as f64) - 1.0) as f32 * scale
        })
        .collect()
}

/// `x [1, 8] → Linear(8, 16) → LayerNorm(16) → Relu → Linear(16, 4) → Sigmoid`, the
/// LayerNorm in the form PyTorch exports a hand-written one: ReduceMean, Sub, Pow(2),
/// ReduceMean, Add(eps), Sqrt, Div, Mul, Add (opset 17).
fn layernorm_classifier() -> Vec<u8> {
    let mut g = GraphProto::new();
    g.name = "ln_classifier".into();
    g.input.push(value_info("x", &[1, 8]));
    let mut y = ValueInfoProto::new();
    y.name = "y".into();
    g.output.push(y);
    g.initializer = vec![
        init("w1", &[8, 16], det(128, 1, 0.5)),
        init("b1", &[16], det(16, 2, 0.2)),
        init("two", &[], vec![2.0]),
        init("eps", &[], vec![1e-5]),
        init("gamma", &[16], det(16, 3, 1.0).iter().map(|v| 1.0 + 0.5 * v).collect()),
        init("beta", &[16], det(16, 4, 0.3)),
        init("w2", &[16, 4], det(64, 5, 0.5)),
        init("b2", &[4], det(4, 6, 0.2)),
    ];
    g.node = vec![
        node("MatMul", &["x", "w1"], "h0", vec![]),
        node("Add", &["h0", "b1"], "h", vec![]),
        node("ReduceMean", &["h"], "mean", vec![axes(&[-1])]),
        node("Sub", &["h", "mean"], "d", vec![]),
        node("Pow", &["d", "two"], "sq", vec![]),
        node("ReduceMean", &["sq"], "var", vec![axes(&[-1])]),
        node("Add", &["var", "eps"], "ve", vec![]),
        node("Sqrt", &["ve"], "std", vec![]),
        node("Div", &["d", "std"], "n", vec![]),
        node("Mul", &["n", "gamma"], "ng", vec![]),
        node("Add", &["ng", "beta"], "ln", vec![]),
        node("Relu", &["ln"], "r", vec![]),
        node("MatMul", &["r", "w2"], "o0", vec![]),
        node("Add", &["o0", "b2"], "o", vec![]),
        node("Sigmoid", &["o"], "y", vec![]),
    ];
    let mut m = ModelProto::new();
    m.ir_version = 8;
    let mut op = OperatorSetIdProto::new();
    op.version = 17;
    m.opset_import.push(op);
    m.graph = Some(g).into();
    m.write_to_bytes().unwrap()
}

fn output_data(text: &str) -> Vec<Vec<f64>> {
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"));
    serde_json::from_value(v["output_data"].clone()).unwrap()
}

fn run(model: &Path, input: &Path, extra: &[&str], srs: &Path) -> Vec<Vec<f64>> {
    let mut args = vec!["run", model.to_str().unwrap(), "-i", input.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (ok, out, err) = zkc(&args, srs);
    assert!(ok, "zkc {args:?}:\n{out}{err}");
    output_data(&out)
}

fn max_err(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
        .fold(0.0, f64::max)
}

#[test]
fn pytorch_layernorm_export_proves_on_every_backend_as_run_fixed_computes() {
    let tmp = tempfile::tempdir().unwrap();
    let srs = tmp.path().join("srs");
    let model = tmp.path().join("ln.onnx");
    std::fs::write(&model, layernorm_classifier()).unwrap();
    let input = tmp.path().join("in.json");
    let x: Vec<f64> = det(8, 7, 1.0).iter().map(|&v| f64::from(v)).collect();
    std::fs::write(&input, serde_json::json!({ "input_data": [x] }).to_string()).unwrap();
    let float = run(&model, &input, &[], &srs);
    for backend in ["halo2", "plonky2", "groth16"] {
        let fixed = run(&model, &input, &["--fixed", "--backend", backend], &srs);
        let err = max_err(&fixed, &float);
        println!("{backend}: fixed-point max abs error {err:.2e}");
        assert!(err <= 1e-2, "{backend}: fixed point is {err} from float");
        let dir = tmp.path().join(backend);
        let (ok, out, e) = zkc(
            &[
                "fullprove",
                model.to_str().unwrap(),
                "--input",
                input.to_str().unwrap(),
                "--backend",
                backend,
                "--out",
                dir.to_str().unwrap(),
            ],
            &srs,
        );
        assert!(ok, "fullprove on {backend}:\n{out}{e}");
        let written = output_data(&std::fs::read_to_string(dir.join("output.json")).unwrap());
        assert_eq!(
            written, fixed,
            "{backend}: the proof's outputs differ from `zkc run --fixed`"
        );
        let (ok, out, e) = zkc(&["verify", dir.to_str().unwrap()], &srs);
        assert!(ok, "verify on {backend}:\n{out}{e}");
    }
}

fn shared(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/models")
        .join(name)
}

#[test]
fn transformer_block_runs_in_fixed_point_and_mocks_on_every_backend() {
    let tmp = tempfile::tempdir().unwrap();
    let srs = tmp.path().join("srs");
    let (model, input) = (shared("tfm_block.onnx"), shared("tfm_block.input.json"));
    let want = output_data(&std::fs::read_to_string(shared("tfm_block.expected.json")).unwrap());
    let float = run(&model, &input, &[], &srs);
    let err = max_err(&float, &want);
    println!("float: max abs error {err:.2e}");
    assert!(err <= 1e-4, "float is {err} from onnxruntime");
    let fixed = run(&model, &input, &["--fixed"], &srs);
    let err = max_err(&fixed, &want);
    println!("fixed point: max abs error {err:.2e}");
    assert!(err <= 1e-2, "fixed point is {err} from onnxruntime");
    for backend in ["halo2", "plonky2", "groth16"] {
        let dir = tmp.path().join(backend);
        let (ok, out, e) = zkc(
            &[
                "compile",
                model.to_str().unwrap(),
                "--data",
                input.to_str().unwrap(),
                "--backend",
                backend,
                "--out",
                dir.to_str().unwrap(),
            ],
            &srs,
        );
        assert!(ok, "compile for {backend}:\n{out}{e}");
        let (ok, out, e) = zkc(
            &["mock", dir.to_str().unwrap(), "--input", input.to_str().unwrap()],
            &srs,
        );
        assert!(ok, "mock on {backend}:\n{out}{e}");
    }
}
