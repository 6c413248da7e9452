//! Softmax and log-softmax, numerically stable (the maximum is subtracted first).

use super::{OpError, OpResult};
use crate::tensor::{numel, strides, Tensor};

/// The input shape; the axis must exist.
pub fn shape(axis: usize, x: &[usize]) -> OpResult<Vec<usize>> {
    if axis >= x.len() {
        return Err(OpError::new(format!("softmax axis {axis} out of range for {x:?}")));
    }
    Ok(x.to_vec())
}

/// Offsets normalized together: rows of the 2-D view (opset < 13) or lines along `axis`.
pub fn groups(axis: usize, coerce_2d: bool, shape: &[usize]) -> Vec<Vec<usize>> {
    if coerce_2d {
        let inner = numel(&shape[axis..]);
        return (0..numel(&shape[..axis]))
            .map(|o| (o * inner..(o + 1) * inner).collect())
            .collect();
    }
    let st = strides(shape);
    let (n, inner) = (shape[axis], st[axis]);
    let mut g = Vec::new();
    for o in 0..numel(&shape[..axis]) {
        for i in 0..inner {
            g.push((0..n).map(|j| o * n * inner + j * inner + i).collect());
        }
    }
    g
}

/// Evaluates softmax (or log-softmax).
pub fn eval(axis: usize, log: bool, coerce_2d: bool, x: &Tensor) -> Tensor {
    let mut out = vec![0.0; x.len()];
    for g in groups(axis, coerce_2d, &x.shape) {
        let m = g.iter().map(|&i| x.data[i]).fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = g.iter().map(|&i| (x.data[i] - m).exp()).sum();
        for &i in &g {
            out[i] = if log {
                x.data[i] - m - sum.ln()
            } else {
                (x.data[i] - m).exp() / sum
            };
        }
    }
    Tensor::new(x.shape.clone(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_along_an_axis_and_in_2d_view() {
        let x = Tensor::new(vec![2, 2], vec![0.0, 0.0, 1.0, 1.0]);
        let y = eval(0, false, false, &x);
        let e = 1.0 / (1.0 + 1f64.exp());
        assert!((y.data[0] - e).abs() < 1e-12 && (y.data[2] - (1.0 - e)).abs() < 1e-12);
        let y = eval(0, false, true, &x);
        let z = 2.0 + 2.0 * 1f64.exp();
        assert!((y.data[0] - 1.0 / z).abs() < 1e-12 && (y.data.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let l = eval(1, true, false, &x);
        assert!((l.data[0] - 0.5f64.ln()).abs() < 1e-12);
    }
}
