//! `Lookup`: `y = table[x]` with plonky2's lookup argument (logUp over a table of `u16`
//! pairs). The table becomes the pairs `(x - lo, y - min)`; the circuit derives
//! `x' = x - lo` and `y' = y - min` by weighted sums and looks `(x', y')` up. Membership of
//! `x'` in `0 .. len` is exactly `x` in the table's domain. A table whose domain or output
//! spread exceeds 2^16 does not fit this backend.

use plonky2::field::types::Field;
use std::collections::BTreeMap;

use zkc_runtime::{Program, Var};

use crate::field::F;
use crate::plan::{constant, Lin, LookupReq, Lut, Plan};

/// Lowers the lookup.
pub fn lower(
    plan: &mut Plan,
    program: &Program,
    lut_of_table: &mut BTreeMap<usize, usize>,
    x: Var,
    y: Var,
    table: usize,
) -> Result<(), String> {
    let lut = match lut_of_table.get(&table) {
        Some(&l) => l,
        None => {
            let t = program
                .tables
                .get(table)
                .ok_or_else(|| format!("table {table} does not exist (malformed program)"))?;
            if t.values.is_empty() {
                return Err(format!("table `{}` is empty", t.name));
            }
            if t.values.len() > 1 << 16 {
                return Err(format!(
                    "table `{}` has {} entries but plonky2 lookups take 16-bit inputs (at most 65536); narrow the input range of this node",
                    t.name,
                    t.values.len()
                ));
            }
            constant(t.lo, &format!("table `{}` starts at", t.name))?;
            for &v in &t.values {
                constant(v, &format!("table `{}` holds the value", t.name))?;
            }
            let min = *t.values.iter().min().expect("non-empty");
            let max = *t.values.iter().max().expect("non-empty");
            if max - min >= 1 << 16 {
                return Err(format!(
                    "table `{}` outputs span [{min}, {max}] but plonky2 lookups take 16-bit outputs (a spread below 65536); lower the output scale of this node",
                    t.name
                ));
            }
            let pairs = t
                .values
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as u16, (v - min) as u16))
                .collect();
            plan.luts.push(Lut {
                table,
                pairs,
                lo: t.lo,
                min,
            });
            lut_of_table.insert(table, plan.luts.len() - 1);
            plan.luts.len() - 1
        }
    };
    let (lo, min) = (plan.luts[lut].lo, plan.luts[lut].min);
    let shifted = |plan: &mut Plan, v: Var, by: i128| {
        let v = plan.var(v);
        if by == 0 {
            v
        } else {
            plan.derived(Lin {
                constant: -crate::field::to_field(by),
                terms: vec![(F::ONE, v)],
            })
        }
    };
    let xs = shifted(plan, x, lo);
    let ys = shifted(plan, y, min);
    let owner = plan.owner;
    plan.lookups.push(LookupReq {
        x: xs,
        y: ys,
        lut,
        owner,
    });
    Ok(())
}
