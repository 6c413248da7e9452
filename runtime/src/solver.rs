//! The one witness solver: executes a program on integer inputs and returns the [`Trace`].
//!
//! Each argument defines its outputs from earlier values (the "Defines" of its doc comment),
//! then the solver checks all of that argument's constraints, so a value outside a proven
//! range (an input beyond the calibrated range, say) stops here with the argument and ONNX
//! node named, instead of producing a witness no backend could prove.

use crate::checker::{check_argument, MAX_SHIFT};
use crate::program::{Argument, Origin, Program, Var};
use crate::trace::Trace;

/// Why the solver stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SolveError {
    /// Wrong number of inputs.
    #[error("the program takes {expected} input values but {got} were given")]
    InputCount {
        /// Number of [`Argument::Input`]s.
        expected: usize,
        /// Given count.
        got: usize,
    },
    /// An argument could not be computed or one of its constraints does not hold.
    #[error("argument {index} `{argument}` from {origin}: {detail}")]
    Argument {
        /// Index in `program.arguments`.
        index: usize,
        /// Its display form.
        argument: String,
        /// The IR node it came from.
        origin: Origin,
        /// What failed, with the values and the bound.
        detail: String,
    },
    /// No argument defines this variable (a malformed program).
    #[error("{var} is never defined by any argument (malformed program)")]
    Undefined {
        /// The variable.
        var: Var,
    },
}

/// Solves `program` for `inputs` (the flattened quantized model inputs, `inputs[i]` for
/// `Input { index: i }`). All arithmetic is checked: overflow is an error, never a panic.
pub fn solve(program: &Program, inputs: &[i128]) -> Result<Trace, SolveError> {
    let expected = program
        .arguments
        .iter()
        .filter(|(a, _)| matches!(a, Argument::Input { .. }))
        .count();
    if inputs.len() != expected {
        return Err(SolveError::InputCount {
            expected,
            got: inputs.len(),
        });
    }
    let mut vals: Vec<Option<i128>> = vec![None; program.num_vars as usize];
    for (index, (a, origin)) in program.arguments.iter().enumerate() {
        let fail = |detail: String| SolveError::Argument {
            index,
            argument: program.describe(a),
            origin: origin.clone(),
            detail,
        };
        let get = |v: Var| match vals.get(v.0 as usize) {
            Some(Some(x)) => Ok(*x),
            Some(None) => Err(format!("reads {v} before any argument defines it (malformed program)")),
            None => Err(format!(
                "{v} is beyond the program's {} variables (malformed program)",
                program.num_vars
            )),
        };
        let defined = define(program, a, inputs, &get).map_err(fail)?;
        for (v, x) in defined {
            match vals.get_mut(v.0 as usize) {
                Some(slot @ None) => *slot = Some(x),
                Some(Some(_)) => return Err(fail(format!("defines {v} a second time (malformed program)"))),
                None => {
                    let n = program.num_vars;
                    return Err(fail(format!(
                        "{v} is beyond the program's {n} variables (malformed program)"
                    )));
                }
            }
        }
        // Every variable of `a` is now defined; its bounds must hold on what was computed.
        let val = |v: Var| vals[v.0 as usize].unwrap_or_default();
        check_argument(program, a, &val).map_err(|d| {
            if origin.node == usize::MAX && origin.name == "parameters" {
                // The packing of hashed weights: only other weights than the compiled ones fail.
                fail(format!(
                    "{d}: these weights are wider than the ones this circuit was compiled with; \
                     use the params.zkc written with the circuit, or recompile"
                ))
            } else {
                fail(format!(
                    "{d}: the value left the range this circuit was compiled for; \
                     if it comes from a model input, recalibrate with data that covers it (or widen --input-range)"
                ))
            }
        })?;
    }
    let values = vals
        .into_iter()
        .enumerate()
        .map(|(i, v)| v.ok_or(SolveError::Undefined { var: Var(i as u32) }))
        .collect::<Result<_, _>>()?;
    Ok(Trace { values })
}

/// The values `a` defines, computed from earlier ones (`get`). One arm per argument.
fn define(
    program: &Program,
    a: &Argument,
    inputs: &[i128],
    get: &dyn Fn(Var) -> Result<i128, String>,
) -> Result<Vec<(Var, i128)>, String> {
    let overflow = || "arithmetic overflow (values exceed 127 bits)".to_string();
    Ok(match a {
        Argument::Input { x, index } => {
            let v = inputs.get(*index).ok_or_else(|| {
                format!(
                    "input index {index} is beyond the {} inputs (malformed program)",
                    inputs.len()
                )
            })?;
            vec![(*x, *v)]
        }
        Argument::Linear { out, terms, constant } => {
            let mut s = *constant;
            for (c, v) in terms {
                s = c
                    .checked_mul(get(*v)?)
                    .and_then(|p| s.checked_add(p))
                    .ok_or_else(overflow)?;
            }
            vec![(*out, s)]
        }
        Argument::Mul { out, a, b } => vec![(*out, get(*a)?.checked_mul(get(*b)?).ok_or_else(overflow)?)],
        Argument::Lookup { x, y, table } => {
            let xv = get(*x)?;
            let t = program
                .tables
                .get(*table)
                .ok_or_else(|| format!("table {table} does not exist (malformed program)"))?;
            // Outside the domain there is no value: the checker names the domain below.
            vec![(*y, t.get(xv).unwrap_or_default())]
        }
        Argument::Rescale { x, q, r, k, .. } => {
            if *k > MAX_SHIFT {
                return Err(format!("shift 2^{k} is beyond 2^{MAX_SHIFT} (malformed program)"));
            }
            // x + 2^(k-1) = 2^k·q + r with 0 ≤ r < 2^k: round half up, Euclidean for negatives.
            let half = if *k == 0 { 0 } else { 1i128 << (k - 1) };
            let t = get(*x)?.checked_add(half).ok_or_else(overflow)?;
            vec![(*q, t.div_euclid(1i128 << k)), (*r, t.rem_euclid(1i128 << k))]
        }
        Argument::Div { n, d, q, r, .. } => {
            let (nv, dv) = (get(*n)?, get(*d)?);
            if dv <= 0 {
                return Err(format!("divisor {d} = {dv} must be positive"));
            }
            vec![(*q, nv.div_euclid(dv)), (*r, nv.rem_euclid(dv))]
        }
        Argument::Max { out, a, b, .. } => {
            let bv = match b {
                Some(b) => get(*b)?,
                None => 0,
            };
            vec![(*out, get(*a)?.max(bv))]
        }
        Argument::Range { x, .. } | Argument::Public { x } => {
            get(*x)?;
            vec![]
        }
        Argument::Hash { inputs, digest, kind } => {
            let values = inputs.iter().map(|v| get(*v)).collect::<Result<Vec<_>, _>>()?;
            digest
                .iter()
                .copied()
                .zip(crate::poseidon::hash(*kind, &values))
                .collect()
        }
    })
}
