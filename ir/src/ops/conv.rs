//! N-D convolution (ONNX Conv): any spatial rank, groups (depthwise with a multiplier
//! included), strides, dilations and explicit begin/end pads.
//!
//! `y[n, m, o] = b[m] + Σ_{c < C/G} Σ_k x[n, g·C/G + c, o·s + k·d - p_begin] · w[m, c, k]`
//! with `g = m / (M/G)`; cells outside the input read as zero.

use super::{ConvParams, OpError, OpResult};
use crate::tensor::{next_index, numel, strides, Tensor};

/// Checks the window attributes shared by Conv, ConvTranspose and pooling: one stride and
/// dilation per spatial axis, begin and end pads, and positive kernel, strides and dilations.
pub(super) fn check_window(
    op: &str,
    kernel: &[usize],
    strides: &[usize],
    dilations: &[usize],
    pads: &[usize],
) -> OpResult<()> {
    let nd = kernel.len();
    if strides.len() != nd || dilations.len() != nd || pads.len() != 2 * nd {
        return Err(OpError::new(format!(
            "{op}: kernel_shape {kernel:?} has {nd} spatial axes, so strides and dilations need {nd} values \
             and pads {} (begins then ends), got strides {strides:?}, dilations {dilations:?}, pads {pads:?}",
            2 * nd
        )));
    }
    if kernel.contains(&0) || strides.contains(&0) || dilations.contains(&0) {
        return Err(OpError::new(format!(
            "{op}: kernel_shape {kernel:?}, strides {strides:?} and dilations {dilations:?} must all be positive"
        )));
    }
    Ok(())
}

/// The extent `d·(k-1) + 1` covered by a dilated window, or `None` if it overflows.
pub(super) fn window_span(k: usize, dilation: usize) -> Option<usize> {
    (k - 1).checked_mul(dilation)?.checked_add(1)
}

/// Output shape `[N, M, out...]` with `out = (in + p_begin + p_end - (d·(k-1) + 1)) / s + 1`
/// (floor), after checking ranks, channel/group divisibility, the weight against
/// `kernel_shape`, the bias, and that every spatial output size is at least 1.
pub fn shape(p: &ConvParams, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
    let [x, w, rest @ ..] = inputs else {
        return Err(OpError::new(format!(
            "Conv takes x, w and an optional bias, got {} inputs",
            inputs.len()
        )));
    };
    let nd = p.kernel.len();
    check_window("Conv", &p.kernel, &p.strides, &p.dilations, &p.pads)?;
    if x.len() != nd + 2 || w.len() != nd + 2 {
        return Err(OpError::new(format!(
            "Conv with {nd} spatial axes needs input and weight of rank {}, got input {x:?} and weight {w:?}",
            nd + 2
        )));
    }
    let (c, m, g) = (x[1], w[0], p.group);
    if g == 0 || c % g != 0 || m % g != 0 {
        return Err(OpError::new(format!(
            "Conv: group {g} must divide both the input channels {c} (input {x:?}) and the output channels {m} \
             (weight {w:?})"
        )));
    }
    if w[1] != c / g {
        return Err(OpError::new(format!(
            "Conv: weight {w:?} has {} input channels per group, but input {x:?} with group {g} has {c}/{g} = {}",
            w[1],
            c / g
        )));
    }
    if w[2..] != p.kernel[..] {
        return Err(OpError::new(format!(
            "Conv: kernel_shape {:?} does not match the weight's spatial dims {:?} (weight {w:?})",
            p.kernel,
            &w[2..]
        )));
    }
    match rest {
        [] => {}
        [b] if *b == [m] => {}
        [b] => {
            return Err(OpError::new(format!(
                "Conv: bias {b:?} must have shape [{m}] (weight {w:?})"
            )))
        }
        _ => {
            return Err(OpError::new(format!(
                "Conv takes x, w and an optional bias, got {} inputs",
                inputs.len()
            )))
        }
    }
    let mut out = vec![x[0], m];
    for d in 0..nd {
        let span = window_span(p.kernel[d], p.dilations[d]);
        let padded = x[2 + d]
            .checked_add(p.pads[d])
            .and_then(|v| v.checked_add(p.pads[nd + d]));
        match (span, padded) {
            (Some(span), Some(padded)) if padded >= span => out.push((padded - span) / p.strides[d] + 1),
            _ => {
                return Err(OpError::new(format!(
                    "Conv: spatial axis {d} has input size {} + pads {} + {}, smaller than the kernel span \
                     dilation {} × (kernel {} - 1) + 1, so the output would be empty",
                    x[2 + d],
                    p.pads[d],
                    p.pads[nd + d],
                    p.dilations[d],
                    p.kernel[d]
                )))
            }
        }
    }
    Ok(out)
}

/// Evaluates the convolution. `inputs` and `out_shape` must have passed [`shape`].
///
/// For each output position the in-bounds kernel taps and their input offsets are listed
/// once, then reused for every batch, output channel and input channel.
pub fn eval(p: &ConvParams, inputs: &[&Tensor], out_shape: &[usize]) -> Tensor {
    let (x, w, bias) = (inputs[0], inputs[1], inputs.get(2));
    let nd = p.kernel.len();
    let (batch, m_total) = (out_shape[0], out_shape[1]);
    let (cg, mg) = (x.shape[1] / p.group, m_total / p.group);
    let in_sp = &x.shape[2..];
    let out_sp = &out_shape[2..];
    let xst = strides(&x.shape);
    let kn = numel(&p.kernel);
    let out_n = numel(out_sp);
    let mut out = vec![0.0; numel(out_shape)];
    // (kernel tap, spatial offset into the input) of the taps that land inside the input.
    let mut taps: Vec<(usize, usize)> = Vec::with_capacity(kn);
    let mut oi = vec![0usize; nd];
    let mut ki = vec![0usize; nd];
    for s in 0..out_n {
        taps.clear();
        for k in 0..kn {
            let mut off = 0;
            let mut inside = true;
            for d in 0..nd {
                // Position in padded coordinates; subtract the begin pad to index the input.
                let pos = oi[d] * p.strides[d] + ki[d] * p.dilations[d];
                if pos < p.pads[d] || pos - p.pads[d] >= in_sp[d] {
                    inside = false;
                    break;
                }
                off += (pos - p.pads[d]) * xst[2 + d];
            }
            if inside {
                taps.push((k, off));
            }
            next_index(&mut ki, &p.kernel);
        }
        for n in 0..batch {
            for m in 0..m_total {
                let g = m / mg;
                let mut acc = bias.map_or(0.0, |b| b.data[m]);
                for c in 0..cg {
                    let xs = &x.data[n * xst[0] + (g * cg + c) * xst[1]..];
                    let ws = &w.data[(m * cg + c) * kn..];
                    for &(k, off) in &taps {
                        acc += xs[off] * ws[k];
                    }
                }
                out[(n * m_total + m) * out_n + s] = acc;
            }
        }
        next_index(&mut oi, out_sp);
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(kernel: &[usize], strides: &[usize], dilations: &[usize], pads: &[usize], group: usize) -> ConvParams {
        ConvParams {
            kernel: kernel.to_vec(),
            strides: strides.to_vec(),
            dilations: dilations.to_vec(),
            pads: pads.to_vec(),
            group,
        }
    }

    fn run(p: &ConvParams, inputs: &[&Tensor]) -> Tensor {
        let shapes: Vec<&[usize]> = inputs.iter().map(|t| t.shape.as_slice()).collect();
        let s = shape(p, &shapes).unwrap();
        eval(p, inputs, &s)
    }

    fn err(p: &ConvParams, inputs: &[&[usize]]) -> String {
        shape(p, inputs).unwrap_err().0
    }

    #[test]
    fn conv1d_stride_dilation_padding() {
        let x = Tensor::new(vec![1, 1, 5], vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        let w = Tensor::new(vec![1, 1, 2], vec![1.0, 10.0]);
        // Padded: 0 1 2 3 4 5 0, span 3, windows start at 0, 2, 4 and read taps +0, +2.
        let y = run(&params(&[2], &[2], &[2], &[1, 1], 1), &[&x, &w]);
        assert_eq!(y.shape, vec![1, 1, 3]);
        assert_eq!(y.data, vec![20.0, 2.0 + 40.0, 4.0]);
    }

    #[test]
    fn conv2d_asymmetric_pads_and_strides() {
        let x = Tensor::new(vec![1, 1, 3, 3], (1..=9).map(f64::from).collect());
        let w = Tensor::new(vec![1, 1, 2, 2], vec![1.0, 2.0, 3.0, 4.0]);
        // One zero row on top, one zero column on the right; stride 2 down, 1 across.
        let y = run(&params(&[2, 2], &[2, 1], &[1, 1], &[1, 0, 0, 1], 1), &[&x, &w]);
        assert_eq!(y.shape, vec![1, 1, 2, 3]);
        // Row 0 sees only input row 0 (through w's bottom row): 3·x + 4·x_right.
        // Row 1 sees input rows 1 and 2.
        assert_eq!(y.data, vec![11.0, 18.0, 9.0, 67.0, 77.0, 33.0]);
    }

    #[test]
    fn grouped_conv2d_with_bias() {
        // Two groups of one input channel each, two output channels per group.
        let x = Tensor::new(vec![1, 2, 2, 2], (1..=8).map(f64::from).collect());
        #[rustfmt::skip]
        let w = Tensor::new(vec![4, 1, 2, 2], vec![
            1.0, 0.0, 0.0, 0.0, // top-left of channel 0
            1.0, 1.0, 1.0, 1.0, // sum of channel 0
            0.0, 0.0, 0.0, 1.0, // bottom-right of channel 1
            1.0, -1.0, 0.0, 0.0, // top row difference of channel 1
        ]);
        let b = Tensor::new(vec![4], vec![1.0, 2.0, 3.0, 4.0]);
        let y = run(&params(&[2, 2], &[1, 1], &[1, 1], &[0, 0, 0, 0], 2), &[&x, &w, &b]);
        assert_eq!(y.shape, vec![1, 4, 1, 1]);
        assert_eq!(y.data, vec![1.0 + 1.0, 10.0 + 2.0, 8.0 + 3.0, -1.0 + 4.0]);
    }

    #[test]
    fn depthwise_with_multiplier_two() {
        // group = C = 2, M = 4: output channels 0,1 read channel 0 and 2,3 read channel 1.
        let x = Tensor::new(vec![1, 2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let w = Tensor::new(vec![4, 1, 2], vec![1.0, 1.0, 1.0, -1.0, 2.0, 0.0, 0.0, 1.0]);
        let y = run(&params(&[2], &[1], &[1], &[0, 0], 2), &[&x, &w]);
        assert_eq!(y.shape, vec![1, 4, 2]);
        assert_eq!(y.data, vec![3.0, 5.0, -1.0, -1.0, 8.0, 10.0, 5.0, 6.0]);
    }

    #[test]
    fn conv3d_and_batch() {
        // Two batch items; an all-ones 2×2×2 kernel sums each cube, padding one end of the depth axis.
        let x = Tensor::new(vec![2, 1, 2, 2, 2], (1..=16).map(f64::from).collect());
        let w = Tensor::full(vec![1, 1, 2, 2, 2], 1.0);
        let y = run(
            &params(&[2, 2, 2], &[1, 1, 1], &[1, 1, 1], &[0, 0, 0, 1, 0, 0], 1),
            &[&x, &w],
        );
        assert_eq!(y.shape, vec![2, 1, 2, 1, 1]);
        // Depth 0 covers both slices; depth 1 covers slice 1 and the zero pad.
        assert_eq!(
            y.data,
            vec![36.0, 5.0 + 6.0 + 7.0 + 8.0, 100.0, 13.0 + 14.0 + 15.0 + 16.0]
        );
    }

    #[test]
    fn window_entirely_in_padding_gives_the_bias() {
        let x = Tensor::new(vec![1, 1, 1], vec![5.0]);
        let w = Tensor::new(vec![1, 1, 1], vec![2.0]);
        let b = Tensor::new(vec![1], vec![0.25]);
        let y = run(&params(&[1], &[1], &[1], &[1, 1], 1), &[&x, &w, &b]);
        assert_eq!(y.data, vec![0.25, 10.25, 0.25]);
    }

    #[test]
    fn rejects_bad_shapes_naming_the_sizes() {
        let p = params(&[2], &[1], &[1], &[0, 0], 2);
        assert!(err(&p, &[&[1, 3, 5], &[2, 1, 2]]).contains("group 2 must divide both the input channels 3"));
        assert!(err(&p, &[&[1, 4, 5], &[3, 2, 2]]).contains("output channels 3"));
        assert!(err(&p, &[&[1, 4, 5], &[2, 1, 2]]).contains("has 1 input channels per group"));
        assert!(err(&p, &[&[1, 4, 5], &[2, 2, 3]]).contains("kernel_shape [2] does not match"));
        assert!(err(&p, &[&[1, 4, 5], &[2, 2, 2], &[3]]).contains("bias [3] must have shape [2]"));
        assert!(err(&p, &[&[1, 4, 5, 5], &[2, 2, 2]]).contains("rank 3"));
        assert!(err(&p, &[&[1, 4, 1], &[2, 2, 2]]).contains("input size 1"));
        assert!(err(&params(&[2], &[0], &[1], &[0, 0], 1), &[&[1, 1, 5], &[1, 1, 2]]).contains("positive"));
        assert!(err(&params(&[2], &[1], &[1], &[0], 1), &[&[1, 1, 5], &[1, 1, 2]]).contains("pads [0]"));
        assert!(err(&params(&[2], &[1], &[1], &[0, 0], 0), &[&[1, 1, 5], &[1, 1, 2]]).contains("group 0"));
        assert!(err(&p, &[&[1, 4, 5]]).contains("got 1 inputs"));
        let huge = params(&[3], &[1], &[usize::MAX], &[0, 0], 1);
        assert!(err(&huge, &[&[1, 1, 5], &[1, 1, 3]]).contains("kernel span"));
    }
}
