//! `Public`: the variable becomes the next public input of the proof (plonky2 hashes them
//! into the proof's public-input hash, so the verifier's values are bound).

use zkc_runtime::Var;

use crate::plan::Plan;

/// Lowers the public marker.
pub fn lower(plan: &mut Plan, x: Var) {
    let x = plan.var(x);
    let owner = plan.owner;
    plan.publics.push((x, owner));
}
