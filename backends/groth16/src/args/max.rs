//! `Max`: `out = max(a, b)` (b = 0 for relu), specified as `(out - a)·(out - b) = 0`,
//! `0 ≤ out - a < 2^bits`, `0 ≤ out - b < 2^bits`. `out` is a witness (or the instance
//! variable of its first `Public`, see `public.rs`).
//!
//! General form, `bits + 2` constraints: since one of `out - a`, `out - b` is zero, both are in
//! range exactly when their sum `S = 2·out - a - b` is, so `S = Σ eᵢ·2^i` (bits booleanity + 1)
//! and `(out - a)·(out - b) = 0` (1).
//!
//! Relu of a value already decomposed on `n` signed bits (a Rescale quotient or a Range-checked
//! variable) with top bit `s` (`s = 1` iff `a ≥ 0`): `out = s·a` (1 constraint) is the unique
//! solution of the specification when `n ≤ bits` (then `|out - a|, out < 2^bits` hold for every
//! `a` in range). When `n = bits + 1` the only `a` the specification rejects is `-2^bits`
//! (`out - a = 2^bits`), excluded by `(a + 2^bits)·inv = 1` (1 more constraint).

use ark_bn254::Fr;
use ark_ff::{Field, One, Zero};
use zkc_runtime::{BackendError, Var};

use crate::field::fr;
use crate::r1cs::{combine, Builder, ONE};

pub(crate) fn lower(b: &mut Builder<'_>, out: Var, a: Var, y: Option<Var>, bits: u32) -> Result<(), BackendError> {
    b.fits("max bits", bits, 250)?;
    let one = Fr::one();
    let la = b.lc(a)?.clone();
    if y.is_none() {
        if let Some(s) = b.signed_of(a).filter(|s| s.n <= bits + 1) {
            let w = b.define_witness(out)?;
            b.enforce(vec![(one, s.top)], la.clone(), vec![(one, w)]);
            if s.n == bits + 1 {
                let shifted = combine(
                    [(one, &la[..]), (one, &[(b.pow[bits as usize], ONE)][..])],
                    la.len() + 1,
                );
                let av = fr(b.tv(a)) + b.pow[bits as usize];
                let inv = b.witness(|| av.inverse().unwrap_or(Fr::zero()));
                b.enforce(shifted, vec![(one, inv)], vec![(one, ONE)]);
            }
            return Ok(());
        }
    }
    let lb: Vec<(Fr, usize)> = match y {
        Some(y) => b.lc(y)?.clone(),
        None => Vec::new(),
    };
    let (ov, av, bv) = (b.tv(out), b.tv(a), y.map_or(0, |y| b.tv(y)));
    let s = ov
        .checked_mul(2)
        .and_then(|o| o.checked_sub(av))
        .and_then(|o| o.checked_sub(bv))
        .unwrap_or(-1);
    let w = b.define_witness(out)?;
    let ebits = b.bits(s, bits, false);
    let e = b.bits_lc(&ebits, 0, false);
    let wo = [(one, w)];
    let two = one + one;
    let sum = combine(
        [(two, &wo[..]), (-one, &la[..]), (-one, &lb[..]), (-one, &e[..])],
        la.len() + lb.len() + e.len() + 1,
    );
    b.enforce_zero(sum);
    let da = combine([(one, &wo[..]), (-one, &la[..])], la.len() + 1);
    let db = combine([(one, &wo[..]), (-one, &lb[..])], lb.len() + 1);
    b.enforce(da, db, Vec::new());
    Ok(())
}
