//! Elementwise binary arithmetic and maxima with numpy broadcasting.

use serde::{Deserialize, Serialize};

use super::{OpError, OpResult};
use crate::tensor::{numel, strides, Tensor};

/// Add, Sub, Mul, Div, Max or Min.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinaryOp {
    /// a + b.
    Add,
    /// a - b.
    Sub,
    /// a · b.
    Mul,
    /// a / b.
    Div,
    /// max(a, b) (ONNX Max of two inputs; the variadic form is a chain of these).
    Max,
    /// min(a, b) (ONNX Min of two inputs).
    Min,
}

impl BinaryOp {
    /// Applies the op to two scalars.
    pub fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            BinaryOp::Add => a + b,
            BinaryOp::Sub => a - b,
            BinaryOp::Mul => a * b,
            BinaryOp::Div => a / b,
            // NaN wins, as in ONNX (std's max/min would drop it).
            BinaryOp::Max if a.is_nan() || b.is_nan() => f64::NAN,
            BinaryOp::Min if a.is_nan() || b.is_nan() => f64::NAN,
            BinaryOp::Max => a.max(b),
            BinaryOp::Min => a.min(b),
        }
    }
}

/// The numpy broadcast of two shapes.
pub fn broadcast_shape(a: &[usize], b: &[usize]) -> OpResult<Vec<usize>> {
    let r = a.len().max(b.len());
    let mut out = vec![0; r];
    for i in 0..r {
        let da = if i + a.len() >= r { a[i + a.len() - r] } else { 1 };
        let db = if i + b.len() >= r { b[i + b.len() - r] } else { 1 };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(OpError::new(format!(
                    "shapes {a:?} and {b:?} do not broadcast (axis {i}: {da} vs {db})"
                )))
            }
        };
    }
    Ok(out)
}

/// For each output element, the offset of the broadcast source element in a tensor of
/// shape `src`. Used by every broadcasting op.
pub fn broadcast_offsets(src: &[usize], out: &[usize]) -> Vec<usize> {
    let r = out.len();
    let s = strides(src);
    // Stride 0 on broadcast axes.
    let mut eff = vec![0; r];
    for i in 0..src.len() {
        let oi = i + r - src.len();
        eff[oi] = if src[i] == 1 { 0 } else { s[i] };
    }
    let n = numel(out);
    let mut offs = Vec::with_capacity(n);
    let mut idx = vec![0usize; r];
    let mut cur = 0usize;
    for _ in 0..n {
        offs.push(cur);
        for ax in (0..r).rev() {
            idx[ax] += 1;
            cur += eff[ax];
            if idx[ax] < out[ax] {
                break;
            }
            cur -= eff[ax] * idx[ax];
            idx[ax] = 0;
        }
    }
    offs
}

/// `f(a, b)` per element, both broadcast to `out_shape` (from [`broadcast_shape`]): every
/// elementwise two-input op evaluates through it.
pub fn zip_broadcast(a: &Tensor, b: &Tensor, out_shape: &[usize], f: impl Fn(f64, f64) -> f64) -> Tensor {
    let oa = broadcast_offsets(&a.shape, out_shape);
    let ob = broadcast_offsets(&b.shape, out_shape);
    let data = oa.iter().zip(&ob).map(|(&i, &j)| f(a.data[i], b.data[j])).collect();
    Tensor::new(out_shape.to_vec(), data)
}

/// Evaluates `a op b` with broadcasting to `out_shape`.
pub fn eval(op: BinaryOp, a: &Tensor, b: &Tensor, out_shape: &[usize]) -> Tensor {
    zip_broadcast(a, b, out_shape, |x, y| op.apply(x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasts_like_numpy() {
        assert_eq!(broadcast_shape(&[2, 1, 3], &[4, 1]).unwrap(), vec![2, 4, 3]);
        assert!(broadcast_shape(&[2, 3], &[4]).is_err());
        let a = Tensor::new(vec![2, 1], vec![1.0, 2.0]);
        let b = Tensor::new(vec![3], vec![10.0, 20.0, 30.0]);
        let c = eval(BinaryOp::Add, &a, &b, &[2, 3]);
        assert_eq!(c.data, vec![11.0, 21.0, 31.0, 12.0, 22.0, 32.0]);
        let d = eval(BinaryOp::Div, &b, &Tensor::scalar(10.0), &[3]);
        assert_eq!(d.data, vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn max_and_min_pick_per_element_with_broadcasting() {
        // onnx/backend/test/case/node/max.py and min.py, "example" (the first two inputs).
        let a = Tensor::new(vec![3], vec![3.0, 2.0, 1.0]);
        let b = Tensor::new(vec![3], vec![1.0, 4.0, 4.0]);
        assert_eq!(eval(BinaryOp::Max, &a, &b, &[3]).data, vec![3.0, 4.0, 4.0]);
        assert_eq!(eval(BinaryOp::Min, &a, &b, &[3]).data, vec![1.0, 2.0, 1.0]);
        // A column against a row.
        let col = Tensor::new(vec![2, 1], vec![0.0, 5.0]);
        let row = Tensor::new(vec![3], vec![-1.0, 2.0, 7.0]);
        assert_eq!(
            eval(BinaryOp::Max, &col, &row, &[2, 3]).data,
            vec![0.0, 2.0, 7.0, 5.0, 5.0, 7.0]
        );
        assert_eq!(
            eval(BinaryOp::Min, &col, &row, &[2, 3]).data,
            vec![-1.0, 0.0, 0.0, -1.0, 2.0, 5.0]
        );
        assert!(BinaryOp::Max.apply(f64::NAN, 1.0).is_nan());
        assert!(BinaryOp::Min.apply(1.0, f64::NAN).is_nan());
    }
}
