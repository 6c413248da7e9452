//! Sum, mean and max reductions over a set of axes (ONNX ReduceSum / ReduceMean / ReduceMax).
//!
//! In the IR, `axes` lists exactly the reduced axes, sorted and distinct; an empty list
//! reduces nothing (the op is then the identity, or with `keepdims` too). The importer
//! resolves ONNX's defaults, where an omitted `axes` means all axes unless
//! `noop_with_empty_axes` is set.
//!
//! Over an empty set of values (a reduced axis of size 0) Sum gives 0, Max gives -∞ and Mean
//! gives 0, as onnxruntime does.

use super::{OpError, OpResult, ReduceKind};
use crate::tensor::{next_index, numel, strides, Tensor};

/// The reduced shape: reduced axes become 1 with `keepdims` and disappear without it.
pub fn shape(axes: &[usize], keepdims: bool, x: &[usize]) -> OpResult<Vec<usize>> {
    if let Some(&a) = axes.iter().find(|&&a| a >= x.len()) {
        return Err(OpError::new(format!(
            "Reduce: axis {a} is out of range for input {x:?} of rank {}",
            x.len()
        )));
    }
    if axes.windows(2).any(|w| w[0] >= w[1]) {
        return Err(OpError::new(format!(
            "Reduce: axes {axes:?} must be sorted and distinct (input {x:?})"
        )));
    }
    Ok(x.iter()
        .enumerate()
        .filter_map(|(i, &d)| match axes.contains(&i) {
            true => keepdims.then_some(1),
            false => Some(d),
        })
        .collect())
}

/// Evaluates the reduction. `x` and `out_shape` must have passed [`shape`]. The data are laid
/// out the same with or without `keepdims` (only size-1 axes differ), so `keepdims` matters
/// only through `out_shape`.
pub fn eval(kind: ReduceKind, axes: &[usize], _keepdims: bool, x: &Tensor, out_shape: &[usize]) -> Tensor {
    // Offset of each input element in the output: its index with reduced axes set to 0.
    let kept: Vec<usize> = x
        .shape
        .iter()
        .enumerate()
        .map(|(i, &d)| if axes.contains(&i) { 1 } else { d })
        .collect();
    let out_st: Vec<usize> = strides(&kept)
        .into_iter()
        .enumerate()
        .map(|(i, s)| if axes.contains(&i) { 0 } else { s })
        .collect();
    let init = match kind {
        ReduceKind::Sum | ReduceKind::Mean => 0.0,
        ReduceKind::Max => f64::NEG_INFINITY,
    };
    let mut acc = vec![init; numel(&kept)];
    let mut idx = vec![0usize; x.rank()];
    for &v in &x.data {
        let o: usize = idx.iter().zip(&out_st).map(|(i, s)| i * s).sum();
        acc[o] = match kind {
            ReduceKind::Sum | ReduceKind::Mean => acc[o] + v,
            ReduceKind::Max => acc[o].max(v),
        };
        next_index(&mut idx, &x.shape);
    }
    if kind == ReduceKind::Mean {
        let count = axes.iter().map(|&a| x.shape[a]).product::<usize>().max(1) as f64;
        for a in &mut acc {
            *a /= count;
        }
    }
    Tensor::new(out_shape.to_vec(), acc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReduceKind::{Max, Mean, Sum};

    fn run(kind: ReduceKind, axes: &[usize], keepdims: bool, x: &Tensor) -> Tensor {
        let s = shape(axes, keepdims, &x.shape).unwrap();
        eval(kind, axes, keepdims, x, &s)
    }

    #[test]
    fn each_kind_on_a_matrix() {
        let x = Tensor::new(vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let y = run(Sum, &[1], true, &x);
        assert_eq!((y.shape, y.data), (vec![2, 1], vec![6.0, 15.0]));
        let y = run(Mean, &[0], false, &x);
        assert_eq!((y.shape, y.data), (vec![3], vec![2.5, 3.5, 4.5]));
        let y = run(Max, &[0], false, &x);
        assert_eq!((y.shape, y.data), (vec![3], vec![4.0, 5.0, 6.0]));
        let y = run(Max, &[0, 1], false, &x);
        assert_eq!((y.shape, y.data), (vec![], vec![6.0]));
        let y = run(Mean, &[0, 1], true, &x);
        assert_eq!((y.shape, y.data), (vec![1, 1], vec![3.5]));
    }

    #[test]
    fn middle_and_outer_axes_of_a_cube() {
        let x = Tensor::new(vec![2, 2, 2], (1..=8).map(f64::from).collect());
        let y = run(Sum, &[1], false, &x);
        assert_eq!((y.shape, y.data), (vec![2, 2], vec![4.0, 6.0, 12.0, 14.0]));
        // Axes 0 and 2 leave axis 1: {1, 2, 5, 6} and {3, 4, 7, 8}.
        let y = run(Max, &[0, 2], true, &x);
        assert_eq!((y.shape, y.data), (vec![1, 2, 1], vec![6.0, 8.0]));
        let y = run(Mean, &[0, 2], false, &x);
        assert_eq!((y.shape, y.data), (vec![2], vec![3.5, 5.5]));
        let x = Tensor::new(vec![3], vec![-4.0, -1.0, -7.0]);
        assert_eq!(run(Max, &[0], false, &x).data, vec![-1.0]);
    }

    #[test]
    fn empty_axes_reduce_nothing() {
        let x = Tensor::new(vec![2, 2], vec![1.0, -2.0, 3.0, 4.0]);
        for kind in [Sum, Mean, Max] {
            for keepdims in [false, true] {
                assert_eq!(run(kind, &[], keepdims, &x), x);
            }
        }
    }

    #[test]
    fn empty_reduced_axis() {
        let x = Tensor::new(vec![0, 2], vec![]);
        assert_eq!(run(Sum, &[0], false, &x).data, vec![0.0, 0.0]);
        assert_eq!(run(Mean, &[0], false, &x).data, vec![0.0, 0.0]);
        assert_eq!(run(Max, &[0], false, &x).data, vec![f64::NEG_INFINITY; 2]);
    }

    #[test]
    fn rejects_bad_axes() {
        let e = shape(&[2], false, &[2, 3]).unwrap_err().0;
        assert!(e.contains("axis 2 is out of range for input [2, 3] of rank 2"), "{e}");
        let e = shape(&[1, 0], false, &[2, 3]).unwrap_err().0;
        assert!(e.contains("axes [1, 0] must be sorted and distinct"), "{e}");
        assert!(shape(&[1, 1], false, &[2, 3]).is_err());
    }
}
