//! N-D transposed convolution (ONNX ConvTranspose).

use super::{ConvTransposeParams, OpError, OpResult};
use crate::tensor::{numel, strides, unravel, Tensor};

/// `out = (in-1)·stride - pad_begin - pad_end + dilation·(k-1) + 1 + output_padding`.
pub fn shape(p: &ConvTransposeParams, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
    let (x, w) = (inputs[0], inputs[1]);
    let nd = p.kernel.len();
    if x.len() != nd + 2 || w.len() != nd + 2 {
        return Err(OpError::new(format!(
            "input {x:?} and weight {w:?} must both have {} dimensions",
            nd + 2
        )));
    }
    if p.strides.len() != nd || p.dilations.len() != nd || p.pads.len() != 2 * nd || p.output_padding.len() != nd {
        return Err(OpError::new(
            "strides, dilations, pads and output_padding do not match the kernel rank",
        ));
    }
    if p.group == 0 || x[1] % p.group != 0 || w[0] != x[1] {
        return Err(OpError::new(format!(
            "weight {w:?} must have {} input channels divisible by group {}",
            x[1], p.group
        )));
    }
    if w[2..] != p.kernel[..] {
        return Err(OpError::new(format!(
            "kernel_shape {:?} does not match the weight {w:?}",
            p.kernel
        )));
    }
    let m = w[1] * p.group;
    if let Some(b) = inputs.get(2) {
        if *b != [m] {
            return Err(OpError::new(format!("bias {b:?} must have shape [{m}]")));
        }
    }
    let mut out = vec![x[0], m];
    for d in 0..nd {
        let full =
            (x[2 + d].max(1) - 1) * p.strides[d] + p.dilations[d] * (p.kernel[d].max(1) - 1) + 1 + p.output_padding[d];
        let cut = p.pads[d] + p.pads[nd + d];
        if full <= cut {
            return Err(OpError::new(format!(
                "spatial axis {d}: pads {cut} remove the whole output {full}"
            )));
        }
        out.push(full - cut);
    }
    Ok(out)
}

/// Evaluates the transposed convolution by scattering each input through the kernel.
pub fn eval(p: &ConvTransposeParams, inputs: &[&Tensor], out_shape: &[usize]) -> Tensor {
    let (x, w) = (inputs[0], inputs[1]);
    let nd = p.kernel.len();
    let (cg, mg) = (x.shape[1] / p.group, out_shape[1] / p.group);
    let ost = strides(out_shape);
    let kn = numel(&p.kernel);
    let mut out = vec![0.0; numel(out_shape)];
    if let Some(b) = inputs.get(2) {
        for (o, v) in out.iter_mut().enumerate() {
            *v = b.data[(o / ost[1]) % out_shape[1]];
        }
    }
    for xi in 0..x.len() {
        let ii = unravel(&x.shape, xi);
        let (n, ci) = (ii[0], ii[1]);
        let g = ci / cg;
        for k in 0..kn {
            let kk = unravel(&p.kernel, k);
            let mut off = n * ost[0];
            let mut ok = true;
            for d in 0..nd {
                let pos = (ii[2 + d] * p.strides[d] + kk[d] * p.dilations[d]) as i64 - p.pads[d] as i64;
                if pos < 0 || pos >= out_shape[2 + d] as i64 {
                    ok = false;
                    break;
                }
                off += pos as usize * ost[2 + d];
            }
            if !ok {
                continue;
            }
            for mm in 0..mg {
                out[off + (g * mg + mm) * ost[1]] += x.data[xi] * w.data[(ci * mg + mm) * kn + k];
            }
        }
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stride_two_with_output_padding() {
        let p = ConvTransposeParams {
            kernel: vec![2],
            strides: vec![2],
            dilations: vec![1],
            pads: vec![0, 0],
            output_padding: vec![1],
            group: 1,
        };
        let x = Tensor::new(vec![1, 1, 2], vec![1.0, 2.0]);
        let w = Tensor::new(vec![1, 1, 2], vec![1.0, 10.0]);
        let s = shape(&p, &[&x.shape, &w.shape]).unwrap();
        assert_eq!(s, vec![1, 1, 5]);
        assert_eq!(eval(&p, &[&x, &w], &s).data, vec![1.0, 10.0, 2.0, 20.0, 0.0]);
    }
}
