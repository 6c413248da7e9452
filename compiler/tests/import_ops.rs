//! ONNX ops that import as compositions of IR ops (sugar): each is imported from a tiny model
//! and run in float against the outputs of ONNX's own node tests
//! (`onnx/backend/test/case/node/*.py`) or values worked by hand. Their circuits are checked
//! on every backend by `tests/tests/op_matrix.rs`.

use onnx_protobuf::{
    AttributeProto, GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto,
    TypeProto, ValueInfoProto,
};
use zkc_compiler::onnx;
use zkc_ir::Tensor;

fn value_info(name: &str, dims: &[usize]) -> ValueInfoProto {
    let mut shape = TensorShapeProto::new();
    for &d in dims {
        let mut dim = onnx_protobuf::tensor_shape_proto::Dimension::new();
        dim.set_dim_value(d as i64);
        shape.dim.push(dim);
    }
    let mut tt = onnx_protobuf::type_proto::Tensor::new();
    tt.elem_type = 1;
    tt.shape = Some(shape).into();
    let mut ty = TypeProto::new();
    ty.set_tensor_type(tt);
    let mut v = ValueInfoProto::new();
    v.name = name.into();
    v.type_ = Some(ty).into();
    v
}

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
        g.output = outs
            .iter()
            .map(|o| {
                let mut v = ValueInfoProto::new();
                v.name = o.to_string();
                v
            })
            .collect();
        let mut m = ModelProto::new();
        m.ir_version = 8;
        let mut op = OperatorSetIdProto::new();
        op.version = 17;
        m.opset_import.push(op);
        m.graph = Some(g).into();
        onnx::import(&m.write_to_bytes().unwrap(), &onnx::ImportOptions::default()).map_err(|e| e.to_string())
    }
}

fn t(shape: &[usize], data: &[f64]) -> Tensor {
    Tensor::new(shape.to_vec(), data.to_vec())
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
fn reciprocal_is_one_over_x_for_either_sign() {
    let g = M::new(&[("x", &[4])])
        .node("Reciprocal", &["x"], "y", vec![])
        .import(&["y"])
        .unwrap();
    let out = run(&g, &[t(&[4], &[-4.0, 2.0, 0.5, -0.125])]);
    assert_eq!(out[0].data, vec![-0.25, 0.5, 2.0, -8.0]);
}
