//! `unscaled_outputs`: a model output whose every element is the quotient of a `Rescale` by
//! the same `2^k`, read by nothing but `Public` arguments, is published unscaled instead —
//! the `Rescale`'s dividend, at scale `s + k` — and the output's scale says so.
//!
//! Soundness: the dividend is a value the circuit already constrains; dropping the
//! `Rescale` removes a rounding, not a check that anything else relies on (the quotient and
//! remainder were used nowhere else). The published value is exact, so the outputs are at
//! least as precise as before, and `zkc run --fixed` (the same program) reports the same.
//! Outputs that are hashed are left alone: the `Hash` reads the quotient, so a commitment
//! made with `zkc hash OUT.json` at the circuit's scale still matches.

use std::collections::{HashMap, HashSet};

use zkc_runtime::{Argument, Program, Var};

use super::{compact, definers, uses};

/// The step; `None` only if renumbering failed (it does not on a well-formed program).
pub fn unscaled_outputs(p: &Program) -> Option<(Program, usize)> {
    let uses = uses(p);
    let def = definers(p);
    let mut published: HashMap<Var, u32> = HashMap::new();
    for (a, _) in &p.arguments {
        if let Argument::Public { x } = a {
            *published.entry(*x).or_default() += 1;
        }
    }
    let mut in_outputs: HashMap<Var, u32> = HashMap::new();
    for t in &p.outputs {
        for &v in &t.vars {
            *in_outputs.entry(v).or_default() += 1;
        }
    }
    let input_vars: HashSet<Var> = p.inputs.iter().flat_map(|t| t.vars.iter().copied()).collect();
    let mut out = p.clone();
    let mut removed = HashSet::new();
    let mut alias = HashMap::new();
    let mut sites = 0;
    for (o, t) in p.outputs.iter().enumerate() {
        let mut shift = None;
        let mut plan = Vec::new();
        let ok = !t.vars.is_empty()
            && t.vars.iter().all(|&v| {
                let Some(&i) = def.get(&v) else { return false };
                let Argument::Rescale { x, q, r, k, .. } = &p.arguments[i].0 else {
                    return false;
                };
                let only_published = uses[v.0 as usize]
                    == published.get(&v).copied().unwrap_or(0) + in_outputs.get(&v).copied().unwrap_or(0);
                let same_k = *shift.get_or_insert(*k) == *k;
                plan.push((i, v, *x));
                *q == v
                    && same_k
                    && only_published
                    && uses[r.0 as usize] == 0
                    && in_outputs.get(&v) == Some(&1)
                    && !input_vars.contains(&v)
            });
        if !ok {
            continue;
        }
        for (i, v, x) in plan {
            if removed.insert(i) {
                alias.insert(v, x);
            }
        }
        out.outputs[o].scale += shift.expect("non-empty");
        sites += 1;
    }
    if sites == 0 {
        return Some((p.clone(), 0));
    }
    Some((compact(&out, &removed, &alias)?, sites))
}

#[cfg(test)]
mod tests {
    use zkc_runtime::{Argument, HashKind, Origin, Program, TensorVars, Var};

    use super::unscaled_outputs;

    /// `y = round(3x / 4)` as the output, published; `extra` adds another use of the quotient.
    fn program(extra: Option<Argument>) -> Program {
        let (x, l, q, r) = (Var(0), Var(1), Var(2), Var(3));
        let mut args = vec![
            Argument::Input { x, index: 0 },
            Argument::Linear {
                out: l,
                terms: vec![(3, x)],
                constant: 0,
            },
            Argument::Rescale {
                x: l,
                q,
                r,
                k: 2,
                q_bits: 8,
            },
        ];
        let mut num_vars = 4;
        if let Some(a) = extra {
            num_vars += a.defines().len() as u32;
            args.push(a);
        }
        args.push(Argument::Public { x: q });
        Program {
            num_vars,
            arguments: args.into_iter().map(|a| (a, Origin::default())).collect(),
            tables: vec![],
            inputs: vec![TensorVars {
                name: "x".into(),
                shape: vec![1],
                scale: 4,
                vars: vec![x],
            }],
            outputs: vec![TensorVars {
                name: "y".into(),
                shape: vec![1],
                scale: 4,
                vars: vec![q],
            }],
            packing: Default::default(),
        }
    }

    #[test]
    fn a_published_rescale_output_is_published_exactly() {
        let (p, sites) = unscaled_outputs(&program(None)).unwrap();
        assert_eq!(sites, 1);
        assert!(!p.arguments.iter().any(|(a, _)| a.kind() == "Rescale"));
        assert_eq!(p.outputs[0].scale, 6);
        let trace = zkc_runtime::solver::solve(&p, &[5]).unwrap();
        // 3·5 at scale 4 + 2: exactly 15 / 2^6, where the Rescale gave round(15/4) / 2^4.
        assert_eq!(trace.get(p.outputs[0].vars[0]), 15);
        assert_eq!(trace.public_values(&p), vec![15]);
        zkc_runtime::checker::check(&p, &trace).unwrap();
    }

    #[test]
    fn a_quotient_used_elsewhere_or_hashed_is_kept() {
        let relu = Argument::Max {
            out: Var(4),
            a: Var(2),
            b: None,
            bits: 8,
        };
        let hash = Argument::Hash {
            inputs: vec![Var(2)],
            digest: [Var(4), Var(5), Var(6), Var(7)],
            kind: HashKind::PoseidonBn254,
        };
        for extra in [relu, hash] {
            let p = program(Some(extra));
            let (same, sites) = unscaled_outputs(&p).unwrap();
            assert_eq!((sites, &same), (0, &p));
        }
    }
}
