//! `Public`: the variable's defining cell is copy-constrained to the next instance row.

use zkc_runtime::{BackendError, Var};

use crate::plan::Packer;

pub(crate) fn place(p: &mut Packer<'_>, x: Var) -> Result<(), BackendError> {
    let x = p.var(x)?;
    if p.def[x as usize].is_none() {
        p.free_cell(x)?;
    }
    p.public(x);
    Ok(())
}
