//! Comparisons, boolean logic and Where, from `Max`, `Mul` and `Linear` only.
//!
//! A boolean is 0 or 1 at scale s, the integer 0 or 2^s. Everything rests on two exact
//! integer facts, each a pair of `Max` arguments (which pin their output: see
//! `Argument::Max`):
//!
//! - `[d ≥ 1] = min(max(d, 0), 1)` for an integer d, so a strict comparison of the
//!   quantized operands is `[a - b ≥ 1]`;
//! - `[v ≠ 0] = min(max(v, -v), 1)` (truth of a logic operand or a Where condition).
//!
//! Both are 0/1 for every witness that satisfies the arguments, so a product of two of them
//! (`And`) or of one with a difference (`Where`: `y + t·(x - y)`) is one `Mul` whose output is
//! pinned too; nothing assumes that an input is boolean. Comparisons are of the quantized
//! values: operands closer than 2^-s may compare differently than in float.

use zkc_ir::ops::binary::broadcast_offsets;
use zkc_ir::ops::LogicOp;
use zkc_runtime::Var;

use super::nonlinear::min_const;
use super::{Builder, Operand, QTensor, R};

/// An operand as variables at the activation scale; constants must be finite.
fn as_vars(b: &mut Builder, o: &Operand, what: &str) -> R<QTensor> {
    match o {
        Operand::Var(t) => Ok((*t).clone()),
        Operand::Const(t) | Operand::Param(t, _) => {
            if let Some(v) = t.data.iter().find(|v| !v.is_finite()) {
                return Err(format!(
                    "the constant {what} holds {v}, which has no fixed-point value; replace it by a finite value in the model"
                ));
            }
            Ok(b.const_tensor(t))
        }
    }
}

/// `[d ≥ 1] = min(max(d, 0), 1)` for an integer `d` with |d| ≤ `db`: 0 or 1.
fn at_least_one(b: &mut Builder, d: Var, db: i128) -> R<Var> {
    let r = b.max(d, None, db)?;
    min_const(b, r, db, 1)
}

/// `[v ≠ 0] = min(|v|, 1)` for |v| ≤ `vb`: 0 or 1.
fn truth(b: &mut Builder, v: Var, vb: i128) -> R<Var> {
    let n = b.linear(vec![(-1, v)], 0, vb)?;
    let a = b.max(v, Some(n), 2 * vb)?;
    min_const(b, a, vb, 1)
}

/// Truth of every element of `t`.
fn truths(b: &mut Builder, t: &QTensor) -> R<Vec<Var>> {
    t.vars.iter().map(|&v| truth(b, v, t.bound)).collect()
}

/// `Op::Logic`: one 0/1 value per output element, scaled to 2^s. A comparison with a
/// non-finite constant element has the same answer for every finite value (which every
/// witness is), so that element is a constant; other constants are quantized.
pub(super) fn compare(b: &mut Builder, op: LogicOp, ins: &[Operand], out_shape: &[usize]) -> R<QTensor> {
    let [l, r] = ins else {
        return Err(format!("{} takes two operands", op.name()));
    };
    let mut side = |o: &Operand<'_>| -> R<(QTensor, Option<zkc_ir::Tensor>)> {
        match o {
            Operand::Var(t) => Ok(((*t).clone(), None)),
            Operand::Const(t) | Operand::Param(t, _) => {
                // Non-finite entries stand in as 0 for the variables; the answer is fixed below.
                let finite = zkc_ir::Tensor::new(
                    t.shape.clone(),
                    t.data.iter().map(|&v| if v.is_finite() { v } else { 0.0 }).collect(),
                );
                Ok((b.const_tensor(&finite), Some((*t).clone())))
            }
        }
    };
    let (x, cx) = side(l)?;
    let (y, cy) = side(r)?;
    let (ox, oy) = (
        broadcast_offsets(&x.shape, out_shape),
        broadcast_offsets(&y.shape, out_shape),
    );
    let one = 1i128 << b.scale;
    let db = x.bound + y.bound;
    // The answer where a constant operand is not finite: the other operand is finite (a
    // witness, or a constant's stand-in 0), so any finite value gives it.
    let fixed = |i: usize, j: usize| -> Option<bool> {
        let vx = cx.as_ref().map(|t| t.data[i]).filter(|v| !v.is_finite());
        let vy = cy.as_ref().map(|t| t.data[j]).filter(|v| !v.is_finite());
        match (vx, vy) {
            (None, None) => None,
            (a, c) => Some(op.apply(a.unwrap_or(0.0), c.unwrap_or(0.0)) != 0.0),
        }
    };
    let mut vars = Vec::with_capacity(ox.len());
    match op {
        LogicOp::And | LogicOp::Or | LogicOp::Xor => {
            let (tx, ty) = (truths(b, &x)?, truths(b, &y)?);
            for (&i, &j) in ox.iter().zip(&oy) {
                if let Some(v) = fixed(i, j) {
                    vars.push(b.constant(if v { one } else { 0 }));
                    continue;
                }
                let (p, q) = (tx[i], ty[j]);
                let pq = b.mul(p, q, 1)?;
                let terms = match op {
                    LogicOp::And => vec![(one, pq)],
                    LogicOp::Or => vec![(one, p), (one, q), (-one, pq)],
                    _ => vec![(one, p), (one, q), (-2 * one, pq)],
                };
                vars.push(b.linear(terms, 0, 2 * one)?);
            }
        }
        _ => {
            for (&i, &j) in ox.iter().zip(&oy) {
                if let Some(v) = fixed(i, j) {
                    vars.push(b.constant(if v { one } else { 0 }));
                    continue;
                }
                let (a, c) = (x.vars[i], y.vars[j]);
                // (t, negate): the output is t or 1 - t.
                let (t, negate) = match op {
                    LogicOp::Greater | LogicOp::LessOrEqual => {
                        let d = b.linear(vec![(1, a), (-1, c)], 0, db)?;
                        (at_least_one(b, d, db)?, op == LogicOp::LessOrEqual)
                    }
                    LogicOp::Less | LogicOp::GreaterOrEqual => {
                        let d = b.linear(vec![(1, c), (-1, a)], 0, db)?;
                        (at_least_one(b, d, db)?, op == LogicOp::GreaterOrEqual)
                    }
                    _ => {
                        let d = b.linear(vec![(1, a), (-1, c)], 0, db)?;
                        (truth(b, d, db)?, true)
                    }
                };
                vars.push(if negate {
                    b.linear(vec![(-one, t)], one, one)?
                } else {
                    b.linear(vec![(one, t)], 0, one)?
                });
            }
        }
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound: one,
    })
}

/// `Op::Where`: `y + t·(x - y)` with t = [c ≠ 0] (one `Mul` per element); a constant
/// condition only picks variables.
pub(super) fn select(b: &mut Builder, ins: &[Operand], out_shape: &[usize]) -> R<QTensor> {
    let [c, x, y] = ins else {
        return Err("Where takes three operands".into());
    };
    let (x, y) = (as_vars(b, x, "value x")?, as_vars(b, y, "value y")?);
    let oc_shape = match c {
        Operand::Var(t) => t.shape.clone(),
        Operand::Const(t) | Operand::Param(t, _) => t.shape.clone(),
    };
    let oc = broadcast_offsets(&oc_shape, out_shape);
    let (ox, oy) = (
        broadcast_offsets(&x.shape, out_shape),
        broadcast_offsets(&y.shape, out_shape),
    );
    let bound = x.bound.max(y.bound);
    let db = x.bound + y.bound;
    let mut vars = Vec::with_capacity(oc.len());
    match c {
        Operand::Const(t) | Operand::Param(t, _) => {
            for k in 0..oc.len() {
                vars.push(if t.data[oc[k]] != 0.0 {
                    x.vars[ox[k]]
                } else {
                    y.vars[oy[k]]
                });
            }
        }
        Operand::Var(t) => {
            let tc = truths(b, t)?;
            for k in 0..oc.len() {
                let (xv, yv) = (x.vars[ox[k]], y.vars[oy[k]]);
                let d = b.linear(vec![(1, xv), (-1, yv)], 0, db)?;
                let p = b.mul(tc[oc[k]], d, db)?;
                vars.push(b.linear(vec![(1, yv), (1, p)], 0, db + y.bound)?);
            }
        }
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound,
    })
}

/// `Op::Mod` by a constant divisor, per element, with B the divisor's integer at scale s
/// (≠ 0) and D = |B|, by `Div` arguments with the constant divisor D (which pin the
/// quotients: `n = q·D + r`, `0 ≤ r < D`):
///
/// - Python (`fmod = 0`), the sign of the divisor: for B > 0, r = a - D·⌊a/D⌋ ∈ [0, D);
///   for B < 0, r = a + D·⌊-a/D⌋ ∈ (-D, 0];
/// - C (`fmod = 1`), the sign of the dividend: with m = max(a, 0) and n = m - a = max(-a, 0)
///   (one of them is 0), r = (m - D·⌊m/D⌋) - (n - D·⌊n/D⌋).
///
/// The remainder is that of the quantized operands. A divisor computed at run time is
/// refused: its sign and magnitude would need arguments of their own.
pub(super) fn modulo(b: &mut Builder, fmod: bool, ins: &[Operand], out_shape: &[usize]) -> R<QTensor> {
    let [l, r] = ins else {
        return Err("Mod takes two operands".into());
    };
    let d = match r {
        Operand::Const(t) | Operand::Param(t, _) => *t,
        Operand::Var(_) => {
            return Err(
                "Mod by a divisor computed at run time has no circuit yet; only a constant divisor (an initializer) is supported".into(),
            )
        }
    };
    let x = as_vars(b, l, "dividend")?;
    if let Some(v) = d.data.iter().find(|v| !v.is_finite()) {
        return Err(format!(
            "the constant divisor holds {v}, which has no fixed-point value"
        ));
    }
    let ds = Builder::quantize(d, b.scale);
    if let Some(i) = ds.iter().position(|&v| v == 0) {
        return Err(format!(
            "the divisor {} quantizes to 0 at scale {}; raise --scale",
            d.data[i], b.scale
        ));
    }
    let (ox, od) = (
        broadcast_offsets(&x.shape, out_shape),
        broadcast_offsets(&d.shape, out_shape),
    );
    let mut vars = Vec::with_capacity(ox.len());
    let mut bound = 0;
    for (&i, &j) in ox.iter().zip(&od) {
        let (a, bq) = (x.vars[i], ds[j]);
        let dd = bq.abs();
        let dv = b.constant(dd);
        let divb = x.bound.max(dd);
        let acc = 2 * (x.bound + dd);
        let r = if !fmod {
            let (n, sign) = if bq > 0 {
                (a, -1)
            } else {
                (b.linear(vec![(-1, a)], 0, x.bound)?, 1)
            };
            let q = b.div(n, dv, divb)?;
            b.linear(vec![(1, a), (sign * dd, q)], 0, acc)?
        } else {
            let m = b.max(a, None, x.bound)?;
            let n = b.linear(vec![(1, m), (-1, a)], 0, x.bound)?;
            let qm = b.div(m, dv, divb)?;
            let qn = b.div(n, dv, divb)?;
            b.linear(vec![(1, m), (-dd, qm), (-1, n), (dd, qn)], 0, acc)?
        };
        vars.push(r);
        bound = bound.max(dd);
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound,
    })
}
