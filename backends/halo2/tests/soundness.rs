//! Invalid traces must be rejected by `mock` and by prove + verify. Each case breaks exactly
//! the named argument with a trace that satisfies its algebraic relation where that is
//! possible (the classic attacks: an out-of-range remainder, a wrong-side max, a remainder
//! larger than the divisor, a value outside a lookup table's domain).

mod common;

use common::Builder;
use zkc_backend_halo2::Halo2;
use zkc_runtime::{Backend, Program, Trace};

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
    for (bits, v) in [
        (4, 8),
        (4, -9),
        (4, 1000),
        (20, 1 << 19),
        (20, -(1 << 19) - 1),
        (1, 1),
        (0, -1),
    ] {
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
