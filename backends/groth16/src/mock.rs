//! `mock`: evaluates every constraint on the assignment built from the trace, and compares
//! every variable that is a linear combination (a `Linear` output, a Rescale or Div quotient
//! and remainder, a lookup output) with its trace value. The failure reported is the one of
//! the earliest argument, named with its index, display form and IR node.

use ark_bn254::Fr;
use ark_ff::Zero;
use rayon::prelude::*;
use zkc_runtime::{poseidon, Argument, BackendError, Program, Trace, Var};

use crate::field::{fr, show};
use crate::r1cs::{lower, Lc};

fn eval(lc: &Lc, z: &[Fr]) -> Fr {
    lc.iter().fold(Fr::zero(), |acc, &(c, i)| acc + c * z[i])
}

/// Checks `trace` against the R1CS of `program`.
pub fn run(program: &Program, trace: &Trace) -> Result<(), BackendError> {
    let r = lower(program, Some(trace), true)?;
    let z = &r.z;
    // (argument index, detail) of the first failing row and of the first mismatching variable.
    let row = (0..r.num_constraints)
        .into_par_iter()
        .filter(|&k| eval(&r.a[k], z) * eval(&r.b[k], z) != eval(&r.c[k], z))
        .min_by_key(|&k| (r.row_arg[k], k));
    let row = row.map(|k| {
        let first = r.row_arg.iter().position(|&a| a == r.row_arg[k]).unwrap_or(k);
        (
            r.row_arg[k],
            format!(
                "its R1CS constraint #{} (constraint {k} of the circuit): {} · {} ≠ {}",
                k - first,
                show(eval(&r.a[k], z)),
                show(eval(&r.b[k], z)),
                show(eval(&r.c[k], z))
            ),
        )
    });
    let var = r
        .reps
        .par_iter()
        .enumerate()
        .filter_map(|(i, rep)| {
            let rep = rep.as_ref()?;
            let got = eval(&rep.lc, z);
            let want = fr(trace.values[i]);
            (got != want).then(|| {
                (
                    rep.def,
                    format!(
                        "{} = {} in the trace but its constraints give {}",
                        Var(i as u32),
                        trace.values[i],
                        show(got)
                    ),
                )
            })
        })
        .min_by_key(|(a, _)| *a);
    // The R1CS binds a digest only modulo p (see `args/hash.rs`); the checker wants the
    // canonical limbs, so a split of `h + k·p` is named here.
    let split = program.arguments.iter().enumerate().find_map(|(i, (a, _))| match a {
        Argument::Hash { digest, .. } => {
            let limbs = digest.map(|d| trace.values[d.0 as usize]);
            poseidon::bn254_from_limbs(&limbs).is_none().then(|| {
                (
                    i as u32,
                    format!(
                        "the digest limbs {limbs:?} are not the canonical split of a field element (each in [0, 2^64), below p)"
                    ),
                )
            })
        }
        _ => None,
    });
    let worst = [var, row, split].into_iter().flatten().min_by_key(|(a, _)| *a);
    match worst {
        None => Ok(()),
        Some((index, detail)) => {
            let (a, o) = &program.arguments[index as usize];
            Err(BackendError::Unsatisfied(format!(
                "argument {index} `{a}` from {o} is violated: {detail}"
            )))
        }
    }
}
