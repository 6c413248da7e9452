//! Comparisons and logic, elementwise math, the reductions beyond Sum/Mean/Max, and the
//! one-hot family (Hardmax, OneHot), Trilu and CumSum: import into IR ops, expanding
//! exactly into existing ones where possible.

use onnx_protobuf::NodeProto;
use zkc_ir::ops::{reduce, ReduceKind};
use zkc_ir::ops::{LogicOp, MathFn};
use zkc_ir::tensor::numel;
use zkc_ir::{Activation, BinaryOp, Op, Tensor, ValueId};

use super::super::proto::Attrs;
use super::{Context, R};

/// The op types this module imports (each also listed in `SUPPORTED`).
const OPS: &[&str] = &[
    "Equal",
    "Less",
    "Greater",
    "LessOrEqual",
    "GreaterOrEqual",
    "And",
    "Or",
    "Xor",
    "Not",
    "Where",
    "Mod",
    "Sign",
    "IsNaN",
    "IsInf",
    "Sin",
    "Cos",
    "Tan",
    "Asin",
    "Acos",
    "Atan",
    "Sinh",
    "Cosh",
    "Asinh",
    "Acosh",
    "Atanh",
    "Celu",
    "Shrink",
    "Binarizer",
    "ReduceMin",
    "ReduceProd",
    "ReduceL1",
    "ReduceL2",
    "ReduceLogSum",
    "ReduceLogSumExp",
    "ReduceSumSquare",
    "Hardmax",
    "OneHot",
    "Trilu",
    "CumSum",
];

impl Context {
    /// Imports `node` when it is one of [`OPS`]; `None` leaves it to the main dispatch.
    pub(super) fn logic_node(&mut self, name: &str, node: &NodeProto, out: &str) -> R<Option<ValueId>> {
        let op_type = node.op_type.as_str();
        if !OPS.contains(&op_type) {
            return Ok(None);
        }
        let a = Attrs(node);
        let v = match op_type {
            "Equal" | "Less" | "Greater" | "LessOrEqual" | "GreaterOrEqual" | "And" | "Or" | "Xor" => {
                let op = match op_type {
                    "Equal" => LogicOp::Equal,
                    "Less" => LogicOp::Less,
                    "Greater" => LogicOp::Greater,
                    "LessOrEqual" => LogicOp::LessOrEqual,
                    "GreaterOrEqual" => LogicOp::GreaterOrEqual,
                    "And" => LogicOp::And,
                    "Or" => LogicOp::Or,
                    _ => LogicOp::Xor,
                };
                let (x, y) = (self.req(node, 0)?, self.req(node, 1)?);
                self.emit(name, op_type, Op::Logic(op), vec![x, y], out)?
            }
            // not x = (x = 0): exact on booleans, and x ≠ 0 is what "true" means for any value.
            "Not" => {
                let x = self.req(node, 0)?;
                let zero = self.g.add_constant(&format!("{name}_zero"), Tensor::scalar(0.0));
                self.emit(name, op_type, Op::Logic(LogicOp::Equal), vec![x, zero], out)?
            }
            "Where" => {
                let (c, x, y) = (self.req(node, 0)?, self.req(node, 1)?, self.req(node, 2)?);
                self.emit(name, op_type, Op::Where, vec![c, x, y], out)?
            }
            "Mod" => {
                let (x, y) = (self.req(node, 0)?, self.req(node, 1)?);
                let fmod = a.int("fmod").unwrap_or(0) != 0;
                self.emit(name, op_type, Op::Mod { fmod }, vec![x, y], out)?
            }
            "Sign" | "IsNaN" | "IsInf" | "Sin" | "Cos" | "Tan" | "Asin" | "Acos" | "Atan" | "Sinh" | "Cosh"
            | "Asinh" | "Acosh" | "Atanh" | "Celu" | "Shrink" | "Binarizer" => {
                let f = match op_type {
                    "Sign" => MathFn::Sign,
                    "IsNaN" => MathFn::IsNaN,
                    "IsInf" => MathFn::IsInf {
                        positive: a.int("detect_positive").unwrap_or(1) != 0,
                        negative: a.int("detect_negative").unwrap_or(1) != 0,
                    },
                    "Sin" => MathFn::Sin,
                    "Cos" => MathFn::Cos,
                    "Tan" => MathFn::Tan,
                    "Asin" => MathFn::Asin,
                    "Acos" => MathFn::Acos,
                    "Atan" => MathFn::Atan,
                    "Sinh" => MathFn::Sinh,
                    "Cosh" => MathFn::Cosh,
                    "Asinh" => MathFn::Asinh,
                    "Acosh" => MathFn::Acosh,
                    "Atanh" => MathFn::Atanh,
                    "Celu" => {
                        let alpha = a.float("alpha").unwrap_or(1.0);
                        if alpha == 0.0 {
                            return Err("alpha = 0 is not valid (Celu divides by it)".into());
                        }
                        MathFn::Celu { alpha }
                    }
                    "Shrink" => MathFn::Shrink {
                        lambd: a.float("lambd").unwrap_or(0.5),
                        bias: a.float("bias").unwrap_or(0.0),
                    },
                    _ => MathFn::Binarizer {
                        threshold: a.float("threshold").unwrap_or(0.0),
                    },
                };
                let x = self.req(node, 0)?;
                self.emit(name, op_type, Op::Activation(Activation::Math(f)), vec![x], out)?
            }
            "ReduceMin" | "ReduceProd" | "ReduceL1" | "ReduceL2" | "ReduceLogSum" | "ReduceLogSumExp"
            | "ReduceSumSquare" => self.reduce_more(name, node, out)?,
            "Hardmax" => self.hardmax(name, node, out)?,
            "OneHot" => self.one_hot(name, node, out)?,
            "Trilu" => self.trilu(name, node, out)?,
            _ => self.cum_sum(name, node, out)?,
        };
        Ok(Some(v))
    }

    /// The reduced axes of a Reduce* node (sorted, distinct; empty for a no-op): from the
    /// `axes` input from opset 18 on, else the attribute; absent or empty means all axes
    /// unless `noop_with_empty_axes`.
    fn reduce_axes(&self, node: &NodeProto, rank: usize) -> R<Vec<usize>> {
        let a = Attrs(node);
        let axes = if self.opset >= 18 {
            self.ints_input(node, 1, "axes")?
        } else {
            a.ints("axes")
        };
        Ok(match axes {
            Some(ax) if !ax.is_empty() => {
                let mut v = ax.iter().map(|&x| self.axis(x, rank)).collect::<R<Vec<_>>>()?;
                v.sort();
                v.dedup();
                v
            }
            _ if a.int("noop_with_empty_axes") == Some(1) => vec![],
            _ => (0..rank).collect(),
        })
    }

    /// ReduceMin = -max(-x); ReduceSumSquare = Σx²; ReduceL1 = Σ|x|; ReduceL2 = √Σx²;
    /// ReduceLogSum = log Σx; ReduceLogSumExp = m + log Σ e^(x - m) with m the maximum (the
    /// stable form: the exponentials stay in (0, 1]); ReduceProd by [`Context::reduce_prod`].
    fn reduce_more(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let op_type = node.op_type.as_str();
        let x = self.req(node, 0)?;
        let xs = self.shape(x);
        let axes = self.reduce_axes(node, xs.len())?;
        let keepdims = Attrs(node).int("keepdims").unwrap_or(1) != 0;
        let reduce = |kind, keepdims| Op::Reduce {
            kind,
            axes: axes.clone(),
            keepdims,
        };
        let act = |f| Op::Activation(f);
        let n = |s: &str| format!("{name}_{s}");
        let o = |s: &str| format!("{out}_{s}");
        match op_type {
            "ReduceMin" => {
                let nx = self.emit(&n("neg"), op_type, act(Activation::Neg), vec![x], &o("neg"))?;
                let m = self.emit(
                    &n("max"),
                    op_type,
                    reduce(ReduceKind::Max, keepdims),
                    vec![nx],
                    &o("max"),
                )?;
                self.emit(name, op_type, act(Activation::Neg), vec![m], out)
            }
            "ReduceSumSquare" | "ReduceL2" => {
                let sq = self.emit(&n("square"), op_type, Op::Binary(BinaryOp::Mul), vec![x, x], &o("sq"))?;
                if op_type == "ReduceSumSquare" {
                    return self.emit(name, op_type, reduce(ReduceKind::Sum, keepdims), vec![sq], out);
                }
                let s = self.emit(
                    &n("sum"),
                    op_type,
                    reduce(ReduceKind::Sum, keepdims),
                    vec![sq],
                    &o("sum"),
                )?;
                self.emit(name, op_type, act(Activation::Sqrt), vec![s], out)
            }
            "ReduceL1" => {
                let ab = self.emit(&n("abs"), op_type, act(Activation::Abs), vec![x], &o("abs"))?;
                self.emit(name, op_type, reduce(ReduceKind::Sum, keepdims), vec![ab], out)
            }
            "ReduceLogSum" => {
                let s = self.emit(
                    &n("sum"),
                    op_type,
                    reduce(ReduceKind::Sum, keepdims),
                    vec![x],
                    &o("sum"),
                )?;
                self.emit(name, op_type, act(Activation::Log), vec![s], out)
            }
            "ReduceLogSumExp" => {
                let m = self.emit(&n("max"), op_type, reduce(ReduceKind::Max, true), vec![x], &o("max"))?;
                let d = self.emit(&n("shift"), op_type, Op::Binary(BinaryOp::Sub), vec![x, m], &o("shift"))?;
                let e = self.emit(&n("exp"), op_type, act(Activation::Exp), vec![d], &o("exp"))?;
                let s = self.emit(
                    &n("sum"),
                    op_type,
                    reduce(ReduceKind::Sum, keepdims),
                    vec![e],
                    &o("sum"),
                )?;
                let l = self.emit(&n("log"), op_type, act(Activation::Log), vec![s], &o("log"))?;
                let out_shape = self.shape(l);
                let m = if keepdims {
                    m
                } else {
                    self.emit(
                        &n("max_view"),
                        op_type,
                        Op::Reshape { shape: out_shape },
                        vec![m],
                        &o("max_view"),
                    )?
                };
                self.emit(name, op_type, Op::Binary(BinaryOp::Add), vec![l, m], out)
            }
            _ => self.reduce_prod(name, x, &axes, keepdims, out),
        }
    }

    /// The product over `axes` as a tree of `Mul`s: the reduced axes are moved last and
    /// merged into one of length n (`[K, n]`), whose two halves are multiplied (an odd last
    /// element carried along) until one column is left: ⌈log₂ n⌉ levels. An empty
    /// product is 1.
    fn reduce_prod(&mut self, name: &str, x: ValueId, axes: &[usize], keepdims: bool, out: &str) -> R<ValueId> {
        let op_type = "ReduceProd";
        let xs = self.shape(x);
        let out_shape = reduce::shape(axes, keepdims, &xs).map_err(|e| e.to_string())?;
        if axes.is_empty() {
            return self.emit(name, op_type, Op::Reshape { shape: out_shape }, vec![x], out);
        }
        let mut n: usize = axes.iter().map(|&a| xs[a]).product();
        if n == 0 {
            return Ok(self.g.add_constant(out, Tensor::full(out_shape, 1.0)));
        }
        let kept: Vec<usize> = (0..xs.len()).filter(|i| !axes.contains(i)).collect();
        let k = numel(&kept.iter().map(|&i| xs[i]).collect::<Vec<_>>());
        let perm: Vec<usize> = kept.iter().chain(axes).copied().collect();
        let mut v = x;
        if perm.iter().enumerate().any(|(i, &p)| i != p) {
            v = self.emit(
                &format!("{name}_move"),
                op_type,
                Op::Transpose { perm },
                vec![v],
                &format!("{out}_moved"),
            )?;
        }
        v = self.emit(
            &format!("{name}_rows"),
            op_type,
            Op::Reshape { shape: vec![k, n] },
            vec![v],
            &format!("{out}_rows"),
        )?;
        let mut level = 0;
        while n > 1 {
            let h = n / 2;
            let half = |s: i64, e: i64| Op::Slice {
                ranges: vec![(1, s, e, 1)],
            };
            let (nn, on) = (format!("{name}_l{level}"), format!("{out}_l{level}"));
            let lo = self.emit(
                &format!("{nn}_lo"),
                op_type,
                half(0, h as i64),
                vec![v],
                &format!("{on}_lo"),
            )?;
            let hi = self.emit(
                &format!("{nn}_hi"),
                op_type,
                half(h as i64, 2 * h as i64),
                vec![v],
                &format!("{on}_hi"),
            )?;
            let mut p = self.emit(
                &format!("{nn}_mul"),
                op_type,
                Op::Binary(BinaryOp::Mul),
                vec![lo, hi],
                &on,
            )?;
            if n % 2 == 1 {
                let last = self.emit(
                    &format!("{nn}_last"),
                    op_type,
                    half(2 * h as i64, n as i64),
                    vec![v],
                    &format!("{on}_last"),
                )?;
                p = self.emit(
                    &format!("{nn}_carry"),
                    op_type,
                    Op::Concat { axis: 1 },
                    vec![p, last],
                    &format!("{on}_carry"),
                )?;
            }
            v = p;
            n = h + n % 2;
            level += 1;
        }
        self.emit(name, op_type, Op::Reshape { shape: out_shape }, vec![v], out)
    }

    /// 1 at the first maximum along the axis, 0 elsewhere: `ArgMax` (keeping the axis) equal
    /// to the positions 0..n. Opset < 13 views the input as 2-D at `axis` first.
    fn hardmax(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let op_type = "Hardmax";
        let x = self.req(node, 0)?;
        let xs = self.shape(x);
        let coerce = self.opset < 13;
        let axis = Attrs(node).int("axis").unwrap_or(if coerce { 1 } else { -1 });
        let axis = self.axis(axis, xs.len())?;
        let (mut v, axis) = if coerce {
            let s = vec![numel(&xs[..axis]), numel(&xs[axis..])];
            let v = self.emit(
                &format!("{name}_2d"),
                op_type,
                Op::Reshape { shape: s },
                vec![x],
                &format!("{out}_2d"),
            )?;
            (v, 1)
        } else {
            (x, axis)
        };
        let vs = self.shape(v);
        let am = self.emit(
            name,
            op_type,
            Op::ArgMaxMin {
                max: true,
                axis,
                keepdims: true,
                select_last: false,
            },
            vec![v],
            &format!("{out}_argmax"),
        )?;
        let iota = self.iota(&format!("{name}_positions"), vs.len(), axis, vs[axis]);
        let (n, o) = if coerce {
            (format!("{name}_onehot"), format!("{out}_onehot"))
        } else {
            (format!("{name}_onehot"), out.to_string())
        };
        v = self.emit(&n, op_type, Op::Logic(LogicOp::Equal), vec![am, iota], &o)?;
        if coerce {
            v = self.emit(&format!("{name}_nd"), op_type, Op::Reshape { shape: xs }, vec![v], out)?;
        }
        Ok(v)
    }

    /// The constant 0, 1, ..., n-1 along `axis` of a rank-`rank` tensor (size 1 elsewhere).
    fn iota(&mut self, name: &str, rank: usize, axis: usize, n: usize) -> ValueId {
        let mut shape = vec![1; rank];
        shape[axis] = n;
        self.g
            .add_constant(name, Tensor::new(shape, (0..n).map(|i| i as f64).collect()))
    }

    /// OneHot(indices, depth, [off, on]): a negative index i counts from the end (i + depth;
    /// still negative, or ≥ depth, matches nothing), compared with the positions 0..depth
    /// along the new axis, then scaled to off/on. Float indices are truncated first, as the
    /// ONNX spec's cast to an integer does.
    fn one_hot(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let op_type = "OneHot";
        let mut idx = self.req(node, 0)?;
        let depth = self.const_input(node, 1, "depth")?.ok_or("depth is required")?;
        let depth = match depth.data.as_slice() {
            [d] if d.is_finite() && *d >= 1.0 => d.trunc() as usize,
            _ => return Err(format!("depth must be one positive value, got {:?}", depth.data)),
        };
        let values = self.const_input(node, 2, "values")?.ok_or("values is required")?;
        let [off, on] = values.data[..] else {
            return Err(format!("values must hold [off_value, on_value], got {:?}", values.data));
        };
        let is = self.shape(idx);
        let r = is.len();
        let axis = Attrs(node).int("axis").unwrap_or(-1);
        let axis = self.axis(axis, r + 1)?;
        let mut out_shape = is.clone();
        out_shape.insert(axis, depth);
        self.check_size(&out_shape)?;
        let n = |s: &str| format!("{name}_{s}");
        let o = |s: &str| format!("{out}_{s}");
        let float_indices = node
            .input
            .first()
            .and_then(|i| self.elem_types.get(i))
            .is_some_and(|t| matches!(t, 1 | 10 | 11 | 16));
        if float_indices {
            idx = self.emit(
                &n("trunc"),
                op_type,
                Op::Activation(Activation::Trunc),
                vec![idx],
                &o("trunc"),
            )?;
        }
        let zero = self.g.add_constant(&n("zero"), Tensor::scalar(0.0));
        let neg = self.emit(
            &n("negative"),
            op_type,
            Op::Logic(LogicOp::Less),
            vec![idx, zero],
            &o("negative"),
        )?;
        let d = self.g.add_constant(&n("depth"), Tensor::scalar(depth as f64));
        let shift = self.emit(
            &n("shift"),
            op_type,
            Op::Binary(BinaryOp::Mul),
            vec![neg, d],
            &o("shift"),
        )?;
        let wrapped = self.emit(
            &n("wrap"),
            op_type,
            Op::Binary(BinaryOp::Add),
            vec![idx, shift],
            &o("wrap"),
        )?;
        let mut s = is.clone();
        s.insert(axis, 1);
        let col = self.emit(&n("view"), op_type, Op::Reshape { shape: s }, vec![wrapped], &o("view"))?;
        let iota = self.iota(&n("positions"), r + 1, axis, depth);
        let plain = off == 0.0 && on == 1.0;
        let (en, eo) = if plain {
            (name.to_string(), out.to_string())
        } else {
            (n("match"), o("match"))
        };
        let eq = self.emit(&en, op_type, Op::Logic(LogicOp::Equal), vec![col, iota], &eo)?;
        if plain {
            return Ok(eq);
        }
        let span = self.g.add_constant(&n("span"), Tensor::scalar(on - off));
        let scaled = self.emit(
            &n("scale"),
            op_type,
            Op::Binary(BinaryOp::Mul),
            vec![eq, span],
            &o("scaled"),
        )?;
        let offc = self.g.add_constant(&n("off"), Tensor::scalar(off));
        self.emit(name, op_type, Op::Binary(BinaryOp::Add), vec![scaled, offc], out)
    }

    /// Trilu: x where the position (i, j) of the last two axes has j - i ≥ k (upper) or
    /// j - i ≤ k (lower), else 0: a Where with a constant mask, so inf and NaN outside the
    /// kept triangle become 0 exactly (and in a circuit it is only wiring).
    fn trilu(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let x = self.req(node, 0)?;
        let xs = self.shape(x);
        if xs.len() < 2 {
            return Err(format!("input {xs:?} must have rank ≥ 2"));
        }
        let k = match self.ints_input(node, 1, "k")? {
            None => 0,
            Some(v) if v.len() == 1 => v[0],
            Some(v) => return Err(format!("k must be one value, got {v:?}")),
        };
        let upper = Attrs(node).int("upper").unwrap_or(1) != 0;
        let (rows, cols) = (xs[xs.len() - 2], xs[xs.len() - 1]);
        let mask: Vec<f64> = (0..rows * cols)
            .map(|p| {
                let (i, j) = ((p / cols) as i64, (p % cols) as i64);
                f64::from(if upper { j - i >= k } else { j - i <= k })
            })
            .collect();
        let m = self
            .g
            .add_constant(&format!("{name}_mask"), Tensor::new(vec![rows, cols], mask));
        let zero = self.g.add_constant(&format!("{name}_zero"), Tensor::scalar(0.0));
        self.emit(name, "Trilu", Op::Where, vec![m, x, zero], out)
    }

    /// CumSum along a constant axis: the axis moved last, times the constant 0/1 matrix
    /// `T[i][j] = [i contributes to j]` (i ≤ j; i < j when `exclusive`; mirrored with
    /// `reverse`), moved back. A MatMul by constants is a `Linear` per element in a circuit.
    fn cum_sum(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let op_type = "CumSum";
        let x = self.req(node, 0)?;
        let xs = self.shape(x);
        let axis = match self.ints_input(node, 1, "axis")?.as_deref() {
            Some([a]) => self.axis(*a, xs.len())?,
            Some(v) => return Err(format!("axis must be one value, got {v:?}")),
            None => return Err("axis is required".into()),
        };
        let a = Attrs(node);
        let exclusive = a.int("exclusive").unwrap_or(0) != 0;
        let reverse = a.int("reverse").unwrap_or(0) != 0;
        let n = xs[axis];
        let t: Vec<f64> = (0..n * n)
            .map(|p| {
                let (i, j) = (p / n, p % n);
                let hit = match (reverse, exclusive) {
                    (false, false) => i <= j,
                    (false, true) => i < j,
                    (true, false) => i >= j,
                    (true, true) => i > j,
                };
                f64::from(hit)
            })
            .collect();
        let tri = self
            .g
            .add_constant(&format!("{name}_triangle"), Tensor::new(vec![n, n], t));
        let last = xs.len() - 1;
        if axis == last {
            return self.emit(name, op_type, Op::MatMul, vec![x, tri], out);
        }
        // Swapping `axis` and the last axis is its own inverse.
        let mut perm: Vec<usize> = (0..xs.len()).collect();
        perm.swap(axis, last);
        let moved = self.emit(
            &format!("{name}_move"),
            op_type,
            Op::Transpose { perm: perm.clone() },
            vec![x],
            &format!("{out}_moved"),
        )?;
        let s = self.emit(
            &format!("{name}_sum"),
            op_type,
            Op::MatMul,
            vec![moved, tri],
            &format!("{out}_sum"),
        )?;
        self.emit(name, op_type, Op::Transpose { perm }, vec![s], out)
    }
}

impl Context {
    /// The ONNX element type of `node`'s outputs, for a later CastLike that takes one of them
    /// as its target: bool for comparisons and logic, int64 for shapes and indices, the
    /// `value`'s type for Constant and ConstantOfShape, the values' type for Where and
    /// OneHot, and otherwise the type of the first input whose type is known (arithmetic,
    /// layout and reductions keep their input's type). `None` when nothing says.
    pub(super) fn output_elem_type(&self, node: &NodeProto) -> Option<i32> {
        const BOOL: i32 = 9;
        const INT64: i32 = 7;
        const FLOAT: i32 = 1;
        let a = Attrs(node);
        let input = |i: usize| node.input.get(i).and_then(|n| self.elem_types.get(n)).copied();
        match node.op_type.as_str() {
            "Equal" | "Less" | "Greater" | "LessOrEqual" | "GreaterOrEqual" | "Not" | "And" | "Or" | "Xor"
            | "IsNaN" | "IsInf" => Some(BOOL),
            "Shape" | "Size" | "ArgMax" | "ArgMin" => Some(INT64),
            "Constant" => match a.tensor("value") {
                Some(t) => Some(t.data_type),
                None if a.int("value_int").is_some() || a.ints("value_ints").is_some() => Some(INT64),
                None => Some(FLOAT),
            },
            "ConstantOfShape" => Some(a.tensor("value").map_or(FLOAT, |t| t.data_type)),
            "Where" => input(1).or(input(2)),
            "OneHot" => input(2),
            // Cast and CastLike record their target themselves.
            "Cast" | "CastLike" => None,
            _ => (0..node.input.len()).find_map(input),
        }
    }
}
