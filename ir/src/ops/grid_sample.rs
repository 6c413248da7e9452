//! ONNX GridSample (float only): `Y[n, c, p] = X[n, c]` sampled at the normalized location
//! `grid[n, p]` (in [-1, 1], last component first: x for the width, then y, then z) by nearest,
//! linear or cubic interpolation; locations outside the input read zeros, the clamped border,
//! or the reflection. Follows ONNX's reference (`onnx/reference/ops/op_grid_sample.py`).

use serde::{Deserialize, Serialize};

use super::{OpError, OpResult};
use crate::tensor::{next_index, numel, Tensor};

/// How to interpolate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GridMode {
    /// The nearest input (ties to even, as `rint`).
    Nearest,
    /// Linear in every spatial axis.
    Linear,
    /// Cubic (Keys, a = -0.75) in every spatial axis.
    Cubic,
}

/// What a location outside the input reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GridPadding {
    /// Zero.
    Zeros,
    /// The nearest border value.
    Border,
    /// The input mirrored at its border.
    Reflection,
}

/// GridSample parameters (ONNX attributes with defaults resolved).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridSampleParams {
    /// Interpolation.
    pub mode: GridMode,
    /// Outside locations.
    pub padding: GridPadding,
    /// -1 and 1 are the centers of the corner pixels (else their outer edges).
    pub align_corners: bool,
}

/// `[N, C, D1..Dr]` for X `[N, C, H1..Hr]` and grid `[N, D1..Dr, r]`.
pub fn shape(x: &[usize], grid: &[usize]) -> OpResult<Vec<usize>> {
    let r = x.len().saturating_sub(2);
    if x.len() < 3 || grid.len() != x.len() || grid[0] != x[0] || grid[grid.len() - 1] != r {
        return Err(OpError::new(format!(
            "GridSample: X {x:?} must be [N, C, spatial...] and grid {grid:?} [N, out spatial..., {r}]"
        )));
    }
    let mut s = vec![x[0], x[1]];
    s.extend_from_slice(&grid[1..grid.len() - 1]);
    Ok(s)
}

fn reflect(x: f64, lo: f64, hi: f64) -> f64 {
    let rng = hi - lo;
    if x < lo {
        let dx = lo - x;
        let n = (dx / rng) as i64;
        let r = dx - n as f64 * rng;
        if n % 2 == 0 {
            lo + r
        } else {
            hi - r
        }
    } else if x > hi {
        let dx = x - hi;
        let n = (dx / rng) as i64;
        let r = dx - n as f64 * rng;
        if n % 2 == 0 {
            hi - r
        } else {
            lo + r
        }
    } else {
        x
    }
}

fn cubic(t: f64) -> [f64; 4] {
    let a = -0.75;
    let x = t.abs();
    [
        ((a * (x + 1.0) - 5.0 * a) * (x + 1.0) + 8.0 * a) * (x + 1.0) - 4.0 * a,
        ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0,
        ((a + 2.0) * (1.0 - x) - (a + 3.0)) * (1.0 - x) * (1.0 - x) + 1.0,
        ((a * (2.0 - x) - 5.0 * a) * (2.0 - x) + 8.0 * a) * (2.0 - x) - 4.0 * a,
    ]
}

/// Evaluates GridSample.
pub fn eval(p: &GridSampleParams, x: &Tensor, grid: &Tensor, out_shape: &[usize]) -> Tensor {
    let r = x.rank() - 2;
    let dims = &x.shape[2..];
    let (n, c) = (x.shape[0], x.shape[1]);
    let plane = numel(dims);
    let pts = numel(&out_shape[2..]);
    let (lo, hi): (Vec<f64>, Vec<f64>) = dims
        .iter()
        .map(|&d| {
            if p.align_corners {
                (0.0, d as f64 - 1.0)
            } else {
                (-0.5, d as f64 - 0.5)
            }
        })
        .unzip();
    let mut out = vec![0.0; numel(out_shape)];
    for b in 0..n {
        for q in 0..pts {
            let g = &grid.data[(b * pts + q) * r..(b * pts + q + 1) * r];
            // Spatial axis i reads grid component r-1-i; ONNX's reference denormalizes in f32.
            let mut pos: Vec<f64> = (0..r)
                .map(|i| {
                    let (v, d) = (g[r - 1 - i], dims[i] as f64);
                    let v = if p.align_corners {
                        (v + 1.0) / 2.0 * (d - 1.0)
                    } else {
                        ((v + 1.0) * d - 1.0) / 2.0
                    };
                    let v = v as f32 as f64;
                    if p.mode == GridMode::Nearest {
                        v.round_ties_even()
                    } else {
                        v
                    }
                })
                .collect();
            for i in 0..r {
                if pos[i] < lo[i] || pos[i] > hi[i] {
                    match p.padding {
                        GridPadding::Border => pos[i] = pos[i].clamp(0.0, dims[i] as f64 - 1.0),
                        GridPadding::Reflection => pos[i] = reflect(pos[i], lo[i], hi[i]),
                        GridPadding::Zeros => {}
                    }
                }
            }
            // Per axis: the integer taps and their weights.
            let taps: Vec<Vec<(i64, f64)>> = pos
                .iter()
                .map(|&v| match p.mode {
                    GridMode::Nearest => vec![(v as i64, 1.0)],
                    GridMode::Linear => {
                        let f = v.floor();
                        vec![(f as i64, 1.0 - (v - f)), ((f as i64).saturating_add(1), v - f)]
                    }
                    GridMode::Cubic => {
                        let f = v.floor();
                        let w = cubic(v - f);
                        (0..4)
                            .map(|k| ((f as i64).saturating_add(k as i64 - 1), w[k]))
                            .collect()
                    }
                })
                .collect();
            // Input offset of an integer location, or None where it reads zero.
            let at = |loc: &[i64]| -> Option<usize> {
                let mut o = 0usize;
                for i in 0..r {
                    let d = dims[i] as i64;
                    let k = match p.padding {
                        GridPadding::Zeros if loc[i] < 0 || loc[i] >= d => return None,
                        GridPadding::Zeros => loc[i],
                        GridPadding::Border => loc[i].clamp(0, d - 1),
                        GridPadding::Reflection => reflect(loc[i] as f64, lo[i], hi[i]) as i64,
                    };
                    o = o * dims[i] + k.clamp(0, d - 1) as usize;
                }
                Some(o)
            };
            let counts: Vec<usize> = taps.iter().map(Vec::len).collect();
            for ch in 0..c {
                let base = (b * c + ch) * plane;
                let mut sel = vec![0; r];
                let mut acc = 0.0;
                loop {
                    let loc: Vec<i64> = (0..r).map(|i| taps[i][sel[i]].0).collect();
                    let w: f64 = (0..r).map(|i| taps[i][sel[i]].1).product();
                    if let Some(o) = at(&loc) {
                        acc += w * x.data[base + o];
                    }
                    if !next_index(&mut sel, &counts) {
                        break;
                    }
                }
                out[(b * c + ch) * pts + q] = acc;
            }
        }
    }
    Tensor::new(out_shape.to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mode: GridMode, padding: GridPadding, align_corners: bool, x: &Tensor, grid: &Tensor) -> Vec<f64> {
        let p = GridSampleParams {
            mode,
            padding,
            align_corners,
        };
        let s = shape(&x.shape, &grid.shape).unwrap();
        eval(&p, x, grid, &s).data
    }

    #[test]
    fn samples_like_onnx_examples() {
        // ONNX's gridsample_*_padding examples: X = [[0, 1], [2, 3], [4, 5]] (H 3, W 2).
        let x = Tensor::new(vec![1, 1, 3, 2], (0..6).map(f64::from).collect());
        let grid = Tensor::new(vec![1, 1, 3, 2], vec![-10.0, -10.0, -0.2, -0.2, 10.0, 10.0]);
        // zeros: outside reads 0; (-0.2, -0.2) is (x 0.3, y 0.7) → 0.7·2 + 0.3·1 … = 1.7.
        let z = run(GridMode::Linear, GridPadding::Zeros, false, &x, &grid);
        assert!(z[0] == 0.0 && z[2] == 0.0 && (z[1] - 1.7).abs() < 1e-6, "{z:?}");
        // border: the corners.
        let b = run(GridMode::Linear, GridPadding::Border, false, &x, &grid);
        assert!(b[0] == 0.0 && b[2] == 5.0 && (b[1] - 1.7).abs() < 1e-6, "{b:?}");
        // Nearest with align_corners: (-1, -1) → X[0, 0], (1, 1) → X[2, 1], (0, 0) → X[1, 0] (ties to even).
        let grid = Tensor::new(vec![1, 1, 3, 2], vec![-1.0, -1.0, 1.0, 1.0, 0.0, 0.0]);
        assert_eq!(
            run(GridMode::Nearest, GridPadding::Zeros, true, &x, &grid),
            vec![0.0, 5.0, 2.0]
        );
        // Cubic reproduces a linear ramp inside: the centre of a 4×4 ramp.
        let x = Tensor::new(vec![1, 1, 4, 4], (0..16).map(f64::from).collect());
        let grid = Tensor::new(vec![1, 1, 1, 2], vec![0.0, 0.0]);
        let v = run(GridMode::Cubic, GridPadding::Border, true, &x, &grid);
        assert!((v[0] - 7.5).abs() < 1e-9, "{v:?}");
        // Reflection folds a location past the edge back inside.
        assert_eq!(reflect(-1.0, -0.5, 2.5), 0.0);
        assert_eq!(reflect(3.0, -0.5, 2.5), 2.0);
    }

    #[test]
    fn rejects_mismatched_grids() {
        assert!(shape(&[1, 1, 3, 2], &[1, 2, 2, 3]).is_err());
        assert!(shape(&[1, 1, 3, 2], &[2, 2, 2, 2]).is_err());
        // Huge or non-finite locations read padding instead of overflowing.
        let x = Tensor::new(vec![1, 1, 2, 2], vec![1.0, 2.0, 3.0, 4.0]);
        let grid = Tensor::new(vec![1, 1, 2, 2], vec![f64::INFINITY, 1e30, f64::NAN, -1e30]);
        for mode in [GridMode::Nearest, GridMode::Linear, GridMode::Cubic] {
            for pad in [GridPadding::Zeros, GridPadding::Border, GridPadding::Reflection] {
                let y = run(mode, pad, false, &x, &grid);
                assert_eq!(y.len(), 2);
            }
        }
        assert_eq!(shape(&[1, 3, 5, 5], &[1, 2, 4, 2]).unwrap(), vec![1, 3, 2, 4]);
    }
}
