//! `Max`: `(out - a)·(out - b) = 0` on a [`crate::gates::MaxGate`] slot, and one range
//! check `0 ≤ 2·out - a - b < 2^bits` (`b = 0` for relu). Since one of `out - a`, `out - b`
//! is zero, `2·out - a - b` is the other one, so the single check says exactly
//! `0 ≤ out - a < 2^bits` and `0 ≤ out - b < 2^bits` (zero passes any width). For
//! `bits ≤ 62` a negative difference (at least `p - 2^63` in the field) cannot pass (the
//! shared bound `zkc_runtime::field_bounds::GOLDILOCKS`, checked before any argument lowers).

use plonky2::field::types::Field;
use zkc_runtime::Var;

use crate::field::F;
use crate::plan::{Lin, Plan};

/// Lowers `out = max(a, b)`.
pub fn lower(plan: &mut Plan, out: Var, a: Var, b: Option<Var>, bits: u32) {
    let (out, a, b) = (plan.var(out), plan.var(a), b.map(|b| plan.var(b)));
    plan.max(out, a, b);
    let two = F::TWO;
    match b {
        None => plan.range(bits, (two, out), Some((F::NEG_ONE, a)), F::ZERO),
        Some(b) => {
            let d = plan.derived(Lin {
                constant: F::ZERO,
                terms: vec![(two, out), (F::NEG_ONE, a), (F::NEG_ONE, b)],
            });
            plan.range(bits, (F::ONE, d), None, F::ZERO);
        }
    }
}
