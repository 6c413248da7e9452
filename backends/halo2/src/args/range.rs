//! `Range`: `-2^(bits-1) ≤ x < 2^(bits-1)` as a signed running sum down a lane:
//! lower limbs in `[0, 2^L)`, the top limb signed.

use zkc_runtime::{BackendError, Var};

use crate::plan::Packer;

pub(crate) fn place(p: &mut Packer<'_>, x: Var, bits: u32) -> Result<(), BackendError> {
    let x = p.var(x)?;
    p.range_check_var(x, bits, true)
}
