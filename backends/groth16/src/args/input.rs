//! `Input`: a fresh witness holding the input value, or the instance variable of its first
//! `Public` if it is published (see `public.rs`). 0 constraints (the program's own `Range`
//! arguments bound it).

use zkc_runtime::{BackendError, Var};

use crate::r1cs::Builder;

pub(crate) fn lower(b: &mut Builder<'_>, x: Var) -> Result<(), BackendError> {
    b.define_witness(x)?;
    Ok(())
}
