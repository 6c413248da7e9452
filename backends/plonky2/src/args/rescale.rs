//! `Rescale`: `x + 2^(k-1) = 2^k·q + r` as the weighted sum `r = x - 2^k·q + 2^(k-1)`, with
//! `0 ≤ r < 2^k` and `q` on `q_bits` signed bits range-checked. With `k + q_bits ≤ 63`,
//! `|2^k·q + r| < 2^63 < p`, so the field equation has the integer's unique solution (the
//! shared bound `zkc_runtime::field_bounds::GOLDILOCKS`, checked before any argument lowers).

use plonky2::field::types::Field;
use zkc_runtime::Var;

use crate::field::{pow2, F};
use crate::plan::{Lin, Plan};

/// Lowers the rescale.
pub fn lower(plan: &mut Plan, x: Var, q: Var, r: Var, k: u32, q_bits: u32) {
    let (x, q, r) = (plan.var(x), plan.var(q), plan.var(r));
    let half = if k == 0 { F::ZERO } else { pow2(k - 1) };
    plan.linear(
        r,
        Lin {
            constant: half,
            terms: vec![(F::ONE, x), (-pow2(k), q)],
        },
    );
    plan.range(k, (F::ONE, r), None, F::ZERO);
    plan.signed_range(q, q_bits);
}
