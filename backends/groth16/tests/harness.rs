//! The shared soundness harness (`zkc_runtime::testing`) on the Groth16 backend.

use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem};
use zkc_backend_groth16::{Circuit, Groth16};
use zkc_runtime::checker::check;
use zkc_runtime::testing::{every_argument_trace, mutations, one_mutation_per_argument_kind};
use zkc_runtime::Backend;

#[test]
fn every_argument_program_mocks_proves_and_verifies() {
    let (program, trace) = every_argument_trace();
    check(&program, &trace).expect("the harness trace is valid");
    let cost = Groth16.cost(&program);
    eprintln!("every-argument program: {} {} ({})", cost.total, cost.unit, cost.detail);
    assert_eq!(cost.unit, "constraints");
    assert_eq!(cost.per_node.values().sum::<u64>(), cost.total);
    Groth16.mock(&program, &trace).unwrap();
    let keys = Groth16.setup(&program).unwrap();
    let proof = Groth16.prove(&program, &keys.proving_key, &trace).unwrap();
    let public = trace.public_values(&program);
    Groth16.verify(&program, &keys.verifying_key, &public, &proof).unwrap();
}

/// arkworks' own constraint system agrees: the honest trace satisfies the synthesized
/// circuit (and its size is the one `cost` reports).
#[test]
fn ark_constraint_system_is_satisfied_by_the_honest_trace() {
    let (program, trace) = every_argument_trace();
    let cs = ConstraintSystem::new_ref();
    Circuit {
        program: &program,
        trace: Some(&trace),
    }
    .generate_constraints(cs.clone())
    .unwrap();
    cs.finalize();
    assert!(cs.is_satisfied().unwrap(), "{:?}", cs.which_is_unsatisfied());
    assert_eq!(cs.num_constraints() as u64, Groth16.cost(&program).total);
}

/// The soundness test: an accepted mutation is a critical bug.
#[test]
fn all_argument_kinds_groth16_mock_rejects_every_single_value_mutation() {
    let (program, trace) = every_argument_trace();
    let muts = mutations(&program, &trace);
    assert!(!muts.is_empty());
    let mut accepted = Vec::new();
    for m in &muts {
        assert!(
            check(&program, &m.trace).is_err(),
            "harness mutation of {:?} is valid",
            m.var
        );
        match Groth16.mock(&program, &m.trace) {
            Ok(()) => accepted.push((m.var, m.argument_kind)),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains("argument") && msg.contains("test_node_"), "{msg}");
                eprintln!("{} v{}: {msg}", m.argument_kind, m.var.0);
            }
        }
    }
    assert!(accepted.is_empty(), "groth16 mock accepted mutations: {accepted:?}");
}

#[test]
fn all_argument_kinds_groth16_prove_verify_rejects_one_mutation_per_kind() {
    let (program, trace) = every_argument_trace();
    let keys = Groth16.setup(&program).unwrap();
    let honest_public = trace.public_values(&program);
    let muts = one_mutation_per_argument_kind(&program, &trace);
    let kinds: Vec<&str> = muts.iter().map(|m| m.argument_kind).collect();
    for kind in ["Input", "Linear", "Mul", "Rescale", "Lookup", "Div", "Max"] {
        assert!(kinds.contains(&kind), "no {kind} mutation in {kinds:?}");
    }
    for m in muts {
        match Groth16.prove(&program, &keys.proving_key, &m.trace) {
            Err(e) => eprintln!("{}: prove refused: {e}", m.argument_kind),
            Ok(proof) => {
                for public in [m.trace.public_values(&program), honest_public.clone()] {
                    assert!(
                        Groth16.verify(&program, &keys.verifying_key, &public, &proof).is_err(),
                        "a proof of a mutated {} trace verified",
                        m.argument_kind
                    );
                }
            }
        }
    }
}

/// Below the checker (as a malicious prover would be): for every mutation, arkworks'
/// constraint system built from the mutated trace is unsatisfied, or its assignment is exactly
/// the honest one (the mutated value is a linear combination's, which has no cell: a proof
/// would be a proof of the honest values).
#[test]
fn all_argument_kinds_groth16_r1cs_rejects_or_ignores_every_mutation() {
    let (program, trace) = every_argument_trace();
    let honest = zkc_backend_groth16::r1cs::lower(&program, Some(&trace), false)
        .unwrap()
        .z;
    let (mut rejected, mut ignored) = (0, Vec::new());
    for m in mutations(&program, &trace) {
        let cs = ConstraintSystem::new_ref();
        Circuit {
            program: &program,
            trace: Some(&m.trace),
        }
        .generate_constraints(cs.clone())
        .unwrap();
        cs.finalize();
        if cs.is_satisfied().unwrap() {
            let z = zkc_backend_groth16::r1cs::lower(&program, Some(&m.trace), false)
                .unwrap()
                .z;
            assert!(
                z == honest,
                "{} mutation of {:?} satisfies the R1CS with a different assignment",
                m.argument_kind,
                m.var
            );
            ignored.push(m.argument_kind);
        } else {
            rejected += 1;
        }
    }
    eprintln!("rejected by the R1CS: {rejected}; only in linear combinations: {ignored:?}");
    assert!(rejected > 0);
    // Only variables without a cell of their own can be ignored.
    for kind in &ignored {
        assert!(["Linear", "Rescale", "Div", "Lookup"].contains(kind), "{kind}");
    }
}

/// zkc's key generation gives exactly the keys of `ark_groth16`'s generator run on the
/// `ConstraintSynthesizer` with the same toxic waste (so the prover's libsnark QAP matches).
#[test]
fn groth16_keygen_equals_arkworks_generator() {
    use rand_chacha::rand_core::SeedableRng;
    let (program, _) = every_argument_trace();
    let r = zkc_backend_groth16::r1cs::lower(&program, None, true).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    let mine = zkc_backend_groth16::keygen::generate(r, &mut rng).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    let theirs = ark_groth16::Groth16::<ark_bn254::Bn254>::generate_random_parameters_with_reduction(
        Circuit {
            program: &program,
            trace: None,
        },
        &mut rng,
    )
    .unwrap();
    assert!(mine.vk == theirs.vk);
    assert!(mine.a_query == theirs.a_query);
    assert!(mine.b_g1_query == theirs.b_g1_query);
    assert!(mine.b_g2_query == theirs.b_g2_query);
    assert!(mine.h_query == theirs.h_query);
    assert!(mine.l_query == theirs.l_query);
    assert!(mine == theirs);
}

/// Traces whose equations hold but that sit at or one past a bound (ranges, remainders,
/// quotient widths, Max's choice, lookup edges): the R1CS itself (arkworks'
/// `ConstraintSystem`, not the checker the prover runs first) is satisfied by exactly the
/// valid ones, and `mock` agrees.
#[test]
fn all_argument_kinds_groth16_r1cs_agrees_with_the_checker_on_every_bound() {
    for c in zkc_runtime::testing::bound_cases() {
        let cs = ConstraintSystem::new_ref();
        let satisfied = Circuit {
            program: &c.program,
            trace: Some(&c.trace),
        }
        .generate_constraints(cs.clone())
        .is_ok()
            && {
                cs.finalize();
                cs.is_satisfied().unwrap()
            };
        // A value that is a linear combination here (a lookup output, a quotient or
        // remainder, a Linear output) has no cell: the R1CS then holds for the combination's
        // own value, not the trace's, which is a proof about the right value; only `mock`
        // (and the prover's checker) can see the trace's. Every other invalid case must
        // leave the R1CS unsatisfied.
        let kind = c
            .program
            .arguments
            .iter()
            .map(|(a, _)| a.kind())
            .find(|k| *k != "Input")
            .unwrap_or("Input");
        if c.valid {
            assert!(satisfied, "{}: the R1CS rejects a valid trace", c.name);
        } else if satisfied {
            assert!(
                ["Linear", "Rescale", "Div", "Lookup"].contains(&kind),
                "{}: an out-of-bound {kind} trace satisfies the R1CS",
                c.name
            );
        }
        let mocked = Groth16.mock(&c.program, &c.trace);
        assert_eq!(mocked.is_ok(), c.valid, "{}: mock says {mocked:?}", c.name);
    }
}
