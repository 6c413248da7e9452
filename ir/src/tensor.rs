//! Dense row-major tensors of `f64`: the value type of the reference interpreter.

use serde::{Deserialize, Serialize};

/// A dense row-major tensor. Integer ONNX tensors (indices, shapes) are held as exact `f64`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tensor {
    /// The dimensions; `[]` is a scalar.
    pub shape: Vec<usize>,
    /// The elements, row-major; `data.len() == shape.iter().product()`.
    pub data: Vec<f64>,
}

impl Tensor {
    /// A tensor from a shape and matching data.
    ///
    /// # Panics
    /// If the data length does not match the shape (a bug in the caller, not user input).
    pub fn new(shape: Vec<usize>, data: Vec<f64>) -> Self {
        assert_eq!(numel(&shape), data.len(), "tensor data does not match shape {shape:?}");
        Tensor { shape, data }
    }

    /// A scalar.
    pub fn scalar(v: f64) -> Self {
        Tensor {
            shape: vec![],
            data: vec![v],
        }
    }

    /// A tensor filled with `v`.
    pub fn full(shape: Vec<usize>, v: f64) -> Self {
        let n = numel(&shape);
        Tensor {
            shape,
            data: vec![v; n],
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// Element at a multi-index.
    pub fn at(&self, index: &[usize]) -> f64 {
        self.data[offset(&self.shape, index)]
    }
}

/// Number of elements of a shape.
///
/// Saturates instead of overflowing, so a hostile shape yields a huge count that the size
/// limits reject rather than a wrapped-around small one.
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().fold(1usize, |a, &d| a.saturating_mul(d))
}

/// Row-major strides of a shape.
pub fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// Row-major offset of a multi-index.
pub fn offset(shape: &[usize], index: &[usize]) -> usize {
    let mut o = 0;
    for (d, &i) in shape.iter().zip(index) {
        o = o * d + i;
    }
    o
}

/// The multi-index of a row-major offset.
pub fn unravel(shape: &[usize], mut offset: usize) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for i in (0..shape.len()).rev() {
        let d = shape[i].max(1);
        idx[i] = offset % d;
        offset /= d;
    }
    idx
}

/// Steps a row-major multi-index to the next one in place (the last axis fastest); returns
/// false after the last index, having wrapped to all zeros. Lets loops over a tensor walk
/// indices without allocating one per element.
pub fn next_index(index: &mut [usize], shape: &[usize]) -> bool {
    for d in (0..index.len()).rev() {
        index[d] += 1;
        if index[d] < shape[d] {
            return true;
        }
        index[d] = 0;
    }
    false
}

/// Normalizes a possibly negative ONNX axis against a rank.
pub fn normalize_axis(axis: i64, rank: usize) -> Option<usize> {
    let r = rank as i64;
    let a = if axis < 0 { axis + r } else { axis };
    (0..r).contains(&a).then_some(a as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_index_walks_row_major_order() {
        let shape = [2, 3];
        let mut idx = [0, 0];
        let mut seen = vec![idx.to_vec()];
        while next_index(&mut idx, &shape) {
            seen.push(idx.to_vec());
        }
        let want: Vec<Vec<usize>> = (0..6).map(|o| unravel(&shape, o)).collect();
        assert_eq!(seen, want);
        assert_eq!(idx, [0, 0]);
        // A scalar has exactly one index.
        assert!(!next_index(&mut [], &[]));
    }
}
