//! Rules that fold constant scalings, biases and whole linear maps into the weights of a
//! Conv or MatMul, so the circuit has one `Linear` + `Rescale` where it had two or more.
//!
//! Each is exact over the reals; in fixed point the folded weight is quantized once instead
//! of each factor separately, so outputs move by at most the quantization tolerance.

use egg::{Id, Subst};
use zkc_ir::ops::{ConvParams, Op};
use zkc_ir::tensor::numel;
use zkc_ir::Tensor;

use super::{add_const, add_param, along_axis, is_var, konst, param, scalar_of, shape, var, Rhs, Rule};
use crate::fuse::lang::{Tl, EG};

// ---- conditions -------------------------------------------------------------------------

fn c_const(eg: &EG, s: &Subst) -> bool {
    konst(eg, s, "?c").is_some()
}
fn c_nonzero_const(eg: &EG, s: &Subst) -> bool {
    konst(eg, s, "?c").is_some_and(|t| t.data.iter().all(|&v| v != 0.0 && v.is_finite()))
}
fn w_const(eg: &EG, s: &Subst) -> bool {
    konst(eg, s, "?w").is_some()
}
fn x_var(eg: &EG, s: &Subst) -> bool {
    is_var(eg, s, "?x")
}
fn ab_const(eg: &EG, s: &Subst) -> bool {
    konst(eg, s, "?a").is_some() && konst(eg, s, "?b").is_some()
}
fn ab_var(eg: &EG, s: &Subst) -> bool {
    is_var(eg, s, "?a") && is_var(eg, s, "?b")
}
/// Weights whose batch dimensions (all but the last two) are 1: they broadcast over the
/// activation's batch, so a product of two such weights is again one.
fn batch_one(t: &Tensor) -> bool {
    t.rank() >= 2 && t.shape[..t.rank() - 2].iter().all(|&d| d == 1)
}
fn w_batch_one(eg: &EG, s: &Subst) -> bool {
    konst(eg, s, "?w").is_some_and(batch_one)
}
fn ab_batch_one(eg: &EG, s: &Subst) -> bool {
    konst(eg, s, "?a").is_some_and(batch_one) && konst(eg, s, "?b").is_some_and(batch_one)
}
/// `?c` is one value that does not change the shape of the product it scales.
fn c_scalar(eg: &EG, s: &Subst) -> bool {
    let rank = |v| shape(eg, s, v).map(|x| x.len());
    match (konst(eg, s, "?c"), rank("?a"), rank("?b")) {
        (Some(c), Some(ra), Some(rb)) => scalar_of(c, ra.min(rb)).is_some(),
        _ => false,
    }
}
/// The conv bound to the match has its output channel on axis 1: `?c` varies only there.
fn c_per_out_channel_of_conv(eg: &EG, s: &Subst) -> bool {
    conv_out_shape(eg, s).is_some_and(|o| konst(eg, s, "?c").and_then(|c| along_axis(c, &o, 1)).is_some())
}
fn conv_out_shape(eg: &EG, s: &Subst) -> Option<Vec<usize>> {
    let (x, w) = (shape(eg, s, "?x")?, shape(eg, s, "?w")?);
    let Op::Conv(p) = param(eg, s, "?p")? else { return None };
    zkc_ir::ops::conv::shape(p, &[x, w]).ok()
}
/// `?c` scales whole input channels of a group-1 conv (or is one value).
fn c_per_in_channel_of_conv(eg: &EG, s: &Subst) -> bool {
    let (Some(c), Some(x), Some(Op::Conv(p))) = (konst(eg, s, "?c"), shape(eg, s, "?x"), param(eg, s, "?p")) else {
        return false;
    };
    scalar_of(c, x.len()).is_some() || (p.group == 1 && along_axis(c, x, 1).is_some())
}
/// `?c` varies only along the last axis of the MatMul output (per output column).
fn c_per_column(eg: &EG, s: &Subst) -> bool {
    let (Some(c), Some(x), Some(w)) = (konst(eg, s, "?c"), shape(eg, s, "?x"), shape(eg, s, "?w")) else {
        return false;
    };
    let Ok(out) = zkc_ir::ops::matmul::shape(x, w) else {
        return false;
    };
    x.len() >= 2 && along_axis(c, &out, out.len() - 1).is_some()
}
/// `?c` varies only along the last axis of `?x` (per row of the weight).
fn c_per_row(eg: &EG, s: &Subst) -> bool {
    let (Some(c), Some(x)) = (konst(eg, s, "?c"), shape(eg, s, "?x")) else {
        return false;
    };
    x.len() >= 2 && along_axis(c, x, x.len() - 1).is_some()
}
/// The transpose `?p` swaps the last two axes and nothing else.
fn p_swaps_last_two(eg: &EG, s: &Subst) -> bool {
    let Some(Op::Transpose { perm }) = param(eg, s, "?p") else {
        return false;
    };
    let r = perm.len();
    r >= 2 && perm[r - 2] == r - 1 && perm[r - 1] == r - 2 && (0..r - 2).all(|i| perm[i] == i)
}
/// The MatMul `?x · ?w` can be a 1×1 convolution: `?w` is `[K, N]` (batch dims 1) and
/// `?x` has the batch dims of the output.
fn matmul_as_conv(eg: &EG, s: &Subst) -> bool {
    let (Some(x), Some(w)) = (shape(eg, s, "?x"), konst(eg, s, "?w")) else {
        return false;
    };
    x.len() >= 2 && batch_one(w) && w.rank() <= x.len() && x[x.len() - 1] == w.shape[w.rank() - 2]
}

// ---- builders ---------------------------------------------------------------------------

fn scale_axis0(w: &Tensor, c: &[f64]) -> Tensor {
    let inner = w.len() / w.shape[0].max(1);
    Tensor::new(
        w.shape.clone(),
        w.data.iter().enumerate().map(|(i, v)| v * c[i / inner]).collect(),
    )
}

fn conv_node(eg: &mut EG, s: &Subst, w: Tensor, b: Option<Tensor>) -> Id {
    let w = add_const(eg, w);
    let b = match b {
        Some(b) => add_const(eg, b),
        None => eg.add(Tl::Nothing),
    };
    eg.add(Tl::Conv([s[var("?p")], s[var("?x")], w, b]))
}

fn bias_of(eg: &EG, s: &Subst) -> Option<Tensor> {
    konst(eg, s, "?b").cloned()
}

/// `conv(x, w, b)·c = conv(x, w·c[m], b·c[m])`.
fn conv_scale_out(eg: &mut EG, s: &Subst) -> Option<Id> {
    let out = conv_out_shape(eg, s)?;
    let c = along_axis(konst(eg, s, "?c")?, &out, 1)?;
    if !eg[s[var("?b")]].data.none && konst(eg, s, "?b").is_none() {
        return None;
    }
    let w = scale_axis0(konst(eg, s, "?w")?, &c);
    let b = bias_of(eg, s).map(|b| Tensor::new(b.shape.clone(), b.data.iter().zip(&c).map(|(v, k)| v * k).collect()));
    Some(conv_node(eg, s, w, b))
}

/// `conv(x, w, b) + c = conv(x, w, b + c[m])`.
fn conv_bias_add(eg: &mut EG, s: &Subst) -> Option<Id> {
    let out = conv_out_shape(eg, s)?;
    let c = along_axis(konst(eg, s, "?c")?, &out, 1)?;
    if !eg[s[var("?b")]].data.none && konst(eg, s, "?b").is_none() {
        return None;
    }
    let b = match bias_of(eg, s) {
        Some(b) => Tensor::new(b.shape.clone(), b.data.iter().zip(&c).map(|(v, k)| v + k).collect()),
        None => Tensor::new(vec![c.len()], c),
    };
    let w = konst(eg, s, "?w")?.clone();
    Some(conv_node(eg, s, w, Some(b)))
}

/// `conv(x·c, w, b) = conv(x, w·c[ci], b)`: zero padding stays zero.
fn conv_scale_in(eg: &mut EG, s: &Subst) -> Option<Id> {
    let x = shape(eg, s, "?x")?.to_vec();
    let c = konst(eg, s, "?c")?;
    let w = konst(eg, s, "?w")?;
    let per_ci = match scalar_of(c, x.len()) {
        Some(k) => vec![k; x[1]],
        None => along_axis(c, &x, 1)?,
    };
    // w is [M, C/group, k...]; with group 1 axis 1 is the input channel.
    let (m, cg) = (w.shape[0], w.shape[1]);
    let kn = w.len() / (m * cg).max(1);
    let data = w
        .data
        .iter()
        .enumerate()
        .map(|(i, v)| v * per_ci[(i / kn) % cg])
        .collect();
    let w = Tensor::new(w.shape.clone(), data);
    let b = if eg[s[var("?b")]].data.none {
        None
    } else {
        Some(konst(eg, s, "?b")?.clone())
    };
    Some(conv_node(eg, s, w, b))
}

fn scale_last(w: &Tensor, c: &[f64]) -> Tensor {
    let n = w.shape[w.rank() - 1];
    Tensor::new(
        w.shape.clone(),
        w.data.iter().enumerate().map(|(i, v)| v * c[i % n]).collect(),
    )
}

/// `(x·w)·c = x·(w·c[col])`.
fn matmul_scale_out(eg: &mut EG, s: &Subst) -> Option<Id> {
    let (x, w) = (shape(eg, s, "?x")?, konst(eg, s, "?w")?);
    let out = zkc_ir::ops::matmul::shape(x, &w.shape).ok()?;
    let c = along_axis(konst(eg, s, "?c")?, &out, out.len() - 1)?;
    let w = add_const(eg, scale_last(w, &c));
    Some(eg.add(Tl::MatMul([s[var("?x")], w])))
}

/// `(x·c[k])·w = x·(c[k]·w[k, :])`.
fn matmul_scale_in(eg: &mut EG, s: &Subst) -> Option<Id> {
    let x = shape(eg, s, "?x")?;
    let c = along_axis(konst(eg, s, "?c")?, x, x.len() - 1)?;
    let w = konst(eg, s, "?w")?;
    let (k, n) = (w.shape[w.rank() - 2], w.shape[w.rank() - 1]);
    if c.len() != k {
        return None;
    }
    let data = w.data.iter().enumerate().map(|(i, v)| v * c[(i / n) % k]).collect();
    let w = add_const(eg, Tensor::new(w.shape.clone(), data));
    Some(eg.add(Tl::MatMul([s[var("?x")], w])))
}

fn transpose_last_two(t: &Tensor) -> Tensor {
    let r = t.rank();
    let mut perm: Vec<usize> = (0..r).collect();
    perm.swap(r - 2, r - 1);
    Op::Transpose { perm }.eval(&[t]).expect("a valid permutation")
}

/// `(x·a)·(y·b)ᵀ = (x·(a·bᵀ))·yᵀ`: one projection instead of two.
fn qk_merge(eg: &mut EG, s: &Subst) -> Option<Id> {
    let (a, b) = (konst(eg, s, "?a")?, konst(eg, s, "?b")?);
    let abt = Op::MatMul.eval(&[a, &transpose_last_two(b)]).ok()?;
    let abt = add_const(eg, abt);
    let left = eg.add(Tl::MatMul([s[var("?x")], abt]));
    let right = eg.add(Tl::Transpose([s[var("?p")], s[var("?y")]]));
    Some(eg.add(Tl::MatMul([left, right])))
}

/// `x·w + b` as `reshape(conv1x1(reshape(x, [P, K, 1]), wᵀ, b), out)`: the bias joins the
/// MatMul's `Linear` (one argument per output instead of two).
fn matmul_bias(eg: &mut EG, s: &Subst) -> Option<Id> {
    let x = shape(eg, s, "?x")?.to_vec();
    let w = konst(eg, s, "?w")?.clone();
    let out = zkc_ir::ops::matmul::shape(&x, &w.shape).ok()?;
    let bias = along_axis(konst(eg, s, "?c")?, &out, out.len() - 1)?;
    let (k, n) = (w.shape[w.rank() - 2], w.shape[w.rank() - 1]);
    if out[..out.len() - 1] != x[..x.len() - 1] {
        return None;
    }
    let rows = numel(&x[..x.len() - 1]);
    let w2 = Tensor::new(vec![k, n], w.data.clone());
    let wt = transpose_last_two(&w2);
    let wc = Tensor::new(vec![n, k, 1], wt.data);
    let r_in = add_param(
        eg,
        Op::Reshape {
            shape: vec![rows, k, 1],
        },
    );
    let xr = eg.add(Tl::Reshape([r_in, s[var("?x")]]));
    let p = add_param(
        eg,
        Op::Conv(ConvParams {
            kernel: vec![1],
            strides: vec![1],
            dilations: vec![1],
            pads: vec![0, 0],
            group: 1,
        }),
    );
    let wc = add_const(eg, wc);
    let b = add_const(eg, Tensor::new(vec![n], bias));
    let conv = eg.add(Tl::Conv([p, xr, wc, b]));
    let r_out = add_param(eg, Op::Reshape { shape: out });
    Some(eg.add(Tl::Reshape([r_out, conv])))
}

/// The weights are not integers (a deferred product's are: do not defer twice).
fn w_not_integral(eg: &EG, s: &Subst) -> bool {
    konst(eg, s, "?w").is_some_and(|w| w.data.iter().any(|v| v.fract() != 0.0))
}
/// Every weight is a multiple of `2^-s_w`: exactly what the lowering's quantization makes
/// of it (the optimize driver rounds weights to that grid before the pass).
fn w_on_weight_grid(eg: &EG, s: &Subst) -> bool {
    let Some(sw) = eg.analysis.weight_scale.filter(|&sw| sw <= 30) else {
        return false;
    };
    let k = (1u64 << sw) as f64;
    konst(eg, s, "?w").is_some_and(|w| w.data.iter().all(|v| (v * k).fract() == 0.0))
}

/// `x·w = (x·W)·2^-s_w` with `W = w·2^s_w`, integers because `w` is on the weight grid:
/// `x·W` has integer weights, so its `Rescale` is exact and the pack pass drops it, and the
/// `2^-s_w` moves on (through a product of two witnesses) to the next `Rescale`, which the
/// pack pass merges with it. One `Rescale` per output of the product instead of one per
/// output of each factor, one rounding instead of two. Values are `2^s_w` times larger:
/// where the field is too small the lowering refuses the candidate and extraction keeps the
/// plain form.
fn matmul_defer_rescale(eg: &mut EG, s: &Subst) -> Option<Id> {
    let sw = eg.analysis.weight_scale?;
    let w = konst(eg, s, "?w")?;
    let k = (1u64 << sw) as f64;
    let wi = Tensor::new(w.shape.clone(), w.data.iter().map(|v| v * k).collect());
    let wi = add_const(eg, wi);
    let mm = eg.add(Tl::MatMul([s[var("?x")], wi]));
    let c = add_const(eg, Tensor::scalar(1.0 / k));
    Some(eg.add(Tl::Mul([mm, c])))
}

/// `x / c = x · (1/c)` for a constant without zeros.
fn div_to_mul(eg: &mut EG, s: &Subst) -> Option<Id> {
    let c = konst(eg, s, "?c")?;
    let inv = Tensor::new(c.shape.clone(), c.data.iter().map(|v| 1.0 / v).collect());
    let inv = add_const(eg, inv);
    Some(eg.add(Tl::Mul([s[var("?x")], inv])))
}

/// `x - c = x + (-c)`.
fn sub_to_add(eg: &mut EG, s: &Subst) -> Option<Id> {
    let c = konst(eg, s, "?c")?;
    let neg = Tensor::new(c.shape.clone(), c.data.iter().map(|v| -v).collect());
    let neg = add_const(eg, neg);
    Some(eg.add(Tl::Add([s[var("?x")], neg])))
}

/// The rules of this file.
pub fn rules() -> Vec<Rule> {
    use Rhs::{Build, Pattern};
    vec![
        // Canonical forms the folds below match.
        Rule::new(
            "div-const-to-mul",
            "(div ?x ?c)",
            vec![
                ("c is a constant without zeros", c_nonzero_const),
                ("x is a witness", x_var),
            ],
            Build(div_to_mul),
        ),
        Rule::new(
            "sub-const-to-add",
            "(sub ?x ?c)",
            vec![("c is a constant", c_const), ("x is a witness", x_var)],
            Build(sub_to_add),
        ),
        Rule::new(
            "mul-commute-const",
            "(mul ?c ?x)",
            vec![("c is a constant", c_const), ("x is a witness", x_var)],
            Pattern("(mul ?x ?c)"),
        ),
        Rule::new(
            "add-commute-const",
            "(add ?c ?x)",
            vec![("c is a constant", c_const), ("x is a witness", x_var)],
            Pattern("(add ?x ?c)"),
        ),
        // BatchNorm (imported as a per-channel Mul then Add) and scalar Mul/Div after a Conv.
        Rule::new(
            "conv-scale-out",
            "(mul (conv ?p ?x ?w ?b) ?c)",
            vec![
                ("w is constant", w_const),
                ("c scales whole output channels", c_per_out_channel_of_conv),
            ],
            Build(conv_scale_out),
        ),
        Rule::new(
            "conv-bias-add",
            "(add (conv ?p ?x ?w ?b) ?c)",
            vec![
                ("w is constant", w_const),
                ("c is one value per output channel", c_per_out_channel_of_conv),
            ],
            Build(conv_bias_add),
        ),
        Rule::new(
            "conv-scale-in",
            "(conv ?p (mul ?x ?c) ?w ?b)",
            vec![
                ("w is constant", w_const),
                ("x is a witness", x_var),
                (
                    "c scales whole input channels (group 1) or is one value",
                    c_per_in_channel_of_conv,
                ),
            ],
            Build(conv_scale_in),
        ),
        Rule::new(
            "matmul-scale-out",
            "(mul (matmul ?x ?w) ?c)",
            vec![
                ("w is constant with batch dims 1", w_batch_one),
                ("x is a witness", x_var),
                ("c scales whole output columns", c_per_column),
            ],
            Build(matmul_scale_out),
        ),
        Rule::new(
            "matmul-scale-in",
            "(matmul (mul ?x ?c) ?w)",
            vec![
                ("w is constant with batch dims 1", w_batch_one),
                ("x is a witness", x_var),
                ("c scales whole input columns", c_per_row),
            ],
            Build(matmul_scale_in),
        ),
        // Consecutive linear maps with nothing nonlinear between: one weight.
        Rule::new(
            "matmul-chain",
            "(matmul (matmul ?x ?a) ?b)",
            vec![
                ("a and b are constant", ab_const),
                ("a and b have batch dims 1", ab_batch_one),
                ("x is a witness", x_var),
            ],
            Pattern("(matmul ?x (matmul ?a ?b))"),
        ),
        Rule::new(
            "qk-merge",
            "(matmul (matmul ?x ?a) (transpose ?p (matmul ?y ?b)))",
            vec![
                ("a and b are constant", ab_const),
                ("a and b have batch dims 1", ab_batch_one),
                ("the transpose swaps the last two axes", p_swaps_last_two),
            ],
            Build(qk_merge),
        ),
        // A scalar moves through a product of two witnesses, so it can reach a weight.
        Rule::new(
            "scalar-into-bilinear-left",
            "(mul (matmul ?a ?b) ?c)",
            vec![("a and b are witnesses", ab_var), ("c is one value", c_scalar)],
            Pattern("(matmul (mul ?a ?c) ?b)"),
        ),
        Rule::new(
            "scalar-into-bilinear-right",
            "(mul (matmul ?a ?b) ?c)",
            vec![("a and b are witnesses", ab_var), ("c is one value", c_scalar)],
            Pattern("(matmul ?a (mul ?b ?c))"),
        ),
        Rule::new(
            "scalar-out-of-bilinear",
            "(matmul (mul ?a ?c) ?b)",
            vec![("a and b are witnesses", ab_var), ("c is one value", c_scalar)],
            Pattern("(mul (matmul ?a ?b) ?c)"),
        ),
        Rule::new(
            "matmul-defer-rescale",
            "(matmul ?x ?w)",
            vec![
                ("w is constant with batch dims 1", w_batch_one),
                ("x is a witness", x_var),
                ("w is not integral", w_not_integral),
                ("w is on the weight grid", w_on_weight_grid),
            ],
            Build(matmul_defer_rescale),
        ),
        // Bias Add folded into the MatMul's linear map.
        Rule::new(
            "matmul-bias",
            "(add (matmul ?x ?w) ?c)",
            vec![
                ("w is constant", w_const),
                ("x is a witness", x_var),
                ("c is one value per output column", c_per_column),
                ("the MatMul is a 1x1 convolution", matmul_as_conv),
            ],
            Build(matmul_bias),
        ),
    ]
}
