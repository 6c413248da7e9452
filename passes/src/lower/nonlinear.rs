//! Nonlinear elementwise ops and maxima. Piecewise-linear ones (relu, abs, clip, leaky relu,
//! prelu, elementwise max/min) use `Max`; floor, ceil and round use `Rescale` (exactly),
//! reciprocal `Div`; smooth ones (sigmoid, tanh, exp, ...) use a lookup table whose domain
//! is the input's proven range — rescaled first when wider than `2^lookup_bits`, and
//! saturated where the function is flat to within half an output unit.

use zkc_ir::ops::binary::broadcast_offsets;
use zkc_ir::ops::PoolParams;
use zkc_ir::{Activation, BinaryOp};
use zkc_runtime::{Table, Var};

use super::linear::{pool_windows, reduce_groups};
use super::{Builder, Operand, QTensor, R};

fn var_input<'a>(ins: &'a [Operand]) -> R<&'a QTensor> {
    match ins.first() {
        Some(Operand::Var(x)) => Ok(x),
        _ => Err("expected a witness input".into()),
    }
}

/// `max(x, lo)` for a constant `lo` (the constant becomes a fixed variable).
fn max_const(b: &mut Builder, x: Var, xb: i128, lo: i128) -> R<Var> {
    if lo == 0 {
        return b.max(x, None, xb);
    }
    let c = b.constant(lo);
    b.max(x, Some(c), xb + lo.abs())
}

/// `min(x, hi)` = `-max(-x, -hi)`.
pub(super) fn min_const(b: &mut Builder, x: Var, xb: i128, hi: i128) -> R<Var> {
    let nx = b.linear(vec![(-1, x)], 0, xb)?;
    let m = max_const(b, nx, xb, -hi)?;
    b.linear(vec![(-1, m)], 0, xb + hi.abs())
}

/// `(1-α)·relu(x) + α·x` with α at the weight scale: leaky relu and prelu for any slope.
fn leaky(b: &mut Builder, x: Var, xb: i128, alpha: f64) -> R<(Var, i128)> {
    let sw = b.weight_scale;
    let one = 1i128 << sw;
    let a = (alpha * one as f64).round() as i128;
    let r = b.max(x, None, xb)?;
    let acc = ((one - a).abs() + a.abs()) * xb;
    let v = b.linear(vec![(one - a, r), (a, x)], 0, acc)?;
    b.rescale(v, sw, acc)
}

pub(super) fn prelu(b: &mut Builder, ins: &[Operand], out_shape: &[usize]) -> R<QTensor> {
    let x = var_input(ins)?;
    let Some(Operand::Const(slope)) = ins.get(1) else {
        return Err("a PRelu slope computed at run time is not supported; it must be a constant".into());
    };
    let offs = zkc_ir::ops::binary::broadcast_offsets(&slope.shape, out_shape);
    let mut vars = Vec::new();
    let mut bound = 0;
    for (i, &v) in x.vars.iter().enumerate() {
        let (y, yb) = leaky(b, v, x.bound, slope.data[offs[i]])?;
        vars.push(y);
        bound = bound.max(yb);
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound,
    })
}

/// The domain where `f` is not yet flat (to half an output unit at scale `s`), if it saturates.
fn saturation(a: &Activation, s: u32) -> (Option<f64>, Option<f64>) {
    // Beyond t = (s+2)·ln 2, e^-t < 2^-(s+2): sigmoid/tanh/exp tails are below half an ulp.
    let t = (s as f64 + 2.0) * std::f64::consts::LN_2;
    match a {
        Activation::Sigmoid => (Some(-t), Some(t)),
        Activation::Tanh => (Some(-t / 2.0), Some(t / 2.0)),
        Activation::Exp => (Some(-t), None),
        Activation::Elu { .. } | Activation::Selu { .. } => (Some(-t), None),
        Activation::HardSigmoid { alpha, beta } if *alpha > 0.0 => (Some(-beta / alpha), Some((1.0 - beta) / alpha)),
        // 1 - erf(t) = erfc(t) ≤ e^(-t²), below 2^-(s+2) from t = √((s+2)·ln 2) on.
        Activation::Erf => {
            let t = t.sqrt();
            (Some(-t), Some(t))
        }
        _ => (None, None),
    }
}

pub(super) fn activation(b: &mut Builder, a: &Activation, ins: &[Operand], out_shape: &[usize]) -> R<QTensor> {
    let x = var_input(ins)?;
    let s = b.scale;
    let one = 1i128 << s;
    let mut vars = Vec::with_capacity(x.vars.len());
    let mut bound = 0;
    match a {
        Activation::Relu => {
            for &v in &x.vars {
                vars.push(b.max(v, None, x.bound)?);
            }
            bound = x.bound;
        }
        Activation::Neg => {
            for &v in &x.vars {
                vars.push(b.linear(vec![(-1, v)], 0, x.bound)?);
            }
            bound = x.bound;
        }
        Activation::Abs => {
            for &v in &x.vars {
                let n = b.linear(vec![(-1, v)], 0, x.bound)?;
                vars.push(b.max(v, Some(n), 2 * x.bound)?);
            }
            bound = x.bound;
        }
        Activation::Clip { min, max } => {
            let lo = if min.is_finite() {
                Some((min * one as f64).round() as i128)
            } else {
                None
            };
            let hi = if max.is_finite() {
                Some((max * one as f64).round() as i128)
            } else {
                None
            };
            for &v in &x.vars {
                let mut y = v;
                let mut yb = x.bound;
                if let Some(lo) = lo {
                    y = max_const(b, y, yb, lo)?;
                    yb = yb.max(lo.abs());
                }
                if let Some(hi) = hi {
                    y = min_const(b, y, yb, hi)?;
                    yb = yb.max(hi.abs());
                }
                // Clipped on both sides, the output lies in [lo, hi] whatever the input's bound.
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    yb = yb.min(lo.abs().max(hi.abs()));
                }
                vars.push(y);
                bound = bound.max(yb);
            }
        }
        Activation::LeakyRelu { alpha } => {
            for &v in &x.vars {
                let (y, yb) = leaky(b, v, x.bound, *alpha)?;
                vars.push(y);
                bound = bound.max(yb);
            }
        }
        Activation::Reciprocal => {
            for &v in &x.vars {
                let (y, yb) = reciprocal(b, v, x.bound)?;
                vars.push(y);
                bound = bound.max(yb);
            }
        }
        Activation::Floor | Activation::Ceil | Activation::Round | Activation::Trunc => {
            for &v in &x.vars {
                let (y, yb) = round(b, a, v, x.bound)?;
                vars.push(y);
                bound = bound.max(yb);
            }
        }
        Activation::Math(m) => return super::math::lower(b, m, x, out_shape),
        Activation::Pow { exponent } if POW_BY_MUL.contains(exponent) => {
            return pow_by_mul(b, *exponent as u32, x, out_shape)
        }
        Activation::Sqrt => return sqrt(b, x, out_shape),
        _ => return lookup(b, a, x, out_shape),
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound,
    })
}

/// Floor, Ceil or Round of `x` (scale s, |x| ≤ `xb`), exactly, by `Rescale`s: the result
/// is the integer n at scale s, `n·2^s`. With `Rescale(z, s) = ⌊(z + 2^(s-1)) / 2^s⌋`:
///
/// - floor: n = Rescale(x - 2^(s-1), s) = ⌊x / 2^s⌋;
/// - ceil: n = Rescale(x + 2^(s-1) - 1, s) = ⌈x / 2^s⌉;
/// - round, halves to even: u = Rescale(x, s) rounds halves up and d = -Rescale(-x, s)
///   rounds them down, so t = u - d is 1 exactly at a half and 0 elsewhere. At a half the
///   even one of u, d = u - 1 wins: n = u - t·p with p = u - 2·⌊u/2⌋ the parity of u
///   (⌊u/2⌋ = Rescale(u - 1, 1)) and t·p one `Mul` of two 0/1 values;
/// - trunc (toward zero): with m = max(x, 0) (one `Max`), n = floor(m) + ceil(x - m): for
///   x ≥ 0 the second term is ceil(0) = 0, for x < 0 the first is floor(0) = 0.
///
/// Every quotient is pinned by its `Rescale` (remainder range-checked), so the circuit
/// admits exactly this n; no table is involved, so no input is rounded before the step.
fn round(b: &mut Builder, a: &Activation, x: Var, xb: i128) -> R<(Var, i128)> {
    let s = b.scale;
    if s == 0 {
        return Ok((x, xb)); // integers already
    }
    let half = 1i128 << (s - 1);
    let one = 1i128 << s;
    let (n, nb) = match a {
        Activation::Floor => {
            let z = b.linear(vec![(1, x)], -half, xb + half)?;
            b.rescale(z, s, xb + half)?
        }
        Activation::Ceil => {
            let z = b.linear(vec![(1, x)], half - 1, xb + half)?;
            b.rescale(z, s, xb + half)?
        }
        Activation::Round => {
            let (u, ub) = b.rescale(x, s, xb)?;
            let nx = b.linear(vec![(-1, x)], 0, xb)?;
            let (nd, _) = b.rescale(nx, s, xb)?;
            // t = u - d = u + Rescale(-x, s) ∈ {0, 1}.
            let t = b.linear(vec![(1, u), (1, nd)], 0, 1)?;
            let um = b.linear(vec![(1, u)], -1, ub + 1)?;
            let (h, _) = b.rescale(um, 1, ub + 1)?;
            let p = b.linear(vec![(1, u), (-2, h)], 0, 1)?;
            let tp = b.mul(t, p, 1)?;
            (b.linear(vec![(1, u), (-1, tp)], 0, ub + 1)?, ub + 1)
        }
        Activation::Trunc => {
            let m = b.max(x, None, xb)?;
            let fz = b.linear(vec![(1, m)], -half, xb + half)?;
            let (f, fb) = b.rescale(fz, s, xb + half)?;
            let cz = b.linear(vec![(1, x), (-1, m)], half - 1, xb + half)?;
            let (c, cb) = b.rescale(cz, s, xb + half)?;
            (b.linear(vec![(1, f), (1, c)], 0, fb.max(cb))?, fb.max(cb))
        }
        _ => return Err(format!("{} is not a rounding function (a zkc bug)", a.name())),
    };
    let yb = nb * one;
    Ok((b.linear(vec![(one, n)], 0, yb)?, yb))
}

/// 1/x at scale s for x of either sign (|x| ≤ `xb`), without a table (1/x is unbounded
/// near 0): with a = |x| (one `Max`), q = ⌊2^(2s) / a⌋ (a `Div`, whose divisor must be
/// positive: x = 0 fails when solving, as 1/0 has no fixed-point value), and
/// y = ⌊x·q / a⌋ = sign(x)·q exactly, since x/a = ±1 (a `Mul` and a second `Div`). So
/// y = ⌊2^(2s)/x⌋ for x > 0 and -⌊2^(2s)/|x|⌋ for x < 0: within one unit of 2^(2s)/x.
///
/// |x·q| ≤ a·2^(2s)/a = 2^(2s) for every x, which bounds both numerators, so the divisions
/// need only max(2^(2s), xb), and the output is bounded by 2^(2s) (1/x at x = 2^-s).
fn reciprocal(b: &mut Builder, x: Var, xb: i128) -> R<(Var, i128)> {
    let one2 = 1i128 << (2 * b.scale);
    let nx = b.linear(vec![(-1, x)], 0, xb)?;
    let a = b.max(x, Some(nx), 2 * xb)?;
    let n = b.constant(one2);
    let div_bound = one2.max(xb);
    let q = b.div(n, a, div_bound)?;
    let p = b.mul(x, q, one2)?;
    Ok((b.div(p, a, div_bound)?, one2))
}

/// Integer exponents that [`pow_by_mul`] computes exactly by products instead of a table.
const POW_BY_MUL: [f64; 4] = [1.0, 2.0, 3.0, 4.0];

/// `x^e` for e in 1..=4 by `Mul`s at scale s, each product rescaled back: exact up to one
/// rounding per product, with no table (a table of x² over a wide input range has outputs too
/// wide for small fields, and a coarse one loses the small values a variance is made of).
/// `x·x` is non-negative, which the lowering records for divisions by it.
fn pow_by_mul(b: &mut Builder, e: u32, x: &QTensor, out_shape: &[usize]) -> R<QTensor> {
    let s = b.scale;
    let mut vars = Vec::with_capacity(x.vars.len());
    let mut bound = x.bound;
    for &v in &x.vars {
        let prod = |b: &mut Builder, (u, ub): (Var, i128), (w, wb): (Var, i128)| -> R<(Var, i128)> {
            let p = b.mul(u, w, ub * wb)?;
            b.rescale(p, s, ub * wb)
        };
        let x1 = (v, x.bound);
        let (y, yb) = match e {
            1 => x1,
            2 => prod(b, x1, x1)?,
            3 => {
                let x2 = prod(b, x1, x1)?;
                prod(b, x2, x1)?
            }
            _ => {
                let x2 = prod(b, x1, x1)?;
                prod(b, x2, x2)?
            }
        };
        vars.push(y);
        bound = yb;
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound,
    })
}

/// The most Newton steps [`sqrt`] takes after its table.
const SQRT_MAX_STEPS: usize = 40;

/// How many Newton steps after the table make [`sqrt`] exact to 2^-12 (relative, or one unit)
/// on every input from 2^-8 up to the domain's top: the integer iteration simulated on a
/// grid of 16 points per octave, entry by entry as the circuit computes it.
fn sqrt_steps(values: &[i128], k: u32, s: u32, hi: i128) -> usize {
    let one = 1i128 << s;
    let lo = (one >> 8).max(1);
    let mut worst = 0;
    let mut x = lo as f64;
    while x <= hi as f64 {
        let xi = x as i128;
        let entry = ((xi + (1i128 << k >> 1)) >> k) as usize;
        let Some(&y0) = values.get(entry) else { break };
        let n = xi * one;
        let exact = (n as f64).sqrt();
        let mut y = y0.max(1);
        let mut steps = 0;
        while (y as f64 - exact).abs() > (exact / 4096.0).max(1.0) && steps < SQRT_MAX_STEPS {
            y = (y + n / y + 1) >> 1;
            steps += 1;
        }
        worst = worst.max(steps);
        x *= 2f64.powf(1.0 / 16.0);
    }
    worst
}

/// `sqrt(x)` at scale s: a first guess `y₀` by table over the proven domain of x (its
/// entries at least one unit, so every guess is a valid divisor), refined by Newton steps
/// `y ← round((y + ⌊x·2^s / y⌋) / 2)` (a `Div`, a `Linear` and a `Rescale` each). The table
/// alone is coarse when x's range is wide (2^lookup_bits entries over all of it, so a small
/// variance falls into the first few), so it takes as many steps as [`sqrt_steps`] finds
/// make it exact to 2^-12 over the domain (each step squares the relative error, halved).
/// Every step keeps y ≥ 1, so the result is a proven positive divisor.
fn sqrt(b: &mut Builder, x: &QTensor, out_shape: &[usize]) -> R<QTensor> {
    let s = b.scale;
    let one = 1i128 << s;
    let hi = x.bound;
    let mut k = 0u32;
    while (hi >> k) + 1 > (1i128 << b.lookup_bits) {
        k += 1;
    }
    let thi = (hi + (1i128 << k >> 1)) >> k;
    // With Newton steps to follow, the guess may be coarse: its table is at scale s - m, with
    // m the least shift that keeps the entries within 15 bits (small fields' lookups take
    // 16-bit outputs), and is scaled back by 2^m.
    let exact = |i: i128| {
        let at = if i == 0 { (1i128 << k) / 4 } else { i << k };
        (at as f64 / one as f64).sqrt() * one as f64
    };
    let top = exact(thi);
    let mut m = 0u32;
    while k > 0 && m < s && top / (1i128 << m) as f64 >= (1 << 15) as f64 {
        m += 1;
    }
    // Entry i serves x in [i·2^k - 2^(k-1), i·2^k + 2^(k-1)); the first one serves [0, 2^(k-1)),
    // whose middle is 2^(k-2). Entries are at least one unit.
    let values: Vec<i128> = (0..=thi)
        .map(|i| (exact(i) / (1i128 << m) as f64).round().max(1.0) as i128)
        .collect();
    let guesses: Vec<i128> = values.iter().map(|v| v << m).collect();
    let y_bound = guesses.iter().copied().max().unwrap_or(1);
    b.check_field(y_bound)?;
    let steps = if k == 0 { 0 } else { sqrt_steps(&guesses, k, s, hi) };
    let table = b.table(zkc_runtime::Table {
        name: format!("sqrt in=2^-{} out=2^-{}", s - k.min(s), s - m),
        lo: 0,
        values,
    });
    let n_bound = hi * one;
    // Bounds of ⌊N/y⌋ (N = x·2^s): after the table, the largest over the entries i of the
    // largest N that rounds to i over the entry; after a Newton step y ≥ √N - ½ (AM-GM with
    // the floors), so N/y ≤ 2√N.
    let first_q = (0..=thi)
        .map(|i| ((((i << k) + (1i128 << k >> 1)).min(hi)) * one) / guesses[i as usize].max(1))
        .max()
        .unwrap_or(0);
    let later_q = 2 * (n_bound as f64).sqrt().ceil() as i128 + 2;
    let mut vars = Vec::with_capacity(x.vars.len());
    let mut bound = y_bound;
    for &v in &x.vars {
        let (xq, _) = b.rescale(v, k, hi)?;
        let t = b.lookup(xq, table);
        let mut y = b.linear(vec![(1i128 << m, t)], 0, y_bound)?;
        let mut yb = y_bound;
        if steps > 0 {
            for step in 0..steps {
                let qb = if step == 0 { first_q } else { later_q }.min(n_bound);
                let q = b.div_scaled(v, hi, s, y, yb)?;
                let sb = qb + yb + 1;
                let sum = b.linear(vec![(1, y), (1, q)], 0, sb)?;
                // Rescale by 1 rounds half up: (y + q + 1) / 2, at least 1 since y ≥ 1.
                let (h, hb) = b.rescale(sum, 1, sb)?;
                b.set_lower_bound(h, 1);
                (y, yb) = (h, hb);
            }
        }
        vars.push(y);
        bound = bound.max(yb);
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound,
    })
}

/// `f(x)` by a table over the proven domain of `x`.
pub(super) fn lookup(b: &mut Builder, a: &Activation, x: &QTensor, out_shape: &[usize]) -> R<QTensor> {
    let s = b.scale;
    let one = (1i128 << s) as f64;
    // Domain in input integers, narrowed where f saturates or is undefined.
    let (sat_lo, sat_hi) = saturation(a, s);
    let mut lo = -x.bound;
    let mut hi = x.bound;
    let mut clamp_lo = None;
    let mut clamp_hi = None;
    if let Some(t) = sat_lo {
        let c = (t * one).floor() as i128;
        if c > lo {
            lo = c;
            clamp_lo = Some(c);
        }
    }
    if let Some(t) = sat_hi {
        let c = (t * one).ceil() as i128;
        if c < hi {
            hi = c;
            clamp_hi = Some(c);
        }
    }
    match a {
        Activation::Sqrt => lo = lo.max(0),
        Activation::Log => lo = lo.max(1),
        // Its input is a sum of squares (ONNX LRN); the table needs no negative entries.
        Activation::LrnFactor { .. } => lo = lo.max(0),
        Activation::Pow { exponent } if exponent.fract() != 0.0 || *exponent < 0.0 => {
            lo = lo.max(if *exponent < 0.0 { 1 } else { 0 })
        }
        // Asin, Acos, Acosh, Atanh: the table covers their domain only.
        Activation::Math(m) => {
            if let Some((l, h, open)) = m.domain() {
                lo = lo.max((l * one).ceil() as i128 + i128::from(open));
                if h.is_finite() {
                    hi = hi.min((h * one).floor() as i128 - i128::from(open));
                }
            }
        }
        _ => {}
    }
    if lo > hi {
        return Err(format!("{} is undefined on the whole input range", a.name()));
    }
    // Rescale the input so the table has at most 2^lookup_bits entries.
    let mut k = 0u32;
    while ((hi - lo) >> k) + 1 > (1i128 << b.lookup_bits) {
        k += 1;
    }
    let (tlo, thi) = (lo >> k, (hi + (1i128 << k >> 1)) >> k);
    // Entry `i` serves the inputs that round to `i·2^k`; the first one also serves inputs
    // only from `lo` on, so f is evaluated at `max(i·2^k, lo)`: `tlo·2^k` itself may lie
    // below the domain (log(0), sqrt of a negative) when `lo` is not a multiple of 2^k.
    // Likewise the last one up to `hi` for a function whose domain ends there (atanh(1) = ∞).
    let cap = match a {
        Activation::Math(m) if m.domain().is_some() => hi,
        _ => i128::MAX,
    };
    let values: Vec<i128> = (tlo..=thi)
        .map(|i| (a.apply((i << k).max(lo).min(cap) as f64 / one) * one).round())
        .map(|v| v as i128)
        .collect();
    if values.iter().any(|v| v.unsigned_abs() > (1u128 << 100)) {
        return Err(format!(
            "{} grows too large on the input range [{}, {}]; calibrate with a smaller input range",
            a.name(),
            lo as f64 / one,
            hi as f64 / one
        ));
    }
    let bound = values.iter().map(|v| v.abs()).max().unwrap_or(0);
    b.check_field(bound)?;
    let name = format!("{} in=2^-{} out=2^-{s}", a.name(), s - k.min(s));
    let table = b.table(Table { name, lo: tlo, values });
    let mut vars = Vec::with_capacity(x.vars.len());
    for &v in &x.vars {
        let mut y = v;
        let mut yb = x.bound;
        if let Some(c) = clamp_lo {
            y = max_const(b, y, yb, c)?;
            yb = yb.max(c.abs());
        }
        if let Some(c) = clamp_hi {
            y = min_const(b, y, yb, c)?;
            yb = yb.max(c.abs());
        }
        let (y, _) = b.rescale(y, k, yb)?;
        vars.push(b.lookup(y, table));
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound,
    })
}

/// Elementwise `max(a, b)` or `min(a, b) = -max(-a, -b)` with broadcasting; one operand may
/// be a constant (it becomes fixed variables at the activation scale). One `Max` per element.
pub(super) fn max_min(b: &mut Builder, op: BinaryOp, ins: &[Operand], out_shape: &[usize]) -> R<QTensor> {
    let [l, r] = ins else {
        return Err(format!("{op:?} takes two operands"));
    };
    let mut as_vars = |o: &Operand| match o {
        Operand::Var(t) => (*t).clone(),
        Operand::Const(t) | Operand::Param(t, _) => b.const_tensor(t),
    };
    let (x, y) = (as_vars(l), as_vars(r));
    let (ox, oy) = (
        broadcast_offsets(&x.shape, out_shape),
        broadcast_offsets(&y.shape, out_shape),
    );
    let bound = x.bound.max(y.bound);
    let diff = x.bound + y.bound;
    let mut vars = Vec::with_capacity(ox.len());
    for (&i, &j) in ox.iter().zip(&oy) {
        let v = match op {
            BinaryOp::Max => b.max(x.vars[i], Some(y.vars[j]), diff)?,
            BinaryOp::Min => {
                let nx = b.linear(vec![(-1, x.vars[i])], 0, x.bound)?;
                let ny = b.linear(vec![(-1, y.vars[j])], 0, y.bound)?;
                let m = b.max(nx, Some(ny), diff)?;
                b.linear(vec![(-1, m)], 0, bound)?
            }
            _ => return Err(format!("{op:?} is not a maximum or minimum (a zkc bug)")),
        };
        vars.push(v);
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound,
    })
}

/// Maximum of a list of variables by a chain of `Max`.
pub(super) fn max_of(b: &mut Builder, vars: &[Var], bound: i128) -> R<Var> {
    let mut m = *vars.first().ok_or("a maximum over no elements")?;
    for &v in &vars[1..] {
        m = b.max(m, Some(v), 2 * bound)?;
    }
    Ok(m)
}

pub(super) fn max_pool(b: &mut Builder, p: &PoolParams, ins: &[Operand], out_shape: &[usize]) -> R<QTensor> {
    let x = var_input(ins)?;
    let mut vars = Vec::new();
    for (cells, _) in pool_windows(p, &x.shape, out_shape) {
        if cells.is_empty() {
            return Err("a max-pool window lies entirely in the padding".into());
        }
        let vs: Vec<Var> = cells.iter().map(|&i| x.vars[i]).collect();
        vars.push(max_of(b, &vs, x.bound)?);
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound: x.bound,
    })
}

pub(super) fn reduce_max(b: &mut Builder, x: &QTensor, axes: &[usize], out_shape: &[usize]) -> R<QTensor> {
    let mut vars = Vec::new();
    for g in reduce_groups(&x.shape, axes) {
        let vs: Vec<Var> = g.iter().map(|&i| x.vars[i]).collect();
        vars.push(max_of(b, &vs, x.bound)?);
    }
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound: x.bound,
    })
}
