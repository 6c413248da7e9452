//! `Lookup`: `(t, t·x, t·y) ∈ (TAG, TAG·X, TAG·Y)` in a pair lane, `t` the table's tag.
//! Multiplying by the tag makes rows with `t = 0` match the all-zero table row.

use zkc_runtime::{BackendError, Var};

use crate::plan::Packer;

pub(crate) fn place(p: &mut Packer<'_>, x: Var, y: Var, table: usize) -> Result<(), BackendError> {
    let x = p.var(x)?;
    let y = p.var(y)?;
    p.table_lookup(x, y, table)
}
