//! The rewrite rules, as data: each [`Rule`] is a name, a pattern, named conditions and a
//! right-hand side (a pattern, or a builder for rules that compute new weights). Rules are
//! grouped by the op they produce: [`linear`] (folds into Conv/MatMul weights and biases),
//! [`layout`] (Transpose/Reshape pairs), [`pool`] (pool/activation order, AveragePool as a
//! sum), [`activation`] (x·σ(x) as one Swish table). See `passes/src/fuse/README.md` for how to add one.

pub mod activation;
pub mod layout;
pub mod linear;
pub mod pool;

use egg::{Applier, Id, Pattern, PatternAst, Rewrite, SearchMatches, Searcher, Subst, Symbol, Var};
use zkc_ir::ops::Op;
use zkc_ir::Tensor;

use super::lang::{Leaf, Pools, Tl, EG};

/// A condition a match must meet, with the name the docs and `--explain-passes` use.
pub type CondFn = fn(&EG, &Subst) -> bool;

/// Builds the right-hand side for a match; `None` when the match does not qualify after all.
pub type BuildFn = fn(&mut EG, &Subst) -> Option<Id>;

/// The right-hand side of a rule.
#[derive(Clone, Copy)]
pub enum Rhs {
    /// A pattern over the left-hand side's variables.
    Pattern(&'static str),
    /// A builder (computes new constants).
    Build(BuildFn),
}

/// One rewrite: `lhs => rhs if every condition holds`.
#[derive(Clone)]
pub struct Rule {
    /// Unique name (shown by `--explain-passes`).
    pub name: &'static str,
    /// The pattern it matches.
    pub lhs: &'static str,
    /// Named conditions, all required.
    pub conds: Vec<(&'static str, CondFn)>,
    /// What the match is equal to.
    pub rhs: Rhs,
}

impl Rule {
    /// A rule with conditions.
    pub fn new(name: &'static str, lhs: &'static str, conds: Vec<(&'static str, CondFn)>, rhs: Rhs) -> Self {
        Rule { name, lhs, conds, rhs }
    }

    /// The egg rewrite.
    pub fn rewrite(&self) -> Rewrite<Tl, Pools> {
        let lhs: Pattern<Tl> = self
            .lhs
            .parse()
            .unwrap_or_else(|e| panic!("rule {}: bad lhs: {e}", self.name));
        let rhs = match self.rhs {
            Rhs::Pattern(p) => {
                Target::Pattern(p.parse().unwrap_or_else(|e| panic!("rule {}: bad rhs: {e}", self.name)))
            }
            Rhs::Build(f) => Target::Build(f),
        };
        Rewrite::new(
            self.name,
            lhs,
            Checked {
                conds: self.conds.clone(),
                rhs,
            },
        )
        .unwrap_or_else(|e| panic!("rule {}: {e}", self.name))
    }
}

enum Target {
    Pattern(Pattern<Tl>),
    Build(BuildFn),
}

/// Checks the conditions, builds the right-hand side and unions it with the match, but only
/// when the new expression has the same shape: a rule can never change a tensor's type.
struct Checked {
    conds: Vec<(&'static str, CondFn)>,
    rhs: Target,
}

impl Applier<Tl, Pools> for Checked {
    fn apply_one(
        &self,
        eg: &mut EG,
        eclass: Id,
        subst: &Subst,
        _ast: Option<&PatternAst<Tl>>,
        _rule: Symbol,
    ) -> Vec<Id> {
        if !self.conds.iter().all(|(_, c)| c(eg, subst)) {
            return vec![];
        }
        let new = match &self.rhs {
            Target::Build(f) => f(eg, subst),
            Target::Pattern(p) => Some(eg.add_instantiation(&p.ast, subst)),
        };
        let Some(new) = new else { return vec![] };
        let (want, got) = (&eg[eclass].data.shape, &eg[new].data.shape);
        if want.is_none() || want != got {
            return vec![];
        }
        if eg.union(eclass, new) {
            vec![eclass]
        } else {
            vec![]
        }
    }
}

/// Every rule of the fuse pass.
pub fn all() -> Vec<Rule> {
    let mut r = linear::rules();
    r.extend(layout::rules());
    r.extend(pool::rules());
    r.extend(activation::rules());
    r
}

// Helpers shared by the rule files.

/// The pattern variable `?name`.
pub fn var(name: &str) -> Var {
    name.parse().expect("pattern variable")
}

/// The constant value of the class bound to `v`.
pub fn konst<'a>(eg: &'a EG, s: &Subst, v: &str) -> Option<&'a Tensor> {
    eg[*s.get(var(v))?].data.konst.map(|k| &eg.analysis.consts[k as usize])
}

/// The shape of the class bound to `v`.
pub fn shape<'a>(eg: &'a EG, s: &Subst, v: &str) -> Option<&'a [usize]> {
    eg[*s.get(var(v))?].data.shape.as_deref()
}

/// The attribute op of the param leaf bound to `v`.
pub fn param<'a>(eg: &'a EG, s: &Subst, v: &str) -> Option<&'a Op> {
    eg[*s.get(var(v))?].data.param.map(|p| &eg.analysis.params[p as usize])
}

/// Whether the class bound to `v` is a witness (not constant).
pub fn is_var(eg: &EG, s: &Subst, v: &str) -> bool {
    s.get(var(v))
        .is_some_and(|&id| eg[id].data.konst.is_none() && eg[id].data.shape.is_some())
}

/// Adds a constant leaf.
pub fn add_const(eg: &mut EG, t: Tensor) -> Id {
    let k = eg.analysis.intern_const(t);
    eg.add(Tl::Leaf(Leaf::Const(k)))
}

/// Adds a param leaf.
pub fn add_param(eg: &mut EG, op: Op) -> Id {
    let p = eg.analysis.intern_param(op);
    eg.add(Tl::Leaf(Leaf::Param(p)))
}

/// A single value that, broadcast against a tensor of rank `rank`, leaves its shape alone.
pub fn scalar_of(t: &Tensor, rank: usize) -> Option<f64> {
    (t.len() == 1 && t.rank() <= rank).then(|| t.data[0])
}

/// The per-index vector of `t` when `t`, broadcast against `shape`, varies only along
/// `axis` (length `shape[axis]`) and does not change the shape; a scalar gives a constant
/// vector.
pub fn along_axis(t: &Tensor, shape: &[usize], axis: usize) -> Option<Vec<f64>> {
    let (r, n) = (shape.len(), shape[axis]);
    if t.rank() > r {
        return None;
    }
    let off = r - t.rank();
    let mut varying = None;
    for (d, &len) in t.shape.iter().enumerate() {
        if d + off == axis {
            if len != n && len != 1 {
                return None;
            }
            if len == n && n != 1 {
                varying = Some(d);
            }
        } else if len != 1 {
            return None;
        }
    }
    Some(match varying {
        None => vec![t.data[0]; n],
        // Only one axis has length > 1, so the data is that axis in order.
        Some(_) => t.data.clone(),
    })
}

/// Whether a searcher pattern matches anywhere (for tests).
pub fn matches(eg: &EG, pattern: &str) -> bool {
    let p: Pattern<Tl> = pattern.parse().expect("pattern");
    let m: Vec<SearchMatches<Tl>> = p.search(eg);
    !m.is_empty()
}
