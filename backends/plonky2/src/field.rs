//! Signed integers in Goldilocks (`p = 2^64 - 2^32 + 1`): `v ≥ 0 ↦ v`, `v < 0 ↦ p - |v|`.
//!
//! The map is injective on `[-2^62, 2^62)` (the backend's 63 signed value bits), and on that
//! interval field equalities between sums that stay inside it are integer equalities.

use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::{Field, Field64, PrimeField64};

/// The field.
pub type F = GoldilocksField;

/// Signed value bits of the backend: every value lies in `[-2^62, 2^62)`.
pub const VALUE_BITS: u32 = 63;

/// Whether `v` lies in the injective interval `[-2^62, 2^62)`.
pub fn fits(v: i128) -> bool {
    let h = 1i128 << (VALUE_BITS - 1);
    (-h..h).contains(&v)
}

/// Whether `v` is a canonical field element, `0 ≤ v < p` (a Poseidon digest element).
pub fn canonical(v: i128) -> bool {
    (0..F::ORDER as i128).contains(&v)
}

/// `v` in the field; callers check [`fits`] first where injectivity matters.
pub fn to_field(v: i128) -> F {
    let p = F::ORDER as i128;
    F::from_canonical_u64(v.rem_euclid(p) as u64)
}

/// The signed integer a canonical field element stands for (the inverse of [`to_field`] on
/// the injective interval).
pub fn from_field(x: F) -> i128 {
    let c = x.to_canonical_u64() as i128;
    if c >= 1i128 << (VALUE_BITS - 1) {
        c - F::ORDER as i128
    } else {
        c
    }
}

/// `2^e` in the field.
pub fn pow2(e: u32) -> F {
    F::TWO.exp_u64(e as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_at_the_edges() {
        let h = 1i128 << 62;
        for v in [0, 1, -1, 5, -5, h - 1, -h, 1 << 40, -(1 << 40)] {
            assert!(fits(v));
            assert_eq!(from_field(to_field(v)), v);
        }
        assert!(!fits(h));
        assert!(!fits(-h - 1));
        assert_eq!(to_field(-1), F::NEG_ONE);
        assert_eq!(pow2(10), F::from_canonical_u64(1024));
    }
}
