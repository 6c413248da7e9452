//! The e-graph language: a projection of the tensor IR in which every tensor value is an
//! e-class. Op attributes (conv strides, pool windows, shapes, activations) and constant
//! tensors are leaves pointing into pools held by the analysis, so one `(conv ?p ?x ?w ?b)`
//! pattern matches every convolution and a rule reads the attributes through the analysis.
//!
//! The analysis gives each class its shape and, when every input is constant, its value
//! (constant folding): a rule that builds `(matmul ?a ?b)` over two weights gets their
//! product as a new weight without computing it itself.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use egg::{define_language, Analysis, DidMerge, EGraph, Id};
use zkc_ir::ops::{BinaryOp, Op};
use zkc_ir::Tensor;

/// A leaf: a model input, a constant tensor or an op attribute, by index into the pools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Leaf {
    /// Model input `i`.
    Input(u32),
    /// Constant `i` of [`Pools::consts`].
    Const(u32),
    /// Attribute set `i` of [`Pools::params`] (an IR op carrying them).
    Param(u32),
}

impl fmt::Display for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Leaf::Input(i) => write!(f, "in{i}"),
            Leaf::Const(i) => write!(f, "c{i}"),
            Leaf::Param(i) => write!(f, "p{i}"),
        }
    }
}

impl FromStr for Leaf {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let num = |p: &str| s.strip_prefix(p).and_then(|n| n.parse::<u32>().ok());
        if let Some(i) = num("in") {
            Ok(Leaf::Input(i))
        } else if let Some(i) = num("c") {
            Ok(Leaf::Const(i))
        } else if let Some(i) = num("p") {
            Ok(Leaf::Param(i))
        } else {
            Err(format!("`{s}` is not a leaf (in<N>, c<N>, p<N>)"))
        }
    }
}

define_language! {
    /// Tensor expressions. Children are e-classes; the first child of an op with
    /// attributes is its [`Leaf::Param`].
    pub enum Tl {
        "matmul" = MatMul([Id; 2]),
        // (conv params x w b); b is `none` when the convolution has no bias.
        "conv" = Conv([Id; 4]),
        "pool" = Pool([Id; 2]),
        "act" = Act([Id; 2]),
        "add" = Add([Id; 2]),
        "sub" = Sub([Id; 2]),
        "mul" = Mul([Id; 2]),
        "div" = Div([Id; 2]),
        "reshape" = Reshape([Id; 2]),
        "transpose" = Transpose([Id; 2]),
        // Every other IR op, untouched by the rules: (op params inputs...).
        "op" = Other(Box<[Id]>),
        "none" = Nothing,
        Leaf(Leaf),
    }
}

/// What the analysis knows about a class.
#[derive(Clone, Debug, Default)]
pub struct Data {
    /// The tensor's shape (`None` for attribute leaves, `none`, or an invalid node).
    pub shape: Option<Vec<usize>>,
    /// The constant value, as an index into [`Pools::consts`].
    pub konst: Option<u32>,
    /// The attribute set, for a param leaf.
    pub param: Option<u32>,
    /// The class is the `none` placeholder (a convolution without bias).
    pub none: bool,
}

/// The pools and the shapes of the model inputs: the analysis state.
#[derive(Clone, Debug, Default)]
pub struct Pools {
    /// Constant tensors.
    pub consts: Vec<Tensor>,
    const_index: HashMap<(Vec<usize>, Vec<u64>), u32>,
    /// Attribute sets, each an IR op.
    pub params: Vec<Op>,
    param_index: HashMap<String, u32>,
    /// Shapes of the model inputs.
    pub inputs: Vec<Vec<usize>>,
    /// The weight scale `s_w` of the fixed-point plan, for rules that keep a product at
    /// scale `s + s_w` (no rule needs it when `None`).
    pub weight_scale: Option<u32>,
}

/// The e-graph type of the fuse pass.
pub type EG = EGraph<Tl, Pools>;

impl Pools {
    /// The index of constant `t`, added if new (equal tensors share one index).
    pub fn intern_const(&mut self, t: Tensor) -> u32 {
        let key = (t.shape.clone(), t.data.iter().map(|v| v.to_bits()).collect());
        if let Some(&i) = self.const_index.get(&key) {
            return i;
        }
        self.consts.push(t);
        let i = (self.consts.len() - 1) as u32;
        self.const_index.insert(key, i);
        i
    }

    /// The index of attribute set `op`, added if new.
    pub fn intern_param(&mut self, op: Op) -> u32 {
        let key = serde_json_key(&op);
        if let Some(&i) = self.param_index.get(&key) {
            return i;
        }
        self.params.push(op);
        let i = (self.params.len() - 1) as u32;
        self.param_index.insert(key, i);
        i
    }
}

fn serde_json_key(op: &Op) -> String {
    // Debug output is a faithful key: every attribute is printed (floats exactly).
    format!("{op:?}")
}

/// The IR op an e-node stands for and its tensor inputs, if it is an op node.
pub fn ir_op(eg: &EG, n: &Tl) -> Option<(Op, Vec<Id>)> {
    let param = |id: Id| eg[id].data.param.map(|p| eg.analysis.params[p as usize].clone());
    let bin = |op: BinaryOp, a: &[Id; 2]| Some((Op::Binary(op), a.to_vec()));
    match n {
        Tl::MatMul(a) => Some((Op::MatMul, a.to_vec())),
        Tl::Conv([p, x, w, b]) => {
            let mut ins = vec![*x, *w];
            if !eg[*b].data.none {
                ins.push(*b);
            }
            Some((param(*p)?, ins))
        }
        Tl::Pool([p, x]) | Tl::Act([p, x]) | Tl::Reshape([p, x]) | Tl::Transpose([p, x]) => {
            Some((param(*p)?, vec![*x]))
        }
        Tl::Add(a) => bin(BinaryOp::Add, a),
        Tl::Sub(a) => bin(BinaryOp::Sub, a),
        Tl::Mul(a) => bin(BinaryOp::Mul, a),
        Tl::Div(a) => bin(BinaryOp::Div, a),
        Tl::Other(c) => Some((param(*c.first()?)?, c[1..].to_vec())),
        Tl::Nothing | Tl::Leaf(_) => None,
    }
}

impl Analysis<Tl> for Pools {
    type Data = Data;

    fn make(eg: &mut EG, n: &Tl, _id: Id) -> Data {
        match n {
            Tl::Leaf(Leaf::Input(i)) => Data {
                shape: eg.analysis.inputs.get(*i as usize).cloned(),
                ..Data::default()
            },
            Tl::Leaf(Leaf::Const(i)) => Data {
                shape: Some(eg.analysis.consts[*i as usize].shape.clone()),
                konst: Some(*i),
                ..Data::default()
            },
            Tl::Leaf(Leaf::Param(i)) => Data {
                param: Some(*i),
                ..Data::default()
            },
            Tl::Nothing => Data {
                none: true,
                ..Data::default()
            },
            _ => {
                let Some((op, ins)) = ir_op(eg, n) else {
                    return Data::default();
                };
                let shapes: Option<Vec<Vec<usize>>> = ins.iter().map(|&i| eg[i].data.shape.clone()).collect();
                let Some(shapes) = shapes else {
                    return Data::default();
                };
                let refs: Vec<&[usize]> = shapes.iter().map(|s| s.as_slice()).collect();
                let Ok(shape) = op.output_shape(&refs) else {
                    return Data::default();
                };
                // Constant folding: an op over constants is a constant.
                let konsts: Option<Vec<u32>> = ins.iter().map(|&i| eg[i].data.konst).collect();
                let konst = konsts.and_then(|ks| {
                    let ts: Vec<&Tensor> = ks.iter().map(|&k| &eg.analysis.consts[k as usize]).collect();
                    let t = op.eval(&ts).ok()?;
                    Some(t)
                });
                let konst = konst.map(|t| eg.analysis.intern_const(t));
                Data {
                    shape: Some(shape),
                    konst,
                    ..Data::default()
                }
            }
        }
    }

    fn merge(&mut self, a: &mut Data, b: Data) -> DidMerge {
        let mut changed_a = false;
        let mut changed_b = false;
        macro_rules! take {
            ($f:ident) => {
                match (&a.$f, &b.$f) {
                    (None, Some(_)) => {
                        a.$f = b.$f.clone();
                        changed_a = true;
                    }
                    (Some(_), None) => changed_b = true,
                    _ => {}
                }
            };
        }
        take!(shape);
        take!(konst);
        take!(param);
        if a.none != b.none {
            changed_a |= !a.none;
            changed_b |= !b.none;
            a.none = true;
        }
        DidMerge(changed_a, changed_b)
    }

    fn modify(eg: &mut EG, id: Id) {
        if let Some(k) = eg[id].data.konst {
            let leaf = eg.add(Tl::Leaf(Leaf::Const(k)));
            eg.union(id, leaf);
        }
    }
}
