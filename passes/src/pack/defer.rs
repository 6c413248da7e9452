//! `deferred_rescales`: a `Rescale(y, a)` whose quotient is read only as terms of `Linear`s,
//! each of which is read only by its own `Rescale(·, k)`, is dropped; those `Linear`s read
//! `y` itself (their other terms and constant multiplied by `2^a`) and their `Rescale`s
//! shift by `k + a`. An average pool (a sum, after `exact-rescale`) followed by a
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
//! rewrite is skipped when the dividend would
//! need more than [`MAX_DIVIDEND_BITS`] bits, which keeps it inside Goldilocks too.

use std::collections::{HashMap, HashSet};

use zkc_runtime::{Argument, Program, Var};

use super::{compact, definers, uses};

/// Largest `k + a + q_bits` a rewritten `Rescale` may have (a 63-bit field's signed values).
pub const MAX_DIVIDEND_BITS: u32 = 60;

/// The step.
pub fn deferred_rescales(p: &Program) -> Option<(Program, usize)> {
    let uses = uses(p);
    let def = definers(p);
    // Candidate inner Rescales: quotient → (argument index, dividend, shift).
    let mut cand: HashMap<Var, (usize, Var, u32)> = HashMap::new();
    for (i, (a, _)) in p.arguments.iter().enumerate() {
        if let Argument::Rescale { x, q, r, k, .. } = a {
            if uses[r.0 as usize] == 0 {
                cand.insert(*q, (i, *x, *k));
            }
        }
    }
    // Who reads each candidate quotient, and what reads each Linear's output.
    let mut linear_reads: HashMap<Var, u32> = HashMap::new();
    for (a, _) in &p.arguments {
        if let Argument::Linear { terms, .. } = a {
            for (_, v) in terms {
                if cand.contains_key(v) {
                    *linear_reads.entry(*v).or_default() += 1;
                }
            }
        }
    }
    // A quotient qualifies if every read is a Linear term (not an output, Public, Max, ...).
    cand.retain(|q, _| linear_reads.get(q).copied().unwrap_or(0) == uses[q.0 as usize]);
    // The outer Rescale reading each Linear (when it is the Linear's only reader).
    let mut outer: HashMap<Var, usize> = HashMap::new();
    for (i, (a, _)) in p.arguments.iter().enumerate() {
        if let Argument::Rescale { x, .. } = a {
            if uses[x.0 as usize] == 1 {
                outer.insert(*x, i);
            }
        }
    }
    // Shrink until every Linear touching a candidate agrees on one shift and has an outer
    // Rescale that stays within the field.
    loop {
        let mut drop: HashSet<Var> = HashSet::new();
        for (a, _) in &p.arguments {
            let Argument::Linear { out, terms, .. } = a else {
                continue;
            };
            let qs: Vec<Var> = terms.iter().map(|(_, v)| *v).filter(|v| cand.contains_key(v)).collect();
            if qs.is_empty() {
                continue;
            }
            let shifts: HashSet<u32> = qs.iter().map(|q| cand[q].2).collect();
            let fits = outer.get(out).is_some_and(|&o| match &p.arguments[o].0 {
                Argument::Rescale { k, q_bits, .. } => {
                    shifts.len() == 1 && k + shifts.iter().next().expect("one") + q_bits + 1 <= MAX_DIVIDEND_BITS
                }
                _ => false,
            });
            if !fits {
                drop.extend(qs);
            }
        }
        // An inner Rescale must not also be the outer Rescale of a rewritten Linear (its
        // shift would change under it): keep the chain's first link only.
        let touched_outers: HashSet<usize> = p
            .arguments
            .iter()
            .filter_map(|(a, _)| match a {
                Argument::Linear { out, terms, .. } if terms.iter().any(|(_, v)| cand.contains_key(v)) => {
                    outer.get(out).copied()
                }
                _ => None,
            })
            .collect();
        drop.extend(
            cand.iter()
                .filter(|(_, (i, _, _))| touched_outers.contains(i))
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
    let mut out = p.clone();
    let mut removed = HashSet::new();
    for (a, _) in p.arguments.iter() {
        let Argument::Linear {
            out: lo,
            terms,
            constant,
        } = a
        else {
            continue;
        };
        let Some(&(_, _, shift)) = terms.iter().find_map(|(_, v)| cand.get(v)) else {
            continue;
        };
        let j = def[lo];
        let nterms = terms
            .iter()
            .map(|&(c, v)| match cand.get(&v) {
                Some(&(_, y, _)) => (c, y),
                None => (c << shift, v),
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
    for &(i, _, _) in cand.values() {
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
}
