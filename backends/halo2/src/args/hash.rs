//! `Hash` (PoseidonBn254): `digest = limbs(h)`, `h` the rate-2 sponge over the inputs.
//!
//! The permutations run in the hash groups ([`crate::poseidon`] has the gates): per
//! permutation an absorb row `[o, a, b]` and the round rows, whose output lands in the row
//! after them, which is the next permutation's absorb row. The inputs `a, b` are copies of
//! their variables; the first absorb pins the state to `[n, a, b]`. A permutation may continue
//! in another group (to balance the groups): its absorb row then copies `o` from the previous
//! output row.
//!
//! The digest, on five slot-rows:
//! `Σ dᵢ·2^(64i) − h = 0` (`h` copied from the last output row), and the borrow chain of
//! `(p − 1) − Σ dᵢ·2^(64i) = Σ rᵢ·2^(64i)` ([`crate::poseidon::below_p`]):
//! `[r₀, d₀, b₀]`: `q₀ − r₀ − d₀ + 2^64·b₀ = 0`, `[rᵢ, dᵢ, bᵢ₋₁, bᵢ]`:
//! `qᵢ − rᵢ − dᵢ − bᵢ₋₁ + 2^64·bᵢ = 0`, `[r₃, d₃, b₂]`: `q₃ − r₃ − d₃ − b₂ = 0`. Lanes check
//! every `dᵢ` and `rᵢ` on 64 unsigned bits and every `bᵢ` on one bit, so the digest is the
//! canonical value of `h` (a split of `h + k·p` is refused, as the runtime's checker does).

use zkc_runtime::{BackendError, HashKind, Var};

use crate::field::{fr, pow2};
use crate::plan::{Packer, Pos, Src, Val};
use crate::poseidon::{self, ADVICE, BLOCK_ROWS, C0, IN_A, IN_B, OUT_LANE, QA, ROUND_ROWS, T};

/// Slot-rows per Hash (the recombination and the four borrow-chain rows).
pub(crate) const SLOT_ROWS: usize = 5;

/// The range checks of a Hash: the four digest limbs and the four limbs of `(p − 1) − D` on
/// 64 unsigned bits, the three borrows on one bit.
pub(crate) const CHECKS: [(u32, bool); 11] = [
    (64, false),
    (64, false),
    (64, false),
    (64, false),
    (64, false),
    (64, false),
    (64, false),
    (64, false),
    (1, false),
    (1, false),
    (1, false),
];

fn pos(col: usize, row: usize) -> Pos {
    Pos {
        col: col as u32,
        row: row as u32,
    }
}

/// halo2 computes only the BN254 Poseidon (its field); another kind is refused up front.
pub(crate) fn check_kind(arg: usize, kind: HashKind) -> Result<(), BackendError> {
    match kind {
        HashKind::PoseidonBn254 => Ok(()),
        HashKind::PoseidonGoldilocks => Err(BackendError::DoesNotFit {
            backend: "halo2",
            reason: format!(
                "argument {arg} is a {kind:?} Hash; halo2 proves over BN254 and computes only PoseidonBn254 \
                 (compile the program for halo2 to hash with PoseidonBn254, or prove it with plonky2)"
            ),
        }),
    }
}

pub(crate) fn place(p: &mut Packer<'_>, inputs: &[Var], digest: &[Var; 4], kind: HashKind) -> Result<(), BackendError> {
    check_kind(p.arg as usize, kind)?;
    let mut ins = Vec::with_capacity(inputs.len());
    for &v in inputs {
        ins.push(p.var(v)?);
    }
    let mut d = [0u32; 4];
    for (di, &v) in d.iter_mut().zip(digest) {
        *di = p.var(v)?;
    }
    if p.shape.hash_groups == 0 {
        return Err(BackendError::DoesNotFit {
            backend: "halo2",
            reason: "Hash without hash groups (layout bug)".into(),
        });
    }
    let h = p.hashes.len() as u32;
    p.hashes.push(p.arg);
    let sh = p.shape;
    let n = ins.len();
    let schedule = poseidon::schedule();
    let cell =
        |block: usize, row: usize, col: usize| Src::Sponge(h, ((block * (ROUND_ROWS + 1) + row) * ADVICE + col) as u32);
    // The group and row of the previous permutation's output.
    let mut prev: Option<(usize, usize)> = None;
    for j in 0..poseidon::permutations(n) {
        let least = (0..sh.hash_groups)
            .min_by_key(|&g| p.group_next[g])
            .expect("at least one group");
        // Continue in the previous group unless it is a permutation ahead of the least filled one.
        let (g, absorb, fresh) = match prev {
            Some((pg, prow))
                if p.group_pending[pg] == Some(prow) && p.group_next[pg] <= p.group_next[least] + BLOCK_ROWS =>
            {
                (pg, prow, false)
            }
            _ => match p.group_pending[least] {
                // A first permutation ignores `o`, so it can absorb on any output row.
                Some(r) if j == 0 => (least, r, false),
                _ => (least, p.group_rows(least, 1)?, true),
            },
        };
        if !fresh {
            p.group_pending[g] = None;
            p.group_owner[g][absorb] = p.arg;
        }
        if let (Some((pg, prow)), true) = (prev, fresh) {
            // Continued in another group: `o` is a copy of the previous output.
            for lane in 0..T {
                let col = sh.hash_col(g, lane);
                p.set(col, absorb, cell(j - 1, ROUND_ROWS, lane));
                p.copy(pos(sh.hash_col(pg, lane), prow), pos(col, absorb));
            }
        }
        let (a, b) = (ins.get(2 * j).copied(), ins.get(2 * j + 1).copied());
        for (v, col) in [(a, IN_A), (b, IN_B)] {
            if let Some(v) = v {
                p.place_var(v, sh.hash_col(g, col), absorb);
            }
        }
        let one = fr(1);
        let zero = fr(0);
        p.fix(sh.hash_fixed(g, QA), absorb, one);
        let (e, k) = if j == 0 { (zero, fr(n as i128)) } else { (one, zero) };
        let da = if a.is_some() { one } else { zero };
        let db = if b.is_some() { one } else { zero };
        for (i, c) in [e, k, da, db].into_iter().enumerate() {
            p.fix(sh.hash_fixed(g, C0 + i), absorb, c);
        }
        // The round rows, then the output row.
        let first = p.group_rows(g, ROUND_ROWS)?;
        debug_assert_eq!(first, absorb + 1);
        for (i, row) in schedule.iter().enumerate() {
            let r = first + i;
            for col in 0..row.width() {
                p.set(sh.hash_col(g, col), r, cell(j, i, col));
            }
            let (sel, c) = row.fixed();
            p.fix(sh.hash_fixed(g, sel), r, one);
            for (i, c) in c.into_iter().enumerate() {
                p.fix(sh.hash_fixed(g, C0 + i), r, c);
            }
        }
        let out = p.group_rows(g, 1)?;
        for lane in 0..T {
            p.set(sh.hash_col(g, lane), out, cell(j, ROUND_ROWS, lane));
        }
        p.group_pending[g] = Some(out);
        prev = Some((g, out));
    }
    let (g, out) = prev.expect("at least one permutation");
    let last = poseidon::permutations(n) - 1;

    // The digest: recombination and the borrow chain below p.
    let (s, row) = p.slot_rows(None, SLOT_ROWS)?;
    let col = |j: usize| sh.slot_col(s, j);
    for (i, &di) in d.iter().enumerate() {
        p.place_var(di, col(i), row);
        p.fix(sh.c1(s, i), row, pow2(64 * i as u32));
    }
    p.set(col(4), row, cell(last, ROUND_ROWS, OUT_LANE));
    p.copy(pos(sh.hash_col(g, OUT_LANE), out), pos(col(4), row));
    p.fix(sh.c1(s, 4), row, -fr(1));
    let q = poseidon::p_minus_one_limbs();
    let limb = |p: &mut Packer<'_>, i: usize, borrow: bool| {
        p.val(Val::BelowP {
            digest: d,
            limb: i as u8,
            borrow,
        })
    };
    let mut prev_borrow: Option<(u32, Pos)> = None;
    for i in 0..4 {
        let r = row + 1 + i;
        let ri = limb(p, i, false);
        p.set(col(0), r, Src::Val(ri));
        p.fix(sh.c1(s, 0), r, -fr(1));
        p.place_var(d[i], col(1), r);
        p.fix(sh.c1(s, 1), r, -fr(1));
        p.fix(sh.k1(s), r, fr(q[i]));
        let mut next = 2;
        if let Some((bv, at)) = prev_borrow {
            p.set(col(2), r, Src::Val(bv));
            p.copy(at, pos(col(2), r));
            p.fix(sh.c1(s, 2), r, -fr(1));
            next = 3;
        }
        p.range_check(Some(pos(col(0), r)), ri, 64, false)?;
        if i < 3 {
            let bi = limb(p, i, true);
            p.set(col(next), r, Src::Val(bi));
            p.fix(sh.c1(s, next), r, pow2(64));
            let at = pos(col(next), r);
            p.range_check(Some(at), bi, 1, false)?;
            prev_borrow = Some((bi, at));
        }
    }
    for &di in &d {
        p.range_check_var(di, 64, false)?;
    }
    Ok(())
}
