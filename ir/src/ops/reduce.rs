//! Sum, mean and max reductions over a set of axes. The importer resolves ONNX's defaults:
//! in the IR, `axes` lists exactly the reduced axes (an empty list reduces nothing).

use super::{OpError, OpResult, ReduceKind};
use crate::tensor::{numel, strides, unravel, Tensor};

/// The reduced shape.
pub fn shape(axes: &[usize], keepdims: bool, x: &[usize]) -> OpResult<Vec<usize>> {
    if let Some(&a) = axes.iter().find(|&&a| a >= x.len()) {
        return Err(OpError::new(format!("reduce axis {a} out of range for {x:?}")));
    }
    Ok(x.iter()
        .enumerate()
        .filter_map(|(i, &d)| {
            if axes.contains(&i) {
                keepdims.then_some(1)
            } else {
                Some(d)
            }
        })
        .collect())
}

/// Evaluates the reduction.
pub fn eval(kind: ReduceKind, axes: &[usize], _keepdims: bool, x: &Tensor, out_shape: &[usize]) -> Tensor {
    let kept: Vec<usize> = (0..x.rank())
        .map(|i| if axes.contains(&i) { 1 } else { x.shape[i] })
        .collect();
    let kst = strides(&kept);
    let n = numel(&kept);
    let init = if kind == ReduceKind::Max {
        f64::NEG_INFINITY
    } else {
        0.0
    };
    let mut acc = vec![init; n];
    let mut count = vec![0usize; n];
    for (i, &v) in x.data.iter().enumerate() {
        let idx = unravel(&x.shape, i);
        let o: usize = idx
            .iter()
            .enumerate()
            .map(|(d, &j)| if axes.contains(&d) { 0 } else { j * kst[d] })
            .sum();
        acc[o] = if kind == ReduceKind::Max {
            acc[o].max(v)
        } else {
            acc[o] + v
        };
        count[o] += 1;
    }
    if kind == ReduceKind::Mean {
        for (a, c) in acc.iter_mut().zip(&count) {
            *a /= (*c).max(1) as f64;
        }
    }
    Tensor::new(out_shape.to_vec(), acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reductions() {
        let x = Tensor::new(vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let s = shape(&[1], true, &x.shape).unwrap();
        assert_eq!(s, vec![2, 1]);
        assert_eq!(eval(ReduceKind::Sum, &[1], true, &x, &s).data, vec![6.0, 15.0]);
        let s = shape(&[0], false, &x.shape).unwrap();
        assert_eq!(eval(ReduceKind::Mean, &[0], false, &x, &s).data, vec![2.5, 3.5, 4.5]);
        assert_eq!(eval(ReduceKind::Max, &[0], false, &x, &s).data, vec![4.0, 5.0, 6.0]);
    }
}
