//! `Max`: `(out - a)·(out - b) = 0` on a [`crate::gates::MaxGate`] slot, with
//! `0 ≤ out - a < 2^bits` and `0 ≤ out - b < 2^bits` (`b = 0` for relu). For `bits ≤ 62` a
//! negative difference (at least `p - 2^63` in the field) can never pass the range check.

use plonky2::field::types::Field;
use zkc_runtime::Var;

use crate::field::F;
use crate::plan::Plan;

/// Lowers `out = max(a, b)`.
pub fn lower(plan: &mut Plan, out: Var, a: Var, b: Option<Var>, bits: u32) -> Result<(), String> {
    if bits > 62 {
        return Err(format!(
            "a {bits}-bit comparison does not fit Goldilocks (at most 62 bits); lower the precision of this node"
        ));
    }
    let (out, a, b) = (plan.var(out), plan.var(a), b.map(|b| plan.var(b)));
    plan.max(out, a, b);
    plan.range(bits, out, Some((F::NEG_ONE, a)), F::ZERO);
    plan.range(bits, out, b.map(|b| (F::NEG_ONE, b)), F::ZERO);
    Ok(())
}
