//! Spatial, einsum, index and recurrent ONNX ops: Resize/Upsample and LpPool (expanded into
//! Gather, MatMul with constant interpolation matrices, Conv and activations), Einsum
//! (diagonals, sums, transposes and batched MatMul), GatherElements/Scatter* (wiring and
//! arithmetic when the indices are constants), TopK, RNN/GRU/LSTM, GridSample and RoiAlign
//! (float-only IR ops).

use onnx_protobuf::NodeProto;
use zkc_ir::ops::rnn::{RnnActivation, RnnKind, RnnOutput, RnnParams};
use zkc_ir::ops::{gather_elements, scatter, ConvParams, ReduceKind, ScatterReduction};
use zkc_ir::tensor::numel;
use zkc_ir::{Activation, BinaryOp, Op, Tensor, ValueId};

use super::proto::Attrs;
use super::{Context, R};

/// The ONNX op types this module imports.
pub(super) const OPS: &[&str] = &[
    "Resize",
    "Upsample",
    "LpPool",
    "Einsum",
    "TopK",
    "GatherElements",
    "Scatter",
    "ScatterElements",
    "ScatterND",
    "RNN",
    "GRU",
    "LSTM",
    "GridSample",
    "AffineGrid",
    "Compress",
    "CenterCropPad",
    "Col2Im",
    "MaxUnpool",
    "RoiAlign",
];

/// Emits a chain of ops with generated names; the caller names the last one.
struct Namer {
    name: String,
    out: String,
    n: usize,
}

impl Namer {
    fn next(&mut self) -> (String, String) {
        self.n += 1;
        (format!("{}_{}", self.name, self.n), format!("{}_{}", self.out, self.n))
    }
}

impl Context {
    /// Imports one node of [`OPS`], binding its outputs.
    pub(super) fn spatial_node(&mut self, name: &str, node: &NodeProto) -> R<()> {
        let out = Self::out_name(node, 0);
        let v = match node.op_type.as_str() {
            "Resize" | "Upsample" => self.resize(name, node, &out)?,
            "LpPool" => self.lp_pool(name, node, &out)?,
            "Einsum" => self.einsum(name, node, &out)?,
            "TopK" => return self.top_k(name, node),
            "GatherElements" => self.gather_elements(name, node, &out)?,
            "Scatter" | "ScatterElements" | "ScatterND" => self.scatter(name, node, &out)?,
            "RNN" | "GRU" | "LSTM" => return self.rnn(name, node),
            "GridSample" => self.grid_sample(name, node, &out)?,
            "AffineGrid" => self.affine_grid(name, node, &out)?,
            "Compress" => self.compress(name, node, &out)?,
            "CenterCropPad" => self.center_crop_pad(name, node, &out)?,
            "Col2Im" => self.col2im(name, node, &out)?,
            "MaxUnpool" => self.max_unpool(name, node, &out)?,
            "RoiAlign" => {
                let a = Attrs(node);
                let ctm = a.string("coordinate_transformation_mode");
                let half_pixel = match ctm.as_deref().unwrap_or(if self.opset < 16 {
                    "output_half_pixel"
                } else {
                    "half_pixel"
                }) {
                    "half_pixel" => true,
                    "output_half_pixel" => false,
                    m => {
                        return Err(format!(
                            "coordinate_transformation_mode `{m}` is not valid (half_pixel, output_half_pixel)"
                        ))
                    }
                };
                let size = |k: &str| match a.int(k).unwrap_or(1) {
                    v if v >= 1 => Ok(v as usize),
                    v => Err(format!("{k} = {v} must be positive")),
                };
                let p = zkc_ir::ops::roi_align::RoiAlignParams {
                    max: match a.string("mode").as_deref().unwrap_or("avg") {
                        "avg" => false,
                        "max" => true,
                        m => return Err(format!("mode `{m}` is not valid (avg, max)")),
                    },
                    out_h: size("output_height")?,
                    out_w: size("output_width")?,
                    sampling_ratio: a.int("sampling_ratio").unwrap_or(0).max(0) as usize,
                    spatial_scale: a.float("spatial_scale").unwrap_or(1.0),
                    half_pixel,
                };
                self.check_size(&[p.out_h, p.out_w])?;
                let ins = vec![self.req(node, 0)?, self.req(node, 1)?, self.req(node, 2)?];
                self.emit(name, "RoiAlign", Op::RoiAlign(p), ins, &out)?
            }
            other => return Err(format!("op `{other}` has no importer in spatial.rs (a zkc bug)")),
        };
        self.bind(node, 0, v);
        Ok(())
    }

    fn step(&mut self, nm: &mut Namer, op_type: &str, op: Op, inputs: Vec<ValueId>) -> R<ValueId> {
        let (n, o) = nm.next();
        self.emit(&n, op_type, op, inputs, &o)
    }

    // ---------------------------------------------------------------- Resize / Upsample

    fn resize(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let op_type = node.op_type.as_str();
        let x = self.req(node, 0)?;
        let xs = self.shape(x);
        let r = xs.len();
        let mode = a.string("mode").unwrap_or_else(|| "nearest".into());
        // Upsample and Resize-10 are asymmetric, nearest rounding down (numpy.repeat for
        // integer scales).
        let old = op_type == "Upsample" || self.opset < 11;
        let mode = match mode.as_str() {
            "nearest" => Interp::Nearest,
            "linear" | "bilinear" | "trilinear" => Interp::Linear,
            "cubic" if !old => Interp::Cubic,
            m => return Err(format!("mode `{m}` is not supported (nearest, linear, cubic)")),
        };
        let scales_in = if op_type == "Upsample" {
            if self.opset < 9 {
                Some(a.floats("scales").ok_or("scales is required")?)
            } else {
                self.const_input(node, 1, "scales")?.map(|t| t.data)
            }
        } else if self.opset < 11 {
            self.const_input(node, 1, "scales")?.map(|t| t.data)
        } else {
            self.const_input(node, 2, "scales")?.map(|t| t.data)
        };
        let sizes_in = if old { None } else { self.ints_input(node, 3, "sizes")? };
        let roi_in = if old {
            None
        } else {
            self.const_input(node, 1, "roi")?.map(|t| t.data)
        };
        let scales_in = scales_in.filter(|s| !s.is_empty());
        let sizes_in = sizes_in.filter(|s| !s.is_empty());
        let roi_in = roi_in.filter(|s| !s.is_empty());
        let axes: Vec<usize> = match a.ints("axes") {
            Some(ax) => ax.iter().map(|&v| self.axis(v, r)).collect::<R<_>>()?,
            None => (0..r).collect(),
        };
        let n = axes.len();
        let ctm = if old {
            "asymmetric".to_string()
        } else {
            a.string("coordinate_transformation_mode")
                .unwrap_or_else(|| "half_pixel".into())
        };
        // Before opset 11 (onnxruntime's "simple" rounding): down when upsampling, up when
        // downsampling; set per axis below.
        let nearest_mode = if old {
            "simple".to_string()
        } else {
            a.string("nearest_mode").unwrap_or_else(|| "round_prefer_floor".into())
        };
        let cfg = AxisCfg {
            mode,
            ctm: ctm.clone(),
            nearest_mode,
            cubic_a: a.float("cubic_coeff_a").unwrap_or(-0.75),
            exclude_outside: a.int("exclude_outside").unwrap_or(0) != 0,
            antialias: a.int("antialias").unwrap_or(0) != 0,
        };
        let extrapolation = a.float("extrapolation_value").unwrap_or(0.0);
        // Per axis of x: the scale and the output size.
        let mut scale = vec![1.0; r];
        let mut size = xs.clone();
        match (&scales_in, &sizes_in) {
            (Some(s), None) => {
                if s.len() != n {
                    return Err(format!("scales {s:?} must have one value per resized axis ({n})"));
                }
                for (i, &ax) in axes.iter().enumerate() {
                    if !(s[i] > 0.0 && s[i].is_finite()) {
                        return Err(format!("scales {s:?} must be positive"));
                    }
                    scale[ax] = s[i];
                    size[ax] = (s[i] * xs[ax] as f64).floor() as usize;
                }
            }
            (None, Some(s)) => {
                if s.len() != n || s.iter().any(|&v| v < 1) {
                    return Err(format!(
                        "sizes {s:?} must have one positive value per resized axis ({n})"
                    ));
                }
                for (i, &ax) in axes.iter().enumerate() {
                    scale[ax] = s[i] as f64 / xs[ax] as f64;
                    size[ax] = s[i] as usize;
                }
                let policy = a.string("keep_aspect_ratio_policy").unwrap_or_else(|| "stretch".into());
                let pick = match policy.as_str() {
                    "stretch" => None,
                    "not_larger" => Some(axes.iter().map(|&ax| scale[ax]).fold(f64::INFINITY, f64::min)),
                    "not_smaller" => Some(axes.iter().map(|&ax| scale[ax]).fold(0.0, f64::max)),
                    p => {
                        return Err(format!(
                            "keep_aspect_ratio_policy `{p}` is not valid (stretch, not_larger, not_smaller)"
                        ))
                    }
                };
                if let Some(s) = pick {
                    for &ax in &axes {
                        scale[ax] = s;
                        size[ax] = (s * xs[ax] as f64 + 0.5) as usize;
                    }
                }
            }
            (Some(_), Some(_)) => return Err("only one of scales and sizes may be given".into()),
            (None, None) => return Err("one of scales and sizes is required (as a constant)".into()),
        }
        if size.contains(&0) {
            return Err(format!("the output shape {size:?} is empty, which cannot be proven"));
        }
        self.check_size(&size)?;
        // roi, per axis of x: (start, end), for tf_crop_and_resize.
        let mut roi = vec![(0.0, 1.0); r];
        if let Some(v) = &roi_in {
            if v.len() != 2 * n {
                return Err(format!("roi {v:?} must have 2 values per resized axis ({})", 2 * n));
            }
            for (i, &ax) in axes.iter().enumerate() {
                roi[ax] = (v[i], v[n + i]);
            }
        } else if ctm == "tf_crop_and_resize" {
            return Err("coordinate_transformation_mode tf_crop_and_resize needs roi (as a constant)".into());
        }
        let mut nm = Namer {
            name: name.into(),
            out: out.into(),
            n: 0,
        };
        let mut v = x;
        let mut outside: Vec<Vec<bool>> = vec![vec![]; r];
        for ax in 0..r {
            let identity = (scale[ax] - 1.0).abs() < 1e-12
                && size[ax] == xs[ax]
                && (roi[ax] == (0.0, 1.0) || ctm != "tf_crop_and_resize");
            if identity {
                continue;
            }
            let mut cfg = cfg.clone();
            if cfg.nearest_mode == "simple" {
                cfg.nearest_mode = if scale[ax] < 1.0 { "ceil" } else { "floor" }.into();
            }
            let (taps, out_of_range) = axis_taps(&cfg, xs[ax], scale[ax], size[ax], roi[ax])?;
            v = self.apply_taps(&mut nm, op_type, v, ax, xs[ax], &taps)?;
            outside[ax] = out_of_range;
        }
        if extrapolation != 0.0 && outside.iter().any(|o| o.iter().any(|&b| b)) {
            let eshape: Vec<usize> = (0..r)
                .map(|ax| if outside[ax].is_empty() { 1 } else { size[ax] })
                .collect();
            let mut e = Tensor::full(eshape.clone(), 0.0);
            let mut idx = vec![0; r];
            for k in 0..e.len() {
                if (0..r).any(|ax| !outside[ax].is_empty() && outside[ax][idx[ax]]) {
                    e.data[k] = extrapolation;
                }
                zkc_ir::tensor::next_index(&mut idx, &eshape);
            }
            let c = self.g.add_constant(&format!("{name}_extrapolation"), e);
            v = self.step(&mut nm, op_type, Op::Binary(BinaryOp::Add), vec![v, c])?;
        }
        // The last op carries the node's name and output.
        self.emit(name, op_type, Op::Reshape { shape: size }, vec![v], out)
    }

    /// Applies one axis's interpolation: a Gather when every output copies one input, else a
    /// MatMul with the constant `[out, in]` weight matrix (along the last two axes directly,
    /// elsewhere between two Transposes).
    fn apply_taps(
        &mut self,
        nm: &mut Namer,
        op_type: &str,
        x: ValueId,
        ax: usize,
        in_w: usize,
        taps: &[Taps],
    ) -> R<ValueId> {
        let rank = self.shape(x).len();
        let out_w = taps.len();
        if taps.iter().all(|t| t.len() == 1 && t[0].1 == 1.0) {
            let idx: Vec<f64> = taps.iter().map(|t| t[0].0 as f64).collect();
            let (n, _) = nm.next();
            let i = self
                .g
                .add_constant(&format!("{n}_indices"), Tensor::new(vec![out_w], idx));
            return self.step(nm, op_type, Op::Gather { axis: ax }, vec![x, i]);
        }
        let mut m = vec![0.0; out_w * in_w];
        for (o, t) in taps.iter().enumerate() {
            for &(i, w) in t {
                m[o * in_w + i] += w;
            }
        }
        let (n, _) = nm.next();
        if rank >= 2 && ax == rank - 2 {
            let w = self
                .g
                .add_constant(&format!("{n}_weights"), Tensor::new(vec![out_w, in_w], m));
            return self.step(nm, op_type, Op::MatMul, vec![w, x]);
        }
        let mut mt = vec![0.0; in_w * out_w];
        for o in 0..out_w {
            for i in 0..in_w {
                mt[i * out_w + o] = m[o * in_w + i];
            }
        }
        let w = self
            .g
            .add_constant(&format!("{n}_weights"), Tensor::new(vec![in_w, out_w], mt));
        if ax == rank - 1 {
            return self.step(nm, op_type, Op::MatMul, vec![x, w]);
        }
        let mut perm: Vec<usize> = (0..rank).filter(|&d| d != ax).collect();
        perm.push(ax);
        let mut inv = vec![0; rank];
        for (i, &p) in perm.iter().enumerate() {
            inv[p] = i;
        }
        let t = self.step(nm, op_type, Op::Transpose { perm }, vec![x])?;
        let y = self.step(nm, op_type, Op::MatMul, vec![t, w])?;
        self.step(nm, op_type, Op::Transpose { perm: inv }, vec![y])
    }

    // ---------------------------------------------------------------- LpPool

    /// `(Σ_window |x|^p)^(1/p)`: |x|^p (x·x for p = 2, |x| for p = 1), a depthwise Conv with
    /// a kernel of ones (zero padding adds nothing), then the root.
    fn lp_pool(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let x = self.req(node, 0)?;
        let xs = self.shape(x);
        let kernel: Vec<usize> = a
            .ints("kernel_shape")
            .ok_or("kernel_shape is required")?
            .iter()
            .map(|&k| k.max(1) as usize)
            .collect();
        let n = kernel.len();
        if xs.len() != n + 2 {
            return Err(format!("input {xs:?} does not have {n} spatial dimensions"));
        }
        let p = a.int("p").map(|v| v as f64).or_else(|| a.float("p")).unwrap_or(2.0);
        if !(p > 0.0 && p.is_finite()) {
            return Err(format!("p = {p} must be positive"));
        }
        let strides = super::spatial(a.ints("strides"), n, 1)?;
        let dilations = super::spatial(a.ints("dilations"), n, 1)?;
        let eff: Vec<usize> = (0..n).map(|i| dilations[i] * (kernel[i] - 1) + 1).collect();
        let mut pads = super::resolve_pads(&a, &xs[2..], &strides, &eff)?;
        if a.int("ceil_mode").unwrap_or(0) != 0 {
            // Extra end padding gives the rounded-up windows (those starting in the padding
            // are dropped, as ONNX pools do).
            for i in 0..n {
                let span = xs[2 + i] + pads[i] + pads[n + i];
                if span < eff[i] {
                    continue;
                }
                let mut o = (span - eff[i]).div_ceil(strides[i]) + 1;
                if (o - 1) * strides[i] >= xs[2 + i] + pads[i] {
                    o -= 1;
                }
                pads[n + i] += ((o - 1) * strides[i] + eff[i]).saturating_sub(span);
            }
        }
        let c = xs[1];
        let mut nm = Namer {
            name: name.into(),
            out: out.into(),
            n: 0,
        };
        let pw = if p == 2.0 {
            self.step(&mut nm, "LpPool", Op::Binary(BinaryOp::Mul), vec![x, x])?
        } else {
            let ab = self.step(&mut nm, "LpPool", Op::Activation(Activation::Abs), vec![x])?;
            if p == 1.0 {
                ab
            } else {
                self.step(
                    &mut nm,
                    "LpPool",
                    Op::Activation(Activation::Pow { exponent: p }),
                    vec![ab],
                )?
            }
        };
        let mut wshape = vec![c, 1];
        wshape.extend(&kernel);
        let ones = self
            .g
            .add_constant(&format!("{name}_window"), Tensor::full(wshape, 1.0));
        let conv = Op::Conv(ConvParams {
            kernel,
            strides,
            dilations,
            pads,
            group: c,
        });
        if p == 1.0 {
            return self.emit(name, "LpPool", conv, vec![pw, ones], out);
        }
        let sum = self.step(&mut nm, "LpPool", conv, vec![pw, ones])?;
        let root = if p == 2.0 {
            Activation::Sqrt
        } else {
            Activation::Pow { exponent: 1.0 / p }
        };
        self.emit(name, "LpPool", Op::Activation(root), vec![sum], out)
    }

    // ---------------------------------------------------------------- Einsum

    fn einsum(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let eq: String = a
            .string("equation")
            .ok_or("equation is required")?
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let ins: Vec<ValueId> = (0..node.input.len()).filter_map(|i| self.input(node, i)).collect();
        if ins.is_empty() {
            return Err("Einsum needs at least one input".into());
        }
        let (lhs, rhs) = match eq.split_once("->") {
            Some((l, r)) => (l.to_string(), Some(r.to_string())),
            None => (eq.clone(), None),
        };
        let terms: Vec<&str> = lhs.split(',').collect();
        if terms.len() != ins.len() {
            return Err(format!(
                "equation `{eq}` has {} operands but the node has {} inputs",
                terms.len(),
                ins.len()
            ));
        }
        // Ellipsis dims become labels that cannot clash with letters (uppercase Greek).
        let ell_rank = terms
            .iter()
            .zip(&ins)
            .map(|(t, &v)| {
                let letters = t.replace("...", "").chars().count();
                if t.contains("...") {
                    self.shape(v).len().saturating_sub(letters)
                } else {
                    0
                }
            })
            .max()
            .unwrap_or(0);
        let ell: Vec<char> = (0..ell_rank)
            .map(|i| char::from_u32(0x391 + i as u32).unwrap())
            .collect();
        let mut ops: Vec<(ValueId, Vec<char>)> = Vec::new();
        for (t, &v) in terms.iter().zip(&ins) {
            let rank = self.shape(v).len();
            let mut labels = Vec::new();
            let letters = t.replace("...", "").chars().count();
            for part in t.split("...").enumerate() {
                if part.0 == 1 {
                    let k = rank
                        .checked_sub(letters)
                        .ok_or(format!("operand `{t}` has more labels than its rank {rank}"))?;
                    labels.extend(&ell[ell_rank - k..]);
                }
                labels.extend(part.1.chars());
            }
            if t.split("...").count() > 2
                || labels.len() != rank
                || labels.iter().any(|c| c.is_ascii() && !c.is_ascii_alphabetic())
            {
                return Err(format!(
                    "operand `{t}` of `{eq}` does not match an input of rank {rank}"
                ));
            }
            ops.push((v, labels));
        }
        let output: Vec<char> = match rhs {
            Some(r) => {
                let mut o = Vec::new();
                for (i, part) in r.split("...").enumerate() {
                    if i == 1 {
                        o.extend(&ell);
                    }
                    o.extend(part.chars());
                }
                o
            }
            None => {
                // Implicit output: the ellipsis, then the labels used once, alphabetically.
                let mut count = std::collections::BTreeMap::new();
                for (_, l) in &ops {
                    for &c in l.iter().filter(|c| c.is_ascii()) {
                        *count.entry(c).or_insert(0) += 1;
                    }
                }
                let mut o = ell.clone();
                o.extend(count.into_iter().filter(|&(_, n)| n == 1).map(|(c, _)| c));
                o
            }
        };
        // Every label's size, checked to agree.
        let mut dim = std::collections::HashMap::new();
        for (v, l) in &ops {
            for (&c, &d) in l.iter().zip(&self.shape(*v)) {
                if *dim.entry(c).or_insert(d) != d {
                    return Err(format!(
                        "label `{c}` of `{eq}` has sizes {} and {d}; zkc does not broadcast Einsum operands",
                        dim[&c]
                    ));
                }
            }
        }
        if let Some(c) = output.iter().find(|c| !dim.contains_key(c)) {
            return Err(format!("output label `{c}` of `{eq}` is not in any operand"));
        }
        let mut nm = Namer {
            name: name.into(),
            out: out.into(),
            n: 0,
        };
        let count = ops.len();
        let mut prepared = Vec::new();
        for k in 0..count {
            let (mut v, mut l) = ops[k].clone();
            // Diagonals: a repeated label keeps only its equal-index entries.
            while let Some((i, j)) = repeated(&l) {
                let rank = l.len();
                let d = dim[&l[i]];
                let mut perm: Vec<usize> = (0..rank).filter(|&x| x != i && x != j).collect();
                perm.extend([i, j]);
                let lab = l[i];
                l = perm[..rank - 2].iter().map(|&p| l[p]).collect();
                let mut s: Vec<usize> = l.iter().map(|c| dim[c]).collect();
                v = self.step(&mut nm, "Einsum", Op::Transpose { perm }, vec![v])?;
                s.push(d * d);
                v = self.step(&mut nm, "Einsum", Op::Reshape { shape: s }, vec![v])?;
                let (n, _) = nm.next();
                let idx = self.g.add_constant(
                    &format!("{n}_diagonal"),
                    Tensor::new(vec![d], (0..d).map(|x| (x * d + x) as f64).collect()),
                );
                v = self.step(&mut nm, "Einsum", Op::Gather { axis: l.len() }, vec![v, idx])?;
                l.push(lab);
            }
            // Labels used by no other operand and not in the output are summed out now.
            let others: Vec<char> = ops
                .iter()
                .enumerate()
                .filter(|&(o, _)| o != k)
                .flat_map(|(_, (_, l))| l.clone())
                .collect();
            let axes: Vec<usize> = (0..l.len())
                .filter(|&i| !output.contains(&l[i]) && !others.contains(&l[i]))
                .collect();
            (v, l) = self.sum_labels(&mut nm, v, l, &axes)?;
            prepared.push((v, l));
        }
        let mut iter = prepared.into_iter();
        let (mut v, mut l) = iter.next().expect("one operand");
        let rest: Vec<(ValueId, Vec<char>)> = iter.collect();
        for (k, (bv, bl)) in rest.iter().enumerate() {
            let later: Vec<char> = rest[k + 1..]
                .iter()
                .flat_map(|(_, l)| l.clone())
                .chain(output.iter().copied())
                .collect();
            let batch: Vec<char> = l
                .iter()
                .copied()
                .filter(|c| bl.contains(c) && later.contains(c))
                .collect();
            let contract: Vec<char> = l
                .iter()
                .copied()
                .filter(|c| bl.contains(c) && !later.contains(c))
                .collect();
            let a_only: Vec<char> = l.iter().copied().filter(|c| !bl.contains(c)).collect();
            let b_only: Vec<char> = bl.iter().copied().filter(|c| !l.contains(c)).collect();
            let size = |cs: &[char]| cs.iter().map(|c| dim[c]).product::<usize>();
            let (nb, na, nk, nbo) = (size(&batch), size(&a_only), size(&contract), size(&b_only));
            let a_order: Vec<char> = [&batch[..], &a_only[..], &contract[..]].concat();
            let b_order: Vec<char> = [&batch[..], &contract[..], &b_only[..]].concat();
            let av = self.arrange(&mut nm, v, &l, &a_order, vec![nb, na, nk])?;
            let bv2 = self.arrange(&mut nm, *bv, bl, &b_order, vec![nb, nk, nbo])?;
            let prod = self.step(&mut nm, "Einsum", Op::MatMul, vec![av, bv2])?;
            l = [&batch[..], &a_only[..], &b_only[..]].concat();
            let s: Vec<usize> = l.iter().map(|c| dim[c]).collect();
            v = self.step(&mut nm, "Einsum", Op::Reshape { shape: s }, vec![prod])?;
        }
        // Labels left that the output drops (possible with one operand) are summed, then the
        // rest is put in output order.
        let axes: Vec<usize> = (0..l.len()).filter(|&i| !output.contains(&l[i])).collect();
        (v, l) = self.sum_labels(&mut nm, v, l, &axes)?;
        let perm: Vec<usize> = output
            .iter()
            .map(|c| l.iter().position(|x| x == c).expect("output label"))
            .collect();
        if perm.iter().enumerate().any(|(i, &p)| i != p) {
            v = self.step(&mut nm, "Einsum", Op::Transpose { perm }, vec![v])?;
        }
        let shape: Vec<usize> = output.iter().map(|c| dim[c]).collect();
        self.emit(name, "Einsum", Op::Reshape { shape }, vec![v], out)
    }

    /// Sums `v` over the label positions `axes` (none: unchanged); returns it with its labels.
    fn sum_labels(&mut self, nm: &mut Namer, v: ValueId, l: Vec<char>, axes: &[usize]) -> R<(ValueId, Vec<char>)> {
        if axes.is_empty() {
            return Ok((v, l));
        }
        let op = Op::Reduce {
            kind: ReduceKind::Sum,
            axes: axes.to_vec(),
            keepdims: false,
        };
        let v = self.step(nm, "Einsum", op, vec![v])?;
        let l = (0..l.len()).filter(|i| !axes.contains(i)).map(|i| l[i]).collect();
        Ok((v, l))
    }

    /// `v` (labels `l`) transposed to `order` and reshaped to `shape`.
    fn arrange(&mut self, nm: &mut Namer, v: ValueId, l: &[char], order: &[char], shape: Vec<usize>) -> R<ValueId> {
        let perm: Vec<usize> = order
            .iter()
            .map(|c| l.iter().position(|x| x == c).expect("label"))
            .collect();
        let mut v = v;
        if perm.iter().enumerate().any(|(i, &p)| i != p) {
            v = self.step(nm, "Einsum", Op::Transpose { perm }, vec![v])?;
        }
        self.step(nm, "Einsum", Op::Reshape { shape }, vec![v])
    }

    // ---------------------------------------------------------------- TopK

    fn top_k(&mut self, name: &str, node: &NodeProto) -> R<()> {
        let a = Attrs(node);
        let x = self.req(node, 0)?;
        let xs = self.shape(x);
        let k = if self.opset < 10 {
            a.int("k").ok_or("k is required")?
        } else {
            let t = self.ints_input(node, 1, "k")?.ok_or("input 1 (k) is required")?;
            match t.as_slice() {
                [k] => *k,
                _ => return Err(format!("k must hold one value, got {t:?}")),
            }
        };
        let axis = self.axis(a.int("axis").unwrap_or(-1), xs.len())?;
        if k < 1 || k as usize > xs[axis] {
            return Err(format!("k = {k} must be in 1..={} (the size of axis {axis})", xs[axis]));
        }
        let largest = a.int("largest").unwrap_or(1) != 0;
        for (i, indices) in [(0, false), (1, true)] {
            if node.output.get(i).is_none_or(|s| s.is_empty()) {
                continue;
            }
            let n = if indices {
                format!("{name}_indices")
            } else {
                name.to_string()
            };
            let op = Op::TopK {
                axis,
                k: k as usize,
                largest,
                indices,
            };
            let v = self.emit(&n, "TopK", op, vec![x], &Self::out_name(node, i))?;
            self.bind(node, i, v);
        }
        Ok(())
    }

    // ---------------------------------------------------------------- GatherElements / Scatter

    fn gather_elements(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let (d, i) = (self.req(node, 0)?, self.req(node, 1)?);
        let ds = self.shape(d);
        let axis = self.axis(a.int("axis").unwrap_or(0), ds.len())?;
        let Some(idx) = self.constant(i).cloned() else {
            return self.emit(name, "GatherElements", Op::GatherElements { axis }, vec![d, i], out);
        };
        gather_elements::shape(axis, &ds, &idx.shape).map_err(|e| e.to_string())?;
        // Constant indices: a Gather of the flattened data (wiring only).
        let src = gather_elements::source_offsets(axis, &ds, &idx).map_err(|e| e.to_string())?;
        let flat = self.emit(
            &format!("{name}_flat"),
            "GatherElements",
            Op::Reshape {
                shape: vec![numel(&ds)],
            },
            vec![d],
            &format!("{out}_flat"),
        )?;
        let c = self.g.add_constant(
            &format!("{name}_offsets"),
            Tensor::new(idx.shape.clone(), src.iter().map(|&o| o as f64).collect()),
        );
        self.emit(name, "GatherElements", Op::Gather { axis: 0 }, vec![flat, c], out)
    }

    fn scatter(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let op_type = node.op_type.as_str();
        let (d, i, u) = (self.req(node, 0)?, self.req(node, 1)?, self.req(node, 2)?);
        let ds = self.shape(d);
        let axis = match op_type {
            "ScatterND" => None,
            _ => Some(self.axis(a.int("axis").unwrap_or(0), ds.len())?),
        };
        let red = a.string("reduction").unwrap_or_else(|| "none".into());
        let reduction = ScatterReduction::parse(&red)
            .ok_or_else(|| format!("reduction `{red}` is not valid (none, add, mul, max, min)"))?;
        self.scatter_core(name, op_type, [d, i, u], axis, reduction, out)
    }

    /// Scatter of `updates` into `data` at `indices`: expanded when the indices are constants,
    /// else the float-only IR op.
    fn scatter_core(
        &mut self,
        name: &str,
        op_type: &str,
        [d, i, u]: [ValueId; 3],
        axis: Option<usize>,
        reduction: ScatterReduction,
        out: &str,
    ) -> R<ValueId> {
        let ds = self.shape(d);
        let op = Op::Scatter { axis, reduction };
        let Some(idx) = self.constant(i).cloned() else {
            return self.emit(name, op_type, op, vec![d, i, u], out);
        };
        let us = self.shape(u);
        scatter::shape(axis, &ds, &idx.shape, &us).map_err(|e| e.to_string())?;
        let targets = scatter::targets(axis, &ds, &idx).map_err(|e| e.to_string())?;
        let (nd, nu) = (numel(&ds), numel(&us));
        let mut nm = Namer {
            name: name.into(),
            out: out.into(),
            n: 0,
        };
        let df = self.step(&mut nm, op_type, Op::Reshape { shape: vec![nd] }, vec![d])?;
        let uf = self.step(&mut nm, op_type, Op::Reshape { shape: vec![nu] }, vec![u])?;
        // Constant indices: each output is data or updates picked by wiring (reduction none),
        // or data folded with its updates layer by layer (k-th update of each position).
        let v = if reduction == ScatterReduction::None {
            let mut src: Vec<f64> = (0..nd).map(|o| o as f64).collect();
            for (j, &t) in targets.iter().enumerate() {
                src[t] = (nd + j) as f64;
            }
            let ext = self.step(&mut nm, op_type, Op::Concat { axis: 0 }, vec![df, uf])?;
            let c = self
                .g
                .add_constant(&format!("{name}_sources"), Tensor::new(vec![nd], src));
            self.step(&mut nm, op_type, Op::Gather { axis: 0 }, vec![ext, c])?
        } else {
            let mut lists: Vec<Vec<usize>> = vec![vec![]; nd];
            for (j, &t) in targets.iter().enumerate() {
                lists[t].push(j);
            }
            let depth = lists.iter().map(Vec::len).max().unwrap_or(0);
            let bin = match reduction {
                ScatterReduction::Add => BinaryOp::Add,
                ScatterReduction::Mul => BinaryOp::Mul,
                ScatterReduction::Max => BinaryOp::Max,
                _ => BinaryOp::Min,
            };
            // Positions with fewer updates take the operation's neutral value: 0 or 1 after
            // the updates, or (max/min) the data value itself, placed before them.
            let (ext, neutral): (ValueId, Box<dyn Fn(usize) -> usize>) = match reduction {
                ScatterReduction::Add | ScatterReduction::Mul => {
                    let e = if reduction == ScatterReduction::Add { 0.0 } else { 1.0 };
                    let c = self
                        .g
                        .add_constant(&format!("{name}_neutral"), Tensor::new(vec![1], vec![e]));
                    let ext = self.step(&mut nm, op_type, Op::Concat { axis: 0 }, vec![uf, c])?;
                    (ext, Box::new(move |_| nu))
                }
                _ => {
                    let ext = self.step(&mut nm, op_type, Op::Concat { axis: 0 }, vec![df, uf])?;
                    (ext, Box::new(|o| o))
                }
            };
            let shift = if matches!(reduction, ScatterReduction::Add | ScatterReduction::Mul) {
                0
            } else {
                nd
            };
            let mut v = df;
            for layer in 0..depth {
                let src: Vec<f64> = (0..nd)
                    .map(|o| lists[o].get(layer).map_or(neutral(o), |&j| shift + j) as f64)
                    .collect();
                let c = self
                    .g
                    .add_constant(&format!("{name}_layer{layer}"), Tensor::new(vec![nd], src));
                let g = self.step(&mut nm, op_type, Op::Gather { axis: 0 }, vec![ext, c])?;
                v = self.step(&mut nm, op_type, Op::Binary(bin), vec![v, g])?;
            }
            v
        };
        self.emit(name, op_type, Op::Reshape { shape: ds }, vec![v], out)
    }

    // ---------------------------------------------------------------- Compress / CenterCropPad

    /// The slices along `axis` (of the flattened input without one) whose constant condition
    /// is true: a Gather with constant indices.
    fn compress(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let mut x = self.req(node, 0)?;
        let cond = self
            .const_input(node, 1, "condition")?
            .ok_or("input 1 (condition) is required")?;
        let xs = self.shape(x);
        let axis = match a.int("axis") {
            Some(ax) => self.axis(ax, xs.len())?,
            None => {
                x = self.emit(
                    &format!("{name}_flat"),
                    "Compress",
                    Op::Reshape {
                        shape: vec![numel(&xs)],
                    },
                    vec![x],
                    &format!("{out}_flat"),
                )?;
                0
            }
        };
        let dim = self.shape(x)[axis];
        if cond.len() > dim {
            return Err(format!(
                "condition has {} values, more than the {dim} of the axis",
                cond.len()
            ));
        }
        let idx: Vec<f64> = (0..cond.len())
            .filter(|&i| cond.data[i] != 0.0)
            .map(|i| i as f64)
            .collect();
        if idx.is_empty() {
            return Err("the condition selects nothing: an empty output cannot be proven".into());
        }
        let c = self
            .g
            .add_constant(&format!("{name}_indices"), Tensor::new(vec![idx.len()], idx));
        self.emit(name, "Compress", Op::Gather { axis }, vec![x, c], out)
    }

    /// Each listed axis cropped or zero-padded to the constant target size, centred (the
    /// extra element of an odd difference goes to the end): a Slice, then a Pad.
    fn center_crop_pad(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let x = self.req(node, 0)?;
        let xs = self.shape(x);
        let r = xs.len();
        let target = self
            .ints_input(node, 1, "shape")?
            .ok_or("input 1 (shape) is required")?;
        let axes: Vec<usize> = match a.ints("axes") {
            Some(ax) => ax.iter().map(|&v| self.axis(v, r)).collect::<R<_>>()?,
            None => (0..r).collect(),
        };
        if target.len() != axes.len() || target.iter().any(|&t| t < 1) {
            return Err(format!(
                "shape {target:?} must have one positive size per axis ({})",
                axes.len()
            ));
        }
        let mut ranges = Vec::new();
        let mut pads = vec![0; 2 * r];
        for (&ax, &t) in axes.iter().zip(&target) {
            let (d, t) = (xs[ax], t as usize);
            if t < d {
                let start = (d - t) / 2;
                ranges.push((ax, start as i64, (start + t) as i64, 1));
            } else if t > d {
                pads[ax] = (t - d) / 2;
                pads[ax + r] = t - d - (t - d) / 2;
            }
        }
        let mut shape = xs.clone();
        for (&ax, &t) in axes.iter().zip(&target) {
            shape[ax] = t as usize;
        }
        self.check_size(&shape)?;
        let mut v = x;
        if !ranges.is_empty() {
            let pad = pads.iter().any(|&p| p > 0);
            let (n, o) = if pad {
                (format!("{name}_crop"), format!("{out}_crop"))
            } else {
                (name.to_string(), out.to_string())
            };
            v = self.emit(&n, "CenterCropPad", Op::Slice { ranges }, vec![v], &o)?;
        }
        if pads.iter().any(|&p| p > 0) {
            v = self.emit(
                name,
                "CenterCropPad",
                Op::Pad {
                    pads,
                    mode: zkc_ir::ops::PadMode::Constant(0.0),
                },
                vec![v],
                out,
            )?;
        }
        Ok(v)
    }

    // ---------------------------------------------------------------- MaxUnpool

    /// Zeros of the unpooled shape with each X value written at its flat index from I (as
    /// MaxPool's Indices give it): a ScatterND of the flattened tensors.
    fn max_unpool(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let (x, i) = (self.req(node, 0)?, self.req(node, 1)?);
        let (xs, is) = (self.shape(x), self.shape(i));
        let kernel: Vec<usize> = a
            .ints("kernel_shape")
            .ok_or("kernel_shape is required")?
            .iter()
            .map(|&k| k.max(1) as usize)
            .collect();
        let n = kernel.len();
        if xs.len() != n + 2 || is != xs {
            return Err(format!(
                "X {xs:?} must be [N, C, {n} spatial dims] and I {is:?} of the same shape"
            ));
        }
        let strides = super::spatial(a.ints("strides"), n, 1)?;
        let pads = super::spatial(a.ints("pads"), 2 * n, 0)?;
        // The values land in the inferred shape; a given output_shape pads it at the ends
        // (ONNX's reference).
        let mut shape = xs[..2].to_vec();
        for d in 0..n {
            let full = (xs[2 + d] - 1) * strides[d] + kernel[d];
            shape.push(
                full.checked_sub(pads[d] + pads[d + n])
                    .filter(|&v| v > 0)
                    .ok_or("the pads remove the whole output")?,
            );
        }
        let given = match self.ints_input(node, 2, "output_shape")? {
            Some(s) if s.len() == n + 2 && s.iter().zip(&shape).all(|(&g, &d)| g >= d as i64) => {
                Some(s.iter().map(|&d| d as usize).collect::<Vec<_>>())
            }
            Some(s) => {
                return Err(format!(
                    "output_shape {s:?} must have {} sizes, each at least the inferred {shape:?}",
                    n + 2
                ))
            }
            None => None,
        };
        if let Some(g) = &given {
            self.check_size(g)?;
        }
        self.check_size(&shape)?;
        let (total, m) = (numel(&shape), numel(&xs));
        let zeros = self
            .g
            .add_constant(&format!("{name}_zeros"), Tensor::full(vec![total], 0.0));
        let mut nm = Namer {
            name: name.into(),
            out: out.into(),
            n: 0,
        };
        let i2 = self.step(&mut nm, "MaxUnpool", Op::Reshape { shape: vec![m, 1] }, vec![i])?;
        let x1 = self.step(&mut nm, "MaxUnpool", Op::Reshape { shape: vec![m] }, vec![x])?;
        let (sn, so) = nm.next();
        let y = self.scatter_core(&sn, "MaxUnpool", [zeros, i2, x1], None, ScatterReduction::None, &so)?;
        match given.filter(|g| *g != shape) {
            None => self.emit(name, "MaxUnpool", Op::Reshape { shape }, vec![y], out),
            Some(g) => {
                let r = g.len();
                let mut pads = vec![0; 2 * r];
                for d in 0..r {
                    pads[r + d] = g[d] - shape[d];
                }
                let y = self.step(&mut nm, "MaxUnpool", Op::Reshape { shape }, vec![y])?;
                let mode = zkc_ir::ops::PadMode::Constant(0.0);
                self.emit(name, "MaxUnpool", Op::Pad { pads, mode }, vec![y], out)
            }
        }
    }

    // ---------------------------------------------------------------- Col2Im

    /// The inverse of im2col: every column entry `(n, c·K + k, l)` is added into the image
    /// pixel its block `l` and kernel offset `k` land on (padding drops it). As IR ops: the
    /// flattened columns with a 0 appended, then one constant-index Gather per overlap layer,
    /// summed.
    fn col2im(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let x = self.req(node, 0)?;
        let xs = self.shape(x);
        let img = self
            .ints_input(node, 1, "image_shape")?
            .ok_or("input 1 (image_shape) is required")?;
        let block = self
            .ints_input(node, 2, "block_shape")?
            .ok_or("input 2 (block_shape) is required")?;
        let r = img.len();
        if r == 0 || block.len() != r || img.iter().chain(&block).any(|&d| d < 1) || xs.len() != 3 {
            return Err(format!(
                "input {xs:?} must be [N, C·Πblock, L] with image_shape {img:?} and block_shape {block:?} positive, of one length"
            ));
        }
        let img: Vec<usize> = img.iter().map(|&d| d as usize).collect();
        let block: Vec<usize> = block.iter().map(|&d| d as usize).collect();
        let strides = super::spatial(a.ints("strides"), r, 1)?;
        let dil = super::spatial(a.ints("dilations"), r, 1)?;
        let pads = super::spatial(a.ints("pads"), 2 * r, 0)?;
        let k = numel(&block);
        let mut nblocks = Vec::with_capacity(r);
        for d in 0..r {
            let span = img[d] + pads[d] + pads[d + r];
            let eff = dil[d] * (block[d] - 1) + 1;
            if span < eff || strides[d] == 0 {
                return Err(format!("the block {block:?} does not fit the padded image {img:?}"));
            }
            nblocks.push((span - eff) / strides[d] + 1);
        }
        let (n, ck, l) = (xs[0], xs[1], xs[2]);
        if ck % k != 0 || l != numel(&nblocks) {
            return Err(format!(
                "input {xs:?} must have a multiple of {k} rows and {} columns (the sliding blocks {nblocks:?})",
                numel(&nblocks)
            ));
        }
        let c = ck / k;
        let mut shape = vec![n, c];
        shape.extend(&img);
        self.check_size(&shape)?;
        let plane = numel(&img);
        let mut lists: Vec<Vec<usize>> = vec![vec![]; n * c * plane];
        let (mut kidx, mut lidx) = (vec![0; r], vec![0; r]);
        for src in 0..n * ck * l {
            let (b, row, col) = (src / (ck * l), (src / l) % ck, src % l);
            let (ch, kk) = (row / k, row % k);
            // Row-major multi-indices of the kernel offset and the block.
            let (mut kr, mut lr) = (kk, col);
            for d in (0..r).rev() {
                kidx[d] = kr % block[d];
                kr /= block[d];
                lidx[d] = lr % nblocks[d];
                lr /= nblocks[d];
            }
            let mut pos = 0usize;
            let mut inside = true;
            for d in 0..r {
                let y = (lidx[d] * strides[d] + kidx[d] * dil[d]) as i64 - pads[d] as i64;
                if y < 0 || y >= img[d] as i64 {
                    inside = false;
                    break;
                }
                pos = pos * img[d] + y as usize;
            }
            if inside {
                lists[(b * c + ch) * plane + pos].push(src);
            }
        }
        let total = n * ck * l;
        let mut nm = Namer {
            name: name.into(),
            out: out.into(),
            n: 0,
        };
        let flat = self.step(&mut nm, "Col2Im", Op::Reshape { shape: vec![total] }, vec![x])?;
        let zero = self
            .g
            .add_constant(&format!("{name}_zero"), Tensor::new(vec![1], vec![0.0]));
        let ext = self.step(&mut nm, "Col2Im", Op::Concat { axis: 0 }, vec![flat, zero])?;
        let depth = lists.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut sum = None;
        for layer in 0..depth {
            let src: Vec<f64> = lists
                .iter()
                .map(|v| v.get(layer).map_or(total, |&j| j) as f64)
                .collect();
            let idx = self
                .g
                .add_constant(&format!("{name}_layer{layer}"), Tensor::new(vec![src.len()], src));
            let g = self.step(&mut nm, "Col2Im", Op::Gather { axis: 0 }, vec![ext, idx])?;
            sum = Some(match sum {
                None => g,
                Some(s) => self.step(&mut nm, "Col2Im", Op::Binary(BinaryOp::Add), vec![s, g])?,
            });
        }
        self.emit(
            name,
            "Col2Im",
            Op::Reshape { shape },
            vec![sum.expect("one layer")],
            out,
        )
    }

    // ---------------------------------------------------------------- AffineGrid

    /// `grid[n, p] = theta[n] · (x, y[, z], 1)` over the normalized output positions p: one
    /// MatMul of the constant homogeneous base grid `[1, P, r+1]` by `thetaᵀ`.
    fn affine_grid(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let theta = self.req(node, 0)?;
        let ts = self.shape(theta);
        let size = self.ints_input(node, 1, "size")?.ok_or("input 1 (size) is required")?;
        let r = size.len().saturating_sub(2);
        if !(r == 2 || r == 3) || size.iter().any(|&d| d < 1) || ts != [size[0] as usize, r, r + 1] {
            return Err(format!(
                "size {size:?} must be [N, C, H, W] or [N, C, D, H, W] and theta {ts:?} [N, 2, 3] or [N, 3, 4]"
            ));
        }
        let dims: Vec<usize> = size[2..].iter().map(|&d| d as usize).collect();
        let p = numel(&dims);
        self.check_size(&[p, r + 1])?;
        let align = a.int("align_corners").unwrap_or(0) != 0;
        let coord = |i: usize, l: usize| {
            if align {
                if l == 1 {
                    -1.0
                } else {
                    -1.0 + 2.0 * i as f64 / (l - 1) as f64
                }
            } else {
                -1.0 + (2 * i + 1) as f64 / l as f64
            }
        };
        let mut base = Vec::with_capacity(p * (r + 1));
        let mut idx = vec![0; r];
        for _ in 0..p {
            // Components x (the last axis), y, [z], then 1.
            base.extend((0..r).rev().map(|d| coord(idx[d], dims[d])));
            base.push(1.0);
            zkc_ir::tensor::next_index(&mut idx, &dims);
        }
        let b = self
            .g
            .add_constant(&format!("{name}_base"), Tensor::new(vec![1, p, r + 1], base));
        let mut nm = Namer {
            name: name.into(),
            out: out.into(),
            n: 0,
        };
        let tt = self.step(
            &mut nm,
            "AffineGrid",
            Op::Transpose { perm: vec![0, 2, 1] },
            vec![theta],
        )?;
        let g = self.step(&mut nm, "AffineGrid", Op::MatMul, vec![b, tt])?;
        let mut shape = vec![size[0] as usize];
        shape.extend(&dims);
        shape.push(r);
        self.emit(name, "AffineGrid", Op::Reshape { shape }, vec![g], out)
    }

    // ---------------------------------------------------------------- GridSample

    fn grid_sample(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        use zkc_ir::ops::grid_sample::{GridMode, GridPadding, GridSampleParams};
        let a = Attrs(node);
        let (x, grid) = (self.req(node, 0)?, self.req(node, 1)?);
        let mode = match a
            .string("mode")
            .as_deref()
            .unwrap_or(if self.opset < 20 { "bilinear" } else { "linear" })
        {
            "nearest" => GridMode::Nearest,
            "bilinear" | "linear" => GridMode::Linear,
            "bicubic" | "cubic" => GridMode::Cubic,
            m => return Err(format!("mode `{m}` is not valid (nearest, linear, cubic)")),
        };
        let padding = match a.string("padding_mode").as_deref().unwrap_or("zeros") {
            "zeros" => GridPadding::Zeros,
            "border" => GridPadding::Border,
            "reflection" => GridPadding::Reflection,
            m => return Err(format!("padding_mode `{m}` is not valid (zeros, border, reflection)")),
        };
        let p = GridSampleParams {
            mode,
            padding,
            align_corners: a.int("align_corners").unwrap_or(0) != 0,
        };
        self.emit(name, "GridSample", Op::GridSample(p), vec![x, grid], out)
    }

    // ---------------------------------------------------------------- RNN / GRU / LSTM

    fn rnn(&mut self, name: &str, node: &NodeProto) -> R<()> {
        let a = Attrs(node);
        let op_type = node.op_type.as_str();
        let kind = match op_type {
            "RNN" => RnnKind::Rnn,
            "GRU" => RnnKind::Gru {
                linear_before_reset: a.int("linear_before_reset").unwrap_or(0) != 0,
            },
            _ => RnnKind::Lstm {
                input_forget: a.int("input_forget").unwrap_or(0) != 0,
            },
        };
        let lstm = matches!(kind, RnnKind::Lstm { .. });
        let (x, w, r) = (self.req(node, 0)?, self.req(node, 1)?, self.req(node, 2)?);
        let (xs, rs) = (self.shape(x), self.shape(r));
        if xs.len() != 3 || rs.len() != 3 {
            return Err(format!("X {xs:?} and R {rs:?} must have rank 3"));
        }
        let direction = a.string("direction").unwrap_or_else(|| "forward".into());
        let (bidirectional, reverse) = match direction.as_str() {
            "forward" => (false, false),
            "reverse" => (false, true),
            "bidirectional" => (true, false),
            d => {
                return Err(format!(
                    "direction `{d}` is not valid (forward, reverse, bidirectional)"
                ))
            }
        };
        let dirs = if bidirectional { 2 } else { 1 };
        let hidden = match a.int("hidden_size") {
            Some(h) if h > 0 => h as usize,
            Some(h) => return Err(format!("hidden_size = {h} must be positive")),
            None => rs[2],
        };
        let batch_first = a.int("layout").unwrap_or(0) != 0;
        let (seq, batch) = if batch_first { (xs[1], xs[0]) } else { (xs[0], xs[1]) };
        let g = kind.gates();
        let names: Vec<String> = match node.attribute.iter().find(|at| at.name == "activations") {
            Some(at) => at
                .strings
                .iter()
                .map(|s| String::from_utf8_lossy(s).to_string())
                .collect(),
            None => {
                let d: &[&str] = match kind {
                    RnnKind::Rnn => &["Tanh"],
                    RnnKind::Gru { .. } => &["Sigmoid", "Tanh"],
                    RnnKind::Lstm { .. } => &["Sigmoid", "Tanh", "Tanh"],
                };
                (0..dirs).flat_map(|_| d.iter().map(|s| s.to_string())).collect()
            }
        };
        let mut alphas = a.floats("activation_alpha").unwrap_or_default().into_iter();
        let mut betas = a.floats("activation_beta").unwrap_or_default().into_iter();
        let activations = names
            .iter()
            .map(|n| rnn_activation(n, &mut alphas, &mut betas))
            .collect::<R<Vec<_>>>()?;
        if activations.len() != dirs * kind.activations() {
            return Err(format!(
                "activations {names:?}: {op_type} with direction {direction} needs {}",
                dirs * kind.activations()
            ));
        }
        let clip = a.float("clip");
        if clip.is_some_and(|c| c.is_nan() || c <= 0.0) {
            return Err(format!("clip = {} must be positive", clip.unwrap_or(0.0)));
        }
        let state = if batch_first {
            vec![batch, dirs, hidden]
        } else {
            vec![dirs, batch, hidden]
        };
        let fill = |cx: &mut Context, i: usize, what: &str, t: Tensor| -> ValueId {
            cx.input(node, i)
                .unwrap_or_else(|| cx.g.add_constant(&format!("{name}_{what}"), t))
        };
        let b = fill(self, 3, "B", Tensor::full(vec![dirs, 2 * g * hidden], 0.0));
        let lens = fill(self, 4, "sequence_lens", Tensor::full(vec![batch], seq as f64));
        let h0 = fill(self, 5, "initial_h", Tensor::full(state.clone(), 0.0));
        let mut ins = vec![x, w, r, b, lens, h0];
        if lstm {
            ins.push(fill(self, 6, "initial_c", Tensor::full(state, 0.0)));
            ins.push(fill(self, 7, "P", Tensor::full(vec![dirs, 3 * hidden], 0.0)));
        }
        let outputs = if lstm {
            &[RnnOutput::Y, RnnOutput::Yh, RnnOutput::Yc][..]
        } else {
            &[RnnOutput::Y, RnnOutput::Yh][..]
        };
        for (i, &output) in outputs.iter().enumerate() {
            if node.output.get(i).is_none_or(|s| s.is_empty()) {
                continue;
            }
            let p = RnnParams {
                kind,
                bidirectional,
                reverse,
                hidden,
                activations: activations.clone(),
                clip,
                batch_first,
                output,
            };
            let n = if i == 0 {
                name.to_string()
            } else {
                format!("{name}_{output:?}")
            };
            let v = self.emit(&n, op_type, Op::Rnn(p), ins.clone(), &Self::out_name(node, i))?;
            self.bind(node, i, v);
        }
        Ok(())
    }
}

/// The first pair of positions holding the same label.
fn repeated(l: &[char]) -> Option<(usize, usize)> {
    (0..l.len()).find_map(|i| (i + 1..l.len()).find(|&j| l[j] == l[i]).map(|j| (i, j)))
}

/// One ONNX RNN activation name, taking its alpha/beta from the attribute lists in order.
fn rnn_activation(
    name: &str,
    alphas: &mut impl Iterator<Item = f64>,
    betas: &mut impl Iterator<Item = f64>,
) -> R<RnnActivation> {
    use RnnActivation::Act;
    Ok(match name.to_ascii_lowercase().as_str() {
        "sigmoid" => Act(Activation::Sigmoid),
        "tanh" => Act(Activation::Tanh),
        "relu" => Act(Activation::Relu),
        "softsign" => Act(Activation::Softsign),
        "softplus" => Act(Activation::Softplus),
        "leakyrelu" => Act(Activation::LeakyRelu {
            alpha: alphas.next().unwrap_or(0.01),
        }),
        "thresholdedrelu" => Act(Activation::ThresholdedRelu {
            alpha: alphas.next().unwrap_or(1.0),
        }),
        "elu" => Act(Activation::Elu {
            alpha: alphas.next().unwrap_or(1.0),
        }),
        "hardsigmoid" => Act(Activation::HardSigmoid {
            alpha: alphas.next().unwrap_or(0.2),
            beta: betas.next().unwrap_or(0.5),
        }),
        "affine" => RnnActivation::Affine {
            alpha: alphas.next().unwrap_or(1.0),
            beta: betas.next().unwrap_or(0.0),
        },
        "scaledtanh" => RnnActivation::ScaledTanh {
            alpha: alphas.next().unwrap_or(1.0),
            beta: betas.next().unwrap_or(1.0),
        },
        _ => return Err(format!("activation `{name}` is not supported (Sigmoid, Tanh, Relu, LeakyRelu, ThresholdedRelu, HardSigmoid, Elu, Softsign, Softplus, Affine, ScaledTanh)")),
    })
}

/// One output position's input positions and weights.
type Taps = Vec<(usize, f64)>;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Interp {
    Nearest,
    Linear,
    Cubic,
}

#[derive(Clone)]
struct AxisCfg {
    mode: Interp,
    ctm: String,
    nearest_mode: String,
    cubic_a: f64,
    exclude_outside: bool,
    antialias: bool,
}

/// ONNX Resize along one axis as a linear map: for each output position, the input
/// positions it reads with their weights (ONNX's reference `_interpolate_1d_along_axis`:
/// source coordinate by the coordinate transformation, the kernel's taps nearest to it with
/// edge clamping), and whether it lies outside the input (tf_crop_and_resize extrapolates).
fn axis_taps(cfg: &AxisCfg, in_w: usize, scale: f64, out_w: usize, roi: (f64, f64)) -> R<(Vec<Taps>, Vec<bool>)> {
    let output_width = scale * in_w as f64;
    let inw = in_w as f64;
    let mut taps = Vec::with_capacity(out_w);
    let mut outside = Vec::with_capacity(out_w);
    for y in 0..out_w {
        let y = y as f64;
        let mut extrapolated = false;
        let x = match cfg.ctm.as_str() {
            "align_corners" => {
                if output_width == 1.0 {
                    0.0
                } else {
                    y * (inw - 1.0) / (output_width - 1.0)
                }
            }
            "asymmetric" => y / scale,
            "tf_crop_and_resize" => {
                let x = if output_width == 1.0 {
                    (roi.1 - roi.0) * (inw - 1.0) / 2.0
                } else {
                    y * (roi.1 - roi.0) * (inw - 1.0) / (output_width - 1.0)
                } + roi.0 * (inw - 1.0);
                extrapolated = x < 0.0 || x > inw - 1.0;
                x
            }
            "pytorch_half_pixel" => {
                if output_width == 1.0 {
                    -0.5
                } else {
                    (y + 0.5) / scale - 0.5
                }
            }
            "half_pixel" => (y + 0.5) / scale - 0.5,
            "half_pixel_symmetric" => {
                let adjustment = out_w as f64 / output_width;
                let offset = inw / 2.0 * (1.0 - adjustment);
                offset + (y + 0.5) / scale - 0.5
            }
            m => return Err(format!("coordinate_transformation_mode `{m}` is not valid")),
        };
        outside.push(extrapolated);
        if extrapolated {
            taps.push(vec![]);
            continue;
        }
        let ratio = if x == x.floor() { 1.0 } else { x - x.floor() };
        let mut coeffs = match cfg.mode {
            Interp::Nearest => {
                let up = match cfg.nearest_mode.as_str() {
                    _ if ratio == 1.0 => true,
                    "round_prefer_floor" => ratio > 0.5,
                    "round_prefer_ceil" => ratio >= 0.5,
                    "floor" => false,
                    "ceil" => true,
                    m => return Err(format!("nearest_mode `{m}` is not valid")),
                };
                vec![f64::from(!up), f64::from(up)]
            }
            Interp::Linear if cfg.antialias => {
                let s = scale.min(1.0);
                let start = (-1.0 / s).floor() as i64 + 1;
                let footprint = 2 - 2 * start;
                let c: Vec<f64> = (start..start + footprint)
                    .map(|i| (1.0 - ((i as f64 - ratio) * s).abs()).clamp(0.0, 1.0))
                    .collect();
                let sum: f64 = c.iter().sum();
                c.into_iter().map(|v| v / sum).collect()
            }
            Interp::Linear => vec![1.0 - ratio, ratio],
            Interp::Cubic if cfg.antialias => {
                let s = scale.min(1.0);
                let a = cfg.cubic_a;
                let k = |x: f64| {
                    let x = x.abs();
                    if x <= 1.0 {
                        (a + 2.0) * x * x * x - (a + 3.0) * x * x + 1.0
                    } else if x < 2.0 {
                        a * x * x * x - 5.0 * a * x * x + 8.0 * a * x - 4.0 * a
                    } else {
                        0.0
                    }
                };
                let start = (-2.0 / s).floor() as i64 + 1;
                let end = 2 - start;
                let c: Vec<f64> = (start..end).map(|i| k(s * (i as f64 - ratio))).collect();
                let sum: f64 = c.iter().sum();
                c.into_iter().map(|v| v / sum).collect()
            }
            Interp::Cubic => {
                let a = cfg.cubic_a;
                let (r, q) = (ratio, 1.0 - ratio);
                vec![
                    ((a * (r + 1.0) - 5.0 * a) * (r + 1.0) + 8.0 * a) * (r + 1.0) - 4.0 * a,
                    ((a + 2.0) * r - (a + 3.0)) * r * r + 1.0,
                    ((a + 2.0) * q - (a + 3.0)) * q * q + 1.0,
                    ((a * (q + 1.0) - 5.0 * a) * (q + 1.0) + 8.0 * a) * (q + 1.0) - 4.0 * a,
                ]
            }
        };
        let n = coeffs.len() as i64;
        let pad = (n + 1) / 2;
        let xp = x + pad as f64;
        let pp = xp.floor();
        let frac = xp - pp;
        let off = if n % 2 == 0 {
            if frac == 0.0 {
                -(n / 2)
            } else {
                -(n / 2) + 1
            }
        } else {
            let base = -((n - 1) / 2);
            if frac <= 0.5 {
                base
            } else {
                base + 1
            }
        };
        let start = pp as i64 + off - pad;
        if cfg.exclude_outside {
            for (k, c) in coeffs.iter_mut().enumerate() {
                let i = start + k as i64;
                if i < 0 || i >= in_w as i64 {
                    *c = 0.0;
                }
            }
            let sum: f64 = coeffs.iter().sum();
            let sum = if sum == 0.0 { 1.0 } else { sum };
            coeffs.iter_mut().for_each(|c| *c /= sum);
        }
        let mut t: Vec<(usize, f64)> = Vec::new();
        for (k, &c) in coeffs.iter().enumerate() {
            if c == 0.0 {
                continue;
            }
            let i = (start + k as i64).clamp(0, in_w as i64 - 1) as usize;
            match t.iter_mut().find(|(j, _)| *j == i) {
                Some(e) => e.1 += c,
                None => t.push((i, c)),
            }
        }
        taps.push(t);
    }
    Ok((taps, outside))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(mode: Interp, ctm: &str) -> AxisCfg {
        AxisCfg {
            mode,
            ctm: ctm.into(),
            nearest_mode: "round_prefer_floor".into(),
            cubic_a: -0.75,
            exclude_outside: false,
            antialias: false,
        }
    }

    fn apply(taps: &[Vec<(usize, f64)>], x: &[f64]) -> Vec<f64> {
        taps.iter().map(|t| t.iter().map(|&(i, w)| w * x[i]).sum()).collect()
    }

    #[test]
    fn linear_half_pixel_matches_onnx() {
        // ONNX resize_upsample_scales_linear, one row: [1, 2] × 2 → [1, 1.25, 1.75, 2].
        let (t, _) = axis_taps(&cfg(Interp::Linear, "half_pixel"), 2, 2.0, 4, (0.0, 1.0)).unwrap();
        assert_eq!(apply(&t, &[1.0, 2.0]), vec![1.0, 1.25, 1.75, 2.0]);
        // align_corners: [1, 2] × 2 → [1, 4/3, 5/3, 2].
        let (t, _) = axis_taps(&cfg(Interp::Linear, "align_corners"), 2, 2.0, 4, (0.0, 1.0)).unwrap();
        let y = apply(&t, &[1.0, 2.0]);
        assert!(y
            .iter()
            .zip([1.0, 4.0 / 3.0, 5.0 / 3.0, 2.0])
            .all(|(a, b)| (a - b).abs() < 1e-12));
    }

    #[test]
    fn nearest_modes_match_onnx() {
        // Upsampling [1, 2] by 2, asymmetric: x = 0, 0.5, 1, 1.5.
        let mut c = cfg(Interp::Nearest, "asymmetric");
        let (t, _) = axis_taps(&c, 2, 2.0, 4, (0.0, 1.0)).unwrap();
        assert_eq!(apply(&t, &[1.0, 2.0]), vec![1.0, 1.0, 2.0, 2.0]);
        c.nearest_mode = "round_prefer_ceil".into();
        let (t, _) = axis_taps(&c, 2, 2.0, 4, (0.0, 1.0)).unwrap();
        assert_eq!(apply(&t, &[1.0, 2.0]), vec![1.0, 2.0, 2.0, 2.0]);
        // Downsampling [1, 2, 3, 4] by 0.6 (half_pixel, round_prefer_floor): ONNX gives [1, 3].
        let (t, _) = axis_taps(&cfg(Interp::Nearest, "half_pixel"), 4, 0.6, 2, (0.0, 1.0)).unwrap();
        assert_eq!(apply(&t, &[1.0, 2.0, 3.0, 4.0]), vec![1.0, 3.0]);
    }

    #[test]
    fn cubic_and_crop_match_onnx() {
        // Cubic weights sum to 1 and reproduce a linear ramp away from the edges.
        let (t, _) = axis_taps(&cfg(Interp::Cubic, "asymmetric"), 8, 2.0, 16, (0.0, 1.0)).unwrap();
        let x: Vec<f64> = (0..8).map(f64::from).collect();
        let y = apply(&t, &x);
        for (o, v) in y.iter().enumerate().take(12).skip(2) {
            assert!((v - o as f64 / 2.0).abs() < 1e-12, "{o}: {v}");
        }
        // tf_crop_and_resize with roi [0.4, 1.2] marks the positions past the end.
        let (_, out) = axis_taps(&cfg(Interp::Linear, "tf_crop_and_resize"), 4, 0.75, 3, (0.4, 1.2)).unwrap();
        assert_eq!(out, vec![false, false, true]);
    }
}
