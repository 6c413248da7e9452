//! [`MathFn`] activations: the smooth ones (Sin, Cos, Atanh, Celu, ...) by a lookup table over
//! the input's proven range within the function's domain (see `nonlinear::lookup`); Sign,
//! Binarizer and Shrink exactly, by `Max` arguments on the quantized input; IsNaN and IsInf
//! have no circuit (a fixed-point value is never NaN or infinite, so the question only has a
//! float meaning).

use zkc_ir::ops::MathFn;
use zkc_ir::Activation;
use zkc_runtime::Var;

use super::nonlinear::{lookup, min_const};
use super::{Builder, QTensor, R};

/// `[d ≥ 1]` (0 or 1) and `max(d, 0)` for an integer `d` with |d| ≤ `db`.
fn step_and_relu(b: &mut Builder, d: Var, db: i128) -> R<(Var, Var)> {
    let r = b.max(d, None, db)?;
    Ok((min_const(b, r, db, 1)?, r))
}

pub(super) fn lower(b: &mut Builder, m: &MathFn, x: &QTensor, out_shape: &[usize]) -> R<QTensor> {
    let one = 1i128 << b.scale;
    let q = |v: f64| v * one as f64;
    let mut vars = Vec::with_capacity(x.vars.len());
    let bound;
    match *m {
        MathFn::IsNaN | MathFn::IsInf { .. } => {
            return Err(format!(
                "{} has a float meaning (`zkc run`) but no circuit yet: fixed-point values are never NaN or infinite; drop it from the model",
                m.name()
            ))
        }
        // [x ≥ 1] - [-x ≥ 1] in integers: the sign of the quantized input.
        MathFn::Sign => {
            for &v in &x.vars {
                let (p, _) = step_and_relu(b, v, x.bound)?;
                let nv = b.linear(vec![(-1, v)], 0, x.bound)?;
                let (n, _) = step_and_relu(b, nv, x.bound)?;
                vars.push(b.linear(vec![(one, p), (-one, n)], 0, one)?);
            }
            bound = one;
        }
        // x > t ⟺ x_int > ⌊t·2^s⌋ ⟺ x_int - ⌊t·2^s⌋ ≥ 1.
        MathFn::Binarizer { threshold } => {
            let t = q(threshold).floor();
            if !t.is_finite() || t.abs() > 1e30 {
                return Err(format!("threshold {threshold} has no fixed-point value"));
            }
            let t = t as i128;
            let db = x.bound + t.abs();
            for &v in &x.vars {
                let d = b.linear(vec![(1, v)], -t, db)?;
                let (s, _) = step_and_relu(b, d, db)?;
                vars.push(b.linear(vec![(one, s)], 0, one)?);
            }
            bound = one;
        }
        // With up = [x > λ] = [x_int - L ≥ 1] (L = ⌊λ·2^s⌋) and down = [x < -λ] =
        // [C - x_int ≥ 1] (C = ⌈-λ·2^s⌉), and the integer identities
        // up·(x - L) = max(x - L, 0) and down·(x - (C - 1)) = -max(C - 1 - x, 0):
        // y = up·(x - B) + down·(x + B) = max(x - L, 0) + (L - B)·up
        //     - max(C - 1 - x, 0) + (C - 1 + B)·down, B = round(bias·2^s).
        MathFn::Shrink { lambd, bias } => {
            if !(lambd.is_finite() && bias.is_finite()) || lambd < 0.0 || q(lambd.abs() + bias.abs()) > 1e30 {
                return Err(format!(
                    "lambd {lambd} and bias {bias} must be finite with lambd ≥ 0 for a circuit"
                ));
            }
            let l = q(lambd).floor() as i128;
            let c = q(-lambd).ceil() as i128;
            let bb = q(bias).round() as i128;
            let db = x.bound + l.abs() + c.abs() + 1;
            for &v in &x.vars {
                let du = b.linear(vec![(1, v)], -l, db)?;
                let (up, ru) = step_and_relu(b, du, db)?;
                let dd = b.linear(vec![(-1, v)], c, db)?;
                let (down, _) = step_and_relu(b, dd, db)?;
                // max(C - 1 - x, 0) = max(dd - 1, 0): dd ≥ 1 exactly where down = 1.
                let dd1 = b.linear(vec![(1, dd)], -1, db + 1)?;
                let rd = b.max(dd1, None, db + 1)?;
                let terms = vec![(1, ru), (l - bb, up), (-1, rd), (c - 1 + bb, down)];
                vars.push(b.linear(terms, 0, x.bound + bb.abs() + 2 * db)?);
            }
            bound = x.bound + bb.abs();
        }
        _ => return lookup(b, &Activation::Math(*m), x, out_shape),
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound,
    })
}
