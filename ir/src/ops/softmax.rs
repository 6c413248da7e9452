//! Softmax and log-softmax (ONNX Softmax / LogSoftmax), numerically stable: the maximum of
//! each normalized group is subtracted before exponentiating, so large inputs do not overflow.
//!
//! `softmax(x)_i = e^(x_i - m) / Σ_j e^(x_j - m)`, `log_softmax(x)_i = x_i - m - ln Σ_j e^(x_j - m)`.
//! A group is the line along `axis`, or with `coerce_2d` (ONNX opset < 13) a row of the 2-D
//! view `[prod(dims[..axis]), prod(dims[axis..])]`.

use super::{OpError, OpResult};
use crate::tensor::{numel, Tensor};

/// The input shape; the axis must exist.
pub fn shape(axis: usize, x: &[usize]) -> OpResult<Vec<usize>> {
    if axis >= x.len() {
        return Err(OpError::new(format!(
            "Softmax: axis {axis} is out of range for input {x:?} of rank {}",
            x.len()
        )));
    }
    Ok(x.to_vec())
}

/// Evaluates softmax (or log-softmax with `log`). `x` must have passed [`shape`].
pub fn eval(axis: usize, log: bool, coerce_2d: bool, x: &Tensor) -> Tensor {
    // Element j of group (o, i) sits at o·len·inner + j·inner + i.
    let (len, inner) = if coerce_2d {
        (numel(&x.shape[axis..]), 1)
    } else {
        (x.shape[axis], numel(&x.shape[axis + 1..]))
    };
    let outer = numel(&x.shape[..axis]);
    let mut out = vec![0.0; x.len()];
    for o in 0..outer {
        for i in 0..inner {
            let base = o * len * inner + i;
            let at = |j: usize| base + j * inner;
            let m = (0..len).map(|j| x.data[at(j)]).fold(f64::NEG_INFINITY, f64::max);
            let mut sum = 0.0;
            for j in 0..len {
                let e = (x.data[at(j)] - m).exp();
                out[at(j)] = e;
                sum += e;
            }
            if log {
                let ln_sum = sum.ln();
                for j in 0..len {
                    out[at(j)] = x.data[at(j)] - m - ln_sum;
                }
            } else {
                for j in 0..len {
                    out[at(j)] /= sum;
                }
            }
        }
    }
    Tensor::new(x.shape.clone(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-12, "{a:?} != {b:?}");
        }
    }

    #[test]
    fn along_an_inner_or_outer_axis() {
        let x = Tensor::new(vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        // Last axis: each row is e^(0,1,2) / (1 + e + e²).
        let z = 1.0 + 1f64.exp() + 2f64.exp();
        let row = [1.0 / z, 1f64.exp() / z, 2f64.exp() / z];
        let want: Vec<f64> = row.iter().chain(&row).copied().collect();
        close(&eval(1, false, false, &x).data, &want);
        // On the last axis the 2-D view is the same thing.
        close(&eval(1, false, true, &x).data, &want);
        // Axis 0: each column is (a, a+3), giving 1/(1+e³) and e³/(1+e³).
        let (lo, hi) = (1.0 / (1.0 + 3f64.exp()), 3f64.exp() / (1.0 + 3f64.exp()));
        close(&eval(0, false, false, &x).data, &[lo, lo, lo, hi, hi, hi]);
    }

    #[test]
    fn coerce_2d_normalizes_whole_rows() {
        let x = Tensor::new(vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        // Axis 0 in the 2-D view: one row holding all six values.
        let z: f64 = (0..6).map(|k| f64::from(k).exp()).sum();
        let want: Vec<f64> = (0..6).map(|k| f64::from(k).exp() / z).collect();
        close(&eval(0, false, true, &x).data, &want);
        // [1, 2, 2] on axis 1: the 2-D view normalizes all four; per axis, pairs (0, 2), (1, 3).
        let x = Tensor::new(vec![1, 2, 2], vec![0.0, 0.0, 1.0, 1.0]);
        let e = 1f64.exp();
        close(
            &eval(1, false, true, &x).data,
            &[1.0, 1.0, e, e].map(|v| v / (2.0 + 2.0 * e)),
        );
        close(
            &eval(1, false, false, &x).data,
            &[1.0, 1.0, e, e].map(|v| v / (1.0 + e)),
        );
    }

    #[test]
    fn log_softmax_both_modes() {
        let x = Tensor::new(vec![1, 2, 2], vec![0.0, 0.0, 1.0, 1.0]);
        let e = 1f64.exp();
        let ln = |d: f64| [-d.ln(), -d.ln(), 1.0 - d.ln(), 1.0 - d.ln()];
        close(&eval(1, true, false, &x).data, &ln(1.0 + e));
        close(&eval(1, true, true, &x).data, &ln(2.0 + 2.0 * e));
    }

    #[test]
    fn large_inputs_do_not_overflow() {
        let x = Tensor::new(vec![2], vec![1000.0, 1001.0]);
        let e = 1f64.exp();
        close(&eval(0, false, false, &x).data, &[1.0 / (1.0 + e), e / (1.0 + e)]);
        close(&eval(0, true, false, &x).data, &[-(1.0 + e).ln(), 1.0 - (1.0 + e).ln()]);
        let x = Tensor::new(vec![2], vec![-1000.0, -1001.0]);
        close(&eval(0, false, false, &x).data, &[e / (1.0 + e), 1.0 / (1.0 + e)]);
    }

    #[test]
    fn rejects_a_missing_axis() {
        let e = shape(2, &[2, 3]).unwrap_err().0;
        assert!(e.contains("axis 2 is out of range for input [2, 3] of rank 2"), "{e}");
        assert!(shape(0, &[]).is_err());
    }
}
