//! Constant, reflect and edge padding.

use super::{OpError, OpResult, PadMode};
use crate::tensor::{numel, strides, unravel, Tensor};

/// The padded shape.
pub fn shape(pads: &[usize], x: &[usize]) -> OpResult<Vec<usize>> {
    let r = x.len();
    if pads.len() != 2 * r {
        return Err(OpError::new(format!(
            "pads has {} values but the input {x:?} needs {}",
            pads.len(),
            2 * r
        )));
    }
    Ok((0..r).map(|i| x[i] + pads[i] + pads[r + i]).collect())
}

/// Evaluates the padding.
pub fn eval(pads: &[usize], mode: &PadMode, x: &Tensor, out_shape: &[usize]) -> Tensor {
    let r = x.rank();
    let xst = strides(&x.shape);
    let mut out = Vec::with_capacity(numel(out_shape));
    'o: for o in 0..numel(out_shape) {
        let oi = unravel(out_shape, o);
        let mut off = 0;
        for d in 0..r {
            let n = x.shape[d] as i64;
            let mut p = oi[d] as i64 - pads[d] as i64;
            if p < 0 || p >= n {
                match mode {
                    PadMode::Constant(v) => {
                        out.push(*v);
                        continue 'o;
                    }
                    PadMode::Edge => p = p.clamp(0, n - 1),
                    PadMode::Reflect => {
                        if n == 1 {
                            p = 0;
                        } else {
                            let period = 2 * (n - 1);
                            p = p.rem_euclid(period);
                            if p >= n {
                                p = period - p;
                            }
                        }
                    }
                }
            }
            off += p as usize * xst[d];
        }
        out.push(x.data[off]);
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_modes() {
        let x = Tensor::new(vec![3], vec![1.0, 2.0, 3.0]);
        let s = shape(&[2, 1], &x.shape).unwrap();
        assert_eq!(
            eval(&[2, 1], &PadMode::Constant(0.0), &x, &s).data,
            vec![0.0, 0.0, 1.0, 2.0, 3.0, 0.0]
        );
        assert_eq!(
            eval(&[2, 1], &PadMode::Reflect, &x, &s).data,
            vec![3.0, 2.0, 1.0, 2.0, 3.0, 2.0]
        );
        assert_eq!(
            eval(&[2, 1], &PadMode::Edge, &x, &s).data,
            vec![1.0, 1.0, 1.0, 2.0, 3.0, 3.0]
        );
    }
}
