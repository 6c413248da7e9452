//! Fills the advice columns from a trace. Auxiliary cells (running sums, differences, limbs)
//! are derived from trace values here; the gates check every one of them, so a wrong trace
//! value shows up as a violated gate, never as a silently "fixed" cell.

use halo2_proofs::halo2curves::bn256::Fr;
use rayon::prelude::*;
use zkc_runtime::{Argument, Program, Trace};

use crate::field::{fr, shr};
use crate::plan::{Plan, Src, Val};
use crate::poseidon;

fn int(val: &Val, t: &[i128]) -> Option<i128> {
    match *val {
        Val::Var(v) => Some(t[v as usize]),
        Val::Diff { a, b, c } => t[a as usize]
            .checked_sub(b.map_or(0, |b| t[b as usize]))?
            .checked_add(c),
        Val::BelowP { digest, limb, borrow } => {
            let (r, b) = poseidon::below_p(digest.map(|v| t[v as usize]))?;
            Some(if borrow { b[limb as usize] } else { r[limb as usize] })
        }
    }
}

fn field(val: &Val, t: &[i128]) -> Fr {
    match *val {
        Val::Var(v) => fr(t[v as usize]),
        Val::Diff { a, b, c } => fr(t[a as usize]) - b.map_or(Fr::zero(), |b| fr(t[b as usize])) + fr(c),
        // Out-of-range digests give zero: the borrow-chain gate then fails, as it should.
        Val::BelowP { .. } => int(val, t).map_or(Fr::zero(), fr),
    }
}

/// The advice columns, each `n` long (rows past the plan are zero). The caller has
/// checked that the trace has one value per variable.
pub fn advice_columns(plan: &Plan, program: &Program, trace: &Trace, n: usize) -> Vec<Vec<Fr>> {
    let t = &trace.values[..];
    let mut partial = Vec::with_capacity(plan.partials.len());
    for p in &plan.partials {
        let mut acc = p.prev.map_or(Fr::zero(), |i| partial[i as usize]);
        if let Argument::Linear { terms, constant, .. } = &program.arguments[p.arg as usize].0 {
            if p.first {
                acc += fr(*constant);
                if let Some(s) = p.skip {
                    let (c, v) = terms[s as usize];
                    acc += fr(c) * fr(t[v.0 as usize]);
                }
            }
            for i in p.start..p.end {
                if Some(i) != p.skip {
                    let (c, v) = terms[i as usize];
                    acc += fr(c) * fr(t[v.0 as usize]);
                }
            }
        }
        partial.push(acc);
    }
    let sponges: Vec<Vec<Fr>> = plan
        .hashes
        .par_iter()
        .map(|&a| match &program.arguments[a as usize].0 {
            Argument::Hash { inputs, .. } => {
                let inputs: Vec<Fr> = inputs.iter().map(|v| fr(t[v.0 as usize])).collect();
                poseidon::sponge_cells(&inputs)
            }
            _ => Vec::new(),
        })
        .collect();
    plan.advice
        .par_iter()
        .map(|col| {
            let mut out = vec![Fr::zero(); n];
            for (cell, src) in out.iter_mut().zip(col) {
                *cell = match *src {
                    Src::Empty => Fr::zero(),
                    Src::Var(v) => fr(t[v as usize]),
                    Src::Val(i) => field(&plan.vals[i as usize], t),
                    // An overflowing difference is far outside any range: zero limbs
                    // then fail the running sum, which is the right verdict.
                    Src::Shift(i, s) => int(&plan.vals[i as usize], t).map_or(Fr::zero(), |v| fr(shr(v, s))),
                    Src::Partial(i) => partial[i as usize],
                    Src::Sponge(h, i) => sponges[h as usize][i as usize],
                };
            }
            out
        })
        .collect()
}
