//! The shared harness holds what backends rely on: its programs solve and check, every
//! single-value mutation is rejected — by the argument that defines the changed value — and
//! the checker agrees with every bound case.

use proptest::prelude::*;
use zkc_runtime::testing::{
    bound_cases, every_argument_program, every_argument_trace, hash_bound_cases, hash_trace, mutations,
    one_mutation_per_argument_kind, random_program, random_program_with_hash,
};
use zkc_runtime::{check, solve, Argument, HashKind, Program, Trace};

const HASH_KINDS: [HashKind; 2] = [HashKind::PoseidonBn254, HashKind::PoseidonGoldilocks];

/// Every kind but Hash (whose kind follows the backend's field: see `hash_program`).
const ALL_KINDS: [&str; 9] = [
    "Input", "Linear", "Mul", "Range", "Lookup", "Rescale", "Div", "Max", "Public",
];

/// Every value changed by `delta` is rejected; a defined value at the argument defining it.
fn every_change_is_rejected(p: &Program, t: &Trace, delta: i128) -> Result<(), String> {
    for (index, (a, _)) in p.arguments.iter().enumerate() {
        for v in a.defines() {
            let mut m = t.clone();
            m.values[v.0 as usize] += delta;
            match check(p, &m) {
                Ok(()) => return Err(format!("{v} ({}) {delta:+} was accepted", a.kind())),
                Err(e) if !matches!(a, Argument::Input { .. }) && e.index != index => {
                    return Err(format!(
                        "{v} {delta:+} caught by argument {} instead of {index}: {e}",
                        e.index
                    ))
                }
                Err(_) => {}
            }
        }
    }
    Ok(())
}

#[test]
fn every_argument_program_uses_every_kind_and_rejects_every_mutation() {
    let (p, t) = every_argument_trace();
    check(&p, &t).unwrap();
    let kinds: Vec<&str> = p.arguments.iter().map(|(a, _)| a.kind()).collect();
    for k in ALL_KINDS {
        assert!(kinds.contains(&k), "no {k} argument");
    }
    assert!(t.values.iter().all(|v| v.abs() < 1 << 40));
    // Rescale of a positive and a negative value; relu of both signs; a negative public.
    assert_eq!(t.values[5..9], [15, 2, -3, 2]);
    assert!(t.public_values(&p).iter().any(|v| *v < 0));
    let ms = mutations(&p, &t);
    assert_eq!(ms.len(), p.num_vars as usize, "no input of this program is free");
    for m in &ms {
        let e = check(&p, &m.trace).expect_err(&format!("mutating {} ({}) was accepted", m.var, m.argument_kind));
        assert!(e.to_string().contains("test_node_"), "{e}");
    }
    for delta in [1, -1, 7] {
        every_change_is_rejected(&p, &t, delta).unwrap();
    }
}

#[test]
fn one_mutation_per_defining_kind() {
    let (p, t) = every_argument_trace();
    let kinds: Vec<&str> = one_mutation_per_argument_kind(&p, &t)
        .iter()
        .map(|m| m.argument_kind)
        .collect();
    assert_eq!(kinds, ["Input", "Linear", "Mul", "Rescale", "Lookup", "Div", "Max"]);
}

#[test]
fn a_free_input_yields_no_mutation() {
    // v1 is read only as the unchosen operand of a Max: another value is another witness.
    let (mut p, _) = every_argument_program();
    p.arguments.truncate(3);
    p.num_vars = 3;
    let (out, a, b) = (zkc_runtime::Var(p.num_vars), zkc_runtime::Var(0), zkc_runtime::Var(1));
    p.num_vars += 1;
    p.arguments.push((
        Argument::Max {
            out,
            a,
            b: Some(b),
            bits: 8,
        },
        Default::default(),
    ));
    let t = solve(&p, &[10, 2, 0]).unwrap();
    let vars: Vec<u32> = mutations(&p, &t).iter().map(|m| m.var.0).collect();
    assert_eq!(vars, [0, 3], "v0 is chosen by the Max; v1 and v2 are free");
}

#[test]
fn checker_names_the_violated_argument_node_and_table() {
    let (p, mut t) = every_argument_trace();
    let (i, y) = p
        .arguments
        .iter()
        .enumerate()
        .find_map(|(i, (a, _))| match a {
            Argument::Lookup { y, .. } => Some((i, *y)),
            _ => None,
        })
        .unwrap();
    t.values[y.0 as usize] += 1;
    let e = check(&p, &t).unwrap_err();
    assert_eq!(e.index, i);
    assert_eq!(
        e.to_string(),
        format!("argument {i} `v9 = test_square_mod_23[v7]` from node {i} `test_node_{i}` is violated: v9 = 118 but `test_square_mod_23`[-3] = 117")
    );
}

#[test]
fn checker_agrees_with_every_bound_case() {
    let cases = bound_cases();
    let kinds: std::collections::BTreeSet<&str> = cases
        .iter()
        .map(|c| c.program.arguments.last().unwrap().0.kind())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["Div", "Lookup", "Max", "Range", "Rescale"]
    );
    for c in &cases {
        assert_eq!(
            check(&c.program, &c.trace).is_ok(),
            c.valid,
            "{}: {:?}",
            c.name,
            check(&c.program, &c.trace)
        );
    }
    assert!(cases.iter().filter(|c| c.valid).count() >= 10);
    assert!(cases.iter().filter(|c| !c.valid).count() >= 20);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// The spec of "every variable is constrained": solved traces check, and any change of
    /// one value is rejected — a defined value by its own defining argument.
    #[test]
    fn random_programs_solve_check_and_reject_every_change(seed in any::<u64>(), delta in -1000i128..1000) {
        let (p, inputs) = random_program(seed);
        let t = solve(&p, &inputs).map_err(|e| TestCaseError::fail(format!("{e}\n{}", p.listing())))?;
        prop_assert!(check(&p, &t).is_ok());
        let delta = if delta == 0 { 1 } else { delta };
        if let Err(e) = every_change_is_rejected(&p, &t, delta) {
            return Err(TestCaseError::fail(format!("{e}\n{}", p.listing())));
        }
        prop_assert_eq!(mutations(&p, &t).len(), p.num_vars as usize);
    }
}

#[test]
fn random_programs_cover_every_kind() {
    let mut kinds = std::collections::BTreeSet::new();
    for seed in 0..64 {
        let (p, _) = random_program(seed);
        kinds.extend(p.arguments.iter().map(|(a, _)| a.kind()));
    }
    assert_eq!(kinds.len(), ALL_KINDS.len(), "{kinds:?}");
}

#[test]
fn display_of_every_argument_program() {
    let (p, _) = every_argument_program();
    insta::assert_snapshot!(p.listing());
}

#[test]
fn hash_program_rejects_every_mutation_of_an_input_or_a_digest() {
    for kind in HASH_KINDS {
        let (p, t) = hash_trace(kind);
        check(&p, &t).unwrap();
        assert!(p.arguments.iter().any(|(a, _)| a.kind() == "Hash"));
        // The empty hash: circomlib's permutation of [0, 0, 0] (BN254), all zero (plonky2).
        let empty = &t.values[8..12];
        assert_eq!(empty == [0, 0, 0, 0], kind == HashKind::PoseidonGoldilocks, "{kind:?}");
        assert_eq!(t.public_values(&p)[..4], t.values[4..8]);
        let ms = mutations(&p, &t);
        assert_eq!(ms.len(), p.num_vars as usize, "{kind:?}: every input feeds the hash");
        for delta in [1, -1, 1 << 64] {
            every_change_is_rejected(&p, &t, delta).unwrap();
        }
        let kinds: Vec<&str> = one_mutation_per_argument_kind(&p, &t)
            .iter()
            .map(|m| m.argument_kind)
            .collect();
        assert_eq!(kinds, ["Input", "Linear", "Hash"]);
    }
}

#[test]
fn checker_agrees_with_every_hash_bound_case() {
    for kind in HASH_KINDS {
        let cases = hash_bound_cases(kind);
        assert!(cases.iter().filter(|c| !c.valid).count() >= 2, "{kind:?}");
        for c in &cases {
            assert_eq!(check(&c.program, &c.trace).is_ok(), c.valid, "{}", c.name);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_programs_with_hashes_reject_every_change(seed in any::<u64>(), delta in -1000i128..1000, goldilocks: bool) {
        let kind = HASH_KINDS[goldilocks as usize];
        let (p, inputs) = random_program_with_hash(seed, kind);
        let t = solve(&p, &inputs).map_err(|e| TestCaseError::fail(format!("{e}\n{}", p.listing())))?;
        prop_assert!(check(&p, &t).is_ok());
        let delta = if delta == 0 { 1 } else { delta };
        if let Err(e) = every_change_is_rejected(&p, &t, delta) {
            return Err(TestCaseError::fail(format!("{e}\n{}", p.listing())));
        }
        prop_assert_eq!(mutations(&p, &t).len(), p.num_vars as usize);
    }
}

#[test]
fn random_programs_with_hashes_cover_every_kind() {
    let mut kinds = std::collections::BTreeSet::new();
    for seed in 0..64 {
        let (p, _) = random_program_with_hash(seed, HashKind::PoseidonBn254);
        kinds.extend(p.arguments.iter().map(|(a, _)| a.kind()));
    }
    assert_eq!(kinds.len(), ALL_KINDS.len() + 1, "{kinds:?}");
}
