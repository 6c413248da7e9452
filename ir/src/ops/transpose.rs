//! Axis permutation.

use super::{OpError, OpResult};
use crate::tensor::{numel, strides, unravel, Tensor};

/// The permuted shape; `perm` must be a permutation of the axes.
pub fn shape(perm: &[usize], x: &[usize]) -> OpResult<Vec<usize>> {
    let mut seen = vec![false; x.len()];
    if perm.len() != x.len()
        || perm
            .iter()
            .any(|&p| p >= x.len() || std::mem::replace(&mut seen[p], true))
    {
        return Err(OpError::new(format!(
            "perm {perm:?} is not a permutation of the {} axes of {x:?}",
            x.len()
        )));
    }
    Ok(perm.iter().map(|&p| x[p]).collect())
}

/// For each output element, the input offset it reads. Shared with the lowering.
pub fn source_offsets(perm: &[usize], x: &[usize], out_shape: &[usize]) -> Vec<usize> {
    let s = strides(x);
    (0..numel(out_shape))
        .map(|o| {
            unravel(out_shape, o)
                .iter()
                .enumerate()
                .map(|(i, &v)| v * s[perm[i]])
                .sum()
        })
        .collect()
}

/// Evaluates the transpose.
pub fn eval(perm: &[usize], x: &Tensor, out_shape: &[usize]) -> Tensor {
    let data = source_offsets(perm, &x.shape, out_shape)
        .into_iter()
        .map(|o| x.data[o])
        .collect();
    Tensor::new(out_shape.to_vec(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposes() {
        let x = Tensor::new(vec![2, 3], (0..6).map(f64::from).collect());
        let s = shape(&[1, 0], &x.shape).unwrap();
        assert_eq!(eval(&[1, 0], &x, &s).data, vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
        assert!(shape(&[0, 0], &[2, 2]).is_err());
    }
}
