//! `Linear`: `out = Σ cᵢ·xᵢ + c₀` as a chain down one slot. Row `r` holds up to `w-1` terms
//! and the running sum `accᵣ` in its last cell:
//! `F1 = Σⱼ cⱼ·xⱼ + p1·acc_{r-1} + k1 - accᵣ = 0` with `p1 = 1` on continuation rows and
//! `k1 = c₀` on the first row. The last running sum is `out` itself. When the previous row of
//! the slot ends with one of the terms (say a Rescale's quotient), that term is taken in place
//! through `p1 = cᵢ` instead of a copied cell.

use zkc_runtime::{BackendError, Var};

use crate::field::fr;
use crate::plan::{Packer, Partial, Src};

pub(crate) fn place(p: &mut Packer<'_>, out: Var, terms: &[(i128, Var)], constant: i128) -> Result<(), BackendError> {
    let out = p.var(out)?;
    let mut vars = Vec::with_capacity(terms.len());
    for &(_, v) in terms {
        vars.push(p.var(v)?);
    }
    let in_place = vars
        .iter()
        .enumerate()
        .find_map(|(i, &v)| p.slot_ending_with(v).map(|s| (s, i)));
    let rest: Vec<usize> = (0..terms.len()).filter(|&i| Some(i) != in_place.map(|x| x.1)).collect();
    let sh = p.shape;
    let w = sh.width;
    let per = w - 1;
    let nrows = rest.len().div_ceil(per).max(1);
    let (s, row0) = p.slot_rows(in_place.map(|x| x.0), nrows)?;
    let skip = in_place.map(|x| x.1 as u32);
    let mut prev: Option<u32> = None;
    for r in 0..nrows {
        let row = row0 + r;
        let chunk = &rest[(r * per).min(rest.len())..((r + 1) * per).min(rest.len())];
        for (j, &ti) in chunk.iter().enumerate() {
            p.place_var(vars[ti], sh.slot_col(s, j), row);
            p.fix(sh.c1(s, j), row, fr(terms[ti].0));
        }
        p.fix(sh.c1(s, w - 1), row, -fr(1));
        if r == 0 {
            p.fix(sh.k1(s), row, fr(constant));
            if let Some((_, ti)) = in_place {
                p.fix(sh.p1(s), row, fr(terms[ti].0));
            }
        } else {
            p.fix(sh.p1(s), row, fr(1));
        }
        if r + 1 == nrows {
            p.place_var(out, sh.slot_col(s, w - 1), row);
        } else {
            let (start, end) = match (chunk.first(), chunk.last()) {
                (Some(&a), Some(&b)) => (a as u32, b as u32 + 1),
                _ => (0, 0),
            };
            p.partials.push(Partial {
                prev,
                arg: p.arg,
                start,
                end,
                skip,
                first: r == 0,
            });
            let id = (p.partials.len() - 1) as u32;
            p.set(sh.slot_col(s, w - 1), row, Src::Partial(id));
            prev = Some(id);
        }
    }
    p.ends_with(s, out);
    Ok(())
}
