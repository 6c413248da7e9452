//! ONNX ScatterElements (and the older Scatter) and ScatterND: a copy of `data` in which the
//! positions named by `indices` take the `updates`, combined by `reduction` (none: the update
//! replaces the value, the last update of a position wins; add/mul/max/min: folded into it in
//! order).

use serde::{Deserialize, Serialize};

use super::gather::resolve_index;
use super::{OpError, OpResult};
use crate::tensor::{numel, strides, Tensor};

/// How an update combines with the value it lands on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScatterReduction {
    /// The update replaces the value.
    None,
    /// value + update.
    Add,
    /// value · update.
    Mul,
    /// max(value, update).
    Max,
    /// min(value, update).
    Min,
}

impl ScatterReduction {
    /// Parses ONNX's `reduction` attribute.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "none" => ScatterReduction::None,
            "add" => ScatterReduction::Add,
            "mul" => ScatterReduction::Mul,
            "max" => ScatterReduction::Max,
            "min" => ScatterReduction::Min,
            _ => return None,
        })
    }

    /// Combines a value with an update.
    pub fn apply(self, v: f64, u: f64) -> f64 {
        match self {
            ScatterReduction::None => u,
            ScatterReduction::Add => v + u,
            ScatterReduction::Mul => v * u,
            ScatterReduction::Max => v.max(u),
            ScatterReduction::Min => v.min(u),
        }
    }
}

/// Checks the operand shapes; the output has the shape of `data`. `axis` is `Some` for
/// ScatterElements and `None` for ScatterND.
pub fn shape(axis: Option<usize>, data: &[usize], indices: &[usize], updates: &[usize]) -> OpResult<Vec<usize>> {
    match axis {
        Some(axis) => {
            if axis >= data.len() || indices.len() != data.len() || indices != updates {
                return Err(OpError::new(format!(
                    "ScatterElements: indices {indices:?} and updates {updates:?} must have the same shape, of the rank of data {data:?}, and axis {axis} must be inside it"
                )));
            }
            if let Some(d) = (0..data.len()).find(|&d| d != axis && indices[d] > data[d]) {
                return Err(OpError::new(format!(
                    "ScatterElements: indices {indices:?} are larger than data {data:?} on axis {d}"
                )));
            }
        }
        None => {
            let q = *indices.last().unwrap_or(&0);
            if indices.is_empty() || q == 0 || q > data.len() {
                return Err(OpError::new(format!(
                    "ScatterND: indices {indices:?} need a last axis of 1..={} (the rank of data {data:?})",
                    data.len()
                )));
            }
            let mut want = indices[..indices.len() - 1].to_vec();
            want.extend_from_slice(&data[q..]);
            if updates != want {
                return Err(OpError::new(format!(
                    "ScatterND: updates {updates:?} must have shape {want:?} (indices {indices:?}, data {data:?})"
                )));
            }
        }
    }
    Ok(data.to_vec())
}

/// For each update element (row-major), the data offset it lands on.
pub fn targets(axis: Option<usize>, data: &[usize], indices: &Tensor) -> OpResult<Vec<usize>> {
    match axis {
        // ScatterElements writes where GatherElements with the same indices reads.
        Some(axis) => super::gather_elements::source_offsets(axis, data, indices),
        None => {
            let q = *indices.shape.last().unwrap_or(&0);
            let slice = numel(&data[q..]);
            let st = strides(data);
            let mut out = Vec::with_capacity(indices.len() / q.max(1) * slice);
            for tuple in indices.data.chunks(q.max(1)) {
                let mut base = 0;
                for (d, &v) in tuple.iter().enumerate() {
                    base += resolve_index(v, data[d])? * st[d];
                }
                out.extend(base..base + slice);
            }
            Ok(out)
        }
    }
}

/// Evaluates the scatter; fails on an out-of-range or fractional index.
pub fn eval(
    axis: Option<usize>,
    reduction: ScatterReduction,
    data: &Tensor,
    indices: &Tensor,
    updates: &Tensor,
) -> OpResult<Tensor> {
    let mut out = data.clone();
    for (j, t) in targets(axis, &data.shape, indices)?.into_iter().enumerate() {
        out.data[t] = reduction.apply(out.data[t], updates.data[j]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scatter_elements_like_onnx() {
        // ONNX's scatter_elements_with_axis example.
        let d = Tensor::new(vec![1, 5], vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        let i = Tensor::new(vec![1, 2], vec![1.0, 3.0]);
        let u = Tensor::new(vec![1, 2], vec![1.1, 2.1]);
        assert_eq!(shape(Some(1), &d.shape, &i.shape, &u.shape).unwrap(), vec![1, 5]);
        let y = eval(Some(1), ScatterReduction::None, &d, &i, &u).unwrap();
        assert_eq!(y.data, vec![1.0, 1.1, 3.0, 2.1, 5.0]);
        // Duplicate indices with add: both updates land (scatter_elements_with_duplicate_indices).
        let i = Tensor::new(vec![1, 2], vec![1.0, 1.0]);
        let y = eval(Some(1), ScatterReduction::Add, &d, &i, &u).unwrap();
        assert!((y.data[1] - 5.2).abs() < 1e-12);
        // Negative index, max and mul.
        let i = Tensor::new(vec![1, 2], vec![-1.0, 0.0]);
        let y = eval(Some(1), ScatterReduction::Max, &d, &i, &u).unwrap();
        assert_eq!(y.data, vec![2.1, 2.0, 3.0, 4.0, 5.0]);
        let y = eval(Some(1), ScatterReduction::Mul, &d, &i, &u).unwrap();
        assert_eq!(y.data, vec![2.1, 2.0, 3.0, 4.0, 5.5]);
    }

    #[test]
    fn scatter_nd_like_onnx() {
        // ONNX's scatternd example: data [4, 4, 4], indices [[0], [2]], updates [2, 4, 4].
        let d = Tensor::new(vec![4, 2], (0..8).map(f64::from).collect());
        let i = Tensor::new(vec![2, 1], vec![0.0, 2.0]);
        let u = Tensor::new(vec![2, 2], vec![10.0, 11.0, 12.0, 13.0]);
        assert_eq!(shape(None, &d.shape, &i.shape, &u.shape).unwrap(), vec![4, 2]);
        let y = eval(None, ScatterReduction::None, &d, &i, &u).unwrap();
        assert_eq!(y.data, vec![10.0, 11.0, 2.0, 3.0, 12.0, 13.0, 6.0, 7.0]);
        // Element indices (q = rank) with min.
        let i = Tensor::new(vec![2, 2], vec![0.0, 1.0, 3.0, 0.0]);
        let u = Tensor::new(vec![2], vec![-1.0, 9.0]);
        let y = eval(None, ScatterReduction::Min, &d, &i, &u).unwrap();
        assert_eq!(y.data, vec![0.0, -1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
    }

    #[test]
    fn rejects_bad_shapes_and_indices() {
        assert!(shape(None, &[4, 2], &[2, 3], &[2]).is_err());
        assert!(shape(None, &[4, 2], &[2, 1], &[2, 3]).is_err());
        assert!(shape(Some(0), &[4, 2], &[1, 2], &[1, 1]).is_err());
        let d = Tensor::new(vec![2], vec![0.0, 0.0]);
        let i = Tensor::new(vec![1], vec![2.0]);
        assert!(eval(
            Some(0),
            ScatterReduction::None,
            &d,
            &i,
            &Tensor::new(vec![1], vec![1.0])
        )
        .is_err());
    }
}
