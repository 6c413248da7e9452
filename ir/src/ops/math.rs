//! Elementwise math of one input that ONNX lists as separate ops: trigonometric and
//! hyperbolic functions and their inverses, Sign, IsNaN, IsInf, Celu, Shrink and the
//! ai.onnx.ml Binarizer. They are [`crate::Activation::Math`] in the IR, so every later stage
//! treats them as activations; the lowering tabulates the smooth ones over their proven
//! input range (within [`MathFn::domain`]) and computes the piecewise ones exactly.

use serde::{Deserialize, Serialize};

/// An elementwise function of one input with its constant parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum MathFn {
    /// sin x.
    Sin,
    /// cos x.
    Cos,
    /// tan x.
    Tan,
    /// arcsin x, defined on [-1, 1].
    Asin,
    /// arccos x, defined on [-1, 1].
    Acos,
    /// arctan x.
    Atan,
    /// sinh x.
    Sinh,
    /// cosh x.
    Cosh,
    /// arsinh x.
    Asinh,
    /// arcosh x, defined on [1, ∞).
    Acosh,
    /// artanh x, defined on (-1, 1).
    Atanh,
    /// -1, 0 or 1 as x is negative, zero or positive (NaN stays NaN).
    Sign,
    /// 1 where x is NaN, else 0.
    IsNaN,
    /// 1 where x is +∞ (with `positive`) or -∞ (with `negative`), else 0.
    IsInf {
        /// ONNX `detect_positive`.
        positive: bool,
        /// ONNX `detect_negative`.
        negative: bool,
    },
    /// max(0, x) + min(0, alpha·(e^(x/alpha) - 1)) (ONNX Celu).
    Celu {
        /// The scale of the negative branch (≠ 0).
        alpha: f64,
    },
    /// x < -lambd ? x + bias : x > lambd ? x - bias : 0 (ONNX Shrink).
    Shrink {
        /// The half-width of the zero band.
        lambd: f64,
        /// What is taken off |x| outside the band.
        bias: f64,
    },
    /// x > threshold ? 1 : 0 (ONNX ai.onnx.ml Binarizer).
    Binarizer {
        /// The threshold.
        threshold: f64,
    },
}

impl MathFn {
    /// The ONNX op name.
    pub fn name(&self) -> &'static str {
        match self {
            MathFn::Sin => "Sin",
            MathFn::Cos => "Cos",
            MathFn::Tan => "Tan",
            MathFn::Asin => "Asin",
            MathFn::Acos => "Acos",
            MathFn::Atan => "Atan",
            MathFn::Sinh => "Sinh",
            MathFn::Cosh => "Cosh",
            MathFn::Asinh => "Asinh",
            MathFn::Acosh => "Acosh",
            MathFn::Atanh => "Atanh",
            MathFn::Sign => "Sign",
            MathFn::IsNaN => "IsNaN",
            MathFn::IsInf { .. } => "IsInf",
            MathFn::Celu { .. } => "Celu",
            MathFn::Shrink { .. } => "Shrink",
            MathFn::Binarizer { .. } => "Binarizer",
        }
    }

    /// The function's value at `x`.
    pub fn apply(&self, x: f64) -> f64 {
        match *self {
            MathFn::Sin => x.sin(),
            MathFn::Cos => x.cos(),
            MathFn::Tan => x.tan(),
            MathFn::Asin => x.asin(),
            MathFn::Acos => x.acos(),
            MathFn::Atan => x.atan(),
            MathFn::Sinh => x.sinh(),
            MathFn::Cosh => x.cosh(),
            MathFn::Asinh => x.asinh(),
            MathFn::Acosh => x.acosh(),
            MathFn::Atanh => x.atanh(),
            MathFn::Sign if x.is_nan() => x,
            MathFn::Sign if x > 0.0 => 1.0,
            MathFn::Sign if x < 0.0 => -1.0,
            MathFn::Sign => 0.0,
            MathFn::IsNaN => f64::from(x.is_nan()),
            MathFn::IsInf { positive, negative } => {
                f64::from((positive && x == f64::INFINITY) || (negative && x == f64::NEG_INFINITY))
            }
            MathFn::Celu { alpha } => x.max(0.0) + (alpha * (x / alpha).exp_m1()).min(0.0),
            MathFn::Shrink { lambd, bias } => {
                if x < -lambd {
                    x + bias
                } else if x > lambd {
                    x - bias
                } else {
                    0.0
                }
            }
            MathFn::Binarizer { threshold } => f64::from(x > threshold),
        }
    }

    /// Where the function is defined, when not on all of ℝ: `(lo, hi, open)`, the interval
    /// `[lo, hi]`, or `(lo, hi)` when `open`. A lookup table covers only this part of the
    /// input range.
    pub fn domain(&self) -> Option<(f64, f64, bool)> {
        match self {
            MathFn::Asin | MathFn::Acos => Some((-1.0, 1.0, false)),
            MathFn::Acosh => Some((1.0, f64::INFINITY, false)),
            MathFn::Atanh => Some((-1.0, 1.0, true)),
            _ => None,
        }
    }

    /// Defined and nondecreasing on all of ℝ, so that `max(f(a), f(b)) = f(max(a, b))` (it
    /// commutes with max pooling). Asin, Acosh and Atanh increase but are NaN outside their
    /// domain, where the two orders differ.
    pub fn is_monotone(&self) -> bool {
        match *self {
            MathFn::Atan | MathFn::Sinh | MathFn::Asinh => true,
            MathFn::Asin | MathFn::Acosh | MathFn::Atanh => false,
            MathFn::Sign | MathFn::Binarizer { .. } => true,
            MathFn::Celu { alpha } => alpha > 0.0,
            // At ±lambd it jumps by lambd - bias: nondecreasing when that is not negative.
            MathFn::Shrink { lambd, bias } => lambd >= 0.0 && bias <= lambd,
            MathFn::Sin | MathFn::Cos | MathFn::Tan | MathFn::Acos | MathFn::Cosh => false,
            MathFn::IsNaN | MathFn::IsInf { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Agreement to 1e-12 with values computed independently (numpy, double precision).
    fn close(f: MathFn, xs: &[f64], want: &[f64]) {
        for (&x, &w) in xs.iter().zip(want) {
            let got = f.apply(x);
            assert!((got - w).abs() < 1e-12, "{}({x}) = {got}, want {w}", f.name());
        }
    }

    #[test]
    fn trigonometric_and_hyperbolic_functions_match_numpy() {
        let x = [-0.75, 0.0, 0.5, 1.25];
        close(
            MathFn::Sin,
            &x,
            &[
                -0.681_638_760_023_334_1,
                0.0,
                0.479_425_538_604_203,
                0.948_984_619_355_586_2,
            ],
        );
        close(
            MathFn::Cos,
            &x,
            &[
                0.731_688_868_873_820_9,
                1.0,
                0.877_582_561_890_372_8,
                0.315_322_362_395_268_7,
            ],
        );
        close(
            MathFn::Tan,
            &x,
            &[
                -0.931_596_459_944_072_5,
                0.0,
                0.546_302_489_843_790_5,
                3.009_569_673_862_831_3,
            ],
        );
        close(
            MathFn::Atan,
            &x,
            &[
                -0.643_501_108_793_284_4,
                0.0,
                0.463_647_609_000_806_1,
                0.896_055_384_571_343_9,
            ],
        );
        close(
            MathFn::Sinh,
            &x,
            &[
                -0.822_316_731_935_83,
                0.0,
                0.521_095_305_493_747_4,
                1.601_919_080_300_825_6,
            ],
        );
        close(
            MathFn::Cosh,
            &x,
            &[
                1.294_683_284_676_844_8,
                1.0,
                1.127_625_965_206_380_7,
                1.888_423_877_161_015_8,
            ],
        );
        close(
            MathFn::Asinh,
            &x,
            &[
                -std::f64::consts::LN_2,
                0.0,
                0.481_211_825_059_603_47,
                1.047_593_012_649_258_7,
            ],
        );
        let y = [-0.5, 0.0, 0.25, 0.9];
        close(
            MathFn::Asin,
            &y,
            &[
                -std::f64::consts::FRAC_PI_6,
                0.0,
                0.252_680_255_142_078_65,
                1.119_769_514_998_634_2,
            ],
        );
        close(
            MathFn::Acos,
            &y,
            &[
                2.094_395_102_393_195_7,
                std::f64::consts::FRAC_PI_2,
                1.318_116_071_652_818,
                0.451_026_811_796_262_36,
            ],
        );
        close(
            MathFn::Atanh,
            &y,
            &[
                -0.549_306_144_334_054_9,
                0.0,
                0.255_412_811_882_995_36,
                1.472_219_489_583_220_4,
            ],
        );
        close(
            MathFn::Acosh,
            &[1.0, 1.5, 3.0],
            &[0.0, 0.962_423_650_119_206_9, 1.762_747_174_039_086],
        );
        assert!(MathFn::Asin.apply(1.5).is_nan() && MathFn::Acosh.apply(0.5).is_nan());
        assert_eq!(MathFn::Atanh.apply(1.0), f64::INFINITY);
    }

    #[test]
    fn sign_isnan_and_isinf_follow_onnx() {
        let s = |x| MathFn::Sign.apply(x);
        assert_eq!([s(-3.5), s(-0.0), s(0.0), s(2e-9)], [-1.0, 0.0, 0.0, 1.0]);
        assert!(s(f64::NAN).is_nan());
        let n = |x| MathFn::IsNaN.apply(x);
        assert_eq!([n(f64::NAN), n(f64::INFINITY), n(1.0)], [1.0, 0.0, 0.0]);
        // isinf.py: x = [-1.2, nan, inf, 2.8, -inf, inf].
        let x = [-1.2, f64::NAN, f64::INFINITY, 2.8, f64::NEG_INFINITY, f64::INFINITY];
        let run = |positive, negative| -> Vec<f64> {
            x.iter()
                .map(|&v| MathFn::IsInf { positive, negative }.apply(v))
                .collect()
        };
        assert_eq!(run(true, true), [0., 0., 1., 0., 1., 1.]);
        assert_eq!(run(true, false), [0., 0., 1., 0., 0., 1.]);
        assert_eq!(run(false, true), [0., 0., 0., 0., 1., 0.]);
    }

    #[test]
    fn celu_shrink_and_binarizer_match_their_references() {
        // numpy: max(0, x) + min(0, 2·(exp(x/2) - 1)).
        close(
            MathFn::Celu { alpha: 2.0 },
            &[-3.0, -0.5, 0.0, 2.0],
            &[-1.553_739_679_703_140_4, -0.442_398_433_857_190_24, 0.0, 2.0],
        );
        // shrink.py, hard (lambd 1.5, bias 0) and soft (lambd 1.5, bias 1.5).
        let x = [-2.0, -1.0, 0.0, 1.0, 2.0];
        let hard: Vec<f64> = x
            .iter()
            .map(|&v| MathFn::Shrink { lambd: 1.5, bias: 0.0 }.apply(v))
            .collect();
        assert_eq!(hard, [-2.0, 0.0, 0.0, 0.0, 2.0]);
        let soft: Vec<f64> = x
            .iter()
            .map(|&v| MathFn::Shrink { lambd: 1.5, bias: 1.5 }.apply(v))
            .collect();
        assert_eq!(soft, [-0.5, 0.0, 0.0, 0.0, 0.5]);
        let b = MathFn::Binarizer { threshold: 1.0 };
        assert_eq!([b.apply(0.5), b.apply(1.0), b.apply(1.01)], [0.0, 0.0, 1.0]);
    }

    #[test]
    fn domains_and_monotonicity() {
        assert_eq!(MathFn::Asin.domain(), Some((-1.0, 1.0, false)));
        assert_eq!(MathFn::Atanh.domain(), Some((-1.0, 1.0, true)));
        assert_eq!(MathFn::Sin.domain(), None);
        assert!(MathFn::Atan.is_monotone() && !MathFn::Cos.is_monotone() && !MathFn::Asin.is_monotone());
        assert!(!MathFn::Shrink { lambd: 0.5, bias: 1.0 }.is_monotone());
        assert!(MathFn::Shrink { lambd: 0.5, bias: 0.5 }.is_monotone());
    }
}
