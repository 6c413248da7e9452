//! The closed set of IR ops. Each op lives in its own file with its shape rule, its float
//! meaning (the reference interpreter) and its unit tests. ONNX sugar (Gemm, Flatten,
//! BatchNormalization, Split, ...) is expanded into these at import, so every later stage
//! handles only this set.

use serde::{Deserialize, Serialize};

use crate::tensor::Tensor;

pub mod activation;
pub mod arg;
pub mod binary;
pub mod concat;
pub mod conv;
pub mod conv_transpose;
pub mod gather;
pub mod gather_elements;
pub mod grid_sample;
pub mod logic;
pub mod math;
pub mod matmul;
pub mod modulo;
pub mod pad;
pub mod pool;
pub mod prelu;
pub mod reduce;
pub mod reshape;
pub mod rnn;
pub mod roi_align;
pub mod scatter;
pub mod slice;
pub mod softmax;
pub mod topk;
pub mod transpose;
pub mod where_op;

pub use activation::Activation;
pub use binary::BinaryOp;
pub use logic::LogicOp;
pub use math::MathFn;
pub use rnn::{RnnActivation, RnnKind, RnnOutput, RnnParams};
pub use scatter::ScatterReduction;

/// Why an op cannot be applied to its inputs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct OpError(pub String);

impl OpError {
    /// An error with a formatted message.
    pub fn new(msg: impl Into<String>) -> Self {
        OpError(msg.into())
    }
}

/// Result of an op's shape rule or evaluation.
pub type OpResult<T> = Result<T, OpError>;

/// Convolution parameters (ONNX Conv with defaults resolved). Spatial rank = `kernel.len()`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvParams {
    /// Kernel spatial shape.
    pub kernel: Vec<usize>,
    /// Strides per spatial axis.
    pub strides: Vec<usize>,
    /// Dilations per spatial axis.
    pub dilations: Vec<usize>,
    /// Padding: all begins, then all ends (ONNX layout), resolved from `auto_pad`.
    pub pads: Vec<usize>,
    /// Number of groups.
    pub group: usize,
}

/// Transposed-convolution parameters (ONNX ConvTranspose with defaults resolved).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvTransposeParams {
    /// Kernel spatial shape.
    pub kernel: Vec<usize>,
    /// Strides per spatial axis.
    pub strides: Vec<usize>,
    /// Dilations per spatial axis.
    pub dilations: Vec<usize>,
    /// Padding: all begins, then all ends, resolved from `auto_pad`/`output_shape`.
    pub pads: Vec<usize>,
    /// Extra size added at the end of each spatial axis.
    pub output_padding: Vec<usize>,
    /// Number of groups.
    pub group: usize,
}

/// Which pooling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PoolKind {
    /// Maximum over the window (padding never wins).
    Max,
    /// Mean over the window; `count_include_pad` counts padded cells in the divisor.
    Average {
        /// ONNX `count_include_pad`.
        count_include_pad: bool,
    },
}

/// Pooling parameters (ONNX MaxPool/AveragePool with defaults resolved).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolParams {
    /// Max or average.
    pub kind: PoolKind,
    /// Window spatial shape.
    pub kernel: Vec<usize>,
    /// Strides per spatial axis.
    pub strides: Vec<usize>,
    /// Dilations per spatial axis.
    pub dilations: Vec<usize>,
    /// Padding: all begins, then all ends.
    pub pads: Vec<usize>,
    /// ONNX `ceil_mode`: output size rounds up (windows starting in padding are dropped).
    pub ceil_mode: bool,
}

/// Which reduction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReduceKind {
    /// Sum.
    Sum,
    /// Arithmetic mean.
    Mean,
    /// Maximum.
    Max,
}

/// Pad modes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PadMode {
    /// Fill with a constant.
    Constant(f64),
    /// Mirror without repeating the edge.
    Reflect,
    /// Repeat the edge.
    Edge,
}

/// One IR op. Inputs are listed per variant; every op has exactly one output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// Matrix product with numpy batch broadcasting. Inputs: a, b.
    MatMul,
    /// Elementwise binary op with numpy broadcasting. Inputs: a, b.
    Binary(BinaryOp),
    /// Elementwise unary function. Inputs: x.
    Activation(Activation),
    /// `x < 0 ? slope·x : x`, slope broadcast to x. Inputs: x, slope.
    PRelu,
    /// Softmax (or log-softmax) over `axis`. With `coerce_2d` (ONNX opset < 13) the input
    /// is viewed as 2-D `[prod(dims[..axis]), prod(dims[axis..])]` and normalized per row.
    Softmax {
        /// Axis (non-negative).
        axis: usize,
        /// Log-softmax instead of softmax.
        log: bool,
        /// Opset < 13 semantics.
        coerce_2d: bool,
    },
    /// N-D convolution. Inputs: x `[N, C, ...]`, w `[M, C/group, k...]`, optional bias `[M]`.
    Conv(ConvParams),
    /// N-D transposed convolution. Inputs: x `[N, C, ...]`, w `[C, M/group, k...]`, optional bias.
    ConvTranspose(ConvTransposeParams),
    /// N-D max or average pooling. Inputs: x `[N, C, ...]`.
    Pool(PoolParams),
    /// Reduction over `axes` (sorted, non-negative). Inputs: x.
    Reduce {
        /// Which reduction.
        kind: ReduceKind,
        /// Reduced axes.
        axes: Vec<usize>,
        /// Keep reduced axes as size 1.
        keepdims: bool,
    },
    /// Reshape to a fully resolved shape. Inputs: x.
    Reshape {
        /// The output shape.
        shape: Vec<usize>,
    },
    /// Axis permutation. Inputs: x.
    Transpose {
        /// Output axis i is input axis `perm[i]`.
        perm: Vec<usize>,
    },
    /// Concatenation along `axis`. Inputs: any number ≥ 1.
    Concat {
        /// Axis (non-negative).
        axis: usize,
    },
    /// Strided slice; one `(axis, start, end, step)` per sliced axis, already clamped to the
    /// input shape (start/end are positions, step ≠ 0; negative step walks backwards and
    /// `end` may be -1 meaning "past the front"). Inputs: x.
    Slice {
        /// Per sliced axis: (axis, start, end, step).
        ranges: Vec<(usize, i64, i64, i64)>,
    },
    /// ONNX Gather along `axis`. Inputs: data, indices (values are exact integers;
    /// negative indices count from the end).
    Gather {
        /// Axis (non-negative).
        axis: usize,
    },
    /// Padding; `pads` holds all begins then all ends, one per axis. Inputs: x.
    Pad {
        /// Begins then ends.
        pads: Vec<usize>,
        /// Fill rule.
        mode: PadMode,
    },
    /// Index of the largest (`max`) or smallest value along `axis`, as an exact integer;
    /// ties go to the first index, or the last with `select_last`. Inputs: x.
    ArgMaxMin {
        /// ArgMax instead of ArgMin.
        max: bool,
        /// Axis (non-negative).
        axis: usize,
        /// Keep the axis as size 1.
        keepdims: bool,
        /// Ties go to the last index.
        select_last: bool,
    },
    /// Comparison or boolean logic, 0/1 per element, with numpy broadcasting. Inputs: a, b.
    Logic(LogicOp),
    /// `c ≠ 0 ? x : y` per element, the three broadcast together. Inputs: c, x, y.
    Where,
    /// Remainder with numpy broadcasting: `a - b·trunc(a/b)` with `fmod` (C), else
    /// `a - b·⌊a/b⌋` (Python). Inputs: a, b.
    Mod {
        /// ONNX `fmod`.
        fmod: bool,
    },
    /// ONNX GatherElements along `axis`. Inputs: data, indices (exact integers; negative
    /// indices count from the end).
    GatherElements {
        /// Axis (non-negative).
        axis: usize,
    },
    /// ONNX ScatterElements (`axis` set) or ScatterND (`axis` none). Inputs: data, indices,
    /// updates.
    Scatter {
        /// Axis (non-negative) of ScatterElements; none for ScatterND.
        axis: Option<usize>,
        /// How an update combines with the value it lands on.
        reduction: ScatterReduction,
    },
    /// The `k` largest (`largest`) or smallest values along `axis`, sorted, or their indices
    /// (`indices`) as exact integers. Inputs: x.
    TopK {
        /// Axis (non-negative).
        axis: usize,
        /// How many.
        k: usize,
        /// Largest instead of smallest.
        largest: bool,
        /// The indices output instead of the values.
        indices: bool,
    },
    /// ONNX RNN, GRU or LSTM; one of its outputs. Inputs: see [`RnnParams`].
    Rnn(RnnParams),
    /// ONNX GridSample. Inputs: x `[N, C, ...]`, grid `[N, ..., r]`.
    GridSample(grid_sample::GridSampleParams),
    /// ONNX RoiAlign. Inputs: x `[N, C, H, W]`, rois `[R, 4]`, batch_indices `[R]`.
    RoiAlign(roi_align::RoiAlignParams),
}

impl Op {
    /// A short name for tables and error messages.
    pub fn name(&self) -> String {
        match self {
            Op::MatMul => "MatMul".into(),
            Op::Binary(b) => format!("{b:?}"),
            Op::Activation(a) => a.name().into(),
            Op::PRelu => "PRelu".into(),
            Op::Softmax { log: false, .. } => "Softmax".into(),
            Op::Softmax { log: true, .. } => "LogSoftmax".into(),
            Op::Conv(_) => "Conv".into(),
            Op::ConvTranspose(_) => "ConvTranspose".into(),
            Op::Pool(PoolParams {
                kind: PoolKind::Max, ..
            }) => "MaxPool".into(),
            Op::Pool(_) => "AveragePool".into(),
            Op::Reduce { kind, .. } => format!("Reduce{kind:?}"),
            Op::Reshape { .. } => "Reshape".into(),
            Op::Transpose { .. } => "Transpose".into(),
            Op::Concat { .. } => "Concat".into(),
            Op::Slice { .. } => "Slice".into(),
            Op::Gather { .. } => "Gather".into(),
            Op::Pad { .. } => "Pad".into(),
            Op::ArgMaxMin { max: true, .. } => "ArgMax".into(),
            Op::ArgMaxMin { max: false, .. } => "ArgMin".into(),
            Op::Logic(l) => l.name().into(),
            Op::Where => "Where".into(),
            Op::Mod { .. } => "Mod".into(),
            Op::GatherElements { .. } => "GatherElements".into(),
            Op::Scatter { axis: Some(_), .. } => "ScatterElements".into(),
            Op::Scatter { axis: None, .. } => "ScatterND".into(),
            Op::TopK { .. } => "TopK".into(),
            Op::Rnn(p) => p.kind.name().into(),
            Op::GridSample(_) => "GridSample".into(),
            Op::RoiAlign(_) => "RoiAlign".into(),
        }
    }

    /// The output shape for the given input shapes, or why they are invalid.
    pub fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        let want = |n: std::ops::RangeInclusive<usize>| {
            if n.contains(&inputs.len()) {
                Ok(())
            } else {
                Err(OpError::new(format!(
                    "{} takes {}..={} inputs, got {}",
                    self.name(),
                    n.start(),
                    n.end(),
                    inputs.len()
                )))
            }
        };
        match self {
            Op::MatMul => {
                want(2..=2)?;
                matmul::shape(inputs[0], inputs[1])
            }
            Op::Binary(_) => {
                want(2..=2)?;
                binary::broadcast_shape(inputs[0], inputs[1])
            }
            Op::Activation(_) => {
                want(1..=1)?;
                Ok(inputs[0].to_vec())
            }
            Op::PRelu => {
                want(2..=2)?;
                prelu::shape(inputs[0], inputs[1])
            }
            Op::Softmax { axis, .. } => {
                want(1..=1)?;
                softmax::shape(*axis, inputs[0])
            }
            Op::Conv(p) => {
                want(2..=3)?;
                conv::shape(p, inputs)
            }
            Op::ConvTranspose(p) => {
                want(2..=3)?;
                conv_transpose::shape(p, inputs)
            }
            Op::Pool(p) => {
                want(1..=1)?;
                pool::shape(p, inputs[0])
            }
            Op::Reduce { axes, keepdims, .. } => {
                want(1..=1)?;
                reduce::shape(axes, *keepdims, inputs[0])
            }
            Op::Reshape { shape } => {
                want(1..=1)?;
                reshape::shape(shape, inputs[0])
            }
            Op::Transpose { perm } => {
                want(1..=1)?;
                transpose::shape(perm, inputs[0])
            }
            Op::Concat { axis } => {
                want(1..=usize::MAX)?;
                concat::shape(*axis, inputs)
            }
            Op::Slice { ranges } => {
                want(1..=1)?;
                slice::shape(ranges, inputs[0])
            }
            Op::Gather { axis } => {
                want(2..=2)?;
                gather::shape(*axis, inputs[0], inputs[1])
            }
            Op::Pad { pads, mode } => {
                want(1..=1)?;
                pad::check_mode(pads, mode, inputs[0])?;
                pad::shape(pads, inputs[0])
            }
            Op::ArgMaxMin { axis, keepdims, .. } => {
                want(1..=1)?;
                arg::shape(*axis, *keepdims, inputs[0])
            }
            Op::Logic(_) | Op::Mod { .. } => {
                want(2..=2)?;
                binary::broadcast_shape(inputs[0], inputs[1])
            }
            Op::Where => {
                want(3..=3)?;
                where_op::shape(inputs[0], inputs[1], inputs[2])
            }
            Op::GatherElements { axis } => {
                want(2..=2)?;
                gather_elements::shape(*axis, inputs[0], inputs[1])
            }
            Op::Scatter { axis, .. } => {
                want(3..=3)?;
                scatter::shape(*axis, inputs[0], inputs[1], inputs[2])
            }
            Op::TopK { axis, k, .. } => {
                want(1..=1)?;
                topk::shape(*axis, *k, inputs[0])
            }
            Op::Rnn(p) => rnn::shape(p, inputs),
            Op::GridSample(_) => {
                want(2..=2)?;
                grid_sample::shape(inputs[0], inputs[1])
            }
            Op::RoiAlign(p) => {
                want(3..=3)?;
                roi_align::shape(p, inputs[0], inputs[1], inputs[2])
            }
        }
    }

    /// Evaluates the op in float: the reference meaning every later stage must preserve.
    pub fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        let shapes: Vec<&[usize]> = inputs.iter().map(|t| t.shape.as_slice()).collect();
        let out_shape = self.output_shape(&shapes)?;
        let out = match self {
            Op::MatMul => matmul::eval(inputs[0], inputs[1], &out_shape),
            Op::Binary(b) => binary::eval(*b, inputs[0], inputs[1], &out_shape),
            Op::Activation(a) => Tensor::new(out_shape, inputs[0].data.iter().map(|&x| a.apply(x)).collect()),
            Op::PRelu => prelu::eval(inputs[0], inputs[1]),
            Op::Softmax { axis, log, coerce_2d } => softmax::eval(*axis, *log, *coerce_2d, inputs[0]),
            Op::Conv(p) => conv::eval(p, inputs, &out_shape),
            Op::ConvTranspose(p) => conv_transpose::eval(p, inputs, &out_shape),
            Op::Pool(p) => pool::eval(p, inputs[0], &out_shape),
            Op::Reduce { kind, axes, keepdims } => reduce::eval(*kind, axes, *keepdims, inputs[0], &out_shape),
            Op::Reshape { shape } => Tensor::new(shape.clone(), inputs[0].data.clone()),
            Op::Transpose { perm } => transpose::eval(perm, inputs[0], &out_shape),
            Op::Concat { axis } => concat::eval(*axis, inputs, &out_shape),
            Op::Slice { ranges } => slice::eval(ranges, inputs[0], &out_shape),
            Op::Gather { axis } => gather::eval(*axis, inputs[0], inputs[1], &out_shape)?,
            Op::Pad { pads, mode } => pad::eval(pads, mode, inputs[0], &out_shape),
            Op::ArgMaxMin {
                max, axis, select_last, ..
            } => arg::eval(*max, *axis, *select_last, inputs[0], &out_shape),
            Op::Logic(l) => logic::eval(*l, inputs[0], inputs[1], &out_shape),
            Op::Where => where_op::eval(inputs[0], inputs[1], inputs[2], &out_shape),
            Op::Mod { fmod } => modulo::eval(*fmod, inputs[0], inputs[1], &out_shape),
            Op::GatherElements { axis } => gather_elements::eval(*axis, inputs[0], inputs[1], &out_shape)?,
            Op::Scatter { axis, reduction } => scatter::eval(*axis, *reduction, inputs[0], inputs[1], inputs[2])?,
            Op::TopK {
                axis,
                k,
                largest,
                indices,
            } => topk::eval(*axis, *k, *largest, *indices, inputs[0], &out_shape),
            Op::Rnn(p) => rnn::eval(p, inputs, &out_shape)?,
            Op::GridSample(p) => grid_sample::eval(p, inputs[0], inputs[1], &out_shape),
            Op::RoiAlign(p) => roi_align::eval(p, inputs[0], inputs[1], inputs[2], &out_shape)?,
        };
        Ok(out)
    }
}
