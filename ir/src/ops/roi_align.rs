//! ONNX RoiAlign (float only): for each region of interest `(x1, y1, x2, y2)` (times
//! `spatial_scale`, shifted by half a pixel with `half_pixel`) on image `batch_indices[r]`, an
//! `out_h × out_w` grid of bins, each the average (or the maximum, as onnxruntime computes it:
//! of the weighted corner values) of bilinear samples on a regular grid inside the bin. Follows
//! ONNX's reference (`onnx/reference/ops/op_roi_align.py`).

use serde::{Deserialize, Serialize};

use super::{OpError, OpResult};
use crate::tensor::Tensor;

/// The most samples one bin may take (an adaptive grid over a huge region would otherwise
/// allocate without bound).
const MAX_SAMPLES: usize = 1 << 16;

/// RoiAlign parameters (ONNX attributes with defaults resolved).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoiAlignParams {
    /// Max instead of average pooling.
    pub max: bool,
    /// Output bins per region, vertically.
    pub out_h: usize,
    /// Output bins per region, horizontally.
    pub out_w: usize,
    /// Samples per bin side; 0 adapts it to the region (⌈roi / bins⌉).
    pub sampling_ratio: usize,
    /// Scale from region coordinates to input pixels.
    pub spatial_scale: f64,
    /// Pixel centres at +0.5 (opset 16's default) instead of the legacy mapping.
    pub half_pixel: bool,
}

/// `[R, C, out_h, out_w]` for X `[N, C, H, W]`, rois `[R, 4]`, batch_indices `[R]`.
pub fn shape(p: &RoiAlignParams, x: &[usize], rois: &[usize], batch: &[usize]) -> OpResult<Vec<usize>> {
    if x.len() != 4
        || x[2] == 0
        || x[3] == 0
        || rois.len() != 2
        || rois[1] != 4
        || batch != [rois[0]]
        || p.out_h == 0
        || p.out_w == 0
    {
        return Err(OpError::new(format!(
            "RoiAlign: X {x:?} must be [N, C, H, W], rois {rois:?} [R, 4], batch_indices {batch:?} [R], and the output size positive"
        )));
    }
    Ok(vec![rois[0], x[1], p.out_h, p.out_w])
}

/// Evaluates RoiAlign; fails on a batch index outside the input.
pub fn eval(p: &RoiAlignParams, x: &Tensor, rois: &Tensor, batch: &Tensor, out_shape: &[usize]) -> OpResult<Tensor> {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
    let (oh, ow) = (p.out_h, p.out_w);
    let mut out = Vec::with_capacity(out_shape.iter().product());
    for r in 0..rois.shape[0] {
        let b = batch.data[r];
        if !(b >= 0.0 && b < n as f64 && b.fract() == 0.0) {
            return Err(OpError::new(format!(
                "RoiAlign: batch_indices[{r}] = {b} is not an image index (0..{n})"
            )));
        }
        let b = b as usize;
        let off = if p.half_pixel { 0.5 } else { 0.0 };
        let roi = &rois.data[4 * r..4 * r + 4];
        let (x1, y1) = (roi[0] * p.spatial_scale - off, roi[1] * p.spatial_scale - off);
        let (x2, y2) = (roi[2] * p.spatial_scale - off, roi[3] * p.spatial_scale - off);
        let (mut rw, mut rh) = (x2 - x1, y2 - y1);
        if !p.half_pixel {
            rw = rw.max(1.0);
            rh = rh.max(1.0);
        }
        let (bh, bw) = (rh / oh as f64, rw / ow as f64);
        let grid = |ratio: f64| {
            if p.sampling_ratio > 0 {
                p.sampling_ratio
            } else {
                ratio.ceil().max(0.0) as usize
            }
        };
        let (gh, gw) = (grid(rh / oh as f64), grid(rw / ow as f64));
        if gh.saturating_mul(gw) > MAX_SAMPLES {
            return Err(OpError::new(format!(
                "RoiAlign: region {r} {roi:?} asks for {gh}×{gw} samples per bin, more than {MAX_SAMPLES}; set sampling_ratio"
            )));
        }
        let count = (gh * gw).max(1) as f64;
        // Per bin: the samples' four (offset, weight) corners.
        let mut bins: Vec<Vec<[(usize, f64); 4]>> = Vec::with_capacity(oh * ow);
        for ph in 0..oh {
            for pw in 0..ow {
                let mut samples = Vec::with_capacity(gh * gw);
                for iy in 0..gh {
                    let yy = y1 + ph as f64 * bh + (iy as f64 + 0.5) * bh / gh as f64;
                    for ix in 0..gw {
                        let xx = x1 + pw as f64 * bw + (ix as f64 + 0.5) * bw / gw as f64;
                        if yy < -1.0 || yy > h as f64 || xx < -1.0 || xx > w as f64 {
                            samples.push([(0, 0.0); 4]);
                            continue;
                        }
                        let (mut y, mut xv) = (yy.max(0.0), xx.max(0.0));
                        let (mut yl, mut xl) = (y as usize, xv as usize);
                        let (yh, xh);
                        if yl >= h - 1 {
                            yl = h - 1;
                            yh = h - 1;
                            y = yl as f64;
                        } else {
                            yh = yl + 1;
                        }
                        if xl >= w - 1 {
                            xl = w - 1;
                            xh = w - 1;
                            xv = xl as f64;
                        } else {
                            xh = xl + 1;
                        }
                        let (ly, lx) = (y - yl as f64, xv - xl as f64);
                        let (hy, hx) = (1.0 - ly, 1.0 - lx);
                        samples.push([
                            (yl * w + xl, hy * hx),
                            (yl * w + xh, hy * lx),
                            (yh * w + xl, ly * hx),
                            (yh * w + xh, ly * lx),
                        ]);
                    }
                }
                bins.push(samples);
            }
        }
        for ch in 0..c {
            let plane = &x.data[(b * c + ch) * h * w..(b * c + ch + 1) * h * w];
            for samples in &bins {
                let v = if p.max {
                    samples
                        .iter()
                        .map(|s| s.iter().map(|&(o, wt)| wt * plane[o]).fold(f64::NEG_INFINITY, f64::max))
                        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
                        .unwrap_or(0.0)
                } else {
                    samples
                        .iter()
                        .map(|s| s.iter().map(|&(o, wt)| wt * plane[o]).sum::<f64>())
                        .sum::<f64>()
                        / count
                };
                out.push(v);
            }
        }
    }
    Ok(Tensor::new(out_shape.to_vec(), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(max: bool, out: usize, sampling_ratio: usize, half_pixel: bool) -> RoiAlignParams {
        RoiAlignParams {
            max,
            out_h: out,
            out_w: out,
            sampling_ratio,
            spatial_scale: 1.0,
            half_pixel,
        }
    }

    #[test]
    fn averages_bilinear_samples_per_bin() {
        // A 4×4 ramp x = 4·row + col is linear, so bilinear samples and their average are the
        // ramp at the bin centre. ROI (0, 0)–(4, 4) with half_pixel: pixels −0.5..3.5, one bin
        // per 2×2 block, centred at 0.5 and 2.5: values 4·0.5 + 0.5 = 2.5, 4.5, 10.5, 12.5.
        let x = Tensor::new(vec![1, 1, 4, 4], (0..16).map(f64::from).collect());
        let rois = Tensor::new(vec![1, 4], vec![0.0, 0.0, 4.0, 4.0]);
        let b = Tensor::new(vec![1], vec![0.0]);
        let p = params(false, 2, 2, true);
        let s = shape(&p, &x.shape, &rois.shape, &b.shape).unwrap();
        let y = eval(&p, &x, &rois, &b, &s).unwrap();
        let want = [2.5, 4.5, 10.5, 12.5];
        assert!(
            y.data.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12),
            "{:?}",
            y.data
        );
        // Legacy mapping, one bin, one sample at the centre (2, 2): 10.
        let p = params(false, 1, 1, false);
        let y = eval(&p, &x, &rois, &b, &[1, 1, 1, 1]).unwrap();
        assert_eq!(y.data, vec![10.0]);
        // Max mode takes the largest weighted corner: at (2, 2) exactly, the corner weight 1
        // lands on x[2, 2] = 10.
        let p = params(true, 1, 1, false);
        assert_eq!(eval(&p, &x, &rois, &b, &[1, 1, 1, 1]).unwrap().data, vec![10.0]);
    }

    #[test]
    fn rejects_bad_shapes_and_batch_indices() {
        let p = params(false, 1, 1, true);
        assert!(shape(&p, &[1, 1, 4, 4], &[1, 5], &[1]).is_err());
        assert!(shape(&p, &[1, 1, 4, 4], &[2, 4], &[1]).is_err());
        let x = Tensor::new(vec![1, 1, 2, 2], vec![0.0; 4]);
        let rois = Tensor::new(vec![1, 4], vec![0.0, 0.0, 1.0, 1.0]);
        let b = Tensor::new(vec![1], vec![1.0]);
        assert!(eval(&p, &x, &rois, &b, &[1, 1, 1, 1]).is_err());
        let huge = Tensor::new(vec![1, 4], vec![0.0, 0.0, 1e12, 1e12]);
        let b = Tensor::new(vec![1], vec![0.0]);
        assert!(eval(&params(false, 1, 0, true), &x, &huge, &b, &[1, 1, 1, 1]).is_err());
    }
}
