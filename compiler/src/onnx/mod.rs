//! ONNX import: protobuf model → [`zkc_ir::Graph`].
//!
//! Kept apart from the IR (as tract-onnx is from tract-core): this module knows ONNX opsets,
//! attribute defaults and sugar; the IR knows only its closed op set. Nodes whose inputs
//! are all constant are evaluated here (constant folding), which removes the shape
//! arithmetic PyTorch exports emit.

mod attention;
mod nodes;
mod norm;
mod proto;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use onnx_protobuf::{Message, ModelProto, ValueInfoProto};
use zkc_ir::{Graph, NumberKind, Op, Tensor, ValueId};

/// Options for import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The value for a symbolic first (batch) dimension.
    pub batch_size: usize,
    /// The largest tensor (in elements) a model may declare or compute; larger ones fail
    /// at import, before anything of that size is allocated.
    pub max_elements: usize,
    /// Values for the graph inputs (those that are not initializers, in order), used only
    /// where a node needs a compile-time constant (a shape, scales, sizes, k, pads, axes);
    /// the inputs stay inputs for their other uses. A static-shape compiler needs these to
    /// import a graph that computes such operands from its inputs (ONNX's node tests do).
    pub input_values: Vec<Tensor>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            batch_size: 1,
            max_elements: DEFAULT_MAX_ELEMENTS,
            input_values: Vec::new(),
        }
    }
}

/// Default tensor size limit: 2^27 elements (1 GiB of f64).
pub const DEFAULT_MAX_ELEMENTS: usize = 1 << 27;

/// Why a model could not be imported. Each names the file or node and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Not a valid ONNX protobuf.
    #[error("{path}: not a valid ONNX model ({reason}); expected an .onnx file (ModelProto)")]
    Parse {
        /// The file.
        path: String,
        /// The decoder's complaint.
        reason: String,
    },
    /// A tensor file (TensorProto) that is not valid or holds a type zkc does not read.
    #[error("{path}: not a tensor zkc can read ({reason}); expected a TensorProto .pb file")]
    TensorFile {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// An op type zkc does not implement.
    #[error("node {index} `{node}`: unsupported op `{op_type}`; `zkc ops` lists the {count} supported ops")]
    Unsupported {
        /// Node index in the ONNX graph.
        index: usize,
        /// Node name.
        node: String,
        /// The ONNX op type.
        op_type: String,
        /// Number of supported ops.
        count: usize,
    },
    /// A node that zkc supports but whose attributes, inputs or shapes are invalid.
    #[error("node {index} `{node}` ({op_type}): {reason}")]
    Node {
        /// Node index in the ONNX graph.
        index: usize,
        /// Node name.
        node: String,
        /// The ONNX op type.
        op_type: String,
        /// What is wrong.
        reason: String,
    },
    /// A problem with the graph as a whole (cycle, dangling edge, bad input).
    #[error("{0}")]
    Graph(String),
}

/// Every ONNX op type the importer accepts (printed by `zkc ops`); the ops without a circuit
/// carry the [`FLOAT_ONLY`] note.
pub const SUPPORTED_OPS: &[&str] = nodes::SUPPORTED;
pub use nodes::{op_type_of, FLOAT_ONLY};

/// Reads and imports an ONNX file.
pub fn load(path: &Path, opts: &ImportOptions) -> Result<Graph, ImportError> {
    let p = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        path: p.clone(),
        source,
    })?;
    import(&bytes, opts).map_err(|e| match e {
        ImportError::Parse { reason, .. } => ImportError::Parse { path: p, reason },
        e => e,
    })
}

/// Imports an ONNX model from bytes.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<Graph, ImportError> {
    let parse = |reason: String| ImportError::Parse {
        path: "<bytes>".into(),
        reason,
    };
    let model = ModelProto::parse_from_bytes(bytes).map_err(|e| parse(e.to_string()))?;
    let graph = model
        .graph
        .as_ref()
        .ok_or_else(|| parse("the model has no graph".into()))?;
    if graph.node.is_empty() && graph.output.is_empty() {
        return Err(parse("the graph is empty".into()));
    }
    let opset = model
        .opset_import
        .iter()
        .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map(|o| o.version)
        .unwrap_or(13);

    let mut g = Graph::default();
    let mut env: HashMap<String, ValueId> = HashMap::new();
    let mut known_inputs: HashMap<ValueId, Tensor> = HashMap::new();
    for init in &graph.initializer {
        let t = proto::tensor(init).map_err(ImportError::Graph)?;
        env.insert(init.name.clone(), g.add_constant(&init.name, t));
    }
    for input in &graph.input {
        if env.contains_key(&input.name) {
            continue; // old exporters list initializers as inputs too
        }
        let shape = input_shape(input, opts)?;
        let id = g.add_value(&input.name, shape, None);
        if let Some(t) = opts.input_values.get(g.inputs.len()) {
            known_inputs.insert(id, t.clone());
        }
        g.inputs.push(id);
        env.insert(input.name.clone(), id);
    }

    // Declared element types (graph inputs and outputs, value_info, initializers): CastLike
    // reads its target type from them.
    let mut elem_types: HashMap<String, i32> = graph
        .input
        .iter()
        .chain(&graph.value_info)
        .chain(&graph.output)
        .filter_map(|v| {
            let t = v.type_.as_ref()?;
            match &t.value {
                Some(onnx_protobuf::type_proto::Value::TensorType(tt)) if tt.elem_type != 0 => {
                    Some((v.name.clone(), tt.elem_type))
                }
                _ => None,
            }
        })
        .collect();
    elem_types.extend(graph.initializer.iter().map(|t| (t.name.clone(), t.data_type)));

    let order = topological_order(graph)?;
    let mut cx = nodes::Context {
        g,
        env,
        opset,
        max_elements: opts.max_elements,
        elem_types,
        known_inputs,
    };
    for index in order {
        let node = &graph.node[index];
        cx.import_node(index, node)?;
    }
    let nodes::Context {
        mut g, env, elem_types, ..
    } = cx;
    g.output_kinds = graph
        .output
        .iter()
        .map(|o| {
            elem_types
                .get(&o.name)
                .map_or(NumberKind::Real, |&t| NumberKind::of_onnx(t))
        })
        .collect();
    for out in &graph.output {
        let id = *env
            .get(&out.name)
            .ok_or_else(|| ImportError::Graph(format!("graph output `{}` is not produced by any node", out.name)))?;
        // A constant output or a graph input used directly as output gets an identity node,
        // so every output is a computed value.
        let id = if g.value(id).constant.is_some() || g.inputs.contains(&id) {
            g.add_node(
                &format!("{}_identity", out.name),
                "Identity",
                Op::Reshape {
                    shape: g.value(id).shape.clone(),
                },
                vec![id],
                &out.name,
            )
            .map_err(|e| ImportError::Graph(e.to_string()))?
        } else {
            id
        };
        g.outputs.push(id);
    }
    if g.outputs.is_empty() {
        return Err(ImportError::Graph("the graph declares no outputs".into()));
    }
    prune_unused(&mut g);
    Ok(g)
}

fn input_shape(input: &ValueInfoProto, opts: &ImportOptions) -> Result<Vec<usize>, ImportError> {
    let shape = declared_shape(input, opts)?;
    let n = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    if n.is_none_or(|n| n > opts.max_elements) {
        return Err(ImportError::Graph(format!(
            "graph input `{}` declares shape {shape:?}, more than the limit of {} elements; raise it with --max-elements if this is intended",
            input.name, opts.max_elements
        )));
    }
    Ok(shape)
}

fn declared_shape(input: &ValueInfoProto, opts: &ImportOptions) -> Result<Vec<usize>, ImportError> {
    let tt = input
        .type_
        .as_ref()
        .map(|t| t.tensor_type())
        .ok_or_else(|| ImportError::Graph(format!("graph input `{}` has no tensor type", input.name)))?;
    let dims = tt.shape.as_ref().map(|s| s.dim.clone()).unwrap_or_default();
    dims.iter()
        .enumerate()
        .map(|(i, d)| {
            if d.has_dim_value() && d.dim_value() > 0 {
                Ok(d.dim_value() as usize)
            } else if i == 0 {
                Ok(opts.batch_size)
            } else {
                Err(ImportError::Graph(format!(
                    "graph input `{}` dimension {i} is symbolic (`{}`); zkc needs static shapes except the batch dimension: export the model with fixed input sizes",
                    input.name,
                    d.dim_param()
                )))
            }
        })
        .collect()
}

/// Orders nodes so every input is produced before use; rejects cycles and dangling edges.
fn topological_order(graph: &onnx_protobuf::GraphProto) -> Result<Vec<usize>, ImportError> {
    use petgraph::graph::DiGraph;
    let mut producer: HashMap<&str, usize> = HashMap::new();
    for (i, n) in graph.node.iter().enumerate() {
        for o in &n.output {
            if !o.is_empty() && producer.insert(o, i).is_some() {
                return Err(ImportError::Graph(format!(
                    "value `{o}` is produced by more than one node (node {i} `{}`)",
                    n.name
                )));
            }
        }
    }
    let known: HashSet<&str> = graph
        .initializer
        .iter()
        .map(|t| t.name.as_str())
        .chain(graph.input.iter().map(|v| v.name.as_str()))
        .collect();
    let mut dg = DiGraph::<usize, ()>::new();
    let ids: Vec<_> = (0..graph.node.len()).map(|i| dg.add_node(i)).collect();
    for (i, n) in graph.node.iter().enumerate() {
        for inp in n.input.iter().filter(|s| !s.is_empty()) {
            match producer.get(inp.as_str()) {
                Some(&p) => {
                    dg.add_edge(ids[p], ids[i], ());
                }
                None if known.contains(inp.as_str()) => {}
                None => {
                    return Err(ImportError::Graph(format!(
                        "node {i} `{}` ({}) reads `{inp}`, which no node, initializer or graph input provides (dangling edge)",
                        n.name, n.op_type
                    )))
                }
            }
        }
    }
    petgraph::algo::toposort(&dg, None)
        .map(|o| o.into_iter().map(|n| dg[n]).collect())
        .map_err(|c| {
            let i = dg[c.node_id()];
            ImportError::Graph(format!(
                "the graph has a cycle through node {i} `{}` ({}); ONNX graphs must be acyclic",
                graph.node[i].name, graph.node[i].op_type
            ))
        })
}

/// Drops constants no node reads (folded intermediates), keeping ids stable by rebuilding.
fn prune_unused(g: &mut Graph) {
    let mut used = vec![false; g.values.len()];
    for n in &g.nodes {
        for i in &n.inputs {
            used[i.0] = true;
        }
        used[n.output.0] = true;
    }
    for i in g.inputs.iter().chain(&g.outputs) {
        used[i.0] = true;
    }
    let mut remap = vec![usize::MAX; g.values.len()];
    let mut values = Vec::new();
    for (i, v) in g.values.drain(..).enumerate() {
        if used[i] {
            remap[i] = values.len();
            values.push(v);
        }
    }
    g.values = values;
    let r = |v: &mut ValueId| v.0 = remap[v.0];
    for n in &mut g.nodes {
        n.inputs.iter_mut().for_each(r);
        r(&mut n.output);
    }
    g.inputs.iter_mut().for_each(r);
    g.outputs.iter_mut().for_each(r);
}

/// Reads a tensor file in ONNX TensorProto form (the conformance data sets use them).
pub fn read_tensor_pb(path: &Path) -> Result<Tensor, ImportError> {
    let p = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        path: p.clone(),
        source,
    })?;
    let t = onnx_protobuf::TensorProto::parse_from_bytes(&bytes).map_err(|e| ImportError::TensorFile {
        path: p.clone(),
        reason: e.to_string(),
    })?;
    proto::tensor(&t).map_err(|reason| ImportError::TensorFile { path: p, reason })
}
