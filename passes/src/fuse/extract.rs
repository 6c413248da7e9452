//! Extraction: from the saturated e-graph back to one IR graph, choosing per value the form
//! the backend finds cheapest.
//!
//! A tree cost per e-node cannot see what a backend charges: the same Relu costs one R1CS
//! constraint after a Rescale (its sign bit is already there) and twenty after a MaxPool,
//! and halo2 lays out the whole program at once. So the search costs whole graphs: it starts
//! from the input graph and from the smallest one (fewest ops), then changes one choice at a
//! time and keeps a change when the caller's score (lower, pack, `Backend::cost`) drops.

use std::collections::{HashMap, HashSet};

use egg::{CostFunction, Extractor, Id, Language};
use zkc_ir::{Graph, ValueId};

use super::lang::{ir_op, Leaf, Tl, EG};
use super::Loaded;

/// Fewest ops; constants and inputs are free; e-nodes that do not type-check are never taken.
struct FewestOps<'a> {
    valid: &'a HashSet<Tl>,
}

impl CostFunction<Tl> for FewestOps<'_> {
    type Cost = f64;
    fn cost<C: FnMut(Id) -> f64>(&mut self, n: &Tl, mut costs: C) -> f64 {
        match n {
            Tl::Leaf(_) | Tl::Nothing => 0.0,
            _ if !self.valid.contains(n) => f64::INFINITY,
            _ => n.fold(1.0, |acc, c| acc + costs(c)),
        }
    }
}

/// Whether an op e-node computes a tensor of its class's shape from its children.
fn type_checks(eg: &EG, class: Id, n: &Tl) -> bool {
    let Some((op, ins)) = ir_op(eg, n) else {
        return false;
    };
    let shapes: Option<Vec<&[usize]>> = ins.iter().map(|&i| eg[i].data.shape.as_deref()).collect();
    match shapes {
        Some(s) => op.output_shape(&s).ok().as_ref() == eg[class].data.shape.as_ref(),
        None => false,
    }
}

/// The tensor-valued alternatives of every class.
fn alternatives(eg: &EG) -> HashMap<Id, Vec<Tl>> {
    let mut out = HashMap::new();
    for c in eg.classes() {
        let alts: Vec<Tl> = c
            .iter()
            .filter(|n| match n {
                Tl::Leaf(Leaf::Input(_) | Leaf::Const(_)) => true,
                Tl::Leaf(Leaf::Param(_)) | Tl::Nothing => false,
                _ => type_checks(eg, c.id, n),
            })
            .cloned()
            .collect();
        out.insert(c.id, alts);
    }
    out
}

/// A graph built from a choice, with the classes it uses and a signature for memoization.
struct Built {
    graph: Graph,
    used: Vec<Id>,
    signature: String,
}

struct Builder<'a> {
    l: &'a Loaded,
    pick: &'a dyn Fn(Id) -> Option<Tl>,
    originals: &'a HashMap<Tl, (String, String)>,
    class_names: &'a HashMap<Id, String>,
    g: Graph,
    done: HashMap<Id, ValueId>,
    on_stack: HashSet<Id>,
    used: Vec<Id>,
    sig: Vec<String>,
    names: HashSet<String>,
    fresh: usize,
}

impl Builder<'_> {
    fn unique(&mut self, base: String) -> String {
        let mut name = base.clone();
        let mut i = 1;
        while !self.names.insert(name.clone()) {
            i += 1;
            name = format!("{base}_{i}");
        }
        name
    }

    fn visit(&mut self, class: Id) -> Option<ValueId> {
        let eg = &self.l.egraph;
        let class = eg.find(class);
        if let Some(&v) = self.done.get(&class) {
            return Some(v);
        }
        if !self.on_stack.insert(class) {
            return None; // a cycle: this choice does not describe a graph
        }
        let n = (self.pick)(class)?;
        let v = match &n {
            Tl::Leaf(Leaf::Input(i)) => *self.g.inputs.get(*i as usize)?,
            Tl::Leaf(Leaf::Const(k)) => {
                let t = eg.analysis.consts[*k as usize].clone();
                let name = self
                    .l
                    .const_names
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| format!("const{k}"));
                self.g.add_constant(&name, t)
            }
            _ => {
                let (op, ins) = ir_op(eg, &n)?;
                let mut vals = Vec::with_capacity(ins.len());
                for i in ins {
                    vals.push(self.visit(i)?);
                }
                let (base, onnx) = match self.originals.get(&n) {
                    Some((name, onnx)) => (name.clone(), onnx.clone()),
                    None => match self.class_names.get(&class) {
                        Some(name) => (format!("{name}.{}", op.name()), op.name()),
                        None => {
                            self.fresh += 1;
                            (format!("fused{}.{}", self.fresh, op.name()), op.name())
                        }
                    },
                };
                let name = self.unique(base);
                let out_name = match self.l.roots.iter().position(|&r| eg.find(r) == class) {
                    Some(o) => self.l.graph.value(self.l.graph.outputs[o]).name.clone(),
                    None => name.clone(),
                };
                self.g.add_node(&name, &onnx, op, vals, &out_name).ok()?
            }
        };
        self.sig.push(format!("{class}={n:?}"));
        self.on_stack.remove(&class);
        self.used.push(class);
        self.done.insert(class, v);
        Some(v)
    }
}

fn build(
    l: &Loaded,
    pick: &dyn Fn(Id) -> Option<Tl>,
    originals: &HashMap<Tl, (String, String)>,
    class_names: &HashMap<Id, String>,
) -> Option<Built> {
    let mut b = Builder {
        l,
        pick,
        originals,
        class_names,
        g: Graph::default(),
        done: HashMap::new(),
        on_stack: HashSet::new(),
        used: Vec::new(),
        sig: Vec::new(),
        names: HashSet::new(),
        fresh: 0,
    };
    for &v in &l.graph.inputs {
        let val = l.graph.value(v);
        let id = b.g.add_value(&val.name, val.shape.clone(), None);
        b.g.inputs.push(id);
    }
    for &r in &l.roots {
        let v = b.visit(r)?;
        b.g.outputs.push(v);
    }
    Some(Built {
        graph: b.g,
        used: b.used,
        signature: b.sig.join(";"),
    })
}

/// What the search found.
pub struct Found {
    /// The cheapest graph and its score, if any candidate compiled.
    pub best: Option<(Graph, f64)>,
    /// How many graphs were costed.
    pub evaluations: usize,
}

/// Searches the choices of `l` for the graph with the lowest `score`, costing at most
/// `max_evaluations` graphs.
pub fn search(l: &Loaded, max_evaluations: usize, score: &mut dyn FnMut(&Graph) -> Option<f64>) -> Found {
    let eg = &l.egraph;
    let alts = alternatives(eg);
    let valid: HashSet<Tl> = alts.values().flatten().cloned().collect();
    let ex = Extractor::new(eg, FewestOps { valid: &valid });
    let mut originals = HashMap::new();
    let mut class_names = HashMap::new();
    let mut start = HashMap::new();
    for (n, name, onnx) in &l.originals {
        let canon = n.clone().map_children(|c| eg.find(c));
        if let Some(class) = eg.lookup(canon.clone()) {
            originals.entry(canon.clone()).or_insert((name.clone(), onnx.clone()));
            class_names.entry(class).or_insert(name.clone());
            start.entry(class).or_insert(canon);
        }
    }
    let heuristic = |c: Id| -> Option<Tl> {
        let n = ex.find_best_node(c);
        (ex.find_best_cost(c).is_finite()).then(|| n.clone())
    };
    let mut memo: HashMap<String, Option<f64>> = HashMap::new();
    let mut evaluations = 0;
    let mut eval = |built: &Built, evaluations: &mut usize| -> Option<f64> {
        if let Some(s) = memo.get(&built.signature) {
            return *s;
        }
        *evaluations += 1;
        let s = score(&built.graph);
        memo.insert(built.signature.clone(), s);
        s
    };
    // Starting points: the input graph's own choices, and the fewest-ops extraction.
    let mut current: Option<(HashMap<Id, Tl>, Built, f64)> = None;
    for overrides in [start, HashMap::new()] {
        let pick = |c: Id| overrides.get(&c).cloned().or_else(|| heuristic(c));
        if let Some(b) = build(l, &pick, &originals, &class_names) {
            if let Some(s) = eval(&b, &mut evaluations) {
                if current.as_ref().is_none_or(|(_, _, cs)| s < *cs) {
                    current = Some((overrides.clone(), b, s));
                }
            }
        }
    }
    let Some((mut choice, mut built, mut best)) = current else {
        return Found {
            best: None,
            evaluations,
        };
    };
    // Hill climbing: one changed choice at a time, first improvement wins, until no single
    // change helps or the budget is spent.
    'climb: loop {
        let used = built.used.clone();
        for class in used {
            let Some(options) = alts.get(&class) else { continue };
            if options.len() < 2 {
                continue;
            }
            let chosen = choice.get(&class).cloned().or_else(|| heuristic(class));
            for alt in options {
                if Some(alt) == chosen.as_ref() {
                    continue;
                }
                if evaluations >= max_evaluations {
                    break 'climb;
                }
                let mut next = choice.clone();
                next.insert(class, alt.clone());
                let pick = |c: Id| next.get(&c).cloned().or_else(|| heuristic(c));
                let Some(b) = build(l, &pick, &originals, &class_names) else {
                    continue;
                };
                if let Some(s) = eval(&b, &mut evaluations) {
                    if s < best {
                        (choice, built, best) = (next, b, s);
                        continue 'climb;
                    }
                }
            }
        }
        break;
    }
    Found {
        best: Some((built.graph, best)),
        evaluations,
    }
}
