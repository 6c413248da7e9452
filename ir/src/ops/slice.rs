//! Strided slicing with ranges resolved at import.

use super::{OpError, OpResult};
use crate::tensor::{numel, strides, unravel, Tensor};

fn len_of(start: i64, end: i64, step: i64) -> usize {
    if step > 0 && end > start {
        ((end - start + step - 1) / step) as usize
    } else if step < 0 && start > end {
        ((start - end - step - 1) / -step) as usize
    } else {
        0
    }
}

/// The sliced shape.
pub fn shape(ranges: &[(usize, i64, i64, i64)], x: &[usize]) -> OpResult<Vec<usize>> {
    let mut out = x.to_vec();
    for &(axis, start, end, step) in ranges {
        if axis >= x.len() || step == 0 {
            return Err(OpError::new(format!(
                "Slice axis {axis} / step {step} invalid for {x:?}"
            )));
        }
        out[axis] = len_of(start, end, step);
    }
    Ok(out)
}

/// For each output element, the input offset it reads. Shared with the lowering.
pub fn source_offsets(ranges: &[(usize, i64, i64, i64)], x: &[usize], out_shape: &[usize]) -> Vec<usize> {
    let s = strides(x);
    let mut start = vec![0i64; x.len()];
    let mut step = vec![1i64; x.len()];
    for &(a, st, _, sp) in ranges {
        start[a] = st;
        step[a] = sp;
    }
    (0..numel(out_shape))
        .map(|o| {
            unravel(out_shape, o)
                .iter()
                .enumerate()
                .map(|(i, &v)| (start[i] + v as i64 * step[i]) as usize * s[i])
                .sum()
        })
        .collect()
}

/// Evaluates the slice.
pub fn eval(ranges: &[(usize, i64, i64, i64)], x: &Tensor, out_shape: &[usize]) -> Tensor {
    let data = source_offsets(ranges, &x.shape, out_shape)
        .into_iter()
        .map(|o| x.data[o])
        .collect();
    Tensor::new(out_shape.to_vec(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_and_backward_steps() {
        let x = Tensor::new(vec![2, 4], (0..8).map(f64::from).collect());
        let r = [(1, 1, 4, 2)];
        let s = shape(&r, &x.shape).unwrap();
        assert_eq!(eval(&r, &x, &s).data, vec![1.0, 3.0, 5.0, 7.0]);
        let r = [(1, 3, -1, -1)];
        let s = shape(&r, &x.shape).unwrap();
        assert_eq!(eval(&r, &x, &s).data, vec![3.0, 2.0, 1.0, 0.0, 7.0, 6.0, 5.0, 4.0]);
    }
}
