//! ONNX Mod with numpy broadcasting. With `fmod` (C semantics) the remainder has the sign of
//! the dividend: `a - b·trunc(a/b)`; without it (integer/Python semantics) it has the sign of
//! the divisor: `a - b·⌊a/b⌋`. A zero divisor gives NaN (ONNX leaves it undefined).

use super::binary::zip_broadcast;
use crate::tensor::Tensor;

/// The remainder of `a` by `b`.
pub fn apply(fmod: bool, a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return f64::NAN;
    }
    // Rust's `%` on floats is C's fmod: exact, with the sign of `a`.
    let r = a % b;
    if fmod || r == 0.0 || (r < 0.0) == (b < 0.0) {
        r
    } else {
        r + b
    }
}

/// Evaluates `a mod b` with broadcasting to `out_shape` (from [`super::binary::broadcast_shape`]).
pub fn eval(fmod: bool, a: &Tensor, b: &Tensor, out_shape: &[usize]) -> Tensor {
    zip_broadcast(a, b, out_shape, |x, y| apply(fmod, x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sign_conventions_match_numpy() {
        // numpy: fmod([5, -5, 5, -5], [3, 3, -3, -3]) and mod(...).
        let a = [5.0, -5.0, 5.0, -5.0];
        let b = [3.0, 3.0, -3.0, -3.0];
        let c: Vec<f64> = a.iter().zip(&b).map(|(&a, &b)| apply(true, a, b)).collect();
        assert_eq!(c, [2.0, -2.0, 2.0, -2.0]);
        let p: Vec<f64> = a.iter().zip(&b).map(|(&a, &b)| apply(false, a, b)).collect();
        assert_eq!(p, [2.0, 1.0, -1.0, -2.0]);
        // mod.py, "mixed_sign_float32" (fmod = 1): [-4.3, 7.2, 5.0, 4.3, -7.2, 8.0] by
        // [2.1, -3.4, 8.0, -2.1, 3.4, 5.0] gives [-0.1, 0.4, 5.0, 0.1, -0.4, 3.0].
        let a = [-4.3, 7.2, 5.0, 4.3, -7.2, 8.0];
        let b = [2.1, -3.4, 8.0, -2.1, 3.4, 5.0];
        let want = [-0.1, 0.4, 5.0, 0.1, -0.4, 3.0];
        for i in 0..6 {
            assert!((apply(true, a[i], b[i]) - want[i]).abs() < 1e-12);
        }
        // mod.py, "mixed_sign_int64" (fmod = 0): [-4, 7, 5, 4, -7, 8] by [2, -3, 8, -2, 3, 5].
        let a = [-4.0, 7.0, 5.0, 4.0, -7.0, 8.0];
        let b = [2.0, -3.0, 8.0, -2.0, 3.0, 5.0];
        let got: Vec<f64> = a.iter().zip(&b).map(|(&a, &b)| apply(false, a, b)).collect();
        assert_eq!(got, [0.0, -2.0, 5.0, 0.0, 2.0, 3.0]);
        assert!(apply(false, 1.0, 0.0).is_nan());
    }

    #[test]
    fn broadcasts_a_scalar_divisor() {
        let a = Tensor::new(vec![2, 2], vec![7.0, -7.0, 2.5, -0.5]);
        let got = eval(false, &a, &Tensor::scalar(2.0), &[2, 2]).data;
        assert_eq!(got, [1.0, 1.0, 0.5, 1.5]);
    }
}
