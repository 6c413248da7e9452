//! One ONNX node → IR ops: attribute defaults, opset-dependent forms and sugar expansion.

use std::collections::HashMap;

use onnx_protobuf::NodeProto;
use zkc_ir::ops::{ConvParams, ConvTransposeParams, PadMode, PoolKind, PoolParams, ReduceKind};
use zkc_ir::tensor::{normalize_axis, numel};
use zkc_ir::{Activation, BinaryOp, Graph, Op, Tensor, ValueId};

use super::proto::{self, Attrs};
use super::ImportError;

mod logic;
#[path = "spatial.rs"]
mod spatial_ops;

/// What a [`SUPPORTED`] entry adds after the op type when the op has a float meaning but no
/// circuit: `zkc run` computes it, `zkc compile` refuses it at lowering, naming the node.
pub const FLOAT_ONLY: &str = " (float only: no circuit yet)";

/// Every ONNX op type the importer accepts, as `zkc ops` lists it: the op type, followed by
/// [`FLOAT_ONLY`] for the ops that run in float only.
pub const SUPPORTED: &[&str] = &[
    "Abs",
    "Acos",
    "Acosh",
    "Add",
    "AffineGrid",
    "And",
    "ArgMax (float only: no circuit yet)",
    "ArgMin (float only: no circuit yet)",
    "Asin",
    "Asinh",
    "Atan",
    "Atanh",
    "Attention",
    "AveragePool",
    "BatchNormalization",
    "Binarizer",
    "Cast",
    "CastLike",
    "Ceil",
    "Celu",
    "CenterCropPad",
    "Clip",
    "Col2Im",
    "Compress",
    "Concat",
    "Constant",
    "ConstantOfShape",
    "Conv",
    "ConvTranspose",
    "Cos",
    "Cosh",
    "CumSum",
    "DepthToSpace",
    "Div",
    "Dropout",
    "Einsum",
    "Elu",
    "Equal",
    "Erf",
    "Exp",
    "Expand",
    "Flatten",
    "Floor",
    "Gather",
    "GatherElements",
    "Gelu",
    "Gemm",
    "GlobalAveragePool",
    "GlobalMaxPool",
    "Greater",
    "GreaterOrEqual",
    "GridSample (float only: no circuit yet)",
    "GroupNormalization",
    "GRU (float only: no circuit yet)",
    "Hardmax (float only: no circuit yet)",
    "HardSigmoid",
    "HardSwish",
    "Identity",
    "InstanceNormalization",
    "IsInf (float only: no circuit yet)",
    "IsNaN (float only: no circuit yet)",
    "LayerNormalization",
    "LeakyRelu",
    "Less",
    "LessOrEqual",
    "Log",
    "LogSoftmax",
    "LpNormalization",
    "LpPool",
    "LRN",
    "LSTM (float only: no circuit yet)",
    "MatMul",
    "Max",
    "MaxPool",
    "MaxUnpool",
    "Mean",
    "MeanVarianceNormalization",
    "Min",
    "Mish",
    "Mod",
    "Mul",
    "Neg",
    "Not",
    "OneHot",
    "Or",
    "Pad",
    "Pow",
    "PRelu",
    "Range",
    "Reciprocal",
    "ReduceL1",
    "ReduceL2",
    "ReduceLogSum",
    "ReduceLogSumExp",
    "ReduceMax",
    "ReduceMean",
    "ReduceMin",
    "ReduceProd",
    "ReduceSum",
    "ReduceSumSquare",
    "Relu",
    "Reshape",
    "Resize",
    "RMSNormalization",
    "RNN (float only: no circuit yet)",
    "RoiAlign (float only: no circuit yet)",
    "Round",
    "Scatter",
    "ScatterElements",
    "ScatterND",
    "Selu",
    "Shape",
    "Shrink",
    "Sigmoid",
    "Sign",
    "Sin",
    "Sinh",
    "Size",
    "Slice",
    "Softmax",
    "Softplus",
    "Softsign",
    "SpaceToDepth",
    "Split",
    "Sqrt",
    "Squeeze",
    "Sub",
    "Sum",
    "Swish",
    "Tan",
    "Tanh",
    "ThresholdedRelu",
    "Tile",
    "TopK (float only: no circuit yet)",
    "Transpose",
    "Trilu",
    "Unsqueeze",
    "Upsample",
    "Where",
    "Xor",
];

/// The ONNX op type of a [`SUPPORTED`] entry (without the [`FLOAT_ONLY`] note).
pub fn op_type_of(entry: &str) -> &str {
    entry.strip_suffix(FLOAT_ONLY).unwrap_or(entry)
}

pub(super) struct Context {
    pub g: Graph,
    pub env: HashMap<String, ValueId>,
    pub opset: i64,
    pub max_elements: usize,
    /// ONNX element types (`TensorProto.DataType`) known by value name: declared in the graph
    /// or produced by a Cast.
    pub elem_types: HashMap<String, i32>,
    /// Values given for graph inputs ([`super::ImportOptions::input_values`]), used where a
    /// compile-time constant is needed.
    pub known_inputs: HashMap<ValueId, Tensor>,
}

type R<T> = Result<T, String>;

impl Context {
    pub fn import_node(&mut self, index: usize, node: &NodeProto) -> Result<(), ImportError> {
        let name = if node.name.is_empty() {
            format!("{}_{index}", node.op_type)
        } else {
            node.name.clone()
        };
        if !SUPPORTED.iter().any(|s| op_type_of(s) == node.op_type) {
            return Err(ImportError::Unsupported {
                index,
                node: name,
                op_type: node.op_type.clone(),
                count: SUPPORTED.len(),
            });
        }
        // Binarizer is the one op zkc takes from the ai.onnx.ml domain.
        let ml = node.domain == "ai.onnx.ml" && node.op_type == "Binarizer";
        if !(node.domain.is_empty() || node.domain == "ai.onnx" || ml) {
            return Err(ImportError::Unsupported {
                index,
                node: name,
                op_type: format!("{}::{}", node.domain, node.op_type),
                count: SUPPORTED.len(),
            });
        }
        self.node(&name, node).map_err(|reason| ImportError::Node {
            index,
            node: name.clone(),
            op_type: node.op_type.clone(),
            reason,
        })?;
        if let Some(t) = self.output_elem_type(node) {
            for o in node.output.iter().filter(|o| !o.is_empty()) {
                self.elem_types.entry(o.clone()).or_insert(t);
            }
        }
        Ok(())
    }

    pub(super) fn input(&self, node: &NodeProto, i: usize) -> Option<ValueId> {
        node.input
            .get(i)
            .filter(|s| !s.is_empty())
            .map(|s| self.env[s.as_str()])
    }

    pub(super) fn req(&self, node: &NodeProto, i: usize) -> R<ValueId> {
        self.input(node, i)
            .ok_or_else(|| format!("input {i} is required but missing"))
    }

    pub(super) fn shape(&self, v: ValueId) -> Vec<usize> {
        self.g.value(v).shape.clone()
    }

    pub(super) fn constant(&self, v: ValueId) -> Option<&Tensor> {
        self.g.value(v).constant.as_ref()
    }

    pub(super) fn const_input(&self, node: &NodeProto, i: usize, what: &str) -> R<Option<Tensor>> {
        match self.input(node, i) {
            None => Ok(None),
            Some(v) => self
                .constant(v)
                .or_else(|| self.known_inputs.get(&v))
                .cloned()
                .map(Some)
                .ok_or_else(|| format!("input {i} ({what}) must be a constant (an initializer or Constant node); zkc needs it at compile time")),
        }
    }

    fn ints_input(&self, node: &NodeProto, i: usize, what: &str) -> R<Option<Vec<i64>>> {
        Ok(self
            .const_input(node, i, what)?
            .map(|t| t.data.iter().map(|&v| v as i64).collect()))
    }

    /// Adds `op` on `inputs`, or evaluates it right away when every input is constant.
    pub(super) fn emit(&mut self, name: &str, onnx_op: &str, op: Op, inputs: Vec<ValueId>, out: &str) -> R<ValueId> {
        // Infer the shape first so an oversized tensor fails before it is allocated.
        let shapes: Vec<&[usize]> = inputs.iter().map(|&v| self.g.value(v).shape.as_slice()).collect();
        let shape = op.output_shape(&shapes).map_err(|e| e.to_string())?;
        self.check_size(&shape)?;
        if inputs.iter().all(|&v| self.constant(v).is_some()) {
            let ts: Vec<&Tensor> = inputs.iter().map(|&v| self.constant(v).unwrap()).collect();
            let t = op.eval(&ts).map_err(|e| e.to_string())?;
            return Ok(self.g.add_constant(out, t));
        }
        self.g.add_node(name, onnx_op, op, inputs, out).map_err(|e| match e {
            zkc_ir::GraphError::Op { source, .. } => source.to_string(),
            e => e.to_string(),
        })
    }

    fn check_size(&self, shape: &[usize]) -> R<()> {
        let n = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        if n.is_none_or(|n| n > self.max_elements) {
            return Err(format!(
                "the output shape {shape:?} exceeds the limit of {} elements; raise it with --max-elements if this is intended",
                self.max_elements
            ));
        }
        Ok(())
    }

    pub(super) fn bind(&mut self, node: &NodeProto, i: usize, v: ValueId) {
        if let Some(o) = node.output.get(i).filter(|s| !s.is_empty()) {
            self.env.insert(o.clone(), v);
        }
    }

    fn out_name(node: &NodeProto, i: usize) -> String {
        node.output.get(i).cloned().unwrap_or_default()
    }

    pub(super) fn axis(&self, a: i64, rank: usize) -> R<usize> {
        normalize_axis(a, rank).ok_or_else(|| format!("axis {a} is out of range for rank {rank}"))
    }

    fn node(&mut self, name: &str, node: &NodeProto) -> R<()> {
        let a = Attrs(node);
        let op_type = node.op_type.as_str();
        let out = Self::out_name(node, 0);
        let opset = self.opset;
        if let Some(v) = self.logic_node(name, node, &out)? {
            self.bind(node, 0, v);
            return Ok(());
        }
        let v = match op_type {
            "Identity" | "Dropout" => self.req(node, 0)?,
            "Constant" => {
                let t = if let Some(t) = a.tensor("value") {
                    proto::tensor(t)?
                } else if let Some(f) = a.float("value_float") {
                    Tensor::scalar(f)
                } else if let Some(fs) = a.floats("value_floats") {
                    Tensor::new(vec![fs.len()], fs)
                } else if let Some(i) = a.int("value_int") {
                    Tensor::scalar(i as f64)
                } else if let Some(is) = a.ints("value_ints") {
                    Tensor::new(vec![is.len()], is.iter().map(|&v| v as f64).collect())
                } else {
                    return Err(
                        "Constant without a supported value attribute (value, value_float(s), value_int(s))".into(),
                    );
                };
                self.g.add_constant(&out, t)
            }
            "Shape" => {
                let s = self.shape(self.req(node, 0)?);
                let r = s.len() as i64;
                let clampi = |x: i64| (if x < 0 { x + r } else { x }).clamp(0, r) as usize;
                let start = clampi(a.int("start").unwrap_or(0));
                let end = clampi(a.int("end").unwrap_or(r));
                let d: Vec<f64> = s[start..end.max(start)].iter().map(|&x| x as f64).collect();
                self.g.add_constant(&out, Tensor::new(vec![d.len()], d))
            }
            "ArgMax" | "ArgMin" => {
                let x = self.req(node, 0)?;
                let axis = self.axis(a.int("axis").unwrap_or(0), self.shape(x).len())?;
                let op = Op::ArgMaxMin {
                    max: op_type == "ArgMax",
                    axis,
                    keepdims: a.int("keepdims").unwrap_or(1) != 0,
                    select_last: a.int("select_last_index").unwrap_or(0) != 0,
                };
                self.emit(name, op_type, op, vec![x], &out)?
            }
            // The element count of the static shape, a scalar (int64 in ONNX).
            "Size" => {
                let n = numel(&self.shape(self.req(node, 0)?));
                self.g.add_constant(&out, Tensor::scalar(n as f64))
            }
            // Every tensor is f64 here: a cast to a float type is the identity, to an integer
            // type it truncates toward zero (ONNX's float → int), to bool it is x ≠ 0.
            "Cast" | "CastLike" => {
                let x = self.req(node, 0)?;
                let to = match op_type {
                    "Cast" => a.int("to").ok_or("to is required")? as i32,
                    _ => {
                        let like = node
                            .input
                            .get(1)
                            .filter(|s| !s.is_empty())
                            .ok_or("input 1 is required but missing")?;
                        *self.elem_types.get(like).ok_or_else(|| {
                            format!("the element type of input 1 `{like}` is not declared (graph input, initializer, value_info or a Cast output); zkc needs it to know the target type")
                        })?
                    }
                };
                if let Some(o) = node.output.first() {
                    self.elem_types.insert(o.clone(), to);
                }
                match to {
                    // FLOAT, FLOAT16, DOUBLE, BFLOAT16.
                    1 | 10 | 11 | 16 => x,
                    // UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64.
                    2..=7 | 12 | 13 => self.emit(name, op_type, Op::Activation(Activation::Trunc), vec![x], &out)?,
                    // BOOL
                    9 => match self.constant(x) {
                        Some(t) => {
                            let mut t = t.clone();
                            t.data.iter_mut().for_each(|v| *v = f64::from(*v != 0.0));
                            self.g.add_constant(&out, t)
                        }
                        None => {
                            return Err(
                                "a cast to bool of a value computed at run time (x ≠ 0) has no circuit and no float meaning in zkc yet; only constants are folded".into(),
                            )
                        }
                    },
                    t => return Err(format!("casts to element type {t} ({}) are not supported; zkc casts between float, integer and bool types", proto::type_name(t))),
                }
            }
            // start, start + delta, ... while before limit: max(⌈(limit - start) / delta⌉, 0)
            // values, computed at import from constant scalars.
            "Range" => {
                let scalar = |i: usize, what: &str| -> R<f64> {
                    let t = self
                        .const_input(node, i, what)?
                        .ok_or(format!("input {i} ({what}) is required"))?;
                    match t.data.as_slice() {
                        [v] => Ok(*v),
                        _ => Err(format!("input {i} ({what}) must be a scalar, got shape {:?}", t.shape)),
                    }
                };
                let (start, limit, delta) = (scalar(0, "start")?, scalar(1, "limit")?, scalar(2, "delta")?);
                if delta == 0.0 || !(start.is_finite() && limit.is_finite() && delta.is_finite()) {
                    return Err(format!(
                        "start {start}, limit {limit} and delta {delta} must be finite with delta ≠ 0"
                    ));
                }
                let n = ((limit - start) / delta).ceil().max(0.0);
                if n > self.max_elements as f64 {
                    return Err(format!(
                        "the range has {n} values, over the limit of {} elements; raise it with --max-elements if this is intended",
                        self.max_elements
                    ));
                }
                let n = n as usize;
                let d: Vec<f64> = (0..n).map(|i| start + i as f64 * delta).collect();
                self.g.add_constant(&out, Tensor::new(vec![n], d))
            }
            "ConstantOfShape" => {
                let shape: Vec<usize> = self
                    .ints_input(node, 0, "shape")?
                    .unwrap_or_default()
                    .iter()
                    .map(|&d| d.max(0) as usize)
                    .collect();
                self.check_size(&shape)?;
                let val = a
                    .tensor("value")
                    .map(proto::tensor)
                    .transpose()?
                    .map(|t| t.data[0])
                    .unwrap_or(0.0);
                self.g.add_constant(&out, Tensor::full(shape, val))
            }
            "Add" | "Sub" | "Mul" | "Div" => {
                let op = match op_type {
                    "Add" => BinaryOp::Add,
                    "Sub" => BinaryOp::Sub,
                    "Mul" => BinaryOp::Mul,
                    _ => BinaryOp::Div,
                };
                let x = self.req(node, 0)?;
                let mut y = self.req(node, 1)?;
                // Opset < 7: `broadcast=1, axis=k` aligns b's dims at axis k of a.
                if opset < 7 && a.int("broadcast") == Some(1) {
                    if let Some(ax) = a.int("axis") {
                        let (sa, sb) = (self.shape(x), self.shape(y));
                        let ax = self.axis(ax, sa.len())?;
                        let mut ns = sb.clone();
                        ns.extend(std::iter::repeat_n(1, sa.len().saturating_sub(ax + sb.len())));
                        y = self.emit(
                            &format!("{name}_align"),
                            op_type,
                            Op::Reshape { shape: ns },
                            vec![y],
                            &format!("{out}_b"),
                        )?;
                    }
                }
                self.emit(name, op_type, Op::Binary(op), vec![x, y], &out)?
            }
            // Variadic, with multidirectional broadcasting: a chain of binary ops over the
            // inputs in order (Mean divides the sum by the input count).
            "Sum" | "Mean" | "Max" | "Min" => {
                let ins: Vec<ValueId> = (0..node.input.len()).filter_map(|i| self.input(node, i)).collect();
                let Some((&first, rest)) = ins.split_first() else {
                    return Err(format!("{op_type} needs at least one input"));
                };
                let bin = match op_type {
                    "Sum" | "Mean" => BinaryOp::Add,
                    "Max" => BinaryOp::Max,
                    _ => BinaryOp::Min,
                };
                let mean = op_type == "Mean" && !rest.is_empty();
                let mut v = first;
                for (i, &y) in rest.iter().enumerate() {
                    let last = i + 1 == rest.len() && !mean;
                    let (n, o) = if last {
                        (name.to_string(), out.clone())
                    } else {
                        (format!("{name}_{}", i + 1), format!("{out}_{}", i + 1))
                    };
                    v = self.emit(&n, op_type, Op::Binary(bin), vec![v, y], &o)?;
                }
                if mean {
                    let n = self
                        .g
                        .add_constant(&format!("{name}_count"), Tensor::scalar(ins.len() as f64));
                    v = self.emit(name, op_type, Op::Binary(BinaryOp::Div), vec![v, n], &out)?;
                }
                v
            }
            "Expand" => {
                let x = self.req(node, 0)?;
                let target = self.ints_input(node, 1, "shape")?.ok_or("shape is required")?;
                if let Some(d) = target.iter().find(|&&d| d < 0) {
                    return Err(format!("shape {target:?} has a negative dimension {d}"));
                }
                let target: Vec<usize> = target.iter().map(|&d| d as usize).collect();
                let xs = self.shape(x);
                let shape = zkc_ir::ops::binary::broadcast_shape(&xs, &target).map_err(|e| e.to_string())?;
                if shape.contains(&0) {
                    return Err(format!(
                        "expanding {xs:?} to {target:?} gives an empty tensor {shape:?}, which cannot be proven"
                    ));
                }
                self.check_size(&shape)?;
                self.broadcast_to(name, op_type, x, &shape, &out)?
            }
            "Tile" => {
                let x = self.req(node, 0)?;
                let xs = self.shape(x);
                let repeats = self.ints_input(node, 1, "repeats")?.ok_or("repeats is required")?;
                if repeats.len() != xs.len() {
                    return Err(format!(
                        "repeats {repeats:?} must have one entry per axis of the input {xs:?}"
                    ));
                }
                if let Some(r) = repeats.iter().find(|&&r| r < 1) {
                    return Err(format!(
                        "repeats {repeats:?} has {r}; zkc needs every repeat ≥ 1 (an empty tensor cannot be proven)"
                    ));
                }
                let shape: Vec<usize> = xs
                    .iter()
                    .zip(&repeats)
                    .map(|(&d, &r)| d.saturating_mul(r as usize))
                    .collect();
                self.check_size(&shape)?;
                // Along each repeated axis, a Gather of the indices 0..d, r times over.
                let axes: Vec<usize> = (0..xs.len()).filter(|&i| repeats[i] > 1).collect();
                let mut v = x;
                for (k, &ax) in axes.iter().enumerate() {
                    let idx: Vec<f64> = (0..repeats[ax] as usize)
                        .flat_map(|_| (0..xs[ax]).map(|i| i as f64))
                        .collect();
                    let (n, o) = if k + 1 == axes.len() {
                        (name.to_string(), out.clone())
                    } else {
                        (format!("{name}_axis{ax}"), format!("{out}_axis{ax}"))
                    };
                    let i = self
                        .g
                        .add_constant(&format!("{n}_indices"), Tensor::new(vec![idx.len()], idx));
                    v = self.emit(&n, op_type, Op::Gather { axis: ax }, vec![v, i], &o)?;
                }
                v
            }
            "SpaceToDepth" => {
                let x = self.req(node, 0)?;
                let xs = self.shape(x);
                let b = a.int("blocksize").ok_or("blocksize is required")?;
                if xs.len() != 4 || b < 1 || !xs[2].is_multiple_of(b as usize) || !xs[3].is_multiple_of(b as usize) {
                    return Err(format!(
                        "input {xs:?} must be [N, C, H, W] with H and W divisible by blocksize = {b}"
                    ));
                }
                let b = b as usize;
                let (n, c, h, w) = (xs[0], xs[1], xs[2], xs[3]);
                // ONNX's definition: reshape to [N, C, H/b, b, W/b, b], move the two block
                // axes in front of C, and merge them into the channels.
                let r1 = self.emit(
                    &format!("{name}_split"),
                    op_type,
                    Op::Reshape {
                        shape: vec![n, c, h / b, b, w / b, b],
                    },
                    vec![x],
                    &format!("{out}_6d"),
                )?;
                let t = self.emit(
                    &format!("{name}_shuffle"),
                    op_type,
                    Op::Transpose {
                        // CRD (opset 24) keeps each channel's block together.
                        perm: match a.string("mode").as_deref().unwrap_or("DCR") {
                            "DCR" => vec![0, 3, 5, 1, 2, 4],
                            "CRD" => vec![0, 1, 3, 5, 2, 4],
                            m => return Err(format!("mode `{m}` is not valid (DCR, CRD)")),
                        },
                    },
                    vec![r1],
                    &format!("{out}_t"),
                )?;
                self.emit(
                    name,
                    op_type,
                    Op::Reshape {
                        shape: vec![n, c * b * b, h / b, w / b],
                    },
                    vec![t],
                    &out,
                )?
            }
            t if spatial_ops::OPS.contains(&t) => return self.spatial_node(name, node),
            "LRN" => self.lrn(name, node, &out)?,
            op if super::norm::NORM_OPS.contains(&op) => self.norm_node(name, node, &out)?,
            "Attention" => self.attention_node(name, node, &out)?,
            "MatMul" => {
                let (x, y) = (self.req(node, 0)?, self.req(node, 1)?);
                self.emit(name, op_type, Op::MatMul, vec![x, y], &out)?
            }
            "Gemm" => self.gemm(name, node, &out)?,
            // A constant exponent tensor: one Pow per distinct exponent, each element picked
            // from its own by a Where on a constant mask (which a circuit does by wiring).
            "Pow" => {
                let x = self.req(node, 0)?;
                let e = self.const_input(node, 1, "exponent")?.ok_or("Pow needs an exponent")?;
                let mut distinct: Vec<f64> = Vec::new();
                for &v in &e.data {
                    if !distinct.iter().any(|d| d.to_bits() == v.to_bits()) {
                        distinct.push(v);
                    }
                }
                const MAX_DISTINCT: usize = 16;
                if distinct.is_empty() {
                    return Err(format!("the exponent (shape {:?}) is empty", e.shape));
                }
                if distinct.len() > MAX_DISTINCT {
                    return Err(format!(
                        "the exponent (shape {:?}) holds {} different values; zkc expands a constant exponent tensor into one Pow per distinct value, up to {MAX_DISTINCT}",
                        e.shape,
                        distinct.len()
                    ));
                }
                let pow = |d: f64| Op::Activation(Activation::Pow { exponent: d });
                let x_shape = self.shape(x);
                let out_shape = zkc_ir::ops::binary::broadcast_shape(&x_shape, &e.shape).map_err(|e| e.to_string())?;
                if let [d] = distinct[..] {
                    if out_shape == x_shape {
                        self.emit(name, op_type, pow(d), vec![x], &out)?
                    } else {
                        // One value over a larger exponent shape: x broadcast by adding zeros.
                        let p = self.emit(name, op_type, pow(d), vec![x], &format!("{out}_pow"))?;
                        let zero = self.g.add_constant(
                            &format!("{out}_pow_zero"),
                            Tensor::new(e.shape.clone(), vec![0.0; e.len()]),
                        );
                        self.emit(name, op_type, Op::Binary(BinaryOp::Add), vec![p, zero], &out)?
                    }
                } else {
                    let mut acc = self.emit(name, op_type, pow(distinct[0]), vec![x], &format!("{out}_pow0"))?;
                    for (k, &d) in distinct.iter().enumerate().skip(1) {
                        let p = self.emit(name, op_type, pow(d), vec![x], &format!("{out}_pow{k}"))?;
                        let mask: Vec<f64> = e.data.iter().map(|v| f64::from(v.to_bits() == d.to_bits())).collect();
                        let mask = self
                            .g
                            .add_constant(&format!("{out}_pow_mask{k}"), Tensor::new(e.shape.clone(), mask));
                        let last = k + 1 == distinct.len();
                        let dst = if last {
                            out.clone()
                        } else {
                            format!("{out}_pow_pick{k}")
                        };
                        acc = self.emit(name, op_type, Op::Where, vec![mask, p, acc], &dst)?;
                    }
                    acc
                }
            }
            "Relu" | "Sigmoid" | "Tanh" | "Softplus" | "Softsign" | "Exp" | "Log" | "Sqrt" | "Abs" | "Neg"
            | "LeakyRelu" | "Elu" | "Selu" | "HardSigmoid" | "HardSwish" | "Erf" | "Gelu" | "Swish" | "Mish"
            | "ThresholdedRelu" | "Floor" | "Ceil" | "Round" | "Reciprocal" => {
                let act = match op_type {
                    "Relu" => Activation::Relu,
                    "Sigmoid" => Activation::Sigmoid,
                    "Tanh" => Activation::Tanh,
                    "Softplus" => Activation::Softplus,
                    "Softsign" => Activation::Softsign,
                    "Exp" => Activation::Exp,
                    "Log" => Activation::Log,
                    "Sqrt" => Activation::Sqrt,
                    "Abs" => Activation::Abs,
                    "Neg" => Activation::Neg,
                    "HardSwish" => Activation::HardSwish,
                    "Erf" => Activation::Erf,
                    "Mish" => Activation::Mish,
                    "Floor" => Activation::Floor,
                    "Ceil" => Activation::Ceil,
                    "Round" => Activation::Round,
                    "Reciprocal" => Activation::Reciprocal,
                    "Gelu" => match a.string("approximate").as_deref().unwrap_or("none") {
                        "none" => Activation::Gelu { tanh: false },
                        "tanh" => Activation::Gelu { tanh: true },
                        m => return Err(format!("approximate = `{m}` is not valid (none, tanh)")),
                    },
                    "Swish" => Activation::Swish {
                        alpha: a.float("alpha").unwrap_or(1.0),
                    },
                    "ThresholdedRelu" => Activation::ThresholdedRelu {
                        alpha: a.float("alpha").unwrap_or(1.0),
                    },
                    "LeakyRelu" => Activation::LeakyRelu {
                        alpha: a.float("alpha").unwrap_or(0.01),
                    },
                    "Elu" => Activation::Elu {
                        alpha: a.float("alpha").unwrap_or(1.0),
                    },
                    "Selu" => Activation::Selu {
                        alpha: a.float("alpha").unwrap_or(1.673_263_192_176_818_8),
                        gamma: a.float("gamma").unwrap_or(1.050_701_022_148_132_3),
                    },
                    _ => Activation::HardSigmoid {
                        alpha: a.float("alpha").unwrap_or(0.2),
                        beta: a.float("beta").unwrap_or(0.5),
                    },
                };
                let x = self.req(node, 0)?;
                self.emit(name, op_type, Op::Activation(act), vec![x], &out)?
            }
            "Clip" => {
                let x = self.req(node, 0)?;
                let (min, max) = if opset < 11 {
                    (
                        a.float("min").unwrap_or(f64::NEG_INFINITY),
                        a.float("max").unwrap_or(f64::INFINITY),
                    )
                } else {
                    let lo = self
                        .const_input(node, 1, "min")?
                        .map(|t| t.data[0])
                        .unwrap_or(f64::NEG_INFINITY);
                    let hi = self
                        .const_input(node, 2, "max")?
                        .map(|t| t.data[0])
                        .unwrap_or(f64::INFINITY);
                    (lo, hi)
                };
                self.emit(
                    name,
                    op_type,
                    Op::Activation(Activation::Clip { min, max }),
                    vec![x],
                    &out,
                )?
            }
            "PRelu" => {
                let x = self.req(node, 0)?;
                let mut s = self.req(node, 1)?;
                let (sx, ss) = (self.shape(x), self.shape(s));
                // Opset < 7 and PyTorch exports give a per-channel slope [C]: align it to axis 1.
                if ss.len() == 1 && sx.len() > 2 && ss[0] == sx[1] && ss[0] != 1 {
                    let mut ns = vec![ss[0]];
                    ns.extend(std::iter::repeat_n(1, sx.len() - 2));
                    s = self.emit(
                        &format!("{name}_slope"),
                        op_type,
                        Op::Reshape { shape: ns },
                        vec![s],
                        &format!("{out}_slope"),
                    )?;
                }
                self.emit(name, op_type, Op::PRelu, vec![x, s], &out)?
            }
            "Softmax" | "LogSoftmax" => {
                let x = self.req(node, 0)?;
                let rank = self.shape(x).len();
                let coerce_2d = opset < 13;
                let axis = self.axis(a.int("axis").unwrap_or(if coerce_2d { 1 } else { -1 }), rank)?;
                self.emit(
                    name,
                    op_type,
                    Op::Softmax {
                        axis,
                        log: op_type == "LogSoftmax",
                        coerce_2d,
                    },
                    vec![x],
                    &out,
                )?
            }
            "Conv" => self.conv(name, node, &out)?,
            "ConvTranspose" => self.conv_transpose(name, node, &out)?,
            "MaxPool" | "AveragePool" => {
                if op_type == "MaxPool" && node.output.len() > 1 && !node.output[1].is_empty() {
                    return Err("MaxPool's Indices output is not supported".into());
                }
                let x = self.req(node, 0)?;
                let xs = self.shape(x);
                let kernel: Vec<usize> = a
                    .ints("kernel_shape")
                    .ok_or("kernel_shape is required")?
                    .iter()
                    .map(|&k| k as usize)
                    .collect();
                let n = kernel.len();
                if xs.len() != n + 2 {
                    return Err(format!("input {xs:?} does not have {} spatial dimensions", n));
                }
                let strides = spatial(a.ints("strides"), n, 1)?;
                let dilations = spatial(a.ints("dilations"), n, 1)?;
                let eff: Vec<usize> = (0..n).map(|i| dilations[i] * (kernel[i] - 1) + 1).collect();
                let pads = resolve_pads(&a, &xs[2..], &strides, &eff)?;
                let kind = if op_type == "MaxPool" {
                    PoolKind::Max
                } else {
                    PoolKind::Average {
                        count_include_pad: a.int("count_include_pad").unwrap_or(0) != 0,
                    }
                };
                let p = PoolParams {
                    kind,
                    kernel,
                    strides,
                    dilations,
                    pads,
                    ceil_mode: a.int("ceil_mode").unwrap_or(0) != 0,
                };
                self.emit(name, op_type, Op::Pool(p), vec![x], &out)?
            }
            "GlobalAveragePool" | "GlobalMaxPool" => {
                let x = self.req(node, 0)?;
                let rank = self.shape(x).len();
                let kind = if op_type == "GlobalMaxPool" {
                    ReduceKind::Max
                } else {
                    ReduceKind::Mean
                };
                self.emit(
                    name,
                    op_type,
                    Op::Reduce {
                        kind,
                        axes: (2..rank).collect(),
                        keepdims: true,
                    },
                    vec![x],
                    &out,
                )?
            }
            "ReduceSum" | "ReduceMean" | "ReduceMax" => {
                let x = self.req(node, 0)?;
                let rank = self.shape(x).len();
                let axes_from_input = (op_type == "ReduceSum" && opset >= 13) || opset >= 18;
                let axes = if axes_from_input {
                    self.ints_input(node, 1, "axes")?
                } else {
                    a.ints("axes")
                };
                let axes: Vec<usize> = match axes {
                    Some(ax) if !ax.is_empty() => {
                        let mut v = ax.iter().map(|&x| self.axis(x, rank)).collect::<R<Vec<_>>>()?;
                        v.sort();
                        v.dedup();
                        v
                    }
                    _ if a.int("noop_with_empty_axes") == Some(1) => vec![],
                    _ => (0..rank).collect(),
                };
                let kind = match op_type {
                    "ReduceSum" => ReduceKind::Sum,
                    "ReduceMean" => ReduceKind::Mean,
                    _ => ReduceKind::Max,
                };
                self.emit(
                    name,
                    op_type,
                    Op::Reduce {
                        kind,
                        axes,
                        keepdims: a.int("keepdims").unwrap_or(1) != 0,
                    },
                    vec![x],
                    &out,
                )?
            }
            "BatchNormalization" => {
                let x = self.req(node, 0)?;
                let p = |i, w| {
                    self.const_input(node, i, w)
                        .and_then(|t| t.ok_or_else(|| format!("input {i} ({w}) is required")))
                };
                let (scale, bias, mean, var) = (p(1, "scale")?, p(2, "B")?, p(3, "mean")?, p(4, "var")?);
                let eps = a.float("epsilon").unwrap_or(1e-5);
                let xs = self.shape(x);
                if xs.len() < 2 {
                    return Err(format!("input {xs:?} needs a channel axis"));
                }
                let c = xs[1];
                if [&scale, &bias, &mean, &var].iter().any(|t| t.len() != c) {
                    return Err(format!(
                        "scale, B, mean and var must each have {c} values (the channel count)"
                    ));
                }
                let mul: Vec<f64> = (0..c).map(|i| scale.data[i] / (var.data[i] + eps).sqrt()).collect();
                let add: Vec<f64> = (0..c).map(|i| bias.data[i] - mean.data[i] * mul[i]).collect();
                let mut cshape = vec![c];
                cshape.extend(std::iter::repeat_n(1, xs.len() - 2));
                let m = self
                    .g
                    .add_constant(&format!("{name}_scale"), Tensor::new(cshape.clone(), mul));
                let b = self.g.add_constant(&format!("{name}_shift"), Tensor::new(cshape, add));
                let y = self.emit(
                    &format!("{name}_mul"),
                    op_type,
                    Op::Binary(BinaryOp::Mul),
                    vec![x, m],
                    &format!("{out}_scaled"),
                )?;
                self.emit(name, op_type, Op::Binary(BinaryOp::Add), vec![y, b], &out)?
            }
            "Flatten" => {
                let x = self.req(node, 0)?;
                let xs = self.shape(x);
                let ax = a.int("axis").unwrap_or(1);
                let ax = if ax < 0 { ax + xs.len() as i64 } else { ax };
                if ax < 0 || ax > xs.len() as i64 {
                    return Err(format!("axis {ax} out of range for {xs:?}"));
                }
                let shape = vec![numel(&xs[..ax as usize]), numel(&xs[ax as usize..])];
                self.emit(name, op_type, Op::Reshape { shape }, vec![x], &out)?
            }
            "Reshape" => {
                let x = self.req(node, 0)?;
                let target = if opset < 5 {
                    a.ints("shape").ok_or("shape attribute is required")?
                } else {
                    self.ints_input(node, 1, "shape")?.ok_or("shape input is required")?
                };
                let shape = resolve_reshape(&self.shape(x), &target, a.int("allowzero").unwrap_or(0) != 0)?;
                self.emit(name, op_type, Op::Reshape { shape }, vec![x], &out)?
            }
            "Squeeze" | "Unsqueeze" => {
                let x = self.req(node, 0)?;
                let xs = self.shape(x);
                let axes = if opset < 13 {
                    a.ints("axes")
                } else {
                    self.ints_input(node, 1, "axes")?
                };
                let shape = if op_type == "Squeeze" {
                    match axes {
                        Some(ax) => {
                            let ax = ax.iter().map(|&v| self.axis(v, xs.len())).collect::<R<Vec<_>>>()?;
                            if let Some(&bad) = ax.iter().find(|&&i| xs[i] != 1) {
                                return Err(format!("cannot squeeze axis {bad} of size {}", xs[bad]));
                            }
                            xs.iter()
                                .enumerate()
                                .filter(|(i, _)| !ax.contains(i))
                                .map(|(_, &d)| d)
                                .collect()
                        }
                        None => xs.iter().copied().filter(|&d| d != 1).collect(),
                    }
                } else {
                    let ax = axes.ok_or("Unsqueeze needs axes")?;
                    let r = xs.len() + ax.len();
                    let mut ax = ax.iter().map(|&v| self.axis(v, r)).collect::<R<Vec<_>>>()?;
                    ax.sort();
                    let mut s = xs.clone();
                    for i in ax {
                        s.insert(i, 1);
                    }
                    s
                };
                self.emit(name, op_type, Op::Reshape { shape }, vec![x], &out)?
            }
            "Transpose" => {
                let x = self.req(node, 0)?;
                let r = self.shape(x).len();
                let perm: Vec<usize> = match a.ints("perm") {
                    Some(p) => p.iter().map(|&v| self.axis(v, r)).collect::<R<_>>()?,
                    None => (0..r).rev().collect(),
                };
                self.emit(name, op_type, Op::Transpose { perm }, vec![x], &out)?
            }
            "Concat" => {
                let ins: Vec<ValueId> = (0..node.input.len()).filter_map(|i| self.input(node, i)).collect();
                if ins.is_empty() {
                    return Err("Concat needs at least one input".into());
                }
                let axis = self.axis(a.int("axis").ok_or("axis is required")?, self.shape(ins[0]).len())?;
                self.emit(name, op_type, Op::Concat { axis }, ins, &out)?
            }
            "Split" => {
                let x = self.req(node, 0)?;
                let xs = self.shape(x);
                let axis = self.axis(a.int("axis").unwrap_or(0), xs.len())?;
                let n = node.output.len();
                let sizes: Vec<usize> = match if opset < 13 {
                    a.ints("split")
                } else {
                    self.ints_input(node, 1, "split")?
                } {
                    Some(s) if !s.is_empty() => s.iter().map(|&v| v.max(0) as usize).collect(),
                    _ => {
                        let parts = a.int("num_outputs").map(|v| v as usize).unwrap_or(n);
                        let chunk = xs[axis].div_ceil(parts.max(1));
                        (0..parts)
                            .map(|i| chunk.min(xs[axis].saturating_sub(i * chunk)))
                            .collect()
                    }
                };
                if sizes.iter().sum::<usize>() != xs[axis] || sizes.len() != n {
                    return Err(format!(
                        "split sizes {sizes:?} do not partition axis {axis} of size {} into {n} outputs",
                        xs[axis]
                    ));
                }
                let mut start = 0;
                for (i, &s) in sizes.iter().enumerate() {
                    let o = Self::out_name(node, i);
                    let op = Op::Slice {
                        ranges: vec![(axis, start as i64, (start + s) as i64, 1)],
                    };
                    let v = self.emit(&format!("{name}_{i}"), op_type, op, vec![x], &o)?;
                    self.bind(node, i, v);
                    start += s;
                }
                return Ok(());
            }
            "Slice" => {
                let x = self.req(node, 0)?;
                let xs = self.shape(x);
                let (starts, ends, axes, steps) = if opset < 10 {
                    (
                        a.ints("starts").ok_or("starts is required")?,
                        a.ints("ends").ok_or("ends is required")?,
                        a.ints("axes"),
                        None,
                    )
                } else {
                    (
                        self.ints_input(node, 1, "starts")?.ok_or("starts is required")?,
                        self.ints_input(node, 2, "ends")?.ok_or("ends is required")?,
                        self.ints_input(node, 3, "axes")?,
                        self.ints_input(node, 4, "steps")?,
                    )
                };
                let axes = axes.unwrap_or_else(|| (0..starts.len() as i64).collect());
                let steps = steps.unwrap_or_else(|| vec![1; starts.len()]);
                if ends.len() != starts.len() || axes.len() != starts.len() || steps.len() != starts.len() {
                    return Err("starts, ends, axes and steps must have the same length".into());
                }
                let mut ranges = Vec::new();
                for i in 0..starts.len() {
                    let ax = self.axis(axes[i], xs.len())?;
                    let d = xs[ax] as i64;
                    let step = steps[i];
                    if step == 0 {
                        return Err("a slice step is 0".into());
                    }
                    let norm = |v: i64| if v < 0 { v + d } else { v };
                    let (s, e) = if step > 0 {
                        (norm(starts[i]).clamp(0, d), norm(ends[i]).clamp(0, d))
                    } else {
                        (norm(starts[i]).clamp(-1, d - 1), norm(ends[i]).clamp(-1, d - 1))
                    };
                    ranges.push((ax, s, e, step));
                }
                self.emit(name, op_type, Op::Slice { ranges }, vec![x], &out)?
            }
            "Gather" => {
                let (d, i) = (self.req(node, 0)?, self.req(node, 1)?);
                let axis = self.axis(a.int("axis").unwrap_or(0), self.shape(d).len())?;
                self.emit(name, op_type, Op::Gather { axis }, vec![d, i], &out)?
            }
            "Pad" => {
                let x = self.req(node, 0)?;
                let xs = self.shape(x);
                let (pads, value) = if opset < 11 {
                    (
                        a.ints("pads")
                            .or_else(|| a.ints("paddings"))
                            .ok_or("pads is required")?,
                        a.float("value").unwrap_or(0.0),
                    )
                } else {
                    let pads = self.ints_input(node, 1, "pads")?.ok_or("pads is required")?;
                    let v = self
                        .const_input(node, 2, "constant_value")?
                        .map(|t| t.data.first().copied().unwrap_or(0.0))
                        .unwrap_or(0.0);
                    let pads = match self.ints_input(node, 3, "axes")? {
                        None => pads,
                        Some(axes) => {
                            let mut full = vec![0; 2 * xs.len()];
                            for (j, &ax) in axes.iter().enumerate() {
                                let ax = self.axis(ax, xs.len())?;
                                full[ax] = pads[j];
                                full[ax + xs.len()] = pads[j + axes.len()];
                            }
                            full
                        }
                    };
                    (pads, v)
                };
                if pads.len() != 2 * xs.len() {
                    return Err(format!(
                        "pads has {} values but the input {xs:?} needs {}",
                        pads.len(),
                        2 * xs.len()
                    ));
                }
                if pads.iter().any(|&p| p < 0) {
                    return Err(format!(
                        "negative pads {pads:?} (cropping) are not supported; use Slice"
                    ));
                }
                let mode = match a.string("mode").as_deref().unwrap_or("constant") {
                    "constant" => PadMode::Constant(value),
                    "reflect" => PadMode::Reflect,
                    "edge" => PadMode::Edge,
                    m => return Err(format!("pad mode `{m}` is not supported (constant, reflect, edge)")),
                };
                self.emit(
                    name,
                    op_type,
                    Op::Pad {
                        pads: pads.iter().map(|&p| p as usize).collect(),
                        mode,
                    },
                    vec![x],
                    &out,
                )?
            }
            "DepthToSpace" => {
                let x = self.req(node, 0)?;
                let xs = self.shape(x);
                let b = a.int("blocksize").ok_or("blocksize is required")? as usize;
                if xs.len() != 4 || b == 0 || !xs[1].is_multiple_of(b * b) {
                    return Err(format!(
                        "input {xs:?} must be [N, C, H, W] with C divisible by blocksize² = {}",
                        b * b
                    ));
                }
                let (n, c, h, w) = (xs[0], xs[1], xs[2], xs[3]);
                let crd = a.string("mode").as_deref() == Some("CRD");
                let (s1, perm) = if crd {
                    (vec![n, c / (b * b), b, b, h, w], vec![0, 1, 4, 2, 5, 3])
                } else {
                    (vec![n, b, b, c / (b * b), h, w], vec![0, 3, 4, 1, 5, 2])
                };
                let r1 = self.emit(
                    &format!("{name}_split"),
                    op_type,
                    Op::Reshape { shape: s1 },
                    vec![x],
                    &format!("{out}_6d"),
                )?;
                let t = self.emit(
                    &format!("{name}_shuffle"),
                    op_type,
                    Op::Transpose { perm },
                    vec![r1],
                    &format!("{out}_t"),
                )?;
                self.emit(
                    name,
                    op_type,
                    Op::Reshape {
                        shape: vec![n, c / (b * b), h * b, w * b],
                    },
                    vec![t],
                    &out,
                )?
            }
            other => {
                return Err(format!(
                    "op `{other}` is listed as supported but has no importer (a zkc bug)"
                ))
            }
        };
        self.bind(node, 0, v);
        Ok(())
    }

    /// `x` broadcast to `shape` (a valid numpy broadcast target of its shape) by wiring only:
    /// a Reshape adds leading axes of size 1, then each axis of size 1 that grows is a Gather
    /// of index 0 repeated. The last op is named `name` and writes `out`.
    fn broadcast_to(&mut self, name: &str, op_type: &str, x: ValueId, shape: &[usize], out: &str) -> R<ValueId> {
        let xs = self.shape(x);
        let mut cur: Vec<usize> = std::iter::repeat_n(1, shape.len() - xs.len())
            .chain(xs.iter().copied())
            .collect();
        let grow: Vec<usize> = (0..shape.len()).filter(|&i| cur[i] != shape[i]).collect();
        let mut v = x;
        if cur != xs {
            let (n, o) = if grow.is_empty() {
                (name.to_string(), out.to_string())
            } else {
                (format!("{name}_rank"), format!("{out}_rank"))
            };
            v = self.emit(&n, op_type, Op::Reshape { shape: cur.clone() }, vec![v], &o)?;
        }
        for (k, &ax) in grow.iter().enumerate() {
            let (n, o) = if k + 1 == grow.len() {
                (name.to_string(), out.to_string())
            } else {
                (format!("{name}_axis{ax}"), format!("{out}_axis{ax}"))
            };
            let i = self
                .g
                .add_constant(&format!("{n}_indices"), Tensor::full(vec![shape[ax]], 0.0));
            v = self.emit(&n, op_type, Op::Gather { axis: ax }, vec![v, i], &o)?;
            cur[ax] = shape[ax];
        }
        Ok(v)
    }

    /// ONNX LRN: `y = x·(bias + alpha/size·Σ x²)^(-beta)`, the sum over the channels
    /// `c - ⌊(size-1)/2⌋ ..= c + ⌈(size-1)/2⌉` (clipped to the tensor). As IR ops: x·x; a
    /// convolution with a `[size, 1]` kernel of ones over the squares viewed as
    /// `[N, 1, C, D1·…·Dk]`, padded on the channel axis; the factor as one table
    /// ([`Activation::LrnFactor`], so alpha/size is never quantized on its own); and x times
    /// it.
    fn lrn(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let x = self.req(node, 0)?;
        let xs = self.shape(x);
        let size = a.int("size").ok_or("size is required")?;
        if size < 1 {
            return Err(format!("size = {size} must be at least 1"));
        }
        if xs.len() < 2 {
            return Err(format!("input {xs:?} needs a channel axis ([N, C, D1, …])"));
        }
        let alpha = a.float("alpha").unwrap_or(1e-4);
        let beta = a.float("beta").unwrap_or(0.75);
        let bias = a.float("bias").unwrap_or(1.0);
        let size = usize::try_from(size).map_err(|_| format!("size = {size} is too large"))?;
        self.check_size(&[size])?;
        let (n, c) = (xs[0], xs[1]);
        let rest = numel(&xs[2..]);
        let sq = self.emit(
            &format!("{name}_square"),
            "LRN",
            Op::Binary(BinaryOp::Mul),
            vec![x, x],
            &format!("{out}_sq"),
        )?;
        let sq4 = self.emit(
            &format!("{name}_view"),
            "LRN",
            Op::Reshape {
                shape: vec![n, 1, c, rest],
            },
            vec![sq],
            &format!("{out}_sq4"),
        )?;
        let ones = self
            .g
            .add_constant(&format!("{name}_window"), Tensor::full(vec![1, 1, size, 1], 1.0));
        let conv = ConvParams {
            kernel: vec![size, 1],
            strides: vec![1, 1],
            dilations: vec![1, 1],
            pads: vec![(size - 1) / 2, 0, size / 2, 0],
            group: 1,
        };
        let sum4 = self.emit(
            &format!("{name}_sum"),
            "LRN",
            Op::Conv(conv),
            vec![sq4, ones],
            &format!("{out}_sum4"),
        )?;
        let sum = self.emit(
            &format!("{name}_unview"),
            "LRN",
            Op::Reshape { shape: xs },
            vec![sum4],
            &format!("{out}_sum"),
        )?;
        let f = self.emit(
            &format!("{name}_factor"),
            "LRN",
            Op::Activation(Activation::LrnFactor {
                k: alpha / size as f64,
                bias,
                beta,
            }),
            vec![sum],
            &format!("{out}_factor"),
        )?;
        self.emit(name, "LRN", Op::Binary(BinaryOp::Mul), vec![x, f], out)
    }

    fn gemm(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let mut x = self.req(node, 0)?;
        let mut w = self.req(node, 1)?;
        if a.int("transA").unwrap_or(0) != 0 {
            x = self.emit(
                &format!("{name}_transA"),
                "Gemm",
                Op::Transpose { perm: vec![1, 0] },
                vec![x],
                &format!("{out}_aT"),
            )?;
        }
        if a.int("transB").unwrap_or(0) != 0 {
            w = self.emit(
                &format!("{name}_transB"),
                "Gemm",
                Op::Transpose { perm: vec![1, 0] },
                vec![w],
                &format!("{out}_bT"),
            )?;
        }
        let alpha = a.float("alpha").unwrap_or(1.0);
        let beta = a.float("beta").unwrap_or(1.0);
        let bias = self.input(node, 2);
        let mm_name = if bias.is_some() || alpha != 1.0 {
            format!("{name}_matmul")
        } else {
            name.to_string()
        };
        let mm_out = if bias.is_some() || alpha != 1.0 {
            format!("{out}_mm")
        } else {
            out.to_string()
        };
        let mut y = self.emit(&mm_name, "Gemm", Op::MatMul, vec![x, w], &mm_out)?;
        if alpha != 1.0 {
            let s = self.g.add_constant(&format!("{name}_alpha"), Tensor::scalar(alpha));
            let (n, o) = if bias.is_some() {
                (format!("{name}_alpha_mul"), format!("{out}_scaled"))
            } else {
                (name.to_string(), out.to_string())
            };
            y = self.emit(&n, "Gemm", Op::Binary(BinaryOp::Mul), vec![y, s], &o)?;
        }
        if let Some(mut c) = bias {
            if beta != 1.0 {
                let s = self.g.add_constant(&format!("{name}_beta"), Tensor::scalar(beta));
                c = self.emit(
                    &format!("{name}_beta_mul"),
                    "Gemm",
                    Op::Binary(BinaryOp::Mul),
                    vec![c, s],
                    &format!("{out}_c"),
                )?;
            }
            y = self.emit(name, "Gemm", Op::Binary(BinaryOp::Add), vec![y, c], out)?;
        }
        Ok(y)
    }

    fn conv(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let x = self.req(node, 0)?;
        let w = self.req(node, 1)?;
        let (xs, ws) = (self.shape(x), self.shape(w));
        if ws.len() < 3 || xs.len() != ws.len() {
            return Err(format!("input {xs:?} and weight {ws:?} must have the same rank ≥ 3"));
        }
        let kernel: Vec<usize> = match a.ints("kernel_shape") {
            Some(k) => k.iter().map(|&v| v as usize).collect(),
            None => ws[2..].to_vec(),
        };
        let n = kernel.len();
        let strides = spatial(a.ints("strides"), n, 1)?;
        let dilations = spatial(a.ints("dilations"), n, 1)?;
        let eff: Vec<usize> = (0..n).map(|i| dilations[i] * (kernel[i].max(1) - 1) + 1).collect();
        let pads = resolve_pads(&a, &xs[2..], &strides, &eff)?;
        let group = a.int("group").unwrap_or(1).max(1) as usize;
        let mut ins = vec![x, w];
        ins.extend(self.input(node, 2));
        self.emit(
            name,
            "Conv",
            Op::Conv(ConvParams {
                kernel,
                strides,
                dilations,
                pads,
                group,
            }),
            ins,
            out,
        )
    }

    fn conv_transpose(&mut self, name: &str, node: &NodeProto, out: &str) -> R<ValueId> {
        let a = Attrs(node);
        let x = self.req(node, 0)?;
        let w = self.req(node, 1)?;
        let (xs, ws) = (self.shape(x), self.shape(w));
        if ws.len() < 3 || xs.len() != ws.len() {
            return Err(format!("input {xs:?} and weight {ws:?} must have the same rank ≥ 3"));
        }
        let kernel: Vec<usize> = match a.ints("kernel_shape") {
            Some(k) => k.iter().map(|&v| v as usize).collect(),
            None => ws[2..].to_vec(),
        };
        let n = kernel.len();
        let strides = spatial(a.ints("strides"), n, 1)?;
        let dilations = spatial(a.ints("dilations"), n, 1)?;
        let mut output_padding = spatial(a.ints("output_padding"), n, 0)?;
        let auto = a.string("auto_pad").unwrap_or_else(|| "NOTSET".into());
        let pads = if let Some(os) = a.ints("output_shape") {
            let os: Vec<usize> = os.iter().rev().take(n).rev().map(|&v| v as usize).collect();
            let mut p = vec![0; 2 * n];
            for i in 0..n {
                let full = strides[i] * (xs[2 + i] - 1) + output_padding[i] + (kernel[i] - 1) * dilations[i] + 1;
                let total = full.checked_sub(os[i]).ok_or_else(|| {
                    format!("output_shape {os:?} is larger than the transposed convolution can produce")
                })?;
                if auto == "SAME_UPPER" {
                    p[i] = total / 2;
                    p[i + n] = total - total / 2;
                } else {
                    p[i] = total - total / 2;
                    p[i + n] = total / 2;
                }
            }
            output_padding = vec![0; n];
            p
        } else if auto == "SAME_UPPER" || auto == "SAME_LOWER" {
            let mut p = vec![0; 2 * n];
            for i in 0..n {
                let full = strides[i] * (xs[2 + i] - 1) + output_padding[i] + (kernel[i] - 1) * dilations[i] + 1;
                let total = full.saturating_sub(xs[2 + i] * strides[i]);
                if auto == "SAME_UPPER" {
                    p[i] = total / 2;
                    p[i + n] = total - total / 2;
                } else {
                    p[i] = total - total / 2;
                    p[i + n] = total / 2;
                }
            }
            p
        } else {
            spatial(a.ints("pads"), 2 * n, 0)?
        };
        let group = a.int("group").unwrap_or(1).max(1) as usize;
        let mut ins = vec![x, w];
        ins.extend(self.input(node, 2));
        let p = ConvTransposeParams {
            kernel,
            strides,
            dilations,
            pads,
            output_padding,
            group,
        };
        self.emit(name, "ConvTranspose", Op::ConvTranspose(p), ins, out)
    }
}

/// A per-axis attribute with a default, checked for length and sign.
fn spatial(v: Option<Vec<i64>>, n: usize, default: usize) -> R<Vec<usize>> {
    match v {
        None => Ok(vec![default; n]),
        Some(v) if v.len() == n && v.iter().all(|&x| x >= 0) => Ok(v.iter().map(|&x| x as usize).collect()),
        Some(v) => Err(format!("expected {n} non-negative values, got {v:?}")),
    }
}

/// Padding from `pads` or `auto_pad` (SAME_UPPER/SAME_LOWER/VALID).
fn resolve_pads(a: &Attrs, spatial_in: &[usize], strides: &[usize], eff_kernel: &[usize]) -> R<Vec<usize>> {
    let n = spatial_in.len();
    match a.string("auto_pad").as_deref().unwrap_or("NOTSET") {
        "NOTSET" | "" => spatial(a.ints("pads"), 2 * n, 0),
        "VALID" => Ok(vec![0; 2 * n]),
        mode @ ("SAME_UPPER" | "SAME_LOWER") => {
            let mut p = vec![0; 2 * n];
            for i in 0..n {
                let out = spatial_in[i].div_ceil(strides[i].max(1));
                let total = ((out - 1) * strides[i] + eff_kernel[i]).saturating_sub(spatial_in[i]);
                let (small, big) = (total / 2, total - total / 2);
                if mode == "SAME_UPPER" {
                    p[i] = small;
                    p[i + n] = big;
                } else {
                    p[i] = big;
                    p[i + n] = small;
                }
            }
            Ok(p)
        }
        m => Err(format!("auto_pad `{m}` is not valid")),
    }
}

/// Resolves ONNX Reshape's 0 (copy) and -1 (infer) entries.
fn resolve_reshape(x: &[usize], target: &[i64], allowzero: bool) -> R<Vec<usize>> {
    let mut out = Vec::with_capacity(target.len());
    let mut infer = None;
    for (i, &t) in target.iter().enumerate() {
        match t {
            -1 if infer.is_none() => {
                infer = Some(i);
                out.push(1);
            }
            0 if !allowzero => out.push(*x.get(i).ok_or_else(|| {
                format!("shape {target:?}: 0 at axis {i} copies a dimension the input {x:?} does not have")
            })?),
            t if t >= 0 => out.push(t as usize),
            _ => return Err(format!("shape {target:?} is invalid")),
        }
    }
    let total = numel(x);
    if let Some(i) = infer {
        let known = numel(&out);
        if known == 0 || !total.is_multiple_of(known) {
            return Err(format!("cannot reshape {x:?} to {target:?}"));
        }
        out[i] = total / known;
    }
    if numel(&out) != total {
        return Err(format!("cannot reshape {x:?} ({total} elements) to {target:?}"));
    }
    Ok(out)
}
