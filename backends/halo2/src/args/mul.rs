//! `Mul`: `out = a·b` on one slot-row, cells `[a, b, out]`:
//! `F2 = a₀·a₁ - a₂ = 0`.

use halo2_proofs::halo2curves::bn256::Fr;
use zkc_runtime::{BackendError, Var};

use crate::plan::Packer;

pub(crate) fn place(p: &mut Packer<'_>, out: Var, a: Var, b: Var) -> Result<(), BackendError> {
    let (out, a, b) = (p.var(out)?, p.var(a)?, p.var(b)?);
    let (s, row) = p.slot_rows(None, 1)?;
    let sh = p.shape;
    p.place_var(a, sh.slot_col(s, 0), row);
    p.place_var(b, sh.slot_col(s, 1), row);
    p.place_var(out, sh.slot_col(s, 2), row);
    p.fix(sh.m(s), row, Fr::one());
    p.fix(sh.c2(s, 2), row, -Fr::one());
    Ok(())
}
