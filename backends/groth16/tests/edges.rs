//! `mock` agrees with the runtime checker (the specification) on hand-made traces around
//! every argument's boundaries, including the relu shortcut and the lookup grid's edges.

use zkc_backend_groth16::Groth16;
use zkc_runtime::checker::check;
use zkc_runtime::{Argument, Backend, Origin, Program, Table, Trace, Var};

fn program(num_vars: u32, args: Vec<Argument>) -> Program {
    Program {
        num_vars,
        arguments: args
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                (
                    a,
                    Origin {
                        node: i,
                        name: format!("n{i}"),
                    },
                )
            })
            .collect(),
        ..Default::default()
    }
}

/// Asserts that mock and the checker agree on every trace; returns how many were accepted.
fn agree(p: &Program, traces: impl IntoIterator<Item = Vec<i128>>) -> usize {
    let mut accepted = 0;
    for values in traces {
        let t = Trace { values };
        let spec = check(p, &t).is_ok();
        let mock = Groth16.mock(p, &t);
        assert_eq!(
            spec,
            mock.is_ok(),
            "trace {:?}: checker {spec}, mock {mock:?}",
            t.values
        );
        accepted += spec as usize;
    }
    accepted
}

fn input(x: u32) -> Argument {
    Argument::Input {
        x: Var(x),
        index: x as usize,
    }
}

#[test]
fn range_groth16_matches_checker_at_the_boundaries() {
    for bits in [1u32, 2, 4, 7] {
        let p = program(1, vec![input(0), Argument::Range { x: Var(0), bits }]);
        let h = 1i128 << (bits - 1);
        let n = agree(&p, (-h - 3..h + 3).map(|x| vec![x]));
        assert_eq!(n, 2 * h as usize);
    }
    // 0 signed bits: nothing fits. (Checked against mock alone: the runtime checker's
    // `in_signed` computes `bits - 1` before testing `bits > 0`.)
    let p = program(1, vec![input(0), Argument::Range { x: Var(0), bits: 0 }]);
    for x in -2..3 {
        assert!(Groth16.mock(&p, &Trace { values: vec![x] }).is_err());
    }
}

#[test]
fn rescale_groth16_matches_checker_for_all_small_q_and_r() {
    for (k, q_bits) in [(2u32, 3u32), (0, 2), (3, 1), (1, 1)] {
        let p = program(
            3,
            vec![
                input(0),
                Argument::Rescale {
                    x: Var(0),
                    q: Var(1),
                    r: Var(2),
                    k,
                    q_bits,
                },
            ],
        );
        let mut traces = Vec::new();
        for x in -20..20 {
            for q in -6..6 {
                for r in -2..(1 << k) + 2 {
                    traces.push(vec![x, q, r]);
                }
            }
        }
        agree(&p, traces);
    }
}

#[test]
fn relu_groth16_matches_checker_for_every_width_relation() {
    // a is range-checked on n bits (so the sign-bit shortcut applies when n ≤ bits + 1).
    for (n, bits) in [(3u32, 3u32), (3, 5), (4, 3), (5, 3), (1, 1)] {
        let p = program(
            2,
            vec![
                input(0),
                Argument::Range { x: Var(0), bits: n },
                Argument::Max {
                    out: Var(1),
                    a: Var(0),
                    b: None,
                    bits,
                },
            ],
        );
        let h = 1i128 << (n - 1);
        let mut traces = Vec::new();
        for a in -h - 1..h + 1 {
            for out in -2..h + 2 {
                traces.push(vec![a, out]);
            }
        }
        let accepted = agree(&p, traces);
        assert!(accepted > 0);
    }
    // Relu of a rescaled quotient (the shape of every cnn relu).
    let p = program(
        4,
        vec![
            input(0),
            Argument::Rescale {
                x: Var(0),
                q: Var(1),
                r: Var(2),
                k: 1,
                q_bits: 3,
            },
            Argument::Max {
                out: Var(3),
                a: Var(1),
                b: None,
                bits: 2,
            },
        ],
    );
    let mut traces = Vec::new();
    for x in -10..10i128 {
        let q = (x + 1).div_euclid(2);
        let r = (x + 1).rem_euclid(2);
        for out in -1..6 {
            traces.push(vec![x, q, r, out]);
        }
    }
    agree(&p, traces);
}

#[test]
fn max_of_two_groth16_matches_checker() {
    for bits in [0u32, 1, 3] {
        let p = program(
            3,
            vec![
                input(0),
                input(1),
                Argument::Max {
                    out: Var(2),
                    a: Var(0),
                    b: Some(Var(1)),
                    bits,
                },
            ],
        );
        let mut traces = Vec::new();
        for a in -6..6 {
            for b in -6..6 {
                for out in -7..7 {
                    traces.push(vec![a, b, out]);
                }
            }
        }
        agree(&p, traces);
    }
    // Relu of a value with no decomposition (the general form with b = 0).
    let p = program(
        2,
        vec![
            input(0),
            Argument::Max {
                out: Var(1),
                a: Var(0),
                b: None,
                bits: 3,
            },
        ],
    );
    agree(&p, (-10..10).flat_map(|a| (-3..10).map(move |o| vec![a, o])));
}

#[test]
fn div_groth16_matches_checker() {
    let p = program(
        4,
        vec![
            input(0),
            input(1),
            Argument::Div {
                n: Var(0),
                d: Var(1),
                q: Var(2),
                r: Var(3),
                bits: 3,
            },
        ],
    );
    let mut traces = Vec::new();
    for n in [-9i128, -1, 0, 5, 13] {
        for d in -1..6 {
            for q in -6..6 {
                for r in -1..8 {
                    traces.push(vec![n, d, q, r]);
                }
            }
        }
    }
    assert!(agree(&p, traces) > 0);
}

#[test]
fn lookup_groth16_matches_checker_on_every_grid_shape() {
    for n in [1usize, 2, 3, 5, 8, 9, 17, 50] {
        let mut p = program(
            2,
            vec![
                input(0),
                Argument::Lookup {
                    x: Var(0),
                    y: Var(1),
                    table: 0,
                },
            ],
        );
        p.tables.push(Table {
            name: format!("t{n}"),
            lo: -3,
            values: (0..n as i128).map(|i| (i * 7 + 3) % 11 - 5).collect(),
        });
        let mut traces = Vec::new();
        for x in -5..n as i128 + 1 {
            for y in -6..7 {
                traces.push(vec![x, y]);
            }
        }
        let accepted = agree(&p, traces);
        assert_eq!(accepted, n, "table of {n}");
        // The documented cost: 2R + M + 3 (+1 when the grid has cells past the end).
        let m = (2.0 * n as f64).sqrt().ceil() as u64;
        let r = (n as u64).div_ceil(m);
        let extra = u64::from(r * m > n as u64);
        assert_eq!(Groth16.cost(&p).total, 2 * r + m + 3 + extra, "table of {n}");
    }
    for (n, want) in [(41usize, 24u64), (4096, 187)] {
        let mut p = program(
            2,
            vec![
                input(0),
                Argument::Lookup {
                    x: Var(0),
                    y: Var(1),
                    table: 0,
                },
            ],
        );
        p.tables.push(Table {
            name: "big".into(),
            lo: 0,
            values: vec![1; n],
        });
        assert_eq!(
            Groth16.cost(&p).total,
            want,
            "the crate docs quote {want} for {n} entries"
        );
    }
}

#[test]
fn wide_linear_of_wide_linear_is_materialized_and_still_checked() {
    // w = Σ 40 inputs (too long to copy), v = 2·w + 1, then Mul and Public read both.
    let mut args: Vec<Argument> = (0..40).map(input).collect();
    args.push(Argument::Linear {
        out: Var(40),
        terms: (0..40).map(|i| (i as i128 + 1, Var(i))).collect(),
        constant: 3,
    });
    args.push(Argument::Linear {
        out: Var(41),
        terms: vec![(2, Var(40)), (1, Var(0))],
        constant: 1,
    });
    args.push(Argument::Mul {
        out: Var(42),
        a: Var(41),
        b: Var(40),
    });
    args.push(Argument::Public { x: Var(41) });
    let p = program(43, args);
    let inputs: Vec<i128> = (0..40).map(|i| i - 20).collect();
    let honest = zkc_runtime::solve(&p, &inputs).unwrap();
    let cost = Groth16.cost(&p);
    // The wide sum is bound to a witness once (1), plus the Mul (1) and the Public (1).
    assert_eq!(cost.total, 3, "{cost:?}");
    let mut traces = vec![honest.values.clone()];
    for v in 0..43 {
        let mut t = honest.values.clone();
        t[v] += 1;
        traces.push(t);
    }
    assert_eq!(agree(&p, traces), 1);
    let keys = Groth16.setup(&p).unwrap();
    let proof = Groth16.prove(&p, &keys.proving_key, &honest).unwrap();
    Groth16
        .verify(&p, &keys.verifying_key, &honest.public_values(&p), &proof)
        .unwrap();
}

#[test]
fn widths_beyond_the_field_do_not_fit() {
    let p = program(1, vec![input(0), Argument::Range { x: Var(0), bits: 300 }]);
    let e = Groth16.setup(&p).unwrap_err();
    assert!(e.to_string().contains("bits"), "{e}");
    assert_eq!(Groth16.cost(&p).total, u64::MAX);
}

#[test]
fn tiny_programs_prove_and_verify() {
    // No constraint at all; a single public input; a relu of a public input.
    let cases = vec![
        program(1, vec![input(0)]),
        program(1, vec![input(0), Argument::Public { x: Var(0) }]),
        program(
            2,
            vec![
                input(0),
                Argument::Range { x: Var(0), bits: 5 },
                Argument::Max {
                    out: Var(1),
                    a: Var(0),
                    b: None,
                    bits: 5,
                },
                Argument::Public { x: Var(1) },
                Argument::Public { x: Var(0) },
            ],
        ),
    ];
    for p in cases {
        let t = zkc_runtime::solve(&p, &[-7]).unwrap();
        let keys = Groth16.setup(&p).unwrap();
        let proof = Groth16.prove(&p, &keys.proving_key, &t).unwrap();
        let public = t.public_values(&p);
        Groth16.verify(&p, &keys.verifying_key, &public, &proof).unwrap();
        if !public.is_empty() {
            let mut bad = public.clone();
            bad[0] += 1;
            assert!(Groth16.verify(&p, &keys.verifying_key, &bad, &proof).is_err());
        }
    }
}

/// `cost` per node matches the documented formula of each argument.
#[test]
fn cost_per_node_follows_the_documented_formulas() {
    let p = program(
        12,
        vec![
            input(0),                               // 0: 0
            input(1),                               // 1: 0
            Argument::Range { x: Var(0), bits: 9 }, // 2: 10
            Argument::Linear {
                out: Var(2),
                terms: vec![(3, Var(0)), (-1, Var(1))],
                constant: 4,
            }, // 3: 0
            Argument::Mul {
                out: Var(3),
                a: Var(2),
                b: Var(1),
            }, // 4: 1
            Argument::Rescale {
                x: Var(3),
                q: Var(4),
                r: Var(5),
                k: 5,
                q_bits: 11,
            }, // 5: 17
            Argument::Max {
                out: Var(6),
                a: Var(4),
                b: None,
                bits: 11,
            }, // 6: relu of an 11-bit quotient, 11 ≤ bits: 1
            Argument::Max {
                out: Var(7),
                a: Var(4),
                b: None,
                bits: 10,
            }, // 7: width = bits + 1: 2
            Argument::Max {
                out: Var(8),
                a: Var(2),
                b: Some(Var(1)),
                bits: 7,
            }, // 8: general: 9
            Argument::Div {
                n: Var(2),
                d: Var(6),
                q: Var(9),
                r: Var(10),
                bits: 6,
            }, // 9: 20
            Argument::Max {
                out: Var(11),
                a: Var(2),
                b: None,
                bits: 7,
            }, // 10: relu of a Linear output (no decomposition): 9
            Argument::Public { x: Var(9) },         // 11: a Div quotient (a combination): 1
            Argument::Public { x: Var(0) },         // 12: first publication of an input: 0
            Argument::Public { x: Var(3) },         // 13: of a Mul output: 0
            Argument::Public { x: Var(6) },         // 14: of a relu output: 0
            Argument::Public { x: Var(11) },        // 15: of a general Max output: 0
            Argument::Public { x: Var(0) },         // 16: second publication: 1
            Argument::Public { x: Var(2) },         // 17: a Linear output: 1
        ],
    );
    let cost = Groth16.cost(&p);
    let want = [0u64, 0, 10, 0, 1, 17, 1, 2, 9, 20, 9, 1, 0, 0, 0, 0, 1, 1];
    for (node, &w) in want.iter().enumerate() {
        assert_eq!(
            cost.per_node.get(&node).copied().unwrap_or(0),
            w,
            "node {node}: {:?}",
            p.arguments[node].0
        );
    }
    assert_eq!(cost.total, want.iter().sum::<u64>());
    assert_eq!(cost.unit, "constraints");
}
