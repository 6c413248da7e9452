//! N-D max and average pooling (ONNX MaxPool / AveragePool).

use super::{OpError, OpResult, PoolKind, PoolParams};
use crate::tensor::{numel, strides, unravel, Tensor};

/// Output shape, with ONNX's floor/ceil rule (a ceil window may not start in the end pad).
pub fn shape(p: &PoolParams, x: &[usize]) -> OpResult<Vec<usize>> {
    let nd = p.kernel.len();
    if x.len() != nd + 2 {
        return Err(OpError::new(format!("input {x:?} must have {} dimensions", nd + 2)));
    }
    if p.strides.len() != nd || p.dilations.len() != nd || p.pads.len() != 2 * nd {
        return Err(OpError::new("strides, dilations and pads do not match the kernel rank"));
    }
    if p.strides.contains(&0) || p.dilations.contains(&0) || p.kernel.contains(&0) {
        return Err(OpError::new("kernel, strides and dilations must be positive"));
    }
    let mut out = vec![x[0], x[1]];
    for d in 0..nd {
        let span = p.dilations[d] * (p.kernel[d] - 1) + 1;
        let padded = x[2 + d] + p.pads[d] + p.pads[nd + d];
        if padded < span {
            return Err(OpError::new(format!(
                "spatial axis {d}: padded input {padded} is smaller than the window span {span}"
            )));
        }
        let mut o = if p.ceil_mode {
            (padded - span).div_ceil(p.strides[d]) + 1
        } else {
            (padded - span) / p.strides[d] + 1
        };
        if p.ceil_mode && (o - 1) * p.strides[d] >= x[2 + d] + p.pads[d] {
            o -= 1;
        }
        out.push(o);
    }
    Ok(out)
}

/// Evaluates the pooling. Padded cells never win a max; for averages they count only with
/// `count_include_pad` (and only inside the declared pads).
pub fn eval(p: &PoolParams, x: &Tensor, out_shape: &[usize]) -> Tensor {
    let nd = p.kernel.len();
    let xst = strides(&x.shape);
    let kn = numel(&p.kernel);
    let mut out = Vec::with_capacity(numel(out_shape));
    for o in 0..numel(out_shape) {
        let oi = unravel(out_shape, o);
        let base = oi[0] * xst[0] + oi[1] * xst[1];
        let (mut max, mut sum, mut n, mut with_pad) = (f64::NEG_INFINITY, 0.0, 0usize, 0usize);
        for k in 0..kn {
            let kk = unravel(&p.kernel, k);
            let (mut off, mut valid, mut in_pads) = (base, true, true);
            for d in 0..nd {
                let pos = (oi[2 + d] * p.strides[d] + kk[d] * p.dilations[d]) as i64 - p.pads[d] as i64;
                if pos < 0 || pos >= x.shape[2 + d] as i64 {
                    valid = false;
                } else {
                    off += pos as usize * xst[2 + d];
                }
                if pos >= x.shape[2 + d] as i64 + p.pads[nd + d] as i64 {
                    in_pads = false;
                }
            }
            if valid {
                let v = x.data[off];
                max = max.max(v);
                sum += v;
                n += 1;
                with_pad += 1;
            } else if in_pads {
                with_pad += 1;
            }
        }
        out.push(match p.kind {
            PoolKind::Max => max,
            PoolKind::Average { count_include_pad } => {
                sum / (if count_include_pad { with_pad } else { n }).max(1) as f64
            }
        });
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(kind: PoolKind, k: usize, s: usize, pad: usize, ceil: bool) -> PoolParams {
        PoolParams {
            kind,
            kernel: vec![k],
            strides: vec![s],
            dilations: vec![1],
            pads: vec![pad, pad],
            ceil_mode: ceil,
        }
    }

    #[test]
    fn max_and_average_with_padding() {
        let x = Tensor::new(vec![1, 1, 4], vec![-1.0, -2.0, 3.0, 4.0]);
        let p = params(PoolKind::Max, 2, 2, 1, false);
        let s = shape(&p, &x.shape).unwrap();
        assert_eq!(s, vec![1, 1, 3]);
        assert_eq!(eval(&p, &x, &s).data, vec![-1.0, 3.0, 4.0]);
        let a = params(
            PoolKind::Average {
                count_include_pad: false,
            },
            2,
            2,
            1,
            false,
        );
        assert_eq!(eval(&a, &x, &s).data, vec![-1.0, 0.5, 4.0]);
        let a = params(
            PoolKind::Average {
                count_include_pad: true,
            },
            2,
            2,
            1,
            false,
        );
        assert_eq!(eval(&a, &x, &s).data, vec![-0.5, 0.5, 2.0]);
    }

    #[test]
    fn ceil_mode_adds_a_partial_window() {
        let x = Tensor::new(vec![1, 1, 5], vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        let p = params(PoolKind::Max, 2, 2, 0, true);
        let s = shape(&p, &x.shape).unwrap();
        assert_eq!(eval(&p, &x, &s).data, vec![2.0, 4.0, 5.0]);
    }
}
