//! ONNX Where: `condition ? x : y` per element, the three inputs broadcast together (numpy
//! rules). The condition is true where it is not 0 (booleans are 0.0/1.0 here).

use super::binary::{broadcast_offsets, broadcast_shape};
use super::OpResult;
use crate::tensor::Tensor;

/// The broadcast of the three input shapes.
pub fn shape(c: &[usize], x: &[usize], y: &[usize]) -> OpResult<Vec<usize>> {
    broadcast_shape(&broadcast_shape(c, x)?, y)
}

/// Evaluates the selection. The shapes must have passed [`shape`].
pub fn eval(c: &Tensor, x: &Tensor, y: &Tensor, out_shape: &[usize]) -> Tensor {
    let oc = broadcast_offsets(&c.shape, out_shape);
    let ox = broadcast_offsets(&x.shape, out_shape);
    let oy = broadcast_offsets(&y.shape, out_shape);
    let data = (0..oc.len())
        .map(|i| {
            if c.data[oc[i]] != 0.0 {
                x.data[ox[i]]
            } else {
                y.data[oy[i]]
            }
        })
        .collect();
    Tensor::new(out_shape.to_vec(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn onnx_examples() {
        // where.py, "where": condition [[1, 0], [1, 1]], x [[1, 2], [3, 4]], y [[9, 8], [7, 6]].
        let c = Tensor::new(vec![2, 2], vec![1.0, 0.0, 1.0, 1.0]);
        let x = Tensor::new(vec![2, 2], vec![1.0, 2.0, 3.0, 4.0]);
        let y = Tensor::new(vec![2, 2], vec![9.0, 8.0, 7.0, 6.0]);
        assert_eq!(eval(&c, &x, &y, &[2, 2]).data, [1.0, 8.0, 3.0, 4.0]);
        // where.py, "long": condition [[1, 0], [1, 1]] with the same x and y as int64: the
        // same selection; here a row condition against a column x and a scalar y.
        let c = Tensor::new(vec![3], vec![1.0, 0.0, -2.0]);
        let x = Tensor::new(vec![2, 1], vec![10.0, 20.0]);
        let y = Tensor::scalar(f64::NEG_INFINITY);
        let s = shape(&c.shape, &x.shape, &y.shape).unwrap();
        assert_eq!(s, vec![2, 3]);
        let got = eval(&c, &x, &y, &s).data;
        assert_eq!(got, [10.0, f64::NEG_INFINITY, 10.0, 20.0, f64::NEG_INFINITY, 20.0]);
    }

    #[test]
    fn shapes_that_do_not_broadcast_are_refused() {
        assert!(shape(&[2], &[3], &[1]).is_err());
        assert!(shape(&[2, 1], &[1, 3], &[4]).is_err());
    }
}
