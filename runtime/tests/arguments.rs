//! Solver and checker, argument by argument: the rounding rules, every bound at and one
//! past its edge, the error messages, and malformed programs (errors, never panics).

use zkc_runtime::{check, solve, Argument, Origin, Program, SolveError, Table, Trace, Var};

fn program(num_vars: u32, args: Vec<Argument>) -> Program {
    let arguments = args
        .into_iter()
        .enumerate()
        .map(|(node, a)| {
            (
                a,
                Origin {
                    node,
                    name: format!("node_{node}"),
                },
            )
        })
        .collect();
    Program {
        num_vars,
        arguments,
        ..Default::default()
    }
}

fn input(x: u32) -> Argument {
    Argument::Input {
        x: Var(x),
        index: x as usize,
    }
}

/// Solves, and requires every solved trace to pass the checker.
fn run(p: &Program, inputs: &[i128]) -> Result<Vec<i128>, SolveError> {
    let t = solve(p, inputs)?;
    check(p, &t).expect("a solved trace passes the checker");
    Ok(t.values)
}

fn detail(e: SolveError) -> String {
    match e {
        SolveError::Argument { detail, .. } => detail,
        e => panic!("expected an argument error, got {e}"),
    }
}

#[test]
fn input_takes_its_index_and_the_count_must_match() {
    let p = program(
        2,
        vec![
            Argument::Input { x: Var(0), index: 1 },
            Argument::Input { x: Var(1), index: 0 },
        ],
    );
    assert_eq!(run(&p, &[10, 20]).unwrap(), vec![20, 10]);
    assert_eq!(
        solve(&p, &[1]).unwrap_err(),
        SolveError::InputCount { expected: 2, got: 1 }
    );
    assert!(solve(&p, &[1, 2, 3])
        .unwrap_err()
        .to_string()
        .contains("takes 2 input values but 3"));
}

#[test]
fn linear_sums_signed_terms_and_constant() {
    let args = vec![
        input(0),
        input(1),
        Argument::Linear {
            out: Var(2),
            terms: vec![(3, Var(0)), (-2, Var(1))],
            constant: 5,
        },
        Argument::Linear {
            out: Var(3),
            terms: vec![],
            constant: -4,
        },
    ];
    let p = program(4, args);
    assert_eq!(run(&p, &[-7, 5]).unwrap(), vec![-7, 5, -26, -4]);
    let mut t = solve(&p, &[-7, 5]).unwrap();
    t.values[2] = -25;
    let v = check(&p, &t).unwrap_err();
    assert_eq!(v.index, 2);
    assert_eq!(
        v.to_string(),
        "argument 2 `v2 = 3·v0 + -2·v1 + 5` from node 2 `node_2` is violated: v2 = -25 but the terms give -26"
    );
}

#[test]
fn mul_and_overflow_is_an_error_not_a_panic() {
    let p = program(
        3,
        vec![
            input(0),
            input(1),
            Argument::Mul {
                out: Var(2),
                a: Var(0),
                b: Var(1),
            },
        ],
    );
    assert_eq!(run(&p, &[-6, 7]).unwrap()[2], -42);
    assert!(detail(solve(&p, &[1 << 64, 1 << 64]).unwrap_err()).contains("overflow"));
    // The checker overflows gracefully too.
    let t = Trace {
        values: vec![1 << 64, 1 << 64, 0],
    };
    assert!(check(&p, &t).unwrap_err().detail.contains("overflow"));
    let lin = program(
        2,
        vec![
            input(0),
            Argument::Linear {
                out: Var(1),
                terms: vec![(i128::MAX, Var(0))],
                constant: 0,
            },
        ],
    );
    assert!(detail(solve(&lin, &[2]).unwrap_err()).contains("overflow"));
}

#[test]
fn range_holds_exactly_from_minus_2_pow_b_minus_1_to_2_pow_b_minus_1_minus_1() {
    let p = program(1, vec![input(0), Argument::Range { x: Var(0), bits: 8 }]);
    for ok in [-128, 0, 127] {
        run(&p, &[ok]).unwrap();
    }
    for bad in [-129, 128] {
        let e = solve(&p, &[bad]).unwrap_err().to_string();
        // Index, display form, node, value and bound are all named.
        assert!(
            e.starts_with("argument 1 `range(v0, 8 bits)` from node 1 `node_1`: "),
            "{e}"
        );
        assert!(e.contains(&format!("v0 = {bad} does not fit 8 signed bits")), "{e}");
        assert!(e.contains("recalibrate"), "{e}");
        assert!(check(&p, &Trace { values: vec![bad] }).is_err());
    }
    // Extreme widths do not panic: 0 bits admits nothing, 128 bits everything.
    let zero = program(1, vec![input(0), Argument::Range { x: Var(0), bits: 0 }]);
    assert!(check(&zero, &Trace { values: vec![0] }).is_err());
    let wide = program(1, vec![input(0), Argument::Range { x: Var(0), bits: 200 }]);
    run(&wide, &[i128::MIN]).unwrap();
}

fn lookup_program() -> Program {
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
        name: "sq".into(),
        lo: -2,
        values: vec![4, 1, 0, 1],
    });
    p
}

#[test]
fn lookup_at_the_domain_edges() {
    let p = lookup_program();
    assert_eq!(run(&p, &[-2]).unwrap(), vec![-2, 4]);
    assert_eq!(run(&p, &[1]).unwrap(), vec![1, 1]);
    for bad in [-3, 2] {
        let e = solve(&p, &[bad]).unwrap_err().to_string();
        assert!(
            e.contains("`v1 = sq[v0]`") && e.contains(&format!("v0 = {bad} is outside the domain [-2, 1] of `sq`")),
            "{e}"
        );
    }
    let v = check(&p, &Trace { values: vec![0, 1] }).unwrap_err();
    assert_eq!(v.detail, "v1 = 1 but `sq`[0] = 0");
    // A lookup into a table that does not exist is an error.
    let mut missing = p.clone();
    missing.tables.clear();
    assert!(detail(solve(&missing, &[0]).unwrap_err()).contains("table 0 does not exist"));
    assert!(check(&missing, &Trace { values: vec![0, 0] }).is_err());
}

fn rescale(k: u32, q_bits: u32) -> Program {
    program(
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
    )
}

#[test]
fn rescale_rounds_half_up_for_both_signs() {
    let p = rescale(3, 8);
    // x + 4 = 8q + r, 0 ≤ r < 8: exact halves go up (-1.5 → -1, 1.5 → 2, -0.5 → 0, 0.5 → 1).
    for (x, q, r) in [
        (-12, -1, 0),
        (12, 2, 0),
        (-4, 0, 0),
        (4, 1, 0),
        (-13, -2, 7),
        (-5, -1, 7),
        (3, 0, 7),
        (0, 0, 4),
        (-1020, -127, 0),
    ] {
        assert_eq!(run(&p, &[x]).unwrap(), vec![x, q, r], "round({x} / 8)");
    }
    // k = 0 is the identity with r = 0.
    assert_eq!(run(&rescale(0, 8), &[-5]).unwrap(), vec![-5, -5, 0]);
}

#[test]
fn rescale_quotient_width_and_remainder_are_enforced() {
    let p = rescale(3, 4); // q ∈ [-8, 7]
    assert_eq!(run(&p, &[52]).unwrap()[1], 7);
    assert_eq!(run(&p, &[-68]).unwrap()[1], -8);
    for bad in [60, -76] {
        let e = detail(solve(&p, &[bad]).unwrap_err());
        assert!(e.contains("does not fit 4 signed bits"), "{e}");
    }
    // Dishonest remainders that keep the equation: r = 2^k, r = -1.
    assert!(check(&p, &Trace { values: vec![4, 0, 8] })
        .unwrap_err()
        .detail
        .contains("not in [0, 2^3)"));
    assert!(check(&p, &Trace { values: vec![3, 1, -1] }).is_err());
    // An absurd shift is an error in both, not a panic.
    let huge = rescale(200, 8);
    assert!(detail(solve(&huge, &[1]).unwrap_err()).contains("shift 2^200"));
    assert!(check(&huge, &Trace { values: vec![1, 0, 0] }).is_err());
    // x + 2^(k-1) overflowing is an error.
    assert!(detail(solve(&rescale(8, 127), &[i128::MAX]).unwrap_err()).contains("overflow"));
}

fn div(bits: u32) -> Program {
    program(
        4,
        vec![
            input(0),
            input(1),
            Argument::Div {
                n: Var(0),
                d: Var(1),
                q: Var(2),
                r: Var(3),
                bits,
            },
        ],
    )
}

#[test]
fn div_rounds_down_with_a_non_negative_remainder() {
    let p = div(16);
    for (n, d, q, r) in [
        (7, 2, 3, 1),
        (-7, 2, -4, 1),
        (-7, 1, -7, 0),
        (7, 1, 7, 0),
        (0, 5, 0, 0),
        (-6, 3, -2, 0),
    ] {
        assert_eq!(run(&p, &[n, d]).unwrap(), vec![n, d, q, r], "floor({n} / {d})");
    }
    for d in [0, -3] {
        assert!(detail(solve(&p, &[7, d]).unwrap_err()).contains("must be positive"));
    }
    // Quotient width at its edges: bits = 4 → q ∈ [-8, 7].
    let p = div(4);
    run(&p, &[7, 1]).unwrap();
    run(&p, &[-8, 1]).unwrap();
    assert!(detail(solve(&p, &[8, 1]).unwrap_err()).contains("does not fit 4 signed bits"));
    // d - 1 - r must fit too: 0 / 17 has d - 1 - r = 16.
    run(&p, &[15, 16]).unwrap();
    assert!(solve(&p, &[0, 17]).is_err());
    // A remainder equal to d with q one lower keeps n = q·d + r but is rejected.
    assert!(check(
        &p,
        &Trace {
            values: vec![7, 3, 1, 4]
        }
    )
    .is_err());
}

fn max(b: Option<Var>, bits: u32) -> Program {
    program(
        3,
        vec![
            input(0),
            input(1),
            Argument::Max {
                out: Var(2),
                a: Var(0),
                b,
                bits,
            },
        ],
    )
}

#[test]
fn max_and_relu_pick_the_larger_within_bits() {
    let p = max(Some(Var(1)), 4);
    assert_eq!(run(&p, &[3, -5]).unwrap()[2], 3);
    assert_eq!(run(&p, &[-5, 3]).unwrap()[2], 3);
    assert_eq!(run(&p, &[10, -5]).unwrap()[2], 10); // difference 15 = 2^4 - 1
    assert!(detail(solve(&p, &[11, -5]).unwrap_err()).contains("within 4 bits"));
    // Choosing the smaller operand satisfies (out - a)(out - b) = 0 but not the ranges.
    assert!(check(
        &p,
        &Trace {
            values: vec![3, -5, -5]
        }
    )
    .is_err());
    let relu = max(None, 4);
    assert_eq!(run(&relu, &[-5, 0]).unwrap()[2], 0);
    assert_eq!(run(&relu, &[15, 0]).unwrap()[2], 15);
    assert!(solve(&relu, &[16, 0]).is_err());
    assert!(check(
        &relu,
        &Trace {
            values: vec![-5, 0, -5]
        }
    )
    .is_err());
}

#[test]
fn public_constrains_nothing_and_lists_values_in_order() {
    let p = program(
        2,
        vec![
            input(0),
            input(1),
            Argument::Public { x: Var(1) },
            Argument::Public { x: Var(0) },
        ],
    );
    let t = solve(&p, &[3, -4]).unwrap();
    assert_eq!(t.public_values(&p), vec![-4, 3]);
    assert_eq!(p.public_vars(), vec![Var(1), Var(0)]);
}

#[test]
fn malformed_programs_are_errors_not_panics() {
    let read_early = program(
        2,
        vec![
            Argument::Linear {
                out: Var(0),
                terms: vec![(1, Var(1))],
                constant: 0,
            },
            input(1),
        ],
    );
    assert!(detail(solve(&read_early, &[1]).unwrap_err()).contains("reads v1 before any argument defines it"));
    let twice = program(
        1,
        vec![
            input(0),
            Argument::Max {
                out: Var(0),
                a: Var(0),
                b: None,
                bits: 8,
            },
        ],
    );
    assert!(detail(solve(&twice, &[1]).unwrap_err()).contains("defines v0 a second time"));
    let beyond = program(1, vec![input(0), Argument::Range { x: Var(5), bits: 8 }]);
    assert!(detail(solve(&beyond, &[1]).unwrap_err()).contains("beyond the program's 1 variables"));
    assert!(check(&beyond, &Trace { values: vec![1] })
        .unwrap_err()
        .detail
        .contains("beyond"));
    let undefined = program(2, vec![input(0)]);
    assert_eq!(
        solve(&undefined, &[1]).unwrap_err(),
        SolveError::Undefined { var: Var(1) }
    );
    let bad_index = program(1, vec![Argument::Input { x: Var(0), index: 3 }]);
    assert!(detail(solve(&bad_index, &[1]).unwrap_err()).contains("input index 3"));
}

#[test]
fn checker_rejects_a_trace_of_the_wrong_length() {
    let p = program(2, vec![input(0), input(1)]);
    for values in [vec![1], vec![1, 2, 3]] {
        let v = check(&p, &Trace { values }).unwrap_err();
        assert!(v.to_string().starts_with("the trace has"), "{v}");
    }
    check(&p, &Trace { values: vec![1, 2] }).unwrap();
}

#[test]
fn hash_defines_the_digest_and_the_checker_names_a_wrong_limb() {
    use zkc_runtime::{poseidon, HashKind};
    for kind in [HashKind::PoseidonBn254, HashKind::PoseidonGoldilocks] {
        let p = program(
            7,
            vec![
                input(0),
                input(1),
                input(2),
                Argument::Hash {
                    inputs: vec![Var(0), Var(1), Var(2)],
                    digest: [Var(3), Var(4), Var(5), Var(6)],
                    kind,
                },
            ],
        );
        let values = run(&p, &[-1, 0, 12]).unwrap();
        assert_eq!(values[3..], poseidon::hash(kind, &[-1, 0, 12]));
        // Negative values are p - |v|: -1 and p - 1 hash alike (BN254's p is beyond i128).
        if kind == HashKind::PoseidonGoldilocks {
            let p1 = poseidon::GOLDILOCKS_P as i128 - 1;
            assert_eq!(values[3..], run(&p, &[p1, 0, 12]).unwrap()[3..]);
        }
        let mut t = Trace { values };
        t.values[5] += 1;
        let v = check(&p, &t).unwrap_err();
        assert_eq!(v.index, 3);
        assert!(
            v.detail.starts_with(&format!(
                "digest[2] v5 = {} but {kind:?} of the 3 inputs gives",
                t.values[5]
            )),
            "{v}"
        );
    }
    // Reading an undefined value is an error, not a panic.
    let bad = program(
        4,
        vec![Argument::Hash {
            inputs: vec![Var(9)],
            digest: [Var(0), Var(1), Var(2), Var(3)],
            kind: HashKind::PoseidonBn254,
        }],
    );
    assert!(solve(&bad, &[]).is_err());
    assert!(check(&bad, &Trace { values: vec![0; 4] }).is_err());
}

#[test]
fn hash_display_elides_long_inputs() {
    use zkc_runtime::HashKind;
    let digest = [Var(20), Var(21), Var(22), Var(23)];
    let short = Argument::Hash {
        inputs: vec![Var(0), Var(1)],
        digest,
        kind: HashKind::PoseidonBn254,
    };
    assert_eq!(short.to_string(), "[v20, v21, v22, v23] = poseidon_bn254(v0, v1)");
    let long = Argument::Hash {
        inputs: (0..12).map(Var).collect(),
        digest,
        kind: HashKind::PoseidonGoldilocks,
    };
    assert_eq!(
        long.to_string(),
        "[v20, v21, v22, v23] = poseidon_goldilocks(v0, v1, v2, v3, …, v11; 12 inputs)"
    );
    assert_eq!(long.defines(), digest.to_vec());
    assert_eq!(long.reads().len(), 12);
    assert_eq!(long.kind(), "Hash");
}
