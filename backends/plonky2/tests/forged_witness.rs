//! A malicious prover does not use zkc's witness filler: it writes whatever wire values make
//! the gate equations it wants to cheat hold. These tests forge the range-check limbs (and
//! the partial sums of chained weighted sums) directly, so that the *sum* equation of the
//! base-4 decomposition holds for an out-of-range value and only the per-limb constraint
//! (`l ∈ {0,1,2,3}`, or `{0,1}` for the top limb of an odd width) stands in the way. The
//! proof plonky2 produces from such a witness must not verify.
//!
//! Every case first runs the same forging harness on the honest trace and checks that the
//! proof verifies, so a rejection is due to the forged values and not to the harness.

mod common;

use std::panic::AssertUnwindSafe;

use common::Builder;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use zkc_backend_plonky2::circuit::Circuit;
use zkc_backend_plonky2::field::{to_field, F};
use zkc_backend_plonky2::plan::{RangeReq, Val};
use zkc_runtime::{Argument, Program, Trace, Var};

/// Which range check to forge: the one lowered from argument `arg` whose main operand is
/// `u` (any of that argument's checks when `None`), and its limbs, least significant first.
struct Forge {
    arg: usize,
    u: Option<Var>,
    limbs: Vec<F>,
}

/// The value a range check decomposes: `a·u + c·v + offset`.
fn checked(vals: &[F], r: &RangeReq) -> F {
    let (a, u) = r.u;
    let mut value = a * vals[u.0 as usize] + r.offset;
    if let Some((c, v)) = r.v {
        value += c * vals[v.0 as usize];
    }
    value
}

/// Index of the only argument of `program` that `is` picks.
fn only(program: &Program, is: impl Fn(&Argument) -> bool) -> usize {
    let found: Vec<usize> = (0..program.arguments.len())
        .filter(|&i| is(&program.arguments[i].0))
        .collect();
    assert_eq!(found.len(), 1);
    found[0]
}

/// The witness of `trace` as zkc fills it, except the limbs named by `forge` (and, with
/// `bump`, one value target shifted by a constant).
fn witness(c: &Circuit, trace: &Trace, forge: &[Forge], bump: Option<(Val, F)>) -> PartialWitness<F> {
    let vars: Vec<F> = trace.values.iter().map(|&v| to_field(v)).collect();
    let mut vals = c.plan.values(&vars);
    if let Some((v, d)) = bump {
        vals[v.0 as usize] += d;
    }
    let mut pw = PartialWitness::new();
    for (&t, &v) in c.targets.iter().zip(&vals) {
        pw.set_target(t, v).unwrap();
    }
    for f in &c.limbs {
        let n = f.gate.limbs();
        let forged = forge
            .iter()
            .find(|g| f.req.owner == g.arg && g.u.is_none_or(|u| f.req.u.1 == Val(u.0)));
        let digits: Vec<F> = match forged {
            Some(g) => {
                let mut d = g.limbs.clone();
                d.resize(n, F::ZERO);
                // The forgery keeps the decomposition's sum equation: only the per-limb
                // constraints can catch it.
                let value = checked(&vals, &f.req);
                let four = F::from_canonical_u64(4);
                let sum = d.iter().rev().fold(F::ZERO, |acc, &l| acc * four + l);
                assert_eq!(sum, value, "the forged limbs must sum to the checked value");
                d
            }
            None => {
                let mut x = checked(&vals, &f.req).to_canonical_u64();
                (0..n)
                    .map(|i| {
                        let binary = f.gate.bits % 2 == 1 && i + 1 == n;
                        let d = if binary { x & 1 } else { x & 3 };
                        x >>= 2;
                        F::from_canonical_u64(d)
                    })
                    .collect()
            }
        };
        for (i, d) in digits.into_iter().enumerate() {
            pw.set_target(Target::wire(f.row, f.gate.wire_limb(f.slot, i)), d)
                .unwrap();
        }
    }
    pw
}

/// Whether plonky2 turns `pw` into a proof that its verifier accepts.
fn verifies(c: &Circuit, pw: PartialWitness<F>) -> bool {
    let proved = std::panic::catch_unwind(AssertUnwindSafe(|| c.data.prove(pw)));
    match proved {
        Ok(Ok(proof)) => c.data.verify(proof).is_ok(),
        _ => false,
    }
}

/// The honest trace verifies through the harness; the forged one does not.
fn assert_forgery_rejected(p: &Program, honest: &Trace, bad: &Trace, forge: &[Forge], what: &str) {
    let c = Circuit::build(p, false).unwrap();
    assert!(
        verifies(&c, witness(&c, honest, &[], None)),
        "{what}: the harness does not prove the honest trace"
    );
    assert!(
        !verifies(&c, witness(&c, bad, forge, None)),
        "{what}: a forged witness verified"
    );
}

/// `-m` in the field.
fn neg(m: u64) -> F {
    -F::from_canonical_u64(m)
}

#[test]
fn range_plonky2_rejects_a_single_oversized_limb() {
    // x + 2^(bits-1) = l₀ with l₀ the whole (out-of-range) value: the sum holds, l₀ ∉ {0..3}.
    for (bits, v) in [(4u32, 8i128), (4, 1000), (4, -9), (10, -513), (20, 1 << 19)] {
        let mut b = Builder::new();
        let x = b.input(1);
        b.range(x, bits);
        b.public(x);
        let (p, honest) = b.finish();
        let mut bad = honest.clone();
        bad.values[x.0 as usize] = v;
        let value = to_field(v + (1 << (bits - 1)));
        let forge = [Forge {
            arg: only(&p, |a| matches!(a, Argument::Range { .. })),
            u: None,
            limbs: vec![value],
        }];
        assert_forgery_rejected(&p, &honest, &bad, &forge, &format!("range bits={bits} x={v}"));
    }
}

#[test]
fn range_plonky2_rejects_a_limb_of_four() {
    // bits = 4: x = 8 gives x + 8 = 16 = 0 + 4·4.
    let mut b = Builder::new();
    let x = b.input(1);
    b.range(x, 4);
    b.public(x);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[x.0 as usize] = 8;
    let forge = [Forge {
        arg: only(&p, |a| matches!(a, Argument::Range { .. })),
        u: None,
        limbs: vec![F::ZERO, F::from_canonical_u64(4)],
    }];
    assert_forgery_rejected(&p, &honest, &bad, &forge, "range limb 4");
}

#[test]
fn range_plonky2_rejects_a_top_limb_of_two_at_odd_widths() {
    // bits = 5: limbs 4^0, 4^1 in {0..3} and a binary top limb 4^2. x = 16 gives
    // x + 16 = 32 = 2·16: only the binary constraint on the top limb fails.
    let mut b = Builder::new();
    let x = b.input(1);
    b.range(x, 5);
    b.public(x);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[x.0 as usize] = 16;
    let forge = [Forge {
        arg: only(&p, |a| matches!(a, Argument::Range { .. })),
        u: None,
        limbs: vec![F::ZERO, F::ZERO, F::TWO],
    }];
    assert_forgery_rejected(&p, &honest, &bad, &forge, "range top limb 2");
}

#[test]
fn max_plonky2_rejects_a_negative_relu_with_forged_limbs() {
    // relu(-3) claimed as -3: (out - a)·out = 0 holds, and the checked difference
    // (p - 3 in the field) is forged as one "limb".
    let mut b = Builder::new();
    let a = b.input(-3);
    let out = b.max(a, None, 8);
    b.public(out);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[out.0 as usize] = -3;
    let forge = [Forge {
        arg: only(&p, |a| matches!(a, Argument::Max { .. })),
        u: None,
        limbs: vec![neg(3)],
    }];
    assert_forgery_rejected(&p, &honest, &bad, &forge, "relu(-3) = -3");

    // max(5, -3) claimed as -3: the checked difference -8 forged as one limb.
    let mut b = Builder::new();
    let a = b.input(5);
    let c = b.input(-3);
    let out = b.max(a, Some(c), 8);
    b.public(out);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[out.0 as usize] = -3;
    let forge = [Forge {
        arg: only(&p, |a| matches!(a, Argument::Max { .. })),
        u: None,
        limbs: vec![neg(8)],
    }];
    assert_forgery_rejected(&p, &honest, &bad, &forge, "max(5, -3) = -3");
}

#[test]
fn rescale_plonky2_rejects_a_remainder_of_2k_with_forged_limbs() {
    // 28 + 2 = 4·7 + 2 = 4·6 + 6: r = 6 needs the single limb of k = 2 bits to be 6.
    let mut b = Builder::new();
    let x = b.input(28);
    let (q, r) = b.rescale(x, 2, 8);
    b.public(q);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[q.0 as usize] = 6;
    bad.values[r.0 as usize] = 6;
    let forge = [Forge {
        arg: only(&p, |a| matches!(a, Argument::Rescale { .. })),
        u: Some(r),
        limbs: vec![F::from_canonical_u64(6)],
    }];
    assert_forgery_rejected(&p, &honest, &bad, &forge, "rescale r = 6");
    // And a negative remainder: 4·8 - 2.
    let mut bad = honest.clone();
    bad.values[q.0 as usize] = 8;
    bad.values[r.0 as usize] = -2;
    let forge = [Forge {
        arg: only(&p, |a| matches!(a, Argument::Rescale { .. })),
        u: Some(r),
        limbs: vec![neg(2)],
    }];
    assert_forgery_rejected(&p, &honest, &bad, &forge, "rescale r = -2");
}

#[test]
fn div_plonky2_rejects_a_remainder_at_least_the_divisor_with_forged_limbs() {
    // 29 = 5·5 + 4 = 4·5 + 9: r = 9 ≥ d = 5, so d - 1 - r = -5 must pass its range check.
    let mut b = Builder::new();
    let n = b.input(29);
    let d = b.input(5);
    let (q, r) = b.div(n, d, 8);
    b.public(q);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[q.0 as usize] = 4;
    bad.values[r.0 as usize] = 9;
    let forge = [Forge {
        arg: only(&p, |a| matches!(a, Argument::Div { .. })),
        u: Some(d),
        limbs: vec![neg(5)],
    }];
    assert_forgery_rejected(&p, &honest, &bad, &forge, "div r = 9 ≥ d");
}

#[test]
fn linear_plonky2_rejects_a_shifted_partial_sum() {
    // A 200-term sum is chained over several groups through partial sums (auxiliary values
    // beyond the program's variables). Shifting any one of them breaks its group.
    let mut b = Builder::new();
    let x = b.input(7);
    let z = b.input(-4);
    let terms: Vec<_> = (0..200)
        .map(|i| ((i % 9) - 4, if i % 2 == 0 { x } else { z }))
        .collect();
    let l = b.linear(&terms, 11);
    b.public(l);
    let (p, honest) = b.finish();
    let c = Circuit::build(&p, false).unwrap();
    assert!(verifies(&c, witness(&c, &honest, &[], None)));
    let aux: Vec<Val> = (p.num_vars..c.plan.num_vals() as u32).map(Val).collect();
    assert!(!aux.is_empty(), "a 200-term sum is chained through partial sums");
    for v in aux {
        assert!(
            !verifies(&c, witness(&c, &honest, &[], Some((v, F::ONE)))),
            "partial sum {v:?} + 1 verified"
        );
    }
}
