//! `Div`: `n = q·d + r` on the arithmetic gate, `0 ≤ r < 2^bits`, `0 ≤ d - 1 - r < 2^bits`,
//! `q` on `bits` signed bits. Then `0 < d < 2^(bits+1)` and `|q·d + r| < 2^(2·bits) + 2^bits`,
//! which stays below `p/2` for `bits ≤ 31`: the field equation is the integer one (the shared
//! bound `zkc_runtime::field_bounds::GOLDILOCKS`, checked before any argument lowers).

use plonky2::field::types::Field;
use zkc_runtime::Var;

use crate::field::F;
use crate::plan::Plan;

/// Lowers the division.
pub fn lower(plan: &mut Plan, n: Var, d: Var, q: Var, r: Var, bits: u32) {
    let (n, d, q, r) = (plan.var(n), plan.var(d), plan.var(q), plan.var(r));
    plan.mul(n, q, d, Some(r));
    plan.range(bits, (F::ONE, r), None, F::ZERO);
    plan.range(bits, (F::ONE, d), Some((F::NEG_ONE, r)), F::NEG_ONE);
    plan.signed_range(q, bits);
}
