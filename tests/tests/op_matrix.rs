//! The cross-backend op matrix: every op `zkc ops` lists is imported from a tiny generated ONNX
//! model, run in float, compiled, solved, and checked with `mock` on every backend; a sampled
//! few are also set up, proved and verified on each. An op in `SUPPORTED_OPS` without an entry
//! in [`case`] fails the test, so a newly added op is tested everywhere by being listed.
//!
//! Ops that never reach a circuit (Shape, Constant, ConstantOfShape, Cast of a constant) are
//! tested in the form they take: folded at import into a constant that feeds a real op.

use onnx_protobuf::{
    attribute_proto::AttributeType, tensor_proto::DataType, AttributeProto, GraphProto, Message, ModelProto, NodeProto,
    OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
};
use zkc_compiler::{onnx, pipeline, prover};
use zkc_ir::{Graph, Tensor};
use zkc_passes::QuantConfig;
use zkc_runtime::testing::one_mutation_per_argument_kind;

/// Ops that are also set up, proved and verified on every backend.
const PROVED: &[&str] = &["Conv", "MatMul", "Sigmoid", "Softmax", "MaxPool"];

/// A one-op model under test.
struct Case {
    /// How the op is tested: in the circuit, or folded at import into what.
    form: &'static str,
    /// Whether the imported graph keeps a node of this op (else it was folded or aliased).
    in_circuit: bool,
    /// The ONNX model bytes.
    model: Vec<u8>,
    /// Model inputs are drawn from `[lo, hi]`.
    domain: (f64, f64),
    /// An extra check for ops with a form that must be refused (e.g. runtime Gather indices).
    extra: Option<fn() -> Result<(), String>>,
}

// ---------------------------------------------------------------------------------------------
// Building ONNX models by hand.

/// A model under construction (opset 17 unless changed).
struct M {
    nodes: Vec<NodeProto>,
    inits: Vec<TensorProto>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    opset: i64,
}

fn value_info(name: &str, dims: &[usize]) -> ValueInfoProto {
    let mut shape = TensorShapeProto::new();
    for &d in dims {
        let mut dim = onnx_protobuf::tensor_shape_proto::Dimension::new();
        dim.set_dim_value(d as i64);
        shape.dim.push(dim);
    }
    let mut tt = onnx_protobuf::type_proto::Tensor::new();
    tt.elem_type = DataType::FLOAT as i32;
    tt.shape = Some(shape).into();
    let mut ty = TypeProto::new();
    ty.set_tensor_type(tt);
    let mut v = ValueInfoProto::new();
    v.name = name.into();
    v.type_ = Some(ty).into();
    v
}

fn f32_tensor(name: &str, dims: &[usize], data: &[f32]) -> TensorProto {
    assert_eq!(dims.iter().product::<usize>(), data.len(), "tensor {name}");
    let mut t = TensorProto::new();
    t.name = name.into();
    t.dims = dims.iter().map(|&d| d as i64).collect();
    t.data_type = DataType::FLOAT as i32;
    t.float_data = data.to_vec();
    t
}

fn i64_tensor(name: &str, data: &[i64]) -> TensorProto {
    let mut t = TensorProto::new();
    t.name = name.into();
    t.dims = vec![data.len() as i64];
    t.data_type = DataType::INT64 as i32;
    t.int64_data = data.to_vec();
    t
}

fn i64_shaped(name: &str, dims: &[usize], data: &[i64]) -> TensorProto {
    let mut t = i64_tensor(name, data);
    t.dims = dims.iter().map(|&d| d as i64).collect();
    t
}

fn attr(name: &str, ty: AttributeType) -> AttributeProto {
    let mut a = AttributeProto::new();
    a.name = name.into();
    a.type_ = ty.into();
    a
}

fn int(name: &str, v: i64) -> AttributeProto {
    let mut a = attr(name, AttributeType::INT);
    a.i = v;
    a
}

fn ints(name: &str, v: &[i64]) -> AttributeProto {
    let mut a = attr(name, AttributeType::INTS);
    a.ints = v.to_vec();
    a
}

fn float(name: &str, v: f32) -> AttributeProto {
    let mut a = attr(name, AttributeType::FLOAT);
    a.f = v;
    a
}

fn string(name: &str, v: &str) -> AttributeProto {
    let mut a = attr(name, AttributeType::STRING);
    a.s = v.as_bytes().to_vec();
    a
}

fn tensor(name: &str, t: TensorProto) -> AttributeProto {
    let mut a = attr(name, AttributeType::TENSOR);
    a.t = Some(t).into();
    a
}

/// `n` deterministic values in [-1, 1) from `seed` (a 64-bit LCG).
fn det(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f64 / (1u64 << 23) as f64) - 1.0
        })
        .collect()
}

fn det32(n: usize, seed: u64) -> Vec<f32> {
    det(n, seed).into_iter().map(|v| v as f32).collect()
}

impl M {
    fn new() -> Self {
        M {
            nodes: vec![],
            inits: vec![],
            inputs: vec![],
            outputs: vec![],
            opset: 17,
        }
    }

    fn opset(mut self, v: i64) -> Self {
        self.opset = v;
        self
    }

    fn input(mut self, name: &str, dims: &[usize]) -> Self {
        self.inputs.push(value_info(name, dims));
        self
    }

    /// The standard input `x: [1, 2, 3, 3]`.
    fn x(self) -> Self {
        self.input("x", &[1, 2, 3, 3])
    }

    fn output(mut self, name: &str) -> Self {
        let mut v = ValueInfoProto::new();
        v.name = name.into();
        self.outputs.push(v);
        self
    }

    /// A float initializer with deterministic values in [-1, 1).
    fn weight(self, name: &str, dims: &[usize], seed: u64) -> Self {
        let n = dims.iter().product();
        self.init(name, dims, &det32(n, seed))
    }

    fn init(mut self, name: &str, dims: &[usize], data: &[f32]) -> Self {
        self.inits.push(f32_tensor(name, dims, data));
        self
    }

    fn init_i64(mut self, name: &str, data: &[i64]) -> Self {
        self.inits.push(i64_tensor(name, data));
        self
    }

    fn node(mut self, op: &str, ins: &[&str], outs: &[&str], attrs: Vec<AttributeProto>) -> Self {
        let mut n = NodeProto::new();
        n.op_type = op.into();
        n.name = format!("{op}_{}", self.nodes.len());
        n.input = ins.iter().map(|s| s.to_string()).collect();
        n.output = outs.iter().map(|s| s.to_string()).collect();
        n.attribute = attrs;
        self.nodes.push(n);
        self
    }

    /// `x → op(attrs) → y`, the common unary form.
    fn unary(op: &str, attrs: Vec<AttributeProto>) -> Self {
        M::new().x().node(op, &["x"], &["y"], attrs).output("y")
    }

    fn bytes(self) -> Vec<u8> {
        let mut g = GraphProto::new();
        g.name = "op_matrix".into();
        g.node = self.nodes;
        g.initializer = self.inits;
        g.input = self.inputs;
        g.output = self.outputs;
        let mut m = ModelProto::new();
        m.ir_version = 8;
        let mut op = OperatorSetIdProto::new();
        op.version = self.opset;
        m.opset_import.push(op);
        m.graph = Some(g).into();
        m.write_to_bytes().expect("model serializes")
    }
}

fn circuit(m: M) -> Case {
    Case {
        form: "in circuit",
        in_circuit: true,
        model: m.bytes(),
        domain: (-1.0, 1.0),
        extra: None,
    }
}

fn positive(m: M) -> Case {
    Case {
        domain: (0.25, 2.0),
        ..circuit(m)
    }
}

fn folded(form: &'static str, m: M) -> Case {
    Case {
        form,
        in_circuit: false,
        ..circuit(m)
    }
}

// ---------------------------------------------------------------------------------------------
// The matrix entries: one per ONNX op type, attributes exercised.

/// The test model for ONNX op `op`, or `None` when the op has no entry yet (a test failure).
/// Ops listed as float only have theirs in [`float_only_case`].
fn case(op: &str) -> Option<Case> {
    Some(match op {
        "Abs" => circuit(M::unary("Abs", vec![])),
        "Add" => circuit(
            M::new()
                .x()
                .weight("b", &[2, 1, 1], 1)
                .node("Add", &["x", "b"], &["y"], vec![])
                .output("y"),
        ),
        // 3-D, grouped-query (2 query heads over 1 K/V head of size 2), causal, softcapped.
        "Attention" => circuit(
            M::new()
                .opset(23)
                .input("q", &[1, 3, 4])
                .input("k", &[1, 3, 2])
                .input("v", &[1, 3, 2])
                .node(
                    "Attention",
                    &["q", "k", "v"],
                    &["y"],
                    vec![
                        int("q_num_heads", 2),
                        int("kv_num_heads", 1),
                        int("is_causal", 1),
                        float("softcap", 2.0),
                    ],
                )
                .output("y"),
        ),
        "AveragePool" => circuit(M::unary(
            "AveragePool",
            vec![
                ints("kernel_shape", &[2, 2]),
                ints("strides", &[1, 2]),
                ints("pads", &[1, 0, 0, 1]),
                int("count_include_pad", 1),
            ],
        )),
        "BatchNormalization" => circuit(
            M::new()
                .x()
                .init("scale", &[2], &[1.5, -0.5])
                .init("bias", &[2], &[0.1, 0.2])
                .init("mean", &[2], &[0.05, -0.1])
                .init("var", &[2], &[0.8, 1.3])
                .node(
                    "BatchNormalization",
                    &["x", "scale", "bias", "mean", "var"],
                    &["y"],
                    vec![float("epsilon", 1e-3)],
                )
                .output("y"),
        ),
        // Cast of a constant folds (to int64 truncates, to bool is x ≠ 0); a float Cast of an
        // activation is the identity, an integer Cast truncates toward zero in the circuit.
        "Cast" => Case {
            form: "Cast(x→int32) truncates in circuit; of constants folded",
            domain: (-3.0, 3.0),
            ..circuit(
                M::new()
                    .x()
                    .init("c", &[2, 1, 1], &[1.7, -2.9])
                    .node("Cast", &["c"], &["ci"], vec![int("to", DataType::INT64 as i64)])
                    .node("Cast", &["c"], &["cb"], vec![int("to", DataType::BOOL as i64)])
                    .node("Cast", &["x"], &["xf"], vec![int("to", DataType::FLOAT as i64)])
                    .node("Cast", &["xf"], &["xi"], vec![int("to", DataType::INT32 as i64)])
                    .node("Mul", &["xi", "ci"], &["m"], vec![])
                    .node("Add", &["m", "cb"], &["y"], vec![])
                    .output("y"),
            )
        },
        "CastLike" => Case {
            form: "CastLike(x, int64 initializer) truncates in circuit",
            domain: (-3.0, 3.0),
            ..circuit(
                M::new()
                    .x()
                    .init_i64("like", &[0])
                    .node("CastLike", &["x", "like"], &["y"], vec![])
                    .output("y"),
            )
        },
        "Ceil" => Case {
            domain: (-3.0, 3.0),
            extra: Some(ceil_is_exact_at_and_next_to_integers),
            ..circuit(M::unary("Ceil", vec![]))
        },
        "Clip" => circuit(
            M::new()
                .x()
                .init("lo", &[], &[-0.5])
                .init("hi", &[], &[0.25])
                .node("Clip", &["x", "lo", "hi"], &["y"], vec![])
                .output("y"),
        ),
        "Concat" => circuit(
            M::new()
                .x()
                .weight("c", &[1, 1, 3, 3], 2)
                .node("Relu", &["x"], &["r"], vec![])
                .node("Concat", &["x", "c", "r"], &["y"], vec![int("axis", -3)])
                .output("y"),
        ),
        "Constant" => folded(
            "Constant folded into Add",
            M::new()
                .x()
                .node(
                    "Constant",
                    &[],
                    &["c"],
                    vec![tensor("value", f32_tensor("", &[1, 1, 3], &det32(3, 3)))],
                )
                .node("Add", &["x", "c"], &["y"], vec![])
                .output("y"),
        ),
        "ConstantOfShape" => folded(
            "ConstantOfShape(Shape(x)) folded into Mul",
            M::new()
                .x()
                .node("Shape", &["x"], &["s"], vec![])
                .node(
                    "ConstantOfShape",
                    &["s"],
                    &["c"],
                    vec![tensor("value", f32_tensor("", &[1], &[0.75]))],
                )
                .node("Mul", &["x", "c"], &["y"], vec![])
                .output("y"),
        ),
        "Conv" => circuit(
            M::new()
                .x()
                .weight("w", &[4, 1, 2, 2], 4)
                .weight("b", &[4], 5)
                .node(
                    "Conv",
                    &["x", "w", "b"],
                    &["y"],
                    vec![
                        ints("kernel_shape", &[2, 2]),
                        ints("strides", &[1, 2]),
                        ints("pads", &[1, 1, 0, 1]),
                        ints("dilations", &[1, 1]),
                        int("group", 2),
                    ],
                )
                .output("y"),
        ),
        "ConvTranspose" => circuit(
            M::new()
                .x()
                .weight("w", &[2, 3, 2, 2], 6)
                .weight("b", &[3], 7)
                .node(
                    "ConvTranspose",
                    &["x", "w", "b"],
                    &["y"],
                    vec![
                        ints("strides", &[2, 2]),
                        ints("pads", &[1, 0, 0, 1]),
                        ints("output_padding", &[1, 0]),
                    ],
                )
                .output("y"),
        ),
        "DepthToSpace" => circuit(
            M::new()
                .input("x", &[1, 4, 2, 2])
                .node(
                    "DepthToSpace",
                    &["x"],
                    &["y"],
                    vec![int("blocksize", 2), string("mode", "CRD")],
                )
                .output("y"),
        ),
        // By a constant (a multiplication) and by a positive witness (the Div argument).
        "Div" => circuit(
            M::new()
                .x()
                .init("c", &[1, 2, 1, 1], &[0.5, -4.0])
                .node("Div", &["x", "c"], &["q"], vec![])
                .node("Sigmoid", &["x"], &["e"], vec![])
                .node("Div", &["q", "e"], &["y"], vec![])
                .output("y"),
        ),
        "Dropout" => folded(
            "aliases its input at import (no node), feeding Neg",
            M::new()
                .x()
                .node("Dropout", &["x"], &["d"], vec![])
                .node("Neg", &["d"], &["y"], vec![])
                .output("y"),
        ),
        "Elu" => circuit(M::unary("Elu", vec![float("alpha", 0.5)])),
        // Wide enough to reach the saturated tails (|x| ≥ 3.1 at scale 14 after calibration).
        "Erf" => Case {
            domain: (-3.0, 3.0),
            ..circuit(M::unary("Erf", vec![]))
        },
        "Exp" => circuit(M::unary("Exp", vec![])),
        // To a higher rank, growing two axes: wiring only.
        "Expand" => circuit(
            M::new()
                .input("x", &[2, 1, 3])
                .init_i64("s", &[2, 2, 4, 3])
                .node("Expand", &["x", "s"], &["y"], vec![])
                .output("y"),
        ),
        "Flatten" => circuit(
            M::new()
                .x()
                .node("Flatten", &["x"], &["f"], vec![int("axis", 2)])
                .weight("w", &[9, 2], 8)
                .node("MatMul", &["f", "w"], &["y"], vec![])
                .output("y"),
        ),
        "Floor" => Case {
            domain: (-3.0, 3.0),
            extra: Some(floor_is_exact_at_and_next_to_integers),
            ..circuit(M::unary("Floor", vec![]))
        },
        "Gather" => Case {
            form: "constant indices in circuit; runtime indices refused",
            extra: Some(gather_with_runtime_indices_is_refused),
            ..circuit(
                M::new()
                    .x()
                    .init_i64("i", &[2, 0, -1])
                    .node("Gather", &["x", "i"], &["y"], vec![int("axis", 3)])
                    .output("y"),
            )
        },
        // Crop the rows to 2 (a Slice) and pad the columns to 6 (a Pad): wiring.
        "CenterCropPad" => circuit(
            M::new()
                .opset(18)
                .x()
                .init_i64("s", &[2, 6])
                .node("CenterCropPad", &["x", "s"], &["y"], vec![ints("axes", &[2, 3])])
                .output("y"),
        ),
        // Overlapping 2×2 blocks at stride 1 summed back into a 3×3 image: Gathers and Adds.
        "Col2Im" => circuit(
            M::new()
                .opset(18)
                .input("x", &[1, 8, 4])
                .init_i64("img", &[3, 3])
                .init_i64("blk", &[2, 2])
                .node("Col2Im", &["x", "img", "blk"], &["y"], vec![])
                .output("y"),
        ),
        // Each x value written at a constant flat index of a 6×6 output: a ScatterND expanded
        // into wiring.
        "MaxUnpool" => circuit({
            let idx: Vec<i64> = (0..18)
                .map(|k| (k / 9) * 36 + (k % 9 / 3) * 12 + (k % 3) * 2 + (k % 2) * 7)
                .collect();
            let mut m = M::new().x();
            m.inits.push(i64_shaped("i", &[1, 2, 3, 3], &idx));
            m.node(
                "MaxUnpool",
                &["x", "i"],
                &["y"],
                vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])],
            )
            .output("y")
        }),
        // Rows 0 and 2 of each channel: a Gather with constant indices.
        "Compress" => circuit(
            M::new()
                .x()
                .init_i64("c", &[1, 0, 1])
                .node("Compress", &["x", "c"], &["y"], vec![int("axis", 2)])
                .output("y"),
        ),
        // The constant base grid times thetaᵀ: one MatMul with fixed coefficients.
        "AffineGrid" => circuit(
            M::new()
                .opset(20)
                .input("theta", &[2, 2, 3])
                .init_i64("size", &[2, 1, 3, 4])
                .node("AffineGrid", &["theta", "size"], &["y"], vec![])
                .output("y"),
        ),
        // Activation × activation (batched MatMul) and a diagonal summed (trace), wiring + sums.
        "Einsum" => circuit(
            M::new()
                .opset(12)
                .x()
                .node(
                    "Einsum",
                    &["x", "x"],
                    &["a"],
                    vec![string("equation", "ncij,ncjk->ncik")],
                )
                .node("Einsum", &["x"], &["b"], vec![string("equation", "ncii->nc")])
                .output("a")
                .output("b"),
        ),
        // Constant indices: a Gather of the flattened data (runtime indices refused).
        "GatherElements" => Case {
            form: "constant indices in circuit; runtime indices refused",
            extra: Some(gather_elements_with_runtime_indices_is_refused),
            ..circuit({
                let mut m = M::new().x();
                m.inits
                    .push(i64_shaped("i", &[1, 2, 2, 3], &[2, 0, -1, 1, 1, 0, 0, 2, 2, 1, 0, 1]));
                m.node("GatherElements", &["x", "i"], &["y"], vec![int("axis", 3)])
                    .output("y")
            })
        },
        // p = 2 (x·x, a depthwise Conv of ones, Sqrt) and p = 1 (|x|, no root).
        "LpPool" => circuit(
            M::new()
                .x()
                .node(
                    "LpPool",
                    &["x"],
                    &["a"],
                    vec![ints("kernel_shape", &[2, 2]), int("p", 2)],
                )
                .node(
                    "LpPool",
                    &["x"],
                    &["b"],
                    vec![
                        ints("kernel_shape", &[2, 2]),
                        ints("strides", &[1, 2]),
                        ints("pads", &[0, 1, 0, 1]),
                        int("p", 1),
                    ],
                )
                .output("a")
                .output("b"),
        ),
        // Linear (a MatMul by a constant matrix per axis) and nearest from sizes (a Gather).
        "Resize" => circuit(
            M::new()
                .opset(19)
                .x()
                .init("scales", &[4], &[1.0, 1.0, 2.0, 1.5])
                .init_i64("sizes", &[2, 5])
                .node("Resize", &["x", "", "scales"], &["a"], vec![string("mode", "linear")])
                .node(
                    "Resize",
                    &["x", "", "", "sizes"],
                    &["b"],
                    vec![string("mode", "nearest"), ints("axes", &[2, 3])],
                )
                .output("a")
                .output("b"),
        ),
        "Scatter" => circuit({
            let mut m = M::new().opset(10).x().weight("u", &[1, 1, 1, 3], 21);
            m.inits.push(i64_shaped("i", &[1, 1, 1, 3], &[1, 2, 0]));
            m.node("Scatter", &["x", "i", "u"], &["y"], vec![int("axis", 2)])
                .output("y")
        }),
        // Duplicate indices with add: both updates land, as a sum of gathered layers.
        "ScatterElements" => Case {
            form: "constant indices in circuit; runtime indices refused",
            extra: Some(scatter_with_runtime_indices_is_refused),
            ..circuit({
                let mut m = M::new().opset(18).x().weight("u", &[1, 1, 1, 3], 22);
                m.inits.push(i64_shaped("i", &[1, 1, 1, 3], &[1, 1, -1]));
                m.node(
                    "ScatterElements",
                    &["x", "i", "u"],
                    &["y"],
                    vec![int("axis", 3), string("reduction", "add")],
                )
                .output("y")
            })
        },
        // Replaces x[0, 1] (a [3, 3] slice) by x[0, 0]·2 computed in circuit; max folds in.
        "ScatterND" => circuit({
            let mut m = M::new().opset(18).x().weight("u", &[1, 3, 3], 23);
            m.inits.push(i64_shaped("i", &[1, 2], &[0, 1]));
            m.inits.push(i64_shaped("j", &[2, 4], &[0, 0, 1, 1, 0, 1, 2, 2]));
            m.node("ScatterND", &["x", "i", "u"], &["a"], vec![])
                .weight("v", &[2], 24)
                .node("ScatterND", &["a", "j", "v"], &["y"], vec![string("reduction", "max")])
                .output("y")
        }),
        // Opset 9: scales as an input, nearest.
        "Upsample" => circuit(
            M::new()
                .opset(9)
                .x()
                .init("scales", &[4], &[1.0, 1.0, 2.0, 3.0])
                .node("Upsample", &["x", "scales"], &["y"], vec![string("mode", "nearest")])
                .output("y"),
        ),
        // Both forms: exact (the default) and the tanh approximation.
        "Gelu" => circuit(
            M::new()
                .opset(20)
                .x()
                .node("Gelu", &["x"], &["a"], vec![])
                .node("Gelu", &["x"], &["b"], vec![string("approximate", "tanh")])
                .output("a")
                .output("b"),
        ),
        "Gemm" => circuit(
            M::new()
                .input("x", &[2, 3])
                .weight("b", &[4, 3], 9)
                .weight("c", &[4], 10)
                .node(
                    "Gemm",
                    &["x", "b", "c"],
                    &["y"],
                    vec![float("alpha", 0.5), float("beta", 2.0), int("transB", 1)],
                )
                .output("y"),
        ),
        "GlobalAveragePool" => circuit(M::unary("GlobalAveragePool", vec![])),
        "GlobalMaxPool" => circuit(M::unary("GlobalMaxPool", vec![])),
        // Opset 18's scale and bias, one per group: 2 groups of 2 channels.
        "GroupNormalization" => circuit(
            M::new()
                .opset(18)
                .input("x", &[1, 4, 2, 2])
                .init("s", &[2], &[1.5, -0.5])
                .init("b", &[2], &[0.1, 0.2])
                .node(
                    "GroupNormalization",
                    &["x", "s", "b"],
                    &["y"],
                    vec![int("num_groups", 2), float("epsilon", 1e-3)],
                )
                .output("y"),
        ),
        "HardSigmoid" => circuit(M::unary("HardSigmoid", vec![float("alpha", 0.3), float("beta", 0.4)])),
        "HardSwish" => Case {
            domain: (-4.0, 4.0),
            ..circuit(M::unary("HardSwish", vec![]))
        },
        "Identity" => folded(
            "aliases its input at import (no node), feeding Neg",
            M::new()
                .x()
                .node("Identity", &["x"], &["i"], vec![])
                .node("Neg", &["i"], &["y"], vec![])
                .output("y"),
        ),
        "InstanceNormalization" => circuit(
            M::new()
                .x()
                .init("s", &[2], &[1.5, -0.5])
                .init("b", &[2], &[0.1, 0.2])
                .node("InstanceNormalization", &["x", "s", "b"], &["y"], vec![])
                .output("y"),
        ),
        // Over the last two axes, with the optional Mean and InvStdDev outputs.
        "LayerNormalization" => circuit(
            M::new()
                .x()
                .weight("s", &[3, 3], 16)
                .weight("b", &[3], 17)
                .node(
                    "LayerNormalization",
                    &["x", "s", "b"],
                    &["y", "mean", "inv_std"],
                    vec![int("axis", -2), float("epsilon", 1e-5)],
                )
                .output("y")
                .output("mean")
                .output("inv_std"),
        ),
        "LeakyRelu" => circuit(M::unary("LeakyRelu", vec![float("alpha", 0.1)])),
        "Log" => positive(M::unary("Log", vec![])),
        // Opset 11: the input is coerced to 2-D at the (default) axis 1, as ONNX did then.
        "LogSoftmax" => circuit(
            M::new()
                .opset(11)
                .x()
                .node("LogSoftmax", &["x"], &["y"], vec![])
                .output("y"),
        ),
        // By a constant matrix, and of two witness tensors (the Mul argument).
        // A large alpha, so that the sum of squares matters at inputs in [-1, 1].
        "LpNormalization" => circuit(
            M::new()
                .x()
                .node("LpNormalization", &["x"], &["y"], vec![int("axis", 1), int("p", 2)])
                .node("LpNormalization", &["x"], &["z"], vec![int("axis", -1), int("p", 1)])
                .output("y")
                .output("z"),
        ),
        "LRN" => circuit(M::unary(
            "LRN",
            vec![
                int("size", 3),
                float("alpha", 1.5),
                float("beta", 0.75),
                float("bias", 2.0),
            ],
        )),
        "MatMul" => circuit(
            M::new()
                .x()
                .input("z", &[1, 2, 3, 2])
                .weight("w", &[3, 4], 11)
                .node("MatMul", &["x", "w"], &["y"], vec![])
                .node("MatMul", &["x", "z"], &["y2"], vec![])
                .output("y")
                .output("y2"),
        ),
        // Three inputs broadcast together: two witnesses and a constant.
        "Max" => circuit(
            M::new()
                .x()
                .input("z", &[3])
                .weight("c", &[2, 1, 1], 14)
                .node("Max", &["x", "z", "c"], &["y"], vec![])
                .output("y"),
        ),
        "Mean" => circuit(
            M::new()
                .x()
                .input("z", &[1, 3, 1])
                .node("Mean", &["x", "z"], &["y"], vec![])
                .output("y"),
        ),
        "MeanVarianceNormalization" => circuit(M::unary("MeanVarianceNormalization", vec![ints("axes", &[2, 3])])),
        "Min" => circuit(
            M::new()
                .x()
                .input("z", &[3])
                .weight("c", &[2, 1, 1], 15)
                .node("Min", &["c", "x", "z"], &["y"], vec![])
                .output("y"),
        ),
        "MaxPool" => circuit(M::unary(
            "MaxPool",
            vec![
                ints("kernel_shape", &[2, 2]),
                ints("strides", &[2, 2]),
                ints("pads", &[0, 1, 0, 0]),
                int("ceil_mode", 1),
            ],
        )),
        "Mish" => circuit(M::unary("Mish", vec![]).opset(18)),
        "Mul" => circuit(
            M::new()
                .x()
                .weight("w", &[3], 12)
                .node("Mul", &["x", "w"], &["m"], vec![])
                .node("Mul", &["m", "x"], &["y"], vec![])
                .output("y"),
        ),
        "Neg" => circuit(M::unary("Neg", vec![])),
        "Pad" => circuit(
            M::new()
                .x()
                .init_i64("p1", &[0, 0, 1, 1, 0, 0, 1, 0])
                .init_i64("p2", &[0, 0, 0, 2, 0, 0, 1, 0])
                .init("v", &[], &[0.25])
                .node("Pad", &["x", "p1"], &["r"], vec![string("mode", "reflect")])
                .node("Pad", &["r", "p2", "v"], &["y"], vec![string("mode", "constant")])
                .output("y"),
        ),
        "Pow" => circuit(
            M::new()
                .x()
                .init("e", &[], &[3.0])
                .node("Pow", &["x", "e"], &["y"], vec![])
                .output("y"),
        ),
        "PRelu" => circuit(
            M::new()
                .x()
                .init("s", &[2], &[0.25, -0.5])
                .node("PRelu", &["x", "s"], &["y"], vec![])
                .output("y"),
        ),
        // Of both signs (x and -x with x in [0.25, 2]): away from 0, where 1/x is steep.
        "Range" => folded(
            "Range(0, 3, 1) folded into Add",
            M::new()
                .x()
                .init("s", &[], &[0.0])
                .init("l", &[], &[3.0])
                .init("d", &[], &[1.0])
                .node("Range", &["s", "l", "d"], &["r"], vec![])
                .node("Add", &["x", "r"], &["y"], vec![])
                .output("y"),
        ),
        "Reciprocal" => positive(
            M::new()
                .x()
                .node("Reciprocal", &["x"], &["y"], vec![])
                .node("Neg", &["x"], &["n"], vec![])
                .node("Reciprocal", &["n"], &["z"], vec![])
                .output("y")
                .output("z"),
        ),
        "ReduceMax" => circuit(M::unary("ReduceMax", vec![ints("axes", &[1]), int("keepdims", 0)])),
        "ReduceMean" => circuit(M::unary("ReduceMean", vec![ints("axes", &[2, -1])])),
        "ReduceSum" => circuit(
            M::new()
                .x()
                .init_i64("axes", &[-1])
                .node("ReduceSum", &["x", "axes"], &["y"], vec![int("keepdims", 0)])
                .output("y"),
        ),
        "Relu" => circuit(M::unary("Relu", vec![])),
        "Reshape" => circuit(
            M::new()
                .x()
                .init_i64("s", &[0, -1])
                .node("Reshape", &["x", "s"], &["r"], vec![])
                .node("Relu", &["r"], &["y"], vec![])
                .output("y"),
        ),
        "RMSNormalization" => circuit(
            M::new()
                .opset(23)
                .x()
                .weight("s", &[3], 18)
                .node("RMSNormalization", &["x", "s"], &["y"], vec![])
                .output("y"),
        ),
        "Round" => Case {
            domain: (-3.0, 3.0),
            extra: Some(round_takes_exact_halves_to_even),
            ..circuit(M::unary("Round", vec![]))
        },
        "Selu" => circuit(M::unary("Selu", vec![float("alpha", 1.5), float("gamma", 1.1)])),
        "Shape" => folded(
            "Shape (start/end) folded into Reshape's target",
            M::new()
                .x()
                .node("Shape", &["x"], &["s"], vec![int("start", 0), int("end", 2)])
                .init_i64("rest", &[-1])
                .node("Concat", &["s", "rest"], &["t"], vec![int("axis", 0)])
                .node("Reshape", &["x", "t"], &["r"], vec![])
                .node("Neg", &["r"], &["y"], vec![])
                .output("y"),
        ),
        "Size" => folded(
            "Size(x) = 18 folded into Div",
            M::new()
                .x()
                .node("Size", &["x"], &["n"], vec![])
                .node("Div", &["x", "n"], &["y"], vec![])
                .output("y"),
        ),
        "Sigmoid" => circuit(M::unary("Sigmoid", vec![])),
        "Slice" => circuit(
            M::new()
                .x()
                .init_i64("starts", &[1, 2])
                .init_i64("ends", &[2, -5])
                .init_i64("axes", &[1, -1])
                .init_i64("steps", &[1, -2])
                .node("Slice", &["x", "starts", "ends", "axes", "steps"], &["y"], vec![])
                .output("y"),
        ),
        "Softmax" => circuit(M::unary("Softmax", vec![int("axis", -1)])),
        "Softplus" => circuit(M::unary("Softplus", vec![])),
        "Softsign" => circuit(M::unary("Softsign", vec![])),
        "SpaceToDepth" => circuit(
            M::new()
                .input("x", &[1, 2, 4, 4])
                .node("SpaceToDepth", &["x"], &["y"], vec![int("blocksize", 2)])
                .output("y"),
        ),
        "Split" => circuit(
            M::new()
                .x()
                .init_i64("sizes", &[1, 2])
                .node("Split", &["x", "sizes"], &["a", "b"], vec![int("axis", 2)])
                .output("a")
                .output("b"),
        ),
        "Sqrt" => positive(M::unary("Sqrt", vec![])),
        "Squeeze" => circuit(
            M::new()
                .x()
                .init_i64("axes", &[0])
                .node("Squeeze", &["x", "axes"], &["s"], vec![])
                .node("Relu", &["s"], &["y"], vec![])
                .output("y"),
        ),
        // A constant minus a witness.
        "Sub" => circuit(
            M::new()
                .x()
                .weight("c", &[3], 13)
                .node("Sub", &["c", "x"], &["y"], vec![])
                .output("y"),
        ),
        "Sum" => circuit(
            M::new()
                .x()
                .input("z", &[3])
                .weight("c", &[2, 1, 1], 16)
                .node("Sum", &["x", "z", "c"], &["y"], vec![])
                .output("y"),
        ),
        "Swish" => circuit(M::unary("Swish", vec![float("alpha", 1.5)]).opset(24)),
        "Tanh" => circuit(M::unary("Tanh", vec![])),
        "ThresholdedRelu" => circuit(M::unary("ThresholdedRelu", vec![float("alpha", 0.2)]).opset(10)),
        "Tile" => circuit(
            M::new()
                .x()
                .init_i64("r", &[1, 2, 1, 3])
                .node("Tile", &["x", "r"], &["y"], vec![])
                .output("y"),
        ),
        "Transpose" => circuit(M::unary("Transpose", vec![ints("perm", &[0, 2, 3, 1])])),
        "Unsqueeze" => circuit(
            M::new()
                .x()
                .init_i64("axes", &[0, -1])
                .node("Unsqueeze", &["x", "axes"], &["u"], vec![])
                .node("Abs", &["u"], &["y"], vec![])
                .output("y"),
        ),
        _ => return logic_case(op),
    })
}

/// Gather whose indices are a model input cannot be in a circuit: compiling says so.
fn gather_elements_with_runtime_indices_is_refused() -> Result<(), String> {
    runtime_indices_refused("GatherElements", &["x", "i"], &[1, 2, 3, 3])
}

fn scatter_with_runtime_indices_is_refused() -> Result<(), String> {
    runtime_indices_refused("ScatterElements", &["x", "i", "x"], &[1, 2, 3, 3])
}

/// `op` with its indices `i` a model input runs in float and every backend refuses it,
/// naming the indices.
fn runtime_indices_refused(op: &str, ins: &[&str], ishape: &[usize]) -> Result<(), String> {
    let m = M::new()
        .opset(18)
        .x()
        .input("i", ishape)
        .node(op, ins, &["y"], vec![int("axis", 1)])
        .output("y")
        .bytes();
    let g = onnx::import(&m, &onnx::ImportOptions::default()).map_err(|e| e.to_string())?;
    let n = ishape.iter().product();
    let ins = vec![
        Tensor::new(vec![1, 2, 3, 3], det(18, 1)),
        Tensor::new(ishape.to_vec(), vec![1.0; n]),
    ];
    g.run(&ins).map_err(|e| format!("float run: {e}"))?;
    for b in prover::available() {
        match pipeline::compile(&g, std::slice::from_ref(&ins), QuantConfig::default(), b) {
            Ok(_) => return Err(format!("{op} with runtime indices compiled on {b}; it must be refused")),
            Err(e) if e.to_string().contains("indices") && e.to_string().contains(op) => {}
            Err(e) => {
                return Err(format!(
                    "{b}: refused, but the message does not name {op} and the indices: {e}"
                ))
            }
        }
    }
    Ok(())
}

fn gather_with_runtime_indices_is_refused() -> Result<(), String> {
    let m = M::new()
        .x()
        .input("i", &[2])
        .node("Gather", &["x", "i"], &["y"], vec![int("axis", 3)])
        .output("y")
        .bytes();
    let g = onnx::import(&m, &onnx::ImportOptions::default()).map_err(|e| e.to_string())?;
    let ins = vec![
        Tensor::new(vec![1, 2, 3, 3], det(18, 1)),
        Tensor::new(vec![2], vec![0.0, 2.0]),
    ];
    match pipeline::compile(&g, &[ins], QuantConfig::default(), "halo2") {
        Ok(_) => Err("Gather with runtime indices compiled; it must be refused".into()),
        Err(e) if e.to_string().contains("indices") => Ok(()),
        Err(e) => Err(format!("refused, but the message does not mention the indices: {e}")),
    }
}

/// `op` on `xs` in fixed point gives exactly `want` on every backend (witness, checker and
/// mock): the step functions are computed by `Rescale`s, never by a table over a rounded input.
fn exact_steps(op: &str, xs: &[f64], want: &[f64]) -> Result<(), String> {
    let m = M::new()
        .input("x", &[1, xs.len()])
        .node(op, &["x"], &["y"], vec![])
        .output("y")
        .bytes();
    let g = onnx::import(&m, &onnx::ImportOptions::default()).map_err(|e| e.to_string())?;
    let x = vec![Tensor::new(vec![1, xs.len()], xs.to_vec())];
    for &backend in prover::available() {
        let be = prover::backend(backend).map_err(|e| e.to_string())?;
        let compiled = pipeline::compile(&g, std::slice::from_ref(&x), QuantConfig::default(), backend)
            .map_err(|e| format!("{op} on {backend}: compile: {e}"))?;
        let trace = pipeline::witness(&compiled, &x).map_err(|e| format!("{op} on {backend}: witness: {e}"))?;
        zkc_runtime::check(&compiled.program, &trace).map_err(|e| format!("{op} on {backend}: checker: {e}"))?;
        be.mock(&compiled.program, &trace)
            .map_err(|e| format!("{op} on {backend}: mock: {e}"))?;
        let got = &pipeline::outputs(&compiled, &trace)[0].data;
        if got.as_slice() != want {
            return Err(format!("{op} on {backend} of {xs:?}: got {got:?}, want {want:?}"));
        }
    }
    Ok(())
}

/// One unit of the default scale 2^-14: the nearest fixed-point neighbours of an integer.
const ULP: f64 = 1.0 / 16384.0;

fn round_takes_exact_halves_to_even() -> Result<(), String> {
    exact_steps(
        "Round",
        &[
            -3.5,
            -2.5,
            -1.5,
            -0.5,
            0.5,
            1.5,
            2.5,
            3.5,
            0.5 - ULP,
            -1.5 - ULP,
            2.5 + ULP,
            2.0,
        ],
        &[-4.0, -2.0, -2.0, 0.0, 0.0, 2.0, 2.0, 4.0, 0.0, -2.0, 3.0, 2.0],
    )
}

fn floor_is_exact_at_and_next_to_integers() -> Result<(), String> {
    exact_steps(
        "Floor",
        &[-2.0, -2.0 + ULP, -2.0 - ULP, 0.0, ULP, -ULP, 3.0, 3.0 - ULP, 1.5],
        &[-2.0, -2.0, -3.0, 0.0, 0.0, -1.0, 3.0, 2.0, 1.0],
    )
}

fn ceil_is_exact_at_and_next_to_integers() -> Result<(), String> {
    exact_steps(
        "Ceil",
        &[-2.0, -2.0 + ULP, -2.0 - ULP, 0.0, ULP, -ULP, 3.0, 3.0 - ULP, -1.5],
        &[-2.0, -1.0, -2.0, 0.0, 1.0, 0.0, 3.0, 3.0, -1.0],
    )
}

// ---------------------------------------------------------------------------------------------
// Known limits: an op that does not fit a backend at the default settings.

/// Op × backend pairs that fail at the default settings: `(op, backend, a phrase of the
/// error, an activation scale at which the op fits and is then fully checked)`. Each entry
/// must still fail as described, or the test asks for it to be removed: the list only shrinks.
const KNOWN: &[(&str, &str, &str, u32)] = &[
    // plonky2 lookups take 16-bit outputs; at scale 14 these tables' outputs span more over
    // the calibrated range (e² and HardSwish's identity branch up to 8).
    ("Exp", "plonky2", "16-bit outputs", 13),
    ("HardSwish", "plonky2", "16-bit outputs", 12),
    // log over the calibrated range spans more than 16 bits of output at scale 14.
    ("Log", "plonky2", "16-bit outputs", 12),
    // Likewise: atanh near ±1 (about ±5.2), log down to ln 2^-14 (as Log), and e^(x - max)
    // over the difference's symmetric bound ±4 (its table cannot know that x - max ≤ 0).
    // (Square roots, in ReduceL2 and LpPool, fit since Sqrt is a coarse table and Newton steps.)
    ("Atanh", "plonky2", "16-bit outputs", 12),
    ("ReduceLogSum", "plonky2", "16-bit outputs", 12),
    ("ReduceLogSumExp", "plonky2", "16-bit outputs", 10),
];

// ---------------------------------------------------------------------------------------------
// Running one entry on every backend.

/// Deterministic model inputs in the case's domain.
fn inputs(g: &Graph, domain: (f64, f64), seed: u64) -> Vec<Tensor> {
    let (lo, hi) = domain;
    g.inputs
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let shape = g.value(v).shape.clone();
            let n = shape.iter().product();
            let data = det(n, seed * 31 + i as u64)
                .into_iter()
                .map(|u| lo + (u + 1.0) / 2.0 * (hi - lo))
                .collect();
            Tensor::new(shape, data)
        })
        .collect()
}

/// Max |fixed - float| over all outputs, and the largest |float| (for a relative tolerance).
fn error(fixed: &[Tensor], float: &[Tensor]) -> Result<(f64, f64), String> {
    if fixed.len() != float.len() {
        return Err(format!("{} outputs but the float run has {}", fixed.len(), float.len()));
    }
    let mut err = 0.0f64;
    let mut mag = 0.0f64;
    for (a, b) in fixed.iter().zip(float) {
        if a.shape != b.shape {
            return Err(format!(
                "output shape {:?} but the float run gives {:?}",
                a.shape, b.shape
            ));
        }
        for (x, y) in a.data.iter().zip(&b.data) {
            err = err.max((x - y).abs());
            mag = mag.max(y.abs());
        }
    }
    Ok((err, mag))
}

/// What one backend checked on one op.
struct Checked {
    err: f64,
    arguments: usize,
    mutations: usize,
    proved: bool,
}

/// Compile → witness → checker → compare with float → mock → one mutation per argument kind
/// rejected (→ setup, prove, verify, and a wrong public value rejected).
fn check_on(
    g: &Graph,
    samples: &[Vec<Tensor>],
    float: &[Tensor],
    backend: &str,
    cfg: QuantConfig,
    prove: bool,
) -> Result<Checked, String> {
    let be = prover::backend(backend).map_err(|e| e.to_string())?;
    let compiled = pipeline::compile(g, samples, cfg, backend).map_err(|e| format!("compile: {e}"))?;
    let trace = pipeline::witness(&compiled, &samples[0]).map_err(|e| format!("witness: {e}"))?;
    zkc_runtime::check(&compiled.program, &trace).map_err(|e| format!("checker: {e}"))?;
    let (err, mag) = error(&pipeline::outputs(&compiled, &trace), float)?;
    // Loose: 2% of the output magnitude (tests/fixed_point.rs holds the tight bounds).
    let tol = 0.02 * mag.max(1.0);
    if err.is_nan() || err > tol {
        return Err(format!("fixed-point error {err:.2e} > {tol:.2e}"));
    }
    be.mock(&compiled.program, &trace).map_err(|e| format!("mock: {e}"))?;
    // Model inputs are free witnesses; every other kind is pinned by its defining argument.
    let muts: Vec<_> = one_mutation_per_argument_kind(&compiled.program, &trace)
        .into_iter()
        .filter(|m| m.argument_kind != "Input")
        .collect();
    for m in &muts {
        if be.mock(&compiled.program, &m.trace).is_ok() {
            return Err(format!("mock accepted a changed {} ({})", m.var, m.argument_kind));
        }
    }
    if prove {
        let keys = be.setup(&compiled.program).map_err(|e| format!("setup: {e}"))?;
        let proof = be
            .prove(&compiled.program, &keys.proving_key, &trace)
            .map_err(|e| format!("prove: {e}"))?;
        let mut public = trace.public_values(&compiled.program);
        be.verify(&compiled.program, &keys.verifying_key, &public, &proof)
            .map_err(|e| format!("verify: {e}"))?;
        public[0] += 1;
        if be
            .verify(&compiled.program, &keys.verifying_key, &public, &proof)
            .is_ok()
        {
            return Err("verify accepted a wrong public value".into());
        }
    }
    Ok(Checked {
        err,
        arguments: compiled.program.arguments.len(),
        mutations: muts.len(),
        proved: prove,
    })
}

/// One cell of the matrix: checked (possibly at a known-limit scale) or failed.
enum Cell {
    Ok(Checked),
    /// Fits only at `scale`; `why` is the error at the default settings.
    Limited {
        checked: Checked,
        scale: u32,
        why: String,
    },
    Fail(String),
}

struct Row {
    op: &'static str,
    form: String,
    cells: Vec<Cell>,
}

/// Runs one backend's cell, applying its [`KNOWN`] entry if there is one.
fn cell(op: &str, g: &Graph, samples: &[Vec<Tensor>], float: &[Tensor], backend: &str) -> Cell {
    let prove = PROVED.contains(&op);
    let default = check_on(g, samples, float, backend, QuantConfig::default(), prove);
    let known = KNOWN.iter().find(|k| k.0 == op && k.1 == backend);
    match (default, known) {
        (Ok(c), None) => Cell::Ok(c),
        (Err(e), None) => Cell::Fail(e),
        (Ok(_), Some(_)) => Cell::Fail(format!(
            "passes at the default settings now: remove its KNOWN entry ({op}, {backend})"
        )),
        (Err(e), Some(&(_, _, needle, scale))) if e.contains(needle) => {
            let cfg = QuantConfig {
                scale,
                ..QuantConfig::default()
            };
            match check_on(g, samples, float, backend, cfg, prove) {
                Ok(checked) => Cell::Limited { checked, scale, why: e },
                Err(e2) => Cell::Fail(format!("also fails at its KNOWN scale {scale}: {e2}")),
            }
        }
        (Err(e), Some(k)) => Cell::Fail(format!("fails otherwise than its KNOWN entry (`{}`) says: {e}", k.2)),
    }
}

fn row(op: &'static str, c: &Case, backends: &[&str]) -> Row {
    let fail_all = |why: String| Row {
        op,
        form: c.form.to_string(),
        cells: backends.iter().map(|_| Cell::Fail(why.clone())).collect(),
    };
    // The entry must exercise the op it is listed under, in the form it claims.
    let proto = ModelProto::parse_from_bytes(&c.model).expect("own model parses");
    if !proto.graph.node.iter().any(|n| n.op_type == op) {
        return fail_all(format!("the model has no `{op}` node"));
    }
    let g = match onnx::import(&c.model, &onnx::ImportOptions::default()) {
        Ok(g) => g,
        Err(e) => return fail_all(format!("import: {e}")),
    };
    let in_graph = g.nodes.iter().any(|n| n.onnx_op == op);
    if c.in_circuit != in_graph {
        return fail_all(format!(
            "`{op}` is {} the imported graph but the entry says `{}`",
            if in_graph { "in" } else { "not in" },
            c.form
        ));
    }
    if let Some(extra) = c.extra {
        if let Err(e) = extra() {
            return fail_all(e);
        }
    }
    // Calibrate on two deterministic samples; check the first.
    let samples = vec![inputs(&g, c.domain, 1), inputs(&g, c.domain, 2)];
    let float = match g.run(&samples[0]) {
        Ok(f) => f,
        Err(e) => return fail_all(format!("float run: {e}")),
    };
    Row {
        op,
        form: c.form.to_string(),
        cells: backends.iter().map(|b| cell(op, &g, &samples, &float, b)).collect(),
    }
}

/// Prints the matrix with numbered notes for limits and failures; returns the failures.
fn print_matrix(rows: &[Row], backends: &[&str]) -> Vec<String> {
    let mut notes = Vec::new();
    let mut failures = Vec::new();
    let mut head = format!("{:<18} {:>5} {:>4} {:>8}", "op", "args", "muts", "max err");
    for b in backends {
        head += &format!("  {b:<14}");
    }
    println!("{head}  form");
    println!("{}", "-".repeat(head.chars().count() + 12));
    for r in rows {
        let mut err = f64::NAN;
        let mut counts = None;
        let mut line = String::new();
        for (c, b) in r.cells.iter().zip(backends) {
            let text = match c {
                Cell::Ok(k) | Cell::Limited { checked: k, .. } => {
                    err = err.max(k.err);
                    counts.get_or_insert((k.arguments, k.mutations));
                    let base = if k.proved { "mock+proof" } else { "mock" };
                    match c {
                        Cell::Limited { scale, why, .. } => {
                            notes.push(format!("{} on {b}: only at scale {scale}; at the default: {why}", r.op));
                            format!("{base} s{scale} [{}]", notes.len())
                        }
                        _ => base.to_string(),
                    }
                }
                Cell::Fail(e) => {
                    notes.push(format!("{} on {b}: FAIL {e}", r.op));
                    failures.push(format!("{} on {b}: {e}", r.op));
                    format!("FAIL [{}]", notes.len())
                }
            };
            line += &format!("  {text:<14}");
        }
        let (args, muts) = counts
            .map(|(a, m)| (a.to_string(), m.to_string()))
            .unwrap_or(("-".into(), "-".into()));
        let err = if err.is_nan() { "-".into() } else { format!("{err:.1e}") };
        println!("{:<18} {args:>5} {muts:>4} {err:>8}{line}  {}", r.op, r.form);
    }
    println!("\nargs: circuit arguments; muts: argument kinds whose one-value mutation mock rejected on every backend");
    for (i, n) in notes.iter().enumerate() {
        println!("[{}] {n}", i + 1);
    }
    failures
}

/// An op listed with [`onnx::FLOAT_ONLY`]: a model with its input and expected float output.
struct FloatOnly {
    model: Vec<u8>,
    input: Tensor,
    want: Tensor,
}

/// The test model for an op that has a float meaning but no circuit, or `None` (a failure).
fn float_only_case(op: &str) -> Option<FloatOnly> {
    // Channel 0 counts up 0..9, channel 1 down 8..0: they tie at the middle position.
    let x: Vec<f64> = (0..9).chain((0..9).rev()).map(f64::from).collect();
    let input = Tensor::new(vec![1, 2, 3, 3], x);
    Some(match op {
        // Over the channels (a negative axis), the tie goes to the last index.
        "ArgMax" => FloatOnly {
            model: M::unary(
                "ArgMax",
                vec![int("axis", -3), int("keepdims", 0), int("select_last_index", 1)],
            )
            .bytes(),
            input,
            want: Tensor::new(vec![1, 3, 3], vec![1., 1., 1., 1., 1., 0., 0., 0., 0.]),
        },
        // Over the rows, keeping the axis: channel 0 is smallest in row 0, channel 1 in row 2.
        "ArgMin" => FloatOnly {
            model: M::unary("ArgMin", vec![int("axis", 2)]).bytes(),
            input,
            want: Tensor::new(vec![1, 2, 1, 3], vec![0., 0., 0., 2., 2., 2.]),
        },
        // The two largest of each row (axis -1), values output.
        "TopK" => FloatOnly {
            model: M::new()
                .x()
                .init_i64("k", &[2])
                .node("TopK", &["x", "k"], &["y", "i"], vec![])
                .output("y")
                .bytes(),
            input,
            want: Tensor::new(vec![1, 2, 3, 2], vec![2., 1., 5., 4., 8., 7., 8., 7., 5., 4., 2., 1.]),
        },
        // Linear, align_corners: the corners, the centre and halfway between two pixels.
        "GridSample" => FloatOnly {
            model: M::new()
                .opset(20)
                .x()
                .init("grid", &[1, 2, 2, 2], &[-1.0, -1.0, 1.0, 1.0, 0.0, 0.0, 0.5, 0.0])
                .node("GridSample", &["x", "grid"], &["y"], vec![int("align_corners", 1)])
                .output("y")
                .bytes(),
            input,
            want: Tensor::new(vec![1, 2, 2, 2], vec![0., 8., 4., 4.5, 8., 0., 4., 3.5]),
        },
        // One region over each channel's 3×3 image (half_pixel: pixels -0.5..2.5), one bin, one
        // sample at its centre (1, 1): the middle pixel.
        "RoiAlign" => FloatOnly {
            model: {
                let mut m = M::new().x().init("rois", &[1, 4], &[0.0, 0.0, 3.0, 3.0]);
                m.inits.push(i64_shaped("b", &[1], &[0]));
                m.node("RoiAlign", &["x", "rois", "b"], &["y"], vec![int("sampling_ratio", 1)])
                    .output("y")
                    .bytes()
            },
            input,
            want: Tensor::new(vec![1, 2, 1, 1], vec![4.0, 4.0]),
        },
        "RNN" | "GRU" | "LSTM" => recurrent(op),
        _ => return logic_float_only_case(op, input),
    })
}

/// One hidden unit over three steps of a 1-wide input, by the recurrences written out
/// (ONNX's equations with zero biases and initial states, default activations).
fn recurrent(op: &str) -> FloatOnly {
    use zkc_ir::Activation;
    let xs = [0.5, -1.0, 2.0];
    let gates = match op {
        "RNN" => 1,
        "GRU" => 3,
        _ => 4,
    };
    let w: Vec<f32> = [0.5, -0.75, 1.0, 0.25][..gates].to_vec();
    let r: Vec<f32> = [-0.5, 0.5, 0.75, -0.25][..gates].to_vec();
    let model = M::new()
        .input("x", &[3, 1, 1])
        .init("w", &[1, gates, 1], &w)
        .init("r", &[1, gates, 1], &r)
        .node(op, &["x", "w", "r"], &["y"], vec![int("hidden_size", 1)])
        .output("y")
        .bytes();
    let (w, r): (Vec<f64>, Vec<f64>) = (
        w.iter().map(|&v| v.into()).collect(),
        r.iter().map(|&v| v.into()).collect(),
    );
    let sig = |v: f64| Activation::Sigmoid.apply(v);
    let (mut h, mut c) = (0.0f64, 0.0f64);
    let mut ys = Vec::new();
    for x in xs {
        // Gate k's input: W·x + Wb + (R·h + Rb), as the reference evaluates it.
        let pre = |k: usize, hh: f64| (w[k] * x + 0.0) + (r[k] * hh + 0.0);
        h = match op {
            "RNN" => pre(0, h).tanh(),
            "GRU" => {
                let z = sig(pre(0, h));
                let rg = sig(pre(1, h));
                let n = pre(2, h * rg).tanh();
                (1.0 - z) * n + z * h
            }
            _ => {
                let i = sig(pre(0, h) + 0.0 * c);
                let f = sig(pre(2, h) + 0.0 * c);
                c = f * c + i * pre(3, h).tanh();
                sig(pre(1, h) + 0.0 * c) * c.tanh()
            }
        };
        ys.push(h);
    }
    FloatOnly {
        model,
        input: Tensor::new(vec![3, 1, 1], xs.to_vec()),
        want: Tensor::new(vec![3, 1, 1, 1], ys),
    }
}

/// A float-only op imports, matches `want` in float, and every backend refuses to compile it
/// with an error naming the node, the op and the missing circuit.
fn check_float_only(op: &str, c: &FloatOnly, backends: &[&str]) -> Result<(), String> {
    let g = onnx::import(&c.model, &onnx::ImportOptions::default()).map_err(|e| format!("import: {e}"))?;
    let got = g
        .run(std::slice::from_ref(&c.input))
        .map_err(|e| format!("float run: {e}"))?;
    if got[0] != c.want {
        return Err(format!("float: got {:?}, expected {:?}", got[0], c.want));
    }
    let node = &g
        .nodes
        .iter()
        .find(|n| n.onnx_op == op)
        .ok_or("no node in the graph")?
        .name;
    for b in backends {
        match pipeline::compile(
            &g,
            std::slice::from_ref(&vec![c.input.clone()]),
            QuantConfig::default(),
            b,
        ) {
            Ok(_) => return Err(format!("{b}: compiles, but it is listed as float only")),
            Err(e) => {
                let e = e.to_string();
                if !(e.contains(node.as_str()) && e.contains(op) && e.contains("no circuit yet")) {
                    return Err(format!(
                        "{b}: the refusal does not name node `{node}`, {op} and the missing circuit: {e}"
                    ));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn every_supported_op_mocks_on_every_backend_and_sampled_ops_prove() {
    let backends = prover::available();
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    let mut float_only = Vec::new();
    for &entry in onnx::SUPPORTED_OPS {
        let op = onnx::op_type_of(entry);
        if op != entry {
            match float_only_case(op) {
                Some(c) => float_only.push((op, check_float_only(op, &c, backends))),
                None => missing.push(op),
            }
            continue;
        }
        match case(op) {
            Some(c) => rows.push(row(op, &c, backends)),
            None => missing.push(op),
        }
    }
    let mut failures = print_matrix(&rows, backends);
    for (op, r) in float_only {
        match r {
            Ok(()) => println!("{op:<18} float only: runs in float; every backend refuses it naming the node"),
            Err(e) => {
                println!("{op:<18} FAIL {e}");
                failures.push(format!("{op} (float only): {e}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ops in SUPPORTED_OPS without an entry in `case` (tests/tests/op_matrix.rs): {missing:?}; add a tiny model for each"
    );
    assert!(failures.is_empty(), "op matrix failures:\n{}", failures.join("\n"));
    for &(op, backend, ..) in KNOWN {
        assert!(
            onnx::SUPPORTED_OPS.contains(&op) && backends.contains(&backend),
            "stale KNOWN entry {op} on {backend}"
        );
    }
    for op in PROVED {
        assert!(onnx::SUPPORTED_OPS.contains(op), "sampled op {op} is not supported");
    }
}

// ---------------------------------------------------------------------------------------------
// Comparisons, logic, elementwise math, the extra reductions, OneHot, Trilu and CumSum.

/// `x` compared with a constant row `c` (broadcast), then `op` of that and `x < 0.5`: both
/// logic operands are 0/1 values computed in the circuit.
fn logic_of_comparisons(op: &str) -> Case {
    circuit(
        M::new()
            .x()
            .weight("c", &[3], 30)
            .init("h", &[], &[0.5])
            .node("Greater", &["x", "c"], &["p"], vec![])
            .node("Less", &["x", "h"], &["q"], vec![])
            .node(op, &["p", "q"], &["y"], vec![])
            .output("y"),
    )
}

/// `f(x)` for one of the [`zkc_ir::ops::MathFn`] tables, on inputs drawn from `domain`.
fn math(op: &str, domain: (f64, f64)) -> Case {
    Case {
        domain,
        ..circuit(M::unary(op, vec![]))
    }
}

/// A Reduce* over axes 1 and 3 (opset 17: axes as an attribute), without keepdims.
fn reduce(op: &str) -> Case {
    circuit(M::unary(op, vec![ints("axes", &[1, -1]), int("keepdims", 0)]))
}

fn logic_case(op: &str) -> Option<Case> {
    Some(match op {
        // Of two witnesses, of a witness and a constant, and of x and relu(x) (equal exactly
        // where x ≥ 0, so both answers occur).
        "Equal" => Case {
            extra: Some(comparisons_are_exact_one_unit_apart),
            ..circuit(
                M::new()
                    .x()
                    .node("Relu", &["x"], &["r"], vec![])
                    .node("Equal", &["x", "r"], &["y"], vec![])
                    .output("y"),
            )
        },
        "Less" | "Greater" | "LessOrEqual" | "GreaterOrEqual" => circuit(
            M::new()
                .x()
                .input("z", &[3])
                .weight("c", &[2, 1, 1], 31)
                .node(op, &["x", "z"], &["a"], vec![])
                .node(op, &["c", "x"], &["b"], vec![])
                .output("a")
                .output("b"),
        ),
        "And" | "Or" | "Xor" => logic_of_comparisons(op),
        "Not" => circuit(
            M::new()
                .x()
                .init("h", &[], &[0.25])
                .node("Greater", &["x", "h"], &["p"], vec![])
                .node("Not", &["p"], &["y"], vec![])
                .output("y"),
        ),
        // A computed condition selecting between a witness and a broadcast constant, and a
        // witness condition (x itself: true where x ≠ 0) between two witnesses.
        "Where" => circuit(
            M::new()
                .x()
                .input("z", &[3])
                .weight("c", &[2, 1, 1], 32)
                .node("Greater", &["x", "z"], &["p"], vec![])
                .node("Where", &["p", "x", "c"], &["a"], vec![])
                .node("Where", &["x", "z", "x"], &["b"], vec![])
                .output("a")
                .output("b"),
        ),
        "Sign" => Case {
            extra: Some(sign_is_exact_at_and_next_to_zero),
            ..circuit(M::unary("Sign", vec![]))
        },
        "Binarizer" => {
            let mut m = M::unary("Binarizer", vec![float("threshold", 0.25)]);
            m.nodes[0].domain = "ai.onnx.ml".into();
            circuit(m)
        }
        "Shrink" => circuit(M::unary("Shrink", vec![float("lambd", 0.3), float("bias", 0.1)])),
        "Celu" => circuit(M::unary("Celu", vec![float("alpha", 0.8)]).opset(12)),
        "Sin" | "Cos" | "Atan" | "Cosh" | "Asinh" | "Asin" | "Acos" => math(op, (-1.0, 1.0)),
        // Calibrated to |x| ≤ 1 (a power of two over twice the largest input): the table of
        // tan stays away from its poles at ±π/2, and sinh(1) fits plonky2's 16-bit outputs.
        "Tan" | "Sinh" => math(op, (-0.35, 0.35)),
        // Away from the infinities at ±1.
        "Atanh" => math(op, (-0.9, 0.9)),
        "Acosh" => math(op, (1.0, 3.0)),
        "ReduceMin" | "ReduceL1" | "ReduceL2" | "ReduceSumSquare" | "ReduceLogSumExp" | "ReduceProd" => reduce(op),
        "ReduceLogSum" => positive(M::unary(op, vec![ints("axes", &[2]), int("keepdims", 1)])),
        // Float indices (truncated) in [-4, 4) with depth 3: negative ones wrap, 3 matches none.
        "OneHot" => Case {
            domain: (-4.0, 4.0),
            ..circuit(
                M::new()
                    .input("i", &[2, 3])
                    .init("depth", &[], &[3.0])
                    .init("values", &[2], &[-1.0, 2.0])
                    .node("OneHot", &["i", "depth", "values"], &["y"], vec![int("axis", 1)])
                    .output("y"),
            )
        },
        // By a constant of either sign, in both conventions; a witness divisor is refused.
        "Mod" => Case {
            form: "constant divisor in circuit; runtime divisor refused",
            domain: (-3.0, 3.0),
            extra: Some(mod_is_exact_and_refuses_a_witness_divisor),
            ..circuit(
                M::new()
                    .x()
                    .init("d", &[2, 1, 1], &[0.75, -1.5])
                    .node("Mod", &["x", "d"], &["a"], vec![])
                    .node("Mod", &["x", "d"], &["b"], vec![int("fmod", 1)])
                    .output("a")
                    .output("b"),
            )
        },
        "Trilu" => circuit(
            M::new()
                .x()
                .init_i64("k", &[1])
                .node("Trilu", &["x", "k"], &["y"], vec![int("upper", 0)])
                .output("y"),
        ),
        "CumSum" => circuit(
            M::new()
                .x()
                .init_i64("axis", &[2])
                .node(
                    "CumSum",
                    &["x", "axis"],
                    &["y"],
                    vec![int("exclusive", 1), int("reverse", 1)],
                )
                .output("y"),
        ),
        _ => return None,
    })
}

/// `model` on the input row `xs` gives exactly `want` in fixed point on every backend.
fn exact_model(what: &str, model: Vec<u8>, xs: &[f64], want: &[f64]) -> Result<(), String> {
    let g = onnx::import(&model, &onnx::ImportOptions::default()).map_err(|e| e.to_string())?;
    let x = vec![Tensor::new(vec![1, xs.len()], xs.to_vec())];
    for &backend in prover::available() {
        let be = prover::backend(backend).map_err(|e| e.to_string())?;
        let compiled = pipeline::compile(&g, std::slice::from_ref(&x), QuantConfig::default(), backend)
            .map_err(|e| format!("{what} on {backend}: compile: {e}"))?;
        let trace = pipeline::witness(&compiled, &x).map_err(|e| format!("{what} on {backend}: witness: {e}"))?;
        be.mock(&compiled.program, &trace)
            .map_err(|e| format!("{what} on {backend}: mock: {e}"))?;
        let got = &pipeline::outputs(&compiled, &trace)[0].data;
        if got.as_slice() != want {
            return Err(format!("{what} on {backend} of {xs:?}: got {got:?}, want {want:?}"));
        }
    }
    Ok(())
}

fn sign_is_exact_at_and_next_to_zero() -> Result<(), String> {
    exact_steps("Sign", &[-1.0, -ULP, 0.0, ULP, 0.75], &[-1.0, -1.0, 0.0, 1.0, 1.0])
}

/// Each comparison with the constant 0.5 at, and one unit either side of, 0.5.
fn comparisons_are_exact_one_unit_apart() -> Result<(), String> {
    let xs = [0.5 - ULP, 0.5, 0.5 + ULP];
    for (op, want) in [
        ("Equal", [0.0, 1.0, 0.0]),
        ("Less", [1.0, 0.0, 0.0]),
        ("Greater", [0.0, 0.0, 1.0]),
        ("LessOrEqual", [1.0, 1.0, 0.0]),
        ("GreaterOrEqual", [0.0, 1.0, 1.0]),
    ] {
        let m = M::new()
            .input("x", &[1, 3])
            .init("h", &[], &[0.5])
            .node(op, &["x", "h"], &["y"], vec![])
            .output("y")
            .bytes();
        exact_model(op, m, &xs, &want)?;
    }
    Ok(())
}

/// Mod by 0.75 is exact in fixed point in both conventions (the values are representable),
/// and Mod whose divisor is a model input cannot be in a circuit: compiling says so.
fn mod_is_exact_and_refuses_a_witness_divisor() -> Result<(), String> {
    let xs = [-1.0, -0.75, 0.5, 2.0];
    for (fmod, want) in [(0, [0.5, 0.0, 0.5, 0.5]), (1, [-0.25, 0.0, 0.5, 0.5])] {
        let m = M::new()
            .input("x", &[1, 4])
            .init("d", &[], &[0.75])
            .node("Mod", &["x", "d"], &["y"], vec![int("fmod", fmod)])
            .output("y")
            .bytes();
        exact_model("Mod", m, &xs, &want)?;
    }
    let m = M::new()
        .x()
        .input("d", &[3])
        .node("Mod", &["x", "d"], &["y"], vec![])
        .output("y")
        .bytes();
    let g = onnx::import(&m, &onnx::ImportOptions::default()).map_err(|e| e.to_string())?;
    let x = vec![inputs(&g, (1.0, 2.0), 1)];
    for &backend in prover::available() {
        match pipeline::compile(&g, &x, QuantConfig::default(), backend) {
            Ok(_) => return Err(format!("Mod by a witness divisor compiles on {backend}")),
            Err(e) if e.to_string().contains("divisor computed at run time") => {}
            Err(e) => return Err(format!("Mod by a witness divisor on {backend}: unexpected error {e}")),
        }
    }
    Ok(())
}

fn logic_float_only_case(op: &str, input: Tensor) -> Option<FloatOnly> {
    let finite_zeros = Tensor::new(vec![1, 2, 3, 3], vec![0.0; 18]);
    Some(match op {
        // Along the rows: channel 0 rises (last is largest), channel 1 falls (first is).
        "Hardmax" => FloatOnly {
            model: M::unary("Hardmax", vec![]).opset(13).bytes(),
            input,
            want: Tensor::new(
                vec![1, 2, 3, 3],
                vec![0., 0., 1., 0., 0., 1., 0., 0., 1., 1., 0., 0., 1., 0., 0., 1., 0., 0.],
            ),
        },
        // A witness is never NaN or infinite: on finite inputs both are 0 everywhere (the IR
        // tests cover NaN and ±∞).
        "IsNaN" => FloatOnly {
            model: M::unary("IsNaN", vec![]).bytes(),
            input,
            want: finite_zeros,
        },
        "IsInf" => FloatOnly {
            model: M::unary("IsInf", vec![int("detect_negative", 0)]).bytes(),
            input,
            want: finite_zeros,
        },
        _ => return None,
    })
}
