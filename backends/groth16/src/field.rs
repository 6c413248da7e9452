//! Signed integers in BN254's scalar field: a negative `v` is `p - |v|`.

use ark_bn254::Fr;
use ark_ff::{BigInt, Field, PrimeField, Zero};

/// `v` as a field element (`p - |v|` when negative).
pub fn fr(v: i128) -> Fr {
    let m = v.unsigned_abs();
    let x = Fr::from_bigint(BigInt([m as u64, (m >> 64) as u64, 0, 0])).expect("2^128 < p");
    if v < 0 {
        -x
    } else {
        x
    }
}

/// `2^n` for `n < 254`.
pub fn pow2(n: u32) -> Fr {
    Fr::from(2u64).pow([n as u64])
}

/// The signed integer a field element stands for, when it is within ±2^127 (for messages).
pub fn show(x: Fr) -> String {
    let small = |y: Fr| -> Option<u128> {
        let b = y.into_bigint();
        (b.0[2] == 0 && b.0[3] == 0).then(|| b.0[0] as u128 | ((b.0[1] as u128) << 64))
    };
    if x.is_zero() {
        return "0".into();
    }
    match (small(x), small(-x)) {
        (Some(v), _) => v.to_string(),
        (None, Some(v)) => format!("-{v}"),
        (None, None) => x.to_string(),
    }
}

/// The decimal string of a field element (snarkjs's format).
pub fn decimal(x: Fr) -> String {
    x.into_bigint().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_round_trip() {
        for v in [0i128, 1, -1, 255, -256, i128::MAX, i128::MIN + 1, i128::MIN] {
            assert_eq!(show(fr(v)), v.to_string());
        }
        assert_eq!(fr(-5) + fr(5), Fr::zero());
        assert_eq!(pow2(10), fr(1024));
    }
}
