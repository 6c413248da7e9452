//! `widened_relus`: a relu (`Max` with no second operand) of a value whose own range is
//! already proven on `n` signed bits (a `Rescale` quotient on `q_bits = n`, or a `Range` on
//! `n`) gets `bits = n - 1 → n` when its width was one short of that.
//!
//! Why: the lowering gives a relu `bits = signed_bits(bound) - 1`, which is exactly enough
//! for every honest `a`, but a decomposition on `n` signed bits also admits `a = -2^(n-1)`,
//! for which `0 - a = 2^(n-1)` does not fit in `n - 1` bits. In R1CS a relu of a decomposed
//! value is one constraint (`out = sign·a`) when every decomposable `a` is in range, and
//! needs a second one (an inverse proving `a ≠ -2^(n-1)`) otherwise; halo2 and plonky2
//! may pay for the extra bit instead, so the backend's cost decides.
//!
//! Soundness: `Max { out, a, bits }` states `(out - a)·out = 0`, `0 ≤ out - a < 2^bits`,
//! `0 ≤ out < 2^bits`, which for any `bits` below the field's width has the single
//! solution `out = max(a, 0)`; a wider `bits` only admits more `a`, never another `out`.
//! Every honest witness is unchanged (`|a| < 2^(n-1)` fits either width).

use std::collections::HashMap;

use zkc_runtime::{Argument, Program, Var};

/// The step: the program with those relus widened, and how many there were.
pub fn widened_relus(p: &Program) -> (Program, usize) {
    let mut proven: HashMap<Var, u32> = HashMap::new();
    for (a, _) in &p.arguments {
        match a {
            Argument::Rescale { q, q_bits, .. } => {
                proven.insert(*q, *q_bits);
            }
            Argument::Range { x, bits } => {
                proven.insert(*x, *bits);
            }
            _ => {}
        }
    }
    let mut out = p.clone();
    let mut sites = 0;
    for (a, _) in &mut out.arguments {
        if let Argument::Max { a, b: None, bits, .. } = a {
            if proven.get(a) == Some(&(*bits + 1)) {
                *bits += 1;
                sites += 1;
            }
        }
    }
    (out, sites)
}

#[cfg(test)]
mod tests {
    use zkc_runtime::{Argument, Origin, Program, TensorVars, Var};

    use super::widened_relus;

    /// `y = relu(round(x / 4))` with the quotient on `q_bits` signed bits and the relu on
    /// `relu_bits`.
    fn program(q_bits: u32, relu_bits: u32) -> Program {
        let (x, q, r, y) = (Var(0), Var(1), Var(2), Var(3));
        let args = vec![
            Argument::Input { x, index: 0 },
            Argument::Rescale { x, q, r, k: 2, q_bits },
            Argument::Max {
                out: y,
                a: q,
                b: None,
                bits: relu_bits,
            },
            Argument::Public { x: y },
        ];
        Program {
            num_vars: 4,
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
                vars: vec![y],
            }],
            packing: Default::default(),
        }
    }

    fn relu_bits(p: &Program) -> u32 {
        p.arguments
            .iter()
            .find_map(|(a, _)| match a {
                Argument::Max { bits, .. } => Some(*bits),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn a_relu_one_bit_short_of_its_input_decomposition_is_widened() {
        let (p, sites) = widened_relus(&program(8, 7));
        assert_eq!(sites, 1);
        assert_eq!(relu_bits(&p), 8);
        // Outputs unchanged, on both signs and at the ends of the honest range.
        for x in [-508, -3, 0, 5, 506] {
            let before = zkc_runtime::solver::solve(&program(8, 7), &[x]).unwrap();
            let after = zkc_runtime::solver::solve(&p, &[x]).unwrap();
            zkc_runtime::checker::check(&p, &after).unwrap();
            assert_eq!(after.public_values(&p), before.public_values(&program(8, 7)), "x = {x}");
            assert_eq!(after.public_values(&p), vec![((x + 2) >> 2).max(0)], "x = {x}");
        }
    }

    #[test]
    fn relus_already_wide_enough_or_of_undecomposed_values_are_left_alone() {
        assert_eq!(widened_relus(&program(8, 8)).1, 0);
        assert_eq!(widened_relus(&program(9, 7)).1, 0);
        let mut p = program(8, 7);
        // The relu reads the input, which has no range of its own.
        if let Argument::Max { a, .. } = &mut p.arguments[2].0 {
            *a = Var(0);
        }
        assert_eq!(widened_relus(&p).1, 0);
    }
}
