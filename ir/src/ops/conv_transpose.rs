//! N-D transposed convolution (ONNX ConvTranspose): the gradient of Conv with respect to its
//! input. Each input cell scatters `x · w` through the dilated kernel:
//!
//! `y[n, g·M/G + m, i·s + k·d - p_begin] += x[n, c, i] · w[c, m, k]` for `c` in group `g`,
//! plus the bias; the output is cropped by the pads and extended by `output_padding`.

use super::conv::{check_window, window_span};
use super::{ConvTransposeParams, OpError, OpResult};
use crate::tensor::{next_index, numel, strides, Tensor};

/// Output shape `[N, M, out...]` with
/// `out = (in-1)·s - p_begin - p_end + d·(k-1) + 1 + output_padding`, after checking ranks,
/// channels (`w` is `[C, M/group, k...]`), `kernel_shape`, the bias, `output_padding < stride`
/// (as onnxruntime requires) and that every output size is at least 1.
pub fn shape(p: &ConvTransposeParams, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
    let [x, w, rest @ ..] = inputs else {
        return Err(OpError::new(format!(
            "ConvTranspose takes x, w and an optional bias, got {} inputs",
            inputs.len()
        )));
    };
    let nd = p.kernel.len();
    check_window("ConvTranspose", &p.kernel, &p.strides, &p.dilations, &p.pads)?;
    if p.output_padding.len() != nd {
        return Err(OpError::new(format!(
            "ConvTranspose: kernel_shape {:?} has {nd} spatial axes but output_padding is {:?}",
            p.kernel, p.output_padding
        )));
    }
    if x.len() != nd + 2 || w.len() != nd + 2 {
        return Err(OpError::new(format!(
            "ConvTranspose with {nd} spatial axes needs input and weight of rank {}, got input {x:?} and weight {w:?}",
            nd + 2
        )));
    }
    let (c, g) = (x[1], p.group);
    if g == 0 || c % g != 0 {
        return Err(OpError::new(format!(
            "ConvTranspose: group {g} must divide the input channels {c} (input {x:?})"
        )));
    }
    if w[0] != c {
        return Err(OpError::new(format!(
            "ConvTranspose: weight {w:?} must have the input's {c} channels first (input {x:?})"
        )));
    }
    if w[2..] != p.kernel[..] {
        return Err(OpError::new(format!(
            "ConvTranspose: kernel_shape {:?} does not match the weight's spatial dims {:?} (weight {w:?})",
            p.kernel,
            &w[2..]
        )));
    }
    let m = w[1]
        .checked_mul(g)
        .ok_or_else(|| OpError::new(format!("ConvTranspose: {} × group {g} output channels overflow", w[1])))?;
    match rest {
        [] => {}
        [b] if *b == [m] => {}
        [b] => {
            return Err(OpError::new(format!(
                "ConvTranspose: bias {b:?} must have shape [{m}] (weight {w:?}, group {g})"
            )))
        }
        _ => {
            return Err(OpError::new(format!(
                "ConvTranspose takes x, w and an optional bias, got {} inputs",
                inputs.len()
            )))
        }
    }
    let mut out = vec![x[0], m];
    for d in 0..nd {
        let (s, op) = (p.strides[d], p.output_padding[d]);
        if op >= s {
            return Err(OpError::new(format!(
                "ConvTranspose: output_padding {op} on spatial axis {d} must be smaller than the stride {s}"
            )));
        }
        let full = x[2 + d]
            .checked_sub(1)
            .and_then(|i| i.checked_mul(s))
            .zip(window_span(p.kernel[d], p.dilations[d]))
            .and_then(|(a, b)| a.checked_add(b))
            .and_then(|v| v.checked_add(op));
        let cut = p.pads[d].checked_add(p.pads[nd + d]);
        match (full, cut) {
            (Some(full), Some(cut)) if full > cut => out.push(full - cut),
            _ => {
                return Err(OpError::new(format!(
                    "ConvTranspose: spatial axis {d} with input size {}, stride {s}, kernel {}, dilation {}, \
                     output_padding {op} and pads {} + {} has no output cells",
                    x[2 + d],
                    p.kernel[d],
                    p.dilations[d],
                    p.pads[d],
                    p.pads[nd + d]
                )))
            }
        }
    }
    Ok(out)
}

/// Evaluates the transposed convolution. `inputs` and `out_shape` must have passed [`shape`].
///
/// For each input position the kernel taps that land inside the cropped output, and their
/// output offsets, are listed once and reused for every batch and channel pair.
pub fn eval(p: &ConvTransposeParams, inputs: &[&Tensor], out_shape: &[usize]) -> Tensor {
    let (x, w, bias) = (inputs[0], inputs[1], inputs.get(2));
    let nd = p.kernel.len();
    let (batch, c_total, m_total) = (x.shape[0], x.shape[1], out_shape[1]);
    let (cg, mg) = (c_total / p.group, m_total / p.group);
    let in_sp = &x.shape[2..];
    let out_sp = &out_shape[2..];
    let (in_n, out_n) = (numel(in_sp), numel(out_sp));
    let ost = strides(out_sp);
    let kn = numel(&p.kernel);
    let mut out = vec![0.0; numel(out_shape)];
    if let Some(b) = bias {
        for (plane, bv) in out.chunks_mut(out_n.max(1)).zip(b.data.iter().cycle()) {
            plane.fill(*bv);
        }
    }
    // (kernel tap, spatial offset into the output) of the taps that land inside the output.
    let mut taps: Vec<(usize, usize)> = Vec::with_capacity(kn);
    let mut ii = vec![0usize; nd];
    let mut ki = vec![0usize; nd];
    for s in 0..in_n {
        taps.clear();
        for k in 0..kn {
            let mut off = 0;
            let mut inside = true;
            for d in 0..nd {
                // Position before cropping the begin pad.
                let pos = ii[d] * p.strides[d] + ki[d] * p.dilations[d];
                if pos < p.pads[d] || pos - p.pads[d] >= out_sp[d] {
                    inside = false;
                    break;
                }
                off += (pos - p.pads[d]) * ost[d];
            }
            if inside {
                taps.push((k, off));
            }
            next_index(&mut ki, &p.kernel);
        }
        for n in 0..batch {
            for c in 0..c_total {
                let v = x.data[(n * c_total + c) * in_n + s];
                let g = c / cg;
                for mm in 0..mg {
                    let ys = &mut out[(n * m_total + g * mg + mm) * out_n..];
                    let ws = &w.data[(c * mg + mm) * kn..];
                    for &(k, off) in &taps {
                        ys[off] += v * ws[k];
                    }
                }
            }
        }
        next_index(&mut ii, in_sp);
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(
        kernel: &[usize],
        strides: &[usize],
        dilations: &[usize],
        pads: &[usize],
        output_padding: &[usize],
        group: usize,
    ) -> ConvTransposeParams {
        ConvTransposeParams {
            kernel: kernel.to_vec(),
            strides: strides.to_vec(),
            dilations: dilations.to_vec(),
            pads: pads.to_vec(),
            output_padding: output_padding.to_vec(),
            group,
        }
    }

    fn run(p: &ConvTransposeParams, inputs: &[&Tensor]) -> Tensor {
        let shapes: Vec<&[usize]> = inputs.iter().map(|t| t.shape.as_slice()).collect();
        let s = shape(p, &shapes).unwrap();
        eval(p, inputs, &s)
    }

    #[test]
    fn stride_two_with_output_padding_and_bias() {
        let x = Tensor::new(vec![1, 1, 2], vec![1.0, 2.0]);
        let w = Tensor::new(vec![1, 1, 2], vec![1.0, 10.0]);
        let b = Tensor::new(vec![1], vec![0.5]);
        // (2-1)·2 + 2 + 1 = 5 cells; x0 writes cells 0,1, x1 writes 2,3; cell 4 is only bias.
        let y = run(&params(&[2], &[2], &[1], &[0, 0], &[1], 1), &[&x, &w, &b]);
        assert_eq!(y.shape, vec![1, 1, 5]);
        assert_eq!(y.data, vec![1.5, 10.5, 2.5, 20.5, 0.5]);
    }

    #[test]
    fn overlapping_taps_cropped_by_pads() {
        let x = Tensor::new(vec![1, 1, 3], vec![1.0, 2.0, 3.0]);
        let w = Tensor::new(vec![1, 1, 3], vec![1.0, 1.0, 1.0]);
        // Uncropped: [1, 3, 6, 5, 3]; pads drop one cell at each end.
        let y = run(&params(&[3], &[1], &[1], &[1, 1], &[0], 1), &[&x, &w]);
        assert_eq!(y.data, vec![3.0, 6.0, 5.0]);
        let y = run(&params(&[3], &[1], &[1], &[2, 0], &[0], 1), &[&x, &w]);
        assert_eq!(y.data, vec![6.0, 5.0, 3.0]);
    }

    #[test]
    fn channels_sum_and_groups_split() {
        let x = Tensor::new(vec![1, 2, 2], vec![1.0, 2.0, 3.0, 4.0]);
        // One group: both input channels add into the single output channel.
        let w = Tensor::new(vec![2, 1, 2], vec![1.0, 1.0, 1.0, -1.0]);
        let y = run(&params(&[2], &[1], &[1], &[0, 0], &[0], 1), &[&x, &w]);
        assert_eq!(y.data, vec![1.0 + 3.0, 1.0 + 2.0 - 3.0 + 4.0, 2.0 - 4.0]);
        // Two groups: each input channel feeds its own output channel.
        let w = Tensor::new(vec![2, 1, 1], vec![2.0, -1.0]);
        let y = run(&params(&[1], &[2], &[1], &[0, 0], &[0], 2), &[&x, &w]);
        assert_eq!(y.shape, vec![1, 2, 3]);
        assert_eq!(y.data, vec![2.0, 0.0, 4.0, -3.0, 0.0, -4.0]);
    }

    #[test]
    fn conv_transpose2d_dilated() {
        let x = Tensor::new(vec![1, 1, 2, 2], vec![1.0, 2.0, 3.0, 4.0]);
        let w = Tensor::new(vec![1, 1, 2, 2], vec![1.0, 0.0, 0.0, 1.0]);
        // Dilation 2: each cell lands at (i, j) and (i+2, j+2) of a 4×4 output.
        let y = run(&params(&[2, 2], &[1, 1], &[2, 2], &[0, 0, 0, 0], &[0, 0], 1), &[&x, &w]);
        assert_eq!(y.shape, vec![1, 1, 4, 4]);
        #[rustfmt::skip]
        assert_eq!(y.data, vec![
            1.0, 2.0, 0.0, 0.0,
            3.0, 4.0, 0.0, 0.0,
            0.0, 0.0, 1.0, 2.0,
            0.0, 0.0, 3.0, 4.0,
        ]);
    }

    #[test]
    fn rejects_bad_shapes_naming_the_sizes() {
        let p = params(&[2], &[2], &[1], &[0, 0], &[2], 1);
        let e = shape(&p, &[&[1, 1, 3], &[1, 1, 2]]).unwrap_err().0;
        assert!(
            e.contains("output_padding 2 on spatial axis 0 must be smaller than the stride 2"),
            "{e}"
        );
        let p = params(&[2], &[1], &[1], &[0, 0], &[0], 2);
        let e = shape(&p, &[&[1, 3, 3], &[3, 1, 2]]).unwrap_err().0;
        assert!(e.contains("group 2 must divide the input channels 3"), "{e}");
        let e = shape(&p, &[&[1, 2, 3], &[4, 1, 2]]).unwrap_err().0;
        assert!(e.contains("input's 2 channels"), "{e}");
        let e = shape(&p, &[&[1, 2, 3], &[2, 3, 2], &[3]]).unwrap_err().0;
        assert!(e.contains("bias [3] must have shape [6]"), "{e}");
        let e = shape(&p, &[&[1, 2, 3], &[2, 3, 1]]).unwrap_err().0;
        assert!(e.contains("kernel_shape [2] does not match"), "{e}");
        let p = params(&[2], &[1], &[1], &[2, 2], &[0], 1);
        let e = shape(&p, &[&[1, 1, 3], &[1, 1, 2]]).unwrap_err().0;
        assert!(e.contains("input size 3") && e.contains("no output cells"), "{e}");
        let e = shape(&p, &[&[1, 1, 0], &[1, 1, 2]]).unwrap_err().0;
        assert!(e.contains("input size 0"), "{e}");
    }
}
