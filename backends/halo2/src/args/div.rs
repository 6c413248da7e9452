//! `Div`: `n = q·d + r`, `0 ≤ r < d`, `0 ≤ d - 1 - r < 2^bits`, `0 ≤ r < 2^bits`,
//! `-2^(bits-1) ≤ q < 2^(bits-1)`. One slot-row `[q, d, r, n, e]` with `e = d - 1 - r`:
//! `F2 = q·d + r - n = 0`, `F1 = e - d + r + 1 = 0`; lanes check `r` and `e` unsigned and `q`
//! signed on `bits` bits (`e ≥ 0` is `r < d`, and with `r ≥ 0` it forces `d ≥ 1`).

use zkc_runtime::{BackendError, Var};

use crate::field::fr;
use crate::plan::{Packer, Pos, Src, Val};

pub(crate) fn place(p: &mut Packer<'_>, n: Var, d: Var, q: Var, r: Var, bits: u32) -> Result<(), BackendError> {
    let (n, d, q, r) = (p.var(n)?, p.var(d)?, p.var(q)?, p.var(r)?);
    let (s, row) = p.slot_rows(None, 1)?;
    let sh = p.shape;
    p.place_var(q, sh.slot_col(s, 0), row);
    p.place_var(d, sh.slot_col(s, 1), row);
    p.place_var(r, sh.slot_col(s, 2), row);
    p.place_var(n, sh.slot_col(s, 3), row);
    let e = p.val(Val::Diff {
        a: d,
        b: Some(r),
        c: -1,
    });
    p.set(sh.slot_col(s, 4), row, Src::Val(e));
    // F2: q·d + r - n = 0
    p.fix(sh.m(s), row, fr(1));
    p.fix(sh.c2(s, 2), row, fr(1));
    p.fix(sh.c2(s, 3), row, -fr(1));
    // F1: e - d + r + 1 = 0
    p.fix(sh.c1(s, 4), row, fr(1));
    p.fix(sh.c1(s, 1), row, -fr(1));
    p.fix(sh.c1(s, 2), row, fr(1));
    p.fix(sh.k1(s), row, fr(1));
    let e_at = Pos {
        col: sh.slot_col(s, 4) as u32,
        row: row as u32,
    };
    p.range_check_var(r, bits, false)?;
    p.range_check(Some(e_at), e, bits, false)?;
    p.range_check_var(q, bits, true)
}
