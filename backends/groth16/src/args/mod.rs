//! One file per argument kind: the R1CS constraints it adds and how its variables are
//! represented. Each file states its constraint count.

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

use crate::r1cs::Builder;

/// Lowers one argument.
pub(crate) fn lower(b: &mut Builder<'_>, arg: &Argument) -> Result<(), BackendError> {
    match arg {
        Argument::Input { x, .. } => input::lower(b, *x),
        Argument::Linear { out, terms, constant } => linear::lower(b, *out, terms, *constant),
        Argument::Mul { out, a, b: y } => mul::lower(b, *out, *a, *y),
        Argument::Range { x, bits } => range::lower(b, *x, *bits),
        Argument::Lookup { x, y, table } => lookup::lower(b, *x, *y, *table),
        Argument::Rescale { x, q, r, k, q_bits } => rescale::lower(b, *x, *q, *r, *k, *q_bits),
        Argument::Div { n, d, q, r, bits } => div::lower(b, *n, *d, *q, *r, *bits),
        Argument::Max { out, a, b: y, bits } => max::lower(b, *out, *a, *y, *bits),
        Argument::Public { x } => public::lower(b, *x),
        Argument::Hash { inputs, digest, kind } => hash::lower(b, inputs, *digest, *kind),
    }
}
