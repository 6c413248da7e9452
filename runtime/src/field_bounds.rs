//! The bit widths under which an argument's field constraints mean what its integer
//! definition says, one bound per field, enforced by every backend when it lowers a program.
//!
//! Each argument proves an integer relation through equations modulo the field prime `p`,
//! plus range checks. The equations pin the integer values only while the set of values the
//! range checks admit spans fewer than `p` integers; past that, two different `(q, r)` (or
//! two sides of a Max) satisfy the same field equation, and a prover may pick the wrong one.
//! With `C` the largest `n` such that `2^n < p` (BN254: 253, Goldilocks: 63):
//!
//! | argument | admitted span | bound |
//! |---|---|---|
//! | `Range { bits }` | `x + 2^(bits-1) ∈ [0, 2^bits)` | `1 ≤ bits ≤ C` |
//! | `Rescale { k, q_bits }` | `2^k·q + r ∈ [-2^(k+q_bits-1), 2^(k+q_bits-1))` | `q_bits ≥ 1`, `k + q_bits ≤ C` |
//! | `Div { bits }` | `d < 2^(bits+1)`, so two `q·d + r` differ by `< 2^(2·bits+1) + 2^(bits+1)` | `bits ≥ 1`, `2·bits + 1 ≤ C` |
//! | `Max { bits }` | a negative `a - b` is `p - |a - b|` in the field, at least `2^bits` when `bits < C` | `bits ≤ C - 1` |
//!
//! A zero width admits no value (the checker rejects every trace of such an argument), so a
//! program asking for one is refused here too rather than lowered into a circuit no witness
//! satisfies. The checks are backend-independent; a backend may add stricter ones of its own
//! layout (Groth16's sign-bit reuse, say), never looser.

use crate::program::{Argument, Program};

/// A prime field's width, as far as argument widths are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldBounds {
    /// The field's name, for messages.
    pub field: &'static str,
    /// The largest `n` with `2^n < p`.
    pub capacity_bits: u32,
}

/// BN254's scalar field (halo2, Groth16): `p ≈ 2^253.6`.
pub const BN254: FieldBounds = FieldBounds {
    field: "BN254",
    capacity_bits: 253,
};

/// Goldilocks (plonky2): `p = 2^64 - 2^32 + 1`.
pub const GOLDILOCKS: FieldBounds = FieldBounds {
    field: "Goldilocks",
    capacity_bits: 63,
};

/// An argument whose widths the field cannot hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("argument {index} `{argument}` from {origin}: {reason}")]
pub struct FieldBoundError {
    /// Index in `program.arguments`.
    pub index: usize,
    /// The argument's display form.
    pub argument: String,
    /// Where it came from (`node 3 \`Gemm_0\``).
    pub origin: String,
    /// Which bound it breaks and what to do.
    pub reason: String,
}

impl FieldBounds {
    /// `Ok` when `a`'s widths keep its constraints exact in this field; otherwise why not.
    pub fn check(&self, a: &Argument) -> Result<(), String> {
        let (c, f) = (self.capacity_bits, self.field);
        let fix =
            "requantize with fewer bits (a lower --scale or --weight-scale) or pick a backend with a larger field";
        match *a {
            Argument::Range { bits, .. } | Argument::Div { bits, .. } | Argument::Rescale { q_bits: bits, .. } if bits == 0 => {
                Err("a width of 0 bits admits no value, so no witness can satisfy it (malformed program)".into())
            }
            Argument::Range { bits, .. } if bits > c => Err(format!(
                "a {bits}-bit range check wraps in {f} (at most {c} bits); {fix}"
            )),
            Argument::Rescale { k, q_bits, .. } if u64::from(k) + u64::from(q_bits) > u64::from(c) => Err(format!(
                "a shift of 2^{k} with a {q_bits}-bit quotient spans 2^{} values, more than {f} holds (k + q_bits ≤ {c}): a second (q, r) would satisfy it; {fix}",
                u64::from(k) + u64::from(q_bits)
            )),
            Argument::Div { bits, .. } if 2 * u64::from(bits) + 1 > u64::from(c) => Err(format!(
                "a division on {bits} bits is unique in {f} only while 2·bits + 1 ≤ {c}; {fix}"
            )),
            Argument::Max { bits, .. } if bits >= c => Err(format!(
                "a max over a {bits}-bit difference cannot tell the sides apart in {f} (at most {} bits); {fix}",
                c - 1
            )),
            _ => Ok(()),
        }
    }

    /// Checks every argument of `program`; the first that breaks a bound, with its origin.
    pub fn check_program(&self, program: &Program) -> Result<(), FieldBoundError> {
        for (index, (a, origin)) in program.arguments.iter().enumerate() {
            self.check(a).map_err(|reason| FieldBoundError {
                index,
                argument: program.describe(a),
                origin: origin.to_string(),
                reason,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Var;

    fn rescale(k: u32, q_bits: u32) -> Argument {
        Argument::Rescale {
            x: Var(0),
            q: Var(1),
            r: Var(2),
            k,
            q_bits,
        }
    }

    fn div(bits: u32) -> Argument {
        Argument::Div {
            n: Var(0),
            d: Var(1),
            q: Var(2),
            r: Var(3),
            bits,
        }
    }

    #[test]
    fn rescale_span_must_fit_the_field() {
        assert!(BN254.check(&rescale(200, 53)).is_ok());
        let e = BN254.check(&rescale(200, 100)).unwrap_err();
        assert!(e.contains("k + q_bits ≤ 253") && e.contains("2^300"), "{e}");
        assert!(GOLDILOCKS.check(&rescale(40, 23)).is_ok());
        assert!(GOLDILOCKS.check(&rescale(40, 24)).is_err());
    }

    #[test]
    fn division_width_is_bounded_by_twice_the_bits() {
        assert!(BN254.check(&div(126)).is_ok());
        assert!(BN254.check(&div(127)).is_err());
        assert!(GOLDILOCKS.check(&div(31)).is_ok());
        assert!(GOLDILOCKS.check(&div(32)).is_err());
    }

    #[test]
    fn range_and_max_widths() {
        let range = |bits| Argument::Range { x: Var(0), bits };
        let max = |bits| Argument::Max {
            out: Var(0),
            a: Var(1),
            b: None,
            bits,
        };
        assert!(BN254.check(&range(253)).is_ok());
        assert!(BN254.check(&range(254)).is_err());
        assert!(GOLDILOCKS.check(&range(63)).is_ok());
        assert!(GOLDILOCKS.check(&range(64)).is_err());
        assert!(GOLDILOCKS.check(&max(62)).is_ok());
        assert!(GOLDILOCKS.check(&max(63)).is_err());
        assert!(
            BN254.check(&max(0)).is_ok(),
            "a zero-width max is out = a = b, which exists"
        );
    }

    #[test]
    fn zero_widths_are_refused_everywhere() {
        for bounds in [BN254, GOLDILOCKS] {
            for a in [Argument::Range { x: Var(0), bits: 0 }, rescale(3, 0), div(0)] {
                let e = bounds.check(&a).unwrap_err();
                assert!(e.contains("0 bits admits no value"), "{e}");
            }
        }
    }

    #[test]
    fn check_program_names_the_argument_and_its_origin() {
        let (mut p, _) = crate::testing::every_argument_program();
        assert!(BN254.check_program(&p).is_ok());
        assert!(GOLDILOCKS.check_program(&p).is_ok());
        let i = p
            .arguments
            .iter()
            .position(|(a, _)| matches!(a, Argument::Rescale { .. }))
            .unwrap();
        if let Argument::Rescale { k, q_bits, .. } = &mut p.arguments[i].0 {
            *k = 60;
            *q_bits = 20;
        }
        let e = GOLDILOCKS.check_program(&p).unwrap_err();
        assert_eq!(e.index, i);
        assert!(e.to_string().contains(&format!("test_node_{i}")), "{e}");
    }
}
