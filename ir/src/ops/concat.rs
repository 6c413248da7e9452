//! Concatenation along one axis.

use super::{OpError, OpResult};
use crate::tensor::{numel, Tensor};

/// The concatenated shape; all other axes must agree.
pub fn shape(axis: usize, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
    let first = inputs[0];
    if axis >= first.len() {
        return Err(OpError::new(format!("Concat axis {axis} out of range for {first:?}")));
    }
    let mut out = first.to_vec();
    out[axis] = 0;
    for s in inputs {
        if s.len() != first.len() || s.iter().enumerate().any(|(i, &d)| i != axis && d != first[i]) {
            return Err(OpError::new(format!(
                "Concat inputs {first:?} and {s:?} differ off axis {axis}"
            )));
        }
        out[axis] += s[axis];
    }
    Ok(out)
}

/// For each output element, `(input number, offset in it)`. Shared with the lowering.
pub fn sources(axis: usize, inputs: &[&[usize]], out_shape: &[usize]) -> Vec<(usize, usize)> {
    let outer: usize = out_shape[..axis].iter().product();
    let inner: usize = out_shape[axis + 1..].iter().product();
    let mut v = Vec::with_capacity(numel(out_shape));
    for o in 0..outer {
        for (i, s) in inputs.iter().enumerate() {
            let chunk = s[axis] * inner;
            v.extend((0..chunk).map(|j| (i, o * chunk + j)));
        }
    }
    v
}

/// Evaluates the concatenation.
pub fn eval(axis: usize, inputs: &[&Tensor], out_shape: &[usize]) -> Tensor {
    let shapes: Vec<&[usize]> = inputs.iter().map(|t| t.shape.as_slice()).collect();
    let data = sources(axis, &shapes, out_shape)
        .into_iter()
        .map(|(i, o)| inputs[i].data[o])
        .collect();
    Tensor::new(out_shape.to_vec(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenates_inner_axis() {
        let a = Tensor::new(vec![2, 1], vec![1.0, 2.0]);
        let b = Tensor::new(vec![2, 2], vec![3.0, 4.0, 5.0, 6.0]);
        let s = shape(1, &[&a.shape, &b.shape]).unwrap();
        assert_eq!(eval(1, &[&a, &b], &s).data, vec![1.0, 3.0, 4.0, 2.0, 5.0, 6.0]);
        assert!(shape(0, &[&[2, 1], &[2, 2]]).is_err());
    }
}
