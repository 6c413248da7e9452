//! `Range`: `-2^(bits-1) ≤ x < 2^(bits-1)` as `0 ≤ x + 2^(bits-1) < 2^bits` by base-4
//! decomposition. Exact in the field for `bits ≤ 63`: `x + 2^62 < 2^63 < p` cannot wrap (the
//! shared bound `zkc_runtime::field_bounds::GOLDILOCKS`, checked before any argument lowers).

use zkc_runtime::Var;

use crate::plan::Plan;

/// Lowers the signed range check.
pub fn lower(plan: &mut Plan, x: Var, bits: u32) {
    let x = plan.var(x);
    plan.signed_range(x, bits);
}
