//! Poseidon over BN254 as halo2 gates: circomlib's permutation for t = 3 (α = 5, 8 full and
//! 57 partial rounds), the constants taken from [`zkc_runtime::poseidon`] (the definition of
//! `Argument::Hash`), so the circuit and the solver cannot drift apart.
//!
//! A *hash group* is [`ADVICE`] advice columns and [`FIXED`] fixed columns (selectors
//! `qF, qP2, qP1, qA` and constants `c0..c5`); the circuit has groups only when the program has
//! a Hash. Every gate has degree 3 (a selector times a quadratic), like the slot gates, so a
//! Hash never raises the degree of the constraint system: `x⁵` is split as `y = x²`,
//! `z = y²` in cells and `z·x` inside the next linear combination. With `xⱼ = sⱼ + cⱼ`
//! (`s` the row's state in cells 0..3, `s'` the next row's) and `M` the MDS matrix:
//!
//! - full round, row `[s0 s1 s2 y0 y1 y2 z0 z1 z2]`:
//!   `qF·(yⱼ − xⱼ²)`, `qF·(zⱼ − yⱼ²)`, `qF·(s'ᵢ − Σⱼ Mᵢⱼ·zⱼ·xⱼ)`;
//! - two partial rounds, row `[s0 s1 s2 y z t y' z']` (constants `c0..c2` then `c3..c5`):
//!   `y = x0²`, `z = y²`, `t = M₀·(z·x0, x1, x2)` (lane 0 after the first round),
//!   `y' = (t + c3)²`, `z' = y'²`, and `s' = M·(z'·(t + c3), u1 + c4, u2 + c5)` where
//!   `uᵢ = Mᵢ·(z·x0, x1, x2)` are lanes 1, 2 after the first round (expressions of degree 2,
//!   not cells); all multiplied by `qP2`;
//! - one partial round (57 is odd), row `[s0 s1 s2 y z]`: `y = x0²`, `z = y²`,
//!   `s' = M·(z·x0, x1, x2)`, times `qP1`;
//! - absorb, row `[o0 o1 o2 a b]` before a permutation's first round row, with the constant
//!   columns holding `(e, K, da, db)`: `qA·(s'0 − e·o0 − K)`, `qA·(s'1 − e·o1 − da·a)`,
//!   `qA·(s'2 − e·o2 − db·b)`. The first permutation of a sponge has `e = 0, K = n` (the
//!   state `[n, a, b]`), the next ones `e = 1, K = 0` (`o` is the previous output); an absent
//!   (padding) input has its coefficient 0.
//!
//! A permutation takes [`ROUND_ROWS`] round rows; its output lands in the row after them,
//! which is also the next permutation's absorb row when that one follows in the same group.

use std::sync::OnceLock;

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::PrimeField;
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Expression, Fixed};
use halo2_proofs::poly::Rotation;
use zkc_runtime::poseidon::{
    bn254_params, bn254_to_le_bytes, Bn254Params, BN254_FULL_ROUNDS, BN254_PARTIAL_ROUNDS, BN254_WIDTH,
};

/// State width.
pub const T: usize = BN254_WIDTH;
/// Advice columns of a hash group.
pub const ADVICE: usize = 9;
/// Fixed columns of a hash group.
pub const FIXED: usize = 10;
/// The advice columns of a group that take part in copy constraints: the state lanes (the
/// output `h`, and a permutation continued in another group) and the two absorbed inputs.
pub const EQUALITY: usize = 5;
/// Round rows of one permutation: one per full round, one per two partial rounds.
pub const ROUND_ROWS: usize = BN254_FULL_ROUNDS + BN254_PARTIAL_ROUNDS.div_ceil(2);
/// Rows of one permutation in a group: its absorb row and its round rows (the output row is
/// the next permutation's absorb row, or one more row after a sponge's last permutation).
pub const BLOCK_ROWS: usize = 1 + ROUND_ROWS;
/// Cells per permutation in [`sponge_cells`]: the round rows and the output row.
pub const BLOCK_CELLS: usize = (ROUND_ROWS + 1) * ADVICE;

/// Fixed column of selector `qF` (full round) within a group.
pub const QF: usize = 0;
/// Selector `qP2` (two partial rounds).
pub const QP2: usize = 1;
/// Selector `qP1` (one partial round).
pub const QP1: usize = 2;
/// Selector `qA` (absorb).
pub const QA: usize = 3;
/// First constant column `c0` (then `c1..c5`).
pub const C0: usize = 4;

/// Cells (columns) of the absorbed inputs in an absorb row.
pub const IN_A: usize = 3;
/// See [`IN_A`].
pub const IN_B: usize = 4;
/// The lane the sponge outputs (`h = state[1]`).
pub const OUT_LANE: usize = 1;

/// circomlib's constants as halo2 field elements.
#[derive(Debug)]
pub struct Constants {
    /// Round constants per round.
    pub ark: Vec<[Fr; T]>,
    /// The MDS matrix.
    pub mds: [[Fr; T]; T],
}

/// A round row of a permutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundRow {
    /// Full round `r`.
    Full(usize),
    /// Partial rounds `r` and `r + 1`.
    Partial2(usize),
    /// Partial round `r`.
    Partial1(usize),
}

fn to_fr(bytes: [u8; 32]) -> Fr {
    Option::from(Fr::from_repr(bytes)).expect("a canonical BN254 scalar")
}

/// The runtime's constants, converted through their canonical little-endian bytes.
pub fn constants() -> &'static Constants {
    static C: OnceLock<Constants> = OnceLock::new();
    C.get_or_init(|| {
        let p = bn254_params();
        let ark = p
            .ark
            .iter()
            .map(|r| [0, 1, 2].map(|i| to_fr(bn254_to_le_bytes(r[i]))))
            .collect();
        let mds = [0, 1, 2].map(|i| [0, 1, 2].map(|j| to_fr(bn254_to_le_bytes(p.mds[i][j]))));
        Constants { ark, mds }
    })
}

/// The round rows of a permutation, in order: the first half of the full rounds, the partial
/// rounds (a single one first when their count is odd, then pairs), the other full rounds.
pub fn schedule() -> Vec<RoundRow> {
    let half = BN254_FULL_ROUNDS / 2;
    let mut rows: Vec<RoundRow> = (0..half).map(RoundRow::Full).collect();
    let mut r = half;
    if BN254_PARTIAL_ROUNDS % 2 == 1 {
        rows.push(RoundRow::Partial1(r));
        r += 1;
    }
    while r < half + BN254_PARTIAL_ROUNDS {
        debug_assert!(!Bn254Params::is_full_round(r) && !Bn254Params::is_full_round(r + 1));
        rows.push(RoundRow::Partial2(r));
        r += 2;
    }
    rows.extend((r..r + half).map(RoundRow::Full));
    debug_assert_eq!(rows.len(), ROUND_ROWS);
    rows
}

impl RoundRow {
    /// The selector column and the constants `c0..c5` of this row.
    pub fn fixed(self) -> (usize, [Fr; 6]) {
        let c = constants();
        let z = Fr::zero();
        match self {
            RoundRow::Full(r) => (QF, [c.ark[r][0], c.ark[r][1], c.ark[r][2], z, z, z]),
            RoundRow::Partial1(r) => (QP1, [c.ark[r][0], c.ark[r][1], c.ark[r][2], z, z, z]),
            RoundRow::Partial2(r) => {
                let (a, b) = (c.ark[r], c.ark[r + 1]);
                (QP2, [a[0], a[1], a[2], b[0], b[1], b[2]])
            }
        }
    }

    /// The cells this row uses (its first `n` columns).
    pub fn width(self) -> usize {
        match self {
            RoundRow::Full(_) => 9,
            RoundRow::Partial2(_) => 8,
            RoundRow::Partial1(_) => 5,
        }
    }
}

fn mix(m: &[Fr; T], v: [Fr; T]) -> Fr {
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2]
}

/// The cells of one permutation of `state`: its round rows, then the output row (the
/// output state in cells 0..3).
pub fn permutation_cells(mut s: [Fr; T]) -> Vec<[Fr; ADVICE]> {
    let c = constants();
    let m = &c.mds;
    let mut rows = Vec::with_capacity(ROUND_ROWS + 1);
    for row in schedule() {
        let mut cells = [Fr::zero(); ADVICE];
        cells[..T].copy_from_slice(&s);
        match row {
            RoundRow::Full(r) => {
                let x = [0, 1, 2].map(|j| s[j] + c.ark[r][j]);
                let y = x.map(|x| x.square());
                let z = y.map(|y| y.square());
                cells[3..6].copy_from_slice(&y);
                cells[6..9].copy_from_slice(&z);
                let p = [0, 1, 2].map(|j| z[j] * x[j]);
                s = [0, 1, 2].map(|i| mix(&m[i], p));
            }
            RoundRow::Partial1(r) => {
                let x = [0, 1, 2].map(|j| s[j] + c.ark[r][j]);
                let y = x[0].square();
                let z = y.square();
                cells[3] = y;
                cells[4] = z;
                let v = [z * x[0], x[1], x[2]];
                s = [0, 1, 2].map(|i| mix(&m[i], v));
            }
            RoundRow::Partial2(r) => {
                let x = [0, 1, 2].map(|j| s[j] + c.ark[r][j]);
                let y = x[0].square();
                let z = y.square();
                let u = [0, 1, 2].map(|i| mix(&m[i], [z * x[0], x[1], x[2]]));
                let x2 = [0, 1, 2].map(|j| u[j] + c.ark[r + 1][j]);
                let y2 = x2[0].square();
                let z2 = y2.square();
                cells[3] = y;
                cells[4] = z;
                cells[5] = u[0];
                cells[6] = y2;
                cells[7] = z2;
                let v = [z2 * x2[0], x2[1], x2[2]];
                s = [0, 1, 2].map(|i| mix(&m[i], v));
            }
        }
        rows.push(cells);
    }
    let mut out = [Fr::zero(); ADVICE];
    out[..T].copy_from_slice(&s);
    rows.push(out);
    rows
}

/// Number of permutations of a sponge over `n` inputs.
pub fn permutations(n: usize) -> usize {
    n.div_ceil(2).max(1)
}

/// All cells of the sponge over `inputs` ([`BLOCK_CELLS`] per permutation, row-major):
/// state `[n, 0, 0]`, two inputs added into lanes 1 and 2 before each permutation.
pub fn sponge_cells(inputs: &[Fr]) -> Vec<Fr> {
    let n = inputs.len();
    let mut state = [Fr::from(n as u64), Fr::zero(), Fr::zero()];
    let mut out = Vec::with_capacity(permutations(n) * BLOCK_CELLS);
    for j in 0..permutations(n) {
        state[1] += inputs.get(2 * j).copied().unwrap_or(Fr::zero());
        state[2] += inputs.get(2 * j + 1).copied().unwrap_or(Fr::zero());
        let rows = permutation_cells(state);
        let last = rows[ROUND_ROWS];
        state.copy_from_slice(&last[..T]);
        for r in rows {
            out.extend_from_slice(&r);
        }
    }
    out
}

/// The sponge's output `h` (lane 1 of the last output row).
pub fn sponge_output(cells: &[Fr]) -> Fr {
    cells[cells.len() - ADVICE + OUT_LANE]
}

/// Adds the gates of hash group `g` over its advice columns `a` and fixed columns `f`.
pub fn configure(meta: &mut ConstraintSystem<Fr>, g: usize, a: &[Column<Advice>], f: &[Column<Fixed>]) {
    debug_assert!(a.len() == ADVICE && f.len() == FIXED);
    let m = constants().mds.map(|r| r.map(Expression::Constant));
    // Σⱼ Mᵢⱼ·vⱼ
    let mix = move |i: usize, v: &[Expression<Fr>; T]| {
        m[i][0].clone() * v[0].clone() + m[i][1].clone() * v[1].clone() + m[i][2].clone() * v[2].clone()
    };
    let name = |what: &str| format!("zkc:hash={g}:{what}");
    meta.create_gate(name("full"), |vc| {
        let q = vc.query_fixed(f[QF], Rotation::cur());
        let cell =
            |vc: &mut halo2_proofs::plonk::VirtualCells<'_, Fr>, j: usize| vc.query_advice(a[j], Rotation::cur());
        let s: [Expression<Fr>; T] = [0, 1, 2].map(|j| cell(vc, j));
        let y: [Expression<Fr>; T] = [0, 1, 2].map(|j| cell(vc, 3 + j));
        let z: [Expression<Fr>; T] = [0, 1, 2].map(|j| cell(vc, 6 + j));
        let next: [Expression<Fr>; T] = [0, 1, 2].map(|j| vc.query_advice(a[j], Rotation::next()));
        let c: [Expression<Fr>; T] = [0, 1, 2].map(|j| vc.query_fixed(f[C0 + j], Rotation::cur()));
        let x: [Expression<Fr>; T] = [0, 1, 2].map(|j| s[j].clone() + c[j].clone());
        let p: [Expression<Fr>; T] = [0, 1, 2].map(|j| z[j].clone() * x[j].clone());
        let mut out = Vec::new();
        for j in 0..T {
            out.push((
                name(&format!("full:y{j}")),
                q.clone() * (y[j].clone() - x[j].clone() * x[j].clone()),
            ));
            out.push((
                name(&format!("full:z{j}")),
                q.clone() * (z[j].clone() - y[j].clone() * y[j].clone()),
            ));
        }
        for (i, n) in next.iter().enumerate() {
            out.push((name(&format!("full:s{i}")), q.clone() * (n.clone() - mix(i, &p))));
        }
        out
    });
    meta.create_gate(name("partial2"), |vc| {
        let q = vc.query_fixed(f[QP2], Rotation::cur());
        let cell: Vec<Expression<Fr>> = (0..8).map(|j| vc.query_advice(a[j], Rotation::cur())).collect();
        let next: [Expression<Fr>; T] = [0, 1, 2].map(|j| vc.query_advice(a[j], Rotation::next()));
        let c: Vec<Expression<Fr>> = (0..6).map(|j| vc.query_fixed(f[C0 + j], Rotation::cur())).collect();
        let (y, z, t, y2, z2) = (&cell[3], &cell[4], &cell[5], &cell[6], &cell[7]);
        let x: [Expression<Fr>; T] = [0, 1, 2].map(|j| cell[j].clone() + c[j].clone());
        let v = [z.clone() * x[0].clone(), x[1].clone(), x[2].clone()];
        let x2 = [
            t.clone() + c[3].clone(),
            mix(1, &v) + c[4].clone(),
            mix(2, &v) + c[5].clone(),
        ];
        let v2 = [z2.clone() * x2[0].clone(), x2[1].clone(), x2[2].clone()];
        let mut out = vec![
            (
                name("partial2:y"),
                q.clone() * (y.clone() - x[0].clone() * x[0].clone()),
            ),
            (name("partial2:z"), q.clone() * (z.clone() - y.clone() * y.clone())),
            (name("partial2:t"), q.clone() * (t.clone() - mix(0, &v))),
            (
                name("partial2:y'"),
                q.clone() * (y2.clone() - x2[0].clone() * x2[0].clone()),
            ),
            (name("partial2:z'"), q.clone() * (z2.clone() - y2.clone() * y2.clone())),
        ];
        for (i, n) in next.iter().enumerate() {
            out.push((name(&format!("partial2:s{i}")), q.clone() * (n.clone() - mix(i, &v2))));
        }
        out
    });
    meta.create_gate(name("partial1"), |vc| {
        let q = vc.query_fixed(f[QP1], Rotation::cur());
        let cell: Vec<Expression<Fr>> = (0..5).map(|j| vc.query_advice(a[j], Rotation::cur())).collect();
        let next: [Expression<Fr>; T] = [0, 1, 2].map(|j| vc.query_advice(a[j], Rotation::next()));
        let c: Vec<Expression<Fr>> = (0..3).map(|j| vc.query_fixed(f[C0 + j], Rotation::cur())).collect();
        let (y, z) = (&cell[3], &cell[4]);
        let x: [Expression<Fr>; T] = [0, 1, 2].map(|j| cell[j].clone() + c[j].clone());
        let v = [z.clone() * x[0].clone(), x[1].clone(), x[2].clone()];
        let mut out = vec![
            (
                name("partial1:y"),
                q.clone() * (y.clone() - x[0].clone() * x[0].clone()),
            ),
            (name("partial1:z"), q.clone() * (z.clone() - y.clone() * y.clone())),
        ];
        for (i, n) in next.iter().enumerate() {
            out.push((name(&format!("partial1:s{i}")), q.clone() * (n.clone() - mix(i, &v))));
        }
        out
    });
    meta.create_gate(name("absorb"), |vc| {
        let q = vc.query_fixed(f[QA], Rotation::cur());
        let o: [Expression<Fr>; T] = [0, 1, 2].map(|j| vc.query_advice(a[j], Rotation::cur()));
        let input = [IN_A, IN_B].map(|j| vc.query_advice(a[j], Rotation::cur()));
        let next: [Expression<Fr>; T] = [0, 1, 2].map(|j| vc.query_advice(a[j], Rotation::next()));
        let [e, k, da, db] = [0, 1, 2, 3].map(|j| vc.query_fixed(f[C0 + j], Rotation::cur()));
        vec![
            (
                name("absorb:s0"),
                q.clone() * (next[0].clone() - e.clone() * o[0].clone() - k),
            ),
            (
                name("absorb:s1"),
                q.clone() * (next[1].clone() - e.clone() * o[1].clone() - da * input[0].clone()),
            ),
            (
                name("absorb:s2"),
                q * (next[2].clone() - e * o[2].clone() - db * input[1].clone()),
            ),
        ]
    });
}

/// `p - 1` (BN254's scalar modulus minus one) in four little-endian 64-bit limbs.
pub fn p_minus_one_limbs() -> [i128; 4] {
    let b = (-Fr::one()).to_repr();
    [0, 1, 2, 3].map(|i| u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().expect("8 bytes")) as i128)
}

/// The limbs `r` and borrows `b` of `(p - 1) - D` for the digest `D = Σ dᵢ·2^(64i)`:
/// `r₀ = q₀ − d₀ + 2^64·b₀`, `rᵢ = qᵢ − dᵢ − bᵢ₋₁ + 2^64·bᵢ` (`i = 1, 2`), `r₃ = q₃ − d₃ − b₂`
/// with `q = p - 1`. With every `dᵢ`, `rᵢ` in `[0, 2^64)` and `bᵢ ∈ {0, 1}` these integer
/// relations say `D ≤ p - 1`: the digest is `h`'s canonical value. `None` when a limb is so far
/// out of range that the arithmetic overflows (the range checks fail on the zero cells then).
pub fn below_p(d: [i128; 4]) -> Option<([i128; 4], [i128; 3])> {
    let q = p_minus_one_limbs();
    let mut r = [0i128; 4];
    let mut b = [0i128; 3];
    let mut borrow = 0i128;
    for i in 0..4 {
        let mut t = q[i].checked_sub(d[i])?.checked_sub(borrow)?;
        if i < 3 {
            b[i] = i128::from(t < 0);
            t = t.checked_add(b[i] << 64)?;
            borrow = b[i];
        }
        r[i] = t;
    }
    Some((r, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::fr;
    use zkc_runtime::poseidon::{hash, HashKind};

    fn limbs(h: Fr) -> [i128; 4] {
        let b = h.to_repr();
        [0, 1, 2, 3].map(|i| u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().unwrap()) as i128)
    }

    #[test]
    fn sponge_cells_give_the_runtimes_digest() {
        for values in [
            vec![],
            vec![1],
            vec![1, 2],
            vec![-5, 0, 7, 1 << 70, -3],
            vec![i128::MAX, i128::MIN, 3, 4, 5, 6],
        ] {
            let inputs: Vec<Fr> = values.iter().map(|&v| fr(v)).collect();
            let cells = sponge_cells(&inputs);
            assert_eq!(cells.len(), permutations(values.len()) * BLOCK_CELLS);
            assert_eq!(
                limbs(sponge_output(&cells)),
                hash(HashKind::PoseidonBn254, &values),
                "{values:?}"
            );
        }
    }

    #[test]
    fn below_p_accepts_canonical_digests_only() {
        let q = p_minus_one_limbs();
        let ok = |d: [i128; 4]| {
            below_p(d).is_some_and(|(r, b)| {
                r.iter().all(|&r| (0..1i128 << 64).contains(&r)) && b.iter().all(|&b| b == 0 || b == 1)
            })
        };
        assert!(ok(q));
        assert!(ok([0; 4]));
        assert!(ok(limbs(fr(-1))));
        let mut p = q;
        p[0] += 1; // p itself (its low limb is odd, so this does not carry)
        assert!(!ok(p));
        assert!(!ok([0, 0, 0, q[3] + 1]));
        assert!(ok([u64::MAX as i128, u64::MAX as i128, u64::MAX as i128, q[3] - 1]));
        assert!(below_p([i128::MIN, 0, 0, 0]).is_none());
    }

    /// The hash gates have the slot gates' degree 3, and the constraint system's degree (what
    /// sizes the quotient) is the same with and without hash groups.
    #[test]
    fn hash_gates_keep_the_degree() {
        use crate::plan::Shape;
        use halo2_proofs::plonk::ConstraintSystem;
        let degrees = |sh: Shape| {
            let mut cs = ConstraintSystem::<Fr>::default();
            crate::circuit::configure(&mut cs, sh);
            let gate = cs
                .gates()
                .iter()
                .flat_map(|g| g.polynomials())
                .map(|p| p.degree())
                .max()
                .unwrap_or(0);
            (gate, cs.degree())
        };
        for f2 in 0..=2 {
            let base = Shape {
                slots: 1,
                width: 5,
                lanes: 1,
                pairs: 0,
                limb_bits: 8,
                f2,
                hash_groups: 0,
            };
            let with = Shape { hash_groups: 2, ..base };
            assert_eq!(degrees(with).0, 3, "f2={f2}");
            assert_eq!(degrees(with).1, degrees(base).1, "f2={f2}");
        }
    }

    #[test]
    fn schedule_covers_every_round_once() {
        let mut rounds = Vec::new();
        for row in schedule() {
            match row {
                RoundRow::Full(r) => {
                    assert!(Bn254Params::is_full_round(r));
                    rounds.push(r);
                }
                RoundRow::Partial1(r) => {
                    assert!(!Bn254Params::is_full_round(r));
                    rounds.push(r);
                }
                RoundRow::Partial2(r) => {
                    assert!(!Bn254Params::is_full_round(r) && !Bn254Params::is_full_round(r + 1));
                    rounds.extend([r, r + 1]);
                }
            }
        }
        assert_eq!(
            rounds,
            (0..BN254_FULL_ROUNDS + BN254_PARTIAL_ROUNDS).collect::<Vec<_>>()
        );
        assert_eq!(constants().ark.len(), rounds.len());
    }
}
