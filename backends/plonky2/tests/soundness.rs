//! Invalid traces cannot be proven: every single-value mutation of the every-argument trace,
//! and the classic attacks that keep an argument's algebraic relation but break its ranges
//! (an out-of-range remainder, a wrong-side max, a remainder at least the divisor, a value
//! outside a lookup table's domain). `prove` either fails at witness generation (a value
//! conflicts with plonky2's own generators) or builds a proof that plonky2's verifier
//! rejects; either way it returns an error and `verify` never sees a proof of a bad trace.
//! The mock must reject each case as well.

mod common;

use common::Builder;
use zkc_backend_plonky2::Plonky2;
use zkc_runtime::testing::{every_argument_trace, mutations, one_mutation_per_argument_kind};
use zkc_runtime::{Backend, Program, Trace};

fn backend() -> Plonky2 {
    Plonky2::without_zero_knowledge()
}

/// The honest trace proves and verifies; the bad one is rejected by mock and by prove.
fn assert_rejected(program: &Program, honest: &Trace, bad: &Trace, what: &str) {
    let b = backend();
    b.mock(program, honest)
        .unwrap_or_else(|e| panic!("{what}: honest trace rejected: {e}"));
    assert!(b.mock(program, bad).is_err(), "{what}: mock accepted");
    let keys = b.setup(program).unwrap();
    let proof = b.prove(program, &keys.proving_key, honest).unwrap();
    b.verify(program, &keys.verifying_key, &honest.public_values(program), &proof)
        .unwrap();
    match b.prove(program, &keys.proving_key, bad) {
        Err(e) => eprintln!("{what}: prove: {e}"),
        Ok(proof) => {
            for public in [bad.public_values(program), honest.public_values(program)] {
                assert!(
                    b.verify(program, &keys.verifying_key, &public, &proof).is_err(),
                    "{what}: a proof of an invalid trace verified"
                );
            }
            panic!("{what}: prove returned a proof for an invalid trace");
        }
    }
}

#[test]
fn every_mutation_of_the_every_argument_trace_cannot_be_proven() {
    let (p, t) = every_argument_trace();
    let kinds: Vec<_> = one_mutation_per_argument_kind(&p, &t)
        .iter()
        .map(|m| m.argument_kind)
        .collect();
    for k in ["Input", "Linear", "Mul", "Rescale", "Lookup", "Div", "Max"] {
        assert!(kinds.contains(&k), "the harness covers {k}");
    }
    // Proving is cheap without zero knowledge: try every mutation, not one per kind.
    for m in mutations(&p, &t) {
        assert_rejected(&p, &t, &m.trace, &format!("{} mutation of {}", m.argument_kind, m.var));
    }
}

#[test]
fn range_plonky2_rejects_out_of_range_values() {
    for (bits, v) in [
        (4, 8),
        (4, -9),
        (4, 1000),
        (20, 1 << 19),
        (20, -(1 << 19) - 1),
        (1, 1),
        (1, -2),
        (63, 1 << 62),
        (63, -(1 << 62) - 1),
    ] {
        let mut b = Builder::new();
        let x = b.input(0);
        let y = b.linear(&[(1, x)], 0);
        b.range(y, bits);
        b.public(x);
        let (p, honest) = b.finish();
        let mut bad = honest.clone();
        bad.values[y.0 as usize] = v;
        if bits == 63 {
            // Beyond the field's injective interval: refused before proving.
            assert!(backend().mock(&p, &bad).is_err());
            let keys = backend().setup(&p).unwrap();
            assert!(backend().prove(&p, &keys.proving_key, &bad).is_err());
        } else {
            // y is free of the Linear relation only in the mutated trace; the range must
            // still be what the prover cannot get past: break x too so Linear holds.
            bad.values[x.0 as usize] = v;
            assert_rejected(&p, &honest, &bad, &format!("range bits={bits} x={v}"));
        }
    }
}

#[test]
fn range_plonky2_with_zero_bits_is_refused_before_any_key() {
    // No value fits 0 bits: the program is refused at lowering (the shared field bounds),
    // so no key, and hence no proof, can exist for it.
    let mut b = Builder::new();
    let x = b.input(0);
    b.range(x, 0);
    let p = b.program;
    let e = backend().setup(&p).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("0 bits admits no value"), "{e}");
    for v in [0, -1, 1] {
        let t = Trace { values: vec![v] };
        assert!(backend().mock(&p, &t).is_err());
    }
}

#[test]
fn rescale_plonky2_rejects_shifted_remainder() {
    // 28 + 2 = 4·7 + 2; also = 4·6 + 6 (r too large) and 4·8 - 2 (r negative).
    let mut b = Builder::new();
    let x = b.input(28);
    let (q, r) = b.rescale(x, 2, 8);
    b.public(q);
    let (p, honest) = b.finish();
    for (qv, rv) in [(6, 6), (8, -2), (5, 10)] {
        let mut bad = honest.clone();
        bad.values[q.0 as usize] = qv;
        bad.values[r.0 as usize] = rv;
        assert_rejected(&p, &honest, &bad, &format!("rescale q={qv} r={rv}"));
    }
    // q outside q_bits: x = 2^10 gives q = 2^8, which does not fit 8 signed bits; the
    // honest trace of the same shape with a smaller x proves.
    let mut b = Builder::new();
    let x = b.input(100);
    let (q, r) = b.rescale(x, 2, 8);
    b.public(q);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[x.0 as usize] = 1 << 10;
    bad.values[q.0 as usize] = 1 << 8;
    bad.values[r.0 as usize] = 2;
    assert_rejected(&p, &honest, &bad, "rescale q beyond q_bits");
}

#[test]
fn max_plonky2_rejects_the_smaller_operand() {
    let mut b = Builder::new();
    let a = b.input(5);
    let c = b.input(-3);
    let m = b.max(a, Some(c), 8);
    let r = b.max(c, None, 8);
    b.public(m);
    b.public(r);
    let (p, honest) = b.finish();
    let mut bad = honest.clone();
    bad.values[m.0 as usize] = -3;
    assert_rejected(&p, &honest, &bad, "max picks the smaller operand");
    let mut bad = honest.clone();
    bad.values[r.0 as usize] = -3;
    assert_rejected(&p, &honest, &bad, "relu passes a negative value");
    let mut bad = honest.clone();
    bad.values[m.0 as usize] = 6;
    assert_rejected(&p, &honest, &bad, "max above both operands");
}

#[test]
fn div_plonky2_rejects_remainder_at_least_divisor() {
    let mut b = Builder::new();
    let n = b.input(29);
    let d = b.input(5);
    let (q, r) = b.div(n, d, 8);
    b.public(q);
    let (p, honest) = b.finish();
    for (qv, rv) in [(4, 9), (6, -1), (3, 14)] {
        let mut bad = honest.clone();
        bad.values[q.0 as usize] = qv;
        bad.values[r.0 as usize] = rv;
        assert_rejected(&p, &honest, &bad, &format!("div q={qv} r={rv}"));
    }
    // A non-positive divisor: 29 = -29·(-1) + 0, with r < d impossible for d ≤ 0.
    let mut bad = honest.clone();
    bad.values[d.0 as usize] = -1;
    bad.values[q.0 as usize] = -29;
    bad.values[r.0 as usize] = 0;
    assert_rejected(&p, &honest, &bad, "div by a negative divisor");
}

#[test]
fn lookup_plonky2_rejects_values_outside_the_table() {
    let mut b = Builder::new();
    let x = b.input(-2);
    let t = b.table(-4, (-4i128..=4).map(|v| v * v - 3).collect());
    let y = b.lookup(x, t);
    b.public(y);
    let (p, honest) = b.finish();
    // Outside the domain on both sides, with the "natural" output.
    for xv in [-5, 5, 1000] {
        let mut bad = honest.clone();
        bad.values[x.0 as usize] = xv;
        bad.values[y.0 as usize] = xv * xv - 3;
        assert_rejected(&p, &honest, &bad, &format!("lookup x={xv}"));
    }
    // A pair from the table, but not this x's row.
    let mut bad = honest.clone();
    bad.values[y.0 as usize] = 13;
    assert_rejected(&p, &honest, &bad, "lookup y of another row");
}

#[test]
fn linear_and_mul_plonky2_reject_changed_outputs() {
    let mut b = Builder::new();
    let x = b.input(7);
    let z = b.input(-4);
    let terms: Vec<_> = (0..200)
        .map(|i| ((i % 9) - 4, if i % 2 == 0 { x } else { z }))
        .collect();
    let l = b.linear(&terms, 11);
    let m = b.mul(l, z);
    b.public(m);
    let (p, honest) = b.finish();
    for (v, d) in [(l, 1), (l, -(1 << 40)), (m, 1)] {
        let mut bad = honest.clone();
        bad.values[v.0 as usize] += d;
        assert_rejected(&p, &honest, &bad, &format!("{v} + {d}"));
    }
}

/// Traces whose equations hold but that sit at or one past a bound (ranges, remainders,
/// quotient widths, Max's choice, lookup edges): the valid ones prove and verify, the
/// invalid ones cannot be proven (plonky2's own prover and verifier, not the checker, decide).
#[test]
fn all_argument_kinds_plonky2_prover_agrees_with_the_checker_on_every_bound() {
    let b = backend();
    for c in zkc_runtime::testing::bound_cases() {
        let keys = b.setup(&c.program);
        if c.valid {
            let keys = keys.unwrap_or_else(|e| panic!("{}: setup: {e}", c.name));
            let proof = b
                .prove(&c.program, &keys.proving_key, &c.trace)
                .unwrap_or_else(|e| panic!("{}: a valid trace was not proven: {e}", c.name));
            b.verify(
                &c.program,
                &keys.verifying_key,
                &c.trace.public_values(&c.program),
                &proof,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        } else if let Ok(keys) = keys {
            if let Ok(proof) = b.prove(&c.program, &keys.proving_key, &c.trace) {
                let verified = b.verify(
                    &c.program,
                    &keys.verifying_key,
                    &c.trace.public_values(&c.program),
                    &proof,
                );
                assert!(
                    verified.is_err(),
                    "{}: a proof of an out-of-bound trace verified",
                    c.name
                );
            }
        }
    }
}
