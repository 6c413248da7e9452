//! Zero-cost `Public`: an input, product or maximum whose first publication is a `Public` has
//! that `Public`'s instance variable as its cell. These tests check the count, that keys,
//! `mock`, `prove`/`verify`, arkworks' own constraint system and the external verifiers
//! (snarkjs, the Solidity contract) agree, and that published values stay bound.

mod common;

use std::process::Command;

use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem};
use zkc_backend_groth16::{compile_solidity, export_snarkjs, export_solidity, verify_in_evm, Circuit, Groth16};
use zkc_runtime::checker::check;
use zkc_runtime::testing::{every_argument_trace, mutations, one_mutation_per_argument_kind};
use zkc_runtime::{solve, Argument, Backend, Origin, Program, Trace, Var};

fn origin(node: usize) -> Origin {
    Origin {
        node,
        name: format!("test_node_{node}"),
    }
}

fn program(num_vars: u32, args: Vec<Argument>) -> Program {
    Program {
        num_vars,
        arguments: args.into_iter().enumerate().map(|(i, a)| (a, origin(i))).collect(),
        ..Default::default()
    }
}

/// The same program with every `Public { x }` of an Input, Mul or Max output reading a copy
/// `x' = 1·x` instead: a Linear output is never a cell of its own, so each such Public costs
/// 1 constraint, as every Public did before zero-cost publication. (Other Publics are kept:
/// copying a wide combination would bind it to a witness first.) Same public values in the
/// same order.
fn with_copied_publics(p: &Program) -> Program {
    let mut q = Program {
        num_vars: p.num_vars,
        tables: p.tables.clone(),
        ..Default::default()
    };
    let cells: Vec<Var> = p
        .arguments
        .iter()
        .filter_map(|(a, _)| match a {
            Argument::Input { x, .. } => Some(*x),
            Argument::Mul { out, .. } | Argument::Max { out, .. } => Some(*out),
            _ => None,
        })
        .collect();
    for (a, o) in &p.arguments {
        match a {
            Argument::Public { x } if cells.contains(x) => {
                let copy = Var(q.num_vars);
                q.num_vars += 1;
                q.arguments.push((
                    Argument::Linear {
                        out: copy,
                        terms: vec![(1, *x)],
                        constant: 0,
                    },
                    o.clone(),
                ));
                q.arguments.push((Argument::Public { x: copy }, o.clone()));
            }
            _ => q.arguments.push((a.clone(), o.clone())),
        }
    }
    q
}

/// Three public inputs, a product, a relu and a Linear output, each published; the first
/// input published twice.
fn all_inputs_public() -> Program {
    program(
        7,
        vec![
            Argument::Input { x: Var(0), index: 0 }, // 0: 0
            Argument::Input { x: Var(1), index: 1 }, // 1: 0
            Argument::Input { x: Var(2), index: 2 }, // 2: 0
            Argument::Range { x: Var(0), bits: 8 },  // 3: 9
            Argument::Range { x: Var(1), bits: 8 },  // 4: 9
            Argument::Range { x: Var(2), bits: 8 },  // 5: 9
            Argument::Mul {
                out: Var(3),
                a: Var(0),
                b: Var(1),
            }, // 6: 1
            Argument::Max {
                out: Var(4),
                a: Var(2),
                b: None,
                bits: 8,
            }, // 7: relu of an 8-bit range-checked value: 1
            Argument::Linear {
                out: Var(5),
                terms: vec![(2, Var(3)), (-1, Var(4)), (1, Var(2))],
                constant: 7,
            }, // 8: 0
            Argument::Mul {
                out: Var(6),
                a: Var(5),
                b: Var(5),
            }, // 9: 1
            Argument::Public { x: Var(2) },          // 10: 0 (input)
            Argument::Public { x: Var(0) },          // 11: 0 (input)
            Argument::Public { x: Var(1) },          // 12: 0 (input)
            Argument::Public { x: Var(3) },          // 13: 0 (product)
            Argument::Public { x: Var(4) },          // 14: 0 (relu)
            Argument::Public { x: Var(5) },          // 15: 1 (a Linear output)
            Argument::Public { x: Var(0) },          // 16: 1 (second publication)
        ],
    )
}

#[test]
fn public_cells_cost_nothing_and_the_rest_costs_one() {
    let p = all_inputs_public();
    let cost = Groth16.cost(&p);
    let want = [0u64, 0, 0, 9, 9, 9, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1];
    for (node, &w) in want.iter().enumerate() {
        assert_eq!(cost.per_node.get(&node).copied().unwrap_or(0), w, "node {node}");
    }
    assert_eq!(cost.total, want.iter().sum::<u64>());
    // Exactly the previous cost (every Public 1) minus the five zero-cost Publics.
    let before = Groth16.cost(&with_copied_publics(&p));
    assert_eq!(cost.total, before.total - 5, "{cost:?} vs {before:?}");
    // Same instance count; five witnesses fewer.
    let (c, w, i) = Groth16.shape(&p).unwrap();
    let (c0, w0, i0) = Groth16.shape(&with_copied_publics(&p)).unwrap();
    assert_eq!((c, i), (c0 - 5, i0));
    assert_eq!(i, 8);
    assert_eq!(w, w0 - 5);
}

#[test]
fn every_argument_program_costs_one_less_per_published_cell() {
    let (mut p, _) = every_argument_trace();
    let base = Groth16.cost(&p).total;
    let cells = publish_cells(&mut p);
    assert_eq!(cells, 7, "3 inputs, 1 product, 3 maxima");
    assert_eq!(Groth16.cost(&p).total, base);
    assert_eq!(Groth16.cost(&with_copied_publics(&p)).total, base + cells as u64);
}

#[test]
fn all_public_inputs_prove_verify_and_a_changed_public_value_is_rejected() {
    let p = all_inputs_public();
    let t = solve(&p, &[-7, 5, 3]).unwrap();
    Groth16.mock(&p, &t).unwrap();
    let keys = Groth16.setup(&p).unwrap();
    let proof = Groth16.prove(&p, &keys.proving_key, &t).unwrap();
    let public = t.public_values(&p);
    assert_eq!(public[..5], [3, -7, 5, -35, 3]);
    Groth16.verify(&p, &keys.verifying_key, &public, &proof).unwrap();
    for i in 0..public.len() {
        for delta in [1, -1, 1 << 40] {
            let mut bad = public.clone();
            bad[i] += delta;
            assert!(
                Groth16.verify(&p, &keys.verifying_key, &bad, &proof).is_err(),
                "public value {i} changed by {delta} accepted"
            );
        }
    }
    // A proof of other inputs verifies with its own public values only.
    let t2 = solve(&p, &[-6, 5, 3]).unwrap();
    let proof2 = Groth16.prove(&p, &keys.proving_key, &t2).unwrap();
    let public2 = t2.public_values(&p);
    Groth16.verify(&p, &keys.verifying_key, &public2, &proof2).unwrap();
    assert!(Groth16.verify(&p, &keys.verifying_key, &public, &proof2).is_err());
    assert!(Groth16.verify(&p, &keys.verifying_key, &public2, &proof).is_err());
    // A changed input whose dependants keep their old values: the checker, mock and prove
    // reject it.
    let mut bad = t.clone();
    bad.values[0] += 1;
    assert!(check(&p, &bad).is_err());
    assert!(Groth16.mock(&p, &bad).is_err());
    assert!(Groth16.prove(&p, &keys.proving_key, &bad).is_err());
}

/// Publishes every Input, Mul and Max output of `p` (each for the first time); returns how many.
fn publish_cells(p: &mut Program) -> usize {
    let cells: Vec<Var> = p
        .arguments
        .iter()
        .filter_map(|(a, _)| match a {
            Argument::Input { x, .. } => Some(*x),
            Argument::Mul { out, .. } | Argument::Max { out, .. } => Some(*out),
            _ => None,
        })
        .collect();
    for &x in &cells {
        let node = p.arguments.len();
        p.arguments.push((Argument::Public { x }, origin(node)));
    }
    cells.len()
}

/// The every-argument program with its inputs, products and maxima published too.
fn every_argument_with_public_cells() -> (Program, Trace) {
    let (mut p, t) = every_argument_trace();
    publish_cells(&mut p);
    (p, t)
}

/// The soundness harness on the program with instance cells: mock rejects every single-value
/// mutation, and arkworks' constraint system rejects each or ignores it (a combination's).
#[test]
fn public_cells_mock_and_r1cs_reject_every_single_value_mutation() {
    let (p, t) = every_argument_with_public_cells();
    check(&p, &t).unwrap();
    Groth16.mock(&p, &t).unwrap();
    let honest = zkc_backend_groth16::r1cs::lower(&p, Some(&t), false).unwrap().z;
    let muts = mutations(&p, &t);
    assert!(muts.iter().any(|m| m.argument_kind == "Input"));
    for m in &muts {
        assert!(check(&p, &m.trace).is_err());
        assert!(
            Groth16.mock(&p, &m.trace).is_err(),
            "mock accepted a mutation of {:?} ({})",
            m.var,
            m.argument_kind
        );
        let cs = ConstraintSystem::new_ref();
        Circuit {
            program: &p,
            trace: Some(&m.trace),
        }
        .generate_constraints(cs.clone())
        .unwrap();
        cs.finalize();
        if cs.is_satisfied().unwrap() {
            let z = zkc_backend_groth16::r1cs::lower(&p, Some(&m.trace), false).unwrap().z;
            assert!(
                z == honest,
                "{} mutation of {:?} satisfies the R1CS",
                m.argument_kind,
                m.var
            );
            assert!(["Linear", "Rescale", "Div", "Lookup"].contains(&m.argument_kind));
        }
    }
}

/// Keys from zkc's generator equal arkworks' on the same circuit; the honest trace satisfies
/// arkworks' constraint system; proofs of mutated traces are refused or do not verify.
#[test]
fn public_cells_keygen_matches_arkworks_and_prove_verify_rejects_mutations() {
    use rand_chacha::rand_core::SeedableRng;
    let (p, t) = every_argument_with_public_cells();
    let r = zkc_backend_groth16::r1cs::lower(&p, None, true).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]);
    let mine = zkc_backend_groth16::keygen::generate(r, &mut rng).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]);
    let theirs = ark_groth16::Groth16::<ark_bn254::Bn254>::generate_random_parameters_with_reduction(
        Circuit {
            program: &p,
            trace: None,
        },
        &mut rng,
    )
    .unwrap();
    assert!(mine == theirs);

    let cs = ConstraintSystem::new_ref();
    Circuit {
        program: &p,
        trace: Some(&t),
    }
    .generate_constraints(cs.clone())
    .unwrap();
    cs.finalize();
    assert!(cs.is_satisfied().unwrap());
    assert_eq!(cs.num_constraints() as u64, Groth16.cost(&p).total);
    assert_eq!(cs.num_instance_variables(), 1 + p.public_vars().len());

    let keys = Groth16.setup(&p).unwrap();
    let honest = t.public_values(&p);
    let proof = Groth16.prove(&p, &keys.proving_key, &t).unwrap();
    Groth16.verify(&p, &keys.verifying_key, &honest, &proof).unwrap();
    for m in one_mutation_per_argument_kind(&p, &t) {
        if let Ok(proof) = Groth16.prove(&p, &keys.proving_key, &m.trace) {
            for public in [m.trace.public_values(&p), honest.clone()] {
                assert!(Groth16.verify(&p, &keys.verifying_key, &public, &proof).is_err());
            }
        }
    }
}

/// snarkjs and the Solidity verifier (in revm) accept the proof with the public inputs in
/// `Public` order and reject a changed public input.
#[test]
fn public_cells_external_verifiers_agree() {
    let p = all_inputs_public();
    let t = solve(&p, &[-7, 5, 3]).unwrap();
    let keys = Groth16.setup(&p).unwrap();
    let proof = Groth16.prove(&p, &keys.proving_key, &t).unwrap();
    let public = t.public_values(&p);
    let mut bad = public.clone();
    bad[1] += 1;

    let Some(snarkjs) = common::node_tool("snarkjs") else {
        return;
    };
    for (values, want) in [(&public, true), (&bad, false)] {
        let dir = tempfile::tempdir().unwrap();
        export_snarkjs(&keys.verifying_key, &proof, values, dir.path()).unwrap();
        let out = Command::new(&snarkjs)
            .current_dir(dir.path())
            .args([
                "groth16",
                "verify",
                "verification_key.json",
                "public.json",
                "proof.json",
            ])
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.success() && text.contains("OK"), want, "{values:?}: {text}");
    }

    let Some(solcjs) = common::node_tool("solcjs") else {
        return;
    };
    let code = compile_solidity(&export_solidity(&keys.verifying_key).unwrap(), &solcjs).unwrap();
    assert!(verify_in_evm(&code, &proof, &public).unwrap().0);
    assert!(!verify_in_evm(&code, &proof, &bad).unwrap().0);
}
