//! N-D max and average pooling (ONNX MaxPool / AveragePool) with strides, dilations, begin/end
//! pads and `ceil_mode`.
//!
//! Window `o` on an axis reads positions `o·s + t·d - p_begin` for `t < k`. Padded cells never
//! win a max. An average divides the sum of the real cells by their count, or, with
//! `count_include_pad`, by the number of taps inside the padded extent `[-p_begin, in + p_end)`
//! (a `ceil_mode` window sticking out past the end pad counts only its taps inside it).

use super::conv::{check_window, window_span};
use super::{OpError, OpResult, PoolKind, PoolParams};
use crate::tensor::{next_index, numel, strides, Tensor};

/// Output shape `[N, C, out...]`: `out = (in + p_begin + p_end - span) / s + 1`, rounded down,
/// or up with `ceil_mode`, where ONNX then drops a last window that would start in the end
/// pad. Rejects windows made only of padding (their max or average is undefined).
pub fn shape(p: &PoolParams, x: &[usize]) -> OpResult<Vec<usize>> {
    let op = match p.kind {
        PoolKind::Max => "MaxPool",
        PoolKind::Average { .. } => "AveragePool",
    };
    let nd = p.kernel.len();
    check_window(op, &p.kernel, &p.strides, &p.dilations, &p.pads)?;
    if x.len() != nd + 2 {
        return Err(OpError::new(format!(
            "{op} with kernel_shape {:?} needs an input of rank {}, got {x:?}",
            p.kernel,
            nd + 2
        )));
    }
    let mut out = vec![x[0], x[1]];
    for d in 0..nd {
        let (n, s, dil, pb, pe) = (x[2 + d], p.strides[d], p.dilations[d], p.pads[d], p.pads[nd + d]);
        let span = window_span(p.kernel[d], dil);
        let padded = n.checked_add(pb).and_then(|v| v.checked_add(pe));
        let (span, padded) = match (span, padded) {
            (Some(span), Some(padded)) if padded >= span => (span, padded),
            _ => {
                return Err(OpError::new(format!(
                    "{op}: spatial axis {d} has input size {n} + pads {pb} + {pe}, smaller than the window span \
                     dilation {dil} × (kernel {} - 1) + 1",
                    p.kernel[d]
                )))
            }
        };
        let mut o = if p.ceil_mode {
            (padded - span).div_ceil(s) + 1
        } else {
            (padded - span) / s + 1
        };
        if p.ceil_mode && (o - 1) * s >= n + pb {
            o -= 1;
        }
        for i in 0..o {
            let start = i * s;
            let real = (0..p.kernel[d]).any(|t| (pb..pb + n).contains(&(start + t * dil)));
            if !real {
                return Err(OpError::new(format!(
                    "{op}: window {i} on spatial axis {d} (input size {n}, kernel {}, stride {s}, dilation {dil}, \
                     pads {pb} + {pe}) covers only padding; use smaller pads",
                    p.kernel[d]
                )));
            }
        }
        out.push(o);
    }
    Ok(out)
}

/// Evaluates the pooling. `x` and `out_shape` must have passed [`shape`].
///
/// For each output position the in-bounds taps (as input offsets) and the average's divisor
/// are computed once, then reused for every batch and channel.
pub fn eval(p: &PoolParams, x: &Tensor, out_shape: &[usize]) -> Tensor {
    let nd = p.kernel.len();
    let planes = out_shape[0] * out_shape[1];
    let in_sp = &x.shape[2..];
    let out_sp = &out_shape[2..];
    let (in_n, out_n) = (numel(in_sp), numel(out_sp));
    let xst = strides(in_sp);
    let kn = numel(&p.kernel);
    let mut out = vec![0.0; numel(out_shape)];
    let mut taps: Vec<usize> = Vec::with_capacity(kn);
    let mut oi = vec![0usize; nd];
    let mut ki = vec![0usize; nd];
    for s in 0..out_n {
        taps.clear();
        for _ in 0..kn {
            let mut off = 0;
            let mut inside = true;
            for d in 0..nd {
                let pos = oi[d] * p.strides[d] + ki[d] * p.dilations[d];
                if pos < p.pads[d] || pos - p.pads[d] >= in_sp[d] {
                    inside = false;
                    break;
                }
                off += (pos - p.pads[d]) * xst[d];
            }
            if inside {
                taps.push(off);
            }
            next_index(&mut ki, &p.kernel);
        }
        let divisor = match p.kind {
            PoolKind::Average {
                count_include_pad: true,
            } => (0..nd)
                .map(|d| {
                    let end = in_sp[d] + p.pads[d] + p.pads[nd + d];
                    let start = oi[d] * p.strides[d];
                    (0..p.kernel[d]).filter(|t| start + t * p.dilations[d] < end).count()
                })
                .product::<usize>(),
            _ => taps.len(),
        } as f64;
        for plane in 0..planes {
            let xs = &x.data[plane * in_n..];
            out[plane * out_n + s] = match p.kind {
                PoolKind::Max => taps.iter().map(|&o| xs[o]).fold(f64::NEG_INFINITY, f64::max),
                PoolKind::Average { .. } => taps.iter().map(|&o| xs[o]).sum::<f64>() / divisor,
            };
        }
        next_index(&mut oi, out_sp);
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: PoolKind = PoolKind::Max;
    const AVG_PAD: PoolKind = PoolKind::Average {
        count_include_pad: true,
    };
    const AVG: PoolKind = PoolKind::Average {
        count_include_pad: false,
    };

    fn params(kind: PoolKind, k: &[usize], s: &[usize], d: &[usize], pads: &[usize], ceil_mode: bool) -> PoolParams {
        PoolParams {
            kind,
            kernel: k.to_vec(),
            strides: s.to_vec(),
            dilations: d.to_vec(),
            pads: pads.to_vec(),
            ceil_mode,
        }
    }

    fn run(p: &PoolParams, x: &Tensor) -> Tensor {
        let s = shape(p, &x.shape).unwrap();
        eval(p, x, &s)
    }

    #[test]
    fn max_with_padding_and_dilation_never_picks_a_pad() {
        let x = Tensor::new(vec![1, 1, 5], vec![-1.0, -2.0, -3.0, -4.0, -5.0]);
        // Windows start at -1, 1, 3 and read taps +0, +2: {pad, -2}, {-2, -4}, {-4, pad}.
        let y = run(&params(MAX, &[2], &[2], &[2], &[1, 1], false), &x);
        assert_eq!(y.shape, vec![1, 1, 3]);
        assert_eq!(y.data, vec![-2.0, -2.0, -4.0]);
    }

    #[test]
    fn average_with_and_without_pad_cells() {
        let x = Tensor::new(vec![1, 1, 4], vec![-1.0, -2.0, 3.0, 4.0]);
        // Windows {pad, -1}, {-2, 3}, {4, pad}.
        let y = run(&params(MAX, &[2], &[2], &[1], &[1, 1], false), &x);
        assert_eq!(y.data, vec![-1.0, 3.0, 4.0]);
        let y = run(&params(AVG, &[2], &[2], &[1], &[1, 1], false), &x);
        assert_eq!(y.data, vec![-1.0, 0.5, 4.0]);
        let y = run(&params(AVG_PAD, &[2], &[2], &[1], &[1, 1], false), &x);
        assert_eq!(y.data, vec![-0.5, 0.5, 2.0]);
    }

    #[test]
    fn average_2d_with_pads() {
        let x = Tensor::new(vec![1, 1, 3, 3], (1..=9).map(f64::from).collect());
        // Windows at rows/cols -1 and 1: {1}, {2, 3}, {4, 7}, {5, 6, 8, 9}.
        let p = params(AVG, &[2, 2], &[2, 2], &[1, 1], &[1, 1, 1, 1], false);
        let y = run(&p, &x);
        assert_eq!(y.shape, vec![1, 1, 2, 2]);
        assert_eq!(y.data, vec![1.0, 2.5, 5.5, 7.0]);
        let p = params(AVG_PAD, &[2, 2], &[2, 2], &[1, 1], &[1, 1, 1, 1], false);
        assert_eq!(run(&p, &x).data, vec![0.25, 1.25, 2.75, 7.0]);
    }

    #[test]
    fn average_dilated_counts_taps_not_span() {
        let x = Tensor::new(vec![1, 1, 5], vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        // Windows {pad, 2}, {2, 4}, {4, pad}; with pads counted each divides by 2 taps.
        let y = run(&params(AVG_PAD, &[2], &[2], &[2], &[1, 1], false), &x);
        assert_eq!(y.data, vec![1.0, 3.0, 2.0]);
        let y = run(&params(AVG, &[2], &[2], &[2], &[1, 1], false), &x);
        assert_eq!(y.data, vec![2.0, 3.0, 4.0]);
    }

    #[test]
    fn max_2d_over_batch_and_channels() {
        let x = Tensor::new(vec![2, 2, 2, 2], (0..16).map(f64::from).collect());
        let y = run(&params(MAX, &[2, 2], &[1, 1], &[1, 1], &[0, 0, 0, 0], false), &x);
        assert_eq!(y.shape, vec![2, 2, 1, 1]);
        assert_eq!(y.data, vec![3.0, 7.0, 11.0, 15.0]);
        let x = Tensor::new(vec![1, 1, 3, 3], (1..=9).map(f64::from).collect());
        let y = run(&params(MAX, &[2, 2], &[1, 1], &[1, 1], &[0, 0, 0, 0], false), &x);
        assert_eq!(y.data, vec![5.0, 6.0, 8.0, 9.0]);
    }

    #[test]
    fn ceil_mode_keeps_a_partial_window() {
        let x = Tensor::new(vec![1, 1, 5], vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(
            run(&params(MAX, &[2], &[2], &[1], &[0, 0], false), &x).data,
            vec![2.0, 4.0]
        );
        assert_eq!(
            run(&params(MAX, &[2], &[2], &[1], &[0, 0], true), &x).data,
            vec![2.0, 4.0, 5.0]
        );
        // The partial window {4, 5} sticks out of the (empty) padding: both averages divide by 2.
        assert_eq!(
            run(&params(AVG_PAD, &[3], &[3], &[1], &[0, 0], true), &x).data,
            vec![2.0, 4.5]
        );
        assert_eq!(
            run(&params(AVG, &[3], &[3], &[1], &[0, 0], true), &x).data,
            vec![2.0, 4.5]
        );
    }

    #[test]
    fn ceil_mode_drops_a_window_starting_in_the_end_pad() {
        let x = Tensor::new(vec![1, 1, 5], vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        // Padded length 7, span 3, stride 3: ceil gives 3 windows, but the third would start at
        // padded position 6, inside the end pad, so only {pad, 1, 2} and {3, 4, 5} remain.
        let p = params(AVG_PAD, &[3], &[3], &[1], &[1, 1], true);
        assert_eq!(shape(&p, &x.shape).unwrap(), vec![1, 1, 2]);
        assert_eq!(run(&p, &x).data, vec![1.0, 4.0]);
    }

    #[test]
    fn rejects_bad_shapes_naming_the_sizes() {
        let e = shape(&params(MAX, &[2], &[1], &[1], &[0, 0], false), &[1, 1, 4, 4])
            .unwrap_err()
            .0;
        assert!(
            e.contains("MaxPool with kernel_shape [2] needs an input of rank 3, got [1, 1, 4, 4]"),
            "{e}"
        );
        let e = shape(&params(AVG, &[0], &[1], &[1], &[0, 0], false), &[1, 1, 4])
            .unwrap_err()
            .0;
        assert!(e.contains("AveragePool") && e.contains("positive"), "{e}");
        let e = shape(&params(MAX, &[3], &[1], &[2], &[0, 0], false), &[1, 1, 4])
            .unwrap_err()
            .0;
        assert!(
            e.contains("input size 4 + pads 0 + 0, smaller than the window span dilation 2"),
            "{e}"
        );
        let e = shape(&params(MAX, &[2], &[1], &[1], &[2, 0], false), &[1, 1, 4])
            .unwrap_err()
            .0;
        assert!(
            e.contains("window 0 on spatial axis 0") && e.contains("covers only padding"),
            "{e}"
        );
        // Dilation can skip over the whole input too: taps at -1 and 2 of a 2-cell input.
        let e = shape(&params(MAX, &[2], &[1], &[3], &[1, 1], false), &[1, 1, 2])
            .unwrap_err()
            .0;
        assert!(e.contains("covers only padding"), "{e}");
    }
}
