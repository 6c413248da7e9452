//! Conformance: every PyTorch-exported ONNX case in ../shared/conformance is imported, run
//! with the reference interpreter and compared with its recorded outputs.

use std::path::Path;

use zkc_compiler::onnx;

/// The pass count only goes up: raise it when a case starts passing.
const PASS_FLOOR: usize = 82;
const RTOL: f64 = 1e-4;
const ATOL: f64 = 1e-6;

fn run_case(dir: &Path) -> Result<(), String> {
    let g = onnx::load(&dir.join("model.onnx"), &onnx::ImportOptions::default()).map_err(|e| e.to_string())?;
    let data = dir.join("test_data_set_0");
    let mut inputs = Vec::new();
    for i in 0..g.inputs.len() {
        inputs.push(onnx::read_tensor_pb(&data.join(format!("input_{i}.pb"))).map_err(|e| e.to_string())?);
    }
    // Reshape to the declared shapes (the .pb files carry the same element count).
    for (t, &id) in inputs.iter_mut().zip(&g.inputs) {
        let want = &g.value(id).shape;
        if t.data.len() != want.iter().product::<usize>() {
            return Err(format!(
                "input has {} values but the model declares {:?}",
                t.data.len(),
                want
            ));
        }
        t.shape = want.clone();
    }
    let outs = g.run(&inputs).map_err(|e| e.to_string())?;
    for (i, out) in outs.iter().enumerate() {
        let want = onnx::read_tensor_pb(&data.join(format!("output_{i}.pb"))).map_err(|e| e.to_string())?;
        if want.data.len() != out.data.len() {
            return Err(format!(
                "output {i}: {} values, expected {}",
                out.data.len(),
                want.data.len()
            ));
        }
        for (j, (&a, &b)) in out.data.iter().zip(&want.data).enumerate() {
            if (a - b).abs() > ATOL + RTOL * b.abs() || a.is_nan() != b.is_nan() {
                return Err(format!("output {i}[{j}] = {a}, expected {b}"));
            }
        }
    }
    Ok(())
}

#[test]
fn conformance_cases_match_onnx_reference_outputs() {
    let root = zkc_tests::shared_dir().join("conformance/pytorch-converted");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e} (../shared must be beside the repo)", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("model.onnx").exists())
        .collect();
    cases.sort();
    let mut passed = 0;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy();
        match run_case(case) {
            Ok(()) => {
                passed += 1;
                println!("pass  {name}");
            }
            Err(e) => println!("FAIL  {name}: {e}"),
        }
    }
    println!("conformance: {passed}/{} passed", cases.len());
    assert!(
        passed >= PASS_FLOOR,
        "conformance fell to {passed}/{} (floor {PASS_FLOOR})",
        cases.len()
    );
}

/// Fixed-point floor: cases whose circuit computation matches the reference at rtol 1e-2.
const FIXED_PASS_FLOOR: usize = 80;

fn run_case_fixed(dir: &Path) -> Result<(), String> {
    let g = onnx::load(&dir.join("model.onnx"), &onnx::ImportOptions::default()).map_err(|e| e.to_string())?;
    let data = dir.join("test_data_set_0");
    let mut inputs = Vec::new();
    for (i, &id) in g.inputs.iter().enumerate() {
        let mut t = onnx::read_tensor_pb(&data.join(format!("input_{i}.pb"))).map_err(|e| e.to_string())?;
        t.shape = g.value(id).shape.clone();
        inputs.push(t);
    }
    let compiled = zkc_compiler::pipeline::compile(&g, std::slice::from_ref(&inputs), Default::default(), "halo2")
        .map_err(|e| e.to_string())?;
    let trace = zkc_compiler::pipeline::witness(&compiled, &inputs).map_err(|e| e.to_string())?;
    let outs = zkc_compiler::pipeline::outputs(&compiled, &trace);
    for (i, out) in outs.iter().enumerate() {
        let want = onnx::read_tensor_pb(&data.join(format!("output_{i}.pb"))).map_err(|e| e.to_string())?;
        for (j, (&a, &b)) in out.data.iter().zip(&want.data).enumerate() {
            if (a - b).abs() > 1e-2 * b.abs().max(1.0) {
                return Err(format!("output {i}[{j}] = {a}, expected {b} (rtol 1e-2)"));
            }
        }
    }
    Ok(())
}

#[test]
fn conformance_cases_in_fixed_point() {
    let root = zkc_tests::shared_dir().join("conformance/pytorch-converted");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e} (../shared must be beside the repo)", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("model.onnx").exists() && run_case(p).is_ok())
        .collect();
    cases.sort();
    let mut passed = 0;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy();
        match run_case_fixed(case) {
            Ok(()) => {
                passed += 1;
                println!("pass  {name}");
            }
            Err(e) => println!("FAIL  {name}: {e}"),
        }
    }
    println!(
        "fixed-point conformance: {passed}/{} of the float-passing cases",
        cases.len()
    );
    assert!(
        passed >= FIXED_PASS_FLOOR,
        "fixed-point conformance fell to {passed}/{} (floor {FIXED_PASS_FLOOR})",
        cases.len()
    );
}
