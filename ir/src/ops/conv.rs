//! N-D convolution (ONNX Conv): groups, strides, dilations, explicit pads.

use super::{ConvParams, OpError, OpResult};
use crate::tensor::{numel, strides, unravel, Tensor};

/// Output shape `[N, M, out...]` with `out = (in + pads - dilation·(k-1) - 1) / stride + 1`.
pub fn shape(p: &ConvParams, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
    let (x, w) = (inputs[0], inputs[1]);
    let nd = p.kernel.len();
    if x.len() != nd + 2 || w.len() != nd + 2 {
        return Err(OpError::new(format!(
            "input {x:?} and weight {w:?} must both have {} dimensions",
            nd + 2
        )));
    }
    if p.strides.len() != nd || p.dilations.len() != nd || p.pads.len() != 2 * nd {
        return Err(OpError::new("strides, dilations and pads do not match the kernel rank"));
    }
    if p.group == 0 || x[1] % p.group != 0 || w[0] % p.group != 0 {
        return Err(OpError::new(format!(
            "group {} must divide the input channels {} and output channels {}",
            p.group, x[1], w[0]
        )));
    }
    if w[1] != x[1] / p.group {
        return Err(OpError::new(format!(
            "weight {w:?} expects {} input channels per group but the input has {} / {} groups",
            w[1], x[1], p.group
        )));
    }
    if w[2..] != p.kernel[..] {
        return Err(OpError::new(format!(
            "kernel_shape {:?} does not match the weight {w:?}",
            p.kernel
        )));
    }
    if let Some(b) = inputs.get(2) {
        if *b != [w[0]] {
            return Err(OpError::new(format!("bias {b:?} must have shape [{}]", w[0])));
        }
    }
    if p.strides.contains(&0) || p.dilations.contains(&0) {
        return Err(OpError::new("strides and dilations must be positive"));
    }
    let mut out = vec![x[0], w[0]];
    for d in 0..nd {
        let span = p.dilations[d] * (p.kernel[d].max(1) - 1) + 1;
        let padded = x[2 + d] + p.pads[d] + p.pads[nd + d];
        if padded < span {
            return Err(OpError::new(format!(
                "spatial axis {d}: padded input {padded} is smaller than the kernel span {span}"
            )));
        }
        out.push((padded - span) / p.strides[d] + 1);
    }
    Ok(out)
}

/// Evaluates the convolution.
pub fn eval(p: &ConvParams, inputs: &[&Tensor], out_shape: &[usize]) -> Tensor {
    let (x, w) = (inputs[0], inputs[1]);
    let nd = p.kernel.len();
    let (cg, mg) = (x.shape[1] / p.group, out_shape[1] / p.group);
    let xst = strides(&x.shape);
    let kn = numel(&p.kernel);
    let kidx: Vec<Vec<usize>> = (0..kn).map(|k| unravel(&p.kernel, k)).collect();
    let out_sp = numel(&out_shape[2..]);
    let mut out = vec![0.0; numel(out_shape)];
    let mut pos_off = vec![0usize; kn];
    let mut valid = vec![false; kn];
    for s in 0..out_sp {
        let oi = unravel(&out_shape[2..], s);
        for (k, kk) in kidx.iter().enumerate() {
            let mut off = 0;
            valid[k] = true;
            for d in 0..nd {
                let pos = (oi[d] * p.strides[d] + kk[d] * p.dilations[d]) as i64 - p.pads[d] as i64;
                if pos < 0 || pos >= x.shape[2 + d] as i64 {
                    valid[k] = false;
                    break;
                }
                off += pos as usize * xst[2 + d];
            }
            pos_off[k] = off;
        }
        for n in 0..out_shape[0] {
            for m in 0..out_shape[1] {
                let g = m / mg;
                let mut acc = inputs.get(2).map(|b| b.data[m]).unwrap_or(0.0);
                for c in 0..cg {
                    let xbase = n * xst[0] + (g * cg + c) * xst[1];
                    let wbase = (m * cg + c) * kn;
                    for k in 0..kn {
                        if valid[k] {
                            acc += x.data[xbase + pos_off[k]] * w.data[wbase + k];
                        }
                    }
                }
                out[(n * out_shape[1] + m) * out_sp + s] = acc;
            }
        }
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p1(k: usize, stride: usize, dil: usize, pad: usize, group: usize) -> ConvParams {
        ConvParams {
            kernel: vec![k],
            strides: vec![stride],
            dilations: vec![dil],
            pads: vec![pad, pad],
            group,
        }
    }

    #[test]
    fn conv1d_stride_dilation_padding() {
        let x = Tensor::new(vec![1, 1, 5], vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        let w = Tensor::new(vec![1, 1, 2], vec![1.0, 10.0]);
        let p = p1(2, 2, 2, 1, 1);
        let s = shape(&p, &[&x.shape, &w.shape]).unwrap();
        // padded: 0 1 2 3 4 5 0; windows at 0,2,4 with taps +0,+2.
        assert_eq!(s, vec![1, 1, 3]);
        assert_eq!(eval(&p, &[&x, &w], &s).data, vec![20.0, 2.0 + 40.0, 4.0]);
    }

    #[test]
    fn grouped_conv_with_bias() {
        let x = Tensor::new(vec![1, 2, 2], vec![1.0, 2.0, 3.0, 4.0]);
        let w = Tensor::new(vec![2, 1, 1], vec![2.0, 3.0]);
        let b = Tensor::new(vec![2], vec![0.5, -0.5]);
        let p = p1(1, 1, 1, 0, 2);
        let s = shape(&p, &[&x.shape, &w.shape, &b.shape]).unwrap();
        assert_eq!(eval(&p, &[&x, &w, &b], &s).data, vec![2.5, 4.5, 8.5, 11.5]);
        assert!(shape(&p1(1, 1, 1, 0, 3), &[&x.shape, &w.shape]).is_err());
    }
}
