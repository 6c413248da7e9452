//! zkc's circuit layer: the backend-independent [`Program`] of arguments, the one witness
//! [`solver`] that turns model inputs into a [`Trace`], the [`checker`] that verifies a trace
//! against a program, the [`Backend`] trait and the versioned [`artifact`] format.

pub mod artifact;
pub mod backend;
pub mod checker;
mod display;
pub mod field_bounds;
pub mod poseidon;
pub mod program;
pub mod solver;
pub mod testing;
pub mod trace;

pub use backend::{Backend, BackendError, Cost, KeyCheck, Keys};
pub use checker::{check, Violation};
pub use field_bounds::{FieldBoundError, FieldBounds};
pub use program::{Argument, HashKind, Origin, Packing, Program, Table, TensorVars, Var};
pub use solver::{solve, SolveError};
pub use trace::Trace;
