//! The program as an arkworks [`ConstraintSynthesizer`]: the lowering of [`crate::r1cs`]
//! replayed into a `ConstraintSystem`, for arkworks' own tools (`is_satisfied`, its Groth16
//! generator and prover). zkc's `setup` and `prove` use the same rows as matrices directly,
//! which skips the symbolic linear-combination bookkeeping; tests check that both routes give
//! the same keys and satisfiability.

use ark_bn254::Fr;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable};
use zkc_runtime::{Program, Trace};

use crate::r1cs::{lower, Lc, R1cs};

/// A program, with a trace when proving or checking.
pub struct Circuit<'a> {
    /// The program.
    pub program: &'a Program,
    /// The witness, or `None` for key generation.
    pub trace: Option<&'a Trace>,
}

fn to_ark(lc: &Lc, num_instance: usize) -> LinearCombination<Fr> {
    LinearCombination(
        lc.iter()
            .map(|&(c, i)| {
                let v = if i == 0 {
                    Variable::One
                } else if i < num_instance {
                    Variable::Instance(i)
                } else {
                    Variable::Witness(i - num_instance)
                };
                (c, v)
            })
            .collect(),
    )
}

/// Replays lowered rows into `cs` (variables in the same order, so the matrices are equal).
pub fn replay(r: &R1cs, cs: &ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
    let value = |i: usize| r.z.get(i).copied().ok_or(SynthesisError::AssignmentMissing);
    for i in 1..r.num_instance {
        cs.new_input_variable(|| value(i))?;
    }
    for j in 0..r.num_witness {
        cs.new_witness_variable(|| value(r.num_instance + j))?;
    }
    for k in 0..r.num_constraints {
        cs.enforce_constraint(
            to_ark(&r.a[k], r.num_instance),
            to_ark(&r.b[k], r.num_instance),
            to_ark(&r.c[k], r.num_instance),
        )?;
    }
    Ok(())
}

impl ConstraintSynthesizer<Fr> for Circuit<'_> {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let r = lower(self.program, self.trace, true).map_err(|_| SynthesisError::Unsatisfiable)?;
        replay(&r, &cs)
    }
}
