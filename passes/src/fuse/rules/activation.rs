//! Activation rules: PyTorch exports SiLU (`nn.SiLU`, `F.silu`) as `x · Sigmoid(x)`, a
//! sigmoid table, a `Mul` of two witnesses and a `Rescale` per element; as ONNX's Swish with
//! alpha = 1 it is one table lookup.

use egg::{Id, Subst};
use zkc_ir::ops::Op;
use zkc_ir::Activation;

use super::{add_param, is_var, param, var, Rhs, Rule};
use crate::fuse::lang::{Tl, EG};

fn is_sigmoid(eg: &EG, s: &Subst) -> bool {
    matches!(param(eg, s, "?f"), Some(Op::Activation(Activation::Sigmoid)))
}

fn x_is_witness(eg: &EG, s: &Subst) -> bool {
    is_var(eg, s, "?x")
}

/// `x · σ(x) = swish₁(x)`, exactly over the reals.
fn swish(eg: &mut EG, s: &Subst) -> Option<Id> {
    let p = add_param(eg, Op::Activation(Activation::Swish { alpha: 1.0 }));
    Some(eg.add(Tl::Act([p, s[var("?x")]])))
}

/// The rules of this file.
pub fn rules() -> Vec<Rule> {
    let conds = || -> Vec<(&'static str, super::CondFn)> {
        vec![("f is the sigmoid", is_sigmoid), ("x is a witness", x_is_witness)]
    };
    vec![
        Rule::new("silu-as-swish", "(mul ?x (act ?f ?x))", conds(), Rhs::Build(swish)),
        Rule::new(
            "silu-as-swish-mirrored",
            "(mul (act ?f ?x) ?x)",
            conds(),
            Rhs::Build(swish),
        ),
    ]
}
