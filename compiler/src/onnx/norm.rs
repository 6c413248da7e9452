//! Normalizations, expanded at import into IR ops that already have circuits:
//! LayerNormalization, RMSNormalization, GroupNormalization, InstanceNormalization,
//! MeanVarianceNormalization and LpNormalization.
//!
//! Each one is `x̂ = (x - mean) / sqrt(var + eps)` (RMSNorm: `x / sqrt(mean(x²) + eps)`) over
//! some axes, then a per-element affine map:
//!
//! ```text
//! mean = ReduceMean(x, axes)        d = x - mean          var = ReduceMean(d·d, axes)
//! σ    = Sqrt(var + eps)            x̂ = d / σ             y = x̂·scale + bias
//! ```
//!
//! `x̂` is then clipped to ±√n (n values normalized together), which it never leaves: a
//! bound for the layers after it (a NaN from 0/0 without epsilon clips to -√n).
//!
//! The variance is the mean of squared deviations (not E[x²] - E[x]², which cancels badly in
//! fixed point), so it is a non-negative witness by construction; the lowering proves the
//! divisor σ positive from that and from epsilon (see `passes/src/lower/linear.rs`).

use onnx_protobuf::NodeProto;
use zkc_ir::ops::ReduceKind;
use zkc_ir::tensor::numel;
use zkc_ir::{Activation, BinaryOp, Op, Tensor, ValueId};

use super::nodes::Context;
use super::proto::Attrs;

type R<T> = Result<T, String>;

/// The ONNX op types this module imports.
pub(super) const NORM_OPS: &[&str] = &[
    "GroupNormalization",
    "InstanceNormalization",
    "LayerNormalization",
    "LpNormalization",
    "MeanVarianceNormalization",
    "RMSNormalization",
];

/// What a normalization computes besides `x̂`.
struct Normalized {
    y: ValueId,
    mean: Option<ValueId>,
    sigma: ValueId,
}

impl Context {
    /// Imports one normalization node (the op types [`NORM_OPS`] lists).
    pub(super) fn norm_node(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let x = self.req(node, 0)?;
        let xs = self.shape(x);
        let rank = xs.len();
        let eps = a.float("epsilon");
        let op = node.op_type.as_str();
        match node.op_type.as_str() {
            "LayerNormalization" | "RMSNormalization" => {
                let rms = node.op_type == "RMSNormalization";
                let axis = self.axis(a.int("axis").unwrap_or(-1), rank)?;
                let stash = a.int("stash_type").unwrap_or(1);
                if stash != 1 {
                    return Err(format!(
                        "stash_type = {stash} is not supported; zkc computes in one precision (stash_type = 1, float)"
                    ));
                }
                let axes: Vec<usize> = (axis..rank).collect();
                let n = self.normalize(name, op, x, &axes, eps.unwrap_or(1e-5), !rms, false)?;
                let scale = self.req(node, 1)?;
                let bias = if rms { None } else { self.input(node, 2) };
                let y = self.affine(name, op, n.y, scale, bias, out)?;
                // LayerNormalization's optional outputs: Mean and InvStdDev, reduced axes kept.
                if let (Some(m), true) = (n.mean, node.output.len() > 1) {
                    self.bind(node, 1, m);
                }
                if node.output.get(2).is_some_and(|s| !s.is_empty()) {
                    let inv = self.emit(
                        &format!("{name}_inv_std"),
                        &node.op_type,
                        Op::Activation(Activation::Reciprocal),
                        vec![n.sigma],
                        &node.output[2],
                    )?;
                    self.bind(node, 2, inv);
                }
                Ok(y)
            }
            "InstanceNormalization" => {
                if rank < 3 {
                    return Err(format!("input {xs:?} must be [N, C, D1, …]"));
                }
                let axes: Vec<usize> = (2..rank).collect();
                let n = self.normalize(name, op, x, &axes, eps.unwrap_or(1e-5), true, false)?;
                let (scale, bias) = (
                    self.channel_param(name, node, 1, "scale", &xs)?,
                    self.channel_param(name, node, 2, "B", &xs)?,
                );
                self.affine(name, op, n.y, scale, Some(bias), out)
            }
            "GroupNormalization" => {
                if rank < 3 {
                    return Err(format!("input {xs:?} must be [N, C, D1, …]"));
                }
                let groups = a.int("num_groups").ok_or("num_groups is required")?;
                let c = xs[1];
                if groups < 1 || !c.is_multiple_of(groups as usize) {
                    return Err(format!("num_groups = {groups} must divide the channel count {c}"));
                }
                let g = groups as usize;
                // Normalize [N, G, C/G·D1·…] over its last axis, then back to x's shape.
                let view = self.emit(
                    &format!("{name}_groups"),
                    "GroupNormalization",
                    Op::Reshape {
                        shape: vec![xs[0], g, numel(&xs[1..]) / g],
                    },
                    vec![x],
                    &format!("{out}_groups"),
                )?;
                let n = self.normalize(name, op, view, &[2], eps.unwrap_or(1e-5), true, false)?;
                let back = self.emit(
                    &format!("{name}_ungroup"),
                    "GroupNormalization",
                    Op::Reshape { shape: xs.clone() },
                    vec![n.y],
                    &format!("{out}_normalized"),
                )?;
                // Opset 18 has one scale and bias per group, opset 21 one per channel: either
                // becomes `[C, 1, …]` (a per-group one through a Gather of each channel's group).
                let scale = self.group_param(name, node, 1, "scale", &xs, g)?;
                let bias = self.group_param(name, node, 2, "bias", &xs, g)?;
                self.affine(name, op, back, scale, Some(bias), out)
            }
            "MeanVarianceNormalization" => {
                let axes = match a.ints("axes") {
                    Some(ax) => {
                        let mut v = ax.iter().map(|&i| self.axis(i, rank)).collect::<R<Vec<_>>>()?;
                        v.sort();
                        v.dedup();
                        v
                    }
                    None if rank == 4 => vec![0, 2, 3],
                    None => return Err(format!("input {xs:?} is not 4-D; the axes attribute is required")),
                };
                // ONNX's function: (x - mean) / (sqrt(var) + 1e-9).
                let n = self.normalize(name, op, x, &axes, 1e-9, true, true)?;
                Ok(self.rename(name, "MeanVarianceNormalization", n.y, out)?)
            }
            "LpNormalization" => {
                let axis = self.axis(a.int("axis").unwrap_or(-1), rank)?;
                let p = a.int("p").unwrap_or(2);
                let norm = match p {
                    1 => {
                        let ab = self.emit(
                            &format!("{name}_abs"),
                            op,
                            Op::Activation(Activation::Abs),
                            vec![x],
                            &format!("{out}_abs"),
                        )?;
                        self.reduce(
                            &format!("{name}_norm"),
                            op,
                            ReduceKind::Sum,
                            ab,
                            &[axis],
                            &format!("{out}_norm"),
                        )?
                    }
                    2 => {
                        let sq = self.emit(
                            &format!("{name}_square"),
                            op,
                            Op::Binary(BinaryOp::Mul),
                            vec![x, x],
                            &format!("{out}_sq"),
                        )?;
                        let s = self.reduce(
                            &format!("{name}_sum"),
                            op,
                            ReduceKind::Sum,
                            sq,
                            &[axis],
                            &format!("{out}_ss"),
                        )?;
                        self.emit(
                            &format!("{name}_norm"),
                            op,
                            Op::Activation(Activation::Sqrt),
                            vec![s],
                            &format!("{out}_norm"),
                        )?
                    }
                    p => return Err(format!("p = {p} is not valid (1 or 2)")),
                };
                self.emit(name, op, Op::Binary(BinaryOp::Div), vec![x, norm], out)
            }
            other => Err(format!("{other} is not a normalization (a zkc bug)")),
        }
    }

    /// `x̂` over `axes` (kept as size 1 in the statistics): with `center`, `(x - mean) / σ`,
    /// else `x / σ` (RMSNorm). σ = `sqrt(var + eps)`, or `sqrt(var) + eps` with
    /// `eps_outside` (MeanVarianceNormalization).
    #[allow(clippy::too_many_arguments)]
    fn normalize(
        &mut self,
        name: &str,
        op: &str,
        x: ValueId,
        axes: &[usize],
        eps: f64,
        center: bool,
        eps_outside: bool,
    ) -> R<Normalized> {
        if !(eps.is_finite() && eps >= 0.0) {
            return Err(format!("epsilon = {eps} must be finite and non-negative"));
        }
        let (d, mean) = if center {
            let mean = self.reduce(
                &format!("{name}_mean"),
                op,
                ReduceKind::Mean,
                x,
                axes,
                &format!("{name}_mean"),
            )?;
            let d = self.emit(
                &format!("{name}_center"),
                op,
                Op::Binary(BinaryOp::Sub),
                vec![x, mean],
                &format!("{name}_centered"),
            )?;
            (d, Some(mean))
        } else {
            (x, None)
        };
        let sq = self.emit(
            &format!("{name}_square"),
            op,
            Op::Binary(BinaryOp::Mul),
            vec![d, d],
            &format!("{name}_squared"),
        )?;
        let var = self.reduce(
            &format!("{name}_var"),
            op,
            ReduceKind::Mean,
            sq,
            axes,
            &format!("{name}_var"),
        )?;
        let e = self.g.add_constant(&format!("{name}_epsilon"), Tensor::scalar(eps));
        let sigma = if eps_outside {
            let s = self.emit(
                &format!("{name}_sqrt"),
                op,
                Op::Activation(Activation::Sqrt),
                vec![var],
                &format!("{name}_sqrt"),
            )?;
            self.emit(
                &format!("{name}_std"),
                op,
                Op::Binary(BinaryOp::Add),
                vec![s, e],
                &format!("{name}_std"),
            )?
        } else {
            let ve = self.emit(
                &format!("{name}_var_eps"),
                op,
                Op::Binary(BinaryOp::Add),
                vec![var, e],
                &format!("{name}_var_eps"),
            )?;
            self.emit(
                &format!("{name}_std"),
                op,
                Op::Activation(Activation::Sqrt),
                vec![ve],
                &format!("{name}_std"),
            )?
        };
        let z = self.emit(
            &format!("{name}_divide"),
            op,
            Op::Binary(BinaryOp::Div),
            vec![d, sigma],
            &format!("{name}_quotient"),
        )?;
        // Over n values, |x - mean| ≤ √(n-1)·σ (and |x| ≤ √n·rms), so clipping to ±√n changes
        // nothing in float but proves the bound that interval arithmetic cannot see (it only
        // knows σ ≥ one unit), keeping the layers after a normalization narrow.
        let xs = self.shape(x);
        let n: usize = axes.iter().map(|&a| xs[a]).product();
        let lim = (n as f64).sqrt().max(1.0);
        let y = self.emit(
            &format!("{name}_normalize"),
            op,
            Op::Activation(Activation::Clip { min: -lim, max: lim }),
            vec![z],
            &format!("{name}_normalized"),
        )?;
        Ok(Normalized { y, mean, sigma })
    }

    /// `ReduceKind` over `axes`, keeping them as size 1.
    fn reduce(&mut self, name: &str, op: &str, kind: ReduceKind, x: ValueId, axes: &[usize], out: &str) -> R<ValueId> {
        let r = Op::Reduce {
            kind,
            axes: axes.to_vec(),
            keepdims: true,
        };
        self.emit(name, op, r, vec![x], out)
    }

    /// `x·scale + bias` (bias optional); the last op is named `name` and writes `out`.
    fn affine(
        &mut self,
        name: &str,
        op: &str,
        x: ValueId,
        scale: ValueId,
        bias: Option<ValueId>,
        out: &str,
    ) -> R<ValueId> {
        match bias {
            None => self.emit(name, op, Op::Binary(BinaryOp::Mul), vec![x, scale], out),
            Some(b) => {
                let m = self.emit(
                    &format!("{name}_scale"),
                    op,
                    Op::Binary(BinaryOp::Mul),
                    vec![x, scale],
                    &format!("{out}_scaled"),
                )?;
                self.emit(name, op, Op::Binary(BinaryOp::Add), vec![m, b], out)
            }
        }
    }

    /// `x` under the node's own name and output (a Reshape to its own shape, which lowers to
    /// nothing), so the graph output keeps its ONNX name.
    fn rename(&mut self, name: &str, op: &str, x: ValueId, out: &str) -> R<ValueId> {
        let shape = self.shape(x);
        self.emit(name, op, Op::Reshape { shape }, vec![x], out)
    }

    /// GroupNormalization's scale or bias (`[C]`, or `[G]` before opset 21) as `[C, 1, …]`.
    fn group_param(
        &mut self,
        name: &str,
        node: &NodeProto,
        i: usize,
        what: &str,
        xs: &[usize],
        g: usize,
    ) -> R<ValueId> {
        let v = self.req(node, i)?;
        let n = numel(&self.shape(v));
        let c = xs[1];
        if n == g && n != c {
            let idx: Vec<f64> = (0..c).map(|k| (k / (c / g)) as f64).collect();
            let idx = self
                .g
                .add_constant(&format!("{name}_{what}_groups"), Tensor::new(vec![c], idx));
            let flat = self.emit(
                &format!("{name}_{what}_flat"),
                &node.op_type,
                Op::Reshape { shape: vec![g] },
                vec![v],
                &format!("{name}_{what}_flat"),
            )?;
            let per_channel = self.emit(
                &format!("{name}_{what}_per_channel"),
                &node.op_type,
                Op::Gather { axis: 0 },
                vec![flat, idx],
                &format!("{name}_{what}_per_channel"),
            )?;
            return self.view_per_channel(name, &node.op_type, per_channel, what, xs);
        }
        self.channel_param(name, node, i, what, xs)
    }

    /// A per-channel parameter `[C]` of an `[N, C, D1, …]` input, viewed as `[C, 1, …]`.
    fn channel_param(&mut self, name: &str, node: &NodeProto, i: usize, what: &str, xs: &[usize]) -> R<ValueId> {
        let v = self.req(node, i)?;
        self.view_per_channel(name, &node.op_type, v, what, xs)
    }

    /// `v` (`[C]` values) viewed as `[C, 1, …]` against `xs = [N, C, D1, …]`.
    fn view_per_channel(&mut self, name: &str, op: &str, v: ValueId, what: &str, xs: &[usize]) -> R<ValueId> {
        let s = self.shape(v);
        if numel(&s) != xs[1] {
            return Err(format!(
                "{what} has shape {s:?}; expected [{}] (one per channel)",
                xs[1]
            ));
        }
        let mut shape = vec![xs[1]];
        shape.extend(std::iter::repeat_n(1, xs.len() - 2));
        let name = format!("{name}_{what}_view");
        self.emit(&name, op, Op::Reshape { shape }, vec![v], &format!("{name}_out"))
    }
}
