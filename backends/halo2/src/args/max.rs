//! `Max`: `out = max(a, b)` (`b = 0` when absent):
//! `(out - a)·(out - b) = 0`, `0 ≤ out - a < 2^bits`, `0 ≤ out - b < 2^bits`.
//!
//! Relu (`b` absent), one slot-row `[out, d, (a)]` with `d = out - a`:
//! `F1 = d - out + a = 0`, `F2 = out·d = 0`; lanes check `out` and `d` on `bits` unsigned bits.
//! `a` is taken in place (`p1 = 1`) when the previous row of the slot ends with it.
//!
//! Two operands, two slot-rows: `[d1, d2, out, (a)]` with `F1 = d1 - out + a = 0` and
//! `F2 = d1·d2 = 0`, then `[d2, out, b]` with `F1 = d2 - out + b = 0`; lanes check `d1`, `d2`.

use zkc_runtime::{BackendError, Var};

use crate::field::fr;
use crate::plan::{Packer, Pos, Src, Val};

pub(crate) fn place(p: &mut Packer<'_>, out: Var, a: Var, b: Option<Var>, bits: u32) -> Result<(), BackendError> {
    let (out, a) = (p.var(out)?, p.var(a)?);
    let sh = p.shape;
    let pos = |s: usize, j: usize, row: usize| Pos {
        col: sh.slot_col(s, j) as u32,
        row: row as u32,
    };
    match b {
        None => {
            let in_place = p.slot_ending_with(a);
            let (s, row) = p.slot_rows(in_place, 1)?;
            p.place_var(out, sh.slot_col(s, 0), row);
            let d = p.val(Val::Diff {
                a: out,
                b: Some(a),
                c: 0,
            });
            p.set(sh.slot_col(s, 1), row, Src::Val(d));
            p.fix(sh.c1(s, 0), row, -fr(1));
            p.fix(sh.c1(s, 1), row, fr(1));
            if in_place.is_some() {
                p.fix(sh.p1(s), row, fr(1));
            } else {
                p.place_var(a, sh.slot_col(s, 2), row);
                p.fix(sh.c1(s, 2), row, fr(1));
            }
            p.fix(sh.m(s), row, fr(1));
            p.range_check_var(out, bits, false)?;
            p.range_check(Some(pos(s, 1, row)), d, bits, false)
        }
        Some(b) => {
            let b = p.var(b)?;
            let in_place = p.slot_ending_with(a);
            let (s, row) = p.slot_rows(in_place, 2)?;
            let d1 = p.val(Val::Diff {
                a: out,
                b: Some(a),
                c: 0,
            });
            let d2 = p.val(Val::Diff {
                a: out,
                b: Some(b),
                c: 0,
            });
            // Row 1: d1 - out + a = 0 and d1·d2 = 0.
            p.set(sh.slot_col(s, 0), row, Src::Val(d1));
            p.set(sh.slot_col(s, 1), row, Src::Val(d2));
            p.place_var(out, sh.slot_col(s, 2), row);
            p.fix(sh.c1(s, 0), row, fr(1));
            p.fix(sh.c1(s, 2), row, -fr(1));
            if in_place.is_some() {
                p.fix(sh.p1(s), row, fr(1));
            } else {
                p.place_var(a, sh.slot_col(s, 3), row);
                p.fix(sh.c1(s, 3), row, fr(1));
            }
            p.fix(sh.m(s), row, fr(1));
            // Row 2: d2 - out + b = 0.
            let r2 = row + 1;
            p.set(sh.slot_col(s, 0), r2, Src::Val(d2));
            p.copy(pos(s, 1, row), pos(s, 0, r2));
            p.place_var(out, sh.slot_col(s, 1), r2);
            p.place_var(b, sh.slot_col(s, 2), r2);
            p.fix(sh.c1(s, 0), r2, fr(1));
            p.fix(sh.c1(s, 1), r2, -fr(1));
            p.fix(sh.c1(s, 2), r2, fr(1));
            p.range_check(Some(pos(s, 0, row)), d1, bits, false)?;
            p.range_check(Some(pos(s, 1, row)), d2, bits, false)
        }
    }
}
