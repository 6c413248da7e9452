//! `Div`: `n = q·d + r`, `0 ≤ r < 2^bits`, `0 ≤ d - 1 - r < 2^bits`, `-2^(bits-1) ≤ q < 2^(bits-1)`.
//!
//! `r`, `t = d - 1 - r` and `q` are decomposed into bits; `r` and `q` are the linear
//! combinations of theirs. Constraints: `3·bits` booleanity, `d - 1 - r = Σ tᵢ·2^i` (1) and
//! `q·d = n - r` (1): `3·bits + 2`. With `2·bits + 2 ≤ 252` nothing wraps, so the field
//! equation is the integer one.

use ark_bn254::Fr;
use ark_ff::One;
use zkc_runtime::{BackendError, Var};

use crate::r1cs::{combine, Builder, ONE};

pub(crate) fn lower(b: &mut Builder<'_>, n: Var, d: Var, q: Var, r: Var, bits: u32) -> Result<(), BackendError> {
    b.fits("division bits", bits, 125)?;
    b.lc(n)?;
    b.lc(d)?;
    let one = Fr::one();
    let rbits = b.bits(b.tv(r), bits, false);
    let r_lc = b.bits_lc(&rbits, 0, false);
    let t = b
        .tv(d)
        .checked_sub(1)
        .and_then(|x| x.checked_sub(b.tv(r)))
        .unwrap_or(-1);
    let tbits = b.bits(t, bits, false);
    let t_lc = b.bits_lc(&tbits, 0, false);
    let ld = b.lc(d)?;
    let row = combine(
        [
            (one, &ld[..]),
            (-one, &[(one, ONE)][..]),
            (-one, &r_lc[..]),
            (-one, &t_lc[..]),
        ],
        ld.len() + 2 * bits as usize + 1,
    );
    b.enforce_zero(row);
    let qbits = b.bits(b.tv(q), bits, true);
    let q_lc = b.bits_lc(&qbits, 0, true);
    let (ld, ln) = (b.lc(d)?.clone(), b.lc(n)?);
    let rhs = combine([(one, &ln[..]), (-one, &r_lc[..])], ln.len() + r_lc.len());
    b.enforce(q_lc.clone(), ld, rhs);
    b.define(q, q_lc)?;
    b.define(r, r_lc)?;
    b.set_signed(q, &qbits);
    Ok(())
}
