//! Visibility of inputs, parameters and outputs on every backend: each combination proves and
//! verifies with the same outputs as the default circuit, commitments equal the off-circuit
//! hash, a wrong commitment (or input, or output) is rejected, and non-fixed weights cost
//! real multiplications.

use zkc_compiler::{io, onnx, pipeline, prover};
use zkc_passes::{Compiled, QuantConfig, Visibility, VisibilityConfig};
use zkc_runtime::Trace;

use Visibility::{Fixed, Hashed, Private, Public};

fn model(name: &str) -> (zkc_ir::Graph, Vec<zkc_ir::Tensor>) {
    let dir = zkc_tests::shared_dir().join("models");
    let g = onnx::load(&dir.join(format!("{name}.onnx")), &onnx::ImportOptions::default()).unwrap();
    let inputs = io::read_inputs(&dir.join(format!("{name}.input.json")), &g).unwrap();
    (g, inputs)
}

fn compile(g: &zkc_ir::Graph, inputs: &[zkc_ir::Tensor], vis: VisibilityConfig, backend: &str) -> Compiled {
    let cfg = QuantConfig {
        visibility: vis,
        ..QuantConfig::default()
    };
    pipeline::compile(g, &[inputs.to_vec()], cfg, backend).unwrap()
}

/// The 12 of the 36 combinations with this input visibility (split three ways so that the
/// test runner can prove them in parallel).
fn combinations_with_input(input: Visibility) -> Vec<VisibilityConfig> {
    let mut v = Vec::new();
    for params in [Fixed, Public, Private, Hashed] {
        for output in [Public, Private, Hashed] {
            v.push(VisibilityConfig { input, params, output });
        }
    }
    v
}

fn vis(input: Visibility, params: Visibility, output: Visibility) -> VisibilityConfig {
    VisibilityConfig { input, params, output }
}

/// The commitment a group's public values carry, if hashed, and what `zkc hash` computes.
fn check_commitments(c: &Compiled, trace: &Trace, backend: &str, inputs: &[zkc_ir::Tensor]) {
    let vals = trace.public_values(&c.program);
    let sec = prover::Sections::of(c);
    assert_eq!(vals.len(), sec.output.end, "public value layout");
    let vis = c.plan.config.visibility;
    let outputs: Vec<i128> = c
        .program
        .outputs
        .iter()
        .flat_map(|t| t.vars.iter().map(|&v| trace.get(v)))
        .collect();
    let input_ints = zkc_passes::lower::quantize_inputs(c, inputs).unwrap();
    for (group, v, ints) in [
        ("input", vis.input, input_ints),
        ("params", vis.params, c.params.clone()),
        ("output", vis.output, outputs),
    ] {
        let (range, _) = sec.group(c, group).unwrap();
        match v {
            Hashed => assert_eq!(
                prover::digest_hex(&vals[range]),
                prover::commitment(backend, group, &ints),
                "{backend}: {group} commitment in the proof equals the off-circuit hash"
            ),
            Public => assert_eq!(vals[range].to_vec(), ints, "{backend}: public {group} values"),
            Private | Fixed => assert!(range.is_empty(), "{backend}: {group} is not public"),
        }
    }
}

/// Proves and verifies; then each hashed group's commitment, and one public input/output
/// value, changed by one must be rejected.
fn prove_and_tamper(c: &Compiled, trace: &Trace, backend: &str) {
    let b = prover::backend(backend).unwrap();
    let keys = b.setup(&c.program).unwrap();
    let proof = b.prove(&c.program, &keys.proving_key, trace).unwrap();
    let vals = trace.public_values(&c.program);
    b.verify(&c.program, &keys.verifying_key, &vals, &proof)
        .unwrap_or_else(|e| panic!("{backend} {:?}: {e}", c.plan.config.visibility));
    let sec = prover::Sections::of(c);
    for group in ["input", "params", "output"] {
        let (range, _) = sec.group(c, group).unwrap();
        if range.is_empty() {
            continue;
        }
        let mut bad = vals.clone();
        bad[range.start] += 1;
        assert!(
            b.verify(&c.program, &keys.verifying_key, &bad, &proof).is_err(),
            "{backend} {:?}: a changed {group} public value must be rejected",
            c.plan.config.visibility
        );
    }
}

/// Compiles `vis` for `backend` and checks, without proving, that the outputs are
/// `reference`, that the backend's constraint check accepts the witness and that the
/// commitments are the off-circuit hashes. Returns the circuit and its witness.
fn satisfied(
    g: &zkc_ir::Graph,
    inputs: &[zkc_ir::Tensor],
    reference: &[zkc_ir::Tensor],
    vis: VisibilityConfig,
    backend: &str,
) -> (Compiled, Trace) {
    let c = compile(g, inputs, vis, backend);
    let trace = pipeline::witness(&c, inputs).unwrap();
    assert_eq!(
        pipeline::outputs(&c, &trace),
        reference,
        "{backend} {vis:?}: visibility never changes the outputs"
    );
    prover::backend(backend)
        .unwrap()
        .mock(&c.program, &trace)
        .unwrap_or_else(|e| panic!("{backend} {vis:?}: {e}"));
    check_commitments(&c, &trace, backend, inputs);
    (c, trace)
}

fn every_combination_on_ff(backend: &str, input: Visibility) {
    let (g, inputs) = model("ff");
    let reference = {
        let c = compile(&g, &inputs, VisibilityConfig::default(), "halo2");
        pipeline::outputs(&c, &pipeline::witness(&c, &inputs).unwrap())
    };
    for vis in combinations_with_input(input) {
        let (c, trace) = satisfied(&g, &inputs, &reference, vis, backend);
        prove_and_tamper(&c, &trace, backend);
    }
}

#[test]
fn every_combination_on_ff_proves_on_halo2_with_public_input() {
    every_combination_on_ff("halo2", Public);
}

#[test]
fn every_combination_on_ff_proves_on_halo2_with_private_input() {
    every_combination_on_ff("halo2", Private);
}

#[test]
fn every_combination_on_ff_proves_on_halo2_with_hashed_input() {
    every_combination_on_ff("halo2", Hashed);
}

#[test]
fn every_combination_on_ff_proves_on_groth16_with_public_input() {
    every_combination_on_ff("groth16", Public);
}

#[test]
fn every_combination_on_ff_proves_on_groth16_with_private_input() {
    every_combination_on_ff("groth16", Private);
}

#[test]
fn every_combination_on_ff_proves_on_groth16_with_hashed_input() {
    every_combination_on_ff("groth16", Hashed);
}

#[test]
fn every_combination_on_ff_proves_on_plonky2_with_public_input() {
    every_combination_on_ff("plonky2", Public);
}

#[test]
fn every_combination_on_ff_proves_on_plonky2_with_private_input() {
    every_combination_on_ff("plonky2", Private);
}

#[test]
fn every_combination_on_ff_proves_on_plonky2_with_hashed_input() {
    every_combination_on_ff("plonky2", Hashed);
}

/// One of mlp's covering combinations (every value of every flag appears in one of them),
/// proved on one backend; one test each, so that the runner proves them in parallel. Hashed
/// weights included: over BN254 its 50,890 weights are packed 7 per hashed word (see
/// `zkc_runtime::poseidon::pack_params`), ~1.6M Groth16 constraints and ~31k halo2 rows
/// instead of ~6.2M and ~245k.
fn covering_combination_on_mlp(backend: &str, vis: VisibilityConfig) {
    let (g, inputs) = model("mlp");
    let c = compile(&g, &inputs, vis, backend);
    let trace = pipeline::witness(&c, &inputs).unwrap();
    check_commitments(&c, &trace, backend, &inputs);
    prove_and_tamper(&c, &trace, backend);
}

/// Every combination on mlp satisfies the backend's own constraint check (halo2's
/// MockProver, Groth16's R1CS check) with the default circuit's outputs and the off-circuit
/// commitments. Proving all 36 on mlp would take CI minutes per backend, so the covering
/// combinations below prove. plonky2 has no cheaper check than a proof (its mock proves
/// without blinding: ~4 min for the 36 on mlp in release), so there ff proves all 36 and mlp
/// the covering set.
fn every_combination_on_mlp_is_satisfied(backend: &str, input: Visibility) {
    let (g, inputs) = model("mlp");
    let reference = {
        let c = compile(&g, &inputs, VisibilityConfig::default(), backend);
        pipeline::outputs(&c, &pipeline::witness(&c, &inputs).unwrap())
    };
    for vis in combinations_with_input(input) {
        satisfied(&g, &inputs, &reference, vis, backend);
    }
}

#[test]
fn every_combination_on_mlp_is_satisfied_on_halo2_with_public_input() {
    every_combination_on_mlp_is_satisfied("halo2", Public);
}

#[test]
fn every_combination_on_mlp_is_satisfied_on_halo2_with_private_input() {
    every_combination_on_mlp_is_satisfied("halo2", Private);
}

#[test]
fn every_combination_on_mlp_is_satisfied_on_halo2_with_hashed_input() {
    every_combination_on_mlp_is_satisfied("halo2", Hashed);
}

#[test]
fn every_combination_on_mlp_is_satisfied_on_groth16_with_public_input() {
    every_combination_on_mlp_is_satisfied("groth16", Public);
}

#[test]
fn every_combination_on_mlp_is_satisfied_on_groth16_with_private_input() {
    every_combination_on_mlp_is_satisfied("groth16", Private);
}

#[test]
fn every_combination_on_mlp_is_satisfied_on_groth16_with_hashed_input() {
    every_combination_on_mlp_is_satisfied("groth16", Hashed);
}

#[test]
fn mlp_proves_on_halo2_with_hashed_input_hashed_weights_public_output() {
    covering_combination_on_mlp("halo2", vis(Hashed, Hashed, Public));
}

#[test]
fn mlp_proves_on_halo2_with_public_input_private_weights_hashed_output() {
    covering_combination_on_mlp("halo2", vis(Public, Private, Hashed));
}

#[test]
fn mlp_proves_on_halo2_with_private_input_public_weights_private_output() {
    covering_combination_on_mlp("halo2", vis(Private, Public, Private));
}

#[test]
fn mlp_proves_on_halo2_with_hashed_input_fixed_weights_hashed_output() {
    covering_combination_on_mlp("halo2", vis(Hashed, Fixed, Hashed));
}

#[test]
fn mlp_proves_on_groth16_with_hashed_input_hashed_weights_public_output() {
    covering_combination_on_mlp("groth16", vis(Hashed, Hashed, Public));
}

#[test]
fn mlp_proves_on_groth16_with_public_input_private_weights_hashed_output() {
    covering_combination_on_mlp("groth16", vis(Public, Private, Hashed));
}

#[test]
fn mlp_proves_on_groth16_with_private_input_public_weights_private_output() {
    covering_combination_on_mlp("groth16", vis(Private, Public, Private));
}

#[test]
fn mlp_proves_on_groth16_with_hashed_input_fixed_weights_hashed_output() {
    covering_combination_on_mlp("groth16", vis(Hashed, Fixed, Hashed));
}

#[test]
fn mlp_proves_on_plonky2_with_hashed_input_hashed_weights_public_output() {
    covering_combination_on_mlp("plonky2", vis(Hashed, Hashed, Public));
}

#[test]
fn mlp_proves_on_plonky2_with_public_input_private_weights_hashed_output() {
    covering_combination_on_mlp("plonky2", vis(Public, Private, Hashed));
}

#[test]
fn mlp_proves_on_plonky2_with_private_input_public_weights_private_output() {
    covering_combination_on_mlp("plonky2", vis(Private, Public, Private));
}

#[test]
fn mlp_proves_on_plonky2_with_hashed_input_fixed_weights_hashed_output() {
    covering_combination_on_mlp("plonky2", vis(Hashed, Fixed, Hashed));
}

/// Over BN254 hashed weights are packed `k` to a word before hashing. Weights
/// `(w₀ + 2^b, w₁ - 1, …)` give the same words, so the same commitment, but other outputs:
/// only the range checks of the packing tell them apart, and every BN254 backend must reject.
#[test]
fn weights_that_pack_to_the_same_words_are_rejected() {
    let (g, inputs) = model("ff");
    let vis = VisibilityConfig {
        params: Hashed,
        ..VisibilityConfig::default()
    };
    for backend in ["halo2", "groth16"] {
        let c = compile(&g, &inputs, vis, backend);
        let honest = pipeline::witness(&c, &inputs).unwrap();
        let (b, k) = zkc_runtime::poseidon::pack_layout(&c.params);
        assert!(k >= 2 && c.params.len() >= 2);
        // The same circuit without the packing's range checks (which the solver would also
        // refuse to break) solves the forged weights.
        let mut forged = c.clone();
        forged
            .program
            .arguments
            .retain(|(a, origin)| !(matches!(a, zkc_runtime::Argument::Range { .. }) && origin.name == "parameters"));
        assert!(forged.program.arguments.len() + c.params.len() <= c.program.arguments.len());
        forged.params[0] += 1 << b;
        forged.params[1] -= 1;
        // Digits w + 2^(b-1) of the circuit's width b: (d₀ + 2^b) + (d₁ - 1)·2^b = d₀ + d₁·2^b.
        let trace = pipeline::witness(&forged, &inputs).unwrap();
        assert_eq!(
            trace.public_values(&c.program)[..4],
            honest.public_values(&c.program)[..4],
            "{backend}: same commitment"
        );
        assert_ne!(
            pipeline::outputs(&c, &trace),
            pipeline::outputs(&c, &honest),
            "{backend}: the forged weights change the outputs"
        );
        let be = prover::backend(backend).unwrap();
        be.mock(&c.program, &honest).unwrap();
        be.mock(&forged.program, &trace)
            .expect("without the range checks the forgery satisfies every constraint");
        let e = be
            .mock(&c.program, &trace)
            .expect_err("forged weights must be rejected");
        println!("{backend}: {e}");
        assert!(zkc_runtime::checker::check(&c.program, &trace).is_err());
    }
}

#[test]
fn halo2_and_groth16_commit_to_the_same_hash() {
    let (g, inputs) = model("ff");
    let vis = VisibilityConfig {
        input: Hashed,
        params: Hashed,
        output: Hashed,
    };
    let digests: Vec<Vec<i128>> = ["halo2", "groth16"]
        .iter()
        .map(|b| {
            let c = compile(&g, &inputs, vis, b);
            pipeline::witness(&c, &inputs).unwrap().public_values(&c.program)
        })
        .collect();
    assert_eq!(digests[0], digests[1]);
}

#[test]
fn witness_weights_cost_multiplications_and_public_inputs_keep_their_range_checks() {
    let (g, inputs) = model("mlp");
    let b = prover::backend("groth16").unwrap();
    let cost = |vis: VisibilityConfig| b.cost(&compile(&g, &inputs, vis, "groth16").program).total;
    let fixed = cost(VisibilityConfig::default());
    let private = cost(VisibilityConfig {
        params: Private,
        ..VisibilityConfig::default()
    });
    let public_in = cost(VisibilityConfig {
        input: Public,
        ..VisibilityConfig::default()
    });
    println!("mlp groth16 constraints: fixed weights {fixed}, private weights {private}, public input {public_in}");
    // mlp has 784·64 + 64·10 multiply-accumulates with weights: each is one more constraint.
    assert!(private >= fixed + 784 * 64 + 64 * 10, "{private} vs {fixed}");
    // Public inputs are range-checked in the circuit like private ones (a verifier sees only
    // a field element), so publishing them removes no constraint.
    assert!(
        public_in >= fixed,
        "public inputs lost their range checks: {public_in} < {fixed}"
    );
}

#[test]
fn circuit_without_params_file_cannot_prove() {
    let (g, inputs) = model("ff");
    let mut c = compile(
        &g,
        &inputs,
        VisibilityConfig {
            params: Private,
            ..VisibilityConfig::default()
        },
        "halo2",
    );
    assert!(c.param_count > 0);
    c.params.clear();
    let e = pipeline::witness(&c, &inputs).unwrap_err().to_string();
    assert!(e.contains("params.zkc"), "{e}");
}
