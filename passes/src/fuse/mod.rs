//! The fuse pass: equality saturation over the tensor IR with egg, extraction by the chosen
//! backend's cost.
//!
//! The graph becomes an e-graph ([`lang`]), the [`rules`] add every equivalent form they
//! know (folded weights, merged linear maps, reordered pools, ...), and [`extract`] picks
//! one form per value by asking the caller's cost function — in the compiler, "lower, pack
//! and ask the backend" — so the same model can come out differently for halo2, plonky2 and
//! Groth16. The result is never costlier than the input: the input graph is one of the
//! candidates.

pub mod extract;
pub mod lang;
pub mod rules;

use std::collections::BTreeMap;
use std::time::Duration;

use egg::{Id, Runner};
use serde::{Deserialize, Serialize};
use zkc_ir::ops::{BinaryOp, Op};
use zkc_ir::{Graph, ValueId};

use lang::{Leaf, Pools, Tl, EG};

/// Limits of the saturation and of the extraction search.
#[derive(Clone, Debug)]
pub struct FuseConfig {
    /// Saturation rounds.
    pub iter_limit: usize,
    /// E-nodes at which saturation stops.
    pub node_limit: usize,
    /// Candidate graphs the extraction may cost.
    pub max_evaluations: usize,
    /// The weight scale of the fixed-point plan (enables `matmul-defer-rescale`).
    pub weight_scale: Option<u32>,
}

impl Default for FuseConfig {
    fn default() -> Self {
        FuseConfig {
            iter_limit: 12,
            node_limit: 4000,
            max_evaluations: 48,
            weight_scale: None,
        }
    }
}

/// What the fuse pass did.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FuseReport {
    /// How often each rule fired during saturation.
    pub rules_fired: BTreeMap<String, usize>,
    /// E-graph size after saturation (classes, nodes).
    pub egraph: (usize, usize),
    /// Candidate graphs costed by the extraction.
    pub evaluations: usize,
    /// Cost of the input graph and of the chosen one (the caller's score).
    pub score: (f64, f64),
    /// Nodes of the input graph that are gone, and nodes of the result that are new.
    pub removed: Vec<String>,
    /// New nodes, as `name (op)`.
    pub added: Vec<String>,
}

/// An IR graph loaded into an e-graph, with what is needed to get graphs back out.
pub struct Loaded {
    /// The e-graph.
    pub egraph: EG,
    /// The classes of the model outputs.
    pub roots: Vec<Id>,
    /// The original nodes: e-node (children as added), name, ONNX op.
    pub originals: Vec<(Tl, String, String)>,
    /// Original value names of constants, by constant index.
    pub const_names: BTreeMap<u32, String>,
    /// The input graph (names and shapes of inputs and outputs).
    pub graph: Graph,
}

/// The e-node for an IR op over the given input classes.
pub fn enode(eg: &mut EG, op: &Op, ins: &[Id]) -> Tl {
    let param = |eg: &mut EG, op: &Op| {
        let p = eg.analysis.intern_param(op.clone());
        eg.add(Tl::Leaf(Leaf::Param(p)))
    };
    match (op, ins) {
        (Op::MatMul, [a, b]) => Tl::MatMul([*a, *b]),
        (Op::Conv(_), [x, w, rest @ ..]) if rest.len() <= 1 => {
            let b = match rest {
                [b] => *b,
                _ => eg.add(Tl::Nothing),
            };
            Tl::Conv([param(eg, op), *x, *w, b])
        }
        (Op::Pool(_), [x]) => Tl::Pool([param(eg, op), *x]),
        (Op::Activation(_), [x]) => Tl::Act([param(eg, op), *x]),
        (Op::Reshape { .. }, [x]) => Tl::Reshape([param(eg, op), *x]),
        (Op::Transpose { .. }, [x]) => Tl::Transpose([param(eg, op), *x]),
        (Op::Binary(BinaryOp::Add), [x, y]) => Tl::Add([*x, *y]),
        (Op::Binary(BinaryOp::Sub), [x, y]) => Tl::Sub([*x, *y]),
        (Op::Binary(BinaryOp::Mul), [x, y]) => Tl::Mul([*x, *y]),
        (Op::Binary(BinaryOp::Div), [x, y]) => Tl::Div([*x, *y]),
        // Max and Min (and every other op) are `Other`: no rule rewrites them.
        _ => {
            let mut c = vec![param(eg, op)];
            c.extend(ins);
            Tl::Other(c.into_boxed_slice())
        }
    }
}

/// Loads `graph` into a fresh e-graph.
pub fn load(graph: &Graph, weight_scale: Option<u32>) -> Loaded {
    let mut pools = Pools::default();
    pools.weight_scale = weight_scale;
    pools.inputs = graph.inputs.iter().map(|&v| graph.value(v).shape.clone()).collect();
    let mut eg = EG::new(pools);
    let mut ids: BTreeMap<ValueId, Id> = BTreeMap::new();
    let mut const_names = BTreeMap::new();
    for (i, &v) in graph.inputs.iter().enumerate() {
        ids.insert(v, eg.add(Tl::Leaf(Leaf::Input(i as u32))));
    }
    let mut originals = Vec::new();
    for node in &graph.nodes {
        let ins: Vec<Id> = node
            .inputs
            .iter()
            .map(|&v| match ids.get(&v) {
                Some(&id) => id,
                None => {
                    let val = graph.value(v);
                    let t = val
                        .constant
                        .clone()
                        .expect("a value that is neither computed nor an input is a constant");
                    let k = eg.analysis.intern_const(t);
                    const_names.entry(k).or_insert_with(|| val.name.clone());
                    let id = eg.add(Tl::Leaf(Leaf::Const(k)));
                    ids.insert(v, id);
                    id
                }
            })
            .collect();
        let n = enode(&mut eg, &node.op, &ins);
        let id = eg.add(n.clone());
        ids.insert(node.output, id);
        originals.push((n, node.name.clone(), node.onnx_op.clone()));
    }
    let roots = graph
        .outputs
        .iter()
        .map(|v| match ids.get(v) {
            Some(&id) => id,
            None => {
                let t = graph
                    .value(*v)
                    .constant
                    .clone()
                    .expect("an output is computed, an input or a constant");
                let k = eg.analysis.intern_const(t);
                eg.add(Tl::Leaf(Leaf::Const(k)))
            }
        })
        .collect();
    eg.rebuild();
    Loaded {
        egraph: eg,
        roots,
        originals,
        const_names,
        graph: graph.clone(),
    }
}

/// Saturates `loaded` with every rule; returns how often each fired.
pub fn saturate(loaded: &mut Loaded, cfg: &FuseConfig) -> BTreeMap<String, usize> {
    let rewrites: Vec<_> = rules::all().iter().map(|r| r.rewrite()).collect();
    let eg = std::mem::replace(&mut loaded.egraph, EG::new(Pools::default()));
    let runner = Runner::default()
        .with_egraph(eg)
        .with_iter_limit(cfg.iter_limit)
        .with_node_limit(cfg.node_limit)
        .with_time_limit(Duration::from_secs(60))
        .run(&rewrites);
    let mut fired = BTreeMap::new();
    for it in &runner.iterations {
        for (name, n) in &it.applied {
            *fired.entry(name.to_string()).or_insert(0) += n;
        }
    }
    loaded.egraph = runner.egraph;
    loaded.roots = loaded.roots.iter().map(|&r| loaded.egraph.find(r)).collect();
    fired
}

/// Runs the pass: `score` costs a candidate graph (lower it, ask the backend) and returns
/// `None` when the candidate does not compile. Returns the cheapest graph found, which is
/// `graph` itself when nothing beats it.
pub fn fuse(graph: &Graph, cfg: &FuseConfig, score: &mut dyn FnMut(&Graph) -> Option<f64>) -> (Graph, FuseReport) {
    let base = score(graph);
    let mut loaded = load(graph, cfg.weight_scale);
    let fired = saturate(&mut loaded, cfg);
    let mut report = FuseReport {
        rules_fired: fired,
        egraph: (loaded.egraph.number_of_classes(), loaded.egraph.total_number_of_nodes()),
        ..FuseReport::default()
    };
    let found = extract::search(&loaded, cfg.max_evaluations, score);
    report.evaluations = found.evaluations;
    let base_score = base.unwrap_or(f64::INFINITY);
    let (g, s) = match found.best {
        Some((g, s)) if s < base_score => (g, s),
        _ => (graph.clone(), base_score),
    };
    report.score = (base_score, s);
    let before: Vec<String> = graph
        .nodes
        .iter()
        .map(|n| format!("{} ({})", n.name, n.op.name()))
        .collect();
    let after: Vec<String> = g
        .nodes
        .iter()
        .map(|n| format!("{} ({})", n.name, n.op.name()))
        .collect();
    report.removed = before.iter().filter(|n| !after.contains(n)).cloned().collect();
    report.added = after.iter().filter(|n| !before.contains(n)).cloned().collect();
    (g, report)
}
