//! Invalid traces must be rejected by `mock` and by prove + verify. Each case breaks exactly
//! the named argument with a trace that satisfies its algebraic relation where that is
//! possible (the classic attacks: an out-of-range remainder, a wrong-side max, a remainder
//! larger than the divisor, a value outside a lookup table's domain).

mod common;

use common::Builder;
use halo2_proofs::halo2curves::bn256::Fr;
use zkc_backend_halo2::plan::Src;
use zkc_backend_halo2::{keys, layout, mock, poseidon, witness, Halo2};
use zkc_runtime::{Argument, Backend, HashKind, Program, Trace};

fn backend() -> Halo2 {
    Halo2::with_srs_dir(common::srs_dir())
}

/// `mock` rejects, and either proving fails or the proof does not verify (against the
/// prover's claimed public values and against the honest ones).
fn assert_rejected(program: &Program, honest: &Trace, bad: &Trace, what: &str) {
    backend()
        .mock(program, honest)
        .unwrap_or_else(|e| panic!("{what}: honest trace rejected: {e}"));
    let err = backend().mock(program, bad).expect_err(what);
    eprintln!("{what}: mock: {err}");
    let keys = backend().setup(program).unwrap();
    match backend().prove(program, &keys.proving_key, bad) {
        Err(e) => eprintln!("{what}: prove: {e}"),
        Ok(proof) => {
            for public in [bad.public_values(program), honest.public_values(program)] {
                assert!(
                    backend().verify(program, &keys.verifying_key, &public, &proof).is_err(),
                    "{what}: a proof of an invalid trace verified"
                );
            }
        }
    }
}

#[test]
fn range_halo2_rejects_out_of_range_value() {
    for (bits, v) in [(4, 8), (4, -9), (4, 1000), (20, 1 << 19), (20, -(1 << 19) - 1), (1, 1)] {
        let mut b = Builder::new();
        let x = b.input(0);
        b.range(x, bits);
        b.public(x);
        let (p, honest) = b.finish();
        let mut bad = honest.clone();
        bad.values[x.0 as usize] = v;
        assert_rejected(&p, &honest, &bad, &format!("range bits={bits} x={v}"));
    }
}

#[test]
fn rescale_halo2_rejects_unconstrained_remainder() {
    // 28 + 2 = 4·6 + 6: the relation holds but r = 6 ≥ 2^2.
    let mut b = Builder::new();
    let x = b.input(28);
    let q = b.rescale(x, 2, 8);
    b.public(q);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[q.0 as usize] = 6;
    bad.values[q.0 as usize + 1] = 6;
    assert_rejected(&p, &honest, &bad, "rescale r out of range");
    // q outside q_bits: x = 2^10, q = 2^8 does not fit 8 signed bits.
    let mut b = Builder::new();
    let x = b.input(1 << 10);
    let q = b.rescale(x, 2, 8);
    b.public(q);
    let (p, honest) = b.finish();
    let mut b2 = Builder::new();
    let x2 = b2.input(0);
    let _ = b2.rescale(x2, 2, 8);
    let (_, zero) = b2.finish();
    assert_rejected(&p, &zero, &honest, "rescale q out of q_bits");
}

#[test]
fn max_halo2_rejects_wrong_side() {
    // relu(-3) claimed as -3: (out - a)·out = 0 holds but out < 0.
    let mut b = Builder::new();
    let a = b.input(-3);
    let out = b.max(a, None, 8);
    b.public(out);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[out.0 as usize] = -3;
    assert_rejected(&p, &honest, &bad, "relu wrong side");
    // max(5, -3) claimed as -3.
    let mut b = Builder::new();
    let a = b.input(5);
    let c = b.input(-3);
    let out = b.max(a, Some(c), 8);
    b.public(out);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[out.0 as usize] = -3;
    assert_rejected(&p, &honest, &bad, "max wrong side");
}

#[test]
fn div_halo2_rejects_remainder_not_below_divisor() {
    // 28 = 5·4 + 8: the relation holds but r ≥ d.
    let mut b = Builder::new();
    let n = b.input(28);
    let d = b.input(5);
    let q = b.div(n, d, 8);
    b.public(q);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[q.0 as usize] = 4;
    bad.values[q.0 as usize + 1] = 8;
    assert_rejected(&p, &honest, &bad, "div r >= d");
    // 28 = (-1)·(-28) + 0 with d ≤ 0.
    let mut bad = honest.clone();
    bad.values[d.0 as usize] = -28;
    bad.values[q.0 as usize] = -1;
    bad.values[q.0 as usize + 1] = 0;
    assert_rejected(&p, &honest, &bad, "div d <= 0");
}

#[test]
fn lookup_halo2_rejects_wrong_output_and_out_of_domain_input() {
    let mut b = Builder::new();
    let x = b.input(-3);
    let t = b.table(-4, |x| x * x, 9);
    let y = b.lookup(x, t);
    b.public(y);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[y.0 as usize] = 10;
    assert_rejected(&p, &honest, &bad, "lookup wrong y");
    let mut bad = honest.clone();
    bad.values[x.0 as usize] = 5;
    bad.values[y.0 as usize] = 25;
    assert_rejected(&p, &honest, &bad, "lookup x outside domain");
}

#[test]
fn mul_and_linear_halo2_reject_wrong_output() {
    let mut b = Builder::new();
    let x = b.input(7);
    let z = b.input(-6);
    let m = b.mul(x, z);
    let l = b.linear(&[(2, x), (3, z), (1, m)], 4);
    b.public(l);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[m.0 as usize] += 1;
    bad.values[l.0 as usize] += 1;
    assert_rejected(&p, &honest, &bad, "mul wrong product");
    let mut bad = honest.clone();
    bad.values[l.0 as usize] -= 1;
    assert_rejected(&p, &honest, &bad, "linear wrong sum");
}

#[test]
fn prove_verify_rejects_one_mutation_per_argument_kind() {
    let (program, trace) = common::every_argument();
    // Variables defined by: Input, Linear (chain), Rescale r, Max relu, Max two operands,
    // Mul, Div r, Lookup y, and a range-checked Linear output.
    for (kind, v) in [
        ("input", 0),
        ("linear", 3),
        ("linear chain", 4),
        ("rescale", 6),
        ("max relu", 7),
        ("max", 12),
        ("mul", 13),
        ("div", 15),
        ("lookup", 16),
    ] {
        let mut bad = trace.clone();
        bad.values[v] += 1;
        assert_rejected(&program, &trace, &bad, kind);
    }
}

/// Limbs of the field element `Σ dᵢ·2^(64i) + p` (a non-canonical split of the same `h`).
fn plus_p(d: [i128; 4]) -> [i128; 4] {
    let p = [
        0x43e1f593f0000001u64,
        0x2833e84879b97091,
        0xb85045b68181585d,
        0x30644e72e131a029,
    ];
    let mut out = [0i128; 4];
    let mut carry = 0i128;
    for i in 0..4 {
        let s = d[i] + p[i] as i128 + carry;
        out[i] = s & ((1i128 << 64) - 1);
        carry = s >> 64;
    }
    assert_eq!(carry, 0, "h + p fits 256 bits");
    out
}

#[test]
fn hash_halo2_rejects_changed_input_digest_limb_and_split() {
    let (p, honest) = common::hash_program();
    let digest: Vec<usize> = match &p.arguments.iter().find(|(a, _)| matches!(a, Argument::Hash { .. })) {
        Some((Argument::Hash { digest, .. }, _)) => digest.iter().map(|v| v.0 as usize).collect(),
        _ => unreachable!(),
    };
    // One input changed, the digest kept (variables 2 and 3 are hashed Inputs used nowhere
    // else; variable 4 is a hashed Linear output).
    for (i, v) in [(2, (1 << 100) - 1), (3, -1), (3, 1)] {
        let mut bad = honest.clone();
        bad.values[i] = v;
        assert_rejected(&p, &honest, &bad, &format!("hash input {i} = {v}"));
    }
    // The Linear's input and output changed together (the Linear holds, the Hash does not).
    let mut bad = honest.clone();
    bad.values[0] += 1;
    bad.values[4] += 3;
    assert_rejected(&p, &honest, &bad, "hash input 4 (a Linear output) changed");
    // One digest limb changed (the sponge's inner states are not in the trace).
    for (i, &v) in digest.iter().enumerate() {
        let mut bad = honest.clone();
        bad.values[v] += 1;
        assert_rejected(&p, &honest, &bad, &format!("hash digest limb {i} + 1"));
    }
    // The same sum with an out-of-range limb: d0 + 2^64, d1 - 1.
    let mut bad = honest.clone();
    bad.values[digest[0]] += 1 << 64;
    bad.values[digest[1]] -= 1;
    assert_rejected(&p, &honest, &bad, "hash digest limb out of range");
    // The same h split non-canonically, as the limbs of h + p.
    let mut bad = honest.clone();
    let d: [i128; 4] = std::array::from_fn(|i| honest.values[digest[i]]);
    for (i, l) in plus_p(d).into_iter().enumerate() {
        bad.values[digest[i]] = l;
    }
    assert!(zkc_runtime::check(&p, &bad).is_err());
    assert_rejected(&p, &honest, &bad, "hash digest split as h + p");
}

#[test]
fn hash_halo2_refuses_goldilocks() {
    let (mut p, _) = common::hash_program();
    for (a, _) in &mut p.arguments {
        if let Argument::Hash { kind, .. } = a {
            *kind = HashKind::PoseidonGoldilocks;
        }
    }
    let err = backend().setup(&p).unwrap_err();
    assert!(err.to_string().contains("PoseidonGoldilocks"), "{err}");
}

/// Every cell of the sponge (the absorbed inputs' copies, each round's state and S-box cells,
/// each output) is pinned: changing any one of them in the advice columns breaks a gate or a
/// copy. They are not trace variables, so this goes below the `Backend` API.
#[test]
fn hash_halo2_rejects_any_changed_sponge_cell() {
    let (p, t) = common::hash_program();
    let (k, plan) = layout::plan_program(&p).unwrap();
    let witness = witness::advice_columns(&plan, &p, &t, 1 << k);
    let instance = keys::instance(&t.public_values(&p));
    mock::run(&p, k, &plan, &witness, instance.clone()).unwrap();
    let mut cells = Vec::new();
    for (c, col) in plan.advice.iter().enumerate() {
        for (r, src) in col.iter().enumerate() {
            if matches!(src, Src::Sponge(..)) || (c >= plan.shape.hash_col(0, 0) && matches!(src, Src::Var(_))) {
                cells.push((c, r));
            }
        }
    }
    eprintln!("{} sponge cells, layout {:?}", cells.len(), layout::describe(k, &plan));
    assert!(cells.len() > 3 * poseidon::ROUND_ROWS * 5, "{} cells", cells.len());
    let mut accepted = Vec::new();
    for &(c, r) in &cells {
        let mut w = witness.clone();
        w[c][r] += Fr::one();
        if mock::run(&p, k, &plan, &w, instance.clone()).is_ok() {
            accepted.push((c, r));
        }
    }
    assert!(accepted.is_empty(), "changed sponge cells accepted: {accepted:?}");
}
