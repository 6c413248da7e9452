//! `Rescale`: `x + 2^(k-1) = 2^k·q + r`, `0 ≤ r < 2^k`, `-2^(q_bits-1) ≤ q < 2^(q_bits-1)`.
//! One slot-row `[r, (x), …, q]`: `F1 = x + 2^(k-1) - 2^k·q - r = 0`, with `x` taken in place
//! (`p1 = 1`) when the previous row of the slot ends with it (the usual case: a Linear chain
//! right before). `q` goes to the last cell so the next argument can take it in place.
//! `r` and `q` are range-checked in lanes (for `k = 0` the rounding term is 0 and `r = 0`).

use zkc_runtime::{BackendError, Var};

use crate::field::{fr, pow2};
use crate::plan::Packer;

pub(crate) fn place(p: &mut Packer<'_>, x: Var, q: Var, r: Var, k: u32, q_bits: u32) -> Result<(), BackendError> {
    let (x, q, r) = (p.var(x)?, p.var(q)?, p.var(r)?);
    let in_place = p.slot_ending_with(x);
    let (s, row) = p.slot_rows(in_place, 1)?;
    let sh = p.shape;
    let w = sh.width;
    p.place_var(r, sh.slot_col(s, 0), row);
    p.fix(sh.c1(s, 0), row, -fr(1));
    if in_place.is_some() {
        p.fix(sh.p1(s), row, fr(1));
    } else {
        p.place_var(x, sh.slot_col(s, 1), row);
        p.fix(sh.c1(s, 1), row, fr(1));
    }
    p.place_var(q, sh.slot_col(s, w - 1), row);
    p.fix(sh.c1(s, w - 1), row, -pow2(k));
    if k > 0 {
        p.fix(sh.k1(s), row, pow2(k - 1));
    }
    p.ends_with(s, q);
    p.range_check_var(r, k, false)?;
    p.range_check_var(q, q_bits, true)
}
