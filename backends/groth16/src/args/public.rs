//! `Public`: the next instance variable `p`, tied to the value: 1 constraint `⟨x⟩·1 = p`.
//! Instance variables are numbered in `Public`-argument order, which is the order of the
//! public values `verify` and the exports take.

use ark_ff::One;
use zkc_runtime::{BackendError, Var};

use crate::field::fr;
use crate::r1cs::{Builder, ONE};

pub(crate) fn lower(b: &mut Builder<'_>, x: Var) -> Result<(), BackendError> {
    let lx = b.lc(x)?.clone();
    let v = b.tv(x);
    let p = b.instance(fr(v));
    b.enforce(lx, vec![(One::one(), ONE)], vec![(One::one(), p)]);
    Ok(())
}
