//! Optimization passes preserve meaning: for every shared model and every conformance case
//! that passes, the fused graph computes the same float outputs and the optimized circuit
//! the same fixed-point outputs (within the quantization tolerance) as with passes off; the
//! optimized circuit is never costlier, and its witness satisfies every argument.

use std::path::Path;

use zkc_compiler::{io, onnx, passes_cli, pipeline};
use zkc_ir::{Graph, Tensor};
use zkc_passes::optimize::PassSet;
use zkc_passes::QuantConfig;

fn max_err(a: &[Tensor], b: &[Tensor]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.data.iter().zip(&y.data).map(|(p, q)| (p - q).abs() / (1.0 + q.abs())))
        .fold(0.0, f64::max)
}

/// Compiles with passes off and on for `backend`; returns (off, on) fixed-point outputs and
/// checks the float graph, the trace and the cost.
fn on_and_off(g: &Graph, inputs: &[Tensor], backend: &str) -> (Vec<Tensor>, Vec<Tensor>, u64, u64) {
    let samples = vec![inputs.to_vec()];
    let off = passes_cli::compile(g, &samples, QuantConfig::default(), backend, PassSet::none()).unwrap();
    let on = passes_cli::compile(g, &samples, QuantConfig::default(), backend, PassSet::all()).unwrap();
    assert!(
        on.report.fuse_discarded.is_none() || on.graph == *g,
        "a discarded fuse result must leave the graph alone"
    );
    let float_off = g.run(inputs).unwrap();
    let float_on = on.graph.run(inputs).unwrap();
    // The fused graph's weights are rounded to the weight grid (what the circuit uses), so
    // its float outputs match to about that grid.
    assert!(max_err(&float_on, &float_off) < 1e-3, "fused float outputs drifted");
    let t_off = pipeline::witness(&off.compiled, inputs).unwrap();
    let t_on = pipeline::witness(&on.compiled, inputs).unwrap();
    zkc_runtime::checker::check(&on.compiled.program, &t_on).unwrap();
    assert!(
        on.report.after <= on.report.before,
        "{backend}: passes made the circuit costlier"
    );
    (
        pipeline::outputs(&off.compiled, &t_off),
        pipeline::outputs(&on.compiled, &t_on),
        on.report.before,
        on.report.after,
    )
}

#[test]
fn shared_models_same_outputs_with_passes_on_and_off_on_every_backend() {
    let dir = zkc_tests::shared_dir().join("models");
    for name in zkc_tests::SHARED_MODELS {
        let g = onnx::load(&dir.join(format!("{name}.onnx")), &onnx::ImportOptions::default()).unwrap();
        let inputs = io::read_inputs(&dir.join(format!("{name}.input.json")), &g).unwrap();
        for backend in pipeline::BACKENDS {
            let (off, on, before, after) = on_and_off(&g, &inputs, backend);
            let d = max_err(&on, &off);
            println!("{name} {backend}: cost {before} -> {after}, fixed-point on vs off {d:.2e}");
            // A changed rounding order moves an output by a few units of 2^-14.
            assert!(d <= 1e-3, "{name} {backend}: outputs differ by {d} with passes on");
        }
    }
}

/// Compiles `name` for `backend` with every pass, checks the cut is at least `at_least`,
/// and that the optimized circuit still proves and its proof verifies.
fn passes_cut_and_still_prove(name: &str, backend: &str, at_least: f64) {
    let dir = zkc_tests::shared_dir().join("models");
    let g = onnx::load(&dir.join(format!("{name}.onnx")), &onnx::ImportOptions::default()).unwrap();
    let inputs = io::read_inputs(&dir.join(format!("{name}.input.json")), &g).unwrap();
    let on = passes_cli::compile(
        &g,
        std::slice::from_ref(&inputs),
        QuantConfig::default(),
        backend,
        PassSet::all(),
    )
    .unwrap();
    let cut = 1.0 - on.report.after as f64 / on.report.before as f64;
    print!("{}", on.report.explain());
    assert!(
        cut >= at_least,
        "{name} {backend}: passes cut {cut:.3}, expected ≥ {at_least}"
    );
    let b = zkc_compiler::prover::backend(backend).unwrap();
    let program = &on.compiled.program;
    let trace = pipeline::witness(&on.compiled, &inputs).unwrap();
    let keys = b.setup(program).unwrap();
    let proof = b.prove(program, &keys.proving_key, &trace).unwrap();
    b.verify(program, &keys.verifying_key, &trace.public_values(program), &proof)
        .unwrap_or_else(|e| panic!("{name} {backend}: the optimized circuit's proof: {e}"));
}

#[test]
fn passes_cut_cnn_on_groth16_and_it_still_proves() {
    passes_cut_and_still_prove("cnn", "groth16", 0.05);
}

/// Issue 8's target for cnn: shared-input kernel blocks (and the FRI folding they let fit
/// 2^12 rows) cut plonky2's gates by over half.
#[test]
fn passes_cut_cnn_on_plonky2_by_30_percent_and_it_still_proves() {
    passes_cut_and_still_prove("cnn", "plonky2", 0.30);
}

#[test]
fn passes_cut_attn_on_groth16_by_30_percent_and_it_still_proves() {
    passes_cut_and_still_prove("attn", "groth16", 0.30);
}

#[test]
fn passes_cut_attn_on_plonky2_and_it_still_proves() {
    passes_cut_and_still_prove("attn", "plonky2", 0.10);
}

fn case_inputs(dir: &Path, g: &Graph) -> Option<Vec<Tensor>> {
    let data = dir.join("test_data_set_0");
    let mut inputs = Vec::new();
    for (i, &id) in g.inputs.iter().enumerate() {
        let mut t = onnx::read_tensor_pb(&data.join(format!("input_{i}.pb"))).ok()?;
        if t.data.len() != g.value(id).shape.iter().product::<usize>() {
            return None;
        }
        t.shape = g.value(id).shape.clone();
        inputs.push(t);
    }
    Some(inputs)
}

#[test]
#[ignore = "over 5 minutes in a test build: the extraction lowers and costs up to 48 candidate graphs per case; run with --ignored (known limit, issue 8 report)"]
fn conformance_cases_same_outputs_with_passes_on_and_off() {
    let root = zkc_tests::shared_dir().join("conformance/pytorch-converted");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e} (../shared must be beside the repo)", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("model.onnx").exists())
        .collect();
    cases.sort();
    let mut compared = 0;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let Ok(g) = onnx::load(&case.join("model.onnx"), &onnx::ImportOptions::default()) else {
            continue;
        };
        let Some(inputs) = case_inputs(case, &g) else { continue };
        let samples = vec![inputs.clone()];
        // Cases that do not compile with passes off are not this test's business.
        let Ok(off) = passes_cli::compile(&g, &samples, QuantConfig::default(), "groth16", PassSet::none()) else {
            continue;
        };
        let Ok(t_off) = pipeline::witness(&off.compiled, &inputs) else {
            continue;
        };
        let on = passes_cli::compile(&g, &samples, QuantConfig::default(), "groth16", PassSet::all())
            .unwrap_or_else(|e| panic!("{name}: compiles with passes off but not on: {e}"));
        let t_on = pipeline::witness(&on.compiled, &inputs)
            .unwrap_or_else(|e| panic!("{name}: no witness with passes on: {e}"));
        zkc_runtime::checker::check(&on.compiled.program, &t_on).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (a, b) = (
            pipeline::outputs(&off.compiled, &t_off),
            pipeline::outputs(&on.compiled, &t_on),
        );
        let d = max_err(&b, &a);
        assert!(d <= 1e-3, "{name}: fixed-point outputs differ by {d} with passes on");
        let (fa, fb) = (g.run(&inputs).unwrap(), on.graph.run(&inputs).unwrap());
        assert!(
            max_err(&fb, &fa) <= 1e-3,
            "{name}: float outputs of the fused graph differ"
        );
        assert!(on.report.after <= on.report.before, "{name}: costlier with passes");
        compared += 1;
    }
    println!("passes on vs off: {compared} conformance cases compared");
    assert!(
        compared >= 60,
        "only {compared} conformance cases compiled; expected most of the 82"
    );
}
