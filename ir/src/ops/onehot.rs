//! ONNX OneHot: `out[.., d, ..] = on` where `indices[.., ..] = d` (a negative index counts from
//! `depth`; a fractional or out-of-range one matches nothing), `off` elsewhere, the new axis of
//! size `depth` at `axis`. `values = [off, on]`.

use super::{OpError, OpResult};
use crate::tensor::Tensor;

/// `indices` with an axis of size `depth` inserted at `axis` (0 ≤ axis ≤ rank).
pub fn shape(axis: usize, depth: usize, indices: &[usize], values: &[usize]) -> OpResult<Vec<usize>> {
    if axis > indices.len() || depth == 0 || crate::tensor::numel(values) != 2 {
        return Err(OpError::new(format!(
            "OneHot: axis {axis} must be in 0..={}, depth {depth} positive and values {values:?} hold [off, on]",
            indices.len()
        )));
    }
    let mut s = indices.to_vec();
    s.insert(axis, depth);
    Ok(s)
}

/// For each output element, whether it is "on".
pub fn mask(axis: usize, depth: usize, indices: &Tensor) -> Vec<bool> {
    let inner: usize = indices.shape[axis..].iter().product();
    let outer: usize = indices.shape[..axis].iter().product();
    let mut out = Vec::with_capacity(outer * depth * inner);
    for o in 0..outer {
        for d in 0..depth {
            for i in 0..inner {
                let v = indices.data[o * inner + i];
                let v = if v < 0.0 { v + depth as f64 } else { v };
                out.push(v == d as f64);
            }
        }
    }
    out
}

/// Evaluates OneHot.
pub fn eval(axis: usize, depth: usize, indices: &Tensor, values: &Tensor, out_shape: &[usize]) -> Tensor {
    let (off, on) = (values.data[0], values.data[1]);
    let data = mask(axis, depth, indices)
        .into_iter()
        .map(|m| if m { on } else { off })
        .collect();
    Tensor::new(out_shape.to_vec(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_like_onnx() {
        // ONNX's onehot_with_axis: indices [[1, 9], [2, 4]], depth 10, axis 1, values [1, 3].
        let i = Tensor::new(vec![2, 2], vec![1.0, 9.0, 2.0, 4.0]);
        let v = Tensor::new(vec![2], vec![1.0, 3.0]);
        let s = shape(1, 10, &i.shape, &v.shape).unwrap();
        assert_eq!(s, vec![2, 10, 2]);
        let y = eval(1, 10, &i, &v, &s);
        let on: Vec<usize> = (0..y.len()).filter(|&k| y.data[k] == 3.0).collect();
        // [0, 1, 0] (d 1, i 0), [0, 9, 1], [1, 2, 0], [1, 4, 1].
        assert_eq!(on, vec![2, 19, 24, 29]);
        assert!(y.data.iter().all(|&x| x == 1.0 || x == 3.0));
        // Negative indices wrap; out of range and fractional ones match nothing.
        let i = Tensor::new(vec![3], vec![-1.0, 5.0, 0.5]);
        let y = eval(1, 3, &i, &v, &[3, 3]);
        assert_eq!(y.data, vec![1.0, 1.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn rejects_bad_axis_depth_and_values() {
        assert!(shape(3, 2, &[2, 2], &[2]).is_err());
        assert!(shape(0, 0, &[2], &[2]).is_err());
        assert!(shape(0, 2, &[2], &[3]).is_err());
    }
}
