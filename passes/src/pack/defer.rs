//! `deferred_rescales`: a `Rescale(y, a)` whose quotient is read only as terms of `Linear`s
//! (directly, or through one factor of a `Mul` whose product only such `Linear`s read), each
//! of which is read only by its own `Rescale(·, k)`, is dropped; those `Linear`s (and `Mul`s)
//! read `y` itself, their other terms and constant are multiplied by `2^a`, and their
//! `Rescale`s shift by `k + a`. For a product of two activations (attention's q·kᵀ and
//! softmax·v) this keeps one factor unrounded and rounds the sum of products once. An average pool (a sum, after `exact-rescale`) followed by a
//! convolution or a dense layer then costs one rounding instead of two, and in R1CS the
//! pool's remainder and quotient bit decompositions (about 34 constraints per pooled value)
//! disappear for `a` more remainder bits per output of the next layer.
//!
//! Soundness: every argument left is one the backends constrain fully; the rewritten
//! `Linear`s are exact (`Σ c·y + 2^a·(rest)` is `2^a` times the old sum with `y/2^a` in place
//! of the rounded quotient), so the new quotients are the old linear map applied to the
//! unrounded values, rounded once. That differs from the old value by at most
//! `Σ|c|/2^(k+1)` plus one, so each rewritten quotient's proven width grows by one bit (a
//! width the honest witness always fits), as does the `bits` of a `Max` reading it; the
//! rewrite is skipped when the dividend would need more bits than the backend's field holds
//! (three below its `value_bits`: 60 in Goldilocks, 249 in BN254).

use std::collections::{HashMap, HashSet};

use zkc_runtime::{Argument, Program, Var};

use super::{compact, uses};

/// Largest `k + a + q_bits` a rewritten `Rescale` may have in a 63-bit field (Goldilocks'
/// signed values), the default of [`deferred_rescales`]; [`deferred_rescales_within`] takes
/// the backend's own limit (its `value_bits` less three).
pub const MAX_DIVIDEND_BITS: u32 = 60;

/// Signed bits proven for a variable by the argument that defines or checks it, where one
/// does (a Rescale or Div quotient, a Range-checked value, a lookup output).
fn known_bits(p: &Program) -> HashMap<Var, u32> {
    let mut b = HashMap::new();
    for (a, _) in &p.arguments {
        match a {
            Argument::Rescale { q, q_bits, .. } => {
                b.insert(*q, *q_bits);
            }
            Argument::Div { q, bits, .. } => {
                b.insert(*q, *bits);
            }
            Argument::Range { x, bits } => {
                b.insert(*x, *bits);
            }
            Argument::Lookup { y, table, .. } => {
                let m = p.tables[*table]
                    .values
                    .iter()
                    .map(|v| v.unsigned_abs())
                    .max()
                    .unwrap_or(0);
                b.insert(*y, 129 - m.leading_zeros());
            }
            _ => {}
        }
    }
    b
}

/// The step, within Goldilocks' limit ([`MAX_DIVIDEND_BITS`]).
pub fn deferred_rescales(p: &Program) -> Option<(Program, usize)> {
    deferred_rescales_within(p, MAX_DIVIDEND_BITS)
}

/// The step, with rewritten dividends (and products) of at most `max_bits` signed bits.
pub fn deferred_rescales_within(p: &Program, max_bits: u32) -> Option<(Program, usize)> {
    let uses = uses(p);
    let bits = known_bits(p);
    // Candidate inner Rescales: quotient → (argument index, dividend, shift, quotient bits).
    let mut cand: HashMap<Var, (usize, Var, u32, u32)> = HashMap::new();
    for (i, (a, _)) in p.arguments.iter().enumerate() {
        if let Argument::Rescale { x, q, r, k, q_bits } = a {
            if uses[r.0 as usize] == 0 {
                cand.insert(*q, (i, *x, *k, *q_bits));
            }
        }
    }
    // How each variable is read: as a Linear term, as a Mul factor.
    let (mut linear_reads, mut mul_reads) = (HashMap::<Var, u32>::new(), HashMap::<Var, u32>::new());
    for (a, _) in &p.arguments {
        match a {
            Argument::Linear { terms, .. } => {
                for (_, v) in terms {
                    *linear_reads.entry(*v).or_default() += 1;
                }
            }
            Argument::Mul { a, b, .. } => {
                *mul_reads.entry(*a).or_default() += 1;
                *mul_reads.entry(*b).or_default() += 1;
            }
            _ => {}
        }
    }
    // The outer Rescale reading each Linear (when it is the Linear's only reader).
    let mut outer: HashMap<Var, usize> = HashMap::new();
    for (i, (a, _)) in p.arguments.iter().enumerate() {
        if let Argument::Rescale { x, .. } = a {
            if uses[x.0 as usize] == 1 {
                outer.insert(*x, i);
            }
        }
    }
    // Variables whose value the rewrite multiplies by 2^shift: the candidates' quotients
    // (read as their dividends) and the products with one of them; each with its source.
    let scaled_of = |cand: &HashMap<Var, (usize, Var, u32, u32)>, drop: &mut HashSet<Var>| {
        let mut scaled: HashMap<Var, (u32, Var)> = cand.iter().map(|(q, c)| (*q, (c.2, *q))).collect();
        for (a, _) in &p.arguments {
            let Argument::Mul { out, a, b } = a else { continue };
            match (scaled.get(a).copied(), scaled.get(b).copied()) {
                (Some((_, s1)), Some((_, s2))) => {
                    drop.insert(s1);
                    drop.insert(s2);
                }
                (Some((shift, src)), None) | (None, Some((shift, src))) => {
                    let other = if scaled.contains_key(a) { b } else { a };
                    // The product must stay inside the field too.
                    let fits = bits.get(other).is_some_and(|bo| cand[&src].3 + shift + bo <= max_bits);
                    if fits {
                        scaled.insert(*out, (shift, src));
                    } else {
                        drop.insert(src);
                    }
                }
                (None, None) => {}
            }
        }
        scaled
    };
    // Shrink until every scaled variable is read only where the rewrite can follow it, every
    // Linear touching one agrees on one shift and has an outer Rescale inside the field.
    loop {
        let mut drop: HashSet<Var> = HashSet::new();
        let scaled = scaled_of(&cand, &mut drop);
        for (v, &(_, src)) in &scaled {
            let mut allowed = linear_reads.get(v).copied().unwrap_or(0);
            if cand.contains_key(v) {
                allowed += mul_reads.get(v).copied().unwrap_or(0);
            }
            if uses[v.0 as usize] != allowed {
                drop.insert(src);
            }
        }
        let mut touched_outers = HashSet::new();
        for (a, _) in &p.arguments {
            let Argument::Linear { out, terms, .. } = a else {
                continue;
            };
            let sc: Vec<(u32, Var)> = terms.iter().filter_map(|(_, v)| scaled.get(v).copied()).collect();
            if sc.is_empty() {
                continue;
            }
            let shifts: HashSet<u32> = sc.iter().map(|s| s.0).collect();
            let fits = outer.get(out).is_some_and(|&o| match &p.arguments[o].0 {
                Argument::Rescale { k, q_bits, .. } => {
                    shifts.len() == 1 && k + shifts.iter().next().expect("one") + q_bits < max_bits
                }
                _ => false,
            });
            if fits {
                touched_outers.insert(outer[out]);
            } else {
                drop.extend(sc.iter().map(|s| s.1));
            }
        }
        // An inner Rescale must not also be the outer Rescale of a rewritten Linear (its
        // shift would change under it): keep the chain's first link only.
        drop.extend(
            cand.iter()
                .filter(|(_, c)| touched_outers.contains(&c.0))
                .map(|(q, _)| *q),
        );
        if drop.is_empty() {
            break;
        }
        cand.retain(|q, _| !drop.contains(q));
    }
    if cand.is_empty() {
        return Some((p.clone(), 0));
    }
    let scaled = scaled_of(&cand, &mut HashSet::new());
    let read = |v: &Var| cand.get(v).map_or(*v, |c| c.1);
    let mut out = p.clone();
    for (j, (a, _)) in p.arguments.iter().enumerate() {
        match a {
            Argument::Mul { out: mo, a, b } if cand.contains_key(a) || cand.contains_key(b) => {
                out.arguments[j].0 = Argument::Mul {
                    out: *mo,
                    a: read(a),
                    b: read(b),
                };
            }
            Argument::Linear {
                out: lo,
                terms,
                constant,
            } => {
                let Some(&(shift, _)) = terms.iter().find_map(|(_, v)| scaled.get(v)) else {
                    continue;
                };
                let nterms = terms
                    .iter()
                    .map(|&(c, v)| {
                        if scaled.contains_key(&v) {
                            (c, read(&v))
                        } else {
                            (c << shift, v)
                        }
                    })
                    .collect();
                out.arguments[j].0 = Argument::Linear {
                    out: *lo,
                    terms: nterms,
                    constant: constant << shift,
                };
                let o = outer[lo];
                if let Argument::Rescale { k, q_bits, .. } = &mut out.arguments[o].0 {
                    *k += shift;
                    *q_bits += 1;
                }
            }
            _ => {}
        }
    }
    let mut removed = HashSet::new();
    // A `Max` (relu, max-pool) reading a widened quotient bounds |a - b| one bit wider too.
    let widened: HashSet<Var> = out
        .arguments
        .iter()
        .zip(&p.arguments)
        .filter_map(|((new, _), (old, _))| match (new, old) {
            (Argument::Rescale { q, q_bits: nb, .. }, Argument::Rescale { q_bits: ob, .. }) if nb != ob => Some(*q),
            _ => None,
        })
        .collect();
    for (a, _) in out.arguments.iter_mut() {
        if let Argument::Max { a, b, bits, .. } = a {
            if widened.contains(a) || b.is_some_and(|b| widened.contains(&b)) {
                *bits += 1;
            }
        }
    }
    for &(i, _, _, _) in cand.values() {
        removed.insert(i);
    }
    Some((compact(&out, &removed, &HashMap::new())?, cand.len()))
}

#[cfg(test)]
mod tests {
    use zkc_runtime::{Argument, Origin, Program, TensorVars, Var};

    use super::deferred_rescales;

    fn arg(a: Argument) -> (Argument, Origin) {
        (a, Origin::default())
    }

    /// Two inputs summed and rescaled by 2 (a 2-element average pool), then `3·pool - x1 + 5`
    /// rescaled by 4, as the output.
    fn program() -> Program {
        let v = Var;
        Program {
            num_vars: 9,
            arguments: vec![
                arg(Argument::Input { x: v(0), index: 0 }),
                arg(Argument::Input { x: v(1), index: 1 }),
                arg(Argument::Linear {
                    out: v(2),
                    terms: vec![(1, v(0)), (1, v(1))],
                    constant: 0,
                }),
                arg(Argument::Rescale {
                    x: v(2),
                    q: v(3),
                    r: v(4),
                    k: 1,
                    q_bits: 10,
                }),
                arg(Argument::Linear {
                    out: v(5),
                    terms: vec![(3, v(3)), (-1, v(1))],
                    constant: 5,
                }),
                arg(Argument::Rescale {
                    x: v(5),
                    q: v(6),
                    r: v(7),
                    k: 2,
                    q_bits: 10,
                }),
                arg(Argument::Max {
                    out: v(8),
                    a: v(6),
                    b: None,
                    bits: 10,
                }),
                arg(Argument::Public { x: v(8) }),
            ],
            tables: vec![],
            inputs: vec![TensorVars {
                name: "x".into(),
                shape: vec![2],
                scale: 0,
                vars: vec![v(0), v(1)],
            }],
            outputs: vec![TensorVars {
                name: "y".into(),
                shape: vec![1],
                scale: 0,
                vars: vec![v(8)],
            }],
            packing: Default::default(),
        }
    }

    #[test]
    fn the_pool_rescale_moves_into_the_next_layer() {
        let p = program();
        let (q, sites) = deferred_rescales(&p).unwrap();
        assert_eq!(sites, 1);
        let rescales: Vec<_> = q
            .arguments
            .iter()
            .filter_map(|(a, _)| match a {
                Argument::Rescale { k, q_bits, .. } => Some((*k, *q_bits)),
                _ => None,
            })
            .collect();
        assert_eq!(rescales, vec![(3, 11)], "one rounding, by 2^(1+2), one bit wider");
        for inputs in [[7i128, 4], [-9, 6], [100, -3], [0, 0]] {
            let old = zkc_runtime::solver::solve(&p, &inputs).unwrap();
            let new = zkc_runtime::solver::solve(&q, &inputs).unwrap();
            zkc_runtime::checker::check(&q, &new).unwrap();
            // New: relu(round((3·(x0+x1) - 2·x1 + 10) / 8)), the unrounded pool.
            let exact = (3 * (inputs[0] + inputs[1]) - 2 * inputs[1] + 10) as f64 / 8.0;
            let want = (exact + 0.5).floor().max(0.0) as i128;
            assert_eq!(new.public_values(&q), vec![want], "{inputs:?}");
            let diff = (new.public_values(&q)[0] - old.public_values(&p)[0]).abs();
            assert!(
                diff <= 1,
                "{inputs:?}: one rounding fewer moves the result by at most one"
            );
        }
    }

    #[test]
    fn a_quotient_read_by_anything_but_a_linear_stays() {
        let mut p = program();
        p.arguments.push(arg(Argument::Public { x: Var(3) }));
        let (q, sites) = deferred_rescales(&p).unwrap();
        assert_eq!((sites, &q), (0, &p));
    }

    #[test]
    fn a_deferred_quotient_is_followed_through_a_product() {
        let v = Var;
        let p = Program {
            num_vars: 9,
            arguments: vec![
                arg(Argument::Input { x: v(0), index: 0 }),
                arg(Argument::Range { x: v(0), bits: 8 }),
                arg(Argument::Input { x: v(1), index: 1 }),
                arg(Argument::Range { x: v(1), bits: 8 }),
                arg(Argument::Linear {
                    out: v(2),
                    terms: vec![(1, v(0)), (1, v(1))],
                    constant: 0,
                }),
                arg(Argument::Rescale {
                    x: v(2),
                    q: v(3),
                    r: v(4),
                    k: 2,
                    q_bits: 8,
                }),
                arg(Argument::Mul {
                    out: v(5),
                    a: v(3),
                    b: v(1),
                }),
                arg(Argument::Linear {
                    out: v(6),
                    terms: vec![(1, v(5)), (1, v(0))],
                    constant: 0,
                }),
                arg(Argument::Rescale {
                    x: v(6),
                    q: v(7),
                    r: v(8),
                    k: 3,
                    q_bits: 12,
                }),
                arg(Argument::Public { x: v(7) }),
            ],
            tables: vec![],
            inputs: vec![TensorVars {
                name: "x".into(),
                shape: vec![2],
                scale: 0,
                vars: vec![v(0), v(1)],
            }],
            outputs: vec![TensorVars {
                name: "y".into(),
                shape: vec![1],
                scale: 0,
                vars: vec![v(7)],
            }],
            packing: Default::default(),
        };
        let (q, sites) = deferred_rescales(&p).unwrap();
        assert_eq!(sites, 1);
        assert!(q
            .arguments
            .iter()
            .any(|(a, _)| matches!(a, Argument::Rescale { k: 5, q_bits: 13, .. })));
        for inputs in [[7i128, 4], [-9, 6], [100, -3], [-128, 127]] {
            let old = zkc_runtime::solver::solve(&p, &inputs).unwrap();
            let new = zkc_runtime::solver::solve(&q, &inputs).unwrap();
            zkc_runtime::checker::check(&q, &new).unwrap();
            let exact = ((inputs[0] + inputs[1]) * inputs[1] + 4 * inputs[0]) as f64 / 32.0;
            assert_eq!(new.public_values(&q), vec![(exact + 0.5).floor() as i128], "{inputs:?}");
            let (a, b) = (new.public_values(&q)[0], old.public_values(&p)[0]);
            assert!((a - b).abs() <= 1 + 127 / 8, "{inputs:?}: {a} vs {b}");
        }
    }
}
