//! PRelu: a leaky relu whose slope is a tensor broadcast to the input.

use super::binary::{broadcast_offsets, broadcast_shape};
use super::{OpError, OpResult};
use crate::tensor::Tensor;

/// The output shape (the input's); the slope must broadcast to it.
pub fn shape(x: &[usize], slope: &[usize]) -> OpResult<Vec<usize>> {
    let b = broadcast_shape(x, slope)?;
    if b != x {
        return Err(OpError::new(format!(
            "PRelu slope {slope:?} does not broadcast to the input {x:?}"
        )));
    }
    Ok(b)
}

/// Evaluates PRelu.
pub fn eval(x: &Tensor, slope: &Tensor) -> Tensor {
    let os = broadcast_offsets(&slope.shape, &x.shape);
    let data = x
        .data
        .iter()
        .zip(&os)
        .map(|(&v, &o)| if v < 0.0 { slope.data[o] * v } else { v })
        .collect();
    Tensor::new(x.shape.clone(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_channel_slope() {
        let x = Tensor::new(vec![1, 2, 2], vec![-1.0, 2.0, -3.0, 4.0]);
        let s = Tensor::new(vec![2, 1], vec![0.5, 0.25]);
        assert_eq!(eval(&x, &s).data, vec![-0.5, 2.0, -0.75, 4.0]);
        assert!(shape(&[1, 2], &[3]).is_err());
    }
}
