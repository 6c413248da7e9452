//! ONNX TopK with a constant `k`: along `axis`, the `k` largest (or smallest) values, in
//! order, or their indices. Equal values keep their index order (the lower index first), as
//! ONNX specifies. One IR op gives one of the two ONNX outputs.

use super::{OpError, OpResult};
use crate::tensor::{strides, Tensor};

/// `x` with `axis` cut to `k`.
pub fn shape(axis: usize, k: usize, x: &[usize]) -> OpResult<Vec<usize>> {
    if axis >= x.len() || k > x[axis] {
        return Err(OpError::new(format!(
            "TopK: k = {k} must be at most the size of axis {axis} of the input {x:?}"
        )));
    }
    let mut s = x.to_vec();
    s[axis] = k;
    Ok(s)
}

/// Evaluates TopK: the values, or with `indices` their positions along `axis` (exact integers).
pub fn eval(axis: usize, k: usize, largest: bool, indices: bool, x: &Tensor, out_shape: &[usize]) -> Tensor {
    let n = x.shape[axis];
    let step = strides(&x.shape)[axis];
    let outer: usize = x.shape[..axis].iter().product();
    let mut out = vec![0.0; out_shape.iter().product()];
    let mut order: Vec<usize> = Vec::with_capacity(n);
    for o in 0..outer {
        for i in 0..step {
            let at = |j: usize| x.data[o * n * step + j * step + i];
            order.clear();
            order.extend(0..n);
            // A stable sort keeps equal values in index order; NaN sorts as the largest.
            order.sort_by(|&a, &b| {
                let c = at(a).total_cmp(&at(b));
                if largest {
                    c.reverse()
                } else {
                    c
                }
            });
            for (r, &j) in order.iter().take(k).enumerate() {
                out[o * k * step + r * step + i] = if indices { j as f64 } else { at(j) };
            }
        }
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_values_and_indices_like_onnx() {
        // ONNX's top_k example: [[0..3], [4..7], [8..11]], k = 3, axis 1.
        let x = Tensor::new(vec![3, 4], (0..12).map(f64::from).collect());
        let s = shape(1, 3, &x.shape).unwrap();
        assert_eq!(s, vec![3, 3]);
        assert_eq!(
            eval(1, 3, true, false, &x, &s).data,
            vec![3.0, 2.0, 1.0, 7.0, 6.0, 5.0, 11.0, 10.0, 9.0]
        );
        assert_eq!(
            eval(1, 3, true, true, &x, &s).data,
            vec![3.0, 2.0, 1.0, 3.0, 2.0, 1.0, 3.0, 2.0, 1.0]
        );
        // Smallest along axis 0, and ties keep the lower index first.
        let x = Tensor::new(vec![3, 2], vec![5.0, 1.0, 2.0, 1.0, 2.0, 0.0]);
        let s = shape(0, 2, &x.shape).unwrap();
        assert_eq!(eval(0, 2, false, false, &x, &s).data, vec![2.0, 0.0, 2.0, 1.0]);
        assert_eq!(eval(0, 2, false, true, &x, &s).data, vec![1.0, 2.0, 2.0, 0.0]);
        assert_eq!(eval(0, 2, true, true, &x, &s).data, vec![0.0, 0.0, 1.0, 1.0]);
    }

    #[test]
    fn rejects_k_larger_than_the_axis() {
        assert!(shape(1, 5, &[3, 4]).is_err());
        assert!(shape(2, 1, &[3, 4]).is_err());
    }
}
