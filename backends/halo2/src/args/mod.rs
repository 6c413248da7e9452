//! One file per argument kind: how it is placed on the grid and which gates pin it.
//! The gate formulas `F1`, `F2` and the lane/pair lookups are described in `crate::plan`.

mod div;
pub(crate) mod hash;
mod input;
mod linear;
mod lookup;
mod max;
mod mul;
mod public;
mod range;
mod rescale;

use zkc_runtime::{Argument, BackendError};

use crate::plan::Packer;

/// Places one argument.
pub(crate) fn place(p: &mut Packer<'_>, arg: &Argument) -> Result<(), BackendError> {
    match arg {
        Argument::Input { x, .. } => input::place(p, *x),
        Argument::Linear { out, terms, constant } => linear::place(p, *out, terms, *constant),
        Argument::Mul { out, a, b } => mul::place(p, *out, *a, *b),
        Argument::Range { x, bits } => range::place(p, *x, *bits),
        Argument::Lookup { x, y, table } => lookup::place(p, *x, *y, *table),
        Argument::Rescale { x, q, r, k, q_bits } => rescale::place(p, *x, *q, *r, *k, *q_bits),
        Argument::Div { n, d, q, r, bits } => div::place(p, *n, *d, *q, *r, *bits),
        Argument::Max { out, a, b, bits } => max::place(p, *out, *a, *b, *bits),
        Argument::Public { x } => public::place(p, *x),
        Argument::Hash { inputs, digest, kind } => hash::place(p, inputs, digest, *kind),
    }
}
