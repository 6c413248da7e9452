//! `Hash` ([`HashKind::PoseidonGoldilocks`] only): `digest = hash_no_pad(inputs)`, built by
//! plonky2's own `hash_n_to_hash_no_pad::<PoseidonHash>`: one Poseidon gate row per 8 inputs
//! (`⌈n/8⌉` rows, none for `n = 0`, whose digest is the constant zero), the four outputs
//! copy-constrained to the digest values. The gate's generator recomputes the permutation,
//! so a trace with another digest (or other inputs) conflicts at witness generation, and a
//! forged gate row breaks the gate's constraints.
//!
//! Digest values are canonical field elements in `[0, p)`, outside the signed 63-bit interval
//! of every other value: [`crate::circuit::trace_in_field`] and `verify` accept exactly
//! `[0, p)` for them, so each claimed digest element names one field element.

use zkc_runtime::{HashKind, Var};

use crate::plan::{HashReq, Plan};

/// Lowers `digest = Poseidon(inputs)`.
pub fn lower(plan: &mut Plan, inputs: &[Var], digest: [Var; 4], kind: HashKind) -> Result<(), String> {
    if kind != HashKind::PoseidonGoldilocks {
        return Err(format!(
            "plonky2 proves over Goldilocks and computes HashKind::PoseidonGoldilocks, but this hash is {kind:?}; \
             compile the model for plonky2 (or prove it with groth16)"
        ));
    }
    let req = HashReq {
        inputs: inputs.iter().map(|&v| plan.var(v)).collect(),
        digest: digest.map(|v| plan.var(v)),
        owner: plan.owner,
    };
    plan.hashes.push(req);
    Ok(())
}

/// Poseidon gate rows of a hash of `n` inputs (rate 8).
pub fn rows(n: usize) -> usize {
    n.div_ceil(8)
}
