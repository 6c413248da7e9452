//! The backend-independent checker: verifies every constraint of every argument against a
//! trace and names the first one violated, with the ONNX node it came from. It is the
//! specification the backends' `mock` must agree with.

use std::fmt;

use crate::program::{Argument, Origin, Program, Var};
use crate::trace::Trace;

/// The first violated argument, or a trace that does not fit the program at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Violation {
    /// Index in `program.arguments` (0 when the trace length is wrong).
    pub index: usize,
    /// The argument's display form (empty when the trace length is wrong).
    pub argument: String,
    /// Where it came from.
    pub origin: Origin,
    /// The concrete values that break it.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.argument.is_empty() {
            return f.write_str(&self.detail);
        }
        let (i, a, o, d) = (self.index, &self.argument, &self.origin, &self.detail);
        write!(f, "argument {i} `{a}` from {o} is violated: {d}")
    }
}

/// `-2^(bits-1) ≤ v < 2^(bits-1)`; no value fits 0 bits (the compiler never asks for it).
pub(crate) fn in_signed(v: i128, bits: u32) -> bool {
    match bits {
        0 => false,
        1..=127 => {
            let h = 1i128 << (bits - 1);
            -h <= v && v < h
        }
        _ => true,
    }
}

/// `0 ≤ v < 2^bits`.
pub(crate) fn in_unsigned(v: i128, bits: u32) -> bool {
    v >= 0 && (bits >= 127 || v < (1i128 << bits))
}

/// The largest shift whose `2^k` and `2^(k-1)` are exact in i128.
pub(crate) const MAX_SHIFT: u32 = 126;

/// Checks one argument's constraints; `Err(detail)` names the values that break it.
/// Every variable of `a` must be a valid index for `val`.
pub(crate) fn check_argument(program: &Program, a: &Argument, val: &dyn Fn(Var) -> i128) -> Result<(), String> {
    let overflow = || "arithmetic overflow while checking (values exceed 127 bits)".to_string();
    match a {
        // An input is a free witness; a public value is bound by the verifier, not here.
        Argument::Input { .. } | Argument::Public { .. } => Ok(()),
        Argument::Linear { out, terms, constant } => {
            let mut s = *constant;
            for (c, v) in terms {
                s = c
                    .checked_mul(val(*v))
                    .and_then(|p| s.checked_add(p))
                    .ok_or_else(overflow)?;
            }
            match val(*out) {
                o if o == s => Ok(()),
                o => Err(format!("{out} = {o} but the terms give {s}")),
            }
        }
        Argument::Mul { out, a, b } => {
            let p = val(*a).checked_mul(val(*b)).ok_or_else(overflow)?;
            match val(*out) {
                o if o == p => Ok(()),
                o => Err(format!("{out} = {o} but {a}·{b} = {}·{} = {p}", val(*a), val(*b))),
            }
        }
        Argument::Range { x, bits } => match val(*x) {
            v if in_signed(v, *bits) => Ok(()),
            v => Err(format!("{x} = {v} does not fit {bits} signed bits")),
        },
        Argument::Lookup { x, y, table } => {
            let t = program
                .tables
                .get(*table)
                .ok_or_else(|| format!("table {table} does not exist (malformed program)"))?;
            let (xv, yv) = (val(*x), val(*y));
            match t.get(xv) {
                None => Err(format!(
                    "{x} = {xv} is outside the domain [{}, {}] of `{}`",
                    t.lo,
                    t.lo.saturating_add(t.values.len() as i128 - 1),
                    t.name
                )),
                Some(v) if v == yv => Ok(()),
                Some(v) => Err(format!("{y} = {yv} but `{}`[{xv}] = {v}", t.name)),
            }
        }
        Argument::Rescale { x, q, r, k, q_bits } => {
            if *k > MAX_SHIFT {
                return Err(format!("shift 2^{k} is beyond 2^{MAX_SHIFT} (malformed program)"));
            }
            let (xv, qv, rv) = (val(*x), val(*q), val(*r));
            let half = if *k == 0 { 0 } else { 1i128 << (k - 1) };
            let lhs = xv.checked_add(half).ok_or_else(overflow)?;
            let rhs = qv
                .checked_mul(1i128 << k)
                .and_then(|p| p.checked_add(rv))
                .ok_or_else(overflow)?;
            if lhs != rhs {
                Err(format!("{x} + {half} = {lhs} but 2^{k}·{q} + {r} = {rhs}"))
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
            let gap = dv.checked_sub(1).and_then(|g| g.checked_sub(rv)).ok_or_else(overflow)?;
            if nv != rhs {
                Err(format!("{n} = {nv} but {q}·{d} + {r} = {qv}·{dv} + {rv} = {rhs}"))
            } else if !in_unsigned(rv, *bits) || !in_unsigned(gap, *bits) {
                Err(format!(
                    "remainder {r} = {rv} is not in [0, {d} = {dv}) within {bits} bits"
                ))
            } else if !in_signed(qv, *bits) {
                Err(format!("quotient {q} = {qv} does not fit {bits} signed bits"))
            } else {
                Ok(())
            }
        }
        Argument::Max { out, a, b, bits } => {
            let (o, av, bv) = (val(*out), val(*a), b.map(val).unwrap_or(0));
            let da = o.checked_sub(av).ok_or_else(overflow)?;
            let db = o.checked_sub(bv).ok_or_else(overflow)?;
            if da != 0 && db != 0 {
                Err(format!("{out} = {o} is neither {a} = {av} nor the other operand {bv}"))
            } else if !in_unsigned(da, *bits) || !in_unsigned(db, *bits) {
                Err(format!(
                    "{out} = {o} is not ≥ both operands {av} and {bv} within {bits} bits"
                ))
            } else {
                Ok(())
            }
        }
        Argument::Hash { inputs, digest, kind } => {
            let values: Vec<i128> = inputs.iter().map(|v| val(*v)).collect();
            let want = crate::poseidon::hash(*kind, &values);
            match digest.iter().zip(want).enumerate().find(|(_, (d, w))| val(**d) != *w) {
                None => Ok(()),
                Some((i, (d, w))) => Err(format!(
                    "digest[{i}] {d} = {} but {kind:?} of the {} inputs gives {w}",
                    val(*d),
                    inputs.len()
                )),
            }
        }
    }
}

/// Checks every constraint of every argument; returns the first violation.
pub fn check(program: &Program, trace: &Trace) -> Result<(), Violation> {
    if trace.values.len() != program.num_vars as usize {
        return Err(Violation {
            index: 0,
            argument: String::new(),
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
        let violation = |detail| Violation {
            index,
            argument: program.describe(a),
            origin: origin.clone(),
            detail,
        };
        if let Some(v) = a
            .reads()
            .into_iter()
            .chain(a.defines())
            .find(|v| v.0 >= program.num_vars)
        {
            let n = program.num_vars;
            return Err(violation(format!(
                "{v} is beyond the program's {n} variables (malformed program)"
            )));
        }
        check_argument(program, a, &val).map_err(violation)?;
    }
    Ok(())
}
