//! `Input`: the variable gets a cell in a shared row of unconstrained cells.

use zkc_runtime::{BackendError, Var};

use crate::plan::Packer;

pub(crate) fn place(p: &mut Packer<'_>, x: Var) -> Result<(), BackendError> {
    let x = p.var(x)?;
    if p.def[x as usize].is_none() {
        p.free_cell(x)?;
    }
    Ok(())
}
