//! `mock`: halo2's MockProver on the real circuit, with each failure mapped back to the
//! zkc argument (index, kind, IR node and ONNX name) through the plan's cell owners.

use halo2_proofs::dev::{FailureLocation, MockProver, VerifyFailure};
use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::plonk::Any;
use zkc_runtime::{Argument, BackendError, Program};

use crate::circuit::ZkcCircuit;
use crate::plan::{Plan, NONE};

fn row_of(loc: &FailureLocation) -> usize {
    match loc {
        FailureLocation::InRegion { offset, .. } => *offset,
        FailureLocation::OutsideRegion { row } => *row,
    }
}

/// A short description of an argument (Linear terms are summarized, not listed).
pub fn describe(arg: &Argument) -> String {
    match arg {
        Argument::Input { x, index } => format!("Input x=v{} index={index}", x.0),
        Argument::Linear { out, terms, constant } => {
            format!("Linear out=v{} ({} terms, c0={constant})", out.0, terms.len())
        }
        Argument::Mul { out, a, b } => format!("Mul out=v{} a=v{} b=v{}", out.0, a.0, b.0),
        Argument::Range { x, bits } => format!("Range x=v{} bits={bits}", x.0),
        Argument::Lookup { x, y, table } => format!("Lookup x=v{} y=v{} table={table}", x.0, y.0),
        Argument::Rescale { x, q, r, k, q_bits } => {
            format!("Rescale x=v{} q=v{} r=v{} k={k} q_bits={q_bits}", x.0, q.0, r.0)
        }
        Argument::Div { n, d, q, r, bits } => {
            format!("Div n=v{} d=v{} q=v{} r=v{} bits={bits}", n.0, d.0, q.0, r.0)
        }
        Argument::Max { out, a, b, bits } => match b {
            Some(b) => format!("Max out=v{} a=v{} b=v{} bits={bits}", out.0, a.0, b.0),
            None => format!("Max out=v{} a=v{} b=0 bits={bits}", out.0, a.0),
        },
        Argument::Public { x } => format!("Public x=v{}", x.0),
        Argument::Hash { inputs, digest, kind } => format!(
            "Hash {kind:?} ({} inputs) digest=[v{}, v{}, v{}, v{}]",
            inputs.len(),
            digest[0].0,
            digest[1].0,
            digest[2].0,
            digest[3].0
        ),
    }
}

/// The argument a failure belongs to, and what failed.
fn locate(plan: &Plan, f: &VerifyFailure) -> (u32, String) {
    let sh = plan.shape;
    let owner = |col: usize, row: usize| plan.owner.get(col).and_then(|c| c.get(row)).copied().unwrap_or(NONE);
    match f {
        VerifyFailure::ConstraintNotSatisfied {
            constraint, location, ..
        } => {
            let text = constraint.to_string();
            let row = row_of(location);
            let group = text
                .split("zkc:hash=")
                .nth(1)
                .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|s| s.parse::<usize>().ok());
            if let Some(g) = group {
                let arg = plan
                    .group_owner
                    .get(g)
                    .and_then(|o| o.get(row))
                    .copied()
                    .unwrap_or(NONE);
                let what = text.split('\'').nth(1).unwrap_or("gate").to_string();
                return (
                    arg,
                    format!("Poseidon gate {what} violated at row {row} of hash group {g}"),
                );
            }
            let slot = text
                .split("zkc:slot=")
                .nth(1)
                .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|s| s.parse::<usize>().ok());
            let which = if text.contains(":F2") {
                "product/second linear gate F2"
            } else {
                "linear gate F1"
            };
            let arg = slot
                .and_then(|s| plan.slot_owner.get(s))
                .and_then(|o| o.get(row))
                .copied()
                .unwrap_or(NONE);
            (arg, format!("{which} violated at row {row}"))
        }
        VerifyFailure::Lookup {
            lookup_index, location, ..
        } => {
            let row = row_of(location);
            if *lookup_index < sh.lanes {
                (
                    owner(sh.lane_col(*lookup_index), row),
                    format!("range check (lane {lookup_index}) failed at row {row}"),
                )
            } else {
                let p = lookup_index - sh.lanes;
                (
                    owner(sh.pair_col(p), row),
                    format!("table lookup (lane {p}) failed at row {row}"),
                )
            }
        }
        VerifyFailure::Permutation { column, location } => {
            let row = row_of(location);
            match column.column_type() {
                Any::Instance => (
                    plan.public_owner.get(row).copied().unwrap_or(NONE),
                    format!("public value {row} differs from its cell"),
                ),
                _ => (
                    owner(column.index(), row),
                    format!("copy constraint broken at column {} row {row}", column.index()),
                ),
            }
        }
        other => (NONE, other.to_string()),
    }
}

/// Runs the MockProver on `witness` and names the first violated argument.
pub fn run(program: &Program, k: u32, plan: &Plan, witness: &[Vec<Fr>], instance: Vec<Fr>) -> Result<(), BackendError> {
    let circuit = ZkcCircuit {
        plan,
        witness: Some(witness),
    };
    let prover = MockProver::run(k, &circuit, vec![instance])
        .map_err(|e| BackendError::Prover(format!("mock prover: {e:?}")))?;
    let failures = match prover.verify_par() {
        Ok(()) => return Ok(()),
        Err(f) => f,
    };
    let mut located: Vec<(u32, String)> = failures.iter().map(|f| locate(plan, f)).collect();
    located.sort_by_key(|(a, _)| *a);
    let (arg, what) = located[0].clone();
    let others = located.len() - 1;
    let more = if others > 0 {
        format!(" (and {others} more failure(s))")
    } else {
        String::new()
    };
    Err(BackendError::Unsatisfied(match program.arguments.get(arg as usize) {
        Some((a, origin)) => format!("argument #{arg} {} of {origin}: {what}{more}", describe(a),),
        None => format!("{what}{more}"),
    }))
}
