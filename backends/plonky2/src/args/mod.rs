//! One file per circuit argument: how it lowers into gate requests on a [`crate::plan::Plan`].
//! Each file states the constraint it enforces and why that is enough in Goldilocks.

pub mod div;
pub mod hash;
pub mod linear;
pub mod lookup;
pub mod max;
pub mod mul;
pub mod public;
pub mod range;
pub mod rescale;
