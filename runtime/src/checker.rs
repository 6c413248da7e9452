//! The backend-independent checker: verifies every argument of a program against a trace
//! and names the first one violated, with the ONNX node it came from. Backends' `mock`
//! must reject exactly what this rejects.

use crate::program::{Argument, Origin, Program, Var};
use crate::trace::Trace;

/// The first violated argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("argument {index} `{argument}` from node {} `{}` is violated: {detail}", origin.node, origin.name)]
pub struct Violation {
    /// Index in `program.arguments`.
    pub index: usize,
    /// The argument's display form.
    pub argument: String,
    /// Where it came from.
    pub origin: Origin,
    /// The concrete values that break it.
    pub detail: String,
}

/// `lo ≤ v < hi` with `hi = 2^bits` offset by `offset`.
pub(crate) fn in_signed(v: i128, bits: u32) -> bool {
    if bits >= 127 {
        return true;
    }
    let h = 1i128 << (bits - 1).min(126);
    bits > 0 && v >= -h && v < h
}

pub(crate) fn in_unsigned(v: i128, bits: u32) -> bool {
    if bits >= 127 {
        return v >= 0;
    }
    v >= 0 && v < (1i128 << bits)
}

/// Checks one argument; `Err(detail)` when violated.
pub fn check_argument(program: &Program, a: &Argument, val: &dyn Fn(Var) -> i128) -> Result<(), String> {
    let overflow = || "arithmetic overflow while checking".to_string();
    match a {
        Argument::Input { .. } | Argument::Public { .. } => Ok(()),
        Argument::Linear { out, terms, constant } => {
            let mut s = *constant;
            for (c, v) in terms {
                s = c
                    .checked_mul(val(*v))
                    .and_then(|p| s.checked_add(p))
                    .ok_or_else(overflow)?;
            }
            if val(*out) == s {
                Ok(())
            } else {
                Err(format!("{out} = {} but the terms give {s}", val(*out)))
            }
        }
        Argument::Mul { out, a, b } => {
            let p = val(*a).checked_mul(val(*b)).ok_or_else(overflow)?;
            if val(*out) == p {
                Ok(())
            } else {
                Err(format!("{out} = {} but {} · {} = {p}", val(*out), val(*a), val(*b)))
            }
        }
        Argument::Range { x, bits } => {
            if in_signed(val(*x), *bits) {
                Ok(())
            } else {
                Err(format!("{x} = {} does not fit {bits} signed bits", val(*x)))
            }
        }
        Argument::Lookup { x, y, table } => {
            let t = program
                .tables
                .get(*table)
                .ok_or_else(|| format!("table {table} does not exist"))?;
            match t.get(val(*x)) {
                None => Err(format!(
                    "{x} = {} is outside the domain of `{}` [{}, {}]",
                    val(*x),
                    t.name,
                    t.lo,
                    t.lo + t.values.len() as i128 - 1
                )),
                Some(v) if v == val(*y) => Ok(()),
                Some(v) => Err(format!("{y} = {} but `{}`[{}] = {v}", val(*y), t.name, val(*x))),
            }
        }
        Argument::Rescale { x, q, r, k, q_bits } => {
            let (xv, qv, rv) = (val(*x), val(*q), val(*r));
            let lhs = xv
                .checked_add(if *k == 0 { 0 } else { 1i128 << (k - 1) })
                .ok_or_else(overflow)?;
            let rhs = qv
                .checked_mul(1i128 << k)
                .and_then(|p| p.checked_add(rv))
                .ok_or_else(overflow)?;
            if lhs != rhs {
                Err(format!(
                    "{x} + 2^{} = {lhs} but 2^{k}·{q} + {r} = {rhs}",
                    k.saturating_sub(1)
                ))
            } else if !in_unsigned(rv, *k) {
                Err(format!("remainder {r} = {rv} is not in [0, 2^{k})"))
            } else if !in_signed(qv, *q_bits) {
                Err(format!("quotient {q} = {qv} does not fit {q_bits} signed bits"))
            } else {
                Ok(())
            }
        }
        Argument::Div { n, d, q, r, bits } => {
            let (nv, dv, qv, rv) = (val(*n), val(*d), val(*q), val(*r));
            let rhs = qv
                .checked_mul(dv)
                .and_then(|p| p.checked_add(rv))
                .ok_or_else(overflow)?;
            if nv != rhs {
                Err(format!("{n} = {nv} but {q}·{d} + {r} = {rhs}"))
            } else if !in_unsigned(rv, *bits) || !in_unsigned(dv - 1 - rv, *bits) {
                Err(format!("remainder {r} = {rv} is not in [0, {d} = {dv})"))
            } else if !in_signed(qv, *bits) {
                Err(format!("quotient {q} = {qv} does not fit {bits} signed bits"))
            } else {
                Ok(())
            }
        }
        Argument::Max { out, a, b, bits } => {
            let (o, av) = (val(*out), val(*a));
            let bv = b.map(val).unwrap_or(0);
            let (da, db) = (
                o.checked_sub(av).ok_or_else(overflow)?,
                o.checked_sub(bv).ok_or_else(overflow)?,
            );
            if da.checked_mul(db) != Some(0) {
                Err(format!("{out} = {o} is neither {a} = {av} nor the other operand {bv}"))
            } else if !in_unsigned(da, *bits) || !in_unsigned(db, *bits) {
                Err(format!(
                    "{out} = {o} is not ≥ both operands {av} and {bv} within {bits} bits"
                ))
            } else {
                Ok(())
            }
        }
    }
}

/// Checks every argument; returns the first violation.
pub fn check(program: &Program, trace: &Trace) -> Result<(), Violation> {
    if trace.values.len() != program.num_vars as usize {
        return Err(Violation {
            index: 0,
            argument: "trace length".into(),
            origin: Origin::default(),
            detail: format!(
                "the trace has {} values but the program has {} variables",
                trace.values.len(),
                program.num_vars
            ),
        });
    }
    let val = |v: Var| trace.values[v.0 as usize];
    for (index, (a, origin)) in program.arguments.iter().enumerate() {
        if let Err(detail) = check_argument(program, a, &val) {
            return Err(Violation {
                index,
                argument: a.to_string(),
                origin: origin.clone(),
                detail,
            });
        }
    }
    Ok(())
}
