//! A shared-input block ([`crate::blocks`]): the members' common inputs once across the slot
//! area, `per_row` to a row, and the `m` outputs in the area's last `m` columns; the output
//! cells of every row but the last hold partial sums, the last row's the outputs.

use zkc_runtime::{Argument, BackendError};

use crate::blocks::{Block, BlockGate, Blocks};
use crate::field::fr;
use crate::plan::{Packer, Src};

pub(crate) fn place(
    p: &mut Packer<'_>,
    blocks: &Blocks,
    block: &Block,
    gates: &[BlockGate],
    first_gate: usize,
) -> Result<(), BackendError> {
    let program = p.program;
    let (lead, origin) = &program.arguments[block.args[0] as usize];
    let Argument::Linear { terms, .. } = lead else {
        unreachable!("block members are Linear arguments")
    };
    let mut inputs = Vec::with_capacity(terms.len());
    for &(_, v) in terms {
        inputs.push(p.var(v)?);
    }
    let mut outs = Vec::with_capacity(block.args.len());
    for &a in &block.args {
        match &program.arguments[a as usize].0 {
            Argument::Linear { out, .. } => outs.push(p.var(*out)?),
            _ => unreachable!("block members are Linear arguments"),
        }
    }
    let sh = p.shape;
    let area = sh.area();
    let m = outs.len();
    let per_row = blocks.per_row(block.kind, area).expect("the gates fit the area");
    let nrows = inputs.len().div_ceil(per_row);
    p.arg = block.args[0];
    p.node = origin.node;
    let row0 = p.area_rows(nrows)?;
    for r in 0..nrows {
        let row = row0 + r;
        let start = r * per_row;
        let end = (start + per_row).min(inputs.len());
        debug_assert_eq!(gates[first_gate + r].inputs(), end - start);
        p.arg = block.args[0];
        for (j, &v) in inputs[start..end].iter().enumerate() {
            p.place_var(v, j, row);
        }
        p.fix(sh.block_sel(first_gate + r), row, fr(1));
        for (c, &out) in outs.iter().enumerate() {
            p.arg = block.args[c];
            let col = area - m + c;
            if r + 1 == nrows {
                p.place_var(out, col, row);
            } else {
                p.block_partials.push((block.args[c], end as u32));
                let id = (p.block_partials.len() - 1) as u32;
                p.set(col, row, Src::BlockPartial(id));
            }
        }
    }
    Ok(())
}
