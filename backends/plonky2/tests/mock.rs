//! `mock` accepts the every-argument trace, rejects every single-value mutation of it (the
//! shared harness), and refuses programs or traces that do not fit Goldilocks.

mod common;

use common::Builder;
use zkc_backend_plonky2::Plonky2;
use zkc_runtime::testing::{every_argument_trace, mutations};
use zkc_runtime::{Argument, Backend, BackendError, Var};

#[test]
fn mock_accepts_the_every_argument_trace() {
    let (p, t) = every_argument_trace();
    Plonky2::new().mock(&p, &t).unwrap();
}

#[test]
fn mock_rejects_every_single_value_mutation() {
    let (p, t) = every_argument_trace();
    let all = mutations(&p, &t);
    assert!(all.len() > 15);
    for m in all {
        match Plonky2::new().mock(&p, &m.trace) {
            Err(BackendError::Unsatisfied(msg)) => assert!(msg.contains("argument"), "{msg}"),
            other => panic!("{} mutation of {} not rejected: {other:?}", m.argument_kind, m.var),
        }
    }
}

fn assert_does_not_fit(r: Result<(), BackendError>, needle: &str) {
    match r {
        Err(e @ BackendError::DoesNotFit { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains(needle), "{msg}");
            assert!(msg.contains("node"), "the message names the node: {msg}");
        }
        other => panic!("expected DoesNotFit, got {other:?}"),
    }
}

#[test]
fn values_beyond_63_signed_bits_do_not_fit() {
    let mut b = Builder::new();
    let x = b.input(1);
    let y = b.linear(&[(2, x)], 0);
    b.public(y);
    let (p, mut t) = b.finish();
    t.values[y.0 as usize] = 1 << 62;
    assert_does_not_fit(Plonky2::new().mock(&p, &t), "4611686018427387904");
    t.values[y.0 as usize] = -(1 << 62) - 1;
    assert_does_not_fit(Plonky2::new().mock(&p, &t), "63 signed bits");
    // The edge of the interval is fine (and then the Linear relation is what fails).
    t.values[y.0 as usize] = -(1 << 62);
    assert!(matches!(Plonky2::new().mock(&p, &t), Err(BackendError::Unsatisfied(_))));
}

#[test]
fn programs_that_cannot_fit_goldilocks_are_refused_by_name() {
    let b = Plonky2::without_zero_knowledge();
    let cases: Vec<(Argument, &str)> = vec![
        (
            Argument::Linear {
                out: Var(1),
                terms: vec![(1 << 70, Var(0))],
                constant: 0,
            },
            "coefficient 1180591620717411303424",
        ),
        (
            Argument::Linear {
                out: Var(1),
                terms: vec![(1, Var(0))],
                constant: -(1 << 63),
            },
            "constant",
        ),
        (Argument::Range { x: Var(0), bits: 64 }, "64-bit range"),
        (
            Argument::Rescale {
                x: Var(0),
                q: Var(1),
                r: Var(2),
                k: 20,
                q_bits: 44,
            },
            "k + q_bits ≤ 63",
        ),
        (
            Argument::Div {
                n: Var(0),
                d: Var(1),
                q: Var(2),
                r: Var(3),
                bits: 32,
            },
            "division on 32 bits",
        ),
        (
            Argument::Max {
                out: Var(1),
                a: Var(0),
                b: None,
                bits: 63,
            },
            "63-bit difference",
        ),
        (
            Argument::Lookup {
                x: Var(0),
                y: Var(1),
                table: 0,
            },
            "65537 entries",
        ),
        (
            Argument::Lookup {
                x: Var(0),
                y: Var(1),
                table: 1,
            },
            "16-bit outputs",
        ),
        (Argument::Public { x: Var(9) }, "beyond"),
    ];
    for (arg, needle) in cases {
        let mut bld = Builder::new();
        bld.input(0);
        for _ in 0..3 {
            bld.var();
        }
        bld.table(0, vec![0; 65537]);
        bld.table(0, vec![0, 70000]);
        bld.push(arg);
        let p = bld.program;
        assert_does_not_fit(b.setup(&p).map(|_| ()), needle);
        assert_eq!(b.cost(&p).total, u64::MAX);
    }
}
