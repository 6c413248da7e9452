//! `Mul`: `out = a·b` with `out` a witness (or the instance variable of its first `Public`,
//! see `public.rs`). 1 constraint: `⟨a⟩·⟨b⟩ = out`.

use zkc_runtime::{BackendError, Var};

use crate::r1cs::Builder;

pub(crate) fn lower(b: &mut Builder<'_>, out: Var, x: Var, y: Var) -> Result<(), BackendError> {
    let (la, lb) = (b.lc(x)?.clone(), b.lc(y)?.clone());
    let w = b.define_witness(out)?;
    b.enforce(la, lb, vec![(ark_ff::One::one(), w)]);
    Ok(())
}
