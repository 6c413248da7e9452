//! The one witness solver: executes a program on integer inputs and returns the [`Trace`].
//!
//! Each argument defines its outputs from earlier values (documented per variant) and the
//! solver checks every constraint as it goes, so a value outside a proven range (an input
//! beyond the calibrated range, say) fails here with the argument and node named, instead
//! of producing a witness no backend could prove.

use crate::checker::check_argument;
use crate::program::{Argument, Origin, Program, Var};
use crate::trace::Trace;

/// Why the solver stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SolveError {
    /// Wrong number of inputs.
    #[error("the program takes {expected} input values but {got} were given")]
    InputCount {
        /// Expected count.
        expected: usize,
        /// Given count.
        got: usize,
    },
    /// An argument could not be satisfied.
    #[error("argument {index} `{argument}` from node {} `{}`: {detail}", origin.node, origin.name)]
    Argument {
        /// Index in the program.
        index: usize,
        /// Its display form.
        argument: String,
        /// The IR node it came from.
        origin: Origin,
        /// What failed, with values.
        detail: String,
    },
}

/// Solves `program` for `inputs` (the flattened quantized model inputs).
pub fn solve(program: &Program, inputs: &[i128]) -> Result<Trace, SolveError> {
    let n_inputs = program
        .arguments
        .iter()
        .filter(|(a, _)| matches!(a, Argument::Input { .. }))
        .count();
    if inputs.len() != n_inputs {
        return Err(SolveError::InputCount {
            expected: n_inputs,
            got: inputs.len(),
        });
    }
    let mut vals: Vec<Option<i128>> = vec![None; program.num_vars as usize];
    for (index, (a, origin)) in program.arguments.iter().enumerate() {
        let fail = |detail: String| SolveError::Argument {
            index,
            argument: a.to_string(),
            origin: origin.clone(),
            detail,
        };
        let get = |vals: &Vec<Option<i128>>, v: Var| -> Result<i128, SolveError> {
            vals.get(v.0 as usize)
                .copied()
                .flatten()
                .ok_or_else(|| fail(format!("reads {v} before it is defined (malformed program)")))
        };
        let set = |vals: &mut Vec<Option<i128>>, v: Var, x: i128| -> Result<(), SolveError> {
            match vals.get_mut(v.0 as usize) {
                Some(slot @ None) => {
                    *slot = Some(x);
                    Ok(())
                }
                Some(Some(_)) => Err(fail(format!("defines {v} a second time (malformed program)"))),
                None => Err(fail(format!(
                    "{v} is beyond the program's {} variables",
                    program.num_vars
                ))),
            }
        };
        let overflow = || fail("arithmetic overflow (values exceed 127 bits)".into());
        match a {
            Argument::Input { x, index: i } => {
                let v = *inputs
                    .get(*i)
                    .ok_or_else(|| fail(format!("input index {i} is out of range")))?;
                set(&mut vals, *x, v)?;
            }
            Argument::Linear { out, terms, constant } => {
                let mut s = *constant;
                for (c, v) in terms {
                    s = c
                        .checked_mul(get(&vals, *v)?)
                        .and_then(|p| s.checked_add(p))
                        .ok_or_else(overflow)?;
                }
                set(&mut vals, *out, s)?;
            }
            Argument::Mul { out, a: x, b } => {
                let p = get(&vals, *x)?.checked_mul(get(&vals, *b)?).ok_or_else(overflow)?;
                set(&mut vals, *out, p)?;
            }
            Argument::Lookup { x, y, table } => {
                let xv = get(&vals, *x)?;
                let t = program
                    .tables
                    .get(*table)
                    .ok_or_else(|| fail(format!("table {table} does not exist")))?;
                let v = t.get(xv).ok_or_else(|| {
                    fail(format!(
                        "{x} = {xv} is outside the domain [{}, {}] of table `{}`: the value left the calibrated range; recalibrate with data that covers it or raise --bits",
                        t.lo,
                        t.lo + t.values.len() as i128 - 1,
                        t.name
                    ))
                })?;
                set(&mut vals, *y, v)?;
            }
            Argument::Rescale { x, q, r, k, .. } => {
                if *k >= 126 {
                    return Err(fail(format!("shift 2^{k} is too large")));
                }
                let xv = get(&vals, *x)?;
                let half = if *k == 0 { 0 } else { 1i128 << (k - 1) };
                let t = xv.checked_add(half).ok_or_else(overflow)?;
                let d = 1i128 << k;
                set(&mut vals, *q, t.div_euclid(d))?;
                set(&mut vals, *r, t.rem_euclid(d))?;
            }
            Argument::Div { n, d, q, r, .. } => {
                let (nv, dv) = (get(&vals, *n)?, get(&vals, *d)?);
                if dv <= 0 {
                    return Err(fail(format!("divisor {d} = {dv} must be positive")));
                }
                set(&mut vals, *q, nv.div_euclid(dv))?;
                set(&mut vals, *r, nv.rem_euclid(dv))?;
            }
            Argument::Max { out, a: x, b, .. } => {
                let av = get(&vals, *x)?;
                let bv = match b {
                    Some(b) => get(&vals, *b)?,
                    None => 0,
                };
                set(&mut vals, *out, av.max(bv))?;
            }
            Argument::Range { x, .. } | Argument::Public { x } => {
                get(&vals, *x)?;
            }
        }
        // Every constraint must hold on what was just defined (ranges included).
        let snapshot = &vals;
        let val = |v: Var| snapshot[v.0 as usize].unwrap_or(0);
        check_argument(program, a, &val).map_err(|d| {
            fail(format!(
                "{d}; the value left its proven range (for a model input, widen --input-range)"
            ))
        })?;
    }
    let values = vals
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            v.ok_or_else(|| SolveError::Argument {
                index: 0,
                argument: format!("v{i}"),
                origin: Origin::default(),
                detail: format!("v{i} is never defined (malformed program)"),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Trace { values })
}
