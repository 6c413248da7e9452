//! `Linear`: `out = Σ cᵢ·xᵢ + c₀`. 0 constraints: `out` is the linear combination itself,
//! with the constant coefficients folded in, and every later argument that reads `out` uses
//! it directly. This is why a fixed-weight multiply-accumulate is free in R1CS.
//!
//! Because `out` has no witness cell, a trace value for `out` that differs from the sum
//! cannot make a constraint fail; `mock` compares it with the sum explicitly and `prove`
//! refuses any trace the runtime checker rejects.
//!
//! A term whose own combination is longer than [`INLINE_MAX`] is bound to a witness first
//! (1 constraint, charged to the argument that defined the term) instead of being copied.

use ark_bn254::Fr;
use zkc_runtime::{BackendError, Var};

use crate::field::fr;
use crate::r1cs::{combine, Builder, INLINE_MAX, ONE};

pub(crate) fn lower(b: &mut Builder<'_>, out: Var, terms: &[(i128, Var)], constant: i128) -> Result<(), BackendError> {
    let mut cap = 1;
    for &(_, v) in terms {
        let len = b.lc(v)?.len();
        if len > INLINE_MAX {
            b.materialize(v)?;
        }
        cap += b.lc(v)?.len();
    }
    let konst = [(fr(constant), ONE)];
    let coeffs: Vec<Fr> = terms.iter().map(|&(c, _)| fr(c)).collect();
    let mut parts: Vec<(Fr, &[(Fr, usize)])> = Vec::with_capacity(terms.len() + 1);
    parts.push((ark_ff::One::one(), &konst[..]));
    for (&(_, v), &c) in terms.iter().zip(&coeffs) {
        parts.push((c, &b.lc(v)?[..]));
    }
    let lc = combine(parts, cap);
    b.define(out, lc)
}
