//! `Range`: `-2^(n-1) ≤ x < 2^(n-1)` by bit decomposition:
//! `x + 2^(n-1) = Σ bᵢ·2^i` with `bᵢ ∈ {0,1}`. `n + 1` constraints (`n` booleanity, one sum).
//! The bits are remembered so that a later relu of `x` can read its sign bit (see `max`).

use zkc_runtime::{BackendError, Var};

use crate::r1cs::{combine, Builder};

pub(crate) fn lower(b: &mut Builder<'_>, x: Var, n: u32) -> Result<(), BackendError> {
    b.fits("range bits", n, 252)?;
    b.lc(x)?;
    let bits = b.bits(b.tv(x), n, true);
    let sum = b.bits_lc(&bits, 0, true);
    let lx = b.lc(x)?;
    let lc = combine(
        [(ark_ff::One::one(), &lx[..]), (-ark_bn254::Fr::from(1u64), &sum[..])],
        lx.len() + sum.len(),
    );
    b.enforce_zero(lc);
    b.set_signed(x, &bits);
    Ok(())
}
