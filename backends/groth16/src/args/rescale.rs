//! `Rescale`: `x + 2^(k-1) = 2^k·q + r`, `0 ≤ r < 2^k`, `-2^(q_bits-1) ≤ q < 2^(q_bits-1)`.
//!
//! `r` and `q` get no witness cells of their own: they are the linear combinations of their
//! bits, `r = Σ rᵢ·2^i` (k bits) and `q = Σ cⱼ·2^j - 2^(q_bits-1)` (q_bits bits), so the
//! range checks and the definitions share the same bits and the division itself is one linear
//! constraint: `k + q_bits + 1` constraints in all (`k + q_bits` booleanity, one sum). The
//! quotient's bits are remembered so a following relu can use its sign bit (see `max`).

use ark_bn254::Fr;
use ark_ff::One;
use zkc_runtime::{BackendError, Var};

use crate::r1cs::{combine, Builder, ONE};

pub(crate) fn lower(b: &mut Builder<'_>, x: Var, q: Var, r: Var, k: u32, q_bits: u32) -> Result<(), BackendError> {
    b.fits("shift + quotient bits", k.saturating_add(q_bits), 252)?;
    b.lc(x)?;
    let rbits = b.bits(b.tv(r), k, false);
    let r_lc = b.bits_lc(&rbits, 0, false);
    let qbits = b.bits(b.tv(q), q_bits, true);
    let shifted_q = b.bits_lc(&qbits, k, true);
    let half = if k == 0 {
        Vec::new()
    } else {
        vec![(b.pow[k as usize - 1], ONE)]
    };
    let lx = b.lc(x)?;
    let one = Fr::one();
    let row = combine(
        [
            (one, &lx[..]),
            (one, &half[..]),
            (-one, &r_lc[..]),
            (-one, &shifted_q[..]),
        ],
        lx.len() + k as usize + q_bits as usize + 2,
    );
    b.enforce_zero(row);
    let q_lc = b.bits_lc(&qbits, 0, true);
    b.define(q, q_lc)?;
    b.define(r, r_lc)?;
    b.set_signed(q, &qbits);
    Ok(())
}
