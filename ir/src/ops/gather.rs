//! ONNX Gather: pick slices of `data` along `axis` by integer indices.

use super::{OpError, OpResult};
use crate::tensor::Tensor;

/// `data.shape[..axis] ++ indices.shape ++ data.shape[axis+1..]`.
pub fn shape(axis: usize, data: &[usize], indices: &[usize]) -> OpResult<Vec<usize>> {
    if axis >= data.len() {
        return Err(OpError::new(format!("Gather axis {axis} out of range for {data:?}")));
    }
    let mut out = data[..axis].to_vec();
    out.extend_from_slice(indices);
    out.extend_from_slice(&data[axis + 1..]);
    Ok(out)
}

/// Resolves one index value (negative counts from the end) or says why it is invalid.
pub fn resolve_index(v: f64, dim: usize) -> OpResult<usize> {
    let i = v as i64;
    if i as f64 != v {
        return Err(OpError::new(format!("Gather index {v} is not an integer")));
    }
    let r = if i < 0 { i + dim as i64 } else { i };
    if r < 0 || r >= dim as i64 {
        return Err(OpError::new(format!(
            "Gather index {i} out of range for an axis of size {dim}"
        )));
    }
    Ok(r as usize)
}

/// For each output element, the data offset it reads, given resolved indices.
pub fn source_offsets(axis: usize, data: &[usize], indices: &[usize]) -> Vec<usize> {
    let outer: usize = data[..axis].iter().product();
    let inner: usize = data[axis + 1..].iter().product();
    let mut v = Vec::with_capacity(outer * indices.len() * inner);
    for o in 0..outer {
        for &i in indices {
            let base = (o * data[axis] + i) * inner;
            v.extend(base..base + inner);
        }
    }
    v
}

/// Evaluates Gather; fails on an out-of-range index (indices may be runtime values).
pub fn eval(axis: usize, data: &Tensor, indices: &Tensor, out_shape: &[usize]) -> OpResult<Tensor> {
    let idx = indices
        .data
        .iter()
        .map(|&v| resolve_index(v, data.shape[axis]))
        .collect::<OpResult<Vec<_>>>()?;
    let out = source_offsets(axis, &data.shape, &idx)
        .into_iter()
        .map(|o| data.data[o])
        .collect();
    Ok(Tensor::new(out_shape.to_vec(), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_rows_and_rejects_bad_indices() {
        let d = Tensor::new(vec![3, 2], (0..6).map(f64::from).collect());
        let i = Tensor::new(vec![2], vec![2.0, -3.0]);
        let s = shape(0, &d.shape, &i.shape).unwrap();
        assert_eq!(eval(0, &d, &i, &s).unwrap().data, vec![4.0, 5.0, 0.0, 1.0]);
        let bad = Tensor::new(vec![1], vec![3.0]);
        assert!(eval(0, &d, &bad, &[1, 2]).is_err());
    }
}
