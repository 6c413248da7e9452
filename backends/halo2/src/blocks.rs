//! Shared-input blocks: `Linear` arguments over the same ordered inputs (a convolution's
//! output channels at one position, a matrix product's outputs in one row) laid out together.
//!
//! Used only when the pack pass grants it ([`zkc_runtime::Packing::shared_inputs`]). A
//! chain puts every input of every output in its own cell with its coefficient in a fixed
//! column; a block puts the inputs once across the slot area of a row and the `m` outputs in
//! its last `m` columns, with the coefficients inside the gate
//! (`sel · (Σⱼ W[c][j]·aⱼ + b_c + [chunk > 0]·out_c(prev) − out_c) = 0` for each output `c`),
//! so one gate serves every block with the same coefficients. Inputs beyond a row continue
//! on the next rows (chunks), each output cell holding the partial sum so far; the last row
//! holds the outputs themselves. A coefficient matrix that occurs fewer than [`MIN_REPEATS`]
//! times keeps its chains (each gate costs a fixed selector column).
//!
//! Soundness: every input cell is a copy of its variable and every output cell of the last
//! chunk row is (a copy of) the member's `out`; the first chunk row has no previous-row term,
//! so `out_c = b_c + Σᵢ W[c][i]·xᵢ` is exactly member `c`'s `Linear`.

use std::collections::HashMap;

use halo2_proofs::halo2curves::bn256::Fr;
use zkc_runtime::{Argument, Program};

use crate::field::fr;

/// A coefficient matrix gets its own gates only if this many blocks share it.
pub const MIN_REPEATS: usize = 8;
/// Fewest inputs for a block (shorter sums fit a chain row anyway).
pub const MIN_INPUTS: usize = 8;
/// Most outputs in one block (a larger group is split into consecutive blocks).
pub const MAX_OUTPUTS: usize = 16;

/// The coefficients and constants of a block's outputs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kind {
    /// `coeffs[c][i]`: coefficient of input `i` in output `c`.
    pub coeffs: Vec<Vec<i128>>,
    /// The constant of each output.
    pub constants: Vec<i128>,
}

impl Kind {
    /// Inputs.
    pub fn n(&self) -> usize {
        self.coeffs[0].len()
    }
    /// Outputs.
    pub fn m(&self) -> usize {
        self.coeffs.len()
    }
}

/// A group of `Linear` arguments over the same inputs.
#[derive(Clone, Debug)]
pub struct Block {
    /// The member arguments (output `c` is `args[c]`), in program order.
    pub args: Vec<u32>,
    /// Index into [`Blocks::kinds`].
    pub kind: usize,
}

/// The blocks of a program.
#[derive(Clone, Debug, Default)]
pub struct Blocks {
    /// Distinct coefficient matrices.
    pub kinds: Vec<Kind>,
    /// The blocks, in the program order of their first member.
    pub blocks: Vec<Block>,
    /// For each argument, the block it belongs to.
    pub member: Vec<Option<u32>>,
}

/// One gate: a chunk of a kind's inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockGate {
    /// `coeffs[c][j]` for the chunk's inputs `j` (advice columns `0..inputs`).
    pub coeffs: Vec<Vec<Fr>>,
    /// The outputs' constants (first chunk) or zero.
    pub constants: Vec<Fr>,
    /// Whether the previous row's outputs are added (every chunk but the first).
    pub prev: bool,
}

impl BlockGate {
    /// Inputs in the chunk.
    pub fn inputs(&self) -> usize {
        self.coeffs[0].len()
    }
    /// Outputs.
    pub fn m(&self) -> usize {
        self.coeffs.len()
    }
}

fn linear(arg: &Argument) -> Option<(&[(i128, zkc_runtime::Var)], i128)> {
    match arg {
        Argument::Linear { terms, constant, .. } => Some((terms, *constant)),
        _ => None,
    }
}

impl Blocks {
    /// The blocks of `program` (none unless its packing grants shared inputs).
    pub fn find(program: &Program) -> Blocks {
        let mut member = vec![None; program.arguments.len()];
        if !program.packing.shared_inputs {
            return Blocks {
                member,
                ..Blocks::default()
            };
        }
        let mut groups: HashMap<Vec<u32>, Vec<u32>> = HashMap::new();
        for (i, (arg, _)) in program.arguments.iter().enumerate() {
            if let Some((terms, _)) = linear(arg) {
                if terms.len() >= MIN_INPUTS {
                    let key: Vec<u32> = terms.iter().map(|(_, v)| v.0).collect();
                    groups.entry(key).or_default().push(i as u32);
                }
            }
        }
        let mut candidates: Vec<Vec<u32>> = groups
            .into_values()
            .filter(|g| g.len() >= 2)
            .flat_map(|g| g.chunks(MAX_OUTPUTS).map(<[u32]>::to_vec).collect::<Vec<_>>())
            .filter(|g| g.len() >= 2)
            .collect();
        candidates.sort_by_key(|g| g[0]);
        let kind_of = |g: &[u32]| -> Kind {
            let mut coeffs = Vec::with_capacity(g.len());
            let mut constants = Vec::with_capacity(g.len());
            for &a in g {
                let (terms, c0) = linear(&program.arguments[a as usize].0).expect("members are Linear");
                coeffs.push(terms.iter().map(|(c, _)| *c).collect());
                constants.push(c0);
            }
            Kind { coeffs, constants }
        };
        let mut counts: HashMap<Kind, usize> = HashMap::new();
        let kinds_of: Vec<Kind> = candidates.iter().map(|g| kind_of(g)).collect();
        for k in &kinds_of {
            *counts.entry(k.clone()).or_default() += 1;
        }
        let mut index: HashMap<Kind, usize> = HashMap::new();
        let mut kinds = Vec::new();
        let mut blocks = Vec::new();
        for (g, k) in candidates.into_iter().zip(kinds_of) {
            if counts[&k] < MIN_REPEATS {
                continue;
            }
            let kind = *index.entry(k.clone()).or_insert_with(|| {
                kinds.push(k);
                kinds.len() - 1
            });
            for &a in &g {
                member[a as usize] = Some(blocks.len() as u32);
            }
            blocks.push(Block { args: g, kind });
        }
        Blocks { kinds, blocks, member }
    }

    /// Whether there is any block.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Inputs per row for `kind` when the slot area is `area` columns wide (`None`: the
    /// outputs leave no room).
    pub fn per_row(&self, kind: usize, area: usize) -> Option<usize> {
        let m = self.kinds[kind].m();
        (area > m).then(|| area - m)
    }

    /// Rows of all blocks and the number of gates, for a slot area of `area` columns.
    pub fn rows_and_gates(&self, area: usize) -> Option<(u64, usize)> {
        let mut chunks = Vec::with_capacity(self.kinds.len());
        for (k, kind) in self.kinds.iter().enumerate() {
            chunks.push(kind.n().div_ceil(self.per_row(k, area)?));
        }
        let rows = self.blocks.iter().map(|b| chunks[b.kind] as u64).sum();
        Some((rows, chunks.iter().sum()))
    }

    /// The gates for a slot area of `area` columns, and the first gate of each kind (kind
    /// `k`'s chunk `j` is gate `first[k] + j`).
    pub fn gates(&self, area: usize) -> Option<(Vec<BlockGate>, Vec<usize>)> {
        let mut gates = Vec::new();
        let mut first = Vec::with_capacity(self.kinds.len());
        for (k, kind) in self.kinds.iter().enumerate() {
            let t = self.per_row(k, area)?;
            first.push(gates.len());
            for (j, start) in (0..kind.n()).step_by(t).enumerate() {
                let end = (start + t).min(kind.n());
                gates.push(BlockGate {
                    coeffs: kind
                        .coeffs
                        .iter()
                        .map(|row| row[start..end].iter().map(|&c| fr(c)).collect())
                        .collect(),
                    constants: kind
                        .constants
                        .iter()
                        .map(|&c| if j == 0 { fr(c) } else { Fr::zero() })
                        .collect(),
                    prev: j > 0,
                });
            }
        }
        Some((gates, first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkc_runtime::{Origin, Packing, Var};

    /// `reps` positions of a 2-output "convolution" over 8 inputs each, plus one odd Linear.
    fn program(reps: u32, shared: bool) -> Program {
        let mut args = Vec::new();
        let mut next = 0u32;
        for _ in 0..reps {
            let xs: Vec<Var> = (0..8).map(|i| Var(next + i)).collect();
            next += 8;
            for c in 0..2i128 {
                args.push(Argument::Linear {
                    out: Var(next),
                    terms: xs
                        .iter()
                        .enumerate()
                        .map(|(i, &v)| (c * 10 + i as i128 + 1, v))
                        .collect(),
                    constant: c,
                });
                next += 1;
            }
        }
        Program {
            num_vars: next,
            arguments: args.into_iter().map(|a| (a, Origin::default())).collect(),
            packing: Packing { shared_inputs: shared },
            ..Program::default()
        }
    }

    #[test]
    fn repeated_coefficients_form_blocks_only_when_granted() {
        let b = Blocks::find(&program(MIN_REPEATS as u32, true));
        assert_eq!(b.kinds.len(), 1);
        assert_eq!(b.blocks.len(), MIN_REPEATS);
        assert_eq!(b.blocks[0].args, vec![0, 1]);
        assert_eq!(b.kinds[0].constants, vec![0, 1]);
        assert!(Blocks::find(&program(MIN_REPEATS as u32, false)).is_empty());
        assert!(Blocks::find(&program(MIN_REPEATS as u32 - 1, true)).is_empty());
    }

    #[test]
    fn chunks_split_inputs_by_the_slot_area() {
        let b = Blocks::find(&program(MIN_REPEATS as u32, true));
        // 2 outputs, area 5: 3 inputs per row, 8 inputs -> 3 chunks.
        assert_eq!(b.rows_and_gates(5), Some((3 * MIN_REPEATS as u64, 3)));
        let (gates, first) = b.gates(5).unwrap();
        assert_eq!(first, vec![0]);
        assert_eq!(gates.iter().map(BlockGate::inputs).collect::<Vec<_>>(), vec![3, 3, 2]);
        assert!(!gates[0].prev && gates[1].prev && gates[2].prev);
        assert_eq!(gates[0].constants[1], fr(1));
        assert_eq!(gates[1].constants[1], Fr::zero());
        assert_eq!(gates[2].coeffs[1], vec![fr(17), fr(18)]);
        assert_eq!(b.rows_and_gates(2), None);
    }
}
