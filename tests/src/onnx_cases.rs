//! Cases in the layout of ONNX's backend tests (`model.onnx` and
//! `test_data_set_0/{input,output}_N.pb`), as `tests/onnx_node_suite/generate.py` writes ONNX's
//! node suite and `light` architectures: loading, running in float and in fixed point, and
//! comparing with the reference outputs.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use zkc_compiler::onnx;
use zkc_ir::{Graph, Tensor};

/// Where the generated suite lives: `ZKC_ONNX_NODE_SUITE`, or target/onnx-node-suite.
pub fn suite_dir() -> PathBuf {
    match std::env::var_os("ZKC_ONNX_NODE_SUITE") {
        Some(d) => PathBuf::from(d),
        None => crate::repo_root().join("target/onnx-node-suite"),
    }
}

/// The message for a suite that has not been generated.
pub fn not_generated(root: &Path, e: &std::io::Error) -> String {
    format!(
        "{}: {e}. Generate ONNX's node suite first (as .ci/run does): pip install -r python/requirements-test.txt && python3 tests/onnx_node_suite/generate.py {}",
        root.display(),
        root.display()
    )
}

/// The case directories under `root` (those holding a model.onnx), sorted.
pub fn case_dirs(root: &Path) -> Vec<PathBuf> {
    let listing = std::fs::read_dir(root).unwrap_or_else(|e| panic!("{}", not_generated(root, &e)));
    let mut cases: Vec<PathBuf> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("model.onnx").exists())
        .collect();
    cases.sort();
    cases
}

/// A case's graph, its inputs (shaped as the model declares them) and reference outputs.
/// The data set's values also serve the operands a static-shape import needs at compile time
/// (Reshape's shape, Resize's scales, TopK's k, ...); inputs stay inputs otherwise.
pub fn load_case(dir: &Path) -> Result<(Graph, Vec<Tensor>, Vec<Tensor>), String> {
    let data = dir.join("test_data_set_0");
    let mut given = Vec::new();
    while data.join(format!("input_{}.pb", given.len())).exists() {
        let f = data.join(format!("input_{}.pb", given.len()));
        given.push(onnx::read_tensor_pb(&f).map_err(|e| e.to_string())?);
    }
    let opts = onnx::ImportOptions {
        input_values: given.clone(),
        ..Default::default()
    };
    let g = onnx::load(&dir.join("model.onnx"), &opts).map_err(|e| e.to_string())?;
    let mut inputs = Vec::new();
    for (i, &id) in g.inputs.iter().enumerate() {
        let mut t = given
            .get(i)
            .cloned()
            .ok_or_else(|| format!("the data set has no input_{i}.pb"))?;
        let want = &g.value(id).shape;
        if t.data.len() != want.iter().product::<usize>() {
            return Err(format!(
                "input {i} has {} values but the model declares {want:?}",
                t.data.len()
            ));
        }
        t.shape = want.clone();
        inputs.push(t);
    }
    let mut outputs = Vec::new();
    for i in 0..g.outputs.len() {
        outputs.push(onnx::read_tensor_pb(&data.join(format!("output_{i}.pb"))).map_err(|e| e.to_string())?);
    }
    Ok((g, inputs, outputs))
}

/// Every output value equal (NaN to NaN) or `close`; the first mismatch, naming `tol`.
pub fn compare(got: &[Tensor], want: &[Tensor], close: impl Fn(f64, f64) -> bool, tol: &str) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} outputs, expected {}", got.len(), want.len()));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if g.data.len() != w.data.len() {
            return Err(format!(
                "output {i}: {} values, expected {}",
                g.data.len(),
                w.data.len()
            ));
        }
        for (j, (&a, &b)) in g.data.iter().zip(&w.data).enumerate() {
            let same = a == b || (a.is_nan() && b.is_nan()) || (a.is_finite() && b.is_finite() && close(a, b));
            if !same {
                return Err(format!("output {i}[{j}] = {a}, expected {b} ({tol})"));
            }
        }
    }
    Ok(())
}

/// The float outputs (the reference interpreter).
pub fn run_float(g: &Graph, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    g.run(inputs).map_err(|e| e.to_string())
}

/// The fixed-point outputs: the circuit's own computation (compiled for halo2's field,
/// calibrated on the case's input).
pub fn run_fixed(g: &Graph, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let compiled =
        zkc_compiler::pipeline::compile(g, std::slice::from_ref(&inputs.to_vec()), Default::default(), "halo2")
            .map_err(|e| e.to_string())?;
    let trace = zkc_compiler::pipeline::witness(&compiled, inputs).map_err(|e| e.to_string())?;
    Ok(zkc_compiler::pipeline::outputs(&compiled, &trace))
}

/// Runs `f`, turning a panic into an error that starts with "PANIC".
pub fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("PANIC: {msg}"))
        }
    }
}
