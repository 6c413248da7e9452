//! Pooling rules: a monotone activation commutes with max pooling (so it can run on the
//! smaller side), and an average pool with one divisor everywhere is a sum (a depthwise
//! convolution with a kernel of ones, whose `Linear` needs no `Rescale`) times `1/n`, and the
//! `1/n` folds into the next Conv or MatMul (rules in `linear`).

use egg::{Id, Subst};
use zkc_ir::ops::{ConvParams, Op, PoolKind};
use zkc_ir::{Activation, Tensor};

use super::{add_const, add_param, param, shape, var, Rhs, Rule};
use crate::fuse::lang::{Tl, EG};

fn is_max_pool(eg: &EG, s: &Subst) -> bool {
    matches!(param(eg, s, "?p"), Some(Op::Pool(p)) if p.kind == PoolKind::Max)
}

/// `f` is nondecreasing on all of ℝ, so `max(f(a), f(b)) = f(max(a, b))` (its fixed-point
/// table or `Max` form is nondecreasing too: rounding keeps the order).
fn is_monotone(eg: &EG, s: &Subst) -> bool {
    let Some(Op::Activation(a)) = param(eg, s, "?f") else {
        return false;
    };
    match *a {
        Activation::Relu | Activation::Sigmoid | Activation::Tanh | Activation::Exp | Activation::Softsign => true,
        Activation::Softplus => true,
        Activation::LeakyRelu { alpha } | Activation::Elu { alpha } => alpha >= 0.0,
        Activation::Selu { alpha, gamma } => alpha >= 0.0 && gamma >= 0.0,
        Activation::Clip { min, max } => min <= max,
        Activation::HardSigmoid { alpha, .. } => alpha >= 0.0,
        Activation::Log | Activation::Sqrt | Activation::Pow { .. } => false,
        Activation::Abs | Activation::Neg | Activation::HardSwish => false,
        Activation::Erf | Activation::Floor | Activation::Ceil | Activation::Round | Activation::Trunc => true,
        // x > alpha ? x : 0 jumps from 0 up to alpha at alpha: nondecreasing iff alpha ≥ 0.
        Activation::ThresholdedRelu { alpha } => alpha >= 0.0,
        // Each dips below 0 for negative x and comes back to 0: not monotone.
        Activation::Gelu { .. } | Activation::Swish { .. } | Activation::Mish => false,
        // Undefined where bias + k·x ≤ 0; 1/x decreases on each side of 0.
        Activation::LrnFactor { .. } | Activation::Reciprocal => false,
        Activation::Math(m) => m.is_monotone(),
    }
}

/// An average pool whose every window divides by the full kernel size: no padding, or
/// padding counted in the divisor, and no partial windows from `ceil_mode`.
fn uniform_average(eg: &EG, s: &Subst) -> bool {
    let Some(Op::Pool(p)) = param(eg, s, "?p") else {
        return false;
    };
    let PoolKind::Average { count_include_pad } = p.kind else {
        return false;
    };
    !p.ceil_mode
        && (count_include_pad || p.pads.iter().all(|&v| v == 0))
        && shape(eg, s, "?x").is_some_and(|x| x.len() >= 3)
}

/// `avgpool(x) = conv(x, ones, group = C) · (1/n)`.
fn average_as_sum(eg: &mut EG, s: &Subst) -> Option<Id> {
    let Some(Op::Pool(p)) = param(eg, s, "?p").cloned() else {
        return None;
    };
    let c = shape(eg, s, "?x")?[1];
    let n: usize = p.kernel.iter().product();
    let mut wshape = vec![c, 1];
    wshape.extend(&p.kernel);
    let ones = add_const(eg, Tensor::full(wshape, 1.0));
    let cp = add_param(
        eg,
        Op::Conv(ConvParams {
            kernel: p.kernel.clone(),
            strides: p.strides.clone(),
            dilations: p.dilations.clone(),
            pads: p.pads.clone(),
            group: c,
        }),
    );
    let none = eg.add(Tl::Nothing);
    let sum = eg.add(Tl::Conv([cp, s[var("?x")], ones, none]));
    let k = add_const(eg, Tensor::scalar(1.0 / n as f64));
    Some(eg.add(Tl::Mul([sum, k])))
}

/// The rules of this file.
pub fn rules() -> Vec<Rule> {
    use Rhs::{Build, Pattern};
    vec![
        Rule::new(
            "maxpool-then-monotone",
            "(act ?f (pool ?p ?x))",
            vec![
                ("the pool is a max pool", is_max_pool),
                ("f is nondecreasing", is_monotone),
            ],
            Pattern("(pool ?p (act ?f ?x))"),
        ),
        Rule::new(
            "monotone-then-maxpool",
            "(pool ?p (act ?f ?x))",
            vec![
                ("the pool is a max pool", is_max_pool),
                ("f is nondecreasing", is_monotone),
            ],
            Pattern("(act ?f (pool ?p ?x))"),
        ),
        Rule::new(
            "avgpool-as-sum",
            "(pool ?p ?x)",
            vec![("every window divides by the kernel size", uniform_average)],
            Build(average_as_sum),
        ),
    ]
}
