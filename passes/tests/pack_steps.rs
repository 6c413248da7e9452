//! The pack pass's program rewrites: the rewritten program computes the same outputs (the
//! exact rescale bit for bit, the merged rescale within one unit), its witness satisfies the
//! checker, and changing one witness value of a rewritten argument is rejected.

use zkc_passes::pack::{exact_rescales, merged_rescales};
use zkc_runtime::{Argument, Origin, Program, TensorVars, Var};

fn arg(a: Argument) -> (Argument, Origin) {
    (
        a,
        Origin {
            node: 0,
            name: "t".into(),
        },
    )
}

/// x (input, 12 bits) → Linear(c·x) → Rescale(k) → output, plus a second chain for merging.
fn program(c: i128, k: u32) -> Program {
    let v = |i| Var(i);
    Program {
        num_vars: 4,
        arguments: vec![
            arg(Argument::Input { x: v(0), index: 0 }),
            arg(Argument::Range { x: v(0), bits: 12 }),
            arg(Argument::Linear {
                out: v(1),
                terms: vec![(c, v(0))],
                constant: 3 * c,
            }),
            arg(Argument::Rescale {
                x: v(1),
                q: v(2),
                r: v(3),
                k,
                q_bits: 24,
            }),
            arg(Argument::Public { x: v(2) }),
        ],
        tables: vec![],
        inputs: vec![TensorVars {
            name: "x".into(),
            shape: vec![1],
            scale: 0,
            vars: vec![v(0)],
        }],
        outputs: vec![TensorVars {
            name: "y".into(),
            shape: vec![1],
            scale: 0,
            vars: vec![v(2)],
        }],
        packing: Default::default(),
    }
}

fn output(p: &Program, x: i128) -> (i128, zkc_runtime::Trace) {
    let t = zkc_runtime::solver::solve(p, &[x]).unwrap();
    zkc_runtime::check(p, &t).unwrap();
    (t.get(p.outputs[0].vars[0]), t)
}

#[test]
fn exact_rescale_shifts_less_and_keeps_every_output() {
    // Coefficient 3·2^5 with k = 8: the Rescale by 2^8 becomes one by 2^3.
    let p = program(3 << 5, 8);
    let (q, sites) = exact_rescales(&p).unwrap();
    assert_eq!(sites, 1);
    assert!(q
        .arguments
        .iter()
        .any(|(a, _)| matches!(a, Argument::Rescale { k: 3, .. })));
    for x in [-2047, -100, -1, 0, 1, 5, 2047] {
        assert_eq!(output(&p, x).0, output(&q, x).0, "x = {x}");
    }
}

#[test]
fn exact_rescale_by_all_its_bits_leaves_no_rescale() {
    let p = program(1 << 14, 14);
    let (q, _) = exact_rescales(&p).unwrap();
    assert!(!q.arguments.iter().any(|(a, _)| matches!(a, Argument::Rescale { .. })));
    assert!(q.num_vars < p.num_vars, "the quotient and remainder variables are gone");
    for x in [-2047, -3, 0, 9, 2047] {
        assert_eq!(output(&p, x).0, output(&q, x).0);
    }
}

#[test]
fn exact_rescale_leaves_inexact_ones_alone() {
    let p = program(3, 8);
    let (_, sites) = exact_rescales(&p).unwrap();
    assert_eq!(sites, 0);
}

fn double_rescale() -> Program {
    let v = |i| Var(i);
    let mut p = program(77, 5);
    p.arguments.pop();
    p.arguments.push(arg(Argument::Rescale {
        x: v(2),
        q: v(4),
        r: v(5),
        k: 4,
        q_bits: 20,
    }));
    p.arguments.push(arg(Argument::Public { x: v(4) }));
    p.num_vars = 6;
    p.outputs[0].vars = vec![v(4)];
    p
}

#[test]
fn merged_rescales_round_once_within_one_unit() {
    let p = double_rescale();
    let (q, sites) = merged_rescales(&p).unwrap();
    assert_eq!(sites, 1);
    let ks: Vec<u32> = q
        .arguments
        .iter()
        .filter_map(|(a, _)| match a {
            Argument::Rescale { k, .. } => Some(*k),
            _ => None,
        })
        .collect();
    assert_eq!(ks, vec![9]);
    for x in (-2047..=2047).step_by(37) {
        let (a, b) = (output(&p, x).0, output(&q, x).0);
        let exact = ((77 * (x + 3)) as f64 / 512.0).round();
        assert!((a - b).abs() <= 1, "x = {x}: {a} vs {b}");
        assert!(
            (b as f64 - exact).abs() <= 0.5 + 1e-9,
            "single rounding is round-half-up of the exact value"
        );
    }
}

#[test]
fn rewritten_rescales_reject_a_changed_quotient_or_remainder() {
    for p in [
        exact_rescales(&program(3 << 5, 8)).unwrap().0,
        merged_rescales(&double_rescale()).unwrap().0,
        merged_rescales(&exact_rescales(&scaled_double_rescale()).unwrap().0)
            .unwrap()
            .0,
    ] {
        let (_, t) = output(&p, 1234);
        for (a, _) in &p.arguments {
            if let Argument::Rescale { q, r, .. } = a {
                for v in [*q, *r] {
                    let mut bad = t.clone();
                    bad.values[v.0 as usize] += 1;
                    assert!(
                        zkc_runtime::check(&p, &bad).is_err(),
                        "Rescale_checker_rejects_changed_{v:?}"
                    );
                }
            }
        }
    }
}

/// `Rescale(x, 5) → q₁`, `y = 4096·q₁` (a scale by 1/4 at weight scale 2^14), `Rescale(y, 14)`:
/// `exact-rescale` leaves `y = 1·q₁` and a shift by 2, and `merge-rescales` then reads
/// through that identity Linear: one Rescale by 7, no Linear, within one unit of before.
fn scaled_double_rescale() -> Program {
    let v = |i| Var(i);
    let mut p = program(77, 5);
    p.arguments.pop();
    p.arguments.push(arg(Argument::Linear {
        out: v(4),
        terms: vec![(4096, v(2))],
        constant: 0,
    }));
    p.arguments.push(arg(Argument::Rescale {
        x: v(4),
        q: v(5),
        r: v(6),
        k: 14,
        q_bits: 20,
    }));
    p.arguments.push(arg(Argument::Public { x: v(5) }));
    p.num_vars = 7;
    p.outputs[0].vars = vec![v(5)];
    p
}

#[test]
fn merged_rescales_read_through_a_power_of_two_scale() {
    let p = scaled_double_rescale();
    let (e, sites) = exact_rescales(&p).unwrap();
    assert_eq!(sites, 1);
    let (q, sites) = merged_rescales(&e).unwrap();
    assert_eq!(sites, 1);
    let kinds: Vec<&str> = q.arguments.iter().map(|(a, _)| a.kind()).collect();
    assert_eq!(kinds, ["Input", "Range", "Linear", "Rescale", "Public"], "{q:?}");
    assert!(matches!(q.arguments[3].0, Argument::Rescale { k: 7, q_bits: 20, .. }));
    for x in (-2047..=2047).step_by(37) {
        let (a, b) = (output(&p, x).0, output(&q, x).0);
        // Round half up, as `Rescale` does.
        let exact = ((77 * (x + 3)) as f64 / 128.0 + 0.5).floor();
        assert!((a - b).abs() <= 1, "x = {x}: {a} vs {b}");
        assert_eq!(b as f64, exact, "x = {x}: one rounding");
    }
}
