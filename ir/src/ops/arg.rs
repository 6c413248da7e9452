//! ONNX ArgMax / ArgMin: the index of the largest (smallest) value along one axis.
//!
//! Ties go to the first index, or to the last with `select_last_index`. The output holds
//! indices as exact integers (int64 in ONNX), with the axis kept as size 1 (`keepdims`) or
//! removed. A NaN is never selected unless every value on the line is NaN (then index 0).

use super::{OpError, OpResult};
use crate::tensor::{strides, Tensor};

/// The output shape: `axis` becomes 1 with `keepdims` and disappears without it.
pub fn shape(axis: usize, keepdims: bool, x: &[usize]) -> OpResult<Vec<usize>> {
    if axis >= x.len() {
        return Err(OpError::new(format!(
            "ArgMax/ArgMin: axis {axis} is out of range for input {x:?} of rank {}",
            x.len()
        )));
    }
    if x[axis] == 0 {
        return Err(OpError::new(format!(
            "ArgMax/ArgMin: axis {axis} of input {x:?} is empty; there is no index to return"
        )));
    }
    Ok(x.iter()
        .enumerate()
        .filter_map(|(i, &d)| if i == axis { keepdims.then_some(1) } else { Some(d) })
        .collect())
}

/// Evaluates ArgMax (`max`) or ArgMin. `x` and `out_shape` must have passed [`shape`].
pub fn eval(max: bool, axis: usize, select_last: bool, x: &Tensor, out_shape: &[usize]) -> Tensor {
    let n = x.shape[axis];
    let step = strides(&x.shape)[axis];
    let outer: usize = x.shape[..axis].iter().product();
    let mut out = Vec::with_capacity(outer * step);
    for o in 0..outer {
        for i in 0..step {
            let at = |k: usize| x.data[o * n * step + k * step + i];
            let mut best = 0;
            for k in 1..n {
                let (v, b) = (at(k), at(best));
                let better = if max { v > b } else { v < b };
                let tie = v == b;
                if better || (select_last && tie) || (b.is_nan() && !v.is_nan()) {
                    best = k;
                }
            }
            out.push(best as f64);
        }
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(max: bool, axis: usize, keepdims: bool, last: bool, x: &Tensor) -> Tensor {
        let s = shape(axis, keepdims, &x.shape).unwrap();
        eval(max, axis, last, x, &s)
    }

    #[test]
    fn onnx_examples_with_and_without_keepdims() {
        // onnx/backend/test/case/node/argmax.py, "example": [[2, 1], [3, 10]].
        let x = Tensor::new(vec![2, 2], vec![2.0, 1.0, 3.0, 10.0]);
        let y = run(true, 1, true, false, &x);
        assert_eq!((y.shape, y.data), (vec![2, 1], vec![0.0, 1.0]));
        let y = run(true, 0, false, false, &x);
        assert_eq!((y.shape, y.data), (vec![2], vec![1.0, 1.0]));
        let y = run(false, 1, false, false, &x);
        assert_eq!((y.shape, y.data), (vec![2], vec![1.0, 0.0]));
        let y = run(false, 0, true, false, &x);
        assert_eq!((y.shape, y.data), (vec![1, 2], vec![0.0, 0.0]));
    }

    #[test]
    fn ties_go_to_the_first_index_or_the_last_with_select_last_index() {
        // argmax.py, "keepdims_select_last_index": [[2, 2], [3, 10]].
        let x = Tensor::new(vec![2, 2], vec![2.0, 2.0, 3.0, 10.0]);
        assert_eq!(run(true, 1, true, false, &x).data, vec![0.0, 1.0]);
        assert_eq!(run(true, 1, true, true, &x).data, vec![1.0, 1.0]);
        let x = Tensor::new(vec![4], vec![5.0, -1.0, 7.0, -1.0]);
        assert_eq!(run(false, 0, false, false, &x).data, vec![1.0]);
        assert_eq!(run(false, 0, false, true, &x).data, vec![3.0]);
    }

    #[test]
    fn middle_axis_of_a_cube() {
        // x[i][j][k] = values chosen so each (i, k) line has a distinct answer.
        let x = Tensor::new(
            vec![2, 3, 2],
            vec![1.0, 9.0, 8.0, 0.0, 3.0, 4.0, -1.0, -2.0, -3.0, -5.0, -0.5, -4.0],
        );
        let y = run(true, 1, false, false, &x);
        assert_eq!((y.shape, y.data), (vec![2, 2], vec![1.0, 0.0, 2.0, 0.0]));
        let y = run(false, 1, true, false, &x);
        assert_eq!((y.shape, y.data), (vec![2, 1, 2], vec![0.0, 1.0, 1.0, 1.0]));
    }

    #[test]
    fn bad_axes_are_refused() {
        assert!(shape(2, true, &[2, 3]).is_err());
        assert!(shape(0, true, &[0, 3]).unwrap_err().to_string().contains("empty"));
    }
}
