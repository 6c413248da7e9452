//! Layout ops cost nothing in a circuit: they only re-arrange variables. Constant inputs
//! and constant padding become fixed variables.

use zkc_ir::ops::{concat, gather, pad, slice, transpose, PadMode};
use zkc_ir::{Op, Tensor};

use super::{Builder, Operand, QTensor, R};

pub(super) fn lower(b: &mut Builder, op: &Op, ins: &[Operand], out_shape: &[usize]) -> R<QTensor> {
    let mut qs: Vec<QTensor> = Vec::new();
    // Gather's indices must be constants; every other operand becomes variables.
    for (i, o) in ins.iter().enumerate() {
        match o {
            Operand::Var(t) => qs.push((*t).clone()),
            Operand::Const(t) if matches!(op, Op::Gather { .. }) && i == 1 => qs.push(QTensor {
                shape: t.shape.clone(),
                vars: vec![],
                bound: 0,
            }),
            Operand::Const(t) | Operand::Param(t, _) => qs.push(b.const_tensor(t)),
        }
    }
    let x = &qs[0];
    let pick = |offs: Vec<usize>| offs.into_iter().map(|o| x.vars[o]).collect::<Vec<_>>();
    let vars = match op {
        Op::Reshape { .. } => x.vars.clone(),
        Op::Transpose { perm } => pick(transpose::source_offsets(perm, &x.shape, out_shape)),
        Op::Slice { ranges } => pick(slice::source_offsets(ranges, &x.shape, out_shape)),
        Op::Concat { axis } => {
            let shapes: Vec<&[usize]> = qs.iter().map(|q| q.shape.as_slice()).collect();
            let bound = qs.iter().map(|q| q.bound).max().unwrap_or(0);
            let vars = concat::sources(*axis, &shapes, out_shape)
                .into_iter()
                .map(|(i, o)| qs[i].vars[o])
                .collect();
            return Ok(QTensor {
                shape: out_shape.to_vec(),
                vars,
                bound,
            });
        }
        Op::Gather { axis } => {
            let Operand::Const(idx) = &ins[1] else {
                return Err("Gather with indices computed at run time (e.g. an Embedding on a model input) is not supported in circuits; the indices must be constants".into());
            };
            let dim = x.shape[*axis];
            let resolved = idx
                .data
                .iter()
                .map(|&v| gather::resolve_index(v, dim))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            pick(gather::source_offsets(*axis, &x.shape, &resolved))
        }
        Op::Pad { pads, mode } => {
            // Pad an index tensor, then map each output to its source (or the fill constant).
            let idx = Tensor::new(x.shape.clone(), (0..x.vars.len()).map(|i| i as f64).collect());
            let m = match mode {
                PadMode::Constant(_) => PadMode::Constant(-1.0),
                other => other.clone(),
            };
            let padded = pad::eval(pads, &m, &idx, out_shape);
            let fill = match mode {
                PadMode::Constant(v) => Some(b.constant((v * (1i128 << b.scale) as f64).round() as i128)),
                _ => None,
            };
            let mut bound = x.bound;
            if let PadMode::Constant(v) = mode {
                bound = bound.max((v.abs() * (1i128 << b.scale) as f64).round() as i128);
            }
            let vars = padded
                .data
                .iter()
                .map(|&i| {
                    if i < 0.0 {
                        fill.expect("constant mode")
                    } else {
                        x.vars[i as usize]
                    }
                })
                .collect();
            return Ok(QTensor {
                shape: out_shape.to_vec(),
                vars,
                bound,
            });
        }
        _ => return Err(format!("{} is not a layout op", op.name())),
    };
    Ok(QTensor {
        shape: out_shape.to_vec(),
        vars,
        bound: x.bound,
    })
}
