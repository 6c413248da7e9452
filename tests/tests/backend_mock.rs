//! Every backend's `mock` accepts the witness of each shared model (as `zkc compile` builds it,
//! with the optimization passes on, and as the direct lowering) and rejects that witness with
//! one value changed: a Rescale quotient (the rounding every layer relies on) and, where the
//! model has one, a relu / max output.

use zkc_compiler::{io, onnx, passes_cli, prover};
use zkc_passes::optimize::PassSet;
use zkc_passes::QuantConfig;
use zkc_runtime::{Argument, Var};

fn model(name: &str) -> (zkc_ir::Graph, Vec<zkc_ir::Tensor>) {
    let g = onnx::load(&zkc_tests::shared_model(name), &onnx::ImportOptions::default()).unwrap();
    let dir = zkc_tests::shared_dir().join("models");
    let inputs = io::read_inputs(&dir.join(format!("{name}.input.json")), &g).unwrap();
    (g, inputs)
}

/// The last variable defined by an argument of the given kind, if any.
fn last_defined(program: &zkc_runtime::Program, kind: &str) -> Option<Var> {
    program.arguments.iter().rev().find_map(|(a, _)| match (a, kind) {
        (Argument::Rescale { q, .. }, "Rescale") => Some(*q),
        (Argument::Max { out, .. }, "Max") => Some(*out),
        _ => None,
    })
}

#[test]
fn shared_models_pass_mock_on_every_backend_and_a_changed_value_fails_it() {
    for name in zkc_tests::SHARED_MODELS {
        let (g, inputs) = model(name);
        let samples = vec![inputs.clone()];
        for backend in zkc_compiler::pipeline::BACKENDS {
            let b = prover::backend(backend).unwrap();
            for passes in [PassSet::all(), PassSet::none()] {
                let c = passes_cli::compile(&g, &samples, QuantConfig::default(), backend, passes).unwrap();
                let program = &c.compiled.program;
                let trace = zkc_compiler::pipeline::witness(&c.compiled, &inputs).unwrap();
                b.mock(program, &trace)
                    .unwrap_or_else(|e| panic!("{name} on {backend}: mock rejects the honest witness: {e}"));
                let mut checked = 0;
                for kind in ["Rescale", "Max"] {
                    let Some(v) = last_defined(program, kind) else { continue };
                    let mut bad = trace.clone();
                    bad.values[v.0 as usize] += 1;
                    assert!(
                        b.mock(program, &bad).is_err(),
                        "{name} on {backend}: mock accepts a {kind} output changed by one"
                    );
                    checked += 1;
                }
                assert!(checked > 0, "{name}: no Rescale or Max to mutate");
                println!(
                    "{name} {backend}: mock ok on {} arguments, {checked} mutations rejected",
                    program.arguments.len()
                );
            }
        }
    }
}
