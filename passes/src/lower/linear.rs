//! Ops that are affine in their witness input with constant coefficients: MatMul/Conv/
//! ConvTranspose with fixed weights, Add/Sub/Mul/Div with constants, average pooling and
//! sum/mean reductions. Each output is one `Linear` at scale `s + s_w`, then one `Rescale`
//! back to `s`. Products of two witness tensors use `Mul`, division by a witness `Div`.
//!
//! With parameters as witness values (`--param-visibility` other than `fixed`), the same
//! affine maps are built over parameter *positions* and each weight·input term becomes a
//! `Mul`; weights keep the scale `s_w` and biases `s + s_w`, so the integers are exactly
//! those of the fixed-weight circuit.

use zkc_ir::ops::binary::broadcast_offsets;
use zkc_ir::ops::{matmul, BinaryOp, ConvParams, ConvTransposeParams, PoolKind, PoolParams, ReduceKind};
use zkc_ir::tensor::{numel, strides, unravel};
use zkc_ir::{Op, Tensor};
use zkc_runtime::Var;

use super::{Builder, Operand, QTensor, R};

/// One output of an affine map: terms `(coefficient, input element)` and a constant, with
/// coefficients at scale `s_w` and the constant at `s + s_w` unless stated otherwise.
struct Affine {
    terms: Vec<(i128, usize)>,
    constant: i128,
}

/// Emits `Linear` + `Rescale(shift)` for each affine output over `x`.
fn emit(b: &mut Builder, x: &QTensor, outs: Vec<Affine>, shift: u32, shape: &[usize]) -> R<QTensor> {
    let mut vars = Vec::with_capacity(outs.len());
    let mut bound = 0;
    for a in outs {
        let acc: i128 = a.terms.iter().map(|(c, _)| c.abs() * x.bound).sum::<i128>() + a.constant.abs();
        let terms: Vec<(i128, Var)> = a
            .terms
            .iter()
            .filter(|(c, _)| *c != 0)
            .map(|&(c, i)| (c, x.vars[i]))
            .collect();
        let v = b.linear(terms, a.constant, acc)?;
        let (q, qb) = b.rescale(v, shift, acc)?;
        vars.push(q);
        bound = bound.max(qb);
    }
    Ok(QTensor {
        shape: shape.to_vec(),
        vars,
        bound,
    })
}

/// A tensor of the positions `1..=n` of `t`'s elements: fed through the term builders in
/// place of the weights (at scale 0), it yields which weight each term multiplies (0 = none).
fn positions(t: &Tensor) -> Tensor {
    Tensor::new(t.shape.clone(), (1..=t.data.len()).map(|i| i as f64).collect())
}

/// Emits, for each affine output over parameter positions, `Σ wᵢ·xᵢ + bias` with one `Mul`
/// per term, then `Rescale(shift)`.
fn emit_params(
    b: &mut Builder,
    x: &QTensor,
    outs: Vec<Affine>,
    w: (&[Var], i128),
    bias: Option<(&[Var], i128)>,
    shift: u32,
    shape: &[usize],
) -> R<QTensor> {
    let (wv, wb) = w;
    let mut vars = Vec::with_capacity(outs.len());
    let mut bound = 0;
    for a in outs {
        let term_bound = wb * x.bound;
        let mut terms = Vec::with_capacity(a.terms.len() + 1);
        for &(pos, i) in &a.terms {
            let p = b.mul(wv[pos as usize - 1], x.vars[i], term_bound)?;
            terms.push((1, p));
        }
        let mut acc = term_bound * a.terms.len() as i128;
        if let (Some((bv, bb)), true) = (bias, a.constant > 0) {
            terms.push((1, bv[a.constant as usize - 1]));
            acc += bb;
        }
        let v = b.linear(terms, 0, acc)?;
        let (q, qb) = b.rescale(v, shift, acc)?;
        vars.push(q);
        bound = bound.max(qb);
    }
    Ok(QTensor {
        shape: shape.to_vec(),
        vars,
        bound,
    })
}

/// The bias operand of a Conv with witness parameters.
fn param_bias<'a>(rest: &[Operand<'a>]) -> R<Option<(&'a Tensor, usize)>> {
    match rest {
        [] => Ok(None),
        [Operand::Param(t, id)] => Ok(Some((t, *id))),
        _ => Err("a bias computed at run time is not supported; it must be a constant".into()),
    }
}

pub(super) fn lower(b: &mut Builder, op: &Op, ins: &[Operand], out_shape: &[usize]) -> R<QTensor> {
    let sw = b.weight_scale;
    let s = b.scale;
    match (op, ins) {
        (Op::Conv(_) | Op::ConvTranspose(_), [Operand::Var(x), Operand::Param(w, wid), rest @ ..]) => {
            let bias = param_bias(rest)?;
            let (wp, bp) = (positions(w), bias.map(|(t, _)| positions(t)));
            let outs = match op {
                Op::Conv(p) => conv_terms(p, &x.shape, &wp, bp.as_ref(), 0, 0, out_shape),
                Op::ConvTranspose(p) => conv_transpose_terms(p, &x.shape, &wp, bp.as_ref(), 0, 0, out_shape),
                _ => unreachable!("matched above"),
            };
            let (wv, wb) = b.param(*wid, w, sw);
            let bias = bias.map(|(t, id)| b.param(id, t, s + sw));
            let bias_ref = bias.as_ref().map(|(v, bb)| (v.as_slice(), *bb));
            emit_params(b, x, outs, (&wv, wb), bias_ref, sw, out_shape)
        }
        (Op::Conv(p), [Operand::Var(x), Operand::Const(w), rest @ ..]) => {
            let bias = const_bias(rest)?;
            emit(b, x, conv_terms(p, &x.shape, w, bias, s, sw, out_shape), sw, out_shape)
        }
        (Op::ConvTranspose(p), [Operand::Var(x), Operand::Const(w), rest @ ..]) => {
            let bias = const_bias(rest)?;
            emit(
                b,
                x,
                conv_transpose_terms(p, &x.shape, w, bias, s, sw, out_shape),
                sw,
                out_shape,
            )
        }
        (Op::Conv(_) | Op::ConvTranspose(_), _) => {
            Err("weights that are computed at run time are not supported; the weights must be constants".into())
        }
        (Op::Pool(p), [Operand::Var(x)]) => emit(b, x, avg_pool_terms(p, &x.shape, sw, out_shape), sw, out_shape),
        (Op::Reduce { kind, axes, .. }, [Operand::Var(x)]) => {
            let groups = reduce_groups(&x.shape, axes);
            let outs = groups
                .into_iter()
                .map(|g| {
                    let c = match kind {
                        ReduceKind::Sum => 1,
                        _ => ((1u64 << sw) as f64 / g.len() as f64).round() as i128,
                    };
                    Affine {
                        terms: g.into_iter().map(|i| (c, i)).collect(),
                        constant: 0,
                    }
                })
                .collect();
            let shift = if *kind == ReduceKind::Sum { 0 } else { sw };
            if *kind == ReduceKind::Max {
                return super::nonlinear::reduce_max(b, x, axes, out_shape);
            }
            emit(b, x, outs, shift, out_shape)
        }
        (Op::MatMul, [a, c]) => matmul_lower(b, a, c, out_shape),
        (Op::Binary(op), [l, r]) => binary(b, *op, l, r, out_shape),
        _ => Err(format!("{} on these operands is not supported in circuits", op.name())),
    }
}

fn const_bias<'a>(rest: &[Operand<'a>]) -> R<Option<&'a Tensor>> {
    match rest {
        [] => Ok(None),
        [Operand::Const(t)] => Ok(Some(t)),
        _ => Err("a bias computed at run time is not supported; it must be a constant".into()),
    }
}

/// The terms of every convolution output; the bias enters at scale `s + s_w`.
fn conv_terms(
    p: &ConvParams,
    xs: &[usize],
    w: &Tensor,
    bias: Option<&Tensor>,
    s: u32,
    sw: u32,
    out_shape: &[usize],
) -> Vec<Affine> {
    let nd = p.kernel.len();
    let wq = Builder::quantize(w, sw);
    let bq = bias.map(|t| Builder::quantize(t, s + sw));
    let (c_in, m) = (xs[1], out_shape[1]);
    let cg = c_in / p.group;
    let mg = m / p.group;
    let xst = strides(xs);
    let kn = numel(&p.kernel);
    let kidx: Vec<Vec<usize>> = (0..kn).map(|k| unravel(&p.kernel, k)).collect();
    (0..numel(out_shape))
        .map(|o| {
            let oi = unravel(out_shape, o);
            let (n, mo) = (oi[0], oi[1]);
            let g = mo / mg;
            let mut terms = Vec::new();
            for c in 0..cg {
                let ci = g * cg + c;
                'k: for (k, kk) in kidx.iter().enumerate() {
                    let mut off = n * xst[0] + ci * xst[1];
                    for d in 0..nd {
                        let pos = (oi[2 + d] * p.strides[d] + kk[d] * p.dilations[d]) as i64 - p.pads[d] as i64;
                        if pos < 0 || pos >= xs[2 + d] as i64 {
                            continue 'k;
                        }
                        off += pos as usize * xst[2 + d];
                    }
                    terms.push((wq[(mo * cg + c) * kn + k], off));
                }
            }
            Affine {
                terms,
                constant: bq.as_ref().map(|b| b[mo]).unwrap_or(0),
            }
        })
        .collect()
}

/// The terms of every transposed-convolution output (scatter of each input through the kernel).
fn conv_transpose_terms(
    p: &ConvTransposeParams,
    xs: &[usize],
    w: &Tensor,
    bias: Option<&Tensor>,
    s: u32,
    sw: u32,
    out_shape: &[usize],
) -> Vec<Affine> {
    let nd = p.kernel.len();
    let wq = Builder::quantize(w, sw);
    let bq = bias.map(|t| Builder::quantize(t, s + sw));
    let m = out_shape[1];
    let cg = xs[1] / p.group;
    let mg = m / p.group;
    let ost = strides(out_shape);
    let kn = numel(&p.kernel);
    let mut outs: Vec<Affine> = (0..numel(out_shape))
        .map(|o| Affine {
            terms: Vec::new(),
            constant: bq.as_ref().map(|b| b[unravel(out_shape, o)[1]]).unwrap_or(0),
        })
        .collect();
    for xi in 0..numel(xs) {
        let ii = unravel(xs, xi);
        let (n, ci) = (ii[0], ii[1]);
        let g = ci / cg;
        for mm in 0..mg {
            let mo = g * mg + mm;
            'k: for k in 0..kn {
                let kk = unravel(&p.kernel, k);
                let mut off = n * ost[0] + mo * ost[1];
                for d in 0..nd {
                    let pos = (ii[2 + d] * p.strides[d] + kk[d] * p.dilations[d]) as i64 - p.pads[d] as i64;
                    if pos < 0 || pos >= out_shape[2 + d] as i64 {
                        continue 'k;
                    }
                    off += pos as usize * ost[2 + d];
                }
                outs[off].terms.push((wq[(ci * mg + mm) * kn + k], xi));
            }
        }
    }
    outs
}

/// The input elements of each pooling window (padding excluded), row-major over the output.
pub(super) fn pool_windows(p: &PoolParams, xs: &[usize], out_shape: &[usize]) -> Vec<(Vec<usize>, usize)> {
    let nd = p.kernel.len();
    let xst = strides(xs);
    let kn = numel(&p.kernel);
    (0..numel(out_shape))
        .map(|o| {
            let oi = unravel(out_shape, o);
            let mut cells = Vec::new();
            let mut padded = 0;
            for k in 0..kn {
                let kk = unravel(&p.kernel, k);
                let mut off = oi[0] * xst[0] + oi[1] * xst[1];
                let (mut valid, mut in_pads) = (true, true);
                for d in 0..nd {
                    let pos = (oi[2 + d] * p.strides[d] + kk[d] * p.dilations[d]) as i64 - p.pads[d] as i64;
                    if pos < 0 || pos >= xs[2 + d] as i64 {
                        valid = false;
                    } else {
                        off += pos as usize * xst[2 + d];
                    }
                    if pos >= xs[2 + d] as i64 + p.pads[nd + d] as i64 {
                        in_pads = false;
                    }
                }
                if valid {
                    cells.push(off);
                } else if in_pads {
                    padded += 1;
                }
            }
            // Divisor with count_include_pad: real cells plus cells inside the declared pads.
            let n = cells.len() + padded;
            (cells, n)
        })
        .collect()
}

fn avg_pool_terms(p: &PoolParams, xs: &[usize], sw: u32, out_shape: &[usize]) -> Vec<Affine> {
    let include_pad = matches!(
        p.kind,
        PoolKind::Average {
            count_include_pad: true
        }
    );
    pool_windows(p, xs, out_shape)
        .into_iter()
        .map(|(cells, with_pad)| {
            let count = if include_pad { with_pad } else { cells.len() }.max(1);
            let c = ((1u64 << sw) as f64 / count as f64).round() as i128;
            Affine {
                terms: cells.into_iter().map(|i| (c, i)).collect(),
                constant: 0,
            }
        })
        .collect()
}

/// For each output of a reduction, the input offsets it reduces.
pub(super) fn reduce_groups(xs: &[usize], axes: &[usize]) -> Vec<Vec<usize>> {
    let kept: Vec<usize> = (0..xs.len())
        .map(|i| if axes.contains(&i) { 1 } else { xs[i] })
        .collect();
    let mut groups = vec![Vec::new(); numel(&kept)];
    let kst = strides(&kept);
    for i in 0..numel(xs) {
        let idx = unravel(xs, i);
        let o: usize = idx
            .iter()
            .enumerate()
            .map(|(d, &v)| if axes.contains(&d) { 0 } else { v * kst[d] })
            .sum();
        groups[o].push(i);
    }
    groups
}

/// The affine outputs of `x·w` (`x_left`) or `w·x` with the weights given as `wq`.
fn matmul_terms(x_left: bool, xs: &[usize], ws: &[usize], wq: &[i128]) -> Vec<Affine> {
    let (m, k, n, pairs) = if x_left {
        matmul::plan(xs, ws)
    } else {
        matmul::plan(ws, xs)
    };
    let mut outs = Vec::new();
    for &(pa, pb) in &pairs {
        for i in 0..m {
            for j in 0..n {
                let terms = (0..k)
                    .map(|p| {
                        let (l, r) = (pa + i * k + p, pb + p * n + j);
                        if x_left {
                            (wq[r], l)
                        } else {
                            (wq[l], r)
                        }
                    })
                    .collect();
                outs.push(Affine { terms, constant: 0 });
            }
        }
    }
    outs
}

fn matmul_lower(b: &mut Builder, a: &Operand, c: &Operand, out_shape: &[usize]) -> R<QTensor> {
    let sw = b.weight_scale;
    let s = b.scale;
    match (a, c) {
        (Operand::Var(x), Operand::Const(w)) | (Operand::Const(w), Operand::Var(x)) => {
            let x_left = matches!(a, Operand::Var(_));
            let outs = matmul_terms(x_left, &x.shape, &w.shape, &Builder::quantize(w, sw));
            emit(b, x, outs, sw, out_shape)
        }
        (Operand::Var(x), Operand::Param(w, id)) | (Operand::Param(w, id), Operand::Var(x)) => {
            let x_left = matches!(a, Operand::Var(_));
            let outs = matmul_terms(x_left, &x.shape, &w.shape, &Builder::quantize(&positions(w), 0));
            let (wv, wb) = b.param(*id, w, sw);
            emit_params(b, x, outs, (&wv, wb), None, sw, out_shape)
        }
        (Operand::Var(x), Operand::Var(y)) => {
            let one_s = 1i128 << s;
            let (m, k, n, pairs) = matmul::plan(&x.shape, &y.shape);
            let pb = x.bound * y.bound;
            let mut vars = Vec::new();
            let mut bound = 0;
            for &(pa, pbo) in &pairs {
                for i in 0..m {
                    for j in 0..n {
                        let prods = (0..k)
                            .map(|p| {
                                b.mul(x.vars[pa + i * k + p], y.vars[pbo + p * n + j], pb)
                                    .map(|v| (1, v))
                            })
                            .collect::<R<Vec<_>>>()?;
                        // A whole softmax row times a column: weights ≥ 0 summing to at most
                        // 2^s, so |Σ| ≤ 2^s·max|y| however long the row.
                        let row: Vec<Var> = (0..k).map(|p| x.vars[pa + i * k + p]).collect();
                        let acc = if b.is_simplex_row(&row) {
                            (one_s * y.bound).min(pb * k as i128)
                        } else {
                            pb * k as i128
                        };
                        let v = b.linear(prods, 0, acc)?;
                        let (q, qb) = b.rescale(v, s, acc)?;
                        vars.push(q);
                        bound = bound.max(qb);
                    }
                }
            }
            Ok(QTensor {
                shape: out_shape.to_vec(),
                vars,
                bound,
            })
        }
        _ => Err("MatMul of two constants should have been folded at import".into()),
    }
}

fn binary(b: &mut Builder, op: BinaryOp, l: &Operand, r: &Operand, out_shape: &[usize]) -> R<QTensor> {
    let (s, sw) = (b.scale, b.weight_scale);
    let shape_of = |o: &Operand| match o {
        Operand::Var(t) => t.shape.clone(),
        Operand::Const(t) | Operand::Param(t, _) => t.shape.clone(),
    };
    // Witness parameters: a bias (Add/Sub) at scale s, a factor (Mul) at the weight scale.
    let param = |b: &mut Builder, o: &Operand| match o {
        Operand::Param(t, id) => {
            let scale = if op == BinaryOp::Mul { sw } else { s };
            let (vars, bound) = b.param(*id, t, scale);
            Some(QTensor {
                shape: t.shape.clone(),
                vars,
                bound,
            })
        }
        _ => None,
    };
    let (pl, pr) = (param(b, l), param(b, r));
    let ol = broadcast_offsets(&shape_of(l), out_shape);
    let or = broadcast_offsets(&shape_of(r), out_shape);
    let n = numel(out_shape);
    let mut vars = Vec::with_capacity(n);
    let mut bound = 0i128;
    let one = 1i128 << s;
    for i in 0..n {
        let (l, r) = (
            pl.as_ref().map(Operand::Var).unwrap_or(*l),
            pr.as_ref().map(Operand::Var).unwrap_or(*r),
        );
        let (l, r) = (&l, &r);
        let (v, vb) = match (op, l, r) {
            (BinaryOp::Mul, Operand::Var(x), Operand::Var(y)) if pl.is_some() || pr.is_some() => {
                // x·w with w at the weight scale: the same integers as a fixed weight.
                let acc = x.bound * y.bound;
                let v = b.mul(x.vars[ol[i]], y.vars[or[i]], acc)?;
                b.rescale(v, sw, acc)?
            }
            (BinaryOp::Add | BinaryOp::Sub, Operand::Var(x), Operand::Var(y)) => {
                let sign = if op == BinaryOp::Add { 1 } else { -1 };
                let bd = x.bound + y.bound;
                (b.linear(vec![(1, x.vars[ol[i]]), (sign, y.vars[or[i]])], 0, bd)?, bd)
            }
            (BinaryOp::Add | BinaryOp::Sub, Operand::Var(x), Operand::Const(c)) => {
                let k = (c.data[or[i]] * one as f64).round() as i128 * if op == BinaryOp::Add { 1 } else { -1 };
                let bd = x.bound + k.abs();
                (b.linear(vec![(1, x.vars[ol[i]])], k, bd)?, bd)
            }
            (BinaryOp::Add | BinaryOp::Sub, Operand::Const(c), Operand::Var(y)) => {
                let k = (c.data[ol[i]] * one as f64).round() as i128;
                let sign = if op == BinaryOp::Add { 1 } else { -1 };
                let bd = y.bound + k.abs();
                (b.linear(vec![(sign, y.vars[or[i]])], k, bd)?, bd)
            }
            (BinaryOp::Mul, Operand::Var(x), Operand::Const(c))
            | (BinaryOp::Mul, Operand::Const(c), Operand::Var(x)) => {
                let (xi, ci) = if matches!(l, Operand::Var(_)) {
                    (ol[i], or[i])
                } else {
                    (or[i], ol[i])
                };
                let w = (c.data[ci] * (1u64 << sw) as f64).round() as i128;
                let acc = w.abs() * x.bound;
                let v = b.linear(vec![(w, x.vars[xi])], 0, acc)?;
                b.rescale(v, sw, acc)?
            }
            (BinaryOp::Div, Operand::Var(x), Operand::Const(c)) => {
                if c.data[or[i]] == 0.0 {
                    return Err("division by a constant zero".into());
                }
                let w = ((1u64 << sw) as f64 / c.data[or[i]]).round() as i128;
                let acc = w.abs() * x.bound;
                let v = b.linear(vec![(w, x.vars[ol[i]])], 0, acc)?;
                b.rescale(v, sw, acc)?
            }
            (BinaryOp::Mul, Operand::Var(x), Operand::Var(y)) => {
                let acc = x.bound * y.bound;
                let v = b.mul(x.vars[ol[i]], y.vars[or[i]], acc)?;
                b.rescale(v, s, acc)?
            }
            (BinaryOp::Div, num, Operand::Var(y)) => {
                // q = floor(x·2^s / y): the divisor must be positive (the solver says so otherwise).
                let (nv, nb) = match num {
                    Operand::Var(x) => {
                        let d = positive(b, y.vars[or[i]], y.bound)?;
                        let q = b.div_scaled(x.vars[ol[i]], x.bound, s, d, y.bound.max(1))?;
                        vars.push(q);
                        bound = bound.max(x.bound * one);
                        continue;
                    }
                    // (Div's constants are never parameters: see `takes_params`.)
                    Operand::Const(c) | Operand::Param(c, _) => {
                        let k = (c.data[ol[i]] * one as f64).round() as i128 * one;
                        (b.constant(k), k.abs())
                    }
                };
                let bd = nb.max(y.bound);
                let d = positive(b, y.vars[or[i]], y.bound)?;
                (b.div(nv, d, bd)?, nb)
            }
            _ => return Err(format!("{op:?} of two constants should have been folded at import")),
        };
        vars.push(v);
        bound = bound.max(vb);
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound,
    })
}

/// A divisor that is proven non-negative but may be 0 (a variance whose epsilon rounded away,
/// a relu) becomes `max(d, 1)`: one unit at scale s, which is what any value in [0, 2^-s]
/// quantizes to once it must be positive. A divisor proven ≥ 1 is used as is, and one of
/// unknown sign too (the `Div` argument then requires it positive when solving, as the float
/// meaning has no fixed-point value otherwise).
fn positive(b: &mut Builder, d: Var, d_bound: i128) -> R<Var> {
    match b.lower_bound(d) {
        Some(l) if (0..1).contains(&l) => {
            let one = b.constant(1);
            b.max(d, Some(one), d_bound + 1)
        }
        _ => Ok(d),
    }
}
