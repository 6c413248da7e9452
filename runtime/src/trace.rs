//! The witness: one integer per program variable, produced by the solver.

use serde::{Deserialize, Serialize};

use crate::program::{Argument, Program, Var};

/// A value for every witness variable of a [`Program`], indexed by [`Var`].
///
/// Every backend proves exactly this trace; none recomputes a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// `values[v.0]` is the value of variable `v`.
    pub values: Vec<i128>,
}

impl Trace {
    /// The value of `v`.
    pub fn get(&self, v: Var) -> i128 {
        self.values[v.0 as usize]
    }

    /// The public values in the order of the program's [`Argument::Public`] arguments.
    pub fn public_values(&self, program: &Program) -> Vec<i128> {
        program
            .arguments
            .iter()
            .filter_map(|(a, _)| match a {
                Argument::Public { x } => Some(self.get(*x)),
                _ => None,
            })
            .collect()
    }
}
