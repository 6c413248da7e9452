//! `Mul`: `out = a·b` on plonky2's arithmetic gate (20 products per row). Its generator
//! computes `a·b` again, so a trace with another `out` conflicts at witness generation.

use zkc_runtime::Var;

use crate::plan::Plan;

/// Lowers `out = a·b`.
pub fn lower(plan: &mut Plan, out: Var, a: Var, b: Var) {
    let (out, a, b) = (plan.var(out), plan.var(a), plan.var(b));
    plan.mul(out, a, b, None);
}
