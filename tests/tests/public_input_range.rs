//! Public inputs are range-checked inside the circuit on every backend (issue 22, item 1).
//! A verifier, an exported Solidity or snarkjs one included, sees a public input only as a
//! field element; one outside the calibrated range could make a first-layer sum wrap the
//! field into the window the next Rescale accepts. So the circuit itself must refuse it.

use zkc_compiler::{io, onnx, pipeline, prover};
use zkc_passes::{lower, QuantConfig, Visibility, VisibilityConfig};
use zkc_runtime::{solve, Argument};

#[test]
fn a_public_input_outside_its_range_is_rejected_by_every_backend() {
    let dir = zkc_tests::shared_dir().join("models");
    let g = onnx::load(&dir.join("ff.onnx"), &onnx::ImportOptions::default()).unwrap();
    let inputs = io::read_inputs(&dir.join("ff.input.json"), &g).unwrap();
    for backend in ["halo2", "plonky2", "groth16"] {
        let cfg = QuantConfig {
            visibility: VisibilityConfig {
                input: Visibility::Public,
                ..VisibilityConfig::default()
            },
            ..QuantConfig::default()
        };
        let c = pipeline::compile(&g, std::slice::from_ref(&inputs), cfg, backend).unwrap();
        let p = &c.program;
        // Every input variable is range-checked to its calibrated envelope.
        let bound = (c.plan.input_ranges[0] * (1u64 << c.plan.config.scale) as f64).ceil() as i128;
        let bits = lower::signed_bits(bound);
        for &x in &p.inputs[0].vars {
            assert!(
                p.arguments.iter().any(|(a, _)| *a == Argument::Range { x, bits }),
                "{backend}: public input {x} has no {bits}-bit range check"
            );
        }
        let honest = lower::quantize_inputs(&c, &inputs).unwrap();
        let b = prover::backend(backend).unwrap();
        b.mock(p, &solve(p, &honest).unwrap()).unwrap();
        // Just past the envelope, the rest of the witness solved honestly from it (by the
        // program without the input range checks, since the solver refuses such an input:
        // a dishonest prover does not use zkc's solver).
        let mut forged = honest.clone();
        forged[0] = 1i128 << (bits - 1);
        assert!(
            solve(p, &forged).is_err(),
            "{backend}: the solver accepted an input past its range"
        );
        let mut unchecked = p.clone();
        let inputs_vars: Vec<_> = p.inputs.iter().flat_map(|t| t.vars.clone()).collect();
        unchecked
            .arguments
            .retain(|(a, _)| !matches!(a, Argument::Range { x, .. } if inputs_vars.contains(x)));
        let t = solve(&unchecked, &forged).unwrap();
        // Without its input range checks (the lowering before issue 22) the circuit accepts
        // it: nothing downstream catches an input just past the envelope.
        b.mock(&unchecked, &t)
            .unwrap_or_else(|e| panic!("{backend}: the unchecked circuit already rejects it: {e}"));
        let e = b
            .mock(p, &t)
            .expect_err(&format!("{backend}: mock accepted a public input outside its range"))
            .to_string();
        assert!(e.contains("input"), "{backend}: {e}");
        let keys = b.setup_with_seed(p, b"public input range").unwrap();
        let verified = b
            .prove(p, &keys.proving_key, &t)
            .and_then(|proof| b.verify(p, &keys.verifying_key, &t.public_values(p), &proof));
        assert!(
            verified.is_err(),
            "{backend}: a proof with an out-of-range public input verified"
        );
    }
}
