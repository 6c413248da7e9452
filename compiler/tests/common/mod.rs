//! ONNX protobuf builders shared by the import tests (each test file is its own crate and
//! uses only some of them).
#![allow(dead_code)]

use onnx_protobuf::{
    attribute_proto::AttributeType, AttributeProto, GraphProto, Message, ModelProto, OperatorSetIdProto,
    TensorShapeProto, TypeProto, ValueInfoProto,
};
use zkc_ir::Tensor;

/// A graph input or output of ONNX element type `elem_type` (1 = float, 7 = int64, 9 = bool).
pub fn typed_value_info(name: &str, dims: &[usize], elem_type: i32) -> ValueInfoProto {
    let mut shape = TensorShapeProto::new();
    for &d in dims {
        let mut dim = onnx_protobuf::tensor_shape_proto::Dimension::new();
        dim.set_dim_value(d as i64);
        shape.dim.push(dim);
    }
    let mut tt = onnx_protobuf::type_proto::Tensor::new();
    tt.elem_type = elem_type;
    tt.shape = Some(shape).into();
    let mut ty = TypeProto::new();
    ty.set_tensor_type(tt);
    let mut v = ValueInfoProto::new();
    v.name = name.into();
    v.type_ = Some(ty).into();
    v
}

/// A float graph input or output.
pub fn value_info(name: &str, dims: &[usize]) -> ValueInfoProto {
    typed_value_info(name, dims, 1)
}

/// A graph output declared by name only (its type and shape inferred).
pub fn output_info(name: &str) -> ValueInfoProto {
    let mut v = ValueInfoProto::new();
    v.name = name.into();
    v
}

fn attr(name: &str, ty: AttributeType) -> AttributeProto {
    let mut a = AttributeProto::new();
    a.name = name.into();
    a.type_ = ty.into();
    a
}

/// An INT attribute.
pub fn int_attr(name: &str, v: i64) -> AttributeProto {
    let mut a = attr(name, AttributeType::INT);
    a.i = v;
    a
}

/// An INTS attribute.
pub fn ints_attr(name: &str, v: &[i64]) -> AttributeProto {
    let mut a = attr(name, AttributeType::INTS);
    a.ints = v.to_vec();
    a
}

/// A FLOAT attribute.
pub fn float_attr(name: &str, v: f32) -> AttributeProto {
    let mut a = attr(name, AttributeType::FLOAT);
    a.f = v;
    a
}

/// A STRING attribute.
pub fn string_attr(name: &str, v: &str) -> AttributeProto {
    let mut a = attr(name, AttributeType::STRING);
    a.s = v.as_bytes().to_vec();
    a
}

/// The bytes of a model holding `g`, at IR version 8 and the default domain's `opset`.
pub fn model_bytes(g: GraphProto, opset: i64) -> Vec<u8> {
    let mut m = ModelProto::new();
    m.ir_version = 8;
    let mut o = OperatorSetIdProto::new();
    o.version = opset;
    m.opset_import.push(o);
    m.graph = Some(g).into();
    m.write_to_bytes().expect("a model serializes")
}

/// A tensor from its shape and row-major data.
pub fn t(shape: &[usize], data: &[f64]) -> Tensor {
    Tensor::new(shape.to_vec(), data.to_vec())
}
