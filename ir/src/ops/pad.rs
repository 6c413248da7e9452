//! Constant, reflect and edge padding (ONNX Pad). `pads` holds all begins, then all ends.
//!
//! Output cell `o` on an axis of size `n` with begin pad `p` reads input position `o - p`;
//! outside `[0, n)` it is the constant, the mirror image without repeating the edge
//! (reflect: `-1 → 1`, `n → n-2`) or the nearest edge cell.

use super::{OpError, OpResult, PadMode};
use crate::tensor::{next_index, numel, strides, Tensor};

/// The padded shape `x[i] + pads[i] + pads[rank + i]`. The mode's own limits are checked by
/// [`check_mode`].
pub fn shape(pads: &[usize], x: &[usize]) -> OpResult<Vec<usize>> {
    let r = x.len();
    if pads.len() != 2 * r {
        return Err(OpError::new(format!(
            "Pad: pads {pads:?} has {} values but the input {x:?} needs {} (begins then ends)",
            pads.len(),
            2 * r
        )));
    }
    (0..r)
        .map(|i| {
            x[i].checked_add(pads[i])
                .and_then(|v| v.checked_add(pads[r + i]))
                .ok_or_else(|| {
                    OpError::new(format!(
                        "Pad: axis {i} of size {} with pads {} + {} overflows",
                        x[i],
                        pads[i],
                        pads[r + i]
                    ))
                })
        })
        .collect()
}

/// Checks what the mode needs from the input, as onnxruntime does: reflect needs each pad
/// smaller than its axis (so the mirror never repeats), edge needs a non-empty axis to copy.
/// Constant padding has no limit.
pub fn check_mode(pads: &[usize], mode: &PadMode, x: &[usize]) -> OpResult<()> {
    shape(pads, x)?;
    let r = x.len();
    for (i, &n) in x.iter().enumerate() {
        let (b, e) = (pads[i], pads[r + i]);
        match mode {
            PadMode::Constant(_) => {}
            PadMode::Reflect if (b > 0 && b >= n) || (e > 0 && e >= n) => {
                return Err(OpError::new(format!(
                    "Pad: reflect pads {b} + {e} on axis {i} must each be smaller than its size {n} (input {x:?})"
                )))
            }
            PadMode::Reflect => {}
            PadMode::Edge if n == 0 && (b > 0 || e > 0) => {
                return Err(OpError::new(format!(
                    "Pad: edge mode cannot pad axis {i} of size 0 (input {x:?})"
                )))
            }
            PadMode::Edge => {}
        }
    }
    Ok(())
}

/// Where output position `o` of one axis reads from: an input position, or `None` for the
/// fill value. Total for any pads: reflect beyond one mirror keeps bouncing between the ends
/// (as numpy does), and an empty axis in reflect/edge mode has no source.
fn source(o: usize, begin: usize, n: usize, mode: &PadMode) -> Option<usize> {
    let p = o as i64 - begin as i64;
    let n = n as i64;
    if (0..n).contains(&p) {
        return Some(p as usize);
    }
    match mode {
        PadMode::Constant(_) => None,
        _ if n == 0 => None,
        PadMode::Edge => Some(p.clamp(0, n - 1) as usize),
        PadMode::Reflect if n == 1 => Some(0),
        PadMode::Reflect => {
            let period = 2 * (n - 1);
            let q = p.rem_euclid(period);
            Some(if q < n { q } else { period - q } as usize)
        }
    }
}

/// Evaluates the padding. `x` and `out_shape` must have passed [`shape`]. The result is
/// defined for any pads (see [`check_mode`] for what onnxruntime accepts); a cell with no
/// source is the constant, or NaN when reflect/edge pad an empty axis.
pub fn eval(pads: &[usize], mode: &PadMode, x: &Tensor, out_shape: &[usize]) -> Tensor {
    let r = x.rank();
    let xst = strides(&x.shape);
    let fill = match mode {
        PadMode::Constant(v) => *v,
        _ => f64::NAN,
    };
    // Per axis, the input offset each output coordinate reads, or None for the fill.
    let maps: Vec<Vec<Option<usize>>> = (0..r)
        .map(|d| {
            (0..out_shape[d])
                .map(|o| source(o, pads[d], x.shape[d], mode).map(|i| i * xst[d]))
                .collect()
        })
        .collect();
    let mut out = Vec::with_capacity(numel(out_shape));
    let mut idx = vec![0usize; r];
    for _ in 0..numel(out_shape) {
        let off: Option<usize> = idx.iter().zip(&maps).map(|(&i, m)| m[i]).sum();
        out.push(off.map_or(fill, |o| x.data[o]));
        next_index(&mut idx, out_shape);
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pads: &[usize], mode: &PadMode, x: &Tensor) -> Tensor {
        check_mode(pads, mode, &x.shape).unwrap();
        let s = shape(pads, &x.shape).unwrap();
        eval(pads, mode, x, &s)
    }

    #[test]
    fn three_modes_1d() {
        let x = Tensor::new(vec![3], vec![1.0, 2.0, 3.0]);
        assert_eq!(
            run(&[2, 1], &PadMode::Constant(0.0), &x).data,
            vec![0.0, 0.0, 1.0, 2.0, 3.0, 0.0]
        );
        assert_eq!(
            run(&[2, 1], &PadMode::Reflect, &x).data,
            vec![3.0, 2.0, 1.0, 2.0, 3.0, 2.0]
        );
        assert_eq!(
            run(&[2, 1], &PadMode::Edge, &x).data,
            vec![1.0, 1.0, 1.0, 2.0, 3.0, 3.0]
        );
        assert_eq!(run(&[4, 4], &PadMode::Edge, &x).data.len(), 11);
    }

    #[test]
    fn three_modes_2d() {
        let x = Tensor::new(vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        // One row before and after; two columns before.
        let pads = [1, 2, 1, 0];
        let y = run(&pads, &PadMode::Reflect, &x);
        assert_eq!(y.shape, vec![4, 5]);
        #[rustfmt::skip]
        assert_eq!(y.data, vec![
            6.0, 5.0, 4.0, 5.0, 6.0,
            3.0, 2.0, 1.0, 2.0, 3.0,
            6.0, 5.0, 4.0, 5.0, 6.0,
            3.0, 2.0, 1.0, 2.0, 3.0,
        ]);
        #[rustfmt::skip]
        assert_eq!(run(&pads, &PadMode::Edge, &x).data, vec![
            1.0, 1.0, 1.0, 2.0, 3.0,
            1.0, 1.0, 1.0, 2.0, 3.0,
            4.0, 4.0, 4.0, 5.0, 6.0,
            4.0, 4.0, 4.0, 5.0, 6.0,
        ]);
        #[rustfmt::skip]
        assert_eq!(run(&pads, &PadMode::Constant(7.5), &x).data, vec![
            7.5, 7.5, 7.5, 7.5, 7.5,
            7.5, 7.5, 1.0, 2.0, 3.0,
            7.5, 7.5, 4.0, 5.0, 6.0,
            7.5, 7.5, 7.5, 7.5, 7.5,
        ]);
    }

    #[test]
    fn check_mode_follows_onnxruntime_limits() {
        let e = check_mode(&[3, 1], &PadMode::Reflect, &[3]).unwrap_err().0;
        assert!(
            e.contains("reflect pads 3 + 1 on axis 0 must each be smaller than its size 3"),
            "{e}"
        );
        assert!(check_mode(&[1, 0], &PadMode::Reflect, &[1]).is_err());
        assert!(check_mode(&[2, 2], &PadMode::Reflect, &[3]).is_ok());
        // Unpadded axes may be short.
        assert!(check_mode(&[0, 1, 0, 1], &PadMode::Reflect, &[1, 2]).is_ok());
        assert!(check_mode(&[0, 0], &PadMode::Reflect, &[0]).is_ok());
        let e = check_mode(&[1, 0, 0, 0], &PadMode::Edge, &[0, 2]).unwrap_err().0;
        assert!(e.contains("edge mode cannot pad axis 0 of size 0"), "{e}");
        assert!(check_mode(&[5, 5], &PadMode::Constant(1.0), &[0]).is_ok());
        let e = check_mode(&[1], &PadMode::Edge, &[2]).unwrap_err().0;
        assert!(e.contains("pads [1] has 1 values but the input [2] needs 2"), "{e}");
    }

    #[test]
    fn eval_is_total_past_the_checked_limits() {
        // Beyond one mirror, reflect keeps bouncing (numpy and the ONNX reference agree).
        let x = Tensor::new(vec![3], vec![1.0, 2.0, 3.0]);
        let s = shape(&[5, 1], &x.shape).unwrap();
        let y = eval(&[5, 1], &PadMode::Reflect, &x, &s);
        assert_eq!(y.data, vec![2.0, 1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 2.0]);
        let x = Tensor::new(vec![0], vec![]);
        let y = eval(&[1, 0], &PadMode::Edge, &x, &[1]);
        assert!(y.data[0].is_nan());
    }
}
