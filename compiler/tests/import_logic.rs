//! Comparisons, logic, the extra reductions, Hardmax, OneHot, Trilu and CumSum: each imported
//! from a tiny model and run in float against ONNX's node-test examples
//! (`onnx/backend/test/case/node/*.py`) or values computed independently with numpy. Their
//! circuits are checked on every backend by `tests/tests/op_matrix.rs`.

use onnx_protobuf::{
    attribute_proto::AttributeType, AttributeProto, GraphProto, NodeProto, TensorProto, ValueInfoProto,
};
mod common;

use common::{int_attr as int, ints_attr as ints, model_bytes, t, typed_value_info};
use zkc_compiler::onnx;
use zkc_ir::Tensor;

/// A one-graph model: typed inputs, initializers, nodes; opset 17 unless changed.
struct M {
    inputs: Vec<ValueInfoProto>,
    inits: Vec<TensorProto>,
    nodes: Vec<NodeProto>,
    opset: i64,
}

impl M {
    fn new() -> Self {
        M {
            inputs: vec![],
            inits: vec![],
            nodes: vec![],
            opset: 17,
        }
    }

    fn opset(mut self, v: i64) -> Self {
        self.opset = v;
        self
    }

    /// A float input.
    fn input(mut self, name: &str, dims: &[usize]) -> Self {
        self.inputs.push(typed_value_info(name, dims, 1));
        self
    }

    /// An int64 input.
    fn int_input(mut self, name: &str, dims: &[usize]) -> Self {
        self.inputs.push(typed_value_info(name, dims, 7));
        self
    }

    fn ints(mut self, name: &str, dims: &[usize], v: &[i64]) -> Self {
        let mut t = TensorProto::new();
        t.name = name.into();
        t.dims = dims.iter().map(|&d| d as i64).collect();
        t.data_type = 7; // INT64
        t.int64_data = v.to_vec();
        self.inits.push(t);
        self
    }

    fn floats(mut self, name: &str, dims: &[usize], v: &[f32]) -> Self {
        let mut t = TensorProto::new();
        t.name = name.into();
        t.dims = dims.iter().map(|&d| d as i64).collect();
        t.data_type = 1; // FLOAT
        t.float_data = v.to_vec();
        self.inits.push(t);
        self
    }

    fn node(mut self, op: &str, ins: &[&str], attrs: Vec<AttributeProto>) -> Self {
        let mut n = NodeProto::new();
        n.op_type = op.into();
        n.name = format!("my_{}", op.to_lowercase());
        n.input = ins.iter().map(|s| s.to_string()).collect();
        n.output = vec!["y".into()];
        n.attribute = attrs;
        self.nodes.push(n);
        self
    }

    /// Imports the model with output `y`.
    fn import(self) -> Result<zkc_ir::Graph, String> {
        let mut g = GraphProto::new();
        g.input = self.inputs;
        g.initializer = self.inits;
        g.node = self.nodes;
        let mut y = ValueInfoProto::new();
        y.name = "y".into();
        g.output = vec![y];
        onnx::import(&model_bytes(g, self.opset), &onnx::ImportOptions::default()).map_err(|e| e.to_string())
    }

    /// Imports and runs on `inputs`: the output's shape and values.
    fn run(self, inputs: &[Tensor]) -> (Vec<usize>, Vec<f64>) {
        let g = self.import().expect("imports");
        let y = g.run(inputs).expect("float run").remove(0);
        (y.shape, y.data)
    }
}

fn close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (a, b) in got.iter().zip(want) {
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{got:?} vs {want:?}");
    }
}

/// [[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]], ONNX's reduce example data.
fn cube() -> Tensor {
    t(&[3, 2, 2], &(1..=12).map(f64::from).collect::<Vec<_>>())
}

#[test]
fn reduce_prod_matches_onnx_examples_and_products_of_odd_lengths() {
    // reduce_prod.py, "keepdims" (axes [1]) and "default_axes_keepdims" (all axes).
    let m = || M::new().opset(18).input("x", &[3, 2, 2]);
    let (s, y) = m()
        .ints("axes", &[1], &[1])
        .node("ReduceProd", &["x", "axes"], vec![])
        .run(&[cube()]);
    assert_eq!((s, y), (vec![3, 1, 2], vec![3.0, 8.0, 35.0, 48.0, 99.0, 120.0]));
    let (s, y) = m().node("ReduceProd", &["x"], vec![]).run(&[cube()]);
    assert_eq!((s, y), (vec![1, 1, 1], vec![479_001_600.0]));
    // Axes 0 and 2, without keepdims: the tree over n = 6 (3 levels, an odd carry on the way).
    let (s, y) = m()
        .ints("axes", &[2], &[0, 2])
        .node("ReduceProd", &["x", "axes"], vec![int("keepdims", 0)])
        .run(&[cube()]);
    assert_eq!(
        (s, y),
        (
            vec![2],
            vec![1.0 * 2.0 * 5.0 * 6.0 * 9.0 * 10.0, 3.0 * 4.0 * 7.0 * 8.0 * 11.0 * 12.0]
        )
    );
    // Lengths 1 to 7 against the product computed directly; opset 13 (axes as an attribute).
    for n in 1..=7usize {
        let x: Vec<f64> = (0..n)
            .map(|i| 1.0 + 0.5 * i as f64 * if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let (s, y) = M::new()
            .opset(13)
            .input("x", &[n])
            .node("ReduceProd", &["x"], vec![ints("axes", &[0]), int("keepdims", 0)])
            .run(&[t(&[n], &x)]);
        assert_eq!(s, Vec::<usize>::new());
        close(&y, &[x.iter().product()]);
    }
}

#[test]
fn reduce_prod_of_an_empty_axis_is_one_and_of_no_axes_the_identity() {
    // A graph input cannot declare a dimension 0 (it reads as symbolic): an empty initializer.
    let (s, y) = M::new()
        .opset(18)
        .floats("x", &[2, 0, 4], &[])
        .ints("axes", &[1], &[1])
        .node("ReduceProd", &["x", "axes"], vec![])
        .run(&[]);
    assert_eq!((s, y), (vec![2, 1, 4], vec![1.0; 8]));
    let (s, y) = M::new()
        .opset(18)
        .input("x", &[3, 2, 2])
        .node("ReduceProd", &["x"], vec![int("noop_with_empty_axes", 1)])
        .run(&[cube()]);
    assert_eq!((s, y), (vec![3, 2, 2], cube().data));
}

#[test]
fn reduce_min_l1_l2_sum_square_and_log_sum_match_numpy() {
    let signs = [1.0, -1.0, 1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0];
    let x = t(
        &[3, 2, 2],
        &cube().data.iter().zip(signs).map(|(a, s)| a * s).collect::<Vec<_>>(),
    );
    let run = |op: &str, axes: &[i64]| {
        M::new()
            .opset(13)
            .input("x", &[3, 2, 2])
            .node(op, &["x"], vec![ints("axes", axes), int("keepdims", 0)])
            .run(std::slice::from_ref(&x))
    };
    assert_eq!(run("ReduceMin", &[0, 2]), (vec![2], vec![-5.0, -11.0]));
    assert_eq!(
        run("ReduceL1", &[-1]),
        (vec![3, 2], vec![3.0, 7.0, 11.0, 15.0, 19.0, 23.0])
    );
    let (s, y) = run("ReduceL2", &[1, 2]);
    assert_eq!(s, vec![3]);
    close(
        &y,
        &[5.477_225_575_051_661, 13.190_905_958_272_92, 21.118_712_081_942_874],
    );
    assert_eq!(
        run("ReduceSumSquare", &[0]),
        (vec![2, 2], vec![107.0, 140.0, 179.0, 224.0])
    );
    let (_, y) = M::new()
        .opset(13)
        .input("x", &[3, 2, 2])
        .node("ReduceLogSum", &["x"], vec![])
        .run(&[cube()]);
    close(&y, &[4.356_708_826_689_592]); // ln 78
}

#[test]
fn reduce_log_sum_exp_is_the_stable_form_of_onnx_example() {
    // reduce_log_sum_exp.py, "keepdims" (axes [1]): log(e^5 + e^20), log(e + e^2), ...
    let d = [5.0, 1.0, 20.0, 2.0, 30.0, 1.0, 40.0, 2.0, 55.0, 1.0, 60.0, 2.0];
    let want = [
        20.000_000_305_902_272,
        2.313_261_687_518_222_6,
        40.000_045_398_899_22,
        2.313_261_687_518_222_6,
        60.006_715_348_489_12,
        2.313_261_687_518_222_6,
    ];
    for keepdims in [1, 0] {
        let (s, y) = M::new()
            .opset(18)
            .input("x", &[3, 2, 2])
            .ints("axes", &[1], &[1])
            .node("ReduceLogSumExp", &["x", "axes"], vec![int("keepdims", keepdims)])
            .run(&[t(&[3, 2, 2], &d)]);
        assert_eq!(s, if keepdims == 1 { vec![3, 1, 2] } else { vec![3, 2] });
        close(&y, &want);
    }
    // Far beyond where e^x overflows an f64, the shift keeps it finite: 1000 + ln 2.
    let (_, y) = M::new()
        .input("x", &[2])
        .node("ReduceLogSumExp", &["x"], vec![int("keepdims", 0)])
        .run(&[t(&[2], &[1000.0, 1000.0])]);
    close(&y, &[1000.0 + std::f64::consts::LN_2]);
}

#[test]
fn hardmax_marks_the_first_maximum_along_the_axis() {
    // hardmax.py, "example" and "one_hot" (ties go to the first).
    let x = t(
        &[4, 4],
        &[3., 0., 1., 2., 2., 5., 1., 0., 0., 1., 3., 2., 0., 1., 2., 3.],
    );
    let (_, y) = M::new()
        .opset(13)
        .input("x", &[4, 4])
        .node("Hardmax", &["x"], vec![])
        .run(&[x]);
    let want: Vec<f64> = (0..16).map(|i| f64::from(i % 5 == 0)).collect();
    assert_eq!(y, want);
    let (_, y) = M::new()
        .opset(13)
        .input("x", &[1, 1, 4])
        .node("Hardmax", &["x"], vec![])
        .run(&[t(&[1, 1, 4], &[1., 1., 1., 0.])]);
    assert_eq!(y, [1., 0., 0., 0.]);
    // Opset 11 coerces to 2-D at axis 1: over the last two axes together.
    let (s, y) = M::new()
        .opset(11)
        .input("x", &[2, 2, 2])
        .node("Hardmax", &["x"], vec![])
        .run(&[t(&[2, 2, 2], &[1., 4., 2., 3., 9., 0., 9., 8.])]);
    assert_eq!((s, y), (vec![2, 2, 2], vec![0., 1., 0., 0., 1., 0., 0., 0.]));
}

#[test]
fn one_hot_matches_onnx_examples() {
    let m = |axis: i64, n: usize| {
        M::new()
            .int_input("i", &[n])
            .floats("depth", &[], &[5.0])
            .floats("values", &[2], &[1.0, 3.0])
            .node("OneHot", &["i", "depth", "values"], vec![int("axis", axis)])
    };
    // onehot.py, "with_out_of_range_indices": [5, -6, -1] with depth 5.
    let (s, y) = m(1, 3).run(&[t(&[3], &[5.0, -6.0, -1.0])]);
    assert_eq!(s, vec![3, 5]);
    let mut want = vec![1.0; 15];
    want[14] = 3.0;
    assert_eq!(y, want);
    // Negative in range and axis 0: [0, -2] → columns 0 and 3.
    let (s, y) = m(0, 2).run(&[t(&[2], &[0.0, -2.0])]);
    assert_eq!((s, y), (vec![5, 2], vec![3., 1., 1., 1., 1., 1., 1., 3., 1., 1.]));
    // Float indices are truncated toward zero, as the spec's cast to int does.
    let (_, y) = M::new()
        .input("i", &[2])
        .floats("depth", &[1], &[3.0])
        .floats("values", &[2], &[0.0, 1.0])
        .node("OneHot", &["i", "depth", "values"], vec![])
        .run(&[t(&[2], &[1.7, 2.2])]);
    assert_eq!(y, [0., 1., 0., 0., 0., 1.]);
}

#[test]
fn trilu_keeps_a_triangle_and_zeroes_the_rest_exactly() {
    // trilu.py, "triu_one_row" style: upper with k = 1 on a 3×4 matrix, lower with k = -1.
    let x = t(&[3, 4], &[1., 2., 3., 4., 5., 6., 7., f64::INFINITY, 9., 10., 11., 12.]);
    let run = |upper: i64, k: i64| {
        M::new()
            .input("x", &[3, 4])
            .ints("k", &[], &[k])
            .node("Trilu", &["x", "k"], vec![int("upper", upper)])
            .run(std::slice::from_ref(&x))
            .1
    };
    assert_eq!(run(1, 1), [0., 2., 3., 4., 0., 0., 7., f64::INFINITY, 0., 0., 0., 12.]);
    assert_eq!(run(0, -1), [0., 0., 0., 0., 5., 0., 0., 0., 9., 10., 0., 0.]);
    // The default k = 0, upper.
    let (_, y) = M::new()
        .input("x", &[2, 2])
        .node("Trilu", &["x"], vec![])
        .run(&[t(&[2, 2], &[1., 2., 3., 4.])]);
    assert_eq!(y, [1., 2., 0., 4.]);
}

#[test]
fn cum_sum_matches_onnx_examples() {
    let x = t(&[5], &[1., 2., 3., 4., 5.]);
    let run = |exclusive: i64, reverse: i64| {
        M::new()
            .input("x", &[5])
            .ints("axis", &[], &[0])
            .node(
                "CumSum",
                &["x", "axis"],
                vec![int("exclusive", exclusive), int("reverse", reverse)],
            )
            .run(std::slice::from_ref(&x))
            .1
    };
    // cumsum.py: 1d, 1d_exclusive, 1d_reverse, 1d_reverse_exclusive.
    assert_eq!(run(0, 0), [1., 3., 6., 10., 15.]);
    assert_eq!(run(1, 0), [0., 1., 3., 6., 10.]);
    assert_eq!(run(0, 1), [15., 14., 12., 9., 5.]);
    assert_eq!(run(1, 1), [14., 12., 9., 5., 0.]);
    // cumsum.py, 2d_axis_0 and 2d_negative_axis.
    let x = t(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    let run = |axis: i64| {
        M::new()
            .input("x", &[2, 3])
            .ints("axis", &[1], &[axis])
            .node("CumSum", &["x", "axis"], vec![])
            .run(std::slice::from_ref(&x))
            .1
    };
    assert_eq!(run(0), [1., 2., 3., 5., 7., 9.]);
    assert_eq!(run(-1), [1., 3., 6., 4., 9., 15.]);
}

#[test]
fn comparisons_logic_not_where_and_mod_import() {
    let two = || M::new().input("a", &[4]).input("b", &[4]);
    let a = t(&[4], &[1.0, -2.0, 3.0, 0.0]);
    let b = t(&[4], &[1.0, 2.0, -3.0, 0.5]);
    let run = |op: &str| two().node(op, &["a", "b"], vec![]).run(&[a.clone(), b.clone()]).1;
    assert_eq!(run("Equal"), [1., 0., 0., 0.]);
    assert_eq!(run("Less"), [0., 1., 0., 1.]);
    assert_eq!(run("GreaterOrEqual"), [1., 0., 1., 0.]);
    assert_eq!(run("And"), [1., 1., 1., 0.]);
    assert_eq!(run("Xor"), [0., 0., 0., 1.]);
    let (_, y) = M::new()
        .input("a", &[4])
        .node("Not", &["a"], vec![])
        .run(std::slice::from_ref(&a));
    assert_eq!(y, [0., 0., 0., 1.]);
    let (_, y) = M::new()
        .input("c", &[4])
        .input("a", &[4])
        .input("b", &[4])
        .node("Where", &["c", "a", "b"], vec![])
        .run(&[t(&[4], &[1., 0., 1., 0.]), a.clone(), b.clone()]);
    assert_eq!(y, [1.0, 2.0, 3.0, 0.5]);
    let (_, y) = two()
        .node("Mod", &["a", "b"], vec![int("fmod", 1)])
        .run(&[a.clone(), b.clone()]);
    assert_eq!(y, [0.0, -0.0, 0.0, 0.0]);
    let (_, y) = two()
        .node("Mod", &["a", "b"], vec![])
        .run(&[t(&[4], &[3.0, -3.0, 2.0, 5.0]), t(&[4], &[7.0, 7.0, -7.0, -2.0])]);
    assert_eq!(y, [3.0, 4.0, -5.0, -1.0]);
}

#[test]
fn constant_operands_that_are_missing_or_computed_are_refused_naming_the_node() {
    let e = M::new()
        .input("i", &[3])
        .input("d", &[1])
        .floats("values", &[2], &[0.0, 1.0])
        .node("OneHot", &["i", "d", "values"], vec![])
        .import()
        .unwrap_err();
    assert!(
        e.contains("my_onehot") && e.contains("depth") && e.contains("constant"),
        "{e}"
    );
    let e = M::new()
        .input("x", &[3])
        .input("axis", &[1])
        .node("CumSum", &["x", "axis"], vec![])
        .import()
        .unwrap_err();
    assert!(e.contains("my_cumsum") && e.contains("axis"), "{e}");
    let e = M::new()
        .input("x", &[3])
        .node("Trilu", &["x"], vec![])
        .import()
        .unwrap_err();
    assert!(e.contains("my_trilu") && e.contains("rank ≥ 2"), "{e}");
    let e = M::new()
        .input("x", &[3])
        .node(
            "Celu",
            &["x"],
            vec![{
                let mut a = AttributeProto::new();
                a.name = "alpha".into();
                a.type_ = AttributeType::FLOAT.into();
                a.f = 0.0;
                a
            }],
        )
        .import()
        .unwrap_err();
    assert!(e.contains("my_celu") && e.contains("alpha = 0"), "{e}");
}

#[test]
fn cast_like_takes_the_element_type_of_computed_values() {
    // The target of a CastLike computed inside the graph: a comparison (bool: a constant
    // becomes x ≠ 0) and a ConstantOfShape (float by default: the identity).
    let mut m = M::new().input("x", &[2]).floats("c", &[2], &[1.5, 0.0]);
    for (op, ins, out) in [
        ("Equal", &["x", "x"][..], "e"),
        ("CastLike", &["c", "e"][..], "cb"),
        ("Shape", &["x"][..], "s"),
        ("ConstantOfShape", &["s"][..], "z"),
        ("CastLike", &["x", "z"][..], "xz"),
        ("Add", &["xz", "cb"][..], "y"),
    ] {
        m = m.node(op, ins, vec![]);
        m.nodes.last_mut().unwrap().output = vec![out.into()];
        m.nodes.last_mut().unwrap().name = format!("my_{out}");
    }
    let (_, y) = m.run(&[t(&[2], &[0.25, -4.0])]);
    assert_eq!(y, [1.25, -4.0]);
}

#[test]
fn infinite_constants_are_refused_in_fixed_point_except_where_the_answer_is_fixed() {
    let x = vec![t(&[2], &[0.25, -0.5])];
    let compile = |m: M| {
        let g = m.import().expect("imports");
        zkc_compiler::pipeline::compile(&g, std::slice::from_ref(&x), Default::default(), "halo2")
            .map(|c| {
                let trace = zkc_compiler::pipeline::witness(&c, &x).expect("witness");
                zkc_compiler::pipeline::outputs(&c, &trace).remove(0).data
            })
            .map_err(|e| e.to_string())
    };
    // An additive -inf mask has no fixed-point value: refused, naming the node.
    let e = compile(
        M::new()
            .input("x", &[2])
            .floats("m", &[2], &[0.0, f32::NEG_INFINITY])
            .node("Add", &["x", "m"], vec![]),
    )
    .unwrap_err();
    assert!(e.contains("my_add") && e.contains("-inf"), "{e}");
    // A comparison with ±inf has the same answer for every finite witness.
    let y = compile(
        M::new()
            .input("x", &[2])
            .floats("m", &[2], &[f32::INFINITY, f32::NEG_INFINITY])
            .node("Less", &["x", "m"], vec![]),
    )
    .unwrap();
    assert_eq!(y, [1.0, 0.0]);
}
