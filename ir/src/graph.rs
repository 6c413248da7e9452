//! The tensor graph: values (inputs, constants, node outputs) and nodes in topological order.

use serde::{Deserialize, Serialize};

use crate::ops::{Op, OpError};
use crate::tensor::Tensor;
use crate::types::ElemType;

/// Index of a value in [`Graph::values`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ValueId(pub usize);

/// A tensor-valued edge of the graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Value {
    /// The ONNX name.
    pub name: String,
    /// The static shape.
    pub shape: Vec<usize>,
    /// Float or fixed point.
    pub ty: ElemType,
    /// The data, for weights and other constants.
    pub constant: Option<Tensor>,
}

/// One op application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// The ONNX node name (or `OpType_index` when it had none).
    pub name: String,
    /// The ONNX op type it was imported from (may differ from `op` after expansion).
    pub onnx_op: String,
    /// The op.
    pub op: Op,
    /// Input values, in the op's order.
    pub inputs: Vec<ValueId>,
    /// The output value.
    pub output: ValueId,
}

/// A model as a graph of IR ops. Nodes are kept in topological order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    /// All values.
    pub values: Vec<Value>,
    /// Nodes, topologically ordered.
    pub nodes: Vec<Node>,
    /// The model inputs, in order.
    pub inputs: Vec<ValueId>,
    /// The model outputs, in order.
    pub outputs: Vec<ValueId>,
    /// What each output holds as the model declares it (empty: all real numbers); OUT.json
    /// writes integer and boolean outputs back as JSON integers and booleans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_kinds: Vec<NumberKind>,
}

/// The kind of number a model's tensor holds, from its declared ONNX element type: every
/// tensor is computed in f64 (float) or fixed point, but integer and boolean inputs and
/// outputs are read and written as such.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum NumberKind {
    /// Floating point (float, double, float16, bfloat16), or undeclared.
    #[default]
    Real,
    /// A signed or unsigned integer type.
    Integer,
    /// Boolean.
    Bool,
}

impl NumberKind {
    /// The kind of an ONNX `TensorProto.DataType`.
    pub fn of_onnx(elem_type: i32) -> Self {
        match elem_type {
            2..=7 | 12 | 13 => NumberKind::Integer,
            9 => NumberKind::Bool,
            _ => NumberKind::Real,
        }
    }
}

/// Why a graph could not be built or run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GraphError {
    /// An op rejected its inputs.
    #[error("node {index} `{name}` ({op}): {source}")]
    Op {
        /// Node index.
        index: usize,
        /// Node name.
        name: String,
        /// Op name.
        op: String,
        /// The op's complaint.
        source: OpError,
    },
    /// Wrong model inputs.
    #[error("{0}")]
    Input(String),
}

impl Graph {
    /// Adds a value and returns its id.
    pub fn add_value(&mut self, name: &str, shape: Vec<usize>, constant: Option<Tensor>) -> ValueId {
        self.values.push(Value {
            name: name.to_string(),
            shape,
            ty: ElemType::Float,
            constant,
        });
        ValueId(self.values.len() - 1)
    }

    /// Adds a constant value.
    pub fn add_constant(&mut self, name: &str, t: Tensor) -> ValueId {
        self.add_value(name, t.shape.clone(), Some(t))
    }

    /// Appends a node after inferring its output shape; the inputs must already exist.
    pub fn add_node(
        &mut self,
        name: &str,
        onnx_op: &str,
        op: Op,
        inputs: Vec<ValueId>,
        output_name: &str,
    ) -> Result<ValueId, GraphError> {
        let shapes: Vec<&[usize]> = inputs.iter().map(|v| self.values[v.0].shape.as_slice()).collect();
        let index = self.nodes.len();
        let shape = op.output_shape(&shapes).map_err(|source| GraphError::Op {
            index,
            name: name.to_string(),
            op: op.name(),
            source,
        })?;
        let output = self.add_value(output_name, shape, None);
        self.nodes.push(Node {
            name: name.to_string(),
            onnx_op: onnx_op.to_string(),
            op,
            inputs,
            output,
        });
        Ok(output)
    }

    /// The value with id `v`.
    pub fn value(&self, v: ValueId) -> &Value {
        &self.values[v.0]
    }

    /// Runs the reference float interpreter and returns every value (constants included);
    /// `None` for values never computed.
    pub fn run_all(&self, inputs: &[Tensor]) -> Result<Vec<Option<Tensor>>, GraphError> {
        if inputs.len() != self.inputs.len() {
            return Err(GraphError::Input(format!(
                "the model has {} input(s) but {} were given",
                self.inputs.len(),
                inputs.len()
            )));
        }
        let mut vals: Vec<Option<Tensor>> = self.values.iter().map(|v| v.constant.clone()).collect();
        for (i, (id, t)) in self.inputs.iter().zip(inputs).enumerate() {
            let want = &self.values[id.0].shape;
            if &t.shape != want {
                return Err(GraphError::Input(format!(
                    "input {i} `{}` has shape {:?} but the model expects {want:?}",
                    self.values[id.0].name, t.shape
                )));
            }
            vals[id.0] = Some(t.clone());
        }
        for (index, node) in self.nodes.iter().enumerate() {
            let ins: Vec<&Tensor> = node
                .inputs
                .iter()
                .map(|v| {
                    vals[v.0]
                        .as_ref()
                        .expect("topological order guarantees inputs are computed")
                })
                .collect();
            let out = node.op.eval(&ins).map_err(|source| GraphError::Op {
                index,
                name: node.name.clone(),
                op: node.op.name(),
                source,
            })?;
            vals[node.output.0] = Some(out);
        }
        Ok(vals)
    }

    /// Runs the reference float interpreter and returns the model outputs.
    pub fn run(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>, GraphError> {
        let mut vals = self.run_all(inputs)?;
        Ok(self
            .outputs
            .iter()
            .map(|o| vals[o.0].take().expect("outputs are computed"))
            .collect())
    }
}
