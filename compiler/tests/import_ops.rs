//! ONNX ops that import as compositions of IR ops (sugar): each is imported from a tiny model
//! and run in float against the outputs of ONNX's own node tests
//! (`onnx/backend/test/case/node/*.py`) or values worked by hand. Their circuits are checked
//! on every backend by `tests/tests/op_matrix.rs`.

use onnx_protobuf::{AttributeProto, GraphProto, NodeProto, TensorProto};
mod common;

use common::{float_attr, int_attr, model_bytes, output_info, t, value_info};
use zkc_compiler::onnx;
use zkc_ir::Tensor;

/// A model: graph inputs with shapes, int64 initializers, nodes `(op, inputs, output, attrs)`.
struct M {
    inputs: Vec<(&'static str, Vec<usize>)>,
    ints: Vec<(&'static str, Vec<i64>)>,
    nodes: Vec<NodeProto>,
}

impl M {
    fn new(inputs: &[(&'static str, &[usize])]) -> Self {
        M {
            inputs: inputs.iter().map(|(n, s)| (*n, s.to_vec())).collect(),
            ints: vec![],
            nodes: vec![],
        }
    }

    fn ints(mut self, name: &'static str, v: &[i64]) -> Self {
        self.ints.push((name, v.to_vec()));
        self
    }

    fn node(mut self, op: &str, ins: &[&str], out: &str, attrs: Vec<AttributeProto>) -> Self {
        let mut n = NodeProto::new();
        n.op_type = op.into();
        n.name = format!("my_{}", op.to_lowercase());
        n.input = ins.iter().map(|s| s.to_string()).collect();
        n.output = vec![out.into()];
        n.attribute = attrs;
        self.nodes.push(n);
        self
    }

    /// Imports the model with `outs` as its outputs.
    fn import(self, outs: &[&str]) -> Result<zkc_ir::Graph, String> {
        let mut g = GraphProto::new();
        g.input = self.inputs.iter().map(|(n, s)| value_info(n, s)).collect();
        for (name, v) in self.ints {
            let mut t = TensorProto::new();
            t.name = name.into();
            t.dims = vec![v.len() as i64];
            t.data_type = 7; // INT64
            t.int64_data = v;
            g.initializer.push(t);
        }
        g.node = self.nodes;
        g.output = outs.iter().map(|o| output_info(o)).collect();
        onnx::import(&model_bytes(g, 17), &onnx::ImportOptions::default()).map_err(|e| e.to_string())
    }
}

fn run(g: &zkc_ir::Graph, inputs: &[Tensor]) -> Vec<Tensor> {
    g.run(inputs).expect("float run")
}

#[test]
fn sum_mean_max_min_of_three_inputs_match_onnx_examples() {
    // onnx/backend/test/case/node/{sum,mean,max,min}.py, "example".
    let ins = [("a", &[3][..]), ("b", &[3][..]), ("c", &[3][..])];
    let g = M::new(&ins)
        .node("Sum", &["a", "b", "c"], "sum", vec![])
        .node("Mean", &["a", "b", "c"], "mean", vec![])
        .node("Max", &["a", "b", "c"], "max", vec![])
        .node("Min", &["a", "b", "c"], "min", vec![])
        .import(&["sum", "mean", "max", "min"])
        .unwrap();
    let x = [
        t(&[3], &[3.0, 2.0, 1.0]),
        t(&[3], &[1.0, 4.0, 4.0]),
        t(&[3], &[2.0, 5.0, 3.0]),
    ];
    let out = run(&g, &x);
    assert_eq!(out[0].data, vec![6.0, 11.0, 8.0]);
    assert_eq!(out[1].data, vec![2.0, 11.0 / 3.0, 8.0 / 3.0]);
    assert_eq!(out[2].data, vec![3.0, 5.0, 4.0]);
    assert_eq!(out[3].data, vec![1.0, 2.0, 1.0]);
}

#[test]
fn variadic_ops_of_one_input_are_that_input() {
    for op in ["Sum", "Mean", "Max", "Min"] {
        let g = M::new(&[("a", &[3])])
            .node(op, &["a"], "y", vec![])
            .import(&["y"])
            .unwrap();
        assert_eq!(
            run(&g, &[t(&[3], &[3.0, -2.0, 1.5])])[0].data,
            vec![3.0, -2.0, 1.5],
            "{op}"
        );
    }
}

#[test]
fn variadic_ops_broadcast_every_input_against_the_others() {
    // [2, 1], [3] and [1]: the result is [2, 3]; worked by hand.
    let ins = [("a", &[2, 1][..]), ("b", &[3][..]), ("c", &[1][..])];
    let g = M::new(&ins)
        .node("Sum", &["a", "b", "c"], "sum", vec![])
        .node("Mean", &["a", "b", "c"], "mean", vec![])
        .node("Max", &["a", "b", "c"], "max", vec![])
        .node("Min", &["a", "b", "c"], "min", vec![])
        .import(&["sum", "mean", "max", "min"])
        .unwrap();
    let x = [t(&[2, 1], &[0.0, 6.0]), t(&[3], &[-3.0, 3.0, 9.0]), t(&[1], &[1.5])];
    let out = run(&g, &x);
    assert!(out.iter().all(|o| o.shape == vec![2, 3]));
    assert_eq!(out[0].data, vec![-1.5, 4.5, 10.5, 4.5, 10.5, 16.5]);
    assert_eq!(out[1].data, vec![-0.5, 1.5, 3.5, 1.5, 3.5, 5.5]);
    assert_eq!(out[2].data, vec![1.5, 3.0, 9.0, 6.0, 6.0, 9.0]);
    assert_eq!(out[3].data, vec![-3.0, 0.0, 0.0, -3.0, 1.5, 1.5]);
}

#[test]
fn expand_matches_onnx_examples() {
    // onnx/backend/test/case/node/expand.py: dim_changed ([3, 1] to [2, 1, 6] gives
    // [2, 3, 6]) and dim_unchanged ([3, 1] to [3, 4]).
    let g = M::new(&[("x", &[3, 1])])
        .ints("s1", &[2, 1, 6])
        .ints("s2", &[3, 4])
        .node("Expand", &["x", "s1"], "y1", vec![])
        .node("Expand", &["x", "s2"], "y2", vec![])
        .import(&["y1", "y2"])
        .unwrap();
    let out = run(&g, &[t(&[3, 1], &[1.0, 2.0, 3.0])]);
    assert_eq!(out[0].shape, vec![2, 3, 6]);
    let row = |v: f64| vec![v; 6];
    let plane: Vec<f64> = [row(1.0), row(2.0), row(3.0)].concat();
    assert_eq!(out[0].data, [plane.clone(), plane].concat());
    assert_eq!(out[1].shape, vec![3, 4]);
    assert_eq!(
        out[1].data,
        vec![1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0]
    );
    // Expand to a smaller rank keeps the input's shape (the broadcast of both).
    let g = M::new(&[("x", &[2, 3])])
        .ints("s", &[1])
        .node("Expand", &["x", "s"], "y", vec![])
        .import(&["y"])
        .unwrap();
    let x = t(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(run(&g, std::slice::from_ref(&x))[0], x);
}

#[test]
fn tile_matches_onnx_precomputed_example() {
    // onnx/backend/test/case/node/tile.py, "tile_precomputed".
    let g = M::new(&[("x", &[2, 2])])
        .ints("r", &[2, 2])
        .node("Tile", &["x", "r"], "y", vec![])
        .import(&["y"])
        .unwrap();
    let out = run(&g, &[t(&[2, 2], &[0.0, 1.0, 2.0, 3.0])]);
    assert_eq!(out[0].shape, vec![4, 4]);
    assert_eq!(
        out[0].data,
        vec![0.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 3.0, 0.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 3.0]
    );
    // One axis only: [1, 3] three times along axis 0, by hand.
    let g = M::new(&[("x", &[1, 3])])
        .ints("r", &[3, 1])
        .node("Tile", &["x", "r"], "y", vec![])
        .import(&["y"])
        .unwrap();
    let out = run(&g, &[t(&[1, 3], &[7.0, 8.0, 9.0])]);
    assert_eq!(out[0].shape, vec![3, 3]);
    assert_eq!(out[0].data, [7.0, 8.0, 9.0].repeat(3));
}

#[test]
fn space_to_depth_matches_onnx_example() {
    // onnx/backend/test/case/node/spacetodepth.py, "example": blocksize 2 on [1, 1, 4, 6].
    let x = [
        0.0, 6.0, 1.0, 7.0, 2.0, 8.0, 12.0, 18.0, 13.0, 19.0, 14.0, 20.0, 3.0, 9.0, 4.0, 10.0, 5.0, 11.0, 15.0, 21.0,
        16.0, 22.0, 17.0, 23.0,
    ];
    let g = M::new(&[("x", &[1, 1, 4, 6])])
        .node("SpaceToDepth", &["x"], "y", vec![int_attr("blocksize", 2)])
        .import(&["y"])
        .unwrap();
    let out = run(&g, &[t(&[1, 1, 4, 6], &x)]);
    assert_eq!(out[0].shape, vec![1, 4, 2, 3]);
    let want: Vec<f64> = (0..24).map(f64::from).collect();
    assert_eq!(out[0].data, want);
    // DepthToSpace (DCR) undoes it.
    let g = M::new(&[("x", &[1, 2, 4, 6])])
        .node("SpaceToDepth", &["x"], "s", vec![int_attr("blocksize", 2)])
        .node("DepthToSpace", &["s"], "y", vec![int_attr("blocksize", 2)])
        .import(&["y"])
        .unwrap();
    let x = t(&[1, 2, 4, 6], &(0..48).map(|v| f64::from(v) * 0.5).collect::<Vec<_>>());
    assert_eq!(run(&g, std::slice::from_ref(&x))[0], x);
}

/// LRN with alpha = size (so alpha/size = 1) and the given beta and bias.
fn lrn(shape: &[usize], size: i64, beta: f32, x: &[f64]) -> Vec<f64> {
    let attrs = vec![
        int_attr("size", size),
        float_attr("alpha", size as f32),
        float_attr("beta", beta),
        float_attr("bias", 1.0),
    ];
    let g = M::new(&[("x", shape)])
        .node("LRN", &["x"], "y", attrs)
        .import(&["y"])
        .unwrap();
    run(&g, &[t(shape, x)]).remove(0).data
}

#[test]
fn lrn_divides_by_the_power_of_the_biased_sum_over_the_channel_window() {
    // Worked by hand: y = x / (1 + Σ x²)^beta over channels c-⌊(size-1)/2⌋ ..= c+⌈(size-1)/2⌉.
    let close = |got: Vec<f64>, want: &[f64]| {
        assert!(
            got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-12),
            "got {got:?}, want {want:?}"
        );
    };
    // size 3: windows {0,1}, {0,1,2}, {1,2}: sums 5, 14, 13.
    close(
        lrn(&[1, 3, 1, 1], 3, 1.0, &[1.0, 2.0, 3.0]),
        &[1.0 / 6.0, 2.0 / 15.0, 3.0 / 14.0],
    );
    // size 2 (even): windows {0,1}, {1,2}, {2}: sums 5, 13, 9.
    close(
        lrn(&[1, 3, 1, 1], 2, 1.0, &[1.0, 2.0, 3.0]),
        &[1.0 / 6.0, 2.0 / 14.0, 3.0 / 10.0],
    );
    // beta ½, and two positions that must not mix: channels (1, 3) and (2, 4); size 3
    // gives sums 10 and 20 at each position, and √11, √21 divide.
    close(
        lrn(&[1, 2, 2], 3, 0.5, &[1.0, 2.0, 3.0, 4.0]),
        &[
            1.0 / 11f64.sqrt(),
            2.0 / 21f64.sqrt(),
            3.0 / 11f64.sqrt(),
            4.0 / 21f64.sqrt(),
        ],
    );
}

#[test]
fn size_is_the_element_count_of_the_static_shape_as_a_scalar() {
    // onnx/backend/test/case/node/size.py: a [3, 4, 5] input has 60 elements.
    let g = M::new(&[("x", &[3, 4, 5]), ("e", &[2, 1])])
        .node("Size", &["x"], "n", vec![])
        .node("Size", &["e"], "z", vec![])
        .import(&["n", "z"])
        .unwrap();
    let out = run(&g, &[t(&[3, 4, 5], &[0.5; 60]), t(&[2, 1], &[7.0, 8.0])]);
    assert_eq!((out[0].shape.clone(), out[0].data.clone()), (vec![], vec![60.0]));
    assert_eq!(out[1].data, vec![2.0]);
}

#[test]
fn cast_truncates_toward_zero_to_integers_is_the_identity_to_floats_and_nonzero_to_bool() {
    // x → int32 truncates; int32 → float is exact; a constant → bool is x ≠ 0; CastLike takes
    // the type of its second input (an int64 initializer, then a Cast output).
    let x = t(&[6], &[-2.7, -1.0, -0.5, 0.0, 0.5, 2.99]);
    let g = M::new(&[("x", &[6])])
        .ints("like", &[0])
        .node("Cast", &["x"], "xi", vec![int_attr("to", 6)])
        .node("Cast", &["xi"], "xf", vec![int_attr("to", 1)])
        .node("Cast", &["x"], "same", vec![int_attr("to", 11)])
        .node("CastLike", &["x"], "dummy_unused", vec![])
        .import(&["xf"]);
    // CastLike without its second input is refused, naming the node.
    let e = g.unwrap_err();
    assert!(e.contains("my_castlike") && e.contains("input 1"), "{e}");
    let g = M::new(&[("x", &[6])])
        .ints("like", &[0])
        .ints("c", &[3, 0, -2])
        .node("Cast", &["x"], "xi", vec![int_attr("to", 6)])
        .node("Cast", &["xi"], "xf", vec![int_attr("to", 1)])
        .node("Cast", &["x"], "same", vec![int_attr("to", 11)])
        .node("CastLike", &["x", "like"], "xl", vec![])
        .node("CastLike", &["same", "xi"], "xl2", vec![])
        .node("Cast", &["c"], "cb", vec![int_attr("to", 9)])
        .import(&["xf", "same", "xl", "xl2", "cb"])
        .unwrap();
    let out = run(&g, std::slice::from_ref(&x));
    let trunc = vec![-2.0, -1.0, 0.0, 0.0, 0.0, 2.0];
    assert_eq!(out[0].data, trunc);
    assert_eq!(out[1].data, x.data);
    assert_eq!(out[2].data, trunc);
    assert_eq!(out[3].data, trunc);
    assert_eq!(out[4].data, vec![1.0, 0.0, 1.0]);
}

#[test]
fn cast_refuses_what_it_cannot_compute_naming_the_node() {
    let err = |m: M| m.import(&["y"]).unwrap_err();
    let e = err(M::new(&[("x", &[2])]).node("Cast", &["x"], "y", vec![int_attr("to", 9)]));
    assert!(
        e.contains("my_cast") && e.contains("bool") && e.contains("run time"),
        "{e}"
    );
    let e = err(M::new(&[("x", &[2])]).node("Cast", &["x"], "y", vec![int_attr("to", 8)]));
    assert!(e.contains("my_cast") && e.contains("not supported"), "{e}");
    let e = err(M::new(&[("x", &[2])]).node("Cast", &["x"], "y", vec![]));
    assert!(e.contains("my_cast") && e.contains("to is required"), "{e}");
    // A computed target takes its element type from the op's inputs (float here): the identity.
    let g = M::new(&[("x", &[2])])
        .node("Relu", &["x"], "r", vec![])
        .node("CastLike", &["x", "r"], "y", vec![])
        .import(&["y"])
        .unwrap();
    assert_eq!(run(&g, &[t(&[2], &[-1.5, 2.5])])[0].data, vec![-1.5, 2.5]);
}

/// A float scalar initializer.
fn scalar(name: &str, v: f32) -> onnx_protobuf::TensorProto {
    let mut t = TensorProto::new();
    t.name = name.into();
    t.data_type = 1;
    t.float_data = vec![v];
    t
}

fn range(start: f32, limit: f32, delta: f32) -> Result<Vec<f64>, String> {
    let mut g = GraphProto::new();
    g.initializer = vec![scalar("s", start), scalar("l", limit), scalar("d", delta)];
    let mut n = NodeProto::new();
    n.op_type = "Range".into();
    n.name = "my_range".into();
    n.input = vec!["s".into(), "l".into(), "d".into()];
    n.output = vec!["y".into()];
    g.node = vec![n];
    g.output = vec![output_info("y")];
    let g = onnx::import(&model_bytes(g, 17), &onnx::ImportOptions::default()).map_err(|e| e.to_string())?;
    Ok(run(&g, &[])[0].data.clone())
}

#[test]
fn range_of_constants_matches_onnx_examples_and_refuses_bad_ones_naming_the_node() {
    // onnx/backend/test/case/node/range.py: (1, 5, 2) → [1, 3]; (10, 6, -3) → [10, 7].
    assert_eq!(range(1.0, 5.0, 2.0).unwrap(), vec![1.0, 3.0]);
    assert_eq!(range(10.0, 6.0, -3.0).unwrap(), vec![10.0, 7.0]);
    assert_eq!(range(0.0, 1.0, 0.25).unwrap(), vec![0.0, 0.25, 0.5, 0.75]);
    // An empty range when delta walks away from limit.
    assert_eq!(range(3.0, 5.0, -1.0).unwrap(), Vec::<f64>::new());
    let e = range(0.0, 1.0, 0.0).unwrap_err();
    assert!(e.contains("my_range") && e.contains("delta"), "{e}");
    let e = range(0.0, 1e30, 1.0).unwrap_err();
    assert!(e.contains("my_range") && e.contains("limit of"), "{e}");
    // Inputs computed at run time are refused.
    let e = M::new(&[("s", &[])])
        .ints("l", &[5])
        .ints("d", &[1])
        .node("Range", &["s", "l", "d"], "y", vec![])
        .import(&["y"])
        .unwrap_err();
    assert!(e.contains("my_range") && e.contains("constant"), "{e}");
}

#[test]
fn layout_ops_refuse_what_they_cannot_wire_naming_the_node() {
    let err = |m: M| m.import(&["y"]).unwrap_err();
    // Repeats computed at run time.
    let e = err(M::new(&[("x", &[2, 2]), ("r", &[2])]).node("Tile", &["x", "r"], "y", vec![]));
    assert!(
        e.contains("my_tile") && e.contains("repeats") && e.contains("constant"),
        "{e}"
    );
    let e = err(M::new(&[("x", &[2, 2])])
        .ints("r", &[2, 0])
        .node("Tile", &["x", "r"], "y", vec![]));
    assert!(e.contains("my_tile") && e.contains("≥ 1"), "{e}");
    let e = err(M::new(&[("x", &[2, 2])])
        .ints("r", &[2])
        .node("Tile", &["x", "r"], "y", vec![]));
    assert!(e.contains("one entry per axis"), "{e}");
    let e = err(M::new(&[("x", &[3, 2])])
        .ints("s", &[2, 2])
        .node("Expand", &["x", "s"], "y", vec![]));
    assert!(e.contains("my_expand") && e.contains("broadcast"), "{e}");
    let e = err(M::new(&[("x", &[1, 1, 3, 4])]).node("SpaceToDepth", &["x"], "y", vec![int_attr("blocksize", 2)]));
    assert!(e.contains("my_spacetodepth") && e.contains("divisible"), "{e}");
    let e = err(M::new(&[("x", &[1, 1, 4, 4])]).node("SpaceToDepth", &["x"], "y", vec![]));
    assert!(e.contains("blocksize is required"), "{e}");
    // An LRN window of 2^62 channels is refused before anything of that size is allocated.
    let e = err(M::new(&[("x", &[1, 3, 2])]).node("LRN", &["x"], "y", vec![int_attr("size", 1 << 62)]));
    assert!(e.contains("my_lrn") && e.contains("limit"), "{e}");
    let e = err(M::new(&[("x", &[1, 3, 2])]).node("LRN", &["x"], "y", vec![int_attr("size", 0)]));
    assert!(e.contains("my_lrn") && e.contains("at least 1"), "{e}");
    let e = err(M::new(&[("x", &[1, 3, 2])]).node("LRN", &["x"], "y", vec![]));
    assert!(e.contains("size is required"), "{e}");
}

#[test]
fn pow_by_a_constant_exponent_tensor_picks_each_elements_own_power() {
    // onnx/backend/test/case/node/pow.py, "pow_broadcast" with y = [1, 2, 3].
    let g = M::new(&[("x", &[2, 3])])
        .ints("e", &[1, 2, 3])
        .node("Pow", &["x", "e"], "y", vec![])
        .import(&["y"])
        .unwrap();
    let out = run(&g, &[t(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])]);
    assert_eq!(out[0].data, vec![1.0, 4.0, 27.0, 4.0, 25.0, 216.0]);
    // One exponent over a larger shape broadcasts x.
    let g = M::new(&[("x", &[3])])
        .ints("e", &[2, 2, 2, 2, 2, 2])
        .node("Reshape", &["e", "s"], "e2", vec![])
        .ints("s", &[2, 3])
        .node("Pow", &["x", "e2"], "y", vec![])
        .import(&["y"])
        .unwrap();
    let out = run(&g, &[t(&[3], &[1.0, -2.0, 3.0])]);
    assert_eq!(
        (&out[0].shape, &out[0].data),
        (&vec![2, 3], &vec![1.0, 4.0, 9.0, 1.0, 4.0, 9.0])
    );
    // Too many different exponents, or none, are refused naming the node.
    let many: Vec<i64> = (0..17).collect();
    let e = M::new(&[("x", &[17])])
        .ints("e", &many)
        .node("Pow", &["x", "e"], "y", vec![])
        .import(&["y"])
        .unwrap_err();
    assert!(e.contains("my_pow") && e.contains("17 different values"), "{e}");
    let e = M::new(&[("x", &[1])])
        .ints("e", &[])
        .node("Pow", &["x", "e"], "y", vec![])
        .import(&["y"])
        .unwrap_err();
    assert!(e.contains("my_pow") && e.contains("empty"), "{e}");
}
