//! zkc's tensor IR: a graph of typed tensor ops and the reference float interpreter that
//! defines what every op means (it agrees with onnxruntime). Everything downstream — passes,
//! quantization, lowering — preserves this meaning.

pub mod graph;
pub mod ops;
pub mod tensor;
pub mod types;

pub use graph::{Graph, GraphError, Node, NumberKind, Value, ValueId};
pub use ops::{Activation, BinaryOp, Op};
pub use tensor::Tensor;
pub use types::ElemType;
