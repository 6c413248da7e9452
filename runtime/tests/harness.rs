//! The solver's traces satisfy the checker, and every single-value mutation is rejected.

use proptest::prelude::*;
use zkc_runtime::testing::{every_argument_trace, mutations};
use zkc_runtime::{check, solve, Argument, Origin, Program, Table, Var};

#[test]
fn every_argument_program_solves_checks_and_rejects_every_mutation() {
    let (p, t) = every_argument_trace();
    check(&p, &t).unwrap();
    let ms = mutations(&p, &t);
    assert_eq!(ms.len(), p.num_vars as usize, "every variable is defined exactly once");
    for m in ms {
        let e = check(&p, &m.trace).expect_err(&format!("mutating {} ({}) was accepted", m.var, m.argument_kind));
        assert!(e.to_string().contains("test_node_"), "{e}");
    }
}

#[test]
fn checker_names_the_violated_argument_and_node() {
    let (p, mut t) = every_argument_trace();
    let Argument::Rescale { r, .. } = p
        .arguments
        .iter()
        .find(|(a, _)| matches!(a, Argument::Rescale { .. }))
        .unwrap()
        .0
    else {
        unreachable!()
    };
    t.values[r.0 as usize] += 1;
    let e = check(&p, &t).unwrap_err().to_string();
    assert!(e.contains("rescale") && e.contains("test_node_"), "{e}");
}

fn origin() -> Origin {
    Origin {
        node: 0,
        name: "n".into(),
    }
}

#[test]
fn rounding_and_bounds_at_the_edges() {
    // Rescale rounds half up for negatives and positives: -12/8 = -1.5 → -1, 12/8 = 1.5 → 2, -13/8 → -2.
    for (x, want) in [(-12i128, -1i128), (12, 2), (-13, -2), (4, 1), (3, 0), (-4, 0), (-5, -1)] {
        let p = Program {
            num_vars: 3,
            arguments: vec![
                (Argument::Input { x: Var(0), index: 0 }, origin()),
                (
                    Argument::Rescale {
                        x: Var(0),
                        q: Var(1),
                        r: Var(2),
                        k: 3,
                        q_bits: 8,
                    },
                    origin(),
                ),
            ],
            ..Default::default()
        };
        let t = solve(&p, &[x]).unwrap();
        assert_eq!(t.values[1], want, "round({x}/8)");
        check(&p, &t).unwrap();
    }
    // Range at the exact bounds and one past them.
    let range = |v: i128| {
        let p = Program {
            num_vars: 1,
            arguments: vec![
                (Argument::Input { x: Var(0), index: 0 }, origin()),
                (Argument::Range { x: Var(0), bits: 8 }, origin()),
            ],
            ..Default::default()
        };
        solve(&p, &[v]).is_ok()
    };
    assert!(range(-128) && range(127) && !range(-129) && !range(128));
    // Lookup at the domain edges.
    let lookup = |v: i128| {
        let p = Program {
            num_vars: 2,
            arguments: vec![
                (Argument::Input { x: Var(0), index: 0 }, origin()),
                (
                    Argument::Lookup {
                        x: Var(0),
                        y: Var(1),
                        table: 0,
                    },
                    origin(),
                ),
            ],
            tables: vec![Table {
                name: "t".into(),
                lo: -2,
                values: vec![5, 6, 7, 8],
            }],
            ..Default::default()
        };
        solve(&p, &[v]).map(|t| t.values[1]).ok()
    };
    assert_eq!(
        (lookup(-2), lookup(1), lookup(-3), lookup(2)),
        (Some(5), Some(8), None, None)
    );
    // Division by 1 and by a non-positive divisor.
    let div = |n: i128, d: i128| {
        let p = Program {
            num_vars: 4,
            arguments: vec![
                (Argument::Input { x: Var(0), index: 0 }, origin()),
                (Argument::Input { x: Var(1), index: 1 }, origin()),
                (
                    Argument::Div {
                        n: Var(0),
                        d: Var(1),
                        q: Var(2),
                        r: Var(3),
                        bits: 16,
                    },
                    origin(),
                ),
            ],
            ..Default::default()
        };
        solve(&p, &[n, d]).map(|t| (t.values[2], t.values[3])).ok()
    };
    assert_eq!(div(-7, 1), Some((-7, 0)));
    assert_eq!(div(-7, 2), Some((-4, 1)));
    assert_eq!(div(7, 0), None);
}

/// A random valid program: a chain of arguments of every kind over small values.
fn random_program(ops: Vec<(u8, i64, i64)>, inputs: Vec<i64>) -> (Program, Vec<i128>) {
    let mut p = Program::default();
    let mut live: Vec<Var> = Vec::new();
    let push = |p: &mut Program, a| p.arguments.push((a, origin()));
    let new = |p: &mut Program| {
        p.num_vars += 1;
        Var(p.num_vars - 1)
    };
    p.tables.push(Table {
        name: "t".into(),
        lo: -64,
        values: (-64i128..64).map(|i| (i * 13) % 17).collect(),
    });
    for (i, _) in inputs.iter().enumerate() {
        let x = new(&mut p);
        push(&mut p, Argument::Input { x, index: i });
        push(&mut p, Argument::Range { x, bits: 8 });
        live.push(x);
    }
    // Keep every value within ±2^7 by rescaling products, so each op's bits are known.
    for (op, c1, c2) in ops {
        let a = live[(c1.unsigned_abs() as usize) % live.len()];
        let b = live[(c2.unsigned_abs() as usize) % live.len()];
        let out = match op % 6 {
            0 => {
                let out = new(&mut p);
                // |3a - 2b + c| ≤ 5·128 + 3 → rescale to stay small.
                push(
                    &mut p,
                    Argument::Linear {
                        out,
                        terms: vec![(3, a), (-2, b)],
                        constant: (c1 % 4) as i128,
                    },
                );
                let (q, r) = (new(&mut p), new(&mut p));
                push(
                    &mut p,
                    Argument::Rescale {
                        x: out,
                        q,
                        r,
                        k: 3,
                        q_bits: 8,
                    },
                );
                q
            }
            1 => {
                let out = new(&mut p);
                push(&mut p, Argument::Mul { out, a, b });
                let (q, r) = (new(&mut p), new(&mut p));
                push(
                    &mut p,
                    Argument::Rescale {
                        x: out,
                        q,
                        r,
                        k: 7,
                        q_bits: 9,
                    },
                );
                q
            }
            2 => {
                let y = new(&mut p);
                let (q, r) = (new(&mut p), new(&mut p));
                push(
                    &mut p,
                    Argument::Rescale {
                        x: a,
                        q,
                        r,
                        k: 1,
                        q_bits: 8,
                    },
                );
                push(&mut p, Argument::Lookup { x: q, y, table: 0 });
                y
            }
            3 => {
                let out = new(&mut p);
                push(
                    &mut p,
                    Argument::Max {
                        out,
                        a,
                        b: Some(b),
                        bits: 9,
                    },
                );
                out
            }
            4 => {
                let out = new(&mut p);
                push(
                    &mut p,
                    Argument::Max {
                        out,
                        a,
                        b: None,
                        bits: 9,
                    },
                );
                out
            }
            _ => {
                // d = relu(b) + 1 > 0; q = floor(a / d).
                let rl = new(&mut p);
                push(
                    &mut p,
                    Argument::Max {
                        out: rl,
                        a: b,
                        b: None,
                        bits: 9,
                    },
                );
                let d = new(&mut p);
                push(
                    &mut p,
                    Argument::Linear {
                        out: d,
                        terms: vec![(1, rl)],
                        constant: 1,
                    },
                );
                let (q, r) = (new(&mut p), new(&mut p));
                push(
                    &mut p,
                    Argument::Div {
                        n: a,
                        d,
                        q,
                        r,
                        bits: 10,
                    },
                );
                q
            }
        };
        live.push(out);
    }
    // Every value feeds a public sum, so no variable is left dangling.
    let all: Vec<(i128, Var)> = (0..p.num_vars).map(|i| (1, Var(i))).collect();
    let s = new(&mut p);
    push(
        &mut p,
        Argument::Linear {
            out: s,
            terms: all,
            constant: 0,
        },
    );
    push(&mut p, Argument::Public { x: s });
    (p, inputs.into_iter().map(i128::from).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn solver_traces_check_and_every_mutation_fails(
        ops in prop::collection::vec((0u8..6, -100i64..100, -100i64..100), 1..12),
        inputs in prop::collection::vec(-128i64..128, 1..4),
    ) {
        let (p, ins) = random_program(ops, inputs);
        let t = solve(&p, &ins).unwrap();
        prop_assert!(check(&p, &t).is_ok());
        for m in mutations(&p, &t) {
            prop_assert!(check(&p, &m.trace).is_err(), "mutation of {} ({}) accepted", m.var, m.argument_kind);
        }
    }
}

#[test]
fn display_of_every_argument_program() {
    let (p, _) = zkc_runtime::testing::every_argument_program();
    let text: String = p
        .arguments
        .iter()
        .map(|(a, o)| format!("{a}    # {}\n", o.name))
        .collect();
    insta::assert_snapshot!(text);
}
