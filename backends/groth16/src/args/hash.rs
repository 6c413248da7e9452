//! `Hash` ([`HashKind::PoseidonBn254`] only): `digest = Poseidon(inputs)` with circomlib's
//! t = 3 permutation in the sponge of `zkc_runtime::poseidon::bn254_sponge`.
//!
//! The state is three linear combinations. A round adds its constants and multiplies by the
//! MDS matrix inside those combinations (free); each S-box `y = x^5` is 3 constraints,
//! `x·x = x2`, `x2·x2 = x4`, `x4·x = y`, with `y` a new witness. A permutation has 8 full
//! rounds (3 S-boxes) and 57 partial ones (1 S-box): 81 S-boxes, 243 constraints. Absorbing
//! adds the inputs' combinations into lanes 1 and 2 (free).
//!
//! The digest limbs get no witness cells of their own: each is the combination of its 64
//! boolean witnesses, and one linear constraint ties `Σ limbᵢ·2^(64i)` to lane 1. So a Hash of
//! `n` inputs costs `243·max(1, ⌈n/2⌉) + 257` constraints. The field equation also holds for
//! the limbs of `h + k·p` (an integer below 2^256); such limbs never equal the canonical digest
//! a verifier expects, so published limbs still bind `h`. `mock` names a non-canonical split
//! (the checker rejects it) and `prove` refuses it.

use ark_bn254::Fr;
use ark_ff::{AdditiveGroup, Field, One};
use zkc_runtime::poseidon::{bn254_params, Bn254Params, BN254_WIDTH};
use zkc_runtime::{BackendError, HashKind, Var};

use crate::r1cs::{combine, Builder, Lc, ONE};

/// Constraints of one permutation: 81 S-boxes of 3.
const PERMUTATION_CONSTRAINTS: usize = 3 * (8 * BN254_WIDTH + 57);

/// Constraints for the digest: 4·64 limb bits and the recombination.
const DIGEST_CONSTRAINTS: usize = 4 * 64 + 1;

/// The constraints of a Hash of `n` inputs: `243·max(1, ⌈n/2⌉) + 257`.
pub fn constraints(n: usize) -> usize {
    PERMUTATION_CONSTRAINTS * n.div_ceil(2).max(1) + DIGEST_CONSTRAINTS
}

fn eval(lc: &Lc, z: &[Fr]) -> Fr {
    lc.iter().map(|&(c, i)| c * z[i]).sum()
}

/// `Σ cᵢ·lcᵢ` (the constant `k` is added as `k·ONE`).
fn mix(parts: &[(Fr, &Lc)], k: Fr) -> Lc {
    let konst = [(k, ONE)];
    let cap = parts.iter().map(|(_, l)| l.len()).sum::<usize>() + 1;
    combine(
        parts
            .iter()
            .map(|&(c, l)| (c, &l[..]))
            .chain(std::iter::once((Fr::one(), &konst[..]))),
        cap,
    )
}

/// `x^5` as a new witness: 3 constraints.
fn sbox(b: &mut Builder<'_>, x: Lc) -> Lc {
    let xv = b.has_witness().then(|| eval(&x, &b.z));
    let x2v = xv.map(|v| v.square());
    let x2 = b.witness(|| x2v.unwrap_or_default());
    b.enforce(x.clone(), x.clone(), vec![(Fr::one(), x2)]);
    let x4v = x2v.map(|v| v.square());
    let x4 = b.witness(|| x4v.unwrap_or_default());
    b.enforce(vec![(Fr::one(), x2)], vec![(Fr::one(), x2)], vec![(Fr::one(), x4)]);
    let y = b.witness(|| x4v.zip(xv).map(|(a, c)| a * c).unwrap_or_default());
    b.enforce(vec![(Fr::one(), x4)], x, vec![(Fr::one(), y)]);
    vec![(Fr::one(), y)]
}

/// circomlib's permutation on three linear combinations.
fn permute(b: &mut Builder<'_>, state: &mut [Lc; BN254_WIDTH]) {
    let params = bn254_params();
    for (r, ark) in params.ark.iter().enumerate() {
        let full = Bn254Params::is_full_round(r);
        for (i, lane) in state.iter_mut().enumerate() {
            let x = mix(&[(Fr::one(), &*lane)], ark[i]);
            *lane = if full || i == 0 { sbox(b, x) } else { x };
        }
        let mixed: Vec<Lc> = params
            .mds
            .iter()
            .map(|row| {
                mix(
                    &[(row[0], &state[0]), (row[1], &state[1]), (row[2], &state[2])],
                    Fr::ZERO,
                )
            })
            .collect();
        for (lane, m) in state.iter_mut().zip(mixed) {
            *lane = m;
        }
    }
}

pub(crate) fn lower(b: &mut Builder<'_>, inputs: &[Var], digest: [Var; 4], kind: HashKind) -> Result<(), BackendError> {
    if kind != HashKind::PoseidonBn254 {
        return Err(b.malformed(format!(
            "Groth16 proves over BN254 and computes HashKind::PoseidonBn254, but this hash is {kind:?}; \
             compile the model for groth16 (or prove it with plonky2)"
        )));
    }
    let ins = inputs
        .iter()
        .map(|&v| b.lc(v).cloned())
        .collect::<Result<Vec<Lc>, _>>()?;
    let n = Fr::from(inputs.len() as u64);
    let mut state: [Lc; BN254_WIDTH] = [vec![(n, ONE)], Vec::new(), Vec::new()];
    if ins.is_empty() {
        permute(b, &mut state);
    }
    for chunk in ins.chunks(2) {
        state[1] = mix(&[(Fr::one(), &state[1]), (Fr::one(), &chunk[0])], Fr::ZERO);
        if let Some(y) = chunk.get(1) {
            state[2] = mix(&[(Fr::one(), &state[2]), (Fr::one(), y)], Fr::ZERO);
        }
        permute(b, &mut state);
    }
    // Limbs from the trace's bits; Σ limbᵢ·2^(64i) = lane 1.
    let mut limbs: Vec<Lc> = Vec::with_capacity(4);
    for d in digest {
        if d.0 >= b.program.num_vars {
            let n = b.program.num_vars;
            return Err(b.malformed(format!("{d} is beyond the program's {n} variables")));
        }
        let bits = b.bits(b.tv(d), 64, false);
        limbs.push(b.bits_lc(&bits, 0, false));
    }
    let mut parts: Vec<(Fr, &Lc)> = limbs.iter().enumerate().map(|(i, l)| (b.pow[64 * i], l)).collect();
    let minus_one = -Fr::one();
    parts.push((minus_one, &state[1]));
    let row = mix(&parts, Fr::ZERO);
    b.enforce_zero(row);
    for (d, l) in digest.into_iter().zip(limbs) {
        b.define(d, l)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbox_count_is_circomlibs() {
        let sboxes: usize = (0..65).map(|r| if Bn254Params::is_full_round(r) { 3 } else { 1 }).sum();
        assert_eq!(3 * sboxes, PERMUTATION_CONSTRAINTS);
        assert_eq!(PERMUTATION_CONSTRAINTS, 243);
        assert_eq!(constraints(0), 500);
        assert_eq!(constraints(3), 243 * 2 + 257);
    }
}
