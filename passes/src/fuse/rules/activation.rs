//! Activation rules: PyTorch spells two common activations with several ONNX ops, each of
//! which costs arguments per element, where one table lookup does:
//!
//! - SiLU (`nn.SiLU`, `F.silu`) as `x · Sigmoid(x)`: a sigmoid table, a `Mul` of two
//!   witnesses and a `Rescale`; it is ONNX's Swish with alpha = 1.
//! - exact GELU before opset 20 (`nn.GELU()`) as `(x · (Erf(x / √2) + 1)) · 0.5`: a
//!   division, an erf table, an addition, a `Mul` of two witnesses and two `Rescale`s.

use egg::{Id, Subst};
use zkc_ir::ops::Op;
use zkc_ir::Activation;

use super::{add_param, is_var, konst, param, scalar_of, shape, var, Rhs, Rule};
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

fn is_erf(eg: &EG, s: &Subst) -> bool {
    matches!(param(eg, s, "?e"), Some(Op::Activation(Activation::Erf)))
}

/// The scalar constant bound to `v`, if it broadcasts against `?x` without changing its shape.
fn scalar(eg: &EG, s: &Subst, v: &str) -> Option<f64> {
    scalar_of(konst(eg, s, v)?, shape(eg, s, "?x")?.len())
}

/// `r` is √2 as exporters write it: PyTorch stores it in the model's float type, so the
/// float32 constant 1.4142135 (2e-8 from √2) must match. The two forms then differ by under
/// 2e-8 relative in erf's argument, far below one unit of any fixed-point scale; the fuse
/// driver still compares every candidate's fixed-point outputs with the float model's.
fn r_is_sqrt2(eg: &EG, s: &Subst) -> bool {
    scalar(eg, s, "?r").is_some_and(|r| (r - std::f64::consts::SQRT_2).abs() < 1e-7)
}

fn one_and_half(eg: &EG, s: &Subst) -> bool {
    scalar(eg, s, "?one") == Some(1.0) && scalar(eg, s, "?half") == Some(0.5)
}

/// `(x·(erf(x/√2) + 1))·½ = gelu(x)`.
fn gelu(eg: &mut EG, s: &Subst) -> Option<Id> {
    let p = add_param(eg, Op::Activation(Activation::Gelu { tanh: false }));
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
        Rule::new(
            "erf-gelu-as-gelu",
            "(mul (mul ?x (add (act ?e (div ?x ?r)) ?one)) ?half)",
            vec![
                ("e is erf", is_erf),
                ("x is a witness", x_is_witness),
                ("r is √2 (to float32 precision)", r_is_sqrt2),
                ("the constants are 1 and ½", one_and_half),
            ],
            Rhs::Build(gelu),
        ),
    ]
}
