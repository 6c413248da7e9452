//! The Poseidon hashes of [`Argument::Hash`](crate::Argument::Hash), off-circuit: the solver
//! defines a digest with [`hash`], the checker compares against it, and every backend's
//! circuit must compute the same function (their tests check it against this module).
//!
//! - [`HashKind::PoseidonBn254`]: circomlib's permutation for t = 3 ([`bn254_permute`], the
//!   round constants and MDS matrix taken from `light-poseidon`, which generated them with the
//!   Poseidon paper's Grain LFSR script exactly as circomlib did), in the rate-2 sponge of
//!   [`bn254_sponge`]; the digest is the output's four 64-bit little-endian limbs.
//! - [`HashKind::PoseidonGoldilocks`]: plonky2's `PoseidonHash::hash_no_pad`.
//!
//! Hashed parameters (weights) over BN254 are hashed packed ([`pack_params`], [`params_hash`]):
//! `⌊120/b⌋` b-bit weights per hashed element.

use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ff::{BigInt, BigInteger, Field, PrimeField, Zero};
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::{Field as _, PrimeField64};
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;

pub use crate::program::HashKind;

/// The Goldilocks field (`p = 2^64 - 2^32 + 1`).
pub type Goldilocks = GoldilocksField;

/// Goldilocks' `p`: a [`HashKind::PoseidonGoldilocks`] digest element lies in `[0, p)`.
pub const GOLDILOCKS_P: u64 = 0xFFFF_FFFF_0000_0001;

/// The state width of the BN254 permutation (capacity 1, rate 2).
pub const BN254_WIDTH: usize = 3;
/// Full rounds of the BN254 permutation (half before, half after the partial rounds).
pub const BN254_FULL_ROUNDS: usize = 8;
/// Partial rounds (S-box on lane 0 only) of the BN254 permutation.
pub const BN254_PARTIAL_ROUNDS: usize = 57;

/// circomlib's Poseidon constants for t = 3 over BN254's scalar field.
#[derive(Clone, Debug)]
pub struct Bn254Params {
    /// Round constants, `ark[r][i]` added to lane `i` at the start of round `r`.
    pub ark: Vec<[Fr; BN254_WIDTH]>,
    /// The MDS matrix: after the S-boxes, `state'[i] = Σ_j mds[i][j]·state[j]`.
    pub mds: [[Fr; BN254_WIDTH]; BN254_WIDTH],
}

impl Bn254Params {
    /// Whether round `r` applies the S-box to every lane (else to lane 0 only).
    pub fn is_full_round(r: usize) -> bool {
        let half = BN254_FULL_ROUNDS / 2;
        r < half || r >= half + BN254_PARTIAL_ROUNDS
    }
}

/// The t = 3 constants (computed once).
pub fn bn254_params() -> &'static Bn254Params {
    static PARAMS: OnceLock<Bn254Params> = OnceLock::new();
    PARAMS.get_or_init(|| {
        let p = light_poseidon::parameters::bn254_x5::get_poseidon_parameters::<Fr>(BN254_WIDTH as u8)
            .expect("light-poseidon has parameters for t = 3");
        assert!(
            p.width == BN254_WIDTH
                && p.full_rounds == BN254_FULL_ROUNDS
                && p.partial_rounds == BN254_PARTIAL_ROUNDS
                && p.alpha == 5
                && p.ark.len() == BN254_WIDTH * (BN254_FULL_ROUNDS + BN254_PARTIAL_ROUNDS),
            "light-poseidon's t = 3 parameters are circomlib's"
        );
        let ark = p.ark.chunks(BN254_WIDTH).map(|c| [c[0], c[1], c[2]]).collect();
        let m = |i: usize| [p.mds[i][0], p.mds[i][1], p.mds[i][2]];
        Bn254Params {
            ark,
            mds: [m(0), m(1), m(2)],
        }
    })
}

/// `x^5`.
fn sbox(x: Fr) -> Fr {
    let x2 = x.square();
    x2.square() * x
}

/// circomlib's Poseidon permutation for t = 3 (α = 5, 8 full and 57 partial rounds), in place.
/// circomlib's `Poseidon(2)([a, b])` is `state[0]` after permuting `[0, a, b]`.
pub fn bn254_permute(state: &mut [Fr; BN254_WIDTH]) {
    let params = bn254_params();
    for (r, ark) in params.ark.iter().enumerate() {
        for (s, c) in state.iter_mut().zip(ark) {
            *s += c;
        }
        if Bn254Params::is_full_round(r) {
            for s in state.iter_mut() {
                *s = sbox(*s);
            }
        } else {
            state[0] = sbox(state[0]);
        }
        let old = *state;
        for (s, row) in state.iter_mut().zip(&params.mds) {
            *s = row.iter().zip(&old).map(|(m, x)| *m * x).sum();
        }
    }
}

/// The sponge of [`HashKind::PoseidonBn254`]: state `[n, 0, 0]` (the capacity lane holds the
/// input count, so inputs of different lengths never share a digest), each pair of inputs
/// added into lanes 1 and 2 (an odd last one paired with 0), a permutation after each pair
/// (one when there are no inputs); the hash is lane 1.
pub fn bn254_sponge(inputs: &[Fr]) -> Fr {
    let mut state = [Fr::from(inputs.len() as u64), Fr::zero(), Fr::zero()];
    if inputs.is_empty() {
        bn254_permute(&mut state);
    }
    for chunk in inputs.chunks(2) {
        state[1] += chunk[0];
        if let Some(b) = chunk.get(1) {
            state[2] += b;
        }
        bn254_permute(&mut state);
    }
    state[1]
}

/// `v` in BN254's scalar field (`p - |v|` when negative).
pub fn bn254_fr(v: i128) -> Fr {
    let m = v.unsigned_abs();
    let x = Fr::from_bigint(BigInt([m as u64, (m >> 64) as u64, 0, 0])).expect("2^128 < p");
    if v < 0 {
        -x
    } else {
        x
    }
}

/// The canonical value of `h` as four little-endian 64-bit limbs.
pub fn bn254_limbs(h: Fr) -> [i128; 4] {
    let l = h.into_bigint().0;
    [l[0] as i128, l[1] as i128, l[2] as i128, l[3] as i128]
}

/// The field element whose canonical value is `Σ limbs[i]·2^(64i)`, or `None` when a limb is
/// outside `[0, 2^64)` or the integer is not below BN254's `p` (a non-canonical split).
pub fn bn254_from_limbs(limbs: &[i128; 4]) -> Option<Fr> {
    let mut l = [0u64; 4];
    for (d, &s) in l.iter_mut().zip(limbs) {
        *d = u64::try_from(s).ok()?;
    }
    let b = BigInt(l);
    (b < Fr::MODULUS).then(|| Fr::from_bigint(b)).flatten()
}

/// `h`'s canonical value as 32 little-endian bytes (to carry constants to other field types).
pub fn bn254_to_le_bytes(h: Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&h.into_bigint().to_bytes_le());
    out
}

/// `v` in Goldilocks (`p - |v|` when negative, reduced mod `p`).
pub fn goldilocks(v: i128) -> Goldilocks {
    Goldilocks::from_canonical_u64(v.rem_euclid(GOLDILOCKS_P as i128) as u64)
}

/// plonky2's `PoseidonHash::hash_no_pad` of the values, each element canonical.
pub fn goldilocks_hash(values: &[i128]) -> [i128; 4] {
    let inputs: Vec<Goldilocks> = values.iter().map(|&v| goldilocks(v)).collect();
    let out = PoseidonHash::hash_no_pad(&inputs);
    out.elements.map(|e| e.to_canonical_u64() as i128)
}

/// The digest [`Argument::Hash`](crate::Argument::Hash) defines for `values`.
pub fn hash(kind: HashKind, values: &[i128]) -> [i128; 4] {
    match kind {
        HashKind::PoseidonBn254 => {
            let inputs: Vec<Fr> = values.iter().map(|&v| bn254_fr(v)).collect();
            bn254_limbs(bn254_sponge(&inputs))
        }
        HashKind::PoseidonGoldilocks => goldilocks_hash(values),
    }
}

/// Bits of one packed word of [`pack_params`]: words stay well inside the solver's `i128`
/// values (and far below BN254's `p`, so packing is injective).
pub const PACK_WORD_BITS: u32 = 120;

/// How [`pack_params`] packs `values`: each one's signed width `b` (the smallest holding
/// `[-max|v|, max|v|]`, at least 1) and `k = ⌊120 / b⌋` values per word.
pub fn pack_layout(values: &[i128]) -> (u32, usize) {
    let bound = values.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
    let b = (128 - bound.leading_zeros()) + 1;
    (b, (PACK_WORD_BITS / b) as usize)
}

/// The hash inputs that stand for a parameter list under [`HashKind::PoseidonBn254`]:
/// `[N, b, W₀, W₁, …]` with `N` the number of values, `b` and `k` from [`pack_layout`], and
/// `Wⱼ = Σ_{i<k} (v_{jk+i} + 2^(b-1))·2^(b·i)` (the last word holds what is left).
///
/// Why: a BN254 Poseidon permutation absorbs two field elements for ~243 R1CS constraints,
/// so hashing 50,890 weights one per element is ~6.2M constraints; weights are ~15-bit
/// integers, so `k` of them per element cut the permutations `k`-fold. A circuit proves
/// each value in `b` signed bits (so every digit `v + 2^(b-1)` lies in `[0, 2^b)` and the
/// words determine the values) and hashes the words; `N` and `b` are hashed too, so a
/// commitment is never read back with another width or count.
pub fn pack_params(values: &[i128]) -> Vec<i128> {
    let (b, k) = pack_layout(values);
    let mut out = vec![values.len() as i128, b as i128];
    for chunk in values.chunks(k) {
        let word = chunk
            .iter()
            .enumerate()
            .map(|(i, &v)| (v + (1i128 << (b - 1))) << (b as usize * i))
            .sum();
        out.push(word);
    }
    out
}

/// The commitment to parameters (weights and biases) that `--param-visibility hashed`
/// publishes: over BN254 the Poseidon hash of [`pack_params`]; over Goldilocks, whose
/// Poseidon absorbs 8 elements per gate row, the plain [`hash`] of the values.
pub fn params_hash(kind: HashKind, values: &[i128]) -> [i128; 4] {
    match kind {
        HashKind::PoseidonBn254 => hash(kind, &pack_params(values)),
        HashKind::PoseidonGoldilocks => hash(kind, values),
    }
}

/// The digest as one hex string (most significant limb first): 64 digits for BN254 (the
/// hash's canonical value), 4×16 for Goldilocks (`e3‖e2‖e1‖e0`).
pub fn digest_hex(digest: &[i128; 4]) -> String {
    digest.iter().rev().map(|&l| format!("{:016x}", l as u64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use light_poseidon::{Poseidon, PoseidonHasher};
    use plonky2::field::types::Field64;

    fn hex(x: Fr) -> String {
        digest_hex(&bn254_limbs(x))
    }

    #[test]
    fn bn254_permutation_is_circomlibs() {
        // circomlib / circomlibjs: poseidon([1, 2]).
        let mut s = [Fr::zero(), Fr::from(1u64), Fr::from(2u64)];
        bn254_permute(&mut s);
        assert_eq!(
            hex(s[0]),
            "115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"
        );
        // And light-poseidon's own sponge-less hash agrees on other values, negatives included.
        for (a, b) in [(0i128, 0i128), (-1, 7), (1 << 100, -(1 << 90))] {
            let mut s = [Fr::zero(), bn254_fr(a), bn254_fr(b)];
            bn254_permute(&mut s);
            let want = Poseidon::<Fr>::new_circom(2)
                .unwrap()
                .hash(&[bn254_fr(a), bn254_fr(b)])
                .unwrap();
            assert_eq!(s[0], want);
        }
    }

    #[test]
    fn bn254_sponge_regression() {
        // Fixed values of this sponge, identical to circomlibjs 0.1.7's reference Poseidon
        // chained by hand (`poseidon([s1, s2], s0, 3)` for each permutation, state[1] at the end).
        let cases: [(&[i128], &str); 4] = [
            (&[], "13a545a13f1d91dddb87f46679dfaec0900ce24791a924bee7fa4d69a9569d85"),
            (
                &[1, 2],
                "24194d008c277da7840a003bec7cc68360182a1c5f074982d4cfe1b6faa62f02",
            ),
            (
                &[1, 2, 3],
                "114ed0bafba719069f99fc33019ea8ffc1c122539fc35da7eff8d9a0d032690f",
            ),
            (
                &[-5, 0, 7, 1 << 70, -3],
                "25409d78f9589f961f2951ce4d1ba48c8de8a07c0663d321329dce246f4f1c40",
            ),
        ];
        for (values, want) in cases {
            let d = hash(HashKind::PoseidonBn254, values);
            assert_eq!(digest_hex(&d), want, "{values:?}");
        }
    }

    #[test]
    fn bn254_sponge_by_hand() {
        // [1, 2, 3]: capacity 3, absorb (1, 2), permute, absorb (3, 0), permute, lane 1.
        let mut s = [Fr::from(3u64), Fr::from(1u64), Fr::from(2u64)];
        bn254_permute(&mut s);
        s[1] += Fr::from(3u64);
        bn254_permute(&mut s);
        assert_eq!(bn254_sponge(&[1u64, 2, 3].map(Fr::from)), s[1]);
        // The input count separates an odd input list from its zero-padded twin.
        assert_ne!(
            hash(HashKind::PoseidonBn254, &[1, 2, 3]),
            hash(HashKind::PoseidonBn254, &[1, 2, 3, 0])
        );
    }

    #[test]
    fn bn254_limbs_round_trip_and_reject_non_canonical_splits() {
        let h = bn254_sponge(&[Fr::from(9u64)]);
        let limbs = bn254_limbs(h);
        assert!(limbs.iter().all(|&l| (0..1i128 << 64).contains(&l)));
        assert_eq!(bn254_from_limbs(&limbs), Some(h));
        // h + p as limbs (if it fits 256 bits it is ≥ p, so refused).
        let mut big = h.into_bigint();
        let carry = big.add_with_carry(&Fr::MODULUS);
        if !carry {
            let l = big.0.map(|x| x as i128);
            assert_eq!(bn254_from_limbs(&l), None);
        }
        let mut neg = limbs;
        neg[0] -= 1 << 64;
        neg[1] += 1;
        assert_eq!(bn254_from_limbs(&neg), None);
        assert_eq!(bn254_to_le_bytes(Fr::from(258u64))[..3], [2, 1, 0]);
    }

    #[test]
    fn params_pack_into_words_by_hand() {
        // max |v| = 5: b = 4 bits signed, k = 30 per word; digits v + 8.
        let values = [-5i128, 0, 3];
        assert_eq!(pack_layout(&values), (4, 30));
        assert_eq!(pack_params(&values), vec![3, 4, 3 + (8 << 4) + (11 << 8)]);
        assert_eq!(
            params_hash(HashKind::PoseidonBn254, &values),
            hash(HashKind::PoseidonBn254, &[3, 4, 3 + (8 << 4) + (11 << 8)])
        );
        // The width holds [-max, max] (as the lowering's `signed_bits`): 7 fits 4 bits, 8 not.
        assert_eq!(pack_layout(&[-7]), (4, 30));
        assert_eq!(pack_layout(&[8]), (5, 24));
        assert_eq!(pack_layout(&[-8]), (5, 24));
        assert_eq!(pack_layout(&[]), (1, 120));
        assert_eq!(pack_params(&[]), vec![0, 1]);
        // 70 values of 2 bits: words of 60 digits, the last one partial.
        let many: Vec<i128> = (0..70).map(|i| i % 2 - 1).collect();
        let p = pack_params(&many);
        assert_eq!((p.len(), p[1]), (4, 2));
        assert!(p[2..].iter().all(|&w| (0..1i128 << PACK_WORD_BITS).contains(&w)));
        // Goldilocks hashes the values themselves.
        assert_eq!(
            params_hash(HashKind::PoseidonGoldilocks, &values),
            hash(HashKind::PoseidonGoldilocks, &values)
        );
    }

    #[test]
    fn params_hash_separates_width_and_count() {
        // Same digits, other width or count: other digest.
        let a = params_hash(HashKind::PoseidonBn254, &[1, -1]);
        assert_ne!(a, params_hash(HashKind::PoseidonBn254, &[1, -1, -2]));
        assert_ne!(a, params_hash(HashKind::PoseidonBn254, &[2, -1]));
        assert_ne!(a, hash(HashKind::PoseidonBn254, &[1, -1]));
    }

    #[test]
    fn goldilocks_is_plonky2s_hash_no_pad() {
        let values = [-3i128, 0, 5, 1 << 40, -(1 << 61), 7, 8, 9, 10];
        let f: Vec<Goldilocks> = values.iter().map(|&v| goldilocks(v)).collect();
        let want = PoseidonHash::hash_no_pad(&f)
            .elements
            .map(|e| e.to_canonical_u64() as i128);
        assert_eq!(hash(HashKind::PoseidonGoldilocks, &values), want);
        assert_eq!(GOLDILOCKS_P, Goldilocks::ORDER);
        assert_eq!(goldilocks(-1), Goldilocks::from_canonical_u64(Goldilocks::ORDER - 1));
        assert_eq!(hash(HashKind::PoseidonGoldilocks, &[]), [0; 4]);
        let d = hash(HashKind::PoseidonGoldilocks, &[1, 2, 3]);
        assert!(d.iter().all(|&e| (0..Goldilocks::ORDER as i128).contains(&e)));
        assert_eq!(digest_hex(&d).len(), 64);
    }
}
