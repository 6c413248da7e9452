//! Shared-input blocks: weighted sums over the same ordered inputs (a convolution's output
//! channels at one position) laid out together on a [`KernelGate`].
//!
//! Used only when the pack pass grants it ([`zkc_runtime::Packing::shared_inputs`]). A
//! [`crate::gates::LinearGate`] group places every input of every output in its own wire,
//! with its coefficient in the row's constants (80 per row): a 25-term sum takes 26 wires
//! and 26 constants, three per row. A block places the inputs once and the `m` outputs after
//! them, with the coefficients inside the gate, so one row holds `80 / (n + m)` positions of
//! all `m` channels (conv 5×5, 4 channels: 2 positions, 8 sums per row instead of 3). Runs of
//! neighbouring blocks merge over their union of inputs when the merged matrix repeats too
//! (the same conv: 6 positions over 5×10 inputs, 24 sums per row). Inputs beyond a row
//! continue in a next chunk whose outputs add the previous chunk's partial sums.
//! A coefficient matrix that occurs fewer than [`MIN_REPEATS`] times keeps its weighted sums
//! (each distinct matrix is a gate type, evaluated on every row of the quotient domain).
//!
//! Soundness: every input wire is a copy of its value and every output wire of a block's last
//! chunk is a copy of the member's `out`; the first chunk has no previous-sum term, so
//! `out_c = k_c + Σᵢ W[c][i]·xᵢ` is exactly member `c`'s sum.

use std::collections::HashMap;

use plonky2::field::types::{Field, PrimeField64};

use crate::field::F;
use crate::gates::KernelGate;
use crate::plan::{Lin, LinReq, Plan, Val};

/// A coefficient matrix gets its own gate types only if this many blocks share it.
pub const MIN_REPEATS: usize = 8;
/// Fewest inputs for a block (shorter sums pack densely as weighted sums anyway).
pub const MIN_INPUTS: usize = 8;
/// Most outputs in one block (a larger group is split into consecutive blocks).
pub const MAX_OUTPUTS: usize = 16;

/// The coefficients (`coeffs[c][i]`, input `i` of output `c`) and constants of a block's
/// outputs, canonical: what one gate type carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Kind {
    coeffs: Vec<Vec<u64>>,
    constants: Vec<u64>,
}

/// Weighted sums laid out together: `members` (indices into the plan's sums) over `inputs`,
/// each member's coefficient of each input in `kind`.
#[derive(Clone, Debug)]
struct Block {
    members: Vec<usize>,
    inputs: Vec<Val>,
    kind: Kind,
}

impl Block {
    /// The block of `members`, which all read exactly `inputs` in order.
    fn of_group(members: &[usize], linear: &[LinReq]) -> Block {
        Block {
            members: members.to_vec(),
            inputs: linear[members[0]].lin.terms.iter().map(|&(_, v)| v).collect(),
            kind: Kind {
                coeffs: members
                    .iter()
                    .map(|&i| linear[i].lin.terms.iter().map(|(c, _)| c.to_canonical_u64()).collect())
                    .collect(),
                constants: members
                    .iter()
                    .map(|&i| linear[i].lin.constant.to_canonical_u64())
                    .collect(),
            },
        }
    }

    /// Consecutive blocks over the union of their inputs (first occurrence order), with a zero
    /// coefficient where a member does not read an input: neighbouring positions of a
    /// convolution share most inputs, so a run of them places each shared input once.
    fn merged(run: &[&Block]) -> Block {
        let mut inputs = Vec::new();
        let mut index: HashMap<Val, usize> = HashMap::new();
        for b in run {
            for &v in &b.inputs {
                index.entry(v).or_insert_with(|| {
                    inputs.push(v);
                    inputs.len() - 1
                });
            }
        }
        let mut coeffs = Vec::new();
        let mut constants = Vec::new();
        for b in run {
            for (row, &k) in b.kind.coeffs.iter().zip(&b.kind.constants) {
                let mut dense = vec![F::ZERO; inputs.len()];
                for (&c, v) in row.iter().zip(&b.inputs) {
                    dense[index[v]] += F::from_canonical_u64(c);
                }
                coeffs.push(dense.iter().map(|c| c.to_canonical_u64()).collect());
                constants.push(k);
            }
        }
        Block {
            members: run.iter().flat_map(|b| b.members.iter().copied()).collect(),
            inputs,
            kind: Kind { coeffs, constants },
        }
    }
}

/// One chunk of one block, ready to place on a row of `gates[gate]`.
#[derive(Clone, Debug)]
pub struct Placed {
    /// Index into [`Kernels::gates`].
    pub gate: usize,
    /// The chunk's input values.
    pub inputs: Vec<Val>,
    /// The previous chunk's partial sums (empty for a first chunk).
    pub prev: Vec<Val>,
    /// The outputs: partial sums, or the members' own values on the last chunk.
    pub outs: Vec<Val>,
    /// The argument each output implements.
    pub owners: Vec<usize>,
}

/// The blocks of a plan, as gate types and placed chunks.
#[derive(Clone, Debug, Default)]
pub struct Kernels {
    /// Gate types (every chunk of every kind).
    pub gates: Vec<KernelGate>,
    /// Chunks in placement order, grouped by gate.
    pub placed: Vec<Placed>,
    /// Per weighted sum of the plan: whether a block holds it.
    pub member: Vec<bool>,
}

/// The input ranges of the chunks of an `n`-input, `m`-output kind: the first takes up to
/// `routed - m` inputs, later ones `routed - 2m` (they also carry the partial sums).
fn chunks(n: usize, m: usize, routed: usize) -> Option<Vec<(usize, usize)>> {
    if routed <= 2 * m {
        return None;
    }
    let mut out = vec![(0, n.min(routed - m))];
    while out.last().expect("one chunk").1 < n {
        let start = out.last().expect("one chunk").1;
        out.push((start, n.min(start + routed - 2 * m)));
    }
    Some(out)
}

/// Rows one block of `n` inputs and `m` outputs takes (fractions of shared rows).
fn block_rows(n: usize, m: usize, routed: usize) -> Option<f64> {
    let c = chunks(n, m, routed)?;
    Some(
        c.iter()
            .enumerate()
            .map(|(j, &(a, b))| {
                let width = b - a + m * (1 + usize::from(j > 0));
                1.0 / (routed / width) as f64
            })
            .sum(),
    )
}

/// Longest run of neighbouring blocks tried as one merged block.
const MAX_RUN: usize = 8;
/// Rows charged per gate type when choosing runs (its constraints are evaluated on every row
/// of the quotient domain).
const GATE_PENALTY: f64 = 8.0;

/// The blocks of one repeated kind, merged in runs of `r` where the merged kind repeats too;
/// the rest stay single. With the rows this takes.
fn runs_of(singles: &[Block], r: usize, routed: usize) -> Option<(f64, Vec<Block>)> {
    let mut merged: Vec<Option<Block>> = Vec::new();
    if r > 1 {
        for run in singles.chunks(r) {
            merged.push((run.len() == r).then(|| Block::merged(&run.iter().collect::<Vec<_>>())));
        }
    }
    let mut counts: HashMap<&Kind, usize> = HashMap::new();
    for b in merged.iter().flatten() {
        *counts.entry(&b.kind).or_default() += 1;
    }
    let mut out: Vec<&Block> = Vec::new();
    for (i, run) in singles.chunks(r).enumerate() {
        match merged.get(i).and_then(Option::as_ref) {
            Some(b) if counts[&b.kind] >= MIN_REPEATS => out.push(b),
            _ => out.extend(run),
        }
    }
    let mut kinds: Vec<&Kind> = Vec::new();
    let mut rows = 0.0;
    for b in &out {
        rows += block_rows(b.inputs.len(), b.kind.coeffs.len(), routed)?;
        if !kinds.contains(&&b.kind) {
            kinds.push(&b.kind);
        }
    }
    let gate_types: usize = kinds
        .iter()
        .filter_map(|k| chunks(k.coeffs[0].len(), k.coeffs.len(), routed))
        .map(|c| c.len())
        .sum();
    Some((
        rows + GATE_PENALTY * gate_types as f64,
        out.into_iter().cloned().collect(),
    ))
}

impl Kernels {
    /// Finds the blocks of `plan` (none unless its program granted shared inputs) and adds
    /// the chunks' partial sums to its auxiliary values.
    pub fn find(plan: &mut Plan, routed: usize) -> Kernels {
        let mut member = vec![false; plan.linear.len()];
        if !plan.shared_inputs {
            return Kernels {
                member,
                ..Kernels::default()
            };
        }
        let mut groups: HashMap<Vec<Val>, Vec<usize>> = HashMap::new();
        for (i, req) in plan.linear.iter().enumerate() {
            if req.lin.terms.len() >= MIN_INPUTS {
                let key: Vec<Val> = req.lin.terms.iter().map(|&(_, v)| v).collect();
                groups.entry(key).or_default().push(i);
            }
        }
        let mut candidates: Vec<Vec<usize>> = groups
            .into_values()
            .flat_map(|g| g.chunks(MAX_OUTPUTS).map(<[usize]>::to_vec).collect::<Vec<_>>())
            .filter(|g| g.len() >= 2)
            .collect();
        candidates.sort_by_key(|g| g[0]);
        // Blocks by kind (kinds in order of their first block), repeated kinds only.
        let mut by_kind: Vec<Vec<Block>> = Vec::new();
        let mut kind_index: HashMap<Kind, usize> = HashMap::new();
        for g in &candidates {
            let b = Block::of_group(g, &plan.linear);
            let k = *kind_index.entry(b.kind.clone()).or_insert_with(|| {
                by_kind.push(Vec::new());
                by_kind.len() - 1
            });
            by_kind[k].push(b);
        }
        let mut blocks: Vec<Block> = Vec::new();
        for singles in by_kind.into_iter().filter(|b| b.len() >= MIN_REPEATS) {
            let best = (1..=MAX_RUN)
                .filter_map(|r| runs_of(&singles, r, routed))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((_, chosen)) = best {
                blocks.extend(chosen);
            }
        }
        // Gate types: every chunk of every kind, in order of the kind's first block.
        let mut gates: Vec<KernelGate> = Vec::new();
        let mut by_gate: Vec<Vec<Placed>> = Vec::new();
        let mut first_gate: HashMap<Kind, (usize, Vec<(usize, usize)>)> = HashMap::new();
        for b in &blocks {
            let m = b.kind.coeffs.len();
            if !first_gate.contains_key(&b.kind) {
                let ranges = chunks(b.inputs.len(), m, routed).expect("runs_of checked every block's chunks");
                let start = gates.len();
                for (j, &(lo, hi)) in ranges.iter().enumerate() {
                    let prev = j > 0;
                    let mut gate = KernelGate {
                        coeffs: b.kind.coeffs.iter().map(|row| row[lo..hi].to_vec()).collect(),
                        constants: if prev { vec![0; m] } else { b.kind.constants.clone() },
                        prev,
                        blocks: 1,
                    };
                    gate.blocks = routed / gate.width();
                    gates.push(gate);
                    by_gate.push(Vec::new());
                }
                first_gate.insert(b.kind.clone(), (start, ranges));
            }
            let (start, ranges) = &first_gate[&b.kind];
            let owners: Vec<usize> = b.members.iter().map(|&i| plan.linear[i].owner).collect();
            let mut prev: Vec<Val> = Vec::new();
            for (j, &(lo, hi)) in ranges.iter().enumerate() {
                let outs: Vec<Val> = if j + 1 == ranges.len() {
                    b.members.iter().map(|&i| plan.linear[i].out).collect()
                } else {
                    (0..m)
                        .map(|c| {
                            let mut terms: Vec<(F, Val)> = prev.get(c).map(|&p| (F::ONE, p)).into_iter().collect();
                            for u in lo..hi {
                                let w = b.kind.coeffs[c][u];
                                if w != 0 {
                                    terms.push((F::from_canonical_u64(w), b.inputs[u]));
                                }
                            }
                            let constant = F::from_canonical_u64(if j == 0 { b.kind.constants[c] } else { 0 });
                            let v = Val(plan.num_vars + plan.aux.len() as u32);
                            plan.aux.push(Lin { constant, terms });
                            v
                        })
                        .collect()
                };
                by_gate[start + j].push(Placed {
                    gate: start + j,
                    inputs: b.inputs[lo..hi].to_vec(),
                    prev: prev.clone(),
                    outs: outs.clone(),
                    owners: owners.clone(),
                });
                prev = outs;
            }
            for &i in &b.members {
                member[i] = true;
            }
        }
        Kernels {
            gates,
            placed: by_gate.into_iter().flatten().collect(),
            member,
        }
    }

    /// Rows the blocks take.
    pub fn rows(&self) -> usize {
        let mut per_gate = vec![0usize; self.gates.len()];
        for p in &self.placed {
            per_gate[p.gate] += 1;
        }
        per_gate
            .iter()
            .zip(&self.gates)
            .map(|(&n, g)| n.div_ceil(g.blocks))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::LinReq;

    /// `reps` positions of a 2-output "convolution" over `n` inputs each.
    fn plan(reps: u32, n: u32, shared: bool) -> Plan {
        let mut p = Plan {
            shared_inputs: shared,
            ..Plan::default()
        };
        let mut next = 0u32;
        for _ in 0..reps {
            let xs: Vec<Val> = (0..n).map(|i| Val(next + i)).collect();
            next += n;
            for c in 0..2u64 {
                p.linear.push(LinReq {
                    lin: Lin {
                        constant: F::from_canonical_u64(c),
                        terms: xs
                            .iter()
                            .enumerate()
                            .map(|(i, &v)| (F::from_canonical_u64(c * 10 + i as u64 + 1), v))
                            .collect(),
                    },
                    out: Val(next),
                    owner: 0,
                });
                next += 1;
            }
        }
        p.num_vars = next;
        p
    }

    #[test]
    fn repeated_coefficients_form_blocks_only_when_granted() {
        let mut p = plan(MIN_REPEATS as u32, 8, true);
        let k = Kernels::find(&mut p, 80);
        assert_eq!(k.gates.len(), 1);
        assert_eq!(k.placed.len(), MIN_REPEATS);
        assert!(k.member.iter().all(|&m| m));
        // 8 inputs + 2 outputs: 8 blocks per row.
        assert_eq!(k.gates[0].blocks, 8);
        assert_eq!(k.rows(), 1);
        assert!(p.aux.is_empty());
        assert!(Kernels::find(&mut plan(MIN_REPEATS as u32, 8, false), 80)
            .gates
            .is_empty());
        assert!(Kernels::find(&mut plan(MIN_REPEATS as u32 - 1, 8, true), 80)
            .gates
            .is_empty());
        assert!(
            Kernels::find(&mut plan(MIN_REPEATS as u32, MIN_INPUTS as u32 - 1, true), 80)
                .gates
                .is_empty()
        );
    }

    #[test]
    fn long_blocks_chain_partial_sums_across_chunks() {
        // 100 inputs, 2 outputs: chunks of 78, then 22 (with the 2 partial sums).
        let mut p = plan(MIN_REPEATS as u32, 100, true);
        let k = Kernels::find(&mut p, 80);
        assert_eq!(k.gates.len(), 2);
        assert_eq!((k.gates[0].t(), k.gates[1].t()), (78, 22));
        assert!(!k.gates[0].prev && k.gates[1].prev);
        assert_eq!(k.gates[1].constants, vec![0, 0]);
        assert_eq!(k.gates[0].constants, vec![0, 1]);
        // One partial sum per output per block, evaluating to the first chunk's sum.
        assert_eq!(p.aux.len(), 2 * MIN_REPEATS);
        let first = &k.placed[0];
        assert_eq!(first.outs.len(), 2);
        let second = k.placed.iter().find(|c| c.gate == 1).unwrap();
        assert_eq!(second.prev, first.outs);
        assert_eq!(chunks(100, 2, 80), Some(vec![(0, 78), (78, 100)]));
        assert_eq!(chunks(10, 40, 80), None);
    }
}
