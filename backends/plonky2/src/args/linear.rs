//! `Linear`: `out = Σ cᵢ·xᵢ + c₀` as one weighted sum (chained over several
//! [`crate::gates::LinearGate`] groups when longer than a group).

use zkc_runtime::Var;

use crate::plan::{constant, Lin, Plan};

/// Lowers `out = Σ terms + constant`.
pub fn lower(plan: &mut Plan, out: Var, terms: &[(i128, Var)], c0: i128) -> Result<(), String> {
    let mut lin = Lin {
        constant: constant(c0, "the constant")?,
        terms: Vec::with_capacity(terms.len()),
    };
    for &(c, x) in terms {
        lin.terms.push((constant(c, "the coefficient")?, plan.var(x)));
    }
    let out = plan.var(out);
    plan.linear(out, lin);
    Ok(())
}
