//! `Public`: the next instance variable `p` carries the value. Instance variables are numbered
//! in `Public`-argument order, which is the order of the public values `verify` and the
//! exports take.
//!
//! 0 constraints when this is the first `Public` of `x` and `x` is a cell of its own (an
//! `Input`, a `Mul` or a `Max` output): the builder found this `Public` before lowering and
//! made `p` itself the cell of `x` instead of a new witness (`Builder::define_witness`), so
//! every constraint that reads `x` reads `p`. The value the verifier supplies for `p` is then
//! exactly the value all of `x`'s constraints hold for; there is no second copy a prover could
//! set differently. The instance count and order do not change, so keys, `verify`, snarkjs
//! and the Solidity verifier see the same public inputs.
//!
//! 1 constraint `⟨x⟩·1 = p` otherwise: when `x` is a linear combination (a `Linear` output, a
//! Rescale or Div quotient or remainder, a lookup output, a digest limb) or a second `Public`
//! of the same variable. The case is told apart by the representation itself: the constraint
//! is dropped only when `⟨x⟩` is exactly `1·p`, where it would read `p = p`.

use ark_ff::One;
use zkc_runtime::{BackendError, Var};

use crate::field::fr;
use crate::r1cs::{Builder, ONE};

pub(crate) fn lower(b: &mut Builder<'_>, x: Var) -> Result<(), BackendError> {
    let lx = b.lc(x)?.clone();
    let v = b.tv(x);
    let p = b.instance(fr(v));
    if lx.len() == 1 && lx[0] == (One::one(), p) {
        return Ok(());
    }
    b.enforce(lx, vec![(One::one(), ONE)], vec![(One::one(), p)]);
    Ok(())
}
