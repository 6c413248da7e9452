//! The fixed-point circuit computation agrees with the float model, its trace satisfies the
//! checker, and inputs outside the calibrated range are rejected with a clear error.

use zkc_compiler::{io, onnx, pipeline};
use zkc_passes::QuantConfig;

fn model(name: &str) -> (zkc_ir::Graph, Vec<zkc_ir::Tensor>, Vec<Vec<f64>>) {
    let dir = zkc_tests::shared_dir().join("models");
    let g = onnx::load(&dir.join(format!("{name}.onnx")), &onnx::ImportOptions::default()).unwrap();
    let inputs = io::read_inputs(&dir.join(format!("{name}.input.json")), &g).unwrap();
    let want = io::read_outputs(&dir.join(format!("{name}.expected.json")))
        .unwrap()
        .output_data;
    (g, inputs, want)
}

#[test]
fn shared_models_fixed_point_close_to_float_and_trace_checks() {
    // At default settings, at most EZKL 23's error on the same model and input (measured on
    // the 2-core machine: ff 4.5e-5, mlp 7.6e-4, attn 1.7e-4, cnn 2.2e-4).
    for (name, tol) in [("ff", 4.5e-5), ("mlp", 7.6e-4), ("cnn", 2.2e-4), ("attn", 1.7e-4)] {
        let (g, inputs, want) = model(name);
        let compiled = pipeline::compile(&g, std::slice::from_ref(&inputs), QuantConfig::default(), "halo2").unwrap();
        let trace = pipeline::witness(&compiled, &inputs).unwrap();
        zkc_runtime::checker::check(&compiled.program, &trace).unwrap();
        let outs = pipeline::outputs(&compiled, &trace);
        let err = outs[0]
            .data
            .iter()
            .zip(&want[0])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        println!(
            "{name}: fixed-point max abs error {err:.4} ({} arguments)",
            compiled.program.arguments.len()
        );
        assert!(err <= tol, "{name}: fixed-point error {err} > {tol}");
    }
}

#[test]
fn fixed_point_fits_goldilocks_for_shared_models() {
    for name in ["ff", "mlp", "cnn", "attn"] {
        let (g, inputs, _) = model(name);
        let compiled = pipeline::compile(&g, std::slice::from_ref(&inputs), QuantConfig::default(), "plonky2").unwrap();
        assert!(compiled.accumulator_bits.iter().all(|&b| b < 63), "{name}");
    }
}

#[test]
fn input_outside_calibrated_range_is_an_error_naming_it() {
    let (g, inputs, _) = model("ff");
    let compiled = pipeline::compile(&g, std::slice::from_ref(&inputs), QuantConfig::default(), "halo2").unwrap();
    let mut bad = inputs.clone();
    bad[0].data[1] = 1e6;
    let e = pipeline::witness(&compiled, &bad).unwrap_err().to_string();
    assert!(
        e.contains("input 0") && e.contains("index 1") && e.contains("--input-range"),
        "{e}"
    );
}

#[test]
fn too_fine_a_scale_for_goldilocks_names_the_node() {
    let (g, inputs, _) = model("mlp");
    let cfg = QuantConfig {
        scale: 24,
        weight_scale: 24,
        input_range: Some(1e6),
        ..QuantConfig::default()
    };
    let e = pipeline::compile(&g, &[inputs], cfg, "plonky2")
        .unwrap_err()
        .to_string();
    assert!(e.contains("node") && e.contains("bits"), "{e}");
}
