//! Softmax and log-softmax over one axis (or the opset<13 2-D view):
//! `m = max(x)`, `d = x - m ≤ 0`, `e = exp(d)` by lookup (saturated below where exp is under
//! half an output unit), `sum = Σ e`, and `y = floor(e·2^s / sum)` by the `Div` argument
//! (0 ≤ r < sum is constrained). Log-softmax is `d - log(sum)` with log by lookup.

use zkc_ir::tensor::{numel, strides};
use zkc_ir::Activation;
use zkc_runtime::{Table, Var};

use super::nonlinear::max_of;
use super::{Builder, Operand, QTensor, R};

/// Groups of element offsets normalized together.
fn groups(shape: &[usize], axis: usize, coerce_2d: bool) -> Vec<Vec<usize>> {
    if coerce_2d {
        let inner = numel(&shape[axis..]);
        return (0..numel(&shape[..axis]))
            .map(|o| (o * inner..(o + 1) * inner).collect())
            .collect();
    }
    let st = strides(shape);
    let (n, stride) = (shape[axis], st[axis]);
    let outer = numel(&shape[..axis]);
    let inner = stride;
    let mut g = Vec::new();
    for o in 0..outer {
        for i in 0..inner {
            g.push((0..n).map(|j| o * n * inner + j * stride + i).collect());
        }
    }
    g
}

pub(super) fn lower(
    b: &mut Builder,
    axis: usize,
    log: bool,
    coerce_2d: bool,
    ins: &[Operand],
    out_shape: &[usize],
) -> R<QTensor> {
    let Some(Operand::Var(x)) = ins.first() else {
        return Err("expected a witness input".into());
    };
    let s = b.scale;
    let one = 1i128 << s;
    // exp(d) for d in [-dmax, 0]; below -dmax it rounds to 0 at scale s.
    let dmax = (((s as f64 + 2.0) * std::f64::consts::LN_2) * one as f64).ceil() as i128;
    let dspan = 2 * x.bound;
    let mut k = 0;
    while (dmax.min(dspan) >> k) + 1 > (1i128 << b.lookup_bits) {
        k += 1;
    }
    let lo = -(dmax.min(dspan));
    let tlo = lo >> k;
    let exp_vals: Vec<i128> = (tlo..=0)
        .map(|i| (Activation::Exp.apply((i << k) as f64 / one as f64) * one as f64).round() as i128)
        .collect();
    let exp_table = b.table(Table {
        name: format!("exp in=2^-{} out=2^-{s}", s - k.min(s)),
        lo: tlo,
        values: exp_vals,
    });
    let mut vars = vec![Var(0); x.vars.len()];
    let mut bound = 0;
    for g in groups(&x.shape, axis, coerce_2d) {
        let n = g.len() as i128;
        let xs: Vec<Var> = g.iter().map(|&i| x.vars[i]).collect();
        let m = max_of(b, &xs, x.bound)?;
        let mut es = Vec::with_capacity(g.len());
        let mut ds = Vec::with_capacity(g.len());
        for &v in &xs {
            let d = b.linear(vec![(1, v), (-1, m)], 0, dspan)?;
            ds.push(d);
            let dc = if dspan > dmax {
                let c = b.constant(-dmax);
                b.max(d, Some(c), dspan + dmax)?
            } else {
                d
            };
            let (dq, _) = b.rescale(dc, k, dspan.min(dmax))?;
            es.push(b.lookup(dq, exp_table));
        }
        let sum_bound = n * one;
        let sum = b.linear(es.iter().map(|&e| (1, e)).collect(), 0, sum_bound)?;
        if !log {
            for (j, &e) in es.iter().enumerate() {
                let num = b.linear(vec![(one, e)], 0, one * one)?;
                vars[g[j]] = b.div(num, sum, (one * one).max(sum_bound))?;
            }
            let row: Vec<Var> = g.iter().map(|&i| vars[i]).collect();
            b.mark_simplex(&row);
            bound = one;
        } else {
            // log(sum / 2^s) for sum in [2^s, n·2^s] (the max element contributes exactly 2^s).
            let mut kl = 0;
            while ((sum_bound - one) >> kl) + 1 > (1i128 << b.lookup_bits) {
                kl += 1;
            }
            let (llo, lhi) = (one >> kl, (sum_bound + (1i128 << kl >> 1)) >> kl);
            let vals: Vec<i128> = (llo..=lhi)
                .map(|i| (((i << kl) as f64 / one as f64).max(1.0).ln() * one as f64).round() as i128)
                .collect();
            let lb = vals.iter().map(|v| v.abs()).max().unwrap_or(0);
            let log_table = b.table(Table {
                name: format!("log in=2^-{} out=2^-{s}", s - kl.min(s)),
                lo: llo,
                values: vals,
            });
            let (sq, _) = b.rescale(sum, kl, sum_bound)?;
            let l = b.lookup(sq, log_table);
            for (j, &d) in ds.iter().enumerate() {
                vars[g[j]] = b.linear(vec![(1, d), (-1, l)], 0, dspan + lb)?;
            }
            bound = bound.max(dspan + lb);
        }
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound,
    })
}
