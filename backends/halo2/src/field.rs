//! Integers to BN254 scalars: a negative `v` is `p - |v|`.

use halo2_proofs::arithmetic::Field;
use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::PrimeField;

/// `v` as a field element.
pub fn fr(v: i128) -> Fr {
    let u = v.unsigned_abs();
    // `PrimeField::from_u128` doubles 64 times; almost every value fits a u64.
    let m = if u >> 64 == 0 {
        Fr::from(u as u64)
    } else {
        Fr::from_u128(u)
    };
    if v < 0 {
        -m
    } else {
        m
    }
}

/// `2^k` as a field element.
pub fn pow2(k: u32) -> Fr {
    Fr::from(2u64).pow_vartime([k as u64])
}

/// `floor(v / 2^s)` without overflow or panics.
pub fn shr(v: i128, s: u32) -> i128 {
    if s >= 127 {
        if v < 0 {
            -1
        } else {
            0
        }
    } else {
        v >> s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_is_p_minus_abs() {
        assert_eq!(fr(-5) + fr(5), Fr::ZERO);
        assert_eq!(fr(i128::MIN) + fr(i128::MAX), -Fr::ONE);
        assert_eq!(pow2(3), fr(8));
        assert_eq!(shr(-5, 1), -3);
        assert_eq!(shr(-5, 200), -1);
    }
}
