//! ONNX GatherElements: `out[i₀…iₖ] = data[i₀…idx…iₖ]` with `idx = indices[i₀…iₖ]` on `axis`
//! (negative indices count from the end). The output has the shape of `indices`.

use super::gather::resolve_index;
use super::{OpError, OpResult};
use crate::tensor::{next_index, offset, Tensor};

/// The shape of `indices`, which must have the rank of `data` and fit inside it on every axis
/// but `axis`.
pub fn shape(axis: usize, data: &[usize], indices: &[usize]) -> OpResult<Vec<usize>> {
    if axis >= data.len() || data.len() != indices.len() {
        return Err(OpError::new(format!(
            "GatherElements: indices {indices:?} must have the rank of data {data:?} and axis {axis} must be inside it"
        )));
    }
    if let Some(d) = (0..data.len()).find(|&d| d != axis && indices[d] > data[d]) {
        return Err(OpError::new(format!(
            "GatherElements: indices {indices:?} are larger than data {data:?} on axis {d}"
        )));
    }
    Ok(indices.to_vec())
}

/// For each output element, the data offset it reads.
pub fn source_offsets(axis: usize, data: &[usize], indices: &Tensor) -> OpResult<Vec<usize>> {
    let mut out = Vec::with_capacity(indices.len());
    if indices.is_empty() {
        return Ok(out);
    }
    let mut idx = vec![0; indices.rank()];
    let mut k = 0;
    loop {
        let mut at = idx.clone();
        at[axis] = resolve_index(indices.data[k], data[axis])?;
        out.push(offset(data, &at));
        k += 1;
        if !next_index(&mut idx, &indices.shape) {
            return Ok(out);
        }
    }
}

/// Evaluates GatherElements; fails on an out-of-range or fractional index.
pub fn eval(axis: usize, data: &Tensor, indices: &Tensor, out_shape: &[usize]) -> OpResult<Tensor> {
    let src = source_offsets(axis, &data.shape, indices)?;
    Ok(Tensor::new(
        out_shape.to_vec(),
        src.into_iter().map(|o| data.data[o]).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_along_each_axis_like_onnx() {
        // ONNX's gather_elements_0 and _1 examples.
        let d = Tensor::new(vec![2, 2], vec![1.0, 2.0, 3.0, 4.0]);
        let i = Tensor::new(vec![2, 2], vec![0.0, 0.0, 1.0, 0.0]);
        assert_eq!(eval(1, &d, &i, &[2, 2]).unwrap().data, vec![1.0, 1.0, 4.0, 3.0]);
        let d = Tensor::new(vec![3, 3], (1..=9).map(f64::from).collect());
        let i = Tensor::new(vec![2, 3], vec![1.0, 2.0, 0.0, 2.0, 0.0, 0.0]);
        let s = shape(0, &d.shape, &i.shape).unwrap();
        assert_eq!(s, vec![2, 3]);
        assert_eq!(eval(0, &d, &i, &s).unwrap().data, vec![4.0, 8.0, 3.0, 7.0, 2.0, 3.0]);
        // Negative indices count from the end.
        let i = Tensor::new(vec![2, 3], vec![-1.0, -2.0, 0.0, -2.0, 0.0, 0.0]);
        assert_eq!(eval(0, &d, &i, &s).unwrap().data, vec![7.0, 5.0, 3.0, 4.0, 2.0, 3.0]);
    }

    #[test]
    fn rejects_bad_indices_and_shapes() {
        let d = Tensor::new(vec![2, 2], vec![1.0, 2.0, 3.0, 4.0]);
        assert!(eval(0, &d, &Tensor::new(vec![1, 1], vec![2.0]), &[1, 1]).is_err());
        assert!(eval(0, &d, &Tensor::new(vec![1, 1], vec![0.5]), &[1, 1]).is_err());
        assert!(shape(0, &[2, 2], &[2]).is_err());
        assert!(shape(0, &[2, 2], &[1, 3]).is_err());
    }
}
